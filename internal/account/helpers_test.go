package account_test

import (
	"context"
	"testing"

	"shipshape/internal/account"
	"shipshape/internal/app"
	"shipshape/internal/audit"
	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

var ctx = context.Background()

// env is one engine's wired app with a fake clock.
type env struct {
	*app.App
	clock *testkit.Clock
	d     *db.DB
}

func newEnv(t *testing.T, d *db.DB) env {
	clock := testkit.NewClock()
	return env{App: testkit.NewApp(t, d, clock), clock: clock, d: d}
}

// setup creates the first user (site admin) through Setup.
func (e env) setup(t *testing.T) account.User {
	t.Helper()
	u, err := e.Accounts.Setup(ctx, from("192.0.2.10"), account.SignupInput{
		Name: "Site Admin", Email: "admin@example.com", Password: testkit.Password, AgeConfirmed: true})
	if err != nil {
		t.Fatalf("setup: %v", err)
	}
	return u
}

func from(ip string) audit.Actor { return audit.Actor{IP: ip, UserAgent: "Mozilla/5.0 (test)"} }

func (e env) auditCount(t *testing.T, action string) int {
	t.Helper()
	var n int
	if err := e.d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_events WHERE action = ?`, action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// wantAudit checks that exactly n events with action exist, the last one
// targeting targetID, and that the site chain still verifies.
func (e env) wantAudit(t *testing.T, action string, n int, targetID string) {
	t.Helper()
	if got := e.auditCount(t, action); got != n {
		t.Errorf("%d %q audit events, want %d", got, action, n)
		return
	}
	if n > 0 && targetID != "" {
		var got string
		if err := e.d.QueryRow(ctx, `SELECT target_id FROM audit_events WHERE action = ? ORDER BY seq DESC LIMIT 1`, action).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != targetID {
			t.Errorf("last %q event targets %q, want %q", action, got, targetID)
		}
	}
	v, err := audit.Verify(ctx, e.d, "")
	if err != nil || !v.OK {
		t.Errorf("site audit chain: %+v, %v", v, err)
	}
}

func (e env) userCount(t *testing.T) int {
	t.Helper()
	var n int
	if err := e.d.QueryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var wantCode = testkit.WantCode

var wantFields = testkit.WantFields
