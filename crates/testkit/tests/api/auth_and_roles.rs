//! Sign-in and tokens on every route; what each role may do on every route; users and custom
//! roles; the audit log; the OpenAPI document and the plain endpoints.

use crate::common::{
    concrete, guarded_operations, openapi_operations, seed_catalog, send_raw, worker, Api, CONFLICT, FORBIDDEN, INVALID,
};
use hrbridge_testkit::{TestApp, ADMIN_PASSWORD};
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

/// The tests of this file, for the harness in `main.rs`.
pub fn tests() -> Vec<(&'static str, hrbridge_testkit::TestFn)> {
    vec![
        hrbridge_testkit::test_fn!(login),
        hrbridge_testkit::test_fn!(every_route_needs_a_valid_token),
        hrbridge_testkit::test_fn!(openapi_lists_the_contract),
        hrbridge_testkit::test_fn!(plain_endpoints),
        hrbridge_testkit::test_fn!(read_only_reads_and_is_refused_writes),
        hrbridge_testkit::test_fn!(hr_manager_is_refused_administration),
        hrbridge_testkit::test_fn!(administrator_creates_users),
        hrbridge_testkit::test_fn!(custom_roles_grant_what_they_list),
        hrbridge_testkit::test_fn!(audit_log_shows_who_did_what),
    ]
}

const LOGIN: &str = "/api/v1/auth/login";

async fn login_with(app: &TestApp, body: Value) -> (StatusCode, Value) {
    let response = app.request(Method::POST, LOGIN, None).json(&body).send().await.expect("login");
    (response.status(), response.json().await.unwrap_or(Value::Null))
}

async fn login(app: TestApp) {
    let (status, body) = login_with(&app, json!({"username": "admin", "password": ADMIN_PASSWORD})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["token_type"].as_str(), body["expires_in"].as_i64()), (Some("Bearer"), Some(3600)));
    let token = body["access_token"].as_str().expect("a token").to_string();
    Api { app: &app, token }.read("/hr/workers").await;

    let wrong = login_with(&app, json!({"username": "admin", "password": "not-the-password"})).await;
    let unknown = login_with(&app, json!({"username": "nobody", "password": "not-the-password"})).await;
    crate::common::assert_problem(&wrong, StatusCode::UNAUTHORIZED, &[]);
    assert_eq!(wrong, unknown, "a wrong password and an unknown user get the same answer");
    assert_eq!(wrong.1["detail"], "wrong username or password");
    let request = app.request(Method::POST, LOGIN, None).json(&json!({"username": "x", "password": "y"}));
    assert_eq!(request.send().await.unwrap().headers()[header::WWW_AUTHENTICATE], "Bearer");

    let answer = login_with(&app, json!({"username": "admin"})).await;
    crate::common::assert_problem(&answer, INVALID, &["password"]);
    let request = app.request(Method::POST, LOGIN, None).header(header::CONTENT_TYPE, "application/json");
    assert_eq!(request.body("{").send().await.unwrap().status(), StatusCode::BAD_REQUEST);
    let request = app.request(Method::POST, LOGIN, None).body("username=admin");
    assert_eq!(request.send().await.unwrap().status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // Sign-ins and refusals are audited, without the password.
    let entries = crate::common::audit(&app).await;
    let actions: Vec<(&str, &str)> = entries.iter().map(|e| (e.actor.as_str(), e.action.as_str())).collect();
    assert!(actions.contains(&("admin", "sign-in")), "{actions:?}");
    // A name that is no account is not kept (it may be a password typed in the wrong field).
    assert!(actions.contains(&("unknown-user", "sign-in-refused")), "{actions:?}");
    assert!(!entries.iter().any(|e| e.actor == "nobody" || e.record_key == "nobody"), "{actions:?}");
    assert!(entries.iter().all(|e| !e.detail.to_string().contains("not-the-password")));
    app.stop().await
}

