package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"shipshape/internal/db"
	"shipshape/internal/doc"
	"shipshape/internal/owner"
	"shipshape/internal/release"
	"shipshape/internal/testkit"
)

func TestReleases(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		b := s.browser(t)
		b.setup()
		b.createWorkspace("acme", "Acme")
		b.createProject("acme", "PAY", "Payments", "")
		ana := userByLogin(t, s, "ana@example.com", adminPassword)
		vi := testkit.MustUser(t, s.app, "Vi Park")
		testkit.MustJoin(t, s.app, ana, "acme", vi, "viewer")
		const rel = "/w/acme/p/PAY/r/2.0.0"

		t.Run("CreateThroughTheForm", func(t *testing.T) {
			p := b.get("/w/acme/p/PAY")
			expectText(t, p, "Releases", "No releases yet", "New release")
			p = b.post("/w/acme/p/PAY/releases", url.Values{"version": {"2.0.0"}, "name": {"Spring refunds"},
				"target_date": {"2026-03-31"}, "description": {"Adds **partial** refunds."}})
			expectStatus(t, p, http.StatusOK)
			if p.URL.Path != rel {
				t.Fatalf("after create at %s", p.URL)
			}
			expectText(t, p, "Release planned.", "2.0.0", "Spring refunds", "Planned", "Mar 31, 2026", "Start work", "Cancel…", "Ana Lima planned 2.0.0")
			if !strings.Contains(p.Body, "<strong>partial</strong>") {
				t.Error("the description is not rendered as Markdown")
			}
			expectNoText(t, p, "Send to review", "Roll back…")

			p = b.get("/w/acme/p/PAY")
			expectText(t, p, "2.0.0", "Spring refunds", "Planned", "Mar 31, 2026")
			p = b.get("/w/acme/releases")
			expectStatus(t, p, http.StatusOK)
			expectText(t, p, "PAY 2.0.0", "Spring refunds", "1 release across 1 project")
			if !strings.Contains(p.Body, `href="`+rel+`"`) {
				t.Error("the board does not link to the release page")
			}
		})

		t.Run("ValidationNextToFields", func(t *testing.T) {
			p := b.post("/w/acme/p/PAY/releases", url.Values{"version": {"v2"}, "target_date": {"2026-02-30"}})
			expectStatus(t, p, http.StatusBadRequest)
			expectText(t, p, "Please correct the highlighted fields.", "Must be a date such as 2026-03-31.")
			if !strings.Contains(p.Body, `id="new-release-version" name="version" type="text" value="v2"`) ||
				!strings.Contains(p.Body, `id="new-release-version-desc"`) {
				t.Errorf("the version error is not next to the field:\n%s", p.Body)
			}
			p = b.post("/w/acme/p/PAY/releases", url.Values{"version": {"2.0.0"}})
			expectStatus(t, p, http.StatusConflict)
		})

		t.Run("MoveToReleased", func(t *testing.T) {
			p := b.post(rel+"/move", url.Values{"to": {"in_progress"}})
			expectText(t, p, "Work on the release has started.", "In progress", "Send to review", "Ana Lima moved it Planned → In progress")
			p = b.post(rel+"/move", url.Values{"to": {"in_review"}})
			expectText(t, p, "Release sent to review.", "Release", "Send back", "Ana Lima moved it In progress → In review")
			p = b.post(rel+"/move", url.Values{"to": {"released"}})
			expectStatus(t, p, http.StatusOK)
			expectText(t, p, "Released. Nice work.", "Ana Lima moved it In review → Released", "Roll back…", "Jan 5, 2026")
			if !strings.Contains(p.Body, `class="badge status status-released"`) {
				t.Error("no released badge")
			}
			expectNoText(t, p, "Start work", "Send to review")
			expectText(t, b.get("/w/acme/releases"), "Released in the last 30 days", "PAY 2.0.0", "Released just now")
		})

		t.Run("RefusedMoveShowsTheMessage", func(t *testing.T) {
			p := b.post(rel+"/move", url.Values{"to": {"in_review"}})
			expectStatus(t, p, http.StatusConflict)
			expectText(t, p, "The release was not moved: cannot move from released to in_review; allowed: rolled_back")
		})

		t.Run("CancelNeedsAReason", func(t *testing.T) {
			b.post("/w/acme/p/PAY/releases", url.Values{"version": {"2.1.0"}, "target_date": {"2026-01-02"}})
			p := b.get("/w/acme/p/PAY")
			expectText(t, p, "2.1.0", "Overdue")
			p = b.post("/w/acme/p/PAY/r/2.1.0/move", url.Values{"to": {"cancelled"}, "reason": {"  "}})
			expectStatus(t, p, http.StatusBadRequest)
			expectText(t, p, "The release was not moved.", "Is required when the release is cancelled.")
			if !strings.Contains(p.Body, `<details class="confirm" open>`) {
				t.Error("the reason form is not open after the error")
			}
			p = b.post("/w/acme/p/PAY/r/2.1.0/move", url.Values{"to": {"cancelled"}, "reason": {"Folded into 2.0.0"}})
			expectText(t, p, "Release cancelled.", "Folded into 2.0.0", "Cancelled")
			expectNoText(t, p, "Overdue", "Next step")
			p = b.get("/w/acme/p/PAY?status=cancelled")
			expectText(t, p, "2.1.0")
			expectNoText(t, p, "Spring refunds")
		})

		t.Run("EditAndDelete", func(t *testing.T) {
			p := b.post(rel, url.Values{"name": {"Refunds"}, "target_date": {""}, "description": {"Done."}})
			expectText(t, p, "Release saved.", "Refunds", "Done.")
			p = b.post(rel, url.Values{"name": {"Refunds"}, "target_date": {"soon"}})
			expectStatus(t, p, http.StatusBadRequest)
			expectText(t, p, "Must be a date such as 2026-03-31.")
			p = b.post("/w/acme/p/PAY/r/2.1.0/delete", url.Values{"confirm": {"2.1"}})
			expectStatus(t, p, http.StatusBadRequest)
			expectText(t, p, "Type 2.1.0 to confirm.")
			p = b.post("/w/acme/p/PAY/r/2.1.0/delete", url.Values{"confirm": {"2.1.0"}})
			expectText(t, p, "Release deleted.")
			expectStatus(t, b.get("/w/acme/p/PAY/r/2.1.0"), http.StatusNotFound)
		})

		t.Run("BuildMetadataInTheURL", func(t *testing.T) {
			p := b.post("/w/acme/p/PAY/releases", url.Values{"version": {"1.0.0-rc.1+build.5"}})
			expectStatus(t, p, http.StatusOK)
			if p.URL.Path != "/w/acme/p/PAY/r/1.0.0-rc.1+build.5" {
				t.Errorf("after create at %s", p.URL)
			}
			expectText(t, p, "1.0.0-rc.1+build.5")
			for _, path := range []string{"/w/acme/p/PAY/r/1.0.0-rc.1+build.5", "/w/acme/p/PAY/r/1.0.0-rc.1%2Bbuild.5"} {
				expectText(t, b.get(path), "1.0.0-rc.1+build.5", "Planned")
			}
			p = b.post("/w/acme/p/PAY/r/1.0.0-rc.1+build.5/move", url.Values{"to": {"in_progress"}})
			expectText(t, p, "Work on the release has started.")
			if p.URL.Path != "/w/acme/p/PAY/r/1.0.0-rc.1+build.5" {
				t.Errorf("after move at %s", p.URL)
			}
		})

		t.Run("ViewerSeesNoForms", func(t *testing.T) {
			c := s.browser(t)
			c.mustLogin("vi.park@example.com", testkit.Password)
			p := c.get(rel)
			expectStatus(t, p, http.StatusOK)
			expectText(t, p, "2.0.0", "Timeline")
			expectNoText(t, p, "Roll back…", "Edit release", "Danger zone")
			if strings.Contains(p.Body, "<form method=\"post\" action=\"/w/") {
				t.Error("a viewer sees a form")
			}
			expectNoText(t, c.get("/w/acme/p/PAY"), "New release")
			expectStatus(t, c.post("/w/acme/p/PAY/releases", url.Values{"version": {"9.0.0"}}), http.StatusForbidden)
			expectStatus(t, c.post(rel+"/move", url.Values{"to": {"rolled_back"}, "reason": {"x"}}), http.StatusForbidden)
			expectStatus(t, c.post(rel, url.Values{"name": {"x"}}), http.StatusForbidden)
			expectStatus(t, c.post(rel+"/delete", url.Values{"confirm": {"2.0.0"}}), http.StatusForbidden)
		})

		t.Run("NonMemberGets404", func(t *testing.T) {
			testkit.MustUser(t, s.app, "Zed Out")
			c := s.browser(t)
			c.mustLogin("zed.out@example.com", testkit.Password)
			expectStatus(t, c.get(rel), http.StatusNotFound)
			expectStatus(t, c.get("/w/acme/releases"), http.StatusNotFound)
			expectStatus(t, c.post(rel+"/move", url.Values{"to": {"rolled_back"}, "reason": {"x"}}), http.StatusNotFound)
			expectStatus(t, c.post(rel+"/delete", url.Values{"confirm": {"nope"}}), http.StatusNotFound)
		})
	})
}

