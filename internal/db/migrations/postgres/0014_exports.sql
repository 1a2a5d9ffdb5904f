-- "Download my data" (internal/export): one row per archive a person asked
-- for. A background job claims a queued row (UPDATE … WHERE status =
-- 'queued'), streams the ZIP into file storage under blob_key and marks it
-- ready with its size and SHA-256; another job deletes the archive once
-- expires_at has passed (48 hours by default) and marks the row expired.
-- progress is the step being written, shown while the archive is built.
CREATE TABLE exports (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status       TEXT NOT NULL CHECK (status IN ('queued', 'running', 'ready', 'failed', 'expired')),
    progress     TEXT NOT NULL DEFAULT '',
    blob_key     TEXT,
    size         BIGINT,
    sha256       TEXT,
    error        TEXT NOT NULL DEFAULT '',
    requested_at TIMESTAMPTZ NOT NULL,
    started_at   TIMESTAMPTZ,
    finished_at  TIMESTAMPTZ,
    expires_at   TIMESTAMPTZ
);
CREATE INDEX exports_user ON exports (user_id, requested_at);
CREATE INDEX exports_status ON exports (status, requested_at);

-- The export reads a person's audit events in pages by id; without this
-- index every page would sort all of their events again.
CREATE INDEX audit_events_actor_id ON audit_events (actor_id, id);
