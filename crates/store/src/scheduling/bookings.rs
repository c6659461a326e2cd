//! Bookings. A hard booking takes capacity: every write of one locks its resource's row first
//! (`FOR UPDATE` on PostgreSQL; SQLite's `BEGIN IMMEDIATE` already admits one writer at a time),
//! then checks the resource's hard bookings against its capacity, so two concurrent requests can
//! never both take the last free time.

use super::common::{check_version, delete_row, exists, find_by_id, parse_id, record_change};
use super::outbox::entity;
use super::snapshots::ResourceSnapshot;
use super::SchedulingStore;
use crate::db::Tx;
use crate::error::{StoreError, StoreResult};
use crate::page::{Page, PageOf};
use crate::{on_read, on_tx, Actor};
use chrono::{DateTime, Utc};
use hrbridge_domain::outbox::Operation;
use hrbridge_domain::scheduling::booking::{peak_overlap, BookMatchInput, Booking, BookingStatus, NewBooking};
use uuid::Uuid;

const ENTITY: &str = "booking";
const SELECT: &str = "SELECT b.id, b.resource_id, r.name AS resource_name, b.requirement_id, b.start_at, b.end_at, \
                      b.status, b.version, b.modified_at FROM bookings b JOIN bookable_resources r ON r.id = b.resource_id";

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    resource_id: Uuid,
    resource_name: String,
    requirement_id: Option<Uuid>,
    start_at: DateTime<Utc>,
    end_at: DateTime<Utc>,
    status: String,
    version: i64,
    modified_at: DateTime<Utc>,
}

impl From<Row> for Booking {
    fn from(r: Row) -> Self {
        Booking {
            id: r.id,
            resource_id: r.resource_id,
            resource_name: r.resource_name,
            requirement_id: r.requirement_id,
            start: r.start_at,
            end: r.end_at,
            status: BookingStatus::parse(&r.status).unwrap_or_default(),
            version: r.version,
            modified_at: r.modified_at,
        }
    }
}

/// Filters for listing bookings.
#[derive(Debug, Clone, Default)]
pub struct BookingFilter {
    pub resource_id: Option<Uuid>,
}

/// Locks the resource's row for the rest of the transaction; returns its name and capacity.
async fn lock_resource(tx: &mut Tx, id: Uuid) -> StoreResult<Option<(String, i64)>> {
    let sql = format!("SELECT name, capacity FROM bookable_resources WHERE id = $1{}", tx.for_update());
    Ok(on_tx!(tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(id).fetch_optional(&mut *c).await?
    }))
}

/// Refuses a hard booking of `[start, end)` where the resource's other hard bookings already
/// take all of its capacity at some instant.
async fn check_capacity(
    tx: &mut Tx,
    resource: (Uuid, &str, i64),
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    except: Option<Uuid>,
) -> StoreResult<()> {
    let (id, name, capacity) = resource;
    let others: Vec<(DateTime<Utc>, DateTime<Utc>)> = on_tx!(tx, c => {
        sqlx::query_as(
            "SELECT start_at, end_at FROM bookings WHERE resource_id = $1 AND status = 'hard' \
             AND start_at < $3 AND end_at > $2 AND id <> $4",
        )
        .bind(id)
        .bind(start)
        .bind(end)
        .bind(except.unwrap_or_else(Uuid::nil))
        .fetch_all(&mut *c)
        .await?
    });
    let taken = peak_overlap(&others, start, end);
    if taken as i64 >= capacity {
        return Err(StoreError::conflict(
            Some("start"),
            format!(
                "resource '{name}' is fully booked between {start} and {end}: {taken} hard booking(s) already take its \
                 capacity of {capacity}; book it soft or proposed, or pass allow_overlap to overbook"
            ),
        ));
    }
    Ok(())
}

impl SchedulingStore {
    pub async fn booking(&self, id: &str) -> StoreResult<Booking> {
        let uuid = parse_id(ENTITY, id)?;
        let row: Option<Row> = find_by_id(&self.db, SELECT, "b.id", uuid).await?;
        row.map(Into::into).ok_or_else(|| StoreError::not_found(ENTITY, id))
    }

