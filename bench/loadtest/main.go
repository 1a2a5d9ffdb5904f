// Command loadtest is Shipshape's load harness. It builds the binary, seeds a
// fresh database through the CLI and the JSON API, and measures:
//
//  1. GET /api/v1/workspaces/{ws}/projects with a bearer token under wrk
//     (default -t2 -c64 -d10s --latency), against a bare net/http server
//     (bench/ceiling, a separate process) that returns the byte-identical body
//     with the same Content-Type: requests/s of both, their ratio, p50/p99;
//  2. cold start of `shipshape serve` on the existing database: exec → first
//     200 from GET /readyz, several runs, median and max;
//  3. resident memory (VmRSS) of the server when idle after startup and after
//     the load run has settled (plus the peak, VmHWM).
//
// With -scenario releases it measures instead GET .../releases?limit=20 on a
// project with 1,000 releases against the ceiling, and the release creation
// rate (POST .../releases from 16 connections); see releases.go.
//
// It runs on SQLite always and on PostgreSQL too when SHIPSHAPE_BENCH_POSTGRES
// (or -postgres) holds a postgres:// URL. It prints a summary and writes
// bench/results/latest.json. Only loopback addresses are used; every loop is
// bounded; child processes are stopped on every exit path, SIGINT and SIGTERM
// included (and get SIGKILL from the kernel if the harness itself dies).
//
//	go run ./bench/loadtest            # or: make bench
//	go run ./bench/loadtest -scenario releases
//	go run ./bench/loadtest -h         # flags
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

// Targets from the issue.
const (
	targetRatio      = 0.35
	targetP99MS      = 25.0
	targetColdMS     = 300.0
	targetRSSMB      = 60.0
	defaultBenchPGEV = "SHIPSHAPE_BENCH_POSTGRES"
)

