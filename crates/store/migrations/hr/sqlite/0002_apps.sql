-- App registrations: an application (an applicant tracking system, say) that signs in with a
-- client id and secret (OAuth 2.0 client credentials) and acts as a named user with a role.
-- The secret is kept only as an argon2id hash.

CREATE TABLE apps (
    rec_id INTEGER PRIMARY KEY,
    client_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    acting_user TEXT NOT NULL REFERENCES users (username),
    role TEXT NOT NULL REFERENCES roles (name),
    secret_hash TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    version INTEGER NOT NULL,
    created_at DATETIME NOT NULL,
    modified_at DATETIME NOT NULL
);
CREATE INDEX apps_acting_user ON apps (acting_user);
CREATE INDEX apps_role ON apps (role);
