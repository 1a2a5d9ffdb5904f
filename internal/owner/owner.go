// Package owner keeps typed owners of a workspace's projects, components,
// releases and documents: who is accountable, and who the technical, security and
// privacy contacts are. An owner is a workspace member (by user id) or a
// team of the workspace.
//
// Owner rows refer to their target and owner by id without foreign keys:
//   - a member who leaves the workspace (or a deleted team) keeps their rows;
//     the ownership map reports them as gaps until someone transfers or
//     replaces them (offboarding never makes ownership vanish silently);
//   - rows whose target was deleted are ignored when read (every read joins
//     the live targets), so deleting a project, component or release needs
//     no hook here. A periodic cleanup may delete such rows later. (A
//     document's hard delete removes its rows at once: nothing of it stays.)
//
// Documents are targets only for those who may see them (doc.Visible,
// passed in as Service.Documents), and their owners are who may see an
// owners-only document. Unlike projects, components and releases, a
// document without an accountable owner is not listed as unowned: its
// creator answers for it, and a workspace's documents would drown the
// map's real gaps.
package owner

import (
	"fmt"
	"strings"

	"shipshape/internal/apperr"
)

// TargetType is what can have owners.
type TargetType string

const (
	Project   TargetType = "project"
	Component TargetType = "component"
	Release   TargetType = "release"
	Document  TargetType = "document"
)

// targetTypes in display order. Requirements come later.
var targetTypes = []TargetType{Project, Component, Release, Document}

// Valid reports whether t can have owners today.
func (t TargetType) Valid() bool {
	switch t {
	case Project, Component, Release, Document:
		return true
	}
	return false
}

func (t TargetType) order() int {
	for i, x := range targetTypes {
		if x == t {
			return i
		}
	}
	return len(targetTypes)
}

// Role is the kind of responsibility an owner has.
type Role string

const (
	Accountable Role = "accountable"
	Technical   Role = "technical"
	Security    Role = "security"
	Privacy     Role = "privacy"
)

var roles = []Role{Accountable, Technical, Security, Privacy}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case Accountable, Technical, Security, Privacy:
		return true
	}
	return false
}

func (r Role) order() int {
	for i, x := range roles {
		if x == r {
			return i
		}
	}
	return len(roles)
}

// Kind says whether an owner is a person or a team.
type Kind string

const (
	User Kind = "user"
	Team Kind = "team"
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == User || k == Team }

// Gap problems.
const (
	OwnerLeft   = "owner left the workspace"
	TeamDeleted = "team deleted"
)

// TargetRef names a target in a request.
type TargetRef struct {
	Type TargetType `json:"type"`
	ID   string     `json:"id"`
}

// Target is a resolved target.
type Target struct {
	Type  TargetType `json:"type"`
	ID    string     `json:"id"`
	Label string     `json:"label"` // PAY, PAY/api, PAY 1.2.0 or a document's title
}

// OwnerRef names an owner: a member's user id or a team id.
type OwnerRef struct {
	Kind Kind   `json:"kind"`
	ID   string `json:"id"`
}

// Assignment is one owner in a request.
type Assignment struct {
	Kind Kind   `json:"kind"`
	ID   string `json:"id"`
	Role Role   `json:"role"`
}

// Owner is an owner as read, with the name resolved at read time (empty
// when the user or team no longer exists).
type Owner struct {
	Kind Kind   `json:"kind"`
	ID   string `json:"id"`
	Name string `json:"name"`
	Role Role   `json:"role"`
}

// TargetOwners is a target with its owners.
type TargetOwners struct {
	Target Target  `json:"target"`
	Owners []Owner `json:"owners"`
}

// Gap is an ownership that no longer works: the owner left or the team
// was deleted.
type Gap struct {
	Target  Target `json:"target"`
	Owner   Owner  `json:"owner"`
	Problem string `json:"problem"`
}

// Map is the workspace's ownership map.
type Map struct {
	Items []TargetOwners `json:"items"`
	// Unowned lists targets without a working accountable owner (empty
	// when the map is filtered by owner).
	Unowned []Target `json:"unowned"`
	Gaps    []Gap    `json:"gaps"`
}

// SetInput replaces the owners of one target.
type SetInput struct {
	Target TargetRef    `json:"target"`
	Owners []Assignment `json:"owners"`
}

// TransferInput moves every ownership of one person to another member or
// a team.
type TransferInput struct {
	FromUser string   `json:"from_user"`
	To       OwnerRef `json:"to"`
}

// TransferResult says how many ownerships moved.
type TransferResult struct {
	Moved int `json:"moved"`
}

// Policy is the workspace's ownership policy.
type Policy struct {
	RequireAccountable bool `json:"require_accountable"`
}

// MaxOwners bounds the owners of one target.
const MaxOwners = 50

const maxID = 100

// validID accepts what an id can be: printable ASCII without spaces (so
// that nothing a database cannot hold, such as NUL, reaches a query).
func validID(id string) bool {
	if id == "" || len(id) > maxID {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] >= 0x7f {
			return false
		}
	}
	return true
}

func (in *SetInput) validate() error {
	v := apperr.Validator{}
	in.Target.ID = strings.TrimSpace(in.Target.ID)
	v.Check(in.Target.Type.Valid(), "target.type", "must be project, component, release or document (requirement owners are not available yet)")
	v.Check(validID(in.Target.ID), "target.id", "must be the id of the target")
	v.Check(len(in.Owners) <= MaxOwners, "owners", fmt.Sprintf("may list at most %d owners", MaxOwners))
	seen := map[Assignment]int{}
	for i := range in.Owners {
		o := &in.Owners[i]
		o.ID = strings.TrimSpace(o.ID)
		f := fmt.Sprintf("owners[%d].", i)
		v.Check(o.Kind.Valid(), f+"kind", "must be user or team")
		v.Check(o.Role.Valid(), f+"role", "must be accountable, technical, security or privacy")
		v.Check(validID(o.ID), f+"id", "must be a member's user id or a team id")
		if j, ok := seen[*o]; ok {
			v.Check(false, f+"id", fmt.Sprintf("repeats owners[%d]", j))
		} else {
			seen[*o] = i
		}
	}
	return v.Err()
}

func (in *TransferInput) validate() error {
	v := apperr.Validator{}
	in.FromUser = strings.TrimSpace(in.FromUser)
	in.To.ID = strings.TrimSpace(in.To.ID)
	v.Check(validID(in.FromUser), "from_user", "must be a user id")
	v.Check(in.To.Kind.Valid(), "to.kind", "must be user or team")
	v.Check(validID(in.To.ID), "to.id", "must be a member's user id or a team id")
	v.Check(!(in.To.Kind == User && in.To.ID == in.FromUser), "to.id", "must differ from from_user")
	return v.Err()
}
