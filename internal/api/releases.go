package api

import (
	"shipshape/internal/release"
)

// Release handlers. The version comes from the path; ServeMux hands it
// over unescaped, so 1.0.0-rc.1+build.5 may be sent as is or with '+'
// escaped as %2B.

func (a *api) createRelease(c *call) (any, error) {
	var in release.CreateInput
	if err := decode(c.r, &in); err != nil {
		return nil, err
	}
	return a.Releases.Create(c.r.Context(), c.actor, c.r.PathValue("ws"), c.r.PathValue("key"), in)
}

func (a *api) listReleases(c *call) (any, error) {
	limit, cursor, err := page(c.r, maxKeyCursor)
	if err != nil {
		return nil, err
	}
	f := release.ListFilter{Status: release.Status(c.r.URL.Query().Get("status")), Limit: limit, Cursor: cursor}
	p, err := a.Releases.List(c.r.Context(), c.userID(), c.r.PathValue("ws"), c.r.PathValue("key"), f)
	return newList(p.Items, p.NextCursor), err
}

func (a *api) getRelease(c *call) (any, error) {
	return a.Releases.Get(c.r.Context(), c.userID(), c.r.PathValue("ws"), c.r.PathValue("key"), c.r.PathValue("version"))
}

func (a *api) updateRelease(c *call) (any, error) {
	var in release.Patch
	if err := decode(c.r, &in); err != nil {
		return nil, err
	}
	return a.Releases.Update(c.r.Context(), c.actor, c.r.PathValue("ws"), c.r.PathValue("key"), c.r.PathValue("version"), in)
}

func (a *api) deleteRelease(c *call) (any, error) {
	return nil, a.Releases.Delete(c.r.Context(), c.actor, c.r.PathValue("ws"), c.r.PathValue("key"), c.r.PathValue("version"))
}

func (a *api) transitionRelease(c *call) (any, error) {
	var in release.TransitionInput
	if err := decode(c.r, &in); err != nil {
		return nil, err
	}
	return a.Releases.Transition(c.r.Context(), c.actor, c.r.PathValue("ws"), c.r.PathValue("key"), c.r.PathValue("version"), in)
}

func (a *api) listTransitions(c *call) (any, error) {
	ts, err := a.Releases.Transitions(c.r.Context(), c.userID(), c.r.PathValue("ws"), c.r.PathValue("key"), c.r.PathValue("version"))
	return newList(ts, ""), err
}
