package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"regexp"
	"testing"
	"time"

	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

var exportLinkRE = regexp.MustCompile(`href="(/profile/export/[^"/]+/download)"`)

func TestDownloadMyData(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		s.app.Exports.BuildOnRequest = false // the test runs the job, so the queued state is visible
		b := s.browser(t)
		b.setup()
		p := b.get("/profile/privacy")
		expectText(t, p, "Download my data", "Request my data")

		// Requested: the page says so and refreshes itself while queued.
		p = b.post("/profile/export", nil)
		expectStatus(t, p, http.StatusOK)
		expectCSPClean(t, p)
		expectText(t, p, "We are preparing your archive", "Queued", "This page updates itself")
		if !bytes.Contains([]byte(p.Body), []byte(`<meta http-equiv="refresh" content="3; url=/profile/privacy">`)) {
			t.Error("no refresh while the archive is queued")
		}
		expectNoText(t, p, "Request my data")

		if err := s.app.Exports.RunDue(context.Background(), s.clock.Now()); err != nil {
			t.Fatal(err)
		}
		p = b.get("/profile/privacy")
		expectText(t, p, "Your data archive is ready to download.", "Your archive is ready.", "Download archive", "Request a new archive")
		m := exportLinkRE.FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatalf("no download link:\n%s", p.Text())
		}
		res := b.get(m[1])
		if res.Status != http.StatusOK || res.Header.Get("Content-Type") != "application/zip" {
			t.Fatalf("download: %d %s", res.Status, res.Header.Get("Content-Type"))
		}
		zr, err := zip.NewReader(bytes.NewReader([]byte(res.Body)), int64(len(res.Body)))
		if err != nil {
			t.Fatalf("not a ZIP: %v", err)
		}
		if last := zr.File[len(zr.File)-1].Name; last != "manifest.json" {
			t.Errorf("last entry %s", last)
		}

		// Someone else: 404.
		testkit.MustUser(t, s.app, "Bo Other")
		other := s.browser(t)
		other.mustLogin("bo.other@example.com", testkit.Password)
		expectStatus(t, other.get(m[1]), http.StatusNotFound)

		// After 48 hours: gone, and the page says so.
		s.clock.Advance(48*time.Hour + time.Second)
		expectStatus(t, b.get(m[1]), http.StatusNotFound)
		expectText(t, b.get("/profile/privacy"), "has expired", "Request a new archive")
	})
}
