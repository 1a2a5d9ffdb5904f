// Package privreq is the privacy-request desk: the requests people make
// about their personal data — GDPR access, rectification, erasure,
// restriction, objection and portability, and the CCPA right to know —
// recorded and handled by site admins.
//
// A request names its subject by e-mail address (matched to an account when
// one uses it), says how it came in (source) and how the person's identity
// is verified:
//
//   - account: the address belongs to an account, and the admin confirms
//     it through that account;
//   - email_link: the desk makes a one-time confirmation link (a random
//     token stored hashed, valid 7 days) that the admin sends by hand —
//     Shipshape has no e-mail delivery yet — and the person opens
//     /privacy/confirm/{token} and confirms;
//   - agent_authorization: an authorized agent's written authorization is
//     uploaded to the desk (file storage) before the request can move past
//     verifying.
//
// Each request has a due date: 30 days for GDPR requests, 45 days for the
// CCPA right to know, and one business day for an erasure that came from
// the support tracker. It moves through a lifecycle with guarded
// transitions (received → verifying → in_progress → fulfilled; rejected or
// withdrawn before that); a closed request is read-only. Access,
// portability, know and erasure requests of a matched account can be
// fulfilled from the desk with the self-service machinery: a data export
// for the person, or the scheduled (or immediate) erasure of their account.
//
// Every step is recorded in the site audit trail, labelled with the
// request's kind and status, never with the subject's address; the
// request's history on the desk is read from those events.
package privreq

import (
	"slices"
	"strings"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/validate"
)

// Kind is what the person asks for.
type Kind string

const (
	Access        Kind = "access"
	Rectification Kind = "rectification"
	Erasure       Kind = "erasure"
	Restriction   Kind = "restriction"
	Objection     Kind = "objection"
	Portability   Kind = "portability"
	Know          Kind = "know" // CCPA right to know
)

// Kinds lists every kind, in the order forms show them.
var Kinds = []Kind{Access, Rectification, Erasure, Restriction, Objection, Portability, Know}

// Label is the kind for people.
func (k Kind) Label() string {
	switch k {
	case Access:
		return "Access"
	case Rectification:
		return "Rectification"
	case Erasure:
		return "Erasure"
	case Restriction:
		return "Restriction of processing"
	case Objection:
		return "Objection"
	case Portability:
		return "Portability"
	case Know:
		return "Right to know (CCPA)"
	}
	return string(k)
}

// Exports reports whether the desk fulfils the kind with a data export.
func (k Kind) Exports() bool { return k == Access || k == Portability || k == Know }

// Fulfillable reports whether the desk can fulfil the kind itself.
func (k Kind) Fulfillable() bool { return k.Exports() || k == Erasure }

// Source is how the request came in.
type Source string

const (
	SelfService    Source = "self-service"
	EmailSource    Source = "email"
	Agent          Source = "agent"
	SupportTracker Source = "support-tracker"
)

// Sources lists every source.
var Sources = []Source{EmailSource, SelfService, Agent, SupportTracker}

// Verification is how the subject's identity is (to be) verified.
type Verification string

const (
	ByAccount            Verification = "account"
	ByEmailLink          Verification = "email_link"
	ByAgentAuthorization Verification = "agent_authorization"
	NotYet               Verification = "none" // no method chosen yet
)

// Verifications lists every method.
var Verifications = []Verification{NotYet, ByAccount, ByEmailLink, ByAgentAuthorization}

// Status is where a request is in its lifecycle.
type Status string

