package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

func TestDeleteMyAccountAndCancel(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		admin := s.browser(t)
		admin.setup()
		bo := testkit.MustUser(t, s.app, "Bo Chen")
		b := s.browser(t)
		b.mustLogin(bo.Email, testkit.Password)

		p := b.get("/profile")
		expectText(t, p, "Delete my account", "Delete…")
		p = b.get("/profile/delete")
		expectStatus(t, p, http.StatusOK)
		expectCSPClean(t, p)
		expectText(t, p, "7 days", "Former member ", "Confirm with your password")
		p = b.post("/profile/delete", url.Values{"password": {"not the password"}})
		expectStatus(t, p, http.StatusBadRequest)
		expectText(t, p, "Is not correct.")
		p = b.post("/profile/delete", url.Values{"password": {testkit.Password}})
		expectText(t, p, "Your account is scheduled for deletion.", "Your account will be deleted on", "Keep my account")
		// Every page says so until it is cancelled.
		expectText(t, b.get("/"), "Your account will be deleted on")
		p = b.post("/profile/delete/cancel", nil)
		expectText(t, p, "Deletion cancelled. Your account stays.")
		expectNoText(t, b.get("/"), "Your account will be deleted on")
	})
}
