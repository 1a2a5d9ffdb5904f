-- A counter bumped in the same transaction as every change to a workspace's
-- projects and components; read paths use it to validate cached lists.
ALTER TABLE workspaces ADD COLUMN data_version INTEGER NOT NULL DEFAULT 0;
