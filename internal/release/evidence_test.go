package release_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/db"
	"shipshape/internal/release"
	"shipshape/internal/testkit"
)

func TestEvidenceIsFrozenAtRelease(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		tm := newTeam(t, d)
		if _, err := tm.Releases.Create(ctx, tm.cid, "acme", "PAY", release.CreateInput{Version: "1.2.0", Name: "Spring",
			Description: "# Notes\n<b>bold</b> & more", TargetDate: "2026-03-31"}); err != nil {
			t.Fatal(err)
		}
		body := []byte("artifact bytes")
		if _, err := tm.Releases.PutFile(ctx, tm.cid, "acme", "PAY", "1.2.0", "app.tar.gz", bytes.NewReader(body), int64(len(body))); err != nil {
			t.Fatal(err)
		}
		tm.reach(t, "1.2.0", release.InReview)

		// No evidence before release.
		_, err := tm.Releases.Evidence(ctx, tm.dee.UserID, "acme", "PAY", "1.2.0")
		wantCode(t, err, apperr.NotFound)
		if r, _ := tm.Releases.Get(ctx, tm.dee.UserID, "acme", "PAY", "1.2.0"); r.Evidence != nil {
			t.Errorf("evidence before release: %+v", r.Evidence)
		}

		tm.clock.Advance(time.Hour)
		r := tm.move(t, "1.2.0", release.Released, "")
		if r.Evidence == nil || len(r.Evidence.SHA256) != 64 || !r.Evidence.CreatedAt.Equal(*r.ReleasedAt) {
			t.Fatalf("released: evidence %+v", r.Evidence)
		}
		ev, err := tm.Releases.Evidence(ctx, tm.dee.UserID, "acme", "PAY", "1.2.0") // a viewer
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(ev.Body)
		if hex.EncodeToString(sum[:]) != r.Evidence.SHA256 || ev.SHA256 != r.Evidence.SHA256 || ev.Filename != "PAY-1.2.0-evidence.json" {
			t.Fatalf("evidence %s %s, want %s", ev.SHA256, ev.Filename, r.Evidence.SHA256)
		}
		got, _ := tm.Releases.Get(ctx, tm.dee.UserID, "acme", "PAY", "1.2.0")
		if got.Evidence == nil || *got.Evidence != *r.Evidence {
			t.Errorf("Get evidence = %+v, want %+v", got.Evidence, r.Evidence)
		}

		var doc struct {
			Schema    string `json:"schema"`
			Workspace struct{ ID, Slug string }
			Project   struct{ ID, Key string }
			Release   struct {
				ID, Version, Name, Description, Status string
				TargetDate                             string `json:"target_date"`
			}
			Owners      []any `json:"owners"`
			Documents   []any `json:"documents"`
			Files       []release.File
			Transitions []release.Transition
			GeneratedAt time.Time `json:"generated_at"`
		}
		if err := json.Unmarshal(ev.Body, &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Schema != release.EvidenceSchema || doc.Workspace.Slug != "acme" || doc.Project.Key != "PAY" || doc.Release.ID != r.ID ||
			doc.Release.Version != "1.2.0" || doc.Release.Name != "Spring" || doc.Release.Description != "# Notes\n<b>bold</b> & more" ||
			doc.Release.Status != "released" || doc.Release.TargetDate != "2026-03-31" || !doc.GeneratedAt.Equal(*r.ReleasedAt) {
			t.Errorf("document: %s", ev.Body)
		}
		if doc.Owners == nil || len(doc.Owners) != 0 || doc.Documents == nil || len(doc.Documents) != 0 {
			t.Errorf("owners/documents must be empty lists: %s", ev.Body)
		}
		if len(doc.Files) != 1 || doc.Files[0].Name != "app.tar.gz" || doc.Files[0].SHA256 != hexSHA(body) || doc.Files[0].Size != int64(len(body)) ||
			doc.Files[0].UploadedBy != tm.cid.UserID || doc.Files[0].ContentType == "" {
			t.Errorf("files: %+v", doc.Files)
		}
		if n := len(doc.Transitions); n != 3 || doc.Transitions[n-1].To != release.Released || doc.Transitions[n-1].From != release.InReview {
			t.Errorf("transitions: %+v", doc.Transitions)
		}

		// Audit: a release.evidence event with the SHA-256, then the transition.
		es := tm.events(t)
		if n := len(es); es[n-1].Action != "release.transition" || es[n-2].Action != "release.evidence" ||
			es[n-2].TargetLabel != "PAY 1.2.0 sha256:"+r.Evidence.SHA256 || es[n-2].TargetID != r.ID {
			t.Errorf("last events: %+v / %+v", es[n-2], es[n-1])
		}
		tm.verifyAudit(t)

		// Later edits never change the snapshot.
		tm.clock.Advance(time.Hour)
		if _, err := tm.Releases.Update(ctx, tm.cid, "acme", "PAY", "1.2.0", release.Patch{Name: ptr("Renamed"), Description: ptr("changed")}); err != nil {
			t.Fatal(err)
		}
		tm.move(t, "1.2.0", release.RolledBack, "broke checkout")
		again, err := tm.Releases.Evidence(ctx, tm.dee.UserID, "acme", "PAY", "1.2.0")
		if err != nil || !bytes.Equal(again.Body, ev.Body) || again.SHA256 != ev.SHA256 || !again.CreatedAt.Equal(ev.CreatedAt) {
			t.Errorf("evidence changed after edits: %v\n%s\n%s", err, again.Body, ev.Body)
		}
		// The database refuses to update a snapshot.
		if _, err := d.Exec(ctx, `UPDATE release_evidence SET body = 'x'`); err == nil {
			t.Error("updating release_evidence succeeded")
		}
		var n int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM release_evidence WHERE release_id = ?`, r.ID).Scan(&n); err != nil || n != 1 {
			t.Errorf("snapshots: %d, %v", n, err)
		}

		// Outsiders see nothing; unknown versions are not found.
		_, err = tm.Releases.Evidence(ctx, tm.eve.UserID, "acme", "PAY", "1.2.0")
		wantCode(t, err, apperr.NotFound)
		_, err = tm.Releases.Evidence(ctx, tm.dee.UserID, "acme", "PAY", "banana")
		wantCode(t, err, apperr.NotFound)

		// A release that shipped cannot be deleted: its evidence stays.
		wantCode(t, tm.Releases.Delete(ctx, tm.ana, "acme", "PAY", "1.2.0"), apperr.Conflict)
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM release_evidence`).Scan(&n); err != nil || n != 1 {
			t.Errorf("snapshots after a refused delete: %d, %v", n, err)
		}
	})
}

