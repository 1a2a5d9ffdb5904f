package doc_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shipshape/internal/account"
	"shipshape/internal/app"
	"shipshape/internal/apperr"
	"shipshape/internal/db"
	"shipshape/internal/doc"
	"shipshape/internal/project"
	"shipshape/internal/release"
	"shipshape/internal/testkit"
)

type world struct {
	app               *app.App
	clock             *testkit.Clock
	ana, adm, mo, vic account.User
	ctx               context.Context
	docs              *doc.Service
}

// newWorld: workspace acme with Ana (owner), Adi (admin), Mo (member),
// Vic (viewer) and project PAY with release 1.0.0.
func newWorld(t *testing.T, d *db.DB) world {
	t.Helper()
	clock := testkit.NewClock()
	a := testkit.NewApp(t, d, clock)
	w := world{app: a, clock: clock, ctx: context.Background(), docs: a.Docs}
	w.ana = testkit.MustUser(t, a, "Ana Lima")
	w.adm = testkit.MustUser(t, a, "Adi Admin")
	w.mo = testkit.MustUser(t, a, "Mo Member")
	w.vic = testkit.MustUser(t, a, "Vic Viewer")
	testkit.MustWorkspace(t, a, w.ana, "acme")
	testkit.MustJoin(t, a, w.ana, "acme", w.adm, "admin")
	testkit.MustJoin(t, a, w.ana, "acme", w.mo, "member")
	testkit.MustJoin(t, a, w.ana, "acme", w.vic, "viewer")
	if _, err := a.Projects.Create(w.ctx, testkit.Actor(w.ana), "acme", project.CreateInput{Key: "PAY", Name: "Payments"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Releases.Create(w.ctx, testkit.Actor(w.ana), "acme", "PAY", release.CreateInput{Version: "1.0.0"}); err != nil {
		t.Fatal(err)
	}
	return w
}

func TestCreateGetPatchVersions(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		mo := testkit.Actor(w.mo)
		doc1, err := w.docs.Create(w.ctx, mo, "acme", doc.CreateInput{Title: " Payments design ", Type: doc.Design, Body: "# v1",
			Project: "PAY", Release: "1.0.0", Visibility: doc.VisProject})
		if err != nil {
			t.Fatal(err)
		}
		if doc1.Version != 1 || doc1.Title != "Payments design" || *doc1.Project != "PAY" || *doc1.Release != "1.0.0" || doc1.Body != "# v1" {
			t.Fatalf("created %+v", doc1)
		}
		w.clock.Advance(time.Minute)
		got, err := w.docs.Update(w.ctx, mo, "acme", doc1.ID, doc.Patch{Body: ptr("# v2")})
		if err != nil || got.Version != 2 || got.Body != "# v2" {
			t.Fatalf("update: %+v %v", got, err)
		}
		// Only visibility/type: no new version.
		vis := doc.VisWorkspace
		if got, err = w.docs.Update(w.ctx, mo, "acme", doc1.ID, doc.Patch{Visibility: &vis}); err != nil || got.Version != 2 || got.Visibility != vis {
			t.Fatalf("update visibility: %+v %v", got, err)
		}
		if got, err = w.docs.Update(w.ctx, mo, "acme", doc1.ID, doc.Patch{Title: ptr("Payments design v3")}); err != nil || got.Version != 3 {
			t.Fatalf("update title: %+v %v", got, err)
		}
		g, err := w.docs.Get(w.ctx, w.vic.ID, "acme", doc1.ID)
		if err != nil || g.Version != 3 || g.Body != "# v2" || g.Title != "Payments design v3" {
			t.Fatalf("get: %+v %v", g, err)
		}
		vs, err := w.docs.Versions(w.ctx, w.vic.ID, "acme", doc1.ID)
		if err != nil || len(vs) != 3 || vs[0].Version != 3 || vs[2].Version != 1 {
			t.Fatalf("versions: %+v %v", vs, err)
		}
		v1, err := w.docs.Version(w.ctx, w.vic.ID, "acme", doc1.ID, 1)
		if err != nil || v1.Body != "# v1" || v1.Title != "Payments design" {
			t.Fatalf("version 1: %+v %v", v1, err)
		}
		_, err = w.docs.Version(w.ctx, w.vic.ID, "acme", doc1.ID, 4)
		testkit.WantCode(t, err, apperr.NotFound)

		// Viewers cannot create, edit or delete.
		_, err = w.docs.Create(w.ctx, testkit.Actor(w.vic), "acme", doc.CreateInput{Title: "x", Type: doc.Other, Visibility: doc.VisWorkspace})
		testkit.WantCode(t, err, apperr.Forbidden)
		_, err = w.docs.Update(w.ctx, testkit.Actor(w.vic), "acme", doc1.ID, doc.Patch{Body: ptr("no")})
		testkit.WantCode(t, err, apperr.Forbidden)
		testkit.WantCode(t, w.docs.Delete(w.ctx, testkit.Actor(w.vic), "acme", doc1.ID), apperr.Forbidden)

		// Members delete only what they created.
		other, err := w.docs.Create(w.ctx, testkit.Actor(w.ana), "acme", doc.CreateInput{Title: "Runbook", Type: doc.Runbook, Visibility: doc.VisWorkspace})
		if err != nil {
			t.Fatal(err)
		}
		testkit.WantCode(t, w.docs.Delete(w.ctx, mo, "acme", other.ID), apperr.Forbidden)
		if err := w.docs.Delete(w.ctx, mo, "acme", doc1.ID); err != nil {
			t.Fatal(err)
		}
		if err := w.docs.Delete(w.ctx, testkit.Actor(w.adm), "acme", other.ID); err != nil {
			t.Fatal(err)
		}
		_, err = w.docs.Get(w.ctx, w.ana.ID, "acme", doc1.ID)
		testkit.WantCode(t, err, apperr.NotFound)
	})
}

