package web

import (
	"errors"
	"net/http"

	"shipshape/internal/apperr"
	"shipshape/internal/privacy"
)

// --- the personal-data inventory (site admins only; a 404 for everyone
// else, like /admin): the record of processing activities, grouped by
// domain and table.

type privacyData struct {
	Counts  privacy.Counts
	Note    string
	Domains []privacy.Domain
}

func (s *server) privacyInventoryPage(w http.ResponseWriter, r *http.Request, c *call) {
	if !c.p.User.SiteAdmin {
		s.fail(w, r, c, apperr.NotFoundf("not found"))
		return
	}
	if s.PrivacyInventory == nil {
		s.fail(w, r, c, errors.New("web: no privacy inventory wired"))
		return
	}
	inv := s.PrivacyInventory()
	v := &view{Title: "Privacy inventory · Site administration", Nav: "admin",
		Data: privacyData{Counts: inv.Count(), Note: privacy.Note, Domains: inv.Domains()}}
	s.render(w, r, c, "admin-privacy", v)
}
