//! The two backends behind one type. SQL is written once with `$N` placeholders (both SQLite and
//! PostgreSQL accept them) and run through [`on_tx!`] or [`on_read!`], which expand the same code
//! for each backend's connection type: one statement text, two compiled paths, no `Any` driver.

use crate::error::StoreError;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreKind {
    Hr,
    Scheduling,
}

impl StoreKind {
    fn file_name(self) -> &'static str {
        match self {
            StoreKind::Hr => "hr.sqlite3",
            StoreKind::Scheduling => "scheduling.sqlite3",
        }
    }
}

#[derive(Clone, Debug)]
pub enum Db {
    /// One writer connection (`BEGIN IMMEDIATE`) and a few readers, on a WAL file.
    Sqlite {
        writer: SqlitePool,
        readers: SqlitePool,
    },
    Postgres(PgPool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A write transaction on either backend.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` with `$c` bound to the transaction's connection, on whichever backend it is.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(tx) => {
                let $c: &mut sqlx::SqliteConnection = &mut *tx;
                $body
            }
            $crate::db::Tx::Postgres(tx) => {
                let $c: &mut sqlx::PgConnection = &mut *tx;
                $body
            }
        }
    };
}

/// Runs `$body` with `$c` bound to a reading connection of `$db`.
#[macro_export]
macro_rules! on_read {
    ($db:expr, $c:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite { readers, .. } => {
                let mut conn = readers.acquire().await?;
                let $c: &mut sqlx::SqliteConnection = &mut *conn;
                $body
            }
            $crate::db::Db::Postgres(pool) => {
                let mut conn = pool.acquire().await?;
                let $c: &mut sqlx::PgConnection = &mut *conn;
                $body
            }
        }
    };
}

impl Db {
    /// Opens (creating if needed) the store's SQLite file under `data_dir` and migrates it.
    pub async fn open_sqlite(data_dir: &Path, kind: StoreKind) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| StoreError::Config(format!("cannot create data dir {}: {e}", data_dir.display())))?;
        let options = SqliteConnectOptions::new()
            .filename(data_dir.join(kind.file_name()))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            .pragma("cache_size", "-65536")
            .pragma("temp_store", "memory");
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(60))
            // A write dropped while `BEGIN IMMEDIATE` was completing (a cancelled request, a
            // relay pass cut off) can leave the connection in a transaction nothing owns, which
            // would refuse every later `begin` and hold the write lock: never hand that one out
            // again (closing it rolls the transaction back).
            .before_acquire(|conn, _| Box::pin(async move { Ok(!conn.is_in_transaction()) }))
            .connect_with(options.clone())
            .await?;
        // Readers look rows up by index: a smaller page cache each keeps the process's memory
        // bounded at millions of rows (the writer's 64 MiB, plus 16 MiB a reader, per store).
        let readers = SqlitePoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(options.read_only(true).pragma("cache_size", "-16384"))
            .await?;
        let db = Db::Sqlite { writer, readers };
        db.migrate(kind).await?;
        Ok(db)
    }

    /// Connects to a PostgreSQL database and migrates it.
    pub async fn open_postgres(url: &str, kind: StoreKind) -> Result<Self, StoreError> {
        let options =
            PgConnectOptions::from_str(url).map_err(|e| StoreError::Config(format!("bad PostgreSQL URL: {e}")))?;
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        let db = Db::Postgres(pool);
        db.migrate(kind).await?;
        Ok(db)
    }

    async fn migrate(&self, kind: StoreKind) -> Result<(), StoreError> {
        match (self, kind) {
            (Db::Sqlite { writer, .. }, StoreKind::Hr) => sqlx::migrate!("migrations/hr/sqlite").run(writer).await?,
            (Db::Sqlite { writer, .. }, StoreKind::Scheduling) => {
                sqlx::migrate!("migrations/scheduling/sqlite").run(writer).await?
            }
            (Db::Postgres(pool), StoreKind::Hr) => sqlx::migrate!("migrations/hr/postgres").run(pool).await?,
            (Db::Postgres(pool), StoreKind::Scheduling) => {
                sqlx::migrate!("migrations/scheduling/postgres").run(pool).await?
            }
        }
        Ok(())
    }

    /// Whether the database answers (`SELECT 1`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        crate::on_read!(self, c => {
            sqlx::query("SELECT 1").execute(&mut *c).await?;
        });
        Ok(())
    }

    /// The last outbox `seq` (0 when empty): an index lookup, cheap at any size.
    pub async fn outbox_last_seq(&self) -> Result<i64, StoreError> {
        Ok(crate::on_read!(self, c => {
            sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(seq), 0) FROM outbox").fetch_one(&mut *c).await?
        }))
    }

    /// Whether an entry after `after` was not written by the sync engine (origin `sync`): the
    /// relay's "anything to do?". Scans only the engine's own entries since `after`.
    pub async fn outbox_has_foreign_after(&self, after: i64) -> Result<bool, StoreError> {
        Ok(crate::on_read!(self, c => {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM (SELECT 1 FROM outbox WHERE seq > $1 AND origin <> 'sync' LIMIT 1) AS f")
                .bind(after)
                .fetch_one(&mut *c)
                .await? > 0
        }))
    }

    /// Outbox entries after `after` not written by the sync engine (origin `sync`), and when the
    /// oldest was made: the integration's backlog on this store.
    pub async fn outbox_backlog(&self, after: i64) -> Result<(i64, Option<chrono::DateTime<chrono::Utc>>), StoreError> {
        Ok(crate::on_read!(self, c => {
            sqlx::query_as("SELECT COUNT(*), MIN(modified_at) FROM outbox WHERE seq > $1 AND origin <> 'sync'")
                .bind(after)
                .fetch_one(&mut *c)
                .await?
        }))
    }

    /// The highest outbox seq below which every transaction has finished. On SQLite (one
    /// writer) that is the highest seq. On PostgreSQL identity values are taken before commit,
    /// so seq 10 can become visible after seq 11: a short `LOCK TABLE outbox IN SHARE MODE`
    /// waits for the transactions writing the outbox to finish, after which no seq at or below
    /// the maximum can appear any more.
    pub async fn settled_outbox_seq(&self) -> Result<i64, StoreError> {
        match self {
            Db::Sqlite { .. } => self.outbox_last_seq().await,
            Db::Postgres(_) => {
                let mut tx = self.begin().await?;
                let max: i64 = crate::on_tx!(&mut tx, c => {
                    sqlx::query("LOCK TABLE outbox IN SHARE MODE").execute(&mut *c).await?;
                    sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM outbox").fetch_one(&mut *c).await?
                });
                tx.commit().await?;
                Ok(max)
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite { .. } => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Starts a write transaction: `BEGIN IMMEDIATE` on SQLite, so a writer never has to upgrade
    /// a read lock (which could fail with SQLITE_BUSY); `BEGIN` on PostgreSQL.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite { writer, .. } => Tx::Sqlite(writer.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite { writer, readers } => {
                readers.close().await;
                writer.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    /// The suffix that locks the rows a `SELECT` reads for the rest of the transaction:
    /// `FOR UPDATE` on PostgreSQL; nothing on SQLite, whose `BEGIN IMMEDIATE` already admits
    /// one writer at a time.
    pub fn for_update(&self) -> &'static str {
        match self.backend() {
            Backend::Postgres => " FOR UPDATE",
            Backend::Sqlite => "",
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// Builds `($1, $2), ($3, $4)…`: placeholders for a multi-row insert of `rows` rows of `columns`.
pub fn value_rows(rows: usize, columns: usize) -> String {
    let mut sql = String::with_capacity(rows * columns * 5);
    let mut n = 1;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for col in 0..columns {
            if col > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&n.to_string());
            n += 1;
        }
        sql.push(')');
    }
    sql
}

/// Builds `$1, $2, …, $n` for an `IN (…)` list.
pub fn placeholders(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// Redacts the password of a database URL for logs: `postgres://u:***@host/db`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_for_multi_row_inserts() {
        assert_eq!(value_rows(2, 2), "($1, $2), ($3, $4)");
        assert_eq!(placeholders(3), "$1, $2, $3");
    }

