package api_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shipshape/internal/app"
	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

const fileLimit = 8 << 20

// fileWorld is releaseWorld with an upload limit of 8 MiB and release
// 1.0.0 of acme/PAY.
func fileWorld(t *testing.T, d *db.DB) (world, string) {
	t.Helper()
	cfg := testkit.Config(t)
	cfg.MaxUpload = fileLimit
	a, err := app.New(cfg, testkit.Logger(), d, testkit.NewClock().Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	w := newWorldWith(t, d, a)
	wantStatus(t, w.api.with(w.anaT).do("POST", "/workspaces/acme/projects", map[string]any{"key": "PAY", "name": "Payments"}), 201, "")
	wantStatus(t, w.api.with(w.oT).do("POST", "/workspaces/other/projects", map[string]any{"key": "PAY", "name": "Other payments"}), 201, "")
	wantStatus(t, w.api.with(w.moT).do("POST", rel, map[string]any{"version": "1.0.0"}), 201, "")
	return w, cfg.FilesDir()
}

const files = rel + "/1.0.0/files"

// raw sends body as is (size -1: chunked) and does not follow redirects.
func (c client) raw(method, path string, body io.Reader, size int64, hdr ...string) response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+"/api/v1"+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.ContentLength = size
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	cl := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := cl.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 500 {
		c.t.Errorf("%s %s: status %d: %s", method, path, res.StatusCode, b)
	}
	return response{res.StatusCode, res.Header, b}
}

func (c client) put(name string, body []byte) response {
	c.t.Helper()
	return c.raw("PUT", files+"/"+name, bytes.NewReader(body), int64(len(body)))
}

// pattern is a deterministic body of n bytes, produced as it is read.
type pattern struct{ off, n int64 }

func (p *pattern) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	if int64(len(b)) > p.n-p.off {
		b = b[:p.n-p.off]
	}
	for i := range b {
		x := uint64(p.off + int64(i))
		b[i] = byte(x*2654435761>>13 ^ x)
	}
	p.off += int64(len(b))
	return len(b), nil
}

func patternBytes(off, n int64) []byte {
	all, _ := io.ReadAll(&pattern{n: off + n})
	return all[off:]
}

func shaHex(r io.Reader) string {
	h := sha256.New()
	io.Copy(h, r)
	return hex.EncodeToString(h.Sum(nil))
}

// storedFiles lists the regular files under the local store's directory.
func storedFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func waitEmpty(t *testing.T, dir string) {
	t.Helper()
	for i := 0; i < 100 && len(storedFiles(t, dir)) > 0; i++ {
		time.Sleep(20 * time.Millisecond)
	}
}

