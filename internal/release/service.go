package release

import (
	"context"
	"log/slog"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/blob"
	"shipshape/internal/db"
	"shipshape/internal/perm"
	"shipshape/internal/project"
	"shipshape/internal/search"
	"shipshape/internal/vcache"
	"shipshape/internal/workspace"
)

// Workspaces resolves a caller's access to a workspace.
type Workspaces interface {
	Access(ctx context.Context, q db.Querier, slug, userID string) (workspace.Access, error)
}

// Service is the release domain's transaction and permission boundary.
type Service struct {
	DB         *db.DB
	Now        func() time.Time
	Workspaces Workspaces
	Projects   Projects

	lists vcache.Cache[listKey, Page] // pages valid for the workspace data version
	// Blobs holds release files; MaxUpload is the largest file in bytes
	// (4 GiB when 0). Log reports objects that could not be deleted.
	Blobs     blob.Store
	MaxUpload int64
	Log       *slog.Logger
	// Documents is the document domain's visibility rule (doc.Visible):
	// release notes list only the documents their reader may see.
	Documents func(a workspace.Access, alias string) (string, []any)
}

// Projects finds the project a release belongs to.
type Projects interface {
	Lookup(ctx context.Context, q db.Querier, workspaceID, key string) (project.Project, error)
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// changed finishes every mutation: the workspace's data version moves (so
// caches of its project data are dropped) and the audit event is written,
// both in tx.
func (s *Service) changed(ctx context.Context, tx *db.Tx, actor audit.Actor, at time.Time, e audit.Entry) error {
	if err := workspace.BumpDataVersion(ctx, tx, e.WorkspaceID); err != nil {
		return err
	}
	return audit.Record(ctx, tx, actor, at, e)
}

// finish fills in what is computed rather than stored.
func (s *Service) finish(r *Release, now time.Time) {
	r.Overdue = r.TargetDate != nil && r.Status.open() && r.TargetDate.before(now)
	if r.Owners == nil {
		r.Owners = []Owner{}
	}
}

func label(p project.Project, r Release) string { return p.Key + " " + r.Version }

// keyOf turns a version from a URL into the release's key; a version that
// does not parse names no release.
func keyOf(version string) (string, error) {
	v, err := ParseVersion(version)
	if err != nil {
		return "", apperr.NotFoundf("release not found")
	}
	return v.Key(), nil
}

// resolve reads the caller's access and the project inside q.
func (s *Service) resolve(ctx context.Context, q db.Querier, userID, ws, key string) (workspace.Access, project.Project, error) {
	a, err := s.Workspaces.Access(ctx, q, ws, userID)
	if err != nil {
		return a, project.Project{}, err
	}
	p, err := s.Projects.Lookup(ctx, q, a.WorkspaceID, key)
	return a, p, err
}

// Create makes a planned release of project key.
func (s *Service) Create(ctx context.Context, actor audit.Actor, ws, key string, in CreateInput) (Release, error) {
	ver, td, err := in.validate()
	if err != nil {
		return Release{}, err
	}
	now := s.now()
	r := Release{ID: db.NewID(), Version: in.Version, Name: in.Name, Description: in.Description, Status: Planned,
		TargetDate: td, CreatedBy: actor.UserID, CreatedAt: now, UpdatedAt: now, key: ver.Key()}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		a, p, err := s.resolve(ctx, tx, actor.UserID, ws, key)
		if err != nil {
			return err
		}
		if err := a.Require(perm.CreateRelease); err != nil {
			return err
		}
		if p.Archived {
			return apperr.E(apperr.Conflict, "project %s is archived; unarchive it to plan releases", p.Key)
		}
		r.projectID = p.ID
		if err := insertRelease(ctx, tx, r); err != nil {
			return err
		}
		if err := search.Put(ctx, tx, r.searchEntry(a.WorkspaceID, p), now); err != nil {
			return err
		}
		return s.changed(ctx, tx, actor, now, audit.Entry{WorkspaceID: a.WorkspaceID, Action: "release.create", TargetType: "release", TargetID: r.ID, TargetLabel: label(p, r)})
	})
	s.finish(&r, now)
	return r, err
}

