package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
)

//go:embed static
var staticFS embed.FS

// staticFile is one embedded asset under its fingerprinted name.
type staticFile struct {
	body        []byte
	contentType string
	etag        string
}

// staticFiles maps logical names ("app.css") to fingerprinted URLs
// ("/static/app.1a2b3c4d5e.css") and serves the latter forever.
type staticFiles struct {
	urls  map[string]string      // logical name -> URL
	files map[string]*staticFile // fingerprinted name -> file
}

func loadStatic() (*staticFiles, error) {
	st := &staticFiles{urls: map[string]string{}, files: map[string]*staticFile{}}
	err := fs.WalkDir(staticFS, "static", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])[:12]
		ext := path.Ext(name)
		fp := strings.TrimSuffix(name, ext) + "." + hash + ext
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		st.urls[name] = "/static/" + fp
		st.files[fp] = &staticFile{body: body, contentType: ct, etag: strconv.Quote(hash)}
		return nil
	})
	return st, err
}

// url returns the fingerprinted URL of a logical asset name; templates call
// it through the "asset" function. An unknown name is a template bug.
func (st *staticFiles) url(name string) (string, error) {
	u, ok := st.urls[name]
	if !ok {
		return "", fs.ErrNotExist
	}
	return u, nil
}

// serve answers GET /static/{file}: only fingerprinted names exist, so every
// response can be cached for a year.
func (s *server) serveStatic(w http.ResponseWriter, r *http.Request) {
	f, ok := s.static.files[r.PathValue("file")]
	if !ok {
		s.errorPage(w, r, http.StatusNotFound, "")
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", f.etag)
	if r.Header.Get("If-None-Match") == f.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(f.body)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(f.body)
}
