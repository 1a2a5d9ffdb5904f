package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"shipshape/internal/config"

	_ "modernc.org/sqlite" // the backup is checked before it replaces anything
)

// reapplyErasures erases again every account the deletion ledger (kept in
// file storage, outside the database) names and the database does not show
// as erased: run it after restoring a database backup by other means
// (pg_restore), as restore does for SQLite.
func reapplyErasures(ctx context.Context, args []string, env Env) error {
	fs := newFlags("privacy reapply-erasures", "Erase again every account in the deletion ledger that the database does not show as erased.\n"+
		"Run it after restoring a PostgreSQL backup (`shipshape restore` does it for SQLite): a backup older than an\n"+
		"erasure would otherwise bring the person's data back.", env)
	cfg, err := load(fs, args, env)
	if err != nil {
		return err
	}
	return reapplyWith(ctx, cfg, env)
}

func reapplyWith(ctx context.Context, cfg config.Config, env Env) error {
	a, done, err := openApp(ctx, cfg, env)
	if err != nil {
		return err
	}
	defer done()
	n, err := a.Accounts.ReapplyErasures(ctx)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(env.Stdout, "re-applied %d erasure(s) from the deletion ledger\n", n)
	return nil
}

// backup copies the SQLite database into a new file with VACUUM INTO: a
// consistent copy taken inside a read transaction, safe while the server
// runs.
func backup(ctx context.Context, args []string, env Env) error {
	fs := newFlags("backup", "Copy the SQLite database to --to (a new file), consistently, while the server may keep running.\n"+
		"For PostgreSQL use pg_dump; file storage (the files folder or the bucket) is backed up separately.", env)
	to := fs.String("to", "", "the backup file to create (must not exist)")
	cfg, err := load(fs, args, env)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL != "" {
		return errors.New("backup copies the embedded SQLite database; for PostgreSQL use pg_dump")
	}
	if *to == "" {
		return errors.New("--to is required")
	}
	if _, err := os.Stat(*to); err == nil {
		return fmt.Errorf("%s exists; choose a new file", *to)
	}
	if err := plainPath(cfg.SQLitePath()); err != nil {
		return err
	}
	d, err := sql.Open("sqlite", "file:"+cfg.SQLitePath()+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer d.Close()
	if _, err := d.ExecContext(ctx, `VACUUM INTO ?`, *to); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(env.Stdout, "backed up %s to %s\n", cfg.SQLitePath(), *to)
	return nil
}

// restore replaces the SQLite database with a backup — with the server
// stopped — then migrates it and re-applies the deletion ledger, so that
// nobody erased since the backup comes back.
func restore(ctx context.Context, args []string, env Env) error {
	fs := newFlags("restore", "Replace the SQLite database with the backup --from (stop the server first), apply migrations, and\n"+
		"re-apply the deletion ledger so that accounts erased after the backup was taken are erased again.\n"+
		"For PostgreSQL: pg_restore, then `shipshape privacy reapply-erasures`.", env)
	from := fs.String("from", "", "the backup file (made by `shipshape backup`)")
	cfg, err := load(fs, args, env)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL != "" {
		return errors.New("restore replaces the embedded SQLite database; for PostgreSQL use pg_restore, then `shipshape privacy reapply-erasures`")
	}
	if *from == "" {
		return errors.New("--from is required")
	}
	if err := checkSQLite(ctx, *from); err != nil {
		return fmt.Errorf("%s is not a usable backup: %w", *from, err)
	}
	if err := checkpoint(ctx, cfg.SQLitePath()); err != nil {
		return fmt.Errorf("the current database: %w", err)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return err
	}
	if err := copyInto(*from, cfg.SQLitePath()); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "restored %s from %s\n", cfg.SQLitePath(), *from)
	return reapplyWith(ctx, cfg, env)
}

// checkpoint folds the current database's WAL into the file before the
// restore removes the WAL: if the restore then fails, nothing committed is
// lost. A missing database is fine (restoring into an empty data dir).
func checkpoint(ctx context.Context, path string) error {
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return nil
	}
	if err := plainPath(path); err != nil {
		return err
	}
	d, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return err
	}
	defer d.Close()
	_, err = d.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// plainPath refuses paths that would change meaning inside a file: URI
// (SQLite reads ?, # and % there).
func plainPath(path string) error {
	if strings.ContainsAny(path, "?#%") {
		return fmt.Errorf("%s: use a path without ?, # or %%", path)
	}
	return nil
}

// checkSQLite opens a file read-only and runs SQLite's integrity check.
func checkSQLite(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	if err := plainPath(path); err != nil {
		return err
	}
	d, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer d.Close()
	var res string
	if err := d.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("integrity check: %s", res)
	}
	return nil
}

// copyInto writes src to dst through a temporary file in dst's folder,
// synced and renamed, and removes dst's old WAL files: the database is
// either the old one or the backup, never half of each.
func copyInto(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".restore-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(dst + suffix); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return os.Rename(tmp.Name(), dst)
}
