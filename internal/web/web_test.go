package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

func TestWorkspaceProjectAndActivity(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		b := s.browser(t)
		b.setup()
		b.createWorkspace("acme", "Acme")

		p := b.get("/w/acme")
		expectText(t, p, "No projects yet", "New project")
		if !strings.Contains(p.Body, `href="/w/acme" aria-current="page"`) {
			t.Error("the Projects navigation item is not marked aria-current")
		}

		// Keys are upper-cased for the person; the description is Markdown,
		// rendered and sanitised: raw HTML a user writes never reaches the page.
		b.createProject("acme", "pay", "Payments", "Moves **money**.\n\n<b>raw</b><script>alert(1)</script>")
		p = b.get("/w/acme/p/PAY")
		expectStatus(t, p, http.StatusOK)
		expectText(t, p, "Payments", "Moves money")
		if !strings.Contains(p.Body, "<strong>money</strong>") {
			t.Error("the Markdown description was not rendered")
		}
		if strings.Contains(p.Body, "<b>raw</b>") || strings.Contains(p.Body, "<script>alert") {
			t.Error("raw HTML from the description reached the page")
		}

		s.clock.Advance(2 * time.Minute)
		p = b.get("/w/acme/activity")
		expectStatus(t, p, http.StatusOK)
		expectText(t, p, "Ana Lima created project PAY · 2 minutes ago", "Ana Lima created the workspace acme")
		if !regexp.MustCompile(`<time datetime="2026-01-05T09:00:00Z" title="[^"]+">2 minutes ago</time>`).MatchString(p.Body) {
			t.Error("the relative time has no machine-readable absolute time")
		}
		expectText(t, b.get("/"), "Ana Lima created project PAY", "Acme")

		t.Run("ComponentsEditArchiveDelete", func(t *testing.T) {
			p := b.post("/w/acme/p/PAY/components", url.Values{"slug": {"api"}, "name": {"Payments API"}, "description": {"HTTP API"}})
			expectText(t, p, "Component added.", "Payments API")
			p = b.post("/w/acme/p/PAY/c/api", url.Values{"name": {"Public API"}, "description": {"JSON over HTTP"}})
			expectText(t, p, "Component saved.", "Public API", "JSON over HTTP")
			p = b.post("/w/acme/p/PAY", url.Values{"name": {"Payments Platform"}, "description": {"Everything money."}})
			expectText(t, p, "Project saved.", "Payments Platform", "Everything money.")
			p = b.post("/w/acme/p/PAY/archive", nil)
			expectText(t, p, "Project archived", "Restore project")
			expectNoText(t, b.get("/w/acme"), "Payments Platform")
			expectText(t, b.get("/w/acme?archived=1"), "Payments Platform", "Archived")
			b.post("/w/acme/p/PAY/unarchive", nil)
			expectText(t, b.get("/w/acme"), "Payments Platform")

			p = b.post("/w/acme/p/PAY/c/api/delete", nil)
			expectText(t, p, "Component deleted.")
			expectNoText(t, p, "Public API")

			// Deleting asks for the key first.
			p = b.post("/w/acme/p/PAY/delete", url.Values{"confirm": {"PA"}})
			expectStatus(t, p, http.StatusBadRequest)
			expectText(t, p, "The project was not deleted.", "Type PAY to confirm.")
			p = b.post("/w/acme/p/PAY/delete", url.Values{"confirm": {"PAY"}})
			if p.URL.Path != "/w/acme" {
				t.Fatalf("delete led to %s", p.URL)
			}
			expectText(t, p, "Project deleted.")
			expectStatus(t, b.get("/w/acme/p/PAY"), http.StatusNotFound)

			feed := b.get("/w/acme/activity").Text()
			for _, want := range []string{"added component api in PAY", "edited component api in PAY", "deleted component api in PAY",
				"edited project PAY", "archived project PAY", "restored project PAY", "deleted project PAY"} {
				if !strings.Contains(feed, "Ana Lima "+want) {
					t.Errorf("activity lacks %q:\n%s", want, feed)
				}
			}
		})
	})
}

