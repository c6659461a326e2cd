//! Helpers shared by the scheduling entity modules. Ids are UUIDs: bound as `uuid::Uuid`, which
//! SQLite stores as 16-byte blobs and PostgreSQL as `uuid`; both order them byte by byte.

use super::outbox::{self, Change};
use crate::db::Tx;
use crate::error::{StoreError, StoreResult};
use crate::hr::common::BothBackends;
use crate::page::Page;
use crate::{on_read, on_tx, Actor, Db};
use chrono::{DateTime, Utc};
use hrbridge_domain::outbox::Operation;
use uuid::Uuid;

/// Parses a record id from a path; anything that is not a UUID names no record (404).
pub(crate) fn parse_id(entity: &'static str, raw: &str) -> StoreResult<Uuid> {
    Uuid::parse_str(raw.trim()).map_err(|_| StoreError::not_found(entity, raw))
}

/// The id of the row of `table` whose `column` equals `key`, in the transaction.
/// `table` and `column` are always constants of this crate.
pub(crate) async fn id_by(tx: &mut Tx, table: &str, column: &str, key: &str) -> StoreResult<Option<Uuid>> {
    let sql = format!("SELECT id FROM {table} WHERE {column} = $1");
    Ok(on_tx!(tx, c => {
        sqlx::query_scalar::<_, Uuid>(sqlx::AssertSqlSafe(&*sql)).bind(key).fetch_optional(&mut *c).await?
    }))
}

/// Refuses (`Stale`) a write based on version `expected` of row `id` of `table` (called `key`
/// in errors) when the row is at another version or gone, and locks it for the rest of the
/// transaction. Nothing to check without an expected version. `table` is a constant.
pub(crate) async fn check_version(
    tx: &mut Tx,
    (table, entity): (&str, &'static str),
    id: Uuid,
    key: &str,
    expected: Option<i64>,
) -> StoreResult<()> {
    if expected.is_none() {
        return Ok(());
    }
    let sql = format!("SELECT version FROM {table} WHERE id = $1{}", tx.for_update());
    let current: Option<i64> = on_tx!(tx, c => {
        sqlx::query_scalar(sqlx::AssertSqlSafe(&*sql)).bind(id).fetch_optional(&mut *c).await?
    });
    match current {
        None => Err(StoreError::not_found(entity, key)),
        current => StoreError::unless_at(entity, key, expected, current),
    }
}

/// [`check_version`] for a row found by its name (`column` = `name`).
pub(crate) async fn check_version_by_name(
    tx: &mut Tx,
    (table, column, entity): (&str, &str, &'static str),
    name: &str,
    expected: Option<i64>,
) -> StoreResult<()> {
    if expected.is_none() {
        return Ok(());
    }
    let id = id_by(tx, table, column, name).await?.ok_or_else(|| StoreError::not_found(entity, name))?;
    check_version(tx, (table, entity), id, name, expected).await
}

/// Whether row `id` of `table` exists, in the transaction.
pub(crate) async fn exists(tx: &mut Tx, table: &str, id: Uuid) -> StoreResult<bool> {
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE id = $1");
    let n: i64 = on_tx!(tx, c => {
        sqlx::query_scalar(sqlx::AssertSqlSafe(&*sql)).bind(id).fetch_one(&mut *c).await?
    });
    Ok(n > 0)
}

/// How many rows of `table` have `column` = `id`: to refuse deleting what is still in use.
pub(crate) async fn count_where(tx: &mut Tx, table: &str, column: &str, id: Uuid) -> StoreResult<i64> {
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE {column} = $1");
    Ok(on_tx!(tx, c => {
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(&*sql)).bind(id).fetch_one(&mut *c).await?
    }))
}

/// Deletes row `id` of `table`; returns the version its delete carries (the last one + 1).
pub(crate) async fn delete_row(tx: &mut Tx, table: &str, id: Uuid) -> StoreResult<i64> {
    let sql = format!("DELETE FROM {table} WHERE id = $1 RETURNING version");
    let version: i64 = on_tx!(tx, c => {
        sqlx::query_scalar(sqlx::AssertSqlSafe(&*sql)).bind(id).fetch_one(&mut *c).await?
    });
    Ok(version + 1)
}

/// The row of `select` whose `id_column` equals `id`. `select` and `id_column` are constants.
pub(crate) async fn find_by_id<T: BothBackends>(
    db: &Db,
    select: &str,
    id_column: &str,
    id: Uuid,
) -> StoreResult<Option<T>> {
    let sql = format!("{select} WHERE {id_column} = $1");
    Ok(on_read!(db, c => {
        sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(&*sql)).bind(id).fetch_optional(&mut *c).await?
    }))
}

/// A page of `select` in order of `id_column` (UUID v7: creation order), after the id in
/// `page.after`, with the one extra row [`crate::PageOf::from_rows`] looks for.
pub(crate) async fn page_by_id<T: BothBackends>(
    db: &Db,
    select: &str,
    id_column: &str,
    page: &Page,
) -> StoreResult<Vec<T>> {
    let after = match &page.after {
        None => Uuid::nil(),
        Some(raw) => {
            Uuid::parse_str(raw).map_err(|_| StoreError::invalid("after", "is not a cursor this server gave out"))?
        }
    };
    let sql = format!("{select} WHERE {id_column} > $1 ORDER BY {id_column} LIMIT $2");
    Ok(on_read!(db, c => {
        sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(&*sql)).bind(after).bind(page.fetch()).fetch_all(&mut *c).await?
    }))
}

/// Appends the outbox entry of one write. The scheduling store keeps no audit log of its own:
/// the outbox (entity, id, key, operation, version, time, origin) is its record of changes.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record_change(
    tx: &mut Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    entity: &'static str,
    record_id: Uuid,
    key: &str,
    operation: Operation,
    version: i64,
) -> StoreResult<()> {
    let change = Change {
        entity,
        record_id,
        entity_key: key.to_string(),
        operation,
        version,
        modified_at: now,
        origin: actor.origin,
    };
    outbox::append(tx, std::slice::from_ref(&change)).await
}

/// A change of a dependent record (a rating value, a resource characteristic) for a batch append.
pub(crate) fn change(
    actor: &Actor,
    now: DateTime<Utc>,
    entity: &'static str,
    record_id: Uuid,
    key: String,
    operation: Operation,
    version: i64,
) -> Change {
    Change { entity, record_id, entity_key: key, operation, version, modified_at: now, origin: actor.origin }
}
