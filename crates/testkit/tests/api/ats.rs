//! Hiring from an applicant tracking system (seed 002): an app exports hired candidates, HR lists
//! them, hires one (worker, position, skills and certificates in one transaction), refuses or
//! dismisses others, and the app reads the outcome. Plus the export's limits: validation, body
//! size, rate, roles, and random input that must never make the server fail or store anything.

use crate::common::{seed_catalog, worker, Api, CONFLICT, CREATED, FORBIDDEN, INVALID, NOT_FOUND, OK};
use hrbridge_testkit::TestApp;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

/// The tests of this file, for the harness in `main.rs`.
pub fn tests() -> Vec<(&'static str, hrbridge_testkit::TestFn)> {
    vec![
        hrbridge_testkit::test_fn!(export_is_validated_and_idempotent),
        hrbridge_testkit::test_fn!(hire_creates_the_worker_with_the_candidates_data),
        hrbridge_testkit::test_fn!(do_not_hire_and_dismiss_close_without_a_worker),
        hrbridge_testkit::test_fn!(the_ats_role_is_confined_to_candidates),
        hrbridge_testkit::test_fn!(exports_are_rate_limited_per_app),
        hrbridge_testkit::test_fn!(random_exports_never_fail_the_server_or_store_anything),
    ]
}

const EXPORT: &str = "/ats/hired-candidates";

/// Registers an app with the `ats-integration` role (as admin) and returns a client signed in
/// with a token for it, and its client id.
async fn ats<'a>(app: &'a TestApp, name: &str) -> (Api<'a>, String) {
    let admin = Api::admin(app).await;
    let registered =
        admin.create("/admin/apps", json!({"name": name, "user": "admin", "role": "ats-integration"})).await;
    let client_id = registered["client_id"].as_str().expect("a client id").to_string();
    let token = app.app_token(&client_id, registered["client_secret"].as_str().expect("a secret")).await;
    (Api { app, token }, client_id)
}

fn grace() -> Value {
    json!({
        "external_id": "th-1001", "first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com",
        "phone": "+15551234567", "start_date": "2026-04-01", "job_title": "Developer", "location": "Leeds",
    })
}

fn with(mut body: Value, extra: Value) -> Value {
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    body
}

fn without(mut body: Value, field: &str) -> Value {
    body.as_object_mut().unwrap().remove(field);
    body
}

async fn candidate_rows(app: &TestApp) -> i64 {
    app.state.hr.candidate_count().await.expect("count candidates")
}

/// Rows of the candidates' skill and certificate tables: nothing half-written.
async fn child_rows(app: &TestApp) -> i64 {
    let sql = "SELECT (SELECT COUNT(*) FROM candidate_skills) + (SELECT COUNT(*) FROM candidate_certificates)";
    match app.state.hr.db() {
        hrbridge_store::Db::Sqlite { readers, .. } => sqlx::query_scalar(sql).fetch_one(readers).await.unwrap(),
        hrbridge_store::Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
    }
}

