use super::common::{
    count_where, delete_row, find_by_key, id_of, locked_at, page_by_key, record_write, refuse_if_used,
    unique_to_conflict,
};
use crate::db::{placeholders, value_rows};
use crate::error::{StoreError, StoreResult};
use crate::outbox::entity;
use crate::page::{Page, PageOf};
use crate::{on_read, on_tx, Actor, HrStore, Tx};
use hrbridge_domain::hr::{Job, NewJob, RequiredSkill};
use hrbridge_domain::outbox::Operation;
use hrbridge_domain::ValidationErrors;
use std::collections::HashMap;

const JOBS: (&str, &str, &str) = ("jobs", "job_id", "job");

const SELECT: &str = "SELECT rec_id, job_id, title, description, version, modified_at FROM jobs";

/// How many ids go into one `IN (…)` list: well under both backends' bind-parameter limits.
const CHUNK: usize = 500;

#[derive(sqlx::FromRow)]
struct Row {
    rec_id: i64,
    job_id: String,
    title: String,
    description: String,
    version: i64,
    modified_at: chrono::DateTime<chrono::Utc>,
}

#[derive(sqlx::FromRow)]
struct SkillRow {
    job_rec_id: i64,
    skill: String,
    min_level: String,
    min_factor: i64,
}

/// What a job requires, per job rec_id: its skills (ordered by skill code) and certificate codes (sorted).
pub(crate) type Requirements = HashMap<i64, (Vec<RequiredSkill>, Vec<String>)>;

/// The ids a job's requirements refer to, checked to exist: (skill id, min level id) pairs and
/// certificate type ids.
async fn references(tx: &mut Tx, input: &NewJob) -> StoreResult<(Vec<(i64, i64)>, Vec<i64>)> {
    let mut errors = ValidationErrors::new();
    let mut skills = Vec::new();
    for (i, (code, level)) in input.required_skills.iter().enumerate() {
        let skill: Option<(i64, i64, String)> = on_tx!(&mut *tx, c => {
            sqlx::query_as(
                "SELECT s.rec_id, s.rating_model_id, m.code FROM skills s \
                 JOIN rating_models m ON m.rec_id = s.rating_model_id WHERE s.code = $1",
            )
            .bind(code.as_str())
            .fetch_optional(&mut *c)
            .await?
        });
        let Some((skill_id, model_id, model_code)) = skill else {
            errors.add(format!("required_skills[{i}].skill"), format!("no skill with code '{code}'"));
            continue;
        };
        let levels: Vec<(i64, String)> = on_tx!(&mut *tx, c => {
            sqlx::query_as("SELECT rec_id, name FROM rating_levels WHERE rating_model_id = $1 ORDER BY factor")
                .bind(model_id)
                .fetch_all(&mut *c)
                .await?
        });
        match find_level(&levels, level) {
            Some(level_id) => skills.push((skill_id, level_id)),
            None => {
                let names: Vec<&str> = levels.iter().map(|(_, n)| n.as_str()).collect();
                let message = match (level.is_empty(), names.is_empty()) {
                    (_, true) => {
                        format!("rating model '{model_code}' of skill '{code}' has no levels")
                    }
                    (true, false) => format!("is required; levels are: {}", names.join(", ")),
                    (false, false) => format!(
                        "'{level}' is not a level of rating model '{model_code}'; levels are: {}",
                        names.join(", ")
                    ),
                };
                errors.add(format!("required_skills[{i}].min_level"), message);
            }
        }
    }
    let mut certificates = Vec::new();
    for (i, code) in input.required_certificates.iter().enumerate() {
        match id_of(tx, "certificate_types", "code", code.as_str()).await? {
            Some(id) => certificates.push(id),
            None => {
                errors.add(format!("required_certificates[{i}]"), format!("no certificate type with code '{code}'"))
            }
        }
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    Ok((skills, certificates))
}

/// The level named `name`: an exact match, else the only case-insensitive one.
fn find_level(levels: &[(i64, String)], name: &str) -> Option<i64> {
    if let Some((id, _)) = levels.iter().find(|(_, n)| n == name) {
        return Some(*id);
    }
    let mut folded = levels.iter().filter(|(_, n)| n.eq_ignore_ascii_case(name));
    match (folded.next(), folded.next()) {
        (Some((id, _)), None) => Some(*id),
        _ => None,
    }
}

/// Replaces the stored requirements of job `job_rec_id`.
async fn write_requirements(
    tx: &mut Tx,
    job_rec_id: i64,
    skills: &[(i64, i64)],
    certificates: &[i64],
) -> StoreResult<()> {
    on_tx!(&mut *tx, c => {
        sqlx::query("DELETE FROM job_skills WHERE job_rec_id = $1").bind(job_rec_id).execute(&mut *c).await?;
        sqlx::query("DELETE FROM job_certificates WHERE job_rec_id = $1").bind(job_rec_id).execute(&mut *c).await?;
    });
    if !skills.is_empty() {
        let sql = format!(
            "INSERT INTO job_skills (job_rec_id, skill_id, min_level_id) VALUES {}",
            value_rows(skills.len(), 3)
        );
        on_tx!(&mut *tx, c => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(&*sql));
            for (skill_id, level_id) in skills {
                query = query.bind(job_rec_id).bind(*skill_id).bind(*level_id);
            }
            query.execute(&mut *c).await?;
        });
    }
    if !certificates.is_empty() {
        let sql = format!(
            "INSERT INTO job_certificates (job_rec_id, certificate_type_id) VALUES {}",
            value_rows(certificates.len(), 2)
        );
        on_tx!(&mut *tx, c => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(&*sql));
            for certificate_id in certificates {
                query = query.bind(job_rec_id).bind(*certificate_id);
            }
            query.execute(&mut *c).await?;
        });
    }
    Ok(())
}