type options struct {
	Rounds      int           `json:"rounds"`
	Duration    time.Duration `json:"-"`
	DurationS   float64       `json:"duration_s"`
	Warmup      time.Duration `json:"-"`
	WarmupS     float64       `json:"warmup_s"`
	Pause       time.Duration `json:"-"`
	Connections int           `json:"connections"`
	Threads     int           `json:"threads"`
	Projects    int           `json:"projects"`
	ColdStarts  int           `json:"cold_starts"`
	Settle      time.Duration `json:"-"`
	SettleS     float64       `json:"settle_s"`
	Out         string        `json:"-"`
	Postgres    string        `json:"-"`
	SkipSQLite  bool          `json:"skip_sqlite,omitempty"`
	Wrk         string        `json:"-"`
	Bin         string        `json:"-"`
	Ref         string        `json:"ref,omitempty"`
	Keep        bool          `json:"-"`
	Strict      bool          `json:"-"`
	Timeout     time.Duration `json:"-"`

	// -scenario releases (see releases.go).
	Scenario       string        `json:"scenario"`
	Releases       int           `json:"releases,omitempty"`
	SeedWorkers    int           `json:"seed_workers,omitempty"`
	CreateConns    int           `json:"create_connections,omitempty"`
	CreateDuration time.Duration `json:"-"`
	CreateS        float64       `json:"create_duration_s,omitempty"`
	CreateRounds   int           `json:"create_rounds,omitempty"`
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.IntVar(&o.Rounds, "rounds", 3, "measured wrk runs per target (alternating ceiling/shipshape); the median is reported")
	fs.DurationVar(&o.Duration, "duration", 10*time.Second, "length of each measured wrk run (whole seconds)")
	fs.DurationVar(&o.Warmup, "warmup", 2*time.Second, "unrecorded warm-up wrk run per target (0 to skip)")
	fs.DurationVar(&o.Pause, "pause", time.Second, "pause between wrk runs")
	fs.IntVar(&o.Connections, "c", 64, "wrk connections")
	fs.IntVar(&o.Threads, "t", 2, "wrk threads")
	fs.IntVar(&o.Projects, "projects", 20, "projects to create in the workspace (the list returns at most 50)")
	fs.IntVar(&o.ColdStarts, "cold-starts", 7, "cold-start runs of `shipshape serve`")
	fs.DurationVar(&o.Settle, "settle", 5*time.Second, "wait after the load before reading the server's RSS")
	fs.StringVar(&o.Out, "out", "", "results file (relative to the repository root; default bench/results/latest.json, or bench/results/releases.json with -scenario releases)")
	fs.StringVar(&o.Postgres, "postgres", os.Getenv(defaultBenchPGEV), "postgres:// URL to run against as well (default $"+defaultBenchPGEV+")")
	fs.BoolVar(&o.SkipSQLite, "skip-sqlite", false, "run only against -postgres")
	fs.StringVar(&o.Wrk, "wrk", "wrk", "wrk binary (Debian package wrk)")
	fs.StringVar(&o.Bin, "bin", "", "use this shipshape binary instead of building ./cmd/shipshape")
	fs.StringVar(&o.Ref, "ref", "", "build shipshape from this git revision (exported with git archive) instead of the working tree")
	fs.BoolVar(&o.Strict, "strict", false, "exit with status 3 when a target is missed (the numbers are noisy on shared machines)")
	fs.BoolVar(&o.Keep, "keep", false, "keep the temporary directory (database, logs, bodies)")
	fs.DurationVar(&o.Timeout, "timeout", 20*time.Minute, "give up (and clean up) after this long")
	fs.StringVar(&o.Scenario, "scenario", "projects", "projects: GET .../projects, cold start, RSS (the default); releases: GET .../releases?limit=20 on a project with -releases releases, then the release creation rate")
	fs.IntVar(&o.Releases, "releases", 1000, "releases scenario: releases to seed in the project")
	fs.IntVar(&o.SeedWorkers, "seed-workers", 8, "releases scenario: concurrent API clients while seeding (not measured)")
	fs.IntVar(&o.CreateConns, "create-c", 16, "releases scenario: concurrent connections of the creation load (POST .../releases)")
	fs.DurationVar(&o.CreateDuration, "create-duration", 10*time.Second, "releases scenario: length of each creation run")
	fs.IntVar(&o.CreateRounds, "create-rounds", 3, "releases scenario: creation runs (the median is reported)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case o.Rounds < 1 || o.Rounds > 50:
		return o, errors.New("-rounds must be 1..50")
	case o.Duration < time.Second || o.Duration > 10*time.Minute:
		return o, errors.New("-duration must be 1s..10m")
	case o.Warmup < 0 || o.Warmup > time.Minute:
		return o, errors.New("-warmup must be 0..1m")
	case o.Connections < 1 || o.Connections > 10000:
		return o, errors.New("-c must be 1..10000")
	case o.Threads < 1 || o.Threads > o.Connections:
		return o, errors.New("-t must be 1..c")
	case o.Projects < 1 || o.Projects > 50:
		return o, errors.New("-projects must be 1..50 (one page)")
	case o.ColdStarts < 1 || o.ColdStarts > 100:
		return o, errors.New("-cold-starts must be 1..100")
	case o.Settle < 0 || o.Settle > 5*time.Minute:
		return o, errors.New("-settle must be 0..5m")
	case o.Scenario != "projects" && o.Scenario != "releases":
		return o, errors.New("-scenario must be projects or releases")
	case o.Releases < 20 || o.Releases > 100_000:
		return o, errors.New("-releases must be 20..100000")
	case o.SeedWorkers < 1 || o.SeedWorkers > 64:
		return o, errors.New("-seed-workers must be 1..64")
	case o.CreateConns < 1 || o.CreateConns > 1000:
		return o, errors.New("-create-c must be 1..1000")
	case o.CreateDuration < time.Second || o.CreateDuration > 10*time.Minute:
		return o, errors.New("-create-duration must be 1s..10m")
	case o.CreateRounds < 0 || o.CreateRounds > 20:
		return o, errors.New("-create-rounds must be 0..20")
	case o.Bin != "" && o.Ref != "":
		return o, errors.New("-bin and -ref exclude each other")
	case o.SkipSQLite && o.Postgres == "":
		return o, errors.New("-skip-sqlite needs -postgres or $" + defaultBenchPGEV)
	}
	if o.Postgres != "" && !strings.HasPrefix(o.Postgres, "postgres://") && !strings.HasPrefix(o.Postgres, "postgresql://") {
		return o, errors.New("-postgres: want a postgres:// URL")
	}
	o.Duration = o.Duration.Round(time.Second)
	o.DurationS, o.WarmupS, o.SettleS = o.Duration.Seconds(), o.Warmup.Seconds(), o.Settle.Seconds()
	if o.Out == "" {
		o.Out = "bench/results/latest.json"
		if o.Scenario == "releases" {
			o.Out = "bench/results/releases.json"
		}
	}
	if o.Scenario == "releases" {
		o.CreateS = o.CreateDuration.Seconds()
	} else {
		o.Releases, o.SeedWorkers, o.CreateConns, o.CreateRounds = 0, 0, 0, 0
	}
	return o, nil
}

func main() {
	o, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(2)
	}
	os.Exit(mainCode(o))
}

func mainCode(o options) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		if errors.Is(err, errMissed) {
			return 3
		}
		return 1
	}
	return 0
}

var errMissed = errors.New("targets missed")

// report is what latest.json holds.
type report struct {
	Date        string         `json:"date"`
	Command     string         `json:"command"`
	Machine     machine        `json:"machine"`
	Options     options        `json:"options"`
	CeilingMode string         `json:"ceiling_mode"`
	LoadAvg     []string       `json:"loadavg_samples"` // "when: 1m 5m 15m"
	Engines     []engineResult `json:"engines"`
	Error       string         `json:"error,omitempty"`
}

