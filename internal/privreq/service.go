package privreq

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"shipshape/internal/account"
	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/blob"
	"shipshape/internal/db"
	"shipshape/internal/export"
	"shipshape/internal/release"
	"shipshape/internal/validate"
)

// Service is the desk's transaction and permission boundary: site admins
// only, a 404 for everyone else (like /admin). The public confirmation of
// an e-mail link is the one exception: whoever holds the link may use it.
type Service struct {
	DB    *db.DB
	Blobs blob.Store
	Now   func() time.Time
	Log   *slog.Logger
	// Accounts and Exports fulfil requests with the self-service
	// machinery: scheduled or immediate erasure, and the data export.
	Accounts *account.Service
	Exports  *export.Service
	// MaxUpload bounds an authorization document (DefaultMaxUpload when 0).
	MaxUpload int64
}

// DefaultMaxUpload is the size limit of an authorization document.
const DefaultMaxUpload = 20 << 20

const targetType = "privacy_request"

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

func (s *Service) maxUpload() int64 {
	if s.MaxUpload > 0 {
		return s.MaxUpload
	}
	return DefaultMaxUpload
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

func notFound() error { return apperr.NotFoundf("not found") }

func record(ctx context.Context, tx *db.Tx, actor audit.Actor, now time.Time, action, id, label string) error {
	return audit.Record(ctx, tx, actor, now, audit.Entry{Action: "privacy_request." + action, TargetType: targetType, TargetID: id, TargetLabel: label})
}

// Create records a request: the subject's account is matched by address,
// the due date follows from kind and source unless given.
func (s *Service) Create(ctx context.Context, actor audit.Actor, siteAdmin bool, in CreateInput) (Request, error) {
	if !siteAdmin {
		return Request{}, notFound()
	}
	now := s.now()
	if err := in.validate(now); err != nil {
		return Request{}, err
	}
	r := Request{ID: db.NewID(), Kind: in.Kind, SubjectEmail: in.SubjectEmail, Source: in.Source, VerifiedBy: in.VerifiedBy,
		Status: Received, DueAt: DueAt(in.Kind, in.Source, now), CreatedBy: actor.UserID, CreatedAt: now, UpdatedAt: now}
	if in.DueAt != nil {
		r.DueAt = in.DueAt.UTC().Truncate(time.Microsecond)
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if r.SubjectUserID, err = accountOf(ctx, tx, r.SubjectEmail); err != nil {
			return err
		}
		if r.VerifiedBy == ByAccount && r.SubjectUserID == nil {
			return apperr.Fields(map[string]string{"verified_by": "no account uses this e-mail address; choose email_link or agent_authorization"})
		}
		if in.AssigneeID != "" {
			if err := checkAssignee(ctx, tx, in.AssigneeID); err != nil {
				return err
			}
			r.AssigneeID = &in.AssigneeID
		}
		if err := insertRequest(ctx, tx, r); err != nil {
			return err
		}
		label := string(r.Kind) + " from " + string(r.Source) + ", due " + r.DueAt.Format("2006-01-02")
		if err := record(ctx, tx, actor, now, "create", r.ID, label); err != nil {
			return err
		}
		if r.AssigneeID != nil {
			if err := record(ctx, tx, actor, now, "assign", r.ID, "assigned"); err != nil {
				return err
			}
		}
		if strings.TrimSpace(in.Note) != "" {
			return s.note(ctx, tx, actor, now, r.ID, in.Note)
		}
		return nil
	})
	if err != nil {
		return Request{}, err
	}
	return s.find(ctx, r.ID)
}

func checkAssignee(ctx context.Context, q db.Querier, id string) error {
	ok, err := isSiteAdmin(ctx, q, id)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.Fields(map[string]string{"assignee_id": "must be a site admin"})
	}
	return nil
}

func (s *Service) find(ctx context.Context, id string) (Request, error) {
	return findRequest(ctx, s.DB, id, s.now())
}

// List returns requests matching f: open and overdue ones by due date,
// closed ones most recently closed first, all newest first.
func (s *Service) List(ctx context.Context, siteAdmin bool, f Filter) ([]Request, error) {
	if !siteAdmin {
		return nil, notFound()
	}
	if err := f.validate(); err != nil {
		return nil, err
	}
	return listRequests(ctx, s.DB, f, s.now())
}