func TestBadInput(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		mo := testkit.Actor(w.mo)
		_, err := w.docs.Create(w.ctx, mo, "acme", doc.CreateInput{Title: "", Type: "memo", Visibility: "secret", Body: strings.Repeat("x", 200_001)})
		testkit.WantFields(t, err, "title", "type", "visibility", "body")
		_, err = w.docs.Create(w.ctx, mo, "acme", doc.CreateInput{Title: "t", Type: doc.RFC, Visibility: doc.VisProject, Release: "1.0.0"})
		testkit.WantFields(t, err, "visibility", "release")
		_, err = w.docs.Create(w.ctx, mo, "acme", doc.CreateInput{Title: "t", Type: doc.RFC, Visibility: doc.VisWorkspace, Project: "NOPE"})
		if ae := testkit.WantCode(t, err, apperr.NotFound); ae.Fields["project"] == "" {
			t.Errorf("fields %v", ae.Fields)
		}
		_, err = w.docs.Create(w.ctx, mo, "acme", doc.CreateInput{Title: "t", Type: doc.RFC, Visibility: doc.VisWorkspace, Project: "PAY", Release: "9.9.9"})
		if ae := testkit.WantCode(t, err, apperr.NotFound); ae.Fields["release"] == "" {
			t.Errorf("fields %v", ae.Fields)
		}
		_, err = w.docs.Create(w.ctx, mo, "acme", doc.CreateInput{Title: "t", Type: doc.RFC, Visibility: doc.VisWorkspace, Project: "PAY", Release: "not-semver"})
		testkit.WantFields(t, err, "release")
		if _, err := w.docs.Create(w.ctx, mo, "acme", doc.CreateInput{Title: "t", Type: doc.RFC, Visibility: doc.VisWorkspace, Body: strings.Repeat("é", 200_000)}); err != nil {
			t.Errorf("200,000 characters should fit: %v", err)
		}
	})
}

