package account

import (
	"context"
	"strings"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/db"
)

// The privacy-request desk (internal/privreq) fulfils an erasure request
// for a person whose identity a site admin verified: without their
// password, through the same schedule column and erase path as the
// self-service deletion in erase.go.

// ScheduleDeletionFor schedules the erasure of userID's account after
// grace (DeletionGrace when 0), for a site admin handling a verified
// erasure request. The sole-owner rule of self-service applies. The event
// is recorded with the admin as actor.
func (s *Service) ScheduleDeletionFor(ctx context.Context, actor audit.Actor, userID string, grace time.Duration) (DeletionScheduled, error) {
	if grace <= 0 {
		grace = s.Grace(ctx)
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	at := now.Add(grace)
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, erased, err := erasureState(ctx, tx, userID); err != nil {
			return err
		} else if erased {
			return apperr.E(apperr.Conflict, "the account is already erased")
		}
		if names, err := soleOwnerOf(ctx, tx, userID); err != nil {
			return err
		} else if len(names) > 0 {
			return apperr.E(apperr.Conflict, "the person is the only owner of %s: another owner must be added (or the workspace deleted) first",
				strings.Join(names, ", "))
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET deletion_scheduled_for = ? WHERE id = ? AND erased_at IS NULL`, at, userID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, now, audit.Entry{Action: "user.deletion_schedule", TargetType: "user", TargetID: userID,
			TargetLabel: db.FormatTime(at)})
	})
	if err != nil {
		return DeletionScheduled{}, err
	}
	return DeletionScheduled{ScheduledFor: at}, nil
}

// EraseNow erases userID's account at once (a site admin's choice for a
// verified erasure request), through the same path as the erasure job: the
// sole-owner rule applies, and an account already erased is left as it is.
func (s *Service) EraseNow(ctx context.Context, userID string) error {
	return s.erase(ctx, userID, s.Now(), false)
}