async fn export_is_validated_and_idempotent(app: TestApp) {
    let admin = Api::admin(&app).await;
    seed_catalog(&admin).await;
    let (ats, client_id) = ats(&app, "Talent Hub").await;
    let outbox_before = crate::common::outbox(&app).await.len();

    // Every missing field is named at once; then each rule on its own.
    let fields = ["external_id", "first_name", "last_name", "email", "phone", "start_date", "job_title", "location"];
    ats.post(EXPORT, json!({})).await.problem(INVALID, &fields);
    for field in fields {
        ats.post(EXPORT, without(grace(), field)).await.problem(INVALID, &[field]);
    }
    ats.post(EXPORT, with(grace(), json!({"email": "grace-at-example"}))).await.problem(INVALID, &["email"]);
    ats.post(EXPORT, with(grace(), json!({"phone": "call me"}))).await.problem(INVALID, &["phone"]);
    ats.post(EXPORT, with(grace(), json!({"phone": "+1234"}))).await.problem(INVALID, &["phone"]);
    ats.post(EXPORT, with(grace(), json!({"start_date": "next monday"}))).await.problem(INVALID, &["start_date"]);
    ats.post(EXPORT, with(grace(), json!({"external_id": "x".repeat(101)}))).await.problem(INVALID, &["external_id"]);
    ats.post(EXPORT, with(grace(), json!({"location": "x".repeat(201)}))).await.problem(INVALID, &["location"]);
    ats.post(EXPORT, with(grace(), json!({"first_name": 7}))).await.problem(INVALID, &["first_name"]);
    ats.post(EXPORT, with(grace(), json!({"salary": 100}))).await.problem(INVALID, &["salary"]);
    let skills = json!({"skills": [{"skill": "RUST", "level": "Expert"}, {"skill": "COBOL", "level": "Expert"}]});
    ats.post(EXPORT, with(grace(), skills)).await.problem(INVALID, &["skills[1].skill"]);
    let skills = json!({"skills": [{"skill": "RUST", "level": "Guru"}]});
    let body = ats.post(EXPORT, with(grace(), skills)).await.problem(INVALID, &["skills[0].level"]);
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("Novice, Competent, Expert"), "{body}");
    let certificates = json!({"certificates": [{"certificate_type": "DIVING", "issued_on": "2025-01-01"}]});
    ats.post(EXPORT, with(grace(), certificates)).await.problem(INVALID, &["certificates[0].certificate_type"]);
    let certificates = json!({"certificates": [{"certificate_type": "FORKLIFT", "issued_on": "2025-01-01"}]});
    ats.post(EXPORT, with(grace(), certificates)).await.problem(INVALID, &["certificates[0].expires_on"]);
    let many: Vec<Value> = (0..51).map(|i| json!({"skill": format!("S{i}"), "level": "1"})).collect();
    ats.post(EXPORT, with(grace(), json!({"skills": many}))).await.problem(INVALID, &["skills"]);

    // A body over 64 KiB is refused with a problem, as are other media types and broken JSON.
    let big = with(grace(), json!({"location": "x".repeat(65 * 1024)}));
    let response = app.request(Method::POST, &format!("/api/v1{EXPORT}"), Some(&ats.token)).json(&big).send().await;
    let response = response.unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/problem+json");
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["status"], 413, "{problem}");
    let raw = |content_type: &'static str, body: &'static str| {
        let request = app.request(Method::POST, &format!("/api/v1{EXPORT}"), Some(&ats.token));
        request.header(header::CONTENT_TYPE, content_type).body(body).send()
    };
    assert_eq!(raw("application/json", "{\"external_id\": ").await.unwrap().status(), StatusCode::BAD_REQUEST);
    assert_eq!(raw("text/plain", "external_id=1").await.unwrap().status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!((candidate_rows(&app).await, child_rows(&app).await), (0, 0), "nothing was stored");
    assert_eq!(crate::common::outbox(&app).await.len(), outbox_before, "nothing was recorded");

    // The export, then the same again: the same candidate, unchanged.
    let qualified = with(
        grace(),
        json!({"skills": [{"skill": "SQL", "level": "3"}, {"skill": "RUST", "level": "expert"}],
               "certificates": [{"certificate_type": "FIRSTAID", "issued_on": "2025-01-01"}]}),
    );
    let first = ats.post(EXPORT, qualified.clone()).await.is(CREATED);
    assert_eq!((first["status"].as_str(), first["version"].as_i64()), (Some("to_hire"), Some(1)));
    assert_eq!(
        (first["source_app"].as_str(), first["received_at"].as_str()),
        (Some(&*client_id), Some("2026-03-02T09:00:00Z"))
    );
    let levels = json!([{"skill": "RUST", "level": "Expert"}, {"skill": "SQL", "level": "Competent"}]);
    assert_eq!(first["skills"], levels, "levels are stored by their names");
    let again = ats.post(EXPORT, qualified.clone()).await.is(OK);
    assert_eq!(again, first, "the same export returns the same candidate");
    assert_eq!((candidate_rows(&app).await, child_rows(&app).await), (1, 3));

    // A changed export updates it while it is to hire.
    app.clock.advance(chrono::Duration::minutes(5));
    let changed =
        ats.post(EXPORT, with(qualified.clone(), json!({"phone": "0113 496 0000", "skills": []}))).await.is(OK);
    assert_eq!((changed["id"].clone(), changed["version"].as_i64()), (first["id"].clone(), Some(2)));
    assert_eq!((changed["phone"].as_str(), changed["skills"].clone()), (Some("0113 496 0000"), json!([])));
    assert_eq!(changed["received_at"], first["received_at"], "received when first exported");
    assert_eq!((candidate_rows(&app).await, child_rows(&app).await), (1, 1));

    // The outcome, for this app only: another app has its own namespace of external ids.
    let outcome = ats.read(&format!("{EXPORT}/th-1001")).await;
    assert_eq!(outcome, json!({"external_id": "th-1001", "status": "not_processed"}));
    ats.get(&format!("{EXPORT}/th-404")).await.problem(NOT_FOUND, &[]);
    let (other, _) = ats_of(&app, "Other ATS").await;
    other.get(&format!("{EXPORT}/th-1001")).await.problem(NOT_FOUND, &[]);
    let theirs = other.post(EXPORT, grace()).await.is(CREATED);
    assert_ne!(theirs["id"], first["id"]);

    // Outbox and audit: entity candidate keyed by app/external id; the app is named.
    let key = format!("{client_id}/th-1001");
    let entries: Vec<(String, String, i64)> = crate::common::outbox(&app)
        .await
        .into_iter()
        .filter(|e| e.entity == "candidate" && e.entity_key == key)
        .map(|e| (e.operation, e.entity_key, e.version))
        .collect();
    assert_eq!(entries, [("insert".into(), key.clone(), 1), ("update".into(), key.clone(), 2)]);
    let audit = crate::common::audit(&app).await;
    let mine: Vec<(&str, &str, &str)> = audit
        .iter()
        .filter(|e| e.entity == "candidate" && e.record_key == key)
        .map(|e| (e.actor.as_str(), e.actor_kind.as_str(), e.action.as_str()))
        .collect();
    let expected =
        [(&*client_id, "app", "export"), (&*client_id, "app", "export-unchanged"), (&*client_id, "app", "export")];
    assert_eq!(mine, expected, "newest first");
    app.stop().await
}