func TestOwnersOnlyVisibility(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		mo := testkit.Actor(w.mo)
		secret, err := w.docs.Create(w.ctx, mo, "acme", doc.CreateInput{Title: "Threat model", Type: doc.ThreatModel, Visibility: doc.VisOwners, Body: "b"})
		if err != nil {
			t.Fatal(err)
		}
		open, err := w.docs.Create(w.ctx, mo, "acme", doc.CreateInput{Title: "Open", Type: doc.Design, Visibility: doc.VisWorkspace})
		if err != nil {
			t.Fatal(err)
		}
		ids := func(userID string) []string {
			p, err := w.docs.List(w.ctx, userID, "acme", doc.ListFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, s := range p.Items {
				out = append(out, s.ID)
			}
			return out
		}
		// Viewer (another member) sees only the open document, 404 elsewhere.
		if got := ids(w.vic.ID); len(got) != 1 || got[0] != open.ID {
			t.Errorf("viewer list = %v", got)
		}
		_, err = w.docs.Get(w.ctx, w.vic.ID, "acme", secret.ID)
		testkit.WantCode(t, err, apperr.NotFound)
		_, err = w.docs.Versions(w.ctx, w.vic.ID, "acme", secret.ID)
		testkit.WantCode(t, err, apperr.NotFound)
		_, err = w.docs.Version(w.ctx, w.vic.ID, "acme", secret.ID, 1)
		testkit.WantCode(t, err, apperr.NotFound)
		_, err = w.docs.Update(w.ctx, testkit.Actor(w.vic), "acme", secret.ID, doc.Patch{Body: ptr("x")})
		testkit.WantCode(t, err, apperr.NotFound)
		testkit.WantCode(t, w.docs.Delete(w.ctx, testkit.Actor(w.vic), "acme", secret.ID), apperr.NotFound)
		// Creator and admins+ see it.
		for _, u := range []account.User{w.mo, w.adm, w.ana} {
			if got := ids(u.ID); len(got) != 2 || got[0] != open.ID {
				t.Errorf("%s list = %v", u.Name, got)
			}
			if _, err := w.docs.Get(w.ctx, u.ID, "acme", secret.ID); err != nil {
				t.Errorf("%s get: %v", u.Name, err)
			}
		}
		// Filters and pagination.
		p, err := w.docs.List(w.ctx, w.mo.ID, "acme", doc.ListFilter{Limit: 1})
		if err != nil || len(p.Items) != 1 || p.NextCursor == "" {
			t.Fatalf("page 1: %+v %v", p, err)
		}
		p2, err := w.docs.List(w.ctx, w.mo.ID, "acme", doc.ListFilter{Limit: 1, Cursor: p.NextCursor})
		if err != nil || len(p2.Items) != 1 || p2.Items[0].ID != secret.ID || p2.NextCursor != "" {
			t.Fatalf("page 2: %+v %v", p2, err)
		}
		p, err = w.docs.List(w.ctx, w.mo.ID, "acme", doc.ListFilter{Type: doc.ThreatModel})
		if err != nil || len(p.Items) != 1 || p.Items[0].ID != secret.ID {
			t.Fatalf("type filter: %+v %v", p, err)
		}
		_, err = w.docs.List(w.ctx, w.mo.ID, "acme", doc.ListFilter{Type: "memo"})
		testkit.WantFields(t, err, "type")
		_, err = w.docs.List(w.ctx, w.mo.ID, "acme", doc.ListFilter{Cursor: "garbage"})
		testkit.WantFields(t, err, "cursor")
	})
}

