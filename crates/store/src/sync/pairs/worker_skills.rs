//! HR worker skills ↔ bookable resource characteristics of type skill (rated).

use super::characteristic_backed::HeldPair;
use super::{field_date, field_text};
use super::{Fut, Pair};
use crate::error::StoreResult;
use crate::folded::Stamp;
use crate::outbox::entity as hr_entity;
use crate::sync::hr_side::{in_key_order, projection};
use crate::sync::{keys_json, Projection};
use crate::{Actor, HrStore};
use chrono::NaiveDate;
use hrbridge_domain::hr::WorkerSkillInput;
use serde_json::json;
use serde_json::{Map, Value};

pub const PAIR: Pair = Pair(&HeldPair {
    name: "worker-skills",
    hr_entity: hr_entity::WORKER_SKILL,
    characteristic_type: "skill",
    needs: &[super::WORKERS, super::SKILLS, super::RATING_MODELS],
    read_hr,
    recreate_hr,
});

fn read_hr<'a>(hr: &'a HrStore, owners: &'a [String]) -> Fut<'a, StoreResult<Vec<Projection>>> {
    Box::pin(async move {
        let filter = crate::sync::hr_side::in_keys(hr.db.backend(), "w.personnel_number");
        read_worker_skills(hr, &filter, &keys_json(owners)).await
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
        let level =
            field_text(fields, "level_name").or_else(|| fields.get("level").map(|l| l.to_string())).unwrap_or_default();
        let input = WorkerSkillInput { level, level_date: field_date(fields, "level_date") };
        hr.set_worker_skill(actor, number, code, input, None).await.map(drop).map_err(|e| e.to_string())
    })
}

async fn read_worker_skills(hr: &HrStore, filter: &str, json: &str) -> StoreResult<Vec<Projection>> {
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
    let rows: Vec<Row> = crate::folded::select(&hr.db, &columns, from, filter, &[json]).await?;
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
