// Package release owns a project's releases (identified by a SemVer
// version) and their lifecycle: planned → in_progress → in_review →
// released, with cancelled and rolled_back as ends that need a reason.
package release

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/jsonx"
	"shipshape/internal/project"
	"shipshape/internal/search"
	"shipshape/internal/validate"
)

// Status is where a release is in its lifecycle.
type Status string

const (
	Planned    Status = "planned"
	InProgress Status = "in_progress"
	InReview   Status = "in_review"
	Released   Status = "released"
	Cancelled  Status = "cancelled"
	RolledBack Status = "rolled_back"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{Planned, InProgress, InReview, Released, Cancelled, RolledBack}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, k := range Statuses {
		if s == k {
			return true
		}
	}
	return false
}

// next is the lifecycle: the statuses each status may move to, in the
// order error messages list them.
var next = map[Status][]Status{
	Planned:    {InProgress, Cancelled},
	InProgress: {InReview, Cancelled},
	InReview:   {Released, InProgress, Cancelled}, // in_progress: sent back
	Released:   {RolledBack},
	Cancelled:  nil,
	RolledBack: nil,
}

// Next lists the statuses a release in s may move to.
func Next(s Status) []Status { return next[s] }

// CanMove reports whether the lifecycle allows from → to.
func CanMove(from, to Status) bool {
	for _, n := range next[from] {
		if n == to {
			return true
		}
	}
	return false
}

// needsReason: moving to these statuses must say why.
func needsReason(to Status) bool { return to == Cancelled || to == RolledBack }

// open reports whether a release in s is still heading for a release, so
// that a passed target date makes it overdue.
func (s Status) open() bool { return s == Planned || s == InProgress || s == InReview }

// Release is one version of a project.
type Release struct {
	ID          string     `json:"id"`
	Version     string     `json:"version"`
	Name        string     `json:"name"`
	Description string     `json:"description"` // Markdown
	Status      Status     `json:"status"`
	TargetDate  *Date      `json:"target_date"`
	ReleasedAt  *time.Time `json:"released_at"`
	Owners      []Owner    `json:"owners"`
	CreatedBy   string     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	// Overdue: the target date has passed (by the service clock, UTC) and
	// the release is neither released nor cancelled nor rolled back.
	Overdue bool `json:"overdue"`
	// Evidence is the newest evidence snapshot (frozen when the release
	// moved to released), or null before that.
	Evidence *EvidenceRef `json:"evidence"`

	key       string // version_key
	projectID string
}

// Owner is one of a release's typed owners (internal/owner keeps them):
// a user or a team, and its role (accountable, technical, security,
// privacy).
type Owner struct {
	Kind string `json:"kind"` // user or team
	ID   string `json:"id"`
	Role string `json:"role"`
}

// Transition is one recorded status change.
type Transition struct {
	ID      string    `json:"id"`
	From    Status    `json:"from"`
	To      Status    `json:"to"`
	Reason  string    `json:"reason"`
	ActorID string    `json:"actor_id"`
	At      time.Time `json:"at"`
}

// Date is a calendar date, "YYYY-MM-DD" in JSON and in the database.
type Date string

const dateLayout = "2006-01-02"

func parseDate(s string) (Date, bool) {
	t, err := time.Parse(dateLayout, s)
	if err != nil || t.Format(dateLayout) != s {
		return "", false
	}
	return Date(s), true
}

// before reports whether d is a day before t's UTC date.
func (d Date) before(t time.Time) bool { return string(d) < t.UTC().Format(dateLayout) }

const (
	maxName        = 100
	maxDescription = 50000
	maxReason      = 500
)

// CreateInput makes a release.
type CreateInput struct {
	Version     string `json:"version"`
	Name        string `json:"name"`
	Description string `json:"description"`
	TargetDate  string `json:"target_date"` // YYYY-MM-DD, optional
}

func (in *CreateInput) validate() (Version, *Date, error) {
	in.Version = strings.TrimSpace(in.Version)
	in.Name = strings.TrimSpace(in.Name)
	v := apperr.Validator{}
	ver, err := ParseVersion(in.Version)
	if err != nil {
		v.Check(false, "version", err.Error())
	}
	validate.Text(v, "name", in.Name, 0, maxName)
	validate.LongText(v, "description", in.Description, maxDescription)
	td := checkDate(v, strings.TrimSpace(in.TargetDate))
	return ver, td, v.Err()
}

func checkDate(v apperr.Validator, s string) *Date {
	if s == "" {
		return nil
	}
	d, ok := parseDate(s)
	v.Check(ok, "target_date", "must be a date such as 2026-03-31")
	return &d
}

