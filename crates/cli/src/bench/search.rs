//! `hrbridge bench search`: generated resources in a fresh SQLite scheduling store; the time to
//! build the finder's index from it; the finder's search in-process and over HTTP; and, in the
//! same run, the same search written as one straightforward SQL query (joins and group by).

use super::percentile;
use hrbridge_app::finder::Finder;
use hrbridge_app::{AppSettings, AppState};
use hrbridge_finder::{Query, Requirement};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

#[derive(Serialize)]
struct Figures {
    resources: usize,
    characteristics_per_resource: usize,
    generate_seconds: f64,
    snapshot_load_seconds: f64,
    index_build_seconds: f64,
    in_process_searches: usize,
    in_process_p50_ms: f64,
    in_process_p99_ms: f64,
    http_searches: usize,
    http_p50_ms: f64,
    http_p99_ms: f64,
    sql_searches: usize,
    sql_p50_ms: f64,
    sql_p99_ms: f64,
    sql_p99_over_in_process_p99: f64,
    mean_matches: f64,
}

const CHARACTERISTICS: usize = 200;
const SEED: u64 = 7;

pub async fn run(
    resources: usize,
    per_resource: usize,
    searches: usize,
    json: bool,
    keep_data: Option<std::path::PathBuf>,
) -> anyhow::Result<ExitCode> {
    let dir = tempfile::tempdir()?;
    let data_dir = keep_data.unwrap_or_else(|| dir.path().to_path_buf());
    let clock = Arc::new(hrbridge_domain::SystemClock);
    let ids = Arc::new(hrbridge_domain::SnowflakeIds::new(1));
    let app = AppState::open(AppSettings::sqlite(data_dir), clock, ids).await?;
    // The window: two weeks from next Monday.
    let today = chrono::Utc::now().date_naive();
    let monday =
        today + chrono::Duration::days(7 - i64::from(chrono::Datelike::weekday(&today).num_days_from_monday()));
    let from = monday.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    let to = from + chrono::Duration::days(14);

    let started = Instant::now();
    let generated = app.scheduling.generate_resources(resources, CHARACTERISTICS, per_resource, from, SEED).await?;
    let generate_seconds = started.elapsed().as_secs_f64();

    // The load alone, a page after another, then the whole rebuild as a start does it: two pages
    // read at once while the pages before are indexed.
    let started = Instant::now();
    let loaded = app.scheduling.resource_snapshots(None).await?.len();
    let snapshot_load_seconds = started.elapsed().as_secs_f64();
    anyhow::ensure!(loaded == resources, "loaded {loaded} of {resources} resources");
    let started = Instant::now();
    let finder = Finder::load(&app.scheduling).await?;
    let index_build_seconds = started.elapsed().as_secs_f64();
    anyhow::ensure!(finder.len() == resources, "the index holds {} of {resources} resources", finder.len());

    let mut rng = StdRng::seed_from_u64(SEED);
    let queries: Vec<Query> = (0..searches)
        .map(|_| {
            let mut names = std::collections::BTreeSet::new();
            while names.len() < 3 {
                names.insert(generated.characteristics[rng.gen_range(0..CHARACTERISTICS)].clone());
            }
            Query {
                characteristics: names
                    .into_iter()
                    .map(|name| Requirement { name, min_rating: rng.gen_range(1..=3) })
                    .collect(),
                from,
                to,
                duration_minutes: 8 * 60,
                resource_types: None,
                limit: 100,
            }
        })
        .collect();

    let mut in_process = Vec::with_capacity(searches);
    let mut found = 0usize;
    for query in &queries {
        let started = Instant::now();
        let matches = finder.search(query);
        in_process.push(started.elapsed().as_secs_f64() * 1000.0);
        found += matches.len();
    }
    in_process.sort_by(f64::total_cmp);

    let http = over_http(&app, &queries[..queries.len().min(300)]).await?;
    let mut sql = Vec::new();
    for query in queries.iter().take(50) {
        let required: Vec<(String, i64)> =
            query.characteristics.iter().map(|r| (r.name.clone(), r.min_rating)).collect();
        let started = Instant::now();
        app.scheduling.search_in_sql(&required, from, to, 100).await?;
        sql.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    sql.sort_by(f64::total_cmp);
    app.close().await;

    let figures = Figures {
        resources,
        characteristics_per_resource: per_resource,
        generate_seconds,
        snapshot_load_seconds,
        index_build_seconds,
        in_process_searches: in_process.len(),
        in_process_p50_ms: percentile(&in_process, 0.5),
        in_process_p99_ms: percentile(&in_process, 0.99),
        http_searches: http.len(),
        http_p50_ms: percentile(&http, 0.5),
        http_p99_ms: percentile(&http, 0.99),
        sql_searches: sql.len(),
        sql_p50_ms: percentile(&sql, 0.5),
        sql_p99_ms: percentile(&sql, 0.99),
        sql_p99_over_in_process_p99: percentile(&sql, 0.99) / percentile(&in_process, 0.99).max(1e-9),
        mean_matches: found as f64 / searches.max(1) as f64,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&figures)?);
    } else {
        let f = &figures;
        println!(
            "{} resources × {} characteristics (generated in {:.1} s); 3 required characteristics, a two-week window\n\
             index rebuild {:>8.2} s   (loading alone, a page at a time: {:.2} s)\n\
             in-process    p50 {:>7.3} ms   p99 {:>7.3} ms   ({} searches, {:.0} matches on average)\n\
             over HTTP     p50 {:>7.3} ms   p99 {:>7.3} ms   ({} searches)\n\
             SQL           p50 {:>7.1} ms   p99 {:>7.1} ms   ({} searches)\n\
             SQL p99 ÷ in-process p99 = {:.0}",
            f.resources,
            f.characteristics_per_resource,
            f.generate_seconds,
            f.index_build_seconds,
            f.snapshot_load_seconds,
            f.in_process_p50_ms,
            f.in_process_p99_ms,
            f.in_process_searches,
            f.mean_matches,
            f.http_p50_ms,
            f.http_p99_ms,
            f.http_searches,
            f.sql_p50_ms,
            f.sql_p99_ms,
            f.sql_searches,
            f.sql_p99_over_in_process_p99
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Times `POST /api/v1/scheduling/resource-search` against a server on a loopback port.
async fn over_http(app: &AppState, queries: &[Query]) -> anyhow::Result<Vec<f64>> {
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
    let token = login["access_token"].as_str().unwrap_or_default().to_string();
    let mut times = Vec::with_capacity(queries.len());
    for q in queries {
        let body = serde_json::json!({
            "characteristics": q.characteristics.iter().map(|r| serde_json::json!({"name": r.name, "min_rating": r.min_rating})).collect::<Vec<_>>(),
            "from": q.from, "to": q.to, "duration_minutes": q.duration_minutes, "limit": q.limit,
        });
        let started = Instant::now();
        let response = client
            .post(format!("{base}/api/v1/scheduling/resource-search"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await?;
        anyhow::ensure!(response.status().is_success(), "search answered {}", response.status());
        response.bytes().await?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    server.abort();
    times.sort_by(f64::total_cmp);
    Ok(times)
}
