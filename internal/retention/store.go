package retention

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"shipshape/internal/db"
)

// --- policies

type storedPolicy struct {
	keepDays  int
	action    Action
	updatedAt time.Time
	updatedBy string
}

func loadPolicies(ctx context.Context, q db.Querier) (map[Category]storedPolicy, error) {
	rows, err := q.Query(ctx, `SELECT category, keep_days, action, updated_at, COALESCE(updated_by, '') FROM retention_policies`)
	if err != nil {
		return nil, fmt.Errorf("retention: policies: %w", err)
	}
	defer rows.Close()
	out := map[Category]storedPolicy{}
	for rows.Next() {
		var c Category
		var p storedPolicy
		if err := rows.Scan(&c, &p.keepDays, &p.action, db.Time(&p.updatedAt), &p.updatedBy); err != nil {
			return nil, err
		}
		out[c] = p
	}
	return out, rows.Err()
}

func putPolicy(ctx context.Context, tx *db.Tx, in PolicyInput, by string, at time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO retention_policies (category, keep_days, action, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (category) DO UPDATE SET keep_days = excluded.keep_days, action = excluded.action,
		updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		string(in.Category), in.KeepDays, string(in.Action), by, at)
	return err
}

// --- runs

func insertRun(ctx context.Context, tx *db.Tx, r Run) error {
	_, err := tx.Exec(ctx, `INSERT INTO retention_runs (id, started_at, dry_run, triggered_by) VALUES (?, ?, ?, ?)`,
		r.ID, r.StartedAt, r.DryRun, r.TriggeredBy)
	return err
}

func insertItem(ctx context.Context, tx *db.Tx, runID string, it Item) error {
	_, err := tx.Exec(ctx, `INSERT INTO retention_run_items (run_id, category, action, keep_days, purged_rows, purged_files) VALUES (?, ?, ?, ?, ?, ?)`,
		runID, string(it.Category), string(it.Action), it.KeepDays, it.Rows, it.Files)
	return err
}

