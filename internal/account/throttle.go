package account

import (
	"context"
	"strings"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/db"
)

// Login throttling lives in the database so that every instance sees the
// same counters. A key is "acct:<email>" or "ip:<address>". Each attempt
// is reserved (counted) before the password is checked, so that parallel
// guesses cannot slip past the limit; a successful attempt gives its
// reservation back.
const (
	throttleWindow     = 15 * time.Minute
	maxAccountFailures = 10
	maxIPFailures      = 50
)

type throttleKey struct {
	key string
	max int
}

func throttleKeys(email, ip string) []throttleKey {
	keys := []throttleKey{{"acct:" + strings.ToLower(email), maxAccountFailures}}
	if ip != "" {
		keys = append(keys, throttleKey{"ip:" + ip, maxIPFailures})
	}
	return keys
}

// reserveAttempt counts one sign-in attempt against the account and the
// address, refusing when either is over its limit.
func reserveAttempt(ctx context.Context, tx *db.Tx, email, ip string, now time.Time) error {
	return reserve(ctx, tx, now, "too many failed sign-in attempts; try again later", throttleKeys(email, ip)...)
}

// reserve counts one attempt against each key, starting a new window when
// the old one has passed, and refuses with msg (rolling the count back with
// the transaction) when a key is over its limit.
func reserve(ctx context.Context, tx *db.Tx, now time.Time, msg string, keys ...throttleKey) error {
	for _, k := range keys {
		var failures int
		var start time.Time
		err := tx.QueryRow(ctx, `INSERT INTO login_throttle (key, window_start, failures) VALUES (?, ?, 1)
			ON CONFLICT (key) DO UPDATE SET
			  failures = CASE WHEN login_throttle.window_start <= ? THEN 1 ELSE login_throttle.failures + 1 END,
			  window_start = CASE WHEN login_throttle.window_start <= ? THEN excluded.window_start ELSE login_throttle.window_start END
			RETURNING failures, window_start`,
			k.key, now, now.Add(-throttleWindow), now.Add(-throttleWindow)).Scan(&failures, db.Time(&start))
		if err != nil {
			return err
		}
		if failures > k.max {
			retry := int(start.Add(throttleWindow).Sub(now).Seconds()) + 1
			return &apperr.Error{Code: apperr.RateLimited, Message: msg, RetryAfter: retry}
		}
	}
	return nil
}

// releaseAttempt is called after a successful sign-in: the account's
// counter starts over and the address gets its reservation back.
func releaseAttempt(ctx context.Context, tx *db.Tx, email, ip string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM login_throttle WHERE key = ?`, "acct:"+strings.ToLower(email)); err != nil {
		return err
	}
	if ip == "" {
		return nil
	}
	_, err := tx.Exec(ctx, `UPDATE login_throttle SET failures = failures - 1 WHERE key = ? AND failures > 0`, "ip:"+ip)
	return err
}
