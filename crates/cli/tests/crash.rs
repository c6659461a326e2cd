//! The sync engine survives crashes and shares its databases (issue 4, "Correctness, tested"):
//!
//! - `kill -9` of a real `hrbridge serve` in the middle of a large import with the integration
//!   on; once started again it catches up, and `hrbridge integration reconcile` finds nothing
//!   missing or doubled (SQLite);
//! - two `hrbridge serve` processes on the same PostgreSQL databases, written through both (and
//!   one of them killed), end with both sides agreeing and nothing doubled (when
//!   `HRBRIDGE_TEST_POSTGRES_URL` is set; skipped with the reason otherwise).
//!
//! Every wait polls a condition against a deadline.

#[path = "support/serve.rs"]
mod serve;

use hrbridge_testkit::{postgres_skip_reason, PgDatabases};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use serve::{Server, Stores, PASSWORD};
use std::collections::BTreeMap;
use std::process::Output;
use std::time::{Duration, Instant};

/// Long enough for a relay lease left by a killed process to lapse (10 s) and the backlog of a
/// large import to drain in a debug build.
const CATCH_UP: Duration = Duration::from_secs(180);

/// A client of one server, signed in as admin.
#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn sign_in(server: &Server) -> Api {
        let http = reqwest::Client::new();
        let response = http
            .post(format!("{}/api/v1/auth/login", server.base))
            .json(&json!({"username": "admin", "password": PASSWORD}))
            .send()
            .await
            .expect("sign in");
        assert_eq!(response.status(), StatusCode::OK, "sign in");
        let body: Value = response.json().await.expect("token");
        let token = body["access_token"].as_str().expect("access_token").to_string();
        Api { http, base: server.base.clone(), token }
    }

    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self.http.request(method, format!("{}/api/v1{path}", self.base)).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("{path}: {e}"));
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    async fn ok(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let (status, body) = self.send(method.clone(), path, body).await;
        assert!(status.is_success(), "{method} {path} answered {status} {body}");
        body
    }

    /// Every item of a list, page by page.
    async fn all(&self, path: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = match &after {
                Some(cursor) => format!("{path}?limit=1000&after={cursor}"),
                None => format!("{path}?limit=1000"),
            };
            let body = self.ok(Method::GET, &page, None).await;
            items.extend(body["items"].as_array().expect("items").iter().cloned());
            match body["next"].as_str() {
                Some(next) => after = Some(next.to_string()),
                None => return items,
            }
        }
    }

    async fn import(&self, csv: String) -> reqwest::Result<reqwest::Response> {
        self.http
            .post(format!("{}/api/v1/hr/imports/workers", self.base))
            .bearer_auth(&self.token)
            .header(reqwest::header::CONTENT_TYPE, "text/csv")
            .body(csv)
            .send()
            .await
    }

    /// The catalog the workers refer to, and the integration on.
    async fn catalog_and_integration_on(&self) {
        let levels = json!([{"name": "Novice", "factor": 1}, {"name": "Expert", "factor": 5}]);
        self.ok(
            Method::POST,
            "/hr/rating-models",
            Some(json!({"code": "PROF", "name": "Proficiency", "levels": levels})),
        )
        .await;
        self.ok(Method::POST, "/hr/skills", Some(json!({"code": "WELD", "name": "Welding", "rating_model": "PROF"})))
            .await;
        self.ok(Method::POST, "/hr/certificate-types", Some(json!({"code": "FORK", "name": "Forklift"}))).await;
        let status = self.ok(Method::PUT, "/integration", Some(json!({"enabled": true}))).await;
        assert_eq!(status["enabled"], json!(true), "{status}");
    }

    /// Waits until both outboxes are applied and nothing waits in the error queue.
    async fn caught_up(&self) {
        let mut deadline = Deadline::after(CATCH_UP);
        loop {
            let (status, body) = self.send(Method::GET, "/integration", None).await;
            let idle = status == StatusCode::OK
                && body["backlog"]["hr"] == json!(0)
                && body["backlog"]["scheduling"] == json!(0)
                && body["errors"] == json!(0);
            if idle {
                return;
            }
            deadline.wait(&format!("the integration to catch up: {body}")).await;
        }
    }
}

/// A deadline for polling a condition: [`Deadline::wait`] pauses before the next look, or
/// fails the test once the deadline has passed.
struct Deadline(Instant);

impl Deadline {
    fn after(within: Duration) -> Self {
        Deadline(Instant::now() + within)
    }

