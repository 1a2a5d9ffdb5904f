// Package web serves the HTML pages: server-rendered html/template pages
// on top of the domain services, with embedded, fingerprinted static files.
// Every page works without JavaScript; static/app.js only adds comfort.
package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"shipshape/internal/account"
	"shipshape/internal/httpx"
	"shipshape/internal/markdown"
	"shipshape/internal/project"
	"shipshape/internal/release"
	"shipshape/internal/workspace"
)

// Deps are what the pages need.
type Deps struct {
	Log          *slog.Logger
	Accounts     *account.Service
	Workspaces   *workspace.Service
	Projects     *project.Service
	Releases     *release.Service
	SecureCookie bool
	TrustProxy   bool
	BodyLimit    int64
	BaseURL      string
	Now          func() time.Time
}

// server holds the parsed templates and static files for the handlers.
type server struct {
	Deps
	pages  map[string]pageTemplate
	static *staticFiles
	md     *markdown.Renderer
}

// New builds the page handler: templates and static files are parsed once
// here, so a broken template fails at start, not on first request.
func New(d Deps) (http.Handler, error) {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.BodyLimit <= 0 {
		d.BodyLimit = 1 << 20
	}
	st, err := loadStatic()
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	s := &server{Deps: d, static: st, md: markdown.New()}
	if s.pages, err = s.parseTemplates(); err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	mux := http.NewServeMux()
	s.routes(mux)

	// Unsafe cross-origin requests (CSRF) are refused before any handler
	// runs; same-origin form posts pass.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.crossOriginDenied))
	return httpx.Chain(mux, cop.Handler, s.htmlBodyLimit, httpx.LimitBody(d.BodyLimit)), nil
}

// htmlBodyLimit answers an oversized declared body with an HTML page;
// httpx.LimitBody then caps bodies of unknown length.
func (s *server) htmlBodyLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > s.BodyLimit {
			s.errorPage(w, r, http.StatusRequestEntityTooLarge, "")
			return
		}
		next.ServeHTTP(w, r)
	})
}
