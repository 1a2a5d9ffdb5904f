package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"shipshape/internal/account"
	"shipshape/internal/db"
	"shipshape/internal/testkit"
	"shipshape/internal/web"
)

func TestSetup(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		b := s.browser(t)

		t.Run("HomeRedirectsToSetupWhileNoAccountExists", func(t *testing.T) {
			p := b.get("/")
			expectStatus(t, p, http.StatusOK)
			if p.URL.Path != "/setup" {
				t.Fatalf("/ led to %s, want /setup", p.URL)
			}
			expectText(t, p, "Set up Shipshape", "I am 13 or older")
			if p := b.get("/login"); p.URL.Path != "/setup" {
				t.Errorf("/login led to %s, want /setup", p.URL)
			}
		})

		t.Run("ErrorsRerenderWithInputButNotPassword", func(t *testing.T) {
			p := b.post("/setup", url.Values{"name": {"Ana Lima"}, "email": {"not-an-email"}, "password": {"short"}, "company": {"Acme"}})
			expectStatus(t, p, http.StatusBadRequest)
			expectText(t, p, "Is not a valid e-mail address.", "Must be at least 10 characters.", "You must confirm that you are 13 or older.")
			if !strings.Contains(p.Body, `value="Ana Lima"`) || !strings.Contains(p.Body, `value="not-an-email"`) || !strings.Contains(p.Body, `value="Acme"`) {
				t.Error("the entered values were not kept")
			}
			if strings.Contains(p.Body, `value="short"`) {
				t.Error("the password was sent back")
			}
			if !strings.Contains(p.Body, `aria-invalid="true"`) {
				t.Error("invalid fields are not marked aria-invalid")
			}
		})

		t.Run("CreatesSiteAdminAndSignsIn", func(t *testing.T) {
			p := b.setup()
			expectText(t, p, "Welcome back, Ana", "Welcome to Shipshape", "Start with a workspace")
			u, _, err := s.app.Accounts.Login(context.Background(), testkit.Actor(account.User{}), "ana@example.com", adminPassword)
			if err != nil || !u.SiteAdmin {
				t.Fatalf("first user: site admin = %v, err = %v", u.SiteAdmin, err)
			}
		})

		t.Run("SetupClosesAfterwards", func(t *testing.T) {
			other := s.browser(t)
			if p := other.get("/setup"); p.URL.Path != "/login" {
				t.Errorf("/setup led to %s, want /login", p.URL)
			}
			p := other.post("/setup", url.Values{"name": {"Eve"}, "email": {"eve@example.com"}, "password": {"another long secret"}, "age_confirmed": {"yes"}})
			if p.URL.Path != "/login" {
				t.Errorf("second setup led to %s, want /login", p.URL)
			}
			if _, _, err := s.app.Accounts.Login(context.Background(), testkit.Actor(account.User{}), "eve@example.com", "another long secret"); err == nil {
				t.Error("a second setup created an account")
			}
		})
	})
}

