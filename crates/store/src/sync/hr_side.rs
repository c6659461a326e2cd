//! The HR side of each map: records read in batches as [`Projection`]s, keyed by integration
//! key, and the owners (keys or personnel numbers) to page through for a full sync.

use super::{keys_json, MapKind, Projection, Selection};
use crate::db::Backend;
use crate::error::StoreResult;
use crate::folded::Stamp;
use crate::{on_read, HrStore};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Map, Value};

type Meta = (i64, i64, DateTime<Utc>, String);

fn projection(key: String, meta: Meta, fields: Value) -> Projection {
    let (rec_id, version, modified_at, modified_by) = meta;
    let fields = match fields {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    Projection { key, reference: rec_id.to_string(), version, modified_at, modified_by, fields }
}

/// Sorts projections by key (folded reads come back in no order).
pub(crate) fn in_key_order(mut projections: Vec<Projection>) -> Vec<Projection> {
    projections.sort_by(|a, b| a.key.cmp(&b.key));
    projections
}

/// `WHERE <column> IN (<the JSON array bound as $1>)`.
fn in_keys(backend: Backend, column: &str) -> String {
    format!("{column} IN ({})", backend.json_strings())
}

/// A worker's display name: first, middle and last.
pub fn full_name(first: &str, middle: Option<&str>, last: &str) -> String {
    match middle.filter(|m| !m.is_empty()) {
        Some(middle) => format!("{first} {middle} {last}"),
        None => format!("{first} {last}"),
    }
}

impl HrStore {
    /// The HR records of `kind` selected, in key order.
    pub async fn sync_read(&self, kind: MapKind, selection: Selection<'_>) -> StoreResult<Vec<Projection>> {
        let (column, keys) = match (kind, selection) {
            (MapKind::WorkerSkills | MapKind::WorkerCertificates, Selection::Owners(owners)) => {
                ("w.personnel_number", owners)
            }
            (MapKind::WorkerSkills | MapKind::WorkerCertificates, Selection::Keys(keys)) => {
                return self.sync_read_pairs(kind, keys).await;
            }
            (_, Selection::Keys(keys) | Selection::Owners(keys)) => ("", keys),
        };
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let json = keys_json(keys);
        let backend = self.db.backend();
        match kind {
            MapKind::Workers => self.read_workers(&in_keys(backend, "personnel_number"), &json).await,
            MapKind::WorkerSkills => self.read_worker_skills(&in_keys(backend, column), &json).await,
            MapKind::WorkerCertificates => self.read_worker_certificates(&in_keys(backend, column), &json).await,
            MapKind::Skills => self.read_skills(&in_keys(backend, "s.code"), &json).await,
            MapKind::CertificateTypes => self.read_certificate_types(&in_keys(backend, "code"), &json).await,
            MapKind::RatingModels => self.read_rating_models(&in_keys(backend, "m.code"), &json).await,
        }
    }

    /// Worker qualifications by `personnel_number/code` keys: read by their workers, then kept
    /// when their key was asked for.
    async fn sync_read_pairs(&self, kind: MapKind, keys: &[String]) -> StoreResult<Vec<Projection>> {
        let mut owners: Vec<String> = keys.iter().map(|k| kind.owner_of(k).to_string()).collect();
        owners.sort();
        owners.dedup();
        let wanted: std::collections::HashSet<&str> = keys.iter().map(String::as_str).collect();
        let all = Box::pin(self.sync_read(kind, Selection::Owners(&owners))).await?;
        Ok(all.into_iter().filter(|p| wanted.contains(p.key.as_str())).collect())
    }

    /// Owners of `kind`'s HR records after `after`, in byte order: personnel numbers for
    /// worker qualifications (every worker, whether it holds any), else keys.
    pub async fn sync_owners_after(&self, kind: MapKind, after: &str, limit: i64) -> StoreResult<Vec<String>> {
        let page = match kind {
            MapKind::Workers | MapKind::WorkerSkills | MapKind::WorkerCertificates => {
                "SELECT personnel_number AS v FROM workers WHERE personnel_number > $1 \
                 ORDER BY personnel_number LIMIT $2"
            }
            MapKind::Skills => "SELECT code AS v FROM skills WHERE code > $1 ORDER BY code LIMIT $2",
            MapKind::CertificateTypes => {
                "SELECT code AS v FROM certificate_types WHERE code > $1 ORDER BY code LIMIT $2"
            }
            MapKind::RatingModels => "SELECT code AS v FROM rating_models WHERE code > $1 ORDER BY code LIMIT $2",
        };
        crate::folded::values_after(&self.db, page, after, limit, None).await
    }

    async fn read_workers(&self, filter: &str, json: &str) -> StoreResult<Vec<Projection>> {
        type Row = (
            i64,
            String,
            String,
            Option<String>,
            String,
            Option<String>,
            Option<String>,
            String,
            Option<NaiveDate>,
            Option<NaiveDate>,
            i64,
            Stamp,
            String,
        );
        let columns = [
            "rec_id",
            "personnel_number",
            "first_name",
            "middle_name",
            "last_name",
            "email",
            "phone",
            "status",
            "employment_start",
            "employment_end",
            "version",
            "modified_at",
            "modified_by",
        ];
        let rows: Vec<Row> = crate::folded::select(&self.db, &columns, "workers", filter, &[json]).await?;
        Ok(in_key_order(
            rows.into_iter()
                .map(|(rec_id, pn, first, middle, last, email, phone, status, start, end, version, at, by)| {
                    let fields = json!({
                        "personnel_number": pn,
                        "name": full_name(&first, middle.as_deref(), &last),
                        "first_name": first,
                        "middle_name": middle,
                        "last_name": last,
                        "email": email,
                        "phone": phone,
                        "status": status,
                        "employment_start": start,
                        "employment_end": end,
                    });
                    projection(pn, (rec_id, version, at.0, by), fields)
                })
                .collect(),
        ))
    }

    async fn read_worker_skills(&self, filter: &str, json: &str) -> StoreResult<Vec<Projection>> {
        type Row = (i64, String, String, i64, String, NaiveDate, i64, Stamp, String);
        let columns = [
            "ws.rec_id",
            "w.personnel_number",
            "s.code",
            "l.factor",
            "l.name",
            "ws.level_date",
            "ws.version",
            "ws.modified_at",
            "ws.modified_by",
        ];
        let from = "worker_skills ws JOIN workers w ON w.rec_id = ws.worker_id \
             JOIN skills s ON s.rec_id = ws.skill_id JOIN rating_levels l ON l.rec_id = ws.rating_level_id";
        let rows: Vec<Row> = crate::folded::select(&self.db, &columns, from, filter, &[json]).await?;
        Ok(in_key_order(
            rows.into_iter()
                .map(|(rec_id, pn, code, factor, level, level_date, version, at, by)| {
                    let fields = json!({
                        "personnel_number": pn,
                        "skill": code,
                        "level": factor,
                        "level_name": level,
                        "level_date": level_date,
                    });
                    projection(format!("{pn}/{code}"), (rec_id, version, at.0, by), fields)
                })
                .collect(),
        ))
    }

    async fn read_worker_certificates(&self, filter: &str, json: &str) -> StoreResult<Vec<Projection>> {
        type Row = (i64, String, String, NaiveDate, Option<NaiveDate>, i64, Stamp, String);
        let columns = [
            "wc.rec_id",
            "w.personnel_number",
            "t.code",
            "wc.issued_on",
            "wc.expires_on",
            "wc.version",
            "wc.modified_at",
            "wc.modified_by",
        ];
        let from = "worker_certificates wc JOIN workers w ON w.rec_id = wc.worker_id \
             JOIN certificate_types t ON t.rec_id = wc.certificate_type_id";
        let rows: Vec<Row> = crate::folded::select(&self.db, &columns, from, filter, &[json]).await?;
        Ok(in_key_order(
            rows.into_iter()
                .map(|(rec_id, pn, code, issued_on, expires_on, version, at, by)| {
                    let fields = json!({
                        "personnel_number": pn,
                        "certificate_type": code,
                        "issued_on": issued_on,
                        "expires_on": expires_on,
                    });
                    projection(format!("{pn}/{code}"), (rec_id, version, at.0, by), fields)
                })
                .collect(),
        ))
    }

    async fn read_skills(&self, filter: &str, json: &str) -> StoreResult<Vec<Projection>> {
        type Row = (i64, String, String, String, String, i64, DateTime<Utc>, String);
        let sql = format!(
            "SELECT s.rec_id, s.code, s.name, s.description, m.code, s.version, s.modified_at, s.modified_by \
             FROM skills s JOIN rating_models m ON m.rec_id = s.rating_model_id WHERE {filter} ORDER BY s.code"
        );
        let rows: Vec<Row> =
            on_read!(&self.db, c => sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(json).fetch_all(&mut *c).await?);
        Ok(rows
            .into_iter()
            .map(|(rec_id, code, name, description, model, version, at, by)| {
                let fields = json!({"code": code, "name": name, "description": description, "rating_model": model});
                projection(code, (rec_id, version, at, by), fields)
            })
            .collect())
    }

    async fn read_certificate_types(&self, filter: &str, json: &str) -> StoreResult<Vec<Projection>> {
        type Row = (i64, String, String, String, bool, i64, DateTime<Utc>, String);
        let sql = format!(
            "SELECT rec_id, code, name, description, requires_renewal, version, modified_at, modified_by \
             FROM certificate_types WHERE {filter} ORDER BY code"
        );
        let rows: Vec<Row> =
            on_read!(&self.db, c => sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(json).fetch_all(&mut *c).await?);
        Ok(rows
            .into_iter()
            .map(|(rec_id, code, name, description, renewal, version, at, by)| {
                let fields =
                    json!({"code": code, "name": name, "description": description, "requires_renewal": renewal});
                projection(code, (rec_id, version, at, by), fields)
            })
            .collect())
    }

    async fn read_rating_models(&self, filter: &str, json: &str) -> StoreResult<Vec<Projection>> {
        type Row = (i64, String, String, String, i64, DateTime<Utc>, String);
        let sql = format!(
            "SELECT m.rec_id, m.code, m.name, m.description, m.version, m.modified_at, m.modified_by \
             FROM rating_models m WHERE {filter} ORDER BY m.code"
        );
        let rows: Vec<Row> =
            on_read!(&self.db, c => sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(json).fetch_all(&mut *c).await?);
        let level_sql = format!(
            "SELECT m.code, l.name, l.factor FROM rating_levels l JOIN rating_models m ON m.rec_id = l.rating_model_id \
             WHERE {filter} ORDER BY m.code, l.factor"
        );
        let levels: Vec<(String, String, i64)> = on_read!(&self.db, c => sqlx::query_as(sqlx::AssertSqlSafe(&*level_sql)).bind(json).fetch_all(&mut *c).await?);
        Ok(rows
            .into_iter()
            .map(|(rec_id, code, name, description, version, at, by)| {
                let values: Vec<Value> = levels
                    .iter()
                    .filter(|(model, _, _)| *model == code)
                    .map(|(_, name, factor)| json!({"name": name, "value": factor}))
                    .collect();
                let fields = json!({"code": code, "name": name, "description": description, "values": values});
                projection(code, (rec_id, version, at, by), fields)
            })
            .collect())
    }
}
