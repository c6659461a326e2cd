//! Bulk import of workers with their skills and certificates (the seeds' Data Management
//! Framework). Rows come in batches; each batch is one transaction of multi-row upserts keyed by
//! personnel number, with its outbox entries and one audit entry. Rows that change nothing are
//! not rewritten, so importing the same file twice updates nothing and duplicates nothing.

use super::worker_qualifications::Catalog;
use crate::db::JsonType::{self, Date, Int, Text};
use crate::db::Tx;
use crate::error::StoreResult;
use crate::outbox::{self, entity, Change};
use crate::settings::next_personnel_numbers;
use crate::{audit, on_tx, Actor, HrStore};
use chrono::{DateTime, NaiveDate, Utc};
use hrbridge_domain::hr::{CertificateAssignment, NewWorker, SkillAssignment, WorkerCertificateInput, WorkerInput};
use hrbridge_domain::outbox::Operation;
use hrbridge_domain::{FieldError, ValidationErrors};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// How many rejected rows a report keeps in full; the count goes on.
pub const MAX_REPORTED_REJECTIONS: usize = 1000;

/// One row of an import file.
#[derive(Debug, Clone)]
pub struct ImportRow {
    pub line: u64,
    pub worker: WorkerInput,
    pub skills: Vec<SkillAssignment>,
    pub certificates: Vec<CertificateAssignment>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RejectedRow {
    pub line: u64,
    pub personnel_number: Option<String>,
    pub errors: Vec<FieldError>,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    /// The first 1000 rejected rows, with line numbers and reasons.
    pub rejected_rows: Vec<RejectedRow>,
}

impl ImportReport {
    pub fn reject(&mut self, row: RejectedRow) {
        self.rejected += 1;
        if self.rejected_rows.len() < MAX_REPORTED_REJECTIONS {
            self.rejected_rows.push(row);
        }
    }
}

/// A row whose codes resolved and whose values parsed.
struct ValidRow {
    line: u64,
    worker: NewWorker,
    /// (skill code, skill id, level id, level date if the file gives one)
    skills: Vec<(String, i64, i64, Option<NaiveDate>)>,
    /// (certificate code, type id, issued, expires)
    certificates: Vec<(String, i64, NaiveDate, Option<NaiveDate>)>,
}

pub struct Importer {
    store: HrStore,
    actor: Actor,
    catalog: Catalog,
    pub report: ImportReport,
}

impl Importer {
    pub async fn new(store: HrStore, actor: Actor) -> StoreResult<Self> {
        let catalog = Catalog::load(&store.db).await?;
        Ok(Self { store, actor: actor.importing(), catalog, report: ImportReport::default() })
    }

    /// Imports one batch of rows (parse failures already turned into rejections count too).
    pub async fn import(&mut self, rows: Vec<Result<ImportRow, RejectedRow>>) -> StoreResult<()> {
        let mut batch: Vec<ValidRow> = Vec::with_capacity(rows.len());
        let mut numbers_in_batch = HashSet::new();
        for row in rows {
            self.report.rows += 1;
            let valid = match row.and_then(|r| validate(&self.catalog, r)) {
                Ok(valid) => valid,
                Err(rejected) => {
                    self.report.reject(rejected);
                    continue;
                }
            };
            // The same worker twice in a file: write what came before, so the later row updates it.
            if let Some(n) = &valid.worker.personnel_number {
                if !numbers_in_batch.insert(n.as_str().to_string()) {
                    self.write(std::mem::take(&mut batch)).await?;
                    numbers_in_batch.clear();
                    numbers_in_batch.insert(n.as_str().to_string());
                }
            }
            batch.push(valid);
        }
        self.write(batch).await
    }

