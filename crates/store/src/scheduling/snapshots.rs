//! What the resource finder indexes: every resource (or some) with its calendar, its
//! characteristics and its hard bookings. Many are read folded (see `snapshot_load`); one read
//! inside a write's transaction takes four small queries here.

use super::SchedulingStore;
use crate::db::Tx;
use crate::error::StoreResult;
use crate::on_tx;
use chrono::{DateTime, NaiveDate, Utc};
use hrbridge_domain::scheduling::{CharacteristicType, ResourceType};
use std::collections::HashMap;
use uuid::Uuid;

/// A bookable resource as the finder sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceSnapshot {
    pub id: Uuid,
    pub name: String,
    pub resource_type: ResourceType,
    pub active: bool,
    /// An IANA time zone name, checked when written.
    pub time_zone: String,
    /// 1 to 100.
    pub capacity: i64,
    /// By weekday and start.
    pub work_hours: Vec<WorkHoursSnapshot>,
    pub characteristics: Vec<CharacteristicSnapshot>,
    /// `(start_at, end_at)` of the resource's bookings with status `hard`, by start.
    pub hard_bookings: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

/// A span of a resource's weekly calendar, in its time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkHoursSnapshot {
    /// 1 = Monday … 7 = Sunday.
    pub weekday: u8,
    /// Minutes from midnight, 0 to 1439.
    pub start_minute: u16,
    /// Minutes from midnight, exclusive, 1 to 1440.
    pub end_minute: u16,
}

/// A characteristic a resource holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CharacteristicSnapshot {
    pub name: String,
    pub characteristic_type: CharacteristicType,
    /// The numeric value of its rating, if rated.
    pub rating: Option<i64>,
    pub expires_on: Option<NaiveDate>,
}

type ResourceRow = (Uuid, String, String, bool, String, i64);
type HoursRow = (Uuid, i64, i64, i64);
type CharacteristicRow = (Uuid, String, String, Option<i64>, Option<NaiveDate>);
type BookingRow = (Uuid, DateTime<Utc>, DateTime<Utc>);

impl SchedulingStore {
    /// Snapshots of all resources (`None`) or of those with the given ids (unknown ids are
    /// skipped), ordered by id.
    pub async fn resource_snapshots(&self, ids: Option<&[Uuid]>) -> StoreResult<Vec<ResourceSnapshot>> {
        match ids {
            None => self.all_snapshots().await,
            Some(ids) => {
                let mut out = self.snapshots_by_id(ids).await?;
                out.dedup_by_key(|s| s.id);
                Ok(out)
            }
        }
    }

    /// The snapshot of one resource read through `tx`, so a caller holding the resource's lock
    /// needs no second connection: asking the pool for one while every pooled connection is held
    /// by a transaction waiting for that lock would wait until the pool timed out.
    pub async fn resource_snapshot_in(&self, tx: &mut Tx, id: Uuid) -> StoreResult<Option<ResourceSnapshot>> {
        Ok(self.snapshots_in(tx, &[id]).await?.pop())
    }

    /// The snapshots of the resources with these ids, read through `tx`.
    async fn snapshots_in(&self, tx: &mut Tx, ids: &[Uuid]) -> StoreResult<Vec<ResourceSnapshot>> {
        let filter = |column: &str| format!(" AND {column} IN ({})", crate::db::placeholders(ids.len()));
        let resources_sql = format!(
            "SELECT id, name, resource_type, active, time_zone, capacity FROM bookable_resources WHERE true{} \
             ORDER BY id",
            filter("id")
        );
        let hours_sql = format!(
            "SELECT resource_id, weekday, start_minute, end_minute FROM work_hours WHERE true{} \
             ORDER BY resource_id, weekday, start_minute",
            filter("resource_id")
        );
        let characteristics_sql = format!(
            "SELECT rc.resource_id, c.name, c.characteristic_type, v.value, rc.expires_on \
             FROM resource_characteristics rc JOIN characteristics c ON c.id = rc.characteristic_id \
             LEFT JOIN rating_values v ON v.id = rc.rating_value_id WHERE true{}",
            filter("rc.resource_id")
        );
        let bookings_sql = format!(
            "SELECT resource_id, start_at, end_at FROM bookings WHERE status = 'hard'{} ORDER BY resource_id, start_at",
            filter("resource_id")
        );
        macro_rules! fetch {
            ($c:ident) => {{
                let mut resources = sqlx::query_as(sqlx::AssertSqlSafe(&*resources_sql));
                let mut hours = sqlx::query_as(sqlx::AssertSqlSafe(&*hours_sql));
                let mut characteristics = sqlx::query_as(sqlx::AssertSqlSafe(&*characteristics_sql));
                let mut bookings = sqlx::query_as(sqlx::AssertSqlSafe(&*bookings_sql));
                for id in ids {
                    resources = resources.bind(*id);
                    hours = hours.bind(*id);
                    characteristics = characteristics.bind(*id);
                    bookings = bookings.bind(*id);
                }
                (
                    resources.fetch_all(&mut *$c).await?,
                    hours.fetch_all(&mut *$c).await?,
                    characteristics.fetch_all(&mut *$c).await?,
                    bookings.fetch_all(&mut *$c).await?,
                )
            }};
        }
        let (resources, hours, characteristics, bookings): (
            Vec<ResourceRow>,
            Vec<HoursRow>,
            Vec<CharacteristicRow>,
            Vec<BookingRow>,
        ) = on_tx!(tx, c => fetch!(c));
        let mut snapshots: Vec<ResourceSnapshot> = resources
            .into_iter()
            .map(|(id, name, kind, active, time_zone, capacity)| ResourceSnapshot {
                id,
                name,
                resource_type: ResourceType::parse(&kind).unwrap_or_default(),
                active,
                time_zone,
                capacity,
                work_hours: Vec::new(),
                characteristics: Vec::new(),
                hard_bookings: Vec::new(),
            })
            .collect();
        let slot: HashMap<Uuid, usize> = snapshots.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
        for (resource, weekday, start, end) in hours {
            if let Some(&i) = slot.get(&resource) {
                snapshots[i].work_hours.push(WorkHoursSnapshot {
                    weekday: weekday as u8,
                    start_minute: start as u16,
                    end_minute: end as u16,
                });
            }
        }
        for (resource, name, kind, rating, expires_on) in characteristics {
            if let Some(&i) = slot.get(&resource) {
                snapshots[i].characteristics.push(CharacteristicSnapshot {
                    name,
                    characteristic_type: CharacteristicType::parse(&kind).unwrap_or_default(),
                    rating,
                    expires_on,
                });
            }
        }
        for (resource, start, end) in bookings {
            if let Some(&i) = slot.get(&resource) {
                snapshots[i].hard_bookings.push((start, end));
            }
        }
        Ok(snapshots)
    }
}
