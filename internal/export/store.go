package export

import (
	"context"
	"database/sql"
	"time"

	"shipshape/internal/db"
)

// The exports table.

const exportCols = `id, user_id, status, progress, blob_key, size, sha256, error, requested_at, started_at, finished_at, expires_at`

type scanner interface{ Scan(dest ...any) error }

func scanExport(r scanner) (Export, error) {
	var e Export
	var key, sum sql.NullString
	var size sql.NullInt64
	err := r.Scan(&e.ID, &e.userID, &e.Status, &e.Progress, &key, &size, &sum, &e.Error,
		db.Time(&e.RequestedAt), db.NullTime(&e.StartedAt), db.NullTime(&e.FinishedAt), db.NullTime(&e.ExpiresAt))
	e.blobKey, e.SHA256 = key.String, sum.String
	if size.Valid {
		e.Size = &size.Int64
	}
	return e, err
}

func insertExport(ctx context.Context, tx *db.Tx, e Export) error {
	_, err := tx.Exec(ctx, `INSERT INTO exports (id, user_id, status, progress, requested_at) VALUES (?, ?, ?, ?, ?)`,
		e.ID, e.userID, string(e.Status), e.Progress, e.RequestedAt)
	return err
}

func activeExport(ctx context.Context, q db.Querier, userID string) (Export, error) {
	return scanExport(q.QueryRow(ctx, `SELECT `+exportCols+` FROM exports WHERE user_id = ? AND status IN ('queued', 'running')
		ORDER BY requested_at DESC, id DESC LIMIT 1`, userID))
}

func getExport(ctx context.Context, q db.Querier, userID, id string) (Export, error) {
	return scanExport(q.QueryRow(ctx, `SELECT `+exportCols+` FROM exports WHERE id = ? AND user_id = ?`, id, userID))
}

func getExportByID(ctx context.Context, q db.Querier, id string) (Export, error) {
	return scanExport(q.QueryRow(ctx, `SELECT `+exportCols+` FROM exports WHERE id = ?`, id))
}

func latestExport(ctx context.Context, q db.Querier, userID string) (Export, error) {
	return scanExport(q.QueryRow(ctx, `SELECT `+exportCols+` FROM exports WHERE user_id = ?
		ORDER BY requested_at DESC, id DESC LIMIT 1`, userID))
}

func oldestQueued(ctx context.Context, tx *db.Tx) (string, error) {
	var id string
	err := tx.QueryRow(ctx, `SELECT id FROM exports WHERE status = 'queued' ORDER BY requested_at, id LIMIT 1`).Scan(&id)
	return id, err
}

