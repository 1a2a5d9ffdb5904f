package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"shipshape/internal/db"
	"shipshape/internal/owner"
	"shipshape/internal/testkit"
)

func TestReleaseNotesAndEvidenceDownloads(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		b := s.browser(t)
		b.setup()
		b.createWorkspace("acme", "Acme")
		b.createProject("acme", "PAY", "Payments", "")
		ana := userByLogin(t, s, "ana@example.com", adminPassword)
		vi := testkit.MustUser(t, s.app, "Vi Park")
		testkit.MustJoin(t, s.app, ana, "acme", vi, "viewer")
		out := testkit.MustUser(t, s.app, "Oz Out")
		const rel = "/w/acme/p/PAY/r/3.1.0"
		b.post("/w/acme/p/PAY/releases", url.Values{"version": {"3.1.0"}, "name": {"Autumn"}})

		p := b.get(rel)
		expectText(t, p, "Download notes (.md)", "Recorded on release")
		expectNoText(t, p, "Download evidence (.json)")

		notes := b.get(rel + "/notes")
		expectStatus(t, notes, http.StatusOK)
		if ct := notes.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/markdown") {
			t.Errorf("notes Content-Type = %q", ct)
		}
		if cd := notes.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, "PAY-3.1.0-release-notes.md") {
			t.Errorf("notes Content-Disposition = %q", cd)
		}
		if !strings.Contains(notes.Body, "3.1.0") {
			t.Errorf("notes do not mention the version:\n%s", notes.Body)
		}
		expectStatus(t, b.get(rel+"/evidence"), http.StatusNotFound)

		for _, to := range []string{"in_progress", "in_review", "released"} {
			expectStatus(t, b.post(rel+"/move", url.Values{"to": {to}}), http.StatusOK)
		}
		ev := b.get(rel + "/evidence")
		expectStatus(t, ev, http.StatusOK)
		sum := sha256.Sum256([]byte(ev.Body))
		want := hex.EncodeToString(sum[:])
		if got := ev.Header.Get("X-Checksum-SHA256"); got != want {
			t.Errorf("X-Checksum-SHA256 = %q, body hashes to %q", got, want)
		}
		if ct := ev.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("evidence Content-Type = %q", ct)
		}
		if cd := ev.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, "PAY-3.1.0-evidence.json") {
			t.Errorf("evidence Content-Disposition = %q", cd)
		}
		if ev.Header.Get("Repr-Digest") == "" {
			t.Error("no Repr-Digest header")
		}
		p = b.get(rel)
		expectText(t, p, "Download evidence (.json)", want[:12])
		if !strings.Contains(p.Body, `title="SHA-256 `+want+`"`) {
			t.Error("the release page does not show the full evidence SHA-256 in a title")
		}
		expectCSPClean(t, p)

		// A viewer may download; someone outside the workspace gets a 404.
		v := s.browser(t)
		v.mustLogin(vi.Email, testkit.Password)
		expectStatus(t, v.get(rel+"/notes"), http.StatusOK)
		if p := v.get(rel + "/evidence"); p.Status != http.StatusOK || p.Body != ev.Body {
			t.Errorf("viewer evidence: %d", p.Status)
		}
		o := s.browser(t)
		o.mustLogin(out.Email, testkit.Password)
		expectStatus(t, o.get(rel+"/notes"), http.StatusNotFound)
		expectStatus(t, o.get(rel+"/evidence"), http.StatusNotFound)
	})
}

