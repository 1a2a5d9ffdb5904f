// Package app is the composition root: config → database → services →
// HTTP surfaces → server. The CLI and the end-to-end tests both use it.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"shipshape/internal/account"
	"shipshape/internal/api"
	"shipshape/internal/blob"
	"shipshape/internal/config"
	"shipshape/internal/consent"
	"shipshape/internal/db"
	"shipshape/internal/doc"
	"shipshape/internal/export"
	"shipshape/internal/httpx"
	"shipshape/internal/jobs"
	"shipshape/internal/owner"
	"shipshape/internal/policy"
	"shipshape/internal/privreq"
	"shipshape/internal/project"
	"shipshape/internal/release"
	"shipshape/internal/retention"
	"shipshape/internal/search"
	"shipshape/internal/web"
	"shipshape/internal/workspace"
)

// App is a wired Shipshape instance.
type App struct {
	Config     config.Config
	Log        *slog.Logger
	DB         *db.DB
	Accounts   *account.Service
	Workspaces *workspace.Service
	Projects   *project.Service
	Releases   *release.Service
	Owners     *owner.Service
	Docs       *doc.Service
	Search     *search.Service
	Consent    *consent.Service
	Policies   *policy.Service
	Exports    *export.Service
	Retention  *retention.Service
	// PrivacyRequests is the privacy-request desk (site admins).
	PrivacyRequests *privreq.Service
	// Blobs is file storage (local directory or S3); opened at start so a
	// wrong --blob setting or an unreachable bucket fails fast.
	Blobs   blob.Store
	Handler http.Handler
	// Jobs is the background work Serve runs (retention, erasure, exports);
	// domains add their job in New.
	Jobs *jobs.Runner
}

