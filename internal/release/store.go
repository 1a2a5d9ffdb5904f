package release

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/db"
)

const releaseCols = `id, project_id, version, version_key, name, description, status, target_date, released_at,
	COALESCE(created_by, ''), created_at, updated_at, evidence_sha256, evidence_at`

func scanRelease(row interface{ Scan(...any) error }, r *Release) error {
	var evSHA sql.NullString
	var evAt *time.Time
	err := row.Scan(&r.ID, &r.projectID, &r.Version, &r.key, &r.Name, &r.Description, &r.Status, dateDest{&r.TargetDate},
		db.NullTime(&r.ReleasedAt), &r.CreatedBy, db.Time(&r.CreatedAt), db.Time(&r.UpdatedAt), &evSHA, db.NullTime(&evAt))
	r.Owners = []Owner{}
	r.Evidence = nil
	if err == nil && evSHA.Valid && evAt != nil {
		r.Evidence = &EvidenceRef{SHA256: evSHA.String, CreatedAt: *evAt}
	}
	return err
}

// dateDest scans a DATE (PostgreSQL, as time.Time) or YYYY-MM-DD text
// (SQLite) into **Date.
type dateDest struct{ d **Date }

func (dateDest) Value() (driver.Value, error) {
	return nil, errors.New("release: dateDest is a scan target")
}

func (x dateDest) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
		*x.d = nil
		return nil
	case time.Time:
		s = v.Format(dateLayout)
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("release: cannot scan %T into a date", src)
	}
	if len(s) > len(dateLayout) { // some drivers add a time part
		s = s[:len(dateLayout)]
	}
	d := Date(s)
	*x.d = &d
	return nil
}

// dateArg is the value stored for d.
func dateArg(d *Date) any {
	if d == nil {
		return nil
	}
	return string(*d)
}

func findRelease(ctx context.Context, q db.Querier, projectID, key string) (Release, error) {
	var r Release
	err := scanRelease(q.QueryRow(ctx, `SELECT `+releaseCols+` FROM releases WHERE project_id = ? AND version_key = ?`, projectID, key), &r)
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundf("release not found")
	}
	return r, err
}

