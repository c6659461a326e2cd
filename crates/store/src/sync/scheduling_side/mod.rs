//! The scheduling side of each map: records read in batches as [`Projection`]s keyed by
//! integration key (`hr_worker_number`, a characteristic or rating model name, or
//! `hr_worker_number/characteristic`), and written in batches. Writes carry the caller's actor
//! (origin `sync` for the engine), and append their outbox entries in the same transaction.
//!
//! Reads are here; the batch writes are in `write` (resources, catalogs, deletes) and `held`
//! (resource characteristics, and the solution switch's unlink and relink).

mod held;
mod write;

pub(crate) use write::Catalog;

use super::{Pair, Projection, Selection};
use crate::error::StoreResult;
use crate::folded::Stamp;
use crate::on_read;
use crate::scheduling::SchedulingStore;
use crate::sync::hr_side::in_key_order;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Map, Value};
use uuid::Uuid;

pub(crate) type Meta = (Uuid, i64, DateTime<Utc>, String);

pub(crate) fn projection(key: String, meta: Meta, fields: Value) -> Projection {
    let (id, version, modified_at, modified_by) = meta;
    let fields = match fields {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    Projection { key, reference: id.to_string(), version, modified_at, modified_by, fields }
}

pub(crate) fn in_keys(store: &SchedulingStore, column: &str) -> String {
    format!("{column} IN ({})", store.db.backend().json_strings())
}

/// Names of characteristics of type `ty` after `after`, in byte order.
pub(crate) async fn characteristic_names_after(
    scheduling: &SchedulingStore,
    ty: &'static str,
    after: &str,
    limit: i64,
) -> StoreResult<Vec<String>> {
    let page = "SELECT name AS v FROM characteristics WHERE name > $1 AND characteristic_type = $3 \
                ORDER BY name LIMIT $2";
    crate::folded::values_after(&scheduling.db, page, after, limit, Some(ty)).await
}

impl SchedulingStore {
    /// The scheduling records of `pair` selected, in key order.
    pub async fn sync_read(&self, pair: Pair, selection: Selection<'_>) -> StoreResult<Vec<Projection>> {
        pair.read_scheduling_selected(self, selection).await
    }

    /// Owners of `pair`'s scheduling records after `after`, in byte order.
    pub async fn sync_owners_after(&self, pair: Pair, after: &str, limit: i64) -> StoreResult<Vec<String>> {
        pair.scheduling_owners_after(self, after, limit).await
    }

    /// Characteristics of type `ty` held by the resources of these personnel numbers (`json`).
    pub(crate) async fn read_held(&self, ty: &str, json: &str) -> StoreResult<Vec<Projection>> {
        type Row = (Uuid, String, String, Option<i64>, Option<NaiveDate>, Option<NaiveDate>, i64, Stamp, String);
        let id = self.db.backend().uuid_text("rc.id");
        let columns = [
            id.as_str(),
            "r.hr_worker_number",
            "c.name",
            "v.value",
            "rc.issued_on",
            "rc.expires_on",
            "rc.version",
            "rc.modified_at",
            "rc.modified_by",
        ];
        let from = "resource_characteristics rc JOIN bookable_resources r ON r.id = rc.resource_id \
             JOIN characteristics c ON c.id = rc.characteristic_id LEFT JOIN rating_values v ON v.id = rc.rating_value_id";
        let filter = format!("c.characteristic_type = $2 AND {}", in_keys(self, "r.hr_worker_number"));
        let rows: Vec<Row> = crate::folded::select(&self.db, &columns, from, &filter, &[json, ty]).await?;
        Ok(in_key_order(
            rows.into_iter()
                .map(|(id, number, name, rating, issued_on, expires_on, version, at, by)| {
                    let fields = json!({
                        "hr_worker_number": number, "characteristic": name, "rating": rating,
                        "issued_on": issued_on, "expires_on": expires_on,
                    });
                    projection(format!("{number}/{name}"), (id, version, at.0, by), fields)
                })
                .collect(),
        ))
    }

    /// Characteristics of type `ty` of these names (`json`).
    pub(crate) async fn read_characteristics(&self, ty: &str, json: &str) -> StoreResult<Vec<Projection>> {
        type Row = (Uuid, String, String, String, Option<String>, i64, DateTime<Utc>, String);
        let sql = format!(
            "SELECT c.id, c.name, c.characteristic_type, c.description, m.name, c.version, c.modified_at, c.modified_by \
             FROM characteristics c LEFT JOIN rating_models m ON m.id = c.rating_model_id \
             WHERE c.characteristic_type = $2 AND {}",
            in_keys(self, "c.name")
        );
        let rows: Vec<Row> = on_read!(&self.db, c => sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(json).bind(ty).fetch_all(&mut *c).await?);
        Ok(rows
            .into_iter()
            .map(|(id, name, ty, description, model, version, at, by)| {
                let fields = json!({
                    "name": name, "characteristic_type": ty, "description": description, "rating_model": model,
                });
                projection(name, (id, version, at, by), fields)
            })
            .collect())
    }
}
