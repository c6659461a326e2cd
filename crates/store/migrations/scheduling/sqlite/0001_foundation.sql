-- The scheduling store: settings and its outbox. Its tables (bookable resources,
-- characteristics, bookings) come with the scheduling issue.

CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    entity TEXT NOT NULL,
    record_id TEXT NOT NULL,
    entity_key TEXT NOT NULL,
    operation TEXT NOT NULL,
    version INTEGER NOT NULL,
    modified_at DATETIME NOT NULL,
    origin TEXT NOT NULL
);
