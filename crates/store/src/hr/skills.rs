use super::common::{
    count_where, delete_row, find_by_key, id_of, locked_at, page_by_key, record_write, refuse_if_used,
    unique_to_conflict,
};
use crate::error::{StoreError, StoreResult};
use crate::outbox::entity;
use crate::page::{Page, PageOf};
use crate::{on_tx, Actor, HrStore, Tx};
use hrbridge_domain::hr::{NewSkill, Skill};
use hrbridge_domain::outbox::Operation;

const SKILLS: (&str, &str, &str) = ("skills", "code", "skill");

const SELECT: &str = "SELECT s.rec_id, s.code, s.name, t.code AS skill_type, m.code AS rating_model, s.description, \
                      s.version, s.modified_at FROM skills s \
                      LEFT JOIN skill_types t ON t.rec_id = s.skill_type_id \
                      JOIN rating_models m ON m.rec_id = s.rating_model_id";

#[derive(sqlx::FromRow)]
struct Row {
    rec_id: i64,
    code: String,
    name: String,
    skill_type: Option<String>,
    rating_model: String,
    description: String,
    version: i64,
    modified_at: chrono::DateTime<chrono::Utc>,
}

impl From<Row> for Skill {
    fn from(r: Row) -> Self {
        Skill {
            rec_id: r.rec_id,
            code: r.code,
            name: r.name,
            skill_type: r.skill_type,
            rating_model: r.rating_model,
            description: r.description,
            version: r.version,
            modified_at: r.modified_at,
        }
    }
}

/// The ids a skill refers to, checked to exist.
async fn references(tx: &mut Tx, input: &NewSkill) -> StoreResult<(Option<i64>, i64)> {
    let mut errors = hrbridge_domain::ValidationErrors::new();
    let skill_type = match &input.skill_type {
        Some(code) => match id_of(tx, "skill_types", "code", code.as_str()).await? {
            Some(id) => Some(id),
            None => {
                errors.add("skill_type", format!("no skill type with code '{code}'"));
                None
            }
        },
        None => None,
    };
    let model = id_of(tx, "rating_models", "code", input.rating_model.as_str()).await?;
    if model.is_none() {
        errors.add("rating_model", format!("no rating model with code '{}'", input.rating_model));
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    Ok((skill_type, model.expect("checked")))
}

fn detail(input: &NewSkill) -> serde_json::Value {
    serde_json::json!({
        "code": input.code, "name": input.name, "skill_type": input.skill_type,
        "rating_model": input.rating_model, "description": input.description,
    })
}

impl HrStore {
    pub async fn skill(&self, code: &str) -> StoreResult<Skill> {
        let row: Option<Row> = find_by_key(&self.db, SELECT, "s.code", code).await?;
        row.map(Into::into).ok_or_else(|| StoreError::not_found("skill", code))
    }

    pub async fn skills(&self, page: &Page) -> StoreResult<PageOf<Skill>> {
        let rows: Vec<Row> = page_by_key(&self.db, SELECT, "s.code", page).await?;
        Ok(PageOf::from_rows(rows, page, |r| r.code.clone()).map(Into::into))
    }

    pub async fn create_skill(&self, actor: &Actor, input: NewSkill) -> StoreResult<Skill> {
        let now = self.clock.now();
        let rec_id = self.ids.next_rec_id();
        let code = input.code.as_str();
        let mut tx = self.db.begin().await?;
        let (skill_type_id, model_id) = references(&mut tx, &input).await?;
        let inserted = on_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO skills (rec_id, code, name, skill_type_id, rating_model_id, description, version, \
                 modified_at, modified_by) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8)",
            )
            .bind(rec_id)
            .bind(code)
            .bind(input.name.as_str())
            .bind(skill_type_id)
            .bind(model_id)
            .bind(&input.description)
            .bind(now)
            .bind(&actor.name)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
            .map_err(StoreError::from)
        });
        unique_to_conflict(inserted, "code", || format!("a skill with code '{code}' already exists"))?;
        record_write(&mut tx, actor, now, entity::SKILL, rec_id, code, Operation::Insert, 1, &detail(&input)).await?;
        tx.commit().await?;
        self.skill(code).await
    }

    /// With `expected_version`, only while the skill is at that version.
    pub async fn update_skill(
        &self,
        actor: &Actor,
        code: &str,
        input: NewSkill,
        expected_version: Option<i64>,
    ) -> StoreResult<Skill> {
        if input.code.as_str() != code {
            return Err(StoreError::invalid("code", "cannot be changed"));
        }
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let rec_id = locked_at(&mut tx, SKILLS, code, expected_version).await?;
        let (skill_type_id, model_id) = references(&mut tx, &input).await?;
        let old_model: i64 = on_tx!(&mut tx, c => {
            sqlx::query_scalar("SELECT rating_model_id FROM skills WHERE rec_id = $1").bind(rec_id).fetch_one(&mut *c).await?
        });
        if old_model != model_id {
            let rated = count_where(&mut tx, "worker_skills", "skill_id", rec_id).await?
                + count_where(&mut tx, "job_skills", "skill_id", rec_id).await?;
            if rated > 0 {
                return Err(StoreError::conflict(
                    Some("rating_model"),
                    format!("cannot change the rating model of skill '{code}': {rated} worker skills or job requirements are rated with the current one"),
                ));
            }
        }
        let version: i64 = on_tx!(&mut tx, c => {
            sqlx::query_scalar(
                "UPDATE skills SET name = $2, skill_type_id = $3, rating_model_id = $4, description = $5, \
                 version = version + 1, modified_at = $6, modified_by = $7 WHERE rec_id = $1 RETURNING version",
            )
            .bind(rec_id)
            .bind(input.name.as_str())
            .bind(skill_type_id)
            .bind(model_id)
            .bind(&input.description)
            .bind(now)
            .bind(&actor.name)
            .fetch_one(&mut *c)
            .await?
        });
        record_write(&mut tx, actor, now, entity::SKILL, rec_id, code, Operation::Update, version, &detail(&input))
            .await?;
        tx.commit().await?;
        self.skill(code).await
    }

    /// With `expected_version`, only while the skill is at that version.
    pub async fn delete_skill(&self, actor: &Actor, code: &str, expected_version: Option<i64>) -> StoreResult<()> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let rec_id = locked_at(&mut tx, SKILLS, code, expected_version).await?;
        let workers = count_where(&mut tx, "worker_skills", "skill_id", rec_id).await?;
        refuse_if_used(workers, &format!("skill '{code}'"), "worker")?;
        let jobs = count_where(&mut tx, "job_skills", "skill_id", rec_id).await?;
        refuse_if_used(jobs, &format!("skill '{code}'"), "job")?;
        let version = delete_row(&mut tx, "skills", rec_id).await?;
        record_write(
            &mut tx,
            actor,
            now,
            entity::SKILL,
            rec_id,
            code,
            Operation::Delete,
            version,
            &serde_json::json!({}),
        )
        .await?;
        tx.commit().await
    }
}
