package api_test

import (
	"strings"
	"testing"

	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

func docsWorld(t *testing.T, d *db.DB) world {
	t.Helper()
	w := newWorld(t, d)
	wantStatus(t, w.api.with(w.anaT).do("POST", "/workspaces/acme/projects", map[string]any{"key": "PAY", "name": "Payments"}), 201, "")
	wantStatus(t, w.api.with(w.anaT).do("POST", "/workspaces/acme/projects/PAY/releases", map[string]any{"version": "1.0.0"}), 201, "")
	return w
}

func TestDocumentsThroughAPI(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := docsWorld(t, d)
		mo, vic, ana := w.api.with(w.moT), w.api.with(w.vicT), w.api.with(w.anaT)
		r := mo.do("POST", "/workspaces/acme/documents", map[string]any{"title": "Design", "type": "design", "body": "# one",
			"project": "PAY", "release": "1.0.0", "visibility": "workspace"})
		wantStatus(t, r, 201, "")
		m := r.json(t)
		id, _ := m["id"].(string)
		if m["body"] != "# one" || m["version"] != float64(1) || m["project"] != "PAY" || m["release"] != "1.0.0" {
			t.Fatalf("created %s", r.Body)
		}
		r = mo.do("PATCH", "/workspaces/acme/documents/"+id, map[string]any{"body": "# two"})
		wantStatus(t, r, 200, "")
		if m := r.json(t); m["version"] != float64(2) || m["body"] != "# two" {
			t.Fatalf("patched %s", r.Body)
		}
		r = vic.do("GET", "/workspaces/acme/documents/"+id, nil)
		wantStatus(t, r, 200, "")
		r = vic.do("GET", "/workspaces/acme/documents/"+id+"/versions", nil)
		wantStatus(t, r, 200, "")
		items := r.json(t)["items"].([]any)
		if len(items) != 2 || strings.Contains(string(r.Body), `"body"`) {
			t.Fatalf("versions %s", r.Body)
		}
		r = vic.do("GET", "/workspaces/acme/documents/"+id+"/versions/1", nil)
		wantStatus(t, r, 200, "")
		if r.json(t)["body"] != "# one" {
			t.Fatalf("version 1 %s", r.Body)
		}
		wantStatus(t, vic.do("GET", "/workspaces/acme/documents/"+id+"/versions/x", nil), 404, "not_found")
		wantStatus(t, vic.do("GET", "/workspaces/acme/documents/"+id+"/versions/3", nil), 404, "not_found")
		wantStatus(t, vic.do("PATCH", "/workspaces/acme/documents/"+id, map[string]any{"title": "x"}), 403, "forbidden")
		wantStatus(t, vic.do("POST", "/workspaces/acme/documents", map[string]any{"title": "x", "type": "other", "visibility": "workspace"}), 403, "forbidden")
		wantStatus(t, vic.do("DELETE", "/workspaces/acme/documents/"+id, nil), 403, "forbidden")
		// Another workspace sees nothing.
		wantStatus(t, w.api.with(w.oT).do("GET", "/workspaces/acme/documents/"+id, nil), 404, "not_found")

		// Owners-only: hidden from other members everywhere.
		r = mo.do("POST", "/workspaces/acme/documents", map[string]any{"title": "Threats", "type": "threat_model", "body": "b", "visibility": "owners"})
		wantStatus(t, r, 201, "")
		secret := r.json(t)["id"].(string)
		for _, c := range []struct{ method, path string }{{"GET", ""}, {"PATCH", ""}, {"GET", "/versions"}, {"GET", "/versions/1"}, {"DELETE", ""}} {
			var body any
			if c.method == "PATCH" {
				body = map[string]any{"title": "x"}
			}
			wantStatus(t, vic.do(c.method, "/workspaces/acme/documents/"+secret+c.path, body), 404, "not_found")
		}
		r = vic.do("GET", "/workspaces/acme/documents", nil)
		wantStatus(t, r, 200, "")
		if strings.Contains(string(r.Body), secret) || len(r.json(t)["items"].([]any)) != 1 {
			t.Fatalf("viewer list %s", r.Body)
		}
		r = ana.do("GET", "/workspaces/acme/documents?type=threat_model", nil)
		wantStatus(t, r, 200, "")
		if items := r.json(t)["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != secret {
			t.Fatalf("owner list %s", r.Body)
		}
		r = ana.do("GET", "/workspaces/acme/documents?project=PAY&limit=1", nil)
		wantStatus(t, r, 200, "")
		if items := r.json(t)["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != id || r.json(t)["next_cursor"] != nil {
			t.Fatalf("project list %s", r.Body)
		}
		wantStatus(t, mo.do("DELETE", "/workspaces/acme/documents/"+secret, nil), 204, "")
		wantStatus(t, mo.do("GET", "/workspaces/acme/documents/"+secret, nil), 404, "not_found")
		wantStatus(t, ana.do("DELETE", "/workspaces/acme/documents/"+id, nil), 204, "")
	})
}

