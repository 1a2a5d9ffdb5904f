package audit

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/db"
)

// Filter narrows a listing. Cursor is the opaque next_cursor of a page.
type Filter struct {
	ActorID    string
	Action     string // exact action or a prefix ending in "." (e.g. "project.")
	TargetType string
	TargetID   string
	Since      *time.Time
	Limit      int
	Cursor     string
}

// Page is one page of events, newest first.
type Page struct {
	Items      []Event
	NextCursor string
}

// List returns a workspace's events, newest first. Authorization is the
// caller's job (the workspace service checks membership first).
func List(ctx context.Context, q db.Querier, workspaceID string, f Filter) (Page, error) {
	var where []string
	args := []any{workspaceID}
	where = append(where, "e.chain = ?")
	if f.ActorID != "" {
		where = append(where, "e.actor_id = ?")
		args = append(args, f.ActorID)
	}
	if f.Action != "" {
		if strings.HasSuffix(f.Action, ".") {
			where = append(where, `e.action LIKE ? ESCAPE '\'`)
			args = append(args, db.Like(f.Action)+"%")
		} else {
			where = append(where, "e.action = ?")
			args = append(args, f.Action)
		}
	}
	if f.TargetType != "" {
		where = append(where, "e.target_type = ?")
		args = append(args, f.TargetType)
	}
	if f.TargetID != "" {
		where = append(where, "e.target_id = ?")
		args = append(args, f.TargetID)
	}
	if f.Since != nil {
		where = append(where, "e.at >= ?")
		args = append(args, *f.Since)
	}
	if f.Cursor != "" {
		seq, err := strconv.ParseInt(f.Cursor, 10, 64)
		if err != nil || seq < 1 {
			return Page{}, apperr.Fields(map[string]string{"cursor": "is not a valid cursor"})
		}
		where = append(where, "e.seq < ?")
		args = append(args, seq)
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := q.Query(ctx, `SELECT e.id, e.seq, COALESCE(e.workspace_id, ''), COALESCE(e.actor_id, ''), COALESCE(u.name, ''),
		e.action, e.target_type, e.target_id, e.target_label, e.ip, e.user_agent, e.at
		FROM audit_events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY e.seq DESC LIMIT `+strconv.Itoa(limit+1), args...)
	if err != nil {
		return Page{}, fmt.Errorf("audit: list: %w", err)
	}
	defer rows.Close()
	var p Page
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.ID, &e.Seq, &e.WorkspaceID, &e.ActorID, &e.ActorName, &e.Action, &e.TargetType,
			&e.TargetID, &e.TargetLabel, &e.IP, &e.UserAgent, db.Time(&e.At)); err != nil {
			return Page{}, err
		}
		p.Items = append(p.Items, e)
	}
	if err := rows.Err(); err != nil {
		return Page{}, err
	}
	if len(p.Items) > limit {
		p.Items = p.Items[:limit]
		p.NextCursor = strconv.FormatInt(p.Items[limit-1].Seq, 10)
	}
	return p, nil
}

// Verification is the result of checking one chain.
type Verification struct {
	OK       bool   `json:"ok"`
	Checked  int    `json:"checked"`
	FirstBad string `json:"first_bad,omitempty"` // id of the first event that fails
	Problem  string `json:"problem,omitempty"`
	// Head is the hash of the last event ("" for an empty chain). The chain
	// proves the trail was not edited after the fact only up to a head kept
	// somewhere else: someone who can write the database could recompute
	// every hash. Record it now and then outside Shipshape and compare.
	Head    string `json:"head,omitempty"`
	HeadSeq int64  `json:"head_seq,omitempty"`
	// AnchorSeq is the last event the retention job deleted from the start
	// of the chain (0: none); checking starts after it, from its hash.
	AnchorSeq int64 `json:"anchor_seq,omitempty"`
}

