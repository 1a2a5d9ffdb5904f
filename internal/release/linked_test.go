package release_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"shipshape/internal/db"
	"shipshape/internal/doc"
	"shipshape/internal/owner"
	"shipshape/internal/release"
	"shipshape/internal/testkit"
)

// TestOwnersAndDocumentsOfARelease: a release carries its owners (Get,
// List, evidence), its notes list the attached documents the reader may
// see, and its evidence records every attached document by version id and
// hashes — never by title.
func TestOwnersAndDocumentsOfARelease(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		tm := newTeam(t, d)
		r := tm.create(t, "1.2.0")
		if _, err := tm.Owners.Set(ctx, tm.ana, "acme", owner.SetInput{Target: owner.TargetRef{Type: owner.Release, ID: r.ID},
			Owners: []owner.Assignment{{Kind: owner.User, ID: tm.cid.UserID, Role: owner.Security}, {Kind: owner.User, ID: tm.ana.UserID, Role: owner.Accountable}}}); err != nil {
			t.Fatal(err)
		}
		want := []release.Owner{{Kind: "user", ID: tm.ana.UserID, Role: "accountable"}, {Kind: "user", ID: tm.cid.UserID, Role: "security"}}
		got, err := tm.Releases.Get(ctx, tm.dee.UserID, "acme", "PAY", "1.2.0")
		if err != nil || len(got.Owners) != 2 || got.Owners[0] != want[0] || got.Owners[1] != want[1] {
			t.Fatalf("Get owners = %+v %v", got.Owners, err)
		}
		page, err := tm.Releases.List(ctx, tm.dee.UserID, "acme", "PAY", release.ListFilter{})
		if err != nil || len(page.Items) != 1 || len(page.Items[0].Owners) != 2 {
			t.Fatalf("List owners = %+v %v", page.Items, err)
		}

		const secretTitle = "Kraken threat model"
		open, err := tm.Docs.Create(ctx, tm.cid, "acme", doc.CreateInput{Title: "Rollout plan", Type: doc.Runbook, Body: "steps",
			Project: "PAY", Release: "1.2.0", Visibility: doc.VisWorkspace})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tm.Docs.Create(ctx, tm.cid, "acme", doc.CreateInput{Title: secretTitle, Type: doc.ThreatModel, Body: "risks",
			Project: "PAY", Release: "1.2.0", Visibility: doc.VisOwners}); err != nil {
			t.Fatal(err)
		}
		notes, err := tm.Releases.Notes(ctx, tm.dee.UserID, "acme", "PAY", "1.2.0")
		if err != nil || !strings.Contains(notes.Markdown, "## Documents\n\n- Rollout plan — runbook, version 1") || strings.Contains(notes.Markdown, "Kraken") {
			t.Fatalf("viewer's notes:\n%s %v", notes.Markdown, err)
		}
		notes, _ = tm.Releases.Notes(ctx, tm.cid.UserID, "acme", "PAY", "1.2.0")
		if !strings.Contains(notes.Markdown, secretTitle) {
			t.Errorf("the creator's notes miss the owners-only document:\n%s", notes.Markdown)
		}

		tm.reach(t, "1.2.0", release.InReview)
		tm.move(t, "1.2.0", release.Released, "")
		ev, err := tm.Releases.Evidence(ctx, tm.dee.UserID, "acme", "PAY", "1.2.0")
		if err != nil {
			t.Fatal(err)
		}
		var snap struct {
			Schema    string
			Owners    []release.Owner
			Documents []struct {
				ID, Type    string
				Version     int
				VersionID   string `json:"version_id"`
				TitleSHA256 string `json:"title_sha256"`
				BodySHA256  string `json:"body_sha256"`
			}
		}
		if err := json.Unmarshal(ev.Body, &snap); err != nil {
			t.Fatal(err)
		}
		if snap.Schema != release.EvidenceSchema || len(snap.Owners) != 2 || snap.Owners[0] != want[0] || len(snap.Documents) != 2 {
			t.Fatalf("evidence %s", ev.Body)
		}
		first := snap.Documents[0]
		var versionID string
		if err := d.QueryRow(ctx, `SELECT id FROM document_versions WHERE document_id = ? AND version = 1`, open.ID).Scan(&versionID); err != nil {
			t.Fatal(err)
		}
		if first.ID != open.ID || first.Type != "runbook" || first.Version != 1 || first.VersionID != versionID ||
			first.TitleSHA256 != sha256Hex("Rollout plan") || first.BodySHA256 != sha256Hex("steps") {
			t.Errorf("evidence document %+v", first)
		}
		if strings.Contains(string(ev.Body), "Kraken") || strings.Contains(string(ev.Body), "Rollout plan") {
			t.Errorf("evidence holds a document title: %s", ev.Body)
		}
		if secret := snap.Documents[1]; secret.TitleSHA256 != "" || secret.BodySHA256 != sha256Hex("risks") {
			t.Errorf("owners-only document in the evidence: %+v (no title hash, a body hash)", secret)
		}
	})
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
