//! Helpers shared by the integration test files.
#![allow(dead_code)]

pub mod integration;
pub mod scheduling;

use hrbridge_store::audit::{AuditEntry, AuditFilter};
use hrbridge_store::outbox::OutboxEntry;
use hrbridge_store::Page;
use hrbridge_testkit::TestApp;
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

pub const OK: StatusCode = StatusCode::OK;
pub const CREATED: StatusCode = StatusCode::CREATED;
pub const NO_CONTENT: StatusCode = StatusCode::NO_CONTENT;
pub const INVALID: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;
pub const CONFLICT: StatusCode = StatusCode::CONFLICT;
pub const NOT_FOUND: StatusCode = StatusCode::NOT_FOUND;
pub const FORBIDDEN: StatusCode = StatusCode::FORBIDDEN;
pub const UNAUTHORIZED: StatusCode = StatusCode::UNAUTHORIZED;

/// A client signed in with one token. Paths not starting with `/api/` get `/api/v1` in front.
pub struct Api<'a> {
    pub app: &'a TestApp,
    pub token: String,
}

/// An answer to check: its status, and for problems the fields named.
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    what: String,
}

impl Answer {
    /// Asserts the status; returns the body.
    #[track_caller]
    pub fn is(self, status: StatusCode) -> Value {
        assert_eq!(self.status, status, "{} answered {}", self.what, self.body);
        self.body
    }
    /// Asserts a problem+json answer with this status naming exactly `fields`; returns the body.
    #[track_caller]
    pub fn problem(self, status: StatusCode, fields: &[&str]) -> Value {
        assert_eq!(self.status, status, "{} answered {}", self.what, self.body);
        assert_problem(&(self.status, self.body.clone()), status, fields);
        self.body
    }
    /// The problem's `detail`.
    #[track_caller]
    pub fn detail(self, status: StatusCode) -> String {
        self.problem(status, &[])["detail"].as_str().unwrap_or_default().to_string()
    }
}

impl<'a> Api<'a> {
    pub async fn admin(app: &'a TestApp) -> Api<'a> {
        Api { app, token: app.admin_token().await }
    }
    pub async fn role(app: &'a TestApp, role: &str) -> Api<'a> {
        Api { app, token: app.token_for_role(role).await }
    }
    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let path = if path.starts_with("/api/") { path.to_string() } else { format!("/api/v1{path}") };
        let (status, body) = self.app.call(method.clone(), &path, &self.token, body).await;
        Answer { status, body, what: format!("{method} {path}") }
    }
    pub async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(Method::POST, path, Some(body)).await
    }
    pub async fn put(&self, path: &str, body: Value) -> Answer {
        self.send(Method::PUT, path, Some(body)).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.send(Method::PATCH, path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> Answer {
        self.send(Method::DELETE, path, None).await
    }
    /// GET that must answer 200.
    pub async fn read(&self, path: &str) -> Value {
        self.get(path).await.is(OK)
    }
    /// POST that must answer 201.
    pub async fn create(&self, path: &str, body: Value) -> Value {
        self.post(path, body).await.is(CREATED)
    }
    /// DELETE that must answer 204.
    pub async fn remove(&self, path: &str) {
        self.delete(path).await.is(NO_CONTENT);
    }
    /// The `items` of a list, each reduced to its string field `key`.
    pub async fn keys(&self, path: &str, key: &str) -> Vec<String> {
        let page = self.read(path).await;
        page["items"].as_array().expect("items").iter().map(|i| i[key].as_str().unwrap_or("?").to_string()).collect()
    }
}

/// The fields named by a problem's `errors` list.
pub fn fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| errors.iter().map(|e| e["field"].as_str().unwrap_or("").to_string()).collect())
        .unwrap_or_default()
}

/// Asserts a problem+json answer with `status` whose `errors` name exactly `expected_fields`.
#[track_caller]
pub fn assert_problem(answer: &(StatusCode, Value), status: StatusCode, expected_fields: &[&str]) {
    let (got, body) = answer;
    assert_eq!(*got, status, "status of {body}");
    assert_eq!(body["status"], json!(status.as_u16()), "problem status in {body}");
    assert!(body["title"].is_string() && body["detail"].is_string(), "a problem document: {body}");
    assert_eq!(fields(body), expected_fields, "fields named by {body}");
}

