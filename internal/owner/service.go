package owner

import (
	"context"
	"fmt"
	"sort"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/db"
	"shipshape/internal/perm"
	"shipshape/internal/workspace"
)

// Workspaces resolves a caller's access to a workspace.
type Workspaces interface {
	Access(ctx context.Context, q db.Querier, slug, userID string) (workspace.Access, error)
}

// Service is the ownership domain's transaction and permission boundary.
type Service struct {
	DB         *db.DB
	Now        func() time.Time
	Workspaces Workspaces
	// Documents is the document domain's visibility rule (doc.Visible).
	Documents DocumentFilter
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// lock serialises ownership writes of one workspace (Set and Transfer
// read, decide and write the same rows).
func lock(ctx context.Context, tx *db.Tx, wsID string) error { return tx.Lock(ctx, "owners:"+wsID) }

// auditLabel describes one ownership without personal data: the owner is
// named by kind and id; readers resolve names.
func auditLabel(t Target, r row) string {
	what := t.Label
	if t.Type == Document {
		what = "document" // titles stay out of the trail, which outlives a hard delete; the target id names it
	}
	return fmt.Sprintf("%s owner of %s: %s %s", r.Role, what, r.Kind, r.OwnerID)
}

func (s *Service) record(ctx context.Context, tx *db.Tx, actor audit.Actor, at time.Time, wsID, action string, t Target, r row) error {
	return audit.Record(ctx, tx, actor, at, audit.Entry{WorkspaceID: wsID, Action: action,
		TargetType: string(t.Type), TargetID: t.ID, TargetLabel: auditLabel(t, r)})
}

// Set replaces the owners of one target atomically and returns them.
func (s *Service) Set(ctx context.Context, actor audit.Actor, ws string, in SetInput) (TargetOwners, error) {
	if err := in.validate(); err != nil {
		return TargetOwners{}, err
	}
	var out TargetOwners
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		a, err := s.Workspaces.Access(ctx, tx, ws, actor.UserID)
		if err != nil {
			return err
		}
		t, err := findTarget(ctx, tx, a, s.Documents, in.Target)
		if err != nil {
			return err
		}
		if err := a.Require(perm.AssignOwners); err != nil {
			return err
		}
		if err := lock(ctx, tx, a.WorkspaceID); err != nil {
			return err
		}
		v := apperr.Validator{}
		accountable := 0
		for i, o := range in.Owners {
			ok, err := checkOwner(ctx, tx, a.WorkspaceID, OwnerRef{o.Kind, o.ID})
			if err != nil {
				return err
			}
			msg := "is not a member of this workspace"
			if o.Kind == Team {
				msg = "is not a team of this workspace"
			}
			v.Check(ok, fmt.Sprintf("owners[%d].id", i), msg)
			if o.Role == Accountable {
				accountable++
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		pol, err := readPolicy(ctx, tx, a.WorkspaceID)
		if err != nil {
			return err
		}
		if pol.RequireAccountable && accountable != 1 {
			return apperr.Fields(map[string]string{"owners": fmt.Sprintf("this workspace requires exactly one accountable owner (got %d)", accountable)})
		}
		cur, err := listRows(ctx, tx, `workspace_id = ? AND target_type = ? AND target_id = ?`, a.WorkspaceID, t.Type, t.ID)
		if err != nil {
			return err
		}
		want := map[Assignment]bool{}
		for _, o := range in.Owners {
			want[o] = true
		}
		have := map[Assignment]bool{}
		now := s.now()
		changed := false
		for _, r := range cur {
			have[r.assignment()] = true
			if want[r.assignment()] {
				continue
			}
			if err := deleteRow(ctx, tx, a.WorkspaceID, r); err != nil {
				return err
			}
			if err := s.record(ctx, tx, actor, now, a.WorkspaceID, "ownership.unassign", t, r); err != nil {
				return err
			}
			changed = true
		}
		for _, o := range in.Owners {
			if have[o] {
				continue
			}
			r := row{TargetType: t.Type, TargetID: t.ID, Role: o.Role, Kind: o.Kind, OwnerID: o.ID}
			if err := insertRow(ctx, tx, a.WorkspaceID, r, actor.UserID, now); err != nil {
				return err
			}
			if err := s.record(ctx, tx, actor, now, a.WorkspaceID, "ownership.assign", t, r); err != nil {
				return err
			}
			changed = true
		}
		if changed {
			if err := workspace.BumpDataVersion(ctx, tx, a.WorkspaceID); err != nil {
				return err
			}
		}
		out, err = targetOwners(ctx, tx, a.WorkspaceID, t)
		return err
	})
	return out, err
}

func targetOwners(ctx context.Context, q db.Querier, wsID string, t Target) (TargetOwners, error) {
	rows, err := listRows(ctx, q, `workspace_id = ? AND target_type = ? AND target_id = ?`, wsID, t.Type, t.ID)
	if err != nil {
		return TargetOwners{}, err
	}
	dir, err := loadDirectory(ctx, q, wsID)
	if err != nil {
		return TargetOwners{}, err
	}
	out := TargetOwners{Target: t, Owners: []Owner{}}
	for _, r := range rows {
		o, _ := dir.resolve(r)
		out.Owners = append(out.Owners, o)
	}
	sortOwners(out.Owners)
	return out, nil
}

func sortOwners(os []Owner) {
	sort.Slice(os, func(i, j int) bool {
		a, b := os[i], os[j]
		if a.Role != b.Role {
			return a.Role.order() < b.Role.order()
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind // team before user
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.ID < b.ID
	})
}

// Get returns the owners of one target (any member).
func (s *Service) Get(ctx context.Context, userID, ws string, ref TargetRef) (TargetOwners, error) {
	if !ref.Type.Valid() {
		return TargetOwners{}, apperr.Fields(map[string]string{"target.type": "must be project, component, release or document (requirement owners are not available yet)"})
	}
	var out TargetOwners
	err := s.DB.ReadTx(ctx, func(q db.Querier) error {
		a, err := s.Workspaces.Access(ctx, q, ws, userID)
		if err != nil {
			return err
		}
		t, err := findTarget(ctx, q, a, s.Documents, ref)
		if err != nil {
			return err
		}
		out, err = targetOwners(ctx, q, a.WorkspaceID, t)
		return err
	})
	return out, err
}

// Count is how many targets ownerID owns directly in the workspace — the
// number of items Map(…, ownerID) lists, without building the map.
func (s *Service) Count(ctx context.Context, userID, ws, ownerID string) (int, error) {
	a, err := s.Workspaces.Access(ctx, s.DB, ws, userID)
	if err != nil {
		return 0, err
	}
	counts, err := countOwnedByOwner(ctx, s.DB, a.WorkspaceID)
	return counts[ownerID], err
}

// Counts is, per member or team id, how many targets it owns directly in
// the workspace (what Count says for one) — for the members page.
func (s *Service) Counts(ctx context.Context, userID, ws string) (map[string]int, error) {
	a, err := s.Workspaces.Access(ctx, s.DB, ws, userID)
	if err != nil {
		return nil, err
	}
	return countOwnedByOwner(ctx, s.DB, a.WorkspaceID)
}

// Map returns the workspace's ownership map: every target with owners,
// targets without a working accountable owner, and gaps. With ownerID
// set, only what that user or team owns (items and gaps; unowned is empty).
func (s *Service) Map(ctx context.Context, userID, ws, ownerID string) (Map, error) {
	if len(ownerID) > maxID {
		return Map{}, apperr.Fields(map[string]string{"owner": "must be a user id or a team id"})
	}
	m := Map{Items: []TargetOwners{}, Unowned: []Target{}, Gaps: []Gap{}}
	err := s.DB.ReadTx(ctx, func(q db.Querier) error {
		a, err := s.Workspaces.Access(ctx, q, ws, userID)
		if err != nil {
			return err
		}
		if err := a.Require(perm.ViewWorkspace); err != nil {
			return err
		}
		targets, err := allTargets(ctx, q, a, s.Documents)
		if err != nil {
			return err
		}
		rows, err := listRows(ctx, q, `workspace_id = ?`, a.WorkspaceID)
		if err != nil {
			return err
		}
		dir, err := loadDirectory(ctx, q, a.WorkspaceID)
		if err != nil {
			return err
		}
		type key struct {
			t  TargetType
			id string
		}
		byTarget := map[key][]row{}
		for _, r := range rows {
			k := key{r.TargetType, r.TargetID}
			byTarget[k] = append(byTarget[k], r)
		}
		sort.SliceStable(targets, func(i, j int) bool {
			if targets[i].Type != targets[j].Type {
				return targets[i].Type.order() < targets[j].Type.order()
			}
			return targets[i].Label < targets[j].Label
		})
		// Rows of deleted targets never match a live target: ignored.
		for _, t := range targets {
			rs := byTarget[key{t.Type, t.ID}]
			item := TargetOwners{Target: t, Owners: []Owner{}}
			var gaps []Gap
			accountable, mine := false, false
			for _, r := range rs {
				o, problem := dir.resolve(r)
				item.Owners = append(item.Owners, o)
				if ownerID == "" || r.OwnerID == ownerID {
					mine = true
					if problem != "" {
						gaps = append(gaps, Gap{Target: t, Owner: o, Problem: problem})
					}
				}
				if problem == "" && r.Role == Accountable {
					accountable = true
				}
			}
			if ownerID == "" && !accountable && t.Type != Document {
				m.Unowned = append(m.Unowned, t)
			}
			if !mine || len(item.Owners) == 0 {
				continue
			}
			sortOwners(item.Owners)
			m.Items = append(m.Items, item)
			m.Gaps = append(m.Gaps, gaps...)
		}
		return nil
	})
	return m, err
}

// Transfer moves every ownership of one person (a member or someone who
// left) to another member or a team, atomically; nothing changes when any
// part fails.
func (s *Service) Transfer(ctx context.Context, actor audit.Actor, ws string, in TransferInput) (TransferResult, error) {
	if err := in.validate(); err != nil {
		return TransferResult{}, err
	}
	var res TransferResult
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		a, err := s.Workspaces.Access(ctx, tx, ws, actor.UserID)
		if err != nil {
			return err
		}
		if err := a.Require(perm.ManageOwnership); err != nil {
			return err
		}
		if err := lock(ctx, tx, a.WorkspaceID); err != nil {
			return err
		}
		ok, err := checkOwner(ctx, tx, a.WorkspaceID, in.To)
		if err != nil {
			return err
		}
		if !ok {
			msg := "is not a member of this workspace"
			if in.To.Kind == Team {
				msg = "is not a team of this workspace"
			}
			return apperr.Fields(map[string]string{"to.id": msg})
		}
		rows, err := listRows(ctx, tx, `workspace_id = ? AND owner_kind = 'user' AND owner_id = ?`, a.WorkspaceID, in.FromUser)
		if err != nil {
			return err
		}
		targets, err := allTargets(ctx, tx, a, s.Documents)
		if err != nil {
			return err
		}
		live := map[[2]string]Target{}
		for _, t := range targets {
			live[[2]string{string(t.Type), t.ID}] = t
		}
		now := s.now()
		for _, r := range rows {
			if err := deleteRow(ctx, tx, a.WorkspaceID, r); err != nil {
				return err
			}
			t, ok := live[[2]string{string(r.TargetType), r.TargetID}]
			if !ok {
				continue // the target is gone: drop the stale row
			}
			to := row{TargetType: r.TargetType, TargetID: r.TargetID, Role: r.Role, Kind: in.To.Kind, OwnerID: in.To.ID}
			if err := insertRow(ctx, tx, a.WorkspaceID, to, actor.UserID, now); err != nil {
				return err
			}
			if err := s.record(ctx, tx, actor, now, a.WorkspaceID, "ownership.unassign", t, r); err != nil {
				return err
			}
			if err := s.record(ctx, tx, actor, now, a.WorkspaceID, "ownership.assign", t, to); err != nil {
				return err
			}
			res.Moved++
		}
		if len(rows) > 0 {
			return workspace.BumpDataVersion(ctx, tx, a.WorkspaceID)
		}
		return nil
	})
	return res, err
}

