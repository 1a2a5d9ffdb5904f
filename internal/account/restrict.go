package account

import (
	"context"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/db"
)

// Restriction of processing (GDPR Art. 18). While a person's account is
// restricted, Shipshape keeps their data and shows it to them but uses it
// for nothing else: no product or marketing e-mails and no analytics
// (internal/consent reports every purpose off), and nothing of theirs goes
// to a third party. Search never indexes people, so it has nothing to
// leave out; what they wrote in shared workspaces stays there.
//
// Only the person lifts their restriction, and the page that lifts it says
// first what will resume — they are told before it is lifted.

// Restrict restricts the processing of the caller's data.
func (s *Service) Restrict(ctx context.Context, actor audit.Actor, p Principal) (User, error) {
	return s.setRestricted(ctx, actor, p, true)
}

// LiftRestriction lifts the caller's restriction.
func (s *Service) LiftRestriction(ctx context.Context, actor audit.Actor, p Principal) (User, error) {
	return s.setRestricted(ctx, actor, p, false)
}

func (s *Service) setRestricted(ctx context.Context, actor audit.Actor, p Principal, on bool) (User, error) {
	now := s.Now().UTC().Truncate(time.Microsecond)
	var u User
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var at any
		action, cond := "user.restriction_lift", `restricted_at IS NOT NULL`
		if on {
			at, action, cond = now, "user.restrict", `restricted_at IS NULL`
		}
		res, err := tx.Exec(ctx, `UPDATE users SET restricted_at = ? WHERE id = ? AND `+cond, at, p.User.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if on {
				return apperr.E(apperr.Conflict, "processing is already restricted")
			}
			return apperr.E(apperr.Conflict, "processing is not restricted")
		}
		if err := audit.Record(ctx, tx, actor, now, audit.Entry{Action: action, TargetType: "user", TargetID: p.User.ID}); err != nil {
			return err
		}
		u, err = findUser(ctx, tx, p.User.ID)
		return err
	})
	return u, err
}
