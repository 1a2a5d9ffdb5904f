package release

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/blob"
	"shipshape/internal/db"
	"shipshape/internal/perm"
	"shipshape/internal/project"
	"shipshape/internal/workspace"
)

// File is an artifact attached to a release. Its bytes live in the blob
// store under a key of its own; the name is only in the database.
type File struct {
	Name        string    `json:"name"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	ContentType string    `json:"content_type"` // sniffed from the first 512 bytes
	UploadedBy  string    `json:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at"`

	id, releaseID, blobKey string
}

// MaxFileNameLen is the longest file name accepted, in bytes.
const MaxFileNameLen = 255

// ValidateFileName accepts 1–255 bytes of UTF-8 without path separators,
// "..", control or bidirectional-override characters, and without leading
// or trailing white space; "." is refused. Errors name the field "name".
func ValidateFileName(name string) error {
	bad := func(msg string) error { return apperr.Fields(map[string]string{"name": msg}) }
	switch {
	case name == "":
		return bad("is required")
	case len(name) > MaxFileNameLen:
		return bad("must be at most 255 bytes")
	case !utf8.ValidString(name):
		return bad("must be valid UTF-8")
	case strings.ContainsAny(name, `/\`):
		return bad(`must not contain / or \`)
	case name == "." || strings.Contains(name, ".."):
		return bad(`must not be "." or contain ".."`)
	}
	for _, r := range name {
		if unicode.IsControl(r) || isBidi(r) {
			return bad("must not contain control characters")
		}
	}
	first, _ := utf8.DecodeRuneInString(name)
	last, _ := utf8.DecodeLastRuneInString(name)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		return bad("must not start or end with white space")
	}
	return nil
}

// isBidi reports the invisible direction marks that make "exe.txt" display
// as something else.
func isBidi(r rune) bool {
	return r == 0x200E || r == 0x200F || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

func fileLabel(p project.Project, r Release, name string) string { return label(p, r) + "/" + name }

// frozen refuses file changes once a release left the open statuses: what
// was released must stay what the evidence describes.
func frozen(r Release) error {
	if r.Status.open() {
		return nil
	}
	return apperr.E(apperr.Conflict, "release %s is %s; its files can no longer change", r.Version, r.Status)
}

// BeforeProjectDelete is called by the project domain inside the
// transaction that deletes a project: the rows go with the project (foreign
// keys cascade), and the stored objects go once that transaction commits.
func (s *Service) BeforeProjectDelete(ctx context.Context, tx *db.Tx, projectID string) error {
	keys, err := projectFileKeys(ctx, tx, projectID)
	if err != nil {
		return err
	}
	blob.DeleteAfterCommit(tx, s.Blobs, s.Log, keys...)
	return nil
}

func (s *Service) maxUpload() int64 {
	if s.MaxUpload > 0 {
		return s.MaxUpload
	}
	return 4 << 30
}

// PutFile streams body into storage as the file name of a release,
// replacing a file of that name. size is the announced length, or -1.
// The row is written only after the bytes are stored, in one transaction
// with the audit event; if that fails the new object is deleted, and a
// replaced object is deleted only after the commit.
func (s *Service) PutFile(ctx context.Context, actor audit.Actor, ws, key, version, name string, body io.Reader, size int64) (File, error) {
	if s.Blobs == nil {
		return File{}, errors.New("release: no file storage configured")
	}
	// Check access before reading a byte of the body.
	a, _, r, err := s.find(ctx, s.DB, actor.UserID, ws, key, version)
	if err != nil {
		return File{}, err
	}
	if err := a.Require(perm.ManageFiles); err != nil {
		return File{}, err
	}
	if err := ValidateFileName(name); err != nil {
		return File{}, err
	}
	if err := frozen(r); err != nil {
		return File{}, err
	}
	limit := s.maxUpload()
	if size > limit {
		return File{}, blob.TooLarge(limit)
	}
	blobKey := "releases/" + r.ID + "/files/" + db.NewID()
	obj, err := s.Blobs.Put(ctx, blobKey, body, limit)
	if err != nil {
		return File{}, err
	}
	now := s.now()
	f := File{Name: name, Size: obj.Size, SHA256: obj.SHA256, ContentType: obj.ContentType, UploadedBy: actor.UserID, UploadedAt: now,
		id: db.NewID(), releaseID: r.ID, blobKey: blobKey}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		a, p, cur, err := s.find(ctx, tx, actor.UserID, ws, key, version)
		if err != nil {
			return err
		}
		if err := a.Require(perm.ManageFiles); err != nil {
			return err
		}
		if cur.ID != r.ID { // deleted and created again while the bytes went up
			return apperr.NotFoundf("release not found")
		}
		// Locks the release row while it is still open, so a concurrent
		// move to released either waits for this upload or refuses it.
		if err := lockOpen(ctx, tx, cur); err != nil {
			return err
		}
		old, err := putFileRow(ctx, tx, f)
		if err != nil {
			return err
		}
		blob.DeleteAfterCommit(tx, s.Blobs, s.Log, old...)
		return s.changed(ctx, tx, actor, now, audit.Entry{WorkspaceID: a.WorkspaceID, Action: "release.file_upload", TargetType: "release",
			TargetID: r.ID, TargetLabel: fileLabel(p, cur, name)})
	})
	if err != nil {
		blob.DeleteNow(s.Blobs, s.Log, blobKey)
		return File{}, err
	}
	return f, nil
}

// Files lists a release's files by name.
func (s *Service) Files(ctx context.Context, userID, ws, key, version string) ([]File, error) {
	r, err := s.Get(ctx, userID, ws, key, version)
	if err != nil {
		return nil, err
	}
	return listFiles(ctx, s.DB, r.ID)
}

// OpenFile returns a file and a reader of its bytes; the caller closes it.
func (s *Service) OpenFile(ctx context.Context, userID, ws, key, version, name string) (File, blob.Reader, error) {
	if s.Blobs == nil {
		return File{}, nil, errors.New("release: no file storage configured")
	}
	r, err := s.Get(ctx, userID, ws, key, version)
	if err != nil {
		return File{}, nil, err
	}
	f, err := findFile(ctx, s.DB, r.ID, name)
	if err != nil {
		return File{}, nil, err
	}
	rd, err := s.Blobs.Open(ctx, f.blobKey)
	if err != nil {
		// Replaced between the two reads: the new row points elsewhere.
		if apperr.CodeOf(err) == apperr.NotFound {
			if f, err = findFile(ctx, s.DB, r.ID, name); err == nil {
				rd, err = s.Blobs.Open(ctx, f.blobKey)
			}
		}
		if err != nil {
			return File{}, nil, err
		}
	}
	return f, rd, nil
}

// DeleteFile removes a file; its object is deleted after the commit.
func (s *Service) DeleteFile(ctx context.Context, actor audit.Actor, ws, key, version, name string) error {
	_, err := s.mutate(ctx, actor, ws, key, version, perm.ManageFiles, func(tx *db.Tx, a workspace.Access, p project.Project, r *Release, now time.Time) error {
		if err := lockOpen(ctx, tx, *r); err != nil {
			return err
		}
		f, err := findFile(ctx, tx, r.ID, name)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM release_files WHERE id = ?`, f.id); err != nil {
			return err
		}
		blob.DeleteAfterCommit(tx, s.Blobs, s.Log, f.blobKey)
		return s.changed(ctx, tx, actor, now, audit.Entry{WorkspaceID: a.WorkspaceID, Action: "release.file_delete", TargetType: "release",
			TargetID: r.ID, TargetLabel: fileLabel(p, *r, name)})
	})
	return err
}
