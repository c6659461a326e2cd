//! The outbox: one row per change, appended in the transaction of the change. The sync engine
//! reads it in order of `seq`.

use crate::db::{timestamp_text, JsonType, Tx};
use crate::error::StoreResult;
use crate::on_tx;
use chrono::{DateTime, Utc};
use hrbridge_domain::outbox::{Operation, Origin};

/// Entity names used in the HR outbox.
pub mod entity {
    pub const WORKER: &str = "worker";
    pub const WORKER_SKILL: &str = "worker-skill";
    pub const WORKER_CERTIFICATE: &str = "worker-certificate";
    pub const SKILL_TYPE: &str = "skill-type";
    pub const SKILL: &str = "skill";
    pub const RATING_MODEL: &str = "rating-model";
    pub const RATING_LEVEL: &str = "rating-level";
    pub const CERTIFICATE_TYPE: &str = "certificate-type";
    pub const JOB: &str = "job";
    pub const POSITION: &str = "position";
    pub const CANDIDATE: &str = "candidate";
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub entity: &'static str,
    pub rec_id: i64,
    /// The integration key: a code, a personnel number, or `personnel_number/code`.
    pub entity_key: String,
    pub operation: Operation,
    pub version: i64,
    pub modified_at: DateTime<Utc>,
    pub origin: Origin,
}

/// A stored outbox entry.
/// Deserialised from a folded read, its fields in column order (see [`crate::folded`]).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Deserialize)]
pub struct OutboxEntry {
    pub seq: i64,
    pub entity: String,
    pub rec_id: i64,
    pub entity_key: String,
    pub operation: String,
    pub version: i64,
    #[serde(deserialize_with = "crate::folded::stamp")]
    pub modified_at: DateTime<Utc>,
    pub origin: String,
}

/// Appends changes to the HR outbox, in the caller's transaction: one statement for the lot.
pub async fn append(tx: &mut Tx, changes: &[Change]) -> StoreResult<()> {
    let rows = changes.iter().map(|c| OutboxRow {
        entity: c.entity,
        record: RecordRef::RecId(c.rec_id),
        key: &c.entity_key,
        operation: c.operation,
        version: c.version,
        at: c.modified_at,
        origin: c.origin,
    });
    append_rows(tx, ("rec_id", JsonType::Int), rows).await
}

/// An outbox row's record id, as its JSON row carries it.
#[derive(Debug, Clone, Copy, serde::Serialize)]
#[serde(untagged)]
pub(crate) enum RecordRef {
    /// An HR record's `rec_id`.
    RecId(i64),
    /// A scheduling record's id.
    Uuid(uuid::Uuid),
}

/// One outbox row, whichever store's: the record id is a `rec_id` (HR) or a UUID (scheduling).
pub(crate) struct OutboxRow<'a> {
    pub entity: &'static str,
    pub record: RecordRef,
    pub key: &'a str,
    pub operation: Operation,
    pub version: i64,
    pub at: DateTime<Utc>,
    pub origin: Origin,
}

/// Appends rows to the transaction's store's outbox in one statement; `record` names the record
/// id's column and type.
pub(crate) async fn append_rows<'a>(
    tx: &mut Tx,
    record: (&str, JsonType),
    rows: impl Iterator<Item = OutboxRow<'a>>,
) -> StoreResult<()> {
    use JsonType::{Int, Text, Timestamp};
    let rows: Vec<_> = rows
        .map(|r| (r.entity, r.record, r.key, r.operation.as_str(), r.version, timestamp_text(r.at), r.origin.as_str()))
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    let (column, kind) = record;
    let sql = format!(
        "INSERT INTO outbox (entity, {column}, entity_key, operation, version, modified_at, origin) {}",
        tx.backend().select_json(&[Text, kind, Text, Text, Int, Timestamp, Text])
    );
    let rows = crate::db::rows_json(&rows);
    on_tx!(tx, c => {
        sqlx::query(sqlx::AssertSqlSafe(&*sql)).bind(&rows).execute(&mut *c).await?;
    });
    Ok(())
}

impl crate::HrStore {
    /// Outbox entries after `after_seq`, oldest first.
    pub async fn outbox_after(&self, after_seq: i64, limit: i64) -> StoreResult<Vec<OutboxEntry>> {
        entries(&self.db, "rec_id", Origins::All, (after_seq, i64::MAX, limit)).await
    }

    /// Outbox entries in `after_seq < seq <= upto` that the sync engine did not write (origin
    /// `sync`), oldest first: what the relay has to apply, without reading back its own writes.
    pub async fn outbox_foreign_after(&self, after_seq: i64, upto: i64, limit: i64) -> StoreResult<Vec<OutboxEntry>> {
        entries(&self.db, "rec_id", Origins::Foreign, (after_seq, upto, limit)).await
    }
}

/// Which entries an outbox read returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origins {
    All,
    /// All but the sync engine's own (origin `sync`).
    Foreign,
}

/// Either store's outbox entries in `after < seq <= upto` of `origins`, at most `limit`, in
/// order of seq; read folded (see [`crate::folded`]), as the relay and the finder read
/// thousands at a time. `record` names the record id's column.
pub(crate) async fn entries<E: serde::de::DeserializeOwned + HasSeq>(
    db: &crate::db::Db,
    record: &str,
    origins: Origins,
    (after, upto, limit): (i64, i64, i64),
) -> StoreResult<Vec<E>> {
    let columns = ["seq", "entity", record, "entity_key", "operation", "version", "modified_at", "origin"];
    let foreign = match origins {
        Origins::All => "",
        Origins::Foreign => " AND origin <> 'sync'",
    };
    let sql = format!(
        "SELECT {} FROM (SELECT * FROM outbox WHERE seq > $1 AND seq <= $2{foreign} \
         ORDER BY seq LIMIT $3) AS o",
        db.backend().folded(&columns)
    );
    let text: String = crate::on_read!(db, c => {
        sqlx::query_scalar(sqlx::AssertSqlSafe(&*sql)).bind(after).bind(upto).bind(limit).fetch_one(&mut *c).await?
    });
    let mut entries: Vec<E> = crate::folded::rows(&text)?;
    entries.sort_by_key(HasSeq::seq);
    Ok(entries)
}

/// An outbox entry of either store, by its seq.
pub(crate) trait HasSeq {
    fn seq(&self) -> i64;
}

impl HasSeq for OutboxEntry {
    fn seq(&self) -> i64 {
        self.seq
    }
}

impl HasSeq for crate::scheduling::outbox::OutboxEntry {
    fn seq(&self) -> i64 {
        self.seq
    }
}
