package main

// The releases scenario (-scenario releases):
//
//  1. seeds one project with -releases releases (1.<i/100>.<i%100>, every
//     tenth a -beta.2 and every tenth a -rc.1 prerelease instead) through the
//     JSON API with -seed-workers concurrent clients (not measured);
//  2. measures GET .../releases?limit=20 with wrk against the ceiling serving
//     the byte-identical body (same rounds, warm-up and accounting as the
//     projects scenario);
//  3. measures the creation rate: POST .../releases ("create release + audit
//     event") from -create-c concurrent keep-alive connections for
//     -create-duration, every request with a unique version; counts 201s and
//     everything else, reports creations/s and p50/p99 (a small bounded Go load
//     generator in this process, not wrk, so every status can be checked).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Targets for the releases scenario.
const (
	targetReleasesRatio = 0.30
	releasesPageLimit   = 20
)

type createResult struct {
	What        string      `json:"what"`
	Connections int         `json:"connections"`
	DurationS   float64     `json:"duration_s"`
	RPSMedian   float64     `json:"creations_per_s_median"`
	RPSMin      float64     `json:"creations_per_s_min"`
	RPSMax      float64     `json:"creations_per_s_max"`
	P50MedianMS float64     `json:"p50_median_ms"`
	P99MedianMS float64     `json:"p99_median_ms"`
	P99MaxMS    float64     `json:"p99_max_ms"`
	Created     int64       `json:"created_201"` // over all runs
	Non201      int64       `json:"non_201"`     // over all runs
	Errors      int64       `json:"errors"`      // transport errors, over all runs
	CPUUSPerReq float64     `json:"server_cpu_us_per_creation_median"`
	OtherCores  float64     `json:"other_cpu_cores_median"`
	Runs        []createRun `json:"runs"`
}

type createRun struct {
	Round        int      `json:"round"`
	LoadAvg      string   `json:"loadavg_before"`
	Requests     int64    `json:"requests"`
	Created      int64    `json:"created_201"`
	Non201       int64    `json:"non_201"`
	Errors       int64    `json:"errors"`
	Samples      []string `json:"non_201_samples,omitempty"` // first few non-201 answers
	WallS        float64  `json:"wall_s"`
	RPS          float64  `json:"creations_per_s"`
	P50MS        float64  `json:"p50_ms"`
	P90MS        float64  `json:"p90_ms"`
	P99MS        float64  `json:"p99_ms"`
	MaxMS        float64  `json:"max_ms"`
	ServerCPUS   float64  `json:"server_cpu_s"`
	HarnessCPUS  float64  `json:"harness_cpu_s"` // the load generator (this process)
	OtherCPUS    float64  `json:"other_cpu_s"`   // the rest of the machine (PostgreSQL's backends included)
	ServerUSPerC float64  `json:"server_cpu_us_per_creation"`
}

// seedVersion is the i-th seeded version: 1.<i/100>.<i%100>, with 20 % of
// them prereleases.
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

