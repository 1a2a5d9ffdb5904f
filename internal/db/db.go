// Package db opens SQLite or PostgreSQL behind one small API: a reader and a
// writer pool, transactions with after-commit hooks, '?' placeholders rebound
// for PostgreSQL, time values normalised, and driver errors translated.
// Every dialect difference lives in this package.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"
)

// Dialect names a database engine.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the handle services use. On SQLite it holds one writer connection
// and a pool of read-only connections; on PostgreSQL both are the same pool.
type DB struct {
	dialect Dialect
	write   *sql.DB
	read    *sql.DB
	path    string // SQLite file path

	// stmts caches prepared read statements on SQLite, where parsing a
	// statement costs more than running a small query (pgx caches its own).
	stmts  sync.Map // query text → *sql.Stmt
	nstmts atomic.Int32
}

// maxCachedStmts bounds the cache; queries beyond it are parsed each time.
const maxCachedStmts = 512

// Querier runs statements; implemented by *DB (reader pool) and *Tx.
type Querier interface {
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *Row
	Dialect() Dialect
}

// Open connects to url: "" or "sqlite:PATH" or a file path for SQLite, or
// "postgres://..." for PostgreSQL. For SQLite the directory must exist.
func Open(ctx context.Context, url string) (*DB, error) {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		return openPostgres(ctx, url)
	}
	return openSQLite(ctx, strings.TrimPrefix(url, "sqlite:"))
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("db: empty SQLite path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("db: create directory: %w", err)
	}
	// busy_timeout first so that switching to WAL waits for other openers.
	// synchronous=FULL: an acknowledged write survives power loss; we promise
	// users that what we said is saved is saved.
	// secure_delete: deleted content is overwritten on disk, so a hard
	// delete ("remove entirely") leaves nothing in free pages.
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_pragma=secure_delete(1)"
	w, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("db: open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("db: open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("db: open sqlite reader: %w", err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	return &DB{dialect: SQLite, write: w, read: r, path: path}, nil
}

func openPostgres(ctx context.Context, url string) (*DB, error) {
	p, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("db: open postgres: %w", err)
	}
	p.SetMaxOpenConns(32)
	p.SetMaxIdleConns(16)
	p.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := p.PingContext(pctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("db: connect postgres: %w", err)
	}
	return &DB{dialect: Postgres, write: p, read: p}, nil
}

// Close closes both pools.
func (d *DB) Close() error {
	d.stmts.Range(func(_, v any) bool { v.(*sql.Stmt).Close(); return true })
	err := d.write.Close()
	if d.read != d.write {
		err = errors.Join(err, d.read.Close())
	}
	return err
}

// Dialect reports the engine.
func (d *DB) Dialect() Dialect { return d.dialect }

// Path is the SQLite file path ("" on PostgreSQL).
func (d *DB) Path() string { return d.path }

// Ping checks that the database answers (used by /readyz).
func (d *DB) Ping(ctx context.Context) error { return d.write.PingContext(ctx) }

// Exec runs a statement outside a transaction on the writer.
func (d *DB) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	r, err := d.write.ExecContext(ctx, rebind(d.dialect, q), normArgs(d.dialect, args)...)
	return r, Translate(err)
}

// Query reads through the reader pool.
func (d *DB) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := d.stmt(ctx, q); st != nil {
		r, err := st.QueryContext(ctx, normArgs(d.dialect, args)...)
		return r, Translate(err)
	}
	r, err := d.read.QueryContext(ctx, rebind(d.dialect, q), normArgs(d.dialect, args)...)
	return r, Translate(err)
}

// QueryRow reads one row through the reader pool.
func (d *DB) QueryRow(ctx context.Context, q string, args ...any) *Row {
	if st := d.stmt(ctx, q); st != nil {
		return &Row{st.QueryRowContext(ctx, normArgs(d.dialect, args)...)}
	}
	return &Row{d.read.QueryRowContext(ctx, rebind(d.dialect, q), normArgs(d.dialect, args)...)}
}

