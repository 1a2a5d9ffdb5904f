package account_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"shipshape/internal/account"
	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

const anaEmail = "ana.lima@example.com" // testkit.MustUser(…, "Ana Lima")

func TestLogin(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ana := testkit.MustUser(t, e.App, "Ana Lima")

		t.Run("OpensSession", func(t *testing.T) {
			u, secret, err := e.Accounts.Login(ctx, from("192.0.2.1"), anaEmail, testkit.Password)
			if err != nil {
				t.Fatal(err)
			}
			if u.ID != ana.ID || len(secret) < 32 {
				t.Errorf("Login = %+v, secret %q", u, secret)
			}
			p, err := e.Accounts.Session(ctx, secret)
			if err != nil {
				t.Fatal(err)
			}
			if p.User.ID != ana.ID || p.Scopes != nil || !p.Can(account.ScopeWrite) {
				t.Errorf("principal = %+v, want Ana with every scope", p)
			}
			// Only the SHA-256 of the cookie value is stored.
			var stored int
			if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM sessions WHERE id = ?`, secret).Scan(&stored); err != nil || stored != 0 {
				t.Errorf("session stored under its secret (%d, %v)", stored, err)
			}
			e.wantAudit(t, "session.create", 1, ana.ID)
		})

		t.Run("EmailIgnoresCaseAndSpaces", func(t *testing.T) {
			if _, _, err := e.Accounts.Login(ctx, from("192.0.2.1"), "  ANA.Lima@Example.com ", testkit.Password); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("ErrWrongPasswordAndUnknownEmailLookAlike", func(t *testing.T) {
			_, _, err1 := e.Accounts.Login(ctx, from("192.0.2.1"), anaEmail, "not the password")
			_, _, err2 := e.Accounts.Login(ctx, from("192.0.2.1"), "nobody@example.com", "not the password")
			a1 := wantCode(t, err1, apperr.Unauthenticated)
			a2 := wantCode(t, err2, apperr.Unauthenticated)
			if a1.Message != a2.Message {
				t.Errorf("messages differ: %q vs %q (reveals which e-mails exist)", a1.Message, a2.Message)
			}
		})

		t.Run("ErrEmptyCredentials", func(t *testing.T) {
			_, _, err := e.Accounts.Login(ctx, from("192.0.2.1"), " ", "")
			wantFields(t, err, "email", "password")
		})

		t.Run("ErrBadSessionSecret", func(t *testing.T) {
			for _, s := range []string{"", "nope", strings.Repeat("0", 64)} {
				_, err := e.Accounts.Session(ctx, s)
				wantCode(t, err, apperr.Unauthenticated)
			}
		})

		e.wantAudit(t, "session.create", 2, ana.ID) // failures are not audited, successes are
	})
}

// TestLoginAcceptsAnyUserAgent: the user agent is a client-controlled header
// (net/http accepts bytes 0x80–0xFF in header values); sign-in must not fail
// because of it.
func TestLoginAcceptsAnyUserAgent(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		testkit.MustUser(t, e.App, "Ana Lima")
		for name, ua := range map[string]string{
			"InvalidUTF8":               "Mozilla/5.0 \xff",
			"MultibyteAcrossTruncation": strings.Repeat("a", 511) + "ü",
		} {
			t.Run(name, func(t *testing.T) {
				_, secret, err := e.Accounts.Login(ctx, audit.Actor{IP: "192.0.2.1", UserAgent: ua}, anaEmail, testkit.Password)
				if err != nil {
					t.Fatalf("Login: %v", err)
				}
				if _, err := e.Accounts.Session(ctx, secret); err != nil {
					t.Errorf("Session: %v", err)
				}
			})
		}
	})
}

func TestLoginThrottle(t *testing.T) {
	t.Parallel() // ~60 deliberate password checks per engine
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		t.Run("ErrAccountRateLimitedAfterTenFailures", func(t *testing.T) {
			t.Parallel()
			d := testkit.OpenDB(t, d.Dialect()) // fresh counters
			e := newEnv(t, d)
			testkit.MustUser(t, e.App, "Ana Lima")
			for i := range 10 {
				email := anaEmail
				if i%2 == 1 {
					email = strings.ToUpper(anaEmail) // one counter per account, whatever the case
				}
				_, _, err := e.Accounts.Login(ctx, from(fmt.Sprintf("10.0.0.%d", i)), email, "wrong password")
				wantCode(t, err, apperr.Unauthenticated)
			}
			_, _, err := e.Accounts.Login(ctx, from("10.0.1.1"), anaEmail, testkit.Password)
			ae := wantCode(t, err, apperr.RateLimited)
			if ae.RetryAfter <= 0 || ae.RetryAfter > 15*60+1 {
				t.Errorf("RetryAfter = %d, want within the 15-minute window", ae.RetryAfter)
			}
			e.clock.Advance(5 * time.Minute)
			_, _, err = e.Accounts.Login(ctx, from("10.0.1.1"), anaEmail, testkit.Password)
			if ae := wantCode(t, err, apperr.RateLimited); ae.RetryAfter <= 0 || ae.RetryAfter > 10*60+1 {
				t.Errorf("RetryAfter 5 minutes later = %d, want at most 601", ae.RetryAfter)
			}
			e.clock.Advance(10*time.Minute + time.Second)
			if _, _, err := e.Accounts.Login(ctx, from("10.0.1.1"), anaEmail, testkit.Password); err != nil {
				t.Fatalf("login after the window: %v", err)
			}
		})

		t.Run("SuccessResetsAccountCounter", func(t *testing.T) {
			t.Parallel()
			d := testkit.OpenDB(t, d.Dialect()) // fresh counters
			e := newEnv(t, d)
			testkit.MustUser(t, e.App, "Ana Lima")
			fail := func(n int) {
				for range n {
					_, _, err := e.Accounts.Login(ctx, from("10.0.2.1"), anaEmail, "wrong password")
					wantCode(t, err, apperr.Unauthenticated)
				}
			}
			fail(9)
			if _, _, err := e.Accounts.Login(ctx, from("10.0.2.1"), anaEmail, testkit.Password); err != nil {
				t.Fatal(err)
			}
			fail(1) // 10 failures in the window, but only 1 since the success
			if _, _, err := e.Accounts.Login(ctx, from("10.0.2.1"), anaEmail, testkit.Password); err != nil {
				t.Fatalf("login after 9+1 failures split by a success: %v", err)
			}
		})

		t.Run("ErrIPRateLimitedAcrossEmails", func(t *testing.T) {
			t.Parallel()
			d := testkit.OpenDB(t, d.Dialect()) // fresh counters
			e := newEnv(t, d)
			testkit.MustUser(t, e.App, "Ana Lima")
			const ip = "203.0.113.50"
			for i := range 50 {
				_, _, err := e.Accounts.Login(ctx, from(ip), fmt.Sprintf("guess%d@example.com", i), "wrong password")
				wantCode(t, err, apperr.Unauthenticated)
			}
			_, _, err := e.Accounts.Login(ctx, from(ip), anaEmail, testkit.Password)
			if ae := wantCode(t, err, apperr.RateLimited); ae.RetryAfter <= 0 {
				t.Errorf("RetryAfter = %d", ae.RetryAfter)
			}
			if _, _, err := e.Accounts.Login(ctx, from("203.0.113.51"), anaEmail, testkit.Password); err != nil {
				t.Errorf("login from another address: %v", err)
			}
		})

		t.Run("ErrTokenWithPasswordSharesTheCounter", func(t *testing.T) {
			t.Parallel()
			d := testkit.OpenDB(t, d.Dialect()) // fresh counters
			e := newEnv(t, d)
			testkit.MustUser(t, e.App, "Ana Lima")
			in := account.TokenInput{Name: "ci", Scopes: []string{"read"}}
			for i := range 10 {
				var err error
				if i%2 == 0 {
					_, _, err = e.Accounts.Login(ctx, from("10.0.3.1"), anaEmail, "wrong password")
				} else {
					_, _, err = e.Accounts.TokenWithPassword(ctx, from("10.0.3.1"), anaEmail, "wrong password", in)
				}
				wantCode(t, err, apperr.Unauthenticated)
			}
			_, _, err := e.Accounts.TokenWithPassword(ctx, from("10.0.3.2"), anaEmail, testkit.Password, in)
			wantCode(t, err, apperr.RateLimited)
			var n int
			if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM tokens`).Scan(&n); err != nil || n != 0 {
				t.Errorf("%d tokens issued while throttled (%v)", n, err)
			}
		})
	})
}

