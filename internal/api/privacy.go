package api

import (
	"errors"

	"shipshape/internal/apperr"
)

// privacyInventory serves the personal-data inventory to site admins;
// everyone else gets the 404 that /admin/settings answers with, so the
// endpoint's existence is not shown.
func (a *api) privacyInventory(c *call) (any, error) {
	if !c.principal.User.SiteAdmin {
		return nil, apperr.NotFoundf("not found")
	}
	if a.PrivacyInventory == nil {
		return nil, errors.New("api: no privacy inventory wired")
	}
	return a.PrivacyInventory(), nil
}
