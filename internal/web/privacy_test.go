package web_test

import (
	"net/http"
	"strings"
	"testing"

	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

func TestPrivacyInventoryPage(t *testing.T) {
	s := newSite(t, testkit.OpenDB(t, db.SQLite))
	b := s.browser(t) // Ana, the site admin
	b.setup()
	testkit.MustUser(t, s.app, "Bo Chen")
	bo := s.browser(t)
	bo.mustLogin("bo.chen@example.com", testkit.Password)
	anon := s.browser(t)

	t.Run("AnonymousGoesToLogin", func(t *testing.T) {
		resp := anon.noFollow(mustRequest(t, http.MethodGet, s.srv.URL+"/admin/privacy"))
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Fadmin%2Fprivacy" {
			t.Errorf("anonymous /admin/privacy: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})

	t.Run("NotFoundForOthers", func(t *testing.T) {
		p := bo.get("/admin/privacy")
		expectStatus(t, p, http.StatusNotFound)
		expectText(t, p, "Page not found")
		expectNoText(t, p, "Privacy inventory", "password_hash")
	})

	t.Run("SiteAdminSeesTheRecordOfProcessing", func(t *testing.T) {
		p := b.get("/admin")
		if !strings.Contains(p.Body, `href="/admin/privacy"`) {
			t.Error("the admin page does not link to the privacy inventory")
		}
		p = b.get("/admin/privacy")
		expectStatus(t, p, http.StatusOK)
		expectCSPClean(t, p)
		expectText(t, p, "Privacy inventory", "record of processing activities",
			"account", "users", "email", "contact", "sign-in name", "contract", "profile.json", "deleted with the account",
			"audit_events", "legitimate interest", "blanked; the chain still verifies",
			"search_fts_data", "SQLite only", "PostgreSQL only", "derived from",
			"hold no personal data", "enum status")
		// Each domain is a section; the fields that are not personal fold away
		// (a <details>, so no JavaScript is needed).
		for _, domain := range []string{"account", "workspace", "project", "release", "owner", "doc", "audit", "search", "db"} {
			if !strings.Contains(p.Body, `id="domain-`+domain+`"`) {
				t.Errorf("no section for domain %s", domain)
			}
		}
		if !strings.Contains(p.Body, `<details class="card-foot disclosure privacy-other"`) {
			t.Error("the columns without personal data are not in a <details>")
		}
	})
}
