// Package apibench holds in-process Go benchmarks of the hot API path the
// load harness (bench/loadtest) measures over the network:
// GET /api/v1/workspaces/{ws}/projects with a bearer token. They exist to be
// profiled:
//
//	go test ./bench/apibench -run '^$' -bench . -benchmem -cpuprofile /tmp/cpu.prof
//	go tool pprof -top -nodecount 40 /tmp/cpu.prof
//
// SHIPSHAPE_TEST_POSTGRES adds the PostgreSQL variants.
package apibench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"shipshape/internal/app"
	"shipshape/internal/db"
	"shipshape/internal/httpx"
	"shipshape/internal/project"
	"shipshape/internal/testkit"
)

const nProjects = 20

type fixture struct {
	app    *app.App
	token  string
	userID string
	slug   string
	path   string
	body   []byte // the list response, for the ceiling handler
	ctype  string
}

// setup wires the app the way `shipshape serve --log-level warn` does (real
// clock, warn-level logger) and seeds one workspace with nProjects projects.
func setup(b *testing.B, engine db.Dialect) *fixture {
	b.Helper()
	d := testkit.OpenDB(b, engine)
	cfg := testkit.Config(b)
	cfg.LogLevel = "warn"
	log := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.New(cfg, log, d, time.Now)
	if err != nil {
		b.Fatal(err)
	}
	u := testkit.MustUser(b, a, "Bench User")
	f := &fixture{app: a, token: testkit.MustToken(b, a, u), userID: u.ID, slug: "bench"}
	testkit.MustWorkspace(b, a, u, f.slug)
	for i := range nProjects {
		in := project.CreateInput{Key: fmt.Sprintf("P%02d", i+1), Name: fmt.Sprintf("Service %02d", i+1),
			Description: "The service and everything that ships with it: the public API, the background workers " +
				"and the operator runbooks. Releases follow the **weekly train**; hotfixes need a second approver."}
		if _, err := a.Projects.Create(context.Background(), testkit.Actor(u), f.slug, in); err != nil {
			b.Fatal(err)
		}
	}
	f.path = "/api/v1/workspaces/" + f.slug + "/projects"
	w := f.get(b, a.Handler)
	f.body, f.ctype = w.Body.Bytes(), w.Header().Get("Content-Type")
	return f
}

func (f *fixture) request() *http.Request {
	r := httptest.NewRequest("GET", f.path, nil)
	r.RemoteAddr = "127.0.0.1:40000"
	r.Header.Set("Authorization", "Bearer "+f.token)
	return r
}

func (f *fixture) get(b *testing.B, h http.Handler) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, f.request())
	if w.Code != http.StatusOK {
		b.Fatalf("GET %s: %d %s", f.path, w.Code, w.Body)
	}
	return w
}

// discard is a cheap ResponseWriter, so that the recorder's own copying is
// not what we measure.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

// cpuTime is the CPU time this process has used (all threads: handlers, GC,
// database/sql and driver goroutines).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measureCPU reports cpu-ns/op next to ns/op: the machine is shared, and CPU
// time per operation is much less sensitive to other load than wall time.
func measureCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func engines(b *testing.B, fn func(b *testing.B, f *fixture)) {
	for _, e := range testkit.Engines() {
		b.Run(string(e), func(b *testing.B) { fn(b, setup(b, e)) })
	}
}

// BenchmarkListProjects is the whole handler chain, one request at a time.
func BenchmarkListProjects(b *testing.B) {
	engines(b, func(b *testing.B, f *fixture) {
		h := f.app.Handler
		b.ReportAllocs()
		defer measureCPU(b)()
		for b.Loop() {
			w := &discard{h: http.Header{}}
			h.ServeHTTP(w, f.request())
		}
	})
}

// BenchmarkListProjectsParallel is the whole chain with GOMAXPROCS×
// goroutines, closer to what 64 wrk connections do.
func BenchmarkListProjectsParallel(b *testing.B) {
	engines(b, func(b *testing.B, f *fixture) {
		h := f.app.Handler
		b.ReportAllocs()
		b.SetParallelism(8)
		defer measureCPU(b)()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				w := &discard{h: http.Header{}}
				h.ServeHTTP(w, f.request())
			}
		})
	})
}

// BenchmarkCeiling is the bare handler the load harness compares against.
func BenchmarkCeiling(b *testing.B) {
	engines(b, func(b *testing.B, f *fixture) {
		body, ctype := f.body, f.ctype
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ctype)
			_, _ = w.Write(body)
		})
		b.ReportAllocs()
		defer measureCPU(b)()
		for b.Loop() {
			h.ServeHTTP(&discard{h: http.Header{}}, f.request())
		}
	})
}

// BenchmarkStages splits the request into what each layer costs.
func BenchmarkStages(b *testing.B) {
	engines(b, func(b *testing.B, f *fixture) {
		ctx := context.Background()
		b.Run("authenticate", func(b *testing.B) {
			b.ReportAllocs()
			defer measureCPU(b)()
			for b.Loop() {
				if _, err := f.app.Accounts.TokenPrincipal(ctx, f.token); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("access+list", func(b *testing.B) {
			b.ReportAllocs()
			defer measureCPU(b)()
			for b.Loop() {
				if _, err := f.app.Projects.List(ctx, f.userID, f.slug, project.ListFilter{Limit: 50}); err != nil {
					b.Fatal(err)
				}
			}
		})
		p, err := f.app.Projects.List(ctx, f.userID, f.slug, project.ListFilter{Limit: 50})
		if err != nil {
			b.Fatal(err)
		}
		b.Run("encode", func(b *testing.B) {
			b.ReportAllocs()
			v := struct {
				Items      []project.Project `json:"items"`
				NextCursor *string           `json:"next_cursor"`
			}{Items: p.Items}
			defer measureCPU(b)()
			for b.Loop() {
				httpx.WriteJSON(&discard{h: http.Header{}}, 200, v)
			}
		})
		b.Run("middleware-only", func(b *testing.B) {
			// Observe + SecurityHeaders around a handler that writes the body.
			h := httpx.Chain(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", f.ctype)
				_, _ = w.Write(f.body)
			}), httpx.Observe(f.app.Log), httpx.SecurityHeaders(false))
			b.ReportAllocs()
			defer measureCPU(b)()
			for b.Loop() {
				h.ServeHTTP(&discard{h: http.Header{}}, f.request())
			}
		})
		if !bytes.HasPrefix(f.body, []byte(`{"items":[`)) {
			b.Fatalf("unexpected body %.60s", f.body)
		}
	})
}
