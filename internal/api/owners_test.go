package api_test

import (
	"strings"
	"testing"

	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

// ownershipWorld adds project PAY (id returned) and team appsec to acme.
func ownershipWorld(t *testing.T, d *db.DB) (w world, pay, appsec string) {
	t.Helper()
	w = newWorld(t, d)
	r := w.api.with(w.anaT).do("POST", "/workspaces/acme/projects", map[string]any{"key": "PAY", "name": "Payments"})
	wantStatus(t, r, 201, "")
	pay, _ = r.json(t)["id"].(string)
	r = w.api.with(w.anaT).do("POST", "/workspaces/acme/teams", map[string]any{"slug": "appsec", "name": "AppSec"})
	wantStatus(t, r, 201, "")
	appsec, _ = r.json(t)["id"].(string)
	return w, pay, appsec
}

func TestOwnershipThroughAPI(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w, pay, appsec := ownershipWorld(t, d)
		mo, ana, vic := w.api.with(w.moT), w.api.with(w.anaT), w.api.with(w.vicT)
		body := map[string]any{"target": map[string]any{"type": "project", "id": pay}, "owners": []any{
			map[string]any{"kind": "user", "id": w.mo.ID, "role": "accountable"},
			map[string]any{"kind": "team", "id": appsec, "role": "security"},
		}}
		r := mo.do("PUT", "/workspaces/acme/owners", body)
		wantStatus(t, r, 200, "")
		m := r.json(t)
		if tg, _ := m["target"].(map[string]any); tg["label"] != "PAY" || tg["type"] != "project" || tg["id"] != pay {
			t.Errorf("target = %s", r.Body)
		}
		if os, _ := m["owners"].([]any); len(os) != 2 || os[0].(map[string]any)["name"] != "Mo Member" || os[1].(map[string]any)["name"] != "AppSec" {
			t.Errorf("owners = %s", r.Body)
		}

		r = vic.do("GET", "/workspaces/acme/ownership", nil)
		wantStatus(t, r, 200, "")
		m = r.json(t)
		if items, _ := m["items"].([]any); len(items) != 1 {
			t.Errorf("map = %s", r.Body)
		}
		if u, ok := m["unowned"].([]any); !ok || len(u) != 0 {
			t.Errorf("unowned = %s", r.Body)
		}
		r = vic.do("GET", "/workspaces/acme/ownership?owner="+w.vic.ID, nil)
		wantStatus(t, r, 200, "")
		if items, _ := r.json(t)["items"].([]any); len(items) != 0 {
			t.Errorf("vic owns %s", r.Body)
		}

		// Policy: members read, admins change.
		r = mo.do("GET", "/workspaces/acme/ownership/policy", nil)
		wantStatus(t, r, 200, "")
		if r.json(t)["require_accountable"] != false {
			t.Errorf("policy = %s", r.Body)
		}
		wantStatus(t, mo.do("PUT", "/workspaces/acme/ownership/policy", map[string]any{"require_accountable": true}), 403, "forbidden")
		wantStatus(t, ana.do("PUT", "/workspaces/acme/ownership/policy", map[string]any{"require_accountable": true}), 200, "")
		f := wantStatus(t, mo.do("PUT", "/workspaces/acme/owners", map[string]any{"target": map[string]any{"type": "project", "id": pay}, "owners": []any{}}), 400, "invalid")
		if _, ok := f["owners"]; !ok {
			t.Errorf("fields = %v", f)
		}

		// Mo leaves: a gap; the transfer to Ana closes it.
		wantStatus(t, ana.do("DELETE", "/workspaces/acme/members/"+w.mo.ID, nil), 204, "")
		r = vic.do("GET", "/workspaces/acme/ownership", nil)
		m = r.json(t)
		gaps, _ := m["gaps"].([]any)
		if len(gaps) != 1 || gaps[0].(map[string]any)["problem"] != "owner left the workspace" {
			t.Fatalf("gaps = %s", r.Body)
		}
		if u, _ := m["unowned"].([]any); len(u) != 1 {
			t.Errorf("unowned = %s", r.Body)
		}
		wantStatus(t, vic.do("POST", "/workspaces/acme/ownership/transfer", map[string]any{"from_user": w.mo.ID, "to": map[string]any{"kind": "user", "id": w.ana.ID}}), 403, "forbidden")
		r = ana.do("POST", "/workspaces/acme/ownership/transfer", map[string]any{"from_user": w.mo.ID, "to": map[string]any{"kind": "user", "id": w.ana.ID}})
		wantStatus(t, r, 200, "")
		if r.json(t)["moved"] != float64(1) {
			t.Errorf("transfer = %s", r.Body)
		}
		r = vic.do("GET", "/workspaces/acme/ownership?owner="+w.ana.ID, nil)
		if items, _ := r.json(t)["items"].([]any); len(items) != 1 {
			t.Errorf("ana's map = %s", r.Body)
		}
		r = ana.do("GET", "/workspaces/acme/audit?action=ownership.", nil)
		wantStatus(t, r, 200, "")
		items, _ := r.json(t)["items"].([]any)
		if len(items) != 2+1+2 { // 2 assigned, policy, transfer pair
			t.Errorf("ownership audit events = %s", r.Body)
		}
		for _, it := range items { // labels name owners by id; readers resolve names
			if tg, _ := it.(map[string]any)["target"].(map[string]any); strings.Contains(tg["name"].(string), "Mo Member") || strings.Contains(tg["name"].(string), "AppSec") {
				t.Errorf("audit label carries a name: %v", tg)
			}
		}
	})
}

