package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shipshape/internal/cli"
	"shipshape/internal/db"
)

func run(t *testing.T, stdin string, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = cli.Main(context.Background(), args, cli.Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return env[k] },
	})
	return code, out.String(), errb.String()
}

func TestEveryCommandHasHelp(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--help"}, {"migrate", "--help"}, {"admin", "create-user", "--help"}, {"admin", "create-token", "--help"},
		{"admin", "reset-password", "--help"}, {"audit", "verify", "--help"}, {"backup", "--help"}, {"restore", "--help"}, {"privacy", "reapply-erasures", "--help"},
	} {
		code, out, errOut := run(t, "", nil, args...)
		help := out + errOut
		if code != 0 || !strings.Contains(help, "Usage: shipshape "+strings.Join(args[:len(args)-1], " ")) || !strings.Contains(help, "-data") {
			t.Errorf("%v: exit %d, help:\n%s", args, code, help)
		}
	}
	if code, out, _ := run(t, "", nil, "version", "--help"); code != 0 || !strings.Contains(out, "Usage: shipshape version") {
		t.Errorf("version --help: exit %d: %s", code, out)
	}
	code, out, _ := run(t, "", nil, "--help")
	if code != 0 || !strings.Contains(out, "admin create-token") {
		t.Errorf("top-level help: exit %d: %s", code, out)
	}
	if code, _, _ := run(t, "", nil, "frobnicate"); code != 2 {
		t.Errorf("unknown command exit %d, want 2", code)
	}
}

func TestInvalidConfigFailsFast(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"BadAddr", []string{"serve", "--data", dir, "--addr", "nope"}, nil, "addr"},
		{"BadDuration", []string{"serve", "--data", dir}, map[string]string{"SHIPSHAPE_SESSION_IDLE": "forever"}, "SHIPSHAPE_SESSION_IDLE"},
		{"BadDatabase", []string{"serve", "--data", dir, "--database", "mysql://x"}, nil, "database"},
		{"BadLogFormat", []string{"migrate", "--data", dir, "--log-format", "xml"}, nil, "log-format"},
		{"MissingSecretFile", []string{"serve", "--data", dir}, map[string]string{"SHIPSHAPE_DATABASE_URL_FILE": filepath.Join(dir, "nope")}, "SHIPSHAPE_DATABASE_URL_FILE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			code, _, errOut := run(t, "", c.env, c.args...)
			if code != 1 || !strings.Contains(errOut, "invalid configuration") || !strings.Contains(errOut, c.want) {
				t.Fatalf("exit %d, stderr %q; want exit 1 naming %q", code, errOut, c.want)
			}
			if time.Since(start) > 5*time.Second {
				t.Fatal("invalid configuration did not fail fast")
			}
		})
	}
}

func TestAdminCommandsAndAuditVerify(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := run(t, "correct horse battery\n", nil, "admin", "create-user", "--data", dir, "--email", "ana@example.com", "--name", "Ana Lima", "--site-admin")
	if code != 0 || !strings.Contains(out, "site admin: true") {
		t.Fatalf("create-user: exit %d: %s %s", code, out, errOut)
	}
	code, _, errOut = run(t, "short\n", nil, "admin", "create-user", "--data", dir, "--email", "bad", "--name", "")
	if code != 1 || !strings.Contains(errOut, "email") || !strings.Contains(errOut, "password") || !strings.Contains(errOut, "name") {
		t.Fatalf("invalid create-user: exit %d: %s", code, errOut)
	}
	code, token, errOut := run(t, "", nil, "admin", "create-token", "--data", dir, "--email", "ana@example.com", "--name", "ci", "--scopes", "read,write", "--expires", "720h")
	if code != 0 || !strings.HasPrefix(token, "ssp_") {
		t.Fatalf("create-token: exit %d: %q %s", code, token, errOut)
	}
	if code, _, errOut := run(t, "", nil, "admin", "create-token", "--data", dir, "--email", "ana@example.com", "--name", "x", "--scopes", "admin"); code != 1 || !strings.Contains(errOut, "scopes") {
		t.Fatalf("bad scope: exit %d: %s", code, errOut)
	}
	if code, out, errOut := run(t, "another good password\n", nil, "admin", "reset-password", "--data", dir, "--email", "ana@example.com"); code != 0 || !strings.Contains(out, "sessions") {
		t.Fatalf("reset-password: exit %d: %s %s", code, out, errOut)
	}
	code, out, _ = run(t, "", nil, "audit", "verify", "--data", dir)
	if code != 0 || !strings.Contains(out, "ok") || !strings.Contains(out, "(site)") {
		t.Fatalf("audit verify: exit %d: %s", code, out)
	}
}

