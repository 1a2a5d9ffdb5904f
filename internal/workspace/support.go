package workspace

// Support access. The people who operate an instance (site admins) are not
// members of their customers' workspaces and get not_found there, like
// anyone else. A workspace admin may grant them time-limited support
// access: a scope (read: what a viewer sees; member: what a member may do),
// a reason and an expiry at most SupportMaxTTL ahead. While the grant is in
// force, findAccess lets a site admin who is not a member in with the
// grant's role and Access.Support set; it stops matching by itself at
// expires_at (nothing runs) or when revoked.
//
// Every request served under a grant is recorded in the workspace's audit
// chain as support.access. Access is resolved inside read-only
// transactions, so it cannot write there: findAccess notes each support
// access in the request's SupportTrace (TraceSupport), and the API and web
// layers call RecordSupportTrace once per request.

import (
	"context"
	"strings"
	"sync"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/db"
	"shipshape/internal/perm"
	"shipshape/internal/validate"
)

// SupportMaxTTL is the longest a support grant may run.
const SupportMaxTTL = 30 * 24 * time.Hour

// SupportScope is what a grant lets site admins do.
type SupportScope string

const (
	SupportRead   SupportScope = "read"   // view everything a viewer can
	SupportMember SupportScope = "member" // act as a member (no admin rights)
)

// SupportGrant is one grant of support access, active or past.
type SupportGrant struct {
	ID            string       `json:"id"`
	Scope         SupportScope `json:"scope"`
	Reason        string       `json:"reason"`
	GrantedBy     string       `json:"granted_by,omitempty"`
	GrantedByName string       `json:"granted_by_name,omitempty"`
	GrantedAt     time.Time    `json:"granted_at"`
	ExpiresAt     time.Time    `json:"expires_at"`
	RevokedAt     *time.Time   `json:"revoked_at,omitempty"`
	RevokedBy     string       `json:"revoked_by,omitempty"`
	RevokedByName string       `json:"revoked_by_name,omitempty"`
	Active        bool         `json:"active"` // neither revoked nor expired
}

// SupportGrantInput grants support access.
type SupportGrantInput struct {
	Scope     SupportScope `json:"scope"`
	Reason    string       `json:"reason,omitempty"`
	ExpiresAt time.Time    `json:"expires_at"`
}

func (in *SupportGrantInput) validate(now time.Time) error {
	in.Reason = strings.TrimSpace(in.Reason)
	v := apperr.Validator{}
	v.Check(in.Scope.role() != "", "scope", "must be read or member")
	validate.Text(v, "reason", in.Reason, 0, 500)
	switch {
	case in.ExpiresAt.IsZero():
		v.Check(false, "expires_at", "is required")
	case !in.ExpiresAt.After(now):
		v.Check(false, "expires_at", "must be in the future")
	case in.ExpiresAt.After(now.Add(SupportMaxTTL)):
		v.Check(false, "expires_at", "must be at most 30 days ahead")
	}
	return v.Err()
}

// GrantSupport grants the instance's site admins support access to the
// workspace (workspace admins and owners). A grant replaces the one in
// force, if any.
func (s *Service) GrantSupport(ctx context.Context, actor audit.Actor, slug string, in SupportGrantInput) (SupportGrant, error) {
	now := s.Now().UTC().Truncate(time.Microsecond)
	if err := in.validate(now); err != nil {
		return SupportGrant{}, err
	}
	g := SupportGrant{ID: db.NewID(), Scope: in.Scope, Reason: in.Reason, GrantedBy: actor.UserID,
		GrantedAt: now, ExpiresAt: in.ExpiresAt.UTC().Truncate(time.Microsecond), Active: true}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		a, err := s.supportAdmin(ctx, tx, slug, actor.UserID)
		if err != nil {
			return err
		}
		if err := tx.Lock(ctx, "workspace.support:"+a.WorkspaceID); err != nil {
			return err
		}
		active, err := activeSupportGrantIDs(ctx, tx, a.WorkspaceID, now)
		if err != nil {
			return err
		}
		for _, id := range active {
			if err := revokeSupportGrant(ctx, tx, id, actor.UserID, now); err != nil {
				return err
			}
		}
		if err := insertSupportGrant(ctx, tx, a.WorkspaceID, g); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, now, audit.Entry{WorkspaceID: a.WorkspaceID, Action: "support.grant",
			TargetType: "support_grant", TargetID: g.ID, TargetLabel: string(g.Scope) + " until " + g.ExpiresAt.Format(time.RFC3339)})
	})
	if err != nil {
		return SupportGrant{}, err
	}
	return g, nil
}

