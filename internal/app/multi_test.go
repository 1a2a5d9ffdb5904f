package app_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"shipshape/internal/app"
	"shipshape/internal/audit"
	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

// TestTwoInstancesOnOnePostgresShareSessions starts two app instances on
// one PostgreSQL schema: a session opened on one is honoured by the other,
// and signing out on the second ends it on the first.
func TestTwoInstancesOnOnePostgresShareSessions(t *testing.T) {
	if testkit.PostgresURL() == "" {
		t.Skip("SHIPSHAPE_TEST_POSTGRES is not set (the test command always sets it)")
	}
	url := testkit.PostgresSchemaURL(t)
	ctx := context.Background()
	open := func() *app.App {
		d, err := db.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		if _, err := d.Migrate(ctx); err != nil { // both instances migrate at start, as serve does
			t.Fatal(err)
		}
		return testkit.NewApp(t, d, testkit.NewClock())
	}
	a, b := open(), open()
	srvA, srvB := testkit.Server(t, a), testkit.Server(t, b)

	ana := testkit.MustUser(t, a, "Ana Lima")
	testkit.MustWorkspace(t, b, ana, "acme") // written through instance B
	_, secret, err := a.Accounts.Login(ctx, audit.Actor{IP: "192.0.2.1"}, ana.Email, testkit.Password)
	if err != nil {
		t.Fatal(err)
	}
	get := func(base, path string) (int, string) {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.AddCookie(&http.Cookie{Name: "shipshape_session", Value: secret})
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	for _, base := range []string{srvA.URL, srvB.URL} {
		status, body := get(base, "/")
		if status != 200 || !strings.Contains(body, "Ana Lima") || !strings.Contains(body, "acme") {
			t.Fatalf("%s: signed-in dashboard: status %d", base, status)
		}
	}
	// Sign out through instance B; instance A no longer knows the session.
	p, err := b.Accounts.Session(ctx, secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Accounts.Logout(ctx, audit.Actor{UserID: ana.ID}, p); err != nil {
		t.Fatal(err)
	}
	if status, _ := get(srvA.URL, "/"); status != http.StatusSeeOther && status != http.StatusFound {
		t.Fatalf("instance A still honours a session ended on B: status %d", status)
	}
}
