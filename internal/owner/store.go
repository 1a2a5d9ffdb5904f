package owner

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/db"
	"shipshape/internal/workspace"
)

// Live targets of a workspace, one query per type; label is built in Go.
var targetQueries = map[TargetType]string{
	Project: `SELECT p.id, p.key, '' FROM projects p WHERE p.workspace_id = ?`,
	Component: `SELECT c.id, p.key, c.slug FROM components c JOIN projects p ON p.id = c.project_id
		WHERE p.workspace_id = ?`,
	Release: `SELECT r.id, p.key, r.version FROM releases r JOIN projects p ON p.id = r.project_id
		WHERE p.workspace_id = ?`,
	Document: `SELECT d.id, d.title, '' FROM documents d WHERE d.workspace_id = ?`,
}

// targetAlias is the alias of the target's table in targetQueries.
var targetAlias = map[TargetType]string{Project: "p", Component: "c", Release: "r", Document: "d"}

// DocumentFilter is the condition on documents (aliased alias) that a
// caller may see: doc.Visible.
type DocumentFilter func(a workspace.Access, alias string) (string, []any)

// targetQuery is the query of type t's live targets that a may see.
func targetQuery(t TargetType, a workspace.Access, docs DocumentFilter) (string, []any) {
	q, args := targetQueries[t], []any{a.WorkspaceID}
	if t == Document {
		cond, more := docs(a, "d")
		q += ` AND ` + cond
		args = append(args, more...)
	}
	return q, args
}

func label(t TargetType, key, sub string) string {
	switch t {
	case Component:
		return key + "/" + sub
	case Release:
		return key + " " + sub
	}
	return key
}

func scanTargets(rows *sql.Rows, t TargetType, out []Target) ([]Target, error) {
	defer rows.Close()
	for rows.Next() {
		var id, key, sub string
		if err := rows.Scan(&id, &key, &sub); err != nil {
			return nil, err
		}
		out = append(out, Target{Type: t, ID: id, Label: label(t, key, sub)})
	}
	return out, rows.Err()
}

// findTarget resolves a target in the workspace; another workspace's
// target, or a document the caller may not see, is not found.
func findTarget(ctx context.Context, q db.Querier, a workspace.Access, docs DocumentFilter, ref TargetRef) (Target, error) {
	query, args := targetQuery(ref.Type, a, docs)
	rows, err := q.Query(ctx, query+` AND `+targetAlias[ref.Type]+`.id = ?`, append(args, ref.ID)...)
	if err != nil {
		return Target{}, fmt.Errorf("find target: %w", err)
	}
	ts, err := scanTargets(rows, ref.Type, nil)
	if err != nil {
		return Target{}, err
	}
	if len(ts) == 0 {
		return Target{}, apperr.NotFoundf("%s not found", ref.Type)
	}
	return ts[0], nil
}

