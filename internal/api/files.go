package api

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"shipshape/internal/apperr"
)

// Release file handlers. The name is one path segment; ServeMux hands it
// over unescaped, so a name with '/' (sent as %2F) reaches validation and
// is refused there, while a literal '/' or a "." or ".." segment never
// matches this route (ServeMux cleans or 404s such paths).

func (a *api) putFile(c *call) (any, error) {
	if ct := c.r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err == nil && (strings.HasPrefix(mt, "multipart/") || mt == "application/x-www-form-urlencoded") {
			return nil, apperr.E(apperr.Unsupported, "send the file's bytes as the request body (e.g. curl -T file), not as a form")
		}
	}
	body := &uploadBody{r: c.r.Body}
	f, err := a.Releases.PutFile(c.r.Context(), c.actor, c.r.PathValue("ws"), c.r.PathValue("key"), c.r.PathValue("version"),
		c.r.PathValue("name"), body, c.r.ContentLength)
	if err != nil {
		if body.failed || errors.Is(err, context.Canceled) {
			return nil, apperr.E(apperr.Invalid, "the upload was interrupted before the whole body arrived; nothing was stored")
		}
		return nil, err
	}
	return f, nil
}

// uploadBody notices a body that ends early or breaks (client gone,
// shorter than Content-Length), so that is reported as the client's
// problem rather than an internal error. The size limit passes through.
type uploadBody struct {
	r      io.Reader
	failed bool
}

func (b *uploadBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		var mbe *http.MaxBytesError
		if !errors.As(err, &mbe) {
			b.failed = true
		}
	}
	return n, err
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
	h := c.w.Header()
	h.Set("Content-Type", servedType(f.ContentType))
	h.Set("Content-Disposition", attachment(f.Name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-cache")
	h.Set("ETag", `"`+f.SHA256+`"`)
	h.Set("X-Checksum-SHA256", f.SHA256)
	if sum, err := hex.DecodeString(f.SHA256); err == nil {
		b64 := base64.StdEncoding.EncodeToString(sum)
		h.Set("Digest", "sha-256="+b64)
		h.Set("Repr-Digest", "sha-256=:"+b64+":")
	}
	http.ServeContent(c.w, c.r, "", f.UploadedAt, rd)
	return served{}, nil
}

func (a *api) deleteFile(c *call) (any, error) {
	return nil, a.Releases.DeleteFile(c.r.Context(), c.actor, c.r.PathValue("ws"), c.r.PathValue("key"), c.r.PathValue("version"), c.r.PathValue("name"))
}

// activeTypes are content types a browser would render or run; they are
// served as application/octet-stream.
var activeTypes = map[string]bool{
	"text/html": true, "image/svg+xml": true, "text/xml": true, "application/xml": true, "application/xhtml+xml": true,
	"text/javascript": true, "application/javascript": true,
}

func servedType(sniffed string) string {
	mt, _, err := mime.ParseMediaType(sniffed)
	if err != nil || activeTypes[mt] {
		return "application/octet-stream"
	}
	return sniffed
}

// attachment is the Content-Disposition for name: an ASCII fallback
// (non-ASCII, quotes, backslashes and '%' replaced by '_') and the exact
// name as RFC 8187 UTF-8.
func attachment(name string) string {
	var ascii, enc strings.Builder
	for _, r := range name {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			ascii.WriteByte('_')
		} else {
			ascii.WriteRune(r)
		}
	}
	const hexd = "0123456789ABCDEF"
	for i := 0; i < len(name); i++ {
		ch := name[i]
		if ch < 0x80 && (ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.IndexByte("!#$&+-.^_`|~", ch) >= 0) {
			enc.WriteByte(ch)
		} else {
			enc.WriteByte('%')
			enc.WriteByte(hexd[ch>>4])
			enc.WriteByte(hexd[ch&15])
		}
	}
	return `attachment; filename="` + ascii.String() + `"; filename*=UTF-8''` + enc.String()
}
