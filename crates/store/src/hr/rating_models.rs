use super::common::{
    count_where, find_by_key, locked_at, page_by_key, record_write, refuse_if_used, unique_to_conflict,
};
use crate::error::{StoreError, StoreResult};
use crate::outbox::{self, entity, Change};
use crate::page::{Page, PageOf};
use crate::{on_read, on_tx, Actor, HrStore, Tx};
use chrono::{DateTime, Utc};
use hrbridge_domain::hr::{NewRatingModel, RatingLevel, RatingModel};
use hrbridge_domain::outbox::Operation;
use std::collections::HashMap;

const RATING_MODELS: (&str, &str, &str) = ("rating_models", "code", "rating model");

#[derive(sqlx::FromRow)]
struct ModelRow {
    rec_id: i64,
    code: String,
    name: String,
    description: String,
    version: i64,
    modified_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct LevelRow {
    rec_id: i64,
    rating_model_id: i64,
    name: String,
    factor: i64,
    description: String,
}

const SELECT_MODELS: &str = "SELECT rec_id, code, name, description, version, modified_at FROM rating_models";

impl HrStore {
    pub async fn rating_model(&self, code: &str) -> StoreResult<RatingModel> {
        let row: Option<ModelRow> = find_by_key(&self.db, SELECT_MODELS, "code", code).await?;
        let row = row.ok_or_else(|| StoreError::not_found("rating model", code))?;
        Ok(self.with_levels(vec![row]).await?.remove(0))
    }

    pub async fn rating_models(&self, page: &Page) -> StoreResult<PageOf<RatingModel>> {
        let rows: Vec<ModelRow> = page_by_key(&self.db, SELECT_MODELS, "code", page).await?;
        let models = self.with_levels(rows).await?;
        Ok(PageOf::from_rows(models, page, |m| m.code.clone()))
    }