func finishRun(ctx context.Context, tx *db.Tx, id string, at time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE retention_runs SET finished_at = ? WHERE id = ?`, at, id)
	return err
}

// deleteOldRuns drops run records started before cutoff (their items go
// with them).
func deleteOldRuns(ctx context.Context, tx *db.Tx, cutoff time.Time) error {
	_, err := tx.Exec(ctx, `DELETE FROM retention_runs WHERE started_at < ?`, cutoff)
	return err
}

// lastScheduled is the start of the newest scheduled run (nil: none).
func lastScheduled(ctx context.Context, q db.Querier) (*time.Time, error) {
	var t time.Time
	err := q.QueryRow(ctx, `SELECT started_at FROM retention_runs WHERE triggered_by = ? AND NOT dry_run ORDER BY started_at DESC LIMIT 1`, Scheduled).
		Scan(db.Time(&t))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// listRuns returns the newest runs with their items; realOnly leaves dry
// runs out.
func listRuns(ctx context.Context, q db.Querier, limit int, realOnly bool, finishedOnly bool) ([]Run, error) {
	where := "1 = 1"
	if realOnly {
		where += " AND NOT dry_run"
	}
	if finishedOnly {
		where += " AND finished_at IS NOT NULL"
	}
	rows, err := q.Query(ctx, `SELECT id, started_at, finished_at, dry_run, triggered_by FROM retention_runs
		WHERE `+where+` ORDER BY started_at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("retention: runs: %w", err)
	}
	var runs []Run
	for rows.Next() {
		var r Run
		if err := rows.Scan(&r.ID, db.Time(&r.StartedAt), db.NullTime(&r.FinishedAt), &r.DryRun, &r.TriggeredBy); err != nil {
			rows.Close()
			return nil, err
		}
		runs = append(runs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range runs {
		if runs[i].Items, err = listItems(ctx, q, runs[i].ID); err != nil {
			return nil, err
		}
	}
	return runs, nil
}

func findRun(ctx context.Context, q db.Querier, id string) (Run, bool, error) {
	var r Run
	err := q.QueryRow(ctx, `SELECT id, started_at, finished_at, dry_run, triggered_by FROM retention_runs WHERE id = ?`, id).
		Scan(&r.ID, db.Time(&r.StartedAt), db.NullTime(&r.FinishedAt), &r.DryRun, &r.TriggeredBy)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	r.Items, err = listItems(ctx, q, id)
	return r, true, err
}

func listItems(ctx context.Context, q db.Querier, runID string) ([]Item, error) {
	rows, err := q.Query(ctx, `SELECT category, action, keep_days, purged_rows, purged_files FROM retention_run_items WHERE run_id = ?`, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var items []Item
	for rows.Next() {
		var it Item
		if err := rows.Scan(&it.Category, &it.Action, &it.KeepDays, &it.Rows, &it.Files); err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sortItems(items)
	return items, nil
}

// sortItems puts items in the order of Specs.
func sortItems(items []Item) {
	order := map[Category]int{}
	for i, s := range Specs() {
		order[s.Category] = i
	}
	for i := 1; i < len(items); i++ {
		for j := i; j > 0 && order[items[j].Category] < order[items[j-1].Category]; j-- {
			items[j], items[j-1] = items[j-1], items[j]
		}
	}
}

// --- what the built-in categories purge. Each counts when dryRun is set
// and changes the rows otherwise; both report the same number.

// countOrExec runs count when dryRun, exec otherwise, and returns the rows.
func countOrExec(ctx context.Context, tx *db.Tx, dryRun bool, count, exec string, args ...any) (int, error) {
	if dryRun {
		var n int
		err := tx.QueryRow(ctx, count, args...).Scan(&n)
		return n, err
	}
	res, err := tx.Exec(ctx, exec, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// anonymiseAuditDetails blanks the IP address and user agent of audit
// events recorded before cutoff. The chain covers them only through
// details_hash, which stays, so the chain still verifies.
func anonymiseAuditDetails(ctx context.Context, tx *db.Tx, cutoff time.Time, dryRun bool) (int, error) {
	const where = ` WHERE at < ? AND (ip <> '' OR user_agent <> '')`
	return countOrExec(ctx, tx, dryRun, `SELECT COUNT(*) FROM audit_events`+where,
		`UPDATE audit_events SET ip = '', user_agent = ''`+where, cutoff)
}

// anonymiseSessionDetails blanks the IP address and user agent of sessions
// started before cutoff.
func anonymiseSessionDetails(ctx context.Context, tx *db.Tx, cutoff time.Time, dryRun bool) (int, error) {
	const where = ` WHERE created_at < ? AND (ip <> '' OR user_agent <> '')`
	return countOrExec(ctx, tx, dryRun, `SELECT COUNT(*) FROM sessions`+where,
		`UPDATE sessions SET ip = '', user_agent = ''`+where, cutoff)
}

// deleteExpiredSessions deletes sessions whose absolute expiry, or idle
// expiry (last seen plus idle; none when idle is 0), is before cutoff.
func deleteExpiredSessions(ctx context.Context, tx *db.Tx, cutoff time.Time, idle time.Duration, dryRun bool) (int, error) {
	where, args := ` WHERE expires_at < ?`, []any{cutoff}
	if idle > 0 {
		where += ` OR last_seen_at < ?`
		args = append(args, cutoff.Add(-idle))
	}
	return countOrExec(ctx, tx, dryRun, `SELECT COUNT(*) FROM sessions`+where,
		`DELETE FROM sessions`+where, args...)
}

// deleteThrottle deletes sign-in throttle counters whose window started
// before cutoff.
func deleteThrottle(ctx context.Context, tx *db.Tx, cutoff time.Time, dryRun bool) (int, error) {
	const where = ` WHERE window_start < ?`
	return countOrExec(ctx, tx, dryRun, `SELECT COUNT(*) FROM login_throttle`+where,
		`DELETE FROM login_throttle`+where, cutoff)
}
