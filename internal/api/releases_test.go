package api_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

const rel = "/workspaces/acme/projects/PAY/releases"

func releaseWorld(t *testing.T, d *db.DB) world {
	t.Helper()
	w := newWorld(t, d)
	wantStatus(t, w.api.with(w.anaT).do("POST", "/workspaces/acme/projects", map[string]any{"key": "PAY", "name": "Payments"}), 201, "")
	wantStatus(t, w.api.with(w.oT).do("POST", "/workspaces/other/projects", map[string]any{"key": "PAY", "name": "Other payments"}), 201, "")
	return w
}

func TestReleaseLifecycleThroughAPI(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := releaseWorld(t, d)
		mo := w.api.with(w.moT)
		r := mo.do("POST", rel, map[string]any{"version": "1.2.0-rc.1+build.5", "name": "Spring", "description": "# Notes", "target_date": "2026-03-31"})
		wantStatus(t, r, 201, "")
		m := r.json(t)
		for _, k := range []string{"id", "version", "name", "description", "status", "target_date", "released_at", "owners", "created_by", "created_at", "updated_at", "overdue"} {
			if _, ok := m[k]; !ok {
				t.Errorf("release JSON lacks %q: %s", k, r.Body)
			}
		}
		if m["version"] != "1.2.0-rc.1+build.5" || m["status"] != "planned" || m["target_date"] != "2026-03-31" || m["released_at"] != nil ||
			m["overdue"] != false || m["created_by"] != w.mo.ID {
			t.Errorf("created = %s", r.Body)
		}
		if o, ok := m["owners"].([]any); !ok || len(o) != 0 {
			t.Errorf("owners = %v, want []", m["owners"])
		}
		// '+' in the path, as is or escaped; build metadata may be left off.
		for _, v := range []string{"1.2.0-rc.1+build.5", "1.2.0-rc.1%2Bbuild.5", "1.2.0-rc.1%2bbuild.5", "1.2.0-rc.1"} {
			r := mo.do("GET", rel+"/"+v, nil)
			wantStatus(t, r, 200, "")
			if r.json(t)["id"] != m["id"] {
				t.Errorf("GET %s = %s", v, r.Body)
			}
		}
		wantStatus(t, mo.do("GET", rel+"/1.2.0-rc.2", nil), 404, "not_found")
		wantStatus(t, mo.do("GET", rel+"/banana", nil), 404, "not_found")

		r = mo.do("PATCH", rel+"/1.2.0-rc.1%2Bbuild.5", map[string]any{"name": "Spring release", "target_date": nil})
		wantStatus(t, r, 200, "")
		if m := r.json(t); m["name"] != "Spring release" || m["target_date"] != nil || m["description"] != "# Notes" {
			t.Errorf("patched = %s", r.Body)
		}
		for _, to := range []string{"in_progress", "in_review", "released"} {
			r = mo.do("POST", rel+"/1.2.0-rc.1%2Bbuild.5/transitions", map[string]any{"to": to})
			wantStatus(t, r, 200, "")
			if r.json(t)["status"] != to {
				t.Errorf("after move to %s: %s", to, r.Body)
			}
		}
		if r.json(t)["released_at"] == nil {
			t.Errorf("released without released_at: %s", r.Body)
		}
		r = mo.do("POST", rel+"/1.2.0-rc.1+build.5/transitions", map[string]any{"to": "rolled_back", "reason": "errors in eu-west"})
		wantStatus(t, r, 200, "")
		r = w.api.with(w.vicT).do("GET", rel+"/1.2.0-rc.1%2Bbuild.5/transitions", nil)
		wantStatus(t, r, 200, "")
		items := r.json(t)["items"].([]any)
		if len(items) != 4 {
			t.Fatalf("history = %s", r.Body)
		}
		last := items[3].(map[string]any)
		if last["from"] != "released" || last["to"] != "rolled_back" || last["reason"] != "errors in eu-west" || last["actor_id"] != w.mo.ID || last["at"] == nil {
			t.Errorf("last transition = %v", last)
		}
		// Audit trail names the move.
		r = w.api.with(w.anaT).do("GET", "/workspaces/acme/audit?action=release.", nil)
		wantStatus(t, r, 200, "")
		if !strings.Contains(string(r.Body), `"PAY 1.2.0-rc.1+build.5 → rolled_back"`) {
			t.Errorf("audit lacks the transition: %s", r.Body)
		}
		// It shipped (and was rolled back): it keeps its record.
		wantStatus(t, w.api.with(w.anaT).do("DELETE", rel+"/1.2.0-rc.1%2Bbuild.5", nil), 409, "conflict")
		wantStatus(t, w.api.with(w.anaT).do("POST", rel, map[string]any{"version": "9.9.9"}), 201, "")
		wantStatus(t, w.api.with(w.anaT).do("DELETE", rel+"/9.9.9", nil), 204, "")
		wantStatus(t, mo.do("GET", rel+"/9.9.9", nil), 404, "not_found")
	})
}

