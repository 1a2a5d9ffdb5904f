package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"shipshape/internal/account"
	"shipshape/internal/app"
	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

// client calls the API of a test server with a token.
type client struct {
	t      *testing.T
	base   string
	token  string
	header http.Header // extra request headers
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, r.Body)
	}
	return m
}

// errCode returns error.code and error.fields of an error response.
func (r response) errCode(t *testing.T) (string, map[string]any) {
	t.Helper()
	m := r.json(t)
	e, ok := m["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object in %s", r.Body)
	}
	f, _ := e["fields"].(map[string]any)
	return e["code"].(string), f
}

func (c client) do(method, path string, body any) response {
	c.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	case []byte:
		rd, ct = bytes.NewReader(b), "application/json"
	default:
		j, _ := json.Marshal(b)
		rd, ct = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, c.base+"/api/v1"+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 500 {
		c.t.Errorf("%s %s: status %d: %s", method, path, res.StatusCode, b)
	}
	return response{res.StatusCode, res.Header, b}
}

func (c client) with(token string) client { c.token = token; return c }

// withHeader adds a request header (the client's own copy).
func (c client) withHeader(k, v string) client {
	h := c.header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set(k, v)
	c.header = h
	return c
}

// world is a server with two workspaces: acme (Ana owner, Vic viewer, Mo
// member) and other (Oscar owner).
type world struct {
	app                 *app.App
	api                 client
	ana, vic, mo, osc   account.User
	anaT, vicT, moT, oT string
}

func newWorld(t *testing.T, d *db.DB) world {
	return newWorldWith(t, d, testkit.NewApp(t, d, testkit.NewClock()))
}

// newWorldWith builds the world on an app of the caller's making.
func newWorldWith(t *testing.T, d *db.DB, a *app.App) world {
	srv := testkit.Server(t, a)
	w := world{app: a, api: client{t: t, base: srv.URL}}
	w.ana = testkit.MustUser(t, a, "Ana Lima")
	w.vic = testkit.MustUser(t, a, "Vic Viewer")
	w.mo = testkit.MustUser(t, a, "Mo Member")
	w.osc = testkit.MustUser(t, a, "Oscar Other")
	testkit.MustWorkspace(t, a, w.ana, "acme")
	testkit.MustJoin(t, a, w.ana, "acme", w.vic, "viewer")
	testkit.MustJoin(t, a, w.ana, "acme", w.mo, "member")
	testkit.MustWorkspace(t, a, w.osc, "other")
	w.anaT, w.vicT, w.moT, w.oT = testkit.MustToken(t, a, w.ana), testkit.MustToken(t, a, w.vic), testkit.MustToken(t, a, w.mo), testkit.MustToken(t, a, w.osc)
	return w
}

func wantStatus(t *testing.T, r response, status int, code string) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if code == "" {
		return nil
	}
	got, fields := r.errCode(t)
	if got != code {
		t.Fatalf("error code %q, want %q: %s", got, code, r.Body)
	}
	return fields
}

