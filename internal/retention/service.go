package retention

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/db"
	"shipshape/internal/jobs"
)

// Purger purges one category: it deletes (or, with dryRun, only counts)
// what is older than cutoff inside tx and reports the rows and files. Files
// are removed after commit (tx.AfterCommit), so a rolled-back run keeps
// them.
type Purger func(ctx context.Context, tx *db.Tx, cutoff time.Time, dryRun bool) (rows, files int, err error)

// Service is the retention domain's transaction and permission boundary.
type Service struct {
	DB  *db.DB
	Now func() time.Time
	Log *slog.Logger
	// SessionIdle is the idle timeout of sessions (config), so that a
	// session that expired by idling counts as expired from then.
	SessionIdle time.Duration
	// Purgers are the categories whose features purge their own data:
	// export archives, deleted accounts and backups register here when they
	// exist. A category without a purger, or a built-in one, reports 0.
	Purgers map[Category]Purger
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// Overview returns the policies, the schedule and the last runs (site
// admins; a 404 for everyone else).
func (s *Service) Overview(ctx context.Context, siteAdmin bool) (Overview, error) {
	if !siteAdmin {
		return Overview{}, apperr.NotFoundf("not found")
	}
	var o Overview
	err := s.DB.ReadTx(ctx, func(q db.Querier) error {
		var err error
		if o.Policies, err = policies(ctx, q); err != nil {
			return err
		}
		last, err := listRuns(ctx, q, 1, true, true)
		if err != nil {
			return err
		}
		if len(last) == 1 {
			byCat := map[Category]Counts{}
			for _, it := range last[0].Items {
				byCat[it.Category] = it.Counts
			}
			for i := range o.Policies {
				o.Policies[i].LastRun = &last[0].StartedAt
				o.Policies[i].Purged = byCat[o.Policies[i].Category]
			}
		}
		if o.LastScheduled, err = lastScheduled(ctx, q); err != nil {
			return err
		}
		if o.Runs, err = listRuns(ctx, q, 10, false, false); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return Overview{}, err
	}
	if o.Runs == nil {
		o.Runs = []Run{}
	}
	if o.LastScheduled != nil {
		if next := o.LastScheduled.Add(Every); next.After(s.now()) {
			o.NextRun = &next
		}
	}
	return o, nil
}

// Period is how long category c is kept now (its policy, or the default):
// features that apply a period themselves (the deletion grace, export
// archives) read it here, so the admin page's setting is the one in force.
func (s *Service) Period(ctx context.Context, c Category) (time.Duration, error) {
	ps, err := policies(ctx, s.DB)
	if err != nil {
		return 0, err
	}
	for _, p := range ps {
		if p.Category == c {
			return time.Duration(p.KeepDays) * 24 * time.Hour, nil
		}
	}
	return 0, fmt.Errorf("retention: unknown category %q", c)
}

// policies returns every category's policy: the stored one or the default.
func policies(ctx context.Context, q db.Querier) ([]Policy, error) {
	stored, err := loadPolicies(ctx, q)
	if err != nil {
		return nil, err
	}
	var out []Policy
	for _, spec := range Specs() {
		p := Policy{Spec: spec, KeepDays: spec.DefaultDays, Action: spec.Default}
		if st, ok := stored[spec.Category]; ok {
			at := st.updatedAt
			p.KeepDays, p.Action, p.UpdatedAt, p.UpdatedBy = st.keepDays, st.action, &at, st.updatedBy
		}
		out = append(out, p)
	}
	return out, nil
}

// Update changes the listed categories' policies (site admins) and records
// the change in the site audit trail.
func (s *Service) Update(ctx context.Context, actor audit.Actor, siteAdmin bool, in UpdateInput) (Overview, error) {
	if !siteAdmin {
		return Overview{}, apperr.NotFoundf("not found")
	}
	if err := in.validate(); err != nil {
		return Overview{}, err
	}
	now := s.now()
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		cur, err := policies(ctx, tx)
		if err != nil {
			return err
		}
		was := map[Category]Policy{}
		for _, p := range cur {
			was[p.Category] = p
		}
		var changed []string
		for _, p := range in.Policies {
			// Unchanged: nothing to write. A default stays a default (no
			// row), so that it follows the defaults of later versions.
			if old := was[p.Category]; old.KeepDays == p.KeepDays && old.Action == p.Action {
				continue
			}
			if err := putPolicy(ctx, tx, p, actor.UserID, now); err != nil {
				return err
			}
			changed = append(changed, string(p.Category)+" "+strconv.Itoa(p.KeepDays)+"d "+string(p.Action))
		}
		if len(changed) == 0 {
			return nil
		}
		return audit.Record(ctx, tx, actor, now, audit.Entry{Action: "retention.update", TargetType: "retention", TargetID: "policies",
			TargetLabel: strings.Join(changed, ", ")})
	})
	if err != nil {
		return Overview{}, err
	}
	return s.Overview(ctx, true)
}

// Run runs the retention job now for a site admin: a dry run counts what
// would be purged and changes nothing but its own record; a real run purges
// and is recorded in the site audit trail.
func (s *Service) Run(ctx context.Context, actor audit.Actor, siteAdmin, dryRun bool) (Run, error) {
	if !siteAdmin {
		return Run{}, apperr.NotFoundf("not found")
	}
	now := s.now()
	r := Run{ID: db.NewID(), StartedAt: now, DryRun: dryRun, TriggeredBy: actor.UserID}
	if err := s.DB.InTx(ctx, func(tx *db.Tx) error { return insertRun(ctx, tx, r) }); err != nil {
		return Run{}, err
	}
	return s.execute(ctx, actor, r)
}

