-- Files (artifacts) attached to a release. The bytes live in the blob
-- store under blob_key ("releases/<release id>/files/<uuid>", never the
-- user's name); a replaced file gets a new key and the old object is
-- deleted after the transaction commits. COLLATE "C" orders names bytewise
-- as SQLite does.
CREATE TABLE release_files (
    id           TEXT PRIMARY KEY,
    release_id   TEXT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    name         TEXT COLLATE "C" NOT NULL,
    blob_key     TEXT NOT NULL UNIQUE,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    content_type TEXT NOT NULL,
    uploaded_by  TEXT,
    uploaded_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (release_id, name)
);
