package audit_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

var t0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

func actor(id string) audit.Actor {
	return audit.Actor{UserID: id, IP: "198.51.100.7", UserAgent: "Mozilla/5.0 (test)"}
}

func record(t *testing.T, d *db.DB, a audit.Actor, at time.Time, e audit.Entry) {
	t.Helper()
	err := d.InTx(context.Background(), func(tx *db.Tx) error { return audit.Record(context.Background(), tx, a, at, e) })
	if err != nil {
		t.Fatalf("record %s: %v", e.Action, err)
	}
}

// recordN appends n events to ws's chain and returns their ids in order.
func recordN(t *testing.T, d *db.DB, ws string, n int) []string {
	t.Helper()
	for i := range n {
		record(t, d, actor("u1"), t0.Add(time.Duration(i)*time.Second),
			audit.Entry{WorkspaceID: ws, Action: "project.create", TargetType: "project", TargetID: fmt.Sprintf("p%d", i), TargetLabel: fmt.Sprintf("P%d", i)})
	}
	return eventIDs(t, d, ws)
}

func eventIDs(t *testing.T, d *db.DB, chain string) []string {
	t.Helper()
	rows, err := d.Query(context.Background(), `SELECT id FROM audit_events WHERE chain = ? ORDER BY seq`, chain)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func exec(t *testing.T, d *db.DB, q string, args ...any) {
	t.Helper()
	if _, err := d.Exec(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func verify(t *testing.T, d *db.DB, ws string) audit.Verification {
	t.Helper()
	v, err := audit.Verify(context.Background(), d, ws)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return v
}

func TestRecordBuildsChain(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ids := recordN(t, d, "ws-a", 3)
		recordN(t, d, "ws-b", 2)
		record(t, d, actor("u1"), t0, audit.Entry{Action: "user.create", TargetType: "user", TargetID: "u1"})

		t.Run("SeqAndPrevHashLinkEvents", func(t *testing.T) {
			rows, err := d.Query(ctx, `SELECT seq, prev_hash, hash FROM audit_events WHERE chain = 'ws-a' ORDER BY seq`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			prev, want := "", int64(1)
			for rows.Next() {
				var seq int64
				var ph, h string
				if err := rows.Scan(&seq, &ph, &h); err != nil {
					t.Fatal(err)
				}
				if seq != want || ph != prev || len(h) != 64 {
					t.Errorf("event seq=%d prev=%q hash=%q; want seq=%d prev=%q and a SHA-256 hash", seq, ph, h, want, prev)
				}
				prev, want = h, want+1
			}
			if want != 4 {
				t.Fatalf("found %d events, want 3", want-1)
			}
			var headSeq int64
			var headHash string
			if err := d.QueryRow(ctx, `SELECT seq, hash FROM audit_chains WHERE chain = 'ws-a'`).Scan(&headSeq, &headHash); err != nil {
				t.Fatal(err)
			}
			if headSeq != 3 || headHash != prev {
				t.Errorf("chain head = (%d, %s), want (3, hash of the last event)", headSeq, headHash)
			}
		})

		t.Run("ChainsArePerWorkspace", func(t *testing.T) {
			var seq int64
			if err := d.QueryRow(ctx, `SELECT seq FROM audit_chains WHERE chain = 'ws-b'`).Scan(&seq); err != nil {
				t.Fatal(err)
			}
			if seq != 2 {
				t.Errorf("ws-b chain seq = %d, want 2 (independent of ws-a)", seq)
			}
		})

		t.Run("SiteEventsGoToSiteChain", func(t *testing.T) {
			var chain string
			var ws *string
			if err := d.QueryRow(ctx, `SELECT chain, workspace_id FROM audit_events WHERE action = 'user.create'`).Scan(&chain, &ws); err != nil {
				t.Fatal(err)
			}
			if chain != audit.SiteChain || ws != nil {
				t.Errorf("site event chain=%q workspace_id=%v; want %q and NULL", chain, ws, audit.SiteChain)
			}
			if v := verify(t, d, ""); !v.OK || v.Checked != 1 {
				t.Errorf("site chain verification = %+v, want OK with 1 event", v)
			}
		})

		t.Run("VerifyOKOnCleanChain", func(t *testing.T) {
			v := verify(t, d, "ws-a")
			if !v.OK || v.Checked != 3 || v.FirstBad != "" || v.Problem != "" {
				t.Errorf("Verify = %+v, want OK with 3 checked", v)
			}
			if len(ids) != 3 {
				t.Fatalf("ids = %v", ids)
			}
		})

		t.Run("VerifyOKOnEmptyChain", func(t *testing.T) {
			if v := verify(t, d, "never-used"); !v.OK || v.Checked != 0 {
				t.Errorf("Verify of an unused chain = %+v, want OK", v)
			}
		})

		t.Run("LongUserAgentIsTruncated", func(t *testing.T) {
			a := actor("u1")
			a.UserAgent = strings.Repeat("x", 600)
			record(t, d, a, t0, audit.Entry{WorkspaceID: "ws-ua", Action: "a.b", TargetType: "t", TargetID: "1"})
			var n int
			if err := d.QueryRow(ctx, `SELECT LENGTH(user_agent) FROM audit_events WHERE chain = 'ws-ua'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 512 {
				t.Errorf("stored user agent length = %d, want 512", n)
			}
			if v := verify(t, d, "ws-ua"); !v.OK {
				t.Errorf("Verify after truncation = %+v", v)
			}
		})
	})
}

// TestRecordKeepsNonASCIIClientDetails: user agents are client-controlled
// header values; a multi-byte character across the 512-byte cut (or raw
// non-UTF-8 bytes) must not make the mutation fail.
func TestRecordKeepsNonASCIIClientDetails(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		cases := map[string]string{
			"MultibyteAcrossTruncation": strings.Repeat("a", 511) + "é and more",
			"InvalidUTF8":               "Mozilla/5.0 \xff\xfe",
		}
		for name, ua := range cases {
			t.Run(name, func(t *testing.T) {
				ws := "ws-" + name
				a := actor("u1")
				a.UserAgent = ua
				err := d.InTx(context.Background(), func(tx *db.Tx) error {
					return audit.Record(context.Background(), tx, a, t0, audit.Entry{WorkspaceID: ws, Action: "session.create", TargetType: "user", TargetID: "u1"})
				})
				if err != nil {
					t.Fatalf("Record with user agent %q…: %v", ua[:12], err)
				}
				if v := verify(t, d, ws); !v.OK {
					t.Errorf("Verify = %+v", v)
				}
			})
		}
	})
}

func TestVerifyDetectsTampering(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		// Each case tampers with its own chain of five events.
		cases := []struct {
			name     string
			tamper   func(t *testing.T, ws string, ids []string) (firstBad string)
			problem  string
			wantsBad bool
		}{
			{"EditedAction", func(t *testing.T, ws string, ids []string) string {
				exec(t, d, `UPDATE audit_events SET action = 'project.delete' WHERE id = ?`, ids[2])
				return ids[2]
			}, "event content was altered", true},
			{"EditedTargetLabel", func(t *testing.T, ws string, ids []string) string {
				exec(t, d, `UPDATE audit_events SET target_label = 'EVIL' WHERE id = ?`, ids[2])
				return ids[2]
			}, "event content was altered", true},
			{"EditedActor", func(t *testing.T, ws string, ids []string) string {
				exec(t, d, `UPDATE audit_events SET actor_id = 'someone-else' WHERE id = ?`, ids[1])
				return ids[1]
			}, "event content was altered", true},
			{"EditedTime", func(t *testing.T, ws string, ids []string) string {
				exec(t, d, `UPDATE audit_events SET at = ? WHERE id = ?`, t0.Add(-time.Hour), ids[3])
				return ids[3]
			}, "event content was altered", true},
			{"EditedIP", func(t *testing.T, ws string, ids []string) string {
				exec(t, d, `UPDATE audit_events SET ip = '203.0.113.66' WHERE id = ?`, ids[2])
				return ids[2]
			}, "client details were altered", true},
			{"EditedUserAgent", func(t *testing.T, ws string, ids []string) string {
				exec(t, d, `UPDATE audit_events SET user_agent = 'curl/8' WHERE id = ?`, ids[0])
				return ids[0]
			}, "client details were altered", true},
			{"DeletedFirstEvent", func(t *testing.T, ws string, ids []string) string {
				exec(t, d, `DELETE FROM audit_events WHERE id = ?`, ids[0])
				return ids[1]
			}, "event 1 is missing", true},
			{"DeletedMiddleEvent", func(t *testing.T, ws string, ids []string) string {
				exec(t, d, `DELETE FROM audit_events WHERE id = ?`, ids[2])
				return ids[3]
			}, "event 3 is missing", true},
			{"DeletedMiddleEventAndRenumbered", func(t *testing.T, ws string, ids []string) string {
				exec(t, d, `DELETE FROM audit_events WHERE id = ?`, ids[2])
				exec(t, d, `UPDATE audit_events SET seq = 3 WHERE id = ?`, ids[3])
				exec(t, d, `UPDATE audit_events SET seq = 4 WHERE id = ?`, ids[4])
				exec(t, d, `UPDATE audit_chains SET seq = 4 WHERE chain = ?`, ws)
				return ids[3]
			}, "previous hash does not match", true},
			{"DeletedLastEvent", func(t *testing.T, ws string, ids []string) string {
				exec(t, d, `DELETE FROM audit_events WHERE id = ?`, ids[4])
				return ""
			}, "chain ends at event 4 but 5 were recorded", false},
			{"DeletedAllEvents", func(t *testing.T, ws string, ids []string) string {
				exec(t, d, `DELETE FROM audit_events WHERE chain = ?`, ws)
				return ""
			}, "chain ends at event 0 but 5 were recorded", false},
			{"SwappedEvents", func(t *testing.T, ws string, ids []string) string {
				exec(t, d, `UPDATE audit_events SET seq = 100 WHERE id = ?`, ids[1])
				exec(t, d, `UPDATE audit_events SET seq = 2 WHERE id = ?`, ids[2])
				exec(t, d, `UPDATE audit_events SET seq = 3 WHERE id = ?`, ids[1])
				return ids[2]
			}, "previous hash does not match", true},
			{"InsertedEventInTheMiddle", func(t *testing.T, ws string, ids []string) string {
				exec(t, d, `UPDATE audit_events SET seq = 6 WHERE id = ?`, ids[4])
				exec(t, d, `UPDATE audit_events SET seq = 5 WHERE id = ?`, ids[3])
				exec(t, d, `UPDATE audit_chains SET seq = 6 WHERE chain = ?`, ws)
				forgeAfter(t, d, ws, ids[2], "forged", 4)
				return "forged-" + ws
			}, "event content was altered", true},
			{"AppendedEventWithoutHead", func(t *testing.T, ws string, ids []string) string {
				forgeAfter(t, d, ws, ids[4], "forged", 6)
				return "forged-" + ws
			}, "event content was altered", true},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				ws := "ws-" + c.name
				ids := recordN(t, d, ws, 5)
				if v := verify(t, d, ws); !v.OK {
					t.Fatalf("clean chain does not verify: %+v", v)
				}
				firstBad := c.tamper(t, ws, ids)
				v := verify(t, d, ws)
				if v.OK {
					t.Fatalf("Verify = OK after tampering (%+v)", v)
				}
				if c.wantsBad && v.FirstBad != firstBad {
					t.Errorf("FirstBad = %q, want %q", v.FirstBad, firstBad)
				}
				if !strings.Contains(v.Problem, c.problem) {
					t.Errorf("Problem = %q, want it to mention %q", v.Problem, c.problem)
				}
			})
		}

		t.Run("ErasedClientDetailsStillVerify", func(t *testing.T) {
			ws := "ws-erased"
			recordN(t, d, ws, 5)
			exec(t, d, `UPDATE audit_events SET ip = '', user_agent = '' WHERE chain = ?`, ws)
			if v := verify(t, d, ws); !v.OK || v.Checked != 5 {
				t.Errorf("Verify after erasing ip and user agent = %+v, want OK with 5 checked", v)
			}
		})
	})
}

// forgeAfter inserts an event at seq that links to prevID's hash but whose
// own hash is made up (the forger does not know the hash input).
func forgeAfter(t *testing.T, d *db.DB, ws, prevID, label string, seq int) {
	t.Helper()
	var prevHash string
	if err := d.QueryRow(context.Background(), `SELECT hash FROM audit_events WHERE id = ?`, prevID).Scan(&prevHash); err != nil {
		t.Fatal(err)
	}
	exec(t, d, `INSERT INTO audit_events (id, chain, seq, workspace_id, actor_id, action, target_type, target_id, target_label, ip, user_agent, details_hash, at, prev_hash, hash)
		VALUES (?, ?, ?, ?, 'u1', 'project.delete', 'project', 'p9', ?, '', '', ?, ?, ?, ?)`,
		"forged-"+ws, ws, seq, ws, label, strings.Repeat("0", 64), t0, prevHash, strings.Repeat("f", 64))
}

func TestList(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := testkit.NewApp(t, d, testkit.NewClock())
		ana := testkit.MustUser(t, a, "Ana Lima")
		const ws = "ws-list"
		entries := []struct {
			actor, action, ttype string
		}{
			{ana.ID, "project.create", "project"},      // seq 1, t0
			{"u-bob", "project.update", "project"},     // seq 2, t0+1h
			{ana.ID, "component.create", "component"},  // seq 3, t0+2h
			{"u-bob", "projectx.create", "projectx"},   // seq 4, t0+3h
			{ana.ID, "project.archive", "project"},     // seq 5, t0+4h
			{"u-bob", "team_a.create", "team"},         // seq 6, t0+5h
			{ana.ID, "teamxa.create", "team"},          // seq 7, t0+6h
			{"u-bob", "member.role_change", "user"},    // seq 8, t0+7h
			{ana.ID, "project.create", "project"},      // seq 9, t0+8h
			{"u-bob", "component.delete", "component"}, // seq 10, t0+9h
		}
		for i, e := range entries {
			record(t, d, actor(e.actor), t0.Add(time.Duration(i)*time.Hour),
				audit.Entry{WorkspaceID: ws, Action: e.action, TargetType: e.ttype, TargetID: fmt.Sprint(i), TargetLabel: fmt.Sprint("L", i)})
		}
		recordN(t, d, "ws-other", 3) // must never show up

		list := func(t *testing.T, f audit.Filter) []int64 {
			t.Helper()
			if f.Limit == 0 {
				f.Limit = 100
			}
			p, err := audit.List(ctx, d, ws, f)
			if err != nil {
				t.Fatal(err)
			}
			var seqs []int64
			for _, e := range p.Items {
				seqs = append(seqs, e.Seq)
				if e.WorkspaceID != ws {
					t.Errorf("event %d from workspace %q", e.Seq, e.WorkspaceID)
				}
			}
			return seqs
		}
		since := t0.Add(6 * time.Hour)
		cases := []struct {
			name string
			f    audit.Filter
			want []int64
		}{
			{"AllNewestFirst", audit.Filter{}, []int64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
			{"Actor", audit.Filter{ActorID: "u-bob"}, []int64{10, 8, 6, 4, 2}},
			{"ActionExact", audit.Filter{Action: "project.create"}, []int64{9, 1}},
			{"ActionExactIsNotPrefix", audit.Filter{Action: "project"}, nil},
			{"ActionPrefix", audit.Filter{Action: "project."}, []int64{9, 5, 2, 1}},
			{"ActionPrefixEscapesUnderscore", audit.Filter{Action: "team_a."}, []int64{6}},
			{"TargetType", audit.Filter{TargetType: "component"}, []int64{10, 3}},
			{"SinceIsInclusive", audit.Filter{Since: &since}, []int64{10, 9, 8, 7}},
			{"Combined", audit.Filter{ActorID: ana.ID, Action: "project.", Since: &since}, []int64{9}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got := list(t, c.f)
				if fmt.Sprint(got) != fmt.Sprint(c.want) {
					t.Errorf("seqs = %v, want %v", got, c.want)
				}
			})
		}

		t.Run("ActorNameAndDetails", func(t *testing.T) {
			p, err := audit.List(ctx, d, ws, audit.Filter{Limit: 1, Action: "project.create"})
			if err != nil {
				t.Fatal(err)
			}
			e := p.Items[0]
			if e.ActorName != "Ana Lima" || e.IP != "198.51.100.7" || e.UserAgent != "Mozilla/5.0 (test)" || e.TargetLabel != "L8" {
				t.Errorf("event = %+v", e)
			}
			if !e.At.Equal(t0.Add(8*time.Hour)) || e.At.Location() != time.UTC {
				t.Errorf("At = %v, want %v UTC", e.At, t0.Add(8*time.Hour))
			}
		})

		t.Run("CursorPagesHaveNoGapsOrDuplicates", func(t *testing.T) {
			for _, f := range []audit.Filter{{Limit: 3}, {Limit: 1}, {Limit: 4, ActorID: ana.ID}, {Limit: 10}} {
				want := list(t, audit.Filter{ActorID: f.ActorID})
				var got []int64
				pages := 0
				for {
					p, err := audit.List(ctx, d, ws, f)
					if err != nil {
						t.Fatal(err)
					}
					pages++
					if len(p.Items) > f.Limit {
						t.Fatalf("page of %d items for limit %d", len(p.Items), f.Limit)
					}
					for _, e := range p.Items {
						got = append(got, e.Seq)
					}
					if p.NextCursor == "" {
						break
					}
					if pages > 20 {
						t.Fatal("pagination does not end")
					}
					f.Cursor = p.NextCursor
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("limit %d actor %q: paged seqs = %v, want %v", f.Limit, f.ActorID, got, want)
				}
				if wantPages := (len(want) + f.Limit - 1) / f.Limit; pages != wantPages {
					t.Errorf("limit %d: %d pages, want %d (no empty trailing page)", f.Limit, pages, wantPages)
				}
			}
		})

		t.Run("ErrInvalidCursor", func(t *testing.T) {
			for _, cur := range []string{"abc", "0", "-5", "1.5"} {
				_, err := audit.List(ctx, d, ws, audit.Filter{Limit: 5, Cursor: cur})
				var ae *apperr.Error
				if !errors.As(err, &ae) || ae.Code != apperr.Invalid || ae.Fields["cursor"] == "" {
					t.Errorf("cursor %q: got %v, want invalid on field cursor", cur, err)
				}
			}
		})

		t.Run("ZeroLimitDoesNotPanic", func(t *testing.T) {
			// Filter.Limit is a plain int: a caller that forgets it must get a
			// page or an Invalid error, not a crash.
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("List with Limit 0 panicked: %v", r)
				}
			}()
			_, err := audit.List(ctx, d, ws, audit.Filter{})
			if err != nil && !apperr.Is(err, apperr.Invalid) {
				t.Errorf("List with Limit 0: %v", err)
			}
		})
	})
}

func TestConcurrentRecordKeepsChainContiguous(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		const writers, each = 16, 5
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					errs <- d.InTx(ctx, func(tx *db.Tx) error {
						// Another statement before Record widens the race window.
						if _, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES (?, 'x')`, fmt.Sprintf("k-%d-%d", w, i)); err != nil {
							return err
						}
						return audit.Record(ctx, tx, actor(fmt.Sprint("u", w)), time.Now(),
							audit.Entry{WorkspaceID: "ws-busy", Action: "project.update", TargetType: "project", TargetID: fmt.Sprint(w, "-", i)})
					})
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("concurrent Record: %v", err)
			}
		}
		rows, err := d.Query(ctx, `SELECT seq FROM audit_events WHERE chain = 'ws-busy' ORDER BY seq`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		want := int64(1)
		for rows.Next() {
			var seq int64
			if err := rows.Scan(&seq); err != nil {
				t.Fatal(err)
			}
			if seq != want {
				t.Fatalf("seq %d follows %d", seq, want-1)
			}
			want++
		}
		if want-1 != writers*each {
			t.Errorf("%d events, want %d", want-1, writers*each)
		}
		if v := verify(t, d, "ws-busy"); !v.OK || v.Checked != writers*each {
			t.Errorf("Verify = %+v, want OK with %d checked", v, writers*each)
		}
	})
}
