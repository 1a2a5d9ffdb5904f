-- Typed owners of projects, components and releases (internal/owner).
-- target_id and owner_id carry no foreign keys on purpose: a target is one
-- of several tables, and an owner who left the workspace (or a deleted team)
-- stays on record so that the ownership map can report the gap. Rows whose
-- target was deleted are ignored when read.
CREATE TABLE owners (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    target_type  TEXT NOT NULL,
    target_id    TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('accountable', 'technical', 'security', 'privacy')),
    owner_kind   TEXT NOT NULL CHECK (owner_kind IN ('user', 'team')),
    owner_id     TEXT NOT NULL,
    assigned_by  TEXT,
    assigned_at  TEXT NOT NULL,
    UNIQUE (workspace_id, target_type, target_id, role, owner_kind, owner_id)
);
CREATE INDEX owners_owner ON owners (workspace_id, owner_kind, owner_id);

-- Per-workspace ownership policy; no row means every rule is off.
CREATE TABLE ownership_policies (
    workspace_id        TEXT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    require_accountable BOOLEAN NOT NULL DEFAULT FALSE,
    updated_by          TEXT,
    updated_at          TEXT NOT NULL
);
