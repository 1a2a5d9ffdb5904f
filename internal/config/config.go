// Package config builds the Config from defaults, an optional file,
// SHIPSHAPE_* environment variables (and *_FILE variants for secrets) and
// flags, in that order of precedence (flags win), and validates it.
package config

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is everything `shipshape serve` needs.
type Config struct {
	Addr           string
	DataDir        string
	DatabaseURL    string // "" means SQLite at DataDir/shipshape.db
	BaseURL        string // public URL, for links in invitations
	BehindTLSProxy bool
	LogFormat      string // text | json
	LogLevel       string // debug | info | warn | error
	SessionIdle    time.Duration
	SessionMax     time.Duration
	BodyLimit      int64 // bytes for JSON and form bodies
	ShutdownGrace  time.Duration
	Blob           string // "" means local files under FilesDir; else s3://BUCKET[/PREFIX]?endpoint=…
	S3AccessKey    string
	S3SecretKey    string
	MaxUpload      int64 // bytes, largest uploaded file
}

// Default returns the zero-configuration defaults.
func Default() Config {
	return Config{
		Addr:          "127.0.0.1:8080",
		DataDir:       "shipshape-data",
		LogFormat:     "text",
		LogLevel:      "info",
		SessionIdle:   7 * 24 * time.Hour,
		SessionMax:    30 * 24 * time.Hour,
		BodyLimit:     1 << 20,
		ShutdownGrace: 20 * time.Second,
		MaxUpload:     DefaultMaxUpload,
	}
}

// DefaultMaxUpload is the default largest uploaded file: 4 GiB.
const DefaultMaxUpload = 4 << 30

// MaxUploadLimit is the largest --max-upload accepted: 5 TiB, the S3 object limit.
const MaxUploadLimit = 5 << 40

// SQLitePath is the embedded database file.
func (c Config) SQLitePath() string { return filepath.Join(c.DataDir, "shipshape.db") }

// FilesDir is where uploaded files live on local storage.
func (c Config) FilesDir() string { return filepath.Join(c.DataDir, "files") }

// Option describes one setting: its flag, env variable and help text. The
// README's configuration table is written from this list.
type Option struct {
	Flag   string
	Env    string
	Help   string
	Secret bool // also read from $ENV_FILE
	set    func(*Config, string) error
	get    func(*Config) string
}

