//! The tracking table, the outbox cursors and the integration's switches, and the one HR
//! transaction that records what a batch applied.

use super::{keys_json, Selection};
use crate::db::{timestamp_text, JsonType, Tx};
use crate::error::{StoreError, StoreResult};
use crate::page::{Page, PageOf};
use crate::{audit, on_read, on_tx, Actor, HrStore};
use chrono::{DateTime, Utc};
use serde::Serialize;

pub const INTEGRATION_ENABLED: &str = "integration.enabled";
pub const SOLUTION_ENABLED: &str = "integration.solution.hr-resource-scheduling";
const HR: &str = "hr";
const SCHEDULING: &str = "scheduling";

/// One linked pair: the seed's tracking grid columns, and what the engine compares.
/// Deserialised from a folded read, its fields in column order (see [`crate::folded`]).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TrackingRow {
    pub map_name: String,
    pub entity_key: String,
    #[serde(skip_serializing)]
    pub owner_key: String,
    pub hr_entity: String,
    /// The HR record's id: a string in JSON, like every 64-bit id.
    #[serde(with = "hrbridge_domain::id_string")]
    #[schema(value_type = String)]
    pub hr_ref: i64,
    pub scheduling_entity: String,
    pub scheduling_ref: String,
    pub hr_version: i64,
    pub scheduling_version: i64,
    /// The HR fields as last synced, JSON text.
    #[serde(skip_serializing)]
    pub hr_fields: String,
    #[serde(deserialize_with = "crate::folded::flag")]
    pub deleted_from_scheduling: bool,
    #[serde(deserialize_with = "crate::folded::stamp")]
    pub synced_at: DateTime<Utc>,
}

/// How far each outbox has been applied, and up to where its entries were written while the
/// integration was off.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Cursors {
    pub hr_applied: i64,
    pub hr_off_until: i64,
    pub scheduling_applied: i64,
    pub scheduling_off_until: i64,
}

/// Everything one batch changes in the HR store's sync state, written in one transaction after
/// the scheduling side's writes committed.
#[derive(Debug, Default)]
pub struct BatchRecord {
    pub upsert_tracking: Vec<TrackingRow>,
    /// (map, key) pairs no longer linked.
    pub drop_tracking: Vec<(String, String)>,
    pub conflicts: Vec<super::journal::NewConflict>,
    pub failures: Vec<super::journal::Failure>,
    /// (map, key) pairs applied: their queued errors are resolved.
    pub succeeded: Vec<(String, String)>,
    /// New applied seqs, when the batch read the outboxes.
    pub cursors: Option<(i64, i64)>,
}

impl BatchRecord {
    /// Adds `other`'s changes after this record's own (the cursors stay this record's).
    pub fn absorb(&mut self, other: BatchRecord) {
        self.upsert_tracking.extend(other.upsert_tracking);
        self.drop_tracking.extend(other.drop_tracking);
        self.conflicts.extend(other.conflicts);
        self.failures.extend(other.failures);
        self.succeeded.extend(other.succeeded);
    }
}

const TRACKING_COLUMNS: &str =
    "map_name, entity_key, owner_key, hr_entity, hr_ref, scheduling_entity, scheduling_ref, \
     hr_version, scheduling_version, hr_fields, deleted_from_scheduling, synced_at";

impl HrStore {
    /// Whether the integration is on (off when never set).
    pub async fn integration_enabled(&self) -> StoreResult<bool> {
        Ok(crate::settings::get(&self.db, INTEGRATION_ENABLED).await?.as_deref() == Some("true"))
    }

    /// Whether the HR-to-resource-scheduling solution is on (on when never set).
    pub async fn solution_enabled(&self) -> StoreResult<bool> {
        Ok(crate::settings::get(&self.db, SOLUTION_ENABLED).await?.as_deref() != Some("false"))
    }