type engineResult struct {
	Engine      string `json:"engine"`
	Scenario    string `json:"scenario"`
	Path        string `json:"path"`
	BodyBytes   int    `json:"body_bytes"`
	ContentType string `json:"content_type"`
	Items       int    `json:"items"`

	ColdStartMS       []float64 `json:"cold_start_ms"`
	ColdStartMedianMS float64   `json:"cold_start_median_ms"`
	ColdStartMaxMS    float64   `json:"cold_start_max_ms"`
	RSSAtReadyMaxKB   int64     `json:"rss_at_ready_max_kb"` // over the cold-start runs

	RSSIdleKB      int64   `json:"rss_idle_kb"`       // load server, 2 s after startup
	RSSAfterLoadKB int64   `json:"rss_after_load_kb"` // after the load, once settled
	RSSPeakKB      int64   `json:"rss_peak_kb"`       // VmHWM at the end
	MemIdle        memInfo `json:"mem_idle"`
	MemAfterLoad   memInfo `json:"mem_after_load"`
	CeilingRSSKB   int64   `json:"ceiling_rss_after_load_kb"`

	Ceiling   targetResult `json:"ceiling"`
	Shipshape targetResult `json:"shipshape"`
	Ratio     float64      `json:"ratio"`     // median req/s, shipshape ÷ ceiling
	CPURatio  float64      `json:"cpu_ratio"` // server CPU per request, ceiling ÷ shipshape (less noise-sensitive)

	SeedS  float64       `json:"seed_s,omitempty"` // releases scenario: time to create the releases
	Create *createResult `json:"create,omitempty"` // releases scenario: creation rate

	Checks []check `json:"checks"`
	Error  string  `json:"error,omitempty"`
}

type targetResult struct {
	RPSMedian   float64  `json:"rps_median"`
	RPSMin      float64  `json:"rps_min"`
	RPSMax      float64  `json:"rps_max"`
	P50MedianMS float64  `json:"p50_median_ms"`
	P99MedianMS float64  `json:"p99_median_ms"`
	P99MaxMS    float64  `json:"p99_max_ms"`
	Non2xx      int64    `json:"non_2xx_3xx"`   // over all measured runs
	SockErrors  int64    `json:"socket_errors"` // connect/read/write errors and timeouts (wrk: > 2 s)
	CPUUSPerReq float64  `json:"server_cpu_us_per_req_median"`
	OtherCores  float64  `json:"other_cpu_cores_median"` // CPU the rest of the machine used during the runs, in cores
	Runs        []runRec `json:"runs"`
}

type runRec struct {
	Round   int       `json:"round"`
	LoadAvg string    `json:"loadavg_before"`
	Result  wrkResult `json:"result"`
	Raw     string    `json:"wrk_output"`
}

type check struct {
	What   string `json:"what"`
	Got    string `json:"got"`
	Target string `json:"target"`
	OK     bool   `json:"ok"`
}

func run(ctx context.Context, o options) (err error) {
	root, err := findRoot()
	if err != nil {
		return err
	}
	wrkPath, err := exec.LookPath(o.Wrk)
	if err != nil {
		return fmt.Errorf("wrk not found (%v); install it with: apt-get install -y wrk", err)
	}
	tmp, err := os.MkdirTemp("", "shipshape-bench-")
	if err != nil {
		return err
	}
	defer func() {
		if o.Keep {
			fmt.Printf("kept %s\n", tmp)
			return
		}
		os.RemoveAll(tmp)
	}()
	logDir := filepath.Join(tmp, "logs")
	if err := os.MkdirAll(logDir, 0o700); err != nil {
		return err
	}
	pr := newProcs(logDir)
	defer pr.stopAll() // runs before the RemoveAll above

	rep := report{
		Date:        time.Now().UTC().Format(time.RFC3339),
		Command:     "go run ./bench/loadtest " + strings.Join(os.Args[1:], " "),
		Machine:     describeMachine(root, wrkPath),
		Options:     o,
		CeilingMode: "separate process (bench/ceiling), same machine, default GOMAXPROCS",
	}
	sample := func(when string) { rep.LoadAvg = append(rep.LoadAvg, when+": "+loadAvg()) }
	sample("start")
	m := rep.Machine
	fmt.Printf("machine: %d CPU(s), %s, %s RAM\n  %s\n  %s\n  %s\n  git %s (%d uncommitted files)\n",
		m.NProc, m.CPUModel, m.MemTotal, m.GoVersion, m.Kernel, m.Wrk, m.GitCommit, m.GitDirty)
	fmt.Printf("load average at start: %s\n", loadAvg())

	defer func() {
		sample("end")
		out := o.Out
		if !filepath.IsAbs(out) {
			out = filepath.Join(root, out)
		}
		if err != nil {
			if ctx.Err() != nil {
				err = fmt.Errorf("interrupted (signal or -timeout %s): %w", o.Timeout, err)
			}
			rep.Error = err.Error()
			if !errors.Is(err, errMissed) {
				// Keep the last complete results; partial ones go beside them.
				out = strings.TrimSuffix(out, ".json") + "-failed.json"
			}
		}
		printSummary(os.Stdout, rep)
		if werr := writeReport(out, rep); werr != nil {
			err = errors.Join(err, werr)
		} else {
			fmt.Printf("\nwrote %s\n", out)
		}
	}()

	binDir := filepath.Join(tmp, "bin")
	bin := o.Bin
	if bin == "" {
		bin = filepath.Join(binDir, "shipshape")
		src := root
		if o.Ref != "" {
			if src, err = exportRef(ctx, pr, root, tmp, o.Ref); err != nil {
				return err
			}
		}
		step("building ./cmd/shipshape in %s", src)
		if _, err := pr.runOutput(ctx, "go-build", 5*time.Minute, nil, src, "go", "build", "-o", bin, "./cmd/shipshape"); err != nil {
			return err
		}
	} else if bin, err = filepath.Abs(bin); err != nil {
		return err
	}
	ceilingBin := filepath.Join(binDir, "ceiling")
	step("building ./bench/ceiling")
	if _, err := pr.runOutput(ctx, "go-build", 5*time.Minute, nil, root, "go", "build", "-o", ceilingBin, "./bench/ceiling"); err != nil {
		return err
	}

	type engine struct{ name, url string }
	var engines []engine
	if !o.SkipSQLite {
		engines = append(engines, engine{"sqlite", ""})
	}
	if o.Postgres != "" {
		engines = append(engines, engine{"postgres", o.Postgres})
	}
	b := &bench{o: o, pr: pr, bin: bin, ceilingBin: ceilingBin, tmp: tmp, wrk: wrkPath, sample: sample}
	for _, e := range engines {
		var er engineResult
		if o.Scenario == "releases" {
			er, err = b.releasesEngine(ctx, e.name, e.url)
		} else {
			er, err = b.engine(ctx, e.name, e.url)
		}
		if err != nil {
			er.Error = err.Error()
		}
		rep.Engines = append(rep.Engines, er)
		if err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
	}
	if o.Strict {
		var missed []string
		for _, e := range rep.Engines {
			for _, c := range e.Checks {
				if !c.OK {
					missed = append(missed, e.Engine+": "+c.What)
				}
			}
		}
		if len(missed) > 0 {
			return fmt.Errorf("%w: %s", errMissed, strings.Join(missed, "; "))
		}
	}
	return nil
}

