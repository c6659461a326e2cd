//! HR rating models (levels as `values`) ↔ scheduling rating models (with values).

use super::input_from;
use super::{Fut, Pair, SyncedPair};
use crate::error::StoreResult;
use crate::on_read;
use crate::outbox::entity as hr_entity;
use crate::scheduling::outbox::entity as scheduling_entity;
use crate::scheduling::SchedulingStore;
use crate::sync::hr_side::projection;
use crate::sync::{keys_json, scheduling_side, Projection, SchedulingWrite, WriteOutcome};
use crate::{Actor, HrStore};
use chrono::{DateTime, Utc};
use hrbridge_domain::hr::RatingModelInput;
use serde_json::json;
use serde_json::{Map, Value};
use std::collections::HashMap;
use uuid::Uuid;

pub const PAIR: Pair = Pair(&RatingModels);

struct RatingModels;

impl SyncedPair for RatingModels {
    fn name(&self) -> &'static str {
        "rating-models"
    }
    fn hr_entity(&self) -> &'static str {
        hr_entity::RATING_MODEL
    }
    fn scheduling_entity(&self) -> &'static str {
        scheduling_entity::RATING_MODEL
    }
    fn hr_key(&self, entity: &str, key: &str) -> Option<String> {
        match entity {
            hr_entity::RATING_MODEL => Some(key.to_string()),
            hr_entity::RATING_LEVEL => Some(head(key).to_string()),
            _ => None,
        }
    }
    fn scheduling_key(&self, entity: &str, key: &str, owners: &HashMap<String, String>) -> Option<String> {
        let _ = owners;
        match entity {
            scheduling_entity::RATING_MODEL | scheduling_entity::RATING_VALUE => Some(head(key).to_string()),
            _ => None,
        }
    }
    fn read_hr<'a>(&'a self, hr: &'a HrStore, owners: &'a [String]) -> Fut<'a, StoreResult<Vec<Projection>>> {
        Box::pin(async move {
            let filter = crate::sync::hr_side::in_keys(hr.db.backend(), "m.code");
            read_rating_models(hr, &filter, &keys_json(owners)).await
        })
    }
    fn read_scheduling<'a>(
        &'a self,
        scheduling: &'a SchedulingStore,
        owners: &'a [String],
    ) -> Fut<'a, StoreResult<Vec<Projection>>> {
        Box::pin(async move { read_scheduling_rating_models(scheduling, &keys_json(owners)).await })
    }
    fn hr_owners_after<'a>(&'a self, hr: &'a HrStore, after: &'a str, limit: i64) -> Fut<'a, StoreResult<Vec<String>>> {
        let page = "SELECT code AS v FROM rating_models WHERE code > $1 ORDER BY code LIMIT $2";
        Box::pin(crate::folded::values_after(&hr.db, page, after, limit, None))
    }
    fn scheduling_owners_after<'a>(
        &'a self,
        scheduling: &'a SchedulingStore,
        after: &'a str,
        limit: i64,
    ) -> Fut<'a, StoreResult<Vec<String>>> {
        let page = "SELECT name AS v FROM rating_models WHERE name > $1 ORDER BY name LIMIT $2";
        Box::pin(crate::folded::values_after(&scheduling.db, page, after, limit, None))
    }
    fn write_scheduling<'a>(
        &'a self,
        scheduling: &'a SchedulingStore,
        actor: &'a Actor,
        writes: &'a [(Option<String>, SchedulingWrite)],
    ) -> Fut<'a, StoreResult<Vec<WriteOutcome>>> {
        Box::pin(scheduling.write_catalog_all(actor, scheduling_side::Catalog::RatingModel, writes))
    }
    fn delete_scheduling<'a>(
        &'a self,
        scheduling: &'a SchedulingStore,
        actor: &'a Actor,
        key: &'a str,
        reference: &'a str,
    ) -> Fut<'a, StoreResult<()>> {
        let _ = reference;
        Box::pin(scheduling.delete_rating_model(actor, key, None))
    }
    fn recreate_hr<'a>(
        &'a self,
        hr: &'a HrStore,
        actor: &'a Actor,
        key: &'a str,
        fields: &'a Map<String, Value>,
    ) -> Fut<'a, Result<(), String>> {
        Box::pin(async move {
            let mut fields = fields.clone();
            let levels: Vec<Value> = fields
                .get("values")
                .and_then(Value::as_array)
                .map(|values| values.iter().map(|v| json!({"name": v["name"], "factor": v["value"]})).collect())
                .unwrap_or_default();
            fields.insert("levels".into(), Value::Array(levels));
            let _ = key;
            let input: RatingModelInput = input_from(&fields, &["code", "name", "description", "levels"])?;
            let model = input.parse().map_err(|e| e.to_string())?;
            hr.create_rating_model(actor, model).await.map(drop).map_err(|e| e.to_string())
        })
    }
}

/// The model part of a level's or value's key (`MODEL/3`).
fn head(key: &str) -> &str {
    key.split_once('/').map_or(key, |(head, _)| head)
}

async fn read_rating_models(hr: &HrStore, filter: &str, json: &str) -> StoreResult<Vec<Projection>> {
    type Row = (i64, String, String, String, i64, DateTime<Utc>, String);
    let sql = format!(
        "SELECT m.rec_id, m.code, m.name, m.description, m.version, m.modified_at, m.modified_by \
         FROM rating_models m WHERE {filter} ORDER BY m.code"
    );
    let rows: Vec<Row> =
        on_read!(&hr.db, c => sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(json).fetch_all(&mut *c).await?);
    let level_sql = format!(
        "SELECT m.code, l.name, l.factor FROM rating_levels l JOIN rating_models m ON m.rec_id = l.rating_model_id \
         WHERE {filter} ORDER BY m.code, l.factor"
    );
    let levels: Vec<(String, String, i64)> =
        on_read!(&hr.db, c => sqlx::query_as(sqlx::AssertSqlSafe(&*level_sql)).bind(json).fetch_all(&mut *c).await?);
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

async fn read_scheduling_rating_models(scheduling: &SchedulingStore, json: &str) -> StoreResult<Vec<Projection>> {
    type Row = (Uuid, String, i64, i64, i64, DateTime<Utc>, String);
    let sql = format!(
        "SELECT id, name, min_value, max_value, version, modified_at, modified_by FROM rating_models WHERE {}",
        scheduling_side::in_keys(scheduling, "name")
    );
    let rows: Vec<Row> =
        on_read!(&scheduling.db, c => sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(json).fetch_all(&mut *c).await?);
    let value_sql = format!(
        "SELECT m.name, v.name, v.value FROM rating_values v JOIN rating_models m ON m.id = v.rating_model_id \
         WHERE {} ORDER BY m.name, v.value",
        scheduling_side::in_keys(scheduling, "m.name")
    );
    let values: Vec<(String, String, i64)> = on_read!(&scheduling.db, c => sqlx::query_as(sqlx::AssertSqlSafe(&*value_sql)).bind(json).fetch_all(&mut *c).await?);
    Ok(rows
        .into_iter()
        .map(|(id, name, min, max, version, at, by)| {
            let held: Vec<Value> = values
                .iter()
                .filter(|(model, _, _)| *model == name)
                .map(|(_, n, v)| json!({"name": n, "value": v}))
                .collect();
            let fields = json!({"name": name, "min_value": min, "max_value": max, "values": held});
            scheduling_side::projection(name, (id, version, at, by), fields)
        })
        .collect())
}
