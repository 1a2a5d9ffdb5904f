package web_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"shipshape/internal/app"
	"shipshape/internal/config"
	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

// newSiteWith is newSite with a changed configuration.
func newSiteWith(t *testing.T, d *db.DB, change func(*config.Config)) *site {
	t.Helper()
	clock := testkit.NewClock()
	cfg := testkit.Config(t)
	change(&cfg)
	a, err := app.New(cfg, testkit.Logger(), d, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return &site{app: a, srv: testkit.Server(t, a), clock: clock}
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed+1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// uploadRequest is the multipart form a browser sends for the upload form.
// streamed sends it chunked, without a Content-Length, written while the
// request is on its way.
func (b *browser) uploadRequest(path, filename string, data []byte, streamed bool) *http.Request {
	b.t.Helper()
	var body io.Reader
	var ctype string
	if streamed {
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		go func() {
			fw, err := mw.CreateFormFile("file", filename)
			if err == nil {
				_, err = io.Copy(fw, bytes.NewReader(data))
			}
			if err == nil {
				err = mw.Close()
			}
			pw.CloseWithError(err)
		}()
		body, ctype = pr, mw.FormDataContentType()
	} else {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, err := mw.CreateFormFile("file", filename)
		if err != nil {
			b.t.Fatal(err)
		}
		fw.Write(data)
		mw.Close()
		body, ctype = &buf, mw.FormDataContentType()
	}
	req, err := http.NewRequest(http.MethodPost, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Origin", b.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return req
}

func (b *browser) upload(path, filename string, data []byte, streamed bool) page {
	b.t.Helper()
	return b.do(b.uploadRequest(path, filename, data, streamed))
}

func sha(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

func TestReleaseFiles(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		b := s.browser(t)
		b.setup()
		b.createWorkspace("acme", "Acme")
		b.createProject("acme", "PAY", "Payments", "")
		ana := userByLogin(t, s, "ana@example.com", adminPassword)
		vi := testkit.MustUser(t, s.app, "Vi Park")
		testkit.MustJoin(t, s.app, ana, "acme", vi, "viewer")
		const rel = "/w/acme/p/PAY/r/2.0.0"
		expectStatus(t, b.post("/w/acme/p/PAY/releases", url.Values{"version": {"2.0.0"}}), http.StatusOK)

		big := randomBytes(3<<20, 7) // three times the form body limit
		t.Run("EmptyCard", func(t *testing.T) {
			p := b.get(rel)
			expectText(t, p, "Files 0", "No files yet.", "Upload a file", "Up to 4.0 GiB.")
			if !strings.Contains(p.Body, `enctype="multipart/form-data"`) || !strings.Contains(p.Body, `action="`+rel+`/files"`) {
				t.Error("no upload form")
			}
			expectCSPClean(t, p)
		})

		t.Run("UploadStreams", func(t *testing.T) {
			p := b.upload(rel+"/files", "payments-2.0.0.tar.gz", big, true)
			expectStatus(t, p, http.StatusOK)
			if p.URL.Path != rel || p.URL.Query().Get("notice") != "file-uploaded" {
				t.Errorf("after upload at %s", p.URL)
			}
			sum := sha(big)
			expectText(t, p, "File uploaded.", "Files 1", "payments-2.0.0.tar.gz", "3.0 MiB", sum[:12]+"…", "Ana Lima · just now", "Download")
			if !strings.Contains(p.Body, `title="`+sum+`"`) || !strings.Contains(p.Body, `data-copy-value="`+sum+`"`) {
				t.Errorf("the full SHA-256 %s is not on the page", sum)
			}
			expectCSPClean(t, p)
			// The same upload with a Content-Length works too.
			p = b.upload(rel+"/files", "notes.txt", []byte("hello, world\n"), false)
			expectStatus(t, p, http.StatusOK)
			expectText(t, p, "Files 2", "notes.txt", "13 B")
		})

		t.Run("Download", func(t *testing.T) {
			resp, err := b.client.Do(mustRequest(t, http.MethodGet, b.base+rel+"/files/payments-2.0.0.tar.gz"))
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !bytes.Equal(got, big) {
				t.Fatalf("download: %d, %d bytes, same=%v", resp.StatusCode, len(got), bytes.Equal(got, big))
			}
			h := resp.Header
			if cd := h.Get("Content-Disposition"); cd != `attachment; filename="payments-2.0.0.tar.gz"; filename*=UTF-8''payments-2.0.0.tar.gz` {
				t.Errorf("Content-Disposition = %q", cd)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Checksum-SHA256") != sha(big) {
				t.Errorf("headers: %v", h)
			}
			req := mustRequest(t, http.MethodGet, b.base+rel+"/files/payments-2.0.0.tar.gz")
			req.Header.Set("Range", "bytes=100-199")
			p := b.do(req)
			expectStatus(t, p, http.StatusPartialContent)
			if p.Body != string(big[100:200]) {
				t.Error("the range has the wrong bytes")
			}
			// Active content is never served as itself.
			b.upload(rel+"/files", "évil \"page\".html", []byte("<!doctype html><script>alert(1)</script>"), false)
			p = b.get(rel + "/files/" + url.PathEscape("évil \"page\".html"))
			expectStatus(t, p, http.StatusOK)
			if ct := p.Header.Get("Content-Type"); ct != "application/octet-stream" {
				t.Errorf("an HTML file is served as %q", ct)
			}
			if cd := p.Header.Get("Content-Disposition"); cd != `attachment; filename="_vil _page_.html"; filename*=UTF-8''%C3%A9vil%20%22page%22.html` {
				t.Errorf("Content-Disposition = %q", cd)
			}
			expectStatus(t, b.get(rel+"/files/missing.bin"), http.StatusNotFound)
		})

		t.Run("BadNameNextToTheField", func(t *testing.T) {
			for name, msg := range map[string]string{
				"bad/name.txt": `The file name must not contain / or \`,
				"two..dots":    `The file name must not be "." or contain ".."`,
			} {
				p := b.upload(rel+"/files", name, []byte("x"), false)
				expectStatus(t, p, http.StatusBadRequest)
				expectText(t, p, "The file was not uploaded.", msg)
				if !strings.Contains(p.Body, `id="upload-file-file-desc"`) {
					t.Error("the error is not next to the file input")
				}
				expectCSPClean(t, p)
			}
			p := b.upload(rel+"/files", "", []byte("x"), false)
			expectStatus(t, p, http.StatusBadRequest)
			expectText(t, p, "Choose a file to upload")
			// Not multipart at all.
			expectStatus(t, b.post(rel+"/files", url.Values{"file": {"x"}}), http.StatusBadRequest)
		})

		t.Run("CrossOriginRefused", func(t *testing.T) {
			req := b.uploadRequest(rel+"/files", "csrf.txt", []byte("x"), false)
			req.Header.Set("Origin", "https://evil.example")
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			expectStatus(t, b.do(req), http.StatusForbidden)
			expectNoText(t, b.get(rel), "csrf.txt")
		})

		t.Run("Delete", func(t *testing.T) {
			p := b.get(rel)
			if !strings.Contains(p.Body, `action="`+rel+`/files/notes.txt/delete"`) {
				t.Fatal("no delete form")
			}
			p = b.post(rel+"/files/notes.txt/delete", nil)
			expectStatus(t, p, http.StatusOK)
			expectText(t, p, "File deleted.", "Ana Lima deleted notes.txt from release PAY 2.0.0")
			if strings.Contains(p.Body, `href="`+rel+`/files/notes.txt"`) {
				t.Error("the deleted file is still listed")
			}
			expectStatus(t, b.get(rel+"/files/notes.txt"), http.StatusNotFound)
			expectStatus(t, b.post(rel+"/files/notes.txt/delete", nil), http.StatusNotFound)
		})

		t.Run("ViewerAndStranger", func(t *testing.T) {
			c := s.browser(t)
			c.mustLogin("vi.park@example.com", testkit.Password)
			p := c.get(rel)
			expectText(t, p, "payments-2.0.0.tar.gz", "Download")
			expectNoText(t, p, "Upload a file", "Files are frozen")
			if strings.Contains(p.Body, "/delete\"") || strings.Contains(p.Body, "multipart/form-data") {
				t.Error("a viewer sees the upload or delete forms")
			}
			expectStatus(t, c.get(rel+"/files/payments-2.0.0.tar.gz"), http.StatusOK)
			expectStatus(t, c.upload(rel+"/files", "v.txt", []byte("x"), false), http.StatusForbidden)
			expectStatus(t, c.post(rel+"/files/payments-2.0.0.tar.gz/delete", nil), http.StatusForbidden)

			testkit.MustUser(t, s.app, "Zed Out")
			z := s.browser(t)
			z.mustLogin("zed.out@example.com", testkit.Password)
			expectStatus(t, z.get(rel+"/files/payments-2.0.0.tar.gz"), http.StatusNotFound)
			expectStatus(t, z.upload(rel+"/files", "z.txt", []byte("x"), false), http.StatusNotFound)
			expectStatus(t, z.post(rel+"/files/payments-2.0.0.tar.gz/delete", nil), http.StatusNotFound)
			// Signed out: to the login page, no bytes.
			anon := s.browser(t)
			p = anon.get(rel + "/files/payments-2.0.0.tar.gz")
			if p.URL.Path != "/login" {
				t.Errorf("signed out download ends at %s", p.URL)
			}
		})

		t.Run("FrozenOnceReleased", func(t *testing.T) {
			for _, to := range []string{"in_progress", "in_review", "released"} {
				expectStatus(t, b.post(rel+"/move", url.Values{"to": {to}}), http.StatusOK)
			}
			p := b.get(rel)
			expectText(t, p, "Files are frozen since the release was released.", "payments-2.0.0.tar.gz")
			expectNoText(t, p, "Upload a file")
			if strings.Contains(p.Body, "multipart/form-data") || strings.Contains(p.Body, "/files/payments-2.0.0.tar.gz/delete") {
				t.Error("a released release offers file changes")
			}
			expectCSPClean(t, p)
			p = b.upload(rel+"/files", "late.txt", []byte("x"), false)
			expectStatus(t, p, http.StatusConflict)
			expectText(t, p, "The file was not uploaded: release 2.0.0 is released; its files can no longer change.")
			expectCSPClean(t, p)
			expectStatus(t, b.post(rel+"/files/payments-2.0.0.tar.gz/delete", nil), http.StatusConflict)
			expectStatus(t, b.get(rel+"/files/payments-2.0.0.tar.gz"), http.StatusOK)
		})
	})
}

func TestReleaseFileTooLarge(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSiteWith(t, d, func(c *config.Config) { c.MaxUpload = 1 << 20 })
		b := s.browser(t)
		b.setup()
		b.createWorkspace("acme", "Acme")
		b.createProject("acme", "PAY", "Payments", "")
		const rel = "/w/acme/p/PAY/r/1.0.0"
		b.post("/w/acme/p/PAY/releases", url.Values{"version": {"1.0.0"}})
		expectText(t, b.get(rel), "Up to 1.0 MiB.")

		// A declared length over the limit is refused before it is read.
		p := b.upload(rel+"/files", "big.bin", randomBytes(2<<20, 1), false)
		expectStatus(t, p, http.StatusRequestEntityTooLarge)
		expectText(t, p, "That was too much at once", "The file is larger than the limit of 1.0 MiB.")
		expectCSPClean(t, p)
		// Just over the limit, streamed: the service stops it.
		p = b.upload(rel+"/files", "big.bin", randomBytes(1<<20+1, 2), true)
		expectStatus(t, p, http.StatusRequestEntityTooLarge)
		expectText(t, p, "That was too much at once")
		p = b.get(rel)
		expectText(t, p, "No files yet.")
		expectNoText(t, p, "big.bin")
		// Exactly the limit fits, although it is larger than the form limit.
		p = b.upload(rel+"/files", "fits.bin", randomBytes(1<<20, 3), true)
		expectStatus(t, p, http.StatusOK)
		expectText(t, p, "fits.bin", "1.0 MiB")
		// Every other form keeps the small limit.
		p = b.post("/w/acme/p/PAY/releases", url.Values{"version": {"1.0.1"}, "description": {strings.Repeat("x", 2<<20)}})
		expectStatus(t, p, http.StatusRequestEntityTooLarge)
	})
}
