-- The newest evidence snapshot's digest and time, kept on the release row
-- (written in the transaction that freezes the snapshot) so that reading
-- releases needs no lookup per row.
ALTER TABLE releases ADD COLUMN evidence_sha256 TEXT;
ALTER TABLE releases ADD COLUMN evidence_at TIMESTAMPTZ;
UPDATE releases SET
    evidence_sha256 = (SELECT e.sha256 FROM release_evidence e WHERE e.release_id = releases.id ORDER BY e.created_at DESC, e.id DESC LIMIT 1),
    evidence_at = (SELECT e.created_at FROM release_evidence e WHERE e.release_id = releases.id ORDER BY e.created_at DESC, e.id DESC LIMIT 1);
