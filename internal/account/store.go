package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/db"
	"shipshape/internal/validate"
)

const userCols = `id, email, name, company, job_title, site_admin, created_at, updated_at, deletion_scheduled_for, restricted_at`

func scanUser(row interface{ Scan(...any) error }, u *User) error {
	return row.Scan(&u.ID, &u.Email, &u.Name, &u.Company, &u.JobTitle, &u.SiteAdmin, db.Time(&u.CreatedAt), db.Time(&u.UpdatedAt), db.NullTime(&u.DeletionScheduledFor), db.NullTime(&u.RestrictedAt))
}

func findUser(ctx context.Context, q db.Querier, id string) (User, error) {
	var u User
	err := scanUser(q.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id), &u)
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.NotFoundf("user not found")
	}
	return u, err
}

// findUserByEmail returns the user and password hash.
func findUserByEmail(ctx context.Context, q db.Querier, email string) (User, string, error) {
	var u User
	var hash string
	err := q.QueryRow(ctx, `SELECT `+userCols+`, password_hash FROM users WHERE lower(email) = lower(?)`, email).
		Scan(&u.ID, &u.Email, &u.Name, &u.Company, &u.JobTitle, &u.SiteAdmin, db.Time(&u.CreatedAt), db.Time(&u.UpdatedAt), db.NullTime(&u.DeletionScheduledFor), db.NullTime(&u.RestrictedAt), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return u, "", apperr.NotFoundf("user not found")
	}
	return u, hash, err
}

func countUsers(ctx context.Context, q db.Querier) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

func insertUser(ctx context.Context, tx *db.Tx, u User, hash string, now time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO users (id, email, name, password_hash, company, job_title, site_admin, age_confirmed_at, created_at, updated_at, password_changed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Email, u.Name, hash, u.Company, u.JobTitle, u.SiteAdmin, now, now, now, now)
	return db.Conflict(err, "email", "an account with this e-mail already exists")
}

func updateProfile(ctx context.Context, tx *db.Tx, u User) error {
	_, err := tx.Exec(ctx, `UPDATE users SET email = ?, name = ?, company = ?, job_title = ?, updated_at = ? WHERE id = ?`,
		u.Email, u.Name, u.Company, u.JobTitle, u.UpdatedAt, u.ID)
	return db.Conflict(err, "email", "an account with this e-mail already exists")
}

func setPassword(ctx context.Context, tx *db.Tx, userID, hash string, now time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = ?, password_changed_at = ?, updated_at = ? WHERE id = ?`, hash, now, now, userID); err != nil {
		return err
	}
	// A changed password ends every session and is the moment to drop them.
	_, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	return err
}

func getSetting(ctx context.Context, q db.Querier, key string) (string, bool, error) {
	var v string
	err := q.QueryRow(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return v, err == nil, err
}

func putSetting(ctx context.Context, tx *db.Tx, key, value string) error {
	_, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// Sessions.

type sessionRow struct {
	userID    string
	createdAt time.Time
	lastSeen  time.Time
	expiresAt time.Time
}

func insertSession(ctx context.Context, tx *db.Tx, idHash, userID string, now, expires time.Time, actor audit.Actor) error {
	_, err := tx.Exec(ctx, `INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		idHash, userID, now, now, expires, validate.Clip(actor.IP, 64), validate.Clip(actor.UserAgent, 512))
	return err
}

