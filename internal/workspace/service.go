package workspace

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/db"
	"shipshape/internal/perm"
	"shipshape/internal/validate"
)

// InvitationTTL is how long an invitation link stays valid.
const InvitationTTL = 7 * 24 * time.Hour

// Service is the workspace domain's transaction and permission boundary.
type Service struct {
	DB  *db.DB
	Now func() time.Time
}

// Access resolves slug for userID: the workspace and the caller's role, or
// not_found when the caller is not a member (unless a site admin holds
// support access, see support.go). Other domains call it inside their own
// transactions.
func (s *Service) Access(ctx context.Context, q db.Querier, slug, userID string) (Access, error) {
	return s.findAccess(ctx, q, slug, userID)
}

// Create makes a workspace with the caller as owner.
func (s *Service) Create(ctx context.Context, actor audit.Actor, in CreateInput) (Workspace, error) {
	if err := in.validate(); err != nil {
		return Workspace{}, err
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	w := Workspace{ID: db.NewID(), Slug: in.Slug, Name: in.Name, CreatedAt: now, Role: perm.Owner}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO workspaces (id, slug, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			w.ID, w.Slug, w.Name, now, now); err != nil {
			return db.Conflict(err, "slug", "is already taken")
		}
		if err := insertMembership(ctx, tx, w.ID, actor.UserID, perm.Owner, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, now, audit.Entry{WorkspaceID: w.ID, Action: "workspace.create", TargetType: "workspace", TargetID: w.ID, TargetLabel: w.Slug})
	})
	return w, err
}

// List returns the caller's workspaces.
func (s *Service) List(ctx context.Context, userID string) ([]Workspace, error) {
	return listWorkspaces(ctx, s.DB, userID)
}

// Get returns one workspace with the caller's role.
func (s *Service) Get(ctx context.Context, userID, slug string) (Workspace, error) {
	a, err := s.findAccess(ctx, s.DB, slug, userID)
	if err != nil {
		return Workspace{}, err
	}
	w, err := findWorkspace(ctx, s.DB, a.WorkspaceID)
	w.Role = a.Role
	return w, err
}

// Rename changes the workspace's display name (owners).
func (s *Service) Rename(ctx context.Context, actor audit.Actor, slug, name string) (Workspace, error) {
	name = strings.TrimSpace(name)
	var w Workspace
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		a, err := s.authorize(ctx, tx, slug, actor.UserID, perm.UpdateWorkspace)
		if err != nil {
			return err
		}
		v := apperr.Validator{}
		validate.Text(v, "name", name, 1, 100)
		if err := v.Err(); err != nil {
			return err
		}
		now := s.Now()
		if _, err := tx.Exec(ctx, `UPDATE workspaces SET name = ?, updated_at = ? WHERE id = ?`, name, now, a.WorkspaceID); err != nil {
			return err
		}
		if w, err = findWorkspace(ctx, tx, a.WorkspaceID); err != nil {
			return err
		}
		w.Role = a.Role
		return audit.Record(ctx, tx, actor, now, audit.Entry{WorkspaceID: a.WorkspaceID, Action: "workspace.update", TargetType: "workspace", TargetID: w.ID, TargetLabel: w.Slug})
	})
	return w, err
}

// Members lists members; e-mail addresses only for those allowed to see them.
func (s *Service) Members(ctx context.Context, userID, slug string) ([]Member, Access, error) {
	a, err := s.findAccess(ctx, s.DB, slug, userID)
	if err != nil {
		return nil, a, err
	}
	ms, err := listMembers(ctx, s.DB, a.WorkspaceID)
	if err != nil {
		return nil, a, err
	}
	if !a.Can(perm.ViewMemberEmails) {
		for i := range ms {
			if ms[i].UserID != userID {
				ms[i].Email = ""
			}
		}
	}
	return ms, a, nil
}