// Row is one row whose Scan translates driver errors like everything else.
type Row struct{ r *sql.Row }

// Scan copies the columns into dest; sql.ErrNoRows passes through.
func (r *Row) Scan(dest ...any) error { return Translate(r.r.Scan(dest...)) }

// stmt returns the cached prepared statement for q on SQLite, or nil to
// run q unprepared (PostgreSQL, a full cache, or a statement that fails to
// prepare — running it reports the error).
func (d *DB) stmt(ctx context.Context, q string) *sql.Stmt {
	if d.dialect != SQLite {
		return nil
	}
	if v, ok := d.stmts.Load(q); ok {
		return v.(*sql.Stmt)
	}
	if d.nstmts.Load() >= maxCachedStmts {
		return nil
	}
	st, err := d.read.PrepareContext(ctx, q)
	if err != nil {
		return nil
	}
	if v, loaded := d.stmts.LoadOrStore(q, st); loaded {
		st.Close()
		return v.(*sql.Stmt)
	}
	d.nstmts.Add(1)
	return st
}

// Tx is a write transaction.
type Tx struct {
	tx       *sql.Tx
	dialect  Dialect
	after    []func()
	readOnly bool
}

func (t *Tx) Dialect() Dialect { return t.dialect }

func (t *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	r, err := t.tx.ExecContext(ctx, rebind(t.dialect, q), normArgs(t.dialect, args)...)
	return r, Translate(err)
}

func (t *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	r, err := t.tx.QueryContext(ctx, rebind(t.dialect, q), normArgs(t.dialect, args)...)
	return r, Translate(err)
}

func (t *Tx) QueryRow(ctx context.Context, q string, args ...any) *Row {
	return &Row{t.tx.QueryRowContext(ctx, rebind(t.dialect, q), normArgs(t.dialect, args)...)}
}

// AfterCommit registers fn to run once the transaction has committed
// (notifications, file deletion). It never runs on rollback.
func (t *Tx) AfterCommit(fn func()) { t.after = append(t.after, fn) }

// InTx runs fn in a write transaction; it commits when fn returns nil and
// rolls back otherwise. On SQLite the transaction begins IMMEDIATE so that
// writers queue on the busy timeout instead of failing on upgrade.
func (d *DB) InTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	stx, err := d.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: begin: %w", Translate(err))
	}
	tx := &Tx{tx: stx, dialect: d.dialect}
	defer func() {
		if p := recover(); p != nil {
			_ = stx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		_ = stx.Rollback()
		return err
	}
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("db: commit: %w", Translate(err))
	}
	for _, f := range tx.after {
		f()
	}
	return nil
}

// rebind turns '?' placeholders into $1, $2… for PostgreSQL. Our SQL never
// contains a literal '?' inside a string.
func rebind(d Dialect, q string) string {
	if d != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// ReadTx runs fn in a read-only transaction that sees one snapshot (used
// where several queries must agree, e.g. audit verification).
func (d *DB) ReadTx(ctx context.Context, fn func(q Querier) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if d.dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	stx, err := d.read.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("db: begin read: %w", err)
	}
	defer stx.Rollback()
	return fn(&Tx{tx: stx, dialect: d.dialect, readOnly: true})
}

// ShareLock returns " FOR SHARE OF alias" when q is a PostgreSQL write
// transaction, so that a row read to decide (a membership and its role)
// cannot change or vanish before the transaction commits; "" otherwise
// (SQLite write transactions are serialised already).
func ShareLock(q Querier, alias string) string {
	if t, ok := q.(*Tx); ok && t.dialect == Postgres && !t.readOnly {
		return " FOR SHARE OF " + alias
	}
	return ""
}

// Lock takes a transaction-scoped lock on key, so that check-then-write
// sequences (count the owners, then demote one) cannot interleave. On
// PostgreSQL it is an advisory lock; on SQLite the write transaction
// already holds the database's single write lock.
func (t *Tx) Lock(ctx context.Context, key string) error {
	if t.dialect != Postgres {
		return nil
	}
	_, err := t.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`, key)
	return err
}
