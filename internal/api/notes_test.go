package api_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

func TestReleaseNotesAndEvidenceThroughAPI(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w, _ := fileWorld(t, d)
		mo, vic, osc := w.api.with(w.moT), w.api.with(w.vicT), w.api.with(w.oT)
		const one = rel + "/1.0.0"
		wantStatus(t, mo.do("PATCH", one, map[string]any{"name": "Spring", "description": "Fixes **everything**."}), 200, "")
		art := []byte("the artifact")
		wantStatus(t, mo.put("app.tar.gz", art), 201, "")

		// Notes: any member, inline unless ?download=1.
		r := vic.raw("GET", one+"/notes", nil, 0)
		wantStatus(t, r, 200, "")
		if ct := r.Header.Get("Content-Type"); ct != "text/markdown; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `inline; filename="PAY-1.0.0-release-notes.md"`) {
			t.Errorf("Content-Disposition %q", cd)
		}
		body := string(r.Body)
		for _, want := range []string{"# PAY 1.0.0 — Spring\n", "Fixes **everything**.", "app.tar.gz — 12 B — SHA-256 `" + shaHex(bytes.NewReader(art)) + "`", "## History"} {
			if !strings.Contains(body, want) {
				t.Errorf("notes lack %q:\n%s", want, body)
			}
		}
		r = vic.raw("GET", one+"/notes?download=1", nil, 0)
		wantStatus(t, r, 200, "")
		if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="PAY-1.0.0-release-notes.md"`) {
			t.Errorf("Content-Disposition %q", cd)
		}
		wantStatus(t, vic.do("GET", one+"/notes?download=maybe", nil), 400, "invalid")
		wantStatus(t, osc.do("GET", one+"/notes", nil), 404, "not_found")
		wantStatus(t, vic.do("GET", rel+"/9.9.9/notes", nil), 404, "not_found")
		wantStatus(t, w.api.do("GET", one+"/notes", nil), 401, "unauthenticated")

		// Evidence: none before release.
		wantStatus(t, vic.do("GET", one+"/evidence", nil), 404, "not_found")
		if m := mo.do("GET", one, nil).json(t); m["evidence"] != nil {
			t.Errorf("evidence before release: %v", m["evidence"])
		}
		for _, to := range []string{"in_progress", "in_review", "released"} {
			wantStatus(t, mo.do("POST", one+"/transitions", map[string]any{"to": to}), 200, "")
		}
		m := mo.do("GET", one, nil).json(t)
		ref, _ := m["evidence"].(map[string]any)
		sha, _ := ref["sha256"].(string)
		if len(sha) != 64 || ref["created_at"] != m["released_at"] {
			t.Fatalf("release evidence = %v (released_at %v)", m["evidence"], m["released_at"])
		}

		ev := vic.raw("GET", one+"/evidence", nil, 0)
		wantStatus(t, ev, 200, "")
		sum := sha256.Sum256(ev.Body)
		b64 := base64.StdEncoding.EncodeToString(sum[:])
		if hex.EncodeToString(sum[:]) != sha || ev.Header.Get("X-Checksum-SHA256") != sha || ev.Header.Get("Repr-Digest") != "sha-256=:"+b64+":" ||
			ev.Header.Get("Digest") != "sha-256="+b64 || ev.Header.Get("Content-Type") != "application/json" ||
			!strings.HasPrefix(ev.Header.Get("Content-Disposition"), `attachment; filename="PAY-1.0.0-evidence.json"`) {
			t.Errorf("evidence headers %v for sha %s", ev.Header, sha)
		}
		if !bytes.Contains(ev.Body, []byte(`"description":"Fixes **everything**."`)) || !bytes.Contains(ev.Body, []byte(`"name":"app.tar.gz"`)) {
			t.Errorf("evidence body: %s", ev.Body)
		}

		// Editing after release leaves the snapshot byte for byte.
		wantStatus(t, mo.do("PATCH", one, map[string]any{"name": "Renamed", "description": "rewritten history"}), 200, "")
		again := vic.raw("GET", one+"/evidence", nil, 0)
		wantStatus(t, again, 200, "")
		if !bytes.Equal(again.Body, ev.Body) || again.Header.Get("X-Checksum-SHA256") != sha {
			t.Errorf("evidence changed after PATCH:\n%s\n%s", again.Body, ev.Body)
		}
		if m := mo.do("GET", one, nil).json(t); m["evidence"].(map[string]any)["sha256"] != sha {
			t.Errorf("release evidence changed: %v", m["evidence"])
		}
		wantStatus(t, osc.do("GET", one+"/evidence", nil), 404, "not_found")

		// The OpenAPI document names the real content types.
		doc := string(w.api.do("GET", "/openapi.json", nil).Body)
		for _, want := range []string{`"text/markdown"`, `releases/{version}/evidence`, `releases/{version}/notes`} {
			if !strings.Contains(doc, want) {
				t.Errorf("openapi.json lacks %s", want)
			}
		}

		// The audit trail has the transition and the snapshot's hash.
		a := w.api.with(w.anaT).do("GET", "/workspaces/acme/audit?action=release.", nil)
		wantStatus(t, a, 200, "")
		for _, want := range []string{`"PAY 1.0.0 → released"`, `"PAY 1.0.0 sha256:` + sha + `"`, `"release.evidence"`} {
			if !strings.Contains(string(a.Body), want) {
				t.Errorf("audit lacks %s: %s", want, a.Body)
			}
		}
	})
}