// ChangeRole sets a member's role. Admins manage members below owner; only
// owners grant or take the owner role; the last owner cannot step down.
func (s *Service) ChangeRole(ctx context.Context, actor audit.Actor, slug, userID string, role perm.Role) (Member, error) {
	if !role.Valid() {
		return Member{}, apperr.Fields(map[string]string{"role": "must be owner, admin, member or viewer"})
	}
	var m Member
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		a, err := s.authorize(ctx, tx, slug, actor.UserID, perm.ManageMembers)
		if err != nil {
			return err
		}
		if m, err = findMember(ctx, tx, a.WorkspaceID, userID); err != nil {
			return err
		}
		if !a.mayTouch(m.Role, role) {
			return apperr.E(apperr.Forbidden, "only owners grant or change the owner role")
		}
		if m.Role == perm.Owner && role != perm.Owner {
			if err := s.keepAnOwner(ctx, tx, a.WorkspaceID); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE memberships SET role = ? WHERE workspace_id = ? AND user_id = ?`, role, a.WorkspaceID, userID); err != nil {
			return err
		}
		m.Role = role
		return audit.Record(ctx, tx, actor, s.Now(), audit.Entry{WorkspaceID: a.WorkspaceID, Action: "member.role_change",
			TargetType: "user", TargetID: userID, TargetLabel: string(role)})
	})
	return m, err
}

func (s *Service) keepAnOwner(ctx context.Context, tx *db.Tx, wsID string) error {
	// Two owners stepping down at once must not both see the other.
	if err := tx.Lock(ctx, "workspace.owners:"+wsID); err != nil {
		return err
	}
	n, err := countOwners(ctx, tx, wsID)
	if err != nil {
		return err
	}
	if n <= 1 {
		return apperr.E(apperr.Conflict, "a workspace needs at least one owner; make someone else owner first")
	}
	return nil
}

// RemoveMember removes a member (admins), or lets a member leave.
func (s *Service) RemoveMember(ctx context.Context, actor audit.Actor, slug, userID string) error {
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		a, err := s.findAccess(ctx, tx, slug, actor.UserID)
		if err != nil {
			return err
		}
		self := userID == actor.UserID
		if !self {
			if err := a.Require(perm.ManageMembers); err != nil {
				return err
			}
		}
		m, err := findMember(ctx, tx, a.WorkspaceID, userID)
		if err != nil {
			return err
		}
		if m.Role == perm.Owner {
			if !self && !a.mayTouch(m.Role, "") {
				return apperr.E(apperr.Forbidden, "only owners remove owners")
			}
			if err := s.keepAnOwner(ctx, tx, a.WorkspaceID); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM team_members WHERE user_id = ? AND team_id IN (SELECT id FROM teams WHERE workspace_id = ?)`, userID, a.WorkspaceID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM memberships WHERE workspace_id = ? AND user_id = ?`, a.WorkspaceID, userID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, s.Now(), audit.Entry{WorkspaceID: a.WorkspaceID, Action: "member.remove", TargetType: "user", TargetID: userID})
	})
}

// Invite creates an invitation and returns it with its one-time token.
func (s *Service) Invite(ctx context.Context, actor audit.Actor, slug, email string, role perm.Role) (Invitation, error) {
	email = strings.TrimSpace(email)
	v := apperr.Validator{}
	validate.Email(v, "email", email)
	v.Check(role.Valid(), "role", "must be owner, admin, member or viewer")
	if err := v.Err(); err != nil {
		return Invitation{}, err
	}
	token := "inv_" + db.RandomToken(24)
	now := s.Now().UTC().Truncate(time.Microsecond)
	inv := Invitation{ID: db.NewID(), Email: email, Role: role, CreatedAt: now, ExpiresAt: now.Add(InvitationTTL), Token: token}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		a, err := s.authorize(ctx, tx, slug, actor.UserID, perm.ManageMembers)
		if err != nil {
			return err
		}
		if role == perm.Owner && a.Role != perm.Owner {
			return apperr.E(apperr.Forbidden, "only owners invite owners")
		}
		var already int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.workspace_id = ? AND lower(u.email) = lower(?)`, a.WorkspaceID, email).Scan(&already); err != nil {
			return err
		}
		if already > 0 {
			return &apperr.Error{Code: apperr.Conflict, Message: "this person is already a member", Fields: map[string]string{"email": "is already a member"}}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO invitations (id, workspace_id, email, role, token_hash, created_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, inv.ID, a.WorkspaceID, email, role, db.HashSecret(token), actor.UserID, now, inv.ExpiresAt); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, now, audit.Entry{WorkspaceID: a.WorkspaceID, Action: "invitation.create",
			TargetType: "invitation", TargetID: inv.ID, TargetLabel: string(role)})
	})
	return inv, err
}