func TestSession(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		admin := s.browser(t)
		admin.setup()

		b := s.browser(t)
		t.Run("LoginSetsOneHardenedCookie", func(t *testing.T) {
			resp := b.noFollow(b.formRequest("/login", url.Values{"email": {"ana@example.com"}, "password": {adminPassword}}))
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
				t.Fatalf("login: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			cs := resp.Cookies()
			if len(cs) != 1 {
				t.Fatalf("login set %d cookies, want 1", len(cs))
			}
			c := cs[0]
			if c.Name != "shipshape_session" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure {
				t.Errorf("cookie = %+v; want shipshape_session, HttpOnly, SameSite=Lax, Path=/, not Secure over plain HTTP", c)
			}
			if len(c.Value) < 32 {
				t.Errorf("session secret %q is too short", c.Value)
			}
		})

		t.Run("SignedInPagesWork", func(t *testing.T) {
			p := b.get("/")
			expectStatus(t, p, http.StatusOK)
			expectText(t, p, "Welcome back, Ana")
		})

		t.Run("LogoutEndsTheSession", func(t *testing.T) {
			p := b.post("/logout", nil)
			if p.URL.Path != "/login" {
				t.Fatalf("logout led to %s", p.URL)
			}
			expectText(t, p, "You have signed out.")
			if p := b.get("/"); p.URL.Path != "/login" {
				t.Errorf("after logout / led to %s, want /login", p.URL)
			}
			var cleared bool
			for _, c := range b.cookies {
				if c.Name == "shipshape_session" && c.MaxAge < 0 {
					cleared = true
				}
			}
			if !cleared {
				t.Error("logout did not clear the cookie")
			}
		})

		t.Run("LogoutNeedsSameOriginPost", func(t *testing.T) {
			// GET /logout changes nothing: it is not a route.
			b.mustLogin("ana@example.com", adminPassword)
			if p := b.get("/logout"); p.Status != http.StatusNotFound {
				t.Errorf("GET /logout = %d, want 404", p.Status)
			}
			if p := b.get("/"); p.URL.Path != "/" {
				t.Errorf("GET /logout signed the person out")
			}
		})

		t.Run("WrongPasswordShowsError", func(t *testing.T) {
			c := s.browser(t)
			p := c.login("ana@example.com", "not the password at all")
			expectStatus(t, p, http.StatusUnauthorized)
			expectText(t, p, "The e-mail or password is not correct.")
			if !strings.Contains(p.Body, `value="ana@example.com"`) {
				t.Error("the e-mail was not kept")
			}
			if strings.Contains(p.Body, "not the password at all") {
				t.Error("the password was sent back")
			}
			for _, ck := range c.cookies {
				t.Errorf("a failed login set cookie %s", ck.Name)
			}
		})

		t.Run("UnauthenticatedGoesToLoginAndBack", func(t *testing.T) {
			c := s.browser(t)
			resp := c.noFollow(mustRequest(t, http.MethodGet, c.base+"/profile?tab=x"))
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/login?next=%2Fprofile%3Ftab%3Dx" {
				t.Fatalf("GET /profile signed out: %d to %q", resp.StatusCode, loc)
			}
			p := c.get("/login?next=%2Fprofile")
			if !strings.Contains(p.Body, `name="next" value="/profile"`) {
				t.Fatalf("login form lost next:\n%s", p.Body)
			}
			p = c.post("/login", url.Values{"email": {"ana@example.com"}, "password": {adminPassword}, "next": {"/profile"}})
			if p.URL.Path != "/profile" {
				t.Errorf("login with next=/profile led to %s", p.URL)
			}
		})

		t.Run("NextMustStayOnThisSite", func(t *testing.T) {
			for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "evil", "/login"} {
				c := s.browser(t)
				req := c.formRequest("/login", url.Values{"email": {"ana@example.com"}, "password": {adminPassword}, "next": {next}})
				resp := c.noFollow(req)
				if loc := resp.Header.Get("Location"); loc != "/" {
					t.Errorf("next=%q redirected to %q, want /", next, loc)
				}
			}
		})

		t.Run("OnlyTheSessionCookieIsEverSet", func(t *testing.T) {
			for _, br := range []*browser{admin, b} {
				for _, c := range br.cookies {
					if c.Name != "shipshape_session" {
						t.Errorf("the server set cookie %q", c.Name)
					}
				}
			}
		})
	})
}

