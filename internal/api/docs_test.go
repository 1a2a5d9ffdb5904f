package api_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"shipshape/internal/app"
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

// docFileWorld is docsWorld on an app with an upload limit of fileLimit,
// a workspace document by Mo and an owners-only one by Ana; it returns the
// world, the local store's directory and the two documents' paths.
func docFileWorld(t *testing.T, d *db.DB) (w world, dir, open, secret string) {
	t.Helper()
	cfg := testkit.Config(t)
	cfg.MaxUpload = fileLimit
	a, err := app.New(cfg, testkit.Logger(), d, testkit.NewClock().Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	w = newWorldWith(t, d, a)
	r := w.api.with(w.moT).do("POST", "/workspaces/acme/documents", map[string]any{"title": "Design", "type": "design", "visibility": "workspace"})
	wantStatus(t, r, 201, "")
	open = "/workspaces/acme/documents/" + r.json(t)["id"].(string)
	r = w.api.with(w.anaT).do("POST", "/workspaces/acme/documents", map[string]any{"title": "Threats", "type": "threat_model", "visibility": "owners"})
	wantStatus(t, r, 201, "")
	secret = "/workspaces/acme/documents/" + r.json(t)["id"].(string)
	return w, cfg.FilesDir(), open, secret
}

func TestDocumentFilesThroughAPI(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w, dir, doc1, _ := docFileWorld(t, d)
		mo, vic := w.api.with(w.moT), w.api.with(w.vicT)
		files := doc1 + "/files"
		r := mo.raw("PUT", files+"/diagram.txt", strings.NewReader("hello"), 5)
		wantStatus(t, r, 201, "")
		m := r.json(t)
		if m["name"] != "diagram.txt" || m["size"] != float64(5) || m["sha256"] != shaHex(strings.NewReader("hello")) ||
			m["content_type"] != "text/plain; charset=utf-8" || m["uploaded_by"] != w.mo.ID || m["uploaded_at"] == nil {
			t.Errorf("uploaded = %s", r.Body)
		}
		// 5 MiB, streamed chunked from a generator.
		const big = 5 << 20
		want := shaHex(&pattern{n: big})
		r = mo.raw("PUT", files+"/big.bin", &pattern{n: big}, -1)
		wantStatus(t, r, 201, "")
		if m := r.json(t); m["sha256"] != want || m["size"] != float64(big) {
			t.Errorf("big = %s", r.Body)
		}
		r = vic.do("GET", files, nil)
		wantStatus(t, r, 200, "")
		if items := r.json(t)["items"].([]any); len(items) != 2 || items[0].(map[string]any)["name"] != "big.bin" {
			t.Errorf("list = %s", r.Body)
		}
		// Download: the bytes, attachment, nosniff, digests, Range.
		r = vic.raw("GET", files+"/big.bin", nil, 0)
		wantStatus(t, r, 200, "")
		if shaHex(bytes.NewReader(r.Body)) != want || r.Header.Get("X-Checksum-SHA256") != want || r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("download: sha %s, headers %v", shaHex(bytes.NewReader(r.Body)), r.Header)
		}
		if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="big.bin"; filename*=UTF-8''big.bin` {
			t.Errorf("Content-Disposition %q", cd)
		}
		r = vic.raw("GET", files+"/big.bin", nil, 0, "Range", "bytes=1000000-1000099")
		wantStatus(t, r, 206, "")
		if !bytes.Equal(r.Body, patternBytes(1000000, 100)) {
			t.Error("the range has the wrong bytes")
		}
		html := []byte("<!DOCTYPE html><html><script>alert(1)</script></html>")
		wantStatus(t, mo.raw("PUT", files+"/page.html", bytes.NewReader(html), int64(len(html))), 201, "")
		if ct := vic.raw("GET", files+"/page.html", nil, 0).Header.Get("Content-Type"); ct != "application/octet-stream" {
			t.Errorf("html served as %q", ct)
		}
		// Replace.
		wantStatus(t, mo.raw("PUT", files+"/big.bin", strings.NewReader("small now"), 9), 201, "")
		if r = vic.raw("GET", files+"/big.bin", nil, 0); string(r.Body) != "small now" {
			t.Errorf("after replace: %q", r.Body)
		}
		waitFiles(t, dir, 3)
		// Delete.
		wantStatus(t, mo.raw("DELETE", files+"/big.bin", nil, 0), 204, "")
		wantStatus(t, mo.raw("GET", files+"/big.bin", nil, 0), 404, "not_found")
		wantStatus(t, mo.raw("DELETE", files+"/big.bin", nil, 0), 404, "not_found")
		// Audit: under the document, with hashes instead of names.
		r = w.api.with(w.anaT).do("GET", "/workspaces/acme/audit?action=document.file.", nil)
		wantStatus(t, r, 200, "")
		if items := r.json(t)["items"].([]any); len(items) != 5 || strings.Contains(string(r.Body), "big.bin") || strings.Contains(string(r.Body), "Design") ||
			!strings.Contains(string(r.Body), `"document.file.delete"`) {
			t.Errorf("audit: %s", r.Body)
		}
		// Deleting the document removes its objects.
		wantStatus(t, mo.do("DELETE", doc1, nil), 204, "")
		wantStatus(t, vic.do("GET", files, nil), 404, "not_found")
		if left := storedFiles(t, dir); len(left) != 0 {
			t.Errorf("objects left after deleting the document: %v", left)
		}
	})
}

// waitFiles waits briefly for the store to hold n objects (replaced
// objects go after the commit) and fails otherwise.
func waitFiles(t *testing.T, dir string, n int) {
	t.Helper()
	for i := 0; i < 100 && len(storedFiles(t, dir)) != n; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if got := storedFiles(t, dir); len(got) != n {
		t.Errorf("%d objects stored, want %d: %v", len(got), n, got)
	}
}

func TestDocumentFileNamesAndAccess(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w, dir, doc1, secret := docFileWorld(t, d)
		mo := w.api.with(w.moT)
		files := doc1 + "/files"
		for _, tc := range []struct {
			name   string
			status int
		}{
			{"..%2Fx", 400}, {"a%2Fb", 400}, {"a%5Cb", 400}, {"%2E%2E", 400}, {"%2E", 400}, {"a%01b", 400},
			{"%20a", 400}, {"%E2%80%AEtxt.exe", 400}, {"%FF", 400}, {strings.Repeat("n", 256), 400},
			{"a/b", 404}, {"..", 307}, // no such route / ServeMux cleans the path; nothing is read
		} {
			r := mo.raw("PUT", files+"/"+tc.name, strings.NewReader("x"), 1)
			if r.Status != tc.status {
				t.Errorf("PUT %q: status %d, want %d: %s", tc.name, r.Status, tc.status, r.Body)
				continue
			}
			if tc.status == 400 {
				if _, f := r.errCode(t); f["name"] == nil {
					t.Errorf("PUT %q: no name field: %s", tc.name, r.Body)
				}
			}
		}
		if left := storedFiles(t, dir); len(left) != 0 {
			t.Errorf("objects left: %v", left)
		}
		wantStatus(t, mo.raw("PUT", files+"/f", strings.NewReader("a=b"), 3, "Content-Type", "multipart/form-data; boundary=x"), 415, "unsupported_media_type")
		wantStatus(t, mo.raw("PUT", files+"/a.txt", strings.NewReader("a"), 1), 201, "")

		// Viewers read but do not change; other workspaces and the signed
		// out see nothing; nobody but its owners sees an owners-only
		// document's files.
		vic, osc, anon := w.api.with(w.vicT), w.api.with(w.oT), w.api
		wantStatus(t, vic.raw("PUT", files+"/b.txt", strings.NewReader("b"), 1), 403, "forbidden")
		wantStatus(t, vic.raw("DELETE", files+"/a.txt", nil, 0), 403, "forbidden")
		wantStatus(t, vic.raw("GET", files+"/a.txt", nil, 0), 200, "")
		wantStatus(t, w.api.with(w.anaT).raw("PUT", secret+"/files/s.txt", strings.NewReader("s"), 1), 201, "")
		for _, q := range []struct{ m, p string }{{"PUT", files + "/b.txt"}, {"GET", files}, {"GET", files + "/a.txt"}, {"DELETE", files + "/a.txt"}} {
			wantStatus(t, osc.raw(q.m, q.p, strings.NewReader("b"), 1), 404, "not_found")
			wantStatus(t, osc.raw(q.m, strings.Replace(q.p, "/acme/", "/other/", 1), strings.NewReader("b"), 1), 404, "not_found")
			wantStatus(t, anon.raw(q.m, q.p, strings.NewReader("b"), 1), 401, "unauthenticated")
			sp := strings.Replace(q.p, doc1, secret, 1)
			wantStatus(t, mo.raw(q.m, sp, strings.NewReader("b"), 1), 404, "not_found")
			wantStatus(t, vic.raw(q.m, sp, strings.NewReader("b"), 1), 404, "not_found")
		}
		wantStatus(t, mo.raw("GET", "/workspaces/acme/documents/nope/files", nil, 0), 404, "not_found")
		wantStatus(t, w.api.with(w.anaT).raw("GET", secret+"/files/s.txt", nil, 0), 200, "")
	})
}

func TestDocumentFileLimitsThroughAPI(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w, dir, doc1, _ := docFileWorld(t, d)
		mo := w.api.with(w.moT)
		files := doc1 + "/files"
		wantStatus(t, mo.raw("PUT", files+"/a.bin", &pattern{n: fileLimit + 1}, fileLimit+1), 413, "too_large")
		wantStatus(t, mo.raw("PUT", files+"/a.bin", &pattern{n: fileLimit + 1}, -1), 413, "too_large")
		r := mo.do("GET", files, nil)
		if items := r.json(t)["items"].([]any); len(items) != 0 {
			t.Errorf("files after failures: %s", r.Body)
		}
		if left := storedFiles(t, dir); len(left) != 0 {
			t.Errorf("objects left: %v", left)
		}
		wantStatus(t, mo.raw("PUT", files+"/ok.bin", &pattern{n: fileLimit}, -1), 201, "")
	})
}

func TestDocumentEditConflictThroughAPI(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := docsWorld(t, d)
		mo, ana := w.api.with(w.moT), w.api.with(w.anaT)
		r := mo.do("POST", "/workspaces/acme/documents", map[string]any{"title": "RFC", "type": "rfc", "body": "v1", "visibility": "workspace"})
		wantStatus(t, r, 201, "")
		m := r.json(t)
		path := "/workspaces/acme/documents/" + m["id"].(string)
		if m["updated_by"] != w.mo.ID {
			t.Errorf("created: %s", r.Body)
		}
		r = ana.do("PATCH", path, map[string]any{"body": "ana's v2", "base_version": 1})
		wantStatus(t, r, 200, "")
		if m := r.json(t); m["version"] != float64(2) || m["updated_by"] != w.ana.ID {
			t.Errorf("patched: %s", r.Body)
		}
		fields := wantStatus(t, mo.do("PATCH", path, map[string]any{"body": "mo's v2", "base_version": 1}), 409, "conflict")
		if msg, _ := fields["base_version"].(string); !strings.Contains(msg, "current version is 2") {
			t.Errorf("conflict fields %v", fields)
		}
		if r = mo.do("GET", path, nil); r.json(t)["body"] != "ana's v2" {
			t.Errorf("the conflicting edit was saved: %s", r.Body)
		}
		wantStatus(t, mo.do("PATCH", path, map[string]any{"body": "mo's v3", "base_version": 2}), 200, "")
		wantStatus(t, mo.do("PATCH", path, map[string]any{"body": "x", "base_version": "2"}), 400, "invalid")
	})
}
