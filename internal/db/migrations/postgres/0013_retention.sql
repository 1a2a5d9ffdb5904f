-- Retention (internal/retention): how long each category of data is kept
-- (no row: the category's default), and a record of every run of the
-- retention job with what it purged per category. audit_chains gains an
-- anchor: the (seq, hash) of the last event the job deleted from the
-- oldest end of a chain, from which Verify starts.
CREATE TABLE retention_policies (
    category   TEXT PRIMARY KEY,
    keep_days  INTEGER NOT NULL CHECK (keep_days > 0),
    action     TEXT NOT NULL CHECK (action IN ('delete', 'anonymise')),
    updated_by TEXT,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE retention_runs (
    id           TEXT PRIMARY KEY,
    started_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ,
    dry_run      BOOLEAN NOT NULL,
    triggered_by TEXT NOT NULL -- 'schedule' or the id of the site admin who started it
);
CREATE INDEX retention_runs_started ON retention_runs (started_at);
CREATE TABLE retention_run_items (
    run_id       TEXT NOT NULL REFERENCES retention_runs (id) ON DELETE CASCADE,
    category     TEXT NOT NULL,
    action       TEXT NOT NULL,
    keep_days    INTEGER NOT NULL,
    purged_rows  INTEGER NOT NULL,
    purged_files INTEGER NOT NULL,
    PRIMARY KEY (run_id, category)
);
ALTER TABLE audit_chains ADD COLUMN anchor_seq INTEGER;
ALTER TABLE audit_chains ADD COLUMN anchor_hash TEXT;
