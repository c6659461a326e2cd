-- Candidates to hire, exported by an applicant tracking system, with their skills and
-- certificates as exported (codes, checked against the catalog when received and when hired).

CREATE TABLE candidates (
    rec_id INTEGER PRIMARY KEY,
    source_app TEXT NOT NULL,
    external_id TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT NOT NULL,
    start_date DATE NOT NULL,
    job_title TEXT NOT NULL,
    location TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('to_hire', 'hired', 'not_hired', 'dismissed')),
    reason TEXT,
    personnel_number TEXT,
    received_at DATETIME NOT NULL,
    decided_at DATETIME,
    decided_by TEXT,
    version INTEGER NOT NULL,
    modified_at DATETIME NOT NULL,
    modified_by TEXT NOT NULL,
    UNIQUE (source_app, external_id)
);
CREATE INDEX candidates_status ON candidates (status, rec_id);

CREATE TABLE candidate_skills (
    candidate_id INTEGER NOT NULL REFERENCES candidates (rec_id) ON DELETE CASCADE,
    skill TEXT NOT NULL,
    level TEXT NOT NULL,
    PRIMARY KEY (candidate_id, skill)
);

CREATE TABLE candidate_certificates (
    candidate_id INTEGER NOT NULL REFERENCES candidates (rec_id) ON DELETE CASCADE,
    certificate_type TEXT NOT NULL,
    issued_on DATE NOT NULL,
    expires_on DATE,
    PRIMARY KEY (candidate_id, certificate_type)
);
