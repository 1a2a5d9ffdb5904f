package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

func TestMembersAndTeams(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		b := s.browser(t)
		b.setup()
		b.createWorkspace("acme", "Acme")
		ana := userByLogin(t, s, "ana@example.com", adminPassword)
		bo := testkit.MustUser(t, s.app, "Bo Chen")
		testkit.MustJoin(t, s.app, ana, "acme", bo, "member")

		t.Run("InvitationLinkIsShownOnce", func(t *testing.T) {
			p := b.post("/w/acme/invitations", url.Values{"email": {"new@example.com"}, "role": {"admin"}})
			expectStatus(t, p, http.StatusOK)
			expectText(t, p, "Invitation ready for new@example.com", "won't be shown again")
			m := inviteLinkRE.FindStringSubmatch(p.Body)
			if m == nil || !strings.HasPrefix(m[1], s.srv.URL+"/invite/inv_") {
				t.Fatalf("invitation link missing or not on this host: %v", m)
			}
			again := b.get("/w/acme/members")
			if strings.Contains(again.Body, m[2]) {
				t.Error("the invitation token is shown again")
			}
			expectText(t, again, "Pending invitations", "new@example.com")

			p = b.post("/w/acme/invitations", url.Values{"email": {"bo.chen@example.com"}, "role": {"member"}})
			expectStatus(t, p, http.StatusConflict)
			expectText(t, p, "Is already a member.")

			id := regexp.MustCompile(`/w/acme/invitations/([^/"]+)/revoke`).FindStringSubmatch(again.Body)
			if id == nil {
				t.Fatal("no withdraw button")
			}
			p = b.post("/w/acme/invitations/"+id[1]+"/revoke", nil)
			expectText(t, p, "Invitation withdrawn.", "No pending invitations")
			expectStatus(t, b.get("/invite/"+m[2]), http.StatusNotFound)
		})

		t.Run("AdminsSeeEmailsAndChangeRoles", func(t *testing.T) {
			p := b.get("/w/acme/members")
			expectText(t, p, "bo.chen@example.com", "Ana Lima (you)")
			p = b.post("/w/acme/members/"+bo.ID+"/role", url.Values{"role": {"viewer"}})
			expectText(t, p, "Role changed.")
			// The last owner cannot step down: the page explains why.
			p = b.post("/w/acme/members/"+ana.ID+"/role", url.Values{"role": {"admin"}})
			expectStatus(t, p, http.StatusConflict)
			expectText(t, p, "A workspace needs at least one owner")
		})

		t.Run("MembersDoNotSeeEmails", func(t *testing.T) {
			c := s.browser(t)
			c.mustLogin("bo.chen@example.com", testkit.Password)
			p := c.get("/w/acme/members")
			expectText(t, p, "Ana Lima", "Bo Chen (you)", "Only workspace admins and owners can invite people")
			expectNoText(t, p, "ana@example.com")
		})

		t.Run("Teams", func(t *testing.T) {
			p := b.get("/w/acme/teams")
			expectText(t, p, "No teams yet")
			p = b.post("/w/acme/teams", url.Values{"name": {"Platform"}, "slug": {"platform"}})
			expectText(t, p, "Team created.", "Platform", "Nobody in this team yet.")
			p = b.post("/w/acme/teams/platform/members", url.Values{"user_id": {bo.ID}})
			expectText(t, p, "Added to the team.", "1 member")
			p = b.post("/w/acme/teams/platform/members/"+bo.ID+"/remove", nil)
			expectText(t, p, "Removed from the team.", "Nobody in this team yet.")
			p = b.post("/w/acme/teams/platform/delete", nil)
			expectText(t, p, "Team deleted.", "No teams yet")
			expectText(t, b.get("/w/acme/activity"), "Ana Lima created team platform", "Ana Lima added Bo Chen to team platform", "Ana Lima removed Bo Chen from team platform",
				"Ana Lima deleted team platform", "Ana Lima changed the role of Bo Chen to viewer")
		})

		t.Run("RemoveAndLeave", func(t *testing.T) {
			p := b.post("/w/acme/members/"+bo.ID+"/remove", nil)
			expectText(t, p, "Member removed.")
			expectNoText(t, p, "Bo Chen")
			expectText(t, b.get("/w/acme/activity"), "Ana Lima removed Bo Chen from the workspace")
		})
	})
}

