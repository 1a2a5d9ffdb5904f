// Command exportbench measures "Download my data" on a large account: it
// seeds a fresh SQLite data directory with one person who has -audit audit
// events (written through audit.Record, so the chains are real), -docs
// documents (through the document service, one version each) and -files
// uploaded document files of -file-size bytes, then builds their export the
// way the background job does and prints the wall time and the peak
// resident memory of the export alone.
//
//	go run ./bench/exportbench                      # 100,000 events, 1,000 documents
//	go run ./bench/exportbench -audit 20000 -docs 200
//
// Peak RSS is VmHWM from /proc/self/status, reset just before the export
// (echo 5 > /proc/self/clear_refs), so the seeding does not count; the
// collector runs as in `shipshape serve` (GOGC=400, 512 MiB soft limit)
// unless GOGC or GOMEMLIMIT are set.
package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"shipshape/internal/account"
	"shipshape/internal/app"
	"shipshape/internal/audit"
	"shipshape/internal/config"
	"shipshape/internal/db"
	"shipshape/internal/doc"
	"shipshape/internal/project"
	"shipshape/internal/workspace"
)

func main() {
	nAudit := flag.Int("audit", 100000, "audit events the person performed")
	nDocs := flag.Int("docs", 1000, "documents the person wrote")
	nFiles := flag.Int("files", 20, "document files the person uploaded")
	fileSize := flag.Int("file-size", 1<<20, "bytes per file")
	dir := flag.String("dir", "", "data directory (default: a new temporary directory, removed afterwards)")
	flag.Parse()
	if err := run(*nAudit, *nDocs, *nFiles, *fileSize, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "exportbench:", err)
		os.Exit(1)
	}
}

