package config_test

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shipshape/internal/config"
)

// load runs Load with args and an environment given as a map.
func load(t *testing.T, args []string, env map[string]string) (config.Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return config.Load(fs, args, func(k string) string { return env[k] })
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "shipshape.conf")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultsAreValid(t *testing.T) {
	c, err := load(t, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := config.Default()
	if c != d {
		t.Errorf("Load with nothing set = %+v, want the defaults %+v", c, d)
	}
	if d.SessionIdle != 7*24*time.Hour || d.SessionMax != 30*24*time.Hour || d.LogFormat != "text" || d.DatabaseURL != "" {
		t.Errorf("defaults changed: %+v", d)
	}
	if d.SQLitePath() != filepath.Join(d.DataDir, "shipshape.db") {
		t.Errorf("SQLitePath = %q", d.SQLitePath())
	}
}

func TestLoadPrecedence(t *testing.T) {
	file := writeFile(t, "SHIPSHAPE_ADDR=10.0.0.1:1000\nSHIPSHAPE_LOG_LEVEL=warn\nSHIPSHAPE_SESSION_IDLE=48h\n")
	env := map[string]string{"SHIPSHAPE_CONFIG": file, "SHIPSHAPE_ADDR": "10.0.0.2:2000", "SHIPSHAPE_LOG_LEVEL": "error"}
	args := []string{"--addr", "10.0.0.3:3000"}

	t.Run("FlagBeatsEnvBeatsFileBeatsDefault", func(t *testing.T) {
		c, err := load(t, args, env)
		if err != nil {
			t.Fatal(err)
		}
		if c.Addr != "10.0.0.3:3000" {
			t.Errorf("addr = %q, want the flag's", c.Addr)
		}
		if c.LogLevel != "error" {
			t.Errorf("log level = %q, want the env's", c.LogLevel)
		}
		if c.SessionIdle != 48*time.Hour {
			t.Errorf("session idle = %v, want the file's", c.SessionIdle)
		}
		if c.LogFormat != "text" {
			t.Errorf("log format = %q, want the default", c.LogFormat)
		}
	})
	t.Run("EnvBeatsFile", func(t *testing.T) {
		c, err := load(t, nil, env)
		if err != nil || c.Addr != "10.0.0.2:2000" {
			t.Errorf("addr = %q, %v; want the env's", c.Addr, err)
		}
	})
	t.Run("FileBeatsDefault", func(t *testing.T) {
		c, err := load(t, nil, map[string]string{"SHIPSHAPE_CONFIG": file})
		if err != nil || c.Addr != "10.0.0.1:1000" || c.LogLevel != "warn" {
			t.Errorf("config = %+v, %v; want the file's values", c, err)
		}
	})
	t.Run("EmptyEnvDoesNotOverride", func(t *testing.T) {
		c, err := load(t, nil, map[string]string{"SHIPSHAPE_CONFIG": file, "SHIPSHAPE_ADDR": ""})
		if err != nil || c.Addr != "10.0.0.1:1000" {
			t.Errorf("addr = %q, %v; want the file's", c.Addr, err)
		}
	})
	t.Run("ConfigFlagBeatsConfigEnv", func(t *testing.T) {
		other := writeFile(t, "SHIPSHAPE_ADDR=10.0.0.9:9000\n")
		c, err := load(t, []string{"--config", other}, map[string]string{"SHIPSHAPE_CONFIG": file})
		if err != nil || c.Addr != "10.0.0.9:9000" {
			t.Errorf("addr = %q, %v; want the --config file's", c.Addr, err)
		}
	})
	t.Run("EveryOptionHasFlagAndEnv", func(t *testing.T) {
		seen := map[string]bool{}
		for _, o := range config.Options() {
			if o.Flag == "" || !strings.HasPrefix(o.Env, "SHIPSHAPE_") || o.Help == "" {
				t.Errorf("option %+v lacks a flag, SHIPSHAPE_ variable or help", o)
			}
			if seen[o.Flag] || seen[o.Env] {
				t.Errorf("option %s/%s declared twice", o.Flag, o.Env)
			}
			seen[o.Flag], seen[o.Env] = true, true
		}
	})
}

func TestConfigFileSyntax(t *testing.T) {
	file := writeFile(t, `# comment

  SHIPSHAPE_BASE_URL = "https://ship.example.com/"
SHIPSHAPE_BEHIND_TLS_PROXY=true
SHIPSHAPE_BODY_LIMIT=2048
SHIPSHAPE_LOG_FORMAT=json
`)
	c, err := load(t, []string{"--config", file}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL != "https://ship.example.com" || !c.BehindTLSProxy || c.BodyLimit != 2048 || c.LogFormat != "json" {
		t.Errorf("config = %+v", c)
	}
}

func TestDatabaseURLFromFile(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "db-url")
	const url = "postgres://ship:s3cret@db.internal:5432/ship"
	if err := os.WriteFile(secret, []byte(url+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	t.Run("ReadAndTrimmed", func(t *testing.T) {
		c, err := load(t, nil, map[string]string{"SHIPSHAPE_DATABASE_URL_FILE": secret})
		if err != nil || c.DatabaseURL != url {
			t.Errorf("database URL = %q, %v", c.DatabaseURL, err)
		}
	})
	t.Run("FileBeatsPlainEnv", func(t *testing.T) {
		c, err := load(t, nil, map[string]string{"SHIPSHAPE_DATABASE_URL_FILE": secret, "SHIPSHAPE_DATABASE_URL": "postgres://other/db"})
		if err != nil || c.DatabaseURL != url {
			t.Errorf("database URL = %q, %v; want the _FILE's", c.DatabaseURL, err)
		}
	})
	t.Run("FlagBeatsFile", func(t *testing.T) {
		c, err := load(t, []string{"--database", "postgres://flag/db"}, map[string]string{"SHIPSHAPE_DATABASE_URL_FILE": secret})
		if err != nil || c.DatabaseURL != "postgres://flag/db" {
			t.Errorf("database URL = %q, %v; want the flag's", c.DatabaseURL, err)
		}
	})
	t.Run("ErrMissingFile", func(t *testing.T) {
		_, err := load(t, nil, map[string]string{"SHIPSHAPE_DATABASE_URL_FILE": filepath.Join(t.TempDir(), "nope")})
		if err == nil || !strings.Contains(err.Error(), "SHIPSHAPE_DATABASE_URL_FILE") {
			t.Errorf("error = %v, want it to name SHIPSHAPE_DATABASE_URL_FILE", err)
		}
	})
	t.Run("OnlySecretsReadFiles", func(t *testing.T) {
		addr := filepath.Join(t.TempDir(), "addr")
		if err := os.WriteFile(addr, []byte("10.9.9.9:99"), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := load(t, nil, map[string]string{"SHIPSHAPE_ADDR_FILE": addr})
		if err != nil || c.Addr != config.Default().Addr {
			t.Errorf("addr = %q, %v; SHIPSHAPE_ADDR is not a secret", c.Addr, err)
		}
	})
}

func TestLoadErrorsNameTheSetting(t *testing.T) {
	cases := []struct {
		name  string
		args  []string
		env   map[string]string
		file  string
		wants []string // substrings of the error
	}{
		{"ErrAddrWithoutPort", nil, map[string]string{"SHIPSHAPE_ADDR": "localhost"}, "", []string{"addr", "localhost"}},
		{"ErrAddrEmptyPort", []string{"--addr", "127.0.0.1:"}, nil, "", []string{"addr"}},
		{"ErrDurationEnv", nil, map[string]string{"SHIPSHAPE_SESSION_IDLE": "7days"}, "", []string{"SHIPSHAPE_SESSION_IDLE", "7days"}},
		{"ErrDurationFlag", []string{"--session-max=soon"}, nil, "", []string{"--session-max", "soon"}},
		{"ErrDurationInFile", nil, nil, "SHIPSHAPE_SHUTDOWN_GRACE=later\n", []string{"config file SHIPSHAPE_SHUTDOWN_GRACE"}},
		{"ErrLogFormat", nil, map[string]string{"SHIPSHAPE_LOG_FORMAT": "xml"}, "", []string{"log-format", "xml"}},
		{"ErrLogLevel", []string{"--log-level", "loud"}, nil, "", []string{"log-level", "loud"}},
		{"ErrNonPostgresDatabaseURL", nil, map[string]string{"SHIPSHAPE_DATABASE_URL": "mysql://root@db/ship"}, "", []string{"database", "postgres://"}},
		{"ErrSQLitePathAsDatabaseURL", []string{"--database", "/var/lib/ship.db"}, nil, "", []string{"database"}},
		{"ErrBaseURL", nil, map[string]string{"SHIPSHAPE_BASE_URL": "ship.example.com"}, "", []string{"base-url"}},
		{"ErrBool", nil, map[string]string{"SHIPSHAPE_BEHIND_TLS_PROXY": "yes please"}, "", []string{"SHIPSHAPE_BEHIND_TLS_PROXY"}},
		{"ErrBodyLimitNotANumber", []string{"--body-limit", "1MB"}, nil, "", []string{"--body-limit"}},
		{"ErrBodyLimitTooSmall", []string{"--body-limit", "10"}, nil, "", []string{"body-limit"}},
		{"ErrSessionMaxBelowIdle", nil, map[string]string{"SHIPSHAPE_SESSION_IDLE": "48h", "SHIPSHAPE_SESSION_MAX": "24h"}, "", []string{"session-max"}},
		{"ErrNegativeGrace", []string{"--shutdown-grace", "-1s"}, nil, "", []string{"shutdown-grace"}},
		{"ErrEmptyDataDir", []string{"--data", ""}, nil, "", []string{"data"}},
		{"ErrUnknownKeyInFile", nil, nil, "# ok\nSHIPSHAPE_ADDR=127.0.0.1:1\nSHIPSHAPE_ADRR=127.0.0.1:2\n", []string{"unknown setting", "SHIPSHAPE_ADRR", ":3"}},
		{"ErrLineWithoutEquals", nil, nil, "SHIPSHAPE_ADDR\n", []string{"KEY=value", ":1"}},
		{"ErrUnknownFlag", []string{"--adr", "x"}, nil, "", []string{"adr"}},
		{"ErrPositionalArgument", []string{"extra"}, nil, "", []string{"extra"}},
		{"ErrMissingConfigFile", []string{"--config", "/nonexistent/shipshape.conf"}, nil, "", []string{"config file"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range c.env {
				env[k] = v
			}
			if c.file != "" {
				env["SHIPSHAPE_CONFIG"] = writeFile(t, c.file)
			}
			_, err := load(t, c.args, env)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			for _, w := range c.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}

	t.Run("ErrReportsEveryProblem", func(t *testing.T) {
		_, err := load(t, nil, map[string]string{"SHIPSHAPE_ADDR": "nope", "SHIPSHAPE_LOG_FORMAT": "xml", "SHIPSHAPE_LOG_LEVEL": "loud"})
		for _, w := range []string{"addr", "log-format", "log-level"} {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("error %v does not mention %q", err, w)
			}
		}
	})

	t.Run("ErrDoesNotLeakDatabasePassword", func(t *testing.T) {
		_, err := load(t, nil, map[string]string{"SHIPSHAPE_DATABASE_URL": "mysql://root:hunter2@db/ship"})
		if err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error = %v; must not contain the password", err)
		}
	})
}