func TestOwnershipBadInputNeverFailsOrWrites(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w, pay, appsec := ownershipWorld(t, d)
		mo := w.api.with(w.moT)
		tgt := map[string]any{"type": "project", "id": pay}
		cases := []struct {
			name   string
			c      client
			method string
			path   string
			body   any
			status int
			field  string
		}{
			{"not an object", mo, "PUT", "/workspaces/acme/owners", "[]", 400, ""},
			{"unknown field", mo, "PUT", "/workspaces/acme/owners", map[string]any{"target": tgt, "owner": []any{}}, 400, "owner"},
			{"owners not a list", mo, "PUT", "/workspaces/acme/owners", map[string]any{"target": tgt, "owners": "mo"}, 400, ""},
			{"requirement target", mo, "PUT", "/workspaces/acme/owners", map[string]any{"target": map[string]any{"type": "requirement", "id": pay}}, 400, "target.type"},
			{"missing target", mo, "PUT", "/workspaces/acme/owners", map[string]any{"owners": []any{}}, 400, "target.type"},
			{"NUL id", mo, "PUT", "/workspaces/acme/owners", map[string]any{"target": map[string]any{"type": "project", "id": "a\x00b"}}, 400, "target.id"},
			{"NUL owner id", mo, "PUT", "/workspaces/acme/owners", map[string]any{"target": tgt, "owners": []any{map[string]any{"kind": "user", "id": "\x00", "role": "technical"}}}, 400, "owners[0].id"},
			{"bad role", mo, "PUT", "/workspaces/acme/owners", map[string]any{"target": tgt, "owners": []any{map[string]any{"kind": "user", "id": w.mo.ID, "role": "chief"}}}, 400, "owners[0].role"},
			{"bad kind", mo, "PUT", "/workspaces/acme/owners", map[string]any{"target": tgt, "owners": []any{map[string]any{"kind": "bot", "id": w.mo.ID, "role": "technical"}}}, 400, "owners[0].kind"},
			{"non-member", mo, "PUT", "/workspaces/acme/owners", map[string]any{"target": tgt, "owners": []any{
				map[string]any{"kind": "team", "id": appsec, "role": "security"}, map[string]any{"kind": "user", "id": w.osc.ID, "role": "technical"}}}, 400, "owners[1].id"},
			{"unknown target", mo, "PUT", "/workspaces/acme/owners", map[string]any{"target": map[string]any{"type": "release", "id": pay}}, 404, ""},
			{"viewer", w.api.with(w.vicT), "PUT", "/workspaces/acme/owners", map[string]any{"target": tgt}, 403, ""},
			{"foreigner", w.api.with(w.oT), "PUT", "/workspaces/acme/owners", map[string]any{"target": tgt}, 404, ""},
			{"foreigner map", w.api.with(w.oT), "GET", "/workspaces/acme/ownership", nil, 404, ""},
			{"long owner filter", mo, "GET", "/workspaces/acme/ownership?owner=" + strings.Repeat("x", 500), nil, 400, "owner"},
			{"policy without field", w.api.with(w.anaT), "PUT", "/workspaces/acme/ownership/policy", map[string]any{}, 400, "require_accountable"},
			{"policy wrong type", w.api.with(w.anaT), "PUT", "/workspaces/acme/ownership/policy", map[string]any{"require_accountable": "yes"}, 400, "require_accountable"},
			{"transfer to self", w.api.with(w.anaT), "POST", "/workspaces/acme/ownership/transfer", map[string]any{"from_user": w.mo.ID, "to": map[string]any{"kind": "user", "id": w.mo.ID}}, 400, "to.id"},
			{"transfer to foreign team", w.api.with(w.anaT), "POST", "/workspaces/acme/ownership/transfer", map[string]any{"from_user": w.mo.ID, "to": map[string]any{"kind": "team", "id": w.osc.ID}}, 400, "to.id"},
			{"transfer empty", w.api.with(w.anaT), "POST", "/workspaces/acme/ownership/transfer", map[string]any{}, 400, "from_user"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := c.c.do(c.method, c.path, c.body)
				if r.Status != c.status {
					t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Body)
				}
				if c.field != "" {
					if _, fields := r.errCode(t); fields[c.field] == nil {
						t.Errorf("fields = %v, want %s", fields, c.field)
					}
				}
			})
		}
		r := w.api.with(w.anaT).do("GET", "/workspaces/acme/audit?action=ownership.", nil)
		if items, _ := r.json(t)["items"].([]any); len(items) != 0 {
			t.Errorf("refused requests wrote audit events: %s", r.Body)
		}
	})
}