func TestActivityFiltersAndPaging(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		b := s.browser(t)
		b.setup()
		b.createWorkspace("acme", "Acme")
		b.createProject("acme", "PAY", "Payments", "")
		for i := range 40 {
			b.post("/w/acme/teams", url.Values{"name": {fmt.Sprintf("Team %d", i)}, "slug": {fmt.Sprintf("team-%d", i)}})
		}

		p := b.get("/w/acme/activity")
		expectText(t, p, "Ana Lima created team team-39", "Today")
		expectNoText(t, p, "created project PAY") // on the second page
		older := regexp.MustCompile(`href="(/w/acme/activity\?cursor=\d+)"`).FindStringSubmatch(p.Body)
		if older == nil {
			t.Fatalf("no Older link:\n%s", p.Body)
		}
		p = b.get(strings.ReplaceAll(older[1], "&amp;", "&"))
		expectText(t, p, "Ana Lima created project PAY", "Newest")

		p = b.get("/w/acme/activity?action=project.")
		expectText(t, p, "Ana Lima created project PAY")
		expectNoText(t, p, "created team")
		if !strings.Contains(p.Body, `<option value="project." selected>`) {
			t.Error("the chosen filter is not selected")
		}

		p = b.get("/w/acme/activity?actor=someone-else")
		expectText(t, p, "created team") // unknown actor: unfiltered

		expectStatus(t, b.get("/w/acme/activity?cursor=bogus"), http.StatusBadRequest)
	})
}

func TestProfileAndPassword(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		b := s.browser(t)
		b.setup()
		other := s.browser(t)
		other.mustLogin("ana@example.com", adminPassword)

		p := b.get("/profile")
		for _, v := range []string{`value="Ana Lima"`, `value="ana@example.com"`, `value="Acme"`, `value="Release manager"`} {
			if !strings.Contains(p.Body, v) {
				t.Errorf("profile form lacks %s", v)
			}
		}
		p = b.post("/profile", url.Values{"name": {"Ana Lima-Souza"}, "email": {"ana@example.com"}, "company": {"Acme GmbH"}, "job_title": {"Head of releases"}})
		expectText(t, p, "Profile saved.", "Ana Lima-Souza")
		if !strings.Contains(p.Body, `value="Head of releases"`) {
			t.Error("job title not saved")
		}

		p = b.post("/profile/password", url.Values{"current_password": {adminPassword}, "new_password": {"brand new passphrase"}, "confirm_password": {"something else"}})
		expectStatus(t, p, http.StatusBadRequest)
		expectText(t, p, "Does not match the new password.")

		before := len(b.cookies)
		p = b.post("/profile/password", url.Values{"current_password": {adminPassword}, "new_password": {"brand new passphrase"}, "confirm_password": {"brand new passphrase"}})
		expectStatus(t, p, http.StatusOK)
		expectText(t, p, "Password changed.")
		if len(b.cookies) == before || b.cookies[len(b.cookies)-1].Name != "shipshape_session" {
			t.Error("changing the password did not set the new session cookie")
		}
		expectText(t, b.get("/profile"), "Ana Lima-Souza") // this browser stays signed in
		if p := other.get("/profile"); p.URL.Path != "/login" {
			t.Errorf("the other session survived the password change: %s", p.URL)
		}
		other.mustLogin("ana@example.com", "brand new passphrase")
	})
}

