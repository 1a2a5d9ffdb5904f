package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"shipshape/internal/account"
	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

// supportEvents returns "actor action target" for acme's support.* events,
// newest first, read by Ana (owner).
func supportEvents(t *testing.T, w world) []string {
	t.Helper()
	r := w.api.with(w.anaT).do("GET", "/workspaces/acme/audit?action=support.", nil)
	wantStatus(t, r, 200, "")
	var out []string
	for _, it := range r.json(t)["items"].([]any) {
		e := it.(map[string]any)
		actor, target := e["actor"].(map[string]any), e["target"].(map[string]any)
		name, _ := target["name"].(string)
		out = append(out, strings.TrimSpace(actor["name"].(string)+" "+e["action"].(string)+" "+name))
	}
	return out
}

func TestSupportAccess(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		clock := testkit.NewClock()
		w := newWorldWith(t, d, testkit.NewApp(t, d, clock))
		root, err := w.app.Accounts.CreateUser(context.Background(), account.SignupInput{Name: "Site Admin", Email: "root@example.com", Password: testkit.Password}, true)
		if err != nil {
			t.Fatal(err)
		}
		ana, mo, vic, oscar := w.api.with(w.anaT), w.api.with(w.moT), w.api.with(w.vicT), w.api.with(w.oT)
		op := w.api.with(testkit.MustToken(t, w.app, root))
		wantStatus(t, ana.do("POST", "/workspaces/acme/projects", map[string]any{"key": "PAY", "name": "Payments"}), 201, "")
		in := func(d time.Duration) string { return clock.Now().Add(d).Format(time.RFC3339) }

		t.Run("SiteAdminWithoutGrantGets404", func(t *testing.T) {
			for _, p := range []string{"/workspaces/acme", "/workspaces/acme/projects", "/workspaces/acme/projects/PAY", "/workspaces/acme/members"} {
				wantStatus(t, op.do("GET", p, nil), 404, "not_found")
			}
			wantStatus(t, op.do("POST", "/workspaces/acme/projects", map[string]any{"key": "OPS", "name": "Ops"}), 404, "not_found")
			wantStatus(t, op.do("POST", "/workspaces/acme/support-access", map[string]any{"scope": "read", "expires_at": in(time.Hour)}), 404, "not_found")
			if ev := supportEvents(t, w); len(ev) != 0 {
				t.Fatalf("support events without a grant: %v", ev)
			}
		})

		t.Run("OnlyAdminsGrant", func(t *testing.T) {
			body := map[string]any{"scope": "read", "expires_at": in(24 * time.Hour)}
			wantStatus(t, mo.do("POST", "/workspaces/acme/support-access", body), 403, "forbidden")
			wantStatus(t, vic.do("POST", "/workspaces/acme/support-access", body), 403, "forbidden")
			wantStatus(t, mo.do("GET", "/workspaces/acme/support-access", nil), 403, "forbidden")
			wantStatus(t, mo.do("DELETE", "/workspaces/acme/support-access", nil), 403, "forbidden")
			wantStatus(t, oscar.do("POST", "/workspaces/acme/support-access", body), 404, "not_found")
		})

		t.Run("BadInputNamesTheField", func(t *testing.T) {
			for _, tc := range []struct {
				body   map[string]any
				fields []string
			}{
				{map[string]any{"scope": "admin", "expires_at": in(31 * 24 * time.Hour)}, []string{"scope", "expires_at"}},
				{map[string]any{"scope": "read"}, []string{"expires_at"}},
				{map[string]any{"scope": "read", "expires_at": in(-time.Minute)}, []string{"expires_at"}},
				{map[string]any{"scope": "member", "expires_at": in(time.Hour), "reason": strings.Repeat("x", 501)}, []string{"reason"}},
				{map[string]any{"scope": "read", "expires_at": "tomorrow"}, []string{"expires_at"}},
				{map[string]any{"scope": "read", "expires_at": 5}, []string{"expires_at"}},
			} {
				f := wantStatus(t, ana.do("POST", "/workspaces/acme/support-access", tc.body), 400, "invalid")
				for _, name := range tc.fields {
					if f[name] == nil {
						t.Errorf("%v: no problem for field %s: %v", tc.body, name, f)
					}
				}
			}
			if gs := ana.do("GET", "/workspaces/acme/support-access", nil).json(t)["items"].([]any); len(gs) != 0 {
				t.Fatalf("refused grants were stored: %v", gs)
			}
		})

		t.Run("ReadGrantLetsTheSiteAdminRead", func(t *testing.T) {
			r := ana.do("POST", "/workspaces/acme/support-access", map[string]any{"scope": "read", "expires_at": in(48 * time.Hour), "reason": "ticket 42"})
			wantStatus(t, r, 201, "")
			if g := r.json(t); g["scope"] != "read" || g["active"] != true || g["reason"] != "ticket 42" || g["id"] == "" {
				t.Fatalf("grant = %v", g)
			}
			r = op.do("GET", "/workspaces/acme/projects?archived=true", nil)
			wantStatus(t, r, 200, "")
			if items := r.json(t)["items"].([]any); len(items) != 1 || items[0].(map[string]any)["key"] != "PAY" {
				t.Fatalf("projects under support access: %s", r.Body)
			}
			if ws := op.do("GET", "/workspaces/acme", nil).json(t); ws["role"] != "viewer" {
				t.Fatalf("workspace under support access: %v", ws)
			}
			// Read scope: no writes, and no managing support access itself.
			wantStatus(t, op.do("POST", "/workspaces/acme/projects", map[string]any{"key": "OPS", "name": "Ops"}), 403, "forbidden")
			wantStatus(t, op.do("GET", "/workspaces/acme/support-access", nil), 403, "forbidden")
			// Only site admins: another non-member still sees nothing.
			wantStatus(t, oscar.do("GET", "/workspaces/acme/projects", nil), 404, "not_found")
			// Members are unaffected.
			if ws := vic.do("GET", "/workspaces/acme", nil).json(t); ws["role"] != "viewer" {
				t.Fatalf("viewer's workspace: %v", ws)
			}

			ev := supportEvents(t, w)
			want := []string{
				"Site Admin support.access GET /api/v1/workspaces/acme/support-access",
				"Site Admin support.access POST /api/v1/workspaces/acme/projects",
				"Site Admin support.access GET /api/v1/workspaces/acme",
				"Site Admin support.access GET /api/v1/workspaces/acme/projects",
				"Ana Lima support.grant read until " + in(48*time.Hour),
			}
			if strings.Join(ev, "\n") != strings.Join(want, "\n") {
				t.Fatalf("support events:\n%s\nwant:\n%s", strings.Join(ev, "\n"), strings.Join(want, "\n"))
			}
			for _, e := range ev {
				if strings.Contains(e, "?") || strings.Contains(e, "archived") {
					t.Fatalf("a query string was recorded: %s", e)
				}
			}
			// Members' own requests are not recorded as support access.
			if v := ana.do("GET", "/workspaces/acme/audit/verify", nil).json(t); v["ok"] != true {
				t.Fatalf("chain after support access: %v", v)
			}
			if n := len(supportEvents(t, w)); n != len(want) {
				t.Fatalf("%d support events after members' requests, want %d", n, len(want))
			}
		})

		t.Run("RevokeEndsIt", func(t *testing.T) {
			wantStatus(t, ana.do("DELETE", "/workspaces/acme/support-access", nil), 204, "")
			wantStatus(t, op.do("GET", "/workspaces/acme/projects", nil), 404, "not_found")
			wantStatus(t, ana.do("DELETE", "/workspaces/acme/support-access", nil), 404, "not_found")
			gs := ana.do("GET", "/workspaces/acme/support-access", nil).json(t)["items"].([]any)
			if len(gs) != 1 {
				t.Fatalf("grants = %v", gs)
			}
			if g := gs[0].(map[string]any); g["active"] != false || g["revoked_at"] == nil || g["revoked_by_name"] != "Ana Lima" || g["granted_by_name"] != "Ana Lima" {
				t.Fatalf("revoked grant = %v", g)
			}
			if ev := supportEvents(t, w); !strings.HasPrefix(ev[0], "Ana Lima support.revoke") {
				t.Fatalf("newest support event = %s", ev[0])
			}
		})

		t.Run("ExpiryEndsIt", func(t *testing.T) {
			wantStatus(t, ana.do("POST", "/workspaces/acme/support-access", map[string]any{"scope": "read", "expires_at": in(24 * time.Hour)}), 201, "")
			wantStatus(t, op.do("GET", "/workspaces/acme/projects/PAY", nil), 200, "")
			clock.Advance(24*time.Hour - time.Second)
			wantStatus(t, op.do("GET", "/workspaces/acme/projects/PAY", nil), 200, "")
			clock.Advance(time.Second)
			wantStatus(t, op.do("GET", "/workspaces/acme/projects/PAY", nil), 404, "not_found")
			gs := ana.do("GET", "/workspaces/acme/support-access", nil).json(t)["items"].([]any)
			if g := gs[0].(map[string]any); g["active"] != false || g["revoked_at"] != nil {
				t.Fatalf("expired grant = %v", g)
			}
			wantStatus(t, ana.do("DELETE", "/workspaces/acme/support-access", nil), 404, "not_found")
		})

		t.Run("MemberScopeWritesAndANewGrantReplacesTheOld", func(t *testing.T) {
			wantStatus(t, ana.do("POST", "/workspaces/acme/support-access", map[string]any{"scope": "read", "expires_at": in(24 * time.Hour)}), 201, "")
			wantStatus(t, ana.do("POST", "/workspaces/acme/support-access", map[string]any{"scope": "member", "expires_at": in(30 * 24 * time.Hour)}), 201, "")
			gs := ana.do("GET", "/workspaces/acme/support-access", nil).json(t)["items"].([]any)
			active := 0
			for _, g := range gs {
				if g.(map[string]any)["active"] == true {
					active++
				}
			}
			if active != 1 || gs[0].(map[string]any)["scope"] != "member" {
				t.Fatalf("grants after a replacement: %v", gs)
			}
			wantStatus(t, op.do("POST", "/workspaces/acme/projects", map[string]any{"key": "OPS", "name": "Ops"}), 201, "")
			// Still no admin rights.
			wantStatus(t, op.do("DELETE", "/workspaces/acme/projects/OPS", nil), 403, "forbidden")
			ev := supportEvents(t, w)
			if ev[0] != "Site Admin support.access DELETE /api/v1/workspaces/acme/projects/OPS" ||
				ev[1] != "Site Admin support.access POST /api/v1/workspaces/acme/projects" {
				t.Fatalf("support events: %v", ev[:2])
			}
			r := ana.do("GET", "/workspaces/acme/audit?target_type=project", nil)
			if e := r.json(t)["items"].([]any)[0].(map[string]any); e["action"] != "project.create" || e["actor"].(map[string]any)["name"] != "Site Admin" {
				t.Fatalf("project created under support access: %v", e)
			}
		})
	})
}