async fn every_route_needs_a_valid_token(app: TestApp) {
    let operations = guarded_operations(&app).await;
    let api = Api::admin(&app).await;
    let (payload, signature) = api.token[3..].split_once('.').unwrap();
    let tampered = format!("v1.{payload}x.{signature}");
    for (method, template) in &operations {
        let path = concrete(template);
        for bad in [None, Some("garbage"), Some(tampered.as_str())] {
            let (status, body) = send_raw(&app, method, &path, bad).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path} with token {bad:?}: {body}");
            assert_eq!(body["status"], 401, "a problem document: {body}");
        }
    }
    let basic = app.request(Method::GET, "/api/v1/hr/workers", None).header(header::AUTHORIZATION, "Basic YTpi");
    assert_eq!(basic.send().await.unwrap().status(), StatusCode::UNAUTHORIZED);

    // The token works for its hour (used at least every half hour), then nowhere.
    api.read("/hr/workers").await;
    app.clock.advance(chrono::Duration::seconds(1799));
    api.read("/hr/workers").await;
    app.clock.advance(chrono::Duration::seconds(1799));
    api.read("/hr/workers").await;
    app.clock.advance(chrono::Duration::seconds(3));
    for (method, template) in &operations {
        let path = concrete(template);
        let (status, body) = send_raw(&app, method, &path, Some(&api.token)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path} with an expired token: {body}");
        assert!(body["detail"].as_str().unwrap_or("").contains("expired"), "{body}");
    }
    assert_eq!(app.state.hr.worker_count().await.unwrap(), 0);
    assert!(crate::common::outbox(&app).await.is_empty(), "nothing was written");
    app.stop().await
}

