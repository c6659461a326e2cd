-- Accounts with a lifecycle and revocable sessions.
--
-- A user may be disabled, deleted (deactivated and anonymised for sign-in: its row and username
-- stay, so the audit history keeps naming it and the name is not taken again), or made to set a
-- new password at the next sign-in (after an administrator's reset).
ALTER TABLE users ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN deleted_at TIMESTAMPTZ;

-- One row per sign-in (a person's, or an app's token): the bearer token names its id, and every
-- request reads it, so ending a session (sign-out, disabling, a reset, a new app secret) takes
-- effect at the next request on every process.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    principal_kind TEXT NOT NULL,
    principal TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    ended_at TIMESTAMPTZ,
    ended_reason TEXT,
    address TEXT NOT NULL,
    user_agent TEXT NOT NULL
);
CREATE INDEX sessions_principal ON sessions (principal_kind, principal);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
