//! Candidates to hire, exported by an applicant tracking system: received idempotently per
//! (app, external id), listed for HR, and closed by a hire (`hire.rs`), a refusal or a dismissal.

use super::worker_qualifications::Catalog;
use crate::db::{placeholders, value_rows, Tx};
use crate::error::{StoreError, StoreResult};
use crate::outbox::{self, entity, Change};
use crate::page::{Page, PageOf};
use crate::{audit, on_read, on_tx, Actor, HrStore};
use chrono::{DateTime, NaiveDate, Utc};
use hrbridge_domain::hr::{Candidate, CandidateCertificate, CandidateSkill, CandidateStatus, NewCandidate};
use hrbridge_domain::outbox::Operation;
use hrbridge_domain::ValidationErrors;
use std::collections::HashMap;

pub(crate) const SELECT: &str = "SELECT rec_id, source_app, external_id, first_name, last_name, email, phone, \
     start_date, job_title, location, status, reason, personnel_number, received_at, decided_at, decided_by, \
     version, modified_at FROM candidates";

#[derive(sqlx::FromRow)]
pub(crate) struct CandidateRow {
    pub(crate) rec_id: i64,
    pub(crate) source_app: String,
    pub(crate) external_id: String,
    pub(crate) first_name: String,
    pub(crate) last_name: String,
    pub(crate) email: String,
    pub(crate) phone: String,
    pub(crate) start_date: NaiveDate,
    pub(crate) job_title: String,
    pub(crate) location: String,
    pub(crate) status: String,
    reason: Option<String>,
    personnel_number: Option<String>,
    received_at: DateTime<Utc>,
    decided_at: Option<DateTime<Utc>>,
    decided_by: Option<String>,
    version: i64,
    modified_at: DateTime<Utc>,
}

impl CandidateRow {
    pub(crate) fn status(&self) -> CandidateStatus {
        CandidateStatus::parse(&self.status).unwrap_or(CandidateStatus::ToHire)
    }
    pub(crate) fn key(&self) -> String {
        format!("{}/{}", self.source_app, self.external_id)
    }
    fn into_candidate(self, skills: Vec<CandidateSkill>, certificates: Vec<CandidateCertificate>) -> Candidate {
        Candidate {
            status: self.status(),
            id: self.rec_id,
            source_app: self.source_app,
            external_id: self.external_id,
            first_name: self.first_name,
            last_name: self.last_name,
            email: self.email,
            phone: self.phone,
            start_date: self.start_date,
            job_title: self.job_title,
            location: self.location,
            skills,
            certificates,
            reason: self.reason,
            personnel_number: self.personnel_number,
            received_at: self.received_at,
            decided_at: self.decided_at,
            decided_by: self.decided_by,
            version: self.version,
            modified_at: self.modified_at,
        }
    }
}

/// What an export says about a candidate, comparable with what is stored: an export that says
/// the same again changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
struct Content {
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
    start_date: NaiveDate,
    job_title: String,
    location: String,
    /// By skill code; levels by their canonical name.
    skills: Vec<CandidateSkill>,
    /// By certificate type code.
    certificates: Vec<CandidateCertificate>,
}

impl Content {
    fn of_row(row: &CandidateRow, skills: Vec<CandidateSkill>, certificates: Vec<CandidateCertificate>) -> Self {
        Content {
            first_name: row.first_name.clone(),
            last_name: row.last_name.clone(),
            email: row.email.clone(),
            phone: row.phone.clone(),
            start_date: row.start_date,
            job_title: row.job_title.clone(),
            location: row.location.clone(),
            skills,
            certificates,
        }
    }
}

/// Outcome of a receive: the candidate, and whether it was new.
#[derive(Debug, Clone)]
pub struct Received {
    pub candidate: Candidate,
    pub created: bool,
}

