//! Optimistic concurrency: every HR and scheduling record carries its version as an `ETag`; a
//! `PATCH`, `PUT` or `DELETE` with a stale `If-Match` is refused with 412 and writes nothing; a
//! `PATCH` without one never overwrites a change made since it was read.

use crate::common::{seed_catalog, worker, Api};
use hrbridge_testkit::TestApp;
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

/// The tests of this file, for the harness in `main.rs`.
pub fn tests() -> Vec<(&'static str, hrbridge_testkit::TestFn)> {
    vec![
        hrbridge_testkit::test_fn!(two_people_editing_one_worker_lose_nothing),
        hrbridge_testkit::test_fn!(every_record_refuses_a_change_to_a_version_it_has_left),
        hrbridge_testkit::test_fn!(a_worker_s_qualifications_and_a_resource_s_characteristics_too),
    ]
}

async fn send(
    api: &Api<'_>,
    method: Method,
    path: &str,
    if_match: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Option<String>, Value) {
    let mut request = api.app.request(method, &format!("/api/v1{path}"), Some(&api.token));
    if let Some(tag) = if_match {
        request = request.header(header::IF_MATCH, tag);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let etag = response.headers().get(header::ETAG).map(|v| v.to_str().unwrap().to_string());
    (response.status(), etag, response.json().await.unwrap_or(Value::Null))
}

async fn two_people_editing_one_worker_lose_nothing(app: TestApp) {
    let hr = Api::admin(&app).await;
    worker(&hr, Some("W1"), "Ada", "Lovelace").await;
    let (status, tag, read) = send(&hr, Method::GET, "/hr/workers/W1", None, None).await;
    assert_eq!((status, tag.as_deref()), (StatusCode::OK, Some("\"1\"")), "{read}");

    // Someone else changes the phone after the first person read version 1.
    let (status, tag, _) =
        send(&hr, Method::PATCH, "/hr/workers/W1", None, Some(json!({"phone": "+15550001111"}))).await;
    assert_eq!((status, tag.as_deref()), (StatusCode::OK, Some("\"2\"")));
    // The first person's change, based on version 1, is refused and writes nothing.
    let stale = Some(json!({"email": "ada@example.com"}));
    let (status, _, problem) = send(&hr, Method::PATCH, "/hr/workers/W1", Some("\"1\""), stale).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{problem}");
    assert_eq!(problem["type"], "urn:hrbridge:problem:precondition-failed");
    assert!(problem["detail"].as_str().unwrap().contains("version 2"), "{problem}");
    let now = hr.read("/hr/workers/W1").await;
    assert_eq!((now["version"].as_i64(), now["email"].as_str()), (Some(2), None));
    // Based on the current version it goes through; without If-Match it merges into the newest,
    // keeping the phone.
    let (status, tag, _) =
        send(&hr, Method::PATCH, "/hr/workers/W1", Some("\"2\""), Some(json!({"email": "ada@example.com"}))).await;
    assert_eq!((status, tag.as_deref()), (StatusCode::OK, Some("\"3\"")));
    let (status, _, merged) =
        send(&hr, Method::PATCH, "/hr/workers/W1", None, Some(json!({"middle_name": "Augusta"}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (merged["phone"].as_str(), merged["email"].as_str(), merged["middle_name"].as_str()),
        (Some("+15550001111"), Some("ada@example.com"), Some("Augusta"))
    );
    // An If-Match that names no version of ours matches nothing.
    let (status, _, _) =
        send(&hr, Method::PATCH, "/hr/workers/W1", Some("\"abc\""), Some(json!({"phone": null}))).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    let (status, _, _) = send(&hr, Method::PATCH, "/hr/workers/W1", Some("*"), Some(json!({"phone": null}))).await;
    assert_eq!(status, StatusCode::OK);

    // Many patches at once without If-Match: every one lands, none overwrites another.
    let fields = ["first_name", "last_name", "email"];
    let values = ["Augusta", "King", "augusta@example.com"];
    let hr = &hr;
    let patches = fields.iter().zip(values).map(|(field, value)| {
        let body = json!({ *field: value });
        async move { send(hr, Method::PATCH, "/hr/workers/W1", None, Some(body)).await.0 }
    });
    for status in futures::future::join_all(patches).await {
        assert_eq!(status, StatusCode::OK);
    }
    let last = hr.read("/hr/workers/W1").await;
    for (field, value) in fields.iter().zip(values) {
        assert_eq!(last[*field], value, "{last}");
    }
    app.stop().await
}

fn tag(version: i64) -> String {
    format!("\"{version}\"")
}

/// For one record at `path`: its `ETag` is its version; a change (`change`, sent with `method`)
/// based on a version it has left is refused with 412 and leaves it as it is, as is a delete;
/// a delete at its current version goes through.
async fn refuses_stale_writes(api: &Api<'_>, path: &str, method: Method, change: Value) {
    let (status, etag, first) = send(api, Method::GET, path, None, None).await;
    assert_eq!(status, StatusCode::OK, "GET {path}: {first}");
    let v1 = first["version"].as_i64().unwrap_or_else(|| panic!("{path} has a version: {first}"));
    assert_eq!(etag, Some(tag(v1)), "the ETag of {path} is its version");

    // Someone changes it; the answer carries the new version.
    let (status, etag, second) = send(api, method.clone(), path, Some(&tag(v1)), Some(change.clone())).await;
    assert_eq!(status, StatusCode::OK, "{method} {path} at its version: {second}");
    let v2 = second["version"].as_i64().unwrap();
    assert!(v2 > v1, "{path}: a write moves the version on ({v1} -> {v2})");
    assert_eq!(etag, Some(tag(v2)));

    // A change and a delete based on the version it left are refused and change nothing.
    let (status, _, problem) = send(api, method.clone(), path, Some(&tag(v1)), Some(change)).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "stale {method} {path}: {problem}");
    assert_eq!(problem["type"], "urn:hrbridge:problem:precondition-failed");
    let (status, _, problem) = send(api, Method::DELETE, path, Some(&tag(v1)), None).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "stale DELETE {path}: {problem}");
    let (_, etag, now) = send(api, Method::GET, path, None, None).await;
    assert_eq!((now, etag), (second, Some(tag(v2))), "{path} is as the last write left it");

    // At its current version the delete goes through.
    let (status, _, problem) = send(api, Method::DELETE, path, Some(&tag(v2)), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "DELETE {path} at its version: {problem}");
    let (status, _, _) = send(api, Method::GET, path, None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{path} is gone");
}

async fn every_record_refuses_a_change_to_a_version_it_has_left(app: TestApp) {
    let api = Api::admin(&app).await;
    seed_catalog(&api).await;
    let levels = json!([{"name": "Low", "factor": 1}, {"name": "High", "factor": 2}]);
    api.create("/hr/rating-models", json!({"code": "R2", "name": "Two levels", "levels": levels})).await;
    api.create("/hr/skill-types", json!({"code": "SOFT", "name": "Soft skills"})).await;
    api.create("/hr/skills", json!({"code": "GO", "name": "Go", "rating_model": "PROF"})).await;
    api.create("/hr/certificate-types", json!({"code": "CPR", "name": "CPR"})).await;
    api.create("/hr/jobs", json!({"job_id": "DEV", "title": "Developer"})).await;
    api.create("/hr/jobs", json!({"job_id": "OPS", "title": "Operations"})).await;
    api.create("/hr/positions", json!({"position_number": "P-1", "job_id": "DEV"})).await;
    worker(&api, Some("W1"), "Ada", "Lovelace").await;
    let values = json!([{"name": "Low", "value": 1}, {"name": "High", "value": 5}]);
    api.create("/scheduling/rating-models", json!({"name": "S", "min_value": 1, "max_value": 5, "values": values}))
        .await;
    api.create("/scheduling/characteristics", json!({"name": "Welding"})).await;
    let resource = api.create("/scheduling/bookable-resources", json!({"name": "Grace"})).await;
    let window =
        json!({"name": "Job", "from": "2026-03-02T08:00:00Z", "to": "2026-03-02T09:00:00Z", "duration_minutes": 60});
    let requirement = api.create("/scheduling/resource-requirements", window).await;
    let other = api.create("/scheduling/bookable-resources", json!({"name": "Alan"})).await;
    let booking = json!({"resource_id": other["id"], "start": "2026-03-02T08:00:00Z", "end": "2026-03-02T09:00:00Z"});
    let booking = api.create("/scheduling/bookings", booking).await;

    let id = |record: &Value| record["id"].as_str().unwrap().to_string();
    let cases = [
        ("/hr/rating-models/R2".to_string(), json!({"name": "Two"})),
        ("/hr/skill-types/SOFT".to_string(), json!({"name": "Soft"})),
        ("/hr/skills/GO".to_string(), json!({"name": "Golang"})),
        ("/hr/certificate-types/CPR".to_string(), json!({"requires_renewal": true})),
        ("/hr/positions/P-1".to_string(), json!({"location": "Leeds"})),
        ("/hr/jobs/OPS".to_string(), json!({"title": "Site operations"})),
        ("/hr/workers/W1".to_string(), json!({"phone": "+15550001111"})),
        ("/scheduling/rating-models/S".to_string(), json!({"max_value": 9})),
        ("/scheduling/characteristics/Welding".to_string(), json!({"description": "MIG and TIG"})),
        (format!("/scheduling/bookable-resources/{}", id(&resource)), json!({"name": "Grace Hopper"})),
        (format!("/scheduling/resource-requirements/{}", id(&requirement)), json!({"name": "Night job"})),
        (format!("/scheduling/bookings/{}", id(&booking)), json!({"status": "soft"})),
    ];
    for (path, change) in cases {
        refuses_stale_writes(&api, &path, Method::PATCH, change).await;
    }
    app.stop().await
}

/// A record kept under its owner (a worker's skill or certificate, a resource's characteristic):
/// `PUT` answers with its version as the `ETag`; a `PUT` or `DELETE` based on a version it has
/// left, or on one of a record that does not exist, is refused with 412.
async fn refuses_stale_child_writes(api: &Api<'_>, path: &str, owner: &str, list: &str, first: Value, second: Value) {
    let (status, _, problem) = send(api, Method::PUT, path, Some(&tag(1)), Some(first.clone())).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "PUT {path} if at version 1 before it exists: {problem}");
    assert!(problem["detail"].as_str().unwrap().contains("no longer exists"), "{problem}");
    let (status, etag, created) = send(api, Method::PUT, path, None, Some(first)).await;
    assert_eq!((status, etag), (StatusCode::OK, Some(tag(1))), "PUT {path}: {created}");
    let (status, etag, changed) = send(api, Method::PUT, path, Some(&tag(1)), Some(second.clone())).await;
    assert_eq!((status, etag), (StatusCode::OK, Some(tag(2))), "PUT {path} at its version: {changed}");
    let (status, _, _) = send(api, Method::PUT, path, Some(&tag(1)), Some(second)).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "stale PUT {path}");
    let (status, _, _) = send(api, Method::DELETE, path, Some(&tag(1)), None).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "stale DELETE {path}");
    let held = api.read(owner).await[list].as_array().unwrap().clone();
    assert_eq!(held.iter().map(|h| h["version"].as_i64()).collect::<Vec<_>>(), vec![Some(2)], "{owner}: {held:?}");
    let (status, _, _) = send(api, Method::DELETE, path, Some(&tag(2)), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "DELETE {path} at its version");
    assert!(api.read(owner).await[list].as_array().unwrap().is_empty(), "{path} is gone");
}