func TestSecureCookieWhenConfigured(t *testing.T) {
	s := newSite(t, testkit.OpenDB(t, db.SQLite))
	h, err := web.New(web.Deps{Accounts: s.app.Accounts, Workspaces: s.app.Workspaces, Projects: s.app.Projects,
		SecureCookie: true, BodyLimit: 1 << 20, Now: s.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	testkit.MustUser(t, s.app, "Ana Lima")
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"email": {"ana.lima@example.com"}, "password": {testkit.Password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	cs := rec.Result().Cookies()
	if rec.Code != http.StatusSeeOther || len(cs) != 1 || !cs[0].Secure || !cs[0].HttpOnly {
		t.Fatalf("login: %d, cookies %+v; want one Secure HttpOnly cookie", rec.Code, cs)
	}
}

func TestSignup(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		admin := s.browser(t)
		admin.setup()
		admin.createWorkspace("acme", "Acme")

		t.Run("InviteOnlyWithoutInvitation", func(t *testing.T) {
			c := s.browser(t)
			p := c.get("/signup")
			expectStatus(t, p, http.StatusOK)
			expectText(t, p, "Sign-up is by invitation only")
			if strings.Contains(p.Body, `action="/signup"`) {
				t.Error("the invite-only page shows the sign-up form")
			}
			p = c.post("/signup", url.Values{"name": {"Bo"}, "email": {"bo@example.com"}, "password": {"a long enough secret"}, "age_confirmed": {"yes"}})
			expectStatus(t, p, http.StatusForbidden)
			expectText(t, p, "Sign-up is by invitation only")
		})

		t.Run("WithInvitationJoinsTheWorkspace", func(t *testing.T) {
			token := admin.invite("acme", "bo@example.com", "member")
			c := s.browser(t)
			p := c.get("/invite/" + token)
			expectStatus(t, p, http.StatusOK)
			expectText(t, p, "Join Acme", "member", "bo@example.com", "Create an account to join")
			expectCSPClean(t, p)

			p = c.get("/signup?invitation=" + url.QueryEscape(token))
			expectText(t, p, "You're invited to join Acme")
			if !strings.Contains(p.Body, `value="bo@example.com"`) {
				t.Error("the invited e-mail is not filled in")
			}
			expectCSPClean(t, p)

			// The age confirmation is required.
			form := url.Values{"name": {"Bo Chen"}, "email": {"bo@example.com"}, "password": {"a long enough secret"}, "invitation": {token}}
			p = c.post("/signup", form)
			expectStatus(t, p, http.StatusBadRequest)
			expectText(t, p, "You must confirm that you are 13 or older.")

			form.Set("age_confirmed", "yes")
			p = c.post("/signup", form)
			expectStatus(t, p, http.StatusOK)
			if p.URL.Path != "/w/acme" {
				t.Fatalf("sign-up with invitation led to %s:\n%s", p.URL, p.Text())
			}
			expectText(t, p, "You joined the workspace.")
			expectText(t, admin.get("/w/acme/members"), "Bo Chen")
			expectText(t, admin.get("/w/acme/activity"), "Bo Chen joined the workspace as member")
		})

		t.Run("UsedInvitationIsRefused", func(t *testing.T) {
			token := admin.invite("acme", "cy@example.com", "viewer")
			testkit.MustUser(t, s.app, "Cy")
			c := s.browser(t)
			c.mustLogin("cy@example.com", testkit.Password)
			p := c.get("/invite/" + token)
			expectText(t, p, "Accept invitation")
			p = c.post("/invite/"+token, nil)
			if p.URL.Path != "/w/acme" {
				t.Fatalf("accept led to %s: %s", p.URL, p.Text())
			}
			p = c.get("/invite/" + token)
			expectStatus(t, p, http.StatusNotFound)
			expectText(t, p, "This invitation can't be used")
		})

		t.Run("InvitationForSomeoneElse", func(t *testing.T) {
			token := admin.invite("acme", "dee@example.com", "member")
			p := admin.get("/invite/" + token)
			expectText(t, p, "You're already a member")
			testkit.MustUser(t, s.app, "Eli")
			c := s.browser(t)
			c.mustLogin("eli@example.com", testkit.Password)
			expectText(t, c.get("/invite/"+token), "but this invitation is for dee@example.com")
			p = c.post("/invite/"+token, nil)
			expectStatus(t, p, http.StatusForbidden)
			expectText(t, p, "This invitation was sent to another e-mail address.")
		})
	})
}

func TestCrossOriginPostIsRefused(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		b := s.browser(t)
		b.setup()
		for _, path := range []string{"/workspaces", "/logout", "/login"} {
			req := b.formRequest(path, url.Values{"slug": {"evil"}, "name": {"Evil"}, "email": {"ana@example.com"}, "password": {adminPassword}})
			req.Header.Set("Origin", "http://evil.example")
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			p := b.do(req)
			expectStatus(t, p, http.StatusForbidden)
			expectText(t, p, "sent from another site")
		}
		// An old browser without Sec-Fetch-Site is judged by Origin.
		req := b.formRequest("/workspaces", url.Values{"slug": {"evil"}, "name": {"Evil"}})
		req.Header.Del("Sec-Fetch-Site")
		req.Header.Set("Origin", "http://evil.example")
		expectStatus(t, b.do(req), http.StatusForbidden)

		if p := b.get("/w/evil"); p.Status != http.StatusNotFound {
			t.Errorf("a cross-site form created a workspace: %d", p.Status)
		}
		expectText(t, b.get("/"), "Welcome back, Ana") // still signed in
	})
}