    /// Bookings in creation order, optionally of one resource.
    pub async fn bookings(&self, filter: &BookingFilter, page: &Page) -> StoreResult<PageOf<Booking>> {
        let after = match &page.after {
            None => Uuid::nil(),
            Some(raw) => Uuid::parse_str(raw)
                .map_err(|_| StoreError::invalid("after", "is not a cursor this server gave out"))?,
        };
        let by_resource = if filter.resource_id.is_some() { "AND b.resource_id = $3" } else { "AND $3 IS NULL" };
        let sql = format!("{SELECT} WHERE b.id > $1 {by_resource} ORDER BY b.id LIMIT $2");
        let rows: Vec<Row> = on_read!(&self.db, c => {
            sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(after).bind(page.fetch()).bind(filter.resource_id).fetch_all(&mut *c).await?
        });
        Ok(PageOf::from_rows(rows, page, |r| r.id.to_string()).map(Into::into))
    }

    pub async fn create_booking(&self, actor: &Actor, booking: NewBooking) -> StoreResult<Booking> {
        let now = self.clock.now();
        let id = self.ids.next_uuid();
        let mut tx = self.db.begin().await?;
        let (name, capacity) = self.check_references(&mut tx, &booking).await?;
        if booking.status == BookingStatus::Hard && !booking.allow_overlap {
            check_capacity(&mut tx, (booking.resource_id, &name, capacity), booking.start, booking.end, None).await?;
        }
        insert(&mut tx, id, &booking, now, &actor.name).await?;
        let key = booking.resource_id.to_string();
        record_change(&mut tx, actor, now, entity::BOOKING, id, &key, Operation::Insert, 1).await?;
        tx.commit().await?;
        self.booking(&id.to_string()).await
    }

    /// With `expected_version`, only while it is at that version (`Stale` otherwise).
    pub async fn update_booking(
        &self,
        actor: &Actor,
        id: &str,
        booking: NewBooking,
        expected_version: Option<i64>,
    ) -> StoreResult<Booking> {
        let uuid = parse_id(ENTITY, id)?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        check_version(&mut tx, ("bookings", ENTITY), uuid, id, expected_version).await?;
        let current: Option<Uuid> = on_tx!(&mut tx, c => {
            sqlx::query_scalar("SELECT resource_id FROM bookings WHERE id = $1").bind(uuid).fetch_optional(&mut *c).await?
        });
        let current = current.ok_or_else(|| StoreError::not_found(ENTITY, id))?;
        // A booking stays on its resource (so each resource's bookings are told apart in the
        // outbox by its own key): to move one, cancel it and book the other resource.
        if current != booking.resource_id {
            return Err(StoreError::invalid(
                "resource_id",
                "a booking cannot move to another resource: cancel it and book the other resource",
            ));
        }
        let (name, capacity) = self.check_references(&mut tx, &booking).await?;
        if booking.status == BookingStatus::Hard && !booking.allow_overlap {
            check_capacity(&mut tx, (booking.resource_id, &name, capacity), booking.start, booking.end, Some(uuid))
                .await?;
        }
        let version: Option<i64> = on_tx!(&mut tx, c => {
            sqlx::query_scalar(
                "UPDATE bookings SET resource_id = $2, requirement_id = $3, start_at = $4, end_at = $5, status = $6, \
                 version = version + 1, modified_at = $7, modified_by = $8 WHERE id = $1 RETURNING version",
            )
            .bind(uuid)
            .bind(booking.resource_id)
            .bind(booking.requirement_id)
            .bind(booking.start)
            .bind(booking.end)
            .bind(booking.status.as_str())
            .bind(now)
            .bind(&actor.name)
            .fetch_optional(&mut *c)
            .await?
        });
        let version = version.ok_or_else(|| StoreError::not_found(ENTITY, id))?;
        let key = booking.resource_id.to_string();
        record_change(&mut tx, actor, now, entity::BOOKING, uuid, &key, Operation::Update, version).await?;
        tx.commit().await?;
        self.booking(id).await
    }