// Get returns a request with its notes and history.
func (s *Service) Get(ctx context.Context, siteAdmin bool, id string) (Detail, error) {
	if !siteAdmin {
		return Detail{}, notFound()
	}
	var d Detail
	err := s.DB.ReadTx(ctx, func(q db.Querier) error {
		var err error
		if d.Request, err = findRequest(ctx, q, id, s.now()); err != nil {
			return err
		}
		if d.Notes, err = listNotes(ctx, q, id); err != nil {
			return err
		}
		d.History, err = history(ctx, q, id)
		return err
	})
	return d, err
}

// Admins lists the site admins a request can be assigned to.
func (s *Service) Admins(ctx context.Context, siteAdmin bool) ([]Admin, error) {
	if !siteAdmin {
		return nil, notFound()
	}
	return listAdmins(ctx, s.DB)
}

// readOnly is the conflict for any change to a closed request.
func readOnly(r Request) error {
	return &apperr.Error{Code: apperr.Conflict, Message: "the request is " + string(r.Status) + " and closed; it is read-only",
		Fields: map[string]string{"status": "allowed from " + string(r.Status) + ": " + joinStatuses(nil)}}
}

// refused is the conflict for a move the lifecycle does not allow; it
// names the statuses that are allowed.
func refused(from, to Status) error {
	allowed := joinStatuses(Next(from))
	msg := "cannot move from " + string(from) + " to " + string(to) + "; allowed: " + allowed
	if from == to {
		msg = "the request is already " + string(from) + "; allowed: " + allowed
	}
	return &apperr.Error{Code: apperr.Conflict, Message: msg, Fields: map[string]string{"status": "allowed from " + string(from) + ": " + allowed}}
}

// checkMove applies the lifecycle's rules to r moving to `to`.
func checkMove(r Request, to Status) error {
	if r.Closed() {
		return readOnly(r)
	}
	if !CanMove(r.Status, to) {
		return refused(r.Status, to)
	}
	if needsOutcome(to) && strings.TrimSpace(r.Outcome) == "" {
		what := "say what was done"
		if to == Rejected {
			what = "say why the request is rejected"
		}
		return apperr.Fields(map[string]string{"outcome": "is required to move to " + string(to) + ": " + what})
	}
	if to == Fulfilled && !r.Verified() {
		return &apperr.Error{Code: apperr.Conflict, Message: "verify the person's identity before fulfilling the request; allowed: " + joinStatuses(Next(r.Status)),
			Fields: map[string]string{"status": "fulfilled needs a verified identity"}}
	}
	if (to == InProgress || to == Fulfilled) && r.VerifiedBy == ByAgentAuthorization && r.Authorization == nil {
		return &apperr.Error{Code: apperr.Conflict, Message: "upload the agent's written authorization before the request moves past verifying",
			Fields: map[string]string{"status": "needs the agent's authorization document"}}
	}
	return nil
}