// TestHardDeleteLeavesNoTrace puts a marker in a document's title and body
// (in two versions), deletes the document and looks for the marker in every
// text column of every table, the audit trail and search entries included,
// and on SQLite in the database file itself after a checkpoint and VACUUM —
// also the single-word token marker the full-text index stores lower-cased.
func TestHardDeleteLeavesNoTrace(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		const marker = "ZQX-hard-delete-marker-7f3a9c"
		const token = "Zqxsearchtoken7f3a9c" // one word for the index; stored as zqxsearchtoken7f3a9c
		mo := testkit.Actor(w.mo)
		dd, err := w.docs.Create(w.ctx, mo, "acme", doc.CreateInput{Title: "Secret " + marker, Type: doc.SecurityRequirements,
			Body: "body " + marker + " " + token, Project: "PAY", Release: "1.0.0", Visibility: doc.VisOwners})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.docs.Update(w.ctx, mo, "acme", dd.ID, doc.Patch{Title: ptr("Again " + marker), Body: ptr("v2 " + marker + " " + token)}); err != nil {
			t.Fatal(err)
		}
		// A file with the marker in its name and its bytes; replaced once,
		// so two objects were written.
		fileName := "notes-" + marker + ".txt"
		for _, content := range []string{"first " + marker, "second " + marker} {
			if _, err := w.docs.PutFile(w.ctx, mo, "acme", dd.ID, fileName, strings.NewReader(content), -1); err != nil {
				t.Fatal(err)
			}
		}
		if n := len(filesWith(t, w.filesDir(), marker)); n != 1 {
			t.Fatalf("%d stored objects hold the marker before the delete, want 1", n)
		}
		if n := countMarker(t, d, marker); n == 0 {
			t.Fatal("the scan does not find the marker before the delete")
		}
		if hits, err := w.app.Search.Search(w.ctx, w.mo.ID, "acme", token, 0); err != nil || len(hits) != 1 || hits[0].ID != dd.ID {
			t.Fatalf("search before the delete: %+v %v", hits, err)
		}
		if err := w.docs.Delete(w.ctx, mo, "acme", dd.ID); err != nil {
			t.Fatal(err)
		}
		if n := countMarker(t, d, marker); n != 0 {
			t.Fatalf("marker found in %d rows after the delete", n)
		}
		if left := filesWith(t, w.filesDir(), marker); len(left) != 0 {
			t.Fatalf("marker found in stored files after the delete: %v", left)
		}
		// The file events name neither the title nor the file.
		labels := auditLabels(t, w, "document.file.")
		if len(labels) != 2 {
			t.Fatalf("file audit labels %v", labels)
		}
		for _, l := range labels {
			if strings.Contains(l, marker) || !strings.HasPrefix(l, "security_requirements sha256:") || !strings.Contains(l, " file sha256:") {
				t.Errorf("file audit label %q", l)
			}
		}
		if hits, err := w.app.Search.Search(w.ctx, w.mo.ID, "acme", token, 0); err != nil || len(hits) != 0 {
			t.Fatalf("search after the delete: %+v %v", hits, err)
		}
		var label string
		if err := d.QueryRow(w.ctx, `SELECT target_label FROM audit_events WHERE action = 'document.delete' AND target_id = ?`, dd.ID).Scan(&label); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(label, "security_requirements sha256:") || len(label) != len("security_requirements sha256:")+64 {
			t.Errorf("delete label = %q", label)
		}
		if d.Dialect() != db.SQLite {
			return
		}
		for _, q := range []string{`PRAGMA wal_checkpoint(TRUNCATE)`, `VACUUM`, `PRAGMA wal_checkpoint(TRUNCATE)`} {
			if _, err := d.Exec(w.ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		for _, f := range []string{d.Path(), d.Path() + "-wal"} {
			b, err := os.ReadFile(f)
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range []string{marker, token, strings.ToLower(token)} {
				if bytes.Contains(b, []byte(m)) {
					t.Errorf("%q remains in %s", m, f)
				}
			}
		}
	})
}

