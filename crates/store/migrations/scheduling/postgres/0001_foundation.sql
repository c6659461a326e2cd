-- The scheduling store: settings and its outbox. Its tables (bookable resources,
-- characteristics, bookings) come with the scheduling issue.

CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE outbox (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity TEXT NOT NULL,
    record_id TEXT NOT NULL,
    entity_key TEXT NOT NULL,
    operation TEXT NOT NULL,
    version BIGINT NOT NULL,
    modified_at TIMESTAMPTZ NOT NULL,
    origin TEXT NOT NULL
);
