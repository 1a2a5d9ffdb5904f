package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"shipshape/internal/config"
	"shipshape/internal/db"
	"shipshape/internal/doc"
	"shipshape/internal/testkit"
)

// docBodyV1 and docBodyV2 differ in one line (line 10) and the title, so
// the diff has one hunk after "⋯ 6 unchanged lines".
const (
	docBodyV1 = "# Refunds API\n\nUses **idempotency keys**.\n\n<script>alert(1)</script>\n\nstep 6\nstep 7\nstep 8\nRetries: three\nstep 11\nstep 12\nstep 13\nstep 14\nstep 15\n"
	docBodyV2 = "# Refunds API\n\nUses **idempotency keys**.\n\n<script>alert(1)</script>\n\nstep 6\nstep 7\nstep 8\nRetries: five, with backoff\nstep 11\nstep 12\nstep 13\nstep 14\nstep 15\n"
)

var docPathRE = regexp.MustCompile(`^/w/acme/docs/([^/]+)$`)

// createDoc posts the new-document form and returns the document's path.
func (b *browser) createDoc(form url.Values) string {
	b.t.Helper()
	p := b.post("/w/acme/docs", form)
	expectStatus(b.t, p, http.StatusOK)
	if !docPathRE.MatchString(p.URL.Path) {
		b.t.Fatalf("after creating a document at %s:\n%s", p.URL, p.Text())
	}
	return p.URL.Path
}

