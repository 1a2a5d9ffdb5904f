package retention_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"shipshape/internal/account"
	"shipshape/internal/app"
	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/db"
	"shipshape/internal/project"
	"shipshape/internal/retention"
	"shipshape/internal/testkit"
)

const day = 24 * time.Hour

func siteAdmin(t *testing.T, a *app.App) account.User {
	t.Helper()
	u, err := a.Accounts.CreateUser(context.Background(), account.SignupInput{Name: "Site Admin", Email: "root@example.com", Password: testkit.Password}, true)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func items(r retention.Run) map[retention.Category]retention.Counts {
	out := map[retention.Category]retention.Counts{}
	for _, it := range r.Items {
		out[it.Category] = it.Counts
	}
	return out
}

func verifyOK(t *testing.T, d *db.DB, ws string) audit.Verification {
	t.Helper()
	v, err := audit.Verify(context.Background(), d, ws)
	if err != nil || !v.OK {
		t.Fatalf("audit verify %q: %+v %v", ws, v, err)
	}
	return v
}

// TestRunPurgesWhatIsOlderThanItsPeriod creates data at t0, moves the
// clock past each category's period, dry-runs (counts, nothing changes),
// runs (rows gone or anonymised, counts recorded, the audit trail still
// verifies) and checks that audit events go after two years.
func TestRunPurgesWhatIsOlderThanItsPeriod(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clock := testkit.NewClock()
		a := testkit.NewApp(t, d, clock)
		svc := a.Retention
		root := siteAdmin(t, a)
		ana := testkit.MustUser(t, a, "Ana Lima")
		acme := testkit.MustWorkspace(t, a, ana, "acme")
		if _, _, err := a.Accounts.Login(ctx, testkit.Actor(ana), ana.Email, testkit.Password); err != nil {
			t.Fatal(err)
		}
		if _, _, err := a.Accounts.Login(ctx, testkit.Actor(ana), "nobody@example.com", "wrong password"); err == nil {
			t.Fatal("a sign-in with a wrong password passed")
		}
		throttle := count(t, d, `SELECT COUNT(*) FROM login_throttle`)
		if throttle == 0 {
			t.Fatal("a failed sign-in left no throttle counter")
		}

		// Not for everyone.
		_, err := svc.Run(ctx, testkit.Actor(ana), false, true)
		testkit.WantCode(t, err, apperr.NotFound)
		_, err = svc.Overview(ctx, false)
		testkit.WantCode(t, err, apperr.NotFound)

		// 100 days on: access logs (90), sessions (expired 30 days ago) and
		// throttle counters (1 day) are due; audit events (730) are not.
		clock.Advance(100 * day)
		beta := testkit.MustWorkspace(t, a, ana, "beta") // a recent event that keeps its IP
		oldDetails := count(t, d, `SELECT COUNT(*) FROM audit_events WHERE at < ? AND (ip <> '' OR user_agent <> '')`, clock.Now().Add(-90*day))
		if oldDetails == 0 {
			t.Fatal("no old audit events with client details")
		}
		events := count(t, d, `SELECT COUNT(*) FROM audit_events`)

		dry, err := svc.Run(ctx, testkit.Actor(root), true, true)
		if err != nil {
			t.Fatal(err)
		}
		want := map[retention.Category]retention.Counts{
			retention.AccessLogs:    {Rows: oldDetails + 1}, // and the session's ip and user agent
			retention.Sessions:      {Rows: 1},
			retention.LoginThrottle: {Rows: throttle},
		}
		got := items(dry)
		for _, s := range retention.Specs() {
			if got[s.Category] != want[s.Category] {
				t.Errorf("dry run %s = %+v, want %+v", s.Category, got[s.Category], want[s.Category])
			}
		}
		if !dry.DryRun || dry.FinishedAt == nil || dry.TriggeredBy != root.ID || len(dry.Items) != len(retention.Specs()) {
			t.Errorf("dry run record %+v", dry)
		}
		// Nothing changed.
		if n := count(t, d, `SELECT COUNT(*) FROM audit_events WHERE at < ? AND (ip <> '' OR user_agent <> '')`, clock.Now().Add(-90*day)); n != oldDetails {
			t.Errorf("a dry run blanked client details: %d left of %d", n, oldDetails)
		}
		if count(t, d, `SELECT COUNT(*) FROM sessions`) != 1 || count(t, d, `SELECT COUNT(*) FROM login_throttle`) != throttle ||
			count(t, d, `SELECT COUNT(*) FROM audit_events`) != events {
			t.Error("a dry run deleted rows")
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_events WHERE action = 'retention.run'`); n != 0 {
			t.Errorf("a dry run was recorded in the audit trail (%d)", n)
		}

		run, err := svc.Run(ctx, testkit.Actor(root), true, false)
		if err != nil {
			t.Fatal(err)
		}
		got = items(run)
		for _, s := range retention.Specs() {
			if got[s.Category] != want[s.Category] {
				t.Errorf("run %s = %+v, want %+v (as the dry run said)", s.Category, got[s.Category], want[s.Category])
			}
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_events WHERE at < ? AND (ip <> '' OR user_agent <> '')`, clock.Now().Add(-90*day)); n != 0 {
			t.Errorf("%d old events keep their client details", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_events WHERE workspace_id = ? AND ip = '192.0.2.1'`, beta.ID); n == 0 {
			t.Error("a recent event lost its client details")
		}
		if count(t, d, `SELECT COUNT(*) FROM sessions`) != 0 || count(t, d, `SELECT COUNT(*) FROM login_throttle`) != 0 {
			t.Error("expired sessions or throttle counters are left")
		}
		verifyOK(t, d, acme.ID)
		verifyOK(t, d, "")
		if n := count(t, d, `SELECT COUNT(*) FROM audit_events WHERE chain = 'site' AND action = 'retention.run' AND actor_id = ? AND target_id = ?`, root.ID, run.ID); n != 1 {
			t.Errorf("retention.run events: %d", n)
		}
		again, err := svc.Run(ctx, testkit.Actor(root), true, false)
		if err != nil || again.Total() != (retention.Counts{}) {
			t.Errorf("a second run purged %+v %v", again.Total(), err)
		}

		o, err := svc.Overview(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(o.Runs) != 3 || o.Runs[0].ID != again.ID || !o.Runs[2].DryRun || o.LastScheduled != nil || o.NextRun != nil {
			t.Errorf("overview runs %+v, scheduled %v next %v", o.Runs, o.LastScheduled, o.NextRun)
		}
		for _, p := range o.Policies {
			if p.LastRun == nil || !p.LastRun.Equal(again.StartedAt) || p.Purged != (retention.Counts{}) {
				t.Errorf("policy %s: last run %v purged %+v", p.Category, p.LastRun, p.Purged)
			}
		}

		// Two years after t0: acme's events are all older than 730 days,
		// beta's (t0 + 100 days) are not. Both chains still verify.
		clock.Advance(650 * day)
		cutoff := clock.Now().Add(-730 * day)
		old := count(t, d, `SELECT COUNT(*) FROM audit_events WHERE at < ?`, cutoff)
		dry, err = svc.Run(ctx, testkit.Actor(root), true, true)
		if err != nil || items(dry)[retention.AuditEvents].Rows != old || old == 0 {
			t.Fatalf("dry run audit_events %+v, want %d: %v", items(dry), old, err)
		}
		run, err = svc.Run(ctx, testkit.Actor(root), true, false)
		if err != nil || items(run)[retention.AuditEvents].Rows != old {
			t.Fatalf("run audit_events %+v, want %d: %v", items(run), old, err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_events WHERE at < ?`, cutoff); n != 0 {
			t.Errorf("%d old events left", n)
		}
		if v := verifyOK(t, d, acme.ID); v.Checked != 0 || v.AnchorSeq != v.HeadSeq {
			t.Errorf("acme's chain after pruning all of it: %+v", v)
		}
		if v := verifyOK(t, d, beta.ID); v.Checked == 0 || v.AnchorSeq != 0 {
			t.Errorf("beta's chain is untouched: %+v", v)
		}
		if v := verifyOK(t, d, ""); v.AnchorSeq == 0 {
			t.Errorf("the site chain was not pruned: %+v", v)
		}
		// The chains go on from their anchors.
		if _, err := a.Projects.Create(ctx, testkit.Actor(ana), "acme", project.CreateInput{Key: "PAY", Name: "Payments"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := a.Accounts.Login(ctx, testkit.Actor(ana), ana.Email, testkit.Password); err != nil {
			t.Fatal(err)
		}
		if v := verifyOK(t, d, acme.ID); v.Checked != 1 {
			t.Errorf("acme's chain after a new event: %+v", v)
		}
		verifyOK(t, d, "")
	})
}

// TestJobRunsOncePerDay: the scheduled job starts a run when the last
// scheduled one is 24 hours old, once across concurrent instances.
func TestJobRunsOncePerDay(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clock := testkit.NewClock()
		a := testkit.NewApp(t, d, clock)
		svc := a.Retention
		found := false
		for _, j := range a.Jobs.Jobs {
			found = found || j.Name == "retention"
		}
		if !found {
			t.Fatal("the retention job is not registered with the runner")
		}
		scheduled := func() int {
			return count(t, d, `SELECT COUNT(*) FROM retention_runs WHERE triggered_by = 'schedule'`)
		}
		// Several instances at once: one run.
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Go(func() { errs <- svc.RunDue(ctx, clock.Now()) })
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := scheduled(); n != 1 {
			t.Fatalf("%d scheduled runs, want 1", n)
		}
		first := clock.Now()
		clock.Advance(23 * time.Hour)
		if err := svc.RunDue(ctx, clock.Now()); err != nil || scheduled() != 1 {
			t.Fatalf("after 23 hours: %d runs %v", scheduled(), err)
		}
		// A manual run does not move the schedule.
		if _, err := svc.Run(ctx, audit.Actor{UserID: "u1"}, true, false); err != nil {
			t.Fatal(err)
		}
		o, err := svc.Overview(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		if o.LastScheduled == nil || !o.LastScheduled.Equal(first) || o.NextRun == nil || !o.NextRun.Equal(first.Add(24*time.Hour)) {
			t.Errorf("schedule: last %v next %v", o.LastScheduled, o.NextRun)
		}
		clock.Advance(time.Hour)
		if err := svc.RunDue(ctx, clock.Now()); err != nil || scheduled() != 2 {
			t.Fatalf("after 24 hours: %d runs %v", scheduled(), err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM retention_runs WHERE finished_at IS NULL`); n != 0 {
			t.Errorf("%d runs did not finish", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_events WHERE action = 'retention.run' AND actor_id IS NULL`); n != 2 {
			t.Errorf("scheduled runs in the audit trail: %d, want 2", n)
		}
		// Overdue (the server was down): the next run is due at once.
		clock.Advance(3 * 24 * time.Hour)
		if o, _ := svc.Overview(ctx, true); o.NextRun != nil {
			t.Errorf("overdue next run %v", o.NextRun)
		}
	})
}

func TestUpdatePolicies(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clock := testkit.NewClock()
		a := testkit.NewApp(t, d, clock)
		svc := a.Retention
		root := siteAdmin(t, a)
		ana := testkit.MustUser(t, a, "Ana Lima")

		o, err := svc.Overview(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		defaults := map[retention.Category]int{"access_logs": 90, "audit_events": 730, "sessions": 30, "login_throttle": 1,
			"export_archives": 2, "deleted_accounts": 7, "backups": 7}
		for _, p := range o.Policies {
			if p.KeepDays != defaults[p.Category] || p.UpdatedAt != nil || p.Action != p.Default || p.LastRun != nil {
				t.Errorf("default %s: %+v", p.Category, p)
			}
		}
		if len(o.Policies) != len(defaults) {
			t.Errorf("%d policies", len(o.Policies))
		}

		in := retention.UpdateInput{Policies: []retention.PolicyInput{{Category: "access_logs", KeepDays: 30}}}
		_, err = svc.Update(ctx, testkit.Actor(ana), false, in)
		testkit.WantCode(t, err, apperr.NotFound)
		_, err = svc.Update(ctx, testkit.Actor(root), true, retention.UpdateInput{})
		testkit.WantFields(t, err, "policies")
		_, err = svc.Update(ctx, testkit.Actor(root), true, retention.UpdateInput{Policies: []retention.PolicyInput{
			{Category: "access_logs", KeepDays: 0},
			{Category: "audit_events", KeepDays: 10},
			{Category: "cookies", KeepDays: 5},
			{Category: "sessions", KeepDays: 5, Action: "anonymise"},
			{Category: "access_logs", KeepDays: 5},
			{Category: "backups", KeepDays: 5000},
		}})
		testkit.WantFields(t, err, "policies[0].keep_days", "policies[1].keep_days", "policies[2].category", "policies[3].action",
			"policies[4].category", "policies[5].keep_days")

		o, err = svc.Update(ctx, testkit.Actor(root), true, retention.UpdateInput{Policies: []retention.PolicyInput{
			{Category: "access_logs", KeepDays: 30, Action: "anonymise"}, {Category: "audit_events", KeepDays: 365}}})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range o.Policies {
			switch p.Category {
			case "access_logs":
				if p.KeepDays != 30 || p.UpdatedAt == nil || p.UpdatedBy != root.ID {
					t.Errorf("access_logs %+v", p)
				}
			case "audit_events":
				if p.KeepDays != 365 || p.Action != retention.Delete {
					t.Errorf("audit_events %+v", p)
				}
			case "sessions":
				if p.KeepDays != 30 || p.UpdatedAt != nil {
					t.Errorf("an unlisted category changed: %+v", p)
				}
			}
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_events WHERE action = 'retention.update' AND actor_id = ?`, root.ID); n != 1 {
			t.Errorf("retention.update events: %d", n)
		}
		// Saving the same values again records nothing.
		if _, err := svc.Update(ctx, testkit.Actor(root), true, retention.UpdateInput{Policies: []retention.PolicyInput{{Category: "access_logs", KeepDays: 30}}}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_events WHERE action = 'retention.update'`); n != 1 {
			t.Errorf("an unchanged save was recorded: %d", n)
		}

		// The run applies the new period: 31 days on, the client details
		// of the events at t0 are blanked.
		clock.Advance(31 * day)
		run, err := svc.Run(ctx, testkit.Actor(root), true, false)
		if err != nil {
			t.Fatal(err)
		}
		if it := items(run)[retention.AccessLogs]; it.Rows == 0 {
			t.Errorf("a 30-day access log period purged nothing after 31 days: %+v", run.Items)
		}
		for _, it := range run.Items {
			if it.Category == retention.AccessLogs && it.KeepDays != 30 {
				t.Errorf("run item %+v", it)
			}
		}
	})
}

// TestPurgersHook: a feature registers the purge of its own category.
func TestPurgersHook(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clock := testkit.NewClock()
		a := testkit.NewApp(t, d, clock)
		var gotCutoff time.Time
		var gotDry []bool
		a.Retention.Purgers = map[retention.Category]retention.Purger{
			retention.ExportArchives: func(ctx context.Context, tx *db.Tx, cutoff time.Time, dryRun bool) (int, int, error) {
				gotCutoff = cutoff
				gotDry = append(gotDry, dryRun)
				return 2, 3, nil
			},
		}
		for _, dry := range []bool{true, false} {
			run, err := a.Retention.Run(ctx, audit.Actor{UserID: "u1"}, true, dry)
			if err != nil {
				t.Fatal(err)
			}
			if c := items(run)[retention.ExportArchives]; c != (retention.Counts{Rows: 2, Files: 3}) {
				t.Errorf("export_archives %+v", c)
			}
		}
		if !gotCutoff.Equal(clock.Now().Add(-2*day)) || len(gotDry) != 2 || !gotDry[0] || gotDry[1] {
			t.Errorf("purger called with cutoff %v dry %v", gotCutoff, gotDry)
		}
	})
}
