package release_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"shipshape/internal/app"
	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/db"
	"shipshape/internal/project"
	"shipshape/internal/release"
	"shipshape/internal/testkit"
)

var ctx = context.Background()

// team is workspace "acme" with project PAY (Ana owner, Bob admin, Cid
// member, Dee viewer) and workspace "beta" owned by Eve, who is not in acme.
type team struct {
	*app.App
	d                       *db.DB
	clock                   *testkit.Clock
	ana, bob, cid, dee, eve audit.Actor
}

func newTeam(t *testing.T, d *db.DB) *team {
	t.Helper()
	tm := &team{d: d, clock: testkit.NewClock()}
	tm.App = testkit.NewApp(t, d, tm.clock)
	ana := testkit.MustUser(t, tm.App, "Ana Lima")
	bob := testkit.MustUser(t, tm.App, "Bob Reis")
	cid := testkit.MustUser(t, tm.App, "Cid Dias")
	dee := testkit.MustUser(t, tm.App, "Dee Sousa")
	eve := testkit.MustUser(t, tm.App, "Eve Outsider")
	testkit.MustWorkspace(t, tm.App, ana, "acme")
	testkit.MustJoin(t, tm.App, ana, "acme", bob, "admin")
	testkit.MustJoin(t, tm.App, ana, "acme", cid, "member")
	testkit.MustJoin(t, tm.App, ana, "acme", dee, "viewer")
	testkit.MustWorkspace(t, tm.App, eve, "beta")
	tm.ana, tm.bob, tm.cid, tm.dee, tm.eve = testkit.Actor(ana), testkit.Actor(bob), testkit.Actor(cid), testkit.Actor(dee), testkit.Actor(eve)
	if _, err := tm.Projects.Create(ctx, tm.ana, "acme", project.CreateInput{Key: "PAY", Name: "Payments"}); err != nil {
		t.Fatal(err)
	}
	if _, err := tm.Projects.Create(ctx, tm.eve, "beta", project.CreateInput{Key: "PAY", Name: "Their payments"}); err != nil {
		t.Fatal(err)
	}
	return tm
}

func (tm *team) create(t *testing.T, version string) release.Release {
	t.Helper()
	r, err := tm.Releases.Create(ctx, tm.cid, "acme", "PAY", release.CreateInput{Version: version})
	if err != nil {
		t.Fatalf("create %s: %v", version, err)
	}
	return r
}

func (tm *team) move(t *testing.T, version string, to release.Status, reason string) release.Release {
	t.Helper()
	r, err := tm.Releases.Transition(ctx, tm.cid, "acme", "PAY", version, release.TransitionInput{To: to, Reason: reason})
	if err != nil {
		t.Fatalf("move %s to %s: %v", version, to, err)
	}
	return r
}

// paths reach each status from planned.
var paths = map[release.Status][]release.Status{
	release.Planned:    nil,
	release.InProgress: {release.InProgress},
	release.InReview:   {release.InProgress, release.InReview},
	release.Released:   {release.InProgress, release.InReview, release.Released},
	release.Cancelled:  {release.Cancelled},
	release.RolledBack: {release.InProgress, release.InReview, release.Released, release.RolledBack},
}

func (tm *team) reach(t *testing.T, version string, s release.Status) {
	t.Helper()
	for _, to := range paths[s] {
		tm.move(t, version, to, "because")
	}
}

