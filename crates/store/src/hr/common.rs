//! Helpers shared by the entity modules.

use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult};
use crate::outbox::{self, Change};
use crate::page::Page;
use crate::{audit, Actor};
use crate::{on_read, on_tx};
use chrono::{DateTime, Utc};
use hrbridge_domain::outbox::Operation;
use serde::Serialize;

/// The rec_id of the row of `table` whose `column` equals `key`, in the transaction.
/// `table` and `column` are always constants of this crate.
pub(crate) async fn id_of(tx: &mut Tx, table: &str, column: &str, key: &str) -> StoreResult<Option<i64>> {
    let sql = format!("SELECT rec_id FROM {table} WHERE {column} = $1");
    Ok(on_tx!(tx, c => {
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(&*sql)).bind(key).fetch_optional(&mut *c).await?
    }))
}

/// The rec_id of the row of `table` whose `column` equals `key`, locked for the rest of the
/// transaction, refused as `Stale` unless it is at version `expected` (when one is given), and
/// not found (as `entity`) when there is no such row. `table` and `column` are constants.
pub(crate) async fn locked_at(
    tx: &mut Tx,
    (table, column, entity): (&str, &str, &'static str),
    key: &str,
    expected: Option<i64>,
) -> StoreResult<i64> {
    let sql = format!("SELECT rec_id, version FROM {table} WHERE {column} = $1{}", tx.for_update());
    let row: Option<(i64, i64)> = on_tx!(tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(key).fetch_optional(&mut *c).await?
    });
    let (rec_id, version) = row.ok_or_else(|| StoreError::not_found(entity, key))?;
    StoreError::unless_at(entity, key, expected, Some(version))?;
    Ok(rec_id)
}

/// A row type both backends can decode.
pub(crate) trait BothBackends:
    Send + Unpin + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
{
}

impl<T> BothBackends for T where
    T: Send
        + Unpin
        + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
{
}

/// The row of `select` whose `key_column` equals `key`. `select` and `key_column` are constants.
pub(crate) async fn find_by_key<T: BothBackends>(
    db: &Db,
    select: &str,
    key_column: &str,
    key: &str,
) -> StoreResult<Option<T>> {
    let sql = format!("{select} WHERE {key_column} = $1");
    Ok(on_read!(db, c => {
        sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(&*sql)).bind(key).fetch_optional(&mut *c).await?
    }))
}

/// A page of `select` in order of `key_column`, after `page.after`, with the one extra row
/// [`crate::PageOf::from_rows`] looks for.
pub(crate) async fn page_by_key<T: BothBackends>(
    db: &Db,
    select: &str,
    key_column: &str,
    page: &Page,
) -> StoreResult<Vec<T>> {
    let sql = format!("{select} WHERE {key_column} > $1 ORDER BY {key_column} LIMIT $2");
    Ok(on_read!(db, c => {
        sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(&*sql)).bind(page.after_key()).bind(page.fetch()).fetch_all(&mut *c).await?
    }))
}

/// Deletes row `rec_id` of `table`; returns the version its delete carries (the last one + 1).
pub(crate) async fn delete_row(tx: &mut Tx, table: &str, rec_id: i64) -> StoreResult<i64> {
    let sql = format!("DELETE FROM {table} WHERE rec_id = $1 RETURNING version");
    let version: i64 = on_tx!(tx, c => {
        sqlx::query_scalar(sqlx::AssertSqlSafe(&*sql)).bind(rec_id).fetch_one(&mut *c).await?
    });
    Ok(version + 1)
}

/// How many rows of `table` have `column` = `id`: to refuse deleting what is still in use.
pub(crate) async fn count_where(tx: &mut Tx, table: &str, column: &str, id: i64) -> StoreResult<i64> {
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE {column} = $1");
    Ok(on_tx!(tx, c => {
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(&*sql)).bind(id).fetch_one(&mut *c).await?
    }))
}

/// Maps a unique-constraint failure to a conflict on `field`.
pub(crate) fn unique_to_conflict<T>(
    result: StoreResult<T>,
    field: &str,
    message: impl FnOnce() -> String,
) -> StoreResult<T> {
    match result {
        Err(e) if e.is_unique_violation() => Err(StoreError::conflict(Some(field), message())),
        other => other,
    }
}

/// Appends the outbox entry and the audit entry of one write.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record_write<T: Serialize>(
    tx: &mut Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    entity: &'static str,
    rec_id: i64,
    key: &str,
    operation: Operation,
    version: i64,
    after: &T,
) -> StoreResult<()> {
    let change = Change {
        entity,
        rec_id,
        entity_key: key.to_string(),
        operation,
        version,
        modified_at: now,
        origin: actor.origin,
    };
    outbox::append(tx, std::slice::from_ref(&change)).await?;
    let action = match operation {
        Operation::Insert => "create",
        Operation::Update => "update",
        Operation::Delete => "delete",
    };
    let detail = serde_json::to_value(after).unwrap_or(serde_json::Value::Null);
    audit::append(tx, actor, now, action, entity, key, &detail).await
}

/// Refuses a delete when `count` rows still use the record.
pub(crate) fn refuse_if_used(count: i64, what: &str, used_by: &str) -> StoreResult<()> {
    if count > 0 {
        let plural = if count == 1 { "" } else { "s" };
        return Err(StoreError::conflict(None, format!("{what} is still used by {count} {used_by}{plural}")));
    }
    Ok(())
}

/// Filters for listing workers.
#[derive(Debug, Clone, Default)]
pub struct WorkerFilter {
    /// Matches personnel number, first or last name, or email (case-insensitive, substring).
    pub q: Option<String>,
}
