package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

func TestWorkspaceSettings(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		b := s.browser(t) // Ana, owner of acme
		b.setup()
		b.createWorkspace("acme", "Acme")
		ana := userByLogin(t, s, "ana@example.com", adminPassword)
		bo := testkit.MustUser(t, s.app, "Bo Chen")
		cy := testkit.MustUser(t, s.app, "Cy Park")
		testkit.MustUser(t, s.app, "Dee Okafor")
		testkit.MustJoin(t, s.app, ana, "acme", bo, "admin")
		testkit.MustJoin(t, s.app, ana, "acme", cy, "member")
		boB := s.browser(t)
		boB.mustLogin("bo.chen@example.com", testkit.Password)
		cyB := s.browser(t)
		cyB.mustLogin("cy.park@example.com", testkit.Password)
		deeB := s.browser(t)
		deeB.mustLogin("dee.okafor@example.com", testkit.Password)

		name := func() string {
			t.Helper()
			w, err := s.app.Workspaces.Get(context.Background(), ana.ID, "acme")
			if err != nil {
				t.Fatal(err)
			}
			return w.Name
		}

		t.Run("OwnerSeesTheForm", func(t *testing.T) {
			p := b.get("/w/acme/settings")
			expectStatus(t, p, http.StatusOK)
			expectText(t, p, "Settings", "Workspace name", "URL name acme", "Created Jan 5, 2026", "Your role owner",
				"You are the only owner")
			for _, want := range []string{`action="/w/acme/settings"`, `id="rename-name" name="name" type="text" value="Acme"`,
				`href="/w/acme/settings" aria-current="page"`, `action="/w/acme/leave"`} {
				if !strings.Contains(p.Body, want) {
					t.Errorf("settings page lacks %s", want)
				}
			}
			// The other pages link to it, not marked current.
			if !strings.Contains(b.get("/w/acme").Body, `<a href="/w/acme/settings">`) {
				t.Error("the side navigation does not link to the settings")
			}
		})

		t.Run("Rename", func(t *testing.T) {
			p := b.post("/w/acme/settings", url.Values{"name": {"Acme Corp"}})
			expectStatus(t, p, http.StatusOK)
			if p.URL.Path != "/w/acme/settings" {
				t.Fatalf("after renaming: %s", p.URL)
			}
			expectText(t, p, "Workspace renamed.", "Name Acme Corp")
			if !strings.Contains(p.Body, `value="Acme Corp"`) {
				t.Error("the form does not show the new name")
			}
			if name() != "Acme Corp" {
				t.Errorf("name = %q", name())
			}
			expectText(t, b.get("/w/acme/activity"), "Ana Lima renamed the workspace")
		})

		t.Run("InvalidNames", func(t *testing.T) {
			for _, tc := range []struct{ name, msg string }{
				{"   ", "Is required."},
				{strings.Repeat("x", 101), "Is too long (at most 100 characters)."},
			} {
				p := b.post("/w/acme/settings", url.Values{"name": {tc.name}})
				expectStatus(t, p, http.StatusBadRequest)
				expectText(t, p, "Please correct the highlighted fields.", tc.msg)
				if !strings.Contains(p.Body, `aria-invalid="true" aria-describedby="rename-name-desc"`) {
					t.Error("the name field is not marked invalid")
				}
			}
			if name() != "Acme Corp" {
				t.Errorf("an invalid rename changed the name to %q", name())
			}
		})

		t.Run("AdminSeesItReadOnly", func(t *testing.T) {
			p := boB.get("/w/acme/settings")
			expectStatus(t, p, http.StatusOK)
			expectText(t, p, "Acme Corp", "URL name acme", "Created Jan 5, 2026", "Your role admin",
				"Only workspace owners can rename the workspace. Ask Ana Lima if it needs a new name.")
			if strings.Contains(p.Body, `action="/w/acme/settings"`) {
				t.Error("a non-owner gets the rename form")
			}
			p = boB.post("/w/acme/settings", url.Values{"name": {"Bo's Acme"}})
			expectStatus(t, p, http.StatusForbidden)
			expectText(t, p, "You can't do that here")
			if name() != "Acme Corp" {
				t.Errorf("an admin renamed the workspace to %q", name())
			}
		})

		t.Run("HiddenFromOthers", func(t *testing.T) {
			expectStatus(t, deeB.get("/w/acme/settings"), http.StatusNotFound)
			expectStatus(t, deeB.post("/w/acme/settings", url.Values{"name": {"Mine"}}), http.StatusNotFound)
			expectStatus(t, deeB.post("/w/acme/leave", nil), http.StatusNotFound)
			resp := s.browser(t).noFollow(mustRequest(t, http.MethodGet, s.srv.URL+"/w/acme/settings"))
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
				t.Errorf("anonymous: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
			}
		})

		t.Run("MemberLeaves", func(t *testing.T) {
			p := cyB.get("/w/acme/settings")
			expectText(t, p, "Leave Acme Corp", "You lose access to its projects right away")
			p = cyB.post("/w/acme/leave", nil)
			expectStatus(t, p, http.StatusOK)
			if p.URL.Path != "/" {
				t.Fatalf("after leaving: %s", p.URL)
			}
			expectText(t, p, "You left the workspace.")
			expectStatus(t, cyB.get("/w/acme/settings"), http.StatusNotFound)
			expectStatus(t, cyB.get("/w/acme"), http.StatusNotFound)
			expectText(t, b.get("/w/acme/activity"), "Cy Park left the workspace")
		})

		t.Run("LastOwnerCannotLeave", func(t *testing.T) {
			p := b.post("/w/acme/leave", nil)
			expectStatus(t, p, http.StatusConflict)
			expectText(t, p, "A workspace needs at least one owner; make someone else owner first.", "Workspace name")
			expectCSPClean(t, p)
			expectStatus(t, b.get("/w/acme"), http.StatusOK)
		})
	})
}
