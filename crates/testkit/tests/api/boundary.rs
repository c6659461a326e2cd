//! Bad input at the boundary: dates outside 1900–2200 are refused everywhere with a 422 naming the
//! field (never a 500 from a database that cannot hold them); names refuse text that shows as
//! something else; a JSON object may not give a key twice; a CSV quote left open is reported as
//! such; and no error echoes a large input back.

use crate::common::{Api, CREATED, INVALID};
use hrbridge_testkit::TestApp;
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

/// The tests of this file, for the harness in `main.rs`.
pub fn tests() -> Vec<(&'static str, hrbridge_testkit::TestFn)> {
    vec![
        hrbridge_testkit::test_fn!(dates_outside_1900_to_2200_are_refused_by_field),
        hrbridge_testkit::test_fn!(names_show_what_they_hold),
        hrbridge_testkit::test_fn!(repeated_keys_and_open_quotes_are_refused),
        hrbridge_testkit::test_fn!(ids_are_strings_in_json_and_the_openapi_document),
    ]
}

/// Imports a CSV body; the import's report.
async fn import_csv(api: &Api<'_>, csv: &'static str) -> Value {
    let request = api.app.request(Method::POST, "/api/v1/hr/imports/workers", Some(&api.token));
    let response = request.header(header::CONTENT_TYPE, "text/csv").body(csv).send().await.unwrap();
    response.json().await.unwrap()
}

async fn dates_outside_1900_to_2200_are_refused_by_field(app: TestApp) {
    let admin = Api::admin(&app).await;
    for date in ["0000-06-01", "-9999-01-01", "1899-12-31", "2201-01-01"] {
        let body = json!({"first_name": "Ada", "last_name": "Lovelace", "employment_start": date});
        let refused = admin.post("/hr/workers", body).await.problem(INVALID, &["employment_start"]);
        assert!(refused["detail"].as_str().unwrap().contains("1900-01-01 to 2200-12-31"), "{refused}");
    }
    let ada = json!({"first_name": "Ada", "last_name": "Lovelace", "employment_start": "1900-01-01"});
    let ada = admin.post("/hr/workers", ada).await.is(CREATED);
    let number = ada["personnel_number"].as_str().unwrap();
    let patch = json!({"employment_end": "9999-12-31"});
    admin.patch(&format!("/hr/workers/{number}"), patch).await.problem(INVALID, &["employment_end"]);
    // The scheduling side's times too.
    let resource = admin.create("/scheduling/bookable-resources", json!({"name": "Ada"})).await;
    let booking =
        json!({"resource_id": resource["id"], "start": "-9999-01-01T08:00:00Z", "end": "2026-03-02T09:00:00Z"});
    admin.post("/scheduling/bookings", booking).await.problem(INVALID, &["start"]);
    let csv = "personnel_number,first_name,last_name,employment_start\nE-1,Grace,Hopper,0000-06-01\n";
    let report = import_csv(&admin, csv).await;
    assert_eq!(report["rejected"], 1, "{report}");
    let message = report["rejected_rows"][0]["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("1900-01-01 to 2200-12-31"), "{report}");
    assert_eq!(app.state.hr.worker_count().await.unwrap(), 1);
    app.stop().await
}

async fn names_show_what_they_hold(app: TestApp) {
    let admin = Api::admin(&app).await;
    for name in ["Ad\u{202E}a", "\u{2066}Ada\u{2069}", "\u{200B}\u{200B}"] {
        let body = json!({"first_name": name, "last_name": "Lovelace"});
        admin.post("/hr/workers", body).await.problem(INVALID, &["first_name"]);
    }
    let body = json!({"first_name": "Zoë", "last_name": "Ådahl-Łukasz"});
    admin.post("/hr/workers", body).await.is(CREATED);
    app.stop().await
}

async fn repeated_keys_and_open_quotes_are_refused(app: TestApp) {
    let admin = Api::admin(&app).await;
    // Parsers disagree on which of two keys wins: refused, not guessed.
    let twice = r#"{"username": "eve", "password": "violet-tractor-lantern-9", "role": "read-only", "role": "system-administrator"}"#;
    let response = app
        .request(Method::POST, "/api/v1/admin/users", Some(&admin.token))
        .header(header::CONTENT_TYPE, "application/json")
        .body(twice)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let problem: Value = response.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().contains("'role' is given more than once"), "{problem}");
    assert!(!admin.keys("/admin/users", "username").await.contains(&"eve".to_string()));
    // A big value where a number belongs: the 422 names the field without echoing the value.
    let big = json!({"first_name": "Ada", "last_name": "Lovelace", "employment_start": "x".repeat(100_000)});
    let refused = admin.post("/hr/workers", big).await.problem(INVALID, &["employment_start"]);
    assert!(refused.to_string().len() < 2_000, "{} bytes", refused.to_string().len());
    // A CSV quote left open swallows the lines after it: the row says so.
    let csv = "personnel_number,first_name,last_name\nE-1,\"Grace,Hopper\nE-2,Ada,Lovelace\n";
    let report = import_csv(&admin, csv).await;
    assert_eq!(report["rejected"], 1, "{report}");
    let message = report["rejected_rows"][0]["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("closing quote"), "{report}");
    app.stop().await
}

async fn ids_are_strings_in_json_and_the_openapi_document(app: TestApp) {
    let admin = Api::admin(&app).await;
    let ada = admin.create("/hr/workers", json!({"first_name": "Ada", "last_name": "Lovelace"})).await;
    let rec_id = ada["rec_id"].as_str().expect("a string rec_id");
    assert!(rec_id.parse::<i64>().is_ok(), "{rec_id}");
    let users = admin.read("/admin/users").await;
    assert!(users["items"][0]["rec_id"].is_string(), "{users}");
    let audit = admin.read("/admin/audit?limit=1").await;
    assert!(audit["items"][0]["seq"].is_string(), "{audit}");
    let doc: Value = app.client.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    let schemas = &doc["components"]["schemas"];
    for (schema, field) in [("Worker", "rec_id"), ("Candidate", "id"), ("AuditEntry", "seq"), ("User", "rec_id")] {
        assert_eq!(schemas[schema]["properties"][field]["type"], "string", "{schema}.{field}: {}", schemas[schema]);
    }
    app.stop().await
}
