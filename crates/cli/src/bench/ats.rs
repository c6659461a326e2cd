//! `hrbridge bench ats`: sustained exports of hired candidates over HTTP, with token checks and
//! validation, against hrbridge on a fresh SQLite store. The load comes from a second process (this
//! binary again, `bench ats-load`) on loopback, bounded in time; the first serves.

use super::percentile;
use hrbridge_app::{AppSettings, AppState};
use serde::{Deserialize, Serialize};
use std::process::{ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the load process reports on its standard output.
#[derive(Serialize, Deserialize)]
pub struct LoadReport {
    pub seconds: f64,
    pub exports: usize,
    pub failures: usize,
    pub exports_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// Serves, registers an application, runs the load process, prints its figures.
pub async fn run(seconds: u64, connections: usize, json: bool) -> anyhow::Result<ExitCode> {
    let dir = tempfile::tempdir()?;
    let mut settings = AppSettings::sqlite(dir.path().to_path_buf());
    // The bench measures throughput: no rate limit in the way.
    settings.ats_rate_per_second = 1_000_000;
    settings.ats_rate_burst = 1_000_000;
    let clock = Arc::new(hrbridge_domain::SystemClock);
    let app = AppState::open(settings, clock, Arc::new(hrbridge_domain::SnowflakeIds::new(1))).await?;
    let password = hrbridge_store::password::random_secret(18);
    app.bootstrap_admin(Some(&password)).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let router = hrbridge_server::app(app.clone());
    let server = tokio::spawn(async move { axum::serve(listener, router).await });

    let client = reqwest::Client::new();
    let login: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "admin", "password": password}))
        .send()
        .await?
        .json()
        .await?;
    let admin = login["access_token"].as_str().unwrap_or_default().to_string();
    let registration = serde_json::json!({"name": "Bench ATS", "user": "admin", "role": "ats-integration"});
    let response =
        client.post(format!("{base}/api/v1/admin/apps")).bearer_auth(&admin).json(&registration).send().await?;
    anyhow::ensure!(response.status().is_success(), "registering the app answered {}", response.status());
    let registered: serde_json::Value = response.json().await?;

    let output = tokio::process::Command::new(std::env::current_exe()?)
        .args(["bench", "ats-load", "--url", &base, "--seconds", &seconds.to_string()])
        .args(["--connections", &connections.to_string()])
        .env("HRBRIDGE_BENCH_CLIENT_ID", registered["client_id"].as_str().unwrap_or_default())
        .env("HRBRIDGE_BENCH_CLIENT_SECRET", registered["client_secret"].as_str().unwrap_or_default())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .output()
        .await?;
    server.abort();
    anyhow::ensure!(output.status.success(), "the load process failed");
    let report: LoadReport = serde_json::from_slice(&output.stdout)?;
    let stored = app.hr.candidate_count().await?;
    app.close().await;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "{} exports in {:.1} s from a second process with {connections} connections: {:.0} per second\n\
             latency p50 {:.2} ms   p99 {:.2} ms   max {:.2} ms   failures {}   candidates stored {stored}",
            report.exports,
            report.seconds,
            report.exports_per_second,
            report.p50_ms,
            report.p99_ms,
            report.max_ms,
            report.failures
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The load process: a token by client credentials, then `connections` loops exporting
/// distinct candidates until `seconds` have passed. Prints a [`LoadReport`] as JSON.
pub async fn load(url: String, seconds: u64, connections: usize) -> anyhow::Result<ExitCode> {
    let client_id = std::env::var("HRBRIDGE_BENCH_CLIENT_ID")?;
    let secret = std::env::var("HRBRIDGE_BENCH_CLIENT_SECRET")?;
    let client = reqwest::Client::builder().pool_max_idle_per_host(connections).build()?;
    let token: serde_json::Value = client
        .post(format!("{url}/oauth/token"))
        .form(&[("grant_type", "client_credentials"), ("client_id", &client_id), ("client_secret", &secret)])
        .send()
        .await?
        .json()
        .await?;
    let token = token["access_token"].as_str().unwrap_or_default().to_string();
    anyhow::ensure!(!token.is_empty(), "no token from /oauth/token");
    let next = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (client, url, token, next) = (client.clone(), url.clone(), token.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut failures = 0usize;
            while Instant::now() < deadline {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let body = serde_json::json!({
                    "external_id": format!("cand-{n}"), "first_name": "Grace", "last_name": format!("Hopper {n}"),
                    "email": format!("grace{n}@example.com"), "phone": "+15551234567", "start_date": "2027-01-04",
                    "job_title": "Engineer", "location": "Leeds",
                });
                let sent = Instant::now();
                let ok = match client
                    .post(format!("{url}/api/v1/ats/hired-candidates"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                {
                    Ok(response) => response.status().is_success() && response.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if ok {
                    times.push(sent.elapsed().as_secs_f64() * 1000.0);
                } else {
                    failures += 1;
                }
            }
            (times, failures)
        }));
    }
    let mut times = Vec::new();
    let mut failures = 0;
    for task in tasks {
        let (t, f) = task.await?;
        times.extend(t);
        failures += f;
    }
    let seconds = started.elapsed().as_secs_f64();
    times.sort_by(f64::total_cmp);
    let report = LoadReport {
        seconds,
        exports: times.len(),
        failures,
        exports_per_second: times.len() as f64 / seconds,
        p50_ms: percentile(&times, 0.5),
        p99_ms: percentile(&times, 0.99),
        max_ms: times.last().copied().unwrap_or(0.0),
    };
    println!("{}", serde_json::to_string(&report)?);
    Ok(ExitCode::SUCCESS)
}
