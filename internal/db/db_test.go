package db_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

// openFresh opens an empty, unmigrated database on engine.
func openFresh(t *testing.T, engine db.Dialect) (*db.DB, string) {
	t.Helper()
	var url string
	switch engine {
	case db.SQLite:
		url = filepath.Join(t.TempDir(), "fresh.db")
	case db.Postgres:
		url = testkit.PostgresSchemaURL(t)
	}
	d, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("open %s: %v", engine, err)
	}
	t.Cleanup(func() { d.Close() })
	return d, url
}

func versions(ms []db.Migration) []string {
	var v []string
	for _, m := range ms {
		v = append(v, m.Version)
	}
	return v
}

func TestMigrationFilesHaveTheSameNamesOnBothEngines(t *testing.T) {
	lite, err := db.Migrations(db.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := db.Migrations(db.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) == 0 {
		t.Fatal("no SQLite migrations embedded")
	}
	if !slices.Equal(versions(lite), versions(pg)) {
		t.Errorf("migration names differ:\n sqlite:   %v\n postgres: %v", versions(lite), versions(pg))
	}
	for i, m := range lite {
		if i > 0 && m.Version <= lite[i-1].Version {
			t.Errorf("migrations not in order: %s after %s", m.Version, lite[i-1].Version)
		}
		if strings.TrimSpace(m.SQL) == "" {
			t.Errorf("sqlite migration %s is empty", m.Version)
		}
	}
}

// column is what the parity test compares per column.
type column struct {
	Name    string
	NotNull bool
}

// engineSpecific are the objects one engine has and the other has not by
// design: the full-text index (0009_search.sql) is an FTS5 table with its
// shadow tables on SQLite and a tsvector column with a GIN index on
// PostgreSQL.
var engineSpecific = map[string]bool{
	"search_fts": true, "search_fts_data": true, "search_fts_idx": true, "search_fts_docsize": true, "search_fts_config": true,
	"search_entries.tsv": true, "search_entries_tsv": true,
}

type schema struct {
	Tables  map[string][]column // columns sorted by name
	Indexes []string            // named indexes (not those backing PRIMARY KEY/UNIQUE constraints)
}

func readSchema(t *testing.T, d *db.DB) schema {
	t.Helper()
	ctx := context.Background()
	s := schema{Tables: map[string][]column{}}
	var tables []string
	switch d.Dialect() {
	case db.SQLite:
		tables = queryStrings(t, d, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
		for _, tb := range tables {
			if engineSpecific[tb] {
				continue
			}
			rows, err := d.Query(ctx, `SELECT name, "notnull", pk FROM pragma_table_info(?)`, tb)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var c column
				var pk int
				if err := rows.Scan(&c.Name, &c.NotNull, &pk); err != nil {
					t.Fatal(err)
				}
				// PostgreSQL makes primary-key columns NOT NULL implicitly.
				c.NotNull = c.NotNull || pk > 0
				s.Tables[tb] = append(s.Tables[tb], c)
			}
			rows.Close()
		}
		s.Indexes = queryStrings(t, d, `SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%'`)
	case db.Postgres:
		rows, err := d.Query(ctx, `SELECT table_name, column_name, is_nullable FROM information_schema.columns
			WHERE table_schema = current_schema()`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var tb, nullable string
			var c column
			if err := rows.Scan(&tb, &c.Name, &nullable); err != nil {
				t.Fatal(err)
			}
			c.NotNull = nullable == "NO"
			if engineSpecific[tb+"."+c.Name] {
				continue
			}
			s.Tables[tb] = append(s.Tables[tb], c)
		}
		rows.Close()
		s.Indexes = queryStrings(t, d, `SELECT indexname FROM pg_indexes i WHERE schemaname = current_schema()
			AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`)
	}
	for _, cs := range s.Tables {
		sort.Slice(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
	}
	s.Indexes = slices.DeleteFunc(s.Indexes, func(n string) bool { return engineSpecific[n] })
	sort.Strings(s.Indexes)
	return s
}

func queryStrings(t *testing.T, d *db.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := d.Query(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMigratedSchemasMatchAcrossEngines(t *testing.T) {
	if testkit.PostgresURL() == "" {
		t.Skip("SHIPSHAPE_TEST_POSTGRES is not set; the schema comparison needs both engines")
	}
	lite := readSchema(t, testkit.OpenDB(t, db.SQLite))
	pg := readSchema(t, testkit.OpenDB(t, db.Postgres))

	names := func(m map[string][]column) []string {
		var n []string
		for k := range m {
			n = append(n, k)
		}
		sort.Strings(n)
		return n
	}
	if !slices.Equal(names(lite.Tables), names(pg.Tables)) {
		t.Fatalf("tables differ:\n sqlite:   %v\n postgres: %v", names(lite.Tables), names(pg.Tables))
	}
	if len(lite.Tables) < 10 {
		t.Fatalf("only %d tables found; the schema query is probably wrong", len(lite.Tables))
	}
	for _, tb := range names(lite.Tables) {
		t.Run(tb, func(t *testing.T) {
			if !slices.Equal(lite.Tables[tb], pg.Tables[tb]) {
				t.Errorf("columns (name, not null) differ:\n sqlite:   %v\n postgres: %v", lite.Tables[tb], pg.Tables[tb])
			}
		})
	}
	if !slices.Contains(lite.Indexes, "users_email") || !slices.Contains(pg.Indexes, "users_email") {
		t.Fatalf("index users_email not found (sqlite %v, postgres %v); the index query is probably wrong", lite.Indexes, pg.Indexes)
	}
	if !slices.Equal(lite.Indexes, pg.Indexes) {
		t.Errorf("named indexes differ:\n sqlite:   %v\n postgres: %v", lite.Indexes, pg.Indexes)
	}
}

func TestMigrate(t *testing.T) {
	for _, engine := range testkit.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			all, err := db.Migrations(engine)
			if err != nil {
				t.Fatal(err)
			}

			t.Run("FirstRunAppliesEverything", func(t *testing.T) {
				d, _ := openFresh(t, engine)
				pending, err := d.Pending(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(pending, versions(all)) {
					t.Errorf("Pending on an empty database = %v, want %v", pending, versions(all))
				}
				applied, err := d.Migrate(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(applied, versions(all)) {
					t.Errorf("applied = %v, want %v", applied, versions(all))
				}
			})

			t.Run("SecondRunAppliesNothing", func(t *testing.T) {
				d, _ := openFresh(t, engine)
				if _, err := d.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				applied, err := d.Migrate(ctx)
				if err != nil {
					t.Fatalf("second Migrate: %v", err)
				}
				if len(applied) != 0 {
					t.Errorf("second Migrate applied %v, want nothing", applied)
				}
				pending, err := d.Pending(ctx)
				if err != nil || len(pending) != 0 {
					t.Errorf("Pending after Migrate = %v, %v; want none", pending, err)
				}
				var n int
				if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n != len(all) {
					t.Errorf("schema_migrations has %d rows, want %d", n, len(all))
				}
			})

			t.Run("ConcurrentInstancesApplyOnce", func(t *testing.T) {
				// Two instances starting at once on one database (the scale-out story).
				d1, url := openFresh(t, engine)
				d2, err := db.Open(ctx, url)
				if err != nil {
					t.Fatal(err)
				}
				defer d2.Close()
				var wg sync.WaitGroup
				results := make([][]string, 2)
				errs := make([]error, 2)
				for i, d := range []*db.DB{d1, d2} {
					wg.Add(1)
					go func() {
						defer wg.Done()
						results[i], errs[i] = d.Migrate(ctx)
					}()
				}
				wg.Wait()
				if err := errors.Join(errs...); err != nil {
					t.Fatalf("concurrent Migrate: %v", err)
				}
				if got := len(results[0]) + len(results[1]); got != len(all) {
					t.Errorf("instances applied %v and %v; want each migration applied exactly once", results[0], results[1])
				}
			})
		})
	}
}

// timeTable creates a scratch table with a timestamp column of the engine's type.
func timeTable(t *testing.T, d *db.DB) {
	t.Helper()
	typ := "TEXT"
	if d.Dialect() == db.Postgres {
		typ = "TIMESTAMPTZ"
	}
	if _, err := d.Exec(context.Background(), `CREATE TABLE times (id TEXT PRIMARY KEY, at `+typ+` NOT NULL, maybe `+typ+`)`); err != nil {
		t.Fatal(err)
	}
}

func TestTimeRoundTrip(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		timeTable(t, d)
		zone := time.FixedZone("UTC-3", -3*3600)
		at := time.Date(2026, 7, 1, 21, 30, 15, 987654321, zone)
		want := time.Date(2026, 7, 2, 0, 30, 15, 987654000, time.UTC)

		t.Run("MicrosecondsInUTC", func(t *testing.T) {
			if _, err := d.Exec(ctx, `INSERT INTO times (id, at) VALUES (?, ?)`, "a", at); err != nil {
				t.Fatal(err)
			}
			var got time.Time
			var maybe *time.Time
			if err := d.QueryRow(ctx, `SELECT at, maybe FROM times WHERE id = ?`, "a").Scan(db.Time(&got), db.NullTime(&maybe)); err != nil {
				t.Fatal(err)
			}
			if !got.Equal(want) {
				t.Errorf("read back %v, want %v (microsecond precision)", got, want)
			}
			if got.Location() != time.UTC {
				t.Errorf("location = %v, want UTC", got.Location())
			}
			if maybe != nil {
				t.Errorf("NULL column scanned as %v, want nil", maybe)
			}
		})

		t.Run("PointerInsideTransaction", func(t *testing.T) {
			err := d.InTx(ctx, func(tx *db.Tx) error {
				_, err := tx.Exec(ctx, `INSERT INTO times (id, at, maybe) VALUES (?, ?, ?)`, "b", at, &at)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			var got *time.Time
			if err := d.QueryRow(ctx, `SELECT maybe FROM times WHERE id = ?`, "b").Scan(db.NullTime(&got)); err != nil {
				t.Fatal(err)
			}
			if got == nil || !got.Equal(want) || got.Location() != time.UTC {
				t.Errorf("nullable column read back %v, want %v UTC", got, want)
			}
		})

		t.Run("ComparisonsFollowTimeOrder", func(t *testing.T) {
			base := time.Date(2026, 9, 1, 23, 59, 59, 0, time.UTC)
			for i, off := range []time.Duration{0, time.Microsecond, 999 * time.Millisecond, time.Second, 3 * time.Hour} {
				id := "c" + string(rune('0'+i))
				if _, err := d.Exec(ctx, `INSERT INTO times (id, at) VALUES (?, ?)`, id, base.Add(off)); err != nil {
					t.Fatal(err)
				}
			}
			got := queryStrings(t, d, `SELECT id FROM times WHERE id LIKE 'c%' AND at > ? ORDER BY at`, base.Add(500*time.Millisecond))
			if !slices.Equal(got, []string{"c2", "c3", "c4"}) {
				t.Errorf("at > base+0.5s ordered = %v, want [c2 c3 c4]", got)
			}
		})
	})
}

func TestTranslate(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Now()
		if _, err := d.Exec(ctx, `INSERT INTO workspaces (id, slug, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			"w1", "acme", "Acme", now, now); err != nil {
			t.Fatal(err)
		}

		t.Run("UniqueColumnIsErrUnique", func(t *testing.T) {
			_, err := d.Exec(ctx, `INSERT INTO workspaces (id, slug, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
				"w2", "acme", "Acme again", now, now)
			if !errors.Is(err, db.ErrUnique) {
				t.Fatalf("duplicate slug: got %v, want ErrUnique", err)
			}
			if errors.Is(err, db.ErrForeignKey) {
				t.Error("a unique violation also matches ErrForeignKey")
			}
			if err.Error() == db.ErrUnique.Error() {
				t.Error("the driver's message was lost")
			}
		})

		t.Run("PrimaryKeyIsErrUnique", func(t *testing.T) {
			_, err := d.Exec(ctx, `INSERT INTO workspaces (id, slug, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
				"w1", "other", "Other", now, now)
			if !errors.Is(err, db.ErrUnique) {
				t.Fatalf("duplicate primary key: got %v, want ErrUnique", err)
			}
		})

		t.Run("ForeignKeyIsErrForeignKey", func(t *testing.T) {
			_, err := d.Exec(ctx, `INSERT INTO teams (id, workspace_id, slug, name, created_at) VALUES (?, ?, ?, ?, ?)`,
				"t1", "no-such-workspace", "core", "Core", now)
			if !errors.Is(err, db.ErrForeignKey) {
				t.Fatalf("dangling reference: got %v, want ErrForeignKey", err)
			}
			if errors.Is(err, db.ErrUnique) {
				t.Error("a foreign-key violation also matches ErrUnique")
			}
		})

		t.Run("InsideTransaction", func(t *testing.T) {
			err := d.InTx(ctx, func(tx *db.Tx) error {
				_, err := tx.Exec(ctx, `INSERT INTO workspaces (id, slug, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
					"w3", "acme", "Acme", now, now)
				return err
			})
			if !errors.Is(err, db.ErrUnique) {
				t.Fatalf("InTx duplicate: got %v, want ErrUnique", err)
			}
		})

		t.Run("NotNullIsNeither", func(t *testing.T) {
			_, err := d.Exec(ctx, `INSERT INTO workspaces (id, slug, name, created_at, updated_at) VALUES (?, ?, NULL, ?, ?)`,
				"w4", "nn", now, now)
			if err == nil {
				t.Fatal("NULL name was accepted")
			}
			if errors.Is(err, db.ErrUnique) || errors.Is(err, db.ErrForeignKey) {
				t.Errorf("NOT NULL violation translated to a constraint sentinel: %v", err)
			}
		})

		t.Run("ConflictBecomesAppErrorOnField", func(t *testing.T) {
			_, err := d.Exec(ctx, `INSERT INTO workspaces (id, slug, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
				"w5", "acme", "Acme", now, now)
			err = db.Conflict(err, "slug", "is already taken")
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != apperr.Conflict || ae.Fields["slug"] != "is already taken" {
				t.Fatalf("Conflict = %#v, want apperr conflict on slug", err)
			}
			if !errors.Is(err, db.ErrUnique) {
				t.Error("Conflict dropped the ErrUnique cause")
			}
			other := errors.New("boom")
			if got := db.Conflict(other, "slug", "x"); got != other {
				t.Errorf("Conflict changed a non-unique error: %v", got)
			}
		})
	})

	t.Run("NilAndPlainErrorsPass", func(t *testing.T) {
		if db.Translate(nil) != nil {
			t.Error("Translate(nil) != nil")
		}
		e := errors.New("plain")
		if db.Translate(e) != e {
			t.Error("Translate changed a non-driver error")
		}
	})
}

func TestInTx(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		put := func(tx *db.Tx, key string) error {
			_, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)`, key, "v")
			return err
		}

		t.Run("CommitsAndRunsHooksInOrderAfterCommit", func(t *testing.T) {
			var ran []string
			var seenInHook int
			err := d.InTx(ctx, func(tx *db.Tx) error {
				tx.AfterCommit(func() {
					ran = append(ran, "first")
					// The hook must see committed data from another connection.
					seenInHook = countRowsWhere(t, d, "settings", "key = 'committed'")
				})
				tx.AfterCommit(func() { ran = append(ran, "second") })
				if len(ran) != 0 {
					t.Error("hook ran before commit")
				}
				return put(tx, "committed")
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ran, []string{"first", "second"}) {
				t.Errorf("hooks ran %v, want [first second]", ran)
			}
			if seenInHook != 1 {
				t.Errorf("hook saw %d committed rows, want 1", seenInHook)
			}
		})

		t.Run("ErrorRollsBackAndSkipsHooks", func(t *testing.T) {
			boom := errors.New("boom")
			hook := false
			err := d.InTx(ctx, func(tx *db.Tx) error {
				tx.AfterCommit(func() { hook = true })
				if err := put(tx, "rolled-back"); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("InTx returned %v, want the callback's error", err)
			}
			if hook {
				t.Error("AfterCommit hook ran on rollback")
			}
			if n := countRowsWhere(t, d, "settings", "key = 'rolled-back'"); n != 0 {
				t.Errorf("row written by a rolled-back transaction is visible (%d)", n)
			}
		})

		t.Run("PanicRollsBackAndPropagates", func(t *testing.T) {
			hook := false
			func() {
				defer func() {
					if recover() == nil {
						t.Error("panic was swallowed")
					}
				}()
				_ = d.InTx(ctx, func(tx *db.Tx) error {
					tx.AfterCommit(func() { hook = true })
					if err := put(tx, "panicked"); err != nil {
						return err
					}
					panic("boom")
				})
			}()
			if hook {
				t.Error("AfterCommit hook ran after a panic")
			}
			if n := countRowsWhere(t, d, "settings", "key = 'panicked'"); n != 0 {
				t.Errorf("row written before a panic is visible (%d)", n)
			}
			// The writer must still be usable (the connection was released).
			if err := d.InTx(ctx, func(tx *db.Tx) error { return put(tx, "after-panic") }); err != nil {
				t.Fatalf("InTx after a panic: %v", err)
			}
		})

		t.Run("ReadTxRefusesWrites", func(t *testing.T) {
			err := d.ReadTx(ctx, func(q db.Querier) error {
				_, err := q.Exec(ctx, `INSERT INTO settings (key, value) VALUES ('from-read-tx', 'v')`)
				return err
			})
			if err == nil {
				t.Error("a write inside ReadTx succeeded")
			}
			if n := countRowsWhere(t, d, "settings", "key = 'from-read-tx'"); n != 0 {
				t.Errorf("write inside ReadTx is visible (%d)", n)
			}
		})
	})
}

func countRowsWhere(t *testing.T, d *db.DB, table, where string) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), `SELECT COUNT(*) FROM `+table+` WHERE `+where).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLikeMatchesLiterally(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		for _, k := range []string{`50%_off`, `50xyoff`, `a\b`, `axb`} {
			if _, err := d.Exec(ctx, `INSERT INTO settings (key, value) VALUES (?, '')`, k); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct{ prefix, want string }{{`50%_`, `50%_off`}, {`a\`, `a\b`}} {
			got := queryStrings(t, d, `SELECT key FROM settings WHERE key LIKE ? ESCAPE '\'`, db.Like(c.prefix)+"%")
			if !slices.Equal(got, []string{c.want}) {
				t.Errorf("LIKE %q%% matched %v, want only %q", c.prefix, got, c.want)
			}
		}
	})
}

func TestNewIDIsUniqueAndTimeOrdered(t *testing.T) {
	prev := db.NewID()
	seen := map[string]bool{prev: true}
	for range 1000 {
		id := db.NewID()
		if seen[id] {
			t.Fatalf("duplicate id %s", id)
		}
		seen[id] = true
		if id[:8] < prev[:8] { // the leading 48 bits are milliseconds
			t.Fatalf("id %s sorts before earlier id %s", id, prev)
		}
		prev = id
	}
}
