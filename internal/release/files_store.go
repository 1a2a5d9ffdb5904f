package release

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"shipshape/internal/apperr"
	"shipshape/internal/db"
)

const fileCols = `id, release_id, name, blob_key, size, sha256, content_type, COALESCE(uploaded_by, ''), uploaded_at`

func scanFile(row interface{ Scan(...any) error }, f *File) error {
	return row.Scan(&f.id, &f.releaseID, &f.Name, &f.blobKey, &f.Size, &f.SHA256, &f.ContentType, &f.UploadedBy, db.Time(&f.UploadedAt))
}

func findFile(ctx context.Context, q db.Querier, releaseID, name string) (File, error) {
	var f File
	err := scanFile(q.QueryRow(ctx, `SELECT `+fileCols+` FROM release_files WHERE release_id = ? AND name = ?`, releaseID, name), &f)
	if errors.Is(err, sql.ErrNoRows) {
		return f, apperr.NotFoundf("file not found")
	}
	return f, err
}

func listFiles(ctx context.Context, q db.Querier, releaseID string) ([]File, error) {
	rows, err := q.Query(ctx, `SELECT `+fileCols+` FROM release_files WHERE release_id = ? ORDER BY name`, releaseID)
	if err != nil {
		return nil, fmt.Errorf("list files: %w", err)
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

// projectFileKeys lists the objects of every file of a project's releases.
func projectFileKeys(ctx context.Context, q db.Querier, projectID string) ([]string, error) {
	return blobKeys(ctx, q, `SELECT f.blob_key FROM release_files f JOIN releases r ON r.id = f.release_id WHERE r.project_id = ?`, projectID)
}

// fileKeys lists the objects of a release's files.
func fileKeys(ctx context.Context, q db.Querier, releaseID string) ([]string, error) {
	return blobKeys(ctx, q, `SELECT blob_key FROM release_files WHERE release_id = ?`, releaseID)
}

func blobKeys(ctx context.Context, q db.Querier, query string, arg string) ([]string, error) {
	rows, err := q.Query(ctx, query, arg)
	if err != nil {
		return nil, fmt.Errorf("list file keys: %w", err)
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

// lockOpen touches the release row only while the release is open. On
// PostgreSQL the UPDATE takes the row lock, so a concurrent transition
// (an UPDATE … WHERE status = from) is serialised with this transaction;
// SQLite serialises writers anyway.
func lockOpen(ctx context.Context, tx *db.Tx, r Release) error {
	res, err := tx.Exec(ctx, `UPDATE releases SET status = status WHERE id = ? AND status IN ('planned', 'in_progress', 'in_review')`, r.ID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 1 {
		return nil
	}
	var cur Status
	if err := tx.QueryRow(ctx, `SELECT status FROM releases WHERE id = ?`, r.ID).Scan(&cur); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundf("release not found")
		}
		return err
	}
	r.Status = cur
	return frozen(r)
}

// putFileRow inserts f or points the existing row of its name at f's
// object, returning the replaced object's key.
func putFileRow(ctx context.Context, tx *db.Tx, f File) (replaced []string, err error) {
	old, err := findFile(ctx, tx, f.releaseID, f.Name)
	switch {
	case err == nil:
		res, err := tx.Exec(ctx, `UPDATE release_files SET blob_key = ?, size = ?, sha256 = ?, content_type = ?, uploaded_by = ?, uploaded_at = ?
			WHERE id = ? AND blob_key = ?`, f.blobKey, f.Size, f.SHA256, f.ContentType, nullIfEmpty(f.UploadedBy), f.UploadedAt, old.id, old.blobKey)
		if err != nil {
			return nil, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, err
		} else if n != 1 {
			return nil, concurrentUpload(f.Name)
		}
		return []string{old.blobKey}, nil
	case apperr.CodeOf(err) == apperr.NotFound:
		_, err := tx.Exec(ctx, `INSERT INTO release_files (id, release_id, name, blob_key, size, sha256, content_type, uploaded_by, uploaded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, f.id, f.releaseID, f.Name, f.blobKey, f.Size, f.SHA256, f.ContentType, nullIfEmpty(f.UploadedBy), f.UploadedAt)
		if errors.Is(err, db.ErrUnique) {
			return nil, concurrentUpload(f.Name)
		}
		return nil, err
	default:
		return nil, err
	}
}

func concurrentUpload(name string) error {
	return &apperr.Error{Code: apperr.Conflict, Message: "another upload of " + name + " finished at the same time; try again",
		Fields: map[string]string{"name": "was uploaded concurrently"}}
}
