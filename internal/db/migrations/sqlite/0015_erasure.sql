-- Account erasure (internal/account, erase.go). A person schedules the
-- deletion of their account; after the grace period the account row becomes
-- a per-user tombstone ("Former member 7f3a": no e-mail, no password, no
-- profile) so that what they wrote in shared workspaces keeps an author
-- without an identity. erasures is the deletion ledger (also written to
-- file storage, outside the database, so that restoring an older backup can
-- re-apply it).
ALTER TABLE users ADD COLUMN deletion_scheduled_for TEXT;
ALTER TABLE users ADD COLUMN erased_at TEXT;
CREATE INDEX users_deletion ON users (deletion_scheduled_for);

CREATE TABLE erasures (
    subject_id TEXT PRIMARY KEY,
    tombstone  TEXT NOT NULL,
    erased_at  TEXT NOT NULL
);