// exportRef writes the tree of a git revision into tmp/src (git archive, so
// the repository and its working tree are left untouched).
func exportRef(ctx context.Context, pr *procs, root, tmp, ref string) (string, error) {
	src := filepath.Join(tmp, "src")
	tarball := filepath.Join(tmp, "src.tar")
	if err := os.MkdirAll(src, 0o700); err != nil {
		return "", err
	}
	if _, err := pr.runOutput(ctx, "git-archive", time.Minute, nil, root, "git", "archive", "--format=tar", "-o", tarball, ref); err != nil {
		return "", err
	}
	if _, err := pr.runOutput(ctx, "tar", time.Minute, nil, src, "tar", "-xf", tarball); err != nil {
		return "", err
	}
	return src, nil
}

func step(format string, args ...any) {
	fmt.Printf("%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// findRoot walks up from the working directory to go.mod.
func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for range 64 {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && bytes.Contains(b, []byte("module shipshape")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return "", errors.New("run from inside the shipshape repository (no go.mod with module shipshape above the working directory)")
}

// bench runs the scenarios for one engine.
type bench struct {
	o          options
	pr         *procs
	bin        string
	ceilingBin string
	tmp        string
	wrk        string
	sample     func(string)
}

// server is a running `shipshape serve` or ceiling.
type server struct {
	c       *child
	url     string
	readyIn time.Duration
}

// setup creates a data directory, a site admin and a read,write token
// through the CLI, the way an operator would.
func (b *bench) setup(ctx context.Context, name, dbURL string) (dbArgs []string, token, suffix string, err error) {
	dataDir := filepath.Join(b.tmp, "data-"+name)
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, "", "", err
	}
	dbArgs = []string{"--data", dataDir}
	if dbURL != "" {
		dbArgs = append(dbArgs, "--database", dbURL)
	}
	// Unique names so that a shared PostgreSQL database can be reused.
	suffix = randHex(4)
	email := "bench-" + suffix + "@example.com"
	password := "Bench-" + randHex(12)
	if _, err := b.cli(ctx, strings.NewReader(password+"\n"), append([]string{"admin", "create-user", "--email", email, "--name", "Bench User", "--site-admin"}, dbArgs...)...); err != nil {
		return nil, "", "", err
	}
	out, err := b.cli(ctx, nil, append([]string{"admin", "create-token", "--email", email, "--name", "bench", "--scopes", "read,write"}, dbArgs...)...)
	if err != nil {
		return nil, "", "", err
	}
	token = strings.TrimSpace(out)
	if token == "" || strings.ContainsAny(token, " \n") {
		return nil, "", "", fmt.Errorf("create-token printed %q, want one token", out)
	}

	return dbArgs, token, suffix, nil
}

func (b *bench) engine(ctx context.Context, name, dbURL string) (er engineResult, err error) {
	er.Engine, er.Scenario = name, "projects"
	step("[%s] seeding", name)
	dbArgs, token, suffix, err := b.setup(ctx, name, dbURL)
	if err != nil {
		return er, err
	}
	srv, err := b.serve(ctx, dbArgs)
	if err != nil {
		return er, err
	}
	slug := "bench-" + suffix
	listPath := "/api/v1/workspaces/" + slug + "/projects"
	er.Path = "GET /api/v1/workspaces/{ws}/projects"
	if err := seed(ctx, srv.url, token, slug, b.o.Projects); err != nil {
		srv.c.stop(10 * time.Second)
		return er, err
	}
	status, body, hdr, err := apiDo(ctx, "GET", srv.url+listPath, token, nil)
	srv.c.stop(25 * time.Second)
	if err != nil {
		return er, err
	}
	if status != http.StatusOK {
		return er, fmt.Errorf("GET %s: status %d: %s", listPath, status, body)
	}
	var list struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return er, fmt.Errorf("GET %s: %w", listPath, err)
	}
	er.BodyBytes, er.ContentType, er.Items = len(body), hdr.Get("Content-Type"), len(list.Items)
	if er.Items != b.o.Projects {
		return er, fmt.Errorf("GET %s returned %d projects, want %d", listPath, er.Items, b.o.Projects)
	}
	bodyFile := filepath.Join(b.tmp, "body-"+name+".json")
	if err := os.WriteFile(bodyFile, body, 0o600); err != nil {
		return er, err
	}
	step("[%s] list body: %d bytes, %d projects, Content-Type %q", name, er.BodyBytes, er.Items, er.ContentType)

	// 2. Cold start on the existing database.
	step("[%s] cold start × %d", name, b.o.ColdStarts)
	for i := range b.o.ColdStarts {
		s, err := b.serve(ctx, dbArgs)
		if err != nil {
			return er, fmt.Errorf("cold start %d: %w", i+1, err)
		}
		er.RSSAtReadyMaxKB = max(er.RSSAtReadyMaxKB, readMem(s.c.pid()).RSS)
		er.ColdStartMS = append(er.ColdStartMS, ms(s.readyIn))
		s.c.stop(25 * time.Second)
		if err := sleep(ctx, 200*time.Millisecond); err != nil {
			return er, err
		}
	}
	er.ColdStartMedianMS, er.ColdStartMaxMS = median(er.ColdStartMS), slices.Max(er.ColdStartMS)
	step("[%s] cold start: median %.1f ms, max %.1f ms (%s)", name, er.ColdStartMedianMS, er.ColdStartMaxMS, fmtList(er.ColdStartMS))

	// 3 and 1. Server for the load run: idle RSS, then load, then RSS again.
	srv, err = b.serve(ctx, dbArgs)
	if err != nil {
		return er, err
	}
	defer srv.c.stop(25 * time.Second)
	if err := sleep(ctx, 2*time.Second); err != nil {
		return er, err
	}
	er.MemIdle = readMem(srv.c.pid())
	er.RSSIdleKB = er.MemIdle.RSS
	step("[%s] idle RSS: %s (anon %s, file %s)", name, mb(er.RSSIdleKB), mb(er.MemIdle.Anon), mb(er.MemIdle.File))

	ceil, err := b.ceiling(ctx, bodyFile, er.ContentType)
	if err != nil {
		return er, err
	}
	defer ceil.c.stop(5 * time.Second)
	// The ceiling must answer with exactly the same body and Content-Type.
	cs, cbody, chdr, err := apiDo(ctx, "GET", ceil.url+listPath, token, nil)
	if err != nil {
		return er, err
	}
	if cs != 200 || !bytes.Equal(cbody, body) || chdr.Get("Content-Type") != er.ContentType {
		return er, fmt.Errorf("ceiling answers %d with %d bytes (%q), want 200 with the same %d bytes (%q)", cs, len(cbody), chdr.Get("Content-Type"), len(body), er.ContentType)
	}

	targets := []struct {
		name string
		url  string
		pid  int
		res  *targetResult
	}{
		{"ceiling", ceil.url + listPath, ceil.c.pid(), &er.Ceiling},
		{"shipshape", srv.url + listPath, srv.c.pid(), &er.Shipshape},
	}
	if b.o.Warmup > 0 {
		for _, t := range targets {
			step("[%s] warm-up %s %s", name, t.name, b.o.Warmup)
			if _, _, err := b.wrkRun(ctx, t.url, token, t.pid, b.o.Warmup); err != nil {
				return er, err
			}
		}
	}
	for round := range b.o.Rounds {
		order := []int{0, 1}
		if round%2 == 1 {
			order = []int{1, 0}
		}
		for _, i := range order {
			t := targets[i]
			if err := sleep(ctx, b.o.Pause); err != nil {
				return er, err
			}
			la := loadAvg()
			b.sample(fmt.Sprintf("%s round %d %s", name, round+1, t.name))
			r, raw, err := b.wrkRun(ctx, t.url, token, t.pid, b.o.Duration)
			if err != nil {
				return er, err
			}
			t.res.Runs = append(t.res.Runs, runRec{Round: round + 1, LoadAvg: la, Result: r, Raw: raw})
			step("[%s] round %d %-9s %7.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %d  server %.0f µs CPU/req  CPU s: server %.1f wrk %.1f other %.1f  (load %s)",
				name, round+1, t.name, r.RPS, r.P50MS, r.P99MS, r.Non2xx+r.SocketErrors, r.ServerUSPerReq, r.ServerCPUS, r.WrkCPUS, r.OtherCPUS, la)
		}
	}
	if s, _, _, err := apiDo(ctx, "GET", srv.url+"/readyz", "", nil); err != nil || s != 200 {
		return er, fmt.Errorf("shipshape is not ready after the load (status %d, %v)%s", s, err, srv.c.tail())
	}
	for _, t := range targets {
		summarize(t.res)
	}
	if er.Ceiling.RPSMedian > 0 {
		er.Ratio = er.Shipshape.RPSMedian / er.Ceiling.RPSMedian
	}
	if er.Shipshape.CPUUSPerReq > 0 {
		er.CPURatio = er.Ceiling.CPUUSPerReq / er.Shipshape.CPUUSPerReq
	}
	step("[%s] settling %s before reading RSS", name, b.o.Settle)
	if err := sleep(ctx, b.o.Settle); err != nil {
		return er, err
	}
	er.MemAfterLoad = readMem(srv.c.pid())
	er.RSSAfterLoadKB, er.RSSPeakKB = er.MemAfterLoad.RSS, er.MemAfterLoad.HWM
	er.CeilingRSSKB = readMem(ceil.c.pid()).RSS

	er.Checks = []check{
		{What: "requests/s vs ceiling", Got: pct(er.Ratio), Target: "≥ " + pct(targetRatio), OK: er.Ratio >= targetRatio},
		{What: "p99 latency (median of rounds)", Got: fmt.Sprintf("%.2f ms", er.Shipshape.P99MedianMS), Target: fmt.Sprintf("< %.0f ms", targetP99MS), OK: er.Shipshape.P99MedianMS < targetP99MS},
		{What: "non-2xx responses under load", Got: strconv.FormatInt(er.Shipshape.Non2xx, 10), Target: "0", OK: er.Shipshape.Non2xx == 0},
		{What: "socket errors/timeouts (> 2 s)", Got: strconv.FormatInt(er.Shipshape.SockErrors, 10), Target: "0", OK: er.Shipshape.SockErrors == 0},
		{What: "cold start (median)", Got: fmt.Sprintf("%.1f ms", er.ColdStartMedianMS), Target: fmt.Sprintf("< %.0f ms", targetColdMS), OK: er.ColdStartMedianMS < targetColdMS},
		{What: "cold start (max)", Got: fmt.Sprintf("%.1f ms", er.ColdStartMaxMS), Target: fmt.Sprintf("< %.0f ms", targetColdMS), OK: er.ColdStartMaxMS < targetColdMS},
		{What: "RSS idle after startup", Got: mb(er.RSSIdleKB), Target: fmt.Sprintf("< %.0f MB", targetRSSMB), OK: float64(er.RSSIdleKB)/1024 < targetRSSMB},
		{What: "RSS idle after load", Got: mb(er.RSSAfterLoadKB), Target: fmt.Sprintf("< %.0f MB", targetRSSMB), OK: float64(er.RSSAfterLoadKB)/1024 < targetRSSMB},
	}
	return er, nil
}

func summarize(t *targetResult) {
	var rps, p50, p99, cpu, other []float64
	for _, r := range t.Runs {
		cpu = append(cpu, r.Result.ServerUSPerReq)
		if r.Result.WallS > 0 {
			other = append(other, r.Result.OtherCPUS/r.Result.WallS)
		}
		rps = append(rps, r.Result.RPS)
		p50 = append(p50, r.Result.P50MS)
		p99 = append(p99, r.Result.P99MS)
		t.Non2xx += r.Result.Non2xx
		t.SockErrors += r.Result.SocketErrors
	}
	if len(rps) == 0 {
		return
	}
	t.RPSMedian, t.RPSMin, t.RPSMax = median(rps), slices.Min(rps), slices.Max(rps)
	t.P50MedianMS, t.P99MedianMS, t.P99MaxMS = median(p50), median(p99), slices.Max(p99)
	t.CPUUSPerReq, t.OtherCores = median(cpu), median(other)
}

// cli runs a shipshape subcommand to completion.
func (b *bench) cli(ctx context.Context, stdin io.Reader, args ...string) (string, error) {
	return b.pr.runOutput(ctx, "shipshape-"+args[0], 2*time.Minute, stdin, b.tmp, append([]string{b.bin}, args...)...)
}

// serve starts `shipshape serve` on a free loopback port and waits until
// GET /readyz answers 200; readyIn is measured from just before exec.
func (b *bench) serve(ctx context.Context, dbArgs []string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(b.bin, append([]string{"serve", "--addr", addr, "--log-level", "warn"}, dbArgs...)...)
	cmd.Dir = b.tmp
	cmd.Env = childEnv()
	start := time.Now()
	c, err := b.pr.start("serve", cmd)
	if err != nil {
		return nil, err
	}
	s := &server{c: c, url: "http://" + addr}
	if s.readyIn, err = waitReady(ctx, c, s.url+"/readyz", start, 60*time.Second); err != nil {
		c.stop(5 * time.Second)
		return nil, err
	}
	return s, nil
}

func (b *bench) ceiling(ctx context.Context, bodyFile, contentType string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(b.ceilingBin, "-addr", addr, "-body", bodyFile, "-content-type", contentType, "-max-life", b.o.Timeout.String())
	cmd.Dir = b.tmp
	cmd.Env = childEnv()
	start := time.Now()
	c, err := b.pr.start("ceiling", cmd)
	if err != nil {
		return nil, err
	}
	s := &server{c: c, url: "http://" + addr}
	if s.readyIn, err = waitReady(ctx, c, s.url+"/", start, 30*time.Second); err != nil {
		c.stop(5 * time.Second)
		return nil, err
	}
	return s, nil
}

// wrkRun runs wrk once against url (served by pid) with the bearer token and
// accounts for the CPU time the server, wrk and the rest of the machine used.
func (b *bench) wrkRun(ctx context.Context, url, token string, pid int, d time.Duration) (wrkResult, string, error) {
	secs := max(1, int(d.Round(time.Second)/time.Second))
	var out, errb strings.Builder
	cmd := exec.Command(b.wrk, "-t", strconv.Itoa(b.o.Threads), "-c", strconv.Itoa(b.o.Connections), "-d", strconv.Itoa(secs)+"s",
		"--latency", "-H", "Authorization: Bearer "+token, url)
	cmd.Dir, cmd.Stdout, cmd.Stderr = b.tmp, &out, &errb
	busy0, srv0, t0 := machineBusy(), procCPU(pid), time.Now()
	c, err := b.pr.start("wrk", cmd)
	if err != nil {
		return wrkResult{}, "", err
	}
	if err := c.wait(ctx, d+time.Minute); err != nil {
		return wrkResult{}, out.String(), fmt.Errorf("wrk: %w: %s", err, strings.TrimSpace(errb.String()+out.String()))
	}
	wall, busy, srv := time.Since(t0).Seconds(), machineBusy()-busy0, procCPU(pid)-srv0
	r, err := parseWrk(out.String())
	if err != nil {
		return r, out.String(), err
	}
	r.WallS, r.ServerCPUS = wall, srv
	if st := cmd.ProcessState; st != nil {
		r.WrkCPUS = (st.UserTime() + st.SystemTime()).Seconds()
	}
	r.OtherCPUS = max(0, busy-srv-r.WrkCPUS)
	if r.Requests > 0 {
		r.ServerUSPerReq = srv / float64(r.Requests) * 1e6
	}
	return r, out.String(), nil
}

// waitReady polls url every millisecond until it answers 200, the child
// exits, ctx ends or limit passes; it returns the time since start.
func waitReady(ctx context.Context, c *child, url string, start time.Time, limit time.Duration) (time.Duration, error) {
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil}}
	deadline := start.Add(limit)
	for time.Now().Before(deadline) {
		if c.exited() {
			return 0, fmt.Errorf("%s exited before it was ready: %v%s", c.name, c.err, c.tail())
		}
		req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
		if err != nil {
			return 0, err
		}
		resp, err := client.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(start), nil
			}
		}
		if err := sleep(ctx, time.Millisecond); err != nil {
			return 0, err
		}
	}
	return 0, fmt.Errorf("%s was not ready within %s%s", c.name, limit, c.tail())
}

