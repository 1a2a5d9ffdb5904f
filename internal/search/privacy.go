package search

import "shipshape/internal/privacy"

// PrivacyInventory declares the search index. search_entries copies the
// searchable text of projects, releases and documents (written by their
// domains in the same transaction as the change); the engine-specific
// full-text index on top of it — SQLite's FTS5 table search_fts with its
// shadow tables, PostgreSQL's generated column tsv — is derived from it.
// Everything here goes when its source goes; nothing is exported from here,
// because the source columns are.
func PrivacyInventory() []privacy.Table {
	const (
		retention = "as long as the source project, release or document; replaced on every change and deleted with the source in the same transaction"
		export    = "not exported: a copy of columns exported from their source"
		erasure   = "follows the source: replaced when the source is edited, deleted when it is deleted"
		derived   = "removed with its source row at once (FTS5 secure-delete leaves no terms in the file)"
		fromText  = "search_entries.title, search_entries.body"
	)
	index := func(column string, personal bool, purposeOrReason string) privacy.Field {
		if !personal {
			return privacy.Not(column, purposeOrReason)
		}
		return privacy.Field{Column: column, Personal: true, DerivedFrom: fromText, Category: privacy.Content,
			Purpose: purposeOrReason, Basis: privacy.Contract, Retention: retention, Export: export, Erasure: derived}
	}
	return []privacy.Table{
		{Name: "search_entries", Domain: "search", Purpose: "The searchable text of every project, release and document (its latest version), one row per object.",
			Fields: []privacy.Field{
				privacy.Not("seq", "row number (the full-text index's rowid)"),
				privacy.Not("workspace_id", "reference to the workspace"),
				privacy.Not("project_id", "reference to the project"),
				privacy.Not("kind", "enum: project, release, document"),
				privacy.Not("object_id", "id of the project, release or document"),
				{Column: "title", Personal: true, DerivedFrom: "projects.key/name, releases.version/name, documents.title", Category: privacy.Content,
					Purpose: "search: a copy of the object's key, name or document title",
					Basis:   privacy.Contract, Retention: retention, Export: export, Erasure: erasure},
				{Column: "body", Personal: true, DerivedFrom: "projects.description, releases.description, document_versions.body", Category: privacy.Content,
					Purpose: "search: a copy of the description or document body",
					Basis:   privacy.Contract, Retention: retention, Export: export, Erasure: erasure},
				privacy.Not("updated_at", "when the source last changed"),
				withEngine(index("tsv", true, "search: PostgreSQL's generated tsvector (stemmed words of title and body), GIN-indexed"), privacy.Postgres),
			}},
		{Name: "search_fts", Domain: "search", Engine: privacy.SQLite, Purpose: "SQLite's FTS5 full-text index over search_entries (external content: it reads the text from search_entries).",
			Fields: []privacy.Field{
				index("title", true, "search: the indexed title (read from search_entries, not stored twice)"),
				index("body", true, "search: the indexed body (read from search_entries, not stored twice)"),
			}},
		{Name: "search_fts_data", Domain: "search", Engine: privacy.SQLite, Purpose: "FTS5 shadow table: the index's b-tree pages.",
			Fields: []privacy.Field{
				index("id", false, "page id"),
				index("block", true, "search: index pages, which hold the indexed words"),
			}},
		{Name: "search_fts_idx", Domain: "search", Engine: privacy.SQLite, Purpose: "FTS5 shadow table: the index's segment directory.",
			Fields: []privacy.Field{
				index("segid", false, "segment id"),
				index("term", true, "search: the first word of each index page"),
				index("pgno", false, "page number"),
			}},
		{Name: "search_fts_docsize", Domain: "search", Engine: privacy.SQLite, Purpose: "FTS5 shadow table: the number of words per row, for ranking.",
			Fields: []privacy.Field{
				index("id", false, "row id"),
				index("sz", false, "word counts"),
			}},
		{Name: "search_fts_config", Domain: "search", Engine: privacy.SQLite, Purpose: "FTS5 shadow table: the index's settings (secure-delete).",
			Fields: []privacy.Field{
				index("k", false, "setting name"),
				index("v", false, "setting value"),
			}},
	}
}

func withEngine(f privacy.Field, engine string) privacy.Field {
	f.Engine = engine
	return f
}
