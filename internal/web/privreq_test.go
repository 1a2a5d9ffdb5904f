package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"shipshape/internal/db"
	"shipshape/internal/privreq"
	"shipshape/internal/testkit"
)

func TestPrivacyRequestDesk(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newSite(t, d)
		b := s.browser(t)
		b.setup()
		bo := testkit.MustUser(t, s.app, "Bo Chen")

		// Site admins only; a 404 for everyone else.
		bob := s.browser(t)
		bob.mustLogin(bo.Email, testkit.Password)
		expectStatus(t, bob.get("/admin/privacy/requests"), http.StatusNotFound)
		expectStatus(t, bob.get("/admin/privacy/requests/new"), http.StatusNotFound)
		expectStatus(t, bob.post("/admin/privacy/requests", url.Values{"kind": {"access"}, "subject_email": {bo.Email}}), http.StatusNotFound)

		expectText(t, b.get("/admin"), "Privacy requests")
		p := b.get("/admin/privacy/requests/new")
		expectStatus(t, p, http.StatusOK)
		expectCSPClean(t, p)

		// Bad input is shown next to the fields.
		p = b.post("/admin/privacy/requests", url.Values{"kind": {"access"}, "subject_email": {"not an address"}, "source": {"email"}, "verified_by": {"none"}})
		expectStatus(t, p, http.StatusBadRequest)
		expectCSPClean(t, p)

		// An access request for Bo, and an overdue erasure from the support tracker.
		p = b.post("/admin/privacy/requests", url.Values{"kind": {"access"}, "subject_email": {bo.Email}, "source": {"email"}, "verified_by": {"none"}, "note": {"Asked by mail"}})
		expectStatus(t, p, http.StatusOK)
		expectText(t, p, "Request recorded.", "Access request", bo.Email, "Asked by mail", "E-mail delivery is not configured")
		expectCSPClean(t, p)
		id := strings.TrimPrefix(p.URL.Path, "/admin/privacy/requests/")
		p = b.post("/admin/privacy/requests", url.Values{"kind": {"erasure"}, "subject_email": {"ticket@example.org"}, "source": {"support-tracker"}, "verified_by": {"none"}})
		expectStatus(t, p, http.StatusOK)
		gid := strings.TrimPrefix(p.URL.Path, "/admin/privacy/requests/")
		s.clock.Advance(2 * 24 * time.Hour)
		b.mustLogin("ana@example.com", adminPassword)

		p = b.get("/admin/privacy/requests?filter=overdue")
		expectStatus(t, p, http.StatusOK)
		expectText(t, p, "Overdue", "ticket@example.org")
		expectNoText(t, p, bo.Email)
		expectCSPClean(t, p)
		expectText(t, b.get("/admin/privacy/requests"), bo.Email, "ticket@example.org")

		// A confirmation link, shown once; the public page confirms on POST only.
		p = b.post("/admin/privacy/requests/"+id+"/link", url.Values{})
		expectStatus(t, p, http.StatusOK)
		expectText(t, p, "shown only once")
		m := regexp.MustCompile(`/privacy/confirm/([0-9a-f]{64})`).FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatalf("no link on the page")
		}
		anon := s.browser(t)
		p = anon.get("/privacy/confirm/" + m[1])
		expectStatus(t, p, http.StatusOK)
		expectText(t, p, "Confirm your privacy request", "does not send e-mail")
		expectCSPClean(t, p)
		if r, _ := s.app.PrivacyRequests.Get(ctx, true, id); r.Verified() {
			t.Fatal("opening the link verified the request")
		}
		p = anon.post("/privacy/confirm/"+m[1], url.Values{})
		expectStatus(t, p, http.StatusOK)
		expectText(t, p, "Request confirmed")
		expectStatus(t, anon.get("/privacy/confirm/"+m[1]), http.StatusNotFound)

		// A bad move: the page says what is allowed.
		p = b.post("/admin/privacy/requests/"+id, url.Values{"action": {"status"}, "status": {"fulfilled"}, "outcome": {"x"}})
		expectStatus(t, p, http.StatusConflict)
		expectText(t, p, "allowed: verifying, in_progress, rejected, withdrawn")

		// In progress, then fulfil: an export for Bo.
		p = b.post("/admin/privacy/requests/"+id, url.Values{"action": {"status"}, "status": {"in_progress"}})
		expectStatus(t, p, http.StatusOK)
		expectText(t, p, "Status changed.", "Fulfil from the desk")
		p = b.post("/admin/privacy/requests/"+id+"/fulfil", url.Values{})
		expectStatus(t, p, http.StatusOK)
		expectText(t, p, "Request fulfilled.", "read-only")
		s.app.Exports.Wait()
		if e, err := s.app.Exports.Latest(ctx, bo.ID); err != nil || e == nil {
			t.Errorf("no export for Bo: %v", err)
		}

		// The agent's authorization upload.
		p = b.upload("/admin/privacy/requests/"+gid+"/authorization", "letter.txt", []byte("I authorize my agent."), false)
		expectStatus(t, p, http.StatusOK)
		expectText(t, p, "Authorization uploaded.", "letter.txt")
		r, _ := s.app.PrivacyRequests.Get(ctx, true, gid)
		if r.VerifiedBy != privreq.ByAgentAuthorization || r.Authorization == nil {
			t.Errorf("after upload %+v", r.Request)
		}
		expectText(t, b.get("/admin/privacy/requests/"+gid+"/authorization"), "I authorize my agent.")
		expectStatus(t, bob.get("/admin/privacy/requests/"+gid+"/authorization"), http.StatusNotFound)
	})
}
