package apibench

// BenchmarkReleaseListQuery isolates the SQL of the release list on SQLite
// (modernc, prepared once, like the reader pool's statement cache): the
// query as shipped vs. without the two correlated release_evidence
// subqueries, on a project with nReleases releases. Used for the write-up in
// bench/README.md ("releases scenario: where the time goes").

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"
)

func BenchmarkReleaseListQuery(b *testing.B) {
	path := filepath.Join(b.TempDir(), "q.db")
	d, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(wal)")
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	d.SetMaxOpenConns(1)
	ctx := context.Background()
	for _, s := range []string{
		`CREATE TABLE releases (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, version TEXT NOT NULL, version_key TEXT NOT NULL,
			name TEXT NOT NULL DEFAULT '', description TEXT NOT NULL DEFAULT '', status TEXT NOT NULL, target_date TEXT, released_at TEXT,
			created_by TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, UNIQUE (project_id, version_key))`,
		`CREATE INDEX releases_project_status ON releases (project_id, status, version_key)`,
		`CREATE TABLE release_evidence (id TEXT PRIMARY KEY, release_id TEXT NOT NULL, sha256 TEXT NOT NULL, created_at TEXT NOT NULL)`,
		`CREATE INDEX release_evidence_release ON release_evidence (release_id, created_at)`,
	} {
		if _, err := d.ExecContext(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
	for i := range nReleases {
		v := seedVersion(i)
		if _, err := d.ExecContext(ctx, `INSERT INTO releases VALUES (?, 'p1', ?, ?, ?, ?, 'planned', NULL, NULL, 'u1', '2026-11-22T20:00:00Z', '2026-11-22T20:00:00Z')`,
			fmt.Sprintf("r%04d", i), v, fmt.Sprintf("%08d", i), "Release "+v, "Weekly train "+v+": fixes and small features; see the notes."); err != nil {
			b.Fatal(err)
		}
	}
	base := `id, project_id, version, version_key, name, description, status, target_date, released_at,
	COALESCE(created_by, ''), created_at, updated_at`
	ev := `,
	(SELECT e.sha256 FROM release_evidence e WHERE e.release_id = releases.id ORDER BY e.created_at DESC, e.id DESC LIMIT 1),
	(SELECT e.created_at FROM release_evidence e WHERE e.release_id = releases.id ORDER BY e.created_at DESC, e.id DESC LIMIT 1)`
	for _, c := range []struct{ name, cols string }{{"as-shipped", base + ev}, {"without-evidence-subqueries", base}} {
		b.Run(c.name, func(b *testing.B) {
			st, err := d.PrepareContext(ctx, `SELECT `+c.cols+` FROM releases WHERE project_id = ? ORDER BY version_key DESC LIMIT 21`)
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			defer measureCPU(b)()
			for b.Loop() {
				rows, err := st.QueryContext(ctx, "p1")
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for rows.Next() {
					n++
				}
				rows.Close()
				if n != 21 {
					b.Fatalf("%d rows", n)
				}
			}
		})
	}
}
