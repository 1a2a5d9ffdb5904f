package config

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// OutboundConnection is one connection Shipshape opens to another server
// because an admin configured it. Shipshape opens no other: no telemetry,
// no update checks, no third-party fonts, scripts or images. The admin page
// "Outbound connections" shows this list, so nothing in it may be a secret.
type OutboundConnection struct {
	Kind         string // e.g. "object storage (S3)"
	Endpoint     string // host:port or URL, never with credentials
	Purpose      string // what Shipshape sends or fetches there
	ConfiguredBy string // the setting that adds it, e.g. "--blob (SHIPSHAPE_BLOB)"
}

// OutboundSetting is a setting that, when set, makes Shipshape connect to
// another server.
type OutboundSetting struct {
	Setting string // e.g. "--blob (SHIPSHAPE_BLOB)"
	Adds    string // e.g. "S3-compatible object storage"
}

const (
	settingDatabase = "--database (SHIPSHAPE_DATABASE_URL)"
	settingBlob     = "--blob (SHIPSHAPE_BLOB)"
)

// OutboundSettings lists every setting that can add an outbound connection.
// A new integration (SMTP, OIDC, webhooks) adds its setting here and its
// connection to Outbound, so the admin page stays complete.
func OutboundSettings() []OutboundSetting {
	return []OutboundSetting{
		{Setting: settingDatabase, Adds: "a PostgreSQL server"},
		{Setting: settingBlob, Adds: "S3-compatible object storage"},
	}
}

// Outbound lists the connections this configuration makes to other servers.
// The defaults (SQLite and files in the data directory) make none, so the
// list is empty. Endpoints are rebuilt from parsed parts rather than cut
// from the raw setting, so a password or key in it can never leak through.
func (c Config) Outbound() []OutboundConnection {
	var out []OutboundConnection
	if c.DatabaseURL != "" {
		out = append(out, OutboundConnection{
			Kind:         "database (PostgreSQL)",
			Endpoint:     postgresEndpoint(c.DatabaseURL),
			Purpose:      "stores and reads all data: accounts, workspaces, projects, releases, documents, audit trail",
			ConfiguredBy: settingDatabase,
		})
	}
	if c.Blob != "" {
		if loc, err := ParseS3URL(c.Blob); err == nil {
			scheme := "https"
			if !loc.TLS {
				scheme = "http"
			}
			out = append(out, OutboundConnection{
				Kind:         "object storage (S3)",
				Endpoint:     scheme + "://" + loc.Endpoint,
				Purpose:      fmt.Sprintf("stores and reads uploaded release and document files in bucket %q", loc.Bucket),
				ConfiguredBy: settingBlob,
			})
		}
	}
	return out
}

// postgresEndpoint is the server part of a postgres:// URL: host:port (or
// several, comma-separated, as pgx accepts), without user, password,
// database or query parameters. A URL that does not parse shows nothing of
// itself: pgx refuses it too, so the server would not have started.
func postgresEndpoint(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(the URL in the setting; it does not parse)"
	}
	hosts := u.Host
	// A host=… parameter overrides the host part (pgx and libpq agree).
	if h := u.Query().Get("host"); h != "" {
		hosts = h
		if p := u.Query().Get("port"); p != "" && !strings.HasPrefix(h, "/") {
			hosts = net.JoinHostPort(h, p)
		}
	}
	if hosts == "" {
		return "the local PostgreSQL server (Unix socket or localhost:5432)"
	}
	if strings.HasPrefix(hosts, "/") {
		return "Unix socket in " + hosts
	}
	var out []string
	for _, h := range strings.Split(hosts, ",") {
		if _, _, err := net.SplitHostPort(h); err != nil {
			h = net.JoinHostPort(strings.Trim(h, "[]"), "5432")
		}
		out = append(out, h)
	}
	return strings.Join(out, ", ")
}
