-- Full-text search (internal/search). search_entries holds the searchable
-- text of every project, release and document (its latest version), one
-- row per object, written by the owning domain in the same transaction as
-- the change. The engine-specific index sits on top of it:
--   SQLite: the FTS5 table search_fts (external content = search_entries,
--           kept in step by the triggers below; porter stemming);
--   PostgreSQL: a generated tsvector column with a GIN index.
-- secure-delete makes FTS5 remove a deleted row's terms from the index at
-- once instead of leaving them until the next merge: a hard-deleted
-- document leaves no words behind in the database file.
CREATE TABLE search_entries (
    seq          INTEGER PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    project_id   TEXT REFERENCES projects (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('project', 'release', 'document')),
    object_id    TEXT NOT NULL UNIQUE,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX search_entries_workspace ON search_entries (workspace_id);
CREATE INDEX search_entries_project ON search_entries (project_id);

CREATE VIRTUAL TABLE search_fts USING fts5 (
    title, body,
    content = 'search_entries', content_rowid = 'seq',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO search_fts (search_fts, rank) VALUES ('secure-delete', 1);

CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN
    INSERT INTO search_fts (rowid, title, body) VALUES (new.seq, new.title, new.body);
END;
CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN
    INSERT INTO search_fts (search_fts, rowid, title, body) VALUES ('delete', old.seq, old.title, old.body);
END;
CREATE TRIGGER search_entries_au AFTER UPDATE ON search_entries BEGIN
    INSERT INTO search_fts (search_fts, rowid, title, body) VALUES ('delete', old.seq, old.title, old.body);
    INSERT INTO search_fts (rowid, title, body) VALUES (new.seq, new.title, new.body);
END;

-- What exists already.
INSERT INTO search_entries (workspace_id, project_id, kind, object_id, title, body, updated_at)
    SELECT p.workspace_id, p.id, 'project', p.id, p.key || ' ' || p.name, p.description, p.updated_at FROM projects p;
INSERT INTO search_entries (workspace_id, project_id, kind, object_id, title, body, updated_at)
    SELECT p.workspace_id, p.id, 'release', r.id, p.key || ' ' || r.version || CASE WHEN r.name = '' THEN '' ELSE ' ' || r.name END,
        r.description, r.updated_at FROM releases r JOIN projects p ON p.id = r.project_id;
INSERT INTO search_entries (workspace_id, project_id, kind, object_id, title, body, updated_at)
    SELECT d.workspace_id, d.project_id, 'document', d.id, d.title, v.body, d.updated_at
    FROM documents d JOIN document_versions v ON v.document_id = d.id AND v.version = d.current_version;
