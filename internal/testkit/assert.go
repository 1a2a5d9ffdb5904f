package testkit

import (
	"context"
	"errors"
	"slices"
	"sort"
	"testing"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/db"
)

// WantCode fails the test unless err is an *apperr.Error with code.
func WantCode(t testing.TB, err error, code apperr.Code) *apperr.Error {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != code {
		t.Fatalf("got error %v, want %s", err, code)
	}
	return ae
}

// WantFields fails the test unless err is an Invalid error naming exactly fields.
func WantFields(t testing.TB, err error, fields ...string) {
	t.Helper()
	ae := WantCode(t, err, apperr.Invalid)
	var got []string
	for f := range ae.Fields {
		got = append(got, f)
	}
	sort.Strings(got)
	sort.Strings(fields)
	if !slices.Equal(got, fields) {
		t.Errorf("invalid fields = %v (%v), want %v", got, ae.Fields, fields)
	}
}

// HoldWriteLock makes concurrent transactions provably overlap on
// PostgreSQL: it locks table against writers (readers pass) and returns a
// function that waits until n transactions queue behind the lock, or a few
// seconds pass, and then releases it. On SQLite, where writers are already
// serialised, it does nothing.
func HoldWriteLock(t testing.TB, d *db.DB, table string) (release func(n int)) {
	t.Helper()
	if d.Dialect() != db.Postgres {
		return func(int) {}
	}
	ctx := context.Background()
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
