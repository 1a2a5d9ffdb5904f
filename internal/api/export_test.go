package api_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"testing"
	"time"

	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

func TestExportThroughAPI(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		clock := testkit.NewClock()
		w := newWorldWith(t, d, testkit.NewApp(t, d, clock))
		mo := w.api.with(w.moT)
		r := mo.do("POST", "/me/exports", nil)
		wantStatus(t, r, 202, "")
		m := r.json(t)
		id, _ := m["id"].(string)
		if id == "" || (m["status"] != "queued" && m["status"] != "running") {
			t.Fatalf("request: %s", r.Body)
		}
		// Built in the background right after the request.
		w.app.Exports.Wait()
		r = mo.do("GET", "/me/exports/"+id, nil)
		wantStatus(t, r, 200, "")
		if m := r.json(t); m["status"] != "ready" || m["size"] == nil {
			t.Fatalf("status: %s", r.Body)
		}
		// Someone else's export is not found, status or download.
		wantStatus(t, w.api.with(w.anaT).do("GET", "/me/exports/"+id, nil), 404, "not_found")
		wantStatus(t, w.api.with(w.anaT).do("GET", "/me/exports/"+id+"/download", nil), 404, "not_found")
		wantStatus(t, w.api.do("GET", "/me/exports/"+id, nil), 401, "unauthenticated")

		r = mo.do("GET", "/me/exports/"+id+"/download", nil)
		wantStatus(t, r, 200, "")
		if ct := r.Header.Get("Content-Type"); ct != "application/zip" {
			t.Errorf("Content-Type %q", ct)
		}
		sum := sha256.Sum256(r.Body)
		if got := r.Header.Get("X-Checksum-SHA256"); got != hex.EncodeToString(sum[:]) {
			t.Errorf("X-Checksum-SHA256 %q, body %x", got, sum)
		}
		zr, err := zip.NewReader(bytes.NewReader(r.Body), int64(len(r.Body)))
		if err != nil {
			t.Fatalf("not a ZIP: %v", err)
		}
		contents := map[string][]byte{}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			contents[f.Name], _ = io.ReadAll(rc)
			rc.Close()
		}
		var man struct {
			Sections []struct{ Path, SHA256 string } `json:"sections"`
		}
		if err := json.Unmarshal(contents["manifest.json"], &man); err != nil || len(man.Sections) < 10 {
			t.Fatalf("manifest: %v %s", err, contents["manifest.json"])
		}
		for _, s := range man.Sections {
			sum := sha256.Sum256(contents[s.Path])
			if hex.EncodeToString(sum[:]) != s.SHA256 {
				t.Errorf("%s: digest in the manifest does not match", s.Path)
			}
		}
		if !bytes.Contains(contents["profile.json"], []byte(w.mo.Email)) {
			t.Errorf("profile.json lacks the caller's e-mail: %s", contents["profile.json"])
		}

		// After 48 hours the archive is gone.
		clock.Advance(48*time.Hour + time.Minute)
		wantStatus(t, mo.do("GET", "/me/exports/"+id+"/download", nil), 404, "not_found")
		if m := mo.do("GET", "/me/exports/"+id, nil).json(t); m["status"] != "expired" {
			t.Errorf("after expiry: %v", m)
		}
		wantStatus(t, w.api.with(w.vicT).do("GET", "/me/exports/not-an-id", nil), 404, "not_found")
	})
}
