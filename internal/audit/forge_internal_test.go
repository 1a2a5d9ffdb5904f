package audit

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shipshape/internal/db"
)

// TestVerifyDetectsWellFormedAppendWithoutHead forges an event with a
// correctly computed hash (as someone who read this code could) and appends
// it without touching audit_chains: the chain head still exposes it.
func TestVerifyDetectsWellFormedAppendWithoutHead(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	for i := range 3 {
		err := d.InTx(ctx, func(tx *db.Tx) error {
			return Record(ctx, tx, Actor{UserID: "u1", IP: "192.0.2.1", UserAgent: "ua"}, at.Add(time.Duration(i)*time.Second),
				Entry{WorkspaceID: "ws", Action: "project.create", TargetType: "project", TargetID: "p"})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var lastHash string
	if err := d.QueryRow(ctx, `SELECT hash FROM audit_events WHERE chain = 'ws' AND seq = 3`).Scan(&lastHash); err != nil {
		t.Fatal(err)
	}
	ev := Event{ID: "forged", Seq: 4, WorkspaceID: "ws", ActorID: "u1", Action: "project.delete", TargetType: "project",
		TargetID: "p", At: at.Add(time.Hour), prevHash: lastHash}
	ev.detailsHash = detailsHash("", "")
	ev.hash = ev.computeHash("ws")
	if _, err := d.Exec(ctx, `INSERT INTO audit_events (id, chain, seq, workspace_id, actor_id, action, target_type, target_id, target_label, ip, user_agent, details_hash, at, prev_hash, hash)
		VALUES (?, 'ws', 4, 'ws', 'u1', ?, 'project', 'p', '', '', '', ?, ?, ?, ?)`, ev.ID, ev.Action, ev.detailsHash, ev.At, ev.prevHash, ev.hash); err != nil {
		t.Fatal(err)
	}
	v, err := Verify(ctx, d, "ws")
	if err != nil {
		t.Fatal(err)
	}
	if v.OK || !strings.Contains(v.Problem, "chain ends at event 4 but 3 were recorded") {
		t.Errorf("Verify = %+v, want the head mismatch reported", v)
	}
}