func docCount(t *testing.T, s *site, userID string) int {
	t.Helper()
	page, err := s.app.Docs.List(context.Background(), userID, "acme", doc.ListFilter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	return len(page.Items)
}

func TestDocuments(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		b := s.browser(t)
		b.setup()
		b.createWorkspace("acme", "Acme")
		b.createProject("acme", "PAY", "Payments", "")
		b.post("/w/acme/p/PAY/releases", url.Values{"version": {"2.0.0"}})
		ana := userByLogin(t, s, "ana@example.com", adminPassword)
		bo := testkit.MustUser(t, s.app, "Bo Chen")
		testkit.MustJoin(t, s.app, ana, "acme", bo, "member")
		vi := testkit.MustUser(t, s.app, "Vi Park")
		testkit.MustJoin(t, s.app, ana, "acme", vi, "viewer")
		bob := s.browser(t)
		bob.mustLogin("bo.chen@example.com", testkit.Password)
		vib := s.browser(t)
		vib.mustLogin("vi.park@example.com", testkit.Password)

		var path string // the Refunds document

		t.Run("CreateThroughTheForm", func(t *testing.T) {
			p := b.get("/w/acme/docs")
			expectStatus(t, p, http.StatusOK)
			expectText(t, p, "Documents", "No documents yet", "New document")
			expectCSPClean(t, p)
			if !strings.Contains(p.Body, `href="/w/acme/docs" aria-current="page"`) {
				t.Error("the Documents navigation link is not current")
			}

			// The release page's "Add document" link prefills project and release.
			p = b.get("/w/acme/docs/new?project=PAY&release=2.0.0")
			expectStatus(t, p, http.StatusOK)
			expectText(t, p, "New document", "Design doc", "Threat model", "Security requirements", "Whole workspace", "Project members", "Owners only")
			expectCSPClean(t, p)
			for _, want := range []string{`<option value="PAY" selected>`, `name="release" type="text" value="2.0.0"`, `value="workspace" checked`, `<option value="design" selected>`} {
				if !strings.Contains(p.Body, want) {
					t.Errorf("the new-document form lacks %s", want)
				}
			}

			path = b.createDoc(url.Values{"title": {"Refunds API"}, "type": {"design"}, "project": {"PAY"}, "release": {"2.0.0"},
				"visibility": {"workspace"}, "body": {strings.ReplaceAll(docBodyV1, "\n", "\r\n")}})
			p = b.get(path)
			expectText(t, p, "Refunds API", "Design doc", "Version 1 (current)", "Ana Lima", "Whole workspace", "Every member of this workspace can read it.",
				"Edit", "History", "Delete…", "from Shipshape entirely", "its only version", "hash of its title")
			expectCSPClean(t, p)
			if !strings.Contains(p.Body, "<strong>idempotency keys</strong>") {
				t.Error("the body is not rendered as Markdown")
			}
			if strings.Contains(p.Body, "<script>alert") || strings.Contains(p.Body, "alert(1)</script>") {
				t.Error("a script in the body reaches the page")
			}
			for _, href := range []string{`href="/w/acme/p/PAY"`, `href="/w/acme/p/PAY/r/2.0.0"`, `href="` + path + `/edit"`, `href="` + path + `/history"`, `action="` + path + `/delete"`} {
				if !strings.Contains(p.Body, href) {
					t.Errorf("the document page lacks %s", href)
				}
			}

			p = b.get(path + "?notice=document-created")
			expectText(t, p, "Document created.")
			p = b.get("/w/acme/docs")
			expectText(t, p, "Refunds API", "Design doc", "PAY", "2.0.0", "v1", "just now")
		})

		t.Run("PreviewDoesNotSave", func(t *testing.T) {
			before := docCount(t, s, ana.ID)
			p := b.post("/w/acme/docs", url.Values{"title": {"Draft"}, "type": {"rfc"}, "visibility": {"workspace"},
				"body": {"Some *emphasis* here."}, "preview": {"1"}})
			expectStatus(t, p, http.StatusOK)
			expectText(t, p, "Preview", "Not saved yet")
			expectCSPClean(t, p)
			if !strings.Contains(p.Body, "<em>emphasis</em>") {
				t.Error("the preview is not rendered Markdown")
			}
			if !strings.Contains(p.Body, `value="Draft"`) || !strings.Contains(p.Body, `<option value="rfc" selected>`) || !strings.Contains(p.Body, "Some *emphasis* here.</textarea>") {
				t.Error("the preview does not keep the form's values")
			}
			if after := docCount(t, s, ana.ID); after != before {
				t.Errorf("preview saved a document: %d → %d", before, after)
			}
		})

		t.Run("ValidationNextToFields", func(t *testing.T) {
			before := docCount(t, s, ana.ID)
			p := b.post("/w/acme/docs", url.Values{"title": {"  "}, "type": {"runbook"}, "visibility": {"workspace"}, "body": {"keep me"}})
			expectStatus(t, p, http.StatusBadRequest)
			expectText(t, p, "Please correct the highlighted fields.")
			expectCSPClean(t, p)
			if !strings.Contains(p.Body, `id="new-document-title-desc"`) || !strings.Contains(p.Body, "keep me</textarea>") {
				t.Errorf("the title error is not next to the field or the body was lost:\n%s", p.Body)
			}
			p = b.post("/w/acme/docs", url.Values{"title": {"x"}, "type": {"runbook"}, "visibility": {"project"}})
			expectStatus(t, p, http.StatusBadRequest)
			expectText(t, p, "Project visibility needs a project.")
			p = b.post("/w/acme/docs", url.Values{"title": {"x"}, "type": {"runbook"}, "visibility": {"workspace"}, "project": {"PAY"}, "release": {"9.9.9"}})
			expectText(t, p, "No such release in this project.") // the form comes back, filled in
			if !strings.Contains(p.Body, `value="9.9.9"`) {
				t.Error("the unknown release is not kept in the form")
			}
			if after := docCount(t, s, ana.ID); after != before {
				t.Errorf("a refused form saved a document: %d → %d", before, after)
			}
		})

		t.Run("EditMakesVersion2", func(t *testing.T) {
			p := b.get(path + "/edit")
			expectStatus(t, p, http.StatusOK)
			expectText(t, p, "Edit document", "Saving a changed title or body creates version 2")
			expectCSPClean(t, p)
			if !strings.Contains(p.Body, `value="Refunds API"`) || !strings.Contains(p.Body, "Retries: three") {
				t.Error("the edit form is not filled in")
			}
			// Preview on the edit form does not save either.
			p = b.post(path, url.Values{"title": {"Refunds API v2"}, "type": {"design"}, "visibility": {"workspace"}, "body": {docBodyV2}, "preview": {"1"}})
			expectStatus(t, p, http.StatusOK)
			expectText(t, p, "Preview", "Not saved yet", "Retries: five, with backoff")
			expectText(t, b.get(path), "Version 1 (current)")

			p = b.post(path, url.Values{"title": {""}, "type": {"design"}, "visibility": {"workspace"}, "body": {docBodyV2}})
			expectStatus(t, p, http.StatusBadRequest)
			if !strings.Contains(p.Body, `id="edit-document-title-desc"`) {
				t.Error("the edit form does not show the title error next to the field")
			}

			p = b.post(path, url.Values{"title": {"Refunds API v2"}, "type": {"design"}, "visibility": {"workspace"}, "body": {docBodyV2}})
			expectStatus(t, p, http.StatusOK)
			if p.URL.Path != path {
				t.Fatalf("after saving at %s", p.URL)
			}
			expectText(t, p, "Document saved.", "Refunds API v2", "Version 2 (current)", "Retries: five, with backoff")
			expectNoText(t, p, "Retries: three")
		})

		t.Run("History", func(t *testing.T) {
			p := b.get(path + "/history")
			expectStatus(t, p, http.StatusOK)
			expectText(t, p, "History of Refunds API v2", "2 versions", "Version 2", "Version 1", "Refunds API v2", "Ana Lima")
			expectCSPClean(t, p)
			for _, want := range []string{`href="` + path + `/v/1"`, `href="` + path + `/diff?from=1&amp;to=2"`,
				`<option value="1" selected>Version 1</option>`, `<option value="2" selected>Version 2</option>`, `action="` + path + `/diff"`} {
				if !strings.Contains(p.Body, want) {
					t.Errorf("the history lacks %s", want)
				}
			}
		})

		t.Run("Diff", func(t *testing.T) {
			p := b.get(path + "/diff?from=1&to=2")
			expectStatus(t, p, http.StatusOK)
			expectCSPClean(t, p)
			expectText(t, p, "Changes from version 1 to 2", "+1", "−1", "Title changed", "Refunds API", "Refunds API v2", "⋯ 6 unchanged lines", "⋯ 2 unchanged lines")
			del := `<tr class="diff-del"><td class="diff-n">10</td><td class="diff-n"></td><td class="diff-mark">−<span class="sr-only"> removed</span></td><td class="diff-text">Retries: three</td></tr>`
			add := `<tr class="diff-add"><td class="diff-n"></td><td class="diff-n">10</td><td class="diff-mark">+<span class="sr-only"> added</span></td><td class="diff-text">Retries: five, with backoff</td></tr>`
			ctx := `<tr class="diff-ctx"><td class="diff-n">7</td><td class="diff-n">7</td>`
			for _, want := range []string{del, add, ctx} {
				if !strings.Contains(p.Body, want) {
					t.Errorf("the diff lacks %s", want)
				}
			}
			if i, j := strings.Index(p.Body, del), strings.Index(p.Body, add); i < 0 || j < i {
				t.Error("the removed line does not come before the added one")
			}
			if strings.Contains(p.Body, `<td class="diff-n">1</td>`) {
				t.Error("lines far from the change are shown")
			}

			// Without from and to: what the latest version changed.
			expectText(t, b.get(path+"/diff"), "Changes from version 1 to 2", "Retries: five, with backoff")
			// A version against itself: nothing changed.
			expectText(t, b.get(path+"/diff?from=2&to=2"), "No differences", "comparing version 2 with itself")

			expectStatus(t, b.get(path+"/diff?from=one&to=2"), http.StatusBadRequest)
			expectStatus(t, b.get(path+"/diff?from=1&to=-2"), http.StatusBadRequest)
			expectStatus(t, b.get(path+"/diff?from=1&to=9"), http.StatusNotFound)
		})

		t.Run("OldVersion", func(t *testing.T) {
			p := b.get(path + "/v/1")
			expectStatus(t, p, http.StatusOK)
			expectCSPClean(t, p)
			expectText(t, p, "You are viewing version 1 of 2", "Retries: three", "View the current version")
			expectNoText(t, p, "Retries: five", "Delete…")
			if !strings.Contains(p.Body, `href="`+path+`"`) {
				t.Error("no link to the current version")
			}
			expectNoText(t, b.get(path+"/v/2"), "You are viewing version")
			for _, n := range []string{"0", "3", "x"} {
				expectStatus(t, b.get(path+"/v/"+n), http.StatusNotFound)
			}
		})

		t.Run("ViewerReadsOnly", func(t *testing.T) {
			p := vib.get(path)
			expectStatus(t, p, http.StatusOK)
			expectText(t, p, "Refunds API v2", "History")
			expectNoText(t, p, "Delete…", "Danger zone")
			if strings.Contains(p.Body, `href="`+path+`/edit"`) || strings.Contains(p.Body, `<form method="post" action="/w/`) {
				t.Error("a viewer sees edit or delete controls")
			}
			expectNoText(t, vib.get("/w/acme/docs"), "New document")
			expectStatus(t, vib.get("/w/acme/docs/new"), http.StatusForbidden)
			expectStatus(t, vib.get(path+"/edit"), http.StatusForbidden)
			expectStatus(t, vib.post(path, url.Values{"title": {"Hijacked"}, "type": {"design"}, "visibility": {"workspace"}, "body": {"x"}}), http.StatusForbidden)
			expectStatus(t, vib.post(path, url.Values{"title": {"x"}, "preview": {"1"}}), http.StatusForbidden)
			expectStatus(t, vib.post("/w/acme/docs", url.Values{"title": {"Mine"}, "type": {"other"}, "visibility": {"workspace"}}), http.StatusForbidden)
			expectStatus(t, vib.post(path+"/delete", nil), http.StatusForbidden)
			expectText(t, b.get(path), "Refunds API v2")
		})

		t.Run("OtherWorkspaceGets404", func(t *testing.T) {
			zed := testkit.MustUser(t, s.app, "Zed Out")
			testkit.MustWorkspace(t, s.app, zed, "elsewhere")
			c := s.browser(t)
			c.mustLogin("zed.out@example.com", testkit.Password)
			for _, p := range []string{path, path + "/history", path + "/v/1", path + "/diff", path + "/edit", "/w/acme/docs"} {
				expectStatus(t, c.get(p), http.StatusNotFound)
			}
			expectStatus(t, c.post(path, url.Values{"title": {"x"}, "type": {"design"}, "visibility": {"workspace"}}), http.StatusNotFound)
			expectStatus(t, c.post(path+"/delete", nil), http.StatusNotFound)
			// The same id under the stranger's own workspace is not found either.
			id := docPathRE.FindStringSubmatch(path)[1]
			expectStatus(t, c.get("/w/elsewhere/docs/"+id), http.StatusNotFound)
		})

		t.Run("OwnersOnlyIsHidden", func(t *testing.T) {
			secret := b.createDoc(url.Values{"title": {"Pen test findings"}, "type": {"threat_model"}, "visibility": {"owners"}, "body": {"CVE list"}})
			p := b.get(secret)
			expectText(t, p, "Owners only", "Only the person who created it")
			expectText(t, b.get("/w/acme/docs"), "Pen test findings")
			for _, u := range []string{secret, secret + "/history", secret + "/v/1", secret + "/diff", secret + "/edit"} {
				expectStatus(t, bob.get(u), http.StatusNotFound)
			}
			expectStatus(t, bob.post(secret, url.Values{"title": {"x"}, "type": {"design"}, "visibility": {"workspace"}}), http.StatusNotFound)
			expectNoText(t, bob.get("/w/acme/docs"), "Pen test findings")
			expectText(t, bob.get("/w/acme/docs"), "Refunds API v2")
		})

		t.Run("FiltersAndPaging", func(t *testing.T) {
			b.createDoc(url.Values{"title": {"On-call runbook"}, "type": {"runbook"}, "visibility": {"workspace"}})
			p := b.get("/w/acme/docs?type=runbook")
			expectText(t, p, "On-call runbook")
			expectNoText(t, p, "Refunds API v2")
			if !strings.Contains(p.Body, `<option value="runbook" selected>`) {
				t.Error("the chosen type is not selected")
			}
			p = b.get("/w/acme/docs?project=PAY")
			expectText(t, p, "Refunds API v2")
			expectNoText(t, p, "On-call runbook")
			if !strings.Contains(p.Body, `href="/w/acme/docs/new?project=PAY"`) {
				t.Error("the New document button does not carry the project filter")
			}
			// Filters nobody offered mean "all".
			expectText(t, b.get("/w/acme/docs?type=poem&project=NOPE"), "On-call runbook", "Refunds API v2")
			expectText(t, b.get("/w/acme/docs?type=runbook&project=PAY"), "Nothing matches")
			expectStatus(t, b.get("/w/acme/docs?cursor=bogus"), http.StatusBadRequest)

			for i := range 50 {
				if _, err := s.app.Docs.Create(context.Background(), testkit.Actor(ana), "acme",
					doc.CreateInput{Title: fmt.Sprintf("Note %02d", i), Type: doc.Other, Visibility: doc.VisWorkspace}); err != nil {
					t.Fatal(err)
				}
			}
			p = b.get("/w/acme/docs")
			next := regexp.MustCompile(`href="(/w/acme/docs\?cursor=[^"]+)"`).FindStringSubmatch(p.Body)
			if next == nil {
				t.Fatalf("no next page link:\n%s", p.Text())
			}
			expectNoText(t, p, "On-call runbook") // older than the 50 notes
			p = b.get(strings.ReplaceAll(next[1], "&amp;", "&"))
			expectStatus(t, p, http.StatusOK)
			expectText(t, p, "On-call runbook", "First page")
		})

		t.Run("Delete", func(t *testing.T) {
			// A member may delete what they created, and sees the button.
			own := bob.createDoc(url.Values{"title": {"Bo's notes"}, "type": {"other"}, "visibility": {"workspace"}, "body": {"x"}})
			expectText(t, bob.get(own), "Delete…")
			expectNoText(t, bob.get(path), "Delete…") // not Ana's
			expectStatus(t, bob.post(path+"/delete", nil), http.StatusForbidden)
			p := bob.post(own+"/delete", nil)
			expectStatus(t, p, http.StatusOK)
			if p.URL.Path != "/w/acme/docs" {
				t.Errorf("after delete at %s", p.URL)
			}
			expectText(t, p, "Document deleted, with every version and file.")
			expectStatus(t, bob.get(own), http.StatusNotFound)

			p = b.post(path+"/delete", nil)
			expectStatus(t, p, http.StatusOK)
			expectNoText(t, p, "Refunds API")
			for _, u := range []string{path, path + "/v/1", path + "/history", path + "/diff"} {
				expectStatus(t, b.get(u), http.StatusNotFound)
			}
		})
	})
}

