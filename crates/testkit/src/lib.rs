//! A real hrbridge on port 0 over SQLite or PostgreSQL, for tests, and the harness that runs
//! every test on both backends.
//!
//! PostgreSQL runs when `HRBRIDGE_TEST_POSTGRES_URL` points at a server where the user may create
//! databases; each test gets two fresh databases of its own, dropped afterwards.

use chrono::{DateTime, Utc};
use futures::FutureExt;
use hrbridge_app::{AppSettings, AppState, StoreLocation};
use hrbridge_domain::{ManualClock, SequentialIds};
use libtest_mimic::{Failed, Trial};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::Value;
use sqlx::Connection;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use tempfile::TempDir;

pub const POSTGRES_URL_VAR: &str = "HRBRIDGE_TEST_POSTGRES_URL";
pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Fresh PostgreSQL databases for one test.
pub struct PgDatabases {
    admin_url: String,
    pub names: Vec<String>,
}

impl PgDatabases {
    pub async fn create(count: usize) -> Self {
        let admin_url = std::env::var(POSTGRES_URL_VAR).expect("HRBRIDGE_TEST_POSTGRES_URL is set");
        let mut conn = sqlx::PgConnection::connect(&admin_url).await.expect("connect to the test PostgreSQL");
        let id = uuid::Uuid::new_v4().simple().to_string();
        let mut names = Vec::new();
        for i in 0..count {
            let name = format!("hrbridge_test_{id}_{i}");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut conn)
                .await
                .expect("create test database");
            names.push(name);
        }
        Self { admin_url, names }
    }

    /// The URL of database `i`: the admin URL with its database name replaced.
    pub fn url(&self, i: usize) -> String {
        let (base, query) = match self.admin_url.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (self.admin_url.as_str(), None),
        };
        let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
        let root = match base[scheme_end..].find('/') {
            Some(slash) => &base[..scheme_end + slash],
            None => base,
        };
        match query {
            Some(q) => format!("{root}/{}?{q}", self.names[i]),
            None => format!("{root}/{}", self.names[i]),
        }
    }

    pub async fn drop_all(&self) {
        if let Ok(mut conn) = sqlx::PgConnection::connect(&self.admin_url).await {
            for name in &self.names {
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                    .execute(&mut conn)
                    .await;
            }
        }
    }
}

/// A running hrbridge.
pub struct TestApp {
    pub backend: Backend,
    pub base_url: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    pub data_dir: TempDir,
    pg: Option<PgDatabases>,
    server: tokio::task::JoinHandle<()>,
    /// The webhook delivery worker (`hrbridge serve` runs one), when started.
    pub webhooks: Option<hrbridge_app::webhook_worker::WebhookWorker>,
    /// The sync worker (`hrbridge serve` runs one): idle while the integration is off.
    pub sync: Option<hrbridge_app::sync_worker::SyncWorker>,
    settings: AppSettings,
    ids: Arc<SequentialIds>,
}

/// Serves the API and the console for `state` on a port of its own: the base URL and the task.
async fn serve(state: &AppState) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
    let base_url = format!("http://{}", listener.local_addr().expect("address"));
    let app = hrbridge_server::app_with(state.clone(), hrbridge_console::router());
    let server = tokio::spawn(async move {
        let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, app).await.expect("serve");
    });
    (base_url, server)
}

/// A second server on a [`TestApp`]'s databases.
pub struct SecondProcess {
    pub base_url: String,
    pub state: AppState,
    server: tokio::task::JoinHandle<()>,
}

impl SecondProcess {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub async fn stop(self) {
        self.server.abort();
        self.state.close().await;
    }
}

/// The instant every test starts at.
pub fn start_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z").expect("valid").with_timezone(&Utc)
}

impl TestApp {
    pub async fn start(backend: Backend) -> TestApp {
        Self::start_with(backend, true).await
    }

