package audit_test

import (
	"context"
	"testing"
	"time"

	"shipshape/internal/audit"
	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

func prune(t *testing.T, d *db.DB, cutoff time.Time, dryRun bool) (int, []string) {
	t.Helper()
	var n int
	var skipped []string
	err := d.InTx(context.Background(), func(tx *db.Tx) error {
		var err error
		n, skipped, err = audit.Prune(context.Background(), tx, cutoff, dryRun)
		return err
	})
	if err != nil {
		t.Fatalf("prune: %v", err)
	}
	return n, skipped
}

// TestPruneKeepsTheChainVerifiable deletes the oldest events of a chain,
// and then all of them, and checks that Verify starts from the anchor and
// still finds tampering after it.
func TestPruneKeepsTheChainVerifiable(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ids := recordN(t, d, "ws1", 5) // at t0 + 0..4 s

		if n, _ := prune(t, d, t0.Add(3*time.Second), true); n != 3 {
			t.Fatalf("dry run counts %d, want 3", n)
		}
		if got := eventIDs(t, d, "ws1"); len(got) != 5 {
			t.Fatalf("a dry run deleted events: %d left", len(got))
		}
		if n, skipped := prune(t, d, t0.Add(3*time.Second), false); n != 3 || len(skipped) != 0 {
			t.Fatalf("pruned %d (skipped %v), want 3", n, skipped)
		}
		if got := eventIDs(t, d, "ws1"); len(got) != 2 || got[0] != ids[3] {
			t.Fatalf("left %v, want the last two of %v", got, ids)
		}
		v := verify(t, d, "ws1")
		if !v.OK || v.Checked != 2 || v.AnchorSeq != 3 || v.HeadSeq != 5 {
			t.Fatalf("after pruning: %+v", v)
		}
		// Appending continues the chain; pruning again changes nothing.
		record(t, d, actor("u1"), t0.Add(time.Minute), audit.Entry{WorkspaceID: "ws1", Action: "project.update", TargetType: "project", TargetID: "p9"})
		if n, _ := prune(t, d, t0.Add(3*time.Second), false); n != 0 {
			t.Errorf("second prune deleted %d", n)
		}
		if v := verify(t, d, "ws1"); !v.OK || v.Checked != 3 {
			t.Fatalf("after appending: %+v", v)
		}
		// Deleting an event after the anchor is still found.
		exec(t, d, `DELETE FROM audit_events WHERE chain = 'ws1' AND seq = 4`)
		if v := verify(t, d, "ws1"); v.OK || v.Problem != "event 4 is missing" {
			t.Fatalf("deletion after the anchor: %+v", v)
		}
	})
}

func TestPruneWholeChainAndSkipsBrokenChains(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		recordN(t, d, "ws1", 3)
		recordN(t, d, "ws2", 3)
		// ws2 was tampered with: pruning it would hide the evidence.
		exec(t, d, `UPDATE audit_events SET target_label = 'forged' WHERE chain = 'ws2' AND seq = 2`)
		n, skipped := prune(t, d, t0.Add(time.Hour), false)
		if n != 3 || len(skipped) != 1 || skipped[0] != "ws2" {
			t.Fatalf("pruned %d, skipped %v; want 3 and [ws2]", n, skipped)
		}
		v := verify(t, d, "ws1")
		if !v.OK || v.Checked != 0 || v.AnchorSeq != 3 || v.HeadSeq != 3 {
			t.Fatalf("a fully pruned chain: %+v", v)
		}
		if got := eventIDs(t, d, "ws2"); len(got) != 3 {
			t.Errorf("the broken chain lost events: %d left", len(got))
		}
		// The chain goes on after the anchor; a moved anchor is found.
		record(t, d, actor("u1"), t0.Add(2*time.Hour), audit.Entry{WorkspaceID: "ws1", Action: "project.create", TargetType: "project", TargetID: "p4"})
		if v := verify(t, d, "ws1"); !v.OK || v.Checked != 1 {
			t.Fatalf("after appending to a pruned chain: %+v", v)
		}
		exec(t, d, `UPDATE audit_chains SET anchor_hash = 'x' WHERE chain = 'ws1'`)
		if v := verify(t, d, "ws1"); v.OK || v.Problem != "previous hash does not match" {
			t.Fatalf("a moved anchor: %+v", v)
		}
	})
}

// TestBlankedClientDetailsStillVerify is what the retention job's
// access_logs category does: blank ip and user agent of old events.
func TestBlankedClientDetailsStillVerify(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		recordN(t, d, "ws1", 3)
		exec(t, d, `UPDATE audit_events SET ip = '', user_agent = '' WHERE chain = 'ws1' AND seq <= 2`)
		if v := verify(t, d, "ws1"); !v.OK || v.Checked != 3 {
			t.Fatalf("after blanking client details: %+v", v)
		}
	})
}
