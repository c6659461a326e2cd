//! Resource requirements and the characteristics they need.

use super::common::{check_version, count_where, delete_row, find_by_id, page_by_id, parse_id, record_change};
use super::outbox::entity;
use super::SchedulingStore;
use crate::error::{StoreError, StoreResult};
use crate::hr::common::refuse_if_used;
use crate::page::{Page, PageOf};
use crate::{on_read, on_tx, Actor, Tx};
use chrono::{DateTime, Utc};
use hrbridge_domain::outbox::Operation;
use hrbridge_domain::scheduling::{
    CharacteristicType, NewResourceRequirement, RequiredCharacteristic, ResourceRequirement, ResourceType,
};
use hrbridge_domain::ValidationErrors;
use std::collections::HashMap;
use uuid::Uuid;

const ENTITY: &str = "resource requirement";

const SELECT: &str = "SELECT id, name, from_at, to_at, duration_minutes, resource_types, version, modified_at \
                      FROM resource_requirements";

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    name: String,
    from_at: DateTime<Utc>,
    to_at: DateTime<Utc>,
    duration_minutes: i64,
    resource_types: String,
    version: i64,
    modified_at: DateTime<Utc>,
}

fn types_text(types: &[ResourceType]) -> String {
    types.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(",")
}

/// The ids of the characteristics a requirement names, checked to exist; errors name
/// `characteristics[i].name`.
async fn characteristic_ids(tx: &mut Tx, input: &NewResourceRequirement) -> StoreResult<Vec<(Uuid, i64)>> {
    let mut errors = ValidationErrors::new();
    let mut ids = Vec::with_capacity(input.characteristics.len());
    for (i, (name, min_rating)) in input.characteristics.iter().enumerate() {
        match super::common::id_by(tx, "characteristics", "name", name.as_str()).await? {
            Some(id) => ids.push((id, *min_rating)),
            None => errors.add(format!("characteristics[{i}].name"), format!("no characteristic named '{name}'")),
        }
    }
    errors.into_result(|| ids).map_err(StoreError::Invalid)
}

async fn insert_characteristics(tx: &mut Tx, requirement: Uuid, ids: &[(Uuid, i64)]) -> StoreResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO requirement_characteristics (requirement_id, characteristic_id, min_rating) VALUES {}",
        crate::db::value_rows(ids.len(), 3)
    );
    on_tx!(tx, c => {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(&*sql));
        for (id, min_rating) in ids {
            query = query.bind(requirement).bind(*id).bind(*min_rating);
        }
        query.execute(&mut *c).await?;
    });
    Ok(())
}

impl SchedulingStore {
    pub async fn resource_requirement(&self, id: &str) -> StoreResult<ResourceRequirement> {
        let uuid = parse_id(ENTITY, id)?;
        let row: Option<Row> = find_by_id(&self.db, SELECT, "id", uuid).await?;
        let row = row.ok_or_else(|| StoreError::not_found(ENTITY, id))?;
        Ok(self.with_characteristics(vec![row]).await?.remove(0))
    }

    /// Requirements by id: the order they were created in (UUID v7).
    pub async fn resource_requirements(&self, page: &Page) -> StoreResult<PageOf<ResourceRequirement>> {
        let rows: Vec<Row> = page_by_id(&self.db, SELECT, "id", page).await?;
        let requirements = self.with_characteristics(rows).await?;
        Ok(PageOf::from_rows(requirements, page, |r| r.id.to_string()))
    }

