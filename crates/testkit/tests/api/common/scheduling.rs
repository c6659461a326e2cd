//! Helpers for the scheduling suites: paths, bodies, a seed, and bookings written straight into
//! the table (the bookings API is tested on its own).

use super::Api;
use hrbridge_testkit::TestApp;
use serde_json::{json, Value};

pub const MODELS: &str = "/scheduling/rating-models";
pub const CHARACTERISTICS: &str = "/scheduling/characteristics";
pub const RESOURCES: &str = "/scheduling/bookable-resources";
pub const REQUIREMENTS: &str = "/scheduling/resource-requirements";

/// A rating model body with `values` given as (name, value).
pub fn model(name: &str, min: i64, max: i64, values: &[(&str, i64)]) -> Value {
    let values: Value = values.iter().map(|(n, v)| json!({"name": n, "value": v})).collect();
    json!({"name": name, "min_value": min, "max_value": max, "values": values})
}

/// A model's values as (name, value).
pub fn values(model: &Value) -> Vec<(String, i64)> {
    let list = model["values"].as_array().expect("values");
    list.iter().map(|v| (v["name"].as_str().unwrap().to_string(), v["value"].as_i64().unwrap())).collect()
}

pub fn pairs(list: &[(&str, i64)]) -> Vec<(String, i64)> {
    list.iter().map(|(n, v)| (n.to_string(), *v)).collect()
}

/// Proficiency (Novice 1, Competent 3, Expert 5, range 0–5), skill Rust rated with it, and the
/// unrated certification Forklift.
pub async fn seed(api: &Api<'_>) {
    api.create(MODELS, model("Proficiency", 0, 5, &[("Novice", 1), ("Competent", 3), ("Expert", 5)])).await;
    api.create(CHARACTERISTICS, json!({"name": "Rust", "rating_model": "Proficiency"})).await;
    api.create(CHARACTERISTICS, json!({"name": "Forklift", "characteristic_type": "certification"})).await;
}

/// Creates a resource and returns its path.
pub async fn resource(api: &Api<'_>, body: Value) -> String {
    format!("{RESOURCES}/{}", api.create(RESOURCES, body).await["id"].as_str().unwrap())
}

/// Writes a booking straight into the table (the bookings API is tested on its own).
pub async fn book(app: &TestApp, resource_path: &str, status: &str, start: &str, end: &str) {
    let resource: uuid::Uuid = resource_path.rsplit('/').next().unwrap().parse().unwrap();
    let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&chrono::Utc);
    let mut tx = app.state.scheduling.db().begin().await.unwrap();
    hrbridge_store::on_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO bookings (id, resource_id, start_at, end_at, status, version, modified_at, modified_by) \
                     VALUES ($1, $2, $3, $4, $5, 1, $6, 'test')")
            .bind(uuid::Uuid::new_v4()).bind(resource).bind(at(start)).bind(at(end)).bind(status).bind(at(start))
            .execute(&mut *c).await.unwrap();
    });
    tx.commit().await.unwrap();
}

pub const BOOKINGS: &str = "/scheduling/bookings";
pub const SEARCH: &str = "/scheduling/resource-search";
pub const BOOK_MATCH: &str = "/scheduling/resource-search/book";
/// The test week: Monday 2026-03-02 (the clock starts that day at 09:00) to Saturday, both at
/// 00:00 UTC; five working days of 8 hours (2400 minutes) with the default calendar.
pub const MON: &str = "2026-03-02T00:00:00Z";
pub const SAT: &str = "2026-03-07T00:00:00Z";

/// The id at the end of a path.
pub fn id_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap()
}

/// POSTs every body to `path` at once (spawned tasks released together); returns the statuses
/// sorted.
pub async fn all_at_once(app: &TestApp, token: &str, path: &str, bodies: Vec<Value>) -> Vec<u16> {
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(bodies.len()));
    let tasks = bodies.into_iter().map(|body| {
        let request = app.request(reqwest::Method::POST, &format!("/api/v1{path}"), Some(token)).json(&body);
        let start = start.clone();
        tokio::spawn(async move {
            start.wait().await;
            request.send().await.expect("request").status().as_u16()
        })
    });
    let mut statuses: Vec<u16> = futures::future::join_all(tasks).await.into_iter().map(|t| t.expect("task")).collect();
    statuses.sort();
    statuses
}

/// A resource's bookings (all pages) as (start, end, status), by creation.
pub async fn bookings_of(api: &Api<'_>, resource_id: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut after = String::new();
    loop {
        let page = api.read(&format!("{BOOKINGS}?resource_id={resource_id}&limit=7{after}")).await;
        for b in page["items"].as_array().expect("items") {
            assert_eq!(b["resource_id"], resource_id, "filtered by resource");
            let text = |k: &str| b[k].as_str().expect(k).to_string();
            out.push((text("start"), text("end"), text("status")));
        }
        match page["next"].as_str() {
            Some(cursor) => after = format!("&after={cursor}"),
            None => return out,
        }
    }
}