// RevokeSupport ends the support access in force (workspace admins and
// owners); not_found when there is none.
func (s *Service) RevokeSupport(ctx context.Context, actor audit.Actor, slug string) error {
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		a, err := s.supportAdmin(ctx, tx, slug, actor.UserID)
		if err != nil {
			return err
		}
		if err := tx.Lock(ctx, "workspace.support:"+a.WorkspaceID); err != nil {
			return err
		}
		now := s.Now().UTC().Truncate(time.Microsecond)
		active, err := activeSupportGrantIDs(ctx, tx, a.WorkspaceID, now)
		if err != nil {
			return err
		}
		if len(active) == 0 {
			return apperr.NotFoundf("no support access is in force")
		}
		for _, id := range active {
			if err := revokeSupportGrant(ctx, tx, id, actor.UserID, now); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx, actor, now, audit.Entry{WorkspaceID: a.WorkspaceID, Action: "support.revoke",
				TargetType: "support_grant", TargetID: id}); err != nil {
				return err
			}
		}
		return nil
	})
}

// SupportGrants lists the workspace's grants, newest first (workspace
// admins and owners).
func (s *Service) SupportGrants(ctx context.Context, userID, slug string) ([]SupportGrant, error) {
	a, err := s.supportAdmin(ctx, s.DB, slug, userID)
	if err != nil {
		return nil, err
	}
	return listSupportGrants(ctx, s.DB, a.WorkspaceID, s.Now(), 50)
}

// supportAdmin authorizes grant management: a workspace admin or owner who
// is a member (never someone in through support access themselves).
func (s *Service) supportAdmin(ctx context.Context, q db.Querier, slug, userID string) (Access, error) {
	a, err := s.authorize(ctx, q, slug, userID, perm.GrantSupport)
	if err == nil && a.Support {
		err = apperr.E(apperr.Forbidden, "support access cannot manage support access")
	}
	return a, err
}

// findAccess resolves access at the service's clock.
func (s *Service) findAccess(ctx context.Context, q db.Querier, slug, userID string) (Access, error) {
	return findAccess(ctx, q, slug, userID, s.Now())
}

// SupportTrace collects the workspaces a request reached through support
// access, so that the request can be recorded once it is served.
type SupportTrace struct {
	mu       sync.Mutex
	accesses []Access
	recorded int
}

type supportTraceKey struct{}

// TraceSupport returns ctx carrying a new trace. The API and web layers
// call it for site admins only (nobody else can hold support access).
func TraceSupport(ctx context.Context) (context.Context, *SupportTrace) {
	t := &SupportTrace{}
	return context.WithValue(ctx, supportTraceKey{}, t), t
}

// noteSupport adds a support access to the request's trace, once per
// workspace.
func noteSupport(ctx context.Context, a Access) {
	t, _ := ctx.Value(supportTraceKey{}).(*SupportTrace)
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, seen := range t.accesses {
		if seen.WorkspaceID == a.WorkspaceID {
			return
		}
	}
	t.accesses = append(t.accesses, a)
}

// Used reports whether the request reached any workspace through support access.
func (t *SupportTrace) Used() bool {
	if t == nil {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.accesses) > 0
}

// RecordSupportTrace records support.access for every workspace of the
// trace not yet recorded; what is the request ("GET /w/acme/p/PAY": method
// and path, never a query string or body).
func (s *Service) RecordSupportTrace(ctx context.Context, actor audit.Actor, t *SupportTrace, what string) error {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for t.recorded < len(t.accesses) {
		if err := s.RecordSupportAccess(ctx, actor, t.accesses[t.recorded], what); err != nil {
			return err
		}
		t.recorded++
	}
	return nil
}

// RecordSupportAccess records in the workspace's audit chain that actor
// reached it through support access a to do what. It does nothing for an
// ordinary membership. It records even when the request's context has been
// cancelled (the client went away after being served).
func (s *Service) RecordSupportAccess(ctx context.Context, actor audit.Actor, a Access, what string) error {
	if !a.Support {
		return nil
	}
	ctx = context.WithoutCancel(ctx)
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, actor, s.Now(), audit.Entry{WorkspaceID: a.WorkspaceID, Action: "support.access",
			TargetType: "support_grant", TargetID: a.SupportGrantID, TargetLabel: validate.Clip(what, 300)})
	})
}