// NewLogger builds the structured logger the config asks for.
func NewLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Open connects the database the config names (creating the data directory
// for SQLite) and applies pending migrations.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*db.DB, error) {
	url := cfg.DatabaseURL
	if url == "" {
		if err := os.MkdirAll(cfg.FilesDir(), 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		url = cfg.SQLitePath()
	}
	d, err := db.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	applied, err := d.Migrate(ctx)
	if err != nil {
		d.Close()
		return nil, err
	}
	if len(applied) > 0 {
		log.Info("applied migrations", "versions", strings.Join(applied, ","))
	}
	return d, nil
}

// New wires services and surfaces on an open database. now is the clock
// (time.Now in production, a fake in tests).
func New(cfg config.Config, log *slog.Logger, d *db.DB, now func() time.Time) (*App, error) {
	a := &App{Config: cfg, Log: log, DB: d}
	bctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var err error
	if a.Blobs, err = blob.Open(bctx, cfg); err != nil {
		return nil, fmt.Errorf("file storage: %w", err)
	}
	a.Workspaces = &workspace.Service{DB: d, Now: now}
	a.Accounts = &account.Service{DB: d, Now: now, Log: log, SessionIdle: cfg.SessionIdle, SessionMax: cfg.SessionMax, Invitations: a.Workspaces}
	a.Projects = &project.Service{DB: d, Now: now, Workspaces: a.Workspaces}
	a.Releases = &release.Service{DB: d, Now: now, Workspaces: a.Workspaces, Projects: a.Projects,
		Blobs: a.Blobs, MaxUpload: cfg.MaxUpload, Log: log, Documents: doc.Visible}
	a.Owners = &owner.Service{DB: d, Now: now, Workspaces: a.Workspaces, Documents: doc.Visible}
	a.Docs = &doc.Service{DB: d, Now: now, Workspaces: a.Workspaces, Projects: a.Projects, Blobs: a.Blobs, MaxUpload: cfg.MaxUpload, Log: log}
	a.Projects.Dependents = []project.Dependent{a.Releases, a.Docs} // release and document files leave storage with their project
	a.Consent = &consent.Service{DB: d, Now: now}
	a.Policies = &policy.Service{DB: d, Now: now}
	// BuildOnRequest: a new request starts building at once instead of at the next job tick.
	a.Exports = &export.Service{DB: d, Blobs: a.Blobs, Now: now, Log: log, BuildOnRequest: true}
	a.Retention = &retention.Service{DB: d, Now: now, Log: log, SessionIdle: cfg.SessionIdle}
	// The periods the admin sets on the retention page are the ones in force
	// for the deletion grace and for export archives.
	a.Accounts.GraceFrom = func(ctx context.Context) (time.Duration, error) {
		return a.Retention.Period(ctx, retention.DeletedAccounts)
	}
	a.Exports.TTLFrom = func(ctx context.Context) (time.Duration, error) {
		return a.Retention.Period(ctx, retention.ExportArchives)
	}
	a.PrivacyRequests = &privreq.Service{DB: d, Blobs: a.Blobs, Now: now, Log: log, Accounts: a.Accounts, Exports: a.Exports}
	a.Search = &search.Service{DB: d, Workspaces: a.Workspaces, Documents: doc.Visible}

	a.Jobs = &jobs.Runner{Now: now, Log: log}
	a.Jobs.Jobs = append(a.Jobs.Jobs, jobs.Job{Name: "export build", Run: a.Exports.RunDue}, jobs.Job{Name: "export expiry", Run: a.Exports.Expire})
	a.Jobs.Jobs = append(a.Jobs.Jobs, a.Retention.Job()) // once a day: delete or anonymise what its retention period ended
	// Account erasure: what other domains remove, the ledger in file
	// storage, and the job that erases accounts whose grace period ended.
	a.Accounts.Blobs = a.Blobs
	a.Accounts.Erasers = append(a.Accounts.Erasers, consent.EraseUser, policy.EraseUser, a.Exports.EraseUser, privreq.EraseUser)
	a.Jobs.Jobs = append(a.Jobs.Jobs, jobs.Job{Name: "account erasure", Run: a.Accounts.EraseDue})

	tls := cfg.BehindTLSProxy
	apiHandler := api.New(api.Deps{Log: log, PrivacyInventory: PrivacyInventory, Accounts: a.Accounts, Workspaces: a.Workspaces, Projects: a.Projects,
		Releases: a.Releases, TrustProxy: cfg.BehindTLSProxy, BodyLimit: cfg.BodyLimit, MaxUpload: cfg.MaxUpload,
		Owners: a.Owners, Docs: a.Docs, Search: a.Search, Consent: a.Consent, Policies: a.Policies, Retention: a.Retention, Exports: a.Exports, PrivacyRequests: a.PrivacyRequests})
	webHandler, err := web.New(web.Deps{Log: log, PrivacyInventory: PrivacyInventory, Accounts: a.Accounts, Workspaces: a.Workspaces, Projects: a.Projects,
		Releases: a.Releases, Owners: a.Owners, Docs: a.Docs, Search: a.Search, Consent: a.Consent, Policies: a.Policies, Retention: a.Retention, SecureCookie: tls, TrustProxy: cfg.BehindTLSProxy, BodyLimit: cfg.BodyLimit, BaseURL: cfg.BaseURL, Now: now,
		Outbound: cfg.Outbound(), Exports: a.Exports, PrivacyRequests: a.PrivacyRequests})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := d.Ping(ctx); err != nil {
			httpx.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
			return
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	mux.Handle("/api/v1/", http.StripPrefix("/api/v1", apiHandler))
	mux.Handle("/", webHandler)
	a.Handler = httpx.Chain(mux, httpx.Observe(log), httpx.SecurityHeaders(tls))
	return a, nil
}

// Close releases what New opened (the database is the caller's).
func (a *App) Close() error {
	a.Exports.Close() // background export builds stop before storage closes
	return a.Blobs.Close()
}

// Serve answers HTTP on ln until ctx is cancelled, then lets in-flight
// requests finish for up to the configured grace period.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // uploads; bodies are limited separately
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	stopJobs := a.Jobs.Start(ctx)
	defer stopJobs()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down", "grace", a.Config.ShutdownGrace)
	sctx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
