//! The engine's writes to HR: values flowing back (a worker's name, email, phone) and records
//! recreated after being deleted while the integration was off. Rare, so record by record
//! through the HR store's own validated writes, as the `sync` actor.

use crate::decide::HrAction;
use hrbridge_domain::hr::{
    CertificateTypeInput, RatingModelInput, SkillInput, WorkerCertificateInput, WorkerInput, WorkerSkillInput,
    WorkerStatus,
};
use hrbridge_store::sync::hr_side::full_name;
use hrbridge_store::sync::{MapKind, Projection};
use hrbridge_store::{Actor, HrStore};
use serde_json::{json, Map, Value};

/// Applies one HR action; the error is the reason, for the error queue.
pub(crate) async fn apply(
    hr: &HrStore,
    actor: &Actor,
    kind: MapKind,
    key: &str,
    current: Option<&Projection>,
    action: &HrAction,
) -> Result<(), String> {
    let result = match (kind, action) {
        (MapKind::Workers, HrAction::Update { fields }) => {
            let Some(current) = current else { return Err(format!("worker '{key}' no longer exists")) };
            let mut merged = current.fields.clone();
            merged.extend(fields.clone());
            let input = worker_input(&merged)?;
            hr.update_worker(actor, key, input, None).await.map(drop)
        }
        (MapKind::Workers, HrAction::Recreate { fields }) => {
            let input = worker_input(fields)?;
            hr.create_worker(actor, input).await.map(drop)
        }
        (MapKind::WorkerSkills, HrAction::Recreate { fields }) => {
            let (number, code) = key.split_once('/').unwrap_or((key, ""));
            let level = fields.get("level_name").and_then(Value::as_str).map(str::to_string);
            let level = level.or_else(|| fields.get("level").map(|l| l.to_string())).unwrap_or_default();
            let input = WorkerSkillInput { level, level_date: date(fields, "level_date") };
            hr.set_worker_skill(actor, number, code, input, None).await.map(drop)
        }
        (MapKind::WorkerCertificates, HrAction::Recreate { fields }) => {
            let (number, code) = key.split_once('/').unwrap_or((key, ""));
            let Some(issued_on) = date(fields, "issued_on") else { return Err("issued_on: missing".into()) };
            let input = WorkerCertificateInput { issued_on, expires_on: date(fields, "expires_on") };
            hr.set_worker_certificate(actor, number, code, input, None).await.map(drop)
        }
        (MapKind::Skills, HrAction::Recreate { fields }) => {
            let input: SkillInput = parse_input(fields, &["code", "name", "rating_model", "description"])?;
            let skill = input.parse().map_err(|e| e.to_string())?;
            hr.create_skill(actor, skill).await.map(drop)
        }
        (MapKind::CertificateTypes, HrAction::Recreate { fields }) => {
            let input: CertificateTypeInput =
                parse_input(fields, &["code", "name", "description", "requires_renewal"])?;
            let certificate = input.parse().map_err(|e| e.to_string())?;
            hr.create_certificate_type(actor, certificate).await.map(drop)
        }
        (MapKind::RatingModels, HrAction::Recreate { fields }) => {
            let mut fields = fields.clone();
            let levels: Vec<Value> = fields
                .get("values")
                .and_then(Value::as_array)
                .map(|values| values.iter().map(|v| json!({"name": v["name"], "factor": v["value"]})).collect())
                .unwrap_or_default();
            fields.insert("levels".into(), Value::Array(levels));
            let input: RatingModelInput = parse_input(&fields, &["code", "name", "description", "levels"])?;
            let model = input.parse().map_err(|e| e.to_string())?;
            hr.create_rating_model(actor, model).await.map(drop)
        }
        (_, HrAction::Update { .. }) => Ok(()),
    };
    result.map_err(|e| e.to_string())
}

fn date(fields: &Map<String, Value>, name: &str) -> Option<chrono::NaiveDate> {
    fields.get(name).and_then(Value::as_str).and_then(|s| s.parse().ok())
}

fn parse_input<T: serde::de::DeserializeOwned>(fields: &Map<String, Value>, keep: &[&str]) -> Result<T, String> {
    let kept: Map<String, Value> = fields
        .iter()
        .filter(|(k, v)| keep.contains(&k.as_str()) && !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    serde_json::from_value(Value::Object(kept)).map_err(|e| e.to_string())
}

/// A worker's HR input from its fields, where `name` (first, middle and last together) is split
/// again when it was changed on the scheduling side: the last word becomes the last name, the
/// rest the first name, and the middle name is cleared.
fn worker_input(after: &Map<String, Value>) -> Result<hrbridge_domain::hr::NewWorker, String> {
    let text = |m: &Map<String, Value>, k: &str| m.get(k).and_then(Value::as_str).map(str::to_string);
    let mut first = text(after, "first_name").unwrap_or_default();
    let mut middle = text(after, "middle_name");
    let mut last = text(after, "last_name").unwrap_or_default();
    let known = full_name(&first, middle.as_deref(), &last);
    if let Some(name) = text(after, "name").filter(|n| *n != known) {
        let words: Vec<&str> = name.split_whitespace().collect();
        match words.as_slice() {
            [] => {}
            [only] => first = (*only).to_string(),
            [rest @ .., tail] => {
                first = rest.join(" ");
                last = (*tail).to_string();
            }
        }
        middle = None;
    }
    let input = WorkerInput {
        personnel_number: text(after, "personnel_number"),
        first_name: first,
        middle_name: middle,
        last_name: last,
        email: text(after, "email"),
        phone: text(after, "phone"),
        employment_start: date(after, "employment_start"),
        employment_end: date(after, "employment_end"),
        status: text(after, "status").and_then(|s| WorkerStatus::parse(&s)),
    };
    input.parse().map_err(|e| e.to_string())
}