    #[test]
    fn urls_are_redacted() {
        assert_eq!(redact_url("postgres://hr:s3cret@db:5432/hr"), "postgres://hr:***@db:5432/hr");
        assert_eq!(redact_url("postgres://postgres@127.0.0.1/x"), "postgres://postgres@127.0.0.1/x");
    }
}

/// How many bound values one multi-row statement carries at most. sqlx's SQLite driver slows
/// down more than linearly with the number of values bound to one statement, so bulk paths pass
/// rows as one JSON array instead (see [`Backend::json_rows`]).
pub const PARAMS_PER_STATEMENT: usize = 400;

/// The SQL type of a field read out of a JSON row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    Int,
    Text,
    Date,
    Timestamp,
    Bool,
    /// A UUID in its hyphenated text form: a 16-byte blob on SQLite (as sqlx stores them), `uuid`
    /// on PostgreSQL.
    Uuid,
}

impl Backend {
    /// A row source for `FROM`: one row per element of the JSON array bound as `$1`, each element
    /// in a column named `value`. Bulk writes bind a whole batch as one value this way.
    pub fn json_rows(self) -> &'static str {
        match self {
            Backend::Sqlite => "jsonb_each($1)",
            Backend::Postgres => "jsonb_array_elements($1::jsonb) AS rows(value)",
        }
    }

    /// The scalar values of the JSON array of strings bound as `$1`, as a subquery.
    pub fn json_strings(self) -> &'static str {
        match self {
            Backend::Sqlite => "SELECT value FROM jsonb_each($1)",
            Backend::Postgres => "SELECT jsonb_array_elements_text($1::jsonb)",
        }
    }

    /// The UUIDs in the JSON array of hyphenated strings bound as `$1`, as a subquery: blobs on
    /// SQLite (as sqlx stores them), `uuid` on PostgreSQL.
    pub fn json_uuids(self) -> &'static str {
        match self {
            Backend::Sqlite => "SELECT unhex(value, '-') FROM jsonb_each($1)",
            Backend::Postgres => "SELECT (jsonb_array_elements_text($1::jsonb))::uuid",
        }
    }

    /// Element `index` of the JSON array in `value`, as SQL of type `ty`.
    pub fn json_field(self, index: usize, ty: JsonType) -> String {
        match (self, ty) {
            (Backend::Sqlite, JsonType::Uuid) => format!("unhex(value ->> {index}, '-')"),
            (Backend::Sqlite, _) => format!("value ->> {index}"),
            (Backend::Postgres, JsonType::Bool) => format!("(value ->> {index})::boolean"),
            (Backend::Postgres, JsonType::Uuid) => format!("(value ->> {index})::uuid"),
            (Backend::Postgres, JsonType::Int) => format!("(value ->> {index})::bigint"),
            (Backend::Postgres, JsonType::Text) => format!("value ->> {index}"),
            (Backend::Postgres, JsonType::Date) => format!("(value ->> {index})::date"),
            (Backend::Postgres, JsonType::Timestamp) => format!("(value ->> {index})::timestamptz"),
        }
    }

    /// `SELECT <fields> FROM <json rows>`, for `INSERT … SELECT`: one field per column type.
    /// The trailing `WHERE true` lets SQLite parse an `ON CONFLICT` clause after it.
    pub fn select_json(self, types: &[JsonType]) -> String {
        let fields: Vec<String> = types.iter().enumerate().map(|(i, ty)| self.json_field(i, *ty)).collect();
        format!("SELECT {} FROM {} WHERE true", fields.join(", "), self.json_rows())
    }
}

/// Rows bound as one JSON array (see [`Backend::select_json`]), serialised straight from tuples
/// of strings, numbers and booleans: no `serde_json::Value` per field, which cost a bulk write
/// more than the text itself. Such rows always serialise.
pub fn rows_json<T: serde::Serialize + ?Sized>(rows: &T) -> String {
    serde_json::to_string(rows).expect("rows of strings, numbers and booleans serialise")
}

/// A timestamp in the text form both backends read back (SQLite stores this text as is).
pub fn timestamp_text(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}
