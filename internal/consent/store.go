package consent

import (
	"context"
	"fmt"
	"time"

	"shipshape/internal/db"
)

// readChoices reads a person's stored choices over the defaults.
func readChoices(ctx context.Context, q db.Querier, userID string) (Preferences, error) {
	var pr Preferences
	for _, p := range purposes {
		pr.set(p, p.Default())
	}
	// A restriction of processing (kept on the account) turns every
	// purpose off while it lasts.
	var restricted *time.Time
	if err := q.QueryRow(ctx, `SELECT restricted_at FROM users WHERE id = ?`, userID).Scan(db.NullTime(&restricted)); err != nil {
		return pr, fmt.Errorf("consents: %w", err)
	}
	pr.Restricted = restricted != nil
	rows, err := q.Query(ctx, `SELECT purpose, granted FROM consents WHERE user_id = ?`, userID)
	if err != nil {
		return pr, fmt.Errorf("consents: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p Purpose
		var granted bool
		if err := rows.Scan(&p, &granted); err != nil {
			return pr, err
		}
		pr.set(p, granted)
	}
	return pr, rows.Err()
}

func writeChoice(ctx context.Context, tx *db.Tx, userID string, p Purpose, granted bool, at time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO consents (user_id, purpose, granted, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id, purpose) DO UPDATE SET granted = excluded.granted, updated_at = excluded.updated_at`,
		userID, string(p), granted, at)
	return err
}

func insertEvent(ctx context.Context, tx *db.Tx, userID string, e Event) error {
	_, err := tx.Exec(ctx, `INSERT INTO consent_events (id, user_id, purpose, granted, source, gpc, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		e.ID, userID, string(e.Purpose), e.Granted, string(e.Source), e.GPC, e.At)
	return err
}

// listEvents reads a person's ledger, newest first.
func listEvents(ctx context.Context, q db.Querier, userID string, limit int) ([]Event, error) {
	rows, err := q.Query(ctx, `SELECT id, purpose, granted, source, gpc, at FROM consent_events WHERE user_id = ?
		ORDER BY at DESC, id DESC LIMIT ?`, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("consent ledger: %w", err)
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.ID, &e.Purpose, &e.Granted, &e.Source, &e.GPC, db.Time(&e.At)); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// EraseUser removes a person's choices and their ledger (account erasure:
// the proof of consent goes with the person it was about).
func EraseUser(ctx context.Context, tx *db.Tx, userID string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM consent_events WHERE user_id = ?`, userID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `DELETE FROM consents WHERE user_id = ?`, userID)
	return err
}
