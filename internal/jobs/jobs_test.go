package jobs_test

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"shipshape/internal/jobs"
)

func TestRunnerRunsEveryJobAndStops(t *testing.T) {
	var a, b atomic.Int32
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := &jobs.Runner{Every: time.Millisecond, Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler), Jobs: []jobs.Job{
		{Name: "fails", Run: func(context.Context, time.Time) error { a.Add(1); return errors.New("boom") }},
		{Name: "counts", Run: func(_ context.Context, at time.Time) error {
			if !at.Equal(now) {
				t.Errorf("job got %v, want the runner's clock", at)
			}
			b.Add(1)
			return nil
		}},
	}}
	stop := r.Start(context.Background())
	deadline := time.Now().Add(5 * time.Second)
	for b.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	stop()
	if a.Load() < 3 || b.Load() < 3 {
		t.Fatalf("runs: failing job %d, other job %d; a failing job must not stop the others", a.Load(), b.Load())
	}
	n := b.Load()
	time.Sleep(10 * time.Millisecond)
	if b.Load() != n {
		t.Error("jobs ran after stop returned")
	}
}