/// Like [`ats`], under another name: a second app.
async fn ats_of<'a>(app: &'a TestApp, name: &str) -> (Api<'a>, String) {
    ats(app, name).await
}

async fn hire_creates_the_worker_with_the_candidates_data(app: TestApp) {
    let admin = Api::admin(&app).await;
    seed_catalog(&admin).await;
    admin.create("/hr/jobs", json!({"job_id": "DEV", "title": "Software developer"})).await;
    admin.create("/hr/positions", json!({"position_number": "P-1", "job_id": "DEV", "location": "Leeds"})).await;
    worker(&admin, Some("W9"), "Alan", "Turing").await;
    admin.create("/hr/positions", json!({"position_number": "P-2", "job_id": "DEV", "worker": "W9"})).await;
    let (ats, client_id) = ats(&app, "Talent Hub").await;
    let export = with(
        grace(),
        json!({"skills": [{"skill": "RUST", "level": "Expert"}, {"skill": "SQL", "level": "Novice"}],
               "certificates": [{"certificate_type": "FORKLIFT", "issued_on": "2025-01-01", "expires_on": "2027-01-01"},
                                {"certificate_type": "FIRSTAID", "issued_on": "2024-06-01"}]}),
    );
    let candidate = ats.post(EXPORT, export.clone()).await.is(CREATED);
    let id = candidate["id"].as_str().unwrap().to_string();

    // HR sees it among the candidates to hire, with the app and the time received.
    let hr = Api::role(&app, "hr-manager").await;
    let list = hr.read("/hr/candidates?status=to_hire").await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(
        (items[0]["source_app"].as_str(), items[0]["received_at"].as_str()),
        (Some(&*client_id), Some("2026-03-02T09:00:00Z"))
    );
    hr.get("/hr/candidates?status=maybe").await.problem(INVALID, &["status"]);
    assert_eq!(hr.read(&format!("/hr/candidates/{id}")).await, candidate);
    // Its version is its ETag, like every HR record's.
    let response =
        app.request(Method::GET, &format!("/api/v1/hr/candidates/{id}"), Some(&hr.token)).send().await.unwrap();
    let etag = response.headers().get(header::ETAG).map(|v| v.to_str().unwrap().to_string());
    assert_eq!(etag, Some(format!("\"{}\"", candidate["version"])), "{candidate}");

    // Refusals change nothing.
    let hire = format!("/hr/candidates/{id}/hire");
    let outbox_before = crate::common::outbox(&app).await.len();
    let body = hr.post(&hire, json!({"position_number": "P-2"})).await.problem(CONFLICT, &["position_number"]);
    assert!(body["detail"].as_str().unwrap().contains("already filled by worker 'W9'"), "{body}");
    hr.post(&hire, json!({"position_number": "P-404"})).await.problem(INVALID, &["position_number"]);
    hr.post(&hire, json!({"position_number": "P-1", "personnel_number": "W9"}))
        .await
        .problem(CONFLICT, &["personnel_number"]);
    hr.post(&hire, json!({})).await.problem(INVALID, &["position_number"]);
    hr.post("/hr/candidates/12345/hire", json!({"position_number": "P-1"})).await.problem(NOT_FOUND, &[]);
    hr.post("/hr/candidates/abc/hire", json!({"position_number": "P-1"})).await.problem(NOT_FOUND, &[]);
    assert_eq!(crate::common::outbox(&app).await.len(), outbox_before);
    assert_eq!(app.state.hr.worker_count().await.unwrap(), 1);

    // The hire: the seed's fields, the position (its job gives the title), skills and certificates.
    app.clock.advance(chrono::Duration::minutes(29));
    let hired = hr.post(&hire, json!({"position_number": "P-1"})).await.is(CREATED);
    let worker = &hired["worker"];
    assert_eq!(worker["personnel_number"], "000001");
    let seed_fields = ["first_name", "last_name", "email", "phone", "employment_start"].map(|f| worker[f].clone());
    assert_eq!(
        seed_fields,
        [json!("Grace"), json!("Hopper"), json!("grace@example.com"), json!("+15551234567"), json!("2026-04-01")]
    );
    assert_eq!(worker["position"], "P-1");
    let skills: Vec<(String, String)> = worker["skills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["skill"].as_str().unwrap().into(), s["level"].as_str().unwrap().into()))
        .collect();
    assert_eq!(skills, [("RUST".to_string(), "Expert".to_string()), ("SQL".into(), "Novice".into())]);
    let certificates: Vec<(&str, Option<&str>)> = worker["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["certificate_type"].as_str().unwrap(), c["expires_on"].as_str()))
        .collect();
    assert_eq!(certificates, [("FIRSTAID", None), ("FORKLIFT", Some("2027-01-01"))]);
    let candidate = &hired["candidate"];
    assert_eq!((candidate["status"].as_str(), candidate["personnel_number"].as_str()), (Some("hired"), Some("000001")));
    assert_eq!(
        (candidate["decided_by"].as_str(), candidate["decided_at"].as_str()),
        (Some("user-hr-manager"), Some("2026-03-02T09:29:00Z"))
    );
    let position = hr.read("/hr/positions/P-1").await;
    assert_eq!((position["worker"].as_str(), position["title"].as_str()), (Some("000001"), Some("Software developer")));
    assert_eq!(hr.read("/hr/workers/000001").await, *worker);

    // Everything in the outbox, like the worker and position writes record it.
    let recorded: Vec<(String, String, String)> = crate::common::outbox(&app).await[outbox_before..]
        .iter()
        .map(|e| (e.entity.clone(), e.entity_key.clone(), e.operation.clone()))
        .collect();
    let e = |entity: &str, key: &str, op: &str| (entity.to_string(), key.to_string(), op.to_string());
    let expected = [
        e("worker", "000001", "insert"),
        e("position", "P-1", "update"),
        e("worker-skill", "000001/RUST", "insert"),
        e("worker-skill", "000001/SQL", "insert"),
        e("worker-certificate", "000001/FIRSTAID", "insert"),
        e("worker-certificate", "000001/FORKLIFT", "insert"),
        e("candidate", &format!("{client_id}/th-1001"), "update"),
    ];
    assert_eq!(recorded, expected);
    let audit = crate::common::audit(&app).await;
    assert_eq!(
        (audit[0].actor.as_str(), audit[0].action.as_str(), audit[0].entity.as_str()),
        ("user-hr-manager", "hire", "candidate")
    );

    // Once hired: no second hire, no changed export; the same export is still fine.
    let body = hr.post(&hire, json!({"position_number": "P-1"})).await.problem(CONFLICT, &[]);
    assert!(body["detail"].as_str().unwrap().contains("already hired"), "{body}");
    ats.post(EXPORT, with(export.clone(), json!({"phone": "+15550000000"}))).await.problem(CONFLICT, &[]);
    ats.post(EXPORT, export).await.is(OK);
    let outcome = ats.read(&format!("{EXPORT}/th-1001")).await;
    assert_eq!(outcome, json!({"external_id": "th-1001", "status": "hired", "personnel_number": "000001"}));
    assert_eq!(hr.read("/hr/candidates?status=to_hire").await["items"], json!([]));
    assert_eq!(hr.keys("/hr/candidates?status=hired", "external_id").await, ["th-1001"]);

    // A given personnel number and employment start.
    let second = ats.post(EXPORT, with(grace(), json!({"external_id": "th-1002"}))).await.is(CREATED);
    admin.create("/hr/positions", json!({"position_number": "P-3", "job_id": "DEV"})).await;
    let body = json!({"position_number": "P-3", "personnel_number": "E-77", "employment_start": "2026-05-01"});
    let hired = hr.post(&format!("/hr/candidates/{}/hire", second["id"].as_str().unwrap()), body).await.is(CREATED);
    let worker = &hired["worker"];
    assert_eq!(
        (worker["personnel_number"].as_str(), worker["employment_start"].as_str()),
        (Some("E-77"), Some("2026-05-01"))
    );
    app.stop().await
}

async fn do_not_hire_and_dismiss_close_without_a_worker(app: TestApp) {
    let (ats, _) = ats(&app, "Talent Hub").await;
    let a = ats.post(EXPORT, grace()).await.is(CREATED)["id"].as_str().unwrap().to_string();
    let b = ats.post(EXPORT, with(grace(), json!({"external_id": "th-1002"}))).await.is(CREATED)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let hr = Api::role(&app, "hr-manager").await;
    hr.post(&format!("/hr/candidates/{a}/do-not-hire"), json!({"reason": " "})).await.problem(INVALID, &["reason"]);
    hr.post(&format!("/hr/candidates/{a}/do-not-hire"), json!({})).await.problem(INVALID, &["reason"]);
    let closed = hr.post(&format!("/hr/candidates/{a}/do-not-hire"), json!({"reason": "NO-SHOW"})).await.is(OK);
    assert_eq!((closed["status"].as_str(), closed["reason"].as_str()), (Some("not_hired"), Some("NO-SHOW")));
    hr.post(&format!("/hr/candidates/{a}/dismiss"), json!({})).await.problem(CONFLICT, &[]);
    hr.post(&format!("/hr/candidates/{a}/do-not-hire"), json!({"reason": "X"})).await.problem(CONFLICT, &[]);
    let dismissed = hr.post(&format!("/hr/candidates/{b}/dismiss"), json!({})).await.is(OK);
    assert_eq!(dismissed["status"], "dismissed");
    hr.post(&format!("/hr/candidates/{b}/hire"), json!({"position_number": "P-1"})).await.problem(CONFLICT, &[]);
    hr.post("/hr/candidates/999/dismiss", json!({})).await.problem(NOT_FOUND, &[]);
    assert_eq!(app.state.hr.worker_count().await.unwrap(), 0, "no worker");
    assert_eq!(ats.read(&format!("{EXPORT}/th-1001")).await["status"], "not_hired");
    assert_eq!(ats.read(&format!("{EXPORT}/th-1002")).await["status"], "dismissed");
    let actions: Vec<String> = crate::common::audit(&app).await.iter().take(2).map(|e| e.action.clone()).collect();
    assert_eq!(actions, ["dismiss", "do-not-hire"]);
    app.stop().await
}

async fn the_ats_role_is_confined_to_candidates(app: TestApp) {
    let (ats, client_id) = ats(&app, "Talent Hub").await;
    let (other, _) = ats_of(&app, "Other ATS").await;
    let id = ats.post(EXPORT, grace()).await.is(CREATED)["id"].as_str().unwrap().to_string();
    other.post(EXPORT, with(grace(), json!({"external_id": "o-1"}))).await.is(CREATED);
    ats.get("/hr/workers").await.problem(FORBIDDEN, &[]);
    let answer = ats.post(&format!("/hr/candidates/{id}/hire"), json!({"position_number": "P-1"})).await;
    assert_eq!(answer.detail(FORBIDDEN), "your role does not allow write on candidate");
    ats.post(&format!("/hr/candidates/{id}/dismiss"), json!({})).await.problem(FORBIDDEN, &[]);
    ats.read("/scheduling/metadata/entities").await;
    // It reads its own candidates only.
    assert_eq!(ats.keys("/hr/candidates", "source_app").await, [client_id]);
    other.get(&format!("/hr/candidates/{id}")).await.problem(NOT_FOUND, &[]);
    // A role without create on candidate cannot export, whatever the body.
    let reader = Api::role(&app, "read-only").await;
    reader.post(EXPORT, grace()).await.problem(FORBIDDEN, &[]);
    reader.post(EXPORT, json!({"nonsense": true})).await.problem(FORBIDDEN, &[]);
    // No token, no export.
    let response = app.request(Method::POST, &format!("/api/v1{EXPORT}"), None).json(&grace()).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(candidate_rows(&app).await, 2);
    app.stop().await
}

async fn exports_are_rate_limited_per_app(app: TestApp) {
    let (ats, _) = ats(&app, "Talent Hub").await;
    let (other, _) = ats_of(&app, "Other ATS").await;
    app.state.ats_limiter.set_limit(1, 3);
    // The burst of 3 goes through; then, whatever the machine's speed, a 429 comes within a few
    // more (the bucket refills at one per second of wall time).
    let mut accepted = 0;
    let refused = loop {
        let body = with(grace(), json!({"external_id": format!("r-{accepted}")}));
        let request = app.request(Method::POST, &format!("/api/v1{EXPORT}"), Some(&ats.token)).json(&body);
        let response = request.send().await.unwrap();
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            break response;
        }
        assert_eq!(response.status(), CREATED);
        accepted += 1;
        assert!(accepted < 20, "no 429 after {accepted} exports");
    };
    assert!(accepted >= 3, "the burst of 3 was allowed, got {accepted}");
    let retry: u64 = refused.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert_eq!(retry, 1, "Retry-After in whole seconds");
    assert_eq!(refused.headers()[header::CONTENT_TYPE], "application/problem+json");
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["status"], 429, "{problem}");
    other.post(EXPORT, grace()).await.is(CREATED);
    assert_eq!(candidate_rows(&app).await, accepted + 1, "the refused export was not stored");
    app.stop().await
}