func TestTokens(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		b := s.browser(t)
		b.setup()

		expectText(t, b.get("/tokens"), "No tokens yet")
		p := b.post("/tokens", url.Values{"name": {"CI deploy"}, "scopes": {"read", "write"}, "expires": {"30"}})
		expectStatus(t, p, http.StatusOK)
		expectText(t, p, "Token “CI deploy” created", "Copy it now", "can't be shown again")
		expectCSPClean(t, p)
		m := regexp.MustCompile(`value="(ssp_[0-9a-f]+)"`).FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatal("the secret is not on the page")
		}
		if p.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("the secret page may be cached: %q", p.Header.Get("Cache-Control"))
		}
		p = b.get("/tokens")
		expectText(t, p, "CI deploy", "read", "write", "in 30 days", "Never used")
		if strings.Contains(p.Body, m[1]) {
			t.Error("the token list shows the secret")
		}
		// The secret works against the API.
		req := mustRequest(t, http.MethodGet, s.srv.URL+"/api/v1/me")
		req.Header.Set("Authorization", "Bearer "+m[1])
		if api := b.do(req); api.Status != http.StatusOK {
			t.Fatalf("API with the new token: %d", api.Status)
		}
		s.clock.Advance(5 * time.Minute)
		expectText(t, b.get("/tokens"), "5 minutes ago")

		p = b.post("/tokens", url.Values{"name": {"forever"}, "scopes": {"read"}, "expires": {"forever-and-ever"}})
		expectStatus(t, p, http.StatusBadRequest)
		expectText(t, p, "Choose when the token expires.")

		id := regexp.MustCompile(`action="/tokens/([^/"]+)/revoke"`).FindStringSubmatch(b.get("/tokens").Body)
		if id == nil {
			t.Fatal("no revoke button")
		}
		p = b.post("/tokens/"+id[1]+"/revoke", nil)
		expectText(t, p, "Token revoked.", "No tokens yet")
		if api := b.do(req); api.Status != http.StatusUnauthorized {
			t.Errorf("revoked token still works: %d", api.Status)
		}
	})
}

func TestErrorPages(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		b := s.browser(t)
		b.setup()

		p := b.get("/no/such/page")
		expectStatus(t, p, http.StatusNotFound)
		expectText(t, p, "404", "Page not found", "Request ID", "Go to your dashboard")
		if id := p.Header.Get("X-Request-Id"); id == "" || !strings.Contains(p.Body, id) {
			t.Errorf("the page does not show request id %q", id)
		}
		expectCSPClean(t, p)

		// Too many wrong passwords: 429 with Retry-After.
		c := s.browser(t)
		var last page
		for range 12 {
			last = c.login("ana@example.com", "wrong password again")
		}
		expectStatus(t, last, http.StatusTooManyRequests)
		if ra := last.Header.Get("Retry-After"); ra == "" || ra == "0" {
			t.Errorf("Retry-After = %q", ra)
		}
		expectText(t, last, "Too many attempts", "You can try again in about 15 minutes.")
		expectCSPClean(t, last)

		// An oversized form gets a page, not a crash.
		big := url.Values{"name": {strings.Repeat("x", 2<<20)}}
		p = b.post("/workspaces", big)
		expectStatus(t, p, http.StatusRequestEntityTooLarge)
		expectText(t, p, "That was too much at once")
	})
}

func TestInternalErrorPage(t *testing.T) {
	d := testkit.OpenDB(t, db.SQLite)
	s := newSite(t, d)
	b := s.browser(t)
	b.setup()
	d.Close() // every query now fails
	p := b.get("/profile")
	expectStatus(t, p, http.StatusInternalServerError)
	expectText(t, p, "500", "Something went wrong on our side", "Request ID")
	if strings.Contains(strings.ToLower(p.Body), "closed") || strings.Contains(p.Body, "sql") {
		t.Errorf("the 500 page leaks the cause:\n%s", p.Text())
	}
	expectCSPClean(t, p)
}

