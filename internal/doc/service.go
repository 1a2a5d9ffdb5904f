package doc

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/blob"
	"shipshape/internal/db"
	"shipshape/internal/perm"
	"shipshape/internal/project"
	"shipshape/internal/release"
	"shipshape/internal/search"
	"shipshape/internal/workspace"
)

// Workspaces resolves a caller's access to a workspace.
type Workspaces interface {
	Access(ctx context.Context, q db.Querier, slug, userID string) (workspace.Access, error)
}

// Projects finds the project a document belongs to.
type Projects interface {
	Lookup(ctx context.Context, q db.Querier, workspaceID, key string) (project.Project, error)
}

// Service is the document domain's transaction and permission boundary.
type Service struct {
	DB         *db.DB
	Now        func() time.Time
	Workspaces Workspaces
	Projects   Projects
	// Blobs stores the bytes of attached files; MaxUpload is the largest
	// file in bytes (0: 4 GiB). Log reports objects that could not be
	// deleted: they stay behind unreferenced, which is the safe side.
	Blobs     blob.Store
	MaxUpload int64
	Log       *slog.Logger
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// changed finishes every mutation: the workspace's data version moves and
// the audit event is written, both in tx.
func (s *Service) changed(ctx context.Context, tx *db.Tx, actor audit.Actor, at time.Time, e audit.Entry) error {
	if err := workspace.BumpDataVersion(ctx, tx, e.WorkspaceID); err != nil {
		return err
	}
	return audit.Record(ctx, tx, actor, at, e)
}

// canDelete: admins and owners, or the creator while they may still edit.
func canDelete(a workspace.Access, d Summary) bool {
	return a.Can(perm.DeleteDocument) || (d.CreatedBy == a.UserID && a.Can(perm.EditDocument))
}

// lookupProject finds a project by key, naming the field when it is unknown.
func (s *Service) lookupProject(ctx context.Context, q db.Querier, wsID, key string) (project.Project, error) {
	p, err := s.Projects.Lookup(ctx, q, wsID, key)
	if apperr.Is(err, apperr.NotFound) {
		return p, &apperr.Error{Code: apperr.NotFound, Message: "project not found", Fields: map[string]string{"project": "no such project"}}
	}
	return p, err
}

// visible reads a document the caller may see; anything else is not found.
func visible(ctx context.Context, q db.Querier, a workspace.Access, id string) (Document, error) {
	return findDocument(ctx, q, a, id)
}

// Create makes a document with its first version.
func (s *Service) Create(ctx context.Context, actor audit.Actor, ws string, in CreateInput) (Document, error) {
	if err := in.validate(); err != nil {
		return Document{}, err
	}
	var relKey string
	if in.Release != "" {
		v, err := release.ParseVersion(in.Release)
		if err != nil {
			return Document{}, apperr.Fields(map[string]string{"release": "must be a release version (SemVer)"})
		}
		relKey = v.Key()
	}
	now := s.now()
	d := Document{Summary: Summary{ID: db.NewID(), Type: in.Type, Title: in.Title, Visibility: in.Visibility, Version: 1,
		CreatedBy: actor.UserID, CreatedAt: now, UpdatedBy: actor.UserID, UpdatedAt: now}, Body: in.Body}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		a, err := s.Workspaces.Access(ctx, tx, ws, actor.UserID)
		if err != nil {
			return err
		}
		if err := a.Require(perm.CreateDocument); err != nil {
			return err
		}
		if in.Project != "" {
			p, err := s.lookupProject(ctx, tx, a.WorkspaceID, in.Project)
			if err != nil {
				return err
			}
			d.projectID, d.Project = p.ID, &p.Key
			if relKey != "" {
				id, ver, err := findReleaseID(ctx, tx, p.ID, relKey)
				if err != nil {
					return err
				}
				d.releaseID, d.Release = id, &ver
			}
		}
		if err := insertDocument(ctx, tx, a.WorkspaceID, d); err != nil {
			return err
		}
		v := Version{VersionSummary: VersionSummary{Version: 1, Title: d.Title, AuthorID: actor.UserID, CreatedAt: now}, Body: d.Body}
		if err := insertVersion(ctx, tx, d.ID, v); err != nil {
			return err
		}
		if err := search.Put(ctx, tx, d.searchEntry(a.WorkspaceID), now); err != nil {
			return err
		}
		return s.changed(ctx, tx, actor, now, audit.Entry{WorkspaceID: a.WorkspaceID, Action: "document.create", TargetType: "document",
			TargetID: d.ID, TargetLabel: auditLabel(d.Type, d.Title)})
	})
	if err != nil {
		return Document{}, err
	}
	return d, nil
}

