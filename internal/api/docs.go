package api

import (
	"io"
	"strconv"

	"shipshape/internal/apperr"
	"shipshape/internal/doc"
	"shipshape/internal/httpx"
)

// Document handlers. A document the caller may not see answers 404 on
// every path (the service decides).

func (a *api) createDocument(c *call) (any, error) {
	var in doc.CreateInput
	if err := decode(c.r, &in); err != nil {
		return nil, err
	}
	return a.Docs.Create(c.r.Context(), c.actor, c.r.PathValue("ws"), in)
}

func (a *api) listDocuments(c *call) (any, error) {
	limit, cursor, err := page(c.r, maxCursor)
	if err != nil {
		return nil, err
	}
	q := c.r.URL.Query()
	f := doc.ListFilter{Type: doc.Type(q.Get("type")), Project: q.Get("project"), Release: q.Get("release"), Limit: limit, Cursor: cursor}
	p, err := a.Docs.List(c.r.Context(), c.userID(), c.r.PathValue("ws"), f)
	return newList(p.Items, p.NextCursor), err
}

func (a *api) getDocument(c *call) (any, error) {
	return a.Docs.Get(c.r.Context(), c.userID(), c.r.PathValue("ws"), c.r.PathValue("id"))
}

func (a *api) updateDocument(c *call) (any, error) {
	var in doc.Patch
	if err := decode(c.r, &in); err != nil {
		return nil, err
	}
	return a.Docs.Update(c.r.Context(), c.actor, c.r.PathValue("ws"), c.r.PathValue("id"), in)
}

func (a *api) deleteDocument(c *call) (any, error) {
	return nil, a.Docs.Delete(c.r.Context(), c.actor, c.r.PathValue("ws"), c.r.PathValue("id"))
}

func (a *api) listDocumentVersions(c *call) (any, error) {
	vs, err := a.Docs.Versions(c.r.Context(), c.userID(), c.r.PathValue("ws"), c.r.PathValue("id"))
	return newList(vs, ""), err
}

func (a *api) getDocumentVersion(c *call) (any, error) {
	n, err := strconv.Atoi(c.r.PathValue("n"))
	if err != nil || n < 1 {
		return nil, apperr.NotFoundf("version not found")
	}
	return a.Docs.Version(c.r.Context(), c.userID(), c.r.PathValue("ws"), c.r.PathValue("id"), n)
}

// Document file handlers: the same shape as release files (files.go). The
// name is one path segment; a name with '/' (sent as %2F) reaches the
// service's validation and is refused there.

func (a *api) putDocumentFile(c *call) (any, error) {
	return rawUpload(c, func(body io.Reader, size int64) (any, error) {
		return a.Docs.PutFile(c.r.Context(), c.actor, c.r.PathValue("ws"), c.r.PathValue("id"), c.r.PathValue("name"), body, size)
	})
}

func (a *api) listDocumentFiles(c *call) (any, error) {
	fs, err := a.Docs.Files(c.r.Context(), c.userID(), c.r.PathValue("ws"), c.r.PathValue("id"))
	return newList(fs, ""), err
}

func (a *api) getDocumentFile(c *call) (any, error) {
	f, rd, err := a.Docs.OpenFile(c.r.Context(), c.userID(), c.r.PathValue("ws"), c.r.PathValue("id"), c.r.PathValue("name"))
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	httpx.ServeDownload(c.w, c.r, f.Name, f.ContentType, f.SHA256, f.UploadedAt, rd)
	return served{}, nil
}

func (a *api) deleteDocumentFile(c *call) (any, error) {
	return nil, a.Docs.DeleteFile(c.r.Context(), c.actor, c.r.PathValue("ws"), c.r.PathValue("id"), c.r.PathValue("name"))
}

func (a *api) search(c *call) (any, error) {
	q := c.r.URL.Query()
	limit := 0
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 50 {
			return nil, apperr.Fields(map[string]string{"limit": "must be a whole number from 1 to 50"})
		}
		limit = n
	}
	items, err := a.Search.Search(c.r.Context(), c.userID(), c.r.PathValue("ws"), q.Get("q"), limit)
	return newList(items, ""), err
}
