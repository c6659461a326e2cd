//! Hiring a candidate: one transaction creates the worker, assigns the position, copies the
//! candidate's skills and certificates onto the worker and marks the candidate hired.

use super::candidates::{children_in_tx, concurrent_decision, record_candidate, refuse_unless_to_hire, row_in_tx};
use super::common::{id_of, record_write, unique_to_conflict};
use super::worker_qualifications::Catalog;
use super::workers::{insert_worker, worker_detail};
use crate::error::{StoreError, StoreResult};
use crate::outbox::entity;
use crate::settings::next_personnel_numbers;
use crate::{on_tx, Actor, HrStore};
use hrbridge_domain::hr::{Candidate, Hire, Worker, WorkerCertificate, WorkerInput, WorkerSkill};
use hrbridge_domain::outbox::Operation;
use hrbridge_domain::ValidationErrors;
use serde::Serialize;

/// What a hire made: the candidate (now hired) and the new worker.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Hired {
    pub candidate: Candidate,
    pub worker: Worker,
}

impl HrStore {
    /// Hires candidate `rec_id` into a vacant position. The personnel number comes from the
    /// sequence unless given; the employment start is the candidate's start date unless given.
    pub async fn hire_candidate(&self, actor: &Actor, rec_id: i64, hire: Hire) -> StoreResult<Hired> {
        let catalog = Catalog::load(&self.db).await?;
        let now = self.clock.now();
        let today = self.clock.today();
        let mut tx = self.db.begin().await?;
        let row =
            row_in_tx(&mut tx, rec_id).await?.ok_or_else(|| StoreError::not_found("candidate", rec_id.to_string()))?;
        refuse_unless_to_hire(&row)?;
        let (mut skills, mut certificates) = children_in_tx(&mut tx, &[rec_id]).await?;
        let skills = skills.remove(&rec_id).unwrap_or_default();
        let certificates = certificates.remove(&rec_id).unwrap_or_default();

        let position_number = hire.position_number.as_str();
        let position: Option<(i64, Option<i64>, String, String, String)> = on_tx!(&mut tx, c => {
            sqlx::query_as(
                "SELECT p.rec_id, p.worker_id, p.title, p.location, j.job_id FROM positions p \
                 JOIN jobs j ON j.rec_id = p.job_rec_id WHERE p.position_number = $1",
            )
            .bind(position_number)
            .fetch_optional(&mut *c)
            .await?
        });
        let (position_id, holder, title, location, job_id) = position.ok_or_else(|| {
            StoreError::invalid("position_number", format!("no position with position_number '{position_number}'"))
        })?;
        if let Some(holder) = holder {
            let worker: Option<String> = on_tx!(&mut tx, c => {
                sqlx::query_scalar("SELECT personnel_number FROM workers WHERE rec_id = $1")
                    .bind(holder)
                    .fetch_optional(&mut *c)
                    .await?
            });
            let worker = worker.unwrap_or_default();
            let message = format!("position '{position_number}' is already filled by worker '{worker}'");
            return Err(StoreError::conflict(Some("position_number"), message));
        }

        // The candidate's skills and certificates, against today's catalog.
        let mut errors = ValidationErrors::new();
        let mut resolved_skills = Vec::with_capacity(skills.len());
        for (i, s) in skills.iter().enumerate() {
            let Some(skill) = errors.check(catalog.skill(&format!("skills[{i}].skill"), &s.skill)) else { continue };
            if let Some((level_id, level, factor)) = errors.check(skill.level(&format!("skills[{i}].level"), &s.level))
            {
                let record = WorkerSkill {
                    version: 1,
                    skill: s.skill.clone(),
                    skill_name: skill.name.clone(),
                    level: level.to_string(),
                    factor,
                    level_date: today,
                };
                resolved_skills.push((skill.skill_id, level_id, record));
            }
        }
        let mut resolved_certificates = Vec::with_capacity(certificates.len());
        for (i, c) in certificates.iter().enumerate() {
            let field = format!("certificates[{i}].certificate_type");
            if let Some((type_id, name, _)) = errors.check(catalog.certificate_type(&field, &c.certificate_type)) {
                let record = WorkerCertificate {
                    version: 1,
                    certificate_type: c.certificate_type.clone(),
                    name: name.clone(),
                    issued_on: c.issued_on,
                    expires_on: c.expires_on,
                    expired: c.expires_on.is_some_and(|e| e < today),
                };
                resolved_certificates.push((*type_id, record));
            }
        }
        if !errors.is_empty() {
            let message = format!("the candidate's qualifications no longer match the catalog: {errors}");
            return Err(StoreError::conflict(None, message));
        }

        let personnel_number = match &hire.personnel_number {
            Some(n) => {
                if id_of(&mut tx, "workers", "personnel_number", n.as_str()).await?.is_some() {
                    let message = format!("a worker with personnel number '{n}' already exists");
                    return Err(StoreError::conflict(Some("personnel_number"), message));
                }
                n.as_str().to_string()
            }
            None => next_personnel_numbers(&mut tx, 1).await?.remove(0).into_string(),
        };
        let worker = WorkerInput {
            personnel_number: Some(personnel_number.clone()),
            first_name: row.first_name.clone(),
            middle_name: None,
            last_name: row.last_name.clone(),
            email: Some(row.email.clone()),
            phone: Some(row.phone.clone()),
            employment_start: Some(hire.employment_start.unwrap_or(row.start_date)),
            employment_end: None,
            status: None,
        }
        .parse()?;

        // The worker.
        let worker_id = self.ids.next_rec_id();
        let inserted = insert_worker(&mut tx, actor, now, worker_id, &personnel_number, &worker).await;
        unique_to_conflict(inserted, "personnel_number", || {
            format!("a worker with personnel number '{personnel_number}' already exists")
        })?;
        let detail = worker_detail(&worker, &personnel_number);
        record_write(&mut tx, actor, now, entity::WORKER, worker_id, &personnel_number, Operation::Insert, 1, &detail)
            .await?;

        // The position assignment: only while it is still vacant.
        let version: Option<i64> = on_tx!(&mut tx, c => {
            sqlx::query_scalar(
                "UPDATE positions SET worker_id = $2, version = version + 1, modified_at = $3, modified_by = $4 \
                 WHERE rec_id = $1 AND worker_id IS NULL RETURNING version",
            )
            .bind(position_id)
            .bind(worker_id)
            .bind(now)
            .bind(&actor.name)
            .fetch_optional(&mut *c)
            .await?
        });
        let version = version.ok_or_else(|| {
            StoreError::conflict(Some("position_number"), format!("position '{position_number}' was just filled"))
        })?;
        let detail = serde_json::json!({
            "position_number": position_number, "job_id": job_id, "title": title, "location": location,
            "worker": personnel_number,
        });
        record_write(
            &mut tx,
            actor,
            now,
            entity::POSITION,
            position_id,
            position_number,
            Operation::Update,
            version,
            &detail,
        )
        .await?;

        // Skills and certificates.
        for (skill_id, level_id, record) in &resolved_skills {
            let id = self.ids.next_rec_id();
            on_tx!(&mut tx, c => {
                sqlx::query(
                    "INSERT INTO worker_skills (rec_id, worker_id, skill_id, rating_level_id, level_date, version, \
                     modified_at, modified_by) VALUES ($1, $2, $3, $4, $5, 1, $6, $7)",
                )
                .bind(id)
                .bind(worker_id)
                .bind(*skill_id)
                .bind(*level_id)
                .bind(record.level_date)
                .bind(now)
                .bind(&actor.name)
                .execute(&mut *c)
                .await?;
            });
            let key = format!("{personnel_number}/{}", record.skill);
            record_write(&mut tx, actor, now, entity::WORKER_SKILL, id, &key, Operation::Insert, 1, record).await?;
        }
        for (type_id, record) in &resolved_certificates {
            let id = self.ids.next_rec_id();
            on_tx!(&mut tx, c => {
                sqlx::query(
                    "INSERT INTO worker_certificates (rec_id, worker_id, certificate_type_id, issued_on, expires_on, \
                     version, modified_at, modified_by) VALUES ($1, $2, $3, $4, $5, 1, $6, $7)",
                )
                .bind(id)
                .bind(worker_id)
                .bind(*type_id)
                .bind(record.issued_on)
                .bind(record.expires_on)
                .bind(now)
                .bind(&actor.name)
                .execute(&mut *c)
                .await?;
            });
            let key = format!("{personnel_number}/{}", record.certificate_type);
            record_write(&mut tx, actor, now, entity::WORKER_CERTIFICATE, id, &key, Operation::Insert, 1, record)
                .await?;
        }

        // The candidate: hired, only if nobody decided on it meanwhile.
        let version: Option<i64> = on_tx!(&mut tx, c => {
            sqlx::query_scalar(
                "UPDATE candidates SET status = 'hired', personnel_number = $2, decided_at = $3, decided_by = $4, \
                 version = version + 1, modified_at = $3, modified_by = $4 \
                 WHERE rec_id = $1 AND status = 'to_hire' RETURNING version",
            )
            .bind(rec_id)
            .bind(&personnel_number)
            .bind(now)
            .bind(&actor.name)
            .fetch_optional(&mut *c)
            .await?
        });
        let version = version.ok_or_else(|| concurrent_decision(rec_id))?;
        let detail = serde_json::json!({
            "id": rec_id.to_string(), "status": "hired", "personnel_number": personnel_number, "position_number": position_number,
        });
        record_candidate(&mut tx, actor, now, rec_id, &row.key(), Operation::Update, version, "hire", &detail).await?;
        tx.commit().await?;
        Ok(Hired { candidate: self.candidate(rec_id).await?, worker: self.worker(&personnel_number).await? })
    }
}
