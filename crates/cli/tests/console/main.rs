//! The web console in a real browser (issue 6): Debian's Chromium, headless, through
//! chromedriver, against a real `hrbridge serve` on SQLite. Each test saves a screenshot of every
//! page it visits under `target/tmp/console-screenshots/`.
//!
//! Skipped, with the reason, where Chromium or chromedriver is not installed; `.ci/run` installs
//! both and sets `HRBRIDGE_TEST_BROWSER=required`, so CI fails rather than skips.

#[path = "../support/serve.rs"]
mod serve;

mod accounts;
mod admin;
mod browser;
mod catalog;
mod dashboard;
mod finder;
mod hiring;
mod integration;
mod scenario;
mod workers;

use browser::Browser;
use serde_json::{json, Value};
use serve::{Server, Stores, PASSWORD};

/// A server of its own, a browser signed in as `admin`, and an API client for set-up and checks.
pub struct Console {
    pub browser: Browser,
    pub api: Api,
    _server: Server,
    _dir: tempfile::TempDir,
}

impl Console {
    /// `None` (after saying why) when there is no browser here.
    pub async fn start() -> Option<Console> {
        if let Some(reason) = browser::skip_reason() {
            eprintln!("skipped: {reason}");
            return None;
        }
        let dir = tempfile::tempdir().expect("data dir");
        let server = Stores { dir: dir.path(), pg: None }.serve();
        let api = Api::sign_in(&server.base).await;
        let browser = Browser::open(&server.base).await;
        browser.sign_in("admin", PASSWORD).await;
        Some(Console { browser, api, _server: server, _dir: dir })
    }
}

/// The API, signed in as admin: for what a test sets up without the console, and to check what
/// the console did.
pub struct Api {
    http: reqwest::Client,
    pub base: String,
    token: String,
}

impl Api {
    pub async fn sign_in(base: &str) -> Api {
        let http = reqwest::Client::new();
        let body: Value = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"username": "admin", "password": PASSWORD}))
            .send()
            .await
            .expect("sign in")
            .json()
            .await
            .expect("token");
        let token = body["access_token"].as_str().expect("access_token").to_string();
        Api { http, base: base.to_string(), token }
    }

    /// A request that must succeed; its JSON body.
    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request =
            self.http.request(method.clone(), format!("{}/api/v1{path}", self.base)).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        assert!(status.is_success(), "{method} {path} answered {status}: {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    pub async fn get(&self, path: &str) -> Value {
        self.call(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::PUT, path, Some(body)).await
    }

    /// A rating model, a skill type, a skill and a certificate type, made through the API.
    pub async fn seed_catalog(&self) {
        self.post(
            "/hr/rating-models",
            json!({"code": "STD", "name": "Standard", "levels": [
                {"name": "Basic", "factor": 1}, {"name": "Good", "factor": 3}, {"name": "Expert", "factor": 5}]}),
        )
        .await;
        self.post("/hr/skills", json!({"code": "RUST", "name": "Rust", "rating_model": "STD"})).await;
        self.post(
            "/hr/certificate-types",
            json!({"code": "FORK", "name": "Forklift licence", "requires_renewal": true}),
        )
        .await;
    }
}