    async fn write(&mut self, mut rows: Vec<ValidRow>) -> StoreResult<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let store = &self.store;
        let now = store.clock.now();
        let mut tx = store.db.begin().await?;
        let missing = rows.iter().filter(|r| r.worker.personnel_number.is_none()).count();
        if missing > 0 {
            let mut numbers = next_personnel_numbers(&mut tx, missing).await?.into_iter();
            for row in rows.iter_mut().filter(|r| r.worker.personnel_number.is_none()) {
                row.worker.personnel_number = numbers.next();
            }
        }
        let numbers: Vec<String> =
            rows.iter().map(|r| r.worker.personnel_number.as_ref().expect("assigned").as_str().to_string()).collect();
        let existing = existing_worker_ids(&mut tx, &numbers).await?;
        // New workers (the bulk of a first import) are plain inserts whose ids and versions are
        // known here; only workers already stored go through an upsert that reports what changed.
        let (known, fresh): (Vec<ValidRow>, Vec<ValidRow>) =
            rows.into_iter().partition(|r| existing.contains_key(r.number()));
        let mut ids = existing;
        for r in &fresh {
            ids.insert(r.number().to_string(), store.ids.next_rec_id());
        }
        let mut changes = Vec::new();
        insert_workers(&mut tx, &fresh, &ids, now, &self.actor.name).await?;
        for r in &fresh {
            changes.push(change(entity::WORKER, ids[r.number()], r.number().to_string(), 1, now, &self.actor));
        }
        self.report.created += fresh.len() as u64;
        let changed_workers = upsert_workers(&mut tx, &known, &ids, now, &self.actor.name).await?;
        self.report.updated += changed_workers.len() as u64;
        for (rec_id, number, version) in &changed_workers {
            changes.push(change(entity::WORKER, *rec_id, number.clone(), *version, now, &self.actor));
        }
        let qualifications = Qualifications::of(store, &fresh, &ids).extend(store, &known, &ids);
        changes.extend(qualifications.write(&mut tx, now, &self.actor).await?);
        // A stored worker whose only change is a skill or certificate counts as updated.
        let changed: HashSet<&str> = changed_workers.iter().map(|(_, n, _)| n.as_str()).collect();
        let fresh_numbers: HashSet<&str> = fresh.iter().map(ValidRow::number).collect();
        let touched: HashSet<&str> = changes
            .iter()
            .filter(|c| c.entity != entity::WORKER)
            .filter_map(|c| c.entity_key.split_once('/').map(|(n, _)| n))
            .filter(|n| !changed.contains(n) && !fresh_numbers.contains(n))
            .collect();
        self.report.updated += touched.len() as u64;
        self.report.unchanged += (known.len() - changed_workers.len() - touched.len()) as u64;
        let (first_line, last_line) = line_range(&fresh, &known);
        outbox::append(&mut tx, &changes).await?;
        let detail = serde_json::json!({
            "first_line": first_line, "last_line": last_line,
            "workers": fresh.len() + known.len(), "changes": changes.len(),
        });
        audit::append(&mut tx, &self.actor, now, "import", entity::WORKER, "batch", &detail).await?;
        tx.commit().await
    }
}

impl ValidRow {
    fn number(&self) -> &str {
        self.worker.personnel_number.as_ref().expect("assigned").as_str()
    }
}

fn line_range(a: &[ValidRow], b: &[ValidRow]) -> (Option<u64>, Option<u64>) {
    let lines = a.iter().chain(b).map(|r| r.line);
    (lines.clone().min(), lines.max())
}

fn change(entity: &'static str, rec_id: i64, key: String, version: i64, now: DateTime<Utc>, actor: &Actor) -> Change {
    let operation = if version == 1 { Operation::Insert } else { Operation::Update };
    Change { entity, rec_id, entity_key: key, operation, version, modified_at: now, origin: actor.origin }
}

