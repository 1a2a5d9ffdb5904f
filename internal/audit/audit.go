// Package audit records every mutation in the same transaction as the
// mutation itself, hash-chained per workspace so that an edited or deleted
// event is detected by Verify.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"shipshape/internal/db"
	"shipshape/internal/validate"
)

// SiteChain is the chain for events outside any workspace (accounts, tokens).
const SiteChain = "site"

// Actor is who performs a mutation and from where.
type Actor struct {
	UserID    string
	IP        string
	UserAgent string
}

// Entry describes one mutation to record.
type Entry struct {
	WorkspaceID string // "" for site-level events
	Action      string // e.g. "project.create"
	TargetType  string // e.g. "project"
	TargetID    string
	TargetLabel string // human label at the time, e.g. "PAY"
}

// Event is a stored audit event.
type Event struct {
	ID          string    `json:"id"`
	Seq         int64     `json:"seq"`
	WorkspaceID string    `json:"workspace_id,omitempty"`
	ActorID     string    `json:"actor_id,omitempty"`
	ActorName   string    `json:"actor_name,omitempty"`
	Action      string    `json:"action"`
	TargetType  string    `json:"target_type"`
	TargetID    string    `json:"target_id"`
	TargetLabel string    `json:"target_label"`
	IP          string    `json:"ip,omitempty"`
	UserAgent   string    `json:"user_agent,omitempty"`
	At          time.Time `json:"at"`
	prevHash    string
	detailsHash string
	hash        string
}

// Record appends an event to the workspace's chain inside tx. Callers pass
// the time captured once for their transaction.
func Record(ctx context.Context, tx *db.Tx, actor Actor, at time.Time, e Entry) error {
	chain := e.WorkspaceID
	if chain == "" {
		chain = SiteChain
	}
	if _, err := tx.Exec(ctx, `INSERT INTO audit_chains (chain, seq, hash) VALUES (?, 0, '') ON CONFLICT (chain) DO NOTHING`, chain); err != nil {
		return fmt.Errorf("audit: chain: %w", err)
	}
	// The UPDATE locks the chain head on PostgreSQL, so concurrent writers
	// to one workspace append one after the other.
	var seq int64
	var prev string
	if err := tx.QueryRow(ctx, `UPDATE audit_chains SET seq = seq + 1 WHERE chain = ? RETURNING seq, hash`, chain).Scan(&seq, &prev); err != nil {
		return fmt.Errorf("audit: advance chain: %w", err)
	}
	ev := Event{
		ID: db.NewID(), Seq: seq, WorkspaceID: e.WorkspaceID, ActorID: actor.UserID,
		Action: e.Action, TargetType: e.TargetType, TargetID: e.TargetID, TargetLabel: e.TargetLabel,
		IP: validate.Clip(actor.IP, 64), UserAgent: validate.Clip(actor.UserAgent, 512), At: at.UTC().Truncate(time.Microsecond),
		prevHash: prev,
	}
	ev.detailsHash = detailsHash(ev.IP, ev.UserAgent)
	ev.hash = ev.computeHash(chain)
	if _, err := tx.Exec(ctx, `INSERT INTO audit_events
		(id, chain, seq, workspace_id, actor_id, action, target_type, target_id, target_label, ip, user_agent, details_hash, at, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ev.ID, chain, seq, nullIfEmpty(ev.WorkspaceID), nullIfEmpty(ev.ActorID), ev.Action, ev.TargetType, ev.TargetID,
		ev.TargetLabel, ev.IP, ev.UserAgent, ev.detailsHash, ev.At, prev, ev.hash); err != nil {
		return fmt.Errorf("audit: insert: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE audit_chains SET hash = ? WHERE chain = ?`, ev.hash, chain); err != nil {
		return fmt.Errorf("audit: chain head: %w", err)
	}
	return nil
}

func detailsHash(ip, ua string) string {
	return hexSHA(ip + "\x00" + ua)
}

// computeHash covers every field but ip and user agent, which are covered
// through detailsHash so that they can be erased without breaking the chain.
func (e *Event) computeHash(chain string) string {
	b, _ := json.Marshal([]any{chain, e.Seq, e.ID, e.WorkspaceID, e.ActorID, e.Action, e.TargetType,
		e.TargetID, e.TargetLabel, e.detailsHash, db.FormatTime(e.At), e.prevHash})
	return hexSHA(string(b))
}

func hexSHA(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
