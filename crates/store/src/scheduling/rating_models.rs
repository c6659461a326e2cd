//! Rating models and their values.

use super::common::{change, check_version_by_name, count_where, id_by, record_change};
use super::outbox::{self, entity};
use super::SchedulingStore;
use crate::error::{StoreError, StoreResult};
use crate::hr::common::{find_by_key, page_by_key, refuse_if_used, unique_to_conflict};
use crate::page::{Page, PageOf};
use crate::{on_read, on_tx, Actor, Tx};
use chrono::{DateTime, Utc};
use hrbridge_domain::outbox::Operation;
use hrbridge_domain::scheduling::{NewSchedulingRatingModel, RatingValue, SchedulingRatingModel};
use std::collections::HashMap;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct ModelRow {
    id: Uuid,
    name: String,
    min_value: i64,
    max_value: i64,
    version: i64,
    modified_at: DateTime<Utc>,
}

const SELECT_MODELS: &str = "SELECT id, name, min_value, max_value, version, modified_at FROM rating_models";

impl SchedulingStore {
    pub async fn rating_model(&self, name: &str) -> StoreResult<SchedulingRatingModel> {
        let row: Option<ModelRow> = find_by_key(&self.db, SELECT_MODELS, "name", name).await?;
        let row = row.ok_or_else(|| StoreError::not_found("rating model", name))?;
        Ok(self.with_values(vec![row]).await?.remove(0))
    }

    /// Rating models by name.
    pub async fn rating_models(&self, page: &Page) -> StoreResult<PageOf<SchedulingRatingModel>> {
        let rows: Vec<ModelRow> = page_by_key(&self.db, SELECT_MODELS, "name", page).await?;
        let models = self.with_values(rows).await?;
        Ok(PageOf::from_rows(models, page, |m| m.name.clone()))
    }

