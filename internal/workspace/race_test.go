package workspace_test

import (
	"sync"
	"testing"
	"time"

	"shipshape/internal/audit"
	"shipshape/internal/db"
	"shipshape/internal/perm"
	"shipshape/internal/testkit"
)

// holdWriteLock makes concurrent transactions provably overlap on
// PostgreSQL: it locks table against writers (readers pass) and returns a
// function that waits until n transactions queue behind the lock, or a few
// seconds pass, and then releases it. On SQLite, where writers are already
// serialised, it does nothing.
func holdWriteLock(t *testing.T, d *db.DB, table string) (release func(n int)) {
	t.Helper()
	if d.Dialect() != db.Postgres {
		return func(int) {}
	}
	locked, unlock, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- d.InTx(ctx, func(tx *db.Tx) error {
			if _, err := tx.Exec(ctx, `LOCK TABLE `+table+` IN SHARE ROW EXCLUSIVE MODE`); err != nil {
				return err
			}
			close(locked)
			<-unlock
			return nil
		})
	}()
	select {
	case <-locked:
	case err := <-done:
		t.Fatalf("lock %s: %v", table, err)
	}
	return func(n int) {
		for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			var waiting int
			if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM pg_locks WHERE relation = ?::regclass AND NOT granted`, table).Scan(&waiting); err != nil {
				t.Error(err)
				break
			}
			if waiting >= n {
				break
			}
		}
		close(unlock)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

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
