// Package doc keeps a workspace's documents — design documents, PRDs, RFCs,
// threat models, security requirements, runbooks — as a numbered series of
// versions (1, 2, 3…). Editing the title or body adds a version; deleting a
// document is a hard delete of the document and every version, and the
// audit trail keeps only its id, type and a SHA-256 of its title.
//
// Visibility:
//   - workspace: every member of the workspace;
//   - project: for now every member of the workspace too — Shipshape has no
//     project memberships yet; when it does, this narrows to them;
//   - owners: the document's owners (internal/owner: members, or members of
//     an owning team), its creator, and the workspace's admins and owners.
//
// The rule lives once, in Visible (SQL), which lists, reads, ownership and
// search all apply.
//
// Someone who may not see a document gets not_found on every path and never
// finds it in a list.
package doc

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/search"
	"shipshape/internal/validate"
)

// Type is the kind of document.
type Type string

const (
	Design               Type = "design"
	PRD                  Type = "prd"
	RFC                  Type = "rfc"
	ThreatModel          Type = "threat_model"
	SecurityRequirements Type = "security_requirements"
	Runbook              Type = "runbook"
	Other                Type = "other"
)

const typeList = "design, prd, rfc, threat_model, security_requirements, runbook, other"

// Valid reports whether t is a known type.
func (t Type) Valid() bool {
	switch t {
	case Design, PRD, RFC, ThreatModel, SecurityRequirements, Runbook, Other:
		return true
	}
	return false
}

// Visibility says who may see a document.
type Visibility string

const (
	VisWorkspace Visibility = "workspace"
	VisProject   Visibility = "project"
	VisOwners    Visibility = "owners"
)

const visibilityList = "workspace, project, owners"

// Valid reports whether v is a known visibility.
func (v Visibility) Valid() bool { return v == VisWorkspace || v == VisProject || v == VisOwners }

const (
	maxTitle = 200
	maxBody  = 200_000 // characters of Markdown
)

// Summary is a document without its body (list items).
type Summary struct {
	ID         string     `json:"id"`
	Type       Type       `json:"type"`
	Title      string     `json:"title"`
	Visibility Visibility `json:"visibility"`
	Project    *string    `json:"project"` // project key, or null
	Release    *string    `json:"release"` // release version, or null
	Version    int        `json:"version"` // the current version number
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedBy  string     `json:"updated_by"` // who made the last change of any kind
	UpdatedAt  time.Time  `json:"updated_at"`

	projectID string
	releaseID string
}

// Document is a document with the body of its current version.
type Document struct {
	Summary
	Body string `json:"body"` // Markdown
}

// VersionSummary is one version without its body.
type VersionSummary struct {
	Version   int       `json:"version"`
	Title     string    `json:"title"`
	AuthorID  string    `json:"author_id"`
	CreatedAt time.Time `json:"created_at"`
}

// Version is one version with its body.
type Version struct {
	VersionSummary
	Body string `json:"body"`
}

// Page is one page of a document list.
type Page struct {
	Items      []Summary
	NextCursor string
}

// ListFilter narrows a list.
type ListFilter struct {
	Type    Type
	Project string // project key
	Release string // release version; needs Project
	Limit   int
	Cursor  string
}

// CreateInput makes a document.
type CreateInput struct {
	Title      string     `json:"title"`
	Type       Type       `json:"type"`
	Body       string     `json:"body"`
	Project    string     `json:"project,omitempty"` // project key
	Release    string     `json:"release,omitempty"` // release version; needs project
	Visibility Visibility `json:"visibility"`
}

func (in *CreateInput) validate() error {
	in.Title = strings.TrimSpace(in.Title)
	in.Project = strings.TrimSpace(in.Project)
	in.Release = strings.TrimSpace(in.Release)
	v := apperr.Validator{}
	validate.Text(v, "title", in.Title, 1, maxTitle)
	v.Check(in.Type.Valid(), "type", "must be one of "+typeList)
	v.Check(in.Visibility.Valid(), "visibility", "must be one of "+visibilityList)
	validate.LongText(v, "body", in.Body, maxBody)
	v.Check(in.Release == "" || in.Project != "", "release", "needs a project")
	v.Check(in.Visibility != VisProject || in.Project != "", "visibility", "project visibility needs a project")
	return v.Err()
}

// Patch edits a document; absent fields are unchanged. A changed title or
// body makes a new version.
//
// BaseVersion is the version the editor started from. When it is set and
// the document has moved on since, the edit is refused (conflict) instead
// of silently overwriting someone else's text.
type Patch struct {
	Title       *string     `json:"title,omitempty"`
	Body        *string     `json:"body,omitempty"`
	Visibility  *Visibility `json:"visibility,omitempty"`
	Type        *Type       `json:"type,omitempty"`
	BaseVersion *int        `json:"base_version,omitempty"`
}

func (p *Patch) validate() error {
	v := apperr.Validator{}
	if p.Title != nil {
		t := strings.TrimSpace(*p.Title)
		p.Title = &t
		validate.Text(v, "title", t, 1, maxTitle)
	}
	if p.Body != nil {
		validate.LongText(v, "body", *p.Body, maxBody)
	}
	if p.Type != nil {
		v.Check(p.Type.Valid(), "type", "must be one of "+typeList)
	}
	if p.Visibility != nil {
		v.Check(p.Visibility.Valid(), "visibility", "must be one of "+visibilityList)
	}
	if p.BaseVersion != nil {
		v.Check(*p.BaseVersion >= 1, "base_version", "must be a version number (1 or more)")
	}
	return v.Err()
}

// searchEntry is the document's text for search: its latest version.
func (d Document) searchEntry(wsID string) search.Entry {
	return search.Entry{WorkspaceID: wsID, ProjectID: d.projectID, Kind: search.Document, ObjectID: d.ID, Title: d.Title, Body: d.Body}
}

// auditLabel names a document in the audit trail without its title: the
// trail outlives a hard delete, so it keeps only the type and a SHA-256 of
// the title (enough to confirm a known title, not to read it).
func auditLabel(t Type, title string) string {
	sum := sha256.Sum256([]byte(title))
	return string(t) + " sha256:" + hex.EncodeToString(sum[:])
}
