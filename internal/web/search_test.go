package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"shipshape/internal/db"
	"shipshape/internal/doc"
	"shipshape/internal/release"
	"shipshape/internal/testkit"
)

func TestSearchPage(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		b := s.browser(t)
		b.setup()
		b.createWorkspace("acme", "Acme")
		b.createProject("acme", "PAY", "Payments", "Card payments")
		ana := userByLogin(t, s, "ana@example.com", adminPassword)
		vi := testkit.MustUser(t, s.app, "Vi Park")
		testkit.MustJoin(t, s.app, ana, "acme", vi, "viewer")
		ctx := context.Background()
		if _, err := s.app.Releases.Create(ctx, testkit.Actor(ana), "acme", "PAY", release.CreateInput{Version: "1.2.0",
			Description: "Ships the <script>alert(1)</script> lighthouse feature."}); err != nil {
			t.Fatal(err)
		}
		runbook, err := s.app.Docs.Create(ctx, testkit.Actor(ana), "acme", doc.CreateInput{Title: "Lighthouse runbook", Type: doc.Runbook,
			Body: "Restart the lighthouse service.", Project: "PAY", Visibility: doc.VisWorkspace})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.app.Docs.Create(ctx, testkit.Actor(ana), "acme", doc.CreateInput{Title: "Lighthouse threats", Type: doc.ThreatModel,
			Body: "lighthouse secrets", Visibility: doc.VisOwners}); err != nil {
			t.Fatal(err)
		}

		// The header carries the search box on workspace pages.
		p := b.get("/w/acme")
		if !strings.Contains(p.Body, `action="/w/acme/search"`) || !strings.Contains(p.Body, `role="search"`) {
			t.Fatal("no search box in the header")
		}
		p = b.get("/w/acme/search?q=lighthouse")
		expectStatus(t, p, http.StatusOK)
		expectText(t, p, "3 results", "Lighthouse runbook", "Lighthouse threats", "PAY 1.2.0")
		expectCSPClean(t, p)
		if !strings.Contains(p.Body, `href="/w/acme/docs/`+runbook.ID+`"`) || !strings.Contains(p.Body, `href="/w/acme/p/PAY/r/1.2.0"`) {
			t.Error("results do not link to their pages")
		}
		if !strings.Contains(p.Body, "<mark>lighthouse</mark>") || strings.Contains(p.Body, "<script>alert(1)") {
			t.Error("snippets are not highlighted, or not escaped")
		}

		// A viewer does not find the owners-only threat model.
		v := s.browser(t)
		v.mustLogin(vi.Email, testkit.Password)
		p = v.get("/w/acme/search?q=lighthouse")
		expectText(t, p, "2 results", "Lighthouse runbook")
		expectNoText(t, p, "Lighthouse threats")

		// FTS syntax is just words; a query without words finds nothing;
		// an overlong one is a form error, not a failure.
		for _, q := range []string{`%22`, `*`, `NEAR(`, `a:b`, `-`, `(((`} {
			expectStatus(t, v.get("/w/acme/search?q="+q), http.StatusOK)
		}
		expectText(t, v.get("/w/acme/search?q=zzzunknown"), "Nothing found")
		p = v.get("/w/acme/search?q=" + strings.Repeat("x", 501))
		expectStatus(t, p, http.StatusBadRequest)
		expectText(t, p, "at most 500 characters")

		// Another workspace's search is a 404.
		o := s.browser(t)
		other := testkit.MustUser(t, s.app, "Oz Out")
		o.mustLogin(other.Email, testkit.Password)
		expectStatus(t, o.get("/w/acme/search?q=lighthouse"), http.StatusNotFound)
	})
}
