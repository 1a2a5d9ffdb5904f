package main

import (
	"math"
	"testing"
)

const wrkOK = `Running 2s test @ http://127.0.0.1:44583/api/v1/workspaces/bench-65b051c4/projects
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    16.96ms    8.55ms  71.67ms   72.67%
    Req/Sec     1.92k    68.82     2.06k    67.50%
  Latency Distribution
     50%   15.88ms
     75%   21.59ms
     90%   27.57ms
     99%   43.65ms
  7663 requests in 2.01s, 79.77MB read
Requests/sec:   3816.57
Transfer/sec:     39.73MB
`

const wrkErrors = `Running 10s test @ http://127.0.0.1:8080/
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   812.00us  300.10us   1.20s    90.00%
    Req/Sec    20.00k     1.00k   22.00k    70.00%
  Latency Distribution
     50%  700.00us
     75%  900.00us
     90%    1.10ms
     99%    2.50s
  400000 requests in 10.00s, 4.00GB read
  Socket errors: connect 0, read 3, write 0, timeout 12
  Non-2xx or 3xx responses: 42
Requests/sec:  40000.00
Transfer/sec:    409.60MB
`

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func TestParseWrk(t *testing.T) {
	r, err := parseWrk(wrkOK)
	if err != nil {
		t.Fatal(err)
	}
	if !near(r.RPS, 3816.57) || r.Requests != 7663 || !near(r.Seconds, 2.01) {
		t.Errorf("totals: %+v", r)
	}
	if !near(r.P50MS, 15.88) || !near(r.P75MS, 21.59) || !near(r.P90MS, 27.57) || !near(r.P99MS, 43.65) {
		t.Errorf("percentiles: %+v", r)
	}
	if !near(r.LatencyAvgMS, 16.96) || !near(r.LatencyMaxMS, 71.67) || r.Non2xx != 0 || r.SocketErrors != 0 {
		t.Errorf("latency/errors: %+v", r)
	}

	r, err = parseWrk(wrkErrors)
	if err != nil {
		t.Fatal(err)
	}
	if !near(r.P50MS, 0.7) || !near(r.P90MS, 1.1) || !near(r.P99MS, 2500) || !near(r.LatencyAvgMS, 0.812) || !near(r.LatencyMaxMS, 1200) {
		t.Errorf("units: %+v", r)
	}
	if r.Non2xx != 42 || r.SocketErrors != 15 || r.SocketDetails != "connect 0, read 3, write 0, timeout 12" {
		t.Errorf("errors: %+v", r)
	}

	if _, err := parseWrk("unable to connect to 127.0.0.1:1 Connection refused\n"); err == nil {
		t.Error("want an error for output without results")
	}
	if _, err := parseWrk("Requests/sec: 10.0\n"); err == nil {
		t.Error("want an error without --latency distribution")
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := median(c.in); !near(got, c.want) {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