    async fn with_levels(&self, rows: Vec<ModelRow>) -> StoreResult<Vec<RatingModel>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT rec_id, rating_model_id, name, factor, description FROM rating_levels \
             WHERE rating_model_id IN ({}) ORDER BY factor",
            crate::db::placeholders(rows.len())
        );
        let levels: Vec<LevelRow> = on_read!(&self.db, c => {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(&*sql));
            for row in &rows {
                query = query.bind(row.rec_id);
            }
            query.fetch_all(&mut *c).await?
        });
        let mut by_model: HashMap<i64, Vec<RatingLevel>> = HashMap::new();
        for l in levels {
            by_model.entry(l.rating_model_id).or_default().push(RatingLevel {
                rec_id: l.rec_id,
                name: l.name,
                factor: l.factor,
                description: l.description,
            });
        }
        Ok(rows
            .into_iter()
            .map(|r| RatingModel {
                levels: by_model.remove(&r.rec_id).unwrap_or_default(),
                rec_id: r.rec_id,
                code: r.code,
                name: r.name,
                description: r.description,
                version: r.version,
                modified_at: r.modified_at,
            })
            .collect())
    }

    pub async fn create_rating_model(&self, actor: &Actor, model: NewRatingModel) -> StoreResult<RatingModel> {
        let now = self.clock.now();
        let rec_id = self.ids.next_rec_id();
        let mut tx = self.db.begin().await?;
        let code = model.code.as_str();
        let inserted = on_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO rating_models (rec_id, code, name, description, version, modified_at, modified_by) \
                 VALUES ($1, $2, $3, $4, 1, $5, $6)",
            )
            .bind(rec_id)
            .bind(code)
            .bind(model.name.as_str())
            .bind(&model.description)
            .bind(now)
            .bind(&actor.name)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
            .map_err(StoreError::from)
        });
        unique_to_conflict(inserted, "code", || format!("a rating model with code '{code}' already exists"))?;
        self.reconcile_levels(&mut tx, actor, now, rec_id, code, &model).await?;
        record_write(
            &mut tx,
            actor,
            now,
            entity::RATING_MODEL,
            rec_id,
            code,
            Operation::Insert,
            1,
            &model_detail(&model),
        )
        .await?;
        tx.commit().await?;
        self.rating_model(code).await
    }

    /// With `expected_version`, only while the rating model is at that version.
    pub async fn update_rating_model(
        &self,
        actor: &Actor,
        code: &str,
        model: NewRatingModel,
        expected_version: Option<i64>,
    ) -> StoreResult<RatingModel> {
        if model.code.as_str() != code {
            return Err(StoreError::invalid("code", "cannot be changed"));
        }
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        locked_at(&mut tx, RATING_MODELS, code, expected_version).await?;
        let (rec_id, version): (i64, i64) = on_tx!(&mut tx, c => {
            sqlx::query_as(
                "UPDATE rating_models SET name = $2, description = $3, version = version + 1, modified_at = $4, \
                 modified_by = $5 WHERE code = $1 RETURNING rec_id, version",
            )
            .bind(code)
            .bind(model.name.as_str())
            .bind(&model.description)
            .bind(now)
            .bind(&actor.name)
            .fetch_optional(&mut *c)
            .await?
        })
        .ok_or_else(|| StoreError::not_found("rating model", code))?;
        self.reconcile_levels(&mut tx, actor, now, rec_id, code, &model).await?;
        record_write(
            &mut tx,
            actor,
            now,
            entity::RATING_MODEL,
            rec_id,
            code,
            Operation::Update,
            version,
            &model_detail(&model),
        )
        .await?;
        tx.commit().await?;
        self.rating_model(code).await
    }

    /// Makes the stored levels of a model match `model.levels`, matched by factor: changed ones
    /// are updated, new ones inserted, dropped ones deleted unless a worker or job still uses them.
    async fn reconcile_levels(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        now: DateTime<Utc>,
        model_id: i64,
        code: &str,
        model: &NewRatingModel,
    ) -> StoreResult<()> {
        let existing: Vec<(i64, i64, String, String, i64)> = on_tx!(tx, c => {
            sqlx::query_as(
                "SELECT rec_id, factor, name, description, version FROM rating_levels WHERE rating_model_id = $1",
            )
                .bind(model_id)
                .fetch_all(&mut *c)
                .await?
        });
        let mut changes = Vec::new();
        // Deletes first, then updates, then inserts, so names can move between factors.
        for (id, factor, name, _, version) in &existing {
            if model.levels.iter().any(|l| l.factor == *factor) {
                continue;
            }
            let used = count_where(tx, "worker_skills", "rating_level_id", *id).await?
                + count_where(tx, "job_skills", "min_level_id", *id).await?;
            if used > 0 {
                return Err(StoreError::conflict(
                    Some("levels"),
                    format!("level '{name}' (factor {factor}) cannot be removed: {used} worker skills or job requirements use it"),
                ));
            }
            on_tx!(tx, c => {
                sqlx::query("DELETE FROM rating_levels WHERE rec_id = $1").bind(id).execute(&mut *c).await?;
            });
            changes.push((*id, *factor, Operation::Delete, version + 1));
        }
        // Park the names of kept levels so a rename swap does not trip the unique constraint.
        on_tx!(tx, c => {
            sqlx::query("UPDATE rating_levels SET name = '~' || CAST(rec_id AS TEXT) WHERE rating_model_id = $1")
                .bind(model_id)
                .execute(&mut *c)
                .await?;
        });
        for level in &model.levels {
            match existing.iter().find(|(_, factor, _, _, _)| *factor == level.factor) {
                Some((id, _, name, description, version)) => {
                    let changed = name != level.name.as_str() || *description != level.description;
                    let version = if changed { version + 1 } else { *version };
                    on_tx!(tx, c => {
                        sqlx::query("UPDATE rating_levels SET name = $2, description = $3, version = $4 WHERE rec_id = $1")
                            .bind(id)
                            .bind(level.name.as_str())
                            .bind(&level.description)
                            .bind(version)
                            .execute(&mut *c)
                            .await?;
                    });
                    if changed {
                        changes.push((*id, level.factor, Operation::Update, version));
                    }
                }
                None => {
                    let id = self.ids.next_rec_id();
                    on_tx!(tx, c => {
                        sqlx::query(
                            "INSERT INTO rating_levels (rec_id, rating_model_id, name, factor, description, version) \
                             VALUES ($1, $2, $3, $4, $5, 1)",
                        )
                        .bind(id)
                        .bind(model_id)
                        .bind(level.name.as_str())
                        .bind(level.factor)
                        .bind(&level.description)
                        .execute(&mut *c)
                        .await?;
                    });
                    changes.push((id, level.factor, Operation::Insert, 1));
                }
            }
        }
        let changes: Vec<Change> = changes
            .into_iter()
            .map(|(rec_id, factor, operation, version)| Change {
                entity: entity::RATING_LEVEL,
                rec_id,
                entity_key: format!("{code}/{factor}"),
                operation,
                version,
                modified_at: now,
                origin: actor.origin,
            })
            .collect();
        outbox::append(tx, &changes).await
    }

    /// With `expected_version`, only while the rating model is at that version.
    pub async fn delete_rating_model(
        &self,
        actor: &Actor,
        code: &str,
        expected_version: Option<i64>,
    ) -> StoreResult<()> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let rec_id = locked_at(&mut tx, RATING_MODELS, code, expected_version).await?;
        let used = count_where(&mut tx, "skills", "rating_model_id", rec_id).await?;
        refuse_if_used(used, &format!("rating model '{code}'"), "skill")?;
        let (levels, version): (Vec<(i64, i64, i64)>, i64) = on_tx!(&mut tx, c => {
            let levels = sqlx::query_as("SELECT rec_id, factor, version FROM rating_levels WHERE rating_model_id = $1")
                .bind(rec_id)
                .fetch_all(&mut *c)
                .await?;
            let version: i64 = sqlx::query_scalar("DELETE FROM rating_models WHERE rec_id = $1 RETURNING version")
                .bind(rec_id)
                .fetch_one(&mut *c)
                .await?;
            (levels, version)
        });
        let level_changes: Vec<Change> = levels
            .into_iter()
            .map(|(id, factor, version)| Change {
                entity: entity::RATING_LEVEL,
                rec_id: id,
                entity_key: format!("{code}/{factor}"),
                operation: Operation::Delete,
                version: version + 1,
                modified_at: now,
                origin: actor.origin,
            })
            .collect();
        outbox::append(&mut tx, &level_changes).await?;
        record_write(
            &mut tx,
            actor,
            now,
            entity::RATING_MODEL,
            rec_id,
            code,
            Operation::Delete,
            version + 1,
            &serde_json::json!({}),
        )
        .await?;
        tx.commit().await
    }
}

fn model_detail(model: &NewRatingModel) -> serde_json::Value {
    serde_json::json!({
        "code": model.code,
        "name": model.name,
        "levels": model.levels.iter().map(|l| serde_json::json!({"name": l.name, "factor": l.factor})).collect::<Vec<_>>(),
    })
}