// FindRun returns one run (site admins).
func (s *Service) FindRun(ctx context.Context, siteAdmin bool, id string) (Run, error) {
	if !siteAdmin {
		return Run{}, apperr.NotFoundf("not found")
	}
	r, ok, err := findRun(ctx, s.DB, id)
	if err != nil {
		return Run{}, err
	}
	if !ok {
		return Run{}, apperr.NotFoundf("no such retention run")
	}
	return r, nil
}

// Job is the daily run for the background runner.
func (s *Service) Job() jobs.Job { return jobs.Job{Name: "retention", Run: s.RunDue} }

// RunDue starts a scheduled run when the last one started Every (24 h) or
// more before now, and does nothing otherwise. Instances sharing a
// database decide under one lock and claim the run in the same
// transaction, so only one of them runs it.
func (s *Service) RunDue(ctx context.Context, now time.Time) error {
	now = now.UTC().Truncate(time.Microsecond)
	r := Run{ID: db.NewID(), StartedAt: now, TriggeredBy: Scheduled}
	due := false
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := tx.Lock(ctx, "retention"); err != nil {
			return err
		}
		last, err := lastScheduled(ctx, tx)
		if err != nil {
			return err
		}
		if last != nil && now.Sub(*last) < Every {
			return nil
		}
		due = true
		return insertRun(ctx, tx, r)
	})
	if err != nil || !due {
		return err
	}
	_, err = s.execute(ctx, audit.Actor{}, r)
	return err
}

// execute applies every category's policy to the claimed run r, one
// transaction per category (the purge and its count commit together), then
// marks the run finished and, for a real run, records it in the site audit
// trail. A failing category stops the run, which stays unfinished.
func (s *Service) execute(ctx context.Context, actor audit.Actor, r Run) (Run, error) {
	pols, err := policies(ctx, s.DB)
	if err != nil {
		return r, err
	}
	for _, p := range pols {
		it := Item{Category: p.Category, Action: p.Action, KeepDays: p.KeepDays}
		cutoff := r.StartedAt.Add(-time.Duration(p.KeepDays) * 24 * time.Hour)
		err := s.DB.InTx(ctx, func(tx *db.Tx) error {
			if err := tx.Lock(ctx, "retention"); err != nil {
				return err
			}
			rows, files, err := s.purge(ctx, tx, p.Category, cutoff, r.DryRun)
			if err != nil {
				return err
			}
			it.Rows, it.Files = rows, files
			if err := insertItem(ctx, tx, r.ID, it); err != nil {
				return err
			}
			if r.DryRun || rows+files == 0 {
				return nil
			}
			// Each category's purge is audited in its own transaction: a run
			// that stops later still leaves a record of what it removed.
			return audit.Record(ctx, tx, actor, s.now(), audit.Entry{Action: "retention.purge", TargetType: "retention", TargetID: r.ID,
				TargetLabel: fmt.Sprintf("%s: %d rows, %d files", p.Category, rows, files)})
		})
		if err != nil {
			return r, fmt.Errorf("retention: %s: %w", p.Category, err)
		}
		r.Items = append(r.Items, it)
	}
	finished := s.now()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := finishRun(ctx, tx, r.ID, finished); err != nil {
			return err
		}
		if r.DryRun {
			return nil
		}
		// Run records are kept as long as audit events.
		if err := deleteOldRuns(ctx, tx, r.StartedAt.Add(-time.Duration(keepDays(pols, AuditEvents))*24*time.Hour)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, finished, audit.Entry{Action: "retention.run", TargetType: "retention", TargetID: r.ID,
			TargetLabel: summary(r)})
	})
	if err != nil {
		return r, err
	}
	r.FinishedAt = &finished
	return r, nil
}

// purge applies one category. Built-in categories purge data Shipshape
// has today; the others call the purger their feature registered.
func (s *Service) purge(ctx context.Context, tx *db.Tx, c Category, cutoff time.Time, dryRun bool) (rows, files int, err error) {
	if p := s.Purgers[c]; p != nil {
		return p(ctx, tx, cutoff, dryRun)
	}
	switch c {
	case AccessLogs:
		a, err := anonymiseAuditDetails(ctx, tx, cutoff, dryRun)
		if err != nil {
			return 0, 0, err
		}
		b, err := anonymiseSessionDetails(ctx, tx, cutoff, dryRun)
		return a + b, 0, err
	case AuditEvents:
		n, skipped, err := audit.Prune(ctx, tx, cutoff, dryRun)
		if len(skipped) > 0 && s.Log != nil {
			s.Log.Warn("retention: audit chains that do not verify were not pruned; run `shipshape audit verify`", "chains", strings.Join(skipped, ","))
		}
		return n, 0, err
	case Sessions:
		n, err := deleteExpiredSessions(ctx, tx, cutoff, s.SessionIdle, dryRun)
		return n, 0, err
	case LoginThrottle:
		n, err := deleteThrottle(ctx, tx, cutoff, dryRun)
		return n, 0, err
	}
	// export_archives, deleted_accounts, backups: the features that own
	// this data are not there yet; nothing to purge until they register.
	return 0, 0, nil
}

func keepDays(pols []Policy, c Category) int {
	for _, p := range pols {
		if p.Category == c {
			return p.KeepDays
		}
	}
	return 0
}

// summary is the audit label of a run: the categories that purged anything.
func summary(r Run) string {
	var parts []string
	for _, it := range r.Items {
		if it.Rows == 0 && it.Files == 0 {
			continue
		}
		p := string(it.Category) + " " + strconv.Itoa(it.Rows)
		if it.Files > 0 {
			p += " rows, " + strconv.Itoa(it.Files) + " files"
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return "nothing to purge"
	}
	return strings.Join(parts, "; ")
}
