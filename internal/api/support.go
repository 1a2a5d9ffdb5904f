package api

import (
	"errors"
	"strings"
	"time"

	"shipshape/internal/account"
	"shipshape/internal/apperr"
	"shipshape/internal/workspace"
)

// Support access: a workspace admin lets the instance's site admins in for
// a while (workspace/support.go).

func (a *api) grantSupport(c *call) (any, error) {
	var in workspace.SupportGrantInput
	if err := decode(c.r, &in); err != nil {
		// time.Time's own decoding errors are not type errors.
		var pe *time.ParseError
		if errors.As(err, &pe) || apperr.Is(err, apperr.Internal) && strings.Contains(err.Error(), "Time.UnmarshalJSON") {
			return nil, apperr.Fields(map[string]string{"expires_at": "must be an RFC 3339 time such as 2026-01-02T15:04:05Z"})
		}
		return nil, err
	}
	return a.Workspaces.GrantSupport(c.r.Context(), c.actor, c.r.PathValue("ws"), in)
}

func (a *api) revokeSupport(c *call) (any, error) {
	return nil, a.Workspaces.RevokeSupport(c.r.Context(), c.actor, c.r.PathValue("ws"))
}

func (a *api) listSupportGrants(c *call) (any, error) {
	gs, err := a.Workspaces.SupportGrants(c.r.Context(), c.userID(), c.r.PathValue("ws"))
	if err != nil {
		return nil, err
	}
	return newList(gs, ""), nil
}

// traceSupport starts a support trace for a site admin's request (nobody
// else can hold support access, so other requests pay nothing).
func (a *api) traceSupport(c *call, p account.Principal) *workspace.SupportTrace {
	if !p.User.SiteAdmin {
		return nil
	}
	ctx, t := workspace.TraceSupport(c.r.Context())
	c.r = c.r.WithContext(ctx)
	return t
}

// recordSupport writes support.access for a request that reached a
// workspace through support access: method and path, never the query or
// body. It runs before the response is written, so a response is not sent
// unrecorded; handlers that stream their own response (served) were
// already answered, and a failure to record is then logged.
func (a *api) recordSupport(c *call, t *workspace.SupportTrace, body any, err error) error {
	if !t.Used() {
		return err
	}
	rerr := a.Workspaces.RecordSupportTrace(c.r.Context(), c.actor, t, c.r.Method+" /api/v1"+c.r.URL.Path)
	if rerr == nil {
		return err
	}
	if _, ok := body.(served); ok || err != nil {
		a.Log.Error("record support access", "path", c.r.URL.Path, "err", rerr)
		return err
	}
	return rerr
}