func TestReleaseAuthMatrix(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := releaseWorld(t, d)
		wantStatus(t, w.api.with(w.anaT).do("POST", rel, map[string]any{"version": "1.0.0"}), 201, "")
		type req struct {
			method, path string
			body         any
		}
		reads := []req{{"GET", rel, nil}, {"GET", rel + "/1.0.0", nil}, {"GET", rel + "/1.0.0/transitions", nil}}
		writes := []req{
			{"POST", rel, map[string]any{"version": "2.0.0"}},
			{"PATCH", rel + "/1.0.0", map[string]any{"name": "One"}},
			{"POST", rel + "/1.0.0/transitions", map[string]any{"to": "in_progress"}},
		}
		del := req{"DELETE", rel + "/1.0.0", nil}
		all := append(append(slices.Clone(reads), writes...), del)
		// No token: 401. Another workspace's owner: 404 everywhere.
		for _, q := range all {
			wantStatus(t, w.api.do(q.method, q.path, q.body), 401, "unauthenticated")
			wantStatus(t, w.api.with(w.oT).do(q.method, q.path, q.body), 404, "not_found")
		}
		// Viewer reads only.
		for _, q := range reads {
			wantStatus(t, w.api.with(w.vicT).do(q.method, q.path, q.body), 200, "")
		}
		for _, q := range append(slices.Clone(writes), del) {
			wantStatus(t, w.api.with(w.vicT).do(q.method, q.path, q.body), 403, "forbidden")
		}
		// Member writes but does not delete; the owner deletes.
		wantStatus(t, w.api.with(w.moT).do(writes[0].method, writes[0].path, writes[0].body), 201, "")
		for _, q := range writes[1:] {
			wantStatus(t, w.api.with(w.moT).do(q.method, q.path, q.body), 200, "")
		}
		wantStatus(t, w.api.with(w.moT).do(del.method, del.path, nil), 403, "forbidden")
		wantStatus(t, w.api.with(w.anaT).do(del.method, del.path, nil), 204, "")
	})
}

