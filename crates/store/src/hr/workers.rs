use super::common::{find_by_key, locked_at, record_write, unique_to_conflict, WorkerFilter};
use crate::db::placeholders;
use crate::error::{StoreError, StoreResult};
use crate::outbox::{self, entity, Change};
use crate::page::{Page, PageOf};
use crate::settings::next_personnel_numbers;
use crate::{on_read, on_tx, Actor, HrStore};
use chrono::{DateTime, NaiveDate, Utc};
use hrbridge_domain::hr::{NewWorker, Worker, WorkerCertificate, WorkerSkill, WorkerStatus};
use hrbridge_domain::outbox::Operation;

/// The workers table, its key column and what a worker is called in errors.
const WORKERS: (&str, &str, &str) = ("workers", "personnel_number", "worker");
use std::collections::HashMap;

/// A worker's skill or certificate: (rec_id, code, version).
type Child = (i64, String, i64);

const SELECT: &str = "SELECT rec_id, personnel_number, first_name, middle_name, last_name, email, phone, \
                      employment_start, employment_end, status, version, modified_at FROM workers";

#[derive(sqlx::FromRow)]
pub(crate) struct WorkerRow {
    rec_id: i64,
    personnel_number: String,
    first_name: String,
    middle_name: Option<String>,
    last_name: String,
    email: Option<String>,
    phone: Option<String>,
    employment_start: Option<NaiveDate>,
    employment_end: Option<NaiveDate>,
    status: String,
    version: i64,
    modified_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct SkillRow {
    worker_id: i64,
    skill: String,
    skill_name: String,
    level: String,
    factor: i64,
    level_date: NaiveDate,
    version: i64,
}

#[derive(sqlx::FromRow)]
struct CertificateRow {
    worker_id: i64,
    certificate_type: String,
    name: String,
    issued_on: NaiveDate,
    expires_on: Option<NaiveDate>,
    version: i64,
}

pub(crate) fn worker_detail(w: &NewWorker, personnel_number: &str) -> serde_json::Value {
    serde_json::json!({
        "personnel_number": personnel_number, "first_name": w.first_name, "middle_name": w.middle_name,
        "last_name": w.last_name, "email": w.email, "phone": w.phone,
        "employment_start": w.employment_start, "employment_end": w.employment_end, "status": w.status,
    })
}

/// Inserts a worker row (no outbox or audit entry): for a create and for a hire.
pub(crate) async fn insert_worker(
    tx: &mut crate::Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    rec_id: i64,
    personnel_number: &str,
    input: &NewWorker,
) -> StoreResult<u64> {
    on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO workers (rec_id, personnel_number, first_name, middle_name, last_name, email, phone, \
             employment_start, employment_end, status, version, modified_at, modified_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $12)",
        )
        .bind(rec_id)
        .bind(personnel_number)
        .bind(input.first_name.as_str())
        .bind(input.middle_name.as_ref().map(|n| n.as_str()))
        .bind(input.last_name.as_str())
        .bind(input.email.as_ref().map(|e| e.as_str()))
        .bind(input.phone.as_ref().map(|p| p.as_str()))
        .bind(input.employment_start)
        .bind(input.employment_end)
        .bind(input.status.as_str())
        .bind(now)
        .bind(&actor.name)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())
        .map_err(StoreError::from)
    })
}

impl HrStore {
    pub async fn worker(&self, personnel_number: &str) -> StoreResult<Worker> {
        let row: Option<WorkerRow> = find_by_key(&self.db, SELECT, "personnel_number", personnel_number).await?;
        let row = row.ok_or_else(|| StoreError::not_found("worker", personnel_number))?;
        Ok(self.complete_workers(vec![row]).await?.remove(0))
    }

