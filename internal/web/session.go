package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"shipshape/internal/account"
	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/httpx"
	"shipshape/internal/workspace"
)

// cookieName is the session cookie: the only cookie Shipshape sets.
const cookieName = "shipshape_session"

// call is one request by a signed-in person.
type call struct {
	p     account.Principal
	actor audit.Actor
	// support traces a site admin's request for workspaces reached through
	// support access; render and authed record it (support.access).
	support *workspace.SupportTrace
}

func (c *call) user() *account.User { return &c.p.User }
func (c *call) uid() string         { return c.p.User.ID }

func (s *server) actor(r *http.Request, userID string) audit.Actor {
	return audit.Actor{UserID: userID, IP: httpx.ClientIP(r, s.TrustProxy), UserAgent: r.UserAgent()}
}

func (s *server) setSession(w http.ResponseWriter, secret string) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: secret, Path: "/", HttpOnly: true,
		Secure: s.SecureCookie, SameSite: http.SameSiteLaxMode})
}

func (s *server) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.SecureCookie, SameSite: http.SameSiteLaxMode})
}

// principal returns the signed-in person, if any. A stale cookie is an
// Unauthenticated error.
func (s *server) principal(r *http.Request) (account.Principal, error) {
	c, err := r.Cookie(cookieName)
	if err != nil || c.Value == "" {
		return account.Principal{}, apperr.E(apperr.Unauthenticated, "sign in to continue")
	}
	return s.Accounts.Session(r.Context(), c.Value)
}

// optionalCall is the caller when signed in, nil otherwise.
func (s *server) optionalCall(r *http.Request) *call {
	p, err := s.principal(r)
	if err != nil {
		return nil
	}
	return &call{p: p, actor: s.actor(r, p.User.ID)}
}

type authedHandler func(w http.ResponseWriter, r *http.Request, c *call)

// authed runs h for signed-in people; others go to /setup (before the first
// account exists) or to /login with a way back.
func (s *server) authed(h authedHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := s.principal(r)
		if err != nil {
			if !apperr.Is(err, apperr.Unauthenticated) && !apperr.Is(err, apperr.NotFound) {
				s.fail(w, r, nil, err)
				return
			}
			if _, err := r.Cookie(cookieName); err == nil {
				s.clearSession(w) // stale or expired
			}
			if setup, err := s.Accounts.NeedsSetup(r.Context()); err == nil && setup {
				http.Redirect(w, r, "/setup", http.StatusSeeOther)
				return
			}
			target := "/login"
			if next := r.URL.RequestURI(); r.Method == http.MethodGet && next != "/" {
				target += "?next=" + url.QueryEscape(next)
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return
		}
		c := &call{p: p, actor: s.actor(r, p.User.ID)}
		if p.User.SiteAdmin {
			var ctx context.Context
			ctx, c.support = workspace.TraceSupport(r.Context())
			r = r.WithContext(ctx)
		}
		h(w, r, c)
		s.recordSupport(r, c) // what render did not record: redirects, downloads, errors
	}
}

// recordSupport records a request made under support access in the
// workspace's audit trail (method and path, never the query or body).
func (s *server) recordSupport(r *http.Request, c *call) error {
	if c == nil || !c.support.Used() {
		return nil
	}
	err := s.Workspaces.RecordSupportTrace(r.Context(), c.actor, c.support, r.Method+" "+r.URL.Path)
	if err != nil {
		s.Log.Error("record support access", "path", r.URL.Path, "err", err)
	}
	return err
}

// safeNext returns next when it is a path on this site, "" otherwise. It
// refuses absolute and scheme-relative URLs ("//evil", "/\evil") so that
// the login page cannot be used as an open redirect.
func safeNext(next string) string {
	if next == "" || len(next) > 2048 || !strings.HasPrefix(next, "/") {
		return ""
	}
	if strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\\\r\n\t") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") {
		return ""
	}
	if u.Path == "/login" || u.Path == "/logout" || u.Path == "/setup" || u.Path == "/signup" {
		return ""
	}
	return u.RequestURI()
}
