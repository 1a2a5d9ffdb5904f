package api

import (
	"errors"

	"shipshape/internal/retention"
)

// Retention: the periods per data category and the runs of the retention
// job (site admins; everyone else gets the 404 /admin/settings answers).

func (a *api) retentionService() (*retention.Service, error) {
	if a.Retention == nil {
		return nil, errors.New("api: no retention service wired")
	}
	return a.Retention, nil
}

func (a *api) getRetention(c *call) (any, error) {
	svc, err := a.retentionService()
	if err != nil {
		return nil, err
	}
	return svc.Overview(c.r.Context(), c.principal.User.SiteAdmin)
}

func (a *api) putRetention(c *call) (any, error) {
	svc, err := a.retentionService()
	if err != nil {
		return nil, err
	}
	var in retention.UpdateInput
	if err := decode(c.r, &in); err != nil {
		return nil, err
	}
	return svc.Update(c.r.Context(), c.actor, c.principal.User.SiteAdmin, in)
}

func (a *api) runRetention(c *call) (any, error) {
	svc, err := a.retentionService()
	if err != nil {
		return nil, err
	}
	dry, err := boolParam(c.r, "dry_run")
	if err != nil {
		return nil, err
	}
	return svc.Run(c.r.Context(), c.actor, c.principal.User.SiteAdmin, dry)
}