func TestDocumentsBadInputNeverFails(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := docsWorld(t, d)
		mo := w.api.with(w.moT)
		ok := map[string]any{"title": "t", "type": "rfc", "body": "b", "visibility": "workspace"}
		with := func(k string, v any) map[string]any {
			m := map[string]any{}
			for a, b := range ok {
				m[a] = b
			}
			m[k] = v
			return m
		}
		cases := []struct {
			body   any
			status int
			field  string
		}{
			{with("type", "memo"), 400, "type"},
			{with("visibility", "public"), 400, "visibility"},
			{with("title", ""), 400, "title"},
			{with("title", strings.Repeat("t", 201)), 400, "title"},
			{with("body", strings.Repeat("b", 200_001)), 400, "body"},
			{with("release", "1.0.0"), 400, "release"},
			{with("visibility", "project"), 400, "visibility"},
			{with("project", "NOPE"), 404, "project"},
			{map[string]any{"title": "t", "type": "rfc", "visibility": "workspace", "project": "PAY", "release": "9.9.9"}, 404, "release"},
			{map[string]any{"title": "t", "type": "rfc", "visibility": "workspace", "project": "PAY", "release": "nope"}, 400, "release"},
			{with("extra", 1), 400, "extra"},
			{with("type", 7), 400, "type"},
		}
		for _, c := range cases {
			r := mo.do("POST", "/workspaces/acme/documents", c.body)
			code := "invalid"
			if c.status == 404 {
				code = "not_found"
			}
			fields := wantStatus(t, r, c.status, code)
			if _, ok := fields[c.field]; !ok {
				t.Errorf("%v: fields %v, want %s", c.body, fields, c.field)
			}
		}
		wantStatus(t, mo.do("POST", "/workspaces/acme/documents", `{"title":`), 400, "invalid")
		wantStatus(t, mo.do("GET", "/workspaces/acme/documents?type=memo", nil), 400, "invalid")
		wantStatus(t, mo.do("GET", "/workspaces/acme/documents?project=NOPE", nil), 404, "not_found")
		wantStatus(t, mo.do("GET", "/workspaces/acme/documents?cursor=zzz", nil), 400, "invalid")
		wantStatus(t, mo.do("GET", "/workspaces/acme/documents/nope", nil), 404, "not_found")
		wantStatus(t, mo.do("PATCH", "/workspaces/acme/documents/nope", map[string]any{"title": "x"}), 404, "not_found")
		r := mo.do("POST", "/workspaces/acme/documents", ok)
		wantStatus(t, r, 201, "")
		id := r.json(t)["id"].(string)
		wantStatus(t, mo.do("PATCH", "/workspaces/acme/documents/"+id, map[string]any{"type": "memo", "visibility": "project", "title": ""}), 400, "invalid")
		fields := wantStatus(t, mo.do("PATCH", "/workspaces/acme/documents/"+id, map[string]any{"visibility": "project"}), 400, "invalid")
		if _, ok := fields["visibility"]; !ok {
			t.Errorf("fields %v", fields)
		}
		r = mo.do("GET", "/workspaces/acme/documents/"+id+"/versions", nil)
		if n := len(r.json(t)["items"].([]any)); n != 1 {
			t.Errorf("bad input wrote versions: %d", n)
		}
	})
}

func TestSearchThroughAPI(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := docsWorld(t, d)
		mo, vic := w.api.with(w.moT), w.api.with(w.vicT)
		wantStatus(t, mo.do("POST", "/workspaces/acme/documents", map[string]any{"title": "Rollout <plan>", "type": "runbook",
			"body": "Canary first, then the <b>rest</b> of the fleet.", "project": "PAY", "visibility": "workspace"}), 201, "")
		wantStatus(t, mo.do("POST", "/workspaces/acme/documents", map[string]any{"title": "Canary threats", "type": "threat_model",
			"body": "secret canary", "visibility": "owners"}), 201, "")

		// The snippet is HTML: the body's own markup is escaped (SQLite) or
		// dropped (PostgreSQL's ts_headline skips tags), never passed on.
		r := vic.do("GET", "/workspaces/acme/search?q=canary", nil)
		wantStatus(t, r, 200, "")
		items := r.json(t)["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("viewer's results: %s", r.Body)
		}
		it := items[0].(map[string]any)
		if it["type"] != "document" || it["title"] != "Rollout <plan>" || it["project"] != "PAY" || it["id"] == "" ||
			!strings.Contains(it["snippet"].(string), "<mark>Canary</mark> first") || strings.Contains(it["snippet"].(string), "<b>") {
			t.Fatalf("item %s", r.Body)
		}
		if items := mo.do("GET", "/workspaces/acme/search?q=canary", nil).json(t)["items"].([]any); len(items) != 2 {
			t.Errorf("the creator sees %d results, want 2", len(items))
		}
		for _, q := range []string{"%22", "*", "NEAR(", "a%3Ab", "-", "%5E", "(((", "OR"} {
			wantStatus(t, vic.do("GET", "/workspaces/acme/search?q="+q, nil), 200, "")
		}
		wantStatus(t, vic.do("GET", "/workspaces/acme/search?q="+strings.Repeat("x", 501), nil), 400, "invalid")
		wantStatus(t, vic.do("GET", "/workspaces/acme/search?q=x&limit=0", nil), 400, "invalid")
		wantStatus(t, vic.do("GET", "/workspaces/acme/search?q=x&limit=51", nil), 400, "invalid")
		wantStatus(t, w.api.with(w.oT).do("GET", "/workspaces/acme/search?q=canary", nil), 404, "not_found")
	})
}
