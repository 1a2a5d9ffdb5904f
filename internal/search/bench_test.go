package search_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

// BenchmarkSearch50k searches 50,000 documents (150–600 words each, words
// drawn Zipf-like from a 5,000-word vocabulary) for two-word queries of
// common-to-rare words, as a member (so the owners-only filter runs), and
// reports the p50/p95/p99 latency of Service.Search:
//
//	go test -run '^$' -bench Search50k -benchtime 2000x ./internal/search
//
// SHIPSHAPE_TEST_POSTGRES set: PostgreSQL too.
func BenchmarkSearch50k(b *testing.B) {
	for _, engine := range testkit.Engines() {
		d := testkit.OpenDB(b, engine)
		w := newWorld(b, d)
		vocab := vocabulary(5000)
		seed := time.Now()
		seedDocuments(b, d, w, vocab, 50_000)
		b.Logf("%s: seeded 50,000 documents in %s", engine, time.Since(seed).Round(time.Millisecond))
		rng := rand.New(rand.NewPCG(1, 2))
		queries := make([]string, 256)
		for i := range queries {
			// ranks 20–2,000: from words in a third of all documents to rare ones.
			queries[i] = vocab[20+rng.IntN(1980)] + " " + vocab[20+rng.IntN(1980)]
		}
		b.Run(string(engine), func(b *testing.B) {
			ctx := context.Background()
			lat := make([]time.Duration, 0, b.N)
			hits := 0
			for i := 0; i < b.N; i++ {
				start := time.Now()
				res, err := w.app.Search.Search(ctx, w.mo.ID, "acme", queries[i%len(queries)], 20)
				lat = append(lat, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
				hits += len(res)
			}
			b.StopTimer()
			slices.Sort(lat)
			pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.95), "p95-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
			b.ReportMetric(float64(hits)/float64(b.N), "results/op")
		})
	}
}

// vocabulary makes n distinct pronounceable words.
func vocabulary(n int) []string {
	rng := rand.New(rand.NewPCG(7, 7))
	cons, vow := "bcdfghjklmnprstvwz", "aeiou"
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		var sb strings.Builder
		for s := 0; s < 2+rng.IntN(2); s++ {
			sb.WriteByte(cons[rng.IntN(len(cons))])
			sb.WriteByte(vow[rng.IntN(len(vow))])
		}
		sb.WriteByte(cons[rng.IntN(len(cons))])
		if w := sb.String(); !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// seedDocuments writes n documents straight into the tables the document
// service writes (documents, document_versions, search_entries), in one
// transaction; a tenth of them owners-only documents of another member.
func seedDocuments(b *testing.B, d *db.DB, w world, vocab []string, n int) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 4))
	zipf := rand.NewZipf(rand.New(rand.NewPCG(5, 6)), 1.1, 2, uint64(len(vocab)-1))
	var wsID, projectID string
	if err := d.QueryRow(ctx, `SELECT w.id, p.id FROM workspaces w JOIN projects p ON p.workspace_id = w.id WHERE w.slug = 'acme'`).Scan(&wsID, &projectID); err != nil {
		b.Fatal(err)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	err := d.InTx(ctx, func(tx *db.Tx) error {
		for i := 0; i < n; i++ {
			words := make([]string, 150+rng.IntN(450))
			for j := range words {
				words[j] = vocab[zipf.Uint64()]
			}
			body := strings.Join(words, " ")
			title := fmt.Sprintf("%s %s %d", vocab[zipf.Uint64()], vocab[zipf.Uint64()], i)
			id, vis, creator := db.NewID(), "workspace", w.mo.ID
			if i%10 == 0 {
				vis, creator = "owners", w.ana.ID
			}
			if _, err := tx.Exec(ctx, `INSERT INTO documents (id, workspace_id, project_id, type, title, visibility, current_version, created_by, created_at, updated_at)
				VALUES (?, ?, ?, 'design', ?, ?, 1, ?, ?, ?)`, id, wsID, projectID, title, vis, creator, at, at); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO document_versions (id, document_id, version, title, body, author_id, created_at)
				VALUES (?, ?, 1, ?, ?, ?, ?)`, db.NewID(), id, title, body, creator, at); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO search_entries (workspace_id, project_id, kind, object_id, title, body, updated_at)
				VALUES (?, ?, 'document', ?, ?, ?, ?)`, wsID, projectID, id, title, body, at); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if d.Dialect() == db.Postgres {
		if _, err := d.Exec(ctx, `ANALYZE`); err != nil {
			b.Fatal(err)
		}
	}
}