// countMarker counts rows holding marker in any text column of any table.
func countMarker(t *testing.T, d *db.DB, marker string) int {
	t.Helper()
	ctx := context.Background()
	type col struct{ table, name string }
	var cols []col
	var q string
	if d.Dialect() == db.SQLite {
		q = `SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c
			WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND (upper(c.type) LIKE '%TEXT%' OR upper(c.type) LIKE '%CHAR%' OR c.type = '' OR upper(c.type) LIKE '%BLOB%')`
	} else {
		q = `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()
			AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea')`
	}
	rows, err := d.Query(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c col
		if err := rows.Scan(&c.table, &c.name); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	rows.Close()
	if len(cols) < 10 {
		t.Fatalf("found only %d text columns", len(cols))
	}
	total := 0
	for _, c := range cols {
		expr := `"` + c.name + `"`
		if d.Dialect() == db.Postgres {
			expr += `::text`
		} else {
			expr = `CAST(` + expr + ` AS TEXT)`
		}
		var n int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM "`+c.table+`" WHERE `+expr+` LIKE ?`, "%"+marker+"%").Scan(&n); err != nil {
			t.Fatalf("%s.%s: %v", c.table, c.name, err)
		}
		if n > 0 {
			t.Logf("%s.%s holds the marker in %d rows", c.table, c.name, n)
		}
		total += n
	}
	return total
}

func ptr[T any](v T) *T { return &v }

// filesDir is where the test app's local blob store keeps objects.
func (w world) filesDir() string { return w.app.Config.FilesDir() }

// storedFiles lists the regular files under dir.
func storedFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

// filesWith lists the files under dir whose bytes contain marker.
func filesWith(t *testing.T, dir, marker string) []string {
	t.Helper()
	var out []string
	for _, p := range storedFiles(t, dir) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(marker)) {
			out = append(out, p)
		}
	}
	return out
}

// auditLabels returns the target labels of events whose action starts
// with prefix, oldest first.
func auditLabels(t *testing.T, w world, prefix string) []string {
	t.Helper()
	rows, err := w.app.DB.Query(w.ctx, `SELECT target_label FROM audit_events WHERE action LIKE ? ORDER BY seq`, prefix+"%")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
	return out
}

func dataVersion(t *testing.T, w world) int64 {
	t.Helper()
	var v int64
	if err := w.app.DB.QueryRow(w.ctx, `SELECT data_version FROM workspaces WHERE slug = 'acme'`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func readFile(t *testing.T, w world, userID, id, name string) (doc.File, string) {
	t.Helper()
	f, rd, err := w.docs.OpenFile(w.ctx, userID, "acme", id, name)
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	defer rd.Close()
	b, err := io.ReadAll(rd)
	if err != nil {
		t.Fatal(err)
	}
	return f, string(b)
}

func TestDocumentFiles(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		mo, vic := testkit.Actor(w.mo), testkit.Actor(w.vic)
		dd, err := w.docs.Create(w.ctx, testkit.Actor(w.ana), "acme", doc.CreateInput{Title: "Payments design", Type: doc.Design, Visibility: doc.VisWorkspace})
		if err != nil {
			t.Fatal(err)
		}
		before := dataVersion(t, w)
		f, err := w.docs.PutFile(w.ctx, mo, "acme", dd.ID, "diagram.txt", strings.NewReader("hello"), 5)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte("hello"))
		if f.Name != "diagram.txt" || f.Size != 5 || f.SHA256 != hex.EncodeToString(sum[:]) || f.ContentType != "text/plain; charset=utf-8" ||
			f.UploadedBy != w.mo.ID || !f.UploadedAt.Equal(w.clock.Now()) {
			t.Errorf("uploaded %+v", f)
		}
		if after := dataVersion(t, w); after <= before {
			t.Errorf("data version %d → %d after an upload", before, after)
		}
		if _, err := w.docs.PutFile(w.ctx, mo, "acme", dd.ID, "a.bin", bytes.NewReader([]byte{0, 1, 2}), -1); err != nil {
			t.Fatal(err)
		}
		// Viewers list and download.
		fs, err := w.docs.Files(w.ctx, w.vic.ID, "acme", dd.ID)
		if err != nil || len(fs) != 2 || fs[0].Name != "a.bin" || fs[1].Name != "diagram.txt" || fs[1].SHA256 != f.SHA256 {
			t.Fatalf("files %+v %v", fs, err)
		}
		if got, body := readFile(t, w, w.vic.ID, dd.ID, "diagram.txt"); body != "hello" || got.SHA256 != f.SHA256 {
			t.Errorf("download %+v %q", got, body)
		}
		_, _, err = w.docs.OpenFile(w.ctx, w.vic.ID, "acme", dd.ID, "missing.txt")
		testkit.WantCode(t, err, apperr.NotFound)
		if n := len(storedFiles(t, w.filesDir())); n != 2 {
			t.Errorf("%d objects stored, want 2", n)
		}

		// Replace: the new bytes under the same name, the old object gone.
		w.clock.Advance(time.Minute)
		if _, err := w.docs.PutFile(w.ctx, testkit.Actor(w.ana), "acme", dd.ID, "diagram.txt", strings.NewReader("hello again"), -1); err != nil {
			t.Fatal(err)
		}
		if got, body := readFile(t, w, w.mo.ID, dd.ID, "diagram.txt"); body != "hello again" || got.UploadedBy != w.ana.ID || got.Size != 11 {
			t.Errorf("after replace %+v %q", got, body)
		}
		if fs, _ := w.docs.Files(w.ctx, w.mo.ID, "acme", dd.ID); len(fs) != 2 {
			t.Errorf("replace added a row: %+v", fs)
		}
		if n := len(storedFiles(t, w.filesDir())); n != 2 {
			t.Errorf("%d objects stored after the replace, want 2", n)
		}

		// Viewers may not change files.
		_, err = w.docs.PutFile(w.ctx, vic, "acme", dd.ID, "v.txt", strings.NewReader("x"), 1)
		testkit.WantCode(t, err, apperr.Forbidden)
		testkit.WantCode(t, w.docs.DeleteFile(w.ctx, vic, "acme", dd.ID, "a.bin"), apperr.Forbidden)

		// Bad names: 400 on the field name, nothing stored.
		for _, name := range []string{"", "a/b", `a\b`, "..", "x..y", " a", "a\x00b", strings.Repeat("n", 256)} {
			_, err := w.docs.PutFile(w.ctx, mo, "acme", dd.ID, name, strings.NewReader("x"), 1)
			testkit.WantFields(t, err, "name")
		}

		// Another workspace: not found everywhere.
		oz := testkit.MustUser(t, w.app, "Oz Other")
		testkit.MustWorkspace(t, w.app, oz, "other")
		_, err = w.docs.Files(w.ctx, oz.ID, "acme", dd.ID)
		testkit.WantCode(t, err, apperr.NotFound)
		_, err = w.docs.Files(w.ctx, oz.ID, "other", dd.ID)
		testkit.WantCode(t, err, apperr.NotFound)
		_, _, err = w.docs.OpenFile(w.ctx, oz.ID, "other", dd.ID, "a.bin")
		testkit.WantCode(t, err, apperr.NotFound)
		_, err = w.docs.PutFile(w.ctx, testkit.Actor(oz), "other", dd.ID, "z.txt", strings.NewReader("z"), 1)
		testkit.WantCode(t, err, apperr.NotFound)
		testkit.WantCode(t, w.docs.DeleteFile(w.ctx, testkit.Actor(oz), "other", dd.ID, "a.bin"), apperr.NotFound)

		// Owners-only: a member who cannot see the document cannot see or
		// touch its files either.
		secret, err := w.docs.Create(w.ctx, testkit.Actor(w.ana), "acme", doc.CreateInput{Title: "Threats", Type: doc.ThreatModel, Visibility: doc.VisOwners})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.docs.PutFile(w.ctx, testkit.Actor(w.ana), "acme", secret.ID, "findings.txt", strings.NewReader("CVE"), -1); err != nil {
			t.Fatal(err)
		}
		_, err = w.docs.Files(w.ctx, w.mo.ID, "acme", secret.ID)
		testkit.WantCode(t, err, apperr.NotFound)
		_, _, err = w.docs.OpenFile(w.ctx, w.mo.ID, "acme", secret.ID, "findings.txt")
		testkit.WantCode(t, err, apperr.NotFound)
		_, err = w.docs.PutFile(w.ctx, mo, "acme", secret.ID, "mine.txt", strings.NewReader("x"), 1)
		testkit.WantCode(t, err, apperr.NotFound)
		testkit.WantCode(t, w.docs.DeleteFile(w.ctx, mo, "acme", secret.ID, "findings.txt"), apperr.NotFound)
		if _, body := readFile(t, w, w.adm.ID, secret.ID, "findings.txt"); body != "CVE" {
			t.Errorf("admin reads %q", body)
		}

		// Delete.
		before = dataVersion(t, w)
		if err := w.docs.DeleteFile(w.ctx, mo, "acme", dd.ID, "a.bin"); err != nil {
			t.Fatal(err)
		}
		if after := dataVersion(t, w); after <= before {
			t.Errorf("data version %d → %d after a delete", before, after)
		}
		testkit.WantCode(t, w.docs.DeleteFile(w.ctx, mo, "acme", dd.ID, "a.bin"), apperr.NotFound)
		_, _, err = w.docs.OpenFile(w.ctx, w.mo.ID, "acme", dd.ID, "a.bin")
		testkit.WantCode(t, err, apperr.NotFound)
		if n := len(storedFiles(t, w.filesDir())); n != 2 { // diagram.txt and findings.txt
			t.Errorf("%d objects stored after the delete, want 2", n)
		}
		// Every change is audited under the document, without names.
		labels := auditLabels(t, w, "document.file.")
		if len(labels) != 5 {
			t.Fatalf("audit labels %v", labels)
		}
		nameSum := sha256.Sum256([]byte("a.bin"))
		if want := "design sha256:"; !strings.HasPrefix(labels[4], want) || !strings.HasSuffix(labels[4], " file sha256:"+hex.EncodeToString(nameSum[:])) ||
			strings.Contains(labels[4], "Payments") {
			t.Errorf("delete label %q", labels[4])
		}

		// Hard delete of the document takes its files' objects with it.
		if err := w.docs.Delete(w.ctx, testkit.Actor(w.ana), "acme", dd.ID); err != nil {
			t.Fatal(err)
		}
		if left := storedFiles(t, w.filesDir()); len(left) != 1 { // findings.txt of the other document
			t.Errorf("objects left after the delete: %v", left)
		}
		_, err = w.docs.Files(w.ctx, w.ana.ID, "acme", dd.ID)
		testkit.WantCode(t, err, apperr.NotFound)
	})
}

// failingReader yields n bytes, then an error: a client that went away.
type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, errors.New("connection reset")
	}
	k := min(len(p), r.n)
	for i := range p[:k] {
		p[i] = 'x'
	}
	r.n -= k
	return k, nil
}

func TestDocumentFileLimitsLeaveNothing(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.docs.MaxUpload = 1024
		mo := testkit.Actor(w.mo)
		dd, err := w.docs.Create(w.ctx, mo, "acme", doc.CreateInput{Title: "Runbook", Type: doc.Runbook, Visibility: doc.VisWorkspace})
		if err != nil {
			t.Fatal(err)
		}
		big := strings.Repeat("x", 1025)
		// Announced too large: refused before reading.
		_, err = w.docs.PutFile(w.ctx, mo, "acme", dd.ID, "big.bin", strings.NewReader(big), 1025)
		testkit.WantCode(t, err, apperr.TooLarge)
		// Unannounced, too large: refused while streaming.
		_, err = w.docs.PutFile(w.ctx, mo, "acme", dd.ID, "big.bin", strings.NewReader(big), -1)
		testkit.WantCode(t, err, apperr.TooLarge)
		// Interrupted half-way.
		if _, err = w.docs.PutFile(w.ctx, mo, "acme", dd.ID, "cut.bin", &failingReader{n: 600}, -1); err == nil {
			t.Fatal("an interrupted upload succeeded")
		}
		// A replace that fails keeps the old file.
		if _, err := w.docs.PutFile(w.ctx, mo, "acme", dd.ID, "keep.txt", strings.NewReader("kept"), -1); err != nil {
			t.Fatal(err)
		}
		_, err = w.docs.PutFile(w.ctx, mo, "acme", dd.ID, "keep.txt", strings.NewReader(big), -1)
		testkit.WantCode(t, err, apperr.TooLarge)
		fs, err := w.docs.Files(w.ctx, w.mo.ID, "acme", dd.ID)
		if err != nil || len(fs) != 1 || fs[0].Name != "keep.txt" {
			t.Fatalf("files after failures: %+v %v", fs, err)
		}
		if _, body := readFile(t, w, w.mo.ID, dd.ID, "keep.txt"); body != "kept" {
			t.Errorf("kept file reads %q", body)
		}
		if left := storedFiles(t, w.filesDir()); len(left) != 1 {
			t.Errorf("objects after failures: %v", left)
		}
		// Exactly the limit fits.
		if _, err := w.docs.PutFile(w.ctx, mo, "acme", dd.ID, "fits.bin", strings.NewReader(big[:1024]), -1); err != nil {
			t.Errorf("1024 bytes: %v", err)
		}
		if n := len(auditLabels(t, w, "document.file.upload")); n != 2 {
			t.Errorf("%d upload events, want 2 (the successes)", n)
		}
	})
}

func TestEditConflict(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		mo, adm := testkit.Actor(w.mo), testkit.Actor(w.adm)
		dd, err := w.docs.Create(w.ctx, mo, "acme", doc.CreateInput{Title: "RFC", Type: doc.RFC, Body: "v1", Visibility: doc.VisWorkspace})
		if err != nil {
			t.Fatal(err)
		}
		if dd.UpdatedBy != w.mo.ID {
			t.Errorf("updated_by after create = %q", dd.UpdatedBy)
		}
		// Both open version 1; Adi saves first.
		got, err := w.docs.Update(w.ctx, adm, "acme", dd.ID, doc.Patch{Body: ptr("adi's v2"), BaseVersion: ptr(1)})
		if err != nil || got.Version != 2 || got.UpdatedBy != w.adm.ID {
			t.Fatalf("first save: %+v %v", got, err)
		}
		_, err = w.docs.Update(w.ctx, mo, "acme", dd.ID, doc.Patch{Body: ptr("mo's v2"), BaseVersion: ptr(1)})
		ae := testkit.WantCode(t, err, apperr.Conflict)
		if msg := ae.Fields["base_version"]; !strings.Contains(msg, "changed since version 1") || !strings.Contains(msg, "current version is 2") {
			t.Errorf("conflict field %q", msg)
		}
		g, err := w.docs.Get(w.ctx, w.mo.ID, "acme", dd.ID)
		if err != nil || g.Body != "adi's v2" || g.Version != 2 || g.UpdatedBy != w.adm.ID {
			t.Fatalf("after the conflict: %+v %v", g, err)
		}
		// Starting from the current version works; without one, too.
		if got, err = w.docs.Update(w.ctx, mo, "acme", dd.ID, doc.Patch{Body: ptr("mo's v3"), BaseVersion: ptr(2)}); err != nil || got.Version != 3 || got.UpdatedBy != w.mo.ID {
			t.Fatalf("save on 2: %+v %v", got, err)
		}
		vis := doc.VisOwners
		if got, err = w.docs.Update(w.ctx, adm, "acme", dd.ID, doc.Patch{Visibility: &vis}); err != nil || got.Version != 3 || got.UpdatedBy != w.adm.ID {
			t.Fatalf("visibility change: %+v %v", got, err)
		}
		if g, _ := w.docs.Get(w.ctx, w.mo.ID, "acme", dd.ID); g.UpdatedBy != w.adm.ID {
			t.Errorf("updated_by not stored: %q", g.UpdatedBy)
		}
		// A stale base is refused even for a change that adds no version.
		_, err = w.docs.Update(w.ctx, mo, "acme", dd.ID, doc.Patch{Type: ptr(doc.Design), BaseVersion: ptr(2)})
		testkit.WantCode(t, err, apperr.Conflict)
		_, err = w.docs.Update(w.ctx, mo, "acme", dd.ID, doc.Patch{Body: ptr("x"), BaseVersion: ptr(0)})
		testkit.WantFields(t, err, "base_version")
	})
}

// TestProjectDeleteTakesDocumentFiles: deleting a project deletes its
// documents by cascade, and their files' objects leave storage after the
// commit (doc.Service is one of the project's Dependents).
func TestProjectDeleteTakesDocumentFiles(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		mo := testkit.Actor(w.mo)
		dd, err := w.docs.Create(w.ctx, mo, "acme", doc.CreateInput{Title: "Plan", Type: doc.Design, Project: "PAY", Visibility: doc.VisWorkspace})
		if err != nil {
			t.Fatal(err)
		}
		body := "diagram bytes"
		if _, err := w.docs.PutFile(w.ctx, mo, "acme", dd.ID, "arch.png", strings.NewReader(body), int64(len(body))); err != nil {
			t.Fatal(err)
		}
		if n := len(storedFiles(t, w.filesDir())); n != 1 {
			t.Fatalf("%d stored files before the delete, want 1", n)
		}
		if err := w.app.Projects.Delete(w.ctx, testkit.Actor(w.ana), "acme", "PAY"); err != nil {
			t.Fatal(err)
		}
		if left := storedFiles(t, w.filesDir()); len(left) != 0 {
			t.Errorf("objects left after the project's delete: %v", left)
		}
	})
}