func TestProjectLifecycleThroughAPI(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ana := w.api.with(w.anaT)
		r := ana.do("POST", "/workspaces/acme/projects", map[string]any{"key": "PAY", "name": "Payments", "description": "# Payments\nmoney"})
		wantStatus(t, r, 201, "")
		if p := r.json(t); p["key"] != "PAY" || p["description"] != "# Payments\nmoney" {
			t.Fatalf("created project = %v", p)
		}
		wantStatus(t, ana.do("GET", "/workspaces/acme/projects/PAY", nil), 200, "")
		r = ana.do("PATCH", "/workspaces/acme/projects/PAY", map[string]any{"name": "Payments API", "archived": true})
		wantStatus(t, r, 200, "")
		if p := r.json(t); p["name"] != "Payments API" || p["archived"] != true {
			t.Fatalf("patched project = %v", p)
		}
		list := ana.do("GET", "/workspaces/acme/projects", nil).json(t)
		if n := len(list["items"].([]any)); n != 0 {
			t.Fatalf("archived project listed by default: %d items", n)
		}
		list = ana.do("GET", "/workspaces/acme/projects?archived=true", nil).json(t)
		if n := len(list["items"].([]any)); n != 1 {
			t.Fatalf("archived=true lists %d items, want 1", n)
		}
		wantStatus(t, ana.do("POST", "/workspaces/acme/projects/PAY/components", map[string]any{"slug": "ledger", "name": "Ledger"}), 201, "")
		wantStatus(t, ana.do("PATCH", "/workspaces/acme/projects/PAY/components/ledger", map[string]any{"description": "double entry"}), 200, "")
		c := ana.do("GET", "/workspaces/acme/projects/PAY/components/ledger", nil).json(t)
		if c["description"] != "double entry" {
			t.Fatalf("component = %v", c)
		}
		wantStatus(t, ana.do("DELETE", "/workspaces/acme/projects/PAY/components/ledger", nil), 204, "")
		wantStatus(t, ana.do("GET", "/workspaces/acme/projects/PAY/components/ledger", nil), 404, "not_found")
		wantStatus(t, ana.do("DELETE", "/workspaces/acme/projects/PAY", nil), 204, "")
		wantStatus(t, ana.do("GET", "/workspaces/acme/projects/PAY", nil), 404, "not_found")

		// The whole story is in the audit trail, newest first, and the chain verifies.
		events := ana.do("GET", "/workspaces/acme/audit?target_type=project", nil).json(t)["items"].([]any)
		var actions []string
		for _, e := range events {
			actions = append(actions, e.(map[string]any)["action"].(string))
		}
		if got, want := strings.Join(actions, ","), "project.delete,project.archive,project.create"; got != want {
			t.Fatalf("project audit actions = %s, want %s", got, want)
		}
		first := events[0].(map[string]any)
		if first["actor"].(map[string]any)["name"] != "Ana Lima" || first["ip"] != "127.0.0.1" {
			t.Fatalf("audit event lacks actor or ip: %v", first)
		}
		v := ana.do("GET", "/workspaces/acme/audit/verify", nil).json(t)
		if v["ok"] != true || v["checked"].(float64) < 5 || len(v["head"].(string)) != 64 || v["head_seq"] != v["checked"] {
			t.Fatalf("verify = %v", v)
		}
	})
}

func TestAuditVerifyDetectsTampering(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ana := w.api.with(w.anaT)
		wantStatus(t, ana.do("POST", "/workspaces/acme/projects", map[string]any{"key": "PAY", "name": "Payments"}), 201, "")
		wantStatus(t, ana.do("POST", "/workspaces/acme/projects", map[string]any{"key": "WEB", "name": "Web"}), 201, "")
		if _, err := d.Exec(context.Background(), `UPDATE audit_events SET target_label = 'EVIL' WHERE action = 'project.create' AND target_label = 'PAY'`); err != nil {
			t.Fatal(err)
		}
		v := ana.do("GET", "/workspaces/acme/audit/verify", nil).json(t)
		if v["ok"] != false || v["first_bad"] == nil || v["first_bad"] == "" {
			t.Fatalf("tampered chain verified: %v", v)
		}
		// Only admins verify; a viewer is refused, a stranger sees nothing.
		wantStatus(t, w.api.with(w.vicT).do("GET", "/workspaces/acme/audit/verify", nil), 403, "forbidden")
		wantStatus(t, w.api.with(w.oT).do("GET", "/workspaces/acme/audit/verify", nil), 404, "not_found")
	})
}

