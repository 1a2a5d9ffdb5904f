-- Evidence snapshots of releases: an immutable JSON record of what was
-- released (release fields, owners, documents, files with their SHA-256,
-- the transition history), frozen in the transaction that moves a release
-- to released. body holds the exact bytes served; sha256 is the hex
-- SHA-256 of those bytes. Rows are written once and never updated (the
-- trigger refuses it); they go only with their release. Several rows per
-- release are allowed, newest by created_at.
CREATE TABLE release_evidence (
    id         TEXT PRIMARY KEY,
    release_id TEXT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    body       TEXT NOT NULL
);
CREATE INDEX release_evidence_release ON release_evidence (release_id, created_at);

CREATE TRIGGER release_evidence_immutable BEFORE UPDATE ON release_evidence
BEGIN
    SELECT RAISE(ABORT, 'release evidence is immutable');
END;