    /// Sets a switch and audits it. For the integration switch, `outbox_last` is where each
    /// outbox (HR, scheduling) stands: turning on marks every entry written so far as written
    /// while off; turning off keeps the entries written since the last turn-on as written while
    /// on (see [`OnRanges`]), applied or not yet.
    pub async fn set_switch(
        &self,
        actor: &Actor,
        name: &str,
        enabled: bool,
        outbox_last: Option<(i64, i64)>,
    ) -> StoreResult<()> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value")
                .bind(name)
                .bind(if enabled { "true" } else { "false" })
                .execute(&mut *c)
                .await?;
        });
        if let (Some(last), false) = (outbox_last, enabled) {
            record_on_ranges(&mut tx, last).await?;
        }
        if let (Some((hr_last, scheduling_last)), true) = (outbox_last, enabled) {
            ensure_cursors(&mut tx).await?;
            for (store, last) in [(HR, hr_last), (SCHEDULING, scheduling_last)] {
                on_tx!(&mut tx, c => {
                    sqlx::query(
                        "UPDATE sync_cursors SET off_until_seq = $2 WHERE store = $1 AND off_until_seq < $2",
                    )
                        .bind(store)
                        .bind(last)
                        .execute(&mut *c)
                        .await?;
                });
            }
        }
        let detail = serde_json::json!({ "enabled": enabled });
        audit::append(&mut tx, actor, now, "update", "integration", name, &detail).await?;
        tx.commit().await
    }

    pub async fn sync_cursors(&self) -> StoreResult<Cursors> {
        let rows: Vec<(String, i64, i64)> = on_read!(&self.db, c => {
            sqlx::query_as("SELECT store, applied_seq, off_until_seq FROM sync_cursors").fetch_all(&mut *c).await?
        });
        let mut cursors = Cursors::default();
        for (store, applied, off_until) in rows {
            if store == HR {
                (cursors.hr_applied, cursors.hr_off_until) = (applied, off_until);
            } else {
                (cursors.scheduling_applied, cursors.scheduling_off_until) = (applied, off_until);
            }
        }
        Ok(cursors)
    }

    /// The tracking rows of `map` for these keys, or for these owners (personnel numbers).
    pub async fn tracking_for(&self, map: &str, selection: &Selection<'_>) -> StoreResult<Vec<TrackingRow>> {
        let (column, keys) = match selection {
            Selection::Keys(keys) => ("entity_key", keys),
            Selection::Owners(owners) => ("owner_key", owners),
        };
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        // Read folded (see [`crate::folded`]): a batch reads thousands of these.
        let backend = self.db.backend();
        let columns: Vec<&str> = TRACKING_COLUMNS.split(", ").map(str::trim).collect();
        let sql = format!(
            "SELECT {} FROM sync_tracking WHERE map_name = $2 AND {column} IN ({})",
            backend.folded(&columns),
            backend.json_strings()
        );
        let keys = keys_json(keys);
        let text: String = on_read!(&self.db, c => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(&*sql)).bind(&keys).bind(map).fetch_one(&mut *c).await?
        });
        crate::folded::rows(&text)
    }

    /// A page of `map`'s tracking rows, by key.
    pub async fn tracking_page(&self, map: &str, page: &Page) -> StoreResult<PageOf<TrackingRow>> {
        let sql = format!(
            "SELECT {TRACKING_COLUMNS} FROM sync_tracking WHERE map_name = $1 AND entity_key > $2 \
             ORDER BY entity_key LIMIT $3"
        );
        let rows = on_read!(&self.db, c => {
            sqlx::query_as::<_, TrackingRow>(sqlx::AssertSqlSafe(&*sql))
                .bind(map)
                .bind(page.after_key())
                .bind(page.fetch())
                .fetch_all(&mut *c)
                .await?
        });
        Ok(PageOf::from_rows(rows, page, |r| r.entity_key.clone()))
    }

    /// Owners (keys, or personnel numbers for worker qualifications) tracked for `map` after
    /// `after`, in byte order.
    pub async fn tracking_owners_after(&self, map: &str, after: &str, limit: i64) -> StoreResult<Vec<String>> {
        let page = "SELECT DISTINCT owner_key AS v FROM sync_tracking WHERE map_name = $3 AND owner_key > $1 \
                    ORDER BY owner_key LIMIT $2";
        crate::folded::values_after(&self.db, page, after, limit, Some(map)).await
    }

    /// How many pairs of `map` are linked.
    pub async fn tracking_count(&self, map: &str) -> StoreResult<i64> {
        Ok(on_read!(&self.db, c => {
            sqlx::query_scalar("SELECT COUNT(*) FROM sync_tracking WHERE map_name = $1").bind(map).fetch_one(&mut *c).await?
        }))
    }

    /// Removes every tracking row of `map`; returns how many. Audited.
    pub async fn clear_tracking(&self, actor: &Actor, map: &str) -> StoreResult<u64> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let removed = on_tx!(&mut tx, c => {
            sqlx::query("DELETE FROM sync_tracking WHERE map_name = $1").bind(map).execute(&mut *c).await?.rows_affected()
        });
        let detail = serde_json::json!({ "removed": removed });
        audit::append(&mut tx, actor, now, "clear-tracking", "integration", map, &detail).await?;
        tx.commit().await?;
        Ok(removed)
    }

    /// Removes every tracking row of the maps with these names (the solution switch).
    pub async fn drop_tracking_of(&self, tx: &mut Tx, maps: &[&str]) -> StoreResult<()> {
        for map in maps {
            on_tx!(tx, c => {
                sqlx::query("DELETE FROM sync_tracking WHERE map_name = $1").bind(*map).execute(&mut *c).await?;
            });
        }
        Ok(())
    }

    /// Records what a batch applied: tracking, conflicts, errors and the cursors, together.
    pub async fn record_batch(&self, batch: &BatchRecord) -> StoreResult<()> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        upsert_tracking(&mut tx, &batch.upsert_tracking).await?;
        delete_pairs(&mut tx, "sync_tracking", &batch.drop_tracking).await?;
        if !batch.succeeded.is_empty() {
            let queued: i64 = on_tx!(&mut tx, c => {
                sqlx::query_scalar("SELECT COUNT(*) FROM sync_errors").fetch_one(&mut *c).await?
            });
            if queued > 0 {
                delete_pairs(&mut tx, "sync_errors", &batch.succeeded).await?;
            }
        }
        super::journal::insert_conflicts(&mut tx, &batch.conflicts).await?;
        super::journal::upsert_failures(&mut tx, &batch.failures, now).await?;
        if let Some((hr, scheduling)) = batch.cursors {
            ensure_cursors(&mut tx).await?;
            for (store, seq) in [(HR, hr), (SCHEDULING, scheduling)] {
                on_tx!(&mut tx, c => {
                    sqlx::query("UPDATE sync_cursors SET applied_seq = $2 WHERE store = $1 AND applied_seq < $2")
                        .bind(store)
                        .bind(seq)
                        .execute(&mut *c)
                        .await?;
                });
            }
        }
        tx.commit().await
    }
}