    /// With `expected_version`, only while it is at that version (`Stale` otherwise).
    pub async fn delete_booking(&self, actor: &Actor, id: &str, expected_version: Option<i64>) -> StoreResult<()> {
        let uuid = parse_id(ENTITY, id)?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        check_version(&mut tx, ("bookings", ENTITY), uuid, id, expected_version).await?;
        let resource: Option<Uuid> = on_tx!(&mut tx, c => {
            sqlx::query_scalar("SELECT resource_id FROM bookings WHERE id = $1").bind(uuid).fetch_optional(&mut *c).await?
        });
        let resource = resource.ok_or_else(|| StoreError::not_found(ENTITY, id))?;
        let version = delete_row(&mut tx, "bookings", uuid).await?;
        record_change(&mut tx, actor, now, entity::BOOKING, uuid, &resource.to_string(), Operation::Delete, version)
            .await?;
        tx.commit().await
    }

    /// Books a match in one call: with the resource locked, `pick` chooses a span from its current
    /// calendar and hard bookings; none left (its free time is gone) is a 409.
    pub async fn book_first_free(
        &self,
        actor: &Actor,
        input: &BookMatchInput,
        pick: impl FnOnce(&ResourceSnapshot) -> Option<(DateTime<Utc>, DateTime<Utc>)>,
    ) -> StoreResult<Booking> {
        input.check()?;
        let now = self.clock.now();
        let id = self.ids.next_uuid();
        let status = input.status.unwrap_or_default();
        let mut tx = self.db.begin().await?;
        let booking = NewBooking {
            resource_id: input.resource_id,
            requirement_id: input.requirement_id,
            start: input.from,
            end: input.to,
            status,
            allow_overlap: false,
        };
        let (name, _) = self.check_references(&mut tx, &booking).await?;
        // Read after taking the lock, through the transaction: every booking write takes the
        // lock first, so this is current.
        let snapshot = self.resource_snapshot_in(&mut tx, input.resource_id).await?;
        let (start, end) = snapshot.as_ref().and_then(pick).ok_or_else(|| {
            StoreError::conflict(
                None,
                format!(
                    "resource '{name}' has no free {} minutes left between {} and {}",
                    input.duration_minutes, input.from, input.to
                ),
            )
        })?;
        let booking = NewBooking { start, end, ..booking };
        insert(&mut tx, id, &booking, now, &actor.name).await?;
        let key = booking.resource_id.to_string();
        record_change(&mut tx, actor, now, entity::BOOKING, id, &key, Operation::Insert, 1).await?;
        tx.commit().await?;
        self.booking(&id.to_string()).await
    }

    /// Locks the booking's resource and checks that it and the requirement exist.
    async fn check_references(&self, tx: &mut Tx, booking: &NewBooking) -> StoreResult<(String, i64)> {
        let mut errors = hrbridge_domain::ValidationErrors::new();
        let resource = lock_resource(tx, booking.resource_id).await?;
        if resource.is_none() {
            errors.add("resource_id", format!("no bookable resource with id {}", booking.resource_id));
        }
        if let Some(requirement) = booking.requirement_id {
            if !exists(tx, "resource_requirements", requirement).await? {
                errors.add("requirement_id", format!("no resource requirement with id {requirement}"));
            }
        }
        match resource {
            Some(resource) if errors.is_empty() => Ok(resource),
            _ => Err(StoreError::Invalid(errors)),
        }
    }
}

async fn insert(tx: &mut Tx, id: Uuid, b: &NewBooking, now: DateTime<Utc>, by: &str) -> StoreResult<()> {
    on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO bookings (id, resource_id, requirement_id, start_at, end_at, status, version, modified_at, \
             modified_by) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8)",
        )
        .bind(id)
        .bind(b.resource_id)
        .bind(b.requirement_id)
        .bind(b.start)
        .bind(b.end)
        .bind(b.status.as_str())
        .bind(now)
        .bind(by)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}
