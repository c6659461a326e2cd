//! Bookable resources with their work hours; their characteristics are in
//! `resource_characteristics.rs`.

use super::common::{change, check_version, count_where, find_by_id, parse_id, record_change};
use super::outbox::{self, entity};
use super::SchedulingStore;
use crate::error::{StoreError, StoreResult};
use crate::hr::common::{refuse_if_used, unique_to_conflict};
use crate::page::{Page, PageOf};
use crate::{on_read, on_tx, Actor, Tx};
use chrono::{DateTime, NaiveDate, Utc};
use hrbridge_domain::outbox::Operation;
use hrbridge_domain::scheduling::{
    BookableResource, CharacteristicType, NewBookableResource, ResourceCharacteristic, ResourceType, Weekday, WorkSpan,
};
use std::collections::HashMap;
use uuid::Uuid;

pub(crate) const ENTITY: &str = "bookable resource";

const SELECT: &str = "SELECT id, name, resource_type, email, phone, time_zone, active, capacity, hr_worker_number, \
                      version, modified_at FROM bookable_resources";

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    name: String,
    resource_type: String,
    email: Option<String>,
    phone: Option<String>,
    time_zone: String,
    active: bool,
    capacity: i64,
    hr_worker_number: Option<String>,
    version: i64,
    modified_at: DateTime<Utc>,
}

/// The key of a resource in the outbox: its `hr_worker_number` when it has one, else its id.
pub(crate) fn resource_key(id: Uuid, hr_worker_number: Option<&str>) -> String {
    hr_worker_number.map(str::to_string).unwrap_or_else(|| id.to_string())
}

/// The cursor of a resource in the list by (name, id): the id (36 characters), `:`, the name.
fn cursor(id: Uuid, name: &str) -> String {
    format!("{id}:{name}")
}

fn parse_cursor(raw: &str) -> StoreResult<(String, Uuid)> {
    let bad = || StoreError::invalid("after", "is not a cursor this server gave out");
    let (id, name) = (raw.get(..36).ok_or_else(bad)?, raw.get(37..).ok_or_else(bad)?);
    Ok((name.to_string(), Uuid::parse_str(id).map_err(|_| bad())?))
}

impl SchedulingStore {
    pub async fn bookable_resource(&self, id: &str) -> StoreResult<BookableResource> {
        let uuid = parse_id(ENTITY, id)?;
        let row: Option<Row> = find_by_id(&self.db, SELECT, "id", uuid).await?;
        let row = row.ok_or_else(|| StoreError::not_found(ENTITY, id))?;
        Ok(self.with_details(vec![row]).await?.remove(0))
    }

    /// Resources by name, then id (keyset paging on both).
    pub async fn bookable_resources(&self, page: &Page) -> StoreResult<PageOf<BookableResource>> {
        let rows: Vec<Row> = match &page.after {
            None => on_read!(&self.db, c => {
                let sql = format!("{SELECT} ORDER BY name, id LIMIT $1");
                sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(page.fetch()).fetch_all(&mut *c).await?
            }),
            Some(raw) => {
                let (name, id) = parse_cursor(raw)?;
                on_read!(&self.db, c => {
                    let sql = format!("{SELECT} WHERE (name, id) > ($1, $2) ORDER BY name, id LIMIT $3");
                    sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(&name).bind(id).bind(page.fetch()).fetch_all(&mut *c).await?
                })
            }
        };
        let resources = self.with_details(rows).await?;
        Ok(PageOf::from_rows(resources, page, |r| cursor(r.id, &r.name)))
    }