// Options lists every setting of `shipshape serve`.
func Options() []Option {
	return []Option{
		{Flag: "addr", Env: "SHIPSHAPE_ADDR", Help: "listen address (host:port)",
			set: func(c *Config, v string) error { c.Addr = v; return nil }, get: func(c *Config) string { return c.Addr }},
		{Flag: "data", Env: "SHIPSHAPE_DATA", Help: "data directory (SQLite database and files)",
			set: func(c *Config, v string) error { c.DataDir = v; return nil }, get: func(c *Config) string { return c.DataDir }},
		{Flag: "database", Env: "SHIPSHAPE_DATABASE_URL", Secret: true, Help: "postgres://… URL; empty means embedded SQLite in the data directory",
			set: func(c *Config, v string) error { c.DatabaseURL = v; return nil }, get: func(c *Config) string { return redact(c.DatabaseURL) }},
		{Flag: "base-url", Env: "SHIPSHAPE_BASE_URL", Help: "public URL used in links (default: http://<addr>)",
			set: func(c *Config, v string) error { c.BaseURL = strings.TrimRight(v, "/"); return nil }, get: func(c *Config) string { return c.BaseURL }},
		{Flag: "behind-tls-proxy", Env: "SHIPSHAPE_BEHIND_TLS_PROXY", Help: "served over HTTPS by a reverse proxy: Secure cookie, trust X-Forwarded-For",
			set: func(c *Config, v string) error { return parseBool(v, &c.BehindTLSProxy) }, get: func(c *Config) string { return strconv.FormatBool(c.BehindTLSProxy) }},
		{Flag: "log-format", Env: "SHIPSHAPE_LOG_FORMAT", Help: "log format: text or json",
			set: func(c *Config, v string) error { c.LogFormat = v; return nil }, get: func(c *Config) string { return c.LogFormat }},
		{Flag: "log-level", Env: "SHIPSHAPE_LOG_LEVEL", Help: "log level: debug, info, warn or error",
			set: func(c *Config, v string) error { c.LogLevel = v; return nil }, get: func(c *Config) string { return c.LogLevel }},
		{Flag: "session-idle", Env: "SHIPSHAPE_SESSION_IDLE", Help: "sign out after this much inactivity",
			set: func(c *Config, v string) error { return parseDuration(v, &c.SessionIdle) }, get: func(c *Config) string { return c.SessionIdle.String() }},
		{Flag: "session-max", Env: "SHIPSHAPE_SESSION_MAX", Help: "sign out this long after sign-in, active or not",
			set: func(c *Config, v string) error { return parseDuration(v, &c.SessionMax) }, get: func(c *Config) string { return c.SessionMax.String() }},
		{Flag: "body-limit", Env: "SHIPSHAPE_BODY_LIMIT", Help: "largest JSON or form request body, in bytes",
			set: func(c *Config, v string) error { return parseInt(v, &c.BodyLimit) }, get: func(c *Config) string { return strconv.FormatInt(c.BodyLimit, 10) }},
		{Flag: "shutdown-grace", Env: "SHIPSHAPE_SHUTDOWN_GRACE", Help: "how long in-flight requests may take to finish on SIGTERM",
			set: func(c *Config, v string) error { return parseDuration(v, &c.ShutdownGrace) }, get: func(c *Config) string { return c.ShutdownGrace.String() }},
		{Flag: "blob", Env: "SHIPSHAPE_BLOB", Help: "file storage: empty means the files directory in the data directory; s3://BUCKET[/PREFIX]?endpoint=HOST:PORT&region=…&tls=false&path_style=true for S3-compatible object storage",
			set: func(c *Config, v string) error { c.Blob = v; return nil }, get: func(c *Config) string { return redact(c.Blob) }},
		{Flag: "s3-access-key", Env: "SHIPSHAPE_S3_ACCESS_KEY", Secret: true, Help: "access key for s3:// file storage",
			set: func(c *Config, v string) error { c.S3AccessKey = v; return nil }, get: func(c *Config) string { return hidden(c.S3AccessKey) }},
		{Flag: "s3-secret-key", Env: "SHIPSHAPE_S3_SECRET_KEY", Secret: true, Help: "secret key for s3:// file storage",
			set: func(c *Config, v string) error { c.S3SecretKey = v; return nil }, get: func(c *Config) string { return hidden(c.S3SecretKey) }},
		{Flag: "max-upload", Env: "SHIPSHAPE_MAX_UPLOAD", Help: "largest uploaded file, in bytes",
			set: func(c *Config, v string) error { return parseInt(v, &c.MaxUpload) }, get: func(c *Config) string { return strconv.FormatInt(c.MaxUpload, 10) }},
	}
}

// hidden shows whether a secret is set without showing it.
func hidden(v string) string {
	if v == "" {
		return ""
	}
	return "…"
}

func redact(u string) string {
	if i := strings.Index(u, "@"); i > 0 {
		if j := strings.Index(u, "://"); j > 0 && j < i {
			return u[:j+3] + "…" + u[i:]
		}
	}
	return u
}

