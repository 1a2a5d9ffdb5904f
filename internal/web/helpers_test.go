package web_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"shipshape/internal/account"
	"shipshape/internal/app"
	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

// site is a running Shipshape with the fake clock that drives it.
type site struct {
	app   *app.App
	srv   *httptest.Server
	clock *testkit.Clock
}

func newSite(t *testing.T, d *db.DB) *site {
	t.Helper()
	clock := testkit.NewClock()
	a := testkit.NewApp(t, d, clock)
	return &site{app: a, srv: testkit.Server(t, a), clock: clock}
}

// browser is one person's HTTP client with its own cookie jar. It records
// every Set-Cookie the server sends.
type browser struct {
	t       *testing.T
	base    string
	client  *http.Client
	mu      sync.Mutex
	cookies []*http.Cookie
}

type recorder struct {
	b    *browser
	next http.RoundTripper
}

func (r recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err == nil {
		r.b.mu.Lock()
		r.b.cookies = append(r.b.cookies, resp.Cookies()...)
		r.b.mu.Unlock()
	}
	return resp, err
}

func (s *site) browser(t *testing.T) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, base: s.srv.URL}
	b.client = &http.Client{Jar: jar, Transport: recorder{b: b, next: s.srv.Client().Transport}}
	return b
}

// page is a fetched response with its body read.
type page struct {
	Status int
	URL    *url.URL // after redirects
	Header http.Header
	Body   string
}

// Text is the page's visible text: tags removed, entities decoded,
// whitespace collapsed.
func (p page) Text() string { return visibleText(p.Body) }

var (
	tagRE   = regexp.MustCompile(`(?s)<script.*?</script>|<[^>]*>`)
	spaceRE = regexp.MustCompile(`\s+`)
)

func visibleText(h string) string {
	return strings.TrimSpace(spaceRE.ReplaceAllString(html.UnescapeString(tagRE.ReplaceAllString(h, " ")), " "))
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return page{Status: resp.StatusCode, URL: resp.Request.URL, Header: resp.Header, Body: string(body)}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post submits a form the way a browser on the same site does.
func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	return b.do(b.formRequest(path, form))
}

func (b *browser) formRequest(path string, form url.Values) *http.Request {
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return req
}

// noFollow returns the first response without following redirects.
func (b *browser) noFollow(req *http.Request) *http.Response {
	b.t.Helper()
	c := *b.client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

const adminPassword = "sturdy lantern orbit 42"

// setup completes /setup as Ana, who becomes site admin and is signed in.
func (b *browser) setup() page {
	b.t.Helper()
	p := b.post("/setup", url.Values{"name": {"Ana Lima"}, "email": {"ana@example.com"}, "password": {adminPassword},
		"company": {"Acme"}, "job_title": {"Release manager"}, "age_confirmed": {"yes"}})
	if p.Status != http.StatusOK || p.URL.Path != "/" {
		b.t.Fatalf("setup: got %d at %s:\n%s", p.Status, p.URL, p.Text())
	}
	return p
}

// login signs in through the form.
func (b *browser) login(email, password string) page {
	b.t.Helper()
	return b.post("/login", url.Values{"email": {email}, "password": {password}})
}

func (b *browser) mustLogin(email, password string) {
	b.t.Helper()
	if p := b.login(email, password); p.Status != http.StatusOK || p.URL.Path == "/login" {
		b.t.Fatalf("login %s: %d at %s: %s", email, p.Status, p.URL, p.Text())
	}
}

// createWorkspace and createProject go through the same forms people use.
func (b *browser) createWorkspace(slug, name string) {
	b.t.Helper()
	p := b.post("/workspaces", url.Values{"slug": {slug}, "name": {name}})
	if p.Status != http.StatusOK || p.URL.Path != "/w/"+slug {
		b.t.Fatalf("create workspace: %d at %s: %s", p.Status, p.URL, p.Text())
	}
}

func (b *browser) createProject(ws, key, name, desc string) {
	b.t.Helper()
	p := b.post("/w/"+ws+"/projects", url.Values{"key": {key}, "name": {name}, "description": {desc}})
	if p.Status != http.StatusOK || p.URL.Path != "/w/"+ws+"/p/"+strings.ToUpper(key) {
		b.t.Fatalf("create project: %d at %s: %s", p.Status, p.URL, p.Text())
	}
}

func expectStatus(t *testing.T, p page, want int) {
	t.Helper()
	if p.Status != want {
		t.Fatalf("status = %d, want %d (at %s)\n%s", p.Status, want, p.URL, p.Text())
	}
}

func expectText(t *testing.T, p page, want ...string) {
	t.Helper()
	text := p.Text()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("page %s does not show %q:\n%s", p.URL, w, text)
		}
	}
}

func expectNoText(t *testing.T, p page, unwanted ...string) {
	t.Helper()
	text := p.Text()
	for _, w := range unwanted {
		if strings.Contains(text, w) {
			t.Errorf("page %s shows %q but should not:\n%s", p.URL, w, text)
		}
	}
}

var (
	scriptTagRE = regexp.MustCompile(`(?is)<script\b([^>]*)>`)
	styleAttrRE = regexp.MustCompile(`(?is)<[^>]+\sstyle\s*=`)
	styleTagRE  = regexp.MustCompile(`(?is)<style\b`)
	handlerRE   = regexp.MustCompile(`(?is)<[^>]+\son[a-z]+\s*=`)
)

// expectCSPClean fails when the page relies on anything the CSP blocks:
// inline scripts, style attributes or elements, inline event handlers.
func expectCSPClean(t *testing.T, p page) {
	t.Helper()
	for _, m := range scriptTagRE.FindAllStringSubmatch(p.Body, -1) {
		if !strings.Contains(strings.ToLower(m[1]), "src=") {
			t.Errorf("%s has an inline <script%s>", p.URL, m[1])
		}
	}
	if m := styleAttrRE.FindString(p.Body); m != "" {
		t.Errorf("%s has a style attribute: %s", p.URL, m)
	}
	if styleTagRE.MatchString(p.Body) {
		t.Errorf("%s has a <style> element", p.URL)
	}
	if m := handlerRE.FindString(p.Body); m != "" {
		t.Errorf("%s has an inline event handler: %s", p.URL, m)
	}
}

var inviteLinkRE = regexp.MustCompile(`value="(https?://[^"]+/invite/([^"]+))"`)

// invite creates an invitation through the members page and returns its token.
func (b *browser) invite(ws, email, role string) string {
	b.t.Helper()
	p := b.post("/w/"+ws+"/invitations", url.Values{"email": {email}, "role": {role}})
	expectStatus(b.t, p, http.StatusOK)
	m := inviteLinkRE.FindStringSubmatch(p.Body)
	if m == nil {
		b.t.Fatalf("no invitation link on the page:\n%s", p.Text())
	}
	return html.UnescapeString(m[2])
}

func mustRequest(t *testing.T, method, target string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// userByLogin returns the account behind an e-mail and password.
func userByLogin(t *testing.T, s *site, email, password string) account.User {
	t.Helper()
	u, _, err := s.app.Accounts.Login(context.Background(), testkit.Actor(account.User{}), email, password)
	if err != nil {
		t.Fatalf("login %s: %v", email, err)
	}
	return u
}
