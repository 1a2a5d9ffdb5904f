package account

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/blob"
	"shipshape/internal/db"
)

// Account erasure.
//
// A person asks to delete their account with their password; the account
// is then scheduled for erasure after a grace period (DeletionGrace, 7 days
// by default) during which they can cancel. A person who is the only owner
// of a workspace must hand it over first. When the time comes, the erasure
// job (EraseDue) turns the account into a per-user tombstone in one
// transaction:
//
//   - the users row keeps its id but loses everything that identifies: the
//     name becomes "Former member 7f3a" (4 hex digits of a hash of the id),
//     the e-mail an undeliverable placeholder, no password, no profile;
//   - sessions, tokens, memberships, team memberships, login counters and
//     the invitations sent to their address go; the IP address and browser
//     of their audit events are blanked (the chain covers only their hash);
//   - every other domain removes what it keeps about the person through an
//     Eraser (consents, policy acknowledgements, export archives…);
//   - what they wrote in shared workspaces stays, attributed to the
//     tombstone, and the audit trail keeps the tombstone's id.
//
// The deletion ledger records each erased subject twice: in the erasures
// table and as an object in file storage (ledgerPrefix), outside the
// database, so that restoring an older database backup can re-apply every
// erasure (ReapplyErasures; `shipshape restore` calls it).

// Eraser removes what a domain keeps about userID, inside the erasure's
// transaction (file objects: delete them with tx.AfterCommit).
type Eraser func(ctx context.Context, tx *db.Tx, userID string) error

// DefaultDeletionGrace is how long a scheduled deletion waits.
const DefaultDeletionGrace = 7 * 24 * time.Hour

// ledgerPrefix is where the deletion ledger lives in file storage.
const ledgerPrefix = "privacy/erasures/"

// Erasure is one entry of the deletion ledger.
type Erasure struct {
	SubjectID string    `json:"subject_id"`
	Tombstone string    `json:"tombstone"`
	ErasedAt  time.Time `json:"erased_at"`
}

// DeleteInput confirms a deletion request.
type DeleteInput struct {
	Password string `json:"password"`
}

// DeletionScheduled answers a deletion request.
type DeletionScheduled struct {
	ScheduledFor time.Time `json:"scheduled_for"`
}

// Grace is how long a scheduled deletion waits now: the retention
// policy's "deleted accounts" period when GraceFrom is set, else
// DeletionGrace, else DefaultDeletionGrace.
func (s *Service) Grace(ctx context.Context) time.Duration {
	if s.GraceFrom != nil {
		if d, err := s.GraceFrom(ctx); err == nil && d > 0 {
			return d
		} else if err != nil {
			s.Log.Warn("deletion grace from the retention policy", "err", err)
		}
	}
	if s.DeletionGrace > 0 {
		return s.DeletionGrace
	}
	return DefaultDeletionGrace
}

// Tombstone is the name an erased account is shown by: per person, so
// that two former members stay apart, and saying nothing about who it was.
func Tombstone(userID string) string {
	sum := sha256.Sum256([]byte("tombstone:" + userID))
	return "Former member " + hex.EncodeToString(sum[:2])
}

// ScheduleDeletion schedules the erasure of the caller's account after the
// grace period. The password confirms it is them.
func (s *Service) ScheduleDeletion(ctx context.Context, actor audit.Actor, p Principal, in DeleteInput) (DeletionScheduled, error) {
	if _, err := s.verifyCredentials(ctx, actor, p.User.Email, in.Password); err != nil {
		if apperr.Is(err, apperr.Unauthenticated) || apperr.Is(err, apperr.Invalid) {
			return DeletionScheduled{}, apperr.Fields(map[string]string{"password": "is not correct"})
		}
		return DeletionScheduled{}, err
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	at := now.Add(s.Grace(ctx))
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := refuseSoleOwner(ctx, tx, p.User.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET deletion_scheduled_for = ? WHERE id = ? AND erased_at IS NULL`, at, p.User.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, now, audit.Entry{Action: "user.deletion_schedule", TargetType: "user", TargetID: p.User.ID,
			TargetLabel: db.FormatTime(at)})
	})
	return DeletionScheduled{ScheduledFor: at}, err
}

// CancelDeletion cancels the caller's scheduled deletion.
func (s *Service) CancelDeletion(ctx context.Context, actor audit.Actor, p Principal) error {
	now := s.Now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE users SET deletion_scheduled_for = NULL WHERE id = ? AND deletion_scheduled_for IS NOT NULL`, p.User.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.E(apperr.Conflict, "no deletion is scheduled")
		}
		return audit.Record(ctx, tx, actor, now, audit.Entry{Action: "user.deletion_cancel", TargetType: "user", TargetID: p.User.ID})
	})
}

