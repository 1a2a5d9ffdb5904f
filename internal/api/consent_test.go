package api_test

import (
	"context"
	"testing"

	"shipshape/internal/account"
	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

func TestPreferencesThroughAPI(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		mo := w.api.with(w.moT)
		r := mo.do("GET", "/me/preferences", nil)
		wantStatus(t, r, 200, "")
		if m := r.json(t); m["product_email"] != true || m["marketing_email"] != false || m["product_analytics"] != false || m["gpc"] != false {
			t.Fatalf("defaults %s", r.Body)
		}
		r = mo.do("PUT", "/me/preferences", map[string]any{"marketing_email": true})
		wantStatus(t, r, 200, "")
		if m := r.json(t); m["marketing_email"] != true || m["effective"].(map[string]any)["marketing_email"] != true {
			t.Fatalf("opt in %s", r.Body)
		}
		// Sec-GPC: stored choice kept, effective choice off; the change is
		// recorded with the signal.
		gpc := mo.withHeader("Sec-GPC", "1")
		r = gpc.do("GET", "/me/preferences", nil)
		if m := r.json(t); m["gpc"] != true || m["marketing_email"] != true || m["effective"].(map[string]any)["marketing_email"] != false {
			t.Fatalf("with GPC %s", r.Body)
		}
		if m := mo.withHeader("DNT", "1").do("GET", "/me/preferences", nil).json(t); m["gpc"] != true {
			t.Errorf("DNT: 1 is not treated as a signal: %v", m)
		}
		wantStatus(t, gpc.do("PUT", "/me/preferences", map[string]any{"marketing_email": false}), 200, "")
		r = mo.do("GET", "/me/consents", nil)
		wantStatus(t, r, 200, "")
		items := r.json(t)["items"].([]any)
		if len(items) != 2 {
			t.Fatalf("ledger %s", r.Body)
		}
		newest := items[0].(map[string]any)
		if newest["purpose"] != "marketing_email" || newest["granted"] != false || newest["source"] != "api" || newest["gpc"] != true {
			t.Errorf("newest ledger entry %v", newest)
		}
		// Bad input names the field; nobody else's choices are reachable.
		wantStatus(t, mo.do("PUT", "/me/preferences", map[string]any{"marketing_email": "yes"}), 400, "invalid")
		wantStatus(t, mo.do("PUT", "/me/preferences", map[string]any{"telemetry": true}), 400, "invalid")
		wantStatus(t, w.api.do("GET", "/me/preferences", nil), 401, "unauthenticated")
		if m := w.api.with(w.vicT).do("GET", "/me/preferences", nil).json(t); m["marketing_email"] != false {
			t.Errorf("another person's choices leak: %v", m)
		}
	})
}

func TestPrivacyPolicyThroughAPI(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		r := w.api.do("GET", "/privacy/policy", nil) // public
		wantStatus(t, r, 200, "")
		if m := r.json(t); m["version"] != float64(0) || m["body"] == "" {
			t.Fatalf("built-in policy %s", r.Body)
		}
		// Only site admins publish; others (a workspace owner too) get the
		// 404 /admin gives them.
		root, err := w.app.Accounts.CreateUser(context.Background(), account.SignupInput{Name: "Site Admin", Email: "root@example.com", Password: testkit.Password}, true)
		if err != nil {
			t.Fatal(err)
		}
		admin := w.api.with(testkit.MustToken(t, w.app, root))
		wantStatus(t, w.api.with(w.anaT).do("POST", "/admin/privacy/policies", map[string]any{"body": "b", "changelog": "c"}), 404, "not_found")
		wantStatus(t, admin.do("POST", "/admin/privacy/policies", map[string]any{"body": "", "changelog": ""}), 400, "invalid")
		r = admin.do("POST", "/admin/privacy/policies", map[string]any{"body": "# v1", "changelog": "first", "material": true})
		wantStatus(t, r, 201, "")
		if m := r.json(t); m["version"] != float64(1) || m["material"] != true {
			t.Fatalf("published %s", r.Body)
		}
		if items := w.api.do("GET", "/privacy/policies", nil).json(t)["items"].([]any); len(items) != 1 {
			t.Errorf("history %v", items)
		}
		wantStatus(t, w.api.with(w.moT).do("POST", "/me/policy-acceptances", map[string]any{"version": 0}), 400, "invalid")
		r = w.api.with(w.moT).do("POST", "/me/policy-acceptances", map[string]any{"version": 1})
		wantStatus(t, r, 200, "")
		wantStatus(t, w.api.do("POST", "/me/policy-acceptances", map[string]any{"version": 1}), 401, "unauthenticated")
	})
}

