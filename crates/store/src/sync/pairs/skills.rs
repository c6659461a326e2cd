//! HR skills ↔ scheduling characteristics of type skill.

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
use hrbridge_domain::hr::SkillInput;
use serde_json::json;
use serde_json::{Map, Value};

pub const PAIR: Pair = Pair(&CatalogPair {
    name: "skills",
    hr_entity: hr_entity::SKILL,
    characteristic_type: "skill",
    hr_owners_page: "SELECT code AS v FROM skills WHERE code > $1 ORDER BY code LIMIT $2",
    needs: &[super::RATING_MODELS],
    read_hr,
    recreate_hr,
});

fn read_hr<'a>(hr: &'a HrStore, owners: &'a [String]) -> Fut<'a, StoreResult<Vec<Projection>>> {
    Box::pin(async move {
        let filter = crate::sync::hr_side::in_keys(hr.db.backend(), "s.code");
        read_skills(hr, &filter, &keys_json(owners)).await
    })
}

fn recreate_hr<'a>(
    hr: &'a HrStore,
    actor: &'a Actor,
    _key: &'a str,
    fields: &'a Map<String, Value>,
) -> Fut<'a, Result<(), String>> {
    Box::pin(async move {
        let input: SkillInput = input_from(fields, &["code", "name", "rating_model", "description"])?;
        let record = input.parse().map_err(|e| e.to_string())?;
        hr.create_skill(actor, record).await.map(drop).map_err(|e| e.to_string())
    })
}

async fn read_skills(hr: &HrStore, filter: &str, json: &str) -> StoreResult<Vec<Projection>> {
    type Row = (i64, String, String, String, String, i64, DateTime<Utc>, String);
    let sql = format!(
        "SELECT s.rec_id, s.code, s.name, s.description, m.code, s.version, s.modified_at, s.modified_by \
         FROM skills s JOIN rating_models m ON m.rec_id = s.rating_model_id WHERE {filter} ORDER BY s.code"
    );
    let rows: Vec<Row> =
        on_read!(&hr.db, c => sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(json).fetch_all(&mut *c).await?);
    Ok(rows
        .into_iter()
        .map(|(rec_id, code, name, description, model, version, at, by)| {
            let fields = json!({"code": code, "name": name, "description": description, "rating_model": model});
            projection(code, (rec_id, version, at, by), fields)
        })
        .collect())
}
