package cli_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestNoOutboundConnections proves "zero telemetry": the real binary,
// started with no configuration but a data directory and a loopback
// address, makes no connection to anything but itself while a person sets
// it up and uses it. strace records every connect(2) of every thread; the
// only ones allowed are Unix sockets and loopback addresses.
//
// `make test` installs strace (scripts/test.sh); without strace, or where
// ptrace is not permitted (some containers), the test skips.
func TestNoOutboundConnections(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary under strace; skipped with -short")
	}
	straceBin, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("strace is not installed (`make test` installs it); cannot prove the server makes no outbound connections")
	}
	if out, err := exec.Command(straceBin, "-f", "-qq", "-e", "trace=connect", "-o", os.DevNull, "true").CombinedOutput(); err != nil {
		t.Skipf("strace cannot trace here (ptrace not permitted?): %v: %s", err, out)
	}

	dir := t.TempDir()
	bin := filepath.Join(dir, "shipshape")
	if out, err := exec.Command("go", "build", "-o", bin, "shipshape/cmd/shipshape").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Run("StraceSeesAnOutboundAttempt", func(t *testing.T) {
		// The control: the same binary told to use a PostgreSQL server at a
		// documentation address (192.0.2.1, never routed) must show up in
		// the trace as an outbound attempt, or the check below proves nothing.
		logPath := filepath.Join(t.TempDir(), "strace.log")
		cmd := exec.Command(straceBin, "-f", "-qq", "-e", "trace=connect,bind,listen", "-e", "signal=none", "-o", logPath,
			bin, "migrate", "--data", t.TempDir(), "--database", "postgres://shipshape@192.0.2.1:5432/shipshape?connect_timeout=3")
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
		if out, err := cmd.CombinedOutput(); err == nil {
			t.Fatalf("migrate against 192.0.2.1 succeeded?\n%s", out)
		}
		log, err := os.ReadFile(logPath)
		if err != nil {
			t.Fatal(err)
		}
		sum := analyzeTrace(string(log), 0)
		if len(sum.outbound) == 0 || !strings.Contains(strings.Join(sum.outbound, "\n"), `"192.0.2.1"`) {
			t.Fatalf("the trace does not show the connection attempt to 192.0.2.1:\n%s", log)
		}
	})

	port := freePort(t)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	base := "http://" + addr
	logPath := filepath.Join(dir, "strace.log")

	// -f follows every thread the Go runtime starts; signal=none keeps the
	// runtime's SIGURG preemption signals out of the log. bind and listen
	// are traced too, so the log shows strace saw the server at work even
	// if it connects nowhere at all.
	cmd := exec.Command(straceBin, "-f", "-qq", "-e", "trace=connect,bind,listen", "-e", "signal=none", "-o", logPath,
		bin, "serve", "--data", filepath.Join(dir, "data"), "--addr", addr)
	// A clean environment: no SHIPSHAPE_* setting of the machine running
	// the tests may add a connection.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "TMPDIR=" + dir}
	var serverOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &serverOut, &serverOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	serverPID := 0
	t.Cleanup(func() {
		// Killing strace alone would leave the traced server running.
		if serverPID != 0 {
			_ = syscall.Kill(serverPID, syscall.SIGKILL)
		}
		_ = cmd.Process.Kill()
		<-exited
	})

	waitReady(t, base, exited, &serverOut)
	if serverPID = childPID(cmd.Process.Pid); serverPID == 0 {
		t.Fatal("cannot find the server process under strace")
	}

	exerciseMainFlows(t, base)

	// Stop it as an init system does, and let strace write the last lines.
	if err := syscall.Kill(serverPID, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		exited <- err // for the cleanup
		if err != nil {
			t.Errorf("server under strace exited with %v:\n%s", err, serverOut.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("server did not stop within 60s of SIGTERM")
	}
	serverPID = 0

	log, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	checkTrace(t, string(log), port)
}

// exerciseMainFlows does what a person does on a new instance, through the
// web forms and the JSON API: set up the first account, sign out and in,
// create a workspace, project and release, upload and download a file,
// write a document, ship the release, download notes and evidence, search,
// use an API token, look at the admin pages, sign out.
func exerciseMainFlows(t *testing.T, base string) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	do := func(req *http.Request) (status int, path, body string) {
		t.Helper()
		if req.Method == http.MethodPost {
			// What a browser sends for a same-site form (CSRF protection).
			req.Header.Set("Origin", base)
			req.Header.Set("Sec-Fetch-Site", "same-origin")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, resp.Request.URL.Path, string(b)
	}
	get := func(path string) (int, string, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		return do(req)
	}
	post := func(path string, form url.Values) (int, string, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return do(req)
	}
	expect := func(what string, status int, path, body string, wantPath string, wantText ...string) {
		t.Helper()
		if status != http.StatusOK || (wantPath != "" && path != wantPath) {
			t.Fatalf("%s: %d at %s, want 200 at %s:\n%.2000s", what, status, path, wantPath, body)
		}
		for _, w := range wantText {
			if !strings.Contains(body, w) {
				t.Fatalf("%s: the page at %s does not show %q:\n%.2000s", what, path, w, body)
			}
		}
	}

	const email, password = "ana@example.com", "sturdy lantern orbit 42"
	s, p, b := get("/setup")
	expect("setup page", s, p, b, "/setup")
	s, p, b = post("/setup", url.Values{"name": {"Ana Lima"}, "email": {email}, "password": {password},
		"company": {"Acme"}, "job_title": {"Release manager"}, "age_confirmed": {"yes"}})
	expect("setup", s, p, b, "/")
	s, p, b = post("/logout", nil)
	expect("sign out", s, p, b, "/login")
	s, p, b = post("/login", url.Values{"email": {email}, "password": {password}})
	expect("sign in", s, p, b, "/")

	s, p, b = post("/workspaces", url.Values{"slug": {"acme"}, "name": {"Acme"}})
	expect("create workspace", s, p, b, "/w/acme")
	s, p, b = post("/w/acme/projects", url.Values{"key": {"PAY"}, "name": {"Payments"}, "description": {"Card **payments**."}})
	expect("create project", s, p, b, "/w/acme/p/PAY")
	rel := "/w/acme/p/PAY/r/1.0.0"
	s, p, b = post("/w/acme/p/PAY/releases", url.Values{"version": {"1.0.0"}})
	expect("create release", s, p, b, rel)

	file := []byte("release checksum list\n")
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	fw, err := mw.CreateFormFile("file", "checksums.txt")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(file)
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, base+rel+"/files", &mp)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	s, p, b = do(req)
	expect("upload release file", s, p, b, rel, "checksums.txt")
	if s, _, b = get(rel + "/files/checksums.txt"); s != http.StatusOK || b != string(file) {
		t.Fatalf("download release file: %d %q", s, b)
	}

	s, p, b = post("/w/acme/docs", url.Values{"title": {"Refunds design"}, "type": {"design"}, "visibility": {"workspace"},
		"project": {"PAY"}, "release": {"1.0.0"}, "body": {"# Refunds\n\nIdempotency keys, retried three times.\n\n![logo](https://example.com/logo.png)"}})
	expect("create document", s, p, b, "", "Refunds design")
	if !strings.HasPrefix(p, "/w/acme/docs/") {
		t.Fatalf("create document: ended at %s", p)
	}

	for _, to := range []string{"in_progress", "in_review", "released"} {
		s, p, b = post(rel+"/move", url.Values{"to": {to}})
		expect("move release to "+to, s, p, b, rel)
	}
	s, _, b = get(rel + "/notes")
	if s != http.StatusOK || !strings.Contains(b, "1.0.0") {
		t.Fatalf("download release notes: %d %.500s", s, b)
	}
	s, _, b = get(rel + "/evidence")
	if s != http.StatusOK || !strings.Contains(b, "checksums.txt") {
		t.Fatalf("download evidence: %d %.500s", s, b)
	}

	s, p, b = get("/w/acme/search?q=idempotency")
	expect("search", s, p, b, "/w/acme/search", "Refunds design")

	// The JSON API, with a token made on the tokens page.
	s, p, b = post("/tokens", url.Values{"name": {"ci"}, "scopes": {"read"}, "expires": {"30"}})
	expect("create token", s, p, b, "")
	m := regexp.MustCompile(`id="token-secret"[^>]*value="([^"]+)"`).FindStringSubmatch(b)
	if m == nil {
		t.Fatalf("no token on the page:\n%.2000s", b)
	}
	for _, path := range []string{"/api/v1/me", "/api/v1/workspaces/acme/search?q=refunds", "/api/v1/openapi.json"} {
		req, err := http.NewRequest(http.MethodGet, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+m[1])
		if s, _, b := do(req); s != http.StatusOK {
			t.Fatalf("API %s: %d %.500s", path, s, b)
		}
	}

	for _, path := range []string{"/", "/w/acme", "/w/acme/releases", "/w/acme/docs", "/w/acme/ownership", "/w/acme/activity", "/admin"} {
		s, p, b = get(path)
		expect("page "+path, s, p, b, path)
	}
	s, p, b = get("/admin/outbound")
	expect("outbound connections page", s, p, b, "/admin/outbound", "This instance makes no outbound connections")
	s, p, b = post("/logout", nil)
	expect("sign out at the end", s, p, b, "/login")
}