func TestAuthorization(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ana := w.api.with(w.anaT)
		wantStatus(t, ana.do("POST", "/workspaces/acme/projects", map[string]any{"key": "PAY", "name": "Payments"}), 201, "")
		wantStatus(t, ana.do("POST", "/workspaces/acme/projects/PAY/components", map[string]any{"slug": "ledger", "name": "Ledger"}), 201, "")
		_, roSecret, err := w.app.Accounts.CreateToken(context.Background(), testkit.Actor(w.ana), w.ana.ID, account.TokenInput{Name: "ro", Scopes: []string{"read"}})
		if err != nil {
			t.Fatal(err)
		}

		cases := []struct {
			name   string
			token  string
			method string
			path   string
			body   any
			status int
			code   string
		}{
			{"NoToken", "", "GET", "/workspaces", nil, 401, "unauthenticated"},
			{"BadToken", "ssp_nope", "GET", "/workspaces", nil, 401, "unauthenticated"},
			{"ReadOnlyTokenCannotWrite", roSecret, "POST", "/workspaces", map[string]any{"slug": "x1", "name": "X"}, 403, "forbidden"},
			{"ReadOnlyTokenCanRead", roSecret, "GET", "/workspaces/acme/projects", nil, 200, ""},
			{"StrangerGetsNotFoundForWorkspace", w.oT, "GET", "/workspaces/acme", nil, 404, "not_found"},
			{"StrangerGetsNotFoundForProject", w.oT, "GET", "/workspaces/acme/projects/PAY", nil, 404, "not_found"},
			{"StrangerCannotEditProject", w.oT, "PATCH", "/workspaces/acme/projects/PAY", map[string]any{"name": "x"}, 404, "not_found"},
			{"StrangerCannotDeleteProject", w.oT, "DELETE", "/workspaces/acme/projects/PAY", nil, 404, "not_found"},
			{"StrangerCannotListMembers", w.oT, "GET", "/workspaces/acme/members", nil, 404, "not_found"},
			{"StrangerCannotReadAudit", w.oT, "GET", "/workspaces/acme/audit", nil, 404, "not_found"},
			{"StrangerCannotReadComponent", w.oT, "GET", "/workspaces/acme/projects/PAY/components/ledger", nil, 404, "not_found"},
			{"StrangerCannotInvite", w.oT, "POST", "/workspaces/acme/invitations", map[string]any{"email": "x@example.com", "role": "owner"}, 404, "not_found"},
			{"ViewerCannotCreateProject", w.vicT, "POST", "/workspaces/acme/projects", map[string]any{"key": "VIEW", "name": "V"}, 403, "forbidden"},
			{"ViewerCannotEditComponent", w.vicT, "PATCH", "/workspaces/acme/projects/PAY/components/ledger", map[string]any{"name": "x"}, 403, "forbidden"},
			{"ViewerCanRead", w.vicT, "GET", "/workspaces/acme/projects/PAY", nil, 200, ""},
			{"MemberCannotDeleteProject", w.moT, "DELETE", "/workspaces/acme/projects/PAY", nil, 403, "forbidden"},
			{"MemberCannotArchive", w.moT, "PATCH", "/workspaces/acme/projects/PAY", map[string]any{"archived": true}, 403, "forbidden"},
			{"MemberCannotChangeRoles", w.moT, "PATCH", "/workspaces/acme/members/" + w.vic.ID, map[string]any{"role": "admin"}, 403, "forbidden"},
			{"MemberCannotInvite", w.moT, "POST", "/workspaces/acme/invitations", map[string]any{"email": "x@example.com", "role": "member"}, 403, "forbidden"},
			{"LastOwnerCannotLeave", w.anaT, "DELETE", "/workspaces/acme/members/" + w.ana.ID, nil, 409, "conflict"},
			{"UnknownEndpoint", w.anaT, "GET", "/nope", nil, 404, "not_found"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				wantStatus(t, w.api.with(c.token).do(c.method, c.path, c.body), c.status, c.code)
			})
		}
		// Members: e-mails only for admins.
		for _, m := range w.api.with(w.vicT).do("GET", "/workspaces/acme/members", nil).json(t)["items"].([]any) {
			mm := m.(map[string]any)
			if mm["user_id"] != w.vic.ID && mm["email"] != nil {
				t.Fatalf("viewer sees another member's e-mail: %v", mm)
			}
		}
		sawEmail := false
		for _, m := range ana.do("GET", "/workspaces/acme/members", nil).json(t)["items"].([]any) {
			sawEmail = sawEmail || m.(map[string]any)["email"] == w.mo.Email
		}
		if !sawEmail {
			t.Fatal("owner does not see member e-mails")
		}
	})
}