// Verify recomputes the chain of workspaceID ("" for the site chain) and
// reports the first event that was edited, inserted or follows a deletion,
// and a deletion at the end of the chain.
func Verify(ctx context.Context, q db.Querier, workspaceID string) (Verification, error) {
	chain := workspaceID
	if chain == "" {
		chain = SiteChain
	}
	var v Verification
	var headSeq int64
	var headHash string
	var anchorSeq sql.NullInt64
	var anchorHash sql.NullString
	err := q.QueryRow(ctx, `SELECT seq, hash, anchor_seq, anchor_hash FROM audit_chains WHERE chain = ?`, chain).
		Scan(&headSeq, &headHash, &anchorSeq, &anchorHash)
	if err == sql.ErrNoRows {
		v.OK = true
		return v, nil
	}
	if err != nil {
		return v, fmt.Errorf("audit: verify head: %w", err)
	}
	v.Head, v.HeadSeq, v.AnchorSeq = headHash, headSeq, anchorSeq.Int64
	rows, err := q.Query(ctx, `SELECT id, seq, COALESCE(workspace_id, ''), COALESCE(actor_id, ''), action, target_type, target_id,
		target_label, ip, user_agent, details_hash, at, prev_hash, hash FROM audit_events WHERE chain = ? ORDER BY seq`, chain)
	if err != nil {
		return v, fmt.Errorf("audit: verify: %w", err)
	}
	defer rows.Close()
	// A chain whose oldest events the retention job deleted starts after
	// its anchor: the seq and hash of the last deleted event.
	prev := anchorHash.String
	want := anchorSeq.Int64 + 1
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.ID, &e.Seq, &e.WorkspaceID, &e.ActorID, &e.Action, &e.TargetType, &e.TargetID,
			&e.TargetLabel, &e.IP, &e.UserAgent, &e.detailsHash, db.Time(&e.At), &e.prevHash, &e.hash); err != nil {
			return v, err
		}
		problem := ""
		switch {
		case e.Seq != want:
			problem = fmt.Sprintf("event %d is missing", want)
		case e.prevHash != prev:
			problem = "previous hash does not match"
		case (e.IP != "" || e.UserAgent != "") && detailsHash(e.IP, e.UserAgent) != e.detailsHash:
			problem = "client details were altered"
		case e.computeHash(chain) != e.hash:
			problem = "event content was altered"
		}
		if problem != "" {
			v.FirstBad, v.Problem = e.ID, problem
			return v, rows.Err()
		}
		v.Checked++
		prev = e.hash
		want++
	}
	if err := rows.Err(); err != nil {
		return v, err
	}
	if want-1 != headSeq || prev != headHash {
		v.Problem = fmt.Sprintf("chain ends at event %d but %d were recorded", want-1, headSeq)
		return v, nil
	}
	v.OK = true
	return v, nil
}

// Prune deletes the events of every chain recorded before cutoff, only
// from the oldest end so that what remains is one unbroken chain, and moves
// each chain's anchor to the last deleted event; Verify starts from there.
// A chain that does not verify is left alone (deleting its start could hide
// the evidence) and named in skipped. With dryRun nothing changes and
// deleted is what would be. Called by the retention job inside its
// transaction.
func Prune(ctx context.Context, tx *db.Tx, cutoff time.Time, dryRun bool) (deleted int, skipped []string, err error) {
	rows, err := tx.Query(ctx, `SELECT chain FROM audit_chains ORDER BY chain`)
	if err != nil {
		return 0, nil, fmt.Errorf("audit: prune: %w", err)
	}
	var chains []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return 0, nil, err
		}
		chains = append(chains, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, nil, err
	}
	for _, chain := range chains {
		n, ok, err := pruneChain(ctx, tx, chain, cutoff, dryRun)
		if err != nil {
			return 0, nil, fmt.Errorf("audit: prune %s: %w", chain, err)
		}
		if !ok {
			skipped = append(skipped, chain)
		}
		deleted += n
	}
	return deleted, skipped, nil
}

func pruneChain(ctx context.Context, tx *db.Tx, chain string, cutoff time.Time, dryRun bool) (int, bool, error) {
	// Hold the chain head (no row data changes) so that no event is
	// appended between verifying the chain and moving its anchor.
	if _, err := tx.Exec(ctx, `UPDATE audit_chains SET seq = seq WHERE chain = ?`, chain); err != nil {
		return 0, false, err
	}
	// The prefix to delete ends before the first event at or after cutoff
	// (all of the chain when there is none).
	var upTo sql.NullInt64
	if err := tx.QueryRow(ctx, `SELECT MAX(seq) FROM audit_events WHERE chain = ? AND at < ?
		AND seq < COALESCE((SELECT MIN(seq) FROM audit_events WHERE chain = ? AND at >= ?), seq + 1)`,
		chain, cutoff, chain, cutoff).Scan(&upTo); err != nil {
		return 0, false, err
	}
	if !upTo.Valid {
		return 0, true, nil
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM audit_events WHERE chain = ? AND seq <= ?`, chain, upTo.Int64).Scan(&n); err != nil {
		return 0, false, err
	}
	if n == 0 {
		return 0, true, nil
	}
	workspaceID := chain
	if chain == SiteChain {
		workspaceID = ""
	}
	v, err := Verify(ctx, tx, workspaceID)
	if err != nil {
		return 0, false, err
	}
	if !v.OK {
		return 0, false, nil
	}
	if dryRun {
		return n, true, nil
	}
	var hash string
	if err := tx.QueryRow(ctx, `SELECT hash FROM audit_events WHERE chain = ? AND seq = ?`, chain, upTo.Int64).Scan(&hash); err != nil {
		return 0, false, err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM audit_events WHERE chain = ? AND seq <= ?`, chain, upTo.Int64); err != nil {
		return 0, false, err
	}
	if _, err := tx.Exec(ctx, `UPDATE audit_chains SET anchor_seq = ?, anchor_hash = ? WHERE chain = ?`, upTo.Int64, hash, chain); err != nil {
		return 0, false, err
	}
	return n, true, nil
}