// events returns acme's audit events, oldest first.
func (tm *team) events(t *testing.T) []audit.Event {
	t.Helper()
	p, err := tm.Workspaces.Audit(ctx, tm.ana.UserID, "acme", audit.Filter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(p.Items)
	return p.Items
}

func (tm *team) lastEvent(t *testing.T) audit.Event {
	t.Helper()
	es := tm.events(t)
	return es[len(es)-1]
}

func (tm *team) verifyAudit(t *testing.T) {
	t.Helper()
	if v, err := tm.Workspaces.VerifyAudit(ctx, tm.ana.UserID, "acme"); err != nil || !v.OK {
		t.Errorf("audit chain: %+v, %v", v, err)
	}
}

func TestCreateRelease(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		tm := newTeam(t, d)
		r, err := tm.Releases.Create(ctx, tm.cid, "acme", "PAY", release.CreateInput{Version: " 1.2.0-rc.1+build.5 ", Name: " Spring ",
			Description: "# Notes\n- one", TargetDate: "2026-03-31"})
		if err != nil {
			t.Fatal(err)
		}
		if r.Version != "1.2.0-rc.1+build.5" || r.Name != "Spring" || r.Status != release.Planned || r.TargetDate == nil || *r.TargetDate != "2026-03-31" ||
			r.ReleasedAt != nil || r.CreatedBy != tm.cid.UserID || !r.CreatedAt.Equal(tm.clock.Now()) || r.Owners == nil || len(r.Owners) != 0 || r.Overdue {
			t.Errorf("created = %+v", r)
		}
		if e := tm.lastEvent(t); e.Action != "release.create" || e.TargetType != "release" || e.TargetID != r.ID || e.TargetLabel != "PAY 1.2.0-rc.1+build.5" || e.ActorID != tm.cid.UserID {
			t.Errorf("audit event = %+v", e)
		}
		got, err := tm.Releases.Get(ctx, tm.dee.UserID, "acme", "PAY", "1.2.0-rc.1+build.5")
		if err != nil || got.ID != r.ID || got.Description != r.Description || *got.TargetDate != "2026-03-31" || !got.UpdatedAt.Equal(r.UpdatedAt) {
			t.Errorf("Get = %+v, %v", got, err)
		}
		// Build metadata does not identify a release.
		if got, err := tm.Releases.Get(ctx, tm.dee.UserID, "acme", "PAY", "1.2.0-rc.1"); err != nil || got.ID != r.ID {
			t.Errorf("Get without build metadata = %+v, %v", got, err)
		}
		for _, v := range []string{"1.2.0-rc.1", "1.2.0-rc.1+other"} {
			_, err := tm.Releases.Create(ctx, tm.cid, "acme", "PAY", release.CreateInput{Version: v})
			if ae := wantCode(t, err, apperr.Conflict); ae.Fields["version"] == "" {
				t.Errorf("duplicate %s: fields %v", v, ae.Fields)
			}
		}
		// The same version in another project is fine.
		if _, err := tm.Releases.Create(ctx, tm.eve, "beta", "PAY", release.CreateInput{Version: "1.2.0-rc.1"}); err != nil {
			t.Error(err)
		}
		for _, v := range []string{"1.2", "v1.2.0", "1.02.0", "1.2.0-01", "1.2.0-a..b", "1000000000.0.0", "", "1.0.0-" + strings.Repeat("x", 123)} {
			_, err := tm.Releases.Create(ctx, tm.cid, "acme", "PAY", release.CreateInput{Version: v})
			wantFields(t, err, "version")
		}
		_, err = tm.Releases.Create(ctx, tm.cid, "acme", "PAY", release.CreateInput{Version: "3.0.0", Name: strings.Repeat("n", 101),
			Description: strings.Repeat("d", 50001), TargetDate: "2026-02-30"})
		wantFields(t, err, "name", "description", "target_date")
		_, err = tm.Releases.Create(ctx, tm.cid, "acme", "PAY", release.CreateInput{Version: "3.0.0", Name: "a\x00b", Description: "ok\x01", TargetDate: "31.03.2026"})
		wantFields(t, err, "name", "description", "target_date")
		if _, err := tm.Releases.Create(ctx, tm.cid, "acme", "PAY", release.CreateInput{Version: "3.0.0", Description: strings.Repeat("d", 50000)}); err != nil {
			t.Errorf("50k description: %v", err)
		}
		tm.verifyAudit(t)
	})
}

