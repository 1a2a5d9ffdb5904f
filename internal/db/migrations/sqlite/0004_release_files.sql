-- Files (artifacts) attached to a release. The bytes live in the blob
-- store under blob_key ("releases/<release id>/files/<uuid>", never the
-- user's name); a replaced file gets a new key and the old object is
-- deleted after the transaction commits.
CREATE TABLE release_files (
    id           TEXT PRIMARY KEY,
    release_id   TEXT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    blob_key     TEXT NOT NULL UNIQUE,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    content_type TEXT NOT NULL,
    uploaded_by  TEXT,
    uploaded_at  TEXT NOT NULL,
    UNIQUE (release_id, name)
);