// List returns a page of a project's releases, newest version first by
// SemVer precedence, optionally only those in one status.
func (s *Service) List(ctx context.Context, userID, ws, key string, f ListFilter) (Page, error) {
	if f.Status != "" && !f.Status.Valid() {
		return Page{}, apperr.Fields(map[string]string{"status": "must be one of planned, in_progress, in_review, released, cancelled, rolled_back"})
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	a, p, err := s.resolve(ctx, s.DB, userID, ws, key)
	if err != nil {
		return Page{}, err
	}
	// Every release change bumps the workspace data version (s.changed), so
	// a page cached at the version just read is current.
	k := listKey{p.ID, f}
	page, ok := s.lists.Get(k, a.DataVersion)
	if !ok {
		if page, err = listReleases(ctx, s.DB, p.ID, f); err != nil {
			return Page{}, err
		}
		// Ownership changes bump the data version too: owners may be cached.
		if err := loadOwners(ctx, s.DB, page.Items); err != nil {
			return Page{}, err
		}
		size := 256 + len(f.Cursor)
		for _, r := range page.Items {
			size += 512 + len(r.Name) + len(r.Description)
		}
		s.lists.Put(k, a.DataVersion, page, size)
	}
	// Overdue depends on today: finish a copy, never the cached page.
	out := Page{Items: make([]Release, len(page.Items)), NextCursor: page.NextCursor}
	copy(out.Items, page.Items)
	now := s.now()
	for i := range out.Items {
		s.finish(&out.Items[i], now)
	}
	return out, nil
}

// listKey names one cached page of a project's releases.
type listKey struct {
	projectID string
	filter    ListFilter
}

// Get returns one release. version may carry build metadata; releases are
// found by precedence, so 1.0.0 and 1.0.0+abc name the same release.
func (s *Service) Get(ctx context.Context, userID, ws, key, version string) (Release, error) {
	_, _, r, err := s.find(ctx, s.DB, userID, ws, key, version)
	s.finish(&r, s.now())
	return r, err
}

// Transitions lists a release's status history, oldest first.
func (s *Service) Transitions(ctx context.Context, userID, ws, key, version string) ([]Transition, error) {
	_, _, r, err := s.find(ctx, s.DB, userID, ws, key, version)
	if err != nil {
		return nil, err
	}
	return listTransitions(ctx, s.DB, r.ID)
}

// find resolves the caller's access, the project and the release named by
// version, inside q.
func (s *Service) find(ctx context.Context, q db.Querier, userID, ws, key, version string) (workspace.Access, project.Project, Release, error) {
	vk, err := keyOf(version)
	if err != nil {
		return workspace.Access{}, project.Project{}, Release{}, err
	}
	a, p, err := s.resolve(ctx, q, userID, ws, key)
	if err != nil {
		return a, p, Release{}, err
	}
	r, err := findRelease(ctx, q, p.ID, vk)
	if err != nil {
		return a, p, r, err
	}
	rs := []Release{r}
	err = loadOwners(ctx, q, rs)
	return a, p, rs[0], err
}

// mutate resolves access, the project and the release for a change and
// checks action.
func (s *Service) mutate(ctx context.Context, actor audit.Actor, ws, key, version string, action perm.Action,
	fn func(tx *db.Tx, a workspace.Access, p project.Project, r *Release, now time.Time) error) (Release, error) {
	var r Release
	now := s.now()
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		a, p, found, err := s.find(ctx, tx, actor.UserID, ws, key, version)
		if err != nil {
			return err
		}
		r = found
		if err := a.Require(action); err != nil {
			return err
		}
		return fn(tx, a, p, &r, now)
	})
	s.finish(&r, now)
	return r, err
}

