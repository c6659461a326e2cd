//! The characteristics a bookable resource holds: a rating value of the characteristic's rating
//! model (when it has one), issued on, expires on.

use super::common::{exists, parse_id, record_change};
use super::outbox::entity;
use super::resources::ENTITY as RESOURCE;
use super::SchedulingStore;
use crate::error::{StoreError, StoreResult};
use crate::{on_tx, Actor, Tx};
use hrbridge_domain::outbox::Operation;
use hrbridge_domain::scheduling::{
    CharacteristicType, RatingValue, ResourceCharacteristic, ResourceCharacteristicInput,
};
use uuid::Uuid;

/// A characteristic with the values of its rating model.
struct Rated {
    id: Uuid,
    characteristic_type: CharacteristicType,
    /// The rating model's name and values, when it has one.
    model: Option<(String, Vec<RatingValue>)>,
}

/// The characteristic named `name` with its rating values, read in the write's transaction so
/// they cannot change under it.
async fn rated_characteristic(tx: &mut Tx, name: &str) -> StoreResult<Rated> {
    type Row = (Uuid, String, Option<String>, Option<Uuid>, Option<String>, Option<i64>);
    let rows: Vec<Row> = on_tx!(tx, c => {
        sqlx::query_as(
            "SELECT c.id, c.characteristic_type, m.name, v.id, v.name, v.value FROM characteristics c \
             LEFT JOIN rating_models m ON m.id = c.rating_model_id \
             LEFT JOIN rating_values v ON v.rating_model_id = m.id WHERE c.name = $1 ORDER BY v.value",
        )
        .bind(name)
        .fetch_all(&mut *c)
        .await?
    });
    let (id, kind, model) = match rows.first() {
        Some((id, kind, model, ..)) => (*id, kind.clone(), model.clone()),
        None => return Err(StoreError::not_found("characteristic", name)),
    };
    let values = rows
        .into_iter()
        .filter_map(|(.., id, name, value)| Some(RatingValue { id: id?, name: name?, value: value? }))
        .collect();
    Ok(Rated {
        id,
        characteristic_type: CharacteristicType::parse(&kind).unwrap_or_default(),
        model: model.map(|m| (m, values)),
    })
}

impl SchedulingStore {
    /// Gives a resource a characteristic, or changes its rating and dates.
    pub async fn set_resource_characteristic(
        &self,
        actor: &Actor,
        resource_id: &str,
        characteristic: &str,
        input: ResourceCharacteristicInput,
        expected_version: Option<i64>,
    ) -> StoreResult<ResourceCharacteristic> {
        let resource = parse_id(RESOURCE, resource_id)?;
        input.check_dates()?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        if !exists(&mut tx, "bookable_resources", resource).await? {
            return Err(StoreError::not_found(RESOURCE, resource_id));
        }
        held_at(&mut tx, resource, characteristic, expected_version).await?;
        let rated = rated_characteristic(&mut tx, characteristic).await?;
        let rating = match (&rated.model, &input.rating) {
            (Some((model, values)), Some(rating)) => {
                Some(rating.resolve("rating", model, values).map_err(|e| StoreError::Invalid(e.into()))?.clone())
            }
            (Some((model, values)), None) => {
                let listed: Vec<String> = values.iter().map(|v| format!("{} ({})", v.name, v.value)).collect();
                return Err(StoreError::invalid(
                    "rating",
                    format!(
                        "is required: characteristic '{characteristic}' is rated with rating model '{model}'; values are: {}",
                        listed.join(", ")
                    ),
                ));
            }
            (None, Some(_)) => {
                return Err(StoreError::invalid(
                    "rating",
                    format!("characteristic '{characteristic}' has no rating model, so it takes no rating"),
                ));
            }
            (None, None) => None,
        };
        let new_id = self.ids.next_uuid();
        let (id, version): (Uuid, i64) = on_tx!(&mut tx, c => {
            sqlx::query_as(
                "INSERT INTO resource_characteristics (id, resource_id, characteristic_id, rating_value_id, issued_on, \
                 expires_on, version, modified_at, modified_by) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8) \
                 ON CONFLICT (resource_id, characteristic_id) DO UPDATE SET rating_value_id = excluded.rating_value_id, \
                 issued_on = excluded.issued_on, expires_on = excluded.expires_on, \
                 version = resource_characteristics.version + 1, modified_at = excluded.modified_at, \
                 modified_by = excluded.modified_by RETURNING id, version",
            )
            .bind(new_id)
            .bind(resource)
            .bind(rated.id)
            .bind(rating.as_ref().map(|r| r.id))
            .bind(input.issued_on)
            .bind(input.expires_on)
            .bind(now)
            .bind(&actor.name)
            .fetch_one(&mut *c)
            .await?
        });
        let key = format!("{resource}/{characteristic}");
        let operation = if version == 1 { Operation::Insert } else { Operation::Update };
        record_change(&mut tx, actor, now, entity::RESOURCE_CHARACTERISTIC, id, &key, operation, version).await?;
        tx.commit().await?;
        Ok(ResourceCharacteristic {
            characteristic: characteristic.to_string(),
            version,
            characteristic_type: rated.characteristic_type,
            rating: rating.as_ref().map(|r| r.value),
            rating_name: rating.map(|r| r.name),
            issued_on: input.issued_on,
            expires_on: input.expires_on,
            expired: input.expires_on.is_some_and(|e| e < self.clock.today()),
        })
    }

    /// Takes a characteristic from a resource.
    pub async fn remove_resource_characteristic(
        &self,
        actor: &Actor,
        resource_id: &str,
        characteristic: &str,
        expected_version: Option<i64>,
    ) -> StoreResult<()> {
        let resource = parse_id(RESOURCE, resource_id)?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        held_at(&mut tx, resource, characteristic, expected_version).await?;
        let deleted: Option<(Uuid, i64)> = on_tx!(&mut tx, c => {
            sqlx::query_as(
                "DELETE FROM resource_characteristics WHERE resource_id = $1 \
                 AND characteristic_id = (SELECT id FROM characteristics WHERE name = $2) RETURNING id, version",
            )
            .bind(resource)
            .bind(characteristic)
            .fetch_optional(&mut *c)
            .await?
        });
        let key = format!("{resource}/{characteristic}");
        let (id, version) = deleted.ok_or_else(|| StoreError::not_found("bookable resource characteristic", &key))?;
        record_change(&mut tx, actor, now, entity::RESOURCE_CHARACTERISTIC, id, &key, Operation::Delete, version + 1)
            .await?;
        tx.commit().await
    }
}

/// Refuses (`Stale`) a write based on version `expected` of the resource's characteristic when
/// it is at another version or not held, and locks it for the rest of the transaction. Nothing
/// to check without an expected version.
async fn held_at(tx: &mut Tx, resource: Uuid, characteristic: &str, expected: Option<i64>) -> StoreResult<()> {
    if expected.is_none() {
        return Ok(());
    }
    let sql = format!(
        "SELECT version FROM resource_characteristics WHERE resource_id = $1 \
         AND characteristic_id = (SELECT id FROM characteristics WHERE name = $2){}",
        tx.for_update()
    );
    let current: Option<i64> = on_tx!(tx, c => {
        sqlx::query_scalar(sqlx::AssertSqlSafe(&*sql)).bind(resource).bind(characteristic).fetch_optional(&mut *c).await?
    });
    let key = format!("{resource}/{characteristic}");
    StoreError::unless_at("bookable resource characteristic", &key, expected, current)
}