func TestNotes(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		tm := newTeam(t, d)
		if _, err := tm.Releases.Create(ctx, tm.cid, "acme", "PAY", release.CreateInput{Version: "1.2.0", Name: "Spring *sale*",
			Description: "Some **bold** notes.\n\n- item", TargetDate: "2026-03-31"}); err != nil {
			t.Fatal(err)
		}
		n, err := tm.Releases.Notes(ctx, tm.dee.UserID, "acme", "PAY", "1.2.0")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"# PAY 1.2.0 — Spring \\*sale\\*\n", "- **Status:** planned", "- **Target date:** 2026-03-31", "- **Released:** not yet",
			"## Description\n\nSome **bold** notes.\n\n- item\n", "## Files\n\n_No files._", "## History\n\n_No status changes yet._"} {
			if !strings.Contains(n.Markdown, want) {
				t.Errorf("notes lack %q:\n%s", want, n.Markdown)
			}
		}
		if n.Filename != "PAY-1.2.0-release-notes.md" {
			t.Errorf("filename %q", n.Filename)
		}

		body := bytes.Repeat([]byte("x"), 1536)
		if _, err := tm.Releases.PutFile(ctx, tm.cid, "acme", "PAY", "1.2.0", "app|v1.tgz", bytes.NewReader(body), int64(len(body))); err != nil {
			t.Fatal(err)
		}
		tm.reach(t, "1.2.0", release.InReview)
		tm.move(t, "1.2.0", release.Released, "")
		tm.move(t, "1.2.0", release.RolledBack, "broke <checkout>\nbadly")
		n, err = tm.Releases.Notes(ctx, tm.dee.UserID, "acme", "PAY", "1.2.0")
		if err != nil {
			t.Fatal(err)
		}
		r, _ := tm.Releases.Get(ctx, tm.dee.UserID, "acme", "PAY", "1.2.0")
		for _, want := range []string{"- **Status:** rolled_back", "- **Released:** 2026-01-05 09:00 UTC", "`" + r.Evidence.SHA256 + "`",
			"- app\\|v1.tgz — 1.5 KiB (1536 bytes) — SHA-256 `" + hexSHA(body) + "`",
			"- 2026-01-05 09:00 UTC: planned → in_progress by Cid Dias — because\n",
			"in_review → released by Cid Dias\n",
			"released → rolled_back by Cid Dias — broke \\<checkout\\> badly\n"} {
			if !strings.Contains(n.Markdown, want) {
				t.Errorf("notes lack %q:\n%s", want, n.Markdown)
			}
		}

		_, err = tm.Releases.Notes(ctx, tm.eve.UserID, "acme", "PAY", "1.2.0")
		wantCode(t, err, apperr.NotFound)
		_, err = tm.Releases.Notes(ctx, tm.dee.UserID, "acme", "PAY", "9.9.9")
		wantCode(t, err, apperr.NotFound)
	})
}