/// The outbox ranges written while the integration was on and not all applied when it was
/// turned off: though at or below `off_until` once it is on again, their entries remain changes
/// made while on (a delete made while on propagates). Kept in `settings` as JSON.
const ON_RANGES: &str = "integration.on_ranges";

/// Per store, `(after, until)`: the seqs in `after < seq <= until` were written while on.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OnRanges {
    hr: Vec<(i64, i64)>,
    scheduling: Vec<(i64, i64)>,
}

impl OnRanges {
    /// Whether HR outbox entry `seq` was written while the integration was on.
    pub fn hr_on(&self, seq: i64) -> bool {
        self.hr.iter().any(|&(after, until)| after < seq && seq <= until)
    }
    /// Whether scheduling outbox entry `seq` was written while the integration was on.
    pub fn scheduling_on(&self, seq: i64) -> bool {
        self.scheduling.iter().any(|&(after, until)| after < seq && seq <= until)
    }
}

impl HrStore {
    /// See [`OnRanges`].
    pub async fn sync_on_ranges(&self) -> StoreResult<OnRanges> {
        let value = crate::settings::get(&self.db, ON_RANGES).await?;
        on_ranges_of(value)
    }
}

/// The stored on-ranges (none yet: empty). A value that cannot be read is refused, not taken for
/// "never on": that would decide every delete made while on as made while off.
fn on_ranges_of(value: Option<String>) -> StoreResult<OnRanges> {
    match value {
        None => Ok(OnRanges::default()),
        Some(text) => serde_json::from_str(&text).map_err(|e| {
            StoreError::Config(format!("the integration's record of when it was on ({ON_RANGES}) cannot be read: {e}"))
        }),
    }
}