func run(nAudit, nDocs, nFiles, fileSize int, dir string) error {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(512 << 20)
	}
	if dir == "" {
		tmp, err := os.MkdirTemp("", "exportbench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = dir
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	d, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	a, err := app.New(cfg, log, d, time.Now)
	if err != nil {
		return err
	}
	defer a.Close()
	a.Exports.BuildOnRequest = false // measured below, in this goroutine

	// Seed.
	seedStart := time.Now()
	u, err := a.Accounts.CreateUser(ctx, account.SignupInput{Name: "Bench Person", Email: "bench@example.com", Password: "bench bench bench bench"}, false)
	if err != nil {
		return err
	}
	actor := audit.Actor{UserID: u.ID, IP: "192.0.2.10", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) exportbench"}
	ws, err := a.Workspaces.Create(ctx, actor, workspace.CreateInput{Slug: "bench", Name: "Bench"})
	if err != nil {
		return err
	}
	if _, err := a.Projects.Create(ctx, actor, "bench", project.CreateInput{Key: "BEN", Name: "Bench", Description: "benchmark project"}); err != nil {
		return err
	}
	body := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", 36) // ~2 KB per document
	var docIDs []string
	for i := range nDocs {
		dc, err := a.Docs.Create(ctx, actor, "bench", doc.CreateInput{Title: "Design note " + strconv.Itoa(i), Type: "design", Body: body, Project: "BEN", Visibility: "workspace"})
		if err != nil {
			return fmt.Errorf("document %d: %w", i, err)
		}
		docIDs = append(docIDs, dc.ID)
	}
	blobBytes := make([]byte, fileSize)
	for i := range min(nFiles, len(docIDs)) {
		_, _ = rand.Read(blobBytes)
		if _, err := a.Docs.PutFile(ctx, actor, "bench", docIDs[i], "artifact-"+strconv.Itoa(i)+".bin", bytes.NewReader(blobBytes), int64(fileSize)); err != nil {
			return fmt.Errorf("file %d: %w", i, err)
		}
	}
	// The audit events: through audit.Record, 10,000 per transaction.
	have := countEvents(ctx, d, u.ID)
	for done := have; done < nAudit; {
		n := min(10000, nAudit-done)
		now := time.Now()
		err := d.InTx(ctx, func(tx *db.Tx) error {
			for i := range n {
				if err := audit.Record(ctx, tx, actor, now, audit.Entry{WorkspaceID: ws.ID, Action: "project.update", TargetType: "project",
					TargetID: docIDs[(done+i)%max(1, len(docIDs))], TargetLabel: "BEN"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("audit events: %w", err)
		}
		done += n
	}
	fmt.Printf("seeded in %s: %d audit events, %d documents, %d files of %d bytes (SQLite, %s)\n",
		time.Since(seedStart).Round(time.Millisecond), countEvents(ctx, d, u.ID), nDocs, min(nFiles, nDocs), fileSize, dir)

	// Measure: reset the peak, then request and build like the job does.
	runtime.GC()
	debug.FreeOSMemory()
	resetPeak := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	rssBefore := procStatus("VmRSS")
	var peakHeap atomic.Uint64
	stop := make(chan struct{})
	go sampleHeap(&peakHeap, stop)
	start := time.Now()
	e, err := a.Exports.Request(ctx, actor)
	if err != nil {
		return err
	}
	if err := a.Exports.RunDue(ctx, time.Now()); err != nil {
		return err
	}
	wall := time.Since(start)
	close(stop)
	hwm := procStatus("VmHWM")
	e, err = a.Exports.Get(ctx, u.ID, e.ID)
	if err != nil {
		return err
	}
	if e.Status != "ready" {
		return fmt.Errorf("export %s: %s %s", e.ID, e.Status, e.Error)
	}

	// Check what was built (after the measurement).
	records, err := auditRecords(ctx, a, actor, e.ID)
	if err != nil {
		return err
	}
	peakNote := "peak since the reset before the export"
	if !resetPeak {
		peakNote = "peak of the whole process, seeding included (could not reset /proc/self/clear_refs)"
	}
	fmt.Printf("export: %s, %.1f MiB archive, audit.json %d records\n", e.Status, float64(*e.Size)/(1<<20), records)
	fmt.Printf("wall time: %s\n", wall.Round(time.Millisecond))
	fmt.Printf("peak RSS (VmHWM): %.1f MiB (%s); RSS before the export %.1f MiB\n", kib(hwm), peakNote, kib(rssBefore))
	fmt.Printf("peak Go heap in use (sampled every 10 ms): %.1f MiB\n", float64(peakHeap.Load())/(1<<20))

	// Erasure of the same person: the workspace gets a second owner first
	// (the only owner of a workspace cannot be erased), then the account is
	// erased the way the erasure job does it, and the time is printed.
	other, err := a.Accounts.CreateUser(ctx, account.SignupInput{Name: "Other Owner", Email: "other@example.com", Password: "a long benchmark password", AgeConfirmed: true}, false)
	if err != nil {
		return err
	}
	if _, err := d.Exec(ctx, `INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (?, ?, 'owner', ?)`, ws.ID, other.ID, time.Now()); err != nil {
		return err
	}
	start = time.Now()
	if err := a.Accounts.EraseNow(ctx, u.ID); err != nil {
		return fmt.Errorf("erase: %w", err)
	}
	fmt.Printf("erasure: %s (%d audit events anonymised, %d documents kept under the tombstone)\n",
		time.Since(start).Round(time.Millisecond), countEvents(ctx, d, u.ID), nDocs)
	return nil
}

func countEvents(ctx context.Context, d *db.DB, userID string) int {
	var n int
	_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_events WHERE actor_id = ?`, userID).Scan(&n)
	return n
}

// auditRecords opens the archive and reads the record count of audit.json
// from its manifest.
func auditRecords(ctx context.Context, a *app.App, actor audit.Actor, id string) (int, error) {
	_, rd, err := a.Exports.Open(ctx, actor, id)
	if err != nil {
		return 0, err
	}
	defer rd.Close()
	all, err := io.ReadAll(rd) // after the measurement: memory does not matter here
	if err != nil {
		return 0, err
	}
	zr, err := zip.NewReader(bytes.NewReader(all), int64(len(all)))
	if err != nil {
		return 0, err
	}
	f, err := zr.Open("manifest.json")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var man struct {
		Sections []struct {
			Path    string `json:"path"`
			Records int    `json:"records"`
		} `json:"sections"`
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return 0, err
	}
	if err := json.Unmarshal(b, &man); err != nil {
		return 0, err
	}
	for _, s := range man.Sections {
		if s.Path == "audit.json" {
			return s.Records, nil
		}
	}
	return 0, fmt.Errorf("manifest lists no audit.json")
}

func sampleHeap(peak *atomic.Uint64, stop chan struct{}) {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	var ms runtime.MemStats
	for {
		runtime.ReadMemStats(&ms)
		if ms.HeapInuse > peak.Load() {
			peak.Store(ms.HeapInuse)
		}
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}

// procStatus reads a "kB" field of /proc/self/status.
func procStatus(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

func kib(n int64) float64 { return float64(n) / 1024 }