func TestPermissions(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		tm := newTeam(t, d)
		tm.create(t, "1.0.0")
		// Not a member: nothing exists.
		_, err := tm.Releases.Get(ctx, tm.eve.UserID, "acme", "PAY", "1.0.0")
		wantCode(t, err, apperr.NotFound)
		_, err = tm.Releases.List(ctx, tm.eve.UserID, "acme", "PAY", release.ListFilter{})
		wantCode(t, err, apperr.NotFound)
		_, err = tm.Releases.Create(ctx, tm.eve, "acme", "PAY", release.CreateInput{Version: "2.0.0"})
		wantCode(t, err, apperr.NotFound)
		_, err = tm.Releases.Transition(ctx, tm.eve, "acme", "PAY", "1.0.0", release.TransitionInput{To: release.InProgress})
		wantCode(t, err, apperr.NotFound)
		wantCode(t, tm.Releases.Delete(ctx, tm.eve, "acme", "PAY", "1.0.0"), apperr.NotFound)
		// Viewer reads but changes nothing.
		if _, err := tm.Releases.Get(ctx, tm.dee.UserID, "acme", "PAY", "1.0.0"); err != nil {
			t.Error(err)
		}
		_, err = tm.Releases.Create(ctx, tm.dee, "acme", "PAY", release.CreateInput{Version: "2.0.0"})
		wantCode(t, err, apperr.Forbidden)
		_, err = tm.Releases.Update(ctx, tm.dee, "acme", "PAY", "1.0.0", release.Patch{Name: ptr("x")})
		wantCode(t, err, apperr.Forbidden)
		_, err = tm.Releases.Transition(ctx, tm.dee, "acme", "PAY", "1.0.0", release.TransitionInput{To: release.InProgress})
		wantCode(t, err, apperr.Forbidden)
		wantCode(t, tm.Releases.Delete(ctx, tm.dee, "acme", "PAY", "1.0.0"), apperr.Forbidden)
		// Member edits and moves, but does not delete; admin deletes.
		if _, err := tm.Releases.Update(ctx, tm.cid, "acme", "PAY", "1.0.0", release.Patch{Name: ptr("One")}); err != nil {
			t.Error(err)
		}
		tm.move(t, "1.0.0", release.InProgress, "")
		wantCode(t, tm.Releases.Delete(ctx, tm.cid, "acme", "PAY", "1.0.0"), apperr.Forbidden)
		r, _ := tm.Releases.Get(ctx, tm.ana.UserID, "acme", "PAY", "1.0.0")
		if err := tm.Releases.Delete(ctx, tm.bob, "acme", "PAY", "1.0.0"); err != nil {
			t.Fatal(err)
		}
		if e := tm.lastEvent(t); e.Action != "release.delete" || e.TargetID != r.ID || e.TargetLabel != "PAY 1.0.0" || e.ActorID != tm.bob.UserID {
			t.Errorf("audit event = %+v", e)
		}
		_, err = tm.Releases.Get(ctx, tm.ana.UserID, "acme", "PAY", "1.0.0")
		wantCode(t, err, apperr.NotFound)
		_, err = tm.Releases.Transitions(ctx, tm.ana.UserID, "acme", "PAY", "1.0.0")
		wantCode(t, err, apperr.NotFound)
		// Unknown project, unparsable version.
		_, err = tm.Releases.Get(ctx, tm.ana.UserID, "acme", "NOPE", "1.0.0")
		wantCode(t, err, apperr.NotFound)
		_, err = tm.Releases.Get(ctx, tm.ana.UserID, "acme", "PAY", "not-a-version")
		wantCode(t, err, apperr.NotFound)
		tm.verifyAudit(t)
	})
}

func ptr[T any](v T) *T { return &v }

// allowed is the lifecycle as the product defines it, written out
// independently of the package's table.
var allowed = map[[2]release.Status]bool{
	{release.Planned, release.InProgress}:   true,
	{release.Planned, release.Cancelled}:    true,
	{release.InProgress, release.InReview}:  true,
	{release.InProgress, release.Cancelled}: true,
	{release.InReview, release.Released}:    true,
	{release.InReview, release.InProgress}:  true,
	{release.InReview, release.Cancelled}:   true,
	{release.Released, release.RolledBack}:  true,
}