// Policy returns the workspace's ownership policy (any member).
func (s *Service) Policy(ctx context.Context, userID, ws string) (Policy, error) {
	a, err := s.Workspaces.Access(ctx, s.DB, ws, userID)
	if err != nil {
		return Policy{}, err
	}
	return readPolicy(ctx, s.DB, a.WorkspaceID)
}

// SetPolicy changes the workspace's ownership policy (admins). It applies
// to later changes; existing gaps show in the ownership map.
func (s *Service) SetPolicy(ctx context.Context, actor audit.Actor, ws string, p Policy) (Policy, error) {
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		a, err := s.Workspaces.Access(ctx, tx, ws, actor.UserID)
		if err != nil {
			return err
		}
		if err := a.Require(perm.ManageOwnership); err != nil {
			return err
		}
		if err := lock(ctx, tx, a.WorkspaceID); err != nil {
			return err
		}
		now := s.now()
		if err := writePolicy(ctx, tx, a.WorkspaceID, p, actor.UserID, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, now, audit.Entry{WorkspaceID: a.WorkspaceID, Action: "ownership.policy",
			TargetType: "workspace", TargetID: a.WorkspaceID, TargetLabel: fmt.Sprintf("require_accountable=%t", p.RequireAccountable)})
	})
	return p, err
}
