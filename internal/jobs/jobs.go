// Package jobs runs the background work of an instance on a fixed tick:
// retention, scheduled account erasure, export archives and their expiry.
// A job is a function that does whatever is due at the time it is given —
// so tests call it directly with a moved clock, and the runner only decides
// when to call it. With several instances on one PostgreSQL, every instance
// runs the jobs; each job must therefore be safe to run concurrently (claim
// rows in a transaction, or take an advisory lock).
package jobs

import (
	"context"
	"log/slog"
	"time"
)

// Job is one piece of background work.
type Job struct {
	Name string
	// Run does what is due at now and reports what it did for the log.
	Run func(ctx context.Context, now time.Time) error
}

// Runner calls every job once per Every, in order, until its context ends.
type Runner struct {
	Jobs  []Job
	Every time.Duration // default one minute
	Now   func() time.Time
	Log   *slog.Logger
}

// Start runs the jobs in the background and returns a function that stops
// them and waits for a running pass to finish.
func (r *Runner) Start(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	every := r.Every
	if every <= 0 {
		every = time.Minute
	}
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			r.RunOnce(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() { cancel(); <-done }
}

// RunOnce runs every job once; a failing job is logged and the others
// still run.
func (r *Runner) RunOnce(ctx context.Context) {
	for _, j := range r.Jobs {
		if ctx.Err() != nil {
			return
		}
		start := time.Now()
		if err := j.Run(ctx, r.Now()); err != nil && ctx.Err() == nil {
			r.Log.Error("job failed", "job", j.Name, "err", err)
			continue
		}
		r.Log.Debug("job ran", "job", j.Name, "took", time.Since(start))
	}
}