/// Resolves skill codes and levels and certificate types of an export against the catalog;
/// every unknown one is named (`skills[1].level`).
fn resolve(catalog: &Catalog, input: &NewCandidate) -> Result<Content, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let mut skills = Vec::with_capacity(input.skills.len());
    for (i, s) in input.skills.iter().enumerate() {
        let Some(skill) = errors.check(catalog.skill(&format!("skills[{i}].skill"), &s.skill)) else { continue };
        if let Some((_, level, _)) = errors.check(skill.level(&format!("skills[{i}].level"), &s.level)) {
            skills.push(CandidateSkill { skill: s.skill.clone(), level: level.to_string() });
        }
    }
    let mut certificates = Vec::with_capacity(input.certificates.len());
    for (i, c) in input.certificates.iter().enumerate() {
        let field = format!("certificates[{i}].certificate_type");
        let Some((_, _, requires_renewal)) = errors.check(catalog.certificate_type(&field, &c.certificate_type)) else {
            continue;
        };
        if *requires_renewal && c.expires_on.is_none() {
            errors.add(format!("certificates[{i}].expires_on"), "is required: this certificate type requires renewal");
        }
        certificates.push(c.clone());
    }
    skills.sort_by(|a, b| a.skill.cmp(&b.skill));
    certificates.sort_by(|a, b| a.certificate_type.cmp(&b.certificate_type));
    errors.into_result(|| Content {
        first_name: input.first_name.to_string(),
        last_name: input.last_name.to_string(),
        email: input.email.to_string(),
        phone: input.phone.to_string(),
        start_date: input.start_date,
        job_title: input.job_title.to_string(),
        location: input.location.to_string(),
        skills,
        certificates,
    })
}

/// Appends the outbox entry of a candidate write and its audit entry (`action`: export, hire…).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record_candidate(
    tx: &mut Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    rec_id: i64,
    key: &str,
    operation: Operation,
    version: i64,
    action: &str,
    detail: &serde_json::Value,
) -> StoreResult<()> {
    let change = Change {
        entity: entity::CANDIDATE,
        rec_id,
        entity_key: key.to_string(),
        operation,
        version,
        modified_at: now,
        origin: actor.origin,
    };
    outbox::append(tx, std::slice::from_ref(&change)).await?;
    audit::append(tx, actor, now, action, entity::CANDIDATE, key, detail).await
}

/// The skills and certificates of candidates, by candidate, read in the transaction or on a reader.
type Children = (HashMap<i64, Vec<CandidateSkill>>, HashMap<i64, Vec<CandidateCertificate>>);

fn children_sql(n: usize) -> (String, String) {
    let list = placeholders(n);
    (
        format!(
            "SELECT candidate_id, skill, level FROM candidate_skills WHERE candidate_id IN ({list}) \
             ORDER BY candidate_id, skill"
        ),
        format!(
            "SELECT candidate_id, certificate_type, issued_on, expires_on FROM candidate_certificates \
             WHERE candidate_id IN ({list}) ORDER BY candidate_id, certificate_type"
        ),
    )
}

type SkillRow = (i64, String, String);
type CertificateRow = (i64, String, NaiveDate, Option<NaiveDate>);

fn group(skills: Vec<SkillRow>, certs: Vec<CertificateRow>) -> Children {
    let mut skills_of: HashMap<i64, Vec<CandidateSkill>> = HashMap::new();
    for (id, skill, level) in skills {
        skills_of.entry(id).or_default().push(CandidateSkill { skill, level });
    }
    let mut certs_of: HashMap<i64, Vec<CandidateCertificate>> = HashMap::new();
    for (id, certificate_type, issued_on, expires_on) in certs {
        certs_of.entry(id).or_default().push(CandidateCertificate { certificate_type, issued_on, expires_on });
    }
    (skills_of, certs_of)
}

pub(crate) async fn children_in_tx(tx: &mut Tx, ids: &[i64]) -> StoreResult<Children> {
    let (skills_sql, certs_sql) = children_sql(ids.len());
    let (skills, certs): (Vec<SkillRow>, Vec<CertificateRow>) = on_tx!(tx, c => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(&*skills_sql));
        for id in ids {
            q = q.bind(*id);
        }
        let skills = q.fetch_all(&mut *c).await?;
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(&*certs_sql));
        for id in ids {
            q = q.bind(*id);
        }
        (skills, q.fetch_all(&mut *c).await?)
    });
    Ok(group(skills, certs))
}

