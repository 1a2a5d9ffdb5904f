package search

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shipshape/internal/db"
)

// Put writes (or rewrites) the entry of one object, in the caller's
// transaction.
func Put(ctx context.Context, tx *db.Tx, e Entry, at time.Time) error {
	var project any
	if e.ProjectID != "" {
		project = e.ProjectID
	}
	_, err := tx.Exec(ctx, `INSERT INTO search_entries (workspace_id, project_id, kind, object_id, title, body, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (object_id) DO UPDATE SET project_id = excluded.project_id, title = excluded.title,
			body = excluded.body, updated_at = excluded.updated_at`,
		e.WorkspaceID, project, string(e.Kind), e.ObjectID, e.Title, e.Body, at)
	if err != nil {
		return fmt.Errorf("search: put %s %s: %w", e.Kind, e.ObjectID, err)
	}
	return nil
}

// Remove deletes the entry of one object, in the caller's transaction.
// Entries of a deleted project (and of its releases and documents) or
// workspace go with it by cascade.
func Remove(ctx context.Context, tx *db.Tx, objectID string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM search_entries WHERE object_id = ?`, objectID); err != nil {
		return fmt.Errorf("search: remove %s: %w", objectID, err)
	}
	return nil
}

// fromHits joins an entry to what the result shows and the document row
// the permission filter reads.
const fromHits = ` LEFT JOIN projects p ON p.id = e.project_id
	LEFT JOIN releases r ON e.kind = 'release' AND r.id = e.object_id
	LEFT JOIN documents d ON e.kind = 'document' AND d.id = e.object_id`

// find runs a parsed query in one workspace on the engine's index and
// returns up to limit results, best first; docs (with docArgs) is the
// condition on documents (aliased d) the caller may see.
func find(ctx context.Context, q db.Querier, wsID string, pq query, docs string, docArgs []any, limit int) ([]Result, error) {
	switch q.Dialect() {
	case db.SQLite:
		return findSQLite(ctx, q, wsID, pq, docs, docArgs, limit)
	case db.Postgres:
		// Rank and cut the top hits first; ts_headline is costly and runs
		// only on them.
		sqlText := `WITH q AS (SELECT websearch_to_tsquery('english', ?) AS q),
			hits AS (SELECT e.seq, ts_rank(e.tsv, q.q) AS rank FROM q, search_entries e` + fromHits + `
				WHERE e.tsv @@ q.q AND e.workspace_id = ? AND (e.kind <> 'document' OR ` + docs + `)
				ORDER BY rank DESC, e.seq DESC LIMIT ` + strconv.Itoa(limit) + `)
			SELECT e.kind, e.object_id, e.title, COALESCE(p.key, ''), COALESCE(r.version, ''),
				ts_headline('english', e.body, q.q, ?)
			FROM hits JOIN search_entries e ON e.seq = hits.seq` + fromHits + `, q
			ORDER BY hits.rank DESC, e.seq DESC`
		args := append(append([]any{pq.websearch(), wsID}, docArgs...),
			`StartSel=`+markOpen+`, StopSel=`+markClose+`, MaxWords=30, MinWords=12, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "`)
		return scanResults(q.Query(ctx, sqlText, args...))
	}
	return nil, fmt.Errorf("search: unsupported engine %s", q.Dialect())
}

// findSQLite ranks in two passes. Reading each match's entry to filter it
// costs a row lookup per match, which dominates for common words, so the
// first pass ranks inside the FTS index alone and filters only the best
// candidates; when fewer than limit of them remain (a query of rare words,
// or a small workspace among many), the second pass ranks and filters every
// match. Snippets are cut afterwards for the final hits only, by rowid: in
// the ranking query snippet() would run for every match.
func findSQLite(ctx context.Context, q db.Querier, wsID string, pq query, docs string, docArgs []any, limit int) ([]Result, error) {
	match := pq.fts5()
	rank := func(candidates int) ([]Result, []any, error) {
		// bm25 weighs a title match five times a body match. CROSS JOIN
		// keeps the candidates the outer loop: the planner would rather scan
		// the workspace's entries and probe them.
		rows, err := q.Query(ctx, `WITH top AS MATERIALIZED (
				SELECT rowid AS seq, bm25(search_fts, 5.0, 1.0) AS score FROM search_fts
				WHERE search_fts MATCH ? ORDER BY score, rowid DESC LIMIT `+strconv.Itoa(candidates)+`)
			SELECT e.seq, e.kind, e.object_id, e.title, COALESCE(p.key, ''), COALESCE(r.version, '')
			FROM top CROSS JOIN search_entries e ON e.seq = top.seq`+fromHits+`
			WHERE e.workspace_id = ? AND (e.kind <> 'document' OR `+docs+`)
			ORDER BY top.score, e.seq DESC LIMIT `+strconv.Itoa(limit), append([]any{match, wsID}, docArgs...)...)
		if err != nil {
			return nil, nil, fmt.Errorf("search: %w", err)
		}
		defer rows.Close()
		var out []Result
		var seqs []any
		for rows.Next() {
			var seq int64
			var r Result
			var key, version string
			if err := rows.Scan(&seq, &r.Kind, &r.ID, &r.Title, &key, &version); err != nil {
				return nil, nil, err
			}
			r.setRefs(key, version)
			out, seqs = append(out, r), append(seqs, seq)
		}
		return out, seqs, rows.Err()
	}
	res, seqs, err := rank(max(200, 10*limit))
	if err == nil && len(res) < limit {
		res, seqs, err = rank(-1) // every match (LIMIT -1: no limit)
	}
	if err != nil || len(res) == 0 {
		return []Result{}, err
	}
	rows, err := q.Query(ctx, `SELECT rowid, snippet(search_fts, 1, '`+markOpen+`', '`+markClose+`', '…', 24) FROM search_fts
		WHERE search_fts MATCH ? AND rowid IN (?`+strings.Repeat(", ?", len(seqs)-1)+`)`, append([]any{match}, seqs...)...)
	if err != nil {
		return nil, fmt.Errorf("search: snippets: %w", err)
	}
	defer rows.Close()
	snippets := map[int64]string{}
	for rows.Next() {
		var seq int64
		var snip string
		if err := rows.Scan(&seq, &snip); err != nil {
			return nil, err
		}
		snippets[seq] = snip
	}
	for i := range res {
		res[i].Snippet = snippetHTML(snippets[seqs[i].(int64)])
	}
	return res, rows.Err()
}

// scanResults reads result rows: kind, id, title, project key, release
// version, raw snippet.
func scanResults(rows *sql.Rows, err error) ([]Result, error) {
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer rows.Close()
	out := []Result{}
	for rows.Next() {
		var r Result
		var key, version, snippet string
		if err := rows.Scan(&r.Kind, &r.ID, &r.Title, &key, &version, &snippet); err != nil {
			return nil, err
		}
		r.setRefs(key, version)
		r.Snippet = snippetHTML(snippet)
		out = append(out, r)
	}
	return out, rows.Err()
}
