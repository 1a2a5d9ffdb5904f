package project

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"shipshape/internal/apperr"
	"shipshape/internal/db"
)

const projectCols = `p.id, p.key, p.name, p.description, p.archived_at, COALESCE(p.created_by, ''), p.created_at, p.updated_at`

func scanProject(row interface{ Scan(...any) error }, p *Project, extra ...any) error {
	dest := append([]any{&p.ID, &p.Key, &p.Name, &p.Description, db.NullTime(&p.ArchivedAt), &p.CreatedBy,
		db.Time(&p.CreatedAt), db.Time(&p.UpdatedAt)}, extra...)
	if err := row.Scan(dest...); err != nil {
		return err
	}
	p.Archived = p.ArchivedAt != nil
	return nil
}

func findProject(ctx context.Context, q db.Querier, wsID, key string) (Project, error) {
	var p Project
	err := scanProject(q.QueryRow(ctx, `SELECT `+projectCols+`, (SELECT COUNT(*) FROM components c WHERE c.project_id = p.id)
		FROM projects p WHERE p.workspace_id = ? AND p.key = ?`, wsID, key), &p, &p.Components)
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.NotFoundf("project not found")
	}
	return p, err
}

// listProjects reads one page; f.Limit is already checked by the caller.
func listProjects(ctx context.Context, q db.Querier, wsID string, f ListFilter) (Page, error) {
	query := `SELECT ` + projectCols + `, (SELECT COUNT(*) FROM components c WHERE c.project_id = p.id)
		FROM projects p WHERE p.workspace_id = ?`
	args := []any{wsID}
	if !f.IncludeArchived {
		query += ` AND p.archived_at IS NULL`
	}
	if f.Cursor != "" {
		query += ` AND p.key > ?`
		args = append(args, f.Cursor)
	}
	// The limit is a checked int written as a literal: a bound LIMIT makes
	// SQLite prepare the statement again on every run.
	query += ` ORDER BY p.key LIMIT ` + strconv.Itoa(f.Limit+1)
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return Page{}, fmt.Errorf("list projects: %w", err)
	}
	defer rows.Close()
	page := Page{Items: []Project{}}
	for rows.Next() {
		var p Project
		if err := scanProject(rows, &p, &p.Components); err != nil {
			return Page{}, err
		}
		page.Items = append(page.Items, p)
	}
	if len(page.Items) > f.Limit {
		page.Items = page.Items[:f.Limit]
		page.NextCursor = page.Items[f.Limit-1].Key
	}
	return page, rows.Err()
}

func insertProject(ctx context.Context, tx *db.Tx, wsID string, p Project) error {
	_, err := tx.Exec(ctx, `INSERT INTO projects (id, workspace_id, key, name, description, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, p.ID, wsID, p.Key, p.Name, p.Description, p.CreatedBy, p.CreatedAt, p.UpdatedAt)
	return db.Conflict(err, "key", "is already used by another project in this workspace")
}

func updateProject(ctx context.Context, tx *db.Tx, p Project) error {
	_, err := tx.Exec(ctx, `UPDATE projects SET name = ?, description = ?, archived_at = ?, updated_at = ? WHERE id = ?`,
		p.Name, p.Description, p.ArchivedAt, p.UpdatedAt, p.ID)
	return err
}

const componentCols = `id, slug, name, description, created_at, updated_at`

func scanComponent(row interface{ Scan(...any) error }, c *Component) error {
	return row.Scan(&c.ID, &c.Slug, &c.Name, &c.Description, db.Time(&c.CreatedAt), db.Time(&c.UpdatedAt))
}

func findComponent(ctx context.Context, q db.Querier, projectID, slug string) (Component, error) {
	var c Component
	err := scanComponent(q.QueryRow(ctx, `SELECT `+componentCols+` FROM components WHERE project_id = ? AND slug = ?`, projectID, slug), &c)
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFoundf("component not found")
	}
	return c, err
}

func listComponents(ctx context.Context, q db.Querier, projectID string) ([]Component, error) {
	rows, err := q.Query(ctx, `SELECT `+componentCols+` FROM components WHERE project_id = ? ORDER BY slug`, projectID)
	if err != nil {
		return nil, fmt.Errorf("list components: %w", err)
	}
	defer rows.Close()
	out := []Component{}
	for rows.Next() {
		var c Component
		if err := scanComponent(rows, &c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