/// The candidate row `rec_id`, read and locked in the transaction, so an export and a hire of
/// the same candidate cannot interleave.
pub(crate) async fn row_in_tx(tx: &mut Tx, rec_id: i64) -> StoreResult<Option<CandidateRow>> {
    let sql = format!("{SELECT} WHERE rec_id = $1{}", tx.for_update());
    Ok(on_tx!(tx, c => {
        sqlx::query_as::<_, CandidateRow>(sqlx::AssertSqlSafe(&*sql)).bind(rec_id).fetch_optional(&mut *c).await?
    }))
}

async fn insert_children(tx: &mut Tx, rec_id: i64, content: &Content) -> StoreResult<()> {
    if !content.skills.is_empty() {
        let sql = format!(
            "INSERT INTO candidate_skills (candidate_id, skill, level) VALUES {}",
            value_rows(content.skills.len(), 3)
        );
        on_tx!(&mut *tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(&*sql));
            for s in &content.skills {
                q = q.bind(rec_id).bind(&s.skill).bind(&s.level);
            }
            q.execute(&mut *c).await?;
        });
    }
    if !content.certificates.is_empty() {
        let sql = format!(
            "INSERT INTO candidate_certificates (candidate_id, certificate_type, issued_on, expires_on) VALUES {}",
            value_rows(content.certificates.len(), 4)
        );
        on_tx!(&mut *tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(&*sql));
            for cert in &content.certificates {
                q = q.bind(rec_id).bind(&cert.certificate_type).bind(cert.issued_on).bind(cert.expires_on);
            }
            q.execute(&mut *c).await?;
        });
    }
    Ok(())
}

/// Filters for listing candidates.
#[derive(Debug, Clone, Default)]
pub struct CandidateFilter {
    pub status: Option<CandidateStatus>,
    /// Only the candidates this app (or user) exported.
    pub source_app: Option<String>,
}

impl HrStore {
    /// Receives an export from `actor` (the app): creates the candidate, or, for the same
    /// external id again, leaves it alone when nothing changed and updates it when something did
    /// while it is still to hire (a 409 once it is hired or closed). Skill codes, levels and
    /// certificate types must be in the catalog. Nothing is stored when anything is refused.
    pub async fn receive_candidate(&self, actor: &Actor, input: NewCandidate) -> StoreResult<Received> {
        let catalog = if input.skills.is_empty() && input.certificates.is_empty() {
            Catalog::default()
        } else {
            Catalog::load(&self.db).await?
        };
        let content = resolve(&catalog, &input)?;
        match self.receive_once(actor, &input.external_id, &content).await {
            // Two exports of a new candidate at once: the loser sees the winner's row.
            Err(e) if e.is_unique_violation() => self.receive_once(actor, &input.external_id, &content).await,
            other => other,
        }
    }

