-- Accounts, their authenticators, pending enrollment secrets and server-side sessions.
-- Times are Unix seconds.

CREATE TABLE users (
    id               INTEGER PRIMARY KEY,
    username         TEXT    NOT NULL UNIQUE,
    display_name     TEXT    NOT NULL,
    password_hash    TEXT    NOT NULL,
    -- Consecutive wrong codes, across all sessions; reset only by a correct code or an admin.
    otp_failures     INTEGER NOT NULL DEFAULT 0,
    otp_locked_until INTEGER,
    created_at       INTEGER NOT NULL
);

-- The confirmed authenticator of a user: at most one.
CREATE TABLE authenticators (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret     TEXT    NOT NULL,
    algorithm  TEXT    NOT NULL,
    digits     INTEGER NOT NULL,
    period     INTEGER NOT NULL,
    -- The newest time step whose code was accepted; codes of this step or older are refused.
    last_step  INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

-- The secret shown during enrollment, until its first code is confirmed: at most one per user.
CREATE TABLE pending_secrets (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret     TEXT    NOT NULL,
    algorithm  TEXT    NOT NULL,
    digits     INTEGER NOT NULL,
    period     INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

-- The cookie holds a random id; only its SHA-256 is stored.
CREATE TABLE sessions (
    id_hash    TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    stage      TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
