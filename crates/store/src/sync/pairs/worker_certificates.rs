//! HR worker certificates ↔ bookable resource characteristics of type certification (dated).

use super::characteristic_backed::HeldPair;
use super::field_date;
use super::{Fut, Pair};
use crate::error::StoreResult;
use crate::folded::Stamp;
use crate::outbox::entity as hr_entity;
use crate::sync::hr_side::{in_key_order, projection};
use crate::sync::{keys_json, Projection};
use crate::{Actor, HrStore};
use chrono::NaiveDate;
use hrbridge_domain::hr::WorkerCertificateInput;
use serde_json::json;
use serde_json::{Map, Value};

pub const PAIR: Pair = Pair(&HeldPair {
    name: "worker-certificates",
    hr_entity: hr_entity::WORKER_CERTIFICATE,
    characteristic_type: "certification",
    needs: &[super::WORKERS, super::CERTIFICATE_TYPES, super::RATING_MODELS],
    read_hr,
    recreate_hr,
});

fn read_hr<'a>(hr: &'a HrStore, owners: &'a [String]) -> Fut<'a, StoreResult<Vec<Projection>>> {
    Box::pin(async move {
        let filter = crate::sync::hr_side::in_keys(hr.db.backend(), "w.personnel_number");
        read_worker_certificates(hr, &filter, &keys_json(owners)).await
    })
}

fn recreate_hr<'a>(
    hr: &'a HrStore,
    actor: &'a Actor,
    key: &'a str,
    fields: &'a Map<String, Value>,
) -> Fut<'a, Result<(), String>> {
    Box::pin(async move {
        let (number, code) = key.split_once('/').unwrap_or((key, ""));
        let Some(issued_on) = field_date(fields, "issued_on") else { return Err("issued_on: missing".into()) };
        let input = WorkerCertificateInput { issued_on, expires_on: field_date(fields, "expires_on") };
        hr.set_worker_certificate(actor, number, code, input, None).await.map(drop).map_err(|e| e.to_string())
    })
}

async fn read_worker_certificates(hr: &HrStore, filter: &str, json: &str) -> StoreResult<Vec<Projection>> {
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
    let rows: Vec<Row> = crate::folded::select(&hr.db, &columns, from, filter, &[json]).await?;
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