/// JSON of any shape: scalars, strings, arrays and objects nested a few levels.
fn any_json() -> impl Strategy<Value = Value> {
    use proptest::prelude::*;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        ".{0,40}".prop_map(Value::String),
        "[0-9+ ()-]{0,25}".prop_map(Value::String),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::hash_map("[a-z_]{1,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A valid export with some fields replaced by random values, some removed, and maybe one added.
fn near_valid() -> impl Strategy<Value = Value> {
    use proptest::prelude::*;
    let fields = [
        "external_id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "start_date",
        "job_title",
        "location",
        "skills",
        "certificates",
    ];
    (
        proptest::collection::vec((0..fields.len(), any_json()), 0..4),
        proptest::collection::vec(0..fields.len(), 0..3),
        proptest::option::of(("[a-z]{1,8}", any_json())),
        any::<u32>(),
    )
        .prop_map(move |(replace, remove, extra, n)| {
            let mut body = with(grace(), json!({"external_id": format!("p-{n}")}));
            for (i, value) in replace {
                body[fields[i]] = value;
            }
            for i in remove {
                body.as_object_mut().unwrap().remove(fields[i]);
            }
            if let Some((key, value)) = extra {
                body[key] = value;
            }
            body
        })
}

/// `n` random export bodies, the same every run.
fn random_cases(n: usize) -> Vec<Value> {
    let mut runner = TestRunner::deterministic();
    let strategy = proptest::prop_oneof![any_json(), near_valid()];
    (0..n).map(|_| strategy.new_tree(&mut runner).expect("a case").current()).collect()
}

async fn random_exports_never_fail_the_server_or_store_anything(app: TestApp) {
    let admin = Api::admin(&app).await;
    seed_catalog(&admin).await;
    let (ats, _) = ats(&app, "Fuzzy ATS").await;
    app.state.ats_limiter.set_limit(1_000_000, 1_000_000);
    let cases = random_cases(150);
    let mut accepted = 0;
    for body in cases {
        let before = (candidate_rows(&app).await, child_rows(&app).await, crate::common::outbox(&app).await.len());
        let answer = ats.post(EXPORT, body.clone()).await;
        assert!(answer.status.as_u16() < 500, "{body} answered {} {}", answer.status, answer.body);
        let after = (candidate_rows(&app).await, child_rows(&app).await, crate::common::outbox(&app).await.len());
        if answer.status.is_success() {
            accepted += 1;
        } else {
            assert_eq!(before, after, "the refused export {body} ({}) stored something", answer.status);
            assert!(answer.body["status"].is_u64(), "a problem document: {}", answer.body);
        }
    }
    assert!(accepted < 150, "most random bodies are refused");
    app.stop().await
}