// Update applies a patch (see Patch for the order); every change is
// recorded on its own in the site audit trail.
func (s *Service) Update(ctx context.Context, actor audit.Actor, siteAdmin bool, id string, p Patch) (Request, error) {
	if !siteAdmin {
		return Request{}, notFound()
	}
	if err := p.validate(); err != nil {
		return Request{}, err
	}
	now := s.now()
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := tx.Lock(ctx, "privreq:"+id); err != nil {
			return err
		}
		r, err := findRequest(ctx, tx, id, now)
		if err != nil {
			return err
		}
		if r.Closed() {
			return readOnly(r)
		}
		if p.VerifiedBy != nil {
			if err := s.verify(ctx, tx, actor, now, &r, *p.VerifiedBy); err != nil {
				return err
			}
		}
		if p.AssigneeID != nil {
			var to any
			label := "unassigned"
			if *p.AssigneeID != "" {
				if err := checkAssignee(ctx, tx, *p.AssigneeID); err != nil {
					return err
				}
				to, label = *p.AssigneeID, "assigned"
			}
			if _, err := tx.Exec(ctx, `UPDATE privacy_requests SET assignee_id = ?, updated_at = ? WHERE id = ?`, to, now, id); err != nil {
				return err
			}
			if err := record(ctx, tx, actor, now, "assign", id, label); err != nil {
				return err
			}
		}
		if p.DueAt != nil {
			due := p.DueAt.UTC().Truncate(time.Microsecond)
			if !due.After(r.CreatedAt) {
				return apperr.Fields(map[string]string{"due_at": "must be after the request was received"})
			}
			if _, err := tx.Exec(ctx, `UPDATE privacy_requests SET due_at = ?, updated_at = ? WHERE id = ?`, due, now, id); err != nil {
				return err
			}
			if err := record(ctx, tx, actor, now, "due", id, "due "+due.Format("2006-01-02")); err != nil {
				return err
			}
			r.DueAt = due
		}
		if p.Outcome != nil {
			r.Outcome = strings.TrimSpace(*p.Outcome)
			if _, err := tx.Exec(ctx, `UPDATE privacy_requests SET outcome = ?, updated_at = ? WHERE id = ?`, r.Outcome, now, id); err != nil {
				return err
			}
			if err := record(ctx, tx, actor, now, "outcome", id, "outcome recorded"); err != nil {
				return err
			}
		}
		if strings.TrimSpace(p.Note) != "" {
			if err := s.note(ctx, tx, actor, now, id, p.Note); err != nil {
				return err
			}
		}
		if p.Status != nil && *p.Status != r.Status {
			return s.move(ctx, tx, actor, now, r, *p.Status, "status")
		} else if p.Status != nil {
			return refused(r.Status, *p.Status)
		}
		return nil
	})
	if err != nil {
		return Request{}, err
	}
	return s.find(ctx, id)
}

// move changes r's status after checkMove, guarded by the status it had.
func (s *Service) move(ctx context.Context, tx *db.Tx, actor audit.Actor, now time.Time, r Request, to Status, action string) error {
	if err := checkMove(r, to); err != nil {
		return err
	}
	var closed any
	if to.Closed() {
		closed = now
	}
	res, err := tx.Exec(ctx, `UPDATE privacy_requests SET status = ?, closed_at = ?, updated_at = ? WHERE id = ? AND status = ?`,
		string(to), closed, now, r.ID, string(r.Status))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return refused(r.Status, to)
	}
	return record(ctx, tx, actor, now, action, r.ID, string(r.Kind)+" "+string(r.Status)+" → "+string(to))
}

// verify marks r's identity verified by the method m (account or
// agent_authorization).
func (s *Service) verify(ctx context.Context, tx *db.Tx, actor audit.Actor, now time.Time, r *Request, m Verification) error {
	if r.Verified() {
		return apperr.E(apperr.Conflict, "the identity was already verified (%s)", r.VerifiedBy)
	}
	switch m {
	case ByAccount:
		// An account proves who asked only when the person asked while
		// signed in; a request that came by e-mail or through an agent
		// needs the confirmation link or the written authorization.
		if r.Source != SelfService {
			return apperr.Fields(map[string]string{"verified_by": "only a request made while signed in is verified by the account; send a confirmation link or upload an agent's authorization"})
		}
		if r.SubjectUserID == nil { // an account may have been created since
			id, err := accountOf(ctx, tx, r.SubjectEmail)
			if err != nil {
				return err
			}
			if id == nil {
				return apperr.Fields(map[string]string{"verified_by": "no account uses this e-mail address; use a confirmation link or an agent's authorization"})
			}
			r.SubjectUserID = id
		}
	case ByAgentAuthorization:
		if r.Authorization == nil {
			return &apperr.Error{Code: apperr.Conflict, Message: "upload the agent's written authorization first",
				Fields: map[string]string{"verified_by": "needs the agent's authorization document"}}
		}
	}
	r.VerifiedBy, r.VerifiedAt = m, &now
	if _, err := tx.Exec(ctx, `UPDATE privacy_requests SET verification = ?, verified_at = ?, subject_user_id = ?,
		confirm_token_hash = NULL, confirm_expires_at = NULL, updated_at = ? WHERE id = ?`,
		string(m), now, r.SubjectUserID, now, r.ID); err != nil {
		return err
	}
	r.LinkExpiresAt = nil
	return record(ctx, tx, actor, now, "verify", r.ID, "verified: "+string(m))
}

