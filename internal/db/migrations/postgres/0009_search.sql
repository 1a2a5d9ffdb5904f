-- Full-text search (internal/search). search_entries holds the searchable
-- text of every project, release and document (its latest version), one
-- row per object, written by the owning domain in the same transaction as
-- the change. The engine-specific index sits on top of it:
--   SQLite: an FTS5 table kept in step by triggers;
--   PostgreSQL: the generated tsvector column tsv with a GIN index (title
--   weighted above body; English stemming like SQLite's porter tokenizer).
CREATE TABLE search_entries (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    project_id   TEXT REFERENCES projects (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('project', 'release', 'document')),
    object_id    TEXT NOT NULL UNIQUE,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    tsv          tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'B')) STORED
);
CREATE INDEX search_entries_workspace ON search_entries (workspace_id);
CREATE INDEX search_entries_project ON search_entries (project_id);
CREATE INDEX search_entries_tsv ON search_entries USING GIN (tsv);

-- What exists already.
INSERT INTO search_entries (workspace_id, project_id, kind, object_id, title, body, updated_at)
    SELECT p.workspace_id, p.id, 'project', p.id, p.key || ' ' || p.name, p.description, p.updated_at FROM projects p;
INSERT INTO search_entries (workspace_id, project_id, kind, object_id, title, body, updated_at)
    SELECT p.workspace_id, p.id, 'release', r.id, p.key || ' ' || r.version || CASE WHEN r.name = '' THEN '' ELSE ' ' || r.name END,
        r.description, r.updated_at FROM releases r JOIN projects p ON p.id = r.project_id;
INSERT INTO search_entries (workspace_id, project_id, kind, object_id, title, body, updated_at)
    SELECT d.workspace_id, d.project_id, 'document', d.id, d.title, v.body, d.updated_at
    FROM documents d JOIN document_versions v ON v.document_id = d.id AND v.version = d.current_version;
