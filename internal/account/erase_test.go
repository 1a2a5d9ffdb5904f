package account_test

import (
	"strings"
	"testing"
	"time"

	"shipshape/internal/account"
	"shipshape/internal/apperr"
	"shipshape/internal/consent"
	"shipshape/internal/db"
	"shipshape/internal/doc"
	"shipshape/internal/policy"
	"shipshape/internal/project"
	"shipshape/internal/testkit"
)

// TestScheduleCancelAndErase walks an account deletion: the password
// confirms it, a sole owner is refused, it can be cancelled, nothing
// happens before the grace period ends, and then the account becomes a
// tombstone — with its content kept, its private data gone, the audit
// chain intact, and the deletion ledger written outside the database so
// that a restored older backup gets the erasure again.
func TestScheduleCancelAndErase(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		admin := e.setup(t)
		ana := testkit.MustUser(t, e.App, "Ana Lima")
		bo := testkit.MustUser(t, e.App, "Bo Chen")
		testkit.MustWorkspace(t, e.App, ana, "acme")
		testkit.MustJoin(t, e.App, ana, "acme", bo, "admin")
		boActor := from("203.0.113.7")
		boActor.UserID = bo.ID
		_, secret, err := e.Accounts.Login(ctx, from("203.0.113.7"), bo.Email, testkit.Password)
		if err != nil {
			t.Fatal(err)
		}
		p, err := e.Accounts.Session(ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		testkit.MustToken(t, e.App, bo)
		yes := true
		if _, err := e.Consent.Set(ctx, boActor, consent.Patch{MarketingEmail: &yes}, consent.Web, false); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Policies.Publish(ctx, testkit.Actor(admin), true, policy.PublishInput{Body: "b", Changelog: "c"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Policies.Accept(ctx, boActor, policy.AcceptInput{Version: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Projects.Create(ctx, boActor, "acme", project.CreateInput{Key: "PAY", Name: "Payments"}); err != nil {
			t.Fatal(err)
		}
		dd, err := e.Docs.Create(ctx, boActor, "acme", doc.CreateInput{Title: "Bo's design", Type: doc.Design, Body: "text", Visibility: doc.VisWorkspace})
		if err != nil {
			t.Fatal(err)
		}

		// The password confirms; a sole owner must hand over first.
		_, err = e.Accounts.ScheduleDeletion(ctx, boActor, p, account.DeleteInput{Password: "wrong password here"})
		testkit.WantFields(t, err, "password")
		anaP := account.Principal{User: ana}
		_, err = e.Accounts.ScheduleDeletion(ctx, testkit.Actor(ana), anaP, account.DeleteInput{Password: testkit.Password})
		if ae := testkit.WantCode(t, err, apperr.Conflict); !strings.Contains(ae.Message, "only owner of Acme") {
			t.Errorf("sole-owner message %q", ae.Message)
		}
		sched, err := e.Accounts.ScheduleDeletion(ctx, boActor, p, account.DeleteInput{Password: testkit.Password})
		if err != nil || !sched.ScheduledFor.Equal(e.clock.Now().Add(account.DefaultDeletionGrace)) {
			t.Fatalf("scheduled %+v %v", sched, err)
		}
		if err := e.Accounts.CancelDeletion(ctx, boActor, p); err != nil {
			t.Fatal(err)
		}
		if u, _ := e.Accounts.User(ctx, bo.ID); u.DeletionScheduledFor != nil {
			t.Fatalf("cancelled, still scheduled: %v", u.DeletionScheduledFor)
		}
		testkit.WantCode(t, e.Accounts.CancelDeletion(ctx, boActor, p), apperr.Conflict)
		if _, err := e.Accounts.ScheduleDeletion(ctx, boActor, p, account.DeleteInput{Password: testkit.Password}); err != nil {
			t.Fatal(err)
		}

		// Nothing before the grace period ends.
		e.clock.Advance(account.DefaultDeletionGrace - time.Minute)
		if err := e.Accounts.EraseDue(ctx, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Accounts.Session(ctx, secret); err != nil {
			t.Fatalf("erased before the grace period ended: %v", err)
		}
		e.clock.Advance(2 * time.Minute)
		if err := e.Accounts.EraseDue(ctx, e.clock.Now()); err != nil {
			t.Fatal(err)
		}

		// The account is a tombstone; its private data is gone.
		u, err := e.Accounts.User(ctx, bo.ID)
		if err != nil || u.Name != account.Tombstone(bo.ID) || !strings.HasPrefix(u.Name, "Former member ") || strings.Contains(u.Email, "bo.chen") || u.Company != "" {
			t.Fatalf("tombstone %+v %v", u, err)
		}
		if _, err := e.Accounts.Session(ctx, secret); err == nil {
			t.Error("the session still works")
		}
		if _, _, err := e.Accounts.Login(ctx, from("198.51.100.1"), bo.Email, testkit.Password); err == nil {
			t.Error("the erased account can still sign in")
		}
		for table, where := range map[string]string{"sessions": "user_id", "tokens": "user_id", "memberships": "user_id", "consents": "user_id",
			"consent_events": "user_id", "policy_acceptances": "user_id"} {
			var n int
			if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM `+table+` WHERE `+where+` = ?`, bo.ID).Scan(&n); err != nil || n != 0 {
				t.Errorf("%s: %d rows left (%v)", table, n, err)
			}
		}
		var ips int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_events WHERE actor_id = ? AND (ip <> '' OR user_agent <> '')`, bo.ID).Scan(&ips); err != nil || ips != 0 {
			t.Errorf("audit events with IP or browser left: %d %v", ips, err)
		}
		// Content stays, attributed to the tombstone; the trail verifies.
		got, err := e.Docs.Get(ctx, ana.ID, "acme", dd.ID)
		if err != nil || got.CreatedBy != bo.ID {
			t.Errorf("Bo's document %+v %v", got, err)
		}
		reports, err := e.Workspaces.VerifyAllAudit(ctx, "")
		if err != nil || len(reports) < 2 {
			t.Fatalf("audit verify: %+v %v", reports, err)
		}
		for _, r := range reports {
			if !r.OK {
				t.Errorf("audit chain %+v fails after the erasure", r)
			}
		}
		ledger, err := e.Accounts.Ledger(ctx)
		if err != nil || len(ledger) != 1 || ledger[0].SubjectID != bo.ID || ledger[0].Tombstone != u.Name {
			t.Fatalf("ledger %+v %v", ledger, err)
		}

		// An older backup comes back: the ledger erases Bo again.
		if _, err := d.Exec(ctx, `UPDATE users SET name = 'Bo Chen', email = 'bo.chen@example.com', erased_at = NULL WHERE id = ?`, bo.ID); err != nil {
			t.Fatal(err)
		}
		n, err := e.Accounts.ReapplyErasures(ctx)
		if err != nil || n != 1 {
			t.Fatalf("reapply: %d %v", n, err)
		}
		if u, _ := e.Accounts.User(ctx, bo.ID); u.Name != account.Tombstone(bo.ID) || strings.Contains(u.Email, "bo.chen") {
			t.Errorf("after reapplying %+v", u)
		}
		if n, err := e.Accounts.ReapplyErasures(ctx); err != nil || n != 0 {
			t.Errorf("reapplying twice erased %d (%v)", n, err)
		}
	})
}
