// Package cli holds the subcommands of the shipshape binary.
package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"shipshape/internal/account"
	"shipshape/internal/app"
	"shipshape/internal/apperr"
	"shipshape/internal/config"
	"shipshape/internal/db"
)

// Version is set at build time with -ldflags "-X shipshape/internal/cli.Version=…".
var Version = "dev"

// Env is the process environment the CLI runs in.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Ready, when set, receives the listening URL once serve accepts requests.
	Ready func(url string)
	Now   func() time.Time
}

const usage = `Shipshape — plan, secure and ship releases.

Usage:
  shipshape <command> [flags]

Commands:
  serve                 run the web server (SQLite in ./shipshape-data by default)
  migrate               apply database migrations and exit
  admin create-user     create a user (password read from stdin)
  admin create-token    create a personal access token and print it
  admin reset-password  set a user's password (read from stdin) and end their sessions
  audit verify          verify the audit hash chains
  privacy inventory     print the personal-data inventory (text or JSON)
  privacy reapply-erasures  erase again every account in the deletion ledger (after restoring a backup)
  backup                copy the SQLite database to a file (consistent, while serving)
  restore               replace the SQLite database with a backup, then re-apply the deletion ledger
  version               print the version

Run "shipshape <command> --help" for the flags of a command.
`

// Main runs the command in args and returns the process exit code.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Now == nil {
		env.Now = time.Now
	}
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, usage)
		return 2
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		err = serve(ctx, rest, env)
	case "migrate":
		err = migrate(ctx, rest, env)
	case "admin":
		err = admin(ctx, rest, env)
	case "audit":
		err = auditCmd(ctx, rest, env)
	case "privacy":
		if len(rest) > 0 && rest[0] == "reapply-erasures" {
			err = reapplyErasures(ctx, rest[1:], env)
			break
		}
		err = privacyCmd(rest, env)
	case "backup":
		err = backup(ctx, rest, env)
	case "restore":
		err = restore(ctx, rest, env)
	case "version", "--version":
		if len(rest) > 0 && (rest[0] == "-h" || rest[0] == "--help") {
			fmt.Fprint(env.Stdout, "Usage: shipshape version\n\nPrint the version of this binary.\n")
			break
		}
		fmt.Fprintln(env.Stdout, "shipshape", Version)
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, usage)
	default:
		fmt.Fprintf(env.Stderr, "unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(env.Stderr, "shipshape:", err)
		return 1
	}
	return 0
}

func newFlags(name, help string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: shipshape %s [flags]\n\n%s\n\nFlags:\n", name, help)
		fs.PrintDefaults()
	}
	return fs
}

// load parses the shared configuration flags plus any extra ones.
func load(fs *flag.FlagSet, args []string, env Env) (config.Config, error) {
	cfg, err := config.Load(fs, args, env.Getenv)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		return cfg, fmt.Errorf("invalid configuration: %w", err)
	}
	return cfg, err
}

func serve(ctx context.Context, args []string, env Env) error {
	start := time.Now()
	fs := newFlags("serve", "Run the web server. With no flags it keeps its data in ./shipshape-data (SQLite) and listens on 127.0.0.1:8080.", env)
	cfg, err := load(fs, args, env)
	if err != nil {
		return err
	}
	tuneGC(env.Getenv)
	log := app.NewLogger(cfg, env.Stderr)
	d, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	a, err := app.New(cfg, log, d, env.Now)
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	url := "http://" + ln.Addr().String()
	if cfg.BaseURL != "" {
		url = cfg.BaseURL
	}
	engine := "SQLite " + cfg.SQLitePath()
	if d.Dialect() == db.Postgres {
		engine = "PostgreSQL"
	}
	log.Info("shipshape ready", "url", url, "database", engine, "version", Version, "startup_ms", time.Since(start).Milliseconds())
	fmt.Fprintf(env.Stdout, "Shipshape is running at %s\n", url)
	if env.Ready != nil {
		env.Ready("http://" + ln.Addr().String())
	}
	return a.Serve(ctx, ln)
}

