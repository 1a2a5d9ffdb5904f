package project

import (
	"context"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/db"
	"shipshape/internal/perm"
	"shipshape/internal/search"
	"shipshape/internal/vcache"
	"shipshape/internal/workspace"
)

// Dependent is a domain that keeps data for projects outside the
// database's cascading deletes.
type Dependent interface {
	BeforeProjectDelete(ctx context.Context, tx *db.Tx, projectID string) error
}

// Workspaces resolves a caller's access to a workspace.
type Workspaces interface {
	Access(ctx context.Context, q db.Querier, slug, userID string) (workspace.Access, error)
}

// Service is the project domain's transaction and permission boundary.
type Service struct {
	DB         *db.DB
	Now        func() time.Time
	Workspaces Workspaces
	// Dependents clean up what other domains keep for a project (release
	// files in storage) when it is deleted; app wires them.
	Dependents []Dependent

	lists vcache.Cache[listKey, Page]
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// changed finishes every mutation: the workspace's data version moves (so
// cached lists are dropped) and the audit event is written, both in tx.
func (s *Service) changed(ctx context.Context, tx *db.Tx, actor audit.Actor, at time.Time, e audit.Entry) error {
	if err := workspace.BumpDataVersion(ctx, tx, e.WorkspaceID); err != nil {
		return err
	}
	return audit.Record(ctx, tx, actor, at, e)
}

// Create makes a project.
func (s *Service) Create(ctx context.Context, actor audit.Actor, ws string, in CreateInput) (Project, error) {
	if err := in.validate(); err != nil {
		return Project{}, err
	}
	now := s.now()
	p := Project{ID: db.NewID(), Key: in.Key, Name: in.Name, Description: in.Description, CreatedBy: actor.UserID, CreatedAt: now, UpdatedAt: now}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		a, err := s.Workspaces.Access(ctx, tx, ws, actor.UserID)
		if err != nil {
			return err
		}
		if err := a.Require(perm.CreateProject); err != nil {
			return err
		}
		if err := insertProject(ctx, tx, a.WorkspaceID, p); err != nil {
			return err
		}
		if err := search.Put(ctx, tx, p.searchEntry(a.WorkspaceID), now); err != nil {
			return err
		}
		return s.changed(ctx, tx, actor, now, audit.Entry{WorkspaceID: a.WorkspaceID, Action: "project.create", TargetType: "project", TargetID: p.ID, TargetLabel: p.Key})
	})
	return p, err
}

// Lookup finds a project by key in a workspace the caller has already
// resolved, inside q (other domains call it in their transactions).
func (s *Service) Lookup(ctx context.Context, q db.Querier, workspaceID, key string) (Project, error) {
	return findProject(ctx, q, workspaceID, key)
}

// List returns a page of projects ordered by key. Pages are cached while
// the workspace's data version is unchanged; callers must not modify them.
func (s *Service) List(ctx context.Context, userID, ws string, f ListFilter) (Page, error) {
	a, err := s.Workspaces.Access(ctx, s.DB, ws, userID)
	if err != nil {
		return Page{}, err
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	if len(f.Cursor) > 20 || !keyRE.MatchString(f.Cursor) && f.Cursor != "" { // a cursor is a project key
		return Page{}, apperr.Fields(map[string]string{"cursor": "is not a valid cursor"})
	}
	key := listKey{a.WorkspaceID, f}
	if p, ok := s.lists.Get(key, a.DataVersion); ok {
		return p, nil
	}
	p, err := listProjects(ctx, s.DB, a.WorkspaceID, f)
	if err == nil {
		s.lists.Put(key, a.DataVersion, p, pageSize(key, p))
	}
	return p, err
}

// Get returns a project.
func (s *Service) Get(ctx context.Context, userID, ws, key string) (Project, workspace.Access, error) {
	a, err := s.Workspaces.Access(ctx, s.DB, ws, userID)
	if err != nil {
		return Project{}, a, err
	}
	p, err := findProject(ctx, s.DB, a.WorkspaceID, key)
	return p, a, err
}

// Update edits, archives or unarchives a project.
func (s *Service) Update(ctx context.Context, actor audit.Actor, ws, key string, patch Patch) (Project, error) {
	var p Project
	err := s.projectTx(ctx, actor, ws, key, perm.EditProject, func(tx *db.Tx, a workspace.Access, found Project, now time.Time) error {
		p = found
		if err := patch.apply(&p); err != nil {
			return err
		}
		action := "project.update"
		if patch.Archived != nil && *patch.Archived != p.Archived {
			if err := a.Require(perm.ArchiveProject); err != nil {
				return err
			}
			if *patch.Archived {
				action, p.ArchivedAt = "project.archive", &now
			} else {
				action, p.ArchivedAt = "project.unarchive", nil
			}
			p.Archived = *patch.Archived
		}
		p.UpdatedAt = now
		if err := updateProject(ctx, tx, p); err != nil {
			return err
		}
		if err := search.Put(ctx, tx, p.searchEntry(a.WorkspaceID), now); err != nil {
			return err
		}
		return s.changed(ctx, tx, actor, now, audit.Entry{WorkspaceID: a.WorkspaceID, Action: action, TargetType: "project", TargetID: p.ID, TargetLabel: p.Key})
	})
	return p, err
}

// Delete removes a project and its components for good.
func (s *Service) Delete(ctx context.Context, actor audit.Actor, ws, key string) error {
	return s.projectTx(ctx, actor, ws, key, perm.DeleteProject, func(tx *db.Tx, a workspace.Access, p Project, now time.Time) error {
		for _, d := range s.Dependents {
			if err := d.BeforeProjectDelete(ctx, tx, p.ID); err != nil {
				return err
			}
		}
		// Search entries of the project and of everything in it go by cascade.
		if _, err := tx.Exec(ctx, `DELETE FROM projects WHERE id = ?`, p.ID); err != nil {
			return err
		}
		return s.changed(ctx, tx, actor, now, audit.Entry{WorkspaceID: a.WorkspaceID, Action: "project.delete", TargetType: "project", TargetID: p.ID, TargetLabel: p.Key})
	})
}

// Components lists a project's components.
func (s *Service) Components(ctx context.Context, userID, ws, key string) ([]Component, error) {
	a, err := s.Workspaces.Access(ctx, s.DB, ws, userID)
	if err != nil {
		return nil, err
	}
	p, err := findProject(ctx, s.DB, a.WorkspaceID, key)
	if err != nil {
		return nil, err
	}
	return listComponents(ctx, s.DB, p.ID)
}

// Component returns one component.
func (s *Service) Component(ctx context.Context, userID, ws, key, slug string) (Component, error) {
	a, err := s.Workspaces.Access(ctx, s.DB, ws, userID)
	if err != nil {
		return Component{}, err
	}
	p, err := findProject(ctx, s.DB, a.WorkspaceID, key)
	if err != nil {
		return Component{}, err
	}
	return findComponent(ctx, s.DB, p.ID, slug)
}

// projectTx runs a mutation of project key in a write transaction: the
// caller must be a member (else not_found), the project must exist (else
// not_found) and the caller's role must allow action (else forbidden).
func (s *Service) projectTx(ctx context.Context, actor audit.Actor, ws, key string, action perm.Action,
	fn func(tx *db.Tx, a workspace.Access, p Project, now time.Time) error) error {
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		a, err := s.Workspaces.Access(ctx, tx, ws, actor.UserID)
		if err != nil {
			return err
		}
		p, err := findProject(ctx, tx, a.WorkspaceID, key)
		if err != nil {
			return err
		}
		if err := a.Require(action); err != nil {
			return err
		}
		return fn(tx, a, p, s.now())
	})
}

