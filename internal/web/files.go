package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"

	"shipshape/internal/apperr"
	"shipshape/internal/httpx"
	"shipshape/internal/release"
)

// multipartOverhead is what the upload route allows on top of the largest
// file: the part headers, the boundaries and a stray small field.
const multipartOverhead = 64 << 10

// maxUpload is the largest release file: Deps.MaxUpload when set, else the
// release service's limit (which it enforces while streaming either way).
func (s *server) maxUpload() int64 {
	switch {
	case s.MaxUpload > 0:
		return s.MaxUpload
	case s.Releases != nil && s.Releases.MaxUpload > 0:
		return s.Releases.MaxUpload
	}
	return 4 << 30
}

// fileRow is one line of the release page's file table.
type fileRow struct {
	release.File
	UploaderName string
	Href         string // the download link
}

// uploadFile streams a multipart upload into the release service: the file
// part's reader goes straight to PutFile, nothing is buffered.
func (s *server) uploadFile(w http.ResponseWriter, r *http.Request, c *call) {
	ws, key, version := r.PathValue("ws"), r.PathValue("key"), r.PathValue("version")
	part, name, err := filePart(r)
	if err != nil {
		s.uploadRefused(w, r, c, err)
		return
	}
	body := &httpx.UploadBody{R: part}
	_, err = s.Releases.PutFile(r.Context(), c.actor, ws, key, version, name, body, -1)
	part.Close()
	if err != nil {
		if body.Failed {
			err = uploadReadError(err)
		}
		s.uploadRefused(w, r, c, err)
		return
	}
	redirect(w, r, releasePath(ws, key, version)+"?notice=file-uploaded#files")
}

// filePart finds the form's "file" part and its raw filename (not
// Part.FileName, which silently drops a path: "a/b.txt" would become
// "b.txt", which the service should refuse). Fields before it are skipped.
func filePart(r *http.Request) (*multipart.Part, string, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, "", apperr.E(apperr.Invalid, "the upload could not be read; send it as multipart/form-data")
	}
	noFile := apperr.Fields(map[string]string{"name": "choose a file to upload"})
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil, "", noFile
		}
		if err != nil {
			return nil, "", uploadReadError(err)
		}
		if part.FormName() != "file" {
			_, _ = io.Copy(io.Discard, part) // bounded by the route's body limit
			part.Close()
			continue
		}
		_, params, _ := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
		if params["filename"] == "" {
			part.Close()
			return nil, "", noFile
		}
		return part, params["filename"], nil
	}
}

// uploadNameError turns a refused file name (or a missing file) into the
// upload form's state, shown next to the file input.
func uploadNameError(err error) (form, bool) {
	ae := httpx.AsAppError(err)
	if ae.Code != apperr.Invalid || ae.Fields["name"] == "" {
		return form{}, false
	}
	f := form{Name: "upload-file", Status: http.StatusBadRequest, Error: "The file was not uploaded.",
		Fields: map[string]string{"file": "the file name " + ae.Fields["name"]}}
	if ae.Fields["name"] == "choose a file to upload" {
		f.Fields["file"] = ae.Fields["name"]
	}
	return f, true
}

func (s *server) uploadRefused(w http.ResponseWriter, r *http.Request, c *call, err error) {
	if f, ok := uploadNameError(err); ok {
		s.showRelease(w, r, c, withForm(f))
		return
	}
	if ae := httpx.AsAppError(err); ae.Code == apperr.Conflict {
		s.showRelease(w, r, c, &view{Error: "The file was not uploaded: " + ae.Message + ".", Status: http.StatusConflict})
		return
	}
	s.fail(w, r, c, err)
}

func uploadReadError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err // a 413
	}
	if ae := httpx.AsAppError(err); ae.Code != apperr.Internal {
		return ae
	}
	return apperr.E(apperr.Invalid, "the upload was interrupted or could not be read")
}

func (s *server) downloadFile(w http.ResponseWriter, r *http.Request, c *call) {
	f, rd, err := s.Releases.OpenFile(r.Context(), c.uid(), r.PathValue("ws"), r.PathValue("key"), r.PathValue("version"), r.PathValue("name"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	defer rd.Close()
	httpx.ServeDownload(w, r, f.Name, f.ContentType, f.SHA256, f.UploadedAt, rd)
}

func (s *server) deleteFile(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	ws, key, version, name := r.PathValue("ws"), r.PathValue("key"), r.PathValue("version"), r.PathValue("name")
	if err := s.Releases.DeleteFile(r.Context(), c.actor, ws, key, version, name); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			s.showRelease(w, r, c, &view{Error: "The file was not deleted: " + httpx.AsAppError(err).Message + ".", Status: http.StatusConflict})
			return
		}
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, releasePath(ws, key, version)+"?notice=file-deleted#files")
}

// byteSize is a size for people: "812 B", "3.0 MiB".
func byteSize(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	const units = "KMGTPE"
	v, i := float64(n)/1024, 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return fmt.Sprintf("%.1f %ciB", v, units[i])
}

// shortHash is the start of a SHA-256 for tables; the full value goes in a
// title attribute next to it.
func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12] + "…"
	}
	return h
}