// TestLifecycle tries every pair of statuses: allowed moves succeed and are
// recorded; all others are refused with the allowed next states and
// write nothing.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		tm := newTeam(t, d)
		n := 0
		for _, from := range release.Statuses {
			for _, to := range release.Statuses {
				n++
				version := fmt.Sprintf("1.0.%d", n)
				t.Run(string(from)+"→"+string(to), func(t *testing.T) {
					tm.create(t, version)
					tm.reach(t, version, from)
					before := len(tm.events(t))
					hist, _ := tm.Releases.Transitions(ctx, tm.cid.UserID, "acme", "PAY", version)
					tm.clock.Advance(time.Minute)
					r, err := tm.Releases.Transition(ctx, tm.cid, "acme", "PAY", version, release.TransitionInput{To: to, Reason: "  why not  "})
					after, _ := tm.Releases.Transitions(ctx, tm.cid.UserID, "acme", "PAY", version)
					if !allowed[[2]release.Status{from, to}] {
						ae := wantCode(t, err, apperr.Conflict)
						want := "cannot move from " + string(from) + " to " + string(to) + "; allowed: "
						if from == to {
							want = "the release is already " + string(from) + "; allowed: "
						}
						if !strings.HasPrefix(ae.Message, want) || ae.Fields["to"] == "" {
							t.Errorf("message %q, fields %v; want prefix %q", ae.Message, ae.Fields, want)
						}
						for _, next := range release.Statuses {
							if allowed[[2]release.Status{from, next}] && !strings.Contains(ae.Message, string(next)) {
								t.Errorf("message %q does not list %s", ae.Message, next)
							}
						}
						if got := len(tm.events(t)); got != before {
							t.Errorf("refused transition wrote %d audit events", got-before)
						}
						if len(after) != len(hist) {
							t.Errorf("refused transition recorded history: %v", after)
						}
						if cur, _ := tm.Releases.Get(ctx, tm.cid.UserID, "acme", "PAY", version); cur.Status != from {
							t.Errorf("status %s after refused move, want %s", cur.Status, from)
						}
						return
					}
					if err != nil {
						t.Fatalf("allowed move refused: %v", err)
					}
					now := tm.clock.Now()
					if r.Status != to || !r.UpdatedAt.Equal(now) {
						t.Errorf("moved = %+v", r)
					}
					switch {
					case to == release.Released:
						if r.ReleasedAt == nil || !r.ReleasedAt.Equal(now) {
							t.Errorf("released_at = %v, want %v", r.ReleasedAt, now)
						}
					case from == release.Released: // rolled back: when it was released stays known
						if r.ReleasedAt == nil || r.ReleasedAt.Equal(now) {
							t.Errorf("released_at after roll back = %v", r.ReleasedAt)
						}
					default:
						if r.ReleasedAt != nil {
							t.Errorf("released_at = %v before release", r.ReleasedAt)
						}
					}
					e := tm.lastEvent(t)
					if e.Action != "release.transition" || e.TargetID != r.ID || e.TargetLabel != "PAY "+version+" → "+string(to) || e.ActorID != tm.cid.UserID || !e.At.Equal(now) {
						t.Errorf("audit event = %+v", e)
					}
					if len(after) != len(hist)+1 {
						t.Fatalf("history %v after %v", after, hist)
					}
					last := after[len(after)-1]
					if last.From != from || last.To != to || last.Reason != "why not" || last.ActorID != tm.cid.UserID || !last.At.Equal(now) || last.ID == "" {
						t.Errorf("history entry = %+v", last)
					}
				})
			}
		}
		tm.verifyAudit(t)
	})
}

