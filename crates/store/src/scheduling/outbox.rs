//! The scheduling store's outbox: one row per change, appended in the transaction of the change.

use crate::db::{JsonType, Tx};
use crate::error::StoreResult;
use crate::outbox::{append_rows, entries, Origins, OutboxRow};
use chrono::{DateTime, Utc};
use hrbridge_domain::outbox::{Operation, Origin};
use uuid::Uuid;

/// Entity names used in the scheduling outbox.
pub mod entity {
    pub const RATING_MODEL: &str = "rating-model";
    pub const RATING_VALUE: &str = "rating-value";
    pub const CHARACTERISTIC: &str = "characteristic";
    pub const BOOKABLE_RESOURCE: &str = "bookable-resource";
    pub const RESOURCE_CHARACTERISTIC: &str = "resource-characteristic";
    pub const RESOURCE_REQUIREMENT: &str = "resource-requirement";
    pub const BOOKING: &str = "booking";
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub entity: &'static str,
    pub record_id: Uuid,
    /// The integration key when the record has one (a name, `hr_worker_number`,
    /// `resource_id/characteristic`), else the id.
    pub entity_key: String,
    pub operation: Operation,
    pub version: i64,
    pub modified_at: DateTime<Utc>,
    pub origin: Origin,
}

/// A stored scheduling outbox entry.
/// Deserialised from a folded read, its fields in column order (see [`crate::folded`]).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Deserialize)]
pub struct OutboxEntry {
    pub seq: i64,
    pub entity: String,
    pub record_id: String,
    pub entity_key: String,
    pub operation: String,
    pub version: i64,
    #[serde(deserialize_with = "crate::folded::stamp")]
    pub modified_at: DateTime<Utc>,
    pub origin: String,
}

/// Appends changes to the scheduling outbox, in the caller's transaction: one statement.
pub async fn append(tx: &mut Tx, changes: &[Change]) -> StoreResult<()> {
    let rows = changes.iter().map(|c| OutboxRow {
        entity: c.entity,
        record: crate::outbox::RecordRef::Uuid(c.record_id),
        key: &c.entity_key,
        operation: c.operation,
        version: c.version,
        at: c.modified_at,
        origin: c.origin,
    });
    append_rows(tx, ("record_id", JsonType::Text), rows).await
}

impl super::SchedulingStore {
    /// The outbox entries with these seqs (those that exist).
    pub async fn outbox_entries(&self, seqs: &[i64]) -> StoreResult<Vec<OutboxEntry>> {
        let mut found = Vec::new();
        for chunk in seqs.chunks(500) {
            let sql = format!(
                "SELECT seq, entity, record_id, entity_key, operation, version, modified_at, origin \
                 FROM outbox WHERE seq IN ({}) ORDER BY seq",
                crate::db::placeholders(chunk.len())
            );
            let rows: Vec<OutboxEntry> = crate::on_read!(&self.db, c => {
                let mut q = sqlx::query_as::<_, OutboxEntry>(sqlx::AssertSqlSafe(&*sql));
                for seq in chunk {
                    q = q.bind(seq);
                }
                q.fetch_all(&mut *c).await?
            });
            found.extend(rows);
        }
        Ok(found)
    }

    /// Outbox entries after `after_seq`, oldest first.
    pub async fn outbox_after(&self, after_seq: i64, limit: i64) -> StoreResult<Vec<OutboxEntry>> {
        entries(&self.db, "record_id", Origins::All, (after_seq, i64::MAX, limit)).await
    }

    /// Outbox entries in `after_seq < seq <= upto` that the sync engine did not write (origin
    /// `sync`), oldest first: what the relay has to apply, without reading back its own writes.
    pub async fn outbox_foreign_after(&self, after_seq: i64, upto: i64, limit: i64) -> StoreResult<Vec<OutboxEntry>> {
        entries(&self.db, "record_id", Origins::Foreign, (after_seq, upto, limit)).await
    }
}
