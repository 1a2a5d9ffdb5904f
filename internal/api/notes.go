package api

import (
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"shipshape/internal/httpx"
	"strconv"
	"strings"
)

// Release notes and evidence: both are documents of their own (Markdown,
// JSON bytes as stored), written by the handler rather than as an API
// JSON envelope.

func (a *api) releaseNotes(c *call) (any, error) {
	download, err := boolParam(c.r, "download")
	if err != nil {
		return nil, err
	}
	n, err := a.Releases.Notes(c.r.Context(), c.userID(), c.r.PathValue("ws"), c.r.PathValue("key"), c.r.PathValue("version"))
	if err != nil {
		return nil, err
	}
	disposition := "inline" + strings.TrimPrefix(httpx.Attachment(n.Filename), "attachment")
	if download {
		disposition = httpx.Attachment(n.Filename)
	}
	writeDocument(c, "text/markdown; charset=utf-8", disposition, []byte(n.Markdown))
	return served{}, nil
}

func (a *api) releaseEvidence(c *call) (any, error) {
	ev, err := a.Releases.Evidence(c.r.Context(), c.userID(), c.r.PathValue("ws"), c.r.PathValue("key"), c.r.PathValue("version"))
	if err != nil {
		return nil, err
	}
	h := c.w.Header()
	h.Set("X-Checksum-SHA256", ev.SHA256)
	h.Set("ETag", `"`+ev.SHA256+`"`)
	if sum, err := hex.DecodeString(ev.SHA256); err == nil {
		b64 := base64.StdEncoding.EncodeToString(sum)
		h.Set("Digest", "sha-256="+b64)
		h.Set("Repr-Digest", "sha-256=:"+b64+":")
	}
	writeDocument(c, "application/json", httpx.Attachment(ev.Filename), ev.Body)
	return served{}, nil
}

// writeDocument answers 200 with body, never rendered as a page.
func writeDocument(c *call, contentType, disposition string, body []byte) {
	h := c.w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", disposition)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-cache")
	c.w.WriteHeader(http.StatusOK)
	if c.r.Method != http.MethodHead {
		_, _ = c.w.Write(body)
	}
}
