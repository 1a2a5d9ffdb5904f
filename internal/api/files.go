package api

import (
	"context"
	"errors"
	"io"
	"mime"
	"strings"

	"shipshape/internal/apperr"
	"shipshape/internal/httpx"
)

// Release file handlers. The name is one path segment; ServeMux hands it
// over unescaped, so a name with '/' (sent as %2F) reaches validation and
// is refused there, while a literal '/' or a "." or ".." segment never
// matches this route (ServeMux cleans or 404s such paths).

func (a *api) putFile(c *call) (any, error) {
	return rawUpload(c, func(body io.Reader, size int64) (any, error) {
		return a.Releases.PutFile(c.r.Context(), c.actor, c.r.PathValue("ws"), c.r.PathValue("key"), c.r.PathValue("version"),
			c.r.PathValue("name"), body, size)
	})
}

// rawUpload streams the request body into put (a release's or a document's
// PutFile). A multipart body is refused: it wraps the file in boundaries,
// and storing it would corrupt the file (a urlencoded type is only curl's
// default for --data-binary; that body is the file itself). A body that
// stopped before its end is reported as such.
func rawUpload(c *call, put func(body io.Reader, size int64) (any, error)) (any, error) {
	if mt, _, err := mime.ParseMediaType(c.r.Header.Get("Content-Type")); err == nil && strings.HasPrefix(mt, "multipart/") {
		return nil, apperr.E(apperr.Unsupported, "send the file's bytes as the request body (e.g. curl -T file or --data-binary @file), not as a multipart form")
	}
	body := &httpx.UploadBody{R: c.r.Body}
	f, err := put(body, c.r.ContentLength)
	if err != nil && (body.Failed || errors.Is(err, context.Canceled)) {
		return nil, apperr.E(apperr.Invalid, "the upload was interrupted before the whole body arrived; nothing was stored")
	}
	return f, err
}

func (a *api) listFiles(c *call) (any, error) {
	fs, err := a.Releases.Files(c.r.Context(), c.userID(), c.r.PathValue("ws"), c.r.PathValue("key"), c.r.PathValue("version"))
	return newList(fs, ""), err
}

func (a *api) getFile(c *call) (any, error) {
	f, rd, err := a.Releases.OpenFile(c.r.Context(), c.userID(), c.r.PathValue("ws"), c.r.PathValue("key"), c.r.PathValue("version"), c.r.PathValue("name"))
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	httpx.ServeDownload(c.w, c.r, f.Name, f.ContentType, f.SHA256, f.UploadedAt, rd)
	return served{}, nil
}

func (a *api) deleteFile(c *call) (any, error) {
	return nil, a.Releases.DeleteFile(c.r.Context(), c.actor, c.r.PathValue("ws"), c.r.PathValue("key"), c.r.PathValue("version"), c.r.PathValue("name"))
}
