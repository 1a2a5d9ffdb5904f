// Package perm is the written permission table: which workspace role may do
// what. Services enforce it; docs/PERMISSIONS.md is generated from Table.
package perm

import "strings"

// Role is a workspace role, ordered from most to least powerful.
type Role string

const (
	Owner  Role = "owner"
	Admin  Role = "admin"
	Member Role = "member"
	Viewer Role = "viewer"
)

// Roles in descending order of power.
var Roles = []Role{Owner, Admin, Member, Viewer}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case Owner, Admin, Member, Viewer:
		return true
	}
	return false
}

// rank: higher is more powerful.
func (r Role) rank() int {
	switch r {
	case Owner:
		return 4
	case Admin:
		return 3
	case Member:
		return 2
	case Viewer:
		return 1
	}
	return 0
}

// AtLeast reports whether r is as powerful as min.
func (r Role) AtLeast(min Role) bool { return r.rank() >= min.rank() }

// Action is something a member may do in a workspace.
type Action string

const (
	ViewWorkspace    Action = "workspace.view"
	UpdateWorkspace  Action = "workspace.update"
	ViewMemberEmails Action = "members.view_email"
	ManageMembers    Action = "members.manage"
	ManageTeams      Action = "teams.manage"
	CreateProject    Action = "project.create"
	EditProject      Action = "project.edit"
	ArchiveProject   Action = "project.archive"
	DeleteProject    Action = "project.delete"
	CreateRelease    Action = "release.create"
	EditRelease      Action = "release.edit"
	MoveRelease      Action = "release.transition"
	ManageFiles      Action = "release.files"
	DeleteRelease    Action = "release.delete"
	ViewAudit        Action = "audit.view"
	ViewAuditDetails Action = "audit.view_details" // client IP and user agent
	VerifyAudit      Action = "audit.verify"
	AssignOwners     Action = "ownership.assign"
	ManageOwnership  Action = "ownership.manage"
	CreateDocument   Action = "document.create"
	EditDocument     Action = "document.edit"
	DeleteDocument   Action = "document.delete"
	GrantSupport     Action = "support.grant"
)

// Rule is one line of the permission table.
type Rule struct {
	Action      Action
	MinRole     Role
	Description string
}

// Table is the permission table. The minimum role may do the action, and so
// may every more powerful role.
var Table = []Rule{
	{ViewWorkspace, Viewer, "See the workspace, its members (without e-mail), teams, projects, components, releases and activity"},
	{ViewAudit, Viewer, "Read the activity feed"},
	{CreateProject, Member, "Create projects"},
	{EditProject, Member, "Edit projects and create, edit or delete components"},
	{ArchiveProject, Admin, "Archive or unarchive projects"},
	{DeleteProject, Admin, "Delete projects"},
	{CreateRelease, Member, "Create releases"},
	{EditRelease, Member, "Edit a release's name, description and target date"},
	{MoveRelease, Member, "Move a release through its lifecycle (start, review, release, cancel, roll back)"},
	{ManageFiles, Member, "Upload, replace and delete a release's files (until it is released)"},
	{DeleteRelease, Admin, "Delete releases and their history"},
	{AssignOwners, Member, "Set the owners (accountable, technical, security, privacy) of projects, components and releases"},
	{ManageOwnership, Admin, "Set the workspace's ownership policy and transfer all of a person's ownerships to another member or team"},
	{CreateDocument, Member, "Create documents (design, PRD, RFC, threat model, security requirements, runbook)"},
	{EditDocument, Member, "Edit the documents they can see (each change of title or body is a new version) and their files"},
	{DeleteDocument, Admin, "Delete any document they can see, with every version and file, for good"},
	{ViewMemberEmails, Admin, "See members' e-mail addresses"},
	{ManageMembers, Admin, "Invite people, change roles, remove members (only owners grant or change the owner role)"},
	{ManageTeams, Admin, "Create, rename and delete teams and change their members"},
	{ViewAuditDetails, Admin, "See client IP and user agent of audit events"},
	{VerifyAudit, Admin, "Verify the audit hash chain"},
	{GrantSupport, Admin, "Grant, list and revoke time-limited support access for the instance's site admins"},
	{UpdateWorkspace, Owner, "Rename the workspace"},
}

var minRole = func() map[Action]Role {
	m := make(map[Action]Role, len(Table))
	for _, r := range Table {
		m[r.Action] = r.MinRole
	}
	return m
}()

// Can reports whether role may perform action. Unknown actions are denied.
func Can(role Role, a Action) bool {
	min, ok := minRole[a]
	return ok && role.AtLeast(min)
}

// Markdown renders the permission table for docs/PERMISSIONS.md.
func Markdown() string {
	var b strings.Builder
	b.WriteString("# Workspace roles and permissions\n\n")
	b.WriteString("Generated from `internal/perm/perm.go` (a test keeps this file in step). Services enforce it;\n")
	b.WriteString("a person who is not a member of a workspace sees nothing of it: every path answers 404.\n\n")
	b.WriteString("| action | owner | admin | member | viewer |\n|---|:-:|:-:|:-:|:-:|\n")
	for _, r := range Table {
		b.WriteString("| " + r.Description + " (`" + string(r.Action) + "`)")
		for _, role := range Roles {
			mark := " "
			if Can(role, r.Action) {
				mark = "✓"
			}
			b.WriteString(" | " + mark)
		}
		b.WriteString(" |\n")
	}
	b.WriteString("\nRules beyond the table:\n\n")
	b.WriteString("- Only owners grant, change or remove the owner role; a workspace always keeps at least one owner.\n")
	b.WriteString("- Any member may leave a workspace (remove themselves), except its last owner.\n")
	b.WriteString("- Members may also delete the documents they created.\n")
	b.WriteString("- Document visibility narrows what a role allows: `workspace` and (until projects have memberships) `project`\n")
	b.WriteString("  documents are seen by every member; `owners` documents only by their creator and admins and owners.\n")
	b.WriteString("  Anyone else gets 404 for such a document and never finds it in a list.\n")
	b.WriteString("- A personal access token with only the `read` scope may call GET endpoints only.\n")
	b.WriteString("- Site admins have no access to workspace data through their site role. A workspace admin may grant them\n")
	b.WriteString("  time-limited support access (`read`: what a viewer sees, or `member`; at most 30 days, revocable); every\n")
	b.WriteString("  request made under it is recorded in the workspace's activity (`support.access`).\n")
	return b.String()
}
