-- The scheduling store's tables: rating models and values, characteristics, bookable resources
-- with work hours and characteristics, resource requirements and bookings. Ids are UUID v7.
-- Every entity row carries version, modified_at and modified_by.

CREATE TABLE rating_models (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    min_value BIGINT NOT NULL,
    max_value BIGINT NOT NULL,
    version BIGINT NOT NULL,
    modified_at TIMESTAMPTZ NOT NULL,
    modified_by TEXT NOT NULL
);

CREATE TABLE rating_values (
    id UUID PRIMARY KEY,
    rating_model_id UUID NOT NULL REFERENCES rating_models (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value BIGINT NOT NULL,
    version BIGINT NOT NULL,
    UNIQUE (rating_model_id, value),
    UNIQUE (rating_model_id, name)
);

CREATE TABLE characteristics (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    characteristic_type TEXT NOT NULL CHECK (characteristic_type IN ('skill', 'certification')),
    description TEXT NOT NULL,
    rating_model_id UUID REFERENCES rating_models (id),
    version BIGINT NOT NULL,
    modified_at TIMESTAMPTZ NOT NULL,
    modified_by TEXT NOT NULL
);
CREATE INDEX characteristics_rating_model ON characteristics (rating_model_id);

CREATE TABLE bookable_resources (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    time_zone TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    capacity BIGINT NOT NULL,
    hr_worker_number TEXT UNIQUE,
    version BIGINT NOT NULL,
    modified_at TIMESTAMPTZ NOT NULL,
    modified_by TEXT NOT NULL
);
-- Lists page by (name, id).
CREATE INDEX bookable_resources_name ON bookable_resources (name, id);

-- The weekly calendar of a resource, in its time zone: weekday 1 = Monday … 7 = Sunday,
-- minutes from midnight, end exclusive.
CREATE TABLE work_hours (
    resource_id UUID NOT NULL REFERENCES bookable_resources (id) ON DELETE CASCADE,
    weekday BIGINT NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    start_minute BIGINT NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute BIGINT NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
    PRIMARY KEY (resource_id, weekday, start_minute)
);

CREATE TABLE resource_characteristics (
    id UUID PRIMARY KEY,
    resource_id UUID NOT NULL REFERENCES bookable_resources (id) ON DELETE CASCADE,
    characteristic_id UUID NOT NULL REFERENCES characteristics (id),
    rating_value_id UUID REFERENCES rating_values (id),
    issued_on DATE,
    expires_on DATE,
    version BIGINT NOT NULL,
    modified_at TIMESTAMPTZ NOT NULL,
    modified_by TEXT NOT NULL,
    UNIQUE (resource_id, characteristic_id)
);
CREATE INDEX resource_characteristics_characteristic ON resource_characteristics (characteristic_id);
CREATE INDEX resource_characteristics_rating_value ON resource_characteristics (rating_value_id);

CREATE TABLE resource_requirements (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    from_at TIMESTAMPTZ NOT NULL,
    to_at TIMESTAMPTZ NOT NULL,
    duration_minutes BIGINT NOT NULL,
    -- Comma-separated resource types; empty means any.
    resource_types TEXT NOT NULL,
    version BIGINT NOT NULL,
    modified_at TIMESTAMPTZ NOT NULL,
    modified_by TEXT NOT NULL
);

CREATE TABLE requirement_characteristics (
    requirement_id UUID NOT NULL REFERENCES resource_requirements (id) ON DELETE CASCADE,
    characteristic_id UUID NOT NULL REFERENCES characteristics (id),
    min_rating BIGINT NOT NULL,
    PRIMARY KEY (requirement_id, characteristic_id)
);
CREATE INDEX requirement_characteristics_characteristic ON requirement_characteristics (characteristic_id);

CREATE TABLE bookings (
    id UUID PRIMARY KEY,
    resource_id UUID NOT NULL REFERENCES bookable_resources (id),
    requirement_id UUID REFERENCES resource_requirements (id),
    start_at TIMESTAMPTZ NOT NULL,
    end_at TIMESTAMPTZ NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('proposed', 'soft', 'hard', 'canceled')),
    version BIGINT NOT NULL,
    modified_at TIMESTAMPTZ NOT NULL,
    modified_by TEXT NOT NULL,
    CHECK (end_at > start_at)
);
CREATE INDEX bookings_resource_start ON bookings (resource_id, start_at);
CREATE INDEX bookings_requirement ON bookings (requirement_id);