// Load parses args (without the subcommand name) into a Config. getenv is
// os.Getenv in production and a map in tests.
func Load(fs *flag.FlagSet, args []string, getenv func(string) string) (Config, error) {
	c := Default()
	opts := Options()
	flagVals := map[string]*string{}
	for _, o := range opts {
		flagVals[o.Flag] = fs.String(o.Flag, "", fmt.Sprintf("%s (env %s, default %q)", o.Help, o.Env, o.get(&c)))
	}
	configFile := fs.String("config", "", "optional config file of KEY=value lines using the env variable names (env SHIPSHAPE_CONFIG)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	file := *configFile
	if file == "" {
		file = getenv("SHIPSHAPE_CONFIG")
	}
	fileVals := map[string]string{}
	if file != "" {
		var err error
		if fileVals, err = readFile(file); err != nil {
			return c, err
		}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, o := range opts {
		var v, src string
		var ok bool
		if fv, has := fileVals[o.Env]; has {
			v, src, ok = fv, "config file "+o.Env, true
		}
		if ev := getenv(o.Env); ev != "" {
			v, src, ok = ev, o.Env, true
		}
		if o.Secret {
			if path := getenv(o.Env + "_FILE"); path != "" {
				b, err := os.ReadFile(path)
				if err != nil {
					return c, fmt.Errorf("%s_FILE: %w", o.Env, err)
				}
				v, src, ok = strings.TrimSpace(string(b)), o.Env+"_FILE", true
			}
		}
		if set[o.Flag] {
			v, src, ok = *flagVals[o.Flag], "--"+o.Flag, true
		}
		if ok {
			if err := o.set(&c, v); err != nil {
				return c, fmt.Errorf("%s: %w", src, err)
			}
		}
	}
	return c, c.Validate()
}

func readFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config file: %w", err)
	}
	defer f.Close()
	known := map[string]bool{"SHIPSHAPE_CONFIG": true}
	for _, o := range Options() {
		known[o.Env] = true
	}
	vals := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok {
			return nil, fmt.Errorf("config file %s:%d: expected KEY=value", path, n)
		}
		if !known[k] {
			return nil, fmt.Errorf("config file %s:%d: unknown setting %q", path, n, k)
		}
		vals[k] = strings.Trim(strings.TrimSpace(v), `"`)
	}
	return vals, sc.Err()
}

// Validate fails fast with a message naming the setting.
func (c Config) Validate() error {
	var errs []error
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || !validPort(port) {
		errs = append(errs, fmt.Errorf("addr %q: want host:port, e.g. 127.0.0.1:8080", c.Addr))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("data: must not be empty"))
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		errs = append(errs, fmt.Errorf("database: want a postgres:// URL, got %q", redact(c.DatabaseURL)))
	}
	if c.BaseURL != "" && !strings.HasPrefix(c.BaseURL, "http://") && !strings.HasPrefix(c.BaseURL, "https://") {
		errs = append(errs, fmt.Errorf("base-url %q: want http:// or https://", c.BaseURL))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("log-format %q: want text or json", c.LogFormat))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log-level %q: want debug, info, warn or error", c.LogLevel))
	}
	if c.SessionIdle < time.Minute || c.SessionMax < c.SessionIdle {
		errs = append(errs, errors.New("session-idle must be at least 1m and session-max at least session-idle"))
	}
	if c.BodyLimit < 1024 {
		errs = append(errs, errors.New("body-limit must be at least 1024 bytes"))
	}
	if c.ShutdownGrace < 0 {
		errs = append(errs, errors.New("shutdown-grace must not be negative"))
	}
	if c.Blob != "" {
		if _, err := ParseS3URL(c.Blob); err != nil {
			errs = append(errs, fmt.Errorf("blob: %w", err))
		} else if c.S3AccessKey == "" || c.S3SecretKey == "" {
			errs = append(errs, errors.New("s3-access-key and s3-secret-key are required when blob is an s3:// URL (SHIPSHAPE_S3_ACCESS_KEY, SHIPSHAPE_S3_SECRET_KEY or their _FILE variants)"))
		}
	}
	if c.MaxUpload < 1 || c.MaxUpload > MaxUploadLimit {
		errs = append(errs, fmt.Errorf("max-upload %d: want 1 to %d bytes (5 TiB)", c.MaxUpload, int64(MaxUploadLimit)))
	}
	return errors.Join(errs...)
}

