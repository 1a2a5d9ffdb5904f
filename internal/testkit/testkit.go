// Package testkit is the shared test harness: a fresh database on SQLite or
// PostgreSQL, a fake clock, a wired app and server, and fixture builders.
package testkit

import (
	"context"
	"database/sql"

	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"shipshape/internal/account"
	"shipshape/internal/app"
	"shipshape/internal/audit"
	"shipshape/internal/config"
	"shipshape/internal/db"
	"shipshape/internal/perm"
	"shipshape/internal/workspace"
)

// PostgresURL is the throwaway PostgreSQL the test command started, if any.
func PostgresURL() string { return os.Getenv("SHIPSHAPE_TEST_POSTGRES") }

// Engines lists the engines under test: SQLite always, PostgreSQL when
// SHIPSHAPE_TEST_POSTGRES is set.
func Engines() []db.Dialect {
	e := []db.Dialect{db.SQLite}
	if PostgresURL() != "" {
		e = append(e, db.Postgres)
	}
	return e
}

// ForEachEngine runs fn once per engine as a subtest with a fresh database.
func ForEachEngine(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(string(e), func(t *testing.T) { fn(t, OpenDB(t, e)) })
	}
}

// OpenDB returns a fresh, migrated database. On PostgreSQL every call gets
// its own schema, dropped when the test ends.
func OpenDB(t testing.TB, engine db.Dialect) *db.DB {
	t.Helper()
	ctx := context.Background()
	var d *db.DB
	var err error
	switch engine {
	case db.SQLite:
		d, err = db.Open(ctx, filepath.Join(t.TempDir(), "test.db"))
	case db.Postgres:
		d, err = db.Open(ctx, PostgresSchemaURL(t))
	default:
		t.Fatalf("unknown engine %q", engine)
	}
	if err != nil {
		t.Fatalf("open %s: %v", engine, err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", engine, err)
	}
	return d
}

// PostgresSchemaURL creates a new schema on the test PostgreSQL and returns
// a URL whose connections use it. The schema is dropped at cleanup.
func PostgresSchemaURL(t testing.TB) string {
	t.Helper()
	base := PostgresURL()
	if base == "" {
		t.Skip("SHIPSHAPE_TEST_POSTGRES is not set")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	schema := "t_" + db.RandomToken(6)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Clock is a fake clock that moves only when told.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts at a fixed Monday morning.
func NewClock() *Clock { return &Clock{t: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)} }

// Now returns the fake time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Config is the configuration tests use.
func Config(t testing.TB) config.Config {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Addr = "127.0.0.1:0"
	return cfg
}

// Logger discards output unless SHIPSHAPE_TEST_LOG is set.
func Logger() *slog.Logger {
	if os.Getenv("SHIPSHAPE_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// NewApp wires an app on d with clock.
func NewApp(t testing.TB, d *db.DB, clock *Clock) *app.App {
	t.Helper()
	a, err := app.New(Config(t), Logger(), d, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// Server serves a over HTTP on a loopback port until the test ends.
func Server(t testing.TB, a *app.App) *httptest.Server {
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(srv.Close)
	return srv
}

// Password is the password of every fixture user.
const Password = "correct horse battery staple"

// MustUser creates a user through the account service.
func MustUser(t testing.TB, a *app.App, name string) account.User {
	t.Helper()
	email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.com"
	u, err := a.Accounts.CreateUser(context.Background(), account.SignupInput{Name: name, Email: email, Password: Password}, false)
	if err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	return u
}

// MustToken issues a read+write token for u.
func MustToken(t testing.TB, a *app.App, u account.User) string {
	t.Helper()
	_, secret, err := a.Accounts.CreateToken(context.Background(), Actor(u), u.ID, account.TokenInput{Name: "test", Scopes: []string{"read", "write"}})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// MustWorkspace creates a workspace owned by u.
func MustWorkspace(t testing.TB, a *app.App, u account.User, slug string) workspace.Workspace {
	t.Helper()
	w, err := a.Workspaces.Create(context.Background(), Actor(u), workspace.CreateInput{Slug: slug, Name: strings.ToUpper(slug[:1]) + slug[1:]})
	if err != nil {
		t.Fatalf("create workspace %s: %v", slug, err)
	}
	return w
}

// MustJoin adds u to the workspace slug (owned by owner) with role via an invitation.
func MustJoin(t testing.TB, a *app.App, owner account.User, slug string, u account.User, role string) {
	t.Helper()
	ctx := context.Background()
	inv, err := a.Workspaces.Invite(ctx, Actor(owner), slug, u.Email, perRole(role))
	if err != nil {
		t.Fatalf("invite: %v", err)
	}
	if _, err := a.Workspaces.Accept(ctx, Actor(u), u.Email, inv.Token); err != nil {
		t.Fatalf("accept: %v", err)
	}
}

// Actor is a test actor for u.
func Actor(u account.User) audit.Actor {
	return audit.Actor{UserID: u.ID, IP: "192.0.2.1", UserAgent: "testkit"}
}

func perRole(r string) perm.Role { return perm.Role(r) }