// CreateComponent adds a component to a project.
func (s *Service) CreateComponent(ctx context.Context, actor audit.Actor, ws, key string, in ComponentInput) (Component, error) {
	if err := in.validate(); err != nil {
		return Component{}, err
	}
	var c Component
	err := s.projectTx(ctx, actor, ws, key, perm.EditProject, func(tx *db.Tx, a workspace.Access, p Project, now time.Time) error {
		c = Component{ID: db.NewID(), Slug: in.Slug, Name: in.Name, Description: in.Description, CreatedAt: now, UpdatedAt: now}
		if _, err := tx.Exec(ctx, `INSERT INTO components (id, project_id, slug, name, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			c.ID, p.ID, c.Slug, c.Name, c.Description, now, now); err != nil {
			return db.Conflict(err, "slug", "is already used by another component of this project")
		}
		return s.changed(ctx, tx, actor, now, audit.Entry{WorkspaceID: a.WorkspaceID, Action: "component.create", TargetType: "component", TargetID: c.ID, TargetLabel: p.Key + "/" + c.Slug})
	})
	return c, err
}

// UpdateComponent edits a component.
func (s *Service) UpdateComponent(ctx context.Context, actor audit.Actor, ws, key, slug string, patch ComponentPatch) (Component, error) {
	var c Component
	err := s.projectTx(ctx, actor, ws, key, perm.EditProject, func(tx *db.Tx, a workspace.Access, p Project, now time.Time) error {
		var err error
		if c, err = findComponent(ctx, tx, p.ID, slug); err != nil {
			return err
		}
		if err := patch.apply(&c); err != nil {
			return err
		}
		c.UpdatedAt = now
		if _, err := tx.Exec(ctx, `UPDATE components SET name = ?, description = ?, updated_at = ? WHERE id = ?`, c.Name, c.Description, now, c.ID); err != nil {
			return err
		}
		return s.changed(ctx, tx, actor, now, audit.Entry{WorkspaceID: a.WorkspaceID, Action: "component.update", TargetType: "component", TargetID: c.ID, TargetLabel: p.Key + "/" + c.Slug})
	})
	return c, err
}

// DeleteComponent removes a component.
func (s *Service) DeleteComponent(ctx context.Context, actor audit.Actor, ws, key, slug string) error {
	return s.projectTx(ctx, actor, ws, key, perm.EditProject, func(tx *db.Tx, a workspace.Access, p Project, now time.Time) error {
		c, err := findComponent(ctx, tx, p.ID, slug)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM components WHERE id = ?`, c.ID); err != nil {
			return err
		}
		return s.changed(ctx, tx, actor, now, audit.Entry{WorkspaceID: a.WorkspaceID, Action: "component.delete", TargetType: "component", TargetID: c.ID, TargetLabel: p.Key + "/" + c.Slug})
	})
}
