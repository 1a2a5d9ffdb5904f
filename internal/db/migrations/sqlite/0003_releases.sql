-- Releases of a project and their lifecycle history.
-- version_key encodes SemVer precedence so that byte order is version order
-- (see internal/release/semver.go); it is unique per project, so versions
-- that differ only in build metadata conflict. SQLite compares TEXT bytewise.
CREATE TABLE releases (
    id          TEXT PRIMARY KEY,
    project_id  TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    version     TEXT NOT NULL,
    version_key TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'in_review', 'released', 'cancelled', 'rolled_back')),
    target_date TEXT, -- YYYY-MM-DD
    released_at TEXT,
    created_by  TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (project_id, version_key)
);
CREATE INDEX releases_project_status ON releases (project_id, status, version_key);

CREATE TABLE release_transitions (
    id          TEXT PRIMARY KEY,
    release_id  TEXT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    actor_id    TEXT,
    at          TEXT NOT NULL
);
CREATE INDEX release_transitions_release ON release_transitions (release_id, at);
