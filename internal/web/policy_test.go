package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"shipshape/internal/db"
	"shipshape/internal/policy"
	"shipshape/internal/testkit"
)

func TestPrivacyPolicyAndCookies(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		b := s.browser(t)
		b.setup()
		ana := userByLogin(t, s, "ana@example.com", adminPassword)
		bo := testkit.MustUser(t, s.app, "Bo Chen")

		// Public: readable without signing in.
		anon := s.browser(t)
		p := anon.get("/privacy")
		expectStatus(t, p, http.StatusOK)
		expectCSPClean(t, p)
		expectText(t, p, "Privacy policy", "The built-in policy of Shipshape", "One cookie only")
		p = anon.get("/cookies")
		expectStatus(t, p, http.StatusOK)
		expectText(t, p, "shipshape_session", "Keeps you signed in", "No analytics, advertising or tracking cookies")
		expectStatus(t, anon.get("/privacy?version=7"), http.StatusNotFound)

		// Publishing is for site admins only.
		bob := s.browser(t)
		bob.mustLogin(bo.Email, testkit.Password)
		expectStatus(t, bob.get("/admin/policy"), http.StatusNotFound)
		expectStatus(t, bob.post("/admin/policy", url.Values{"body": {"x"}, "changelog": {"y"}, "material": {"on"}}), http.StatusNotFound)
		p = b.get("/admin/policy")
		expectStatus(t, p, http.StatusOK)
		expectCSPClean(t, p)
		p = b.post("/admin/policy", url.Values{"body": {""}, "changelog": {""}})
		expectStatus(t, p, http.StatusBadRequest)
		s.clock.Advance(60e9)
		p = b.post("/admin/policy", url.Values{"body": {"# Our policy\n\nWe now keep backups for 14 days."}, "changelog": {"Backups kept 14 days"}, "material": {"on"}})
		expectText(t, p, "New version published.", "Version 1 is in force")

		// Bo joined before the material change: every page asks him once.
		p = bob.get("/")
		expectText(t, p, "We changed our privacy policy (version 1)")
		expectCSPClean(t, p)
		p = bob.get("/privacy")
		expectText(t, p, "Version 1", "backups for 14 days", "Backups kept 14 days", "I have read version 1")
		p = bob.post("/privacy/accept", url.Values{"version": {"1"}, "back": {"/profile"}})
		expectStatus(t, p, http.StatusOK)
		if p.URL.Path != "/profile" {
			t.Errorf("after acknowledging at %s", p.URL)
		}
		expectText(t, p, "your confirmation is recorded")
		expectNoText(t, bob.get("/"), "We changed our privacy policy")
		st, err := s.app.Policies.Status(context.Background(), bo.ID, bo.CreatedAt)
		if err != nil || st.Pending != 0 || st.Current != 1 {
			t.Errorf("Bo's status %+v %v", st, err)
		}
		// An old version stays readable, marked as not in force.
		if _, err := s.app.Policies.Publish(context.Background(), testkit.Actor(ana), true, policy.PublishInput{Body: "v2", Changelog: "typo"}); err != nil {
			t.Fatal(err)
		}
		p = anon.get("/privacy?version=1")
		expectText(t, p, "not the version in force")
		if strings.Contains(bob.get("/").Body, "We changed our privacy policy") {
			t.Error("a minor change asks for confirmation")
		}
		// A way back to another site is refused.
		s.clock.Advance(60e9)
		if _, err := s.app.Policies.Publish(context.Background(), testkit.Actor(ana), true, policy.PublishInput{Body: "v3", Changelog: "big", Material: true}); err != nil {
			t.Fatal(err)
		}
		p = bob.post("/privacy/accept", url.Values{"version": {"3"}, "back": {"//evil.example/"}})
		if p.URL.Path != "/" || !strings.HasPrefix(s.srv.URL, "http://"+p.URL.Host) {
			t.Errorf("back to another site: %s", p.URL)
		}
	})
}