fn validate(catalog: &Catalog, row: ImportRow) -> Result<ValidRow, RejectedRow> {
    let personnel_number = row.worker.personnel_number.clone();
    let mut errors = ValidationErrors::new();
    let worker = match row.worker.parse() {
        Ok(w) => Some(w),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    let mut skills = Vec::with_capacity(row.skills.len());
    let mut seen = HashSet::new();
    for (i, s) in row.skills.iter().enumerate() {
        let field = format!("skills[{i}]");
        match catalog.skill(&format!("{field}.skill"), &s.skill) {
            Ok(skill) => match skill.level(&format!("{field}.level"), &s.level) {
                Ok((level_id, _, _)) if seen.insert(skill.skill_id) => {
                    skills.push((s.skill.trim().to_string(), skill.skill_id, level_id, s.level_date))
                }
                Ok(_) => errors.add(format!("{field}.skill"), format!("'{}' is listed twice", s.skill.trim())),
                Err(e) => errors.0.push(e),
            },
            Err(e) => errors.0.push(e),
        }
    }
    let mut certificates = Vec::with_capacity(row.certificates.len());
    let mut seen = HashSet::new();
    for (i, c) in row.certificates.iter().enumerate() {
        let field = format!("certificates[{i}]");
        match catalog.certificate_type(&format!("{field}.certificate_type"), &c.certificate_type) {
            Ok((type_id, _, requires_renewal)) => {
                let dates = WorkerCertificateInput { issued_on: c.issued_on, expires_on: c.expires_on };
                if let Err(e) = dates.check(*requires_renewal) {
                    errors.extend(e.nested(&field));
                } else if !seen.insert(*type_id) {
                    errors.add(
                        format!("{field}.certificate_type"),
                        format!("'{}' is listed twice", c.certificate_type.trim()),
                    );
                } else {
                    certificates.push((c.certificate_type.trim().to_string(), *type_id, c.issued_on, c.expires_on));
                }
            }
            Err(e) => errors.0.push(e),
        }
    }
    match worker {
        Some(worker) if errors.is_empty() => Ok(ValidRow { line: row.line, worker, skills, certificates }),
        _ => Err(RejectedRow { line: row.line, personnel_number, errors: errors.0 }),
    }
}

async fn existing_worker_ids(tx: &mut Tx, numbers: &[String]) -> StoreResult<HashMap<String, i64>> {
    let sql = format!(
        "SELECT personnel_number, rec_id FROM workers WHERE personnel_number IN ({})",
        tx.backend().json_strings()
    );
    let numbers = serde_json::to_string(numbers).expect("strings serialize");
    let rows: Vec<(String, i64)> = on_tx!(tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(&numbers).fetch_all(&mut *c).await?
    });
    Ok(rows.into_iter().collect())
}

/// The worker columns of a JSON row, in the order [`worker_json`] writes them.
pub(crate) const WORKER_FIELDS: [JsonType; 10] = [Int, Text, Text, Text, Text, Text, Text, Date, Date, Text];
pub(crate) const WORKER_COLUMNS: &str = "rec_id, personnel_number, first_name, middle_name, last_name, email, phone, \
                                          employment_start, employment_end, status, version, modified_at, modified_by";

/// A worker as a JSON row for a bulk statement.
pub(crate) fn worker_json(rec_id: i64, w: &WorkerInput) -> serde_json::Value {
    serde_json::json!([
        rec_id,
        w.personnel_number,
        w.first_name,
        w.middle_name,
        w.last_name,
        w.email,
        w.phone,
        w.employment_start,
        w.employment_end,
        w.status.unwrap_or_default().as_str()
    ])
}

/// `SELECT` of JSON rows followed by the constant version 1, modified_at ($2), modified_by ($3).
pub(crate) fn select_rows(tx: &Tx, fields: &[JsonType]) -> String {
    let select = tx.backend().select_json(fields);
    select.replacen(" FROM ", ", 1, $2, $3 FROM ", 1)
}

/// Inserts new workers and updates changed ones; returns (rec_id, personnel number, version) of
/// each row written.
async fn upsert_workers(
    tx: &mut Tx,
    rows: &[ValidRow],
    ids: &HashMap<String, i64>,
    now: DateTime<Utc>,
    by: &str,
) -> StoreResult<Vec<(i64, String, i64)>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "INSERT INTO workers ({WORKER_COLUMNS}) {} \
         ON CONFLICT (personnel_number) DO UPDATE SET first_name = excluded.first_name, \
         middle_name = excluded.middle_name, last_name = excluded.last_name, email = excluded.email, \
         phone = excluded.phone, employment_start = excluded.employment_start, \
         employment_end = excluded.employment_end, status = excluded.status, version = workers.version + 1, \
         modified_at = excluded.modified_at, modified_by = excluded.modified_by \
         WHERE workers.first_name IS DISTINCT FROM excluded.first_name \
         OR workers.middle_name IS DISTINCT FROM excluded.middle_name \
         OR workers.last_name IS DISTINCT FROM excluded.last_name OR workers.email IS DISTINCT FROM excluded.email \
         OR workers.phone IS DISTINCT FROM excluded.phone \
         OR workers.employment_start IS DISTINCT FROM excluded.employment_start \
         OR workers.employment_end IS DISTINCT FROM excluded.employment_end \
         OR workers.status IS DISTINCT FROM excluded.status \
         RETURNING rec_id, personnel_number, version",
        select_rows(tx, &WORKER_FIELDS)
    );
    let json: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let number = r.worker.personnel_number.as_ref().expect("assigned").as_str();
            worker_json(ids[number], &r.worker.to_input())
        })
        .collect();
    let json = serde_json::Value::Array(json).to_string();
    Ok(on_tx!(tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(&json).bind(now).bind(by).fetch_all(&mut *c).await?
    }))
}

