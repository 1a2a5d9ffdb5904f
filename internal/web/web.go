// Package web serves the HTML pages.
package web

import (
	"log/slog"
	"net/http"
	"time"

	"shipshape/internal/account"
	"shipshape/internal/project"
	"shipshape/internal/workspace"
)

// Deps are what the pages need.
type Deps struct {
	Log          *slog.Logger
	Accounts     *account.Service
	Workspaces   *workspace.Service
	Projects     *project.Service
	SecureCookie bool
	TrustProxy   bool
	BodyLimit    int64
	BaseURL      string
	Now          func() time.Time
}

// New builds the page handler.
func New(d Deps) (http.Handler, error) {
	return http.NotFoundHandler(), nil
}
