-- Support access (internal/workspace, support.go): a workspace admin grants
-- the instance's site admins time-limited access to the workspace's data:
-- 'read' (what a viewer sees) or 'member' (what a member may do). Site
-- admins who are not members see nothing of a workspace otherwise. A grant
-- stops working at expires_at (at most 30 days after granted_at) or when
-- revoked; every access under it is recorded in the workspace's audit chain
-- (support.access).
CREATE TABLE support_grants (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    scope        TEXT NOT NULL CHECK (scope IN ('read', 'member')),
    reason       TEXT NOT NULL,
    granted_by   TEXT REFERENCES users (id) ON DELETE SET NULL,
    granted_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    revoked_at   TEXT,
    revoked_by   TEXT REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX support_grants_workspace ON support_grants (workspace_id, expires_at);
