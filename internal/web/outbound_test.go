package web_test

import (
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"shipshape/internal/config"
	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

func TestOutboundConnectionsPage(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		b := s.browser(t) // Ana, the site admin
		b.setup()
		testkit.MustUser(t, s.app, "Bo Chen")
		bo := s.browser(t)
		bo.mustLogin("bo.chen@example.com", testkit.Password)
		anon := s.browser(t)

		t.Run("AnonymousGoesToLogin", func(t *testing.T) {
			resp := anon.noFollow(mustRequest(t, http.MethodGet, s.srv.URL+"/admin/outbound"))
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Fadmin%2Foutbound" {
				t.Errorf("anonymous /admin/outbound: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
			}
		})

		t.Run("NotFoundForOthers", func(t *testing.T) {
			p := bo.get("/admin/outbound")
			expectStatus(t, p, http.StatusNotFound)
			// The same page /admin answers with, so neither path shows it exists.
			requestID := regexp.MustCompile(`Request ID \S+`)
			got := requestID.ReplaceAllString(p.Text(), "")
			want := requestID.ReplaceAllString(bo.get("/admin").Text(), "")
			if got != want {
				t.Errorf("/admin/outbound 404 differs from /admin 404:\n%s\n---\n%s", got, want)
			}
			expectNoText(t, p, "Outbound connections", "no outbound connections")
		})

		t.Run("EmptyByDefault", func(t *testing.T) {
			p := b.get("/admin/outbound")
			expectStatus(t, p, http.StatusOK)
			expectText(t, p, "Outbound connections", "This instance makes no outbound connections",
				"no telemetry, no update checks, no third-party fonts, scripts or images",
				"Only these settings add an outbound connection: --database (SHIPSHAPE_DATABASE_URL) (a PostgreSQL server); --blob (SHIPSHAPE_BLOB) (S3-compatible object storage).")
			expectNoText(t, p, "Configured connections")
			expectCSPClean(t, p)
			expectNoThirdPartyAssets(t, "/admin/outbound", p.Body)
			if !strings.Contains(p.Body, `href="/admin" aria-current="page"`) {
				t.Error("the user menu does not mark Site administration as current")
			}
			if !strings.Contains(b.get("/admin").Body, `href="/admin/outbound"`) {
				t.Error("/admin does not link to /admin/outbound")
			}
		})
	})

	t.Run("ListsConfiguredWithoutSecrets", func(t *testing.T) {
		// The page shows what the config says; the database handle is the
		// test's own, so the PostgreSQL URL here is never dialled.
		s := newSiteWith(t, testkit.OpenDB(t, db.SQLite), func(c *config.Config) {
			c.DatabaseURL = "postgres://ship:hunter2pass@db.internal:5433/shipshape?sslmode=require"
		})
		b := s.browser(t)
		b.setup()
		p := b.get("/admin/outbound")
		expectStatus(t, p, http.StatusOK)
		expectText(t, p, "Configured connections 1", "database (PostgreSQL)", "db.internal:5433",
			"Stores and reads all data", "--database (SHIPSHAPE_DATABASE_URL)")
		expectNoText(t, p, "This instance makes no outbound connections")
		if strings.Contains(p.Body, "hunter2pass") || strings.Contains(p.Body, "ship:") {
			t.Error("the page shows the database credentials")
		}
	})
}

// The "no third-party fonts, scripts or images" rule, for every template and
// static file: nothing the browser loads by itself may come from another
// site. That is any absolute (http://, https://) or protocol-relative (//)
// URL in
//   - src, srcset, href, poster, data or action of any HTML/SVG element
//     except <a> (a link a person chooses to click loads nothing by itself),
//   - CSS url(...) and @import,
//   - JavaScript, anywhere (app.js talks to its own origin only).
//
// An XML namespace (xmlns="http://www.w3.org/2000/svg") is a name, not a
// request, and is not an attribute of that list, so it passes. User Markdown
// may contain an external image; the CSP (checked below) stops the browser
// from loading it.
var (
	tagAttrsRE    = regexp.MustCompile(`(?is)<([a-z][a-z0-9-]*)\b([^>]*)>`)
	loadAttrRE    = regexp.MustCompile(`(?is)(?:^|\s)((?:xlink:)?(?:src|srcset|href|poster|data|action))\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]*)`)
	cssURLRE      = regexp.MustCompile(`(?is)(?:url\(\s*["']?|@import\s+["'])\s*((?:https?:)?//[^"')\s]*)`)
	absoluteURLRE = regexp.MustCompile(`(?i)(?:https?:)?//[a-z0-9-]+\.[a-z0-9.-]+`)
)

