//! Loading every resource's snapshot (the finder's index at start), a page of resources at a
//! time. A page is one query whose result is one JSON value (see [`crate::folded`]): each
//! resource with its calendar, characteristics and hard bookings nested inside it, so a page of
//! 2,500 resources crosses the driver once instead of as 2,500 rows (or as 40,000 rows of
//! calendar spans, characteristics and bookings). Characteristics and rating values (a few
//! hundred rows) are read once, first, and looked up here by id, so the page query needs no
//! joins. Where the pages end (every 2,500th id) is read first too, so pages are ranges of ids
//! that can be read in any order, and several at once.
//!
//! Each page is its own read: a write between two pages can show in one and not the other. The
//! finder notes the outbox's seq before it loads and applies every change after it, so it ends
//! up current all the same. A page that holds a characteristic or rating value created after
//! the lookups were read reads them again.

use super::snapshots::{CharacteristicSnapshot, ResourceSnapshot, WorkHoursSnapshot};
use super::SchedulingStore;
use crate::db::Backend;
use crate::error::{StoreError, StoreResult};
use crate::folded::{Flag, Stamp};
use crate::on_read;
use chrono::NaiveDate;
use hrbridge_domain::scheduling::{CharacteristicType, ResourceType};
use std::collections::HashMap;
use uuid::Uuid;

/// How many resources one page holds: measured on 100,000 resources, 2,500 beat both 500 (more
/// queries) and 10,000 (larger strings to build and copy).
pub const SNAPSHOT_PAGE: i64 = 2_500;

/// On SQLite a page is read through a memory map of the file (as large as SQLite allows), not
/// through `pread` into the reader's page cache, which the load would only churn: copying pages
/// out of the kernel took a seventh of the load's time (perf). The map is dropped again after
/// the page, so the mapped file does not stay in the process's memory.
const MAP_THE_FILE: &str = "PRAGMA mmap_size = 2147418112";

/// A resource as a page folds it: id, name, type, active, time zone, capacity, calendar spans
/// (weekday, start, end), held characteristics (characteristic id, rating value id, expires on),
/// hard bookings (start, end).
type FoldedResource = (
    Uuid,
    String,
    String,
    Flag,
    String,
    i64,
    Vec<(u8, u16, u16)>,
    Vec<(Uuid, Option<String>, Option<NaiveDate>)>,
    Vec<(Stamp, Stamp)>,
);

/// Every resource's snapshot, a page at a time: see the module documentation. Pages can be
/// read in any order, and several at once (each on its own connection).
pub struct SnapshotPages {
    store: SchedulingStore,
    sql: String,
    characteristics: HashMap<Uuid, (String, CharacteristicType)>,
    values: HashMap<Uuid, i64>,
    /// Where each page ends (its last id, inclusive); a page starts after the previous one's
    /// end, the first after the nil UUID, and the last runs to the end.
    ends: Vec<Uuid>,
}

/// The rows of `from_where` as a nested JSON array of `columns`, `[]` when there are none.
fn nested(backend: Backend, columns: &str, from_where: &str) -> String {
    match backend {
        // Whether a subquery's result keeps SQLite's JSON subtype has changed between SQLite
        // versions: json() makes sure the outer array nests it instead of quoting it as text.
        Backend::Sqlite => {
            format!("json(COALESCE((SELECT json_group_array(json_array({columns})) FROM {from_where}), '[]'))")
        }
        Backend::Postgres => {
            format!("COALESCE((SELECT json_agg(json_build_array({columns})) FROM {from_where}), '[]'::json)")
        }
    }
}

/// The folded snapshots of the resources `filter` (on `r`) selects.
fn snapshots_sql(backend: Backend, filter: &str) -> String {
    let id = |column: &str| backend.uuid_text(column);
    let hours = nested(backend, "w.weekday, w.start_minute, w.end_minute", "work_hours w WHERE w.resource_id = r.id");
    let held = nested(
        backend,
        &format!("{}, {}, rc.expires_on", id("rc.characteristic_id"), id("rc.rating_value_id")),
        "resource_characteristics rc WHERE rc.resource_id = r.id",
    );
    let bookings =
        nested(backend, "b.start_at, b.end_at", "bookings b WHERE b.resource_id = r.id AND b.status = 'hard'");
    let columns = [id("r.id"), "r.name".into(), "r.resource_type".into(), "r.active".into(), "r.time_zone".into()]
        .into_iter()
        .chain(["r.capacity".to_string(), hours, held, bookings])
        .collect::<Vec<_>>();
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    format!("SELECT {} FROM bookable_resources r WHERE {filter}", backend.folded(&columns))
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Config(format!("unreadable {what} in the scheduling store: {e}"))
}

impl SchedulingStore {
    /// Every resource's snapshot, in pages of [`SNAPSHOT_PAGE`] by id.
    pub async fn snapshot_pages(&self) -> StoreResult<SnapshotPages> {
        let ends: Vec<Uuid> = on_read!(&self.db, c => {
            sqlx::query_scalar(
                "SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM bookable_resources) numbered \
                 WHERE n % $1 = 0 ORDER BY id",
            )
            .bind(SNAPSHOT_PAGE)
            .fetch_all(&mut *c)
            .await?
        });
        let sql = snapshots_sql(self.db.backend(), "r.id > $1 AND r.id <= $2");
        self.snapshot_reader(sql, ends).await
    }