func TestValidationErrorsRerenderTheForm(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		b := s.browser(t)
		b.setup()

		p := b.post("/workspaces", url.Values{"slug": {"No Spaces"}, "name": {"Acme"}})
		expectStatus(t, p, http.StatusBadRequest)
		expectText(t, p, "Please correct the highlighted fields.", "May contain only lower-case letters")
		if !strings.Contains(p.Body, `value="No Spaces"`) {
			t.Error("workspace form lost the input")
		}

		b.createWorkspace("acme", "Acme")
		p = b.post("/workspaces", url.Values{"slug": {"acme"}, "name": {"Acme again"}})
		expectStatus(t, p, http.StatusConflict)
		expectText(t, p, "Is already taken.")

		p = b.post("/w/acme/projects", url.Values{"key": {"1X"}, "name": {""}, "description": {"keep me\nplease"}})
		expectStatus(t, p, http.StatusBadRequest)
		expectText(t, p, "Must be 2 to 10 upper-case letters or digits", "Is required.")
		if !strings.Contains(p.Body, "keep me\nplease</textarea>") || !strings.Contains(p.Body, `value="1X"`) {
			t.Error("project form lost the input")
		}
		if !strings.Contains(p.Body, `id="new-project-key" name="key"`) || !strings.Contains(p.Body, `aria-describedby="new-project-key-desc"`) {
			t.Error("the key field error is not tied to its input")
		}

		b.createProject("acme", "PAY", "Payments", "")
		p = b.post("/w/acme/p/PAY/components", url.Values{"slug": {"Bad Slug"}, "name": {"API"}})
		expectStatus(t, p, http.StatusBadRequest)
		expectText(t, p, "May contain only lower-case letters")
		if !strings.Contains(p.Body, `<details class="card-foot disclosure" open>`) {
			t.Error("the component form is not open after an error")
		}

		p = b.post("/profile", url.Values{"name": {""}, "email": {"ana@example.com"}})
		expectStatus(t, p, http.StatusBadRequest)
		expectText(t, p, "Is required.")

		p = b.post("/profile/password", url.Values{"current_password": {"wrong wrong wrong"}, "new_password": {"new long password 1"}, "confirm_password": {"new long password 1"}})
		expectStatus(t, p, http.StatusBadRequest)
		expectText(t, p, "Is not correct.")
		if strings.Contains(p.Body, "wrong wrong wrong") || strings.Contains(p.Body, "new long password 1") {
			t.Error("a password was sent back")
		}

		p = b.post("/tokens", url.Values{"name": {"ci"}, "expires": {"30"}})
		expectStatus(t, p, http.StatusBadRequest)
		expectText(t, p, "At least one scope is required.")
		if !strings.Contains(p.Body, `value="ci"`) {
			t.Error("token form lost the name")
		}
	})
}

func TestAccessControl(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		owner := s.browser(t)
		owner.setup()
		owner.createWorkspace("acme", "Acme")
		owner.createProject("acme", "PAY", "Payments", "")
		owner.post("/w/acme/p/PAY/components", url.Values{"slug": {"api"}, "name": {"API"}})

		ana := userByLogin(t, s, "ana@example.com", adminPassword)
		vic := testkit.MustUser(t, s.app, "Vic Viewer")
		testkit.MustUser(t, s.app, "Stan Stranger")
		testkit.MustJoin(t, s.app, ana, "acme", vic, "viewer")

		t.Run("NonMemberGets404", func(t *testing.T) {
			c := s.browser(t)
			c.mustLogin("stan.stranger@example.com", testkit.Password)
			for _, path := range []string{"/w/acme", "/w/acme/p/PAY", "/w/acme/p/PAY/c/api", "/w/acme/members", "/w/acme/teams", "/w/acme/activity", "/w/nope"} {
				p := c.get(path)
				expectStatus(t, p, http.StatusNotFound)
				expectText(t, p, "Page not found", "Request ID")
				expectNoText(t, p, "Payments")
			}
			p := c.post("/w/acme/projects", url.Values{"key": {"HACK"}, "name": {"Hack"}})
			expectStatus(t, p, http.StatusNotFound)
			p = c.post("/w/acme/p/PAY/delete", url.Values{"confirm": {"PAY"}})
			expectStatus(t, p, http.StatusNotFound)
			expectStatus(t, owner.get("/w/acme/p/PAY"), http.StatusOK)
		})

		t.Run("ViewerSeesNoEditFormsAndIsRefused", func(t *testing.T) {
			c := s.browser(t)
			c.mustLogin("vic.viewer@example.com", testkit.Password)
			checks := map[string][]string{
				"/w/acme":             {`action="/w/acme/projects"`},
				"/w/acme/p/PAY":       {`action="/w/acme/p/PAY"`, `/components"`, `/archive"`, `/delete"`},
				"/w/acme/p/PAY/c/api": {`action="/w/acme/p/PAY/c/api"`, `/c/api/delete"`},
				"/w/acme/members":     {`/invitations"`, `/role"`},
				"/w/acme/teams":       {`action="/w/acme/teams"`},
			}
			for path, forbidden := range checks {
				p := c.get(path)
				expectStatus(t, p, http.StatusOK)
				for _, f := range forbidden {
					if strings.Contains(p.Body, f) {
						t.Errorf("viewer sees %s on %s", f, path)
					}
				}
			}
			expectText(t, c.get("/w/acme"), "viewer")
			for path, form := range map[string]url.Values{
				"/w/acme/projects":           {"key": {"NEW"}, "name": {"New"}},
				"/w/acme/p/PAY":              {"name": {"Renamed"}},
				"/w/acme/p/PAY/archive":      nil,
				"/w/acme/p/PAY/delete":       {"confirm": {"PAY"}},
				"/w/acme/p/PAY/components":   {"slug": {"x"}, "name": {"X"}},
				"/w/acme/p/PAY/c/api/delete": nil,
				"/w/acme/invitations":        {"email": {"x@example.com"}, "role": {"viewer"}},
				"/w/acme/teams":              {"slug": {"t"}, "name": {"T"}},
			} {
				p := c.post(path, form)
				expectStatus(t, p, http.StatusForbidden)
				expectText(t, p, "does not allow this")
			}
			expectText(t, owner.get("/w/acme/p/PAY"), "Payments", "API")
		})
	})
}