func (s *Service) note(ctx context.Context, tx *db.Tx, actor audit.Actor, now time.Time, id, body string) error {
	n := Note{ID: db.NewID(), AuthorID: actor.UserID, Body: strings.TrimSpace(body), CreatedAt: now}
	if err := insertNote(ctx, tx, id, n); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE privacy_requests SET updated_at = ? WHERE id = ?`, now, id); err != nil {
		return err
	}
	return record(ctx, tx, actor, now, "note", id, "note "+n.ID)
}

// IssueLink makes a new one-time e-mail confirmation link for an open
// request whose identity is not verified yet (any earlier link stops
// working). Only the token's hash is stored: the desk shows the link once,
// for the admin to send by hand.
func (s *Service) IssueLink(ctx context.Context, actor audit.Actor, siteAdmin bool, id string) (Link, error) {
	if !siteAdmin {
		return Link{}, notFound()
	}
	now := s.now()
	l := Link{Token: db.RandomToken(32), ExpiresAt: now.Add(LinkTTL)}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		r, err := findRequest(ctx, tx, id, now)
		if err != nil {
			return err
		}
		if r.Closed() {
			return readOnly(r)
		}
		if r.Verified() {
			return apperr.E(apperr.Conflict, "the identity was already verified (%s)", r.VerifiedBy)
		}
		if _, err := tx.Exec(ctx, `UPDATE privacy_requests SET verification = ?, confirm_token_hash = ?, confirm_expires_at = ?, updated_at = ? WHERE id = ?`,
			string(ByEmailLink), db.HashSecret(l.Token), l.ExpiresAt, now, id); err != nil {
			return err
		}
		return record(ctx, tx, actor, now, "link", id, "confirmation link, expires "+db.FormatTime(l.ExpiresAt))
	})
	if err != nil {
		return Link{}, err
	}
	return l, nil
}

// link finds the open request an unexpired link belongs to.
func (s *Service) link(ctx context.Context, q db.Querier, token string, now time.Time) (Request, error) {
	if token == "" || len(token) > 128 {
		return Request{}, apperr.NotFoundf("this confirmation link is not valid or was already used")
	}
	r, err := byLinkHash(ctx, q, db.HashSecret(token), now)
	if err != nil {
		return r, err
	}
	if r.Closed() || r.LinkExpiresAt == nil || !now.Before(*r.LinkExpiresAt) {
		return Request{}, apperr.NotFoundf("this confirmation link has expired or the request is closed; ask for a new link")
	}
	return r, nil
}

// Confirmation describes the request a confirmation link belongs to (the
// public page, before the person confirms).
func (s *Service) Confirmation(ctx context.Context, token string) (Confirmation, error) {
	r, err := s.link(ctx, s.DB, token, s.now())
	if err != nil {
		return Confirmation{}, err
	}
	return Confirmation{Kind: r.Kind, CreatedAt: r.CreatedAt, Verified: r.Verified()}, nil
}

// Confirm verifies the request the link belongs to (anyone holding the
// link: that is the check). The link is used up.
func (s *Service) Confirm(ctx context.Context, actor audit.Actor, token string) (Confirmation, error) {
	now := s.now()
	var c Confirmation
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		r, err := s.link(ctx, tx, token, now)
		if err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `UPDATE privacy_requests SET verification = ?, verified_at = ?, confirm_token_hash = NULL, confirm_expires_at = NULL,
			updated_at = ? WHERE id = ? AND confirm_token_hash = ?`, string(ByEmailLink), now, now, r.ID, db.HashSecret(token))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundf("this confirmation link is not valid or was already used")
		}
		c = Confirmation{Kind: r.Kind, CreatedAt: r.CreatedAt, Verified: true}
		return record(ctx, tx, actor, now, "verify", r.ID, "verified: "+string(ByEmailLink))
	})
	return c, err
}

// PutAuthorization streams an authorized agent's written authorization
// into file storage for an open request, replacing an earlier one, and
// makes agent_authorization the request's verification method. The row is
// written after the bytes, in one transaction with the audit event; a
// failed or oversized upload leaves nothing behind, and a replaced object
// is deleted after the commit. size is the announced length or -1.
func (s *Service) PutAuthorization(ctx context.Context, actor audit.Actor, siteAdmin bool, id, name string, body io.Reader, size int64) (Authorization, error) {
	if !siteAdmin {
		return Authorization{}, notFound()
	}
	if s.Blobs == nil {
		return Authorization{}, errors.New("privreq: no file storage configured")
	}
	if r, err := s.find(ctx, id); err != nil { // before reading a byte of the body
		return Authorization{}, err
	} else if r.Closed() {
		return Authorization{}, readOnly(r)
	}
	if err := release.ValidateFileName(name); err != nil {
		return Authorization{}, err
	}
	limit := s.maxUpload()
	if size > limit {
		return Authorization{}, blob.TooLarge(limit)
	}
	key := "privacy/requests/" + id + "/authorization/" + db.NewID()
	obj, err := s.Blobs.Put(ctx, key, body, limit)
	if err != nil {
		return Authorization{}, err
	}
	now := s.now()
	a := Authorization{Name: name, Size: obj.Size, SHA256: obj.SHA256, ContentType: obj.ContentType, UploadedBy: actor.UserID, UploadedAt: now, blobKey: key}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := tx.Lock(ctx, "privreq:"+id); err != nil {
			return err
		}
		r, err := findRequest(ctx, tx, id, now)
		if err != nil {
			return err
		}
		if r.Closed() {
			return readOnly(r)
		}
		method := r.VerifiedBy
		if !r.Verified() {
			method = ByAgentAuthorization
		}
		if _, err := tx.Exec(ctx, `UPDATE privacy_requests SET verification = ?, auth_blob_key = ?, auth_name = ?, auth_size = ?, auth_sha256 = ?,
			auth_content_type = ?, auth_uploaded_by = ?, auth_uploaded_at = ?, updated_at = ? WHERE id = ?`,
			string(method), key, a.Name, a.Size, a.SHA256, a.ContentType, a.UploadedBy, now, now, id); err != nil {
			return err
		}
		if r.Authorization != nil {
			old := r.Authorization.blobKey
			tx.AfterCommit(func() { s.deleteBlob(ctx, old) })
		}
		return record(ctx, tx, actor, now, "authorization_upload", id, "authorization "+strconv.FormatInt(a.Size, 10)+" bytes sha256:"+a.SHA256[:min(16, len(a.SHA256))])
	})
	if err != nil {
		s.deleteBlob(ctx, key)
		return Authorization{}, err
	}
	return a, nil
}

func (s *Service) deleteBlob(ctx context.Context, key string) {
	if err := s.Blobs.Delete(context.WithoutCancel(ctx), key); err != nil && !apperr.Is(err, apperr.NotFound) {
		s.log().Error("privreq: delete authorization object", "key", key, "err", err)
	}
}

// OpenAuthorization returns a request's authorization document for
// download; the caller closes the reader.
func (s *Service) OpenAuthorization(ctx context.Context, siteAdmin bool, id string) (Authorization, blob.Reader, error) {
	if !siteAdmin {
		return Authorization{}, nil, notFound()
	}
	r, err := s.find(ctx, id)
	if err != nil {
		return Authorization{}, nil, err
	}
	if r.Authorization == nil {
		return Authorization{}, nil, apperr.NotFoundf("no authorization was uploaded for this request")
	}
	rd, err := s.Blobs.Open(ctx, r.Authorization.blobKey)
	if err != nil {
		return Authorization{}, nil, err
	}
	return *r.Authorization, rd, nil
}

// Fulfil fulfils a verified, in-progress request of a matched account
// with the self-service machinery, then closes it as fulfilled with a note
// that says what the desk did:
//
//   - access, portability, know: a data export of the person's account is
//     requested (export.Service.Request, as the person: the archive is
//     theirs, downloaded from their Privacy page);
//   - erasure: the account's deletion is scheduled after the usual grace
//     period (the person can still cancel it), or with EraseNow the
//     account is erased at once.
//
// The action runs before the request is closed: if closing fails, running
// Fulfil again is safe (an active export is reused; a scheduled deletion is
// scheduled again; an erased account stays erased).
func (s *Service) Fulfil(ctx context.Context, actor audit.Actor, siteAdmin bool, id string, in FulfilInput) (Request, error) {
	if !siteAdmin {
		return Request{}, notFound()
	}
	v := apperr.Validator{}
	validate.LongText(v, "outcome", in.Outcome, maxOutcome)
	if err := v.Err(); err != nil {
		return Request{}, err
	}
	r, err := s.find(ctx, id)
	if err != nil {
		return Request{}, err
	}
	if err := fulfillable(r); err != nil {
		return Request{}, err
	}
	subject := *r.SubjectUserID
	// The account must still use the address the request was verified for:
	// an address can change hands.
	if cur, err := accountOf(ctx, s.DB, r.SubjectEmail); err != nil {
		return Request{}, err
	} else if cur == nil || *cur != subject {
		return Request{}, apperr.E(apperr.Conflict, "the account no longer uses %s; check who the person is again before fulfilling", r.SubjectEmail)
	}
	var done, label string
	switch {
	case r.Kind.Exports():
		if s.Exports == nil {
			return Request{}, errors.New("privreq: no export service wired")
		}
		// The export is the person's own: requested as them, so that only
		// they can download it; the note and the audit event say who asked.
		e, err := s.Exports.Request(ctx, audit.Actor{UserID: subject})
		if err != nil {
			return Request{}, err
		}
		done = "A data export (" + e.ID + ") of the person's account was requested from the privacy desk; " +
			"they download it from their Privacy page once it is ready (it is kept " + export.DefaultTTL.String() + " by default)."
		label = "export " + e.ID
	case r.Kind == Erasure && in.EraseNow:
		if err := s.Accounts.EraseNow(ctx, subject); err != nil {
			return Request{}, err
		}
		done, label = "The person's account was erased from the privacy desk.", "account erased"
	case r.Kind == Erasure:
		sch, err := s.Accounts.ScheduleDeletionFor(ctx, actor, subject, 0)
		if err != nil {
			return Request{}, err
		}
		done = "The erasure of the person's account was scheduled from the privacy desk for " + sch.ScheduledFor.Format("2006-01-02 15:04 MST") +
			"; until then they can cancel it."
		label = "deletion scheduled " + db.FormatTime(sch.ScheduledFor)
	}
	now := s.now()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := tx.Lock(ctx, "privreq:"+id); err != nil {
			return err
		}
		cur, err := findRequest(ctx, tx, id, now)
		if err != nil {
			return err
		}
		if cur.SubjectUserID == nil && in.EraseNow {
			cur.SubjectUserID = &subject // the erasure just unlinked it (privreq.EraseUser)
		}
		if err := fulfillable(cur); err != nil {
			return err
		}
		outcome := strings.TrimSpace(in.Outcome)
		if outcome == "" {
			outcome = done
		}
		if _, err := tx.Exec(ctx, `UPDATE privacy_requests SET outcome = ?, updated_at = ? WHERE id = ?`, outcome, now, id); err != nil {
			return err
		}
		cur.Outcome = outcome
		if err := s.note(ctx, tx, actor, now, id, done); err != nil {
			return err
		}
		if err := record(ctx, tx, actor, now, "fulfil", id, string(cur.Kind)+": "+label); err != nil {
			return err
		}
		return s.move(ctx, tx, actor, now, cur, Fulfilled, "status")
	})
	if err != nil {
		return Request{}, err
	}
	return s.find(ctx, id)
}

// fulfillable says why the desk cannot fulfil r now, if it cannot.
func fulfillable(r Request) error {
	conflict := func(msg string) error {
		return &apperr.Error{Code: apperr.Conflict, Message: msg, Fields: map[string]string{"status": "allowed from " + string(r.Status) + ": " + joinStatuses(Next(r.Status))}}
	}
	switch {
	case r.Closed():
		return readOnly(r)
	case !r.Kind.Fulfillable():
		return conflict("the desk fulfils access, portability, know and erasure requests; record what was done as the outcome and move the request to fulfilled")
	case r.SubjectUserID == nil:
		return conflict("no account uses the subject's e-mail address: there is nothing to export or erase here; record the outcome and close the request")
	case !r.Verified():
		return conflict("verify the person's identity before fulfilling the request")
	case r.Status != InProgress:
		return conflict("move the request to in_progress before fulfilling it")
	case r.VerifiedBy == ByAgentAuthorization && r.Authorization == nil:
		return conflict("upload the agent's written authorization first")
	}
	return nil
}
