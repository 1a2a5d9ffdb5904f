package apibench

// Benchmarks of the releases scenario of the load harness
// (go run ./bench/loadtest -scenario releases):
// GET .../projects/{key}/releases?limit=20 on a project with 1,000 releases,
// and POST .../releases (create release + audit event).
//
//	go test ./bench/apibench -run '^$' -bench 'Release' -benchmem
//	go test ./bench/apibench -run '^$' -bench ListReleasesParallel -benchtime 5s -cpuprofile /tmp/rel.prof
//	go tool pprof -top -cum -nodecount 60 /tmp/rel.prof

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"shipshape/internal/audit"
	"shipshape/internal/db"
	"shipshape/internal/httpx"
	"shipshape/internal/project"
	"shipshape/internal/release"
	"shipshape/internal/testkit"
)

const nReleases = 1000

type relFixture struct {
	*fixture
	actor audit.Actor
}

// seedVersion matches bench/loadtest: 1.<i/100>.<i%100>, 20 % prereleases.
func seedVersion(i int) string {
	v := fmt.Sprintf("1.%d.%d", i/100, i%100)
	switch i % 10 {
	case 3:
		v += "-beta.2"
	case 7:
		v += "-rc.1"
	}
	return v
}

func setupReleases(b *testing.B, engine db.Dialect) *relFixture {
	b.Helper()
	f := setup(b, engine)
	ctx := context.Background()
	// The fixture's user owns the workspace; act as that user.
	actor := audit.Actor{UserID: f.userID}
	if _, err := f.app.Projects.Create(ctx, actor, f.slug, project.CreateInput{Key: "REL", Name: "Release train"}); err != nil {
		b.Fatal(err)
	}
	for i := range nReleases {
		v := seedVersion(i)
		in := release.CreateInput{Version: v, Name: "Release " + v, Description: "Weekly train " + v + ": fixes and small features; see the notes."}
		if _, err := f.app.Releases.Create(ctx, actor, f.slug, "REL", in); err != nil {
			b.Fatal(err)
		}
	}
	f.path = "/api/v1/workspaces/" + f.slug + "/projects/REL/releases?limit=20"
	w := f.get(b, f.app.Handler)
	f.body, f.ctype = w.Body.Bytes(), w.Header().Get("Content-Type")
	if !bytes.Contains(f.body, []byte(`"version":"1.9.99"`)) {
		b.Fatalf("unexpected body %.200s", f.body)
	}
	return &relFixture{fixture: f, actor: actor}
}

func relEngines(b *testing.B, fn func(b *testing.B, f *relFixture)) {
	for _, e := range testkit.Engines() {
		b.Run(string(e), func(b *testing.B) { fn(b, setupReleases(b, e)) })
	}
}

// BenchmarkListReleases is the whole handler chain, one request at a time.
func BenchmarkListReleases(b *testing.B) {
	relEngines(b, func(b *testing.B, f *relFixture) {
		h := f.app.Handler
		b.ReportAllocs()
		defer measureCPU(b)()
		for b.Loop() {
			h.ServeHTTP(&discard{h: http.Header{}}, f.request())
		}
	})
}

// BenchmarkListReleasesParallel is closer to what 64 wrk connections do.
func BenchmarkListReleasesParallel(b *testing.B) {
	relEngines(b, func(b *testing.B, f *relFixture) {
		h := f.app.Handler
		b.ReportAllocs()
		b.SetParallelism(8)
		defer measureCPU(b)()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				h.ServeHTTP(&discard{h: http.Header{}}, f.request())
			}
		})
	})
}

// BenchmarkReleaseStages splits the list request: authenticate, access+list
// (service layer), encode.
func BenchmarkReleaseStages(b *testing.B) {
	relEngines(b, func(b *testing.B, f *relFixture) {
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
				if _, err := f.app.Releases.List(ctx, f.userID, f.slug, "REL", release.ListFilter{Limit: 20}); err != nil {
					b.Fatal(err)
				}
			}
		})
		p, err := f.app.Releases.List(ctx, f.userID, f.slug, "REL", release.ListFilter{Limit: 20})
		if err != nil {
			b.Fatal(err)
		}
		b.Run("encode", func(b *testing.B) {
			b.ReportAllocs()
			v := struct {
				Items      []release.Release `json:"items"`
				NextCursor string            `json:"next_cursor"`
			}{Items: p.Items, NextCursor: p.NextCursor}
			defer measureCPU(b)()
			for b.Loop() {
				httpx.WriteJSON(&discard{h: http.Header{}}, 200, v)
			}
		})
	})
}

// BenchmarkCreateRelease is POST .../releases through the handler chain
// (create release + audit event), unique versions.
func BenchmarkCreateRelease(b *testing.B) {
	relEngines(b, func(b *testing.B, f *relFixture) {
		h := f.app.Handler
		var n atomic.Int64
		b.ReportAllocs()
		defer measureCPU(b)()
		for b.Loop() {
			v := fmt.Sprintf("200.0.%d", n.Add(1))
			r := f.request()
			r.Method, r.URL.RawQuery = "POST", ""
			body := `{"version":"` + v + `","name":"Release ` + v + `"}`
			r.Body = nopCloser{strings.NewReader(body)}
			r.ContentLength = int64(len(body))
			r.Header.Set("Content-Type", "application/json")
			w := &status{discard: discard{h: http.Header{}}}
			h.ServeHTTP(w, r)
			if w.code != http.StatusCreated {
				b.Fatalf("POST: %d", w.code)
			}
		}
	})
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }

type status struct {
	discard
	code int
}

func (s *status) WriteHeader(c int) { s.code = c }