    async fn wait(&mut self, what: &str) {
        assert!(Instant::now() < self.0, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `count` workers `prefix000001`…, each with a skill and a certificate, as CSV.
fn workers_csv(prefix: &str, count: usize) -> String {
    let mut csv = String::from("personnel_number,first_name,last_name,email,skills,certificates\n");
    for i in 1..=count {
        csv.push_str(&format!(
            "{prefix}{i:06},Worker,Number{i},w{i}@{}.example.com,WELD:Expert:2025-01-01,FORK:2025-02-01\n",
            prefix.to_lowercase()
        ));
    }
    csv
}

/// Both sides through the API: every HR worker has exactly one bookable resource, holding
/// exactly the worker's skills and certificates, and no resource is left without a worker.
/// Returns the number of workers.
async fn nothing_missing_or_doubled(api: &Api) -> usize {
    let workers = api.all("/hr/workers").await;
    let resources = api.all("/scheduling/bookable-resources").await;
    let mut held: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
    for r in &resources {
        let number = r["hr_worker_number"].as_str().unwrap_or_else(|| panic!("a resource without a worker: {r}"));
        let mut names: Vec<String> = r["characteristics"]
            .as_array()
            .expect("characteristics")
            .iter()
            .map(|c| c["characteristic"].to_string())
            .collect();
        names.sort();
        held.entry(number.to_string()).or_default().push(names);
    }
    for w in &workers {
        let number = w["personnel_number"].as_str().expect("personnel_number");
        let resources = held.remove(number).unwrap_or_default();
        assert_eq!(resources.len(), 1, "worker {number} has {} bookable resources", resources.len());
        let mut expected: Vec<String> = ["skills", "certificates"]
            .iter()
            .flat_map(|k| w[*k].as_array().expect("qualifications").iter())
            .map(|q| q.get("skill").or_else(|| q.get("certificate_type")).expect("a code").to_string())
            .collect();
        expected.sort();
        assert_eq!(resources[0], expected, "the characteristics of worker {number}'s resource");
    }
    assert!(held.is_empty(), "resources without an HR worker: {:?}", held.keys().take(10).collect::<Vec<_>>());
    workers.len()
}

fn agrees(output: &Output) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "reconcile found differences:\n{stdout}\n{stderr}");
    assert!(stdout.contains("both sides agree"), "{stdout}");
}

/// How many workers the large import brings: enough that it takes a few seconds in a debug
/// build, so the relay applies its first batches while it still runs.
const IMPORTED: usize = 20_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_in_the_middle_of_an_import_loses_and_doubles_nothing() {
    let dir = tempfile::tempdir().expect("a data dir");
    let stores = Stores { dir: dir.path(), pg: None };
    let server = stores.serve();
    let api = Api::sign_in(&server).await;
    api.catalog_and_integration_on().await;

    let csv = workers_csv("C", IMPORTED);
    let importer = api.clone();
    let import = tokio::spawn(async move { importer.import(csv).await });
    // Resources arrive while the import runs: then the process dies.
    let mut deadline = Deadline::after(CATCH_UP);
    loop {
        let (_, body) = api.send(Method::GET, "/scheduling/bookable-resources?limit=1", None).await;
        if body["items"].as_array().is_some_and(|items| !items.is_empty()) || import.is_finished() {
            break;
        }
        deadline.wait("the first resources to arrive").await;
    }
    assert!(!import.is_finished(), "the import finished before resources arrived: import more workers");
    server.kill_9();
    assert!(import.await.expect("the import task").is_err(), "the import was cut off");

    // Started again, it takes the relay over once the dead process's lease lapses and catches
    // up with what the import committed before it died.
    let server = stores.serve();
    let api = Api::sign_in(&server).await;
    api.caught_up().await;
    let landed = nothing_missing_or_doubled(&api).await;
    assert!(0 < landed && landed < IMPORTED, "the kill came in the middle of the import: {landed} workers landed");
    eprintln!("{landed} of {IMPORTED} workers landed before the kill");
    server.stop();
    agrees(&stores.reconcile());

    // Importing the file again completes it, without doubling anything.
    let server = stores.serve();
    let api = Api::sign_in(&server).await;
    let response = api.import(workers_csv("C", IMPORTED)).await.expect("the import again");
    assert_eq!(response.status(), StatusCode::OK);
    api.caught_up().await;
    assert_eq!(nothing_missing_or_doubled(&api).await, IMPORTED);
    server.stop();
    agrees(&stores.reconcile());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_one_postgres_agree_and_double_nothing() {
    if let Some(reason) = postgres_skip_reason() {
        eprintln!("skipped: {reason}");
        return;
    }
    let pg = PgDatabases::create(2).await;
    let (dir_a, dir_b) = (tempfile::tempdir().expect("a dir"), tempfile::tempdir().expect("a dir"));
    let (stores_a, stores_b) =
        (Stores { dir: dir_a.path(), pg: Some(&pg) }, Stores { dir: dir_b.path(), pg: Some(&pg) });
    // One after the other: the first creates the admin user.
    let server_a = stores_a.serve();
    let server_b = stores_b.serve();
    let (a, b) = (Api::sign_in(&server_a).await, Api::sign_in(&server_b).await);
    a.catalog_and_integration_on().await;

    // Both write at once: an import each, and single workers with a skill each, through both.
    let singles = |api: Api, prefix: &'static str| async move {
        for i in 0..60 {
            let number = format!("{prefix}{i:03}");
            let body = json!({"personnel_number": number, "first_name": "Single", "last_name": prefix});
            api.ok(Method::POST, "/hr/workers", Some(body)).await;
            let skill = json!({"level": "Novice"});
            api.ok(Method::PUT, &format!("/hr/workers/{number}/skills/WELD"), Some(skill)).await;
            if i % 3 == 0 {
                let edit = json!({"email": format!("{}@example.com", number.to_lowercase())});
                api.ok(Method::PATCH, &format!("/hr/workers/{number}"), Some(edit)).await;
            }
            if i % 10 == 0 {
                api.ok(Method::DELETE, &format!("/hr/workers/{number}/skills/WELD"), None).await;
            }
        }
    };
    let import = |api: Api, prefix: &'static str| async move {
        let response = api.import(workers_csv(prefix, 2000)).await.expect("import");
        assert_eq!(response.status(), StatusCode::OK);
    };
    tokio::join!(singles(a.clone(), "SA"), singles(b.clone(), "SB"), import(a.clone(), "IA"), import(b.clone(), "IB"));
    a.caught_up().await;
    b.caught_up().await;
    assert_eq!(nothing_missing_or_doubled(&b).await, 2 * 60 + 2 * 2000);

    // One of them dies holding who knows what; the other goes on alone.
    server_a.kill_9();
    tokio::join!(singles(b.clone(), "SC"), import(b.clone(), "IC"));
    b.caught_up().await;
    assert_eq!(nothing_missing_or_doubled(&b).await, 3 * 60 + 3 * 2000);
    server_b.stop();
    agrees(&stores_b.reconcile());
    pg.drop_all().await;
}
