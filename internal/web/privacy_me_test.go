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

func TestPrivacyChoices(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		b := s.browser(t)
		b.setup()
		p := b.get("/profile/privacy")
		expectStatus(t, p, http.StatusOK)
		expectCSPClean(t, p)
		expectText(t, p, "Product e-mails On", "Marketing e-mails Off", "Product analytics Off", "No changes yet")
		expectNoText(t, p, "privacy signal")

		// One click to give, one to withdraw; both land in the history.
		p = b.post("/profile/privacy/consent", url.Values{"purpose": {"marketing_email"}, "on": {"true"}})
		expectText(t, p, "Choice saved.", "Marketing e-mails On", "Turned on marketing e-mails", "On this page")
		p = b.post("/profile/privacy/consent", url.Values{"purpose": {"marketing_email"}, "on": {"false"}})
		expectText(t, p, "Marketing e-mails Off", "Turned off marketing e-mails")
		expectStatus(t, b.post("/profile/privacy/consent", url.Values{"purpose": {"telemetry"}, "on": {"true"}}), http.StatusBadRequest)

		// With Sec-GPC the page says so, and analytics opted into shows off.
		b.post("/profile/privacy/consent", url.Values{"purpose": {"product_analytics"}, "on": {"true"}})
		req := mustRequest(t, "GET", b.base+"/profile/privacy")
		req.Header.Set("Sec-GPC", "1")
		p = b.do(req)
		expectText(t, p, "Your browser sends a privacy signal", "Product analytics Off — on below, off while your browser sends its privacy signal")
		if !strings.Contains(p.Body, `name="on" value="false"`) {
			t.Error("the stored choice (on) is not offered to turn off")
		}
	})
}

func TestRestrictProcessing(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		b := s.browser(t)
		b.setup()
		b.post("/profile/privacy/consent", url.Values{"purpose": {"marketing_email"}, "on": {"true"}})
		p := b.post("/profile/privacy/restriction", nil)
		expectText(t, p, "Processing restricted.", "Restricted since", "Marketing e-mails Off", "Product e-mails Off",
			"When you lift it, the choices above apply again: product e-mails, marketing e-mails.")
		expectCSPClean(t, p)
		p = b.post("/profile/privacy/restriction/lift", nil)
		expectText(t, p, "Restriction lifted.", "Marketing e-mails On", "Restrict processing")
		expectStatus(t, b.post("/profile/privacy/restriction/lift", nil), http.StatusConflict)
	})
}

func TestAdminCorrectsAMembersName(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		b := s.browser(t)
		b.setup()
		b.createWorkspace("acme", "Acme")
		ana := userByLogin(t, s, "ana@example.com", adminPassword)
		bo := testkit.MustUser(t, s.app, "Bo Chne")
		testkit.MustJoin(t, s.app, ana, "acme", bo, "member")
		p := b.get("/w/acme/members")
		expectText(t, p, "Correct name")
		expectCSPClean(t, p)
		p = b.post("/w/acme/members/"+bo.ID+"/name", url.Values{"name": {"Bo Chen"}})
		expectText(t, p, "Name corrected.", "Bo Chen")
		expectText(t, b.get("/w/acme/activity"), "corrected the name of Bo Chen")
		expectStatus(t, b.post("/w/acme/members/"+bo.ID+"/name", url.Values{"name": {""}}), http.StatusBadRequest)
	})
}

// TestArchiveReadyIsAnnouncedEverywhere: once a data archive is ready,
// every page says so until the person downloads it.
func TestArchiveReadyIsAnnouncedEverywhere(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		s.app.Exports.BuildOnRequest = false
		b := s.browser(t)
		b.setup()
		b.post("/profile/export", nil)
		expectNoText(t, b.get("/"), "Your data archive is ready")
		if err := s.app.Exports.RunDue(context.Background(), s.clock.Now()); err != nil {
			t.Fatal(err)
		}
		p := b.get("/")
		expectText(t, p, "Your data archive is ready. Download it before")
		expectCSPClean(t, p)
		m := exportLinkRE.FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatal("no download link in the notice")
		}
		expectStatus(t, b.get(m[1]), http.StatusOK)
		expectNoText(t, b.get("/"), "Your data archive is ready")
	})
}