func TestReasonIsRequiredToCancelOrRollBack(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		tm := newTeam(t, d)
		tm.create(t, "1.0.0")
		tm.create(t, "2.0.0")
		tm.reach(t, "2.0.0", release.Released)
		before := len(tm.events(t))
		for _, c := range []struct {
			version string
			to      release.Status
			reason  string
			fields  []string
		}{
			{"1.0.0", release.Cancelled, "", []string{"reason"}},
			{"1.0.0", release.Cancelled, "   ", []string{"reason"}},
			{"1.0.0", release.Cancelled, strings.Repeat("r", 501), []string{"reason"}},
			{"1.0.0", release.Cancelled, "bad\x00", []string{"reason"}},
			{"2.0.0", release.RolledBack, "", []string{"reason"}},
			{"1.0.0", "", "", []string{"to"}},
			{"1.0.0", "shipped", "", []string{"to"}},
			{"1.0.0", "RELEASED", "", []string{"to"}},
			{"1.0.0", release.InProgress, strings.Repeat("r", 501), []string{"reason"}},
		} {
			_, err := tm.Releases.Transition(ctx, tm.cid, "acme", "PAY", c.version, release.TransitionInput{To: c.to, Reason: c.reason})
			wantFields(t, err, c.fields...)
		}
		if got := len(tm.events(t)); got != before {
			t.Errorf("invalid transitions wrote %d audit events", got-before)
		}
		r := tm.move(t, "1.0.0", release.Cancelled, strings.Repeat("r", 500))
		if r.Status != release.Cancelled {
			t.Errorf("status = %s", r.Status)
		}
		r = tm.move(t, "2.0.0", release.RolledBack, "payments failed in eu-west")
		if r.Status != release.RolledBack {
			t.Errorf("status = %s", r.Status)
		}
		h, err := tm.Releases.Transitions(ctx, tm.dee.UserID, "acme", "PAY", "2.0.0")
		if err != nil || len(h) != 4 || h[3].Reason != "payments failed in eu-west" || h[0].From != release.Planned || h[0].To != release.InProgress {
			t.Errorf("history = %+v, %v", h, err)
		}
	})
}

func TestUpdateAndOverdue(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		tm := newTeam(t, d)
		// The clock starts on 2026-01-05.
		r, err := tm.Releases.Create(ctx, tm.cid, "acme", "PAY", release.CreateInput{Version: "1.0.0", Name: "First", TargetDate: "2026-01-05"})
		if err != nil || r.Overdue {
			t.Fatalf("created = %+v, %v", r, err)
		}
		tm.clock.Advance(24 * time.Hour)
		r, _ = tm.Releases.Get(ctx, tm.cid.UserID, "acme", "PAY", "1.0.0")
		if !r.Overdue {
			t.Error("not overdue the day after the target date")
		}
		r, err = tm.Releases.Update(ctx, tm.cid, "acme", "PAY", "1.0.0", release.Patch{Description: ptr("new **notes**"), TargetDate: ptr("2026-02-01")})
		if err != nil || r.Overdue || r.Name != "First" || r.Description != "new **notes**" || *r.TargetDate != "2026-02-01" || !r.UpdatedAt.Equal(tm.clock.Now()) {
			t.Fatalf("updated = %+v, %v", r, err)
		}
		if e := tm.lastEvent(t); e.Action != "release.update" || e.TargetLabel != "PAY 1.0.0" {
			t.Errorf("audit event = %+v", e)
		}
		_, err = tm.Releases.Update(ctx, tm.cid, "acme", "PAY", "1.0.0", release.Patch{Name: ptr(strings.Repeat("n", 101)), TargetDate: ptr("tomorrow")})
		wantFields(t, err, "name", "target_date")
		r, err = tm.Releases.Update(ctx, tm.cid, "acme", "PAY", "1.0.0", release.Patch{Name: ptr(" "), TargetDate: ptr("")})
		if err != nil || r.Name != "" || r.TargetDate != nil {
			t.Fatalf("cleared = %+v, %v", r, err)
		}
		got, _ := tm.Releases.Get(ctx, tm.cid.UserID, "acme", "PAY", "1.0.0")
		if got.TargetDate != nil || got.Name != "" || got.Description != "new **notes**" {
			t.Errorf("stored = %+v", got)
		}
		// Released, cancelled and rolled back releases are never overdue.
		tm.Releases.Update(ctx, tm.cid, "acme", "PAY", "1.0.0", release.Patch{TargetDate: ptr("2026-01-01")})
		for _, s := range []release.Status{release.InProgress, release.InReview, release.Released, release.RolledBack} {
			r := tm.move(t, "1.0.0", s, "x")
			if want := s != release.Released && s != release.RolledBack; r.Overdue != want {
				t.Errorf("%s: overdue = %v", s, r.Overdue)
			}
		}
	})
}

