package doc

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/db"
	"shipshape/internal/perm"
	"shipshape/internal/workspace"
)

// summaryCols reads a document with its project key and release version.
const summaryCols = `d.id, d.type, d.title, d.visibility, COALESCE(p.key, ''), COALESCE(r.version, ''), d.current_version,
	COALESCE(d.created_by, ''), d.created_at, COALESCE(d.updated_by, ''), d.updated_at, COALESCE(d.project_id, ''), COALESCE(d.release_id, '')`

const fromDocs = ` FROM documents d LEFT JOIN projects p ON p.id = d.project_id LEFT JOIN releases r ON r.id = d.release_id`

func scanSummary(row interface{ Scan(...any) error }, s *Summary, extra ...any) error {
	var pkey, rver string
	dest := []any{&s.ID, &s.Type, &s.Title, &s.Visibility, &pkey, &rver, &s.Version,
		&s.CreatedBy, db.Time(&s.CreatedAt), &s.UpdatedBy, db.Time(&s.UpdatedAt), &s.projectID, &s.releaseID}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return err
	}
	s.Project, s.Release = nil, nil
	if pkey != "" {
		s.Project = &pkey
	}
	if rver != "" {
		s.Release = &rver
	}
	return nil
}

// Visible is the condition on documents (the table aliased alias) that a
// caller with access a may see — the one place the visibility rule lives;
// lists, reads and search all use it (see the package comment).
func Visible(a workspace.Access, alias string) (string, []any) {
	if a.Role.AtLeast(perm.Admin) {
		return "TRUE", nil
	}
	d := alias + "."
	return `(` + d + `visibility <> 'owners' OR ` + d + `created_by = ? OR EXISTS (SELECT 1 FROM owners o
		WHERE o.workspace_id = ` + d + `workspace_id AND o.target_type = 'document' AND o.target_id = ` + d + `id
		AND ((o.owner_kind = 'user' AND o.owner_id = ?) OR (o.owner_kind = 'team' AND o.owner_id IN (SELECT tm.team_id FROM team_members tm WHERE tm.user_id = ?)))))`,
		[]any{a.UserID, a.UserID, a.UserID}
}

// findDocument reads a document of the workspace that the caller may see,
// with its current body.
func findDocument(ctx context.Context, q db.Querier, a workspace.Access, id string) (Document, error) {
	var d Document
	cond, args := Visible(a, "d")
	err := scanSummary(q.QueryRow(ctx, `SELECT `+summaryCols+`, v.body`+fromDocs+`
		JOIN document_versions v ON v.document_id = d.id AND v.version = d.current_version
		WHERE d.workspace_id = ? AND d.id = ? AND `+cond, append([]any{a.WorkspaceID, id}, args...)...), &d.Summary, &d.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return d, notFound()
	}
	return d, err
}

func notFound() error { return apperr.NotFoundf("document not found") }

// listDocuments reads one page of the documents the caller may see, most
// recently updated first.
func listDocuments(ctx context.Context, q db.Querier, a workspace.Access, projectID, releaseID string, f ListFilter) (Page, error) {
	cond, args := Visible(a, "d")
	query := `SELECT ` + summaryCols + fromDocs + ` WHERE d.workspace_id = ? AND ` + cond
	args = append([]any{a.WorkspaceID}, args...)
	if f.Type != "" {
		query += ` AND d.type = ?`
		args = append(args, string(f.Type))
	}
	if projectID != "" {
		query += ` AND d.project_id = ?`
		args = append(args, projectID)
	}
	if releaseID != "" {
		query += ` AND d.release_id = ?`
		args = append(args, releaseID)
	}
	if f.Cursor != "" {
		at, id, err := parseCursor(f.Cursor)
		if err != nil {
			return Page{}, err
		}
		query += ` AND (d.updated_at < ? OR (d.updated_at = ? AND d.id < ?))`
		args = append(args, at, at, id)
	}
	query += ` ORDER BY d.updated_at DESC, d.id DESC LIMIT ` + strconv.Itoa(f.Limit+1)
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return Page{}, fmt.Errorf("list documents: %w", err)
	}
	defer rows.Close()
	page := Page{Items: []Summary{}}
	for rows.Next() {
		var s Summary
		if err := scanSummary(rows, &s); err != nil {
			return Page{}, err
		}
		page.Items = append(page.Items, s)
	}
	if len(page.Items) > f.Limit {
		page.Items = page.Items[:f.Limit]
		last := page.Items[f.Limit-1]
		page.NextCursor = last.UpdatedAt.UTC().Format(time.RFC3339Nano) + "_" + last.ID
	}
	return page, rows.Err()
}