func TestOwnershipMap(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		b := s.browser(t)
		b.setup()
		b.createWorkspace("acme", "Acme")
		b.createProject("acme", "PAY", "Payments", "")
		ctx := context.Background()
		ana := userByLogin(t, s, "ana@example.com", adminPassword)
		bo := testkit.MustUser(t, s.app, "Bo Chen")
		testkit.MustJoin(t, s.app, ana, "acme", bo, "member")
		vi := testkit.MustUser(t, s.app, "Vi Park")
		testkit.MustJoin(t, s.app, ana, "acme", vi, "viewer")
		out := testkit.MustUser(t, s.app, "Oz Out")
		pay, _, err := s.app.Projects.Get(ctx, ana.ID, "acme", "PAY")
		if err != nil {
			t.Fatal(err)
		}

		t.Run("UnownedIsAGap", func(t *testing.T) {
			p := b.get("/w/acme/ownership")
			expectStatus(t, p, http.StatusOK)
			expectText(t, p, "Ownership", "Without an accountable owner", "PAY has no accountable owner.", "Unowned")
			if !strings.Contains(p.Body, `href="/w/acme/ownership" aria-current="page"`) {
				t.Error("the side nav does not mark Ownership as current")
			}
			expectCSPClean(t, p)
		})

		t.Run("AssignedOwnerShows", func(t *testing.T) {
			_, err := s.app.Owners.Set(ctx, testkit.Actor(ana), "acme", owner.SetInput{
				Target: owner.TargetRef{Type: owner.Project, ID: pay.ID},
				Owners: []owner.Assignment{{Kind: owner.User, ID: bo.ID, Role: owner.Accountable}, {Kind: owner.User, ID: ana.ID, Role: owner.Security}}})
			if err != nil {
				t.Fatal(err)
			}
			p := b.get("/w/acme/ownership")
			expectText(t, p, "Bo Chen", "Ana Lima")
			expectNoText(t, p, "PAY has no accountable owner.", "left the workspace")

			// Mine: Ana owns PAY (security); the dashboard counts it.
			p = b.get("/w/acme/ownership?owner=" + ana.ID)
			expectText(t, p, "What you own", "PAY")
			if !strings.Contains(p.Body, `href="/w/acme/ownership?owner=`+ana.ID+`" aria-current="page"`) {
				t.Error("the Mine filter is not marked current")
			}
			expectText(t, b.get("/"), "My ownership · 1")
		})

		t.Run("AssignAccountableOnTheProjectPage", func(t *testing.T) {
			p := b.get("/w/acme/p/PAY")
			expectText(t, p, "Owners", "Assign", "Bo Chen")
			expectCSPClean(t, p)
			p = b.post("/w/acme/owners", assign(owner.Project, pay.ID, "accountable", "user:"+ana.ID, "/w/acme/p/PAY"))
			expectStatus(t, p, http.StatusOK)
			if p.URL.Path != "/w/acme/p/PAY" {
				t.Errorf("after assigning at %s", p.URL)
			}
			expectText(t, p, "Owner saved.")
			to, err := s.app.Owners.Get(ctx, ana.ID, "acme", owner.TargetRef{Type: owner.Project, ID: pay.ID})
			if err != nil {
				t.Fatal(err)
			}
			if len(to.Owners) != 2 || to.Owners[0].ID != ana.ID || to.Owners[0].Role != owner.Accountable || to.Owners[1].Role != owner.Security {
				t.Fatalf("owners after the form: %+v", to.Owners)
			}
			v := s.browser(t)
			v.mustLogin(vi.Email, testkit.Password)
			expectNoText(t, v.get("/w/acme/p/PAY"), "Assign")
			if p := v.post("/w/acme/owners", assign(owner.Project, pay.ID, "accountable", "user:"+vi.ID, "/w/acme/p/PAY")); p.Status < 400 {
				t.Errorf("a viewer set the owner: %d", p.Status)
			}
			// Another site as the way back is refused: the form returns to the map.
			p = b.post("/w/acme/owners", assign(owner.Project, pay.ID, "accountable", "user:"+bo.ID, "https://evil.example/w/acme/"))
			if p.Status != http.StatusOK || p.URL.Host != strings.TrimPrefix(s.srv.URL, "http://") || p.URL.Path != "/w/acme/ownership" {
				t.Errorf("back to another site: %d %s", p.Status, p.URL)
			}
			expectStatus(t, b.post("/w/acme/owners", assign(owner.Project, pay.ID, "overlord", "user:"+bo.ID, "/w/acme/p/PAY")), http.StatusBadRequest)
		})

		t.Run("ViewerSeesItOutsiderDoesNot", func(t *testing.T) {
			v := s.browser(t)
			v.mustLogin(vi.Email, testkit.Password)
			expectText(t, v.get("/w/acme/ownership"), "Bo Chen")
			o := s.browser(t)
			o.mustLogin(out.Email, testkit.Password)
			expectStatus(t, o.get("/w/acme/ownership"), http.StatusNotFound)
		})

		t.Run("OwnerLeftIsAGap", func(t *testing.T) {
			expectStatus(t, b.post("/w/acme/members/"+bo.ID+"/remove", nil), http.StatusOK)
			p := b.get("/w/acme/ownership")
			expectText(t, p, "Ownership gaps", "left the workspace", "Bo Chen", "PAY has no accountable owner.")
			expectCSPClean(t, p)
		})
	})
}

// assign is the owners card's form.
func assign(t owner.TargetType, id, role, who, back string) url.Values {
	return url.Values{"target_type": {string(t)}, "target_id": {id}, "role": {role}, "owner": {who}, "back": {back}}
}

// TestRemoveMemberOffersTransfer: removing a member who owns things offers
// to hand their ownerships to another member or a team.
func TestRemoveMemberOffersTransfer(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		b := s.browser(t)
		b.setup()
		b.createWorkspace("acme", "Acme")
		b.createProject("acme", "PAY", "Payments", "")
		ana := userByLogin(t, s, "ana@example.com", adminPassword)
		bo := testkit.MustUser(t, s.app, "Bo Chen")
		cy := testkit.MustUser(t, s.app, "Cy Dane")
		testkit.MustJoin(t, s.app, ana, "acme", bo, "member")
		testkit.MustJoin(t, s.app, ana, "acme", cy, "member")
		ctx := context.Background()
		pay, _, err := s.app.Projects.Get(ctx, ana.ID, "acme", "PAY")
		if err != nil {
			t.Fatal(err)
		}
		expectStatus(t, b.post("/w/acme/owners", assign(owner.Project, pay.ID, "accountable", "user:"+bo.ID, "/w/acme/p/PAY")), http.StatusOK)

		p := b.get("/w/acme/members")
		expectText(t, p, "Bo Chen owns 1 thing here", "Transfer their ownerships to", "Nobody — keep them as gaps to fix later")
		expectCSPClean(t, p)
		if strings.Count(p.Body, "Transfer their ownerships to") != 1 {
			t.Error("the transfer choice shows for members who own nothing")
		}
		p = b.post("/w/acme/members/"+bo.ID+"/remove", url.Values{"transfer_to": {"user:" + cy.ID}})
		expectStatus(t, p, http.StatusOK)
		expectText(t, p, "Member removed. Their ownerships were transferred.")
		to, err := s.app.Owners.Get(ctx, ana.ID, "acme", owner.TargetRef{Type: owner.Project, ID: pay.ID})
		if err != nil || len(to.Owners) != 1 || to.Owners[0].ID != cy.ID || to.Owners[0].Role != owner.Accountable {
			t.Fatalf("owners after the transfer: %+v %v", to.Owners, err)
		}

		// Without an heir the ownership stays, as a gap on the map.
		p = b.post("/w/acme/members/"+cy.ID+"/remove", url.Values{"transfer_to": {""}})
		expectText(t, p, "Member removed.")
		expectText(t, b.get("/w/acme/ownership"), "Cy Dane", "left the workspace")
	})
}
