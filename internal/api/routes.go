package api

import (
	"net/http"
	"strings"
	"time"

	"shipshape/internal/account"
	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/consent"
	"shipshape/internal/doc"
	"shipshape/internal/export"
	"shipshape/internal/owner"
	"shipshape/internal/perm"
	"shipshape/internal/policy"
	"shipshape/internal/privacy"
	"shipshape/internal/privreq"
	"shipshape/internal/project"
	"shipshape/internal/release"
	"shipshape/internal/retention"
	"shipshape/internal/search"
	"shipshape/internal/workspace"
)

// routeTable is every endpoint on one screen.
func (a *api) routeTable() []route {
	return []route{
		{Method: "POST", Path: "/auth/signup", Tag: "auth", Public: true, Status: 201, Summary: "Create an account (when sign-up is open or with an invitation)",
			Request: account.SignupInput{}, Response: account.User{}, h: a.signup},
		{Method: "POST", Path: "/auth/token", Tag: "auth", Public: true, Status: 201, Summary: "Exchange e-mail and password for a personal access token (rate limited)",
			Request: tokenRequest{}, Response: tokenCreated{}, h: a.tokenWithPassword},

		{Method: "GET", Path: "/me", Tag: "me", Status: 200, Summary: "The caller's profile", Response: account.User{}, h: a.me},
		{Method: "PATCH", Path: "/me", Tag: "me", Status: 200, Summary: "Edit the caller's profile", Request: account.ProfilePatch{}, Response: account.User{}, h: a.updateMe},
		{Method: "DELETE", Path: "/me", Tag: "privacy", Status: 202,
			Summary: "Schedule the erasure of the caller's account after a grace period (7 days), confirmed with the password; cancellable until then. The only owner of a workspace must hand it over first (409)",
			Request: account.DeleteInput{}, Response: account.DeletionScheduled{}, h: a.deleteMe},
		{Method: "POST", Path: "/me/deletion/cancel", Tag: "privacy", Status: 200, Summary: "Cancel the caller's scheduled account deletion",
			Response: account.User{}, h: a.cancelDeletion},
		{Method: "POST", Path: "/me/restriction", Tag: "privacy", Status: 200,
			Summary:  "Restrict the processing of the caller's data (GDPR Art. 18): it is kept and shown to them, but no e-mails, no analytics and nothing to third parties until they lift it",
			Response: account.User{}, h: a.restrictMe},
		{Method: "DELETE", Path: "/me/restriction", Tag: "privacy", Status: 200, Summary: "Lift the caller's restriction of processing",
			Response: account.User{}, h: a.liftRestriction},
		{Method: "GET", Path: "/me/tokens", Tag: "me", Status: 200, Summary: "The caller's personal access tokens (never the secret)", Response: list[account.Token]{}, h: a.listTokens},
		{Method: "POST", Path: "/me/tokens", Tag: "me", Status: 201, Summary: "Create a personal access token; the secret is shown once", Request: tokenInput{}, Response: tokenCreated{}, h: a.createToken},
		{Method: "DELETE", Path: "/me/tokens/{id}", Tag: "me", Status: 204, Summary: "Revoke a token", h: a.revokeToken},
		{Method: "GET", Path: "/me/preferences", Tag: "privacy", Status: 200,
			Summary:  "The caller's choices for product e-mails (default on), marketing e-mails and product analytics (default off), and what applies to this request: with Sec-GPC: 1 or DNT: 1, marketing and analytics are off whatever is stored",
			Response: consent.Preferences{}, h: a.getPreferences},
		{Method: "PUT", Path: "/me/preferences", Tag: "privacy", Status: 200,
			Summary: "Change some of the caller's choices (absent fields stay); each change is recorded in the consent ledger with how it was made",
			Request: consent.Patch{}, Response: consent.Preferences{}, h: a.putPreferences},
		{Method: "GET", Path: "/me/consents", Tag: "privacy", Status: 200, Summary: "The caller's consent ledger, newest first: what was chosen, when, how, and whether a privacy signal was present",
			Response: list[consent.Event]{}, h: a.consentLedger},
		{Method: "POST", Path: "/me/exports", Tag: "privacy", Status: 202, Response: export.Export{}, h: a.requestExport,
			Summary: "Ask for an archive (ZIP) of all your data; it is built in the background. While one is queued or running, returns that one"},
		{Method: "GET", Path: "/me/exports/{id}", Tag: "privacy", Status: 200, Response: export.Export{}, h: a.getExport,
			Summary: "One of the caller's exports: status (queued, running, ready, failed, expired), progress, and size once ready"},
		{Method: "GET", Path: "/me/exports/{id}/download", Tag: "privacy", Status: 200, RawResponse: true, RawType: "application/zip", h: a.downloadExport,
			Summary: "Download a ready archive (application/zip; X-Checksum-SHA256 carries its digest); 404 once it expired (48 hours after it was ready)"},
		{Method: "GET", Path: "/privacy/policy", Tag: "privacy", Public: true, Status: 200,
			Summary: "The privacy policy in force (version 0: the built-in policy, until a site admin publishes one)", Response: policy.Policy{}, h: a.currentPolicy},
		{Method: "GET", Path: "/privacy/policies", Tag: "privacy", Public: true, Status: 200,
			Summary: "Every published version of the privacy policy with its changelog, newest first", Response: list[policy.Summary]{}, h: a.policyHistory},
		{Method: "POST", Path: "/me/policy-acceptances", Tag: "privacy", Status: 200,
			Summary: "Acknowledge the current version of the privacy policy (recorded with the time)", Request: policy.AcceptInput{}, Response: policy.Status{}, h: a.acceptPolicy},
		{Method: "POST", Path: "/admin/privacy/policies", Tag: "admin", Status: 201,
			Summary: "Publish a new version of the privacy policy (Markdown body, changelog, material: whether people must acknowledge it) (site admins)",
			Request: policy.PublishInput{}, Response: policy.Policy{}, h: a.publishPolicy},

		{Method: "GET", Path: "/admin/settings", Tag: "admin", Status: 200, Summary: "Site settings (site admins)", Response: account.SiteSettings{}, h: a.siteSettings},
		{Method: "PATCH", Path: "/admin/settings", Tag: "admin", Status: 200, Summary: "Change site settings: signup_mode open or invite (site admins)", Request: account.SiteSettings{}, Response: account.SiteSettings{}, h: a.updateSiteSettings},
		{Method: "GET", Path: "/admin/privacy/inventory", Tag: "admin", Status: 200, Response: privacy.Inventory{}, h: a.privacyInventory,
			Summary: "The personal-data inventory (record of processing activities): every column with category, purpose, legal basis, retention, export and erasure (site admins)"},
		{Method: "GET", Path: "/admin/retention", Tag: "admin", Status: 200, Response: retention.Overview{}, h: a.getRetention,
			Summary: "Retention policies per data category (keep_days, action, last_run, purged), the schedule (next_run) and the last 10 runs (site admins)"},
		{Method: "PUT", Path: "/admin/retention", Tag: "admin", Status: 200, Request: retention.UpdateInput{}, Response: retention.Overview{}, h: a.putRetention,
			Summary: "Change the retention of the listed categories: {policies: [{category, keep_days, action}]}; others keep theirs (site admins)"},
		{Method: "POST", Path: "/admin/retention/run", Tag: "admin", Status: 200, Response: retention.Run{}, h: a.runRetention,
			Query:   []param{{"dry_run", "true to count what would be purged without changing anything"}},
			Summary: "Run the retention job now and return the run with what it purged per category (site admins)"},
		{Method: "POST", Path: "/admin/privacy/requests", Tag: "admin", Status: 201, Request: privreq.CreateInput{}, Response: privreq.Request{}, h: a.createPrivacyRequest,
			Summary: "Record a privacy request: kind (access, rectification, erasure, restriction, objection, portability, know), subject_email, source (email, self-service, agent, support-tracker), verified_by (the planned method), optional due_at (default: 30 days; know 45; a support-tracker erasure 1 business day), assignee_id, note (site admins)"},
		{Method: "GET", Path: "/admin/privacy/requests", Tag: "admin", Status: 200, Response: list[privreq.Request]{}, h: a.listPrivacyRequests,
			Query:   []param{{"status", "open, overdue (open and past due_at), closed, or one status: received, verifying, in_progress, fulfilled, rejected, withdrawn"}},
			Summary: "Privacy requests with overdue flagged; open and overdue ones by due date (site admins)"},
		{Method: "GET", Path: "/admin/privacy/requests/{id}", Tag: "admin", Status: 200, Response: privreq.Detail{}, h: a.getPrivacyRequest,
			Summary: "A privacy request with its notes and history (from the site audit trail) (site admins)"},
		{Method: "PATCH", Path: "/admin/privacy/requests/{id}", Tag: "admin", Status: 200, Request: privreq.Patch{}, Response: privreq.Request{}, h: a.updatePrivacyRequest,
			Summary: "Change a privacy request: verified_by (account or agent_authorization marks the identity verified), assignee_id, due_at, outcome, note, status; a move the lifecycle does not allow, fulfilled without verification, or any change to a closed request is a 409 naming the allowed statuses (site admins)"},

		{Method: "POST", Path: "/workspaces", Tag: "workspaces", Status: 201, Summary: "Create a workspace; the caller becomes owner", Request: workspace.CreateInput{}, Response: workspace.Workspace{}, h: a.createWorkspace},
		{Method: "GET", Path: "/workspaces", Tag: "workspaces", Status: 200, Summary: "Workspaces the caller belongs to", Response: list[workspace.Workspace]{}, h: a.listWorkspaces},
		{Method: "GET", Path: "/workspaces/{ws}", Tag: "workspaces", Status: 200, Summary: "A workspace with the caller's role", Response: workspace.Workspace{}, h: a.getWorkspace},
		{Method: "PATCH", Path: "/workspaces/{ws}", Tag: "workspaces", Status: 200, Summary: "Rename a workspace (owners)", Request: workspacePatch{}, Response: workspace.Workspace{}, h: a.updateWorkspace},
		{Method: "GET", Path: "/workspaces/{ws}/members", Tag: "members", Status: 200, Summary: "Members; e-mail addresses for admins only", Response: list[workspace.Member]{}, h: a.listMembers},
		{Method: "PATCH", Path: "/workspaces/{ws}/members/{user_id}", Tag: "members", Status: 200, Summary: "Change a member's role", Request: rolePatch{}, Response: workspace.Member{}, h: a.changeRole},
		{Method: "DELETE", Path: "/workspaces/{ws}/members/{user_id}", Tag: "members", Status: 204, Summary: "Remove a member (or leave)", h: a.removeMember},
		{Method: "PUT", Path: "/workspaces/{ws}/members/{user_id}/name", Tag: "members", Status: 200,
			Summary: "Correct a member's name (admins; only owners correct owners): the account's name changes everywhere it appears; the audit event keeps who and whose, not the name",
			Request: workspace.NameInput{}, Response: workspace.Member{}, h: a.correctName},
		{Method: "POST", Path: "/workspaces/{ws}/invitations", Tag: "members", Status: 201, Summary: "Invite someone by e-mail with a role; returns the one-time token", Request: inviteRequest{}, Response: workspace.Invitation{}, h: a.invite},
		{Method: "GET", Path: "/workspaces/{ws}/invitations", Tag: "members", Status: 200, Summary: "Pending invitations", Response: list[workspace.Invitation]{}, h: a.listInvitations},
		{Method: "DELETE", Path: "/workspaces/{ws}/invitations/{id}", Tag: "members", Status: 204, Summary: "Withdraw an invitation", h: a.revokeInvitation},
		{Method: "POST", Path: "/invitations/{token}/accept", Tag: "members", Status: 200, Summary: "Accept an invitation; the caller joins the workspace", Response: workspace.Workspace{}, h: a.acceptInvitation},
		{Method: "POST", Path: "/workspaces/{ws}/teams", Tag: "teams", Status: 201, Summary: "Create a team", Request: workspace.TeamInput{}, Response: workspace.Team{}, h: a.createTeam},
		{Method: "GET", Path: "/workspaces/{ws}/teams", Tag: "teams", Status: 200, Summary: "Teams with their members", Response: list[workspace.Team]{}, h: a.listTeams},
		{Method: "DELETE", Path: "/workspaces/{ws}/teams/{team}", Tag: "teams", Status: 204, Summary: "Delete a team", h: a.deleteTeam},
		{Method: "PUT", Path: "/workspaces/{ws}/teams/{team}/members/{user_id}", Tag: "teams", Status: 204, Summary: "Add a member to a team", h: a.addTeamMember},
		{Method: "DELETE", Path: "/workspaces/{ws}/teams/{team}/members/{user_id}", Tag: "teams", Status: 204, Summary: "Remove a member from a team", h: a.removeTeamMember},

		{Method: "POST", Path: "/workspaces/{ws}/projects", Tag: "projects", Status: 201, Summary: "Create a project", Request: project.CreateInput{}, Response: project.Project{}, h: a.createProject},
		{Method: "GET", Path: "/workspaces/{ws}/projects", Tag: "projects", Status: 200, Summary: "Projects ordered by key",
			Query:    []param{{"archived", "true to include archived projects"}, {"limit", "page size, 1–200 (default 50)"}, {"cursor", "next_cursor of the previous page"}},
			Response: list[project.Project]{}, h: a.listProjects},
		{Method: "GET", Path: "/workspaces/{ws}/projects/{key}", Tag: "projects", Status: 200, Summary: "A project", Response: project.Project{}, h: a.getProject},
		{Method: "PATCH", Path: "/workspaces/{ws}/projects/{key}", Tag: "projects", Status: 200, Summary: "Edit, archive or unarchive a project", Request: project.Patch{}, Response: project.Project{}, h: a.updateProject},
		{Method: "DELETE", Path: "/workspaces/{ws}/projects/{key}", Tag: "projects", Status: 204, Summary: "Delete a project and its components", h: a.deleteProject},
		{Method: "POST", Path: "/workspaces/{ws}/projects/{key}/components", Tag: "components", Status: 201, Summary: "Create a component", Request: project.ComponentInput{}, Response: project.Component{}, h: a.createComponent},
		{Method: "GET", Path: "/workspaces/{ws}/projects/{key}/components", Tag: "components", Status: 200, Summary: "A project's components", Response: list[project.Component]{}, h: a.listComponents},
		{Method: "GET", Path: "/workspaces/{ws}/projects/{key}/components/{slug}", Tag: "components", Status: 200, Summary: "A component", Response: project.Component{}, h: a.getComponent},
		{Method: "PATCH", Path: "/workspaces/{ws}/projects/{key}/components/{slug}", Tag: "components", Status: 200, Summary: "Edit a component", Request: project.ComponentPatch{}, Response: project.Component{}, h: a.updateComponent},
		{Method: "DELETE", Path: "/workspaces/{ws}/projects/{key}/components/{slug}", Tag: "components", Status: 204, Summary: "Delete a component", h: a.deleteComponent},
		{Method: "PUT", Path: "/workspaces/{ws}/owners", Tag: "ownership", Status: 200,
			Summary: "Replace the owners of one target (project, component, release or document — only a document the caller may see) atomically; owners are members (user id) or teams (team id) with role accountable, technical, security or privacy",
			Request: owner.SetInput{}, Response: owner.TargetOwners{}, h: a.setOwners},
		{Method: "GET", Path: "/workspaces/{ws}/ownership", Tag: "ownership", Status: 200,
			Summary: "The ownership map: targets with owners, targets without a working accountable owner (unowned) and gaps (owner left the workspace, team deleted)",
			Query:   []param{{"owner", "a user or team id: only what it owns (unowned is then empty)"}}, Response: owner.Map{}, h: a.ownershipMap},
		{Method: "POST", Path: "/workspaces/{ws}/ownership/transfer", Tag: "ownership", Status: 200,
			Summary: "Move every ownership of a person (a member or someone who left) to a member or team, atomically (admins)",
			Request: owner.TransferInput{}, Response: owner.TransferResult{}, h: a.transferOwnership},
		{Method: "GET", Path: "/workspaces/{ws}/ownership/policy", Tag: "ownership", Status: 200, Summary: "The workspace's ownership policy", Response: owner.Policy{}, h: a.ownershipPolicy},
		{Method: "PUT", Path: "/workspaces/{ws}/ownership/policy", Tag: "ownership", Status: 200, Summary: "Change the ownership policy: require_accountable demands exactly one accountable owner on every later change (admins)",
			Request: policyInput{}, Response: owner.Policy{}, h: a.setOwnershipPolicy},

		{Method: "POST", Path: "/workspaces/{ws}/projects/{key}/releases", Tag: "releases", Status: 201, Summary: "Create a planned release; version is SemVer 2.0.0, unique per project ignoring build metadata",
			Request: release.CreateInput{}, Response: release.Release{}, h: a.createRelease},
		{Method: "GET", Path: "/workspaces/{ws}/projects/{key}/releases", Tag: "releases", Status: 200, Summary: "A project's releases, newest first by SemVer precedence",
			Query:    []param{{"status", "only releases in this status"}, {"limit", "page size, 1–200 (default 50)"}, {"cursor", "next_cursor of the previous page"}},
			Response: list[release.Release]{}, h: a.listReleases},
		{Method: "GET", Path: "/workspaces/{ws}/projects/{key}/releases/{version}", Tag: "releases", Status: 200, Summary: "A release (escape '+' in the version as %2B or send it as is)", Response: release.Release{}, h: a.getRelease},
		{Method: "PATCH", Path: "/workspaces/{ws}/projects/{key}/releases/{version}", Tag: "releases", Status: 200, Summary: "Edit a release's name, description or target date (null or \"\" clears it)",
			Request: release.Patch{}, Response: release.Release{}, h: a.updateRelease},
		{Method: "DELETE", Path: "/workspaces/{ws}/projects/{key}/releases/{version}", Tag: "releases", Status: 204, Summary: "Delete a release and its history (admins)", h: a.deleteRelease},
		{Method: "POST", Path: "/workspaces/{ws}/projects/{key}/releases/{version}/transitions", Tag: "releases", Status: 200,
			Summary: "Move a release: planned → in_progress → in_review → released; in_review → in_progress; cancelled (before release) and rolled_back (after) need a reason",
			Request: release.TransitionInput{}, Response: release.Release{}, h: a.transitionRelease},
		{Method: "GET", Path: "/workspaces/{ws}/projects/{key}/releases/{version}/transitions", Tag: "releases", Status: 200, Summary: "A release's status history, oldest first",
			Response: list[release.Transition]{}, h: a.listTransitions},
		{Method: "GET", Path: "/workspaces/{ws}/projects/{key}/releases/{version}/notes", Tag: "releases", Status: 200,
			Summary: "Release notes as Markdown (text/markdown): status, dates, description, files with SHA-256, history; ?download=1 for an attachment",
			Query:   []param{{"download", "1 or true to download as PAY-1.2.0-release-notes.md"}}, RawResponse: true, RawType: "text/markdown", h: a.releaseNotes},
		{Method: "GET", Path: "/workspaces/{ws}/projects/{key}/releases/{version}/evidence", Tag: "releases", Status: 200,
			Summary:     "The evidence snapshot frozen when the release was released: the stored JSON bytes as is, with X-Checksum-SHA256 and Repr-Digest; 404 before release",
			RawResponse: true, RawType: "application/json", h: a.releaseEvidence},

		{Method: "PUT", Path: "/workspaces/{ws}/projects/{key}/releases/{version}/files/{name}", Tag: "releases", Status: 201,
			Summary:    "Upload a file (the raw request body, streamed; at most --max-upload bytes) or replace the file of that name; refused once the release is released",
			RawRequest: true, Response: release.File{}, h: a.putFile},
		{Method: "GET", Path: "/workspaces/{ws}/projects/{key}/releases/{version}/files", Tag: "releases", Status: 200, Summary: "A release's files by name",
			Response: list[release.File]{}, h: a.listFiles},
		{Method: "GET", Path: "/workspaces/{ws}/projects/{key}/releases/{version}/files/{name}", Tag: "releases", Status: 200,
			Summary: "Download a file as an attachment (Range requests answer 206; X-Checksum-SHA256 and Repr-Digest carry its SHA-256)", RawResponse: true, h: a.getFile},
		{Method: "DELETE", Path: "/workspaces/{ws}/projects/{key}/releases/{version}/files/{name}", Tag: "releases", Status: 204,
			Summary: "Delete a file; refused once the release is released", h: a.deleteFile},

		{Method: "POST", Path: "/workspaces/{ws}/documents", Tag: "documents", Status: 201,
			Summary: "Create a document (type design, prd, rfc, threat_model, security_requirements, runbook or other; Markdown body up to 200,000 characters; visibility workspace, project or owners)",
			Request: doc.CreateInput{}, Response: doc.Document{}, h: a.createDocument},
		{Method: "GET", Path: "/workspaces/{ws}/documents", Tag: "documents", Status: 200, Summary: "Documents the caller may see, most recently updated first (without bodies)",
			Query:    []param{{"type", "only documents of this type"}, {"project", "only documents of this project (key)"}, {"release", "only documents attached to this release (version; needs project)"}, {"limit", "page size, 1–200 (default 50)"}, {"cursor", "next_cursor of the previous page"}},
			Response: list[doc.Summary]{}, h: a.listDocuments},
		{Method: "GET", Path: "/workspaces/{ws}/documents/{id}", Tag: "documents", Status: 200, Summary: "A document with the body of its current version", Response: doc.Document{}, h: a.getDocument},
		{Method: "PATCH", Path: "/workspaces/{ws}/documents/{id}", Tag: "documents", Status: 200,
			Summary: "Edit a document; a changed title or body makes a new version. With base_version (the version the edit started from), a document changed since answers 409 conflict",
			Request: doc.Patch{}, Response: doc.Document{}, h: a.updateDocument},
		{Method: "DELETE", Path: "/workspaces/{ws}/documents/{id}", Tag: "documents", Status: 204,
			Summary: "Delete a document and every version for good (its creator or admins); the audit trail keeps only its id, type and a SHA-256 of its title", h: a.deleteDocument},
		{Method: "GET", Path: "/workspaces/{ws}/documents/{id}/versions", Tag: "documents", Status: 200, Summary: "A document's versions, newest first (without bodies)",
			Response: list[doc.VersionSummary]{}, h: a.listDocumentVersions},
		{Method: "GET", Path: "/workspaces/{ws}/documents/{id}/versions/{n}", Tag: "documents", Status: 200, Summary: "One version of a document with its body",
			Response: doc.Version{}, h: a.getDocumentVersion},
		{Method: "PUT", Path: "/workspaces/{ws}/documents/{id}/files/{name}", Tag: "documents", Status: 201,
			Summary:    "Attach a file to a document (the raw request body, streamed; at most --max-upload bytes) or replace the file of that name",
			RawRequest: true, Response: doc.File{}, h: a.putDocumentFile},
		{Method: "GET", Path: "/workspaces/{ws}/documents/{id}/files", Tag: "documents", Status: 200, Summary: "A document's files by name",
			Response: list[doc.File]{}, h: a.listDocumentFiles},
		{Method: "GET", Path: "/workspaces/{ws}/documents/{id}/files/{name}", Tag: "documents", Status: 200,
			Summary: "Download a document's file as an attachment (Range requests answer 206; X-Checksum-SHA256 and Repr-Digest carry its SHA-256)", RawResponse: true, h: a.getDocumentFile},
		{Method: "DELETE", Path: "/workspaces/{ws}/documents/{id}/files/{name}", Tag: "documents", Status: 204,
			Summary: "Delete a document's file", h: a.deleteDocumentFile},
		{Method: "GET", Path: "/workspaces/{ws}/search", Tag: "search", Status: 200,
			Summary: "Full-text search over the projects, releases and documents (latest version) the caller may see, best match first. " +
				"All words must match (English stemming); \"quoted words\" match as a phrase, OR between words accepts either, -word excludes. " +
				"snippet is HTML: escaped text with the matched words in <mark> elements",
			Query:    []param{{"q", "the search words (at most 500 characters); no words: no results"}, {"limit", "how many results, 1–50 (default 20)"}},
			Response: list[search.Result]{}, h: a.search},

		{Method: "GET", Path: "/workspaces/{ws}/audit", Tag: "audit", Status: 200, Summary: "Audit events, newest first (ip and user_agent for admins only)",
			Query: []param{{"actor", "user id of the actor"}, {"action", "an action, or a prefix ending in '.' such as project."}, {"target_type", "e.g. project"},
				{"since", "RFC 3339 time"}, {"limit", "page size, 1–200 (default 50)"}, {"cursor", "next_cursor of the previous page"}},
			Response: list[auditEvent]{}, h: a.listAudit},
		{Method: "GET", Path: "/workspaces/{ws}/audit/verify", Tag: "audit", Status: 200, Summary: "Verify the workspace's audit hash chain (admins)", Response: audit.Verification{}, h: a.verifyAudit},
		{Method: "POST", Path: "/workspaces/{ws}/support-access", Tag: "support", Status: 201,
			Summary: "Grant the instance's site admins time-limited support access (admins): scope read (what a viewer sees) or member, expires_at at most 30 days ahead, an optional reason; replaces the grant in force. Every request made under it is in the workspace's audit trail (support.access)",
			Request: workspace.SupportGrantInput{}, Response: workspace.SupportGrant{}, h: a.grantSupport},
		{Method: "GET", Path: "/workspaces/{ws}/support-access", Tag: "support", Status: 200, Summary: "Support access grants, active and past, newest first (admins)",
			Response: list[workspace.SupportGrant]{}, h: a.listSupportGrants},
		{Method: "DELETE", Path: "/workspaces/{ws}/support-access", Tag: "support", Status: 204, Summary: "Revoke the support access in force (admins); 404 when there is none", h: a.revokeSupport},
	}
}