    async fn with_values(&self, rows: Vec<ModelRow>) -> StoreResult<Vec<SchedulingRatingModel>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT rating_model_id, id, name, value FROM rating_values WHERE rating_model_id IN ({}) ORDER BY value",
            crate::db::placeholders(rows.len())
        );
        let values: Vec<(Uuid, Uuid, String, i64)> = on_read!(&self.db, c => {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(&*sql));
            for row in &rows {
                query = query.bind(row.id);
            }
            query.fetch_all(&mut *c).await?
        });
        let mut by_model: HashMap<Uuid, Vec<RatingValue>> = HashMap::new();
        for (model, id, name, value) in values {
            by_model.entry(model).or_default().push(RatingValue { id, name, value });
        }
        Ok(rows
            .into_iter()
            .map(|r| SchedulingRatingModel {
                values: by_model.remove(&r.id).unwrap_or_default(),
                id: r.id,
                name: r.name,
                min_value: r.min_value,
                max_value: r.max_value,
                version: r.version,
                modified_at: r.modified_at,
            })
            .collect())
    }

    pub async fn create_rating_model(
        &self,
        actor: &Actor,
        model: NewSchedulingRatingModel,
    ) -> StoreResult<SchedulingRatingModel> {
        let now = self.clock.now();
        let id = self.ids.next_uuid();
        let name = model.name.as_str();
        let mut tx = self.db.begin().await?;
        let inserted = on_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO rating_models (id, name, min_value, max_value, version, modified_at, modified_by) \
                 VALUES ($1, $2, $3, $4, 1, $5, $6)",
            )
            .bind(id)
            .bind(name)
            .bind(model.min_value)
            .bind(model.max_value)
            .bind(now)
            .bind(&actor.name)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
            .map_err(StoreError::from)
        });
        unique_to_conflict(inserted, "name", || format!("a rating model named '{name}' already exists"))?;
        self.reconcile_values(&mut tx, actor, now, id, name, &model).await?;
        record_change(&mut tx, actor, now, entity::RATING_MODEL, id, name, Operation::Insert, 1).await?;
        tx.commit().await?;
        self.rating_model(name).await
    }

    /// With `expected_version`, only while it is at that version (`Stale` otherwise).
    pub async fn update_rating_model(
        &self,
        actor: &Actor,
        name: &str,
        model: NewSchedulingRatingModel,
        expected_version: Option<i64>,
    ) -> StoreResult<SchedulingRatingModel> {
        if model.name.as_str() != name {
            return Err(StoreError::invalid("name", "cannot be changed"));
        }
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        check_version_by_name(&mut tx, ("rating_models", "name", "rating model"), name, expected_version).await?;
        let (id, version): (Uuid, i64) = on_tx!(&mut tx, c => {
            sqlx::query_as(
                "UPDATE rating_models SET min_value = $2, max_value = $3, version = version + 1, modified_at = $4, \
                 modified_by = $5 WHERE name = $1 RETURNING id, version",
            )
            .bind(name)
            .bind(model.min_value)
            .bind(model.max_value)
            .bind(now)
            .bind(&actor.name)
            .fetch_optional(&mut *c)
            .await?
        })
        .ok_or_else(|| StoreError::not_found("rating model", name))?;
        self.reconcile_values(&mut tx, actor, now, id, name, &model).await?;
        record_change(&mut tx, actor, now, entity::RATING_MODEL, id, name, Operation::Update, version).await?;
        tx.commit().await?;
        self.rating_model(name).await
    }

    /// Makes the stored values of a model match `model.values`, matched by value: renamed ones
    /// are updated, new ones inserted, dropped ones deleted unless a resource is rated with them.
    async fn reconcile_values(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        now: DateTime<Utc>,
        model_id: Uuid,
        model_name: &str,
        model: &NewSchedulingRatingModel,
    ) -> StoreResult<()> {
        let existing: Vec<(Uuid, i64, String, i64)> = on_tx!(tx, c => {
            sqlx::query_as("SELECT id, value, name, version FROM rating_values WHERE rating_model_id = $1")
                .bind(model_id)
                .fetch_all(&mut *c)
                .await?
        });
        let mut changes = Vec::new();
        let key = |value: i64| format!("{model_name}/{value}");
        // Deletes first, then updates, then inserts, so names can move between values.
        for (id, value, name, version) in &existing {
            if model.values.iter().any(|v| v.value == *value) {
                continue;
            }
            let used = count_where(tx, "resource_characteristics", "rating_value_id", *id).await?;
            if used > 0 {
                return Err(StoreError::conflict(
                    Some("values"),
                    format!(
                        "value '{name}' ({value}) cannot be removed: {used} resource characteristics are rated with it"
                    ),
                ));
            }
            on_tx!(tx, c => {
                sqlx::query("DELETE FROM rating_values WHERE id = $1").bind(*id).execute(&mut *c).await?;
            });
            changes.push(change(actor, now, entity::RATING_VALUE, *id, key(*value), Operation::Delete, version + 1));
        }
        // Park the names of kept values so a rename swap does not trip the unique constraint.
        on_tx!(tx, c => {
            sqlx::query("UPDATE rating_values SET name = '~' || CAST(value AS TEXT) WHERE rating_model_id = $1")
                .bind(model_id)
                .execute(&mut *c)
                .await?;
        });
        for wanted in &model.values {
            let (id, operation, version) = match existing.iter().find(|(_, value, _, _)| *value == wanted.value) {
                Some((id, _, name, version)) if name == wanted.name.as_str() => (*id, None, *version),
                Some((id, _, _, version)) => (*id, Some(Operation::Update), version + 1),
                None => (self.ids.next_uuid(), Some(Operation::Insert), 1),
            };
            on_tx!(tx, c => {
                if operation == Some(Operation::Insert) {
                    sqlx::query(
                        "INSERT INTO rating_values (id, rating_model_id, name, value, version) VALUES ($1, $2, $3, $4, 1)",
                    )
                    .bind(id)
                    .bind(model_id)
                    .bind(wanted.name.as_str())
                    .bind(wanted.value)
                    .execute(&mut *c)
                    .await?;
                } else {
                    sqlx::query("UPDATE rating_values SET name = $2, version = $3 WHERE id = $1")
                        .bind(id)
                        .bind(wanted.name.as_str())
                        .bind(version)
                        .execute(&mut *c)
                        .await?;
                }
            });
            if let Some(operation) = operation {
                changes.push(change(actor, now, entity::RATING_VALUE, id, key(wanted.value), operation, version));
            }
        }
        outbox::append(tx, &changes).await
    }

    /// With `expected_version`, only while it is at that version (`Stale` otherwise).
    pub async fn delete_rating_model(
        &self,
        actor: &Actor,
        name: &str,
        expected_version: Option<i64>,
    ) -> StoreResult<()> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        check_version_by_name(&mut tx, ("rating_models", "name", "rating model"), name, expected_version).await?;
        let id = id_by(&mut tx, "rating_models", "name", name)
            .await?
            .ok_or_else(|| StoreError::not_found("rating model", name))?;
        let used = count_where(&mut tx, "characteristics", "rating_model_id", id).await?;
        refuse_if_used(used, &format!("rating model '{name}'"), "characteristic")?;
        let (values, version): (Vec<(Uuid, i64, i64)>, i64) = on_tx!(&mut tx, c => {
            let values = sqlx::query_as("SELECT id, value, version FROM rating_values WHERE rating_model_id = $1")
                .bind(id)
                .fetch_all(&mut *c)
                .await?;
            let version: i64 = sqlx::query_scalar("DELETE FROM rating_models WHERE id = $1 RETURNING version")
                .bind(id)
                .fetch_one(&mut *c)
                .await?;
            (values, version)
        });
        let changes: Vec<_> = values
            .into_iter()
            .map(|(vid, value, v)| {
                change(actor, now, entity::RATING_VALUE, vid, format!("{name}/{value}"), Operation::Delete, v + 1)
            })
            .collect();
        outbox::append(&mut tx, &changes).await?;
        record_change(&mut tx, actor, now, entity::RATING_MODEL, id, name, Operation::Delete, version + 1).await?;
        tx.commit().await
    }
}