// TestServeWithNoConfigAndGracefulShutdown runs the real serve command in
// a fresh directory with no flags but a free port, checks the probes, and
// shuts it down by cancelling the context (as SIGTERM does).
func TestServeWithNoConfigAndGracefulShutdown(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chdir(wd) })
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan int, 1)
	var out bytes.Buffer
	go func() {
		done <- cli.Main(ctx, []string{"serve"}, cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: io.Discard,
			Getenv: func(k string) string {
				if k == "SHIPSHAPE_ADDR" {
					return "127.0.0.1:0"
				}
				return ""
			}, Ready: func(url string) { ready <- url }})
	}()
	var url string
	select {
	case url = <-ready:
	case code := <-done:
		t.Fatalf("serve exited early with %d", code)
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not become ready")
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		res, err := http.Get(url + p)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("%s: %v %v", p, err, res)
		}
		res.Body.Close()
	}
	if _, err := os.Stat(filepath.Join(dir, "shipshape-data", "shipshape.db")); err != nil {
		t.Fatalf("default data directory not created: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "shipshape-data", "files")); err != nil {
		t.Fatalf("files folder not created: %v", err)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exit %d after shutdown", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not shut down")
	}
	if !strings.Contains(out.String(), "Shipshape is running at http://127.0.0.1:") {
		t.Fatalf("serve did not print its URL: %q", out.String())
	}
}

func TestAuditVerifyFindsTampering(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := run(t, "correct horse battery\n", nil, "admin", "create-user", "--data", dir, "--email", "ana@example.com", "--name", "Ana Lima"); code != 0 {
		t.Fatal(errOut)
	}
	if code, out, _ := run(t, "", nil, "audit", "verify", "--data", dir, "--workspace", "nope"); code != 1 || strings.Contains(out, "ok") {
		t.Fatalf("unknown workspace: exit %d %s", code, out)
	}
	d, err := db.Open(context.Background(), filepath.Join(dir, "shipshape.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(context.Background(), `UPDATE audit_events SET action = 'user.delete'`); err != nil {
		t.Fatal(err)
	}
	d.Close()
	code, out, _ := run(t, "", nil, "audit", "verify", "--data", dir)
	if code != 1 || !strings.Contains(out, "TAMPERED (site)") {
		t.Fatalf("tampered site chain: exit %d: %s", code, out)
	}
}

func TestServeRefusesUnreachableObjectStorage(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"SHIPSHAPE_S3_ACCESS_KEY": "x", "SHIPSHAPE_S3_SECRET_KEY": "y"}
	code, _, errOut := run(t, "", env, "serve", "--data", dir, "--addr", "127.0.0.1:0", "--blob", "s3://nope?endpoint=127.0.0.1:1&tls=false")
	if code != 1 || !strings.Contains(errOut, "file storage") {
		t.Fatalf("exit %d, stderr %q; want a file storage error", code, errOut)
	}
}

func TestPrivacyInventoryNeedsNoDatabase(t *testing.T) {
	code, out, errOut := run(t, "", nil, "privacy", "inventory")
	if code != 0 || !strings.Contains(out, "record of processing activities") || !strings.Contains(out, "- email: contact") {
		t.Fatalf("privacy inventory: exit %d, stderr %q, stdout:\n%s", code, errOut, out)
	}
	code, out, errOut = run(t, "", nil, "privacy", "inventory", "--format", "json")
	if code != 0 {
		t.Fatalf("--format json: exit %d: %s", code, errOut)
	}
	var inv struct {
		Tables []struct {
			Name   string `json:"name"`
			Fields []struct {
				Column   string `json:"column"`
				Personal bool   `json:"personal"`
				Category string `json:"category"`
			} `json:"fields"`
		} `json:"tables"`
	}
	if err := json.Unmarshal([]byte(out), &inv); err != nil {
		t.Fatalf("--format json does not parse: %v\n%s", err, out)
	}
	found := false
	for _, tb := range inv.Tables {
		for _, f := range tb.Fields {
			if tb.Name == "users" && f.Column == "email" {
				found = f.Personal && f.Category == "contact"
			}
		}
	}
	if !found {
		t.Error("the JSON inventory does not mark users.email as personal contact data")
	}
	if code, _, errOut := run(t, "", nil, "privacy", "inventory", "--format", "yaml"); code != 1 || !strings.Contains(errOut, "text or json") {
		t.Errorf("--format yaml: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := run(t, "", nil, "privacy", "inventory", "--help"); code != 0 || !strings.Contains(errOut, "Usage: shipshape privacy inventory") || !strings.Contains(errOut, "-format") {
		t.Errorf("privacy inventory --help: exit %d: %s", code, errOut)
	}
	if code, out, _ := run(t, "", nil, "privacy"); code != 0 || !strings.Contains(out, "Usage: shipshape privacy inventory") {
		t.Errorf("privacy: exit %d: %s", code, out)
	}
	if code, _, _ := run(t, "", nil, "privacy", "export"); code != 1 {
		t.Errorf("privacy export: exit %d, want 1 (unknown command)", code)
	}
	if _, out, _ := run(t, "", nil, "--help"); !strings.Contains(out, "privacy inventory") {
		t.Error("top-level help does not list privacy inventory")
	}
}
