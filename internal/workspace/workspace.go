// Package workspace owns workspaces (a workspace is a customer), their
// members and roles, invitations and teams. Access is the gate every other
// domain passes through: a non-member gets "not found".
package workspace

import (
	"strings"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/perm"
	"shipshape/internal/validate"
)

// Workspace is a customer's space.
type Workspace struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	Role      perm.Role `json:"role,omitempty"` // the caller's role
}

// Access is a resolved membership: the workspace and the caller's role.
type Access struct {
	WorkspaceID string
	Slug        string
	Name        string
	Role        perm.Role
	UserID      string
	// DataVersion changes with every change to the workspace's projects and
	// components (see BumpDataVersion); caches of that data compare it.
	DataVersion int64
	// Support is set when the caller is a site admin who is not a member
	// but reaches the workspace through an active support grant
	// (SupportGrantID); Role is then the grant's (viewer or member).
	Support        bool
	SupportGrantID string
}

// Can reports whether the caller may perform action.
func (a Access) Can(action perm.Action) bool { return perm.Can(a.Role, action) }

// Require returns a Forbidden error unless the caller may perform action.
func (a Access) Require(action perm.Action) error {
	if a.Can(action) {
		return nil
	}
	return apperr.E(apperr.Forbidden, "your role (%s) does not allow this", a.Role)
}

// GrantableRoles lists the roles the caller may give: owners any, admins
// every role but owner, others none.
func (a Access) GrantableRoles() []perm.Role {
	switch {
	case !a.Can(perm.ManageMembers):
		return nil
	case a.Role == perm.Owner:
		return perm.Roles
	}
	return []perm.Role{perm.Admin, perm.Member, perm.Viewer}
}

// mayTouch reports whether the caller may change or remove a member whose
// role is from, giving them role to (to == "" for a removal): only owners
// touch the owner role.
func (a Access) mayTouch(from, to perm.Role) bool {
	return a.Can(perm.ManageMembers) && (a.Role == perm.Owner || from != perm.Owner && to != perm.Owner)
}

// CanManage reports whether the caller may change the role of or remove
// member m (people leave through RemoveMember of themselves instead).
func (a Access) CanManage(m Member) bool {
	return m.UserID != a.UserID && a.mayTouch(m.Role, "")
}

// CreateInput makes a workspace.
type CreateInput struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

func (in *CreateInput) validate() error {
	in.Slug = strings.TrimSpace(in.Slug)
	in.Name = strings.TrimSpace(in.Name)
	v := apperr.Validator{}
	validate.Slug(v, "slug", in.Slug, 2, 40)
	validate.Text(v, "name", in.Name, 1, 100)
	return v.Err()
}

// Member is a person in a workspace. Email is empty unless the caller may
// see e-mail addresses.
type Member struct {
	UserID   string    `json:"user_id"`
	Name     string    `json:"name"`
	Email    string    `json:"email,omitempty"`
	Role     perm.Role `json:"role"`
	JoinedAt time.Time `json:"joined_at"`
}

// Invitation to join a workspace with a role.
type Invitation struct {
	ID         string     `json:"id"`
	Email      string     `json:"email"`
	Role       perm.Role  `json:"role"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	AcceptedAt *time.Time `json:"accepted_at,omitempty"`
	Token      string     `json:"token,omitempty"` // only when just created
}

// InvitationInfo is what the accept page shows about a token.
type InvitationInfo struct {
	WorkspaceName string
	WorkspaceSlug string
	Email         string
	Role          perm.Role
	ExpiresAt     time.Time
}

// Team is a named group of members.
type Team struct {
	ID        string       `json:"id"`
	Slug      string       `json:"slug"`
	Name      string       `json:"name"`
	CreatedAt time.Time    `json:"created_at"`
	Members   []TeamMember `json:"members"`
}

// TeamMember is a member of a team.
type TeamMember struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
}

// TeamInput creates a team.
type TeamInput struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

func (in *TeamInput) validate() error {
	in.Slug = strings.TrimSpace(in.Slug)
	in.Name = strings.TrimSpace(in.Name)
	v := apperr.Validator{}
	validate.Slug(v, "slug", in.Slug, 1, 40)
	validate.Text(v, "name", in.Name, 1, 100)
	return v.Err()
}
