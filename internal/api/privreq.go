package api

import (
	"errors"

	"shipshape/internal/privreq"
)

// The privacy-request desk (site admins; everyone else gets a 404, like
// /admin/settings): requests about people's data, their verification,
// status, assignee, due date, notes and outcome.

func (a *api) privreqService() (*privreq.Service, error) {
	if a.PrivacyRequests == nil {
		return nil, errors.New("api: no privacy-request service wired")
	}
	return a.PrivacyRequests, nil
}

func (a *api) createPrivacyRequest(c *call) (any, error) {
	svc, err := a.privreqService()
	if err != nil {
		return nil, err
	}
	var in privreq.CreateInput
	if err := decode(c.r, &in); err != nil {
		return nil, err
	}
	return svc.Create(c.r.Context(), c.actor, c.principal.User.SiteAdmin, in)
}

func (a *api) listPrivacyRequests(c *call) (any, error) {
	svc, err := a.privreqService()
	if err != nil {
		return nil, err
	}
	items, err := svc.List(c.r.Context(), c.principal.User.SiteAdmin, privreq.Filter{Status: c.r.URL.Query().Get("status")})
	if err != nil {
		return nil, err
	}
	return newList(items, ""), nil
}

func (a *api) getPrivacyRequest(c *call) (any, error) {
	svc, err := a.privreqService()
	if err != nil {
		return nil, err
	}
	return svc.Get(c.r.Context(), c.principal.User.SiteAdmin, c.r.PathValue("id"))
}

func (a *api) updatePrivacyRequest(c *call) (any, error) {
	svc, err := a.privreqService()
	if err != nil {
		return nil, err
	}
	var p privreq.Patch
	if err := decode(c.r, &p); err != nil {
		return nil, err
	}
	return svc.Update(c.r.Context(), c.actor, c.principal.User.SiteAdmin, c.r.PathValue("id"), p)
}