// TestReleasePageOwnersAndDocuments: the release page shows its owners
// (and lets members assign one), and the documents attached to it that the
// caller may see, with a link that starts a new one for this release.
func TestReleasePageOwnersAndDocuments(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		b := s.browser(t)
		b.setup()
		b.createWorkspace("acme", "Acme")
		b.createProject("acme", "PAY", "Payments", "")
		ana := userByLogin(t, s, "ana@example.com", adminPassword)
		vi := testkit.MustUser(t, s.app, "Vi Park")
		testkit.MustJoin(t, s.app, ana, "acme", vi, "viewer")
		ctx := context.Background()
		rel, err := s.app.Releases.Create(ctx, testkit.Actor(ana), "acme", "PAY", release.CreateInput{Version: "3.1.0"})
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range []doc.CreateInput{
			{Title: "Cutover runbook", Type: doc.Runbook, Project: "PAY", Release: "3.1.0", Visibility: doc.VisWorkspace},
			{Title: "Sealed threat model", Type: doc.ThreatModel, Project: "PAY", Release: "3.1.0", Visibility: doc.VisOwners},
			{Title: "Unrelated RFC", Type: doc.RFC, Project: "PAY", Visibility: doc.VisWorkspace},
		} {
			if _, err := s.app.Docs.Create(ctx, testkit.Actor(ana), "acme", in); err != nil {
				t.Fatal(err)
			}
		}
		const path = "/w/acme/p/PAY/r/3.1.0"
		p := b.get(path)
		expectText(t, p, "Owners", "Nobody — a gap", "Documents", "Cutover runbook", "Runbook · v1", "Sealed threat model", "Add document")
		expectNoText(t, p, "Unrelated RFC")
		expectCSPClean(t, p)
		if !strings.Contains(p.Body, `href="/w/acme/docs/new?project=PAY&amp;release=3.1.0"`) {
			t.Error("no link to add a document to this release")
		}
		p = b.post("/w/acme/owners", assign(owner.Release, rel.ID, "security", "user:"+vi.ID, path))
		expectStatus(t, p, http.StatusOK)
		if p.URL.Path != path {
			t.Errorf("after assigning at %s", p.URL)
		}
		expectText(t, p, "Owner saved.", "Vi Park", "Recent activity", "Ana Lima made Vi Park security owner of PAY 3.1.0", "Ana Lima planned release PAY 3.1.0")
		got, err := s.app.Releases.Get(ctx, ana.ID, "acme", "PAY", "3.1.0")
		if err != nil || len(got.Owners) != 1 || got.Owners[0].ID != vi.ID || got.Owners[0].Role != "security" {
			t.Fatalf("release owners %+v %v", got.Owners, err)
		}

		v := s.browser(t)
		v.mustLogin(vi.Email, testkit.Password)
		p = v.get(path)
		expectText(t, p, "Cutover runbook", "Vi Park")
		expectNoText(t, p, "Sealed threat model", "Add document", "Assign")
	})
}
