package consent

import (
	"context"
	"strconv"
	"time"

	"shipshape/internal/audit"
	"shipshape/internal/db"
)

// Service is the consent domain's transaction boundary. A person manages
// only their own choices: every method takes the caller's user id.
type Service struct {
	DB  *db.DB
	Now func() time.Time
}

// Preferences returns the caller's choices and, given whether this request
// carries a privacy signal, what applies to it.
func (s *Service) Preferences(ctx context.Context, userID string, gpc bool) (Preferences, error) {
	pr, err := readChoices(ctx, s.DB, userID)
	pr.finish(gpc)
	return pr, err
}

// Set changes the caller's choices. Each change (a value that differs from
// the current one) is written with a ledger entry and an audit event in one
// transaction; setting a choice to what it already is records nothing.
func (s *Service) Set(ctx context.Context, actor audit.Actor, p Patch, src Source, gpc bool) (Preferences, error) {
	now := s.Now().UTC().Truncate(time.Microsecond)
	var pr Preferences
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if pr, err = readChoices(ctx, tx, actor.UserID); err != nil {
			return err
		}
		changes := p.changes()
		for _, purpose := range purposes { // a fixed order: the ledger reads the same every time
			granted, ok := changes[purpose]
			if !ok || pr.Get(purpose) == granted {
				continue
			}
			pr.set(purpose, granted)
			if err := writeChoice(ctx, tx, actor.UserID, purpose, granted, now); err != nil {
				return err
			}
			e := Event{ID: db.NewID(), Purpose: purpose, Granted: granted, Source: src, GPC: gpc, At: now}
			if err := insertEvent(ctx, tx, actor.UserID, e); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx, actor, now, audit.Entry{Action: "consent.change", TargetType: "user", TargetID: actor.UserID,
				TargetLabel: string(purpose) + "=" + strconv.FormatBool(granted)}); err != nil {
				return err
			}
		}
		return nil
	})
	pr.finish(gpc)
	return pr, err
}

// Ledger returns the caller's consent history, newest first (at most 500
// entries; the export carries all of them).
func (s *Service) Ledger(ctx context.Context, userID string) ([]Event, error) {
	return listEvents(ctx, s.DB, userID, 500)
}