func findSession(ctx context.Context, q db.Querier, idHash string) (sessionRow, User, error) {
	var s sessionRow
	var u User
	err := q.QueryRow(ctx, `SELECT s.user_id, s.created_at, s.last_seen_at, s.expires_at,
		u.id, u.email, u.name, u.company, u.job_title, u.site_admin, u.created_at, u.updated_at, u.deletion_scheduled_for, u.restricted_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?`, idHash).
		Scan(&s.userID, db.Time(&s.createdAt), db.Time(&s.lastSeen), db.Time(&s.expiresAt),
			&u.ID, &u.Email, &u.Name, &u.Company, &u.JobTitle, &u.SiteAdmin, db.Time(&u.CreatedAt), db.Time(&u.UpdatedAt), db.NullTime(&u.DeletionScheduledFor), db.NullTime(&u.RestrictedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return s, u, apperr.E(apperr.Unauthenticated, "sign in to continue")
	}
	return s, u, err
}

// Tokens.

func insertToken(ctx context.Context, tx *db.Tx, userID string, t Token, hash string) error {
	_, err := tx.Exec(ctx, `INSERT INTO tokens (id, user_id, name, token_hash, scopes, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		t.ID, userID, t.Name, hash, joinScopes(t.Scopes), t.CreatedAt, t.ExpiresAt)
	return err
}

func joinScopes(s []Scope) string {
	parts := make([]string, len(s))
	for i, sc := range s {
		parts[i] = string(sc)
	}
	return strings.Join(parts, ",")
}

func splitScopes(s string) []Scope {
	var out []Scope
	for _, p := range strings.Split(s, ",") {
		if p != "" {
			out = append(out, Scope(p))
		}
	}
	return out
}

func listTokens(ctx context.Context, q db.Querier, userID string, now time.Time) ([]Token, error) {
	rows, err := q.Query(ctx, `SELECT id, name, scopes, created_at, expires_at, last_used_at FROM tokens
		WHERE user_id = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?) ORDER BY created_at DESC, id DESC`, userID, now)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	ts := []Token{}
	for rows.Next() {
		var t Token
		var scopes string
		if err := rows.Scan(&t.ID, &t.Name, &scopes, db.Time(&t.CreatedAt), db.NullTime(&t.ExpiresAt), db.NullTime(&t.LastUsedAt)); err != nil {
			return nil, err
		}
		t.Scopes = splitScopes(scopes)
		ts = append(ts, t)
	}
	return ts, rows.Err()
}

type tokenRow struct {
	id       string
	scopes   []Scope
	expires  *time.Time
	revoked  *time.Time
	lastUsed *time.Time
}

func findToken(ctx context.Context, q db.Querier, hash string) (tokenRow, User, error) {
	var t tokenRow
	var u User
	var scopes string
	err := q.QueryRow(ctx, `SELECT t.id, t.scopes, t.expires_at, t.revoked_at, t.last_used_at,
		u.id, u.email, u.name, u.company, u.job_title, u.site_admin, u.created_at, u.updated_at, u.deletion_scheduled_for, u.restricted_at
		FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`, hash).
		Scan(&t.id, &scopes, db.NullTime(&t.expires), db.NullTime(&t.revoked), db.NullTime(&t.lastUsed),
			&u.ID, &u.Email, &u.Name, &u.Company, &u.JobTitle, &u.SiteAdmin, db.Time(&u.CreatedAt), db.Time(&u.UpdatedAt), db.NullTime(&u.DeletionScheduledFor), db.NullTime(&u.RestrictedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return t, u, apperr.E(apperr.Unauthenticated, "the token is not valid")
	}
	t.scopes = splitScopes(scopes)
	return t, u, err
}

// erasureState reads a user's e-mail and whether the account is erased.
func erasureState(ctx context.Context, q db.Querier, userID string) (email string, erased bool, err error) {
	var at *time.Time
	err = q.QueryRow(ctx, `SELECT email, erased_at FROM users WHERE id = ?`, userID).Scan(&email, db.NullTime(&at))
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, apperr.NotFoundf("user not found")
	}
	return email, at != nil, err
}

// soleOwnerOf names the workspaces where userID is the only owner. (It
// reads memberships, the workspace domain's table: an account cannot be
// erased out from under the workspaces it alone can manage.)
func soleOwnerOf(ctx context.Context, q db.Querier, userID string) ([]string, error) {
	rows, err := q.Query(ctx, `SELECT w.name FROM memberships m JOIN workspaces w ON w.id = m.workspace_id
		WHERE m.user_id = ? AND m.role = 'owner'
		AND NOT EXISTS (SELECT 1 FROM memberships o WHERE o.workspace_id = m.workspace_id AND o.role = 'owner' AND o.user_id <> m.user_id)
		ORDER BY w.name`, userID)
	if err != nil {
		return nil, fmt.Errorf("sole owner: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func dueDeletions(ctx context.Context, q db.Querier, now time.Time) ([]string, error) {
	rows, err := q.Query(ctx, `SELECT id FROM users WHERE deletion_scheduled_for <= ? AND erased_at IS NULL ORDER BY deletion_scheduled_for`, now)
	if err != nil {
		return nil, fmt.Errorf("due deletions: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// eraseAccount turns the users row into its tombstone and removes what
// the account domain (and the membership rows of the person) hold.
func eraseAccount(ctx context.Context, tx *db.Tx, userID, email string, e Erasure) error {
	placeholder := "erased-" + userID + "@erased.invalid" // unique, undeliverable (.invalid is reserved)
	stmts := []struct {
		q    string
		args []any
	}{
		{`UPDATE users SET email = ?, name = ?, password_hash = '', company = '', job_title = '', site_admin = FALSE,
			age_confirmed_at = ?, updated_at = ?, password_changed_at = ?, deletion_scheduled_for = NULL, restricted_at = NULL, erased_at = ? WHERE id = ?`,
			[]any{placeholder, e.Tombstone, e.ErasedAt, e.ErasedAt, e.ErasedAt, e.ErasedAt, userID}},
		// Login counters of the addresses the person signed in from: an IP
		// address identifies them as much as the e-mail does.
		{`DELETE FROM login_throttle WHERE key IN (SELECT 'ip:' || ip FROM sessions WHERE user_id = ? AND ip <> '')`, []any{userID}},
		{`DELETE FROM sessions WHERE user_id = ?`, []any{userID}},
		{`DELETE FROM tokens WHERE user_id = ?`, []any{userID}},
		{`DELETE FROM login_throttle WHERE key = ?`, []any{"acct:" + strings.ToLower(email)}},
		// Invitations to their address, and those they accepted under an
		// address they used before.
		{`UPDATE invitations SET email = ? WHERE lower(email) = lower(?) OR accepted_by = ?`, []any{placeholder, email, userID}},
		{`DELETE FROM team_members WHERE user_id = ?`, []any{userID}},
		{`DELETE FROM memberships WHERE user_id = ?`, []any{userID}},
		{`UPDATE audit_events SET ip = '', user_agent = '' WHERE actor_id = ?`, []any{userID}},
		{`INSERT INTO erasures (subject_id, tombstone, erased_at) VALUES (?, ?, ?) ON CONFLICT (subject_id) DO NOTHING`,
			[]any{userID, e.Tombstone, e.ErasedAt}},
	}
	for _, st := range stmts {
		if _, err := tx.Exec(ctx, st.q, st.args...); err != nil {
			return fmt.Errorf("erase account: %w", err)
		}
	}
	return nil
}