const (
	Received   Status = "received"
	Verifying  Status = "verifying"
	InProgress Status = "in_progress"
	Fulfilled  Status = "fulfilled"
	Rejected   Status = "rejected"
	Withdrawn  Status = "withdrawn"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{Received, Verifying, InProgress, Fulfilled, Rejected, Withdrawn}

// Closed reports whether a request in s is finished (read-only).
func (s Status) Closed() bool { return s == Fulfilled || s == Rejected || s == Withdrawn }

// next is the lifecycle: the statuses each status may move to, in the order
// error messages list them.
var next = map[Status][]Status{
	Received:   {Verifying, InProgress, Rejected, Withdrawn},
	Verifying:  {InProgress, Rejected, Withdrawn},
	InProgress: {Fulfilled, Rejected, Withdrawn},
	Fulfilled:  nil,
	Rejected:   nil,
	Withdrawn:  nil,
}

// Next lists the statuses a request in s may move to.
func Next(s Status) []Status { return next[s] }

// CanMove reports whether the lifecycle allows from → to.
func CanMove(from, to Status) bool { return slices.Contains(next[from], to) }

// needsOutcome: moving to these statuses must say what was done or why not.
func needsOutcome(to Status) bool { return to == Fulfilled || to == Rejected }

// Due periods.
const (
	GDPRPeriod = 30 * 24 * time.Hour // GDPR Art. 12(3): one month
	CCPAPeriod = 45 * 24 * time.Hour // CCPA §1798.130: 45 days
	// LinkTTL is how long an e-mail confirmation link can be used.
	LinkTTL = 7 * 24 * time.Hour
)

// DueAt is when a request of kind from source, received at created, must
// be answered: one business day for an erasure from the support tracker,
// 45 days for the CCPA right to know, 30 days for the GDPR rights.
func DueAt(kind Kind, source Source, created time.Time) time.Time {
	switch {
	case kind == Erasure && source == SupportTracker:
		return addBusinessDays(created, 1)
	case kind == Know:
		return created.Add(CCPAPeriod)
	}
	return created.Add(GDPRPeriod)
}

// addBusinessDays adds n working days (Monday to Friday) to t, keeping the
// time of day: Friday 10:00 + 1 is Monday 10:00, and so is Saturday 10:00 + 1.
func addBusinessDays(t time.Time, n int) time.Time {
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return t
}

// Authorization is an authorized agent's written authorization, uploaded to
// the desk. Its bytes are in file storage; the name only in the database.
type Authorization struct {
	Name        string    `json:"name"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	ContentType string    `json:"content_type"`
	UploadedBy  string    `json:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at"`

	blobKey string
}

// Request is one privacy request.
type Request struct {
	ID            string       `json:"id"`
	Kind          Kind         `json:"kind"`
	SubjectEmail  string       `json:"subject_email"`
	SubjectUserID *string      `json:"subject_user_id"` // the account using the address, if any
	Source        Source       `json:"source"`
	VerifiedBy    Verification `json:"verified_by"` // the method; verified once verified_at is set
	VerifiedAt    *time.Time   `json:"verified_at"`
	Status        Status       `json:"status"`
	AssigneeID    *string      `json:"assignee_id"`
	AssigneeName  string       `json:"assignee_name,omitempty"`
	DueAt         time.Time    `json:"due_at"`
	Outcome       string       `json:"outcome"`
	CreatedBy     string       `json:"created_by"`
	CreatedAt     time.Time    `json:"created_at"`
	UpdatedAt     time.Time    `json:"updated_at"`
	ClosedAt      *time.Time   `json:"closed_at"`
	// Overdue: not closed and past its due date.
	Overdue bool `json:"overdue"`
	// Next lists the statuses the request may move to.
	Next []Status `json:"next"`
	// LinkExpiresAt is set while an e-mail confirmation link is unused.
	LinkExpiresAt *time.Time     `json:"confirmation_link_expires_at"`
	Authorization *Authorization `json:"authorization"`
}

// Verified reports whether the subject's identity was verified.
func (r Request) Verified() bool { return r.VerifiedAt != nil }

// Closed reports whether the request is finished (read-only).
func (r Request) Closed() bool { return r.Status.Closed() }

// CanFulfil reports whether the desk can fulfil the request now.
func (r Request) CanFulfil() bool {
	return r.Status == InProgress && r.Kind.Fulfillable() && r.SubjectUserID != nil && r.Verified()
}

// label is how the audit trail names a request: its kind and status, never
// the subject's address (the target id is the request's id).
func (r Request) label() string { return string(r.Kind) + " " + string(r.Status) }

// Note is an admin's note on a request.
type Note struct {
	ID         string    `json:"id"`
	AuthorID   string    `json:"author_id"`
	AuthorName string    `json:"author_name"`
	Body       string    `json:"body"`
	CreatedAt  time.Time `json:"created_at"`
}

// Event is one step of a request's history, read from the audit trail.
type Event struct {
	Action    string    `json:"action"`
	ActorID   string    `json:"actor_id,omitempty"`
	ActorName string    `json:"actor_name,omitempty"`
	Label     string    `json:"label"`
	At        time.Time `json:"at"`
}

// Detail is a request with its notes and its history, oldest first.
type Detail struct {
	Request
	Notes   []Note  `json:"notes"`
	History []Event `json:"history"`
}

// Link is a new e-mail confirmation link's token; the desk shows the link
// once (only its hash is stored).
type Link struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Confirmation is what the public confirmation page shows about a request:
// its kind and when it was made, nothing about the person.
type Confirmation struct {
	Kind      Kind      `json:"kind"`
	CreatedAt time.Time `json:"created_at"`
	Verified  bool      `json:"verified"`
}

// Filter selects requests for the list: a status, or "open" (not closed),
// "overdue" (open and past due), "closed"; "" is every request.
type Filter struct {
	Status string
}

// Views are the filters that are not a status.
var Views = []string{"open", "overdue", "closed"}

func (f Filter) validate() error {
	if f.Status == "" || slices.Contains(Views, f.Status) || slices.Contains(Statuses, Status(f.Status)) {
		return nil
	}
	return apperr.Fields(map[string]string{"status": "must be open, overdue, closed or a status: " + joinStatuses(Statuses)})
}

// CreateInput records a new request.
type CreateInput struct {
	Kind         Kind         `json:"kind"`
	SubjectEmail string       `json:"subject_email"`
	Source       Source       `json:"source"`      // "" is email
	VerifiedBy   Verification `json:"verified_by"` // the planned method; "" is none (agent requests: agent_authorization)
	DueAt        *time.Time   `json:"due_at"`      // nil: the period of the kind and source
	AssigneeID   string       `json:"assignee_id"`
	Note         string       `json:"note"`
}

const (
	maxNote    = 10000
	maxOutcome = 10000
)

func (in *CreateInput) validate(now time.Time) error {
	in.SubjectEmail = strings.TrimSpace(in.SubjectEmail)
	if in.Source == "" {
		in.Source = EmailSource
	}
	if in.VerifiedBy == "" {
		in.VerifiedBy = NotYet
		if in.Source == Agent {
			in.VerifiedBy = ByAgentAuthorization
		}
	}
	v := apperr.Validator{}
	v.Check(slices.Contains(Kinds, in.Kind), "kind", "must be one of "+joinKinds())
	validate.Email(v, "subject_email", in.SubjectEmail)
	v.Check(slices.Contains(Sources, in.Source), "source", "must be self-service, email, agent or support-tracker")
	v.Check(slices.Contains(Verifications, in.VerifiedBy), "verified_by", "must be none, account, email_link or agent_authorization")
	if in.DueAt != nil {
		v.Check(in.DueAt.After(now), "due_at", "must be in the future")
	}
	validate.LongText(v, "note", in.Note, maxNote)
	return v.Err()
}

// Patch changes a request; fields left out stay as they are. The changes
// apply in this order, each recorded on its own: verification, assignee,
// due date, outcome, note, status — so one patch can verify, write the
// outcome and close.
type Patch struct {
	// VerifiedBy marks the identity verified: account (the address belongs
	// to an account) or agent_authorization (after the upload). email_link
	// verification happens only through the link.
	VerifiedBy *Verification `json:"verified_by"`
	AssigneeID *string       `json:"assignee_id"` // "" unassigns
	DueAt      *time.Time    `json:"due_at"`
	Outcome    *string       `json:"outcome"`
	Note       string        `json:"note"`
	Status     *Status       `json:"status"`
}

func (p *Patch) validate() error {
	v := apperr.Validator{}
	if p.VerifiedBy != nil {
		v.Check(*p.VerifiedBy == ByAccount || *p.VerifiedBy == ByAgentAuthorization, "verified_by",
			"must be account or agent_authorization (email_link is confirmed by the person through the link)")
	}
	if p.Outcome != nil {
		validate.LongText(v, "outcome", *p.Outcome, maxOutcome)
	}
	validate.LongText(v, "note", p.Note, maxNote)
	if p.Status != nil {
		v.Check(slices.Contains(Statuses, *p.Status), "status", "must be one of "+joinStatuses(Statuses))
	}
	if p.VerifiedBy == nil && p.AssigneeID == nil && p.DueAt == nil && p.Outcome == nil && strings.TrimSpace(p.Note) == "" && p.Status == nil {
		v.Check(false, "status", "send at least one of verified_by, assignee_id, due_at, outcome, note, status")
	}
	return v.Err()
}

// FulfilInput fulfils an access, portability, know or erasure request
// from the desk.
type FulfilInput struct {
	// EraseNow erases the account at once instead of scheduling the
	// erasure after the grace period (during which the person can cancel).
	EraseNow bool   `json:"erase_now"`
	Outcome  string `json:"outcome"` // "": what the desk did
}

func joinKinds() string {
	var s []string
	for _, k := range Kinds {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}

func joinStatuses(st []Status) string {
	if len(st) == 0 {
		return "none (the request is closed)"
	}
	var s []string
	for _, x := range st {
		s = append(s, string(x))
	}
	return strings.Join(s, ", ")
}