// List returns a page of the documents the caller may see, most recently
// updated first, optionally of one type or project.
func (s *Service) List(ctx context.Context, userID, ws string, f ListFilter) (Page, error) {
	if f.Type != "" && !f.Type.Valid() {
		return Page{}, apperr.Fields(map[string]string{"type": "must be one of " + typeList})
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var page Page
	err := s.DB.ReadTx(ctx, func(q db.Querier) error {
		a, err := s.Workspaces.Access(ctx, q, ws, userID)
		if err != nil {
			return err
		}
		var projectID, releaseID string
		if f.Project != "" {
			p, err := s.lookupProject(ctx, q, a.WorkspaceID, f.Project)
			if err != nil {
				return err
			}
			projectID = p.ID
			if f.Release != "" {
				v, err := release.ParseVersion(f.Release)
				if err != nil {
					return apperr.Fields(map[string]string{"release": "must be a release version (SemVer)"})
				}
				if releaseID, _, err = findReleaseID(ctx, q, p.ID, v.Key()); err != nil {
					return err
				}
			}
		} else if f.Release != "" {
			return apperr.Fields(map[string]string{"release": "needs a project"})
		}
		page, err = listDocuments(ctx, q, a, projectID, releaseID, f)
		return err
	})
	return page, err
}

// Get returns a document with the body of its current version.
func (s *Service) Get(ctx context.Context, userID, ws, id string) (Document, error) {
	var d Document
	err := s.DB.ReadTx(ctx, func(q db.Querier) error {
		a, err := s.Workspaces.Access(ctx, q, ws, userID)
		if err != nil {
			return err
		}
		d, err = visible(ctx, q, a, id)
		return err
	})
	return d, err
}

// Versions lists a document's versions without bodies, newest first.
func (s *Service) Versions(ctx context.Context, userID, ws, id string) ([]VersionSummary, error) {
	var out []VersionSummary
	err := s.DB.ReadTx(ctx, func(q db.Querier) error {
		a, err := s.Workspaces.Access(ctx, q, ws, userID)
		if err != nil {
			return err
		}
		if _, err := visible(ctx, q, a, id); err != nil {
			return err
		}
		out, err = listVersions(ctx, q, id)
		return err
	})
	return out, err
}

// Version returns version n of a document with its body.
func (s *Service) Version(ctx context.Context, userID, ws, id string, n int) (Version, error) {
	var v Version
	err := s.DB.ReadTx(ctx, func(q db.Querier) error {
		a, err := s.Workspaces.Access(ctx, q, ws, userID)
		if err != nil {
			return err
		}
		if _, err := visible(ctx, q, a, id); err != nil {
			return err
		}
		v, err = findVersion(ctx, q, id, n)
		return err
	})
	return v, err
}

// Update edits a document. A changed title or body adds a version.
func (s *Service) Update(ctx context.Context, actor audit.Actor, ws, id string, p Patch) (Document, error) {
	if err := p.validate(); err != nil {
		return Document{}, err
	}
	now := s.now()
	var d Document
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		a, err := s.Workspaces.Access(ctx, tx, ws, actor.UserID)
		if err != nil {
			return err
		}
		// Read under the row lock: on PostgreSQL two edits (or an edit and a
		// visibility change) would otherwise both read the old row, and the
		// second write would undo the first.
		if err := lockDocument(ctx, tx, id); err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		if d, err = visible(ctx, tx, a, id); err != nil {
			return err
		}
		if err := a.Require(perm.EditDocument); err != nil {
			return err
		}
		if p.BaseVersion != nil && *p.BaseVersion != d.Version {
			return staleEdit(*p.BaseVersion, d.Version)
		}
		newVersion := (p.Title != nil && *p.Title != d.Title) || (p.Body != nil && *p.Body != d.Body)
		changed := newVersion
		if p.Title != nil {
			d.Title = *p.Title
		}
		if p.Body != nil {
			d.Body = *p.Body
		}
		if p.Type != nil && *p.Type != d.Type {
			d.Type, changed = *p.Type, true
		}
		if p.Visibility != nil && *p.Visibility != d.Visibility {
			if *p.Visibility == VisProject && d.projectID == "" {
				return apperr.Fields(map[string]string{"visibility": "project visibility needs a project"})
			}
			d.Visibility, changed = *p.Visibility, true
		}
		if !changed {
			return nil
		}
		if newVersion {
			d.Version++
			v := Version{VersionSummary: VersionSummary{Version: d.Version, Title: d.Title, AuthorID: actor.UserID, CreatedAt: now}, Body: d.Body}
			if err := insertVersion(ctx, tx, d.ID, v); err != nil {
				return err
			}
			if err := search.Put(ctx, tx, d.searchEntry(a.WorkspaceID), now); err != nil {
				return err
			}
		}
		d.UpdatedBy, d.UpdatedAt = actor.UserID, now
		if err := updateDocument(ctx, tx, d); err != nil {
			return err
		}
		return s.changed(ctx, tx, actor, now, audit.Entry{WorkspaceID: a.WorkspaceID, Action: "document.update", TargetType: "document",
			TargetID: d.ID, TargetLabel: auditLabel(d.Type, d.Title)})
	})
	if err != nil {
		return Document{}, err
	}
	return d, nil
}

