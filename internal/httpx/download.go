package httpx

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
)

// ServeDownload sends a stored file: always an attachment, never sniffed,
// never rendered as an active type, with its SHA-256 in ETag,
// X-Checksum-SHA256, Digest and Repr-Digest, and Range support.
func ServeDownload(w http.ResponseWriter, r *http.Request, name, contentType, sha256 string, modTime time.Time, content io.ReadSeeker) {
	h := w.Header()
	h.Set("Content-Type", servedType(contentType))
	h.Set("Content-Disposition", Attachment(name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-cache")
	SetDigests(h, sha256)
	http.ServeContent(w, r, "", modTime, content)
}

// SetDigests announces a body's SHA-256 (hex) in the headers clients check.
func SetDigests(h http.Header, sha256 string) {
	h.Set("ETag", `"`+sha256+`"`)
	h.Set("X-Checksum-SHA256", sha256)
	if sum, err := hex.DecodeString(sha256); err == nil {
		b64 := base64.StdEncoding.EncodeToString(sum)
		h.Set("Digest", "sha-256="+b64)
		h.Set("Repr-Digest", "sha-256=:"+b64+":")
	}
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

// Attachment is the Content-Disposition for name: an ASCII fallback
// (non-ASCII, quotes, backslashes and '%' replaced by '_') and the exact
// name as RFC 8187 UTF-8.
func Attachment(name string) string {
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

// UploadBody wraps a request body being streamed into storage and notes
// read errors of the request itself (a client that went away, a body
// shorter than announced), so they are reported as the client's problem
// rather than an internal error. The size limit passes through.
type UploadBody struct {
	R      io.Reader
	Failed bool
}

func (b *UploadBody) Read(p []byte) (int, error) {
	n, err := b.R.Read(p)
	if err != nil && err != io.EOF {
		var mbe *http.MaxBytesError
		if !errors.As(err, &mbe) {
			b.Failed = true
		}
	}
	return n, err
}