// TestListOrderAndPages: newest first by SemVer precedence (not by text),
// across pages of every size, with a status filter.
func TestListOrderAndPages(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		tm := newTeam(t, d)
		want := []string{"10.0.0", "2.0.0", "1.10.0", "1.9.0", "1.0.0", "1.0.0-rc.1", "1.0.0-beta.11", "1.0.0-beta.2", "1.0.0-beta",
			"1.0.0-alpha.beta", "1.0.0-alpha.1", "1.0.0-alpha", "0.9.0+build.7", "0.9.0-0", "0.1.0"}
		order := slices.Clone(want)
		slices.Sort(order) // create in text order, which is not version order
		for _, v := range order {
			tm.create(t, v)
		}
		tm.reach(t, "1.9.0", release.Released)
		tm.reach(t, "1.0.0-beta", release.Released)
		tm.reach(t, "0.1.0", release.Released)
		for limit := 1; limit <= len(want)+1; limit++ {
			var got []string
			cursor := ""
			for pages := 0; ; pages++ {
				if pages > len(want) {
					t.Fatal("pagination does not end")
				}
				p, err := tm.Releases.List(ctx, tm.dee.UserID, "acme", "PAY", release.ListFilter{Limit: limit, Cursor: cursor})
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Items) > limit {
					t.Fatalf("page of %d with limit %d", len(p.Items), limit)
				}
				for _, r := range p.Items {
					got = append(got, r.Version)
				}
				if p.NextCursor == "" {
					break
				}
				cursor = p.NextCursor
			}
			if !slices.Equal(got, want) {
				t.Fatalf("limit %d: %v\nwant %v", limit, got, want)
			}
		}
		p, err := tm.Releases.List(ctx, tm.dee.UserID, "acme", "PAY", release.ListFilter{Status: release.Released, Limit: 2})
		if err != nil || len(p.Items) != 2 || p.Items[0].Version != "1.9.0" || p.Items[1].Version != "1.0.0-beta" || p.NextCursor == "" {
			t.Fatalf("released page 1 = %+v, %v", p, err)
		}
		p, err = tm.Releases.List(ctx, tm.dee.UserID, "acme", "PAY", release.ListFilter{Status: release.Released, Limit: 2, Cursor: p.NextCursor})
		if err != nil || len(p.Items) != 1 || p.Items[0].Version != "0.1.0" || p.NextCursor != "" {
			t.Fatalf("released page 2 = %+v, %v", p, err)
		}
		_, err = tm.Releases.List(ctx, tm.dee.UserID, "acme", "PAY", release.ListFilter{Status: "shipped"})
		wantFields(t, err, "status")
		// Another workspace's project with the same key is not mixed in.
		p, _ = tm.Releases.List(ctx, tm.eve.UserID, "beta", "PAY", release.ListFilter{})
		if len(p.Items) != 0 {
			t.Errorf("beta sees %d releases", len(p.Items))
		}
	})
}

// TestConcurrentTransitions: several callers move the same release out of
// the same state at once; exactly one wins, the rest get a conflict, and
// the history holds one entry.
func TestConcurrentTransitions(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		tm := newTeam(t, d)
		for round := 0; round < 5; round++ {
			version := fmt.Sprintf("1.0.%d", round)
			tm.create(t, version)
			tm.reach(t, version, release.InReview)
			targets := []release.TransitionInput{{To: release.Released}, {To: release.InProgress}, {To: release.Cancelled, Reason: "no"},
				{To: release.Released}, {To: release.InProgress}, {To: release.Cancelled, Reason: "no"}}
			var wg sync.WaitGroup
			errs := make([]error, len(targets))
			start := make(chan struct{})
			for i, in := range targets {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, errs[i] = tm.Releases.Transition(ctx, tm.cid, "acme", "PAY", version, in)
				}()
			}
			close(start)
			wg.Wait()
			ok := 0
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case !apperr.Is(err, apperr.Conflict):
					t.Errorf("unexpected error: %v", err)
				}
			}
			h, _ := tm.Releases.Transitions(ctx, tm.cid.UserID, "acme", "PAY", version)
			// A winner's new state may allow one loser's move (in_progress →
			// cancelled); what must never happen is two moves from in_review.
			fromReview := 0
			for _, tr := range h {
				if tr.From == release.InReview {
					fromReview++
				}
			}
			if fromReview != 1 || ok != len(h)-2 {
				t.Errorf("round %d: %d succeeded, history %+v", round, ok, h)
			}
		}
		tm.verifyAudit(t)
	})
}