    /// Starts an app, with or without the webhook delivery worker.
    pub async fn start_with(backend: Backend, webhooks: bool) -> TestApp {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let mut settings = AppSettings::sqlite(data_dir.path().to_path_buf());
        let pg = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => {
                let pg = PgDatabases::create(2).await;
                settings.hr = StoreLocation::Postgres(pg.url(0));
                settings.scheduling = StoreLocation::Postgres(pg.url(1));
                Some(pg)
            }
        };
        let clock = Arc::new(ManualClock::new(start_time()));
        let ids = Arc::new(SequentialIds::starting_at(1000));
        Self::launch(backend, settings, data_dir, pg, clock, ids, webhooks).await
    }

    async fn launch(
        backend: Backend,
        settings: AppSettings,
        data_dir: TempDir,
        pg: Option<PgDatabases>,
        clock: Arc<ManualClock>,
        ids: Arc<SequentialIds>,
        webhooks: bool,
    ) -> TestApp {
        let state = AppState::open(settings.clone(), clock.clone(), ids.clone()).await.expect("open the stores");
        state.bootstrap_admin(Some(ADMIN_PASSWORD)).await.expect("bootstrap admin");
        let (base_url, server) = serve(&state).await;
        let webhooks = webhooks.then(|| hrbridge_app::webhook_worker::WebhookWorker::spawn(state.clone()));
        let sync = Some(hrbridge_app::sync_worker::SyncWorker::spawn(state.clone()));
        let client = reqwest::Client::new();
        TestApp { backend, base_url, client, state, clock, data_dir, pg, server, webhooks, sync, settings, ids }
    }

    /// Stops the server (and webhook worker) and starts a new process's worth of state on the
    /// same databases (SQLite data dir or PostgreSQL databases), the same clock and id counter.
    pub async fn restart(mut self, webhooks: bool) -> TestApp {
        self.server.abort();
        if let Some(worker) = self.webhooks.take() {
            worker.stop();
        }
        self.sync.take();
        self.state.close().await;
        let TestApp { backend, settings, data_dir, pg, clock, ids, .. } = self;
        Self::launch(backend, settings, data_dir, pg, clock, ids, webhooks).await
    }

    /// [`TestApp::restart`] with changed settings (a maps file, say), kept for later restarts.
    pub async fn restart_with(mut self, webhooks: bool, change: impl FnOnce(&mut AppSettings)) -> TestApp {
        change(&mut self.settings);
        self.restart(webhooks).await
    }

    /// Another process's worth of state and server on the same databases, clock and id counter,
    /// beside this one (no workers): for what must hold "on every process".
    pub async fn second_process(&self) -> SecondProcess {
        self.second_process_with(|_| {}).await
    }

    /// [`TestApp::second_process`] with its settings changed by `change`.
    pub async fn second_process_with(&self, change: impl FnOnce(&mut AppSettings)) -> SecondProcess {
        let mut settings = self.settings.clone();
        change(&mut settings);
        let state = AppState::open(settings, self.clock.clone(), self.ids.clone()).await.expect("open");
        let (base_url, server) = serve(&state).await;
        SecondProcess { base_url, state, server }
    }

    pub async fn stop(mut self) {
        self.sync.take();
        self.server.abort();
        if let Some(worker) = &self.webhooks {
            worker.stop();
        }
        self.state.close().await;
        if let Some(pg) = &self.pg {
            pg.drop_all().await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let builder = self.client.request(method, self.url(path));
        match token {
            Some(t) => builder.bearer_auth(t),
            None => builder,
        }
    }

    /// Signs in and returns the bearer token.
    pub async fn sign_in(&self, username: &str, password: &str) -> String {
        let response = self
            .request(Method::POST, "/api/v1/auth/login", None)
            .json(&serde_json::json!({ "username": username, "password": password }))
            .send()
            .await
            .expect("login request");
        assert_eq!(response.status(), StatusCode::OK, "sign in as {username}");
        let body: Value = response.json().await.expect("login body");
        body["access_token"].as_str().expect("access_token").to_string()
    }

    /// An app's bearer token from `/oauth/token` (client credentials).
    pub async fn app_token(&self, client_id: &str, client_secret: &str) -> String {
        let form = [("grant_type", "client_credentials"), ("client_id", client_id), ("client_secret", client_secret)];
        let response = self.client.post(self.url("/oauth/token")).form(&form).send().await.expect("token request");
        assert_eq!(response.status(), StatusCode::OK, "a token for app {client_id}");
        let body: Value = response.json().await.expect("token body");
        body["access_token"].as_str().expect("access_token").to_string()
    }

    pub async fn admin_token(&self) -> String {
        self.sign_in("admin", ADMIN_PASSWORD).await
    }

    /// Creates a user with `role` (as admin) and returns their token.
    pub async fn token_for_role(&self, role: &str) -> String {
        let admin = self.admin_token().await;
        let username = format!("user-{role}");
        let password = format!("password-of-{role}");
        let (status, body) = self
            .call(
                Method::POST,
                "/api/v1/admin/users",
                &admin,
                Some(serde_json::json!({"username": username, "password": password, "role": role})),
            )
            .await;
        assert!(status == StatusCode::CREATED || status == StatusCode::CONFLICT, "create user: {status} {body}");
        self.sign_in(&username, &password).await
    }

    /// Sends a JSON request and returns the status and the JSON body (Null when empty).
    pub async fn call(&self, method: Method, path: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut builder = self.request(method, path, Some(token));
        if let Some(body) = body {
            builder = builder.json(&body);
        }
        let response = builder.send().await.expect("request");
        let status = response.status();
        let text = response.text().await.expect("body");
        let value =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        (status, value)
    }
}

