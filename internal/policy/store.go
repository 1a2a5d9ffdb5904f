package policy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/db"
)

func scanPolicy(row interface{ Scan(...any) error }) (Policy, error) {
	var p Policy
	err := row.Scan(&p.Version, &p.Body, &p.Changelog, &p.Material, db.Time(&p.PublishedAt), &p.PublishedBy)
	return p, err
}

const policyCols = `version, body, changelog, material, published_at, COALESCE(published_by, '')`

// latest reads the newest published version; none: the built-in policy.
func latest(ctx context.Context, q db.Querier) (Policy, error) {
	p, err := scanPolicy(q.QueryRow(ctx, `SELECT `+policyCols+` FROM privacy_policies ORDER BY version DESC LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return Builtin(), nil
	}
	return p, err
}

func find(ctx context.Context, q db.Querier, version int) (Policy, error) {
	if version == 0 {
		return Builtin(), nil
	}
	p, err := scanPolicy(q.QueryRow(ctx, `SELECT `+policyCols+` FROM privacy_policies WHERE version = ?`, version))
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.NotFoundf("policy version %d not found", version)
	}
	return p, err
}

func list(ctx context.Context, q db.Querier) ([]Summary, error) {
	rows, err := q.Query(ctx, `SELECT version, changelog, material, published_at FROM privacy_policies ORDER BY version DESC`)
	if err != nil {
		return nil, fmt.Errorf("policies: %w", err)
	}
	defer rows.Close()
	out := []Summary{}
	for rows.Next() {
		var s Summary
		if err := rows.Scan(&s.Version, &s.Changelog, &s.Material, db.Time(&s.PublishedAt)); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func insert(ctx context.Context, tx *db.Tx, p Policy) error {
	_, err := tx.Exec(ctx, `INSERT INTO privacy_policies (version, body, changelog, material, published_by, published_at) VALUES (?, ?, ?, ?, ?, ?)`,
		p.Version, p.Body, p.Changelog, p.Material, p.PublishedBy, p.PublishedAt)
	return db.Conflict(err, "version", "was published by someone else at the same time; try again")
}

// status reads, in one statement (it runs for every page a signed-in
// person opens), the version in force and the newest material version
// published after joinedAt that userID has not acknowledged (0: none).
func status(ctx context.Context, q db.Querier, userID string, joinedAt time.Time) (Status, error) {
	var cur, pend sql.NullInt64
	err := q.QueryRow(ctx, `SELECT (SELECT MAX(version) FROM privacy_policies),
		(SELECT MAX(p.version) FROM privacy_policies p WHERE p.material AND p.published_at > ?
			AND NOT EXISTS (SELECT 1 FROM policy_acceptances a WHERE a.user_id = ? AND a.version >= p.version))`,
		joinedAt, userID).Scan(&cur, &pend)
	return Status{Current: int(cur.Int64), Pending: int(pend.Int64)}, err
}

func accept(ctx context.Context, tx *db.Tx, userID string, version int, at time.Time) (bool, error) {
	res, err := tx.Exec(ctx, `INSERT INTO policy_acceptances (user_id, version, accepted_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, userID, version, at)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// EraseUser removes a person's policy acknowledgements (account erasure).
func EraseUser(ctx context.Context, tx *db.Tx, userID string) error {
	_, err := tx.Exec(ctx, `DELETE FROM policy_acceptances WHERE user_id = ?`, userID)
	return err
}