func (b *bench) releasesEngine(ctx context.Context, name, dbURL string) (er engineResult, err error) {
	er.Engine, er.Scenario = name, "releases"
	er.Path = fmt.Sprintf("GET /api/v1/workspaces/{ws}/projects/{key}/releases?limit=%d", releasesPageLimit)
	step("[%s] seeding", name)
	dbArgs, token, suffix, err := b.setup(ctx, name, dbURL)
	if err != nil {
		return er, err
	}
	srv, err := b.serve(ctx, dbArgs)
	if err != nil {
		return er, err
	}
	defer srv.c.stop(25 * time.Second)
	slug := "bench-" + suffix
	relPath := "/api/v1/workspaces/" + slug + "/projects/REL/releases"
	listPath := relPath + "?limit=" + strconv.Itoa(releasesPageLimit)
	if err := seedReleases(ctx, srv.url, token, slug, b.o.Releases, b.o.SeedWorkers, &er); err != nil {
		return er, err
	}
	step("[%s] seeded %d releases in %.1f s (%d workers)", name, b.o.Releases, er.SeedS, b.o.SeedWorkers)

	status, body, hdr, err := apiDo(ctx, "GET", srv.url+listPath, token, nil)
	if err != nil {
		return er, err
	}
	if status != http.StatusOK {
		return er, fmt.Errorf("GET %s: status %d: %s", listPath, status, body)
	}
	var list struct {
		Items []struct {
			Version string `json:"version"`
		} `json:"items"`
		NextCursor string `json:"next_cursor"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return er, fmt.Errorf("GET %s: %w", listPath, err)
	}
	er.BodyBytes, er.ContentType, er.Items = len(body), hdr.Get("Content-Type"), len(list.Items)
	if er.Items != releasesPageLimit {
		return er, fmt.Errorf("GET %s returned %d releases, want %d", listPath, er.Items, releasesPageLimit)
	}
	if want := seedVersion(b.o.Releases - 1); list.Items[0].Version != want {
		return er, fmt.Errorf("GET %s: newest release is %q, want %q", listPath, list.Items[0].Version, want)
	}
	bodyFile := filepath.Join(b.tmp, "body-releases-"+name+".json")
	if err := os.WriteFile(bodyFile, body, 0o600); err != nil {
		return er, err
	}
	step("[%s] list body: %d bytes, %d releases (%s … %s), Content-Type %q", name, er.BodyBytes, er.Items,
		list.Items[0].Version, list.Items[len(list.Items)-1].Version, er.ContentType)

	ceil, err := b.ceiling(ctx, bodyFile, er.ContentType)
	if err != nil {
		return er, err
	}
	defer ceil.c.stop(5 * time.Second)
	cs, cbody, chdr, err := apiDo(ctx, "GET", ceil.url+listPath, token, nil)
	if err != nil {
		return er, err
	}
	if cs != 200 || !bytes.Equal(cbody, body) || chdr.Get("Content-Type") != er.ContentType {
		return er, fmt.Errorf("ceiling answers %d with %d bytes (%q), want 200 with the same %d bytes (%q)", cs, len(cbody), chdr.Get("Content-Type"), len(body), er.ContentType)
	}
	if err := b.compareGET(ctx, name, token, &er, srv.url+listPath, srv.c.pid(), ceil.url+listPath, ceil.c.pid()); err != nil {
		return er, err
	}
	ceil.c.stop(5 * time.Second)

	// Creation rate, after the reads so that the list measured above does not
	// change under wrk. Versions 100+round.<worker>.<n> are unique and above
	// every seeded one.
	if b.o.CreateRounds > 0 {
		cr := &createResult{What: "POST /api/v1/workspaces/{ws}/projects/{key}/releases (create release + audit event)",
			Connections: b.o.CreateConns, DurationS: b.o.CreateDuration.Seconds()}
		er.Create = cr
		for round := range b.o.CreateRounds {
			if err := sleep(ctx, b.o.Pause); err != nil {
				return er, err
			}
			la := loadAvg()
			b.sample(fmt.Sprintf("%s create round %d", name, round+1))
			r, err := createLoad(ctx, srv.url+relPath, token, srv.c.pid(), b.o.CreateConns, b.o.CreateDuration, 100+round)
			r.Round, r.LoadAvg = round+1, la
			cr.Runs = append(cr.Runs, r)
			if err != nil {
				return er, err
			}
			step("[%s] create round %d  %6.0f creations/s  p50 %6.2f ms  p99 %6.2f ms  201 %d  non-201 %d  errors %d  server %.0f µs CPU/creation  CPU s: server %.1f harness %.1f other %.1f  (load %s)",
				name, round+1, r.RPS, r.P50MS, r.P99MS, r.Created, r.Non201, r.Errors, r.ServerUSPerC, r.ServerCPUS, r.HarnessCPUS, r.OtherCPUS, la)
		}
		summarizeCreate(cr)
	}
	if s, _, _, err := apiDo(ctx, "GET", srv.url+"/readyz", "", nil); err != nil || s != 200 {
		return er, fmt.Errorf("shipshape is not ready after the load (status %d, %v)%s", s, err, srv.c.tail())
	}

	er.Checks = []check{
		{What: "requests/s vs ceiling", Got: pct(er.Ratio), Target: "≥ " + pct(targetReleasesRatio), OK: er.Ratio >= targetReleasesRatio},
		{What: "p99 latency (median of rounds)", Got: fmt.Sprintf("%.2f ms", er.Shipshape.P99MedianMS), Target: fmt.Sprintf("< %.0f ms", targetP99MS), OK: er.Shipshape.P99MedianMS < targetP99MS},
		{What: "non-2xx responses under load", Got: strconv.FormatInt(er.Shipshape.Non2xx, 10), Target: "0", OK: er.Shipshape.Non2xx == 0},
		{What: "socket errors/timeouts (> 2 s)", Got: strconv.FormatInt(er.Shipshape.SockErrors, 10), Target: "0", OK: er.Shipshape.SockErrors == 0},
	}
	if c := er.Create; c != nil {
		er.Checks = append(er.Checks, check{What: "creations non-201 or errors", Got: strconv.FormatInt(c.Non201+c.Errors, 10), Target: "0", OK: c.Non201+c.Errors == 0})
	}
	return er, nil
}

// compareGET runs the warm-up and the alternating measured wrk rounds against
// the ceiling and Shipshape and fills er.Ceiling, er.Shipshape and the ratios.
func (b *bench) compareGET(ctx context.Context, name, token string, er *engineResult, srvURL string, srvPID int, ceilURL string, ceilPID int) error {
	targets := []struct {
		name string
		url  string
		pid  int
		res  *targetResult
	}{
		{"ceiling", ceilURL, ceilPID, &er.Ceiling},
		{"shipshape", srvURL, srvPID, &er.Shipshape},
	}
	if b.o.Warmup > 0 {
		for _, t := range targets {
			step("[%s] warm-up %s %s", name, t.name, b.o.Warmup)
			if _, _, err := b.wrkRun(ctx, t.url, token, t.pid, b.o.Warmup); err != nil {
				return err
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
				return err
			}
			la := loadAvg()
			b.sample(fmt.Sprintf("%s round %d %s", name, round+1, t.name))
			r, raw, err := b.wrkRun(ctx, t.url, token, t.pid, b.o.Duration)
			if err != nil {
				return err
			}
			t.res.Runs = append(t.res.Runs, runRec{Round: round + 1, LoadAvg: la, Result: r, Raw: raw})
			step("[%s] round %d %-9s %7.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %d  server %.0f µs CPU/req  CPU s: server %.1f wrk %.1f other %.1f  (load %s)",
				name, round+1, t.name, r.RPS, r.P50MS, r.P99MS, r.Non2xx+r.SocketErrors, r.ServerUSPerReq, r.ServerCPUS, r.WrkCPUS, r.OtherCPUS, la)
		}
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
	return nil
}

// seedReleases creates the workspace, project REL and n releases with
// `workers` concurrent clients.
func seedReleases(ctx context.Context, base, token, slug string, n, workers int, er *engineResult) error {
	status, body, _, err := apiDo(ctx, "POST", base+"/api/v1/workspaces", token, map[string]string{"slug": slug, "name": "Bench " + slug})
	if err != nil {
		return err
	}
	if status != http.StatusCreated {
		return fmt.Errorf("create workspace: status %d: %s", status, body)
	}
	status, body, _, err = apiDo(ctx, "POST", base+"/api/v1/workspaces/"+slug+"/projects", token,
		map[string]string{"key": "REL", "name": "Release train", "description": "The project the releases benchmark fills."})
	if err != nil {
		return err
	}
	if status != http.StatusCreated {
		return fmt.Errorf("create project: status %d: %s", status, body)
	}
	url := base + "/api/v1/workspaces/" + slug + "/projects/REL/releases"
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				v := seedVersion(i)
				in := map[string]string{"version": v, "name": "Release " + v,
					"description": "Weekly train " + v + ": fixes and small features; see the notes."}
				status, body, _, err := apiDo(ctx, "POST", url, token, in)
				if err == nil && status != http.StatusCreated {
					err = fmt.Errorf("create release %s: status %d: %s", v, status, body)
				}
				if err != nil {
					errs <- err
					next.Store(int64(n)) // stop the others
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	er.SeedS = time.Since(start).Seconds()
	return ctx.Err()
}

// createLoad POSTs releases from conns keep-alive connections for d; every
// request carries a unique version major.<worker>.<n>.
func createLoad(ctx context.Context, url, token string, serverPID, conns int, d time.Duration, major int) (createRun, error) {
	var r createRun
	type workerOut struct {
		lat                   []time.Duration
		created, non201, errs int64
		samples               []string
	}
	outs := make([]workerOut, conns)
	busy0, srv0, self0, t0 := machineBusy(), procCPU(serverPID), procCPU(os.Getpid()), time.Now()
	deadline := t0.Add(d)
	var wg sync.WaitGroup
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := &outs[w]
			client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1}}
			defer client.CloseIdleConnections()
			auth := "Bearer " + token
			for n := 0; time.Now().Before(deadline) && ctx.Err() == nil; n++ {
				v := fmt.Sprintf("%d.%d.%d", major, w, n)
				payload := `{"version":"` + v + `","name":"Release ` + v + `","description":"Created under load."}`
				req, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader([]byte(payload)))
				if err != nil {
					o.errs++
					return
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", auth)
				t := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					o.errs++
					if len(o.samples) < 3 {
						o.samples = append(o.samples, err.Error())
					}
					continue
				}
				b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
				resp.Body.Close()
				o.lat = append(o.lat, time.Since(t))
				if resp.StatusCode == http.StatusCreated {
					o.created++
				} else {
					o.non201++
					if len(o.samples) < 3 {
						o.samples = append(o.samples, strconv.Itoa(resp.StatusCode)+" "+string(b))
					}
				}
			}
		}()
	}
	wg.Wait()
	wall := time.Since(t0).Seconds()
	busy, srv, self := machineBusy()-busy0, procCPU(serverPID)-srv0, procCPU(os.Getpid())-self0
	var lat []time.Duration
	for _, o := range outs {
		lat = append(lat, o.lat...)
		r.Created += o.created
		r.Non201 += o.non201
		r.Errors += o.errs
		for _, s := range o.samples {
			if len(r.Samples) < 5 {
				r.Samples = append(r.Samples, s)
			}
		}
	}
	r.Requests = int64(len(lat)) + r.Errors
	r.WallS, r.ServerCPUS, r.HarnessCPUS = wall, srv, self
	r.OtherCPUS = max(0, busy-srv-self)
	if wall > 0 {
		r.RPS = float64(r.Created) / wall
	}
	if r.Created > 0 {
		r.ServerUSPerC = srv / float64(r.Created) * 1e6
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		q := func(p float64) float64 { return ms(lat[min(len(lat)-1, int(p*float64(len(lat))))]) }
		r.P50MS, r.P90MS, r.P99MS, r.MaxMS = q(0.50), q(0.90), q(0.99), ms(lat[len(lat)-1])
	}
	return r, ctx.Err()
}

func summarizeCreate(c *createResult) {
	var rps, p50, p99, cpu, other []float64
	for _, r := range c.Runs {
		rps = append(rps, r.RPS)
		p50 = append(p50, r.P50MS)
		p99 = append(p99, r.P99MS)
		cpu = append(cpu, r.ServerUSPerC)
		if r.WallS > 0 {
			other = append(other, r.OtherCPUS/r.WallS)
		}
		c.Created += r.Created
		c.Non201 += r.Non201
		c.Errors += r.Errors
	}
	if len(rps) == 0 {
		return
	}
	c.RPSMedian, c.RPSMin, c.RPSMax = median(rps), slices.Min(rps), slices.Max(rps)
	c.P50MedianMS, c.P99MedianMS, c.P99MaxMS = median(p50), median(p99), slices.Max(p99)
	c.CPUUSPerReq, c.OtherCores = median(cpu), median(other)
}
