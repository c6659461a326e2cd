//! The scheduling side of each map: records read in batches as [`Projection`]s keyed by
//! integration key (`hr_worker_number`, a characteristic or rating model name, or
//! `hr_worker_number/characteristic`), and written in batches. Writes carry the caller's actor
//! (origin `sync` for the engine), and append their outbox entries in the same transaction.
//!
//! Reads are here; the batch writes are in `write` (resources, catalogs, deletes) and `held`
//! (resource characteristics, and the solution switch's unlink and relink).

mod held;
mod write;

use super::{keys_json, MapKind, Projection, Selection};
use crate::error::StoreResult;
use crate::folded::{Flag, Stamp};
use crate::on_read;
use crate::scheduling::SchedulingStore;
use crate::sync::hr_side::in_key_order;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Map, Value};
use uuid::Uuid;

type Meta = (Uuid, i64, DateTime<Utc>, String);

fn projection(key: String, meta: Meta, fields: Value) -> Projection {
    let (id, version, modified_at, modified_by) = meta;
    let fields = match fields {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    Projection { key, reference: id.to_string(), version, modified_at, modified_by, fields }
}

fn in_keys(store: &SchedulingStore, column: &str) -> String {
    format!("{column} IN ({})", store.db.backend().json_strings())
}

impl SchedulingStore {
    /// The scheduling records of `kind` selected.
    pub async fn sync_read(&self, kind: MapKind, selection: Selection<'_>) -> StoreResult<Vec<Projection>> {
        let keys = match selection {
            Selection::Keys(keys) | Selection::Owners(keys) => keys,
        };
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        if let (true, Selection::Keys(keys)) = (kind.owned_by_worker(), selection) {
            let mut owners: Vec<String> = keys.iter().map(|k| kind.owner_of(k).to_string()).collect();
            owners.sort();
            owners.dedup();
            let wanted: std::collections::HashSet<&str> = keys.iter().map(String::as_str).collect();
            let all = Box::pin(self.sync_read(kind, Selection::Owners(&owners))).await?;
            return Ok(all.into_iter().filter(|p| wanted.contains(p.key.as_str())).collect());
        }
        let json = keys_json(keys);
        match kind {
            MapKind::Workers => self.read_resources(&json).await,
            MapKind::WorkerSkills | MapKind::WorkerCertificates => self.read_held(kind, &json).await,
            MapKind::Skills | MapKind::CertificateTypes => self.read_characteristics(kind, &json).await,
            MapKind::RatingModels => self.read_rating_models(&json).await,
        }
    }

    /// Owners of `kind`'s scheduling records after `after`, in byte order.
    pub async fn sync_owners_after(&self, kind: MapKind, after: &str, limit: i64) -> StoreResult<Vec<String>> {
        let (page, kind_filter) = match kind {
            MapKind::Workers | MapKind::WorkerSkills | MapKind::WorkerCertificates => (
                "SELECT hr_worker_number AS v FROM bookable_resources WHERE hr_worker_number > $1 \
                 ORDER BY hr_worker_number LIMIT $2",
                None,
            ),
            MapKind::Skills | MapKind::CertificateTypes => (
                "SELECT name AS v FROM characteristics WHERE name > $1 AND characteristic_type = $3 \
                 ORDER BY name LIMIT $2",
                kind.characteristic_type(),
            ),
            MapKind::RatingModels => {
                ("SELECT name AS v FROM rating_models WHERE name > $1 ORDER BY name LIMIT $2", None)
            }
        };
        crate::folded::values_after(&self.db, page, after, limit, kind_filter).await
    }

    async fn read_resources(&self, json: &str) -> StoreResult<Vec<Projection>> {
        type Row = (Uuid, String, String, Option<String>, Option<String>, Flag, String, i64, Stamp, String);
        let id = self.db.backend().uuid_text("id");
        let columns = [
            id.as_str(),
            "hr_worker_number",
            "name",
            "email",
            "phone",
            "active",
            "resource_type",
            "version",
            "modified_at",
            "modified_by",
        ];
        let filter = in_keys(self, "hr_worker_number");
        let rows: Vec<Row> = crate::folded::select(&self.db, &columns, "bookable_resources", &filter, &[json]).await?;
        Ok(in_key_order(
            rows.into_iter()
                .map(|(id, number, name, email, phone, active, resource_type, version, at, by)| {
                    let fields = json!({
                        "hr_worker_number": number, "name": name, "email": email, "phone": phone,
                        "active": active.0, "resource_type": resource_type,
                    });
                    projection(number, (id, version, at.0, by), fields)
                })
                .collect(),
        ))
    }

    async fn read_held(&self, kind: MapKind, json: &str) -> StoreResult<Vec<Projection>> {
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
        let ty = kind.characteristic_type().unwrap_or_default();
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

    async fn read_characteristics(&self, kind: MapKind, json: &str) -> StoreResult<Vec<Projection>> {
        type Row = (Uuid, String, String, String, Option<String>, i64, DateTime<Utc>, String);
        let sql = format!(
            "SELECT c.id, c.name, c.characteristic_type, c.description, m.name, c.version, c.modified_at, c.modified_by \
             FROM characteristics c LEFT JOIN rating_models m ON m.id = c.rating_model_id \
             WHERE c.characteristic_type = $2 AND {}",
            in_keys(self, "c.name")
        );
        let ty = kind.characteristic_type().unwrap_or_default();
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

    async fn read_rating_models(&self, json: &str) -> StoreResult<Vec<Projection>> {
        type Row = (Uuid, String, i64, i64, i64, DateTime<Utc>, String);
        let sql = format!(
            "SELECT id, name, min_value, max_value, version, modified_at, modified_by FROM rating_models WHERE {}",
            in_keys(self, "name")
        );
        let rows: Vec<Row> =
            on_read!(&self.db, c => sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(json).fetch_all(&mut *c).await?);
        let value_sql = format!(
            "SELECT m.name, v.name, v.value FROM rating_values v JOIN rating_models m ON m.id = v.rating_model_id \
             WHERE {} ORDER BY m.name, v.value",
            in_keys(self, "m.name")
        );
        let values: Vec<(String, String, i64)> = on_read!(&self.db, c => sqlx::query_as(sqlx::AssertSqlSafe(&*value_sql)).bind(json).fetch_all(&mut *c).await?);
        Ok(rows
            .into_iter()
            .map(|(id, name, min, max, version, at, by)| {
                let held: Vec<Value> = values
                    .iter()
                    .filter(|(model, _, _)| *model == name)
                    .map(|(_, n, v)| json!({"name": n, "value": v}))
                    .collect();
                let fields = json!({"name": name, "min_value": min, "max_value": max, "values": held});
                projection(name, (id, version, at, by), fields)
            })
            .collect())
    }
}
