-- The HR store: settings, number sequences, users and roles, the audit log, the outbox, and the
-- HR entities. Every entity row carries version, modified_at and modified_by.

CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE number_sequences (
    name TEXT PRIMARY KEY,
    prefix TEXT NOT NULL,
    width BIGINT NOT NULL,
    next_value BIGINT NOT NULL
);

CREATE TABLE roles (
    name TEXT PRIMARY KEY,
    description TEXT NOT NULL,
    builtin BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    modified_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE role_privileges (
    role TEXT NOT NULL REFERENCES roles (name) ON DELETE CASCADE,
    entity TEXT NOT NULL,
    privileges TEXT NOT NULL,
    PRIMARY KEY (role, entity)
);

CREATE TABLE users (
    rec_id BIGINT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL REFERENCES roles (name),
    enabled BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    modified_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE audit_log (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    actor TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    record_key TEXT NOT NULL,
    detail TEXT NOT NULL
);

CREATE TABLE outbox (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity TEXT NOT NULL,
    rec_id BIGINT NOT NULL,
    entity_key TEXT NOT NULL,
    operation TEXT NOT NULL,
    version BIGINT NOT NULL,
    modified_at TIMESTAMPTZ NOT NULL,
    origin TEXT NOT NULL
);

CREATE TABLE skill_types (
    rec_id BIGINT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    version BIGINT NOT NULL,
    modified_at TIMESTAMPTZ NOT NULL,
    modified_by TEXT NOT NULL
);

CREATE TABLE rating_models (
    rec_id BIGINT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    version BIGINT NOT NULL,
    modified_at TIMESTAMPTZ NOT NULL,
    modified_by TEXT NOT NULL
);

CREATE TABLE rating_levels (
    rec_id BIGINT PRIMARY KEY,
    rating_model_id BIGINT NOT NULL REFERENCES rating_models (rec_id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    factor BIGINT NOT NULL CHECK (factor BETWEEN 0 AND 9),
    description TEXT NOT NULL,
    version BIGINT NOT NULL,
    UNIQUE (rating_model_id, factor),
    UNIQUE (rating_model_id, name)
);

CREATE TABLE skills (
    rec_id BIGINT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    skill_type_id BIGINT REFERENCES skill_types (rec_id),
    rating_model_id BIGINT NOT NULL REFERENCES rating_models (rec_id),
    description TEXT NOT NULL,
    version BIGINT NOT NULL,
    modified_at TIMESTAMPTZ NOT NULL,
    modified_by TEXT NOT NULL
);
CREATE INDEX skills_rating_model ON skills (rating_model_id);
CREATE INDEX skills_skill_type ON skills (skill_type_id);

CREATE TABLE certificate_types (
    rec_id BIGINT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    requires_renewal BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    modified_at TIMESTAMPTZ NOT NULL,
    modified_by TEXT NOT NULL
);

CREATE TABLE workers (
    rec_id BIGINT PRIMARY KEY,
    personnel_number TEXT NOT NULL UNIQUE,
    first_name TEXT NOT NULL,
    middle_name TEXT,
    last_name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    employment_start DATE,
    employment_end DATE,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    modified_at TIMESTAMPTZ NOT NULL,
    modified_by TEXT NOT NULL
);

CREATE TABLE worker_skills (
    rec_id BIGINT PRIMARY KEY,
    worker_id BIGINT NOT NULL REFERENCES workers (rec_id) ON DELETE CASCADE,
    skill_id BIGINT NOT NULL REFERENCES skills (rec_id),
    rating_level_id BIGINT NOT NULL REFERENCES rating_levels (rec_id),
    level_date DATE NOT NULL,
    version BIGINT NOT NULL,
    modified_at TIMESTAMPTZ NOT NULL,
    modified_by TEXT NOT NULL,
    UNIQUE (worker_id, skill_id)
);
CREATE INDEX worker_skills_skill ON worker_skills (skill_id);
CREATE INDEX worker_skills_level ON worker_skills (rating_level_id);

CREATE TABLE worker_certificates (
    rec_id BIGINT PRIMARY KEY,
    worker_id BIGINT NOT NULL REFERENCES workers (rec_id) ON DELETE CASCADE,
    certificate_type_id BIGINT NOT NULL REFERENCES certificate_types (rec_id),
    issued_on DATE NOT NULL,
    expires_on DATE,
    version BIGINT NOT NULL,
    modified_at TIMESTAMPTZ NOT NULL,
    modified_by TEXT NOT NULL,
    UNIQUE (worker_id, certificate_type_id)
);
CREATE INDEX worker_certificates_type ON worker_certificates (certificate_type_id);

CREATE TABLE jobs (
    rec_id BIGINT PRIMARY KEY,
    job_id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    version BIGINT NOT NULL,
    modified_at TIMESTAMPTZ NOT NULL,
    modified_by TEXT NOT NULL
);

CREATE TABLE job_skills (
    job_rec_id BIGINT NOT NULL REFERENCES jobs (rec_id) ON DELETE CASCADE,
    skill_id BIGINT NOT NULL REFERENCES skills (rec_id),
    min_level_id BIGINT NOT NULL REFERENCES rating_levels (rec_id),
    PRIMARY KEY (job_rec_id, skill_id)
);
CREATE INDEX job_skills_skill ON job_skills (skill_id);
CREATE INDEX job_skills_level ON job_skills (min_level_id);

CREATE TABLE job_certificates (
    job_rec_id BIGINT NOT NULL REFERENCES jobs (rec_id) ON DELETE CASCADE,
    certificate_type_id BIGINT NOT NULL REFERENCES certificate_types (rec_id),
    PRIMARY KEY (job_rec_id, certificate_type_id)
);
CREATE INDEX job_certificates_type ON job_certificates (certificate_type_id);

CREATE TABLE positions (
    rec_id BIGINT PRIMARY KEY,
    position_number TEXT NOT NULL UNIQUE,
    job_rec_id BIGINT NOT NULL REFERENCES jobs (rec_id),
    title TEXT NOT NULL,
    location TEXT NOT NULL,
    worker_id BIGINT UNIQUE REFERENCES workers (rec_id),
    version BIGINT NOT NULL,
    modified_at TIMESTAMPTZ NOT NULL,
    modified_by TEXT NOT NULL
);
CREATE INDEX positions_job ON positions (job_rec_id);
