package account_test

import (
	"fmt"
	"sync"
	"testing"

	"shipshape/internal/account"
	"shipshape/internal/apperr"
	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

// TestSetupRaceMakesOneSiteAdmin: on a fresh install the setup page is open
// to anyone; when several people submit it at once exactly one may win.
func TestSetupRaceMakesOneSiteAdmin(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		const n = 3
		release := holdWriteLock(t, d, "settings")
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = e.Accounts.Setup(ctx, from("192.0.2.1"), account.SignupInput{
					Name: "Admin", Email: fmt.Sprintf("admin%d@example.com", i), Password: testkit.Password, AgeConfirmed: true})
			}()
		}
		release(n)
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !apperr.Is(err, apperr.Conflict):
				t.Errorf("Setup: %v", err)
			}
		}
		var admins int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM users WHERE site_admin`).Scan(&admins); err != nil {
			t.Fatal(err)
		}
		if won != 1 || admins != 1 {
			t.Errorf("%d concurrent setups succeeded and %d site admins exist; want exactly 1", won, admins)
		}
	})
}

// TestConcurrentFailuresStayWithinTheLimit: the per-account limit must hold
// when an attacker sends the guesses at once instead of one after another.
func TestConcurrentFailuresStayWithinTheLimit(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		testkit.MustUser(t, e.App, "Ana Lima")
		const n = 16
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, errs[i] = e.Accounts.Login(ctx, from(fmt.Sprintf("10.1.0.%d", i)), anaEmail, fmt.Sprintf("guess number %d", i))
			}()
		}
		wg.Wait()
		checked := 0
		for _, err := range errs {
			switch {
			case apperr.Is(err, apperr.Unauthenticated):
				checked++ // the password was tried
			case apperr.Is(err, apperr.RateLimited):
			default:
				t.Errorf("Login: %v", err)
			}
		}
		if checked > 10 {
			t.Errorf("%d of %d concurrent guesses were checked against the password; the limit is 10 per 15 minutes", checked, n)
		}
	})
}

var holdWriteLock = testkit.HoldWriteLock
