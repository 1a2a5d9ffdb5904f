package privreq_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"shipshape/internal/account"
	"shipshape/internal/app"
	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/db"
	"shipshape/internal/privreq"
	"shipshape/internal/testkit"
)

const day = 24 * time.Hour

func siteAdmin(t *testing.T, a *app.App) account.User {
	t.Helper()
	u, err := a.Accounts.CreateUser(context.Background(), account.SignupInput{Name: "Site Admin", Email: "root@example.com", Password: testkit.Password}, true)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func ptr[T any](v T) *T { return &v }

// noEmailInAudit fails when any site audit event names the address.
func noEmailInAudit(t *testing.T, d *db.DB, email string) {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_events WHERE lower(target_label) LIKE ?`, "%"+strings.ToLower(email)+"%").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n > 0 {
		t.Errorf("%d audit events name the subject's address", n)
	}
}

func actions(d privreq.Detail) []string {
	var out []string
	for _, e := range d.History {
		out = append(out, e.Action)
	}
	return out
}

func TestCreateDueDatesAndPermission(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clock := testkit.NewClock() // Monday 2026-01-05 09:00
		a := testkit.NewApp(t, d, clock)
		svc := a.PrivacyRequests
		root := siteAdmin(t, a)
		ana := testkit.MustUser(t, a, "Ana Lima")
		admin := testkit.Actor(root)

		// Not for everyone: a 404.
		_, err := svc.Create(ctx, testkit.Actor(ana), false, privreq.CreateInput{Kind: privreq.Access, SubjectEmail: ana.Email})
		testkit.WantCode(t, err, apperr.NotFound)
		_, err = svc.List(ctx, false, privreq.Filter{})
		testkit.WantCode(t, err, apperr.NotFound)

		// Bad input names the fields.
		_, err = svc.Create(ctx, admin, true, privreq.CreateInput{Kind: "gossip", SubjectEmail: "nope", Source: "fax"})
		testkit.WantFields(t, err, "kind", "subject_email", "source")
		_, err = svc.Create(ctx, admin, true, privreq.CreateInput{Kind: privreq.Access, SubjectEmail: "stranger@example.org", VerifiedBy: privreq.ByAccount})
		testkit.WantFields(t, err, "verified_by")

		// GDPR: 30 days; the account is matched by address, in any case.
		r, err := svc.Create(ctx, admin, true, privreq.CreateInput{Kind: privreq.Access, SubjectEmail: strings.ToUpper(ana.Email)})
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != privreq.Received || r.Source != privreq.EmailSource || r.VerifiedBy != privreq.NotYet ||
			!r.DueAt.Equal(clock.Now().Add(30*day)) || r.SubjectUserID == nil || *r.SubjectUserID != ana.ID || r.Overdue {
			t.Errorf("created %+v", r)
		}

		// Erasure from the support tracker on a Friday: due Monday.
		clock.Advance(4 * day) // Friday 09:00
		fri := clock.Now()
		e, err := svc.Create(ctx, admin, true, privreq.CreateInput{Kind: privreq.Erasure, SubjectEmail: "stranger@example.org", Source: privreq.SupportTracker,
			AssigneeID: root.ID, Note: "Ticket #4711"})
		if err != nil {
			t.Fatal(err)
		}
		if want := fri.Add(3 * day); !e.DueAt.Equal(want) || e.SubjectUserID != nil || e.AssigneeID == nil || e.AssigneeName != "Site Admin" {
			t.Errorf("support-tracker erasure due %s (want %s): %+v", e.DueAt, want, e)
		}
		_, err = svc.Create(ctx, admin, true, privreq.CreateInput{Kind: privreq.Objection, SubjectEmail: "x@example.org", AssigneeID: ana.ID})
		testkit.WantFields(t, err, "assignee_id")

		// Overdue with a moved clock: the erasure on Tuesday.
		clock.Advance(4 * day)
		open, err := svc.List(ctx, true, privreq.Filter{Status: "overdue"})
		if err != nil {
			t.Fatal(err)
		}
		if len(open) != 1 || open[0].ID != e.ID || !open[0].Overdue {
			t.Errorf("overdue = %+v", open)
		}
		all, err := svc.List(ctx, true, privreq.Filter{Status: "open"})
		if err != nil || len(all) != 2 || all[0].ID != e.ID {
			t.Errorf("open = %+v, %v", all, err)
		}
		_, err = svc.List(ctx, true, privreq.Filter{Status: "someday"})
		testkit.WantFields(t, err, "status")

		det, err := svc.Get(ctx, true, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(det.Notes) != 1 || det.Notes[0].Body != "Ticket #4711" || det.Notes[0].AuthorName != "Site Admin" {
			t.Errorf("notes %+v", det.Notes)
		}
		if got := strings.Join(actions(det), ","); got != "privacy_request.create,privacy_request.assign,privacy_request.note" {
			t.Errorf("history %s", got)
		}
		noEmailInAudit(t, d, "stranger@example.org")
		noEmailInAudit(t, d, ana.Email)
		if v, err := audit.Verify(ctx, d, ""); err != nil || !v.OK {
			t.Errorf("site chain: %+v %v", v, err)
		}
	})
}

func TestTransitions(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clock := testkit.NewClock()
		a := testkit.NewApp(t, d, clock)
		svc := a.PrivacyRequests
		root := siteAdmin(t, a)
		ana := testkit.MustUser(t, a, "Ana Lima")
		admin := testkit.Actor(root)
		r, err := svc.Create(ctx, admin, true, privreq.CreateInput{Kind: privreq.Rectification, SubjectEmail: ana.Email, Source: privreq.SelfService})
		if err != nil {
			t.Fatal(err)
		}
		// Not allowed by the lifecycle: 409 naming what is.
		_, err = svc.Update(ctx, admin, true, r.ID, privreq.Patch{Status: ptr(privreq.Fulfilled)})
		ae := testkit.WantCode(t, err, apperr.Conflict)
		if !strings.Contains(ae.Message, "verifying, in_progress, rejected, withdrawn") {
			t.Errorf("conflict %q", ae.Message)
		}
		// An empty patch or a bad status is a 400.
		_, err = svc.Update(ctx, admin, true, r.ID, privreq.Patch{})
		testkit.WantFields(t, err, "status")
		_, err = svc.Update(ctx, admin, true, r.ID, privreq.Patch{Status: ptr(privreq.Status("done"))})
		testkit.WantFields(t, err, "status")

		if r, err = svc.Update(ctx, admin, true, r.ID, privreq.Patch{Status: ptr(privreq.InProgress)}); err != nil {
			t.Fatal(err)
		}
		// Fulfilled needs an outcome (400) and a verified identity (409).
		_, err = svc.Update(ctx, admin, true, r.ID, privreq.Patch{Status: ptr(privreq.Fulfilled)})
		testkit.WantFields(t, err, "outcome")
		_, err = svc.Update(ctx, admin, true, r.ID, privreq.Patch{Status: ptr(privreq.Fulfilled), Outcome: ptr("Name corrected")})
		testkit.WantCode(t, err, apperr.Conflict)
		// Nothing of the failed patch stuck.
		if cur, _ := svc.Get(ctx, true, r.ID); cur.Outcome != "" {
			t.Errorf("a refused patch kept its outcome %q", cur.Outcome)
		}
		r, err = svc.Update(ctx, admin, true, r.ID, privreq.Patch{VerifiedBy: ptr(privreq.ByAccount), Outcome: ptr("Name corrected"), Status: ptr(privreq.Fulfilled), Note: "done"})
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != privreq.Fulfilled || r.ClosedAt == nil || r.VerifiedAt == nil || r.VerifiedBy != privreq.ByAccount || len(r.Next) != 0 {
			t.Errorf("fulfilled %+v", r)
		}
		// Closed: read-only.
		_, err = svc.Update(ctx, admin, true, r.ID, privreq.Patch{Note: "one more thing"})
		testkit.WantCode(t, err, apperr.Conflict)
		_, err = svc.IssueLink(ctx, admin, true, r.ID)
		testkit.WantCode(t, err, apperr.Conflict)

		// Rejected needs a reason; withdrawn does not.
		x, _ := svc.Create(ctx, admin, true, privreq.CreateInput{Kind: privreq.Objection, SubjectEmail: "x@example.org"})
		_, err = svc.Update(ctx, admin, true, x.ID, privreq.Patch{Status: ptr(privreq.Rejected)})
		testkit.WantFields(t, err, "outcome")
		if x, err = svc.Update(ctx, admin, true, x.ID, privreq.Patch{Status: ptr(privreq.Withdrawn)}); err != nil || x.ClosedAt == nil {
			t.Fatalf("withdraw: %+v %v", x, err)
		}
		closed, _ := svc.List(ctx, true, privreq.Filter{Status: "closed"})
		if len(closed) != 2 {
			t.Errorf("closed = %d", len(closed))
		}
		noEmailInAudit(t, d, ana.Email)
	})
}

func TestVerificationPaths(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clock := testkit.NewClock()
		a := testkit.NewApp(t, d, clock)
		svc := a.PrivacyRequests
		root := siteAdmin(t, a)
		admin := testkit.Actor(root)

		// account: needs an account using the address.
		r, _ := svc.Create(ctx, admin, true, privreq.CreateInput{Kind: privreq.Access, SubjectEmail: "later@example.com", Source: privreq.SelfService})
		_, err := svc.Update(ctx, admin, true, r.ID, privreq.Patch{VerifiedBy: ptr(privreq.ByAccount)})
		testkit.WantFields(t, err, "verified_by")
		later, err := a.Accounts.CreateUser(ctx, account.SignupInput{Name: "Lee Later", Email: "later@example.com", Password: testkit.Password}, false)
		if err != nil {
			t.Fatal(err)
		}
		if r, err = svc.Update(ctx, admin, true, r.ID, privreq.Patch{VerifiedBy: ptr(privreq.ByAccount)}); err != nil || r.SubjectUserID == nil || *r.SubjectUserID != later.ID {
			t.Fatalf("verify by account: %+v %v", r, err)
		}
		_, err = svc.Update(ctx, admin, true, r.ID, privreq.Patch{VerifiedBy: ptr(privreq.ByAgentAuthorization)})
		testkit.WantCode(t, err, apperr.Conflict) // already verified

		// email_link: a one-time link, stored hashed, 7 days.
		m, _ := svc.Create(ctx, admin, true, privreq.CreateInput{Kind: privreq.Know, SubjectEmail: "mail@example.org"})
		old, err := svc.IssueLink(ctx, admin, true, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		link, err := svc.IssueLink(ctx, admin, true, m.ID) // a new link replaces the old
		if err != nil {
			t.Fatal(err)
		}
		if !link.ExpiresAt.Equal(clock.Now().Add(7 * day)) {
			t.Errorf("link expires %s", link.ExpiresAt)
		}
		var stored string
		if err := d.QueryRow(ctx, `SELECT confirm_token_hash FROM privacy_requests WHERE id = ?`, m.ID).Scan(&stored); err != nil || stored != db.HashSecret(link.Token) {
			t.Errorf("stored %q, %v", stored, err)
		}
		_, err = svc.Confirmation(ctx, old.Token)
		testkit.WantCode(t, err, apperr.NotFound)
		c, err := svc.Confirmation(ctx, link.Token)
		if err != nil || c.Kind != privreq.Know || c.Verified {
			t.Fatalf("confirmation %+v %v", c, err)
		}
		if _, err := svc.Confirm(ctx, audit.Actor{IP: "198.51.100.7"}, link.Token); err != nil {
			t.Fatal(err)
		}
		_, err = svc.Confirm(ctx, audit.Actor{}, link.Token) // used up
		testkit.WantCode(t, err, apperr.NotFound)
		det, _ := svc.Get(ctx, true, m.ID)
		if det.VerifiedAt == nil || det.VerifiedBy != privreq.ByEmailLink || det.LinkExpiresAt != nil {
			t.Errorf("after confirming %+v", det.Request)
		}
		if got := strings.Join(actions(det), ","); got != "privacy_request.create,privacy_request.link,privacy_request.link,privacy_request.verify" {
			t.Errorf("history %s", got)
		}

		// An expired link does not verify.
		x, _ := svc.Create(ctx, admin, true, privreq.CreateInput{Kind: privreq.Access, SubjectEmail: "slow@example.org"})
		xl, _ := svc.IssueLink(ctx, admin, true, x.ID)
		clock.Advance(7*day + time.Second)
		_, err = svc.Confirm(ctx, audit.Actor{}, xl.Token)
		testkit.WantCode(t, err, apperr.NotFound)

		// agent_authorization: the upload comes before moving past verifying.
		g, err := svc.Create(ctx, admin, true, privreq.CreateInput{Kind: privreq.Erasure, SubjectEmail: "client@example.org", Source: privreq.Agent})
		if err != nil || g.VerifiedBy != privreq.ByAgentAuthorization {
			t.Fatalf("agent request %+v %v", g, err)
		}
		if _, err := svc.Update(ctx, admin, true, g.ID, privreq.Patch{Status: ptr(privreq.Verifying)}); err != nil {
			t.Fatal(err)
		}
		_, err = svc.Update(ctx, admin, true, g.ID, privreq.Patch{Status: ptr(privreq.InProgress)})
		testkit.WantCode(t, err, apperr.Conflict)
		_, err = svc.Update(ctx, admin, true, g.ID, privreq.Patch{VerifiedBy: ptr(privreq.ByAgentAuthorization)})
		testkit.WantCode(t, err, apperr.Conflict)
		_, err = svc.PutAuthorization(ctx, admin, true, g.ID, "../etc/passwd", strings.NewReader("x"), 1)
		testkit.WantFields(t, err, "name")
		svc.MaxUpload = 10
		_, err = svc.PutAuthorization(ctx, admin, true, g.ID, "letter.pdf", strings.NewReader("far more than ten bytes"), -1)
		testkit.WantCode(t, err, apperr.TooLarge)
		svc.MaxUpload = 0
		first, err := svc.PutAuthorization(ctx, admin, true, g.ID, "letter.pdf", strings.NewReader("first letter"), -1)
		if err != nil {
			t.Fatal(err)
		}
		auth, err := svc.PutAuthorization(ctx, admin, true, g.ID, "signed letter.pdf", strings.NewReader("I authorize my agent."), -1)
		if err != nil || auth.Size != int64(len("I authorize my agent.")) {
			t.Fatalf("upload %+v %v", auth, err)
		}
		_ = first
		var objects int
		for _, err := range a.Blobs.List(ctx, "privacy/requests/"+g.ID+"/") {
			if err != nil {
				t.Fatal(err)
			}
			objects++
		}
		if objects != 1 {
			t.Errorf("%d authorization objects in storage, want 1 (the replaced one deleted)", objects)
		}
		got, rd, err := svc.OpenAuthorization(ctx, true, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		rd.Close()
		if got.Name != "signed letter.pdf" || got.UploadedBy != root.ID {
			t.Errorf("authorization %+v", got)
		}
		if g, err = svc.Update(ctx, admin, true, g.ID, privreq.Patch{VerifiedBy: ptr(privreq.ByAgentAuthorization), Status: ptr(privreq.InProgress)}); err != nil {
			t.Fatal(err)
		}
		if g.Status != privreq.InProgress || g.VerifiedAt == nil {
			t.Errorf("agent request %+v", g)
		}
		noEmailInAudit(t, d, "client@example.org")
		noEmailInAudit(t, d, "mail@example.org")
		if v, err := audit.Verify(ctx, d, ""); err != nil || !v.OK {
			t.Errorf("site chain: %+v %v", v, err)
		}
	})
}

func TestFulfil(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clock := testkit.NewClock()
		a := testkit.NewApp(t, d, clock)
		svc := a.PrivacyRequests
		root := siteAdmin(t, a)
		admin := testkit.Actor(root)
		ana := testkit.MustUser(t, a, "Ana Lima")
		bo := testkit.MustUser(t, a, "Bo Chen")
		cy := testkit.MustUser(t, a, "Cy Owner")
		testkit.MustWorkspace(t, a, cy, "solo") // Cy is its only owner

		ready := func(kind privreq.Kind, email string) privreq.Request {
			t.Helper()
			r, err := svc.Create(ctx, admin, true, privreq.CreateInput{Kind: kind, SubjectEmail: email, Source: privreq.SelfService})
			if err != nil {
				t.Fatal(err)
			}
			_, err = svc.Fulfil(ctx, admin, true, r.ID, privreq.FulfilInput{})
			testkit.WantCode(t, err, apperr.Conflict) // not verified, not in progress
			r, err = svc.Update(ctx, admin, true, r.ID, privreq.Patch{VerifiedBy: ptr(privreq.ByAccount), Status: ptr(privreq.InProgress)})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}

		// Access: an export of the subject's account, theirs to download.
		r := ready(privreq.Access, ana.Email)
		r, err := svc.Fulfil(ctx, admin, true, r.ID, privreq.FulfilInput{})
		if err != nil {
			t.Fatal(err)
		}
		a.Exports.Wait()
		latest, err := a.Exports.Latest(ctx, ana.ID)
		if err != nil || latest == nil {
			t.Fatalf("no export for the subject: %v", err)
		}
		if r.Status != privreq.Fulfilled || !strings.Contains(r.Outcome, latest.ID) {
			t.Errorf("fulfilled access %+v", r)
		}
		if mine, _ := a.Exports.Latest(ctx, root.ID); mine != nil {
			t.Error("the export went to the admin")
		}
		det, _ := svc.Get(ctx, true, r.ID)
		if len(det.Notes) != 1 || !strings.Contains(det.Notes[0].Body, "privacy desk") {
			t.Errorf("notes %+v", det.Notes)
		}
		_, err = svc.Fulfil(ctx, admin, true, r.ID, privreq.FulfilInput{})
		testkit.WantCode(t, err, apperr.Conflict) // closed

		// Erasure: scheduled after the grace period, without a password.
		e := ready(privreq.Erasure, bo.Email)
		if e, err = svc.Fulfil(ctx, admin, true, e.ID, privreq.FulfilInput{Outcome: "Scheduled as asked"}); err != nil {
			t.Fatal(err)
		}
		u, err := a.Accounts.User(ctx, bo.ID)
		if err != nil || u.DeletionScheduledFor == nil || !u.DeletionScheduledFor.Equal(clock.Now().Add(account.DefaultDeletionGrace)) {
			t.Errorf("deletion of Bo: %+v %v", u.DeletionScheduledFor, err)
		}
		if e.Outcome != "Scheduled as asked" || e.Status != privreq.Fulfilled {
			t.Errorf("erasure %+v", e)
		}

		// The sole owner of a workspace is refused, like self-service.
		c := ready(privreq.Erasure, cy.Email)
		_, err = svc.Fulfil(ctx, admin, true, c.ID, privreq.FulfilInput{EraseNow: true})
		testkit.WantCode(t, err, apperr.Conflict)
		if cur, _ := svc.Get(ctx, true, c.ID); cur.Status != privreq.InProgress {
			t.Errorf("a refused erasure closed the request: %s", cur.Status)
		}

		// Erase now.
		dana := testkit.MustUser(t, a, "Dana Now")
		n := ready(privreq.Erasure, dana.Email)
		if _, err = svc.Fulfil(ctx, admin, true, n.ID, privreq.FulfilInput{EraseNow: true}); err != nil {
			t.Fatal(err)
		}
		var erased *time.Time
		if err := d.QueryRow(ctx, `SELECT erased_at FROM users WHERE id = ?`, dana.ID).Scan(db.NullTime(&erased)); err != nil || erased == nil {
			t.Errorf("Dana not erased: %v", err)
		}
		// The request keeps its record of who asked (legal obligation).
		if cur, _ := svc.Get(ctx, true, n.ID); cur.SubjectEmail != dana.Email || cur.SubjectUserID != nil {
			t.Errorf("request after the erasure: %q, account %v (want the e-mail kept, the tombstone unlinked)", cur.SubjectEmail, cur.SubjectUserID)
		}

		// A kind the desk does not fulfil itself.
		o := ready(privreq.Objection, ana.Email)
		_, err = svc.Fulfil(ctx, admin, true, o.ID, privreq.FulfilInput{})
		testkit.WantCode(t, err, apperr.Conflict)

		for _, who := range []account.User{ana, bo, cy, dana} {
			noEmailInAudit(t, d, who.Email)
		}
		if v, err := audit.Verify(ctx, d, ""); err != nil || !v.OK {
			t.Errorf("site chain: %+v %v", v, err)
		}
	})
}