// Update edits a release's name, description and target date.
func (s *Service) Update(ctx context.Context, actor audit.Actor, ws, key, version string, patch Patch) (Release, error) {
	return s.mutate(ctx, actor, ws, key, version, perm.EditRelease, func(tx *db.Tx, a workspace.Access, p project.Project, r *Release, now time.Time) error {
		if err := patch.apply(r); err != nil {
			return err
		}
		r.UpdatedAt = now
		if err := updateRelease(ctx, tx, *r); err != nil {
			return err
		}
		if err := search.Put(ctx, tx, r.searchEntry(a.WorkspaceID, p), now); err != nil {
			return err
		}
		return s.changed(ctx, tx, actor, now, audit.Entry{WorkspaceID: a.WorkspaceID, Action: "release.update", TargetType: "release", TargetID: r.ID, TargetLabel: label(p, *r)})
	})
}

// Transition moves a release to another status if the lifecycle allows it,
// recording the change in the release's history and the audit trail.
// Moving to cancelled or rolled_back needs a reason.
func (s *Service) Transition(ctx context.Context, actor audit.Actor, ws, key, version string, in TransitionInput) (Release, error) {
	if err := in.validate(); err != nil {
		return Release{}, err
	}
	return s.mutate(ctx, actor, ws, key, version, perm.MoveRelease, func(tx *db.Tx, a workspace.Access, p project.Project, r *Release, now time.Time) error {
		from := r.Status
		if !CanMove(from, in.To) {
			return refused(from, in.To)
		}
		r.Status, r.UpdatedAt = in.To, now
		if in.To == Released {
			r.ReleasedAt = &now
		}
		moved, err := moveRelease(ctx, tx, *r, from)
		if err != nil {
			return err
		}
		if !moved { // another transition got there first
			cur, err := findRelease(ctx, tx, p.ID, r.key)
			if err != nil {
				return err
			}
			return refused(cur.Status, in.To)
		}
		t := Transition{ID: db.NewID(), From: from, To: in.To, Reason: in.Reason, ActorID: actor.UserID, At: now}
		if err := insertTransition(ctx, tx, r.ID, t); err != nil {
			return err
		}
		if in.To == Released { // freeze the evidence in this transaction (see evidence.go)
			ref, err := s.freezeEvidence(ctx, tx, actor, a, p, *r, now)
			if err != nil {
				return err
			}
			r.Evidence = &ref
		}
		return s.changed(ctx, tx, actor, now, audit.Entry{WorkspaceID: a.WorkspaceID, Action: "release.transition", TargetType: "release", TargetID: r.ID,
			TargetLabel: label(p, *r) + " → " + string(in.To)})
	})
}

// refused is the conflict for a move the lifecycle does not allow; it
// names the statuses that are allowed.
func refused(from, to Status) error {
	allowed := joinStatuses(Next(from))
	msg := "cannot move from " + string(from) + " to " + string(to) + "; allowed: " + allowed
	if from == to {
		msg = "the release is already " + string(from) + "; allowed: " + allowed
	}
	return &apperr.Error{Code: apperr.Conflict, Message: msg, Fields: map[string]string{"to": "allowed from " + string(from) + ": " + allowed}}
}

// Delete removes a release, its history and its files for good; the
// files' objects are deleted after the commit.
func (s *Service) Delete(ctx context.Context, actor audit.Actor, ws, key, version string) error {
	_, err := s.mutate(ctx, actor, ws, key, version, perm.DeleteRelease, func(tx *db.Tx, a workspace.Access, p project.Project, r *Release, now time.Time) error {
		if r.ReleasedAt != nil {
			// What shipped stays on record: its evidence snapshot must outlive
			// second thoughts. Roll it back instead.
			return apperr.E(apperr.Conflict, "release %s shipped and keeps its record; roll it back instead of deleting it", r.Version)
		}
		keys, err := fileKeys(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		blob.DeleteAfterCommit(tx, s.Blobs, s.Log, keys...)
		if _, err := tx.Exec(ctx, `DELETE FROM releases WHERE id = ?`, r.ID); err != nil {
			return err
		}
		if err := search.Remove(ctx, tx, r.ID); err != nil {
			return err
		}
		return s.changed(ctx, tx, actor, now, audit.Entry{WorkspaceID: a.WorkspaceID, Action: "release.delete", TargetType: "release", TargetID: r.ID, TargetLabel: label(p, *r)})
	})
	return err
}
