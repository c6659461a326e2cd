-- The sync engine's state, kept in the HR store (the system of record): which records are
-- linked (tracking), how far each outbox has been applied, the conflict journal, the error
-- queue, background jobs and the runs of the missed-request sync.

-- One row per linked pair: the seed's tracking grid, plus what the engine needs to tell which
-- side changed since the pair last agreed.
CREATE TABLE sync_tracking (
    map_name TEXT NOT NULL,
    entity_key TEXT NOT NULL,
    -- The worker's personnel number for worker skills and certificates, else the key itself:
    -- sync now pages by it.
    owner_key TEXT NOT NULL,
    hr_entity TEXT NOT NULL,
    hr_ref INTEGER NOT NULL,
    scheduling_entity TEXT NOT NULL,
    scheduling_ref TEXT NOT NULL,
    hr_version INTEGER NOT NULL,
    scheduling_version INTEGER NOT NULL,
    -- The HR fields as last synced (JSON), to recreate a record deleted in HR while off.
    hr_fields TEXT NOT NULL,
    deleted_from_scheduling BOOLEAN NOT NULL,
    synced_at DATETIME NOT NULL,
    PRIMARY KEY (map_name, entity_key)
);
CREATE INDEX sync_tracking_owner ON sync_tracking (map_name, owner_key);

-- Per store: the outbox seq applied so far, and the last seq written while the integration was
-- off (entries up to it follow the missed-request rules: last edited wins, deletes undone).
CREATE TABLE sync_cursors (
    store TEXT PRIMARY KEY,
    applied_seq INTEGER NOT NULL,
    off_until_seq INTEGER NOT NULL
);

CREATE TABLE sync_conflicts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    map_name TEXT NOT NULL,
    entity_key TEXT NOT NULL,
    -- 'hr' or 'scheduling': the side whose version was kept.
    winner TEXT NOT NULL,
    hr_fields TEXT,
    hr_modified_at DATETIME,
    hr_modified_by TEXT,
    scheduling_fields TEXT,
    scheduling_modified_at DATETIME,
    scheduling_modified_by TEXT,
    resolved_at DATETIME NOT NULL
);

CREATE TABLE sync_errors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    map_name TEXT NOT NULL,
    entity_key TEXT NOT NULL,
    reason TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    first_failed_at DATETIME NOT NULL,
    last_failed_at DATETIME NOT NULL,
    next_attempt_at DATETIME NOT NULL,
    UNIQUE (map_name, entity_key)
);

CREATE TABLE sync_jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    map_name TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    done INTEGER NOT NULL,
    total INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    message TEXT,
    started_by TEXT NOT NULL,
    started_at DATETIME NOT NULL,
    finished_at DATETIME
);

CREATE TABLE sync_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    started_at DATETIME NOT NULL,
    finished_at DATETIME NOT NULL,
    applied INTEGER NOT NULL,
    conflicts INTEGER NOT NULL,
    errors INTEGER NOT NULL
);
