package account

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/db"
)

// Login throttling lives in the database so that every instance sees the
// same counters. A key is "acct:<email>" or "ip:<address>".
const (
	throttleWindow     = 15 * time.Minute
	maxAccountFailures = 10
	maxIPFailures      = 50
)

func throttleKeys(email, ip string) []struct {
	key string
	max int
} {
	keys := []struct {
		key string
		max int
	}{{"acct:" + strings.ToLower(email), maxAccountFailures}}
	if ip != "" {
		keys = append(keys, struct {
			key string
			max int
		}{"ip:" + ip, maxIPFailures})
	}
	return keys
}

// checkThrottle refuses when any key has too many recent failures.
func checkThrottle(ctx context.Context, q db.Querier, email, ip string, now time.Time) error {
	for _, k := range throttleKeys(email, ip) {
		var start time.Time
		var failures int
		err := q.QueryRow(ctx, `SELECT window_start, failures FROM login_throttle WHERE key = ?`, k.key).Scan(db.Time(&start), &failures)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		end := start.Add(throttleWindow)
		if failures >= k.max && now.Before(end) {
			retry := int(end.Sub(now).Seconds()) + 1
			return &apperr.Error{Code: apperr.RateLimited, Message: "too many failed sign-in attempts; try again later", RetryAfter: retry}
		}
	}
	return nil
}

// recordFailure counts a failed attempt against each key, starting a new
// window when the old one has passed.
func recordFailure(ctx context.Context, tx *db.Tx, email, ip string, now time.Time) error {
	for _, k := range throttleKeys(email, ip) {
		_, err := tx.Exec(ctx, `INSERT INTO login_throttle (key, window_start, failures) VALUES (?, ?, 1)
			ON CONFLICT (key) DO UPDATE SET
			  failures = CASE WHEN login_throttle.window_start <= ? THEN 1 ELSE login_throttle.failures + 1 END,
			  window_start = CASE WHEN login_throttle.window_start <= ? THEN excluded.window_start ELSE login_throttle.window_start END`,
			k.key, now, now.Add(-throttleWindow), now.Add(-throttleWindow))
		if err != nil {
			return err
		}
	}
	return nil
}

func clearThrottle(ctx context.Context, tx *db.Tx, email string) error {
	_, err := tx.Exec(ctx, `DELETE FROM login_throttle WHERE key = ?`, "acct:"+strings.ToLower(email))
	return err
}
