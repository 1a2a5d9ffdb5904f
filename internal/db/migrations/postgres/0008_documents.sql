-- Documents (internal/doc): design docs, PRDs, RFCs, threat models,
-- security requirements, runbooks. Every edit of the title or body is a new
-- row in document_versions; documents.current_version names the latest.
-- Deleting a document is a hard delete: its versions go with it (CASCADE).
CREATE TABLE documents (
    id              TEXT PRIMARY KEY,
    workspace_id    TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    project_id      TEXT REFERENCES projects (id) ON DELETE CASCADE,
    release_id      TEXT REFERENCES releases (id) ON DELETE SET NULL,
    type            TEXT NOT NULL CHECK (type IN ('design', 'prd', 'rfc', 'threat_model', 'security_requirements', 'runbook', 'other')),
    title           TEXT NOT NULL,
    visibility      TEXT NOT NULL CHECK (visibility IN ('workspace', 'project', 'owners')),
    current_version INTEGER NOT NULL,
    created_by      TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX documents_workspace_updated ON documents (workspace_id, updated_at, id);
CREATE INDEX documents_project ON documents (project_id);
CREATE INDEX documents_release ON documents (release_id);

CREATE TABLE document_versions (
    id          TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    author_id   TEXT,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (document_id, version)
);