// TestVersionKeyIsComparedBytewise: on PostgreSQL the key column must use
// the "C" collation whatever the database's locale, or ORDER BY would
// follow the locale's rules instead of the key's bytes.
func TestVersionKeyIsComparedBytewise(t *testing.T) {
	t.Parallel()
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		if d.Dialect() == db.Postgres {
			var coll string
			err := d.QueryRow(ctx, `SELECT COALESCE(collation_name, '') FROM information_schema.columns
				WHERE table_schema = current_schema() AND table_name = 'releases' AND column_name = 'version_key'`).Scan(&coll)
			if err != nil || coll != "C" {
				t.Fatalf("version_key collation = %q, %v; want C", coll, err)
			}
		}
		// Keys where a locale-aware comparison disagrees with bytes: '-',
		// ',' and '~' are ignored or weighted differently by many locales.
		tm := newTeam(t, d)
		want := []string{"1.0.0", "1.0.0-rc1", "1.0.0-rc-1", "1.0.0-rc.1", "1.0.0-rc", "1.0.0-RC", "1.0.0-9"}
		for _, v := range want {
			tm.create(t, v)
		}
		p, err := tm.Releases.List(ctx, tm.cid.UserID, "acme", "PAY", release.ListFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range p.Items {
			got = append(got, r.Version)
		}
		if !slices.Equal(got, want) {
			t.Errorf("order %v, want %v", got, want)
		}
	})
}

func TestArchivedProjectTakesNoNewReleases(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		tm := newTeam(t, d)
		tm.create(t, "1.0.0")
		archived := true
		if _, err := tm.Projects.Update(ctx, tm.ana, "acme", "PAY", project.Patch{Archived: &archived}); err != nil {
			t.Fatal(err)
		}
		_, err := tm.Releases.Create(ctx, tm.cid, "acme", "PAY", release.CreateInput{Version: "1.1.0"})
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("release in an archived project: %v, want conflict", err)
		}
		// Existing releases still move (a hotfix rollback must stay possible).
		tm.move(t, "1.0.0", release.InProgress, "")
	})
}

// TestListIsNeverStale lists through one instance and changes releases
// through another on the same database: every change shows at once.
func TestListIsNeverStale(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		tm := newTeam(t, d)
		other := testkit.NewApp(t, d, tm.clock)
		list := func() []release.Release {
			t.Helper()
			p, err := tm.Releases.List(ctx, tm.cid.UserID, "acme", "PAY", release.ListFilter{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			return p.Items
		}
		tm.create(t, "1.0.0")
		list()
		if _, err := other.Releases.Create(ctx, tm.cid, "acme", "PAY", release.CreateInput{Version: "1.1.0"}); err != nil {
			t.Fatal(err)
		}
		if items := list(); len(items) != 2 || items[0].Version != "1.1.0" {
			t.Fatalf("after create elsewhere: %+v", items)
		}
		if _, err := other.Releases.Transition(ctx, tm.cid, "acme", "PAY", "1.1.0", release.TransitionInput{To: release.InProgress}); err != nil {
			t.Fatal(err)
		}
		if items := list(); items[0].Status != release.InProgress {
			t.Fatalf("status after a move elsewhere = %s", items[0].Status)
		}
		// Overdue is computed per request, not frozen in the cache.
		td := "2026-01-06"
		if _, err := other.Releases.Update(ctx, tm.cid, "acme", "PAY", "1.1.0", release.Patch{TargetDate: &td}); err != nil {
			t.Fatal(err)
		}
		if list()[0].Overdue {
			t.Fatal("overdue before the target date")
		}
		tm.clock.Advance(72 * time.Hour)
		if !list()[0].Overdue {
			t.Fatal("not overdue after the target date passed (stale cache?)")
		}
	})
}

var wantCode = testkit.WantCode

var wantFields = testkit.WantFields