// Invitations lists pending invitations (member managers only).
func (s *Service) Invitations(ctx context.Context, userID, slug string) ([]Invitation, error) {
	a, err := s.authorize(ctx, s.DB, slug, userID, perm.ManageMembers)
	if err != nil {
		return nil, err
	}
	return listInvitations(ctx, s.DB, a.WorkspaceID, s.Now())
}

// RevokeInvitation withdraws a pending invitation.
func (s *Service) RevokeInvitation(ctx context.Context, actor audit.Actor, slug, id string) error {
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		a, err := s.authorize(ctx, tx, slug, actor.UserID, perm.ManageMembers)
		if err != nil {
			return err
		}
		now := s.Now()
		res, err := tx.Exec(ctx, `UPDATE invitations SET revoked_at = ? WHERE id = ? AND workspace_id = ? AND accepted_at IS NULL AND revoked_at IS NULL`, now, id, a.WorkspaceID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundf("invitation not found")
		}
		return audit.Record(ctx, tx, actor, now, audit.Entry{WorkspaceID: a.WorkspaceID, Action: "invitation.revoke", TargetType: "invitation", TargetID: id})
	})
}

func (s *Service) usableInvitation(ctx context.Context, q db.Querier, token string) (inviteRow, error) {
	r, err := findInvitationByHash(ctx, q, db.HashSecret(token))
	if err != nil {
		return r, err
	}
	if r.accepted != nil || r.revoked != nil || !s.Now().Before(r.expires) {
		return r, apperr.E(apperr.NotFound, "this invitation was used, withdrawn or has expired")
	}
	return r, nil
}

// InvitationInfo describes a token for the accept page (no sign-in needed).
func (s *Service) InvitationInfo(ctx context.Context, token string) (InvitationInfo, error) {
	r, err := s.usableInvitation(ctx, s.DB, token)
	if err != nil {
		return InvitationInfo{}, err
	}
	w, err := findWorkspace(ctx, s.DB, r.wsID)
	return InvitationInfo{WorkspaceName: w.Name, WorkspaceSlug: w.Slug, Email: r.email, Role: r.role, ExpiresAt: r.expires}, err
}

// CheckInvitation lets the account domain accept invitation sign-ups.
func (s *Service) CheckInvitation(ctx context.Context, q db.Querier, token, email string) error {
	r, err := s.usableInvitation(ctx, q, token)
	if apperr.Is(err, apperr.NotFound) {
		return apperr.Fields(map[string]string{"invitation": "was used, withdrawn or has expired; ask for a new one"})
	}
	if err != nil {
		return err
	}
	if !strings.EqualFold(r.email, email) {
		return apperr.Fields(map[string]string{"email": "use the e-mail address the invitation was sent to"})
	}
	return nil
}

// Accept adds the caller to the workspace with the invited role. The
// caller's account e-mail must match the invitation's.
func (s *Service) Accept(ctx context.Context, actor audit.Actor, email, token string) (Workspace, error) {
	var w Workspace
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		r, err := s.usableInvitation(ctx, tx, token)
		if err != nil {
			return err
		}
		if !strings.EqualFold(r.email, email) {
			return apperr.E(apperr.Forbidden, "this invitation was sent to another e-mail address")
		}
		if err := s.accept(ctx, tx, actor, r); err != nil {
			return err
		}
		if w, err = findWorkspace(ctx, tx, r.wsID); err != nil {
			return err
		}
		w.Role = r.role
		return nil
	})
	return w, err
}