// tuneGC trades a little memory for CPU: the live heap is small, so with
// Go's default GOGC=100 the collector runs every few hundred requests.
// GOGC=400 roughly halves its share; the soft memory limit makes it work
// harder again long before memory runs short. An operator's GOGC and
// GOMEMLIMIT win.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(512 << 20)
	}
}

// openDB loads config and opens (and migrates) the database for admin commands.
func openDB(ctx context.Context, fs *flag.FlagSet, args []string, env Env) (*app.App, func(), error) {
	cfg, err := load(fs, args, env)
	if err != nil {
		return nil, nil, err
	}
	return openApp(ctx, cfg, env)
}

// openApp opens the configured database (migrating it) and wires the app.
func openApp(ctx context.Context, cfg config.Config, env Env) (*app.App, func(), error) {
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	d, err := app.Open(ctx, cfg, log)
	if err != nil {
		return nil, nil, err
	}
	a, err := app.New(cfg, log, d, env.Now)
	if err != nil {
		d.Close()
		return nil, nil, err
	}
	return a, func() { a.Close(); d.Close() }, nil
}

func migrate(ctx context.Context, args []string, env Env) error {
	fs := newFlags("migrate", "Apply pending database migrations and exit.", env)
	cfg, err := load(fs, args, env)
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg, env.Stderr)
	d, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	fmt.Fprintln(env.Stdout, "database is up to date")
	return nil
}

func admin(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(env.Stdout, "Usage: shipshape admin <create-user|create-token|reset-password> [flags]\n")
		return nil
	}
	switch args[0] {
	case "create-user":
		return createUser(ctx, args[1:], env)
	case "create-token":
		return createToken(ctx, args[1:], env)
	case "reset-password":
		return resetPassword(ctx, args[1:], env)
	}
	return fmt.Errorf("unknown admin command %q (want create-user, create-token or reset-password)", args[0])
}

func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("no password on standard input (pipe it in, e.g. printf '%s\\n' \"$PW\" | shipshape admin …)")
	}
	return pw, nil
}

func createUser(ctx context.Context, args []string, env Env) error {
	fs := newFlags("admin create-user", "Create a user. The password is read from the first line of standard input.", env)
	email := fs.String("email", "", "e-mail address (required)")
	name := fs.String("name", "", "full name (required)")
	company := fs.String("company", "", "company")
	jobTitle := fs.String("job-title", "", "job title")
	siteAdmin := fs.Bool("site-admin", false, "make the user a site admin")
	a, done, err := openDB(ctx, fs, args, env)
	if err != nil {
		return err
	}
	defer done()
	pw, err := readPassword(env.Stdin)
	if err != nil {
		return err
	}
	u, err := a.Accounts.CreateUser(ctx, account.SignupInput{Name: *name, Email: *email, Password: pw, Company: *company, JobTitle: *jobTitle}, *siteAdmin)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(env.Stdout, "created user %s <%s> (id %s, site admin: %t)\n", u.Name, u.Email, u.ID, u.SiteAdmin)
	return nil
}

func createToken(ctx context.Context, args []string, env Env) error {
	fs := newFlags("admin create-token", "Create a personal access token for a user and print it (shown once).", env)
	email := fs.String("email", "", "the user's e-mail address (required)")
	name := fs.String("name", "", "a name for the token, e.g. ci-pipeline (required)")
	scopes := fs.String("scopes", "read", "comma-separated scopes: read, write")
	expires := fs.Duration("expires", 0, "lifetime, e.g. 720h; 0 means it never expires")
	a, done, err := openDB(ctx, fs, args, env)
	if err != nil {
		return err
	}
	defer done()
	_, secret, err := a.Accounts.CreateTokenFor(ctx, *email, account.TokenInput{Name: *name, Scopes: strings.Split(*scopes, ","), ExpiresIn: *expires})
	if err != nil {
		return describe(err)
	}
	fmt.Fprintln(env.Stdout, secret)
	return nil
}

