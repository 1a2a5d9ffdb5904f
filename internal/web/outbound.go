package web

import (
	"net/http"

	"shipshape/internal/apperr"
	"shipshape/internal/config"
)

// --- outbound connections (site admins only, the same 404 as /admin for
// everyone else): every server this instance connects to, which is only
// what an admin configured. An empty list is the default and the point.

type outboundData struct {
	Connections []config.OutboundConnection
	Settings    []config.OutboundSetting
}

func (s *server) outboundPage(w http.ResponseWriter, r *http.Request, c *call) {
	if !c.p.User.SiteAdmin {
		// The answer account.Service.Settings gives /admin, so the page's
		// existence is not shown either.
		s.fail(w, r, c, apperr.NotFoundf("not found"))
		return
	}
	v := &view{Title: "Outbound connections", Nav: "admin",
		Data: outboundData{Connections: s.Outbound, Settings: config.OutboundSettings()}}
	s.render(w, r, c, "admin-outbound", v)
}