// staleEdit refuses an edit that started from an older version: saving it
// would undo what was written since without anyone noticing.
func staleEdit(base, current int) error {
	return &apperr.Error{Code: apperr.Conflict,
		Message: "the document changed since version " + strconv.Itoa(base) + " was opened; it is now at version " + strconv.Itoa(current),
		Fields: map[string]string{"base_version": "the document changed since version " + strconv.Itoa(base) +
			"; the current version is " + strconv.Itoa(current)}}
}

// Delete removes a document, every version and its files for good, in one
// transaction; the files' objects are deleted once it commits. The audit
// event keeps the id, the type and a SHA-256 of the title — never the
// title or the body.
func (s *Service) Delete(ctx context.Context, actor audit.Actor, ws, id string) error {
	now := s.now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		a, err := s.Workspaces.Access(ctx, tx, ws, actor.UserID)
		if err != nil {
			return err
		}
		d, err := visible(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !canDelete(a, d.Summary) {
			return apperr.E(apperr.Forbidden, "only the document's creator or an admin may delete it")
		}
		// Locked first, so an upload finishing now either lands before the
		// keys are read (and goes with them) or finds no document.
		if err := lockDocument(ctx, tx, d.ID); err != nil {
			return err
		}
		keys, err := fileKeys(ctx, tx, d.ID)
		if err != nil {
			return err
		}
		blob.DeleteAfterCommit(tx, s.Blobs, s.Log, keys...)
		if err := deleteDocument(ctx, tx, a.WorkspaceID, d.ID); err != nil {
			return err
		}
		if err := search.Remove(ctx, tx, d.ID); err != nil {
			return err
		}
		return s.changed(ctx, tx, actor, now, audit.Entry{WorkspaceID: a.WorkspaceID, Action: "document.delete", TargetType: "document",
			TargetID: d.ID, TargetLabel: auditLabel(d.Type, d.Title)})
	})
}

// Compare returns versions from and to of a document (for a diff), read in
// one transaction.
func (s *Service) Compare(ctx context.Context, userID, ws, id string, from, to int) (Version, Version, error) {
	var a, b Version
	err := s.DB.ReadTx(ctx, func(q db.Querier) error {
		acc, err := s.Workspaces.Access(ctx, q, ws, userID)
		if err != nil {
			return err
		}
		if _, err := visible(ctx, q, acc, id); err != nil {
			return err
		}
		if a, err = findVersion(ctx, q, id, from); err != nil {
			return err
		}
		b, err = findVersion(ctx, q, id, to)
		return err
	})
	return a, b, err
}