// seed creates the workspace and its projects through the JSON API.
func seed(ctx context.Context, base, token, slug string, n int) error {
	status, body, _, err := apiDo(ctx, "POST", base+"/api/v1/workspaces", token, map[string]string{"slug": slug, "name": "Bench " + slug})
	if err != nil {
		return err
	}
	if status != http.StatusCreated {
		return fmt.Errorf("create workspace: status %d: %s", status, body)
	}
	areas := []string{"Payments", "Checkout", "Identity", "Search", "Notifications", "Billing", "Reporting", "Mobile app",
		"Web front end", "Data pipeline", "Fraud detection", "Onboarding", "Catalog", "Shipping", "Support desk",
		"Analytics", "Pricing", "Inventory", "Recommendations", "Admin console"}
	for i := range n {
		area := areas[i%len(areas)]
		in := map[string]string{
			"key":  fmt.Sprintf("P%02d", i+1),
			"name": area,
			"description": fmt.Sprintf("The %s service and everything that ships with it: the public API, the background workers "+
				"and the operator runbooks. Releases follow the **weekly train**; hotfixes need a second approver. "+
				"Owner: team %s (#%02d).", strings.ToLower(area), area, i+1),
		}
		status, body, _, err := apiDo(ctx, "POST", base+"/api/v1/workspaces/"+slug+"/projects", token, in)
		if err != nil {
			return err
		}
		if status != http.StatusCreated {
			return fmt.Errorf("create project %s: status %d: %s", in["key"], status, body)
		}
	}
	return nil
}

