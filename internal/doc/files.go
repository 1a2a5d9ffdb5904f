package doc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/blob"
	"shipshape/internal/db"
	"shipshape/internal/perm"
	"shipshape/internal/release"
	"shipshape/internal/workspace"
)

// File is a file attached to a document (a diagram, a spreadsheet, a
// signed PDF). Like a release file, its bytes live in the blob store under
// a key of its own and the name is only in the database, so a hard delete
// of the document leaves no readable name behind.
type File struct {
	Name        string    `json:"name"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	ContentType string    `json:"content_type"` // sniffed from the first 512 bytes
	UploadedBy  string    `json:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at"`

	id, documentID, blobKey string
}

// fileLabel names a file in the audit trail without the document's title
// or the file's name — both could be the very thing a hard delete must
// erase: the document's type and title hash, and a hash of the name.
func fileLabel(d Document, name string) string {
	sum := sha256.Sum256([]byte(name))
	return auditLabel(d.Type, d.Title) + " file sha256:" + hex.EncodeToString(sum[:])
}

func (s *Service) maxUpload() int64 {
	if s.MaxUpload > 0 {
		return s.MaxUpload
	}
	return 4 << 30
}

var errNoStorage = errors.New("doc: no file storage configured")

// PutFile streams body into storage as the file name of a document,
// replacing a file of that name. size is the announced length, or -1.
// The row is written only after the bytes are stored, in one transaction
// with the audit event; if that fails the new object is deleted, and a
// replaced object is deleted only after the commit. An interrupted or
// oversized upload leaves no row and no object.
func (s *Service) PutFile(ctx context.Context, actor audit.Actor, ws, id, name string, body io.Reader, size int64) (File, error) {
	if s.Blobs == nil {
		return File{}, errNoStorage
	}
	// Check access before reading a byte of the body.
	d, err := s.editable(ctx, s.DB, actor.UserID, ws, id)
	if err != nil {
		return File{}, err
	}
	// The same names as release files: one path segment, no tricks.
	if err := release.ValidateFileName(name); err != nil {
		return File{}, err
	}
	limit := s.maxUpload()
	if size > limit {
		return File{}, blob.TooLarge(limit)
	}
	blobKey := "documents/" + d.ID + "/files/" + db.NewID()
	obj, err := s.Blobs.Put(ctx, blobKey, body, limit)
	if err != nil {
		return File{}, err
	}
	now := s.now()
	f := File{Name: name, Size: obj.Size, SHA256: obj.SHA256, ContentType: obj.ContentType, UploadedBy: actor.UserID, UploadedAt: now,
		id: db.NewID(), documentID: d.ID, blobKey: blobKey}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		// Again inside the transaction: the document may have been deleted,
		// hidden or the caller demoted while the bytes went up.
		a, cur, err := s.lockedEditable(ctx, tx, actor.UserID, ws, id)
		if err != nil {
			return err
		}
		old, err := putFileRow(ctx, tx, f)
		if err != nil {
			return err
		}
		blob.DeleteAfterCommit(tx, s.Blobs, s.Log, old...)
		return s.changed(ctx, tx, actor, now, audit.Entry{WorkspaceID: a.WorkspaceID, Action: "document.file.upload", TargetType: "document",
			TargetID: cur.ID, TargetLabel: fileLabel(cur, name)})
	})
	if err != nil {
		blob.DeleteNow(s.Blobs, s.Log, blobKey)
		return File{}, err
	}
	return f, nil
}

// Files lists a document's files by name.
func (s *Service) Files(ctx context.Context, userID, ws, id string) ([]File, error) {
	var out []File
	err := s.DB.ReadTx(ctx, func(q db.Querier) error {
		a, err := s.Workspaces.Access(ctx, q, ws, userID)
		if err != nil {
			return err
		}
		if _, err := visible(ctx, q, a, id); err != nil {
			return err
		}
		out, err = listFiles(ctx, q, id)
		return err
	})
	return out, err
}

// OpenFile returns a file and a reader of its bytes; the caller closes it.
func (s *Service) OpenFile(ctx context.Context, userID, ws, id, name string) (File, blob.Reader, error) {
	if s.Blobs == nil {
		return File{}, nil, errNoStorage
	}
	var f File
	find := func() error {
		return s.DB.ReadTx(ctx, func(q db.Querier) error {
			a, err := s.Workspaces.Access(ctx, q, ws, userID)
			if err != nil {
				return err
			}
			if _, err := visible(ctx, q, a, id); err != nil {
				return err
			}
			f, err = findFile(ctx, q, id, name)
			return err
		})
	}
	if err := find(); err != nil {
		return File{}, nil, err
	}
	rd, err := s.Blobs.Open(ctx, f.blobKey)
	if apperr.Is(err, apperr.NotFound) {
		// Replaced between the two reads: the new row points elsewhere.
		if err = find(); err == nil {
			rd, err = s.Blobs.Open(ctx, f.blobKey)
		}
	}
	if err != nil {
		return File{}, nil, err
	}
	return f, rd, nil
}

// DeleteFile removes a file; its object is deleted after the commit.
func (s *Service) DeleteFile(ctx context.Context, actor audit.Actor, ws, id, name string) error {
	now := s.now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		a, d, err := s.lockedEditable(ctx, tx, actor.UserID, ws, id)
		if err != nil {
			return err
		}
		f, err := findFile(ctx, tx, d.ID, name)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM document_files WHERE id = ?`, f.id); err != nil {
			return err
		}
		blob.DeleteAfterCommit(tx, s.Blobs, s.Log, f.blobKey)
		return s.changed(ctx, tx, actor, now, audit.Entry{WorkspaceID: a.WorkspaceID, Action: "document.file.delete", TargetType: "document",
			TargetID: d.ID, TargetLabel: fileLabel(d, name)})
	})
}

// editable reads a document the caller may see and edit: not visible is
// not found, visible but read-only is forbidden.
func (s *Service) editable(ctx context.Context, q db.Querier, userID, ws, id string) (Document, error) {
	a, err := s.Workspaces.Access(ctx, q, ws, userID)
	if err != nil {
		return Document{}, err
	}
	d, err := visible(ctx, q, a, id)
	if err != nil {
		return Document{}, err
	}
	return d, a.Require(perm.EditDocument)
}

// lockedEditable is editable inside a write transaction, with the
// document's row locked so file changes and a hard delete of the document
// happen one after the other (see lockDocument).
func (s *Service) lockedEditable(ctx context.Context, tx *db.Tx, userID, ws, id string) (workspace.Access, Document, error) {
	a, err := s.Workspaces.Access(ctx, tx, ws, userID)
	if err != nil {
		return a, Document{}, err
	}
	d, err := visible(ctx, tx, a, id)
	if err != nil {
		return a, Document{}, err
	}
	if err := a.Require(perm.EditDocument); err != nil {
		return a, Document{}, err
	}
	return a, d, lockDocument(ctx, tx, d.ID)
}

// BeforeProjectDelete is called by the project domain inside the
// transaction that deletes a project (project.Dependent): the documents
// and their file rows go with the project by cascade, and the stored
// objects go once that transaction commits.
func (s *Service) BeforeProjectDelete(ctx context.Context, tx *db.Tx, projectID string) error {
	keys, err := projectFileKeys(ctx, tx, projectID)
	if err != nil {
		return err
	}
	blob.DeleteAfterCommit(tx, s.Blobs, s.Log, keys...)
	return nil
}