func TestBadInputNeverFailsOrWrites(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ana := w.api.with(w.anaT)
		cases := []struct {
			name   string
			body   any
			ctype  string
			status int
			code   string
			field  string
		}{
			{"MalformedJSON", `{"key": "PAY",`, "", 400, "invalid", ""},
			{"NotAnObject", `[1,2]`, "", 400, "invalid", ""},
			{"TwoValues", `{"key":"PAY","name":"P"} {}`, "", 400, "invalid", ""},
			{"EmptyBody", ``, "", 400, "invalid", ""},
			{"UnknownField", `{"key":"PAY","name":"P","owner":"x"}`, "", 400, "invalid", "owner"},
			{"WrongType", `{"key":"PAY","name":7}`, "", 400, "invalid", "name"},
			{"InvalidUTF8", []byte("{\"key\":\"PAY\",\"name\":\"\xff\xfe\"}"), "", 400, "invalid", ""},
			{"LowerCaseKey", `{"key":"pay","name":"P"}`, "", 400, "invalid", "key"},
			{"PathTrickKey", `{"key":"../PAY","name":"P"}`, "", 400, "invalid", "key"},
			{"MissingName", `{"key":"PAY"}`, "", 400, "invalid", "name"},
			{"OverlongName", `{"key":"PAY","name":"` + strings.Repeat("n", 101) + `"}`, "", 400, "invalid", "name"},
			{"ControlCharInName", `{"key":"PAY","name":"a\u0007b"}`, "", 400, "invalid", "name"},
			{"OverlongDescription", `{"key":"PAY","name":"P","description":"` + strings.Repeat("d", 20001) + `"}`, "", 400, "invalid", "description"},
			{"TooLarge", `{"key":"PAY","name":"P","description":"` + strings.Repeat("d", 1<<20) + `"}`, "", 413, "too_large", ""},
			{"WrongContentType", `{"key":"PAY","name":"P"}`, "text/plain", 415, "unsupported_media_type", ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var rd io.Reader
				switch b := c.body.(type) {
				case string:
					rd = strings.NewReader(b)
				case []byte:
					rd = bytes.NewReader(b)
				}
				req, _ := http.NewRequest("POST", ana.base+"/api/v1/workspaces/acme/projects", rd)
				req.Header.Set("Authorization", "Bearer "+w.anaT)
				ct := c.ctype
				if ct == "" {
					ct = "application/json"
				}
				req.Header.Set("Content-Type", ct)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				fields := wantStatus(t, response{res.StatusCode, res.Header, b}, c.status, c.code)
				if c.field != "" && fields[c.field] == nil {
					t.Fatalf("error does not name field %q: %s", c.field, b)
				}
			})
		}
		list := ana.do("GET", "/workspaces/acme/projects", nil).json(t)
		if n := len(list["items"].([]any)); n != 0 {
			t.Fatalf("bad input created %d projects", n)
		}
		var events int
		if err := d.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_events WHERE action = 'project.create'`).Scan(&events); err != nil || events != 0 {
			t.Fatalf("bad input wrote %d audit events (err %v)", events, err)
		}
		// Duplicates are conflicts naming the field.
		wantStatus(t, ana.do("POST", "/workspaces/acme/projects", map[string]any{"key": "PAY", "name": "P"}), 201, "")
		if f := wantStatus(t, ana.do("POST", "/workspaces/acme/projects", map[string]any{"key": "PAY", "name": "P"}), 409, "conflict"); f["key"] == nil {
			t.Fatal("duplicate key conflict does not name key")
		}
		if f := wantStatus(t, ana.do("POST", "/workspaces", map[string]any{"slug": "acme", "name": "Again"}), 409, "conflict"); f["slug"] == nil {
			t.Fatal("duplicate slug conflict does not name slug")
		}
		if f := wantStatus(t, ana.do("GET", "/workspaces/acme/projects?limit=0", nil), 400, "invalid"); f["limit"] == nil {
			t.Fatal("limit=0 not refused by field")
		}
		if f := wantStatus(t, ana.do("GET", "/workspaces/acme/audit?since=yesterday", nil), 400, "invalid"); f["since"] == nil {
			t.Fatal("bad since not refused by field")
		}
		wantStatus(t, ana.do("POST", "/workspaces", map[string]any{"slug": "../etc", "name": "X"}), 400, "invalid")
		if f := wantStatus(t, ana.do("PATCH", "/me", map[string]any{"email": "not-an-email"}), 400, "invalid"); f["email"] == nil {
			t.Fatal("bad e-mail not refused by field")
		}
		if f := wantStatus(t, ana.do("PATCH", "/me", map[string]any{"email": w.mo.Email}), 409, "conflict"); f["email"] == nil {
			t.Fatal("taken e-mail not refused by field")
		}
	})
}

// TestGarbageBodiesNeverCause500 sends odd bodies to every route that takes one.
func TestGarbageBodiesNeverCause500(t *testing.T) {
	d := testkit.OpenDB(t, db.SQLite)
	w := newWorld(t, d)
	ana := w.api.with(w.anaT)
	wantStatus(t, ana.do("POST", "/workspaces/acme/projects", map[string]any{"key": "PAY", "name": "Payments"}), 201, "")
	paths := map[string][]string{
		"POST":  {"/auth/signup", "/auth/token", "/me/tokens", "/workspaces", "/workspaces/acme/invitations", "/workspaces/acme/teams", "/workspaces/acme/projects", "/workspaces/acme/projects/PAY/components", "/invitations/x/accept"},
		"PATCH": {"/me", "/workspaces/acme", "/workspaces/acme/members/" + w.mo.ID, "/workspaces/acme/projects/PAY"},
	}
	bodies := []string{``, `null`, `{}`, `[]`, `"s"`, `{"name":null}`, `{"name":{"x":1}}`, `{"scopes":"read"}`, `{"role":"god"}`,
		`{"email":"` + strings.Repeat("a", 300) + `@x.io"}`, `{"key":"` + "\u202e" + `"}`, `{"expires_in_hours":-5}`, `{"age_confirmed":"yes"}`, `{"archived":"true"}`}
	for method, ps := range paths {
		for _, p := range ps {
			for _, b := range bodies {
				r := ana.do(method, p, b) // do() fails the test on any 5xx
				if method == "POST" && (r.Status < 400 || r.Status > 499) {
					t.Errorf("%s %s %q: status %d, want a 4xx: %s", method, p, b, r.Status, r.Body)
				}
			}
		}
	}
}

func TestTokenEndpointIsThrottled(t *testing.T) {
	d := testkit.OpenDB(t, db.SQLite)
	w := newWorld(t, d)
	body := map[string]any{"email": w.ana.Email, "password": "wrong password!", "name": "x", "scopes": []string{"read"}}
	for i := 0; i < 10; i++ {
		wantStatus(t, w.api.do("POST", "/auth/token", body), 401, "unauthenticated")
	}
	r := w.api.do("POST", "/auth/token", body)
	wantStatus(t, r, 429, "rate_limited")
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	// Even the right password waits out the window.
	body["password"] = testkit.Password
	wantStatus(t, w.api.do("POST", "/auth/token", body), 429, "rate_limited")
}

func TestTokensAndMe(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		r := w.api.do("POST", "/auth/token", map[string]any{"email": w.ana.Email, "password": testkit.Password, "name": "ci", "scopes": []string{"read", "write"}, "expires_in_hours": 24})
		wantStatus(t, r, 201, "")
		tok := r.json(t)
		secret := tok["token"].(string)
		if !strings.HasPrefix(secret, "ssp_") || tok["expires_at"] == nil {
			t.Fatalf("token response = %v", tok)
		}
		me := w.api.with(secret).do("GET", "/me", nil).json(t)
		if me["email"] != w.ana.Email || me["name"] != "Ana Lima" {
			t.Fatalf("me = %v", me)
		}
		list := w.api.with(secret).do("GET", "/me/tokens", nil)
		if bytes.Contains(list.Body, []byte(secret)) || bytes.Contains(list.Body, []byte(secret[4:])) {
			t.Fatal("token list leaks a secret")
		}
		wantStatus(t, w.api.with(w.oT).do("DELETE", "/me/tokens/"+tok["id"].(string), nil), 404, "not_found")
		wantStatus(t, w.api.with(secret).do("DELETE", "/me/tokens/"+tok["id"].(string), nil), 204, "")
		wantStatus(t, w.api.with(secret).do("GET", "/me", nil), 401, "unauthenticated")
		r = w.api.with(w.anaT).do("PATCH", "/me", map[string]any{"job_title": "Release manager", "company": "Acme"})
		if m := r.json(t); m["job_title"] != "Release manager" || m["company"] != "Acme" {
			t.Fatalf("patched me = %v", m)
		}
	})
}

func TestInvitationsAndTeams(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ana := w.api.with(w.anaT)
		r := ana.do("POST", "/workspaces/acme/invitations", map[string]any{"email": w.osc.Email, "role": "member"})
		wantStatus(t, r, 201, "")
		token := r.json(t)["token"].(string)
		wantStatus(t, w.api.with(w.moT).do("POST", "/invitations/"+token+"/accept", nil), 403, "forbidden")
		r = w.api.with(w.oT).do("POST", "/invitations/"+token+"/accept", nil)
		wantStatus(t, r, 200, "")
		if r.json(t)["role"] != "member" {
			t.Fatalf("accepted = %s", r.Body)
		}
		wantStatus(t, w.api.with(w.oT).do("GET", "/workspaces/acme/projects", nil), 200, "")
		wantStatus(t, w.api.with(w.oT).do("POST", "/invitations/"+token+"/accept", nil), 404, "not_found")

		wantStatus(t, ana.do("POST", "/workspaces/acme/teams", map[string]any{"slug": "appsec", "name": "AppSec"}), 201, "")
		wantStatus(t, ana.do("PUT", "/workspaces/acme/teams/appsec/members/"+w.mo.ID, nil), 204, "")
		teams := ana.do("GET", "/workspaces/acme/teams", nil).json(t)["items"].([]any)
		members := teams[0].(map[string]any)["members"].([]any)
		if len(members) != 1 || members[0].(map[string]any)["name"] != "Mo Member" {
			t.Fatalf("teams = %v", teams)
		}
		wantStatus(t, ana.do("DELETE", "/workspaces/acme/members/"+w.mo.ID, nil), 204, "")
		teams = ana.do("GET", "/workspaces/acme/teams", nil).json(t)["items"].([]any)
		if n := len(teams[0].(map[string]any)["members"].([]any)); n != 0 {
			t.Fatalf("removed member still in team: %v", teams)
		}
		wantStatus(t, w.api.with(w.moT).do("GET", "/workspaces/acme", nil), 404, "not_found")
	})
}

func TestSiteAdminOpensSignup(t *testing.T) {
	d := testkit.OpenDB(t, db.SQLite)
	a := testkit.NewApp(t, d, testkit.NewClock())
	srv := testkit.Server(t, a)
	admin, err := a.Accounts.CreateUser(context.Background(), account.SignupInput{Name: "Site Admin", Email: "root@example.com", Password: testkit.Password}, true)
	if err != nil {
		t.Fatal(err)
	}
	plain := testkit.MustUser(t, a, "Plain User")
	api := client{t: t, base: srv.URL}
	signup := map[string]any{"name": "New Person", "email": "new@example.com", "password": "a long new password", "age_confirmed": true}
	wantStatus(t, api.do("POST", "/auth/signup", signup), 403, "forbidden")
	wantStatus(t, api.with(testkit.MustToken(t, a, plain)).do("PATCH", "/admin/settings", map[string]any{"signup_mode": "open"}), 404, "not_found")
	adminAPI := api.with(testkit.MustToken(t, a, admin))
	wantStatus(t, adminAPI.do("PATCH", "/admin/settings", map[string]any{"signup_mode": "everyone"}), 400, "invalid")
	if m := adminAPI.do("PATCH", "/admin/settings", map[string]any{"signup_mode": "open"}).json(t); m["signup_mode"] != "open" {
		t.Fatalf("settings = %v", m)
	}
	if f := wantStatus(t, api.do("POST", "/auth/signup", map[string]any{"name": "Kid", "email": "kid@example.com", "password": "a long new password"}), 400, "invalid"); f["age_confirmed"] == nil {
		t.Fatal("sign-up without age confirmation not refused by field")
	}
	r := api.do("POST", "/auth/signup", signup)
	wantStatus(t, r, 201, "")
	if bytes.Contains(r.Body, []byte("password")) {
		t.Fatalf("sign-up response mentions the password: %s", r.Body)
	}
	wantStatus(t, api.do("POST", "/auth/signup", signup), 409, "conflict")
}

func TestSignupWithInvitationJoinsAtomically(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ana := w.api.with(w.anaT)
		inv := ana.do("POST", "/workspaces/acme/invitations", map[string]any{"email": "new@example.com", "role": "member"}).json(t)
		body := map[string]any{"name": "New Person", "email": "NEW@example.com", "password": "a long new password", "age_confirmed": true, "invitation": inv["token"]}
		// A used-up or unknown invitation names the field and creates nothing.
		bad := map[string]any{"name": "X", "email": "x@example.com", "password": "a long new password", "age_confirmed": true, "invitation": "inv_nope"}
		if f := wantStatus(t, w.api.do("POST", "/auth/signup", bad), 400, "invalid"); f["invitation"] == nil {
			t.Fatal("unknown invitation not refused by field")
		}
		wantStatus(t, w.api.do("POST", "/auth/signup", body), 201, "")
		tok := w.api.do("POST", "/auth/token", map[string]any{"email": "new@example.com", "password": "a long new password", "name": "t", "scopes": []string{"read"}}).json(t)["token"].(string)
		ws := w.api.with(tok).do("GET", "/workspaces/acme", nil).json(t)
		if ws["role"] != "member" {
			t.Fatalf("new account is not a member after sign-up: %v", ws)
		}
		if f := wantStatus(t, w.api.do("POST", "/auth/signup", body), 400, "invalid"); f["invitation"] == nil {
			t.Fatal("a used invitation was not refused by field")
		}
	})
}

func TestSignupIsThrottledPerAddress(t *testing.T) {
	d := testkit.OpenDB(t, db.SQLite)
	a := testkit.NewApp(t, d, testkit.NewClock())
	srv := testkit.Server(t, a)
	testkit.MustUser(t, a, "First User") // setup done; sign-up is invitation-only
	api := client{t: t, base: srv.URL}
	body := map[string]any{"name": "X", "email": "x@example.com", "password": "a long new password", "age_confirmed": true}
	// Refused sign-ups cost no password hash and are not counted.
	for i := 0; i < 30; i++ {
		wantStatus(t, api.do("POST", "/auth/signup", body), 403, "forbidden")
	}
	if _, err := d.Exec(context.Background(), `INSERT INTO settings (key, value) VALUES ('signup_mode', 'open') ON CONFLICT (key) DO UPDATE SET value = 'open'`); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		body["email"] = "user" + strings.Repeat("x", i) + "@example.com"
		wantStatus(t, api.do("POST", "/auth/signup", body), 201, "")
	}
	body["email"] = "one.more@example.com"
	r := api.do("POST", "/auth/signup", body)
	wantStatus(t, r, 429, "rate_limited")
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
}

// TestBytesTextCannotHoldAreRefused: PostgreSQL refuses NUL and invalid
// UTF-8 in text; those must be a 4xx on both engines, never a 500.
func TestBytesTextCannotHoldAreRefused(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ana := w.api.with(w.anaT)
		for _, path := range []string{"/workspaces/%FF", "/workspaces/%00", "/workspaces/acme/projects/%FF%FE", "/workspaces/acme/projects?cursor=%FF"} {
			if r := ana.do("GET", path, nil); r.Status < 400 || r.Status > 499 {
				t.Errorf("GET %s: status %d", path, r.Status)
			}
		}
		r := w.api.do("POST", "/auth/token", `{"email":"a\u0000@example.com","password":"whatever you like","name":"x","scopes":["read"]}`)
		if r.Status < 400 || r.Status > 499 {
			t.Errorf("NUL in e-mail: status %d", r.Status)
		}
		wantStatus(t, ana.do("GET", "/workspaces/acme/projects?cursor=..%2Fetc", nil), 400, "invalid")
	})
}

func TestOperatorResetEndsTokens(t *testing.T) {
	d := testkit.OpenDB(t, db.SQLite)
	w := newWorld(t, d)
	wantStatus(t, w.api.with(w.anaT).do("GET", "/me", nil), 200, "")
	if err := w.app.Accounts.ResetPassword(context.Background(), w.ana.Email, "a brand new password"); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, w.api.with(w.anaT).do("GET", "/me", nil), 401, "unauthenticated")
}

func TestExpiringTokenCannotMintAPermanentOne(t *testing.T) {
	d := testkit.OpenDB(t, db.SQLite)
	w := newWorld(t, d)
	r := w.api.do("POST", "/auth/token", map[string]any{"email": w.ana.Email, "password": testkit.Password, "name": "ci", "scopes": []string{"read", "write"}, "expires_in_hours": 24})
	short := r.json(t)["token"].(string)
	api := w.api.with(short)
	if f := wantStatus(t, api.do("POST", "/me/tokens", map[string]any{"name": "forever", "scopes": []string{"read"}}), 400, "invalid"); f["expires_in_hours"] == nil {
		t.Fatal("a never-expiring token was minted from an expiring one")
	}
	wantStatus(t, api.do("POST", "/me/tokens", map[string]any{"name": "longer", "scopes": []string{"read"}, "expires_in_hours": 48}), 400, "invalid")
	wantStatus(t, api.do("POST", "/me/tokens", map[string]any{"name": "shorter", "scopes": []string{"read"}, "expires_in_hours": 12}), 201, "")
	// A token without expiry (issued by an operator) may mint any.
	wantStatus(t, w.api.with(w.anaT).do("POST", "/me/tokens", map[string]any{"name": "any", "scopes": []string{"read"}}), 201, "")
}