async fn openapi_lists_the_contract(app: TestApp) {
    let response = app.client.get(app.url("/api/openapi.json")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let doc: Value = response.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{}", doc["openapi"]);
    let contract: [(&str, &[&str]); 29] = [
        ("/healthz", &["get"]),
        ("/metrics", &["get"]),
        ("/api/v1/auth/login", &["post"]),
        ("/api/v1/hr/workers", &["get", "post"]),
        ("/api/v1/hr/workers/{personnel_number}", &["get", "patch", "delete"]),
        ("/api/v1/hr/workers/{personnel_number}/skills/{skill_code}", &["put", "delete"]),
        ("/api/v1/hr/workers/{personnel_number}/certificates/{code}", &["put", "delete"]),
        ("/api/v1/hr/skill-types", &["get", "post"]),
        ("/api/v1/hr/rating-models", &["get", "post"]),
        ("/api/v1/hr/rating-models/{code}", &["get", "patch", "delete"]),
        ("/api/v1/hr/skills", &["get", "post"]),
        ("/api/v1/hr/certificate-types", &["get", "post"]),
        ("/api/v1/hr/jobs", &["get", "post"]),
        ("/api/v1/hr/positions", &["get", "post"]),
        ("/api/v1/hr/positions/{position_number}", &["get", "patch", "delete"]),
        ("/api/v1/hr/imports/workers", &["post"]),
        ("/api/v1/admin/users", &["get", "post"]),
        ("/api/v1/admin/roles", &["get", "post"]),
        ("/api/v1/admin/audit", &["get"]),
        ("/api/v1/scheduling/rating-models", &["get", "post"]),
        ("/api/v1/scheduling/rating-models/{name}", &["get", "patch", "delete"]),
        ("/api/v1/scheduling/characteristics", &["get", "post"]),
        ("/api/v1/scheduling/characteristics/{name}", &["get", "patch", "delete"]),
        ("/api/v1/scheduling/bookable-resources", &["get", "post"]),
        ("/api/v1/scheduling/bookable-resources/{id}", &["get", "patch", "delete"]),
        ("/api/v1/scheduling/bookable-resources/{id}/characteristics/{characteristic_name}", &["put", "delete"]),
        ("/api/v1/scheduling/resource-requirements", &["get", "post"]),
        ("/api/v1/scheduling/resource-requirements/{id}", &["get", "patch", "delete"]),
        ("/api/v1/scheduling/metadata/fields", &["get"]),
    ];
    for (path, methods) in contract {
        let item = &doc["paths"][path];
        assert!(item.is_object(), "{path} is in the OpenAPI document");
        for method in methods {
            assert!(item[method].is_object(), "{method} {path} is in the OpenAPI document");
        }
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object(), "bearer auth is described");
    // Every documented list is served (a 404 from the router would mean it is not).
    let admin = Api::admin(&app).await;
    for (method, template) in openapi_operations(&app).await {
        if method == Method::GET && !template.contains('{') && template.starts_with("/api/") {
            admin.read(&template).await;
        }
    }
    app.stop().await
}

async fn plain_endpoints(app: TestApp) {
    let response = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let health: Value = response.json().await.unwrap();
    assert_eq!(health, json!({"status": "ok", "hr_store": "up", "scheduling_store": "up"}));
    Api::admin(&app).await.read("/hr/workers").await;
    let response = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/plain"));
    let text = response.text().await.unwrap();
    let line = text.lines().find(|l| {
        l.starts_with("hrbridge_http_requests_total{")
            && l.contains("route=\"/api/v1/hr/workers\"")
            && l.contains("status=\"200\"")
    });
    let line = line.unwrap_or_else(|| panic!("a request counter for GET /api/v1/hr/workers in:\n{text}"));
    let count: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(count >= 1.0, "{line}");
    assert!(text.contains("hrbridge_workers"), "the worker gauge: {text}");
    app.stop().await
}

async fn read_only_reads_and_is_refused_writes(app: TestApp) {
    let admin = Api::admin(&app).await;
    seed_catalog(&admin).await;
    worker(&admin, Some("W1"), "Ada", "Lovelace").await;
    admin.create("/hr/jobs", json!({"job_id": "DEV", "title": "Developer"})).await;
    admin.create("/hr/positions", json!({"position_number": "P-1", "job_id": "DEV", "worker": "W1"})).await;
    let values = json!([{"name": "Expert", "value": 5}]);
    admin
        .create("/scheduling/rating-models", json!({"name": "P", "min_value": 0, "max_value": 5, "values": values}))
        .await;
    admin.create("/scheduling/characteristics", json!({"name": "Rust", "rating_model": "P"})).await;
    let ada = admin.create("/scheduling/bookable-resources", json!({"name": "Ada"})).await;
    let window =
        json!({"name": "Job", "from": "2026-03-02T08:00:00Z", "to": "2026-03-02T09:00:00Z", "duration_minutes": 60});
    admin.create("/scheduling/resource-requirements", window).await;
    let booking = json!({"resource_id": ada["id"], "start": "2026-03-02T08:00:00Z", "end": "2026-03-02T09:00:00Z"});
    admin.create("/scheduling/bookings", booking).await;
    // A candidate to hire, exported by an ATS app.
    let registration = json!({"name": "Talent Hub", "user": "admin", "role": "ats-integration"});
    let registered = admin.create("/admin/apps", registration).await;
    let (client_id, secret) =
        (registered["client_id"].as_str().unwrap(), registered["client_secret"].as_str().unwrap());
    let ats = Api { app: &app, token: app.app_token(client_id, secret).await };
    let grace = json!({"external_id": "th-1", "first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com",
        "phone": "+15551234567", "start_date": "2026-04-01", "job_title": "Developer", "location": "Leeds"});
    ats.create("/ats/hired-candidates", grace).await;
    let before = (crate::common::outbox(&app).await.len(), app.state.hr.worker_count().await.unwrap());
    let scheduling_before = app.state.scheduling.outbox_len().await.unwrap();
    let reader = Api::role(&app, "read-only").await;
    let mut lists = 0;
    for (method, template) in guarded_operations(&app).await {
        // A person's own account (sign out, sessions, password) is everyone's: `accounts` tests it.
        if template.starts_with("/api/v1/auth/") {
            continue;
        }
        let path = concrete(&template);
        let answer = send_raw(&app, &method, &path, Some(&reader.token)).await;
        // Searching is reading, though it is sent as a POST: refused for its empty body or its
        // dummy requirement id, not for the role.
        if template.ends_with("search") {
            let refused_for_input = [StatusCode::UNPROCESSABLE_ENTITY, StatusCode::NOT_FOUND].contains(&answer.0);
            assert!(refused_for_input, "read-only {method} {path}: {} {}", answer.0, answer.1);
        } else if template.starts_with("/api/v1/admin/")
            || template.starts_with("/api/v1/integration")
            || method != Method::GET
        {
            assert_eq!(answer.0, FORBIDDEN, "read-only {method} {path}: {}", answer.1);
            crate::common::assert_problem(&answer, FORBIDDEN, &[]);
        } else if !template.contains('{') {
            assert_eq!(answer.0, StatusCode::OK, "read-only {method} {path}: {}", answer.1);
            assert!(!answer.1["items"].as_array().expect("a list").is_empty(), "{path}: {}", answer.1);
            lists += 1;
        }
    }
    // HR: workers, skill types, rating models, skills, certificate types, jobs, positions;
    // scheduling: rating models, characteristics, resources, requirements, bookings, and the
    // metadata entities, fields and relationships; the candidates to hire; and the virtual
    // tables of HR skills, certificate types and candidates to hire.
    assert_eq!(lists, 19);
    assert_eq!(reader.read("/hr/workers/W1").await["position"], "P-1");
    // A valid body or an invalid one, the answer is the same 403.
    let answer = reader.post("/hr/workers", json!({"first_name": "X", "last_name": "Y"})).await;
    assert_eq!(answer.detail(FORBIDDEN), "your role does not allow create on worker");
    reader.post("/hr/workers", json!({"first_name": "", "email": "bad"})).await.problem(FORBIDDEN, &[]);
    reader.put("/hr/workers/W1/skills/RUST", json!({"level": "Expert"})).await.problem(FORBIDDEN, &[]);
    let after = (crate::common::outbox(&app).await.len(), app.state.hr.worker_count().await.unwrap());
    assert_eq!(before, after, "nothing was written");
    assert_eq!(app.state.scheduling.outbox_len().await.unwrap(), scheduling_before, "nothing was written");
    app.stop().await
}

async fn hr_manager_is_refused_administration(app: TestApp) {
    let hr = Api::role(&app, "hr-manager").await;
    let mut admin_routes = 0;
    for (method, template) in guarded_operations(&app).await {
        if template.starts_with("/api/v1/admin/") {
            let answer = send_raw(&app, &method, &concrete(&template), Some(&hr.token)).await;
            crate::common::assert_problem(&answer, FORBIDDEN, &[]);
            admin_routes += 1;
        }
    }
    assert!(admin_routes >= 5, "users (GET, POST), roles (GET, POST), audit (GET)");
    let eve = json!({"username": "eve", "password": "long-enough-password", "role": "system-administrator"});
    hr.post("/admin/users", eve).await.problem(FORBIDDEN, &[]);
    // …but keeps HR data.
    let created = worker(&hr, None, "Grace", "Hopper").await;
    hr.remove(&format!("/hr/workers/{}", created["personnel_number"].as_str().unwrap())).await;
    // A resource manager reads HR data and writes none of it.
    let rm = Api::role(&app, "resource-manager").await;
    rm.read("/hr/skills").await;
    rm.post("/hr/skill-types", json!({"code": "X", "name": "X"})).await.problem(FORBIDDEN, &[]);
    app.stop().await
}

async fn administrator_creates_users(app: TestApp) {
    let admin = Api::admin(&app).await;
    let user = |name: &str, password: &str, role: &str| json!({"username": name, "password": password, "role": role});
    let answer = admin.post("/admin/users", user("ada", "short", "hr-manager")).await;
    let body = answer.problem(INVALID, &["password"]);
    assert_eq!(body["errors"][0]["message"], "must be at least 12 characters");
    let answer = admin.post("/admin/users", user("ada", "eleven-char", "hr-manager")).await;
    answer.problem(INVALID, &["password"]);
    let answer = admin.post("/admin/users", user("a d a", "long-enough-password", "hr-manager")).await;
    answer.problem(INVALID, &["username"]);
    let answer = admin.post("/admin/users", user("ada", "long-enough-password", "nope")).await;
    answer.problem(INVALID, &["role"]);
    let ada = admin.create("/admin/users", user("ada", "twelve-chars", "hr-manager")).await;
    let summary = (ada["username"].as_str(), ada["role"].as_str(), ada["enabled"].as_bool());
    assert_eq!(summary, (Some("ada"), Some("hr-manager"), Some(true)));
    assert!(ada.get("password_hash").is_none() && ada.get("password").is_none(), "{ada}");
    let answer = admin.post("/admin/users", user("ada", "another-password", "read-only")).await;
    answer.problem(CONFLICT, &["username"]);
    let ada = Api { app: &app, token: app.sign_in("ada", "twelve-chars").await };
    worker(&ada, None, "Grace", "Hopper").await;
    assert_eq!(admin.keys("/admin/users", "username").await, ["ada", "admin"]);
    assert_eq!(admin.keys("/admin/users?limit=1", "username").await, ["ada"]);
    app.stop().await
}

async fn custom_roles_grant_what_they_list(app: TestApp) {
    let admin = Api::admin(&app).await;
    let answer = admin.post("/admin/roles", json!({"name": "Skills Editor", "privileges": {"nope": ["read"]}})).await;
    answer.problem(INVALID, &["name", "privileges.nope"]);
    let answer = admin.post("/admin/roles", json!({"name": "x", "privileges": {"skill": ["fly"]}})).await;
    answer.problem(INVALID, &["privileges.skill[0]"]);
    let privileges = json!({"skill": ["read", "create"], "rating-model": ["read"]});
    let body = json!({"name": "skills-editor", "description": "Keeps skills", "privileges": privileges});
    let role = admin.create("/admin/roles", body).await;
    assert_eq!(role["privileges"], json!({"rating-model": ["read"], "skill": ["read", "create"]}));
    assert_eq!((role["builtin"].as_bool(), role["description"].as_str()), (Some(false), Some("Keeps skills")));
    for taken in ["skills-editor", "hr-manager"] {
        let body = json!({"name": taken, "privileges": {"skill": ["read"]}});
        admin.post("/admin/roles", body).await.problem(CONFLICT, &["name"]);
    }
    let roles = admin.read("/admin/roles").await;
    let roles = roles.as_array().unwrap();
    let names: Vec<&str> = roles.iter().map(|r| r["name"].as_str().unwrap()).collect();
    let expected =
        ["ats-integration", "hr-manager", "read-only", "resource-manager", "skills-editor", "system-administrator"];
    assert_eq!(names, expected);
    let shipped = roles.iter().find(|r| r["name"] == "hr-manager").unwrap();
    assert_eq!(shipped["privileges"]["worker"], json!(["read", "create", "write", "delete"]));
    assert!(shipped["privileges"].get("user").is_none(), "{shipped}");
    let custom = roles.iter().find(|r| r["name"] == "skills-editor").unwrap();
    assert_eq!(custom["privileges"], role["privileges"], "a refused duplicate left the role alone");

    let sam = json!({"username": "sam", "password": "sam-password-1", "role": "skills-editor"});
    admin.create("/admin/users", sam).await;
    let sam = Api { app: &app, token: app.sign_in("sam", "sam-password-1").await };
    let levels = json!([{"name": "Expert", "factor": 5}]);
    admin.create("/hr/rating-models", json!({"code": "PROF", "name": "Proficiency", "levels": levels})).await;
    sam.create("/hr/skills", json!({"code": "RUST", "name": "Rust", "rating_model": "PROF"})).await;
    sam.read("/hr/rating-models/PROF").await;
    let answer = sam.patch("/hr/skills/RUST", json!({"name": "Rust!"})).await;
    assert_eq!(answer.detail(FORBIDDEN), "your role does not allow write on skill");
    sam.get("/hr/workers").await.problem(FORBIDDEN, &[]);
    sam.delete("/hr/skills/RUST").await.problem(FORBIDDEN, &[]);
    sam.get("/admin/users").await.problem(FORBIDDEN, &[]);
    app.stop().await
}

async fn audit_log_shows_who_did_what(app: TestApp) {
    let admin = Api::admin(&app).await;
    let hr = Api::role(&app, "hr-manager").await;
    worker(&hr, None, "Ada", "Lovelace").await;
    hr.patch("/hr/workers/000001", json!({"phone": "+15551234567"})).await.is(StatusCode::OK);
    let log = admin.read("/admin/audit?entity=worker").await;
    let entries = log["items"].as_array().unwrap();
    let text = |e: &Value, k: &str| e[k].as_str().unwrap().to_string();
    let summary: Vec<[String; 4]> =
        entries.iter().map(|e| ["actor", "actor_kind", "action", "record_key"].map(|k| text(e, k))).collect();
    let expected = [["user-hr-manager", "user", "update", "000001"], ["user-hr-manager", "user", "create", "000001"]];
    assert_eq!(summary, expected.map(|e| e.map(str::to_string)), "newest first");
    assert_eq!(entries[1]["at"], "2026-03-02T09:00:00Z");
    let detail = &entries[1]["detail"];
    assert!(detail.is_object(), "the detail is the record as JSON: {detail}");
    assert_eq!((detail["first_name"].as_str(), detail["last_name"].as_str()), (Some("Ada"), Some("Lovelace")));

    // Filters by actor; pages newest first with a cursor.
    let actions = admin.keys("/admin/audit?actor=admin", "action").await;
    assert_eq!(actions, ["create", "sign-in", "sign-in"], "admin signed in twice and created the hr-manager");
    let first = admin.read("/admin/audit?limit=2").await;
    let next = first["next"].as_str().expect("more entries follow");
    let second = admin.read(&format!("/admin/audit?limit=2&after={next}")).await;
    let seq = |v: &Value| -> Vec<i64> {
        v["items"].as_array().unwrap().iter().map(|e| e["seq"].as_str().unwrap().parse().unwrap()).collect()
    };
    let (a, b) = (seq(&first), seq(&second));
    assert!(a[0] > a[1] && a[1] > b[0] && b[0] > b[1], "{a:?} then {b:?}");
    app.stop().await
}