// claim moves a queued export to running; 0 rows: another instance took it.
func claim(ctx context.Context, tx *db.Tx, id string, now time.Time) (int64, error) {
	res, err := tx.Exec(ctx, `UPDATE exports SET status = 'running', started_at = ?, progress = 'starting' WHERE id = ? AND status = 'queued'`, now, id)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func setProgress(ctx context.Context, d *db.DB, id, progress string) error {
	_, err := d.Exec(ctx, `UPDATE exports SET progress = ? WHERE id = ? AND status = 'running'`, progress, id)
	return err
}

func requeue(ctx context.Context, d *db.DB, id string) error {
	_, err := d.Exec(ctx, `UPDATE exports SET status = 'queued', started_at = NULL, progress = 'waiting to start' WHERE id = ? AND status = 'running'`, id)
	return err
}

func markFailed(ctx context.Context, d *db.DB, id, msg string, now time.Time) error {
	_, err := d.Exec(ctx, `UPDATE exports SET status = 'failed', error = ?, progress = '', finished_at = ? WHERE id = ? AND status = 'running'`, msg, now, id)
	return err
}

func failStale(ctx context.Context, d *db.DB, startedBefore time.Time, msg string) error {
	_, err := d.Exec(ctx, `UPDATE exports SET status = 'failed', error = ?, progress = '', finished_at = started_at
		WHERE status = 'running' AND started_at < ?`, msg, startedBefore)
	return err
}

func markReady(ctx context.Context, d *db.DB, id, key string, size int64, sum string, now, expires time.Time) (int64, error) {
	res, err := d.Exec(ctx, `UPDATE exports SET status = 'ready', progress = '100%: ready', blob_key = ?, size = ?, sha256 = ?,
		finished_at = ?, expires_at = ? WHERE id = ? AND status = 'running'`, key, size, sum, now, expires, id)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func dueForExpiry(ctx context.Context, q db.Querier, now time.Time, limit int) ([]Export, error) {
	rows, err := q.Query(ctx, `SELECT `+exportCols+` FROM exports WHERE status = 'ready' AND expires_at <= ?
		ORDER BY expires_at, id LIMIT ?`, now, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Export
	for rows.Next() {
		e, err := scanExport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func markExpired(ctx context.Context, d *db.DB, id string) error {
	_, err := d.Exec(ctx, `UPDATE exports SET status = 'expired', blob_key = NULL, progress = '' WHERE id = ? AND status = 'ready'`, id)
	return err
}

// ---------------------------------------------------------------------------
// What the archive holds. These queries read other domains' tables directly
// (see the package comment); each is keyed by the person's user id. Large
// sections are read in pages by id (keyset: "AND x.id > ? ORDER BY x.id
// LIMIT ?", the last two arguments), so a page at a time is in memory.

const pageSize = 1000

// eachPage runs a keyset-paged query and calls each for every row, a page
// at a time; scan returns the row's value and its id (the next cursor).
func eachPage[T any](ctx context.Context, q db.Querier, query string, args []any, scan func(*sql.Rows) (T, string, error), each func(T) error) error {
	after := ""
	for {
		rows, err := q.Query(ctx, query, append(append([]any{}, args...), after, pageSize)...)
		if err != nil {
			return err
		}
		page := make([]T, 0, 64)
		for rows.Next() {
			v, id, err := scan(rows)
			if err != nil {
				rows.Close()
				return err
			}
			page = append(page, v)
			after = id
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return err
		}
		for _, v := range page {
			if err := each(v); err != nil {
				return err
			}
		}
		if len(page) < pageSize {
			return nil
		}
	}
}

// eachRow runs a query for a small section (a person's memberships,
// sessions, tokens …) and calls each per row.
func eachRow[T any](ctx context.Context, q db.Querier, query string, args []any, scan func(*sql.Rows) (T, error), each func(T) error) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return err
		}
		if err := each(v); err != nil {
			return err
		}
	}
	return rows.Err()
}

func readProfile(ctx context.Context, q db.Querier, userID string) (profile, error) {
	var p profile
	err := q.QueryRow(ctx, `SELECT id, email, name, company, job_title, site_admin, age_confirmed_at, created_at, updated_at, password_changed_at
		FROM users WHERE id = ?`, userID).Scan(&p.ID, &p.Email, &p.Name, &p.Company, &p.JobTitle, &p.SiteAdmin,
		db.Time(&p.AgeConfirmedAt), db.Time(&p.CreatedAt), db.Time(&p.UpdatedAt), db.Time(&p.PasswordChangedAt))
	return p, err
}

const qMemberships = `SELECT w.id, w.slug, w.name, m.role, m.created_at FROM memberships m JOIN workspaces w ON w.id = m.workspace_id
	WHERE m.user_id = ? ORDER BY w.slug`

func scanMembership(r *sql.Rows) (membership, error) {
	var m membership
	return m, r.Scan(&m.WorkspaceID, &m.Workspace, &m.WorkspaceName, &m.Role, db.Time(&m.JoinedAt))
}

const qTeams = `SELECT w.slug, t.slug, t.name, tm.created_at FROM team_members tm JOIN teams t ON t.id = tm.team_id
	JOIN workspaces w ON w.id = t.workspace_id WHERE tm.user_id = ? ORDER BY w.slug, t.slug`

func scanTeam(r *sql.Rows) (team, error) {
	var t team
	return t, r.Scan(&t.Workspace, &t.Team, &t.Name, db.Time(&t.JoinedAt))
}

// Sessions without their id (the hash of the cookie).
const qSessions = `SELECT created_at, last_seen_at, expires_at, ip, user_agent FROM sessions WHERE user_id = ? ORDER BY created_at`

func scanSession(r *sql.Rows) (session, error) {
	var s session
	return s, r.Scan(db.Time(&s.CreatedAt), db.Time(&s.LastSeenAt), db.Time(&s.ExpiresAt), &s.IP, &s.UserAgent)
}

// Tokens without token_hash.
const qTokens = `SELECT id, name, scopes, created_at, expires_at, last_used_at, revoked_at FROM tokens WHERE user_id = ? ORDER BY created_at, id`

func scanToken(r *sql.Rows) (token, error) {
	var t token
	var scopes string
	err := r.Scan(&t.ID, &t.Name, &scopes, db.Time(&t.CreatedAt), db.NullTime(&t.ExpiresAt), db.NullTime(&t.LastUsedAt), db.NullTime(&t.RevokedAt))
	t.Scopes = splitScopes(scopes)
	return t, err
}

// Events the person performed, with where from (uses audit_events_actor_id).
const qAuditPerformed = `SELECT e.id, w.slug, e.chain, e.seq, e.action, e.target_type, e.target_id, e.target_label, e.ip, e.user_agent, e.at
	FROM audit_events e LEFT JOIN workspaces w ON w.id = e.workspace_id
	WHERE e.actor_id = ? AND e.id > ? ORDER BY e.id LIMIT ?`

func scanAuditPerformed(r *sql.Rows) (auditEvent, string, error) {
	var e auditEvent
	var ws sql.NullString
	err := r.Scan(&e.ID, &ws, &e.Chain, &e.Seq, &e.Action, &e.TargetType, &e.TargetID, &e.TargetLabel, &e.IP, &e.UserAgent, db.Time(&e.At))
	e.Workspace = ws.String
	return e, e.ID, err
}

// Events others performed about the person (role changes, removals): the
// actor as a pseudonym, never their address or browser.
const qAuditAbout = `SELECT e.id, w.slug, e.actor_id, e.action, e.target_type, e.target_label, e.at
	FROM audit_events e LEFT JOIN workspaces w ON w.id = e.workspace_id
	WHERE e.target_type = 'user' AND e.target_id = ? AND (e.actor_id IS NULL OR e.actor_id <> ?) AND e.id > ? ORDER BY e.id LIMIT ?`

func scanAuditAbout(r *sql.Rows) (auditAbout, string, error) {
	var e auditAbout
	var ws, actor sql.NullString
	err := r.Scan(&e.ID, &ws, &actor, &e.Action, &e.TargetType, &e.TargetLabel, db.Time(&e.At))
	e.Workspace, e.Actor = ws.String, actor.String
	return e, e.ID, err
}

// Projects, releases and documents are listed with their current text only
// in workspaces the person is still in (others may have rewritten them since
// they left); what they wrote themselves is in the document versions.
const qProjects = `SELECT p.id, w.slug, p.key, p.name, p.description, p.created_at FROM projects p JOIN workspaces w ON w.id = p.workspace_id
	JOIN memberships mm ON mm.workspace_id = w.id AND mm.user_id = ?
	WHERE p.created_by = ? AND p.id > ? ORDER BY p.id LIMIT ?`

func scanProject(r *sql.Rows) (projectRow, string, error) {
	var p projectRow
	err := r.Scan(&p.ID, &p.Workspace, &p.Key, &p.Name, &p.Description, db.Time(&p.CreatedAt))
	return p, p.ID, err
}

const qReleases = `SELECT r.id, w.slug, p.key, r.version, r.name, r.description, r.status, r.created_at
	FROM releases r JOIN projects p ON p.id = r.project_id JOIN workspaces w ON w.id = p.workspace_id
	JOIN memberships mm ON mm.workspace_id = w.id AND mm.user_id = ?
	WHERE r.created_by = ? AND r.id > ? ORDER BY r.id LIMIT ?`

func scanRelease(r *sql.Rows) (releaseRow, string, error) {
	var x releaseRow
	err := r.Scan(&x.ID, &x.Workspace, &x.Project, &x.Version, &x.Name, &x.Description, &x.Status, db.Time(&x.CreatedAt))
	return x, x.ID, err
}

const qTransitions = `SELECT t.id, w.slug, p.key, r.version, t.from_status, t.to_status, t.reason, t.at
	FROM release_transitions t JOIN releases r ON r.id = t.release_id JOIN projects p ON p.id = r.project_id JOIN workspaces w ON w.id = p.workspace_id
	WHERE t.actor_id = ? AND t.id > ? ORDER BY t.id LIMIT ?`

func scanTransition(r *sql.Rows) (transitionRow, string, error) {
	var x transitionRow
	var id string
	err := r.Scan(&id, &x.Workspace, &x.Project, &x.Version, &x.From, &x.To, &x.Reason, db.Time(&x.At))
	return x, id, err
}

// Documents the person created or changed last, in workspaces they are
// still in and that they may still see (the rule of doc.Visible, in SQL:
// not owners-only, or theirs, or they are an admin, or an owner of it).
const qDocuments = `SELECT d.id, w.slug, p.key, d.type, d.title, d.visibility, d.current_version, d.created_by, d.updated_by, d.created_at, d.updated_at
	FROM documents d JOIN workspaces w ON w.id = d.workspace_id LEFT JOIN projects p ON p.id = d.project_id
	JOIN memberships mm ON mm.workspace_id = w.id AND mm.user_id = ?
	WHERE (d.created_by = ? OR d.updated_by = ?)
	AND (d.visibility <> 'owners' OR d.created_by = mm.user_id OR mm.role IN ('owner', 'admin') OR EXISTS (SELECT 1 FROM owners o
		WHERE o.target_type = 'document' AND o.target_id = d.id AND ((o.owner_kind = 'user' AND o.owner_id = mm.user_id)
		OR (o.owner_kind = 'team' AND o.owner_id IN (SELECT tm.team_id FROM team_members tm WHERE tm.user_id = mm.user_id)))))
	AND d.id > ? ORDER BY d.id LIMIT ?`

func scanDocument(userID string) func(r *sql.Rows) (documentRow, string, error) {
	return func(r *sql.Rows) (documentRow, string, error) {
		var x documentRow
		var project, createdBy, updatedBy sql.NullString
		err := r.Scan(&x.ID, &x.Workspace, &project, &x.Type, &x.Title, &x.Visibility, &x.CurrentVersion, &createdBy, &updatedBy,
			db.Time(&x.CreatedAt), db.Time(&x.UpdatedAt))
		x.Project, x.YouCreated, x.YouChangedLast = project.String, createdBy.String == userID, updatedBy.String == userID
		return x, x.ID, err
	}
}

// Versions the person wrote: title and body.
const qVersions = `SELECT v.id, v.document_id, v.version, v.title, v.body, v.created_at FROM document_versions v
	WHERE v.author_id = ? AND v.id > ? ORDER BY v.id LIMIT ?`

func scanVersion(r *sql.Rows) (versionRow, string, error) {
	var x versionRow
	var id string
	err := r.Scan(&id, &x.DocumentID, &x.Version, &x.Title, &x.Body, db.Time(&x.CreatedAt))
	return x, id, err
}

// Release files the person uploaded; member says whether they still belong
// to the workspace (only then are the bytes in the archive).
const qReleaseFiles = `SELECT f.id, f.blob_key, w.slug, p.key, r.version, f.name, f.size, f.sha256, f.content_type, f.uploaded_at, m.user_id
	FROM release_files f JOIN releases r ON r.id = f.release_id JOIN projects p ON p.id = r.project_id JOIN workspaces w ON w.id = p.workspace_id
	LEFT JOIN memberships m ON m.workspace_id = w.id AND m.user_id = f.uploaded_by
	WHERE f.uploaded_by = ? AND f.id > ? ORDER BY f.id LIMIT ?`

func scanReleaseFile(r *sql.Rows) (fileRow, string, error) {
	var x fileRow
	var member sql.NullString
	err := r.Scan(&x.id, &x.blobKey, &x.Workspace, &x.Project, &x.Version, &x.Name, &x.Size, &x.SHA256, &x.ContentType, db.Time(&x.UploadedAt), &member)
	x.member = member.Valid
	x.ArchivePath = x.archivePath()
	return x, x.id, err
}

const qDocumentFiles = `SELECT f.id, f.blob_key, w.slug, p.key, d.id, f.name, f.size, f.sha256, f.content_type, f.uploaded_at, m.user_id
	FROM document_files f JOIN documents d ON d.id = f.document_id JOIN workspaces w ON w.id = d.workspace_id
	LEFT JOIN projects p ON p.id = d.project_id
	LEFT JOIN memberships m ON m.workspace_id = w.id AND m.user_id = f.uploaded_by
	WHERE f.uploaded_by = ? AND f.id > ? ORDER BY f.id LIMIT ?`

func scanDocumentFile(r *sql.Rows) (fileRow, string, error) {
	var x fileRow
	var member, project sql.NullString
	err := r.Scan(&x.id, &x.blobKey, &x.Workspace, &project, &x.DocumentID, &x.Name, &x.Size, &x.SHA256, &x.ContentType, db.Time(&x.UploadedAt), &member)
	x.Project, x.member = project.String, member.Valid
	x.ArchivePath = x.archivePath()
	return x, x.id, err
}

const qOwnershipPolicies = `SELECT w.slug, o.require_accountable, o.updated_at FROM ownership_policies o JOIN workspaces w ON w.id = o.workspace_id
	WHERE o.updated_by = ? ORDER BY w.slug`

func scanOwnershipPolicy(r *sql.Rows) (ownershipPolicyRow, error) {
	var x ownershipPolicyRow
	return x, r.Scan(&x.Workspace, &x.RequireAccountable, db.Time(&x.UpdatedAt))
}

const qPoliciesPublished = `SELECT version, changelog, material, published_at FROM privacy_policies WHERE published_by = ? ORDER BY version`

func scanPolicyPublished(r *sql.Rows) (policyPublishedRow, error) {
	var x policyPublishedRow
	return x, r.Scan(&x.Version, &x.Changelog, &x.Material, db.Time(&x.PublishedAt))
}

// Ownerships the person holds or assigned; a team owner by its name.
const qOwnerships = `SELECT w.slug, o.target_type, o.target_id, o.role, o.owner_kind, o.owner_id, t.name, o.assigned_by, o.assigned_at
	FROM owners o JOIN workspaces w ON w.id = o.workspace_id LEFT JOIN teams t ON o.owner_kind = 'team' AND t.id = o.owner_id
	WHERE (o.owner_kind = 'user' AND o.owner_id = ?) OR o.assigned_by = ?
	ORDER BY w.slug, o.target_type, o.target_id, o.role`

type ownershipScan struct {
	ownershipRow
	kind, ownerID, teamName, assignedBy string
}

func scanOwnership(r *sql.Rows) (ownershipScan, error) {
	var x ownershipScan
	var team, by sql.NullString
	err := r.Scan(&x.Workspace, &x.TargetType, &x.TargetID, &x.Role, &x.kind, &x.ownerID, &team, &by, db.Time(&x.AssignedAt))
	x.teamName, x.assignedBy = team.String, by.String
	return x, err
}

// Invitations to the person's address, and those they sent (the invitee's
// address is someone else's and stays out).
const qInvitations = `SELECT w.slug, i.email, i.role, i.created_by, i.created_at, i.expires_at, i.accepted_at, i.accepted_by, i.revoked_at
	FROM invitations i JOIN workspaces w ON w.id = i.workspace_id
	WHERE lower(i.email) = lower(CAST(? AS TEXT)) OR i.accepted_by = ? OR i.created_by = ? ORDER BY i.created_at, i.id`

type invitationScan struct {
	invitationRow
	email, createdBy, acceptedBy string
}

func scanInvitation(r *sql.Rows) (invitationScan, error) {
	var x invitationScan
	var by, acc sql.NullString
	err := r.Scan(&x.Workspace, &x.email, &x.Role, &by, db.Time(&x.CreatedAt), db.Time(&x.ExpiresAt), db.NullTime(&x.AcceptedAt), &acc, db.NullTime(&x.RevokedAt))
	x.createdBy, x.acceptedBy = by.String, acc.String
	return x, err
}

const qConsents = `SELECT purpose, granted, updated_at FROM consents WHERE user_id = ? ORDER BY purpose`

func scanConsent(r *sql.Rows) (consentChoice, error) {
	var x consentChoice
	var at time.Time
	err := r.Scan(&x.Purpose, &x.Granted, db.Time(&at))
	x.UpdatedAt = &at
	return x, err
}

const qConsentEvents = `SELECT id, purpose, granted, source, gpc, at FROM consent_events WHERE user_id = ? AND id > ? ORDER BY id LIMIT ?`

func scanConsentEvent(r *sql.Rows) (consentEvent, string, error) {
	var x consentEvent
	var id string
	err := r.Scan(&id, &x.Purpose, &x.Granted, &x.Source, &x.GPC, db.Time(&x.At))
	return x, id, err
}

const qPolicyAcceptances = `SELECT version, accepted_at FROM policy_acceptances WHERE user_id = ? ORDER BY version`

func scanAcceptance(r *sql.Rows) (acceptance, error) {
	var x acceptance
	return x, r.Scan(&x.Version, db.Time(&x.AcceptedAt))
}

func archiveKeys(ctx context.Context, q db.Querier, userID string) ([]string, error) {
	// The key of every export, ready or not: a build that stopped after
	// storage had the whole archive but before its row said so left the
	// object without a blob_key (the key is always exports/<id>.zip).
	rows, err := q.Query(ctx, `SELECT 'exports/' || id || '.zip' FROM exports WHERE user_id = ?`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}