func TestReleaseFilesThroughAPI(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w, dir := fileWorld(t, d)
		mo := w.api.with(w.moT)
		r := mo.put("app.tar.gz", []byte("hello"))
		wantStatus(t, r, 201, "")
		m := r.json(t)
		if m["name"] != "app.tar.gz" || m["size"] != float64(5) || m["sha256"] != shaHex(strings.NewReader("hello")) ||
			m["content_type"] != "text/plain; charset=utf-8" || m["uploaded_by"] != w.mo.ID || m["uploaded_at"] == nil {
			t.Errorf("uploaded = %s", r.Body)
		}
		// 5 MiB, streamed from a generator (never a []byte on the client).
		const big = 5 << 20
		want := shaHex(&pattern{n: big})
		r = mo.raw("PUT", files+"/big.bin", &pattern{n: big}, big)
		wantStatus(t, r, 201, "")
		if m := r.json(t); m["sha256"] != want || m["size"] != float64(big) {
			t.Errorf("big = %s", r.Body)
		}
		r = w.api.with(w.vicT).do("GET", files, nil)
		wantStatus(t, r, 200, "")
		if items := r.json(t)["items"].([]any); len(items) != 2 || items[0].(map[string]any)["name"] != "app.tar.gz" {
			t.Errorf("list = %s", r.Body)
		}
		r = w.api.with(w.vicT).raw("GET", files+"/big.bin", nil, 0)
		wantStatus(t, r, 200, "")
		if shaHex(bytes.NewReader(r.Body)) != want || r.Header.Get("X-Checksum-SHA256") != want || r.Header.Get("ETag") != `"`+want+`"` {
			t.Errorf("download: sha %s, header %q, etag %q", shaHex(bytes.NewReader(r.Body)), r.Header.Get("X-Checksum-SHA256"), r.Header.Get("ETag"))
		}
		sum, _ := hex.DecodeString(want)
		if r.Header.Get("Digest") != "sha-256="+base64.StdEncoding.EncodeToString(sum) || r.Header.Get("Repr-Digest") != "sha-256=:"+base64.StdEncoding.EncodeToString(sum)+":" {
			t.Errorf("digest headers %q %q", r.Header.Get("Digest"), r.Header.Get("Repr-Digest"))
		}
		if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="big.bin"; filename*=UTF-8''big.bin` {
			t.Errorf("Content-Disposition %q", cd)
		}
		// Range.
		r = w.api.with(w.vicT).raw("GET", files+"/big.bin", nil, 0, "Range", "bytes=1000000-1000099")
		wantStatus(t, r, 206, "")
		if !bytes.Equal(r.Body, patternBytes(1000000, 100)) || r.Header.Get("Content-Range") != "bytes 1000000-1000099/5242880" {
			t.Errorf("range: %q %x", r.Header.Get("Content-Range"), r.Body[:8])
		}
		// Conditional: the ETag revalidates.
		r = w.api.with(w.vicT).raw("GET", files+"/big.bin", nil, 0, "If-None-Match", `"`+want+`"`)
		wantStatus(t, r, 304, "")
		// Replace.
		wantStatus(t, mo.put("big.bin", []byte("small now")), 201, "")
		r = mo.raw("GET", files+"/big.bin", nil, 0)
		if string(r.Body) != "small now" {
			t.Errorf("after replace: %q", r.Body)
		}
		// Active content is served inert.
		html := []byte("<!DOCTYPE html><html><script>alert(1)</script></html>")
		r = mo.put("page.html", html)
		wantStatus(t, r, 201, "")
		if ct := r.json(t)["content_type"]; ct != "text/html; charset=utf-8" {
			t.Errorf("sniffed %v", ct)
		}
		r = mo.raw("GET", files+"/page.html", nil, 0)
		if r.Header.Get("Content-Type") != "application/octet-stream" || r.Header.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment;") || !bytes.Equal(r.Body, html) {
			t.Errorf("html served as %q %q %q", r.Header.Get("Content-Type"), r.Header.Get("X-Content-Type-Options"), r.Header.Get("Content-Disposition"))
		}
		svg := []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
		wantStatus(t, mo.put("x.svg", svg), 201, "")
		if ct := mo.raw("GET", files+"/x.svg", nil, 0).Header.Get("Content-Type"); ct != "application/octet-stream" {
			t.Errorf("svg served as %q", ct)
		}
		// A UTF-8 name: exact in filename*, an ASCII stand-in in filename.
		wantStatus(t, mo.put("relat%C3%B3rio%20%22final%22.txt", []byte("x")), 201, "")
		r = mo.raw("GET", files+"/relat%C3%B3rio%20%22final%22.txt", nil, 0)
		if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="relat_rio _final_.txt"; filename*=UTF-8''relat%C3%B3rio%20%22final%22.txt` {
			t.Errorf("Content-Disposition %q", cd)
		}
		// Delete.
		wantStatus(t, mo.raw("DELETE", files+"/big.bin", nil, 0), 204, "")
		wantStatus(t, mo.raw("GET", files+"/big.bin", nil, 0), 404, "not_found")
		wantStatus(t, mo.raw("DELETE", files+"/big.bin", nil, 0), 404, "not_found")
		// Audit names release and file.
		r = w.api.with(w.anaT).do("GET", "/workspaces/acme/audit?action=release.", nil)
		if !strings.Contains(string(r.Body), `"PAY 1.0.0/app.tar.gz"`) || !strings.Contains(string(r.Body), `"release.file_delete"`) {
			t.Errorf("audit: %s", r.Body)
		}
		// Deleting the release removes the objects.
		wantStatus(t, w.api.with(w.anaT).do("DELETE", rel+"/1.0.0", nil), 204, "")
		if left := storedFiles(t, dir); len(left) != 0 {
			t.Errorf("objects left after deleting the release: %v", left)
		}
	})
}

func TestReleaseFileLimitsLeaveNothing(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w, dir := fileWorld(t, d)
		mo := w.api.with(w.moT)
		// Announced too large: refused before reading.
		wantStatus(t, mo.raw("PUT", files+"/a.bin", &pattern{n: fileLimit + 1}, fileLimit+1), 413, "too_large")
		// Chunked, too large: refused while streaming.
		wantStatus(t, mo.raw("PUT", files+"/a.bin", &pattern{n: fileLimit + 1}, -1), 413, "too_large")
		// Exactly the limit is fine; then the check below is about the
		// failures only.
		wantStatus(t, mo.raw("PUT", files+"/ok.bin", &pattern{n: fileLimit}, -1), 201, "")
		wantStatus(t, mo.raw("DELETE", files+"/ok.bin", nil, 0), 204, "")
		// A body shorter than announced: the client stops sending (half
		// close) after 1 of 2 MiB and waits for the answer.
		conn, err := net.Dial("tcp", strings.TrimPrefix(w.api.base, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "PUT /api/v1%s/short.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n", files, w.moT, 2<<20)
		io.Copy(conn, &pattern{n: 1 << 20})
		conn.(*net.TCPConn).CloseWrite()
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != 400 || !strings.Contains(string(body), "interrupted") {
			t.Errorf("short body: %d %s", res.StatusCode, body)
		}
		r := mo.do("GET", files, nil)
		if items := r.json(t)["items"].([]any); len(items) != 0 {
			t.Errorf("files after failures: %s", r.Body)
		}
		if left := storedFiles(t, dir); len(left) != 0 {
			t.Errorf("objects left: %v", left)
		}
		// JSON routes keep the 1 MiB limit.
		big := `{"version":"2.0.0","description":"` + strings.Repeat("x", 2<<20) + `"}`
		wantStatus(t, mo.do("POST", rel, big), 413, "too_large")
	})
}

