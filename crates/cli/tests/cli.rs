//! The `hrbridge` binary through its public surface: `serve`, `admin create-user`,
//! `admin register-app`, the account commands (`disable-user`, `enable-user`, `set-role`,
//! `reset-password`, `delete-user`) and `import workers`, on SQLite and (when
//! HRBRIDGE_TEST_POSTGRES_URL is set) PostgreSQL.

use hrbridge_testkit::{postgres_skip_reason, PgDatabases};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_hrbridge");

/// Where a test's stores live: a data dir, and PostgreSQL databases when that half runs.
struct Stores {
    dir: tempfile::TempDir,
    pg: Option<PgDatabases>,
}

impl Stores {
    async fn new(postgres: bool) -> Self {
        let pg = if postgres { Some(PgDatabases::create(2).await) } else { None };
        Stores { dir: tempfile::tempdir().unwrap(), pg }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        command.args(args).arg("--data-dir").arg(self.dir.path());
        command.env_remove("HRBRIDGE_ADMIN_PASSWORD").env("HRBRIDGE_LOG", "warn").current_dir(self.dir.path());
        if let Some(pg) = &self.pg {
            command.env("HRBRIDGE_HR_DATABASE_URL", pg.url(0)).env("HRBRIDGE_SCHEDULING_DATABASE_URL", pg.url(1));
        }
        command
    }

    async fn finish(self) {
        if let Some(pg) = &self.pg {
            pg.drop_all().await;
        }
    }
}

fn backends() -> Vec<bool> {
    match postgres_skip_reason() {
        None => vec![false, true],
        Some(reason) => {
            eprintln!("note: {reason}");
            vec![false]
        }
    }
}

/// A running `hrbridge serve` and the lines it printed before it started listening.
struct Server {
    child: Child,
    base: String,
    printed: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(stores: &Stores, admin_password: Option<&str>) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut command = stores.command(&["serve", "--listen", &format!("127.0.0.1:{port}")]);
    if let Some(password) = admin_password {
        command.env("HRBRIDGE_ADMIN_PASSWORD", password);
    }
    let child = command.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().unwrap();
    // From here the server is killed and reaped when dropped, whatever happens.
    let mut server = Server { child, base: format!("http://127.0.0.1:{port}"), printed: Vec::new() };
    let mut lines = BufReader::new(server.child.stdout.take().unwrap()).lines();
    // It prints "hrbridge is listening on …" once the socket is bound; a crash ends the output.
    while let Some(Ok(line)) = lines.next() {
        let listening = line.starts_with("hrbridge is listening");
        server.printed.push(line);
        if listening {
            return server;
        }
    }
    panic!("hrbridge serve did not start: {:?}", server.printed);
}

async fn sign_in(base: &str, username: &str, password: &str) -> reqwest::StatusCode {
    reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
}

fn run_with_stdin(mut command: Command, stdin: &str) -> Output {
    let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_start_prints_a_generated_admin_password_once() {
    for postgres in backends() {
        let stores = Stores::new(postgres).await;
        let password = {
            let server = serve(&stores, None);
            let line = server.printed.iter().find(|l| l.contains("password:")).expect("the password is printed");
            let password = line.rsplit(' ').next().unwrap().to_string();
            assert_eq!(sign_in(&server.base, "admin", &password).await, reqwest::StatusCode::OK);
            password
        };
        let server = serve(&stores, None);
        assert!(!server.printed.iter().any(|l| l.contains("password")), "printed again: {:?}", server.printed);
        assert_eq!(sign_in(&server.base, "admin", &password).await, reqwest::StatusCode::OK);
        drop(server);
        stores.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_user_reads_the_password_from_stdin() {
    for postgres in backends() {
        let stores = Stores::new(postgres).await;
        let server = serve(&stores, Some("the-admin-password"));
        let args = ["admin", "create-user", "--username", "grace", "--role", "hr-manager"];
        let output = run_with_stdin(stores.command(&args), "a long enough password\n");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "created user 'grace' with role 'hr-manager'");
        assert_eq!(sign_in(&server.base, "grace", "a long enough password").await, reqwest::StatusCode::OK);
        assert_eq!(sign_in(&server.base, "grace", "wrong").await, reqwest::StatusCode::UNAUTHORIZED);

        let short = run_with_stdin(
            stores.command(&["admin", "create-user", "--username", "bob", "--role", "read-only"]),
            "short\n",
        );
        assert_eq!(short.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&short.stderr).contains("password: must be at least 12 characters"));
        let args = ["admin", "create-user", "--username", "eve", "--role", "no-such-role"];
        let no_role = run_with_stdin(stores.command(&args), "a long enough password\n");
        assert_eq!(no_role.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&no_role.stderr).contains("role: no role named 'no-such-role'"));
        drop(server);
        stores.finish().await;
    }
}

