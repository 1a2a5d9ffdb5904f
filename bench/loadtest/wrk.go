package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// wrkResult is what one wrk run reported.
type wrkResult struct {
	Requests      int64   `json:"requests"`
	Seconds       float64 `json:"seconds"`
	RPS           float64 `json:"requests_per_sec"`
	LatencyAvgMS  float64 `json:"latency_avg_ms"`
	LatencyMaxMS  float64 `json:"latency_max_ms"`
	P50MS         float64 `json:"p50_ms"`
	P75MS         float64 `json:"p75_ms"`
	P90MS         float64 `json:"p90_ms"`
	P99MS         float64 `json:"p99_ms"`
	Non2xx        int64   `json:"non_2xx_3xx"`
	SocketErrors  int64   `json:"socket_errors"`
	SocketDetails string  `json:"socket_error_details,omitempty"`

	// CPU accounting over the run, from /proc (seconds of CPU time).
	WallS          float64 `json:"wall_s"`
	ServerCPUS     float64 `json:"server_cpu_s"`
	WrkCPUS        float64 `json:"wrk_cpu_s"`
	OtherCPUS      float64 `json:"other_cpu_s"`           // the rest of the machine: other engineers' work
	ServerUSPerReq float64 `json:"server_cpu_us_per_req"` // server CPU per request
}

var (
	reRPS      = regexp.MustCompile(`(?m)^Requests/sec:\s+([0-9.]+)`)
	reTotal    = regexp.MustCompile(`(?m)^\s*([0-9]+) requests in ([0-9.]+)(us|ms|s|m|h),`)
	rePct      = regexp.MustCompile(`(?m)^\s+(50|75|90|99)%\s+([0-9.]+)(us|ms|s|m|h)\s*$`)
	reLatency  = regexp.MustCompile(`(?m)^\s+Latency\s+([0-9.]+)(us|ms|s|m|h)\s+([0-9.]+)(us|ms|s|m|h)\s+([0-9.]+)(us|ms|s|m|h)`)
	reNon2xx   = regexp.MustCompile(`(?m)^\s*Non-2xx or 3xx responses:\s+([0-9]+)`)
	reSockErrs = regexp.MustCompile(`(?m)^\s*Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+)`)
)

// toMS converts a wrk duration (number + unit) to milliseconds.
func toMS(num, unit string) (float64, error) {
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, err
	}
	switch unit {
	case "us":
		return v / 1000, nil
	case "ms":
		return v, nil
	case "s":
		return v * 1000, nil
	case "m":
		return v * 60_000, nil
	case "h":
		return v * 3_600_000, nil
	}
	return 0, fmt.Errorf("unknown unit %q", unit)
}

// parseWrk reads wrk's text report (run with --latency).
func parseWrk(out string) (wrkResult, error) {
	var r wrkResult
	m := reRPS.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("wrk output has no Requests/sec line:\n%s", out)
	}
	r.RPS, _ = strconv.ParseFloat(m[1], 64)
	if m := reTotal.FindStringSubmatch(out); m != nil {
		r.Requests, _ = strconv.ParseInt(m[1], 10, 64)
		ms, err := toMS(m[2], m[3])
		if err == nil {
			r.Seconds = ms / 1000
		}
	}
	pcts := rePct.FindAllStringSubmatch(out, -1)
	if len(pcts) < 4 {
		return r, fmt.Errorf("wrk output has no latency distribution (run with --latency):\n%s", out)
	}
	for _, p := range pcts {
		ms, err := toMS(p[2], p[3])
		if err != nil {
			return r, err
		}
		switch p[1] {
		case "50":
			r.P50MS = ms
		case "75":
			r.P75MS = ms
		case "90":
			r.P90MS = ms
		case "99":
			r.P99MS = ms
		}
	}
	if m := reLatency.FindStringSubmatch(out); m != nil {
		r.LatencyAvgMS, _ = toMS(m[1], m[2])
		r.LatencyMaxMS, _ = toMS(m[5], m[6])
	}
	if m := reNon2xx.FindStringSubmatch(out); m != nil {
		r.Non2xx, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if m := reSockErrs.FindStringSubmatch(out); m != nil {
		var parts []string
		for i, name := range []string{"connect", "read", "write", "timeout"} {
			n, _ := strconv.ParseInt(m[i+1], 10, 64)
			r.SocketErrors += n
			parts = append(parts, name+" "+m[i+1])
		}
		r.SocketDetails = strings.Join(parts, ", ")
	}
	return r, nil
}
