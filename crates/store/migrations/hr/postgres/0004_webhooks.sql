-- Business events delivered to webhooks. Deliveries are made from the HR outbox (the cursor is
-- the last outbox seq turned into deliveries), so they survive a restart.

CREATE TABLE webhooks (
    rec_id BIGINT PRIMARY KEY,
    url TEXT NOT NULL,
    -- Needed to sign each body (HMAC-SHA256); never returned by the API nor logged.
    secret TEXT NOT NULL,
    -- Event types, comma separated.
    events TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    -- The last control number given to a delivery of this endpoint.
    control_number BIGINT NOT NULL,
    -- Outbox entries up to this seq happened before the webhook was registered.
    from_outbox_seq BIGINT NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    modified_at TIMESTAMPTZ NOT NULL,
    modified_by TEXT NOT NULL
);

CREATE TABLE webhook_deliveries (
    rec_id BIGINT PRIMARY KEY,
    webhook_id BIGINT NOT NULL REFERENCES webhooks (rec_id) ON DELETE CASCADE,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    outbox_seq BIGINT NOT NULL,
    control_number BIGINT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts BIGINT NOT NULL,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    last_error TEXT,
    delivered_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (webhook_id, event_id),
    UNIQUE (webhook_id, control_number)
);
CREATE INDEX webhook_deliveries_status ON webhook_deliveries (webhook_id, status, control_number);

CREATE TABLE webhook_cursor (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    outbox_seq BIGINT NOT NULL
);
INSERT INTO webhook_cursor (id, outbox_seq) VALUES (1, 0);
