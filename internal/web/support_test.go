package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

func TestSupportAccessPages(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		ana := s.browser(t) // site admin, not a member of globex
		ana.setup()
		bo := testkit.MustUser(t, s.app, "Bo Chen")
		cy := testkit.MustUser(t, s.app, "Cy Park")
		boB := s.browser(t)
		boB.mustLogin("bo.chen@example.com", testkit.Password)
		boB.createWorkspace("globex", "Globex")
		boB.createProject("globex", "PAY", "Payments", "Money in, money out.")
		testkit.MustJoin(t, s.app, bo, "globex", cy, "member")
		cyB := s.browser(t)
		cyB.mustLogin("cy.park@example.com", testkit.Password)
		grant := func(b *browser, form url.Values) page {
			t.Helper()
			form.Set("do", "support-grant")
			return b.post("/w/globex/settings", form)
		}

		t.Run("SiteAdminIsNotFoundByDefault", func(t *testing.T) {
			for _, p := range []string{"/w/globex", "/w/globex/p/PAY", "/w/globex/settings", "/w/globex/activity"} {
				expectStatus(t, ana.get(p), http.StatusNotFound)
			}
			expectStatus(t, grant(ana, url.Values{"scope": {"read"}, "days": {"3"}}), http.StatusNotFound)
		})

		t.Run("MembersSeeTheSectionOnlyAdminsGrant", func(t *testing.T) {
			p := cyB.get("/w/globex/settings")
			expectStatus(t, p, http.StatusOK)
			expectText(t, p, "Support access", "No site admin has opened Globex under support access.")
			if strings.Contains(p.Body, `value="support-grant"`) {
				t.Error("a member gets the grant form")
			}
			expectStatus(t, grant(cyB, url.Values{"scope": {"read"}, "days": {"3"}}), http.StatusForbidden)
		})

		t.Run("BadInputRerendersTheForm", func(t *testing.T) {
			p := boB.get("/w/globex/settings")
			expectText(t, p, "Grant support access", "From 1 to 30")
			p = grant(boB, url.Values{"scope": {"read"}, "days": {"31"}})
			expectStatus(t, p, http.StatusBadRequest)
			expectText(t, p, "Must be a whole number of days from 1 to 30.")
			p = grant(boB, url.Values{"scope": {"root"}, "days": {"2"}})
			expectStatus(t, p, http.StatusBadRequest)
			expectText(t, p, "Must be read or member.")
			expectStatus(t, ana.get("/w/globex/p/PAY"), http.StatusNotFound)
		})

		t.Run("GrantBrowseAndSee", func(t *testing.T) {
			p := grant(boB, url.Values{"scope": {"read"}, "days": {"2"}, "reason": {"ticket 7: releases page is slow"}})
			expectStatus(t, p, http.StatusOK)
			if p.URL.Path != "/w/globex/settings" {
				t.Fatalf("after granting: %s", p.URL)
			}
			expectText(t, p, "Support access granted.", "Support access is on: read until", "ticket 7: releases page is slow", "Revoke support access")

			// The site admin now sees the workspace as a viewer, every page recorded.
			p = ana.get("/w/globex/p/PAY?tab=secret")
			expectStatus(t, p, http.StatusOK)
			expectText(t, p, "Payments", "Money in, money out.")
			expectStatus(t, ana.post("/w/globex/p/PAY/archive", nil), http.StatusForbidden)
			p = ana.get("/w/globex/settings")
			expectStatus(t, p, http.StatusOK)
			expectText(t, p, "You are seeing Globex under support access.")
			expectNoText(t, p, "Leave Globex")
			if strings.Contains(p.Body, `value="support-grant"`) {
				t.Error("support access gets the grant form")
			}

			p = boB.get("/w/globex/settings")
			expectText(t, p, "Site admin Ana Lima viewed /w/globex/p/PAY under support access",
				"Site admin Ana Lima sent POST /w/globex/p/PAY/archive under support access",
				"Site admin Ana Lima viewed /w/globex/settings under support access")
			expectNoText(t, p, "secret")
			// The whole workspace sees it in the activity feed, with the grant.
			p = cyB.get("/w/globex/activity")
			expectText(t, p, "Bo Chen granted support access (read) until Jan 7, 2026 09:00 UTC",
				"Site admin Ana Lima viewed /w/globex/p/PAY under support access")
			if !strings.Contains(cyB.get("/w/globex/activity?action=support.").Body, "Support access") {
				t.Error("the activity filter has no support access group")
			}
		})

		t.Run("Revoke", func(t *testing.T) {
			p := boB.post("/w/globex/settings", url.Values{"do": {"support-revoke"}})
			expectStatus(t, p, http.StatusOK)
			expectText(t, p, "Support access revoked.")
			expectNoText(t, p, "Support access is on")
			expectStatus(t, ana.get("/w/globex/p/PAY"), http.StatusNotFound)
			expectText(t, cyB.get("/w/globex/activity"), "Bo Chen revoked support access")
		})

		t.Run("Expiry", func(t *testing.T) {
			expectStatus(t, grant(boB, url.Values{"scope": {"member"}, "days": {"1"}}), http.StatusOK)
			expectStatus(t, ana.get("/w/globex"), http.StatusOK)
			s.clock.Advance(24 * time.Hour)
			expectStatus(t, ana.get("/w/globex"), http.StatusNotFound)
			expectNoText(t, boB.get("/w/globex/settings"), "Support access is on")
		})
	})
}