// refuseSoleOwner fails when the user is the only owner of a workspace:
// erasing them would leave it without anyone able to manage it.
func refuseSoleOwner(ctx context.Context, q db.Querier, userID string) error {
	names, err := soleOwnerOf(ctx, q, userID)
	if err != nil || len(names) == 0 {
		return err
	}
	return apperr.E(apperr.Conflict, "you are the only owner of %s: make someone else an owner (or delete the workspace) first",
		strings.Join(names, ", "))
}

// EraseDue erases every account whose grace period has ended (the erasure
// job). An account whose owner became the only owner of a workspace in the
// meantime waits, and the job says so in the log.
func (s *Service) EraseDue(ctx context.Context, now time.Time) error {
	ids, err := dueDeletions(ctx, s.DB, now)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		if err := s.erase(ctx, id, now, false); err != nil {
			if apperr.Is(err, apperr.Conflict) {
				s.Log.Warn("account erasure waits", "user", id, "reason", err)
				continue
			}
			errs = append(errs, fmt.Errorf("erase %s: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

// erase turns the account into its tombstone (see the comment at the top
// of this file). force skips the sole-owner check: re-applying the ledger
// after a restore must erase whoever was erased.
func (s *Service) erase(ctx context.Context, userID string, now time.Time, force bool) error {
	now = now.UTC().Truncate(time.Microsecond)
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := tx.Lock(ctx, "erase:"+userID); err != nil {
			return err
		}
		email, erased, err := erasureState(ctx, tx, userID)
		if err != nil || erased {
			return err
		}
		if !force {
			if err := refuseSoleOwner(ctx, tx, userID); err != nil {
				return err
			}
		}
		e := Erasure{SubjectID: userID, Tombstone: Tombstone(userID), ErasedAt: now}
		if err := eraseAccount(ctx, tx, userID, email, e); err != nil {
			return err
		}
		for _, erase := range s.Erasers {
			if err := erase(ctx, tx, userID); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, audit.Actor{}, now, audit.Entry{Action: "user.erase", TargetType: "user", TargetID: userID, TargetLabel: e.Tombstone}); err != nil {
			return err
		}
		// The ledger entry outside the database is written before the
		// commit: if it cannot be written the erasure is retried; if the
		// commit then fails, re-applying the ledger erases an account whose
		// erasure was due anyway.
		return s.writeLedger(ctx, e)
	})
}

func (s *Service) writeLedger(ctx context.Context, e Erasure) error {
	if s.Blobs == nil {
		return errors.New("account: no file storage for the deletion ledger")
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = s.Blobs.Put(ctx, ledgerPrefix+e.SubjectID+".json", bytes.NewReader(b), int64(len(b)))
	return err
}

// Ledger lists the deletion ledger kept in file storage.
func (s *Service) Ledger(ctx context.Context) ([]Erasure, error) {
	var out []Erasure
	for info, err := range s.Blobs.List(ctx, ledgerPrefix) {
		if err != nil {
			return nil, err
		}
		e, err := readLedgerEntry(ctx, s.Blobs, info.Key)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func readLedgerEntry(ctx context.Context, b blob.Store, key string) (Erasure, error) {
	r, err := b.Open(ctx, key)
	if err != nil {
		return Erasure{}, err
	}
	defer r.Close()
	var e Erasure
	data, err := io.ReadAll(io.LimitReader(r, 4096))
	if err == nil {
		err = json.Unmarshal(data, &e)
	}
	if err == nil && e.SubjectID == "" {
		err = errors.New("no subject id")
	}
	if err != nil {
		return Erasure{}, fmt.Errorf("deletion ledger %s: %w", key, err)
	}
	return e, nil
}

// ReapplyErasures erases again every account in the deletion ledger that
// the database does not show as erased — after restoring an older backup.
// It returns how many accounts it erased.
func (s *Service) ReapplyErasures(ctx context.Context) (int, error) {
	ledger, err := s.Ledger(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range ledger {
		_, erased, err := erasureState(ctx, s.DB, e.SubjectID)
		if apperr.Is(err, apperr.NotFound) || (err == nil && erased) {
			continue // never existed in this backup, or already erased
		}
		if err != nil {
			return n, err
		}
		if err := s.erase(ctx, e.SubjectID, e.ErasedAt, true); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