// Request and response shapes that are the API's own.

type tokenInput struct {
	Name           string   `json:"name"`
	Scopes         []string `json:"scopes"`
	ExpiresInHours int      `json:"expires_in_hours,omitempty"`
}

func (t tokenInput) domain() account.TokenInput {
	return account.TokenInput{Name: t.Name, Scopes: t.Scopes, ExpiresIn: time.Duration(t.ExpiresInHours) * time.Hour}
}

type tokenRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	tokenInput
}

type tokenCreated struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Token     string          `json:"token"`
	Scopes    []account.Scope `json:"scopes"`
	ExpiresAt *time.Time      `json:"expires_at"`
}

type workspacePatch struct {
	Name string `json:"name"`
}

type rolePatch struct {
	Role perm.Role `json:"role"`
}

type inviteRequest struct {
	Email string    `json:"email"`
	Role  perm.Role `json:"role"`
}

type ref struct {
	Type string `json:"type,omitempty"`
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

type auditEvent struct {
	ID        string    `json:"id"`
	At        time.Time `json:"at"`
	Actor     ref       `json:"actor"`
	Action    string    `json:"action"`
	Target    ref       `json:"target"`
	IP        string    `json:"ip,omitempty"`
	UserAgent string    `json:"user_agent,omitempty"`
}

// Handlers: parse, call one service method, return the body.

func (a *api) signup(c *call) (any, error) {
	var in account.SignupInput
	if err := decode(c.r, &in); err != nil {
		return nil, err
	}
	return a.Accounts.Signup(c.r.Context(), c.actor, in)
}

func (a *api) tokenWithPassword(c *call) (any, error) {
	var in tokenRequest
	if err := decode(c.r, &in); err != nil {
		return nil, err
	}
	t, secret, err := a.Accounts.TokenWithPassword(c.r.Context(), c.actor, in.Email, in.Password, in.domain())
	return created(t, secret), err
}

func created(t account.Token, secret string) tokenCreated {
	return tokenCreated{ID: t.ID, Name: t.Name, Token: secret, Scopes: t.Scopes, ExpiresAt: t.ExpiresAt}
}

func (a *api) me(c *call) (any, error) { return a.Accounts.User(c.r.Context(), c.userID()) }

func (a *api) updateMe(c *call) (any, error) {
	var p account.ProfilePatch
	if err := decode(c.r, &p); err != nil {
		return nil, err
	}
	return a.Accounts.UpdateProfile(c.r.Context(), c.actor, c.principal, p)
}

func (a *api) listTokens(c *call) (any, error) {
	ts, err := a.Accounts.Tokens(c.r.Context(), c.userID())
	return newList(ts, ""), err
}

func (a *api) createToken(c *call) (any, error) {
	var in tokenInput
	if err := decode(c.r, &in); err != nil {
		return nil, err
	}
	t, secret, err := a.Accounts.CreateTokenAs(c.r.Context(), c.actor, c.principal, in.domain())
	return created(t, secret), err
}

func (a *api) revokeToken(c *call) (any, error) {
	return nil, a.Accounts.RevokeToken(c.r.Context(), c.actor, c.userID(), c.r.PathValue("id"))
}

func (a *api) siteSettings(c *call) (any, error) {
	return a.Accounts.Settings(c.r.Context(), c.principal)
}

func (a *api) updateSiteSettings(c *call) (any, error) {
	var in account.SiteSettings
	if err := decode(c.r, &in); err != nil {
		return nil, err
	}
	if err := a.Accounts.SetSignupMode(c.r.Context(), c.principal, c.actor, in.SignupMode); err != nil {
		return nil, err
	}
	return a.Accounts.Settings(c.r.Context(), c.principal)
}

func (a *api) createWorkspace(c *call) (any, error) {
	var in workspace.CreateInput
	if err := decode(c.r, &in); err != nil {
		return nil, err
	}
	return a.Workspaces.Create(c.r.Context(), c.actor, in)
}

func (a *api) listWorkspaces(c *call) (any, error) {
	ws, err := a.Workspaces.List(c.r.Context(), c.userID())
	return newList(ws, ""), err
}

func (a *api) getWorkspace(c *call) (any, error) {
	return a.Workspaces.Get(c.r.Context(), c.userID(), c.r.PathValue("ws"))
}

func (a *api) updateWorkspace(c *call) (any, error) {
	var in workspacePatch
	if err := decode(c.r, &in); err != nil {
		return nil, err
	}
	return a.Workspaces.Rename(c.r.Context(), c.actor, c.r.PathValue("ws"), in.Name)
}

func (a *api) listMembers(c *call) (any, error) {
	ms, _, err := a.Workspaces.Members(c.r.Context(), c.userID(), c.r.PathValue("ws"))
	return newList(ms, ""), err
}

func (a *api) changeRole(c *call) (any, error) {
	var in rolePatch
	if err := decode(c.r, &in); err != nil {
		return nil, err
	}
	return a.Workspaces.ChangeRole(c.r.Context(), c.actor, c.r.PathValue("ws"), c.r.PathValue("user_id"), in.Role)
}

func (a *api) correctName(c *call) (any, error) {
	var in workspace.NameInput
	if err := decode(c.r, &in); err != nil {
		return nil, err
	}
	return a.Workspaces.CorrectName(c.r.Context(), c.actor, c.r.PathValue("ws"), c.r.PathValue("user_id"), in)
}

func (a *api) removeMember(c *call) (any, error) {
	return nil, a.Workspaces.RemoveMember(c.r.Context(), c.actor, c.r.PathValue("ws"), c.r.PathValue("user_id"))
}

func (a *api) invite(c *call) (any, error) {
	var in inviteRequest
	if err := decode(c.r, &in); err != nil {
		return nil, err
	}
	return a.Workspaces.Invite(c.r.Context(), c.actor, c.r.PathValue("ws"), in.Email, in.Role)
}

func (a *api) listInvitations(c *call) (any, error) {
	is, err := a.Workspaces.Invitations(c.r.Context(), c.userID(), c.r.PathValue("ws"))
	return newList(is, ""), err
}

func (a *api) revokeInvitation(c *call) (any, error) {
	return nil, a.Workspaces.RevokeInvitation(c.r.Context(), c.actor, c.r.PathValue("ws"), c.r.PathValue("id"))
}

func (a *api) acceptInvitation(c *call) (any, error) {
	return a.Workspaces.Accept(c.r.Context(), c.actor, c.principal.User.Email, c.r.PathValue("token"))
}

func (a *api) createTeam(c *call) (any, error) {
	var in workspace.TeamInput
	if err := decode(c.r, &in); err != nil {
		return nil, err
	}
	return a.Workspaces.CreateTeam(c.r.Context(), c.actor, c.r.PathValue("ws"), in)
}

func (a *api) listTeams(c *call) (any, error) {
	ts, err := a.Workspaces.Teams(c.r.Context(), c.userID(), c.r.PathValue("ws"))
	return newList(ts, ""), err
}

func (a *api) deleteTeam(c *call) (any, error) {
	return nil, a.Workspaces.DeleteTeam(c.r.Context(), c.actor, c.r.PathValue("ws"), c.r.PathValue("team"))
}

func (a *api) addTeamMember(c *call) (any, error) {
	return nil, a.Workspaces.SetTeamMember(c.r.Context(), c.actor, c.r.PathValue("ws"), c.r.PathValue("team"), c.r.PathValue("user_id"), true)
}

func (a *api) removeTeamMember(c *call) (any, error) {
	return nil, a.Workspaces.SetTeamMember(c.r.Context(), c.actor, c.r.PathValue("ws"), c.r.PathValue("team"), c.r.PathValue("user_id"), false)
}

func (a *api) createProject(c *call) (any, error) {
	var in project.CreateInput
	if err := decode(c.r, &in); err != nil {
		return nil, err
	}
	return a.Projects.Create(c.r.Context(), c.actor, c.r.PathValue("ws"), in)
}

func (a *api) listProjects(c *call) (any, error) {
	limit, cursor, err := page(c.r, maxCursor)
	if err != nil {
		return nil, err
	}
	archived, err := boolParam(c.r, "archived")
	if err != nil {
		return nil, err
	}
	p, err := a.Projects.List(c.r.Context(), c.userID(), c.r.PathValue("ws"), project.ListFilter{IncludeArchived: archived, Limit: limit, Cursor: cursor})
	return newList(p.Items, p.NextCursor), err
}

func (a *api) getProject(c *call) (any, error) {
	p, _, err := a.Projects.Get(c.r.Context(), c.userID(), c.r.PathValue("ws"), c.r.PathValue("key"))
	return p, err
}

func (a *api) updateProject(c *call) (any, error) {
	var in project.Patch
	if err := decode(c.r, &in); err != nil {
		return nil, err
	}
	return a.Projects.Update(c.r.Context(), c.actor, c.r.PathValue("ws"), c.r.PathValue("key"), in)
}

func (a *api) deleteProject(c *call) (any, error) {
	return nil, a.Projects.Delete(c.r.Context(), c.actor, c.r.PathValue("ws"), c.r.PathValue("key"))
}

func (a *api) createComponent(c *call) (any, error) {
	var in project.ComponentInput
	if err := decode(c.r, &in); err != nil {
		return nil, err
	}
	return a.Projects.CreateComponent(c.r.Context(), c.actor, c.r.PathValue("ws"), c.r.PathValue("key"), in)
}

func (a *api) listComponents(c *call) (any, error) {
	cs, err := a.Projects.Components(c.r.Context(), c.userID(), c.r.PathValue("ws"), c.r.PathValue("key"))
	return newList(cs, ""), err
}

func (a *api) getComponent(c *call) (any, error) {
	return a.Projects.Component(c.r.Context(), c.userID(), c.r.PathValue("ws"), c.r.PathValue("key"), c.r.PathValue("slug"))
}

func (a *api) updateComponent(c *call) (any, error) {
	var in project.ComponentPatch
	if err := decode(c.r, &in); err != nil {
		return nil, err
	}
	return a.Projects.UpdateComponent(c.r.Context(), c.actor, c.r.PathValue("ws"), c.r.PathValue("key"), c.r.PathValue("slug"), in)
}

func (a *api) deleteComponent(c *call) (any, error) {
	return nil, a.Projects.DeleteComponent(c.r.Context(), c.actor, c.r.PathValue("ws"), c.r.PathValue("key"), c.r.PathValue("slug"))
}

func (a *api) listAudit(c *call) (any, error) {
	limit, cursor, err := page(c.r, maxCursor)
	if err != nil {
		return nil, err
	}
	q := c.r.URL.Query()
	f := audit.Filter{ActorID: q.Get("actor"), Action: q.Get("action"), TargetType: q.Get("target_type"), Limit: limit, Cursor: cursor}
	if s := q.Get("since"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return nil, apperr.Fields(map[string]string{"since": "must be an RFC 3339 time such as 2026-01-02T15:04:05Z"})
		}
		f.Since = &t
	}
	p, err := a.Workspaces.Audit(c.r.Context(), c.userID(), c.r.PathValue("ws"), f)
	if err != nil {
		return nil, err
	}
	out := make([]auditEvent, len(p.Items))
	for i, e := range p.Items {
		out[i] = auditEvent{ID: e.ID, At: e.At, Actor: ref{ID: e.ActorID, Name: e.ActorName}, Action: e.Action,
			Target: ref{Type: e.TargetType, ID: e.TargetID, Name: e.TargetLabel}, IP: e.IP, UserAgent: e.UserAgent}
	}
	return newList(out, p.NextCursor), nil
}

func (a *api) verifyAudit(c *call) (any, error) {
	return a.Workspaces.VerifyAudit(c.r.Context(), c.userID(), c.r.PathValue("ws"))
}

func boolParam(r *http.Request, name string) (bool, error) {
	switch strings.ToLower(r.URL.Query().Get(name)) {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, apperr.Fields(map[string]string{name: "must be true or false"})
}