// loadOwners fills in the owners of rs with one query: the rows the
// ownership domain (internal/owner) keeps, accountable first.
func loadOwners(ctx context.Context, q db.Querier, rs []Release) error {
	if len(rs) == 0 {
		return nil
	}
	at := make(map[string]int, len(rs))
	args := make([]any, len(rs))
	for i := range rs {
		at[rs[i].ID], args[i] = i, rs[i].ID
		rs[i].Owners = []Owner{}
	}
	rows, err := q.Query(ctx, `SELECT target_id, owner_kind, owner_id, role FROM owners
		WHERE target_type = 'release' AND target_id IN (?`+strings.Repeat(", ?", len(rs)-1)+`)
		ORDER BY CASE role WHEN 'accountable' THEN 0 WHEN 'technical' THEN 1 WHEN 'security' THEN 2 ELSE 3 END, owner_kind, owner_id`, args...)
	if err != nil {
		return fmt.Errorf("release owners: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var o Owner
		if err := rows.Scan(&id, &o.Kind, &o.ID, &o.Role); err != nil {
			return err
		}
		rs[at[id]].Owners = append(rs[at[id]].Owners, o)
	}
	return rows.Err()
}

// linkedDocument is a document attached to a release, at its current
// version.
type linkedDocument struct {
	ID, Type, Title, VersionID, Body, Visibility string
	Version                                      int
}

// listLinkedDocuments reads the documents attached to a release, oldest
// first; with a visibility condition on documents (aliased d, see
// Service.Documents) only those, and without one all of them.
func listLinkedDocuments(ctx context.Context, q db.Querier, releaseID string, visible string, args ...any) ([]linkedDocument, error) {
	query := `SELECT d.id, d.type, v.title, v.id, v.body, d.current_version, d.visibility FROM documents d
		JOIN document_versions v ON v.document_id = d.id AND v.version = d.current_version
		WHERE d.release_id = ?`
	if visible != "" {
		query += ` AND ` + visible
	}
	rows, err := q.Query(ctx, query+` ORDER BY d.created_at, d.id`, append([]any{releaseID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("release documents: %w", err)
	}
	defer rows.Close()
	var out []linkedDocument
	for rows.Next() {
		var d linkedDocument
		if err := rows.Scan(&d.ID, &d.Type, &d.Title, &d.VersionID, &d.Body, &d.Version, &d.Visibility); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// listReleases reads one page, newest version first, in one query; the
// caller has checked f.Limit.
func listReleases(ctx context.Context, q db.Querier, projectID string, f ListFilter) (Page, error) {
	query := `SELECT ` + releaseCols + ` FROM releases WHERE project_id = ?`
	args := []any{projectID}
	if f.Status != "" {
		query += ` AND status = ?`
		args = append(args, string(f.Status))
	}
	if f.Cursor != "" {
		query += ` AND version_key < ?`
		args = append(args, f.Cursor)
	}
	// A literal LIMIT (a checked int) keeps SQLite's prepared statement reusable.
	query += ` ORDER BY version_key DESC LIMIT ` + strconv.Itoa(f.Limit+1)
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return Page{}, fmt.Errorf("list releases: %w", err)
	}
	defer rows.Close()
	page := Page{Items: []Release{}}
	for rows.Next() {
		var r Release
		if err := scanRelease(rows, &r); err != nil {
			return Page{}, err
		}
		page.Items = append(page.Items, r)
	}
	if len(page.Items) > f.Limit {
		page.Items = page.Items[:f.Limit]
		page.NextCursor = page.Items[f.Limit-1].key
	}
	return page, rows.Err()
}

func insertRelease(ctx context.Context, tx *db.Tx, r Release) error {
	_, err := tx.Exec(ctx, `INSERT INTO releases (id, project_id, version, version_key, name, description, status, target_date,
		released_at, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.projectID, r.Version, r.key, r.Name, r.Description, string(r.Status), dateArg(r.TargetDate),
		r.ReleasedAt, r.CreatedBy, r.CreatedAt, r.UpdatedAt)
	return db.Conflict(err, "version", "already exists in this project (build metadata after '+' does not count)")
}

func updateRelease(ctx context.Context, tx *db.Tx, r Release) error {
	_, err := tx.Exec(ctx, `UPDATE releases SET name = ?, description = ?, target_date = ?, updated_at = ? WHERE id = ?`,
		r.Name, r.Description, dateArg(r.TargetDate), r.UpdatedAt, r.ID)
	return err
}

// moveRelease changes the status only if it is still from, so that two
// concurrent transitions from one state cannot both succeed: on
// PostgreSQL the second UPDATE waits for the first to commit and then
// finds the status changed. It reports whether the row moved.
func moveRelease(ctx context.Context, tx *db.Tx, r Release, from Status) (bool, error) {
	res, err := tx.Exec(ctx, `UPDATE releases SET status = ?, released_at = ?, updated_at = ? WHERE id = ? AND status = ?`,
		string(r.Status), r.ReleasedAt, r.UpdatedAt, r.ID, string(from))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func insertTransition(ctx context.Context, tx *db.Tx, releaseID string, t Transition) error {
	_, err := tx.Exec(ctx, `INSERT INTO release_transitions (id, release_id, from_status, to_status, reason, actor_id, at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, t.ID, releaseID, string(t.From), string(t.To), t.Reason, nullIfEmpty(t.ActorID), t.At)
	return err
}

func listTransitions(ctx context.Context, q db.Querier, releaseID string) ([]Transition, error) {
	rows, err := q.Query(ctx, `SELECT id, from_status, to_status, reason, COALESCE(actor_id, ''), at FROM release_transitions
		WHERE release_id = ? ORDER BY at, id`, releaseID)
	if err != nil {
		return nil, fmt.Errorf("list transitions: %w", err)
	}
	defer rows.Close()
	out := []Transition{}
	for rows.Next() {
		var t Transition
		if err := rows.Scan(&t.ID, &t.From, &t.To, &t.Reason, &t.ActorID, db.Time(&t.At)); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