var (
	straceCallRE = regexp.MustCompile(`^\d+\s+(connect|bind|listen)\((.*)$`)
	familyRE     = regexp.MustCompile(`sa_family=(AF_[A-Z0-9]+)`)
	inetAddrRE   = regexp.MustCompile(`inet_addr\("([^"]+)"\)`)
	inet6AddrRE  = regexp.MustCompile(`inet_pton\(AF_INET6, "([^"]+)"`)
	portRE       = regexp.MustCompile(`sin6?_port=htons\((\d+)\)`)
)

// traceSummary is what a strace log of connect, bind and listen shows.
type traceSummary struct {
	connects, unix, loopback, binds int
	outbound                        []string // connect lines to any other address
	listenBind                      bool     // bind of 127.0.0.1:port seen
}

// analyzeTrace sorts every connect(2) into Unix socket, loopback (127.0.0.0/8,
// ::1, ::ffff:127.0.0.1) or outbound, and looks for the bind of the listen
// address, which shows that strace did trace the server.
func analyzeTrace(log string, port int) traceSummary {
	var sum traceSummary
	for _, line := range strings.Split(log, "\n") {
		m := straceCallRE.FindStringSubmatch(line)
		if m == nil {
			continue // "<... resumed>" halves, exit notes
		}
		call, args := m[1], m[2]
		family := ""
		if f := familyRE.FindStringSubmatch(args); f != nil {
			family = f[1]
		}
		addr := ""
		if a := inetAddrRE.FindStringSubmatch(args); a != nil {
			addr = a[1]
		} else if a := inet6AddrRE.FindStringSubmatch(args); a != nil {
			addr = a[1]
		}
		switch call {
		case "bind":
			sum.binds++
			if p := portRE.FindStringSubmatch(args); family == "AF_INET" && addr == "127.0.0.1" && p != nil && p[1] == strconv.Itoa(port) {
				sum.listenBind = true
			}
		case "connect":
			sum.connects++
			switch ip := net.ParseIP(addr); {
			case family == "AF_UNIX":
				sum.unix++
			case (family == "AF_INET" || family == "AF_INET6") && ip != nil && ip.IsLoopback():
				sum.loopback++
			default:
				// Anything else, AF_UNSPEC and unparsed lines included,
				// counts: a false alarm is better than a missed one.
				sum.outbound = append(sum.outbound, line)
			}
		}
	}
	return sum
}

