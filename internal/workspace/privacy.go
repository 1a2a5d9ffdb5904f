package workspace

import "shipshape/internal/privacy"

// PrivacyInventory declares the personal data of workspaces: memberships,
// invitations and teams. Workspaces and teams themselves name
// organisations, not people.
func PrivacyInventory() []privacy.Table {
	const (
		membership = "while the person is a member; removing or leaving deletes the row"
		inviteKeep = "link valid 7 days; the row (accepted, revoked or expired) stays until deleted (retention job: planned)"
		teamMember = "while the person is on the team; removal from the team or the workspace, or deleting the team, deletes the row"
		erased     = "deleted with the account (cascade)"
	)
	return []privacy.Table{
		{Name: "workspaces", Domain: "workspace", Purpose: "Workspaces: one per customer organisation.",
			Fields: []privacy.Field{
				privacy.Not("id", "random id"),
				privacy.Not("slug", "the organisation's short name in URLs"),
				privacy.Not("name", "the organisation's name"),
				privacy.Not("created_at", "when the workspace was created"),
				privacy.Not("updated_at", "when the workspace was renamed"),
				privacy.Not("data_version", "counter that validates cached lists"),
			}},
		{Name: "memberships", Domain: "workspace", Purpose: "Who belongs to a workspace, with which role; the gate of every workspace page.",
			Fields: []privacy.Field{
				privacy.Not("workspace_id", "reference to the workspace"),
				{Column: "user_id", Personal: true, Category: privacy.Identifier, Purpose: "who the member is",
					Basis: privacy.Contract, Retention: membership, Export: "memberships.json", Erasure: erased},
				{Column: "role", Personal: true, Category: privacy.Account, Purpose: "what the member may do (owner, admin, member, viewer)",
					Basis: privacy.Contract, Retention: membership, Export: "memberships.json", Erasure: erased},
				{Column: "created_at", Personal: true, Category: privacy.Account, Purpose: "when the person joined",
					Basis: privacy.Contract, Retention: membership, Export: "memberships.json", Erasure: erased},
			}},
		{Name: "invitations", Domain: "workspace", Purpose: "Invitations by link to join a workspace with a role.",
			Fields: []privacy.Field{
				privacy.Not("id", "random id"),
				privacy.Not("workspace_id", "reference to the workspace"),
				{Column: "email", Personal: true, Category: privacy.Contact, Purpose: "whom the invitation is for (the invitee may have no account yet); shown to the workspace's owners and admins",
					Basis: privacy.LegitimateInterest, Retention: inviteKeep, Export: "invitations.json (matched by e-mail address)",
					Erasure: "deleted for the person's e-mail address"},
				{Column: "role", Personal: true, Category: privacy.Account, Purpose: "the role the invitee will get",
					Basis: privacy.LegitimateInterest, Retention: inviteKeep, Export: "invitations.json (matched by e-mail address)",
					Erasure: "deleted with the invitation"},
				{Column: "token_hash", Personal: true, Category: privacy.Credentials, Purpose: "checks the invitation link (SHA-256, never the link's token)",
					Basis: privacy.LegitimateInterest, Retention: inviteKeep, Export: "not exported (a secret's hash)",
					Erasure: "deleted with the invitation"},
				{Column: "created_by", Personal: true, Category: privacy.Identifier, Purpose: "who invited",
					Basis: privacy.LegitimateInterest, Retention: inviteKeep, Export: "invitations.json (invitations the person sent)",
					Erasure: "set to NULL when the inviter's account is deleted"},
				privacy.Not("created_at", "when the invitation was made"),
				privacy.Not("expires_at", "creation time plus 7 days"),
				{Column: "accepted_at", Personal: true, Category: privacy.Activity, Purpose: "when the invitee joined",
					Basis: privacy.Contract, Retention: inviteKeep, Export: "invitations.json", Erasure: "deleted with the invitation"},
				{Column: "accepted_by", Personal: true, Category: privacy.Identifier, Purpose: "which account accepted",
					Basis: privacy.Contract, Retention: inviteKeep, Export: "invitations.json",
					Erasure: "set to NULL when that account is deleted"},
				privacy.Not("revoked_at", "when an owner or admin withdrew the invitation"),
			}},
		{Name: "teams", Domain: "workspace", Purpose: "Teams inside a workspace; a team can own projects, components, releases and documents.",
			Fields: []privacy.Field{
				privacy.Not("id", "random id"),
				privacy.Not("workspace_id", "reference to the workspace"),
				privacy.Not("slug", "the team's short name"),
				privacy.Not("name", "the team's name"),
				privacy.Not("created_at", "when the team was created"),
			}},
		{Name: "team_members", Domain: "workspace", Purpose: "Who is on which team.",
			Fields: []privacy.Field{
				privacy.Not("team_id", "reference to the team"),
				{Column: "user_id", Personal: true, Category: privacy.Identifier, Purpose: "who is on the team",
					Basis: privacy.Contract, Retention: teamMember, Export: "memberships.json (teams)", Erasure: erased},
				{Column: "created_at", Personal: true, Category: privacy.Account, Purpose: "when the person joined the team",
					Basis: privacy.Contract, Retention: teamMember, Export: "memberships.json (teams)", Erasure: erased},
			}},
	}
}