    /// Adds work hours and characteristics to resource rows: two queries for the lot.
    async fn with_details(&self, rows: Vec<Row>) -> StoreResult<Vec<BookableResource>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let list = crate::db::placeholders(rows.len());
        let hours_sql = format!(
            "SELECT resource_id, weekday, start_minute, end_minute FROM work_hours WHERE resource_id IN ({list}) \
             ORDER BY weekday, start_minute"
        );
        let characteristics_sql = format!(
            "SELECT rc.resource_id, c.name, c.characteristic_type, v.value, v.name, rc.issued_on, rc.expires_on, \
             rc.version \
             FROM resource_characteristics rc JOIN characteristics c ON c.id = rc.characteristic_id \
             LEFT JOIN rating_values v ON v.id = rc.rating_value_id WHERE rc.resource_id IN ({list}) ORDER BY c.name"
        );
        type HoursRow = (Uuid, i64, i64, i64);
        type CharacteristicRow =
            (Uuid, String, String, Option<i64>, Option<String>, Option<NaiveDate>, Option<NaiveDate>, i64);
        let (hours, characteristics): (Vec<HoursRow>, Vec<CharacteristicRow>) = on_read!(&self.db, c => {
            let mut hours = sqlx::query_as(sqlx::AssertSqlSafe(&*hours_sql));
            let mut characteristics = sqlx::query_as(sqlx::AssertSqlSafe(&*characteristics_sql));
            for row in &rows {
                hours = hours.bind(row.id);
                characteristics = characteristics.bind(row.id);
            }
            (hours.fetch_all(&mut *c).await?, characteristics.fetch_all(&mut *c).await?)
        });
        let today = self.clock.today();
        let mut hours_of: HashMap<Uuid, Vec<_>> = HashMap::new();
        for (resource, weekday, start_minute, end_minute) in hours {
            if let Some(weekday) = Weekday::from_number(weekday) {
                hours_of.entry(resource).or_default().push(WorkSpan { weekday, start_minute, end_minute }.to_hours());
            }
        }
        let mut characteristics_of: HashMap<Uuid, Vec<_>> = HashMap::new();
        for (resource, name, kind, rating, rating_name, issued_on, expires_on, version) in characteristics {
            characteristics_of.entry(resource).or_default().push(ResourceCharacteristic {
                characteristic: name,
                version,
                characteristic_type: CharacteristicType::parse(&kind).unwrap_or_default(),
                rating,
                rating_name,
                issued_on,
                expires_on,
                expired: expires_on.is_some_and(|e| e < today),
            });
        }
        Ok(rows
            .into_iter()
            .map(|r| BookableResource {
                work_hours: hours_of.remove(&r.id).unwrap_or_default(),
                characteristics: characteristics_of.remove(&r.id).unwrap_or_default(),
                id: r.id,
                name: r.name,
                resource_type: ResourceType::parse(&r.resource_type).unwrap_or_default(),
                email: r.email,
                phone: r.phone,
                time_zone: r.time_zone,
                active: r.active,
                capacity: r.capacity,
                hr_worker_number: r.hr_worker_number,
                version: r.version,
                modified_at: r.modified_at,
            })
            .collect())
    }

    pub async fn create_bookable_resource(
        &self,
        actor: &Actor,
        input: NewBookableResource,
    ) -> StoreResult<BookableResource> {
        let now = self.clock.now();
        let id = self.ids.next_uuid();
        let number = input.hr_worker_number.as_ref().map(|n| n.as_str());
        let mut tx = self.db.begin().await?;
        let inserted = on_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO bookable_resources (id, name, resource_type, email, phone, time_zone, active, capacity, \
                 hr_worker_number, version, modified_at, modified_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11)",
            )
            .bind(id)
            .bind(input.name.as_str())
            .bind(input.resource_type.as_str())
            .bind(input.email.as_ref().map(|e| e.as_str()))
            .bind(input.phone.as_ref().map(|p| p.as_str()))
            .bind(&input.time_zone)
            .bind(input.active)
            .bind(input.capacity)
            .bind(number)
            .bind(now)
            .bind(&actor.name)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
            .map_err(StoreError::from)
        });
        unique_to_conflict(inserted, "hr_worker_number", || {
            format!("a bookable resource with hr_worker_number '{}' already exists", number.unwrap_or_default())
        })?;
        insert_work_hours(&mut tx, id, &input.work_hours).await?;
        let key = resource_key(id, number);
        record_change(&mut tx, actor, now, entity::BOOKABLE_RESOURCE, id, &key, Operation::Insert, 1).await?;
        tx.commit().await?;
        self.bookable_resource(&id.to_string()).await
    }

    /// Updates a resource and replaces its work hours. `hr_worker_number` cannot change.
    ///
    /// With `expected_version`, only while it is at that version (`Stale` otherwise).
    pub async fn update_bookable_resource(
        &self,
        actor: &Actor,
        id: &str,
        input: NewBookableResource,
        expected_version: Option<i64>,
    ) -> StoreResult<BookableResource> {
        let uuid = parse_id(ENTITY, id)?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        check_version(&mut tx, ("bookable_resources", ENTITY), uuid, id, expected_version).await?;
        let current: Option<Option<String>> = on_tx!(&mut tx, c => {
            sqlx::query_scalar("SELECT hr_worker_number FROM bookable_resources WHERE id = $1")
                .bind(uuid)
                .fetch_optional(&mut *c)
                .await?
        });
        let number = current.ok_or_else(|| StoreError::not_found(ENTITY, id))?;
        if number.as_deref() != input.hr_worker_number.as_ref().map(|n| n.as_str()) {
            return Err(StoreError::invalid(
                "hr_worker_number",
                "can only be set when the resource is created; it cannot be changed or removed",
            ));
        }
        let version: i64 = on_tx!(&mut tx, c => {
            sqlx::query_scalar(
                "UPDATE bookable_resources SET name = $2, resource_type = $3, email = $4, phone = $5, time_zone = $6, \
                 active = $7, capacity = $8, version = version + 1, modified_at = $9, modified_by = $10 \
                 WHERE id = $1 RETURNING version",
            )
            .bind(uuid)
            .bind(input.name.as_str())
            .bind(input.resource_type.as_str())
            .bind(input.email.as_ref().map(|e| e.as_str()))
            .bind(input.phone.as_ref().map(|p| p.as_str()))
            .bind(&input.time_zone)
            .bind(input.active)
            .bind(input.capacity)
            .bind(now)
            .bind(&actor.name)
            .fetch_one(&mut *c)
            .await?
        });
        on_tx!(&mut tx, c => {
            sqlx::query("DELETE FROM work_hours WHERE resource_id = $1").bind(uuid).execute(&mut *c).await?;
        });
        insert_work_hours(&mut tx, uuid, &input.work_hours).await?;
        let key = resource_key(uuid, number.as_deref());
        record_change(&mut tx, actor, now, entity::BOOKABLE_RESOURCE, uuid, &key, Operation::Update, version).await?;
        tx.commit().await?;
        self.bookable_resource(id).await
    }

    /// Deletes a resource with its work hours and characteristics (each recorded in the outbox);
    /// refused while it has bookings.
    ///
    /// With `expected_version`, only while it is at that version (`Stale` otherwise).
    pub async fn delete_bookable_resource(
        &self,
        actor: &Actor,
        id: &str,
        expected_version: Option<i64>,
    ) -> StoreResult<()> {
        let uuid = parse_id(ENTITY, id)?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        check_version(&mut tx, ("bookable_resources", ENTITY), uuid, id, expected_version).await?;
        // Locked before its characteristics are read, so none added meanwhile is deleted by the
        // cascade without its outbox entry.
        let sql = format!("SELECT name, hr_worker_number FROM bookable_resources WHERE id = $1{}", tx.for_update());
        let current: Option<(String, Option<String>)> = on_tx!(&mut tx, c => {
            sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(uuid).fetch_optional(&mut *c).await?
        });
        let (name, number) = current.ok_or_else(|| StoreError::not_found(ENTITY, id))?;
        let bookings = count_where(&mut tx, "bookings", "resource_id", uuid).await?;
        refuse_if_used(bookings, &format!("bookable resource '{name}'"), "booking")?;
        let (held, version): (Vec<(Uuid, String, i64)>, i64) = on_tx!(&mut tx, c => {
            let held = sqlx::query_as(
                "SELECT rc.id, c.name, rc.version FROM resource_characteristics rc \
                 JOIN characteristics c ON c.id = rc.characteristic_id WHERE rc.resource_id = $1",
            )
            .bind(uuid)
            .fetch_all(&mut *c)
            .await?;
            let version: i64 = sqlx::query_scalar("DELETE FROM bookable_resources WHERE id = $1 RETURNING version")
                .bind(uuid)
                .fetch_one(&mut *c)
                .await?;
            (held, version)
        });
        let changes: Vec<_> = held
            .into_iter()
            .map(|(rc, characteristic, v)| {
                let key = format!("{uuid}/{characteristic}");
                change(actor, now, entity::RESOURCE_CHARACTERISTIC, rc, key, Operation::Delete, v + 1)
            })
            .collect();
        outbox::append(&mut tx, &changes).await?;
        let key = resource_key(uuid, number.as_deref());
        record_change(&mut tx, actor, now, entity::BOOKABLE_RESOURCE, uuid, &key, Operation::Delete, version + 1)
            .await?;
        tx.commit().await
    }
}

/// Inserts a resource's work hours: one statement.
async fn insert_work_hours(tx: &mut Tx, resource: Uuid, spans: &[WorkSpan]) -> StoreResult<()> {
    if spans.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO work_hours (resource_id, weekday, start_minute, end_minute) VALUES {}",
        crate::db::value_rows(spans.len(), 4)
    );
    on_tx!(tx, c => {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(&*sql));
        for s in spans {
            query = query.bind(resource).bind(s.weekday.number()).bind(s.start_minute).bind(s.end_minute);
        }
        query.execute(&mut *c).await?;
    });
    Ok(())
}