func checkTrace(t *testing.T, log string, port int) {
	t.Helper()
	sum := analyzeTrace(log, port)
	t.Logf("strace: %d connect (%d unix, %d loopback, %d other), %d bind; bind of the listen address 127.0.0.1:%d seen: %v",
		sum.connects, sum.unix, sum.loopback, len(sum.outbound), sum.binds, port, sum.listenBind)
	for _, line := range sum.outbound {
		t.Errorf("outbound connection attempt: %s", line)
	}
	if !sum.listenBind {
		t.Errorf("the strace log has no bind to 127.0.0.1:%d, so it did not trace the server; log:\n%s", port, log)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// waitReady polls /readyz until the server answers (slower than usual
// under strace).
func waitReady(t *testing.T, base string, exited chan error, out *bytes.Buffer) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("server exited before it was ready: %v\n%s", err, out.String())
		default:
		}
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("server did not become ready within 60s")
}

// childPID finds the process strace started (its child) in /proc.
func childPID(parent int) int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// "pid (comm) state ppid …"; comm may hold spaces, so read after ')'.
		i := bytes.LastIndexByte(stat, ')')
		var state string
		var ppid int
		if i < 0 {
			continue
		}
		if _, err := fmt.Sscan(string(stat[i+1:]), &state, &ppid); err == nil && ppid == parent {
			return pid
		}
	}
	return 0
}