pub(crate) const SKILL_FIELDS: [JsonType; 5] = [Int, Int, Int, Int, Date];
pub(crate) const SKILL_COLUMNS: &str =
    "rec_id, worker_id, skill_id, rating_level_id, level_date, version, modified_at, modified_by";
pub(crate) const CERTIFICATE_FIELDS: [JsonType; 5] = [Int, Int, Int, Date, Date];
pub(crate) const CERTIFICATE_COLUMNS: &str =
    "rec_id, worker_id, certificate_type_id, issued_on, expires_on, version, modified_at, modified_by";

/// Inserts workers known to be new (no upsert, nothing to report back).
async fn insert_workers(
    tx: &mut Tx,
    rows: &[ValidRow],
    ids: &HashMap<String, i64>,
    now: DateTime<Utc>,
    by: &str,
) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let sql = format!("INSERT INTO workers ({WORKER_COLUMNS}) {}", select_rows(tx, &WORKER_FIELDS));
    let json: Vec<serde_json::Value> =
        rows.iter().map(|r| worker_json(ids[r.number()], &r.worker.to_input())).collect();
    let json = serde_json::Value::Array(json).to_string();
    on_tx!(tx, c => {
        sqlx::query(sqlx::AssertSqlSafe(&*sql)).bind(&json).bind(now).bind(by).execute(&mut *c).await?;
    });
    Ok(())
}

/// The skills and certificates of a batch, as JSON rows: first those of new workers (plain
/// inserts), then those of stored workers (upserts). Skills without a date in the file are
/// kept apart: on a stored worker they keep their date unless their level changes.
struct Qualifications {
    /// (rows, key of each row): new workers' skills, stored workers' dated and undated skills.
    skills: [Vec<(serde_json::Value, String)>; 3],
    /// new workers' certificates, stored workers' certificates.
    certificates: [Vec<(serde_json::Value, String)>; 2],
    today: NaiveDate,
}

impl Qualifications {
    fn of(store: &HrStore, fresh: &[ValidRow], ids: &HashMap<String, i64>) -> Self {
        let mut q =
            Qualifications { skills: Default::default(), certificates: Default::default(), today: store.clock.today() };
        q.add(store, fresh, ids, true);
        q
    }

    fn extend(mut self, store: &HrStore, known: &[ValidRow], ids: &HashMap<String, i64>) -> Self {
        self.add(store, known, ids, false);
        self
    }

    fn add(&mut self, store: &HrStore, rows: &[ValidRow], ids: &HashMap<String, i64>, fresh: bool) {
        for r in rows {
            let worker_id = ids[r.number()];
            for (code, skill_id, level_id, date) in &r.skills {
                let list = match (fresh, date) {
                    (true, _) => 0,
                    (false, Some(_)) => 1,
                    (false, None) => 2,
                };
                let row = serde_json::json!([
                    store.ids.next_rec_id(),
                    worker_id,
                    skill_id,
                    level_id,
                    date.unwrap_or(self.today)
                ]);
                self.skills[list].push((row, format!("{}/{code}", r.number())));
            }
            for (code, type_id, issued, expires) in &r.certificates {
                let row = serde_json::json!([store.ids.next_rec_id(), worker_id, type_id, issued, expires]);
                self.certificates[usize::from(!fresh)].push((row, format!("{}/{code}", r.number())));
            }
        }
    }

