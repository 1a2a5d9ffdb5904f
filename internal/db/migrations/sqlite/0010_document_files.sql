-- Files attached to a document (internal/doc), like release_files: the
-- bytes live in the blob store under blob_key ("documents/<document
-- id>/files/<uuid>", never the user's name); a replaced file gets a new key
-- and the old object is deleted after the transaction commits. Deleting a
-- document removes these rows in its transaction (CASCADE as a backstop)
-- and the objects after the commit.
CREATE TABLE document_files (
    id           TEXT PRIMARY KEY,
    document_id  TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    blob_key     TEXT NOT NULL UNIQUE,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    content_type TEXT NOT NULL,
    uploaded_by  TEXT,
    uploaded_at  TEXT NOT NULL,
    UNIQUE (document_id, name)
);

-- Who changed a document last (any edit, not only a new version), so the
-- document page need not read the version list to name them. Existing
-- documents were last changed, as far as we know, by their creator.
ALTER TABLE documents ADD COLUMN updated_by TEXT;
UPDATE documents SET updated_by = created_by;