func TestStaticAssets(t *testing.T) {
	s := newSite(t, testkit.OpenDB(t, db.SQLite))
	b := s.browser(t)
	p := b.get("/setup")
	for _, re := range []string{`href="(/static/app\.[0-9a-f]{12}\.css)"`, `src="(/static/app\.[0-9a-f]{12}\.js)"`, `href="(/static/icon\.[0-9a-f]{12}\.svg)"`} {
		m := regexp.MustCompile(re).FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatalf("no asset matching %s", re)
		}
		a := b.get(m[1])
		expectStatus(t, a, http.StatusOK)
		if cc := a.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("%s Cache-Control = %q", m[1], cc)
		}
		if a.Header.Get("Content-Type") == "" || a.Body == "" {
			t.Errorf("%s: empty or untyped", m[1])
		}
	}
	expectStatus(t, b.get("/static/app.css"), http.StatusNotFound)
	expectStatus(t, b.get("/static/app.000000000000.css"), http.StatusNotFound)
}

// TestPagesAreCSPClean renders every main page and checks that nothing
// needs inline script or style, and that the pages carry the navigation
// landmarks people rely on.
func TestPagesAreCSPClean(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		anon := s.browser(t)
		expectCSPClean(t, anon.get("/setup"))
		b := s.browser(t)
		b.setup()
		b.createWorkspace("acme", "Acme")
		b.createProject("acme", "PAY", "Payments", "Moves money")
		b.post("/w/acme/p/PAY/components", url.Values{"slug": {"api"}, "name": {"API"}})
		b.post("/w/acme/teams", url.Values{"name": {"Platform"}, "slug": {"platform"}})
		b.post("/w/acme/p/PAY/releases", url.Values{"version": {"1.0.0+b.1"}, "name": {"First"}, "target_date": {"2026-03-31"}})
		token := b.invite("acme", "bo@example.com", "member")
		if p := b.upload("/w/acme/p/PAY/r/1.0.0+b.1/files", "app-1.0.0.zip", []byte("PK\x03\x04 not really"), false); p.Status != http.StatusOK {
			t.Fatalf("upload: %d %s", p.Status, p.Text())
		}

		pages := []string{"/", "/w/acme", "/w/acme?archived=1", "/w/acme/p/PAY", "/w/acme/p/PAY?status=planned", "/w/acme/p/PAY/c/api",
			"/w/acme/p/PAY/r/1.0.0+b.1", "/w/acme/releases", "/w/acme/members",
			"/w/acme/teams", "/w/acme/activity", "/w/acme/ownership", "/w/acme/ownership?owner=nobody", "/w/acme/settings", "/profile", "/tokens", "/admin", "/invite/" + token, "/nope"}
		for _, path := range pages {
			p := b.get(path)
			if p.Status != http.StatusOK && path != "/nope" {
				t.Errorf("%s: %d", path, p.Status)
			}
			expectCSPClean(t, p)
			if !strings.Contains(p.Body, `class="skip-link" href="#main"`) || !strings.Contains(p.Body, `id="main"`) {
				t.Errorf("%s has no skip link to the main content", path)
			}
			if p.Header.Get("Content-Security-Policy") == "" {
				t.Errorf("%s has no CSP header", path)
			}
		}
		for _, path := range []string{"/login", "/signup", "/signup?invitation=" + token, "/invite/" + token} {
			expectCSPClean(t, anon.get(path))
		}
		p := b.post("/w/acme/invitations", url.Values{"email": {"cy@example.com"}, "role": {"viewer"}})
		expectCSPClean(t, p)
		p = b.post("/w/acme/projects", url.Values{"key": {"x"}})
		expectCSPClean(t, p)
		p = b.post("/w/acme/settings", url.Values{"name": {""}})
		expectCSPClean(t, p)
		p = b.post("/admin/signup", url.Values{"signup_mode": {"nobody"}})
		expectCSPClean(t, p)
		p = b.post("/w/acme/p/PAY/releases", url.Values{"version": {"nope"}})
		expectCSPClean(t, p)
		p = b.post("/w/acme/p/PAY/r/1.0.0/move", url.Values{"to": {"cancelled"}})
		expectCSPClean(t, p)
		p = b.upload("/w/acme/p/PAY/r/1.0.0+b.1/files", "a/b", []byte("x"), false)
		expectCSPClean(t, p)
	})
}
