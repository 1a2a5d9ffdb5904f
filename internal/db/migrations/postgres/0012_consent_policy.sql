-- Consent and objection (internal/consent): the current choice per purpose
-- (no row: the purpose's default) and the ledger of every change — what,
-- when, how (web page, API, sign-up) and whether the browser sent a Global
-- Privacy Control / Do Not Track signal.
CREATE TABLE consents (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('product_email', 'marketing_email', 'product_analytics')),
    granted    BOOLEAN NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, purpose)
);
CREATE TABLE consent_events (
    id      TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    granted BOOLEAN NOT NULL,
    source  TEXT NOT NULL CHECK (source IN ('web', 'api')),
    gpc     BOOLEAN NOT NULL,
    at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX consent_events_user ON consent_events (user_id, at);

-- Privacy policy versions (internal/policy), published by site admins, and
-- who acknowledged which version when.
CREATE TABLE privacy_policies (
    version      INTEGER PRIMARY KEY,
    body         TEXT NOT NULL,
    changelog    TEXT NOT NULL,
    material     BOOLEAN NOT NULL,
    published_by TEXT,
    published_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE policy_acceptances (
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL REFERENCES privacy_policies (version),
    accepted_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, version)
);