func TestAccountDeletionThroughAPI(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		mo := w.api.with(w.moT)
		wantStatus(t, mo.do("DELETE", "/me", map[string]any{"password": "not my password"}), 400, "invalid")
		r := mo.do("DELETE", "/me", map[string]any{"password": testkit.Password})
		wantStatus(t, r, 202, "")
		if r.json(t)["scheduled_for"] == nil {
			t.Fatalf("scheduled %s", r.Body)
		}
		if m := mo.do("GET", "/me", nil).json(t); m["deletion_scheduled_for"] == nil {
			t.Errorf("GET /me does not show the scheduled deletion: %v", m)
		}
		r = mo.do("POST", "/me/deletion/cancel", nil)
		wantStatus(t, r, 200, "")
		if r.json(t)["deletion_scheduled_for"] != nil {
			t.Errorf("after cancel %s", r.Body)
		}
		wantStatus(t, mo.do("POST", "/me/deletion/cancel", nil), 409, "conflict")
		// Ana is acme's only owner.
		wantStatus(t, w.api.with(w.anaT).do("DELETE", "/me", map[string]any{"password": testkit.Password}), 409, "conflict")
	})
}

func TestRestrictionThroughAPI(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		mo := w.api.with(w.moT)
		wantStatus(t, mo.do("PUT", "/me/preferences", map[string]any{"marketing_email": true}), 200, "")
		wantStatus(t, mo.do("DELETE", "/me/restriction", nil), 409, "conflict")
		r := mo.do("POST", "/me/restriction", nil)
		wantStatus(t, r, 200, "")
		if r.json(t)["restricted_at"] == nil {
			t.Fatalf("restricted %s", r.Body)
		}
		wantStatus(t, mo.do("POST", "/me/restriction", nil), 409, "conflict")
		m := mo.do("GET", "/me/preferences", nil).json(t)
		eff := m["effective"].(map[string]any)
		if m["restricted"] != true || m["marketing_email"] != true || eff["marketing_email"] != false || eff["product_email"] != false {
			t.Errorf("preferences while restricted: %v", m)
		}
		r = mo.do("DELETE", "/me/restriction", nil)
		wantStatus(t, r, 200, "")
		if r.json(t)["restricted_at"] != nil {
			t.Errorf("after lifting %s", r.Body)
		}
		if eff := mo.do("GET", "/me/preferences", nil).json(t)["effective"].(map[string]any); eff["marketing_email"] != true {
			t.Errorf("after lifting, the choices apply again: %v", eff)
		}
	})
}

func TestAdminsCorrectAMembersName(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ana, mo := w.api.with(w.anaT), w.api.with(w.moT)
		r := ana.do("PUT", "/workspaces/acme/members/"+w.mo.ID+"/name", map[string]any{"name": "  Mo Moreira "})
		wantStatus(t, r, 200, "")
		if r.json(t)["name"] != "Mo Moreira" {
			t.Fatalf("corrected %s", r.Body)
		}
		if m := mo.do("GET", "/me", nil).json(t); m["name"] != "Mo Moreira" {
			t.Errorf("the account's name %v", m["name"])
		}
		var label string
		if err := d.QueryRow(context.Background(), `SELECT target_label FROM audit_events WHERE action = 'member.rename'`).Scan(&label); err != nil || label != "" {
			t.Errorf("audit label %q %v: the name stays out of the trail", label, err)
		}
		wantStatus(t, ana.do("PUT", "/workspaces/acme/members/"+w.mo.ID+"/name", map[string]any{"name": ""}), 400, "invalid")
		wantStatus(t, mo.do("PUT", "/workspaces/acme/members/"+w.ana.ID+"/name", map[string]any{"name": "Ana X"}), 403, "forbidden")
		wantStatus(t, w.api.with(w.oT).do("PUT", "/workspaces/acme/members/"+w.mo.ID+"/name", map[string]any{"name": "X"}), 404, "not_found")
		wantStatus(t, ana.do("PUT", "/workspaces/acme/members/"+w.osc.ID+"/name", map[string]any{"name": "X"}), 404, "not_found")
	})
}
