package search

import (
	"context"
	"unicode/utf8"

	"shipshape/internal/apperr"
	"shipshape/internal/db"
	"shipshape/internal/workspace"
)

// Workspaces resolves a caller's access to a workspace.
type Workspaces interface {
	Access(ctx context.Context, q db.Querier, slug, userID string) (workspace.Access, error)
}

// Service answers searches.
type Service struct {
	DB         *db.DB
	Workspaces Workspaces
	// Documents returns the condition on documents (aliased d) that the
	// caller may see: the document domain's rule, in one place.
	Documents func(a workspace.Access, alias string) (string, []any)
}

// MaxQuery is the longest query accepted, in characters.
const MaxQuery = 500

// Search returns up to limit (1–50, default 20) of the caller's best
// matches in a workspace. A query with no words has no results.
func (s *Service) Search(ctx context.Context, userID, ws, q string, limit int) ([]Result, error) {
	if utf8.RuneCountInString(q) > MaxQuery {
		return nil, apperr.Fields(map[string]string{"q": "must be at most 500 characters"})
	}
	if !utf8.ValidString(q) {
		return nil, apperr.Fields(map[string]string{"q": "must be valid UTF-8"})
	}
	if limit <= 0 || limit > 50 {
		limit = 20
	}
	pq := parse(q)
	var out []Result
	err := s.DB.ReadTx(ctx, func(tx db.Querier) error {
		a, err := s.Workspaces.Access(ctx, tx, ws, userID)
		if err != nil {
			return err
		}
		if pq.empty() {
			out = []Result{}
			return nil
		}
		sqlText, args := s.Documents(a, "d")
		out, err = find(ctx, tx, a.WorkspaceID, pq, sqlText, args, limit)
		return err
	})
	return out, err
}
