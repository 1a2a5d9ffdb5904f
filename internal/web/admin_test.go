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

func TestSiteAdministration(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		b := s.browser(t) // Ana, the site admin
		b.setup()
		testkit.MustUser(t, s.app, "Bo Chen")
		bo := s.browser(t)
		bo.mustLogin("bo.chen@example.com", testkit.Password)
		anon := s.browser(t)

		signupForm := url.Values{"name": {"Eve Stone"}, "email": {"eve@example.com"}, "password": {"a long enough passphrase"}, "age_confirmed": {"yes"}}
		canLogin := func(email, password string) bool {
			_, _, err := s.app.Accounts.Login(context.Background(), testkit.Actor(userByLogin(t, s, "ana@example.com", adminPassword)), email, password)
			return err == nil
		}

		t.Run("AnonymousGoesToLogin", func(t *testing.T) {
			resp := anon.noFollow(mustRequest(t, http.MethodGet, s.srv.URL+"/admin"))
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Fadmin" {
				t.Errorf("anonymous /admin: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			resp = anon.noFollow(anon.formRequest("/admin/signup", url.Values{"signup_mode": {"open"}}))
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
				t.Errorf("anonymous POST /admin/signup: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
			}
		})

		t.Run("NotFoundForOthers", func(t *testing.T) {
			p := bo.get("/admin")
			expectStatus(t, p, http.StatusNotFound)
			expectText(t, p, "Page not found")
			expectNoText(t, p, "Sign-up policy", "Invitation only")
			p = bo.post("/admin/signup", url.Values{"signup_mode": {"open"}})
			expectStatus(t, p, http.StatusNotFound)
			if strings.Contains(bo.get("/profile").Body, `href="/admin"`) {
				t.Error("the user menu links to /admin for someone who is not a site admin")
			}
			// Nothing changed: sign-up is still by invitation.
			expectText(t, anon.get("/signup"), "Sign-up is by invitation only")
		})

		t.Run("InvitationOnlyByDefault", func(t *testing.T) {
			p := b.get("/admin")
			expectStatus(t, p, http.StatusOK)
			expectText(t, p, "Site administration", "Invitation only", "Open — anyone who can reach this server can create an account",
				s.srv.URL+"/signup")
			if !strings.Contains(p.Body, `value="invite" checked`) || strings.Contains(p.Body, `value="open" checked`) {
				t.Error("invitation only is not the chosen policy")
			}
			if !strings.Contains(p.Body, `href="/admin" aria-current="page"`) {
				t.Error("the user menu does not link to /admin, marked current, for the site admin")
			}
			p = anon.get("/signup")
			expectText(t, p, "Sign-up is by invitation only")
			p = anon.post("/signup", signupForm)
			expectStatus(t, p, http.StatusForbidden)
			if canLogin("eve@example.com", "a long enough passphrase") {
				t.Fatal("an account was created while sign-up is by invitation only")
			}
		})

		t.Run("BadChoiceIsAFieldError", func(t *testing.T) {
			p := b.post("/admin/signup", url.Values{"signup_mode": {"everyone"}})
			expectStatus(t, p, http.StatusBadRequest)
			expectText(t, p, "Please correct the highlighted fields.", "Choose who can create an account.")
		})

		t.Run("OpenSignup", func(t *testing.T) {
			p := b.post("/admin/signup", url.Values{"signup_mode": {"open"}})
			expectStatus(t, p, http.StatusOK)
			if p.URL.Path != "/admin" {
				t.Fatalf("after saving: %s", p.URL)
			}
			expectText(t, p, "Sign-up is now open: anyone who can reach this server can create an account.")
			if !strings.Contains(p.Body, `value="open" checked`) {
				t.Error("open is not the chosen policy after saving")
			}

			p = anon.get("/signup")
			expectStatus(t, p, http.StatusOK)
			expectText(t, p, "Create your account")
			expectNoText(t, p, "Sign-up is by invitation only")
			p = anon.post("/signup", signupForm)
			expectStatus(t, p, http.StatusOK)
			if p.URL.Path != "/" {
				t.Fatalf("after sign-up: %s\n%s", p.URL, p.Text())
			}
			expectText(t, p, "Welcome to Shipshape")
			if !canLogin("eve@example.com", "a long enough passphrase") {
				t.Error("the new account cannot sign in")
			}
		})

		t.Run("BackToInvitationOnly", func(t *testing.T) {
			p := b.post("/admin/signup", url.Values{"signup_mode": {"invite"}})
			expectText(t, p, "Sign-up is now by invitation only.")
			expectText(t, s.browser(t).get("/signup"), "Sign-up is by invitation only")
		})
	})
}
