//! Loading every resource's snapshot at once (the finder's index at start): one row per
//! resource, its calendar, characteristics and hard bookings aggregated into JSON by the
//! database, instead of one streamed row per calendar span, characteristic and booking (1.6
//! million rows for 100,000 resources). Characteristics and rating values (a few hundred rows)
//! are read first and looked up here by id, so the big aggregate needs no joins.

use super::snapshots::{CharacteristicSnapshot, ResourceSnapshot, WorkHoursSnapshot};
use super::SchedulingStore;
use crate::db::Backend;
use crate::error::{StoreError, StoreResult};
use crate::on_read;
use chrono::{DateTime, NaiveDate, Utc};
use hrbridge_domain::scheduling::{CharacteristicType, ResourceType};
use std::collections::HashMap;
use uuid::Uuid;

type Row = (Uuid, String, String, bool, String, i64, String, String, String);
/// (id, name, characteristic_type)
type CharacteristicRow = (Uuid, String, String);

fn sql(backend: Backend) -> String {
    let (array, group, text, id) = match backend {
        // SQLite keeps UUIDs as blobs, which JSON cannot hold: hex() gives their simple form.
        Backend::Sqlite => ("json_array", "json_group_array", "", "hex"),
        Backend::Postgres => ("json_build_array", "json_agg", "::text", ""),
    };
    format!(
        "SELECT r.id, r.name, r.resource_type, r.active, r.time_zone, r.capacity, \
           COALESCE((SELECT {group}({array}(w.weekday, w.start_minute, w.end_minute)) FROM work_hours w \
                     WHERE w.resource_id = r.id){text}, '[]'), \
           COALESCE((SELECT {group}({array}({id}(rc.characteristic_id), {id}(rc.rating_value_id), rc.expires_on)) \
                     FROM resource_characteristics rc WHERE rc.resource_id = r.id){text}, '[]'), \
           COALESCE((SELECT {group}({array}(b.start_at, b.end_at)) FROM bookings b \
                     WHERE b.resource_id = r.id AND b.status = 'hard'){text}, '[]') \
         FROM bookable_resources r ORDER BY r.id"
    )
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Config(format!("unreadable {what} in the scheduling store: {e}"))
}

fn timestamp(text: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%#z"))
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| corrupt("booking time", e))
}

impl SchedulingStore {
    pub(super) async fn all_snapshots(&self) -> StoreResult<Vec<ResourceSnapshot>> {
        let sql = sql(self.db.backend());
        let (characteristics, values, rows): (Vec<CharacteristicRow>, Vec<(Uuid, i64)>, Vec<Row>) = on_read!(&self.db, c => {
            let characteristics = sqlx::query_as("SELECT id, name, characteristic_type FROM characteristics")
                .fetch_all(&mut *c)
                .await?;
            let values = sqlx::query_as("SELECT id, value FROM rating_values").fetch_all(&mut *c).await?;
            (characteristics, values, sqlx::query_as(&sql).fetch_all(&mut *c).await?)
        });
        let characteristics: HashMap<Uuid, (String, CharacteristicType)> = characteristics
            .into_iter()
            .map(|(id, name, kind)| (id, (name, CharacteristicType::parse(&kind).unwrap_or_default())))
            .collect();
        let values: HashMap<Uuid, i64> = values.into_iter().collect();
        let parse_id = |text: &str| Uuid::parse_str(text).map_err(|e| corrupt("id", e));
        rows.into_iter()
            .map(|(id, name, kind, active, time_zone, capacity, hours, held, bookings)| {
                let hours: Vec<(u8, u16, u16)> = serde_json::from_str(&hours).map_err(|e| corrupt("work hours", e))?;
                let held: Vec<(String, Option<String>, Option<NaiveDate>)> =
                    serde_json::from_str(&held).map_err(|e| corrupt("characteristics", e))?;
                let bookings: Vec<(String, String)> =
                    serde_json::from_str(&bookings).map_err(|e| corrupt("bookings", e))?;
                let mut work_hours: Vec<WorkHoursSnapshot> = hours
                    .into_iter()
                    .map(|(weekday, start_minute, end_minute)| WorkHoursSnapshot { weekday, start_minute, end_minute })
                    .collect();
                work_hours.sort_by_key(|w| (w.weekday, w.start_minute));
                let mut hard_bookings = bookings
                    .iter()
                    .map(|(start, end)| Ok((timestamp(start)?, timestamp(end)?)))
                    .collect::<StoreResult<Vec<_>>>()?;
                hard_bookings.sort();
                Ok(ResourceSnapshot {
                    id,
                    name,
                    resource_type: ResourceType::parse(&kind).unwrap_or_default(),
                    active,
                    time_zone,
                    capacity,
                    work_hours,
                    characteristics: held
                        .into_iter()
                        .map(|(characteristic, value, expires_on)| {
                            let (name, kind) = characteristics
                                .get(&parse_id(&characteristic)?)
                                .ok_or_else(|| corrupt("characteristic", &characteristic))?;
                            // SQLite gives hex(NULL) as an empty string.
                            let rating = match value.filter(|v| !v.is_empty()) {
                                Some(value) => Some(
                                    *values.get(&parse_id(&value)?).ok_or_else(|| corrupt("rating value", &value))?,
                                ),
                                None => None,
                            };
                            Ok(CharacteristicSnapshot {
                                name: name.clone(),
                                characteristic_type: *kind,
                                rating,
                                expires_on,
                            })
                        })
                        .collect::<StoreResult<Vec<_>>>()?,
                    hard_bookings,
                })
            })
            .collect()
    }
}
