package main

import (
	"bufio"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// machine describes where the numbers were taken.
type machine struct {
	NProc     int    `json:"nproc"`
	CPUModel  string `json:"cpu_model"`
	MemTotal  string `json:"mem_total"`
	GoVersion string `json:"go_version"`
	Kernel    string `json:"kernel"`
	Wrk       string `json:"wrk"`
	GitCommit string `json:"git_commit,omitempty"`
	GitDirty  int    `json:"git_dirty_files"`
}

func describeMachine(root, wrkPath string) machine {
	m := machine{NProc: runtime.NumCPU()}
	m.CPUModel = procField("/proc/cpuinfo", "model name")
	if kb, err := strconv.ParseInt(strings.Fields(procField("/proc/meminfo", "MemTotal") + " 0")[0], 10, 64); err == nil && kb > 0 {
		m.MemTotal = strconv.FormatFloat(float64(kb)/1024/1024, 'f', 1, 64) + " GiB"
	}
	if b, err := os.ReadFile("/proc/version"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	m.GoVersion = runtime.Version()
	if out, err := cmdOut(root, "go", "version"); err == nil {
		m.GoVersion = strings.TrimSpace(out)
	}
	if wrkPath != "" {
		// "wrk -v" prints its version and exits with status 1.
		out, _ := cmdOut(root, wrkPath, "-v")
		first, _, _ := strings.Cut(out, "\n")
		first, _, _ = strings.Cut(first, " Copyright")
		m.Wrk = strings.TrimSpace(first)
	}
	if out, err := cmdOut(root, "git", "rev-parse", "--short", "HEAD"); err == nil {
		m.GitCommit = strings.TrimSpace(out)
		if st, err := cmdOut(root, "git", "status", "--porcelain"); err == nil {
			for _, l := range strings.Split(st, "\n") {
				if strings.TrimSpace(l) != "" {
					m.GitDirty++
				}
			}
		}
	}
	return m
}

// cmdOut runs a quick informational command (bounded: these never block).
func cmdOut(dir string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	b, err := cmd.CombinedOutput()
	return string(b), err
}

// procField is the value of the first "key: value" line in a /proc file.
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// loadAvg is /proc/loadavg's first three fields.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return strings.TrimSpace(string(b))
	}
	return strings.Join(f[:3], " ")
}

// memInfo is the memory of a process from /proc/<pid>/status, in kB.
type memInfo struct {
	RSS  int64 `json:"rss_kb"`      // VmRSS
	HWM  int64 `json:"peak_rss_kb"` // VmHWM, the peak RSS so far
	Anon int64 `json:"anon_kb"`     // RssAnon: heap, stacks
	File int64 `json:"file_kb"`     // RssFile: mapped binary pages
}

func readMem(pid int) memInfo {
	var m memInfo
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return m
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(v)
		if len(fields) == 0 {
			continue
		}
		n, _ := strconv.ParseInt(fields[0], 10, 64)
		switch k {
		case "VmRSS":
			m.RSS = n
		case "VmHWM":
			m.HWM = n
		case "RssAnon":
			m.Anon = n
		case "RssFile":
			m.File = n
		}
	}
	return m
}

// clkTck is USER_HZ, the unit of /proc CPU times (100 on every Linux/amd64
// and arm64 kernel we run on).
const clkTck = 100

// machineBusy is the CPU time (seconds, all CPUs) the machine spent not
// idle, from /proc/stat's aggregate line.
func machineBusy() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0
	}
	var busy int64
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		switch i {
		case 3, 4: // idle, iowait
		case 8, 9: // guest, guest_nice: already counted in user/nice
		default:
			busy += n
		}
	}
	return float64(busy) / clkTck
}

// procCPU is utime+stime of pid in seconds (all its threads).
func procCPU(pid int) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	// Fields after the ")" that closes the command name: state is field 3,
	// utime field 14, stime field 15.
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return float64(ut+st) / clkTck
}
