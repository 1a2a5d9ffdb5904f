package privreq

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/db"
)

const requestCols = `r.id, r.kind, r.subject_email, r.subject_user_id, r.source, r.verification, r.verified_at, r.status,
	r.assignee_id, COALESCE(a.name, ''), r.due_at, r.outcome, r.created_by, r.created_at, r.updated_at, r.closed_at,
	r.confirm_expires_at, r.auth_blob_key, COALESCE(r.auth_name, ''), COALESCE(r.auth_size, 0), COALESCE(r.auth_sha256, ''),
	COALESCE(r.auth_content_type, ''), COALESCE(r.auth_uploaded_by, ''), r.auth_uploaded_at`

const requestFrom = ` FROM privacy_requests r LEFT JOIN users a ON a.id = r.assignee_id`

type scanner interface{ Scan(dest ...any) error }

func scanRequest(row scanner, now time.Time) (Request, error) {
	var r Request
	var subject, assignee, blobKey sql.NullString
	var auth Authorization
	var authAt *time.Time
	err := row.Scan(&r.ID, &r.Kind, &r.SubjectEmail, &subject, &r.Source, &r.VerifiedBy, db.NullTime(&r.VerifiedAt), &r.Status,
		&assignee, &r.AssigneeName, db.Time(&r.DueAt), &r.Outcome, &r.CreatedBy, db.Time(&r.CreatedAt), db.Time(&r.UpdatedAt), db.NullTime(&r.ClosedAt),
		db.NullTime(&r.LinkExpiresAt), &blobKey, &auth.Name, &auth.Size, &auth.SHA256, &auth.ContentType, &auth.UploadedBy, db.NullTime(&authAt))
	if err != nil {
		return r, err
	}
	if subject.Valid {
		r.SubjectUserID = &subject.String
	}
	if assignee.Valid {
		r.AssigneeID = &assignee.String
	}
	if blobKey.Valid && authAt != nil {
		auth.blobKey, auth.UploadedAt = blobKey.String, *authAt
		r.Authorization = &auth
	}
	r.Overdue = r.ClosedAt == nil && now.After(r.DueAt)
	r.Next = Next(r.Status)
	if r.Next == nil {
		r.Next = []Status{}
	}
	return r, nil
}

func findRequest(ctx context.Context, q db.Querier, id string, now time.Time) (Request, error) {
	r, err := scanRequest(q.QueryRow(ctx, `SELECT `+requestCols+requestFrom+` WHERE r.id = ?`, id), now)
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundf("no such privacy request")
	}
	return r, err
}

// maxList bounds the list: the desk is for the requests of one server.
const maxList = 500