func expectNoThirdPartyAssets(t *testing.T, name, content string) {
	t.Helper()
	for _, problem := range thirdPartyAssets(content) {
		t.Errorf("%s: %s", name, problem)
	}
}

// thirdPartyAssets lists what in an HTML, SVG or CSS text loads from
// another site by the rule above.
func thirdPartyAssets(content string) []string {
	var problems []string
	for _, m := range tagAttrsRE.FindAllStringSubmatch(content, -1) {
		if strings.EqualFold(m[1], "a") {
			continue
		}
		for _, a := range loadAttrRE.FindAllStringSubmatch(m[2], -1) {
			problems = append(problems, fmt.Sprintf("<%s %s=%q> loads from another site", m[1], a[1], a[2]))
		}
	}
	for _, m := range cssURLRE.FindAllStringSubmatch(content, -1) {
		problems = append(problems, fmt.Sprintf("CSS loads %q from another site", m[1]))
	}
	return problems
}

func TestNoThirdPartyAssets(t *testing.T) {
	var checked int
	for _, root := range []string{"templates", "static"} {
		err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			content := string(b)
			checked++
			switch filepath.Ext(path) {
			case ".js":
				// A script has no "a person clicks it" case: any absolute
				// URL in it would be a request to another site.
				for _, u := range absoluteURLRE.FindAllString(content, -1) {
					t.Errorf("%s: script mentions %q", path, u)
				}
			case ".html", ".svg", ".css":
				expectNoThirdPartyAssets(t, path, content)
			default:
				t.Errorf("%s: no rule for this kind of file; add one to this test", path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked < 10 {
		t.Fatalf("checked only %d files; is the test running in internal/web?", checked)
	}

	t.Run("TheCheckCatches", func(t *testing.T) {
		// The rule above, tried on what it must refuse and allow.
		for _, c := range []struct {
			content string
			bad     bool
		}{
			{`<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Inter">`, true},
			{`<script src="//cdn.example.com/x.js"></script>`, true},
			{`<img alt="" src='http://tracker.example/p.gif'>`, true},
			{`<svg><use xlink:href="https://icons.example/s.svg#a"/></svg>`, true},
			{`body { background: url( "https://img.example/bg.png") }`, true},
			{`@import "https://fonts.example/f.css";`, true},
			{`<a href="https://github.com/example">source</a>`, false},
			{`<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0"/></svg>`, false},
			{`select { background-image: url("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'%3E") }`, false},
			{`<link rel="stylesheet" href="/static/app.css"><img src="/static/icon.svg">`, false},
		} {
			if got := len(thirdPartyAssets(c.content)) > 0; got != c.bad {
				t.Errorf("%s: flagged = %v, want %v", c.content, got, c.bad)
			}
		}
	})
}

func TestCSPAllowsNoOtherSite(t *testing.T) {
	s := newSite(t, testkit.OpenDB(t, db.SQLite))
	b := s.browser(t)
	b.setup()
	b.createWorkspace("acme", "Acme")
	for _, path := range []string{"/login", "/", "/w/acme", "/admin/outbound", "/no-such-page"} {
		var p page
		if path == "/login" {
			p = s.browser(t).get(path)
		} else {
			p = b.get(path)
		}
		csp := p.Header.Get("Content-Security-Policy")
		if csp == "" {
			t.Errorf("%s: no Content-Security-Policy header", path)
			continue
		}
		expectNoThirdPartyAssets(t, path, p.Body)
		directives := map[string][]string{}
		for _, d := range strings.Split(csp, ";") {
			f := strings.Fields(d)
			if len(f) == 0 {
				continue
			}
			directives[f[0]] = f[1:]
			for _, src := range f[1:] {
				// Only keywords ('self', 'none') and inline data: images;
				// a host, a scheme like https: or * would let a page load
				// from another site.
				if !strings.HasPrefix(src, "'") && src != "data:" {
					t.Errorf("%s: CSP %s allows %q: %s", path, f[0], src, csp)
				}
				if src == "'unsafe-inline'" || src == "'unsafe-eval'" {
					t.Errorf("%s: CSP %s allows %s", path, f[0], src)
				}
			}
		}
		// default-src covers every fetch directive the header leaves out.
		if ds := strings.Join(directives["default-src"], " "); ds != "'self'" && ds != "'none'" {
			t.Errorf("%s: CSP default-src is %q, want 'self' or 'none': %s", path, ds, csp)
		}
	}
}
