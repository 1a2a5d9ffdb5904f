package api

import (
	"shipshape/internal/httpx"
)

// "Download my data": the caller asks for an archive, follows its progress
// and downloads it; nobody else's archive is reachable (404).

func (a *api) requestExport(c *call) (any, error) {
	return a.Exports.Request(c.r.Context(), c.actor)
}

func (a *api) getExport(c *call) (any, error) {
	return a.Exports.Get(c.r.Context(), c.userID(), c.r.PathValue("id"))
}

func (a *api) downloadExport(c *call) (any, error) {
	e, rd, err := a.Exports.Open(c.r.Context(), c.actor, c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	httpx.ServeDownload(c.w, c.r, e.FileName(), "application/zip", e.SHA256, *e.FinishedAt, rd)
	return served{}, nil
}