pub type TestFuture = Pin<Box<dyn Future<Output = ()> + Send>>;
pub type TestFn = fn(TestApp) -> TestFuture;

/// Runs a test against a fresh app; the app is stopped (and PostgreSQL databases dropped) even
/// when the test fails.
pub async fn run_test(backend: Backend, test: TestFn) -> Result<(), Failed> {
    let app = TestApp::start(backend).await;
    let pg = app.pg.as_ref().map(|p| PgDatabases { admin_url: p.admin_url.clone(), names: p.names.clone() });
    let outcome = AssertUnwindSafe(test(app)).catch_unwind().await;
    if let Some(pg) = pg {
        pg.drop_all().await;
    }
    outcome.map_err(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "the test panicked".into());
        Failed::from(message)
    })
}

/// Why the PostgreSQL half does not run, or None when it does.
pub fn postgres_skip_reason() -> Option<String> {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.is_empty() => None,
        _ => Some(format!(
            "{POSTGRES_URL_VAR} is not set, so the PostgreSQL half of the suite is skipped \
             (set it to e.g. postgres://postgres@127.0.0.1:5432/postgres to run it)"
        )),
    }
}

/// Makes a trial per test and backend: `sqlite::name` and `postgres::name`.
pub fn trials(tests: &[(&'static str, TestFn)]) -> Vec<Trial> {
    let skip = postgres_skip_reason();
    if let Some(reason) = &skip {
        println!("note: {reason}");
    }
    let mut trials = Vec::new();
    for &(name, test) in tests {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let ignored = backend == Backend::Postgres && skip.is_some();
            let trial = Trial::test(format!("{}::{name}", backend.name()), move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .map_err(|e| Failed::from(e.to_string()))?;
                runtime.block_on(run_test(backend, test))
            });
            trials.push(trial.with_ignored_flag(ignored));
        }
    }
    trials
}

/// A test's name within its binary: the module path without the crate, then the function, so
/// `api::apps` and `rotation` give `apps::rotation`.
pub fn qualified_name(module_path: &'static str, function: &'static str) -> &'static str {
    match module_path.split_once("::") {
        Some((_, module)) => Box::leak(format!("{module}::{function}").into_boxed_str()),
        None => function,
    }
}

/// Wraps an async test function as a [`TestFn`], named by its module and function.
#[macro_export]
macro_rules! test_fn {
    ($f:path) => {
        ($crate::qualified_name(module_path!(), stringify!($f)), (|app| Box::pin($f(app))) as $crate::TestFn)
    };
}
