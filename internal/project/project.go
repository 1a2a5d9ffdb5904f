// Package project owns projects (key like PAY) and their components.
package project

import (
	"regexp"
	"strings"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/jsonx"
	"shipshape/internal/search"
	"shipshape/internal/validate"
)

// Project is a product or service a team ships.
type Project struct {
	ID          string     `json:"id"`
	Key         string     `json:"key"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Archived    bool       `json:"archived"`
	ArchivedAt  *time.Time `json:"archived_at"`
	CreatedBy   string     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	Components  int        `json:"component_count"`
}

// Component is a part of a project.
type Component struct {
	ID          string    `json:"id"`
	Slug        string    `json:"slug"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

const maxDescription = 20000

var keyRE = regexp.MustCompile(`^[A-Z][A-Z0-9]{1,9}$`)

// CreateInput makes a project.
type CreateInput struct {
	Key         string `json:"key"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

func (in *CreateInput) validate() error {
	in.Key = strings.TrimSpace(in.Key)
	in.Name = strings.TrimSpace(in.Name)
	v := apperr.Validator{}
	v.Check(in.Key != "", "key", "is required")
	v.Check(keyRE.MatchString(in.Key), "key", "must be 2 to 10 upper-case letters or digits, starting with a letter (e.g. PAY)")
	validate.Text(v, "name", in.Name, 1, 100)
	validate.LongText(v, "description", in.Description, maxDescription)
	return v.Err()
}

// Patch changes a project; nil fields are unchanged.
type Patch struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
	Archived    *bool   `json:"archived"`
}

func (p Patch) apply(pr *Project) error {
	v := apperr.Validator{}
	if p.Name != nil {
		pr.Name = strings.TrimSpace(*p.Name)
		validate.Text(v, "name", pr.Name, 1, 100)
	}
	if p.Description != nil {
		pr.Description = *p.Description
		validate.LongText(v, "description", pr.Description, maxDescription)
	}
	return v.Err()
}

// ComponentInput makes a component.
type ComponentInput struct {
	Slug        string `json:"slug"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

func (in *ComponentInput) validate() error {
	in.Slug = strings.TrimSpace(in.Slug)
	in.Name = strings.TrimSpace(in.Name)
	v := apperr.Validator{}
	validate.Slug(v, "slug", in.Slug, 1, 40)
	validate.Text(v, "name", in.Name, 1, 100)
	validate.LongText(v, "description", in.Description, maxDescription)
	return v.Err()
}

// ComponentPatch changes a component.
type ComponentPatch struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
}

func (p ComponentPatch) apply(c *Component) error {
	v := apperr.Validator{}
	if p.Name != nil {
		c.Name = strings.TrimSpace(*p.Name)
		validate.Text(v, "name", c.Name, 1, 100)
	}
	if p.Description != nil {
		c.Description = *p.Description
		validate.LongText(v, "description", c.Description, maxDescription)
	}
	return v.Err()
}

// ListFilter narrows the project list.
type ListFilter struct {
	IncludeArchived bool
	Limit           int
	Cursor          string // the last key of the previous page
}

// Page is one page of projects ordered by key.
type Page struct {
	Items      []Project
	NextCursor string
}

// AppendJSON encodes p like encoding/json would, without reflection: the
// project list is the API's hottest response. TestProjectJSONMatches keeps
// the two in step.
func (p Project) AppendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = jsonx.String(b, p.ID)
	b = append(b, `,"key":`...)
	b = jsonx.String(b, p.Key)
	b = append(b, `,"name":`...)
	b = jsonx.String(b, p.Name)
	b = append(b, `,"description":`...)
	b = jsonx.String(b, p.Description)
	b = append(b, `,"archived":`...)
	b = jsonx.Bool(b, p.Archived)
	b = append(b, `,"archived_at":`...)
	b = jsonx.NullTime(b, p.ArchivedAt)
	b = append(b, `,"created_by":`...)
	b = jsonx.String(b, p.CreatedBy)
	b = append(b, `,"created_at":`...)
	b = jsonx.Time(b, p.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = jsonx.Time(b, p.UpdatedAt)
	b = append(b, `,"component_count":`...)
	b = jsonx.Int(b, p.Components)
	return append(b, '}')
}

// searchEntry is the project's text for search; the key is in the title so
// that "PAY" finds it.
func (p Project) searchEntry(wsID string) search.Entry {
	return search.Entry{WorkspaceID: wsID, ProjectID: p.ID, Kind: search.Project, ObjectID: p.ID, Title: p.Key + " " + p.Name, Body: p.Description}
}
