//! Characteristics: skills and certifications, optionally rated with a rating model.

use super::common::{check_version_by_name, count_where, delete_row, id_by, record_change};
use super::outbox::entity;
use super::SchedulingStore;
use crate::error::{StoreError, StoreResult};
use crate::hr::common::{find_by_key, page_by_key, refuse_if_used, unique_to_conflict};
use crate::page::{Page, PageOf};
use crate::{on_tx, Actor, Tx};
use chrono::{DateTime, Utc};
use hrbridge_domain::outbox::Operation;
use hrbridge_domain::scheduling::{Characteristic, CharacteristicType, NewCharacteristic};
use uuid::Uuid;

const SELECT: &str = "SELECT c.id, c.name, c.characteristic_type, c.description, m.name AS rating_model, c.version, \
                      c.modified_at FROM characteristics c LEFT JOIN rating_models m ON m.id = c.rating_model_id";

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    name: String,
    characteristic_type: String,
    description: String,
    rating_model: Option<String>,
    version: i64,
    modified_at: DateTime<Utc>,
}

impl From<Row> for Characteristic {
    fn from(r: Row) -> Self {
        Characteristic {
            id: r.id,
            name: r.name,
            // The table's CHECK constraint allows only the two types.
            characteristic_type: CharacteristicType::parse(&r.characteristic_type).unwrap_or_default(),
            description: r.description,
            rating_model: r.rating_model,
            version: r.version,
            modified_at: r.modified_at,
        }
    }
}

/// The id of the rating model a characteristic names, checked to exist.
async fn rating_model_id(tx: &mut Tx, input: &NewCharacteristic) -> StoreResult<Option<Uuid>> {
    match &input.rating_model {
        None => Ok(None),
        Some(name) => match id_by(tx, "rating_models", "name", name.as_str()).await? {
            Some(id) => Ok(Some(id)),
            None => Err(StoreError::invalid("rating_model", format!("no rating model named '{name}'"))),
        },
    }
}

impl SchedulingStore {
    pub async fn characteristic(&self, name: &str) -> StoreResult<Characteristic> {
        let row: Option<Row> = find_by_key(&self.db, SELECT, "c.name", name).await?;
        row.map(Into::into).ok_or_else(|| StoreError::not_found("characteristic", name))
    }

    /// Characteristics by name.
    pub async fn characteristics(&self, page: &Page) -> StoreResult<PageOf<Characteristic>> {
        let rows: Vec<Row> = page_by_key(&self.db, SELECT, "c.name", page).await?;
        Ok(PageOf::from_rows(rows, page, |r| r.name.clone()).map(Into::into))
    }

    pub async fn create_characteristic(&self, actor: &Actor, input: NewCharacteristic) -> StoreResult<Characteristic> {
        let now = self.clock.now();
        let id = self.ids.next_uuid();
        let name = input.name.as_str();
        let mut tx = self.db.begin().await?;
        let model_id = rating_model_id(&mut tx, &input).await?;
        let inserted = on_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO characteristics (id, name, characteristic_type, description, rating_model_id, version, \
                 modified_at, modified_by) VALUES ($1, $2, $3, $4, $5, 1, $6, $7)",
            )
            .bind(id)
            .bind(name)
            .bind(input.characteristic_type.as_str())
            .bind(&input.description)
            .bind(model_id)
            .bind(now)
            .bind(&actor.name)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
            .map_err(StoreError::from)
        });
        unique_to_conflict(inserted, "name", || format!("a characteristic named '{name}' already exists"))?;
        record_change(&mut tx, actor, now, entity::CHARACTERISTIC, id, name, Operation::Insert, 1).await?;
        tx.commit().await?;
        self.characteristic(name).await
    }

    /// With `expected_version`, only while it is at that version (`Stale` otherwise).
    pub async fn update_characteristic(
        &self,
        actor: &Actor,
        name: &str,
        input: NewCharacteristic,
        expected_version: Option<i64>,
    ) -> StoreResult<Characteristic> {
        if input.name.as_str() != name {
            return Err(StoreError::invalid("name", "cannot be changed"));
        }
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        check_version_by_name(&mut tx, ("characteristics", "name", "characteristic"), name, expected_version).await?;
        let current: Option<(Uuid, Option<Uuid>)> = on_tx!(&mut tx, c => {
            sqlx::query_as("SELECT id, rating_model_id FROM characteristics WHERE name = $1")
                .bind(name)
                .fetch_optional(&mut *c)
                .await?
        });
        let (id, old_model) = current.ok_or_else(|| StoreError::not_found("characteristic", name))?;
        let model_id = rating_model_id(&mut tx, &input).await?;
        if old_model != model_id {
            let rated: i64 = on_tx!(&mut tx, c => {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM resource_characteristics WHERE characteristic_id = $1 \
                     AND rating_value_id IS NOT NULL",
                )
                .bind(id)
                .fetch_one(&mut *c)
                .await?
            });
            if rated > 0 {
                return Err(StoreError::conflict(
                    Some("rating_model"),
                    format!("cannot change the rating model of characteristic '{name}': {rated} resources are rated with the current one"),
                ));
            }
        }
        let version: i64 = on_tx!(&mut tx, c => {
            sqlx::query_scalar(
                "UPDATE characteristics SET characteristic_type = $2, description = $3, rating_model_id = $4, \
                 version = version + 1, modified_at = $5, modified_by = $6 WHERE id = $1 RETURNING version",
            )
            .bind(id)
            .bind(input.characteristic_type.as_str())
            .bind(&input.description)
            .bind(model_id)
            .bind(now)
            .bind(&actor.name)
            .fetch_one(&mut *c)
            .await?
        });
        record_change(&mut tx, actor, now, entity::CHARACTERISTIC, id, name, Operation::Update, version).await?;
        tx.commit().await?;
        self.characteristic(name).await
    }

    /// With `expected_version`, only while it is at that version (`Stale` otherwise).
    pub async fn delete_characteristic(
        &self,
        actor: &Actor,
        name: &str,
        expected_version: Option<i64>,
    ) -> StoreResult<()> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        check_version_by_name(&mut tx, ("characteristics", "name", "characteristic"), name, expected_version).await?;
        let id = id_by(&mut tx, "characteristics", "name", name)
            .await?
            .ok_or_else(|| StoreError::not_found("characteristic", name))?;
        let what = format!("characteristic '{name}'");
        let resources = count_where(&mut tx, "resource_characteristics", "characteristic_id", id).await?;
        refuse_if_used(resources, &what, "resource")?;
        let requirements = count_where(&mut tx, "requirement_characteristics", "characteristic_id", id).await?;
        refuse_if_used(requirements, &what, "resource requirement")?;
        let version = delete_row(&mut tx, "characteristics", id).await?;
        record_change(&mut tx, actor, now, entity::CHARACTERISTIC, id, name, Operation::Delete, version).await?;
        tx.commit().await
    }
}