// Patch changes a release; absent fields are unchanged. target_date null
// or "" clears the date. The version and status are not edited here (the
// status moves through transitions).
type Patch struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
	TargetDate  *string `json:"target_date"`

	clearDate bool
}

// UnmarshalJSON tells "target_date": null (clear) from an absent field
// and rejects unknown fields like the rest of the API.
func (p *Patch) UnmarshalJSON(b []byte) error {
	type plain Patch
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode((*plain)(p)); err != nil {
		return err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if d, ok := raw["target_date"]; ok && string(bytes.TrimSpace(d)) == "null" {
		p.clearDate = true
	}
	return nil
}

func (p Patch) apply(r *Release) error {
	v := apperr.Validator{}
	if p.Name != nil {
		r.Name = strings.TrimSpace(*p.Name)
		validate.Text(v, "name", r.Name, 0, maxName)
	}
	if p.Description != nil {
		r.Description = *p.Description
		validate.LongText(v, "description", r.Description, maxDescription)
	}
	switch {
	case p.TargetDate != nil && strings.TrimSpace(*p.TargetDate) != "":
		r.TargetDate = checkDate(v, strings.TrimSpace(*p.TargetDate))
	case p.TargetDate != nil || p.clearDate:
		r.TargetDate = nil
	}
	return v.Err()
}

// TransitionInput moves a release to another status.
type TransitionInput struct {
	To     Status `json:"to"`
	Reason string `json:"reason"`
}

func (in *TransitionInput) validate() error {
	in.Reason = strings.TrimSpace(in.Reason)
	v := apperr.Validator{}
	v.Check(in.To != "", "to", "is required")
	v.Check(in.To.Valid(), "to", "must be one of planned, in_progress, in_review, released, cancelled, rolled_back")
	if needsReason(in.To) {
		v.Check(in.Reason != "", "reason", "is required when the release is "+string(in.To))
	}
	validate.LongText(v, "reason", in.Reason, maxReason)
	return v.Err()
}

// ListFilter narrows the release list.
type ListFilter struct {
	Status Status // "" for all
	Limit  int
	Cursor string // next_cursor of the previous page (a version key)
}

// Page is one page of releases, newest version first.
type Page struct {
	Items      []Release
	NextCursor string
}

func joinStatuses(ss []Status) string {
	if len(ss) == 0 {
		return "none"
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return strings.Join(out, ", ")
}

// AppendJSON encodes r like encoding/json would, without reflection: the
// release list is one of the API's hottest responses. TestReleaseJSONMatches
// keeps the two in step.
func (r Release) AppendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = jsonx.String(b, r.ID)
	b = append(b, `,"version":`...)
	b = jsonx.String(b, r.Version)
	b = append(b, `,"name":`...)
	b = jsonx.String(b, r.Name)
	b = append(b, `,"description":`...)
	b = jsonx.String(b, r.Description)
	b = append(b, `,"status":`...)
	b = jsonx.String(b, string(r.Status))
	b = append(b, `,"target_date":`...)
	if r.TargetDate == nil {
		b = append(b, "null"...)
	} else {
		b = jsonx.String(b, string(*r.TargetDate))
	}
	b = append(b, `,"released_at":`...)
	b = jsonx.NullTime(b, r.ReleasedAt)
	b = append(b, `,"owners":`...)
	if r.Owners == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, o := range r.Owners {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"kind":`...)
			b = jsonx.String(b, o.Kind)
			b = append(b, `,"id":`...)
			b = jsonx.String(b, o.ID)
			b = append(b, `,"role":`...)
			b = jsonx.String(b, o.Role)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"created_by":`...)
	b = jsonx.String(b, r.CreatedBy)
	b = append(b, `,"created_at":`...)
	b = jsonx.Time(b, r.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = jsonx.Time(b, r.UpdatedAt)
	b = append(b, `,"overdue":`...)
	b = jsonx.Bool(b, r.Overdue)
	b = append(b, `,"evidence":`...)
	if r.Evidence == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"sha256":`...)
		b = jsonx.String(b, r.Evidence.SHA256)
		b = append(b, `,"created_at":`...)
		b = jsonx.Time(b, r.Evidence.CreatedAt)
		b = append(b, '}')
	}
	return append(b, '}')
}

// searchEntry is the release's text for search: "PAY 1.4.0 Spring launch"
// as the title, so that a project key with a version finds it.
func (r Release) searchEntry(wsID string, p project.Project) search.Entry {
	title := p.Key + " " + r.Version
	if r.Name != "" {
		title += " " + r.Name
	}
	return search.Entry{WorkspaceID: wsID, ProjectID: p.ID, Kind: search.Release, ObjectID: r.ID, Title: title, Body: r.Description}
}