    async fn receive_once(&self, actor: &Actor, external_id: &str, content: &Content) -> StoreResult<Received> {
        let now = self.clock.now();
        let source_app = actor.name.as_str();
        let key = format!("{source_app}/{external_id}");
        let detail = serde_json::json!({"source_app": source_app, "external_id": external_id, "candidate": content});
        let mut tx = self.db.begin().await?;
        let sql = format!("{SELECT} WHERE source_app = $1 AND external_id = $2{}", tx.for_update());
        let existing: Option<CandidateRow> = on_tx!(&mut tx, c => {
            sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(source_app).bind(external_id).fetch_optional(&mut *c).await?
        });
        let (rec_id, created) = match existing {
            None => {
                let rec_id = self.ids.next_rec_id();
                on_tx!(&mut tx, c => {
                    sqlx::query(
                        "INSERT INTO candidates (rec_id, source_app, external_id, first_name, last_name, email, phone, \
                         start_date, job_title, location, status, received_at, version, modified_at, modified_by) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'to_hire', $11, 1, $11, $12)",
                    )
                    .bind(rec_id)
                    .bind(source_app)
                    .bind(external_id)
                    .bind(&content.first_name)
                    .bind(&content.last_name)
                    .bind(&content.email)
                    .bind(&content.phone)
                    .bind(content.start_date)
                    .bind(&content.job_title)
                    .bind(&content.location)
                    .bind(now)
                    .bind(&actor.name)
                    .execute(&mut *c)
                    .await?;
                });
                insert_children(&mut tx, rec_id, content).await?;
                record_candidate(&mut tx, actor, now, rec_id, &key, Operation::Insert, 1, "export", &detail).await?;
                (rec_id, true)
            }
            Some(row) => {
                let rec_id = row.rec_id;
                let (mut skills, mut certs) = children_in_tx(&mut tx, &[rec_id]).await?;
                let stored = Content::of_row(
                    &row,
                    skills.remove(&rec_id).unwrap_or_default(),
                    certs.remove(&rec_id).unwrap_or_default(),
                );
                if stored == *content {
                    // The same export again: nothing changes, but the export is on record.
                    audit::append(&mut tx, actor, now, "export-unchanged", entity::CANDIDATE, &key, &detail).await?;
                } else if row.status() != CandidateStatus::ToHire {
                    let status = row.status().as_str().replace('_', " ");
                    return Err(StoreError::conflict(
                        None,
                        format!(
                            "candidate '{external_id}' is already {status}: a changed export can no longer update it"
                        ),
                    ));
                } else {
                    let version: i64 = on_tx!(&mut tx, c => {
                        sqlx::query("DELETE FROM candidate_skills WHERE candidate_id = $1")
                            .bind(rec_id)
                            .execute(&mut *c)
                            .await?;
                        sqlx::query("DELETE FROM candidate_certificates WHERE candidate_id = $1")
                            .bind(rec_id)
                            .execute(&mut *c)
                            .await?;
                        sqlx::query_scalar(
                            "UPDATE candidates SET first_name = $2, last_name = $3, email = $4, phone = $5, \
                             start_date = $6, job_title = $7, location = $8, version = version + 1, \
                             modified_at = $9, modified_by = $10 WHERE rec_id = $1 RETURNING version",
                        )
                        .bind(rec_id)
                        .bind(&content.first_name)
                        .bind(&content.last_name)
                        .bind(&content.email)
                        .bind(&content.phone)
                        .bind(content.start_date)
                        .bind(&content.job_title)
                        .bind(&content.location)
                        .bind(now)
                        .bind(&actor.name)
                        .fetch_one(&mut *c)
                        .await?
                    });
                    insert_children(&mut tx, rec_id, content).await?;
                    record_candidate(&mut tx, actor, now, rec_id, &key, Operation::Update, version, "export", &detail)
                        .await?;
                }
                (rec_id, false)
            }
        };
        tx.commit().await?;
        Ok(Received { candidate: self.candidate(rec_id).await?, created })
    }

    pub async fn candidate(&self, rec_id: i64) -> StoreResult<Candidate> {
        let sql = format!("{SELECT} WHERE rec_id = $1");
        let row: Option<CandidateRow> = on_read!(&self.db, c => {
            sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(rec_id).fetch_optional(&mut *c).await?
        });
        let row = row.ok_or_else(|| StoreError::not_found("candidate", rec_id.to_string()))?;
        Ok(self.complete_candidates(vec![row]).await?.remove(0))
    }

    /// The candidate `source_app` exported as `external_id`: an app sees only its own.
    pub async fn candidate_of_app(&self, source_app: &str, external_id: &str) -> StoreResult<Candidate> {
        let sql = format!("{SELECT} WHERE source_app = $1 AND external_id = $2");
        let row: Option<CandidateRow> = on_read!(&self.db, c => {
            sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(source_app).bind(external_id).fetch_optional(&mut *c).await?
        });
        let row = row.ok_or_else(|| StoreError::not_found("candidate", external_id))?;
        Ok(self.complete_candidates(vec![row]).await?.remove(0))
    }

    /// Candidates in order of receipt (record id), optionally of one status.
    pub async fn candidates(&self, filter: &CandidateFilter, page: &Page) -> StoreResult<PageOf<Candidate>> {
        let after: i64 = page.after.as_deref().and_then(|s| s.parse().ok()).unwrap_or(i64::MIN);
        let status = filter.status.map(CandidateStatus::as_str).unwrap_or("");
        let source_app = filter.source_app.as_deref().unwrap_or("");
        let sql = format!(
            "{SELECT} WHERE rec_id > $1 AND ($2 = '' OR status = $2) AND ($3 = '' OR source_app = $3) \
             ORDER BY rec_id LIMIT $4"
        );
        let rows: Vec<CandidateRow> = on_read!(&self.db, c => {
            sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(after).bind(status).bind(source_app).bind(page.fetch()).fetch_all(&mut *c).await?
        });
        let page_of = PageOf::from_rows(rows, page, |r| r.rec_id.to_string());
        let items = self.complete_candidates(page_of.items).await?;
        Ok(PageOf { items, next: page_of.next })
    }