async fn a_worker_s_qualifications_and_a_resource_s_characteristics_too(app: TestApp) {
    let api = Api::admin(&app).await;
    seed_catalog(&api).await;
    worker(&api, Some("W1"), "Ada", "Lovelace").await;
    let (low, high) = (json!({"level": "Novice"}), json!({"level": "Expert"}));
    refuses_stale_child_writes(&api, "/hr/workers/W1/skills/RUST", "/hr/workers/W1", "skills", low, high).await;
    let (issued, renewed) = (json!({"issued_on": "2024-01-01"}), json!({"issued_on": "2025-01-01"}));
    let path = "/hr/workers/W1/certificates/FIRSTAID";
    refuses_stale_child_writes(&api, path, "/hr/workers/W1", "certificates", issued, renewed).await;

    let values = json!([{"name": "Low", "value": 1}, {"name": "High", "value": 5}]);
    api.create("/scheduling/rating-models", json!({"name": "S", "min_value": 1, "max_value": 5, "values": values}))
        .await;
    api.create("/scheduling/characteristics", json!({"name": "Welding", "rating_model": "S"})).await;
    let resource = api.create("/scheduling/bookable-resources", json!({"name": "Grace"})).await;
    let owner = format!("/scheduling/bookable-resources/{}", resource["id"].as_str().unwrap());
    let path = format!("{owner}/characteristics/Welding");
    let (low, high) = (json!({"rating": 1}), json!({"rating": 5}));
    refuses_stale_child_writes(&api, &path, &owner, "characteristics", low, high).await;
    app.stop().await
}
