//! Many rows read as one. A query folds its rows into one JSON array of arrays, which crosses
//! the driver as a single value and is parsed here.
//!
//! sqlx's SQLite driver hands every row from its worker thread to the async side on its own,
//! which costs several times what reading the row does: 1,000 rows of ten columns, looked up by
//! a JSON array of keys, took about 7 ms row by row and 1.5 ms folded on the 2-core machine the
//! benchmarks run on. The sync engine's hot reads (outbox batches, records of both sides,
//! tracking rows, what resources hold) go through this.

use crate::db::Backend;
use crate::error::{StoreError, StoreResult};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::de::{DeserializeOwned, Deserializer, Error as _};
use serde::Deserialize;

impl Backend {
    /// A select list of one column: every row of the query, each the array of `columns` (SQL
    /// expressions), in one JSON array (`[]` for no rows). A UUID column goes through
    /// [`Backend::uuid_text`]; order the rows in Rust, as aggregates keep no order.
    pub fn folded(self, columns: &[&str]) -> String {
        match self {
            Backend::Sqlite => format!("json_group_array(json_array({}))", columns.join(", ")),
            Backend::Postgres => format!("COALESCE(json_agg(json_build_array({})), '[]')::text", columns.join(", ")),
        }
    }

    /// A select list of one column: the values of `column` over every row, in one JSON array
    /// (`[]` for no rows).
    pub fn folded_values(self, column: &str) -> String {
        match self {
            Backend::Sqlite => format!("json_group_array({column})"),
            Backend::Postgres => format!("COALESCE(json_agg({column}), '[]')::text"),
        }
    }

    /// A UUID column as JSON can hold it: hex text on SQLite (where it is a blob), the column
    /// itself on PostgreSQL. [`uuid::Uuid`] parses both forms.
    pub fn uuid_text(self, column: &str) -> String {
        match self {
            Backend::Sqlite => format!("hex({column})"),
            Backend::Postgres => column.to_string(),
        }
    }
}

/// `SELECT <columns folded> FROM <from> WHERE <filter>` with `binds` bound as `$1`, `$2` …,
/// parsed into its rows.
pub(crate) async fn select<T: DeserializeOwned>(
    db: &crate::db::Db,
    columns: &[&str],
    from: &str,
    filter: &str,
    binds: &[&str],
) -> StoreResult<Vec<T>> {
    let sql = format!("SELECT {} FROM {from} WHERE {filter}", db.backend().folded(columns));
    let text: String = crate::on_read!(db, c => {
        let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(&*sql));
        for value in binds {
            query = query.bind(*value);
        }
        query.fetch_one(&mut *c).await?
    });
    rows(&text)
}

/// The text values the query `page` selects (one column named `v`, with `$1` bound to `after`,
/// `$2` to `limit`, and `$3` to `also` when given), folded, in byte order: a page of owners for
/// sync now, thousands at a time.
pub(crate) async fn values_after(
    db: &crate::db::Db,
    page: &str,
    after: &str,
    limit: i64,
    also: Option<&str>,
) -> StoreResult<Vec<String>> {
    let sql = format!("SELECT {} FROM ({page}) AS page", db.backend().folded_values("v"));
    let text: String = crate::on_read!(db, c => {
        let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(&*sql)).bind(after).bind(limit);
        if let Some(value) = also {
            query = query.bind(value);
        }
        query.fetch_one(&mut *c).await?
    });
    let mut values: Vec<String> = rows(&text)?;
    values.sort_unstable();
    Ok(values)
}

/// Parses a folded result (see [`Backend::folded`]) into its rows.
pub fn rows<T: DeserializeOwned>(text: &str) -> StoreResult<Vec<T>> {
    serde_json::from_str(text).map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))
}

/// A boolean as either backend folds it: `true`/`false` on PostgreSQL, `1`/`0` on SQLite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Bool(b) => Ok(Flag(b)),
            serde_json::Value::Number(n) => Ok(Flag(n.as_i64().unwrap_or(0) != 0)),
            other => Err(D::Error::custom(format!("expected a boolean, got {other}"))),
        }
    }
}

/// A timestamp as either backend folds it: RFC 3339 text (how both store and render them), or
/// SQLite's `YYYY-MM-DD HH:MM:SS` in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp(pub DateTime<Utc>);

impl<'de> Deserialize<'de> for Stamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if let Ok(at) = DateTime::parse_from_rfc3339(&text) {
            return Ok(Stamp(at.with_timezone(&Utc)));
        }
        if let Ok(at) = text.parse::<DateTime<Utc>>() {
            return Ok(Stamp(at));
        }
        NaiveDateTime::parse_from_str(&text, "%Y-%m-%d %H:%M:%S%.f")
            .map(|at| Stamp(at.and_utc()))
            .map_err(|e| D::Error::custom(format!("timestamp '{text}': {e}")))
    }
}

/// `deserialize_with` for a `bool` field of a folded row (see [`Flag`]).
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Flag::deserialize(d).map(|f| f.0)
}

/// `deserialize_with` for a timestamp field of a folded row (see [`Stamp`]).
pub fn stamp<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    Stamp::deserialize(d).map(|s| s.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_stamps_from_either_backend() {
        let parsed: Vec<(Flag, Flag, Stamp, Stamp, Stamp)> =
            rows(r#"[[1, false, "2026-11-21T10:00:00.5+00:00", "2026-11-21 10:00:00", "2026-11-21T11:00:00+01:00"]]"#)
                .expect("parses");
        let (a, b, c, d, e) = parsed[0];
        assert_eq!((a, b), (Flag(true), Flag(false)));
        assert_eq!(c.0.to_rfc3339(), "2026-11-21T10:00:00.500+00:00");
        assert_eq!(d.0, e.0);
        assert!(rows::<(Flag,)>(r#"[["yes"]]"#).is_err());
    }

    #[test]
    fn uuids_in_hex_or_hyphenated() {
        let parsed: Vec<(uuid::Uuid, uuid::Uuid)> =
            rows(r#"[["67E5504410B1426F9247BB680E5FE0C8", "67e55044-10b1-426f-9247-bb680e5fe0c8"]]"#).expect("parses");
        assert_eq!(parsed[0].0, parsed[0].1);
    }
}