    /// Writes them all; returns the outbox changes of what was written.
    async fn write(self, tx: &mut Tx, now: DateTime<Utc>, actor: &Actor) -> StoreResult<Vec<Change>> {
        let skills = format!("INSERT INTO worker_skills ({SKILL_COLUMNS}) {}", select_rows(tx, &SKILL_FIELDS));
        let certificates =
            format!("INSERT INTO worker_certificates ({CERTIFICATE_COLUMNS}) {}", select_rows(tx, &CERTIFICATE_FIELDS));
        let skill_update = "ON CONFLICT (worker_id, skill_id) DO UPDATE SET rating_level_id = excluded.rating_level_id, \
             level_date = {date}, version = worker_skills.version + 1, modified_at = excluded.modified_at, \
             modified_by = excluded.modified_by WHERE worker_skills.rating_level_id IS DISTINCT FROM excluded.rating_level_id \
             OR {date_changed} RETURNING rec_id, worker_id, skill_id, version";
        let dated = skill_update
            .replace("{date}", "excluded.level_date")
            .replace("{date_changed}", "worker_skills.level_date IS DISTINCT FROM excluded.level_date");
        let undated = skill_update
            .replace(
                "{date}",
                "CASE WHEN worker_skills.rating_level_id IS DISTINCT FROM excluded.rating_level_id \
                 THEN excluded.level_date ELSE worker_skills.level_date END",
            )
            .replace("{date_changed}", "false");
        let certificate_update = "ON CONFLICT (worker_id, certificate_type_id) DO UPDATE SET issued_on = excluded.issued_on, \
             expires_on = excluded.expires_on, version = worker_certificates.version + 1, modified_at = excluded.modified_at, \
             modified_by = excluded.modified_by WHERE worker_certificates.issued_on IS DISTINCT FROM excluded.issued_on \
             OR worker_certificates.expires_on IS DISTINCT FROM excluded.expires_on \
             RETURNING rec_id, worker_id, certificate_type_id, version";
        let [new_skills, dated_skills, undated_skills] = self.skills;
        let [new_certificates, stored_certificates] = self.certificates;
        let mut changes = Vec::new();
        for (rows, sql, entity_name) in [
            (new_skills, skills.clone(), entity::WORKER_SKILL),
            (new_certificates, certificates.clone(), entity::WORKER_CERTIFICATE),
        ] {
            if rows.is_empty() {
                continue;
            }
            let (json, keys): (Vec<_>, Vec<_>) = rows.into_iter().unzip();
            let rec_ids: Vec<i64> = json.iter().map(|r| r[0].as_i64().expect("rec_id")).collect();
            let json = serde_json::Value::Array(json).to_string();
            on_tx!(tx, c => {
                sqlx::query(sqlx::AssertSqlSafe(&*sql)).bind(&json).bind(now).bind(&actor.name).execute(&mut *c).await?;
            });
            for (rec_id, key) in rec_ids.into_iter().zip(keys) {
                changes.push(change(entity_name, rec_id, key, 1, now, actor));
            }
        }
        for (rows, sql, entity_name) in [
            (dated_skills, format!("{skills} {dated}"), entity::WORKER_SKILL),
            (undated_skills, format!("{skills} {undated}"), entity::WORKER_SKILL),
            (stored_certificates, format!("{certificates} {certificate_update}"), entity::WORKER_CERTIFICATE),
        ] {
            if rows.is_empty() {
                continue;
            }
            let keys: HashMap<(i64, i64), String> = rows
                .iter()
                .map(|(r, key)| ((r[1].as_i64().expect("worker"), r[2].as_i64().expect("thing")), key.clone()))
                .collect();
            let json = serde_json::Value::Array(rows.into_iter().map(|(r, _)| r).collect()).to_string();
            let written: Vec<(i64, i64, i64, i64)> = on_tx!(tx, c => {
                sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(&json).bind(now).bind(&actor.name).fetch_all(&mut *c).await?
            });
            for (rec_id, worker_id, thing_id, version) in written {
                changes.push(change(entity_name, rec_id, keys[&(worker_id, thing_id)].clone(), version, now, actor));
            }
        }
        Ok(changes)
    }
}
