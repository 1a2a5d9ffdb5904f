package config_test

import (
	"fmt"
	"strings"
	"testing"

	"shipshape/internal/config"
)

func TestOutbound(t *testing.T) {
	t.Run("DefaultsMakeNone", func(t *testing.T) {
		c, err := load(t, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Outbound(); len(got) != 0 {
			t.Errorf("default config has outbound connections: %+v", got)
		}
	})

	t.Run("S3WithoutCredentials", func(t *testing.T) {
		c, err := load(t, []string{"--blob", "s3://ship-files/releases?endpoint=minio.internal:9000&tls=false&region=eu-1"},
			map[string]string{"SHIPSHAPE_S3_ACCESS_KEY": "AKIDSECRETACCESS", "SHIPSHAPE_S3_SECRET_KEY": "sekrit-key-value"})
		if err != nil {
			t.Fatal(err)
		}
		got := c.Outbound()
		want := []config.OutboundConnection{{Kind: "object storage (S3)", Endpoint: "http://minio.internal:9000",
			Purpose:      `stores and reads uploaded release and document files in bucket "ship-files"`,
			ConfiguredBy: "--blob (SHIPSHAPE_BLOB)"}}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("outbound = %+v, want %+v", got, want)
		}
		expectNoSecret(t, got, "AKIDSECRETACCESS", "sekrit-key-value")
	})

	t.Run("S3DefaultEndpointIsHTTPS", func(t *testing.T) {
		c := config.Default()
		c.Blob = "s3://ship-files"
		if got := c.Outbound(); len(got) != 1 || got[0].Endpoint != "https://s3.amazonaws.com" {
			t.Errorf("outbound = %+v", got)
		}
	})

	t.Run("PostgresWithoutPassword", func(t *testing.T) {
		for _, c := range []struct{ url, want string }{
			{"postgres://ship:hunter2pass@db.internal:5433/shipshape?sslmode=require", "db.internal:5433"},
			{"postgresql://ship:hunter2pass@db.internal/shipshape", "db.internal:5432"},
			{"postgres://ship:hunter2pass@[2001:db8::1]:5432/shipshape", "[2001:db8::1]:5432"},
			{"postgres://ship:hunter2pass@h1:5432,h2:5433/shipshape", "h1:5432, h2:5433"},
			{"postgres:///shipshape?host=/var/run/postgresql&password=hunter2pass", "Unix socket in /var/run/postgresql"},
			{"postgres://ship@/shipshape?password=hunter2pass", "the local PostgreSQL server (Unix socket or localhost:5432)"},
			{"postgres://ship:hunter2/pass@db.internal/shipshape", "(the URL in the setting; it does not parse)"},
		} {
			cfg, err := load(t, []string{"--database", c.url}, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := cfg.Outbound()
			if len(got) != 1 || got[0].Kind != "database (PostgreSQL)" || got[0].Endpoint != c.want ||
				got[0].ConfiguredBy != "--database (SHIPSHAPE_DATABASE_URL)" {
				t.Errorf("%s: outbound = %+v, want endpoint %q", c.url, got, c.want)
			}
			expectNoSecret(t, got, "hunter2pass", "ship:")
		}
	})

	t.Run("EverySettingIsListed", func(t *testing.T) {
		// Each configured connection names a setting the admin page offers
		// in its "these settings add one" line.
		listed := map[string]bool{}
		for _, s := range config.OutboundSettings() {
			listed[s.Setting] = true
		}
		c := config.Default()
		c.DatabaseURL, c.Blob = "postgres://db/x", "s3://ship-files"
		for _, o := range c.Outbound() {
			if !listed[o.ConfiguredBy] {
				t.Errorf("%s is not in OutboundSettings", o.ConfiguredBy)
			}
		}
	})
}

func expectNoSecret(t *testing.T, got []config.OutboundConnection, secrets ...string) {
	t.Helper()
	s := fmt.Sprintf("%+v", got)
	for _, secret := range secrets {
		if strings.Contains(s, secret) {
			t.Errorf("outbound list shows %q: %s", secret, s)
		}
	}
}