// AcceptForSignup accepts an invitation for an account being created in
// tx (the account domain calls it from sign-up).
func (s *Service) AcceptForSignup(ctx context.Context, tx *db.Tx, actor audit.Actor, token, email string) error {
	if err := s.CheckInvitation(ctx, tx, token, email); err != nil {
		return err
	}
	r, err := s.usableInvitation(ctx, tx, token)
	if err != nil {
		return err
	}
	return s.accept(ctx, tx, actor, r)
}

// accept marks the invitation used and adds the actor as a member.
func (s *Service) accept(ctx context.Context, tx *db.Tx, actor audit.Actor, r inviteRow) error {
	now := s.Now()
	res, err := tx.Exec(ctx, `UPDATE invitations SET accepted_at = ?, accepted_by = ? WHERE id = ? AND accepted_at IS NULL`, now, actor.UserID, r.id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.E(apperr.NotFound, "this invitation was used, withdrawn or has expired")
	}
	if err := insertMembership(ctx, tx, r.wsID, actor.UserID, r.role, now); err != nil {
		if errors.Is(err, db.ErrUnique) {
			return apperr.E(apperr.Conflict, "you are already a member of this workspace")
		}
		return err
	}
	return audit.Record(ctx, tx, actor, now, audit.Entry{WorkspaceID: r.wsID, Action: "invitation.accept",
		TargetType: "invitation", TargetID: r.id, TargetLabel: string(r.role)})
}

// Teams lists teams with their members.
func (s *Service) Teams(ctx context.Context, userID, slug string) ([]Team, error) {
	a, err := s.findAccess(ctx, s.DB, slug, userID)
	if err != nil {
		return nil, err
	}
	return listTeams(ctx, s.DB, a.WorkspaceID)
}

// CreateTeam makes a team.
func (s *Service) CreateTeam(ctx context.Context, actor audit.Actor, slug string, in TeamInput) (Team, error) {
	if err := in.validate(); err != nil {
		return Team{}, err
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	t := Team{ID: db.NewID(), Slug: in.Slug, Name: in.Name, CreatedAt: now, Members: []TeamMember{}}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		a, err := s.authorize(ctx, tx, slug, actor.UserID, perm.ManageTeams)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO teams (id, workspace_id, slug, name, created_at) VALUES (?, ?, ?, ?, ?)`,
			t.ID, a.WorkspaceID, t.Slug, t.Name, now); err != nil {
			return db.Conflict(err, "slug", "is already taken")
		}
		return audit.Record(ctx, tx, actor, now, audit.Entry{WorkspaceID: a.WorkspaceID, Action: "team.create", TargetType: "team", TargetID: t.ID, TargetLabel: t.Slug})
	})
	return t, err
}

// DeleteTeam removes a team (not its members' memberships).
func (s *Service) DeleteTeam(ctx context.Context, actor audit.Actor, slug, team string) error {
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		a, err := s.authorize(ctx, tx, slug, actor.UserID, perm.ManageTeams)
		if err != nil {
			return err
		}
		t, err := findTeam(ctx, tx, a.WorkspaceID, team)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM teams WHERE id = ?`, t.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, s.Now(), audit.Entry{WorkspaceID: a.WorkspaceID, Action: "team.delete", TargetType: "team", TargetID: t.ID, TargetLabel: t.Slug})
	})
}

