//! HR certificate types ↔ scheduling characteristics of type certification.

use super::characteristic_backed::CatalogPair;
use super::input_from;
use super::{Fut, Pair};
use crate::error::StoreResult;
use crate::on_read;
use crate::outbox::entity as hr_entity;
use crate::sync::hr_side::projection;
use crate::sync::{keys_json, Projection};
use crate::{Actor, HrStore};
use chrono::{DateTime, Utc};
use hrbridge_domain::hr::CertificateTypeInput;
use serde_json::json;
use serde_json::{Map, Value};

pub const PAIR: Pair = Pair(&CatalogPair {
    name: "certificate-types",
    hr_entity: hr_entity::CERTIFICATE_TYPE,
    characteristic_type: "certification",
    hr_owners_page: "SELECT code AS v FROM certificate_types WHERE code > $1 ORDER BY code LIMIT $2",
    needs: &[super::RATING_MODELS],
    read_hr,
    recreate_hr,
});

fn read_hr<'a>(hr: &'a HrStore, owners: &'a [String]) -> Fut<'a, StoreResult<Vec<Projection>>> {
    Box::pin(async move {
        let filter = crate::sync::hr_side::in_keys(hr.db.backend(), "code");
        read_certificate_types(hr, &filter, &keys_json(owners)).await
    })
}

fn recreate_hr<'a>(
    hr: &'a HrStore,
    actor: &'a Actor,
    _key: &'a str,
    fields: &'a Map<String, Value>,
) -> Fut<'a, Result<(), String>> {
    Box::pin(async move {
        let input: CertificateTypeInput = input_from(fields, &["code", "name", "description", "requires_renewal"])?;
        let record = input.parse().map_err(|e| e.to_string())?;
        hr.create_certificate_type(actor, record).await.map(drop).map_err(|e| e.to_string())
    })
}

async fn read_certificate_types(hr: &HrStore, filter: &str, json: &str) -> StoreResult<Vec<Projection>> {
    type Row = (i64, String, String, String, bool, i64, DateTime<Utc>, String);
    let sql = format!(
        "SELECT rec_id, code, name, description, requires_renewal, version, modified_at, modified_by \
         FROM certificate_types WHERE {filter} ORDER BY code"
    );
    let rows: Vec<Row> =
        on_read!(&hr.db, c => sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(json).fetch_all(&mut *c).await?);
    Ok(rows
        .into_iter()
        .map(|(rec_id, code, name, description, renewal, version, at, by)| {
            let fields = json!({"code": code, "name": name, "description": description, "requires_renewal": renewal});
            projection(code, (rec_id, version, at, by), fields)
        })
        .collect())
}
