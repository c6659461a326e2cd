use super::common::{
    count_where, delete_row, find_by_key, locked_at, page_by_key, record_write, refuse_if_used, unique_to_conflict,
};
use crate::error::{StoreError, StoreResult};
use crate::outbox::entity;
use crate::page::{Page, PageOf};
use crate::{on_tx, Actor, HrStore};
use hrbridge_domain::hr::{NewSkillType, SkillType};
use hrbridge_domain::outbox::Operation;

/// The table, its key column and what a skill type is called in errors.
const SKILL_TYPES: (&str, &str, &str) = ("skill_types", "code", "skill type");
const SELECT: &str = "SELECT rec_id, code, name, description, version, modified_at FROM skill_types";

#[derive(sqlx::FromRow)]
struct Row {
    rec_id: i64,
    code: String,
    name: String,
    description: String,
    version: i64,
    modified_at: chrono::DateTime<chrono::Utc>,
}

impl From<Row> for SkillType {
    fn from(r: Row) -> Self {
        SkillType {
            rec_id: r.rec_id,
            code: r.code,
            name: r.name,
            description: r.description,
            version: r.version,
            modified_at: r.modified_at,
        }
    }
}

impl HrStore {
    pub async fn skill_type(&self, code: &str) -> StoreResult<SkillType> {
        let row: Option<Row> = find_by_key(&self.db, SELECT, "code", code).await?;
        row.map(Into::into).ok_or_else(|| StoreError::not_found("skill type", code))
    }

    pub async fn skill_types(&self, page: &Page) -> StoreResult<PageOf<SkillType>> {
        let rows: Vec<Row> = page_by_key(&self.db, SELECT, "code", page).await?;
        Ok(PageOf::from_rows(rows, page, |r| r.code.clone()).map(Into::into))
    }

    pub async fn create_skill_type(&self, actor: &Actor, input: NewSkillType) -> StoreResult<SkillType> {
        let now = self.clock.now();
        let rec_id = self.ids.next_rec_id();
        let code = input.code.as_str();
        let mut tx = self.db.begin().await?;
        let inserted = on_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO skill_types (rec_id, code, name, description, version, modified_at, modified_by) \
                 VALUES ($1, $2, $3, $4, 1, $5, $6)",
            )
            .bind(rec_id)
            .bind(code)
            .bind(input.name.as_str())
            .bind(&input.description)
            .bind(now)
            .bind(&actor.name)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
            .map_err(StoreError::from)
        });
        unique_to_conflict(inserted, "code", || format!("a skill type with code '{code}' already exists"))?;
        let detail = serde_json::json!({"code": code, "name": input.name, "description": input.description});
        record_write(&mut tx, actor, now, entity::SKILL_TYPE, rec_id, code, Operation::Insert, 1, &detail).await?;
        tx.commit().await?;
        self.skill_type(code).await
    }

    /// Replaces a skill type's fields; with `expected_version`, only while it is at that version.
    pub async fn update_skill_type(
        &self,
        actor: &Actor,
        code: &str,
        input: NewSkillType,
        expected_version: Option<i64>,
    ) -> StoreResult<SkillType> {
        if input.code.as_str() != code {
            return Err(StoreError::invalid("code", "cannot be changed"));
        }
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        locked_at(&mut tx, SKILL_TYPES, code, expected_version).await?;
        let (rec_id, version): (i64, i64) = on_tx!(&mut tx, c => {
            sqlx::query_as(
                "UPDATE skill_types SET name = $2, description = $3, version = version + 1, modified_at = $4, \
                 modified_by = $5 WHERE code = $1 RETURNING rec_id, version",
            )
            .bind(code)
            .bind(input.name.as_str())
            .bind(&input.description)
            .bind(now)
            .bind(&actor.name)
            .fetch_optional(&mut *c)
            .await?
        })
        .ok_or_else(|| StoreError::not_found("skill type", code))?;
        let detail = serde_json::json!({"code": code, "name": input.name, "description": input.description});
        record_write(&mut tx, actor, now, entity::SKILL_TYPE, rec_id, code, Operation::Update, version, &detail)
            .await?;
        tx.commit().await?;
        self.skill_type(code).await
    }

    /// Deletes a skill type no skill uses; with `expected_version`, only while it is at that version.
    pub async fn delete_skill_type(&self, actor: &Actor, code: &str, expected_version: Option<i64>) -> StoreResult<()> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let rec_id = locked_at(&mut tx, SKILL_TYPES, code, expected_version).await?;
        let used = count_where(&mut tx, "skills", "skill_type_id", rec_id).await?;
        refuse_if_used(used, &format!("skill type '{code}'"), "skill")?;
        let version = delete_row(&mut tx, "skill_types", rec_id).await?;
        record_write(
            &mut tx,
            actor,
            now,
            entity::SKILL_TYPE,
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