func TestDocumentFilesPage(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		b := s.browser(t)
		b.setup()
		b.createWorkspace("acme", "Acme")
		ana := userByLogin(t, s, "ana@example.com", adminPassword)
		bo := testkit.MustUser(t, s.app, "Bo Chen")
		testkit.MustJoin(t, s.app, ana, "acme", bo, "member")
		vi := testkit.MustUser(t, s.app, "Vi Park")
		testkit.MustJoin(t, s.app, ana, "acme", vi, "viewer")
		path := b.createDoc(url.Values{"title": {"Payments design"}, "type": {"design"}, "visibility": {"workspace"}, "body": {"text"}})
		data := randomBytes(300<<10, 11)

		t.Run("EmptySection", func(t *testing.T) {
			p := b.get(path)
			expectText(t, p, "Files 0", "No files yet.", "Upload a file", "Up to 4.0 GiB.")
			for _, want := range []string{`action="` + path + `/files"`, `enctype="multipart/form-data"`, "data-upload", `class="upload-progress" hidden`, `class="upload-error field-error"`} {
				if !strings.Contains(p.Body, want) {
					t.Errorf("the upload form lacks %s", want)
				}
			}
			expectCSPClean(t, p)
		})

		t.Run("UploadStreams", func(t *testing.T) {
			p := b.upload(path+"/files", "architecture.pdf", data, true)
			expectStatus(t, p, http.StatusOK)
			if p.URL.Path != path || p.URL.Query().Get("notice") != "file-uploaded" {
				t.Errorf("after upload at %s", p.URL)
			}
			sum := sha(data)
			expectText(t, p, "File uploaded.", "Files 1", "architecture.pdf", "300.0 KiB", sum[:12]+"…", "Ana Lima · just now", "Download")
			if !strings.Contains(p.Body, `data-copy-value="`+sum+`"`) || !strings.Contains(p.Body, `href="`+path+`/files/architecture.pdf"`) {
				t.Error("the file row lacks the full SHA-256 or the download link")
			}
			expectCSPClean(t, p)
			expectStatus(t, b.upload(path+"/files", "notes.txt", []byte("hello\n"), false), http.StatusOK)
			expectText(t, b.get(path), "Files 2", "notes.txt", "6 B", "and 2 files")
		})

		t.Run("Download", func(t *testing.T) {
			resp, err := b.client.Do(mustRequest(t, http.MethodGet, b.base+path+"/files/architecture.pdf"))
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !bytes.Equal(got, data) {
				t.Fatalf("download: %d, %d bytes", resp.StatusCode, len(got))
			}
			h := resp.Header
			if h.Get("Content-Disposition") != `attachment; filename="architecture.pdf"; filename*=UTF-8''architecture.pdf` ||
				h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Checksum-SHA256") != sha(data) {
				t.Errorf("headers: %v", h)
			}
			req := mustRequest(t, http.MethodGet, b.base+path+"/files/architecture.pdf")
			req.Header.Set("Range", "bytes=10-19")
			p := b.do(req)
			expectStatus(t, p, http.StatusPartialContent)
			if p.Body != string(data[10:20]) {
				t.Error("the range has the wrong bytes")
			}
			expectStatus(t, b.get(path+"/files/missing.bin"), http.StatusNotFound)
		})

		t.Run("BadNameNextToTheField", func(t *testing.T) {
			p := b.upload(path+"/files", "bad/name.txt", []byte("x"), false)
			expectStatus(t, p, http.StatusBadRequest)
			expectText(t, p, "The file was not uploaded.", `The file name must not contain / or \`, "Payments design")
			if !strings.Contains(p.Body, `id="upload-file-file-desc"`) {
				t.Error("the error is not next to the file input")
			}
			expectCSPClean(t, p)
			p = b.upload(path+"/files", "", []byte("x"), false)
			expectStatus(t, p, http.StatusBadRequest)
			expectText(t, p, "Choose a file to upload")
			expectStatus(t, b.post(path+"/files", url.Values{"file": {"x"}}), http.StatusBadRequest)
			expectText(t, b.get(path), "Files 2")
		})

		t.Run("ViewerAndStranger", func(t *testing.T) {
			c := s.browser(t)
			c.mustLogin("vi.park@example.com", testkit.Password)
			p := c.get(path)
			expectText(t, p, "architecture.pdf", "Download")
			expectNoText(t, p, "Upload a file", "Delete file")
			if strings.Contains(p.Body, "multipart/form-data") || strings.Contains(p.Body, "/files/notes.txt/delete") {
				t.Error("a viewer sees the upload or delete forms")
			}
			expectStatus(t, c.get(path+"/files/notes.txt"), http.StatusOK)
			expectStatus(t, c.upload(path+"/files", "v.txt", []byte("x"), false), http.StatusForbidden)
			expectStatus(t, c.post(path+"/files/notes.txt/delete", nil), http.StatusForbidden)

			zed := testkit.MustUser(t, s.app, "Zed Out")
			testkit.MustWorkspace(t, s.app, zed, "elsewhere")
			z := s.browser(t)
			z.mustLogin("zed.out@example.com", testkit.Password)
			expectStatus(t, z.get(path+"/files/notes.txt"), http.StatusNotFound)
			expectStatus(t, z.upload(path+"/files", "z.txt", []byte("x"), false), http.StatusNotFound)
			expectStatus(t, z.post(path+"/files/notes.txt/delete", nil), http.StatusNotFound)
			id := docPathRE.FindStringSubmatch(path)[1]
			expectStatus(t, z.get("/w/elsewhere/docs/"+id+"/files/notes.txt"), http.StatusNotFound)

			// An owners-only document's files are hidden from other members.
			secret := b.createDoc(url.Values{"title": {"Pen test"}, "type": {"threat_model"}, "visibility": {"owners"}})
			expectStatus(t, b.upload(secret+"/files", "report.txt", []byte("CVE"), false), http.StatusOK)
			bob := s.browser(t)
			bob.mustLogin("bo.chen@example.com", testkit.Password)
			expectStatus(t, bob.get(secret+"/files/report.txt"), http.StatusNotFound)
			expectStatus(t, bob.upload(secret+"/files", "b.txt", []byte("x"), false), http.StatusNotFound)
			expectStatus(t, bob.post(secret+"/files/report.txt/delete", nil), http.StatusNotFound)
			// A member may upload to a document they can see.
			expectStatus(t, bob.upload(path+"/files", "bo.txt", []byte("bo"), false), http.StatusOK)
			expectText(t, b.get(path), "Bo Chen · just now")
		})

		t.Run("DeleteWithConfirmation", func(t *testing.T) {
			p := b.get(path)
			if !strings.Contains(p.Body, `action="`+path+`/files/notes.txt/delete"`) || !strings.Contains(p.Body, `<details class="confirm confirm-right">`) {
				t.Fatal("no confirmed delete form")
			}
			p = b.post(path+"/files/notes.txt/delete", nil)
			expectStatus(t, p, http.StatusOK)
			if p.URL.Path != path {
				t.Errorf("after delete at %s", p.URL)
			}
			expectText(t, p, "File deleted.")
			expectNoText(t, p, "notes.txt")
			expectStatus(t, b.get(path+"/files/notes.txt"), http.StatusNotFound)
			expectStatus(t, b.post(path+"/files/notes.txt/delete", nil), http.StatusNotFound)
		})

		t.Run("OldVersionsShowNoFiles", func(t *testing.T) {
			p := b.post(path, url.Values{"title": {"Payments design"}, "type": {"design"}, "visibility": {"workspace"}, "body": {"text v2"}, "base_version": {"1"}})
			expectStatus(t, p, http.StatusOK)
			p = b.get(path + "/v/1")
			expectNoText(t, p, "Upload a file", "architecture.pdf")
		})
	})
}

func TestDocumentFileTooLarge(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSiteWith(t, d, func(c *config.Config) { c.MaxUpload = 1 << 20 })
		b := s.browser(t)
		b.setup()
		b.createWorkspace("acme", "Acme")
		path := b.createDoc(url.Values{"title": {"Runbook"}, "type": {"runbook"}, "visibility": {"workspace"}})
		expectText(t, b.get(path), "Up to 1.0 MiB.")
		p := b.upload(path+"/files", "big.bin", randomBytes(2<<20, 1), false)
		expectStatus(t, p, http.StatusRequestEntityTooLarge)
		expectText(t, p, "The file is larger than the limit of 1.0 MiB.")
		p = b.upload(path+"/files", "big.bin", randomBytes(1<<20+1, 2), true)
		expectStatus(t, p, http.StatusRequestEntityTooLarge)
		expectText(t, b.get(path), "No files yet.")
		p = b.upload(path+"/files", "fits.bin", randomBytes(1<<20, 3), true)
		expectStatus(t, p, http.StatusOK)
		expectText(t, p, "fits.bin", "1.0 MiB")
	})
}

func TestDocumentEditConflict(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		b := s.browser(t)
		b.setup()
		b.createWorkspace("acme", "Acme")
		ana := userByLogin(t, s, "ana@example.com", adminPassword)
		bo := testkit.MustUser(t, s.app, "Bo Chen")
		testkit.MustJoin(t, s.app, ana, "acme", bo, "member")
		bob := s.browser(t)
		bob.mustLogin("bo.chen@example.com", testkit.Password)
		path := b.createDoc(url.Values{"title": {"Refunds API"}, "type": {"design"}, "visibility": {"workspace"}, "body": {docBodyV1}})

		// Both open version 1.
		for _, c := range []*browser{b, bob} {
			if p := c.get(path + "/edit"); !strings.Contains(p.Body, `<input type="hidden" name="base_version" value="1">`) {
				t.Fatal("the edit form does not carry base_version")
			}
		}
		// Bo saves first; the page names him.
		p := bob.post(path, url.Values{"title": {"Refunds API"}, "type": {"design"}, "visibility": {"workspace"}, "body": {docBodyV2}, "base_version": {"1"}})
		expectStatus(t, p, http.StatusOK)
		expectText(t, p, "Version 2 (current)", "last changed by Bo Chen")

		// Ana's save from version 1 is refused and her text kept.
		p = b.post(path, url.Values{"title": {"Refunds API (Ana)"}, "type": {"design"}, "visibility": {"workspace"}, "body": {"Ana rewrote everything"}, "base_version": {"1"}})
		expectStatus(t, p, http.StatusConflict)
		expectText(t, p, "Not saved: this document changed while you were editing.", "You started from version 1; Bo Chen has saved it since, and it is now at version 2.",
			"See what changed from version 1 to 2", "saving again replaces version 2")
		expectCSPClean(t, p)
		for _, want := range []string{"Ana rewrote everything</textarea>", `value="Refunds API (Ana)"`, `href="` + path + `/diff?from=1&amp;to=2"`,
			`<input type="hidden" name="base_version" value="2">`} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("the conflict form lacks %s", want)
			}
		}
		expectText(t, b.get(path), "Version 2 (current)", "Retries: five, with backoff")
		expectNoText(t, b.get(path), "Ana rewrote everything")

		// Saving again, now from version 2, is deliberate and works.
		p = b.post(path, url.Values{"title": {"Refunds API (Ana)"}, "type": {"design"}, "visibility": {"workspace"}, "body": {"Ana rewrote everything"}, "base_version": {"2"}})
		expectStatus(t, p, http.StatusOK)
		expectText(t, p, "Document saved.", "Version 3 (current)", "Ana rewrote everything", "last changed by Ana Lima")
		// A preview keeps the base version; a form without one still saves.
		p = bob.post(path, url.Values{"title": {"x"}, "type": {"design"}, "visibility": {"workspace"}, "body": {"preview"}, "base_version": {"2"}, "preview": {"1"}})
		if !strings.Contains(p.Body, `<input type="hidden" name="base_version" value="2">`) {
			t.Error("the preview lost base_version")
		}
		expectStatus(t, bob.post(path, url.Values{"title": {"Refunds API"}, "type": {"design"}, "visibility": {"workspace"}, "body": {"no base"}}), http.StatusOK)
	})
}
