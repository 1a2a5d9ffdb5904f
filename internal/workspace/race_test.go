package workspace_test

import (
	"sync"
	"testing"

	"shipshape/internal/audit"
	"shipshape/internal/db"
	"shipshape/internal/perm"
	"shipshape/internal/testkit"
)

func (c *crew) owners(t *testing.T) int {
	t.Helper()
	var n int
	if err := c.d.QueryRow(ctx, `SELECT COUNT(*) FROM memberships WHERE workspace_id = ? AND role = 'owner'`, c.ws.ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestConcurrentStepDownKeepsAnOwner: two owners stepping down at the same
// moment must not leave the workspace without an owner.
func TestConcurrentStepDownKeepsAnOwner(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		c := newCrew(t, d)
		if _, err := c.Workspaces.ChangeRole(ctx, c.owner, "acme", c.bob.ID, perm.Owner); err != nil {
			t.Fatal(err)
		}
		release := holdWriteLock(t, d, "memberships")
		var wg sync.WaitGroup
		for _, actor := range []audit.Actor{c.owner, c.admin} { // Ana and Bob, both owners now
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _ = c.Workspaces.ChangeRole(ctx, actor, "acme", actor.UserID, perm.Admin)
			}()
		}
		release(2)
		wg.Wait()
		if n := c.owners(t); n != 1 {
			t.Errorf("%d owners after both owners stepped down at once; want 1", n)
		}
	})
}

// TestConcurrentLeaveKeepsAnOwner is the same race through RemoveMember.
func TestConcurrentLeaveKeepsAnOwner(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		c := newCrew(t, d)
		if _, err := c.Workspaces.ChangeRole(ctx, c.owner, "acme", c.bob.ID, perm.Owner); err != nil {
			t.Fatal(err)
		}
		release := holdWriteLock(t, d, "memberships")
		var wg sync.WaitGroup
		for _, actor := range []audit.Actor{c.owner, c.admin} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_ = c.Workspaces.RemoveMember(ctx, actor, "acme", actor.UserID)
			}()
		}
		release(2)
		wg.Wait()
		if n := c.owners(t); n != 1 {
			t.Errorf("%d owners after both owners left at once; want 1", n)
		}
	})
}

var holdWriteLock = testkit.HoldWriteLock