func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		testkit.MustUser(t, e.App, "Ana Lima")
		login := func(t *testing.T) string {
			t.Helper()
			_, secret, err := e.Accounts.Login(ctx, from("192.0.2.1"), anaEmail, testkit.Password)
			if err != nil {
				t.Fatal(err)
			}
			return secret
		}
		alive := func(t *testing.T, secret, when string) {
			t.Helper()
			if _, err := e.Accounts.Session(ctx, secret); err != nil {
				t.Fatalf("%s: session ended early: %v", when, err)
			}
		}
		ended := func(t *testing.T, secret, when string) {
			t.Helper()
			_, err := e.Accounts.Session(ctx, secret)
			if !apperr.Is(err, apperr.Unauthenticated) {
				t.Fatalf("%s: Session = %v, want unauthenticated", when, err)
			}
		}
		if e.Config.SessionIdle != 7*24*time.Hour || e.Config.SessionMax != 30*24*time.Hour {
			t.Fatalf("test config idle=%v max=%v; this test assumes 7 and 30 days", e.Config.SessionIdle, e.Config.SessionMax)
		}

		sessionRows := func(t *testing.T, secret string) int {
			t.Helper()
			sum := sha256.Sum256([]byte(secret))
			var n int
			if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM sessions WHERE id = ?`, hex.EncodeToString(sum[:])).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		t.Run("IdleExpiryMovesWithActivity", func(t *testing.T) {
			s := login(t)
			if sessionRows(t, s) != 1 {
				t.Fatal("session row not found under the SHA-256 of the secret")
			}
			e.clock.Advance(7*24*time.Hour - time.Minute)
			alive(t, s, "after 7 days minus a minute")
			e.clock.Advance(7*24*time.Hour - time.Minute)
			alive(t, s, "active again 7 days minus a minute later")
			e.clock.Advance(7 * 24 * time.Hour)
			ended(t, s, "7 idle days")
			if n := sessionRows(t, s); n != 0 {
				t.Errorf("expired session row left behind (%d)", n)
			}
		})

		t.Run("AbsoluteExpiryDespiteActivity", func(t *testing.T) {
			s := login(t)
			for i := 1; i <= 4; i++ {
				e.clock.Advance(6 * 24 * time.Hour)
				alive(t, s, fmt.Sprintf("day %d", 6*i))
			}
			e.clock.Advance(6*24*time.Hour - time.Minute)
			alive(t, s, "30 days minus a minute")
			e.clock.Advance(time.Minute)
			ended(t, s, "30 days")
		})

		t.Run("LogoutEndsOnlyThisSession", func(t *testing.T) {
			s1, s2 := login(t), login(t)
			p, err := e.Accounts.Session(ctx, s1)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.Accounts.Logout(ctx, testkit.Actor(p.User), p); err != nil {
				t.Fatal(err)
			}
			ended(t, s1, "after logout")
			alive(t, s2, "other session after logout")
			e.wantAudit(t, "session.delete", 1, p.User.ID)
		})
	})
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ana := testkit.MustUser(t, e.App, "Ana Lima")
		_, s1, err := e.Accounts.Login(ctx, from("192.0.2.1"), anaEmail, testkit.Password)
		if err != nil {
			t.Fatal(err)
		}
		_, s2, err := e.Accounts.Login(ctx, from("192.0.2.2"), anaEmail, testkit.Password)
		if err != nil {
			t.Fatal(err)
		}
		p, err := e.Accounts.Session(ctx, s1)
		if err != nil {
			t.Fatal(err)
		}
		const next = "a brand new passphrase"

		t.Run("ErrWrongCurrentPassword", func(t *testing.T) {
			_, err := e.Accounts.ChangePassword(ctx, testkit.Actor(ana), p, "not it at all", next)
			wantFields(t, err, "current_password")
		})

		t.Run("ErrWeakNewPassword", func(t *testing.T) {
			_, err := e.Accounts.ChangePassword(ctx, testkit.Actor(ana), p, testkit.Password, "password123")
			wantFields(t, err, "new_password")
		})

		t.Run("RefusedChangesKeepEverything", func(t *testing.T) {
			for _, s := range []string{s1, s2} {
				if _, err := e.Accounts.Session(ctx, s); err != nil {
					t.Errorf("session ended by a refused change: %v", err)
				}
			}
			e.wantAudit(t, "user.password_change", 0, "")
		})

		t.Run("EndsOtherSessionsAndReturnsNewOne", func(t *testing.T) {
			s3, err := e.Accounts.ChangePassword(ctx, testkit.Actor(ana), p, testkit.Password, next)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{s1, s2} {
				if _, err := e.Accounts.Session(ctx, s); !apperr.Is(err, apperr.Unauthenticated) {
					t.Errorf("old session still works after a password change: %v", err)
				}
			}
			if p3, err := e.Accounts.Session(ctx, s3); err != nil || p3.User.ID != ana.ID {
				t.Errorf("new session: %+v, %v", p3, err)
			}
			if _, _, err := e.Accounts.Login(ctx, from("192.0.2.1"), anaEmail, testkit.Password); !apperr.Is(err, apperr.Unauthenticated) {
				t.Errorf("old password still signs in: %v", err)
			}
			if _, _, err := e.Accounts.Login(ctx, from("192.0.2.1"), anaEmail, next); err != nil {
				t.Errorf("new password: %v", err)
			}
			e.wantAudit(t, "user.password_change", 1, ana.ID)
		})
	})
}

func TestResetPassword(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ana := testkit.MustUser(t, e.App, "Ana Lima")
		_, s, err := e.Accounts.Login(ctx, from("192.0.2.1"), anaEmail, testkit.Password)
		if err != nil {
			t.Fatal(err)
		}

		t.Run("ErrUnknownEmail", func(t *testing.T) {
			wantCode(t, e.Accounts.ResetPassword(ctx, "nobody@example.com", "a brand new passphrase"), apperr.NotFound)
		})
		t.Run("ErrWeakPassword", func(t *testing.T) {
			wantFields(t, e.Accounts.ResetPassword(ctx, anaEmail, "short"), "password")
		})
		t.Run("EndsSessionsAndSetsPassword", func(t *testing.T) {
			if err := e.Accounts.ResetPassword(ctx, " ANA.LIMA@example.com", "a brand new passphrase"); err != nil {
				t.Fatal(err)
			}
			if _, err := e.Accounts.Session(ctx, s); !apperr.Is(err, apperr.Unauthenticated) {
				t.Errorf("session survived a reset: %v", err)
			}
			if _, _, err := e.Accounts.Login(ctx, from("192.0.2.1"), anaEmail, "a brand new passphrase"); err != nil {
				t.Errorf("new password: %v", err)
			}
			e.wantAudit(t, "user.password_reset", 1, ana.ID)
		})
	})
}

func TestUpdateProfile(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ana := testkit.MustUser(t, e.App, "Ana Lima")
		bob := testkit.MustUser(t, e.App, "Bob Reis")
		p := account.Principal{User: ana}
		str := func(s string) *string { return &s }

		t.Run("ErrInvalidFields", func(t *testing.T) {
			_, err := e.Accounts.UpdateProfile(ctx, testkit.Actor(ana), p, account.ProfilePatch{Name: str(" "), Email: str("a@b"), Company: str("Acme\x07")})
			wantFields(t, err, "name", "email", "company")
		})

		t.Run("ErrEmailTakenIgnoresCase", func(t *testing.T) {
			_, err := e.Accounts.UpdateProfile(ctx, testkit.Actor(ana), p, account.ProfilePatch{Email: str(strings.ToUpper(bob.Email))})
			if ae := wantCode(t, err, apperr.Conflict); ae.Fields["email"] == "" {
				t.Errorf("fields = %v, want email", ae.Fields)
			}
		})

		e.wantAudit(t, "user.update", 0, "")

		t.Run("ChangesOnlyGivenFields", func(t *testing.T) {
			e.clock.Advance(time.Hour)
			u, err := e.Accounts.UpdateProfile(ctx, testkit.Actor(ana), p, account.ProfilePatch{Name: str("  Ana M. Lima "), JobTitle: str("Release manager")})
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.Accounts.User(ctx, ana.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != "Ana M. Lima" || got.JobTitle != "Release manager" || got.Email != ana.Email || u.Name != got.Name || u.JobTitle != got.JobTitle {
				t.Errorf("stored %+v, returned %+v", got, u)
			}
			if !got.UpdatedAt.Equal(e.clock.Now()) {
				t.Errorf("UpdatedAt = %v, want %v", got.UpdatedAt, e.clock.Now())
			}
			e.wantAudit(t, "user.update", 1, ana.ID)
		})
	})
}
