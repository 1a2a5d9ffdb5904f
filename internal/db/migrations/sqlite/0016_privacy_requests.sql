-- The privacy-request desk (internal/privreq): requests people make about
-- their personal data (GDPR access, rectification, erasure, restriction,
-- objection, portability; CCPA "know"), handled by site admins. A request
-- records who it is about (subject_email, and the matched account), how it
-- came in, how the person's identity was verified, its status, who handles
-- it and by when. confirm_token_hash is the SHA-256 of a one-time e-mail
-- confirmation link (7 days); auth_* describe an authorized agent's written
-- authorization, whose bytes are in file storage under auth_blob_key.
CREATE TABLE privacy_requests (
    id                 TEXT PRIMARY KEY,
    kind               TEXT NOT NULL CHECK (kind IN ('access', 'rectification', 'erasure', 'restriction', 'objection', 'portability', 'know')),
    subject_email      TEXT NOT NULL,
    subject_user_id    TEXT REFERENCES users (id) ON DELETE SET NULL,
    source             TEXT NOT NULL CHECK (source IN ('self-service', 'email', 'agent', 'support-tracker')),
    verification       TEXT NOT NULL CHECK (verification IN ('account', 'email_link', 'agent_authorization', 'none')),
    verified_at        TEXT,
    status             TEXT NOT NULL CHECK (status IN ('received', 'verifying', 'in_progress', 'fulfilled', 'rejected', 'withdrawn')),
    assignee_id        TEXT REFERENCES users (id) ON DELETE SET NULL,
    due_at             TEXT NOT NULL,
    outcome            TEXT NOT NULL DEFAULT '',
    confirm_token_hash TEXT UNIQUE,
    confirm_expires_at TEXT,
    auth_blob_key      TEXT,
    auth_name          TEXT,
    auth_size          INTEGER,
    auth_sha256        TEXT,
    auth_content_type  TEXT,
    auth_uploaded_by   TEXT,
    auth_uploaded_at   TEXT,
    created_by         TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    closed_at          TEXT
);
CREATE INDEX privacy_requests_due ON privacy_requests (closed_at, due_at);
CREATE INDEX privacy_requests_created ON privacy_requests (created_at);

CREATE TABLE privacy_request_notes (
    id         TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES privacy_requests (id) ON DELETE CASCADE,
    author_id  TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX privacy_request_notes_request ON privacy_request_notes (request_id, created_at);