    /// The snapshots of the resources with these ids (unknown ids are skipped), by id, in one
    /// query whatever their number: the ids travel as one JSON array, the snapshots come back
    /// folded. The finder refreshes the resources a batch of writes changed this way.
    pub(super) async fn snapshots_by_id(&self, ids: &[Uuid]) -> StoreResult<Vec<ResourceSnapshot>> {
        let backend = self.db.backend();
        let reader = self
            .snapshot_reader(snapshots_sql(backend, &format!("r.id IN ({})", backend.json_uuids())), Vec::new())
            .await?;
        let ids = serde_json::to_string(ids).map_err(|e| StoreError::Config(format!("resource ids as JSON: {e}")))?;
        let text: String = on_read!(&self.db, c => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(&*reader.sql)).bind(&ids).fetch_one(&mut *c).await?
        });
        reader.parse_current(&text).await
    }

    /// A reader of folded snapshots through `sql`, with the characteristics and rating values
    /// to look their ids up in.
    async fn snapshot_reader(&self, sql: String, ends: Vec<Uuid>) -> StoreResult<SnapshotPages> {
        type CharacteristicRow = (Uuid, String, String);
        let (characteristics, values): (Vec<CharacteristicRow>, Vec<(Uuid, i64)>) = on_read!(&self.db, c => {
            let characteristics = sqlx::query_as("SELECT id, name, characteristic_type FROM characteristics")
                .fetch_all(&mut *c)
                .await?;
            (characteristics, sqlx::query_as("SELECT id, value FROM rating_values").fetch_all(&mut *c).await?)
        });
        Ok(SnapshotPages {
            ends,
            store: self.clone(),
            sql,
            characteristics: characteristics
                .into_iter()
                .map(|(id, name, kind)| (id, (name, CharacteristicType::parse(&kind).unwrap_or_default())))
                .collect(),
            values: values.into_iter().collect(),
        })
    }

    pub(super) async fn all_snapshots(&self) -> StoreResult<Vec<ResourceSnapshot>> {
        let pages = self.snapshot_pages().await?;
        let mut all = Vec::new();
        for page in 0..pages.len() {
            all.extend(pages.page(page).await?);
        }
        Ok(all)
    }
}

impl SnapshotPages {
    /// How many pages there are (the last may be empty).
    pub fn len(&self) -> usize {
        self.ends.len() + 1
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    /// The snapshots of page `page` (below [`SnapshotPages::len`]), by id.
    pub async fn page(&self, page: usize) -> StoreResult<Vec<ResourceSnapshot>> {
        // Every id is above the nil UUID.
        let after = page.checked_sub(1).map_or(Uuid::nil(), |previous| self.ends[previous]);
        // The last page runs to the largest UUID.
        let end = self.ends.get(page).copied().unwrap_or(Uuid::max());
        let sqlite = self.store.db.backend() == Backend::Sqlite;
        let text: String = on_read!(&self.store.db, c => {
            if sqlite {
                sqlx::query(MAP_THE_FILE).execute(&mut *c).await?;
            }
            let text = sqlx::query_scalar(sqlx::AssertSqlSafe(&*self.sql)).bind(after).bind(end).fetch_one(&mut *c).await?;
            if sqlite {
                sqlx::query("PRAGMA mmap_size = 0").execute(&mut *c).await?;
            }
            text
        });
        self.parse_current(&text).await
    }

    /// [`SnapshotPages::parse`], but when `text` holds a characteristic or rating value created
    /// after the lookups were read, they are read again, now that it is there.
    async fn parse_current(&self, text: &str) -> StoreResult<Vec<ResourceSnapshot>> {
        match self.parse(text) {
            Ok(snapshots) => Ok(snapshots),
            Err(_) => self.store.snapshot_reader(self.sql.clone(), Vec::new()).await?.parse(text),
        }
    }

    /// Snapshots from their folded text, by id.
    fn parse(&self, text: &str) -> StoreResult<Vec<ResourceSnapshot>> {
        let mut folded: Vec<FoldedResource> = crate::folded::rows(text)?;
        // An aggregate keeps no order.
        folded.sort_unstable_by_key(|r| r.0);
        folded.into_iter().map(|r| self.snapshot(r)).collect()
    }

    fn snapshot(&self, resource: FoldedResource) -> StoreResult<ResourceSnapshot> {
        let (id, name, kind, active, time_zone, capacity, hours, held, bookings) = resource;
        let mut work_hours: Vec<WorkHoursSnapshot> = hours
            .into_iter()
            .map(|(weekday, start_minute, end_minute)| WorkHoursSnapshot { weekday, start_minute, end_minute })
            .collect();
        work_hours.sort_by_key(|w| (w.weekday, w.start_minute));
        let mut hard_bookings: Vec<_> = bookings.into_iter().map(|(start, end)| (start.0, end.0)).collect();
        hard_bookings.sort();
        let characteristics = held
            .into_iter()
            .map(|(characteristic, value, expires_on)| {
                let (name, kind) = self
                    .characteristics
                    .get(&characteristic)
                    .ok_or_else(|| corrupt("characteristic", characteristic))?;
                // SQLite gives hex(NULL) as an empty string.
                let rating = match value.filter(|v| !v.is_empty()) {
                    Some(value) => {
                        let id = Uuid::parse_str(&value).map_err(|e| corrupt("rating value id", e))?;
                        Some(*self.values.get(&id).ok_or_else(|| corrupt("rating value", id))?)
                    }
                    None => None,
                };
                Ok(CharacteristicSnapshot { name: name.clone(), characteristic_type: *kind, rating, expires_on })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(ResourceSnapshot {
            id,
            name,
            resource_type: ResourceType::parse(&kind).unwrap_or_default(),
            active: active.0,
            time_zone,
            capacity,
            work_hours,
            characteristics,
            hard_bookings,
        })
    }
}
