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
	"shipshape/internal/config"
	"shipshape/internal/consent"
	"shipshape/internal/doc"
	"shipshape/internal/export"
	"shipshape/internal/httpx"
	"shipshape/internal/markdown"
	"shipshape/internal/owner"
	"shipshape/internal/policy"
	"shipshape/internal/privacy"
	"shipshape/internal/privreq"
	"shipshape/internal/project"
	"shipshape/internal/release"
	"shipshape/internal/retention"
	"shipshape/internal/search"
	"shipshape/internal/workspace"
)

// Deps are what the pages need.
type Deps struct {
	Log          *slog.Logger
	Accounts     *account.Service
	Workspaces   *workspace.Service
	Projects     *project.Service
	Releases     *release.Service
	Owners       *owner.Service
	Docs         *doc.Service
	Search       *search.Service
	Consent      *consent.Service
	Policies     *policy.Service
	SecureCookie bool
	TrustProxy   bool
	BodyLimit    int64 // every form but the file upload
	MaxUpload    int64 // largest release file; 0: the release service's limit
	BaseURL      string
	Now          func() time.Time
	Outbound     []config.OutboundConnection // what the admin configured; shown on /admin/outbound

	// PrivacyInventory returns the personal-data inventory (app.PrivacyInventory).
	PrivacyInventory func() privacy.Inventory
	Retention        *retention.Service
	Exports          *export.Service
	PrivacyRequests  *privreq.Service
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
	s.routes(&router{mux: mux, formLimit: s.htmlBodyLimit(d.BodyLimit, ""),
		uploadLimit: s.htmlBodyLimit(s.maxUpload()+multipartOverhead,
			fmt.Sprintf("The file is larger than the limit of %s.", byteSize(s.maxUpload())))})

	// Unsafe cross-origin requests (CSRF) are refused before any handler
	// runs, uploads included; same-origin form posts pass.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.crossOriginDenied))
	return httpx.Chain(mux, cop.Handler), nil
}

// router registers routes with their body limit, like internal/api does:
// every route gets BodyLimit, the file upload MaxUpload (which the release
// service also enforces while streaming).
type router struct {
	mux                    *http.ServeMux
	formLimit, uploadLimit httpx.Middleware
}

func (rt *router) HandleFunc(pattern string, h http.HandlerFunc) {
	rt.mux.Handle(pattern, rt.formLimit(h))
}

// Upload registers a route whose body is a file upload.
func (rt *router) Upload(pattern string, h http.HandlerFunc) {
	rt.mux.Handle(pattern, rt.uploadLimit(h))
}

// htmlBodyLimit answers an oversized declared body with an HTML page and
// caps bodies of unknown length at n bytes.
func (s *server) htmlBodyLimit(n int64, message string) httpx.Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > n {
				s.errorPage(w, r, http.StatusRequestEntityTooLarge, message)
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, n)
			next.ServeHTTP(w, r)
		})
	}
}
