//! Bulk import over HTTP: CSV and JSON lines, good rows land, bad rows are reported by line and
//! field, importing again duplicates nothing, and the outbox entries carry origin `import`.

use crate::common::{seed_catalog, Api, INVALID, NOT_FOUND};
use hrbridge_testkit::TestApp;
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

/// The tests of this file, for the harness in `main.rs`.
pub fn tests() -> Vec<(&'static str, hrbridge_testkit::TestFn)> {
    vec![
        hrbridge_testkit::test_fn!(csv_import_lands_good_rows_and_reports_bad_ones),
        hrbridge_testkit::test_fn!(json_lines_import),
        hrbridge_testkit::test_fn!(import_refuses_other_content_types),
    ]
}

async fn import(api: &Api<'_>, content_type: &str, body: &str) -> (StatusCode, Value) {
    let request = api.app.request(Method::POST, "/api/v1/hr/imports/workers", Some(&api.token));
    let response = request.header(header::CONTENT_TYPE, content_type).body(body.to_string()).send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Imports and asserts a 200; returns (rows, created, updated, unchanged, rejected) and the report.
async fn imported(api: &Api<'_>, content_type: &str, body: &str) -> ([i64; 5], Value) {
    let (status, report) = import(api, content_type, body).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let counts = ["rows", "created", "updated", "unchanged", "rejected"].map(|k| report[k].as_i64().unwrap_or(-1));
    (counts, report)
}

type Rejection = (i64, Option<String>, Vec<String>);

/// (line, personnel number, fields) of each rejected row.
fn rejections(report: &Value) -> Vec<Rejection> {
    let rows = report["rejected_rows"].as_array().unwrap();
    rows.iter()
        .map(|r| {
            (r["line"].as_i64().unwrap(), r["personnel_number"].as_str().map(str::to_string), crate::common::fields(r))
        })
        .collect()
}

fn rejected(line: i64, number: Option<&str>, fields: &[&str]) -> Rejection {
    (line, number.map(str::to_string), fields.iter().map(|f| f.to_string()).collect())
}

/// The outbox entries after `seq`, sorted, as `entity key operation vN origin`; moves `seq` on.
async fn changes_since(app: &TestApp, seq: &mut i64) -> Vec<String> {
    let entries = app.state.hr.outbox_after(*seq, 10_000).await.unwrap();
    *seq = entries.last().map_or(*seq, |e| e.seq);
    let mut changes: Vec<String> = entries
        .iter()
        .map(|e| format!("{} {} {} v{} {}", e.entity, e.entity_key, e.operation, e.version, e.origin))
        .collect();
    changes.sort();
    changes
}

const CSV: &str = "personnel_number,first_name,last_name,email,employment_start,skills,certificates
E-1,Ada,Lovelace,ada@example.com,2024-01-15,RUST:Expert;SQL:Novice:2025-06-01,FORKLIFT:2025-01-01:2027-01-01
E-2,Grace,Hopper,grace@example,2024-02-01,,
E-3,Alan,Turing,alan@example.com,2024-03-01,RUST:Guru,
E-4,Edsger,Dijkstra,edsger@example.com,,SQL:3,FIRSTAID:2020-05-05
E-5,Barbara,Liskov,barbara@example.com,2024-05-01,,FORKLIFT:2025-01-01:2024-01-01
E-6,Ken,,ken@example.com,,,
E-7,Niklaus,Wirth,niklaus@example.com,2024-07-01,NOPE:Expert,
";

async fn csv_import_lands_good_rows_and_reports_bad_ones(app: TestApp) {
    let api = Api::admin(&app).await;
    seed_catalog(&api).await;
    let mut seq = crate::common::outbox(&app).await.last().unwrap().seq;
    let audit_before = crate::common::audit(&app).await.len();

    let (counts, report) = imported(&api, "text/csv", CSV).await;
    assert_eq!(counts, [7, 2, 0, 0, 5], "{report}");
    let expected = [
        rejected(3, Some("E-2"), &["email"]),
        rejected(4, Some("E-3"), &["skills[0].level"]),
        rejected(6, Some("E-5"), &["certificates[0].expires_on"]),
        rejected(7, Some("E-6"), &["last_name"]),
        rejected(8, Some("E-7"), &["skills[0].skill"]),
    ];
    assert_eq!(rejections(&report), expected);
    let message = report["rejected_rows"][1]["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("'Guru' is not a level"), "{message}");
    assert_eq!(app.state.hr.worker_count().await.unwrap(), 2);
    let ada = api.read("/hr/workers/E-1").await;
    let summary = (ada["email"].as_str(), ada["employment_start"].as_str(), ada["version"].as_i64());
    assert_eq!(summary, (Some("ada@example.com"), Some("2024-01-15"), Some(1)));
    let skills = json!([
        {"skill": "RUST", "version": 1, "skill_name": "Rust", "level": "Expert", "factor": 5, "level_date": "2026-03-02"},
        {"skill": "SQL", "version": 1, "skill_name": "SQL", "level": "Novice", "factor": 1, "level_date": "2025-06-01"}]);
    assert_eq!(ada["skills"], skills);
    let certificates = json!([{"certificate_type": "FORKLIFT", "version": 1, "name": "Forklift licence", "issued_on": "2025-01-01",
                               "expires_on": "2027-01-01", "expired": false}]);
    assert_eq!(ada["certificates"], certificates);
    let edsger = api.read("/hr/workers/E-4").await;
    assert_eq!(edsger["skills"][0]["level"], "Competent", "SQL:3 is the level of factor 3");
    assert_eq!(edsger["certificates"][0]["certificate_type"], "FIRSTAID");
    for missing in ["E-2", "E-3", "E-5", "E-6", "E-7"] {
        api.get(&format!("/hr/workers/{missing}")).await.problem(NOT_FOUND, &[]);
    }
    let expected = [
        "worker E-1 insert v1 import",
        "worker E-4 insert v1 import",
        "worker-certificate E-1/FORKLIFT insert v1 import",
        "worker-certificate E-4/FIRSTAID insert v1 import",
        "worker-skill E-1/RUST insert v1 import",
        "worker-skill E-1/SQL insert v1 import",
        "worker-skill E-4/SQL insert v1 import",
    ];
    assert_eq!(changes_since(&app, &mut seq).await, expected);
    let audit = crate::common::audit(&app).await;
    assert_eq!(audit.len(), audit_before + 1, "one audit entry for the batch");
    let newest = &audit[0];
    assert_eq!((newest.actor.as_str(), newest.action.as_str(), newest.entity.as_str()), ("admin", "import", "worker"));

    // The same file again: nothing created, nothing written.
    let (counts, report) = imported(&api, "text/csv", CSV).await;
    assert_eq!(counts, [7, 0, 0, 2, 5], "{report}");
    assert_eq!(rejections(&report).len(), 5);
    assert_eq!(app.state.hr.worker_count().await.unwrap(), 2);
    assert!(changes_since(&app, &mut seq).await.is_empty(), "an unchanged import writes no outbox entry");
    assert_eq!(api.read("/hr/workers/E-1").await, ada, "unchanged, same version");

    // A changed row updates; a row whose only change is a skill level counts as updated too.
    let changed = CSV
        .replace("ada@example.com,2024-01-15,RUST:Expert", "ada@lovelace.example,2024-01-15,RUST:Competent")
        .replace("edsger@example.com,,SQL:3", "edsger@example.com,,SQL:Expert");
    let (counts, report) = imported(&api, "text/csv; charset=utf-8", &changed).await;
    assert_eq!(counts, [7, 0, 2, 0, 5], "{report}");
    let expected = [
        "worker E-1 update v2 import",
        "worker-skill E-1/RUST update v2 import",
        "worker-skill E-4/SQL update v2 import",
    ];
    assert_eq!(changes_since(&app, &mut seq).await, expected);
    let ada = api.read("/hr/workers/E-1").await;
    let summary = (ada["email"].as_str(), ada["version"].as_i64(), ada["skills"][0]["level"].as_str());
    assert_eq!(summary, (Some("ada@lovelace.example"), Some(2), Some("Competent")));
    assert_eq!(api.read("/hr/workers/E-4").await["skills"][0]["factor"], 5);
    assert_eq!(app.state.hr.worker_count().await.unwrap(), 2);
    app.stop().await
}

async fn json_lines_import(app: TestApp) {
    let api = Api::admin(&app).await;
    seed_catalog(&api).await;
    let mut seq = crate::common::outbox(&app).await.last().unwrap().seq;
    let file = [
        r#"{"personnel_number": "J-1", "first_name": "Ada", "last_name": "Lovelace", "skills": [{"skill": "RUST", "level": "Expert", "level_date": "2025-02-03"}], "certificates": [{"certificate_type": "FIRSTAID", "issued_on": "2025-01-01"}]}"#,
        r#"{"first_name": "Auto", "last_name": "Numbered"}"#,
        "",
        "not json",
        r#"{"personnel_number": "J-3", "first_name": "X", "last_name": "Y", "email": "nope"}"#,
        r#"{"personnel_number": "J-4", "first_name": "X", "last_name": "Y", "skills": [{"skill": "RUST"}]}"#,
        r#"{"personnel_number": "J-5", "first_name": "X", "last_name": "Y", "certificates": [{"certificate_type": "FORKLIFT", "issued_on": "2025-01-01"}]}"#,
        r#"{"personnel_number": "J-6", "first_name": "X", "last_name": "Y", "nickname": "Z"}"#,
    ]
    .join("\n");
    let (counts, report) = imported(&api, "application/x-ndjson", &file).await;
    assert_eq!(counts, [7, 2, 0, 0, 5], "{report}");
    let expected = [
        rejected(4, None, &["$"]),
        rejected(5, Some("J-3"), &["email"]),
        rejected(6, Some("J-4"), &["skills[0].level"]),
        rejected(7, Some("J-5"), &["certificates[0].expires_on"]),
        rejected(8, Some("J-6"), &["nickname"]),
    ];
    assert_eq!(rejections(&report), expected);
    let message = report["rejected_rows"][4]["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("unknown field `nickname`"), "{message}");
    let ada = api.read("/hr/workers/J-1").await;
    let skill = json!({"skill": "RUST", "version": 1, "skill_name": "Rust", "level": "Expert", "factor": 5, "level_date": "2025-02-03"});
    assert_eq!(ada["skills"], json!([skill]));
    assert_eq!(ada["certificates"][0]["certificate_type"], "FIRSTAID");
    let auto = api.read("/hr/workers/000001").await;
    let names = (auto["first_name"].as_str(), auto["last_name"].as_str());
    assert_eq!(names, (Some("Auto"), Some("Numbered")), "numbered from the sequence");
    let expected = [
        "worker 000001 insert v1 import",
        "worker J-1 insert v1 import",
        "worker-certificate J-1/FIRSTAID insert v1 import",
        "worker-skill J-1/RUST insert v1 import",
    ];
    assert_eq!(changes_since(&app, &mut seq).await, expected);
    // Through the API afterwards, the origin is `user` again.
    api.patch("/hr/workers/J-1", json!({"phone": "+4712345678"})).await.is(StatusCode::OK);
    assert_eq!(changes_since(&app, &mut seq).await, ["worker J-1 update v2 user"]);
    app.stop().await
}

async fn import_refuses_other_content_types(app: TestApp) {
    let api = Api::admin(&app).await;
    let body = "first_name,last_name\nAda,Lovelace\n";
    for content_type in ["text/plain", "application/xml", "multipart/form-data; boundary=x"] {
        let answer = import(&api, content_type, body).await;
        crate::common::assert_problem(&answer, StatusCode::UNSUPPORTED_MEDIA_TYPE, &[]);
    }
    let request = app.request(Method::POST, "/api/v1/hr/imports/workers", Some(&api.token)).body(body);
    assert_eq!(request.send().await.unwrap().status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let answer = import(&api, "text/csv", "first_name,surname\nAda,Lovelace\n").await;
    let message = answer.1["errors"][0]["message"].as_str().unwrap_or("").to_string();
    crate::common::assert_problem(&answer, INVALID, &["file"]);
    assert!(message.contains("unknown CSV column 'surname'"), "{message}");
    let answer = import(&api, "text/csv", "personnel_number,first_name\nE-1,Ada\n").await;
    crate::common::assert_problem(&answer, INVALID, &["file"]);
    assert_eq!(app.state.hr.worker_count().await.unwrap(), 0);
    assert!(crate::common::outbox(&app).await.is_empty());
    // The smallest file works, numbering from the sequence.
    let (counts, _) = imported(&api, "text/csv", body).await;
    assert_eq!(counts, [1, 1, 0, 0, 0]);
    assert_eq!(api.read("/hr/workers/000001").await["last_name"], "Lovelace");
    app.stop().await
}