// S3Location is a parsed s3:// file storage URL.
type S3Location struct {
	Bucket   string
	Prefix   string // "" or ending in "/"; prepended to every key
	Endpoint string // host[:port]
	Region   string // "" lets the client discover it
	TLS      bool   // https (default true)
	// PathStyle: nil = automatic (virtual-host style for AWS, path style elsewhere).
	PathStyle *bool
}

// DefaultS3Endpoint is used when the s3:// URL has no endpoint parameter.
const DefaultS3Endpoint = "s3.amazonaws.com"

// ParseS3URL parses s3://BUCKET[/PREFIX]?endpoint=HOST:PORT&region=R&tls=BOOL&path_style=BOOL.
// Credentials never belong in the URL; they come from their own settings.
func ParseS3URL(raw string) (S3Location, error) {
	var loc S3Location
	u, err := url.Parse(raw)
	if err != nil {
		return loc, errors.New("not a valid URL; want s3://BUCKET?endpoint=HOST:PORT")
	}
	if u.Scheme != "s3" {
		return loc, fmt.Errorf("want an s3://BUCKET?endpoint=HOST:PORT URL or empty for local files, got scheme %q", u.Scheme)
	}
	if u.User != nil {
		return loc, errors.New("credentials do not belong in the URL; use SHIPSHAPE_S3_ACCESS_KEY and SHIPSHAPE_S3_SECRET_KEY")
	}
	if u.Opaque != "" {
		return loc, errors.New("want s3://BUCKET (with two slashes)")
	}
	loc.Bucket = u.Host
	if !validBucket(loc.Bucket) {
		return loc, fmt.Errorf("bucket %q: want 3-63 lowercase letters, digits, dots and hyphens", loc.Bucket)
	}
	if p := strings.Trim(u.Path, "/"); p != "" {
		if !validPrefix(p) {
			return loc, fmt.Errorf("prefix %q: want path segments of letters, digits, '.', '_' and '-'", p)
		}
		loc.Prefix = p + "/"
	}
	loc.Endpoint, loc.TLS = DefaultS3Endpoint, true
	for k, vs := range u.Query() {
		v := vs[len(vs)-1]
		switch k {
		case "endpoint":
			if strings.Contains(v, "://") || strings.ContainsAny(v, "/@?#") || v == "" {
				return loc, fmt.Errorf("endpoint %q: want HOST or HOST:PORT without a scheme (use tls=false for plain http)", v)
			}
			if h, p, err := net.SplitHostPort(v); err == nil && (h == "" || !validPort(p) || p == "") {
				return loc, fmt.Errorf("endpoint %q: want HOST or HOST:PORT", v)
			}
			loc.Endpoint = v
		case "region":
			loc.Region = v
		case "tls":
			if err := parseBool(v, &loc.TLS); err != nil {
				return loc, fmt.Errorf("tls: %w", err)
			}
		case "path_style":
			var b bool
			if err := parseBool(v, &b); err != nil {
				return loc, fmt.Errorf("path_style: %w", err)
			}
			loc.PathStyle = &b
		default:
			return loc, fmt.Errorf("unknown parameter %q; known: endpoint, region, tls, path_style", k)
		}
	}
	return loc, nil
}

func validBucket(b string) bool {
	if len(b) < 3 || len(b) > 63 {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	return b[0] != '.' && b[0] != '-' && b[len(b)-1] != '.' && b[len(b)-1] != '-'
}

func validPrefix(p string) bool {
	if len(p) > 256 || path.Clean(p) != p {
		return false
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || seg[0] == '.' {
			return false
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
				return false
			}
		}
	}
	return true
}

func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 0 && n <= 65535
}

func parseBool(v string, dst *bool) error {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return fmt.Errorf("want true or false, got %q", v)
	}
	*dst = b
	return nil
}

func parseDuration(v string, dst *time.Duration) error {
	d, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("want a duration like 30m or 168h, got %q", v)
	}
	*dst = d
	return nil
}

func parseInt(v string, dst *int64) error {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return fmt.Errorf("want a whole number, got %q", v)
	}
	*dst = n
	return nil
}