// SetTeamMember adds (add=true) or removes a workspace member to/from a team.
func (s *Service) SetTeamMember(ctx context.Context, actor audit.Actor, slug, team, userID string, add bool) error {
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		a, err := s.authorize(ctx, tx, slug, actor.UserID, perm.ManageTeams)
		if err != nil {
			return err
		}
		t, err := findTeam(ctx, tx, a.WorkspaceID, team)
		if err != nil {
			return err
		}
		if _, err := findMember(ctx, tx, a.WorkspaceID, userID); err != nil {
			return err
		}
		now := s.Now()
		action := "team.member_add"
		var res sql.Result
		if add {
			res, err = tx.Exec(ctx, `INSERT INTO team_members (team_id, user_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, t.ID, userID, now)
		} else {
			action = "team.member_remove"
			res, err = tx.Exec(ctx, `DELETE FROM team_members WHERE team_id = ? AND user_id = ?`, t.ID, userID)
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // already so: nothing changed, nothing to record
		}
		// The event is about the person; the label names the team.
		return audit.Record(ctx, tx, actor, now, audit.Entry{WorkspaceID: a.WorkspaceID, Action: action, TargetType: "user", TargetID: userID, TargetLabel: t.Slug})
	})
}

// Audit lists the workspace's activity. Client IP and user agent are blanked
// for roles that may not see them.
func (s *Service) Audit(ctx context.Context, userID, slug string, f audit.Filter) (audit.Page, error) {
	a, err := s.authorize(ctx, s.DB, slug, userID, perm.ViewAudit)
	if err != nil {
		return audit.Page{}, err
	}
	p, err := audit.List(ctx, s.DB, a.WorkspaceID, f)
	if err != nil || a.Can(perm.ViewAuditDetails) {
		return p, err
	}
	for i := range p.Items {
		p.Items[i].IP, p.Items[i].UserAgent = "", ""
	}
	return p, nil
}

// VerifyAudit checks the workspace's hash chain.
func (s *Service) VerifyAudit(ctx context.Context, userID, slug string) (audit.Verification, error) {
	a, err := s.authorize(ctx, s.DB, slug, userID, perm.VerifyAudit)
	if err != nil {
		return audit.Verification{}, err
	}
	var v audit.Verification
	err = s.DB.ReadTx(ctx, func(q db.Querier) error {
		v, err = audit.Verify(ctx, q, a.WorkspaceID)
		return err
	})
	return v, err
}

// BumpDataVersion marks the workspace's project data as changed; domains
// call it inside the transaction that makes the change.
func BumpDataVersion(ctx context.Context, tx *db.Tx, workspaceID string) error {
	_, err := tx.Exec(ctx, `UPDATE workspaces SET data_version = data_version + 1 WHERE id = ?`, workspaceID)
	return err
}

// authorize resolves the caller's membership and checks that their role
// allows action: not a member → not_found, not allowed → forbidden.
func (s *Service) authorize(ctx context.Context, q db.Querier, slug, userID string, action perm.Action) (Access, error) {
	a, err := s.findAccess(ctx, q, slug, userID)
	if err != nil {
		return a, err
	}
	return a, a.Require(action)
}

// ChainReport is the verification of one audit chain, for operators.
type ChainReport struct {
	Label string // workspace slug, or "(site)"
	audit.Verification
}

// VerifyAllAudit verifies the site chain and every workspace's chain, or
// only the workspace slug when given. It is for operators (the CLI), who
// reach the database directly anyway; no workspace role is checked.
func (s *Service) VerifyAllAudit(ctx context.Context, only string) ([]ChainReport, error) {
	type chain struct{ id, label string }
	var chains []chain
	if only == "" {
		chains = append(chains, chain{"", "(site)"})
	}
	rows, err := s.DB.Query(ctx, `SELECT id, slug FROM workspaces ORDER BY slug`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var c chain
		if err := rows.Scan(&c.id, &c.label); err != nil {
			rows.Close()
			return nil, err
		}
		if only == "" || only == c.label {
			chains = append(chains, c)
		}
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, err
	}
	if only != "" && len(chains) == 0 {
		return nil, apperr.NotFoundf("no workspace %q", only)
	}
	out := make([]ChainReport, 0, len(chains))
	for _, c := range chains {
		var v audit.Verification
		err := s.DB.ReadTx(ctx, func(q db.Querier) error {
			var err error
			v, err = audit.Verify(ctx, q, c.id)
			return err
		})
		if err != nil {
			return nil, err
		}
		out = append(out, ChainReport{Label: c.label, Verification: v})
	}
	return out, nil
}
