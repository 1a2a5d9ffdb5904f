package workspace

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/db"
	"shipshape/internal/perm"
)

// findSupportAccess is findAccess's fallback for callers who are not
// members: a site admin reaches the workspace while it has an active
// support grant (not revoked, not expired at now). Anyone else gets
// not_found, exactly as before grants existed.
func findSupportAccess(ctx context.Context, q db.Querier, slug, userID string, now time.Time) (Access, error) {
	a := Access{UserID: userID}
	var scope SupportScope
	err := q.QueryRow(ctx, `SELECT w.id, w.slug, w.name, w.data_version, g.id, g.scope FROM workspaces w
		JOIN support_grants g ON g.workspace_id = w.id
		JOIN users u ON u.id = ?
		WHERE w.slug = ? AND u.site_admin AND g.revoked_at IS NULL AND g.expires_at > ?
		ORDER BY g.granted_at DESC, g.id DESC LIMIT 1`+db.ShareLock(q, "g"), userID, slug, now).
		Scan(&a.WorkspaceID, &a.Slug, &a.Name, &a.DataVersion, &a.SupportGrantID, &scope)
	if errors.Is(err, sql.ErrNoRows) {
		return Access{UserID: userID}, apperr.NotFoundf("workspace not found")
	}
	if err != nil {
		return Access{UserID: userID}, err
	}
	a.Role, a.Support = scope.role(), true
	if a.Role == "" { // a scope this build does not know grants nothing
		return Access{UserID: userID}, apperr.NotFoundf("workspace not found")
	}
	noteSupport(ctx, a)
	return a, nil
}

func insertSupportGrant(ctx context.Context, tx *db.Tx, wsID string, g SupportGrant) error {
	_, err := tx.Exec(ctx, `INSERT INTO support_grants (id, workspace_id, scope, reason, granted_by, granted_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, g.ID, wsID, g.Scope, g.Reason, g.GrantedBy, g.GrantedAt, g.ExpiresAt)
	return err
}

// activeSupportGrantIDs lists the grants of the workspace still in force at now.
func activeSupportGrantIDs(ctx context.Context, tx *db.Tx, wsID string, now time.Time) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT id FROM support_grants WHERE workspace_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY granted_at`, wsID, now)
	if err != nil {
		return nil, fmt.Errorf("active support grants: %w", err)
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

func revokeSupportGrant(ctx context.Context, tx *db.Tx, id, by string, now time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE support_grants SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL`, now, by, id)
	return err
}

// listSupportGrants returns the workspace's grants, newest first.
func listSupportGrants(ctx context.Context, q db.Querier, wsID string, now time.Time, limit int) ([]SupportGrant, error) {
	rows, err := q.Query(ctx, `SELECT g.id, g.scope, g.reason, COALESCE(g.granted_by, ''), COALESCE(gu.name, ''), g.granted_at, g.expires_at,
		g.revoked_at, COALESCE(g.revoked_by, ''), COALESCE(ru.name, '')
		FROM support_grants g LEFT JOIN users gu ON gu.id = g.granted_by LEFT JOIN users ru ON ru.id = g.revoked_by
		WHERE g.workspace_id = ? ORDER BY g.granted_at DESC, g.id DESC LIMIT ?`, wsID, limit)
	if err != nil {
		return nil, fmt.Errorf("list support grants: %w", err)
	}
	defer rows.Close()
	out := []SupportGrant{}
	for rows.Next() {
		var g SupportGrant
		if err := rows.Scan(&g.ID, &g.Scope, &g.Reason, &g.GrantedBy, &g.GrantedByName, db.Time(&g.GrantedAt), db.Time(&g.ExpiresAt),
			db.NullTime(&g.RevokedAt), &g.RevokedBy, &g.RevokedByName); err != nil {
			return nil, err
		}
		g.Active = g.RevokedAt == nil && now.Before(g.ExpiresAt)
		out = append(out, g)
	}
	return out, rows.Err()
}

// role is the workspace role a grant of scope gives.
func (sc SupportScope) role() perm.Role {
	switch sc {
	case SupportRead:
		return perm.Viewer
	case SupportMember:
		return perm.Member
	}
	return ""
}