fn detail(input: &NewJob) -> serde_json::Value {
    serde_json::json!({
        "job_id": input.job_id, "title": input.title, "description": input.description,
        "required_skills": input.required_skills.iter()
            .map(|(skill, level)| serde_json::json!({"skill": skill, "min_level": level}))
            .collect::<Vec<_>>(),
        "required_certificates": input.required_certificates,
    })
}

impl HrStore {
    pub async fn job(&self, job_id: &str) -> StoreResult<Job> {
        let row: Option<Row> = find_by_key(&self.db, SELECT, "job_id", job_id).await?;
        let row = row.ok_or_else(|| StoreError::not_found("job", job_id))?;
        Ok(self.with_requirements(vec![row]).await?.remove(0))
    }

    pub async fn jobs(&self, page: &Page) -> StoreResult<PageOf<Job>> {
        let rows: Vec<Row> = page_by_key(&self.db, SELECT, "job_id", page).await?;
        let jobs = self.with_requirements(rows).await?;
        Ok(PageOf::from_rows(jobs, page, |j| j.job_id.clone()))
    }

    async fn with_requirements(&self, rows: Vec<Row>) -> StoreResult<Vec<Job>> {
        let ids: Vec<i64> = rows.iter().map(|r| r.rec_id).collect();
        let mut requirements = self.job_requirements(&ids).await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let (required_skills, required_certificates) = requirements.remove(&r.rec_id).unwrap_or_default();
                Job {
                    rec_id: r.rec_id,
                    job_id: r.job_id,
                    title: r.title,
                    description: r.description,
                    required_skills,
                    required_certificates,
                    version: r.version,
                    modified_at: r.modified_at,
                }
            })
            .collect())
    }

    /// The requirements of the jobs `job_rec_ids`, batched; jobs without any are absent.
    pub(crate) async fn job_requirements(&self, job_rec_ids: &[i64]) -> StoreResult<Requirements> {
        let mut ids = job_rec_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut out: Requirements = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            let list = placeholders(chunk.len());
            let skills_sql = format!(
                "SELECT js.job_rec_id, s.code AS skill, l.name AS min_level, l.factor AS min_factor FROM job_skills js \
                 JOIN skills s ON s.rec_id = js.skill_id JOIN rating_levels l ON l.rec_id = js.min_level_id \
                 WHERE js.job_rec_id IN ({list})"
            );
            let certificates_sql = format!(
                "SELECT jc.job_rec_id, t.code FROM job_certificates jc \
                 JOIN certificate_types t ON t.rec_id = jc.certificate_type_id WHERE jc.job_rec_id IN ({list})"
            );
            let (skills, certificates): (Vec<SkillRow>, Vec<(i64, String)>) = on_read!(&self.db, c => {
                let mut query = sqlx::query_as(sqlx::AssertSqlSafe(&*skills_sql));
                for id in chunk {
                    query = query.bind(*id);
                }
                let skills = query.fetch_all(&mut *c).await?;
                let mut query = sqlx::query_as(sqlx::AssertSqlSafe(&*certificates_sql));
                for id in chunk {
                    query = query.bind(*id);
                }
                (skills, query.fetch_all(&mut *c).await?)
            });
            for r in skills {
                let required = RequiredSkill { skill: r.skill, min_level: r.min_level, min_factor: r.min_factor };
                out.entry(r.job_rec_id).or_default().0.push(required);
            }
            for (job, code) in certificates {
                out.entry(job).or_default().1.push(code);
            }
        }
        // Sorted here rather than in SQL, so both backends give the same (bytewise) order.
        for (skills, certificates) in out.values_mut() {
            skills.sort_by(|a, b| a.skill.cmp(&b.skill));
            certificates.sort();
        }
        Ok(out)
    }

    pub async fn create_job(&self, actor: &Actor, input: NewJob) -> StoreResult<Job> {
        let now = self.clock.now();
        let rec_id = self.ids.next_rec_id();
        let job_id = input.job_id.as_str();
        let mut tx = self.db.begin().await?;
        let (skills, certificates) = references(&mut tx, &input).await?;
        let inserted = on_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO jobs (rec_id, job_id, title, description, version, modified_at, modified_by) \
                 VALUES ($1, $2, $3, $4, 1, $5, $6)",
            )
            .bind(rec_id)
            .bind(job_id)
            .bind(input.title.as_str())
            .bind(&input.description)
            .bind(now)
            .bind(&actor.name)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
            .map_err(StoreError::from)
        });
        unique_to_conflict(inserted, "job_id", || format!("a job with job_id '{job_id}' already exists"))?;
        write_requirements(&mut tx, rec_id, &skills, &certificates).await?;
        record_write(&mut tx, actor, now, entity::JOB, rec_id, job_id, Operation::Insert, 1, &detail(&input)).await?;
        tx.commit().await?;
        self.job(job_id).await
    }

    /// With `expected_version`, only while the job is at that version.
    pub async fn update_job(
        &self,
        actor: &Actor,
        job_id: &str,
        input: NewJob,
        expected_version: Option<i64>,
    ) -> StoreResult<Job> {
        if input.job_id.as_str() != job_id {
            return Err(StoreError::invalid("job_id", "cannot be changed"));
        }
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let rec_id = locked_at(&mut tx, JOBS, job_id, expected_version).await?;
        let (skills, certificates) = references(&mut tx, &input).await?;
        let version: i64 = on_tx!(&mut tx, c => {
            sqlx::query_scalar(
                "UPDATE jobs SET title = $2, description = $3, version = version + 1, modified_at = $4, \
                 modified_by = $5 WHERE rec_id = $1 RETURNING version",
            )
            .bind(rec_id)
            .bind(input.title.as_str())
            .bind(&input.description)
            .bind(now)
            .bind(&actor.name)
            .fetch_one(&mut *c)
            .await?
        });
        write_requirements(&mut tx, rec_id, &skills, &certificates).await?;
        record_write(&mut tx, actor, now, entity::JOB, rec_id, job_id, Operation::Update, version, &detail(&input))
            .await?;
        tx.commit().await?;
        self.job(job_id).await
    }

    /// With `expected_version`, only while the job is at that version.
    pub async fn delete_job(&self, actor: &Actor, job_id: &str, expected_version: Option<i64>) -> StoreResult<()> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let rec_id = locked_at(&mut tx, JOBS, job_id, expected_version).await?;
        let positions = count_where(&mut tx, "positions", "job_rec_id", rec_id).await?;
        refuse_if_used(positions, &format!("job '{job_id}'"), "position")?;
        // The job's rows in job_skills and job_certificates go with it (ON DELETE CASCADE).
        let version = delete_row(&mut tx, "jobs", rec_id).await?;
        record_write(
            &mut tx,
            actor,
            now,
            entity::JOB,
            rec_id,
            job_id,
            Operation::Delete,
            version,
            &serde_json::json!({}),
        )
        .await?;
        tx.commit().await
    }
}