var apiClient = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{Proxy: nil}}

// apiDo sends one JSON request with the bearer token (if any).
func apiDo(ctx context.Context, method, url, token string, in any) (int, []byte, http.Header, error) {
	var rd io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, nil, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := apiClient.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	return resp.StatusCode, body, resp.Header, err
}

// freeAddr picks a free loopback port. (The port is released before the
// child binds it; nothing else on the machine races for it in practice.)
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// childEnv is the environment without SHIPSHAPE_* settings, so that the
// caller's configuration cannot change what is measured.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SHIPSHAPE_") {
			env = append(env, kv)
		}
	}
	return env
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func mb(kb int64) string { return fmt.Sprintf("%.1f MB", float64(kb)/1024) }

func pct(f float64) string { return fmt.Sprintf("%.1f%%", f*100) }

func fmtList(v []float64) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.FormatFloat(x, 'f', 1, 64)
	}
	return strings.Join(parts, ", ") + " ms"
}

func printSummary(w io.Writer, rep report) {
	fmt.Fprintf(w, "\n==== Shipshape load harness — %s ====\n", rep.Date)
	m := rep.Machine
	fmt.Fprintf(w, "machine: %d CPU(s) %s, %s RAM; %s; %s\n", m.NProc, m.CPUModel, m.MemTotal, m.GoVersion, m.Wrk)
	fmt.Fprintf(w, "kernel:  %s\n", m.Kernel)
	fmt.Fprintf(w, "wrk -t%d -c%d -d%.0fs --latency, %d rounds (median), ceiling: %s\n",
		rep.Options.Threads, rep.Options.Connections, rep.Options.DurationS, rep.Options.Rounds, rep.CeilingMode)
	for _, s := range rep.LoadAvg {
		if strings.HasPrefix(s, "start") || strings.HasPrefix(s, "end") {
			fmt.Fprintf(w, "loadavg %s\n", s)
		}
	}
	for _, e := range rep.Engines {
		what := "projects"
		if e.Scenario == "releases" {
			what = "items of " + strconv.Itoa(rep.Options.Releases) + " releases"
		}
		fmt.Fprintf(w, "\n[%s] %s (%d %s, %d-byte body, %s)\n", e.Engine, e.Path, e.Items, what, e.BodyBytes, e.ContentType)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "target\treq/s median\tmin\tmax\tp50 ms\tp99 ms\tp99 max ms\tnon-2xx\tsock err\tCPU µs/req\tother load (cores)\t")
		for _, t := range []struct {
			n string
			r targetResult
		}{{"ceiling", e.Ceiling}, {"shipshape", e.Shipshape}} {
			fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%.0f\t%.2f\t%.2f\t%.2f\t%d\t%d\t%.0f\t%.2f\t\n", t.n, t.r.RPSMedian, t.r.RPSMin, t.r.RPSMax,
				t.r.P50MedianMS, t.r.P99MedianMS, t.r.P99MaxMS, t.r.Non2xx, t.r.SockErrors, t.r.CPUUSPerReq, t.r.OtherCores)
		}
		tw.Flush()
		if e.Ratio > 0 {
			fmt.Fprintf(w, "ratio shipshape/ceiling: %s of the ceiling's requests/s; CPU per request: the ceiling needs %s of what shipshape needs\n", pct(e.Ratio), pct(e.CPURatio))
		}
		if len(e.ColdStartMS) > 0 {
			fmt.Fprintf(w, "cold start: median %.1f ms, max %.1f ms over %d runs; RSS at ready ≤ %s\n", e.ColdStartMedianMS, e.ColdStartMaxMS, len(e.ColdStartMS), mb(e.RSSAtReadyMaxKB))
		}
		if e.RSSIdleKB > 0 {
			fmt.Fprintf(w, "RSS: idle %s (anon %s + file %s), after load %s (anon %s + file %s), peak %s; ceiling after load %s\n",
				mb(e.RSSIdleKB), mb(e.MemIdle.Anon), mb(e.MemIdle.File), mb(e.RSSAfterLoadKB), mb(e.MemAfterLoad.Anon), mb(e.MemAfterLoad.File), mb(e.RSSPeakKB), mb(e.CeilingRSSKB))
		}
		if c := e.Create; c != nil {
			fmt.Fprintf(w, "%s: %d connections × %d runs of %.0f s (median)\n", c.What, c.Connections, len(c.Runs), c.DurationS)
			fmt.Fprintf(w, "  creations/s %.0f (min %.0f, max %.0f)  p50 %.2f ms  p99 %.2f ms (max %.2f)  201s %d  non-201 %d  errors %d  server CPU µs/creation %.0f  other load %.2f cores\n",
				c.RPSMedian, c.RPSMin, c.RPSMax, c.P50MedianMS, c.P99MedianMS, c.P99MaxMS, c.Created, c.Non201, c.Errors, c.CPUUSPerReq, c.OtherCores)
		}
		for _, c := range e.Checks {
			mark := "PASS"
			if !c.OK {
				mark = "FAIL"
			}
			fmt.Fprintf(w, "  %s  %-32s %-10s (target %s)\n", mark, c.What, c.Got, c.Target)
		}
		if e.Error != "" {
			fmt.Fprintf(w, "  ERROR %s\n", e.Error)
		}
	}
	if rep.Error != "" {
		fmt.Fprintf(w, "\nrun failed: %s\n", rep.Error)
	}
}

func writeReport(path string, rep report) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