func listRequests(ctx context.Context, q db.Querier, f Filter, now time.Time) ([]Request, error) {
	where, order, args := "1 = 1", "r.created_at DESC, r.id DESC", []any{}
	switch f.Status {
	case "":
	case "open":
		where, order = "r.closed_at IS NULL", "r.due_at, r.id"
	case "overdue":
		where, order, args = "r.closed_at IS NULL AND r.due_at < ?", "r.due_at, r.id", []any{now}
	case "closed":
		where, order = "r.closed_at IS NOT NULL", "r.closed_at DESC, r.id DESC"
	default:
		where, args = "r.status = ?", []any{f.Status}
	}
	rows, err := q.Query(ctx, `SELECT `+requestCols+requestFrom+` WHERE `+where+` ORDER BY `+order+` LIMIT ?`, append(args, maxList)...)
	if err != nil {
		return nil, fmt.Errorf("privreq: list: %w", err)
	}
	defer rows.Close()
	out := []Request{}
	for rows.Next() {
		r, err := scanRequest(rows, now)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func insertRequest(ctx context.Context, tx *db.Tx, r Request) error {
	_, err := tx.Exec(ctx, `INSERT INTO privacy_requests (id, kind, subject_email, subject_user_id, source, verification, verified_at, status,
		assignee_id, due_at, outcome, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, string(r.Kind), r.SubjectEmail, r.SubjectUserID, string(r.Source), string(r.VerifiedBy), r.VerifiedAt, string(r.Status),
		r.AssigneeID, r.DueAt, r.Outcome, r.CreatedBy, r.CreatedAt, r.UpdatedAt)
	return err
}

// accountOf returns the id of the account using email, if any (erased
// accounts keep no address).
func accountOf(ctx context.Context, q db.Querier, email string) (*string, error) {
	var id string
	err := q.QueryRow(ctx, `SELECT id FROM users WHERE lower(email) = lower(?) AND erased_at IS NULL`, email).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// isSiteAdmin reports whether id is a site admin (who may be assigned).
func isSiteAdmin(ctx context.Context, q db.Querier, id string) (bool, error) {
	var admin bool
	err := q.QueryRow(ctx, `SELECT site_admin FROM users WHERE id = ? AND erased_at IS NULL`, id).Scan(&admin)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return admin, err
}

// Admin is a site admin a request can be assigned to.
type Admin struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func listAdmins(ctx context.Context, q db.Querier) ([]Admin, error) {
	rows, err := q.Query(ctx, `SELECT id, name FROM users WHERE site_admin AND erased_at IS NULL ORDER BY name, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Admin
	for rows.Next() {
		var a Admin
		if err := rows.Scan(&a.ID, &a.Name); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func insertNote(ctx context.Context, tx *db.Tx, requestID string, n Note) error {
	_, err := tx.Exec(ctx, `INSERT INTO privacy_request_notes (id, request_id, author_id, body, created_at) VALUES (?, ?, ?, ?, ?)`,
		n.ID, requestID, n.AuthorID, n.Body, n.CreatedAt)
	return err
}

func listNotes(ctx context.Context, q db.Querier, requestID string) ([]Note, error) {
	rows, err := q.Query(ctx, `SELECT n.id, n.author_id, COALESCE(u.name, ''), n.body, n.created_at
		FROM privacy_request_notes n LEFT JOIN users u ON u.id = n.author_id
		WHERE n.request_id = ? ORDER BY n.created_at, n.id`, requestID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Note{}
	for rows.Next() {
		var n Note
		if err := rows.Scan(&n.ID, &n.AuthorID, &n.AuthorName, &n.Body, db.Time(&n.CreatedAt)); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// history reads the request's steps from the site audit trail (the
// events about it, indexed by target id).
func history(ctx context.Context, q db.Querier, requestID string) ([]Event, error) {
	rows, err := q.Query(ctx, `SELECT e.action, COALESCE(e.actor_id, ''), COALESCE(u.name, ''), e.target_label, e.at
		FROM audit_events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE e.target_id = ? AND e.target_type = 'privacy_request' AND e.workspace_id IS NULL ORDER BY e.at, e.seq`, requestID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.Action, &e.ActorID, &e.ActorName, &e.Label, db.Time(&e.At)); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// byLinkHash finds the request whose unused confirmation link hashes to hash.
func byLinkHash(ctx context.Context, q db.Querier, hash string, now time.Time) (Request, error) {
	r, err := scanRequest(q.QueryRow(ctx, `SELECT `+requestCols+requestFrom+` WHERE r.confirm_token_hash = ?`, hash), now)
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundf("this confirmation link is not valid or was already used")
	}
	return r, err
}

// EraseUser unlinks a person's requests from their account when it is
// erased: the request records stay (legal obligation), but they must not
// tie the tombstone back to an e-mail address.
func EraseUser(ctx context.Context, tx *db.Tx, userID string) error {
	// The public confirmation page records the person's IP address and
	// browser with no account on the event: blank them first.
	if _, err := tx.Exec(ctx, `UPDATE audit_events SET ip = '', user_agent = '' WHERE target_type = 'privacy_request'
		AND target_id IN (SELECT id FROM privacy_requests WHERE subject_user_id = ?)`, userID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE privacy_requests SET subject_user_id = NULL WHERE subject_user_id = ?`, userID)
	return err
}