    async fn with_characteristics(&self, rows: Vec<Row>) -> StoreResult<Vec<ResourceRequirement>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT rc.requirement_id, c.name, c.characteristic_type, rc.min_rating FROM requirement_characteristics rc \
             JOIN characteristics c ON c.id = rc.characteristic_id WHERE rc.requirement_id IN ({}) ORDER BY c.name",
            crate::db::placeholders(rows.len())
        );
        let needed: Vec<(Uuid, String, String, i64)> = on_read!(&self.db, c => {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(&*sql));
            for row in &rows {
                query = query.bind(row.id);
            }
            query.fetch_all(&mut *c).await?
        });
        let mut by_requirement: HashMap<Uuid, Vec<RequiredCharacteristic>> = HashMap::new();
        for (requirement, name, kind, min_rating) in needed {
            by_requirement.entry(requirement).or_default().push(RequiredCharacteristic {
                name,
                characteristic_type: CharacteristicType::parse(&kind).unwrap_or_default(),
                min_rating,
            });
        }
        Ok(rows
            .into_iter()
            .map(|r| ResourceRequirement {
                characteristics: by_requirement.remove(&r.id).unwrap_or_default(),
                id: r.id,
                name: r.name,
                from: r.from_at,
                to: r.to_at,
                duration_minutes: r.duration_minutes,
                resource_types: r.resource_types.split(',').filter_map(ResourceType::parse).collect(),
                version: r.version,
                modified_at: r.modified_at,
            })
            .collect())
    }

    pub async fn create_resource_requirement(
        &self,
        actor: &Actor,
        input: NewResourceRequirement,
    ) -> StoreResult<ResourceRequirement> {
        let now = self.clock.now();
        let id = self.ids.next_uuid();
        let mut tx = self.db.begin().await?;
        let characteristics = characteristic_ids(&mut tx, &input).await?;
        on_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO resource_requirements (id, name, from_at, to_at, duration_minutes, resource_types, version, \
                 modified_at, modified_by) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8)",
            )
            .bind(id)
            .bind(input.name.as_str())
            .bind(input.from)
            .bind(input.to)
            .bind(input.duration_minutes)
            .bind(types_text(&input.resource_types))
            .bind(now)
            .bind(&actor.name)
            .execute(&mut *c)
            .await?;
        });
        insert_characteristics(&mut tx, id, &characteristics).await?;
        let key = id.to_string();
        record_change(&mut tx, actor, now, entity::RESOURCE_REQUIREMENT, id, &key, Operation::Insert, 1).await?;
        tx.commit().await?;
        self.resource_requirement(&key).await
    }

    /// Updates a requirement and replaces the characteristics it needs.
    ///
    /// With `expected_version`, only while it is at that version (`Stale` otherwise).
    pub async fn update_resource_requirement(
        &self,
        actor: &Actor,
        id: &str,
        input: NewResourceRequirement,
        expected_version: Option<i64>,
    ) -> StoreResult<ResourceRequirement> {
        let uuid = parse_id(ENTITY, id)?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        check_version(&mut tx, ("resource_requirements", ENTITY), uuid, id, expected_version).await?;
        let version: Option<i64> = on_tx!(&mut tx, c => {
            sqlx::query_scalar(
                "UPDATE resource_requirements SET name = $2, from_at = $3, to_at = $4, duration_minutes = $5, \
                 resource_types = $6, version = version + 1, modified_at = $7, modified_by = $8 \
                 WHERE id = $1 RETURNING version",
            )
            .bind(uuid)
            .bind(input.name.as_str())
            .bind(input.from)
            .bind(input.to)
            .bind(input.duration_minutes)
            .bind(types_text(&input.resource_types))
            .bind(now)
            .bind(&actor.name)
            .fetch_optional(&mut *c)
            .await?
        });
        let version = version.ok_or_else(|| StoreError::not_found(ENTITY, id))?;
        let characteristics = characteristic_ids(&mut tx, &input).await?;
        on_tx!(&mut tx, c => {
            sqlx::query("DELETE FROM requirement_characteristics WHERE requirement_id = $1")
                .bind(uuid)
                .execute(&mut *c)
                .await?;
        });
        insert_characteristics(&mut tx, uuid, &characteristics).await?;
        let key = uuid.to_string();
        record_change(&mut tx, actor, now, entity::RESOURCE_REQUIREMENT, uuid, &key, Operation::Update, version)
            .await?;
        tx.commit().await?;
        self.resource_requirement(id).await
    }

    /// Deletes a requirement; refused while bookings refer to it.
    ///
    /// With `expected_version`, only while it is at that version (`Stale` otherwise).
    pub async fn delete_resource_requirement(
        &self,
        actor: &Actor,
        id: &str,
        expected_version: Option<i64>,
    ) -> StoreResult<()> {
        let uuid = parse_id(ENTITY, id)?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        check_version(&mut tx, ("resource_requirements", ENTITY), uuid, id, expected_version).await?;
        let name: Option<String> = on_tx!(&mut tx, c => {
            sqlx::query_scalar("SELECT name FROM resource_requirements WHERE id = $1")
                .bind(uuid)
                .fetch_optional(&mut *c)
                .await?
        });
        let name = name.ok_or_else(|| StoreError::not_found(ENTITY, id))?;
        let bookings = count_where(&mut tx, "bookings", "requirement_id", uuid).await?;
        refuse_if_used(bookings, &format!("resource requirement '{name}'"), "booking")?;
        let version = delete_row(&mut tx, "resource_requirements", uuid).await?;
        let key = uuid.to_string();
        record_change(&mut tx, actor, now, entity::RESOURCE_REQUIREMENT, uuid, &key, Operation::Delete, version)
            .await?;
        tx.commit().await
    }
}