    pub async fn candidate_count(&self) -> StoreResult<i64> {
        Ok(on_read!(&self.db, c => {
            sqlx::query_scalar("SELECT COUNT(*) FROM candidates").fetch_one(&mut *c).await?
        }))
    }

    async fn complete_candidates(&self, rows: Vec<CandidateRow>) -> StoreResult<Vec<Candidate>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.rec_id).collect();
        let (skills_sql, certs_sql) = children_sql(ids.len());
        let (skills, certs): (Vec<SkillRow>, Vec<CertificateRow>) = on_read!(&self.db, c => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(&*skills_sql));
            for id in &ids {
                q = q.bind(*id);
            }
            let skills = q.fetch_all(&mut *c).await?;
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(&*certs_sql));
            for id in &ids {
                q = q.bind(*id);
            }
            (skills, q.fetch_all(&mut *c).await?)
        });
        let (mut skills_of, mut certs_of) = group(skills, certs);
        Ok(rows
            .into_iter()
            .map(|r| {
                let id = r.rec_id;
                r.into_candidate(skills_of.remove(&id).unwrap_or_default(), certs_of.remove(&id).unwrap_or_default())
            })
            .collect())
    }

    /// Closes a candidate without a worker: `not_hired` with a reason code, or `dismissed`.
    pub async fn close_candidate(
        &self,
        actor: &Actor,
        rec_id: i64,
        status: CandidateStatus,
        reason: Option<String>,
    ) -> StoreResult<Candidate> {
        let action = match status {
            CandidateStatus::NotHired => "do-not-hire",
            CandidateStatus::Dismissed => "dismiss",
            _ => return Err(StoreError::invalid("status", "a candidate is closed as not_hired or dismissed")),
        };
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let row =
            row_in_tx(&mut tx, rec_id).await?.ok_or_else(|| StoreError::not_found("candidate", rec_id.to_string()))?;
        refuse_unless_to_hire(&row)?;
        let version: Option<i64> = on_tx!(&mut tx, c => {
            sqlx::query_scalar(
                "UPDATE candidates SET status = $2, reason = $3, decided_at = $4, decided_by = $5, \
                 version = version + 1, modified_at = $4, modified_by = $5 \
                 WHERE rec_id = $1 AND status = 'to_hire' RETURNING version",
            )
            .bind(rec_id)
            .bind(status.as_str())
            .bind(&reason)
            .bind(now)
            .bind(&actor.name)
            .fetch_optional(&mut *c)
            .await?
        });
        let version = version.ok_or_else(|| concurrent_decision(rec_id))?;
        let detail = serde_json::json!({"id": rec_id.to_string(), "status": status, "reason": reason});
        record_candidate(&mut tx, actor, now, rec_id, &row.key(), Operation::Update, version, action, &detail).await?;
        tx.commit().await?;
        self.candidate(rec_id).await
    }
}

/// A 409 unless the candidate is still to hire, saying what became of it.
pub(crate) fn refuse_unless_to_hire(row: &CandidateRow) -> StoreResult<()> {
    let message = match row.status() {
        CandidateStatus::ToHire => return Ok(()),
        CandidateStatus::Hired => format!(
            "candidate {} is already hired (personnel number {})",
            row.rec_id,
            row.personnel_number.as_deref().unwrap_or("?")
        ),
        CandidateStatus::NotHired => format!("candidate {} was already closed as not hired", row.rec_id),
        CandidateStatus::Dismissed => format!("candidate {} was already dismissed", row.rec_id),
    };
    Err(StoreError::conflict(None, message))
}

pub(crate) fn concurrent_decision(rec_id: i64) -> StoreError {
    StoreError::conflict(None, format!("candidate {rec_id} was decided by someone else at the same time"))
}
