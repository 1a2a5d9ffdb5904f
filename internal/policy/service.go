package policy

import (
	"context"
	"strconv"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/db"
)

// Service is the policy domain's transaction and permission boundary.
type Service struct {
	DB  *db.DB
	Now func() time.Time
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// Current is the policy in force (public).
func (s *Service) Current(ctx context.Context) (Policy, error) { return latest(ctx, s.DB) }

// Version is one published version (public); 0 is the built-in policy.
func (s *Service) Version(ctx context.Context, version int) (Policy, error) {
	return find(ctx, s.DB, version)
}

// History lists the published versions, newest first (public).
func (s *Service) History(ctx context.Context) ([]Summary, error) { return list(ctx, s.DB) }

// Publish adds a version (site admins). A material version asks everyone
// who joined before it to acknowledge it.
func (s *Service) Publish(ctx context.Context, actor audit.Actor, siteAdmin bool, in PublishInput) (Policy, error) {
	if !siteAdmin {
		return Policy{}, apperr.NotFoundf("not found")
	}
	if err := in.validate(); err != nil {
		return Policy{}, err
	}
	now := s.now()
	var p Policy
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		cur, err := latest(ctx, tx)
		if err != nil {
			return err
		}
		p = Policy{Version: cur.Version + 1, Body: in.Body, Changelog: in.Changelog, Material: in.Material, PublishedAt: now, PublishedBy: actor.UserID}
		if err := insert(ctx, tx, p); err != nil {
			return err
		}
		kind := "minor"
		if p.Material {
			kind = "material"
		}
		return audit.Record(ctx, tx, actor, now, audit.Entry{Action: "policy.publish", TargetType: "policy", TargetID: strconv.Itoa(p.Version),
			TargetLabel: "version " + strconv.Itoa(p.Version) + " (" + kind + ")"})
	})
	return p, err
}

// Status says whether the caller has a material change to acknowledge.
func (s *Service) Status(ctx context.Context, userID string, joinedAt time.Time) (Status, error) {
	return status(ctx, s.DB, userID, joinedAt)
}

// Accept records that the caller acknowledged a version: it must be the
// current one (acknowledging it covers every earlier version).
func (s *Service) Accept(ctx context.Context, actor audit.Actor, in AcceptInput) (Status, error) {
	now := s.now()
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		cur, err := latest(ctx, tx)
		if err != nil {
			return err
		}
		if in.Version != cur.Version || cur.Version == 0 {
			return apperr.Fields(map[string]string{"version": "must be the current version (" + strconv.Itoa(cur.Version) + ")"})
		}
		added, err := accept(ctx, tx, actor.UserID, in.Version, now)
		if err != nil || !added {
			return err
		}
		return audit.Record(ctx, tx, actor, now, audit.Entry{Action: "policy.accept", TargetType: "policy", TargetID: strconv.Itoa(in.Version),
			TargetLabel: "version " + strconv.Itoa(in.Version)})
	})
	if err != nil {
		return Status{}, err
	}
	return Status{Current: in.Version}, nil
}