func resetPassword(ctx context.Context, args []string, env Env) error {
	fs := newFlags("admin reset-password", "Set a user's password (read from standard input) and end all their sessions.", env)
	email := fs.String("email", "", "the user's e-mail address (required)")
	a, done, err := openDB(ctx, fs, args, env)
	if err != nil {
		return err
	}
	defer done()
	pw, err := readPassword(env.Stdin)
	if err != nil {
		return err
	}
	if err := a.Accounts.ResetPassword(ctx, *email, pw); err != nil {
		return describe(err)
	}
	fmt.Fprintln(env.Stdout, "password changed; all sessions of the user were ended")
	return nil
}

func auditCmd(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprint(env.Stdout, "Usage: shipshape audit verify [--workspace SLUG] [flags]\n")
		if len(args) > 0 && args[0] != "-h" && args[0] != "--help" {
			return fmt.Errorf("unknown audit command %q", args[0])
		}
		return nil
	}
	fs := newFlags("audit verify", "Verify the hash chain of every workspace's audit trail (or one) and of the site chain. Exits 1 when tampering is found.\nIt prints each chain's head (sequence:hash): keep a copy outside Shipshape now and then, because someone\nwho can write the database could recompute a whole chain; a head that no longer matches your copy shows it.", env)
	only := fs.String("workspace", "", "verify only this workspace (slug)")
	a, done, err := openDB(ctx, fs, args[1:], env)
	if err != nil {
		return err
	}
	defer done()
	reports, err := a.Workspaces.VerifyAllAudit(ctx, *only)
	if err != nil {
		return describe(err)
	}
	bad := 0
	for _, r := range reports {
		v := r.Verification
		if v.OK {
			fmt.Fprintf(env.Stdout, "ok       %-24s %d events, head %d:%s\n", r.Label, v.Checked, v.HeadSeq, v.Head)
		} else {
			bad++
			fmt.Fprintf(env.Stdout, "TAMPERED %-24s after %d good events: %s (event %s)\n", r.Label, v.Checked, v.Problem, v.FirstBad)
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d audit chain(s) failed verification", bad)
	}
	return nil
}

// privacyCmd prints the personal-data inventory. It needs no database:
// the inventory is what the code declares, and a test keeps it equal to
// the schema.
func privacyCmd(args []string, env Env) error {
	if len(args) == 0 || args[0] != "inventory" {
		fmt.Fprint(env.Stdout, "Usage: shipshape privacy inventory [--format text|json]\n       shipshape privacy reapply-erasures [flags]\n")
		if len(args) > 0 && args[0] != "-h" && args[0] != "--help" && args[0] != "help" {
			return fmt.Errorf("unknown privacy command %q (want inventory)", args[0])
		}
		return nil
	}
	fs := newFlags("privacy inventory", "Print the personal-data inventory: every table and column, and for personal data its category,\n"+
		"purpose, legal basis, retention, export and erasure (a record of processing activities). Needs no database.", env)
	format := fs.String("format", "text", "output format: text or json")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	inv := app.PrivacyInventory()
	switch *format {
	case "text":
		return inv.WriteText(env.Stdout)
	case "json":
		return inv.WriteJSON(env.Stdout)
	}
	return fmt.Errorf("--format must be text or json, not %q", *format)
}

// describe turns a domain error into a readable CLI message.
func describe(err error) error {
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code == apperr.Internal {
		return err
	}
	if len(ae.Fields) == 0 {
		return errors.New(ae.Message)
	}
	keys := make([]string, 0, len(ae.Fields))
	for k := range ae.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + " " + ae.Fields[k]
	}
	return fmt.Errorf("%s: %s", ae.Message, strings.Join(parts, "; "))
}