func TestReleaseFileNamesAndAccess(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w, dir := fileWorld(t, d)
		mo := w.api.with(w.moT)
		// Names that reach the handler are validated (400, field name);
		// paths ServeMux cannot route to a name never reach it.
		for _, tc := range []struct {
			name   string
			status int
		}{
			{"..%2Fx", 400}, {"a%2Fb", 400}, {"a%2fb", 400}, {"a%5Cb", 400}, {"%2E%2E", 400}, {"%2E", 400},
			{"a%01b", 400}, {"a%7Fb", 400}, {"%20a", 400}, {"a%20", 400}, {"%E2%80%AEtxt.exe", 400}, {"%FF", 400},
			{strings.Repeat("n", 256), 400},
			{"a/b", 404},                           // two segments: no such route
			{"../x", 307}, {"..", 307}, {".", 307}, // ServeMux redirects to the cleaned path; nothing is read
		} {
			r := mo.put(tc.name, []byte("x"))
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
		wantStatus(t, mo.put(strings.Repeat("n", 255), []byte("x")), 201, "")
		wantStatus(t, mo.raw("DELETE", files+"/"+strings.Repeat("n", 255), nil, 0), 204, "")
		if left := storedFiles(t, dir); len(left) != 0 {
			t.Errorf("objects left: %v", left)
		}
		// Forms are refused: the body must be the file.
		wantStatus(t, mo.raw("PUT", files+"/f", strings.NewReader("a=b"), 3, "Content-Type", "multipart/form-data; boundary=x"), 415, "unsupported_media_type")
		// curl --data-binary @file labels the raw bytes as urlencoded: they are the file.
		wantStatus(t, mo.raw("PUT", files+"/raw.bin", strings.NewReader("a=b&c"), 5, "Content-Type", "application/x-www-form-urlencoded"), 201, "")
		wantStatus(t, mo.raw("DELETE", files+"/raw.bin", nil, 0), 204, "")

		wantStatus(t, mo.put("a.txt", []byte("a")), 201, "")
		vic, osc, anon := w.api.with(w.vicT), w.api.with(w.oT), w.api
		wantStatus(t, vic.put("b.txt", []byte("b")), 403, "forbidden")
		wantStatus(t, vic.raw("DELETE", files+"/a.txt", nil, 0), 403, "forbidden")
		wantStatus(t, vic.raw("GET", files+"/a.txt", nil, 0), 200, "")
		for _, q := range []struct{ m, p string }{{"PUT", files + "/b.txt"}, {"GET", files}, {"GET", files + "/a.txt"}, {"DELETE", files + "/a.txt"}} {
			wantStatus(t, osc.raw(q.m, q.p, strings.NewReader("b"), 1), 404, "not_found")
			wantStatus(t, anon.raw(q.m, q.p, strings.NewReader("b"), 1), 401, "unauthenticated")
		}
		wantStatus(t, mo.raw("GET", rel+"/9.9.9/files", nil, 0), 404, "not_found")
		wantStatus(t, mo.put("../9.9.9/files/x", []byte("x")), 307, "")
		// Released: frozen.
		for _, to := range []string{"in_progress", "in_review", "released"} {
			wantStatus(t, mo.do("POST", rel+"/1.0.0/transitions", map[string]any{"to": to}), 200, "")
		}
		wantStatus(t, mo.put("b.txt", []byte("b")), 409, "conflict")
		wantStatus(t, mo.put("a.txt", []byte("b")), 409, "conflict")
		wantStatus(t, mo.raw("DELETE", files+"/a.txt", nil, 0), 409, "conflict")
		r := mo.raw("GET", files+"/a.txt", nil, 0)
		wantStatus(t, r, 200, "")
		if string(r.Body) != "a" {
			t.Errorf("released file = %q", r.Body)
		}
	})
}
