//! Workers over HTTP: numbering, validation, merge-patch, search and paging, and their skills
//! and certificates (with expiry moving with the clock).

use crate::common::{seed_catalog, worker, Api, CONFLICT, INVALID, NOT_FOUND, OK};
use hrbridge_testkit::TestApp;
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

/// The tests of this file, for the harness in `main.rs`.
pub fn tests() -> Vec<(&'static str, hrbridge_testkit::TestFn)> {
    vec![
        hrbridge_testkit::test_fn!(workers_numbering_and_validation),
        hrbridge_testkit::test_fn!(worker_list_search_and_paging),
        hrbridge_testkit::test_fn!(worker_skills),
        hrbridge_testkit::test_fn!(worker_certificates_expire_with_the_clock),
    ]
}

async fn workers_numbering_and_validation(app: TestApp) {
    let api = Api::admin(&app).await;
    let body = json!({"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "employment_start": "2024-01-15"});
    let ada = api.create("/hr/workers", body).await;
    assert_eq!(ada["personnel_number"], "000001");
    assert_eq!(
        (ada["status"].as_str(), ada["version"].as_i64(), ada["email"].as_str()),
        (Some("active"), Some(1), Some("ada@example.com"))
    );
    assert_eq!((&ada["skills"], &ada["certificates"], &ada["position"]), (&json!([]), &json!([]), &Value::Null));
    assert_eq!(worker(&api, None, "Grace", "Hopper").await["personnel_number"], "000002");
    assert_eq!(worker(&api, Some("000003"), "Alan", "Turing").await["personnel_number"], "000003");
    let next = worker(&api, None, "Edsger", "Dijkstra").await;
    assert_eq!(next["personnel_number"], "000004", "the sequence skips numbers taken by hand");

    let person = |extra: Value| {
        let mut body = json!({"first_name": "X", "last_name": "Y"});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    api.post("/hr/workers", person(json!({"personnel_number": "000003"})))
        .await
        .problem(CONFLICT, &["personnel_number"]);
    api.post("/hr/workers", person(json!({"email": "x-at-example"}))).await.problem(INVALID, &["email"]);
    let dates = json!({"employment_start": "2024-05-01", "employment_end": "2024-04-01"});
    api.post("/hr/workers", person(dates)).await.problem(INVALID, &["employment_end"]);
    api.post("/hr/workers", person(json!({"status": "retired"}))).await.problem(INVALID, &["status"]);
    api.post("/hr/workers", person(json!({"phone": "call me"}))).await.problem(INVALID, &["phone"]);
    api.post("/hr/workers", json!({"first_name": "X"})).await.problem(INVALID, &["last_name"]);
    let bad = json!({"personnel_number": "no spaces", "first_name": " ", "last_name": "Y", "email": "x"});
    api.post("/hr/workers", bad).await.problem(INVALID, &["personnel_number", "first_name", "email"]);
    assert_eq!(app.state.hr.worker_count().await.unwrap(), 4, "refused workers were not stored");

    // Malformed JSON is a 400 problem, another content type a 415.
    let raw = |content_type: &'static str, body: &'static str| {
        let request = app.request(Method::POST, "/api/v1/hr/workers", Some(&api.token));
        request.header(header::CONTENT_TYPE, content_type).body(body).send()
    };
    let response = raw("application/json", "{\"first_name\": ").await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/problem+json");
    assert_eq!(raw("text/plain", "first_name=Ada").await.unwrap().status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // PATCH merges into the stored worker; null removes a field.
    let one = "/hr/workers/000001";
    let patched = api.patch(one, json!({"phone": "+15551234567"})).await.is(OK);
    let fields = |w: &Value| {
        let f = |k: &str| w[k].as_str().map(str::to_string);
        (f("phone"), f("email"), f("first_name"), f("employment_start"), f("status"), w["version"].as_i64())
    };
    let text = |s: &str| Some(s.to_string());
    let expected =
        (text("+15551234567"), text("ada@example.com"), text("Ada"), text("2024-01-15"), text("active"), Some(2));
    assert_eq!(fields(&patched), expected);
    let cleared = api.patch(one, json!({"email": null, "status": "inactive"})).await.is(OK);
    let expected = (text("+15551234567"), None, text("Ada"), text("2024-01-15"), text("inactive"), Some(3));
    assert_eq!(fields(&cleared), expected);
    api.patch(one, json!({"email": "nope"})).await.problem(INVALID, &["email"]);
    api.patch(one, json!({"personnel_number": "X1"})).await.problem(INVALID, &["personnel_number"]);
    api.patch(one, json!({"employment_end": "2020-01-01"})).await.problem(INVALID, &["employment_end"]);
    api.patch(one, json!({"first_name": 7})).await.problem(INVALID, &["first_name"]);
    assert_eq!(api.read(one).await, cleared, "refused patches changed nothing");
    api.patch("/hr/workers/NOBODY", json!({"phone": "+15551234567"})).await.problem(NOT_FOUND, &[]);

    api.remove("/hr/workers/000002").await;
    api.get("/hr/workers/000002").await.problem(NOT_FOUND, &[]);
    api.delete("/hr/workers/000002").await.problem(NOT_FOUND, &[]);
    assert_eq!(app.state.hr.worker_count().await.unwrap(), 3);
    app.stop().await
}

/// Walks every page of `query` and returns each page's personnel numbers.
async fn walk(api: &Api<'_>, query: &str) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut url = format!("/hr/workers?{query}");
    loop {
        let page = api.read(&url).await;
        let items = page["items"].as_array().expect("items");
        pages.push(items.iter().map(|w| w["personnel_number"].as_str().unwrap().to_string()).collect());
        match page["next"].as_str() {
            Some(next) => url = format!("/hr/workers?{query}&after={next}"),
            None => return pages,
        }
        assert!(pages.len() < 20, "paging does not end");
    }
}

async fn search(api: &Api<'_>, q: &str) -> Vec<String> {
    api.keys(&format!("/hr/workers?q={q}"), "personnel_number").await
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

async fn worker_list_search_and_paging(app: TestApp) {
    let api = Api::admin(&app).await;
    let people = [
        ("Ada", "Lovelace", "ada@analytical.org"),
        ("John", "Smith", "john@example.com"),
        ("Grace", "Hopper", "grace@navy.example"),
        ("Jane", "Smithson", "jane@example.com"),
        ("Alan", "Turing", "alan@bletchley.example"),
        ("Agent", "Blacksmith", "agent@example.com"),
        ("Edsger", "Dijkstra", "ewd@example.nl"),
    ];
    for (first, last, email) in people {
        api.create("/hr/workers", json!({"first_name": first, "last_name": last, "email": email})).await;
    }
    let all: Vec<String> = (1..=7).map(|i| format!("{i:06}")).collect();
    assert_eq!(api.keys("/hr/workers", "personnel_number").await, all);

    assert_eq!(search(&api, "smith").await, ["000002", "000004", "000006"]);
    assert_eq!(search(&api, "SMITH").await, ["000002", "000004", "000006"], "case-insensitive");
    assert_eq!(search(&api, "navy.example").await, ["000003"], "by email");
    assert_eq!(search(&api, "Ada").await, ["000001"], "by first name");
    assert_eq!(search(&api, "000005").await, ["000005"], "by personnel number");
    assert_eq!(search(&api, "a%25").await, Vec::<String>::new(), "% is literal");
    assert_eq!(search(&api, "nobody").await, Vec::<String>::new());

    let pages = walk(&api, "limit=3").await;
    assert_eq!(pages, [all[0..3].to_vec(), all[3..6].to_vec(), all[6..7].to_vec()]);
    assert_eq!(walk(&api, "limit=7").await, [all.as_slice()], "an exact last page has no next");
    let pages = walk(&api, "q=smith&limit=2").await;
    assert_eq!(pages, [strings(&["000002", "000004"]), strings(&["000006"])]);
    for (query, field) in [("limit=0", "limit"), ("limit=1001", "limit"), ("after=%21%21", "after")] {
        api.get(&format!("/hr/workers?{query}")).await.problem(INVALID, &[field]);
    }
    app.stop().await
}

async fn worker_skills(app: TestApp) {
    let api = Api::admin(&app).await;
    seed_catalog(&api).await;
    worker(&api, Some("W1"), "Ada", "Lovelace").await;
    let rust = "/hr/workers/W1/skills/RUST";
    let body = api.put(rust, json!({"level": "Guru"})).await.problem(INVALID, &["level"]);
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("levels are: Novice, Competent, Expert"), "{message}");
    api.put("/hr/workers/W1/skills/NOPE", json!({"level": "Expert"})).await.problem(INVALID, &["skill"]);
    api.put(rust, json!({})).await.problem(INVALID, &["level"]);
    api.put(rust, json!({"level": "Expert", "level_date": "yesterday"})).await.problem(INVALID, &["level_date"]);
    api.put("/hr/workers/NOBODY/skills/RUST", json!({"level": "Expert"})).await.problem(NOT_FOUND, &[]);

    let set = api.put(rust, json!({"level": "expert"})).await.is(OK);
    let expected = json!({"skill": "RUST", "version": 1, "skill_name": "Rust", "level": "Expert", "factor": 5, "level_date": "2026-03-02"});
    assert_eq!(set, expected, "a level by name, any case; dated today by default");
    api.put(rust, json!({"level": "Novice", "level_date": "2025-01-15"})).await.is(OK);
    api.put("/hr/workers/W1/skills/SQL", json!({"level": "3"})).await.is(OK);
    let skills = &api.read("/hr/workers/W1").await["skills"];
    let expected = json!([
        {"skill": "RUST", "version": 2, "skill_name": "Rust", "level": "Novice", "factor": 1, "level_date": "2025-01-15"},
        {"skill": "SQL", "version": 1, "skill_name": "SQL", "level": "Competent", "factor": 3, "level_date": "2026-03-02"}]);
    assert_eq!(skills, &expected, "a level by factor too");
    api.remove("/hr/workers/W1/skills/SQL").await;
    api.delete("/hr/workers/W1/skills/SQL").await.problem(NOT_FOUND, &[]);
    let skills = api.read("/hr/workers/W1").await["skills"].clone();
    assert_eq!(skills.as_array().unwrap().len(), 1);
    app.stop().await
}

/// (certificate type, expired) of a worker's certificates.
fn expiry(worker: &Value) -> Vec<(String, bool)> {
    let certificates = worker["certificates"].as_array().expect("certificates");
    certificates
        .iter()
        .map(|c| (c["certificate_type"].as_str().unwrap().to_string(), c["expired"].as_bool().unwrap()))
        .collect()
}

fn pairs(list: &[(&str, bool)]) -> Vec<(String, bool)> {
    list.iter().map(|(s, b)| (s.to_string(), *b)).collect()
}

async fn worker_certificates_expire_with_the_clock(app: TestApp) {
    let api = Api::admin(&app).await;
    seed_catalog(&api).await;
    worker(&api, Some("W1"), "Ada", "Lovelace").await;
    let cert = |code: &str| format!("/hr/workers/W1/certificates/{code}");
    let dates = json!({"issued_on": "2026-01-10", "expires_on": "2026-01-01"});
    api.put(&cert("FIRSTAID"), dates).await.problem(INVALID, &["expires_on"]);
    let body = api.put(&cert("FORKLIFT"), json!({"issued_on": "2026-01-10"})).await.problem(INVALID, &["expires_on"]);
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("requires renewal"), "{body}");
    api.put(&cert("NOPE"), json!({"issued_on": "2026-01-10"})).await.problem(INVALID, &["certificate_type"]);
    api.put(&cert("FIRSTAID"), json!({"issued_on": "10/01/2026"})).await.problem(INVALID, &["issued_on"]);
    assert_eq!(api.read("/hr/workers/W1").await["certificates"], json!([]));

    let dates = json!({"issued_on": "2025-03-01", "expires_on": "2026-03-10"});
    let set = api.put(&cert("FORKLIFT"), dates).await.is(OK);
    let expected = json!({"certificate_type": "FORKLIFT", "version": 1, "name": "Forklift licence",
                          "issued_on": "2025-03-01", "expires_on": "2026-03-10", "expired": false});
    assert_eq!(set, expected);
    api.put(&cert("FIRSTAID"), json!({"issued_on": "2020-05-05"})).await.is(OK);
    let w = api.read("/hr/workers/W1").await;
    assert_eq!(expiry(&w), pairs(&[("FIRSTAID", false), ("FORKLIFT", false)]));

    // Eight days on it is the last valid day; ten days on it has expired. (The hour-long token
    // has expired too: sign in again.)
    app.clock.advance(chrono::Duration::days(8));
    let api = Api::admin(&app).await;
    assert_eq!(expiry(&api.read("/hr/workers/W1").await), pairs(&[("FIRSTAID", false), ("FORKLIFT", false)]));
    app.clock.advance(chrono::Duration::days(2));
    let api = Api::admin(&app).await;
    let w = api.read("/hr/workers/W1").await;
    assert_eq!(expiry(&w), pairs(&[("FIRSTAID", false), ("FORKLIFT", true)]));
    let listed = api.read("/hr/workers?q=W1").await;
    assert_eq!(expiry(&listed["items"][0]), expiry(&w), "the list shows it too");

    // Renewed, it is valid again; removed, it is gone.
    let renewed = json!({"issued_on": "2026-03-12", "expires_on": "2028-03-12"});
    assert_eq!(api.put(&cert("FORKLIFT"), renewed).await.is(OK)["expired"], false);
    api.remove(&cert("FIRSTAID")).await;
    api.delete(&cert("FIRSTAID")).await.problem(NOT_FOUND, &[]);
    assert_eq!(expiry(&api.read("/hr/workers/W1").await), pairs(&[("FORKLIFT", false)]));
    app.stop().await
}
