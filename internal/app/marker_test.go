package app_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shipshape/internal/account"
	"shipshape/internal/audit"
	"shipshape/internal/consent"
	"shipshape/internal/db"
	"shipshape/internal/doc"
	"shipshape/internal/project"
	"shipshape/internal/release"
	"shipshape/internal/testkit"
)

// TestMarkersExportedThenErased gives a person a unique marker in every
// field and content type they can create, exports their data — every
// marker must be in the archive, and another member's identity must not —
// then erases the account: no marker that identifies the person may remain
// anywhere in the database (on SQLite also in the file itself, after a
// checkpoint and VACUUM) or in file storage. What they wrote in the shared
// workspace stays (the inventory: "kept: the workspace's content"),
// attributed to their tombstone, and the test checks that too, so it could
// not pass by deleting everything.
func TestMarkersExportedThenErased(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clock := testkit.NewClock()
		a := testkit.NewApp(t, d, clock)
		ana := testkit.MustUser(t, a, "Ana Lima")
		testkit.MustWorkspace(t, a, ana, "acme")
		other := testkit.MustUser(t, a, "Olga Otherperson")
		testkit.MustJoin(t, a, ana, "acme", other, "member")

		// Markers that identify the person.
		identifying := map[string]string{
			"name": "Zedmkname", "email": "zedmkmail", "company": "Zedmkcompany", "job title": "Zedmkjob",
			"user agent": "Zedmkagent/1.0", "IP address": "203.0.113.77", "token name": "Zedmktoken",
		}
		// Markers in what they wrote in the shared workspace.
		content := map[string]string{
			"project description": "Zedmkprojdesc", "release name": "Zedmkrelname", "release description": "Zedmkreldesc",
			"document title": "Zedmkdoctitle", "document body": "Zedmkdocbody", "document file name": "zedmkdocfile",
			"document file bytes": "Zedmkdocbytes", "release file name": "zedmkrelfile", "release file bytes": "Zedmkrelbytes",
		}
		u, err := a.Accounts.CreateUser(ctx, account.SignupInput{Name: "Zed " + identifying["name"], Email: identifying["email"] + "@example.com",
			Password: testkit.Password, Company: identifying["company"], JobTitle: identifying["job title"]}, false)
		if err != nil {
			t.Fatal(err)
		}
		testkit.MustJoin(t, a, ana, "acme", u, "admin")
		from := audit.Actor{IP: identifying["IP address"], UserAgent: identifying["user agent"]}
		_, secret, err := a.Accounts.Login(ctx, from, u.Email, testkit.Password)
		if err != nil {
			t.Fatal(err)
		}
		p, err := a.Accounts.Session(ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		zed := from
		zed.UserID = u.ID
		if _, _, err := a.Accounts.CreateToken(ctx, zed, u.ID, account.TokenInput{Name: identifying["token name"], Scopes: []string{"read"}}); err != nil {
			t.Fatal(err)
		}
		yes := true
		if _, err := a.Consent.Set(ctx, zed, consent.Patch{ProductAnalytics: &yes}, consent.Web, false); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Projects.Create(ctx, zed, "acme", project.CreateInput{Key: "ZED", Name: "Zed project", Description: content["project description"]}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Releases.Create(ctx, zed, "acme", "ZED", release.CreateInput{Version: "1.0.0", Name: content["release name"], Description: content["release description"]}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Releases.PutFile(ctx, zed, "acme", "ZED", "1.0.0", content["release file name"]+".bin", strings.NewReader(content["release file bytes"]), -1); err != nil {
			t.Fatal(err)
		}
		dd, err := a.Docs.Create(ctx, zed, "acme", doc.CreateInput{Title: content["document title"], Type: doc.Design, Body: content["document body"], Project: "ZED", Visibility: doc.VisWorkspace})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Docs.PutFile(ctx, zed, "acme", dd.ID, content["document file name"]+".txt", strings.NewReader(content["document file bytes"]), -1); err != nil {
			t.Fatal(err)
		}
		// Olga edits Zed's document: she appears in Zed's data only as a pseudonym.
		body := content["document body"] + " reviewed"
		if _, err := a.Docs.Update(ctx, testkit.Actor(other), "acme", dd.ID, doc.Patch{Body: &body}); err != nil {
			t.Fatal(err)
		}

		// The export holds every marker, and nothing of Olga's identity.
		ex, err := a.Exports.Request(ctx, zed)
		if err != nil {
			t.Fatal(err)
		}
		a.Exports.Wait()
		if err := a.Exports.RunDue(ctx, clock.Now()); err != nil {
			t.Fatal(err)
		}
		_, r, err := a.Exports.Open(ctx, zed, ex.ID)
		if err != nil {
			t.Fatal(err)
		}
		archive, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		text := unzipAll(t, archive)
		for what, m := range identifying {
			if !strings.Contains(text, m) {
				t.Errorf("the export lacks the %s (%s)", what, m)
			}
		}
		for what, m := range content {
			if !strings.Contains(text, m) {
				t.Errorf("the export lacks the %s (%s)", what, m)
			}
		}
		for _, m := range []string{"Olga", "otherperson", other.Email} {
			if strings.Contains(text, m) {
				t.Errorf("the export names another member: %q", m)
			}
		}

		// Erasure, after the grace period. (The archive is compressed, so
		// besides scanning storage the test counts its objects: the archive
		// must be gone, the shared files stay.)
		before := countFiles(t, a.Config.FilesDir())
		if _, err := a.Accounts.ScheduleDeletion(ctx, zed, p, account.DeleteInput{Password: testkit.Password}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(account.DefaultDeletionGrace + time.Minute)
		if err := a.Accounts.EraseDue(ctx, clock.Now()); err != nil {
			t.Fatal(err)
		}
		if got, _ := a.Accounts.User(ctx, u.ID); got.Name != account.Tombstone(u.ID) {
			t.Fatalf("not erased: %+v", got)
		}
		dbText := allText(t, d)
		for what, m := range identifying {
			if strings.Contains(dbText, strings.ToLower(m)) {
				t.Errorf("the database still holds the %s (%s)", what, m)
			}
		}
		for what, m := range content {
			if !strings.Contains(dbText, strings.ToLower(m)) && !strings.Contains(what, "bytes") {
				t.Errorf("the %s (%s) was lost: shared content must stay", what, m)
			}
		}
		if after := countFiles(t, a.Config.FilesDir()); after != before-1 {
			t.Errorf("file storage went from %d to %d objects; want only the export archive gone", before, after)
		}
		files := storedText(t, a.Config.FilesDir())
		for what, m := range identifying {
			if strings.Contains(files, m) {
				t.Errorf("file storage still holds the %s (%s)", what, m)
			}
		}
		if !strings.Contains(files, content["release file bytes"]) {
			t.Error("the release file was removed: shared content must stay")
		}
		if d.Dialect() != db.SQLite {
			return
		}
		for _, q := range []string{`PRAGMA wal_checkpoint(TRUNCATE)`, `VACUUM`, `PRAGMA wal_checkpoint(TRUNCATE)`} {
			if _, err := d.Exec(ctx, q); err != nil {
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
			lower := bytes.ToLower(b)
			for what, m := range identifying {
				if bytes.Contains(lower, []byte(strings.ToLower(m))) {
					t.Errorf("%s still holds the %s (%s)", filepath.Base(f), what, m)
				}
			}
		}
	})
}

// unzipAll returns the text of every entry of a ZIP.
func unzipAll(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		sb.WriteString(f.Name + "\n")
		sb.Write(data)
		sb.WriteString("\n")
	}
	return sb.String()
}

// allText dumps every text column of every table, lower-cased.
func allText(t *testing.T, d *db.DB) string {
	t.Helper()
	ctx := context.Background()
	var q string
	if d.Dialect() == db.SQLite {
		q = `SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c WHERE m.type = 'table'
			AND m.name NOT LIKE 'sqlite_%' AND (upper(c.type) LIKE '%TEXT%' OR c.type = '' OR upper(c.type) LIKE '%BLOB%')`
	} else {
		q = `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()
			AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'bytea')`
	}
	rows, err := d.Query(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	type col struct{ table, name string }
	var cols []col
	for rows.Next() {
		var c col
		if err := rows.Scan(&c.table, &c.name); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	rows.Close()
	var sb strings.Builder
	for _, c := range cols {
		expr := `CAST("` + c.name + `" AS TEXT)`
		if d.Dialect() == db.Postgres {
			expr = `"` + c.name + `"::text`
		}
		vals, err := d.Query(ctx, `SELECT COALESCE(`+expr+`, '') FROM "`+c.table+`"`)
		if err != nil {
			t.Fatalf("%s.%s: %v", c.table, c.name, err)
		}
		for vals.Next() {
			var v string
			if err := vals.Scan(&v); err != nil {
				t.Fatal(err)
			}
			sb.WriteString(strings.ToLower(v))
			sb.WriteByte('\n')
		}
		vals.Close()
	}
	return sb.String()
}

// storedText concatenates every file under dir (names and bytes).
func storedText(t *testing.T, dir string) string {
	t.Helper()
	var sb strings.Builder
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		sb.WriteString(p + "\n")
		sb.Write(b)
		return err
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return sb.String()
}

// countFiles counts the regular files under dir, the deletion ledger aside.
func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() && !strings.Contains(filepath.ToSlash(p), "privacy/erasures/") {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