    pub async fn workers(&self, filter: &WorkerFilter, page: &Page) -> StoreResult<PageOf<Worker>> {
        let q = filter.q.as_deref().map(str::trim).unwrap_or("");
        let pattern = format!("%{}%", q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        let sql = format!(
            "{SELECT} WHERE personnel_number > $1 AND ($2 = '' OR lower(personnel_number) LIKE $3 ESCAPE '\\' \
             OR lower(first_name) LIKE $3 ESCAPE '\\' OR lower(last_name) LIKE $3 ESCAPE '\\' \
             OR lower(COALESCE(email, '')) LIKE $3 ESCAPE '\\') ORDER BY personnel_number LIMIT $4"
        );
        let rows: Vec<WorkerRow> = on_read!(&self.db, c => {
            sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(page.after_key()).bind(q).bind(&pattern).bind(page.fetch()).fetch_all(&mut *c).await?
        });
        let page_of = PageOf::from_rows(rows, page, |r| r.personnel_number.clone());
        let items = self.complete_workers(page_of.items).await?;
        Ok(PageOf { items, next: page_of.next })
    }

    pub async fn worker_count(&self) -> StoreResult<i64> {
        Ok(on_read!(&self.db, c => {
            sqlx::query_scalar("SELECT COUNT(*) FROM workers").fetch_one(&mut *c).await?
        }))
    }

    /// Adds skills, certificates and position to worker rows: three queries for the whole page.
    async fn complete_workers(&self, rows: Vec<WorkerRow>) -> StoreResult<Vec<Worker>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.rec_id).collect();
        let list = placeholders(ids.len());
        let skills_sql = format!(
            "SELECT ws.worker_id, s.code AS skill, s.name AS skill_name, l.name AS level, l.factor, ws.level_date, ws.version \
             FROM worker_skills ws JOIN skills s ON s.rec_id = ws.skill_id \
             JOIN rating_levels l ON l.rec_id = ws.rating_level_id WHERE ws.worker_id IN ({list}) ORDER BY s.code"
        );
        let certs_sql = format!(
            "SELECT wc.worker_id, t.code AS certificate_type, t.name, wc.issued_on, wc.expires_on, wc.version \
             FROM worker_certificates wc JOIN certificate_types t ON t.rec_id = wc.certificate_type_id \
             WHERE wc.worker_id IN ({list}) ORDER BY t.code"
        );
        let (skills, certs): (Vec<SkillRow>, Vec<CertificateRow>) = on_read!(&self.db, c => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(&*skills_sql));
            for id in &ids {
                q = q.bind(id);
            }
            let skills = q.fetch_all(&mut *c).await?;
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(&*certs_sql));
            for id in &ids {
                q = q.bind(id);
            }
            (skills, q.fetch_all(&mut *c).await?)
        });
        let mut positions = self.position_of_workers(&ids).await?;
        let today = self.clock.today();
        let mut skills_of: HashMap<i64, Vec<WorkerSkill>> = HashMap::new();
        for s in skills {
            skills_of.entry(s.worker_id).or_default().push(WorkerSkill {
                version: s.version,
                skill: s.skill,
                skill_name: s.skill_name,
                level: s.level,
                factor: s.factor,
                level_date: s.level_date,
            });
        }
        let mut certs_of: HashMap<i64, Vec<WorkerCertificate>> = HashMap::new();
        for c in certs {
            certs_of.entry(c.worker_id).or_default().push(WorkerCertificate {
                expired: c.expires_on.is_some_and(|e| e < today),
                version: c.version,
                certificate_type: c.certificate_type,
                name: c.name,
                issued_on: c.issued_on,
                expires_on: c.expires_on,
            });
        }
        Ok(rows
            .into_iter()
            .map(|r| Worker {
                skills: skills_of.remove(&r.rec_id).unwrap_or_default(),
                certificates: certs_of.remove(&r.rec_id).unwrap_or_default(),
                position: positions.remove(&r.rec_id),
                rec_id: r.rec_id,
                personnel_number: r.personnel_number,
                first_name: r.first_name,
                middle_name: r.middle_name,
                last_name: r.last_name,
                email: r.email,
                phone: r.phone,
                employment_start: r.employment_start,
                employment_end: r.employment_end,
                status: WorkerStatus::parse(&r.status).unwrap_or_default(),
                version: r.version,
                modified_at: r.modified_at,
            })
            .collect())
    }

    pub async fn create_worker(&self, actor: &Actor, input: NewWorker) -> StoreResult<Worker> {
        let now = self.clock.now();
        let rec_id = self.ids.next_rec_id();
        let mut tx = self.db.begin().await?;
        let personnel_number = match &input.personnel_number {
            Some(n) => n.as_str().to_string(),
            None => next_personnel_numbers(&mut tx, 1).await?.remove(0).into_string(),
        };
        let inserted = insert_worker(&mut tx, actor, now, rec_id, &personnel_number, &input).await;
        unique_to_conflict(inserted, "personnel_number", || {
            format!("a worker with personnel number '{personnel_number}' already exists")
        })?;
        let detail = worker_detail(&input, &personnel_number);
        record_write(&mut tx, actor, now, entity::WORKER, rec_id, &personnel_number, Operation::Insert, 1, &detail)
            .await?;
        tx.commit().await?;
        self.worker(&personnel_number).await
    }

    /// Replaces a worker's fields. With `expected_version`, only if the worker is still at that
    /// version (`Stale` otherwise, and nothing is written): a write based on what was read.
    pub async fn update_worker(
        &self,
        actor: &Actor,
        personnel_number: &str,
        input: NewWorker,
        expected_version: Option<i64>,
    ) -> StoreResult<Worker> {
        if input.personnel_number.as_ref().is_some_and(|n| n.as_str() != personnel_number) {
            return Err(StoreError::invalid("personnel_number", "cannot be changed"));
        }
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let updated: Option<(i64, i64)> = on_tx!(&mut tx, c => {
            sqlx::query_as(
                "UPDATE workers SET first_name = $2, middle_name = $3, last_name = $4, email = $5, phone = $6, \
                 employment_start = $7, employment_end = $8, status = $9, version = version + 1, modified_at = $10, \
                 modified_by = $11 WHERE personnel_number = $1 AND ($12 IS NULL OR version = $12) \
                 RETURNING rec_id, version",
            )
            .bind(personnel_number)
            .bind(input.first_name.as_str())
            .bind(input.middle_name.as_ref().map(|n| n.as_str()))
            .bind(input.last_name.as_str())
            .bind(input.email.as_ref().map(|e| e.as_str()))
            .bind(input.phone.as_ref().map(|p| p.as_str()))
            .bind(input.employment_start)
            .bind(input.employment_end)
            .bind(input.status.as_str())
            .bind(now)
            .bind(&actor.name)
            .bind(expected_version)
            .fetch_optional(&mut *c)
            .await?
        });
        let Some((rec_id, version)) = updated else {
            return Err(stale_or_missing(&mut tx, expected_version, personnel_number).await);
        };
        let detail = worker_detail(&input, personnel_number);
        record_write(
            &mut tx,
            actor,
            now,
            entity::WORKER,
            rec_id,
            personnel_number,
            Operation::Update,
            version,
            &detail,
        )
        .await?;
        tx.commit().await?;
        self.worker(personnel_number).await
    }

    /// Deletes a worker with their skills and certificates (each delete in the outbox). A worker
    /// who holds a position is refused: unassign the position first.
    /// With `expected_version`, only while the worker is still at that version.
    pub async fn delete_worker(
        &self,
        actor: &Actor,
        personnel_number: &str,
        expected_version: Option<i64>,
    ) -> StoreResult<()> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        // Lock the worker before reading its skills and certificates, so none added meanwhile
        // is deleted by the cascade without its outbox entry.
        let rec_id = locked_at(&mut tx, WORKERS, personnel_number, expected_version).await?;
        let (position, skills, certs, version): (Option<String>, Vec<Child>, Vec<Child>, i64) = on_tx!(&mut tx, c => {
            let position = sqlx::query_scalar("SELECT position_number FROM positions WHERE worker_id = $1")
                .bind(rec_id)
                .fetch_optional(&mut *c)
                .await?;
            let skills = sqlx::query_as(
                "SELECT ws.rec_id, s.code, ws.version FROM worker_skills ws JOIN skills s ON s.rec_id = ws.skill_id \
                 WHERE ws.worker_id = $1",
            )
            .bind(rec_id)
            .fetch_all(&mut *c)
            .await?;
            let certs = sqlx::query_as(
                "SELECT wc.rec_id, t.code, wc.version FROM worker_certificates wc \
                 JOIN certificate_types t ON t.rec_id = wc.certificate_type_id WHERE wc.worker_id = $1",
            )
            .bind(rec_id)
            .fetch_all(&mut *c)
            .await?;
            let version = sqlx::query_scalar("SELECT version FROM workers WHERE rec_id = $1")
                .bind(rec_id)
                .fetch_one(&mut *c)
                .await?;
            (position, skills, certs, version)
        });
        if let Some(position) = position {
            return Err(StoreError::conflict(
                None,
                format!("worker '{personnel_number}' holds position '{position}': unassign the position before deleting the worker"),
            ));
        }
        on_tx!(&mut tx, c => {
            sqlx::query("DELETE FROM workers WHERE rec_id = $1").bind(rec_id).execute(&mut *c).await?;
        });
        let child = |entity: &'static str, (id, code, version): Child| Change {
            entity,
            rec_id: id,
            entity_key: format!("{personnel_number}/{code}"),
            operation: Operation::Delete,
            version: version + 1,
            modified_at: now,
            origin: actor.origin,
        };
        let changes: Vec<Change> = skills
            .into_iter()
            .map(|s| child(entity::WORKER_SKILL, s))
            .chain(certs.into_iter().map(|c| child(entity::WORKER_CERTIFICATE, c)))
            .collect();
        outbox::append(&mut tx, &changes).await?;
        record_write(
            &mut tx,
            actor,
            now,
            entity::WORKER,
            rec_id,
            personnel_number,
            Operation::Delete,
            version + 1,
            &serde_json::json!({}),
        )
        .await?;
        tx.commit().await
    }
}

/// Why an update matched no worker: it is gone (404), or it moved past `expected` (stale).
async fn stale_or_missing(tx: &mut crate::Tx, expected: Option<i64>, personnel_number: &str) -> StoreError {
    match locked_at(tx, WORKERS, personnel_number, expected).await {
        Ok(_) => StoreError::not_found("worker", personnel_number),
        Err(error) => error,
    }
}
