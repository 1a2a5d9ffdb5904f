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

// findAccess resolves the caller's membership of the workspace slug. Only
// when there is none does it look for an active support grant (see
// support.go) that lets a site admin in; members pay nothing for it.
func findAccess(ctx context.Context, q db.Querier, slug, userID string, now time.Time) (Access, error) {
	a := Access{UserID: userID}
	err := q.QueryRow(ctx, `SELECT w.id, w.slug, w.name, w.data_version, m.role FROM workspaces w
		JOIN memberships m ON m.workspace_id = w.id AND m.user_id = ? WHERE w.slug = ?`+db.ShareLock(q, "m"), userID, slug).
		Scan(&a.WorkspaceID, &a.Slug, &a.Name, &a.DataVersion, &a.Role)
	if errors.Is(err, sql.ErrNoRows) {
		return findSupportAccess(ctx, q, slug, userID, now)
	}
	return a, err
}

func listWorkspaces(ctx context.Context, q db.Querier, userID string) ([]Workspace, error) {
	rows, err := q.Query(ctx, `SELECT w.id, w.slug, w.name, w.created_at, m.role FROM workspaces w
		JOIN memberships m ON m.workspace_id = w.id WHERE m.user_id = ? ORDER BY w.name, w.slug`, userID)
	if err != nil {
		return nil, fmt.Errorf("list workspaces: %w", err)
	}
	defer rows.Close()
	out := []Workspace{}
	for rows.Next() {
		var w Workspace
		if err := rows.Scan(&w.ID, &w.Slug, &w.Name, db.Time(&w.CreatedAt), &w.Role); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

func findWorkspace(ctx context.Context, q db.Querier, id string) (Workspace, error) {
	var w Workspace
	err := q.QueryRow(ctx, `SELECT id, slug, name, created_at FROM workspaces WHERE id = ?`, id).
		Scan(&w.ID, &w.Slug, &w.Name, db.Time(&w.CreatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return w, apperr.NotFoundf("workspace not found")
	}
	return w, err
}

func insertMembership(ctx context.Context, tx *db.Tx, wsID, userID string, role perm.Role, now time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (?, ?, ?, ?)`, wsID, userID, role, now)
	return db.Conflict(err, "user_id", "is already a member")
}

func listMembers(ctx context.Context, q db.Querier, wsID string) ([]Member, error) {
	rows, err := q.Query(ctx, `SELECT u.id, u.name, u.email, m.role, m.created_at FROM memberships m
		JOIN users u ON u.id = m.user_id WHERE m.workspace_id = ? ORDER BY u.name, u.id`, wsID)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	defer rows.Close()
	out := []Member{}
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.UserID, &m.Name, &m.Email, &m.Role, db.Time(&m.JoinedAt)); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func findMember(ctx context.Context, q db.Querier, wsID, userID string) (Member, error) {
	var m Member
	err := q.QueryRow(ctx, `SELECT u.id, u.name, u.email, m.role, m.created_at FROM memberships m
		JOIN users u ON u.id = m.user_id WHERE m.workspace_id = ? AND m.user_id = ?`, wsID, userID).
		Scan(&m.UserID, &m.Name, &m.Email, &m.Role, db.Time(&m.JoinedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return m, apperr.NotFoundf("member not found")
	}
	return m, err
}

func countOwners(ctx context.Context, q db.Querier, wsID string) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM memberships WHERE workspace_id = ? AND role = 'owner'`, wsID).Scan(&n)
	return n, err
}

func listInvitations(ctx context.Context, q db.Querier, wsID string, now time.Time) ([]Invitation, error) {
	rows, err := q.Query(ctx, `SELECT id, email, role, created_at, expires_at FROM invitations
		WHERE workspace_id = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC`, wsID, now)
	if err != nil {
		return nil, fmt.Errorf("list invitations: %w", err)
	}
	defer rows.Close()
	out := []Invitation{}
	for rows.Next() {
		var i Invitation
		if err := rows.Scan(&i.ID, &i.Email, &i.Role, db.Time(&i.CreatedAt), db.Time(&i.ExpiresAt)); err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

type inviteRow struct {
	id, wsID, email string
	role            perm.Role
	expires         time.Time
	accepted        *time.Time
	revoked         *time.Time
}

func findInvitationByHash(ctx context.Context, q db.Querier, hash string) (inviteRow, error) {
	var r inviteRow
	err := q.QueryRow(ctx, `SELECT id, workspace_id, email, role, expires_at, accepted_at, revoked_at FROM invitations WHERE token_hash = ?`, hash).
		Scan(&r.id, &r.wsID, &r.email, &r.role, db.Time(&r.expires), db.NullTime(&r.accepted), db.NullTime(&r.revoked))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundf("invitation not found")
	}
	return r, err
}

func listTeams(ctx context.Context, q db.Querier, wsID string) ([]Team, error) {
	rows, err := q.Query(ctx, `SELECT t.id, t.slug, t.name, t.created_at, COALESCE(u.id, ''), COALESCE(u.name, '')
		FROM teams t LEFT JOIN team_members tm ON tm.team_id = t.id LEFT JOIN users u ON u.id = tm.user_id
		WHERE t.workspace_id = ? ORDER BY t.name, t.id, u.name`, wsID)
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	defer rows.Close()
	out := []Team{}
	for rows.Next() {
		var t Team
		var uid, uname string
		if err := rows.Scan(&t.ID, &t.Slug, &t.Name, db.Time(&t.CreatedAt), &uid, &uname); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].ID != t.ID {
			t.Members = []TeamMember{}
			out = append(out, t)
		}
		if uid != "" {
			last := &out[len(out)-1]
			last.Members = append(last.Members, TeamMember{UserID: uid, Name: uname})
		}
	}
	return out, rows.Err()
}

func findTeam(ctx context.Context, q db.Querier, wsID, slug string) (Team, error) {
	var t Team
	err := q.QueryRow(ctx, `SELECT id, slug, name, created_at FROM teams WHERE workspace_id = ? AND slug = ?`, wsID, slug).
		Scan(&t.ID, &t.Slug, &t.Name, db.Time(&t.CreatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return t, apperr.NotFoundf("team not found")
	}
	return t, err
}
