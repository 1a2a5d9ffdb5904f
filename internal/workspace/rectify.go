package workspace

import (
	"context"
	"strings"

	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/db"
	"shipshape/internal/perm"
	"shipshape/internal/validate"
)

// NameInput corrects a member's name.
type NameInput struct {
	Name string `json:"name"`
}

// CorrectName lets a workspace's admins correct the name of one of its
// members (rectification on the person's behalf: a misspelt name, a name
// they changed). The name is the person's account name, so it changes
// everywhere they appear; the audit event names only who did it and whose
// name, never the name itself. Only owners correct owners' names.
func (s *Service) CorrectName(ctx context.Context, actor audit.Actor, slug, userID string, in NameInput) (Member, error) {
	name := strings.TrimSpace(in.Name)
	v := apperr.Validator{}
	validate.Text(v, "name", name, 1, 100)
	if err := v.Err(); err != nil {
		return Member{}, err
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
		if !a.mayTouch(m.Role, m.Role) {
			return apperr.E(apperr.Forbidden, "only owners correct an owner's name")
		}
		now := s.Now().UTC()
		if _, err := tx.Exec(ctx, `UPDATE users SET name = ?, updated_at = ? WHERE id = ? AND erased_at IS NULL`, name, now, userID); err != nil {
			return err
		}
		m.Name = name
		return audit.Record(ctx, tx, actor, now, audit.Entry{WorkspaceID: a.WorkspaceID, Action: "member.rename", TargetType: "user", TargetID: userID})
	})
	return m, err
}