func TestReleaseBadInput(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := releaseWorld(t, d)
		mo := w.api.with(w.moT)
		wantStatus(t, mo.do("POST", rel, map[string]any{"version": "1.0.0+a"}), 201, "")
		for _, c := range []struct {
			method, path string
			body         any
			status       int
			code         string
			field        string
		}{
			{"POST", rel, map[string]any{"version": "1.0"}, 400, "invalid", "version"},
			{"POST", rel, map[string]any{"version": "v1.0.0"}, 400, "invalid", "version"},
			{"POST", rel, map[string]any{"version": "1.0.0-01"}, 400, "invalid", "version"},
			{"POST", rel, map[string]any{}, 400, "invalid", "version"},
			{"POST", rel, map[string]any{"version": 1}, 400, "invalid", "version"},
			{"POST", rel, map[string]any{"version": "1.0.0+b"}, 409, "conflict", "version"},
			{"POST", rel, map[string]any{"version": "1.0.0"}, 409, "conflict", "version"},
			{"POST", rel, map[string]any{"version": "2.0.0", "name": strings.Repeat("n", 101)}, 400, "invalid", "name"},
			{"POST", rel, map[string]any{"version": "2.0.0", "description": strings.Repeat("d", 50001)}, 400, "invalid", "description"},
			{"POST", rel, map[string]any{"version": "2.0.0", "target_date": "2026-13-01"}, 400, "invalid", "target_date"},
			{"POST", rel, map[string]any{"version": "2.0.0", "target_date": "2026-03-01T00:00:00Z"}, 400, "invalid", "target_date"},
			{"POST", rel, map[string]any{"version": "2.0.0", "status": "released"}, 400, "invalid", "status"},
			{"PATCH", rel + "/1.0.0", map[string]any{"target_date": "soon"}, 400, "invalid", "target_date"},
			{"PATCH", rel + "/1.0.0", map[string]any{"version": "9.9.9"}, 400, "invalid", "version"},
			{"PATCH", rel + "/1.0.0", map[string]any{"name": 5}, 400, "invalid", "name"},
			{"POST", rel + "/1.0.0/transitions", map[string]any{}, 400, "invalid", "to"},
			{"POST", rel + "/1.0.0/transitions", map[string]any{"to": "shipped"}, 400, "invalid", "to"},
			{"POST", rel + "/1.0.0/transitions", map[string]any{"to": "cancelled"}, 400, "invalid", "reason"},
			{"POST", rel + "/1.0.0/transitions", map[string]any{"to": "cancelled", "reason": strings.Repeat("r", 501)}, 400, "invalid", "reason"},
			{"POST", rel + "/1.0.0/transitions", map[string]any{"to": "released"}, 409, "conflict", "to"},
			{"GET", rel + "?status=shipped", nil, 400, "invalid", "status"},
			{"GET", rel + "?limit=0", nil, 400, "invalid", "limit"},
			{"GET", rel + "?limit=201", nil, 400, "invalid", "limit"},
		} {
			fields := wantStatus(t, mo.do(c.method, c.path, c.body), c.status, c.code)
			if _, ok := fields[c.field]; !ok {
				t.Errorf("%s %s %v: fields %v, want %s", c.method, c.path, c.body, fields, c.field)
			}
		}
		r := mo.do("POST", rel+"/1.0.0/transitions", map[string]any{"to": "released"})
		wantStatus(t, r, 409, "conflict")
		if msg := r.json(t)["error"].(map[string]any)["message"]; msg != "cannot move from planned to released; allowed: in_progress, cancelled" {
			t.Errorf("message = %q", msg)
		}
		wantStatus(t, mo.do("POST", rel, "not json"), 400, "invalid")
		wantStatus(t, mo.do("GET", "/workspaces/acme/projects/NOPE/releases", nil), 404, "not_found")
		wantStatus(t, mo.do("POST", "/workspaces/acme/projects/NOPE/releases", map[string]any{"version": "1.0.0"}), 404, "not_found")
	})
}

func TestReleaseListPagesThroughAPI(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := releaseWorld(t, d)
		mo := w.api.with(w.moT)
		want := []string{"2.0.0", "1.10.0", "1.9.0", "1.0.0", "1.0.0-rc.1", "1.0.0-beta.11", "1.0.0-beta.2", "1.0.0-beta", "1.0.0-alpha.beta",
			"1.0.0-alpha.1", "1.0.0-alpha+exp.sha.5114f85", "0.0.1-" + strings.Repeat("1.", 40) + "x"}
		for _, v := range want {
			wantStatus(t, mo.do("POST", rel, map[string]any{"version": v}), 201, "")
		}
		var got []string
		next := ""
		for i := 0; i < 10; i++ {
			path := rel + "?limit=5"
			if next != "" {
				path += "&cursor=" + url.QueryEscape(next)
			}
			r := mo.do("GET", path, nil)
			wantStatus(t, r, 200, "")
			m := r.json(t)
			for _, it := range m["items"].([]any) {
				got = append(got, it.(map[string]any)["version"].(string))
			}
			if m["next_cursor"] == nil {
				break
			}
			next = m["next_cursor"].(string)
		}
		if !slices.Equal(got, want) {
			t.Errorf("versions %v\nwant %v", got, want)
		}
		wantStatus(t, mo.do("POST", rel+"/1.9.0/transitions", map[string]any{"to": "in_progress"}), 200, "")
		r := mo.do("GET", rel+"?status=in_progress", nil)
		wantStatus(t, r, 200, "")
		if items := r.json(t)["items"].([]any); len(items) != 1 || items[0].(map[string]any)["version"] != "1.9.0" {
			t.Errorf("in_progress = %s", r.Body)
		}
	})
}