/// A bearer token for a user.
async fn token(base: &str, username: &str, password: &str) -> String {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    body["access_token"].as_str().expect("a token").to_string()
}

async fn workers_status(base: &str, token: &str) -> reqwest::StatusCode {
    let client = reqwest::Client::new();
    client.get(format!("{base}/api/v1/hr/workers")).bearer_auth(token).send().await.unwrap().status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_commands_lock_a_leaver_out_of_the_running_server() {
    for postgres in backends() {
        let stores = Stores::new(postgres).await;
        let server = serve(&stores, Some("the-admin-password"));
        let password = "violet-tractor-lantern-9";
        let args = ["admin", "create-user", "--username", "grace", "--role", "hr-manager"];
        assert!(run_with_stdin(stores.command(&args), &format!("{password}\n")).status.success());
        let grace = token(&server.base, "grace", password).await;
        assert_eq!(workers_status(&server.base, &grace).await, reqwest::StatusCode::OK);

        // Disabled from another process: the server refuses her token at the next request.
        let output = stores.command(&["admin", "disable-user", "--username", "grace"]).output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        assert!(String::from_utf8_lossy(&output.stdout).contains("disabled user 'grace'"));
        assert_eq!(workers_status(&server.base, &grace).await, reqwest::StatusCode::UNAUTHORIZED);
        assert_eq!(sign_in(&server.base, "grace", password).await, reqwest::StatusCode::UNAUTHORIZED);
        assert!(stores.command(&["admin", "enable-user", "--username", "grace"]).output().unwrap().status.success());
        let args = ["admin", "set-role", "--username", "grace", "--role", "read-only"];
        let output = stores.command(&args).output().unwrap();
        assert!(String::from_utf8_lossy(&output.stdout).contains("now has role 'read-only'"));

        // A one-time password, printed once, signs her in to set a new one.
        let output = stores.command(&["admin", "reset-password", "--username", "grace"]).output().unwrap();
        let printed = String::from_utf8_lossy(&output.stdout).to_string();
        let one_time = printed.lines().next().unwrap().rsplit(' ').next().unwrap().to_string();
        assert_eq!(sign_in(&server.base, "grace", password).await, reqwest::StatusCode::UNAUTHORIZED);
        let interim = token(&server.base, "grace", &one_time).await;
        assert_eq!(workers_status(&server.base, &interim).await, reqwest::StatusCode::FORBIDDEN);

        // The last administrator stays; an unknown user is named.
        let output = stores.command(&["admin", "delete-user", "--username", "admin"]).output().unwrap();
        assert_eq!(output.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&output.stderr).contains("last enabled system administrator"));
        let output = stores.command(&["admin", "disable-user", "--username", "nobody"]).output().unwrap();
        assert_eq!(output.status.code(), Some(2));
        let output = stores.command(&["admin", "delete-user", "--username", "grace"]).output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        assert_eq!(workers_status(&server.base, &interim).await, reqwest::StatusCode::UNAUTHORIZED);
        assert_eq!(sign_in(&server.base, "grace", &one_time).await, reqwest::StatusCode::UNAUTHORIZED);
        drop(server);
        stores.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_app_prints_the_client_id_and_secret_once() {
    for postgres in backends() {
        let stores = Stores::new(postgres).await;
        let server = serve(&stores, Some("the-admin-password"));
        let output =
            stores.command(&["admin", "register-app", "--name", "Talent", "--user", "admin"]).output().unwrap();
        let out = String::from_utf8_lossy(&output.stdout).to_string();
        assert!(output.status.success(), "{out} {}", String::from_utf8_lossy(&output.stderr));
        assert!(out.contains("registered app 'Talent' acting as 'admin' with role 'ats-integration'"), "{out}");
        let field = |name: &str| {
            let line = out.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{name} in {out}"));
            line.rsplit(' ').next().unwrap().to_string()
        };
        let (client_id, secret) = (field("client_id:"), field("client_secret:"));
        assert!(secret.len() >= 43, "{secret}");

        // The running server accepts the new app at once.
        let client = reqwest::Client::new();
        let response = client
            .post(format!("{}/oauth/token", server.base))
            .basic_auth(&client_id, Some(&secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::OK);
        let token: Value = response.json().await.unwrap();
        let token = token["access_token"].as_str().unwrap();
        let metadata = client
            .get(format!("{}/api/v1/scheduling/metadata/entities", server.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(metadata.status(), reqwest::StatusCode::OK);

        let again = stores.command(&["admin", "register-app", "--name", "Talent", "--user", "admin"]).output().unwrap();
        assert_eq!(again.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&again.stderr).contains("name: an app named 'Talent' already exists"));
        let args = ["admin", "register-app", "--name", "Other", "--user", "nobody", "--role", "no-such-role"];
        let bad = stores.command(&args).output().unwrap();
        assert_eq!(bad.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&bad.stderr);
        assert!(
            stderr.contains("user: no user named 'nobody'") && stderr.contains("role: no role named 'no-such-role'")
        );
        assert!(!String::from_utf8_lossy(&bad.stdout).contains("client_secret"));
        drop(server);
        stores.finish().await;
    }
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_reports_bad_rows_and_does_not_duplicate() {
    for postgres in backends() {
        let stores = Stores::new(postgres).await;
        let server = serve(&stores, Some("the-admin-password"));
        let client = reqwest::Client::new();
        let login: Value = client
            .post(format!("{}/api/v1/auth/login", server.base))
            .json(&json!({"username": "admin", "password": "the-admin-password"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = login["access_token"].as_str().unwrap().to_string();
        let post = |path: &str, body: Value| {
            client.post(format!("{}/api/v1{path}", server.base)).bearer_auth(&token).json(&body).send()
        };
        let levels = json!([{"name": "Novice", "factor": 1}, {"name": "Expert", "factor": 5}]);
        assert!(post("/hr/rating-models", json!({"code": "PROF", "name": "Proficiency", "levels": levels}))
            .await
            .unwrap()
            .status()
            .is_success());
        assert!(post("/hr/skills", json!({"code": "WELD", "name": "Welding", "rating_model": "PROF"}))
            .await
            .unwrap()
            .status()
            .is_success());
        assert!(post("/hr/certificate-types", json!({"code": "FORK", "name": "Forklift"}))
            .await
            .unwrap()
            .status()
            .is_success());

        let file = stores.dir.path().join("workers.csv");
        write(
            &file,
            "personnel_number,first_name,last_name,email,skills,certificates\n\
             W-1,Ada,Lovelace,ada@example.com,WELD:Expert:2025-01-01,FORK:2025-01-10:2027-01-10\n\
             W-2,Grace,Hopper,not-an-email,,\n\
             W-3,Alan,Turing,alan@example.com,WELD:Guru,\n\
             W-4,Edsger,Dijkstra,,WELD:1:2025-01-01,\n",
        );
        let path = file.to_str().unwrap();
        let first = stores.command(&["import", "workers", path]).output().unwrap();
        let out = String::from_utf8_lossy(&first.stdout);
        assert_eq!(first.status.code(), Some(3), "rejected rows make exit status 3: {out}");
        assert!(out.contains("imported 4 rows"), "{out}");
        assert!(out.contains("2 created, 0 updated, 0 unchanged, 2 rejected"), "{out}");
        assert!(out.contains("line 3: email: must be an email address"), "{out}");
        assert!(out.contains("line 4: skills[0].level: 'Guru' is not a level of rating model 'PROF'"), "{out}");

        let again = stores.command(&["import", "workers", path]).output().unwrap();
        let out = String::from_utf8_lossy(&again.stdout);
        assert!(out.contains("0 created, 0 updated, 2 unchanged, 2 rejected"), "{out}");

        let workers: Value = client
            .get(format!("{}/api/v1/hr/workers", server.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let numbers: Vec<&str> =
            workers["items"].as_array().unwrap().iter().map(|w| w["personnel_number"].as_str().unwrap()).collect();
        assert_eq!(numbers, ["W-1", "W-4"]);
        assert_eq!(workers["items"][0]["skills"][0]["level"], "Expert");
        assert_eq!(workers["items"][0]["certificates"][0]["expires_on"], "2027-01-10");

        let missing = stores.command(&["import", "workers", "/no/such/file.csv"]).output().unwrap();
        assert!(!missing.status.success());
        drop(server);
        stores.finish().await;
    }
}

/// `hrbridge bench sync --json` (issue 4's figures): every figure is there and the figures agree
/// with each other. Its speed is what the bench itself measures, so nothing here is timed.
#[tokio::test]
async fn bench_sync_reports_its_figures() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(BIN);
    command.args(["bench", "sync", "--workers", "300", "--edits", "20", "--json"]).current_dir(dir.path());
    command.env("HRBRIDGE_LOG", "warn").env_remove("HRBRIDGE_BENCH_POSTGRES_URL");
    let postgres = postgres_skip_reason().is_none();
    if postgres {
        command.args(["--postgres", &std::env::var("HRBRIDGE_TEST_POSTGRES_URL").unwrap()]);
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let runs: Vec<Value> = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let backends: Vec<&str> = runs.iter().map(|r| r["backend"].as_str().unwrap()).collect();
    assert_eq!(backends, if postgres { vec!["sqlite", "postgres"] } else { vec!["sqlite"] });
    for run in &runs {
        let figure = |name: &str| run[name].as_f64().unwrap_or_else(|| panic!("{name} missing: {run}"));
        assert_eq!(run["workers"], 300);
        assert_eq!(run["edits"], 20);
        // Until synced counts from the import's start and waits for it; until recorded waits
        // for the links and cursors that follow the scheduling side's writes.
        assert!(figure("import_on_until_synced_seconds") >= figure("import_on_seconds"), "{run}");
        assert!(figure("import_on_until_recorded_seconds") >= figure("import_on_until_synced_seconds"), "{run}");
        // On SQLite the whole engine runs in the bench's process (on PostgreSQL most of the
        // work is the server's, and a short run may stay within one tick of the client's).
        if run["backend"] == "sqlite" {
            assert!(figure("import_on_until_synced_cpu_seconds") > 0.0, "the on phase used no CPU: {run}");
        }
        assert!(run["cores"].as_u64().unwrap() >= 1);
        let floor = figure("import_on_until_synced_cpu_seconds") / figure("cores") / figure("import_off_seconds");
        assert!((figure("cpu_floor_over_off") - floor).abs() < 1e-9, "{run}");
        assert!(figure("visible_p99_ms") >= figure("visible_p50_ms") && figure("visible_p50_ms") > 0.0, "{run}");
    }
}