// allTargets lists every live target of the workspace that a may see.
func allTargets(ctx context.Context, q db.Querier, a workspace.Access, docs DocumentFilter) ([]Target, error) {
	var out []Target
	for _, t := range targetTypes {
		query, args := targetQuery(t, a, docs)
		rows, err := q.Query(ctx, query, args...)
		if err != nil {
			return nil, fmt.Errorf("list %s targets: %w", t, err)
		}
		if out, err = scanTargets(rows, t, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// countOwnedByOwner counts, per user or team id, the live targets owned
// directly in a workspace (rows of deleted targets do not count, as in the
// ownership map).
func countOwnedByOwner(ctx context.Context, q db.Querier, wsID string) (map[string]int, error) {
	rows, err := q.Query(ctx, `SELECT o.owner_id, COUNT(DISTINCT o.target_type || ':' || o.target_id) FROM owners o
		WHERE o.workspace_id = ? AND (
		  (o.target_type = 'project' AND EXISTS (SELECT 1 FROM projects t WHERE t.id = o.target_id)) OR
		  (o.target_type = 'component' AND EXISTS (SELECT 1 FROM components t WHERE t.id = o.target_id)) OR
		  (o.target_type = 'release' AND EXISTS (SELECT 1 FROM releases t WHERE t.id = o.target_id)) OR
		  (o.target_type = 'document' AND EXISTS (SELECT 1 FROM documents t WHERE t.id = o.target_id)))
		GROUP BY o.owner_id`, wsID)
	if err != nil {
		return nil, fmt.Errorf("count owned: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// row is a stored owner row.
type row struct {
	TargetType TargetType
	TargetID   string
	Role       Role
	Kind       Kind
	OwnerID    string
}

func (r row) assignment() Assignment { return Assignment{Kind: r.Kind, ID: r.OwnerID, Role: r.Role} }

func listRows(ctx context.Context, q db.Querier, query string, args ...any) ([]row, error) {
	rows, err := q.Query(ctx, `SELECT target_type, target_id, role, owner_kind, owner_id FROM owners WHERE `+query, args...)
	if err != nil {
		return nil, fmt.Errorf("list owners: %w", err)
	}
	defer rows.Close()
	var out []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.TargetType, &r.TargetID, &r.Role, &r.Kind, &r.OwnerID); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func insertRow(ctx context.Context, tx *db.Tx, wsID string, r row, by string, at time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO owners (workspace_id, target_type, target_id, role, owner_kind, owner_id, assigned_by, assigned_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, wsID, r.TargetType, r.TargetID, r.Role, r.Kind, r.OwnerID, by, at)
	return err
}

func deleteRow(ctx context.Context, tx *db.Tx, wsID string, r row) error {
	_, err := tx.Exec(ctx, `DELETE FROM owners WHERE workspace_id = ? AND target_type = ? AND target_id = ? AND role = ? AND owner_kind = ? AND owner_id = ?`,
		wsID, r.TargetType, r.TargetID, r.Role, r.Kind, r.OwnerID)
	return err
}

// checkOwner reports whether ref is a current member or a team of the
// workspace; inside a write transaction the row is share-locked so that it
// cannot go away before commit.
func checkOwner(ctx context.Context, q db.Querier, wsID string, ref OwnerRef) (bool, error) {
	var query string
	switch ref.Kind {
	case User:
		query = `SELECT 1 FROM memberships m WHERE m.workspace_id = ? AND m.user_id = ?` + db.ShareLock(q, "m")
	case Team:
		query = `SELECT 1 FROM teams m WHERE m.workspace_id = ? AND m.id = ?` + db.ShareLock(q, "m")
	default:
		return false, nil
	}
	var one int
	err := q.QueryRow(ctx, query, wsID, ref.ID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// names maps user ids to names of the workspace's members, team ids to
// team names, and former members' ids to their names (where their account
// still exists).
type directory struct {
	members map[string]string
	teams   map[string]string
	users   map[string]string // anyone referenced, members or not
}

func loadDirectory(ctx context.Context, q db.Querier, wsID string) (directory, error) {
	d := directory{members: map[string]string{}, teams: map[string]string{}, users: map[string]string{}}
	load := func(m map[string]string, query string) error {
		rows, err := q.Query(ctx, query, wsID)
		if err != nil {
			return fmt.Errorf("load names: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, name string
			if err := rows.Scan(&id, &name); err != nil {
				return err
			}
			m[id] = name
		}
		return rows.Err()
	}
	if err := load(d.members, `SELECT u.id, u.name FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.workspace_id = ?`); err != nil {
		return d, err
	}
	if err := load(d.teams, `SELECT id, name FROM teams WHERE workspace_id = ?`); err != nil {
		return d, err
	}
	err := load(d.users, `SELECT u.id, u.name FROM users u WHERE u.id IN
		(SELECT o.owner_id FROM owners o WHERE o.workspace_id = ? AND o.owner_kind = 'user')`)
	return d, err
}

// resolve names an owner and says what is wrong with it, if anything.
func (d directory) resolve(r row) (Owner, string) {
	o := Owner{Kind: r.Kind, ID: r.OwnerID, Role: r.Role}
	if r.Kind == Team {
		name, ok := d.teams[r.OwnerID]
		o.Name = name
		if !ok {
			return o, TeamDeleted
		}
		return o, ""
	}
	if name, ok := d.members[r.OwnerID]; ok {
		o.Name = name
		return o, ""
	}
	o.Name = d.users[r.OwnerID]
	return o, OwnerLeft
}

func readPolicy(ctx context.Context, q db.Querier, wsID string) (Policy, error) {
	var p Policy
	err := q.QueryRow(ctx, `SELECT require_accountable FROM ownership_policies WHERE workspace_id = ?`, wsID).Scan(&p.RequireAccountable)
	if errors.Is(err, sql.ErrNoRows) {
		return Policy{}, nil
	}
	return p, err
}

func writePolicy(ctx context.Context, tx *db.Tx, wsID string, p Policy, by string, at time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO ownership_policies (workspace_id, require_accountable, updated_by, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (workspace_id) DO UPDATE SET require_accountable = excluded.require_accountable, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		wsID, p.RequireAccountable, by, at)
	return err
}