/// At turn-off: records the range each outbox was written in since the last turn-on, when not
/// all applied, and forgets the ranges applied since.
async fn record_on_ranges(tx: &mut Tx, (hr_last, scheduling_last): (i64, i64)) -> StoreResult<()> {
    ensure_cursors(tx).await?;
    let (rows, current): (Vec<(String, i64, i64)>, Option<String>) = on_tx!(tx, c => {
        let rows = sqlx::query_as("SELECT store, applied_seq, off_until_seq FROM sync_cursors")
            .fetch_all(&mut *c)
            .await?;
        let current = sqlx::query_scalar("SELECT value FROM settings WHERE name = $1")
            .bind(ON_RANGES)
            .fetch_optional(&mut *c)
            .await?;
        (rows, current)
    });
    let mut ranges = on_ranges_of(current)?;
    for (store, applied, off_until) in rows {
        let (list, last) =
            if store == HR { (&mut ranges.hr, hr_last) } else { (&mut ranges.scheduling, scheduling_last) };
        list.retain(|&(_, until)| until > applied);
        if last > applied.max(off_until) {
            list.push((off_until, last));
        }
    }
    let value = serde_json::to_string(&ranges).unwrap_or_else(|_| "{}".into());
    on_tx!(tx, c => {
        sqlx::query("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value")
            .bind(ON_RANGES)
            .bind(&value)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

async fn ensure_cursors(tx: &mut Tx) -> StoreResult<()> {
    on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO sync_cursors (store, applied_seq, off_until_seq) VALUES ('hr', 0, 0), ('scheduling', 0, 0) \
             ON CONFLICT (store) DO NOTHING",
        )
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

async fn upsert_tracking(tx: &mut Tx, rows: &[TrackingRow]) -> StoreResult<()> {
    use JsonType::{Bool, Int, Text, Timestamp};
    for chunk in rows.chunks(5000) {
        // Serialised straight from the rows, as tuples (JSON arrays): no `Value` per field.
        let json: Vec<_> = chunk
            .iter()
            .map(|r| {
                (
                    &r.map_name,
                    &r.entity_key,
                    &r.owner_key,
                    &r.hr_entity,
                    r.hr_ref,
                    &r.scheduling_entity,
                    &r.scheduling_ref,
                    r.hr_version,
                    r.scheduling_version,
                    &r.hr_fields,
                    r.deleted_from_scheduling,
                    timestamp_text(r.synced_at),
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO sync_tracking ({TRACKING_COLUMNS}) {} \
             ON CONFLICT (map_name, entity_key) DO UPDATE SET hr_entity = excluded.hr_entity, hr_ref = excluded.hr_ref, \
             scheduling_entity = excluded.scheduling_entity, scheduling_ref = excluded.scheduling_ref, \
             hr_version = excluded.hr_version, scheduling_version = excluded.scheduling_version, \
             hr_fields = excluded.hr_fields, deleted_from_scheduling = excluded.deleted_from_scheduling, \
             synced_at = excluded.synced_at",
            tx.backend().select_json(&[Text, Text, Text, Text, Int, Text, Text, Int, Int, Text, Bool, Timestamp])
        );
        let json = crate::db::rows_json(&json);
        on_tx!(tx, c => {
            sqlx::query(sqlx::AssertSqlSafe(&*sql)).bind(&json).execute(&mut *c).await?;
        });
    }
    Ok(())
}

/// Deletes the rows of `table` whose (map_name, entity_key) is one of `pairs`.
pub(super) async fn delete_pairs(tx: &mut Tx, table: &str, pairs: &[(String, String)]) -> StoreResult<()> {
    use JsonType::Text;
    for chunk in pairs.chunks(5000) {
        let json = serde_json::to_string(&chunk.iter().map(|(m, k)| [m, k]).collect::<Vec<_>>())
            .unwrap_or_else(|_| "[]".into());
        let sql = format!(
            "DELETE FROM {table} WHERE (map_name, entity_key) IN ({})",
            tx.backend().select_json(&[Text, Text])
        );
        on_tx!(tx, c => {
            sqlx::query(sqlx::AssertSqlSafe(&*sql)).bind(&json).execute(&mut *c).await?;
        });
    }
    Ok(())
}

const RELAY_LEASE: &str = "integration.relay_lease";

impl HrStore {
    /// Takes or renews the relay lease for `owner` until `now + seconds`: true when this owner
    /// holds it now. One relay applies at a time across every process on the databases; a
    /// process that dies lets its lease lapse.
    pub async fn take_relay_lease(&self, owner: &str, seconds: i64) -> StoreResult<bool> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let sql = format!("SELECT value FROM settings WHERE name = $1{}", tx.for_update());
        let current: Option<String> = on_tx!(&mut tx, c => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(&*sql)).bind(RELAY_LEASE).fetch_optional(&mut *c).await?
        });
        let free = match current.as_deref().and_then(|v| v.split_once('|')) {
            None => true,
            Some((holder, until)) => {
                holder == owner || DateTime::parse_from_rfc3339(until).map_or(true, |u| u.with_timezone(&Utc) <= now)
            }
        };
        if free {
            let value = format!("{owner}|{}", timestamp_text(now + chrono::Duration::seconds(seconds)));
            on_tx!(&mut tx, c => {
                sqlx::query(
                    "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                )
                .bind(RELAY_LEASE)
                .bind(&value)
                .execute(&mut *c)
                .await?;
            });
        }
        tx.commit().await?;
        Ok(free)
    }

    /// Gives the relay lease up, if `owner` holds it.
    pub async fn release_relay_lease(&self, owner: &str) -> StoreResult<()> {
        let mut tx = self.db.begin().await?;
        on_tx!(&mut tx, c => {
            sqlx::query("DELETE FROM settings WHERE name = $1 AND value LIKE $2")
                .bind(RELAY_LEASE)
                .bind(format!("{owner}|%"))
                .execute(&mut *c)
                .await?;
        });
        tx.commit().await
    }
}

impl crate::scheduling::SchedulingStore {
    /// The personnel numbers of these resources (those that have one).
    pub async fn worker_numbers_of(&self, ids: &[String]) -> StoreResult<Vec<(String, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let uuids: Vec<uuid::Uuid> = ids.iter().filter_map(|i| uuid::Uuid::parse_str(i).ok()).collect();
        let rows: Vec<[String; 1]> = uuids.iter().map(|u| [u.to_string()]).collect();
        let json = serde_json::to_string(&rows).unwrap_or_default();
        let backend = self.db.backend();
        let sql = format!(
            "SELECT id, hr_worker_number FROM bookable_resources WHERE hr_worker_number IS NOT NULL AND id IN \
             (SELECT {} FROM {})",
            backend.json_field(0, JsonType::Uuid),
            backend.json_rows()
        );
        let rows: Vec<(uuid::Uuid, String)> =
            on_read!(&self.db, c => sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(&json).fetch_all(&mut *c).await?);
        Ok(rows.into_iter().map(|(id, n)| (id.to_string(), n)).collect())
    }
}