/// A rating model PROF (Novice 1, Competent 3, Expert 5), a skill type TECH, skills RUST and
/// SQL, and certificate types FORKLIFT (requires renewal) and FIRSTAID.
pub async fn seed_catalog(api: &Api<'_>) {
    let levels =
        json!([{"name": "Novice", "factor": 1}, {"name": "Competent", "factor": 3}, {"name": "Expert", "factor": 5}]);
    api.create("/hr/rating-models", json!({"code": "PROF", "name": "Proficiency", "levels": levels})).await;
    api.create("/hr/skill-types", json!({"code": "TECH", "name": "Technical"})).await;
    let rust = json!({"code": "RUST", "name": "Rust", "skill_type": "TECH", "rating_model": "PROF"});
    api.create("/hr/skills", rust).await;
    api.create("/hr/skills", json!({"code": "SQL", "name": "SQL", "rating_model": "PROF"})).await;
    let forklift = json!({"code": "FORKLIFT", "name": "Forklift licence", "requires_renewal": true});
    api.create("/hr/certificate-types", forklift).await;
    api.create("/hr/certificate-types", json!({"code": "FIRSTAID", "name": "First aid"})).await;
}

/// Creates a worker with just a name (and a personnel number when given); returns it.
pub async fn worker(api: &Api<'_>, personnel_number: Option<&str>, first: &str, last: &str) -> Value {
    let mut body = json!({"first_name": first, "last_name": last});
    if let Some(n) = personnel_number {
        body["personnel_number"] = json!(n);
    }
    api.create("/hr/workers", body).await
}

/// The whole HR outbox.
pub async fn outbox(app: &TestApp) -> Vec<OutboxEntry> {
    app.state.hr.outbox_after(0, 1_000_000).await.expect("read the outbox")
}

/// The audit log, newest first (up to 1000 entries).
pub async fn audit(app: &TestApp) -> Vec<AuditEntry> {
    app.state.hr.audit_entries(&AuditFilter::default(), &Page::first(1000)).await.expect("read the audit log").items
}

/// The paths and methods of the OpenAPI document, e.g. ("post", "/api/v1/hr/workers").
pub async fn openapi_operations(app: &TestApp) -> Vec<(Method, String)> {
    operations_where(app, |_| true).await
}

/// The operations of the OpenAPI document whose description passes `keep`.
async fn operations_where(app: &TestApp, keep: impl Fn(&Value) -> bool) -> Vec<(Method, String)> {
    let doc: Value =
        app.client.get(app.url("/api/openapi.json")).send().await.expect("openapi").json().await.expect("json");
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some_and(&keep) {
                operations.push((Method::from_bytes(method.to_uppercase().as_bytes()).expect("method"), path.clone()));
            }
        }
    }
    operations
}

/// A path template with every `{param}` replaced by a dummy value.
pub fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for ch in path.chars() {
        match ch {
            '{' => in_param = true,
            '}' => {
                in_param = false;
                out.push_str("dummy");
            }
            _ if in_param => {}
            _ => out.push(ch),
        }
    }
    out
}

/// Sends `method path` with a raw bearer `token` (it may be garbage) and, for methods with a
/// body, an empty JSON object. Returns the status and the JSON body.
pub async fn send_raw(app: &TestApp, method: &Method, path: &str, token: Option<&str>) -> (StatusCode, Value) {
    let mut request = app.client.request(method.clone(), app.url(path));
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    if [Method::POST, Method::PUT, Method::PATCH].contains(method) {
        request = request.json(&json!({}));
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The operations that need a token: all but those the document marks public (`security: []`
/// or `[{}]`: sign-in, `/healthz`, `/metrics`).
pub async fn guarded_operations(app: &TestApp) -> Vec<(Method, String)> {
    let public = |op: &Value| {
        op["security"]
            .as_array()
            .is_some_and(|s| s.is_empty() || s.iter().any(|r| r.as_object().is_some_and(|o| o.is_empty())))
    };
    let operations = operations_where(app, |op| !public(op)).await;
    assert!(
        !operations.iter().any(|(_, p)| p == "/api/v1/auth/login" || p == "/healthz"),
        "public operations are marked"
    );
    assert!(operations.len() >= 40, "the document lists the HR and admin API: {operations:?}");
    operations
}