func parseCursor(c string) (time.Time, string, error) {
	ts, id, ok := strings.Cut(c, "_")
	at, err := time.Parse(time.RFC3339Nano, ts)
	if !ok || err != nil || id == "" {
		return time.Time{}, "", apperr.Fields(map[string]string{"cursor": "is not a valid cursor"})
	}
	return at.UTC(), id, nil
}

func insertDocument(ctx context.Context, tx *db.Tx, wsID string, d Document) error {
	_, err := tx.Exec(ctx, `INSERT INTO documents (id, workspace_id, project_id, release_id, type, title, visibility, current_version,
		created_by, created_at, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, wsID, nullIfEmpty(d.projectID), nullIfEmpty(d.releaseID), string(d.Type), d.Title, string(d.Visibility), d.Version,
		nullIfEmpty(d.CreatedBy), d.CreatedAt, nullIfEmpty(d.UpdatedBy), d.UpdatedAt)
	return err
}

func updateDocument(ctx context.Context, tx *db.Tx, d Document) error {
	_, err := tx.Exec(ctx, `UPDATE documents SET type = ?, title = ?, visibility = ?, current_version = ?, updated_by = ?, updated_at = ? WHERE id = ?`,
		string(d.Type), d.Title, string(d.Visibility), d.Version, nullIfEmpty(d.UpdatedBy), d.UpdatedAt, d.ID)
	return err
}

func insertVersion(ctx context.Context, tx *db.Tx, docID string, v Version) error {
	_, err := tx.Exec(ctx, `INSERT INTO document_versions (id, document_id, version, title, body, author_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, db.NewID(), docID, v.Version, v.Title, v.Body, nullIfEmpty(v.AuthorID), v.CreatedAt)
	return db.Conflict(err, "version", "was written by someone else at the same time; try again")
}

func listVersions(ctx context.Context, q db.Querier, docID string) ([]VersionSummary, error) {
	rows, err := q.Query(ctx, `SELECT version, title, COALESCE(author_id, ''), created_at FROM document_versions
		WHERE document_id = ? ORDER BY version DESC`, docID)
	if err != nil {
		return nil, fmt.Errorf("list versions: %w", err)
	}
	defer rows.Close()
	out := []VersionSummary{}
	for rows.Next() {
		var v VersionSummary
		if err := rows.Scan(&v.Version, &v.Title, &v.AuthorID, db.Time(&v.CreatedAt)); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func findVersion(ctx context.Context, q db.Querier, docID string, n int) (Version, error) {
	var v Version
	err := q.QueryRow(ctx, `SELECT version, title, COALESCE(author_id, ''), created_at, body FROM document_versions
		WHERE document_id = ? AND version = ?`, docID, n).Scan(&v.Version, &v.Title, &v.AuthorID, db.Time(&v.CreatedAt), &v.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return v, apperr.NotFoundf("version not found")
	}
	return v, err
}

// findReleaseID finds a release of a project by its version key.
func findReleaseID(ctx context.Context, q db.Querier, projectID, key string) (id, version string, err error) {
	err = q.QueryRow(ctx, `SELECT id, version FROM releases WHERE project_id = ? AND version_key = ?`, projectID, key).Scan(&id, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", &apperr.Error{Code: apperr.NotFound, Message: "release not found", Fields: map[string]string{"release": "no such release in this project"}}
	}
	return id, version, err
}

// deleteDocument removes the document, every version, its file rows (the
// caller deletes their objects after the commit) and its owners.
func deleteDocument(ctx context.Context, tx *db.Tx, wsID, id string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM document_versions WHERE document_id = ?`, id); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM document_files WHERE document_id = ?`, id); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM owners WHERE workspace_id = ? AND target_type = 'document' AND target_id = ?`, wsID, id); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `DELETE FROM documents WHERE id = ?`, id)
	return err
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// lockDocument takes the document row's write lock for the rest of the
// transaction (a no-op UPDATE; SQLite's single writer needs nothing more).
// File changes and a hard delete take it first, so on PostgreSQL an upload
// that commits while the document is being deleted either lands before the
// delete reads the file keys, or finds the document gone.
func lockDocument(ctx context.Context, tx *db.Tx, id string) error {
	res, err := tx.Exec(ctx, `UPDATE documents SET current_version = current_version WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return notFound()
	}
	return nil
}

// Document files.

const fileCols = `id, document_id, name, blob_key, size, sha256, content_type, COALESCE(uploaded_by, ''), uploaded_at`

func scanFile(row interface{ Scan(...any) error }, f *File) error {
	return row.Scan(&f.id, &f.documentID, &f.Name, &f.blobKey, &f.Size, &f.SHA256, &f.ContentType, &f.UploadedBy, db.Time(&f.UploadedAt))
}

func findFile(ctx context.Context, q db.Querier, docID, name string) (File, error) {
	var f File
	err := scanFile(q.QueryRow(ctx, `SELECT `+fileCols+` FROM document_files WHERE document_id = ? AND name = ?`, docID, name), &f)
	if errors.Is(err, sql.ErrNoRows) {
		return f, apperr.NotFoundf("file not found")
	}
	return f, err
}

func listFiles(ctx context.Context, q db.Querier, docID string) ([]File, error) {
	rows, err := q.Query(ctx, `SELECT `+fileCols+` FROM document_files WHERE document_id = ? ORDER BY name`, docID)
	if err != nil {
		return nil, fmt.Errorf("list document files: %w", err)
	}
	defer rows.Close()
	out := []File{}
	for rows.Next() {
		var f File
		if err := scanFile(rows, &f); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// putFileRow inserts f or points the existing row of its name at f's
// object, returning the replaced object's key. The caller holds the
// document's lock, so no other upload of the same name interleaves.
func putFileRow(ctx context.Context, tx *db.Tx, f File) (replaced []string, err error) {
	old, err := findFile(ctx, tx, f.documentID, f.Name)
	switch {
	case err == nil:
		_, err := tx.Exec(ctx, `UPDATE document_files SET blob_key = ?, size = ?, sha256 = ?, content_type = ?, uploaded_by = ?, uploaded_at = ?
			WHERE id = ?`, f.blobKey, f.Size, f.SHA256, f.ContentType, nullIfEmpty(f.UploadedBy), f.UploadedAt, old.id)
		if err != nil {
			return nil, err
		}
		return []string{old.blobKey}, nil
	case apperr.Is(err, apperr.NotFound):
		_, err := tx.Exec(ctx, `INSERT INTO document_files (id, document_id, name, blob_key, size, sha256, content_type, uploaded_by, uploaded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, f.id, f.documentID, f.Name, f.blobKey, f.Size, f.SHA256, f.ContentType, nullIfEmpty(f.UploadedBy), f.UploadedAt)
		return nil, db.Conflict(err, "name", "was uploaded by someone else at the same time; try again")
	default:
		return nil, err
	}
}

// fileKeys lists the objects of a document's files.
func fileKeys(ctx context.Context, q db.Querier, docID string) ([]string, error) {
	return blobKeys(ctx, q, `SELECT blob_key FROM document_files WHERE document_id = ?`, docID)
}

// projectFileKeys lists the objects of the files of a project's documents.
func projectFileKeys(ctx context.Context, q db.Querier, projectID string) ([]string, error) {
	return blobKeys(ctx, q, `SELECT f.blob_key FROM document_files f JOIN documents d ON d.id = f.document_id WHERE d.project_id = ?`, projectID)
}

func blobKeys(ctx context.Context, q db.Querier, query, arg string) ([]string, error) {
	rows, err := q.Query(ctx, query, arg)
	if err != nil {
		return nil, fmt.Errorf("list document file keys: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}
