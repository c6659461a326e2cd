//! `hrbridge bench sync --workers N [--json] [--postgres URL]`: the sync engine against the
//! seed's warning ("2,000 workers take several hours with the integration on"). In one run, on
//! fresh stores each time:
//! - the import with the integration off;
//! - the same import with the integration on: the import's own time (it never waits on the
//!   sync), and the time until the scheduling side holds every resource and characteristic
//!   (on ÷ off), watched through the scheduling outbox so that watching costs nothing that grows,
//!   and the time until the engine has also recorded it all (links and cursors, in HR);
//! - the limit: the same scheduling rows written straight into fresh tables;
//! - commit-to-visible latency of single HR edits at a steady rate;
//! - sync now of the workers map after clearing its tracking.

use super::import::{catalog, open, row, write_file};
use super::{cpu_seconds, peak_rss_mib, percentile, FreshDatabases};
use hrbridge_app::sync_worker::SyncWorker;
use hrbridge_app::{AppSettings, AppState, StoreLocation};
use hrbridge_store::hr::import_file::{import_file, Format};
use hrbridge_store::scheduling::outbox::entity;
use hrbridge_store::scheduling::SchedulingStore;
use hrbridge_store::Actor;
use serde::Serialize;
use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Serialize)]
struct Figures {
    backend: &'static str,
    workers: u64,
    import_off_seconds: f64,
    /// The import's own time with the integration on (it never waits on the sync).
    import_on_seconds: f64,
    import_on_until_synced_seconds: f64,
    /// Until the engine has also recorded every pass (tracking rows and cursors, in HR): the
    /// single edits below start only then, so that they time the steady state, not the queue
    /// behind the import's last record.
    import_on_until_recorded_seconds: f64,
    on_over_off: f64,
    limit_seconds: f64,
    synced_over_limit: f64,
    /// This process's CPU time (every thread; on PostgreSQL the server's is not in it) for the
    /// import with the integration off, for the import with it on until synced, and for the limit.
    import_off_cpu_seconds: f64,
    import_on_until_synced_cpu_seconds: f64,
    limit_cpu_seconds: f64,
    /// The least "until synced" could take with every core of this machine busy on the work it
    /// took, ÷ the import with the integration off: how far a perfect schedule could bring on ÷ off
    /// without doing less work.
    cores: usize,
    cpu_floor_over_off: f64,
    edits: usize,
    edits_per_second: f64,
    visible_p50_ms: f64,
    visible_p99_ms: f64,
    sync_now_seconds: f64,
    peak_rss_mib: f64,
}

pub async fn run(workers: u64, edits: usize, json: bool, postgres: Option<String>) -> anyhow::Result<ExitCode> {
    let work = tempfile::tempdir()?;
    let file = work.path().join("workers.csv");
    write_file(&file, workers)?;
    let mut results = vec![measure("sqlite", workers, edits, &file, None).await?];
    if let Some(url) = postgres {
        results.push(measure("postgres", workers, edits, &file, Some(&url)).await?);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&results)?);
    } else {
        for f in &results {
            println!(
                "{:<8} {} workers, 3 skills and 1 certificate each\n  import, integration off        {:>8.3} s\n  import, integration on         {:>8.3} s   (the import alone)\n  import, on, until all synced    {:>8.3} s   on / off = {:.2}\n  import, on, until all recorded  {:>8.3} s\n  limit (scheduling rows alone)   {:>8.3} s   synced / limit = {:.2}\n  CPU: off {:.2} s, on until synced {:.2} s, limit {:.2} s; on {} cores, on ÷ off >= {:.2}{}\n  {} single edits at {:.0}/s: visible on the scheduling side p50 {:.1} ms, p99 {:.1} ms\n  sync now of workers             {:>8.3} s\n  peak RSS {:.0} MiB",
                f.backend, f.workers, f.import_off_seconds, f.import_on_seconds, f.import_on_until_synced_seconds, f.on_over_off,
                f.import_on_until_recorded_seconds,
                f.limit_seconds, f.synced_over_limit, f.import_off_cpu_seconds, f.import_on_until_synced_cpu_seconds,
                f.limit_cpu_seconds, f.cores, f.cpu_floor_over_off,
                if f.backend == "postgres" { " (the server's CPU is not counted)" } else { "" },
                f.edits, f.edits_per_second, f.visible_p50_ms, f.visible_p99_ms,
                f.sync_now_seconds, f.peak_rss_mib
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn measure(
    backend: &'static str,
    workers: u64,
    edits: usize,
    file: &std::path::Path,
    postgres: Option<&str>,
) -> anyhow::Result<Figures> {
    let dirs = [tempfile::tempdir()?, tempfile::tempdir()?, tempfile::tempdir()?];
    let databases = match postgres {
        Some(url) => Some(FreshDatabases::create(url, 6).await?),
        None => None,
    };
    let settings = |i: usize| {
        let mut s = AppSettings::sqlite(dirs[i].path().to_path_buf());
        if let Some(db) = &databases {
            s.hr = StoreLocation::Postgres(db.url(2 * i));
            s.scheduling = StoreLocation::Postgres(db.url(2 * i + 1));
        }
        s
    };
    let actor = Actor { name: "bench".into(), ..Actor::system() };

    // The import with the integration off.
    let off = open(settings(0)).await?;
    catalog(&off).await?;
    let (started, cpu) = (Instant::now(), cpu_seconds());
    import_file(&off.hr, actor.clone(), file, Format::Csv, |_, _| {}).await?;
    let import_off_seconds = started.elapsed().as_secs_f64();
    let import_off_cpu_seconds = cpu_seconds() - cpu;
    off.close().await;

    // The same import with the integration on, until everything is on the scheduling side.
    let on = open(settings(1)).await?;
    catalog(&on).await?;
    on.engine.set_enabled(&actor, true).await?;
    on.engine.missed_request_sync().await?;
    let worker = SyncWorker::spawn(on.clone());
    let mut arrivals = Arrivals::after(on.scheduling.db().outbox_last_seq().await?);
    let expected = (workers as i64, workers as i64 * 4);
    let (started, cpu) = (Instant::now(), cpu_seconds());
    import_file(&on.hr, actor.clone(), file, Format::Csv, |_, _| {}).await?;
    let import_on_seconds = started.elapsed().as_secs_f64();
    let imported_seq = on.hr.db().outbox_last_seq().await?;
    arrivals.wait(&on.scheduling, expected, Duration::from_secs(3600)).await?;
    let import_on_until_synced_seconds = started.elapsed().as_secs_f64();
    let import_on_until_synced_cpu_seconds = cpu_seconds() - cpu;
    recorded(&on, imported_seq, Duration::from_secs(600)).await?;
    let import_on_until_recorded_seconds = started.elapsed().as_secs_f64();
    // Counted from the outbox (cheap, as it grows); checked against the tables once, untimed.
    let linked = on.scheduling.count_linked().await?;
    anyhow::ensure!(linked == expected, "the scheduling side holds {linked:?}, not {expected:?}");

    // Single edits at a steady rate, each timed from its commit to its arrival on the other side.
    let (visible, edits_per_second) = latency(&on, &actor, edits.min(workers as usize)).await?;

    // Sync now of the workers map, its tracking cleared first.
    on.hr.clear_tracking(&actor, "workers").await?;
    let map = on.engine.map("workers")?.clone();
    let started = Instant::now();
    on.engine.full_sync(&map, None).await?;
    let sync_now_seconds = started.elapsed().as_secs_f64();
    drop(worker);
    on.close().await;

    // The limit: the same resources and characteristics written straight into fresh tables.
    let limit = open(settings(2)).await?;
    let (started, cpu) = (Instant::now(), cpu_seconds());
    limit.scheduling.generate_resources(workers as usize, 13, 4, chrono::Utc::now(), 7).await?;
    let limit_seconds = started.elapsed().as_secs_f64();
    let limit_cpu_seconds = cpu_seconds() - cpu;
    limit.close().await;
    if let Some(db) = databases {
        db.drop_all().await;
    }
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    Ok(Figures {
        backend,
        workers,
        import_off_seconds,
        import_on_seconds,
        import_on_until_synced_seconds,
        import_on_until_recorded_seconds,
        on_over_off: import_on_until_synced_seconds / import_off_seconds,
        limit_seconds,
        synced_over_limit: import_on_until_synced_seconds / limit_seconds,
        import_off_cpu_seconds,
        import_on_until_synced_cpu_seconds,
        limit_cpu_seconds,
        cores,
        cpu_floor_over_off: import_on_until_synced_cpu_seconds / cores as f64 / import_off_seconds,
        edits: visible.len(),
        edits_per_second,
        visible_p50_ms: percentile(&visible, 0.50),
        visible_p99_ms: percentile(&visible, 0.99),
        sync_now_seconds,
        peak_rss_mib: peak_rss_mib(),
    })
}

/// Resources and characteristics the engine created on the scheduling side, counted from its
/// outbox as it grows (each entry commits with its row), so that watching costs the engine
/// nothing: a count over the tables every few milliseconds would grow with them, and reading
/// the entries themselves would hand every one of them across to the bench.
struct Arrivals {
    after: i64,
    resources: i64,
    characteristics: i64,
}

impl Arrivals {
    fn after(seq: i64) -> Self {
        Self { after: seq, resources: 0, characteristics: 0 }
    }

    /// Polls the outbox every 2 ms until `expected` (resources, characteristics) have arrived,
    /// or `limit` passes.
    async fn wait(&mut self, store: &SchedulingStore, expected: (i64, i64), limit: Duration) -> anyhow::Result<()> {
        let deadline = Instant::now() + limit;
        loop {
            let (last, resources, characteristics) = store.sync_inserts_after(self.after).await?;
            self.after = last;
            self.resources += resources;
            self.characteristics += characteristics;
            if self.resources >= expected.0 && self.characteristics >= expected.1 {
                return Ok(());
            }
            anyhow::ensure!(Instant::now() < deadline, "not synced within {limit:?}");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
}

/// Polls the HR cursor every 2 ms until the engine has recorded every HR outbox entry up to
/// `seq`, or `limit` passes.
async fn recorded(app: &AppState, seq: i64, limit: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + limit;
    while app.hr.sync_cursors().await?.hr_applied < seq {
        anyhow::ensure!(Instant::now() < deadline, "the import was not recorded within {limit:?}");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Ok(())
}

/// `edits` phone changes at 500 a second, one worker each, each started when due; a watcher reads the scheduling
/// outbox every millisecond and notes when each worker's resource changed. Returns the
/// latencies in ms, sorted, and the rate achieved.
async fn latency(app: &AppState, actor: &Actor, edits: usize) -> anyhow::Result<(Vec<f64>, f64)> {
    let committed: Arc<std::sync::Mutex<HashMap<String, Instant>>> = Arc::default();
    let arrived: Arc<std::sync::Mutex<HashMap<String, Instant>>> = Arc::default();
    let start_seq = app.scheduling.db().outbox_last_seq().await?;
    let watcher = {
        let (store, arrived) = (app.scheduling.clone(), arrived.clone());
        tokio::spawn(async move {
            let mut after = start_seq;
            loop {
                if let Ok(entries) = store.outbox_after(after, 1000).await {
                    let now = Instant::now();
                    for e in entries {
                        after = e.seq;
                        // Every resource the engine writes from here on is one edited below
                        // (one edit a worker), though its commit may not be noted yet.
                        if e.entity == entity::BOOKABLE_RESOURCE && e.origin == "sync" {
                            arrived.lock().expect("lock").entry(e.entity_key).or_insert(now);
                        }
                    }
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        })
    };
    // Each edit starts when it is due, whether or not the ones before have committed, as edits
    // from many clients would: a store slower than 2 ms a commit then has several in flight,
    // instead of holding the rate down.
    let started = Instant::now();
    let mut in_flight = tokio::task::JoinSet::new();
    for i in 0..edits {
        let due = started + Duration::from_millis(2 * i as u64);
        tokio::time::sleep_until(due.into()).await;
        let mut input = row(i as u64).worker;
        input.phone = Some(format!("+1666{i:07}"));
        let number = input.personnel_number.clone().unwrap_or_default();
        let input = input.parse()?;
        let (app, actor, committed) = (app.clone(), actor.clone(), committed.clone());
        in_flight.spawn(async move {
            app.hr.update_worker(&actor, &number, input, None).await?;
            committed.lock().expect("lock").insert(number, Instant::now());
            // As the API does after every write request.
            app.wake_sync();
            anyhow::Ok(())
        });
    }
    while let Some(edit) = in_flight.join_next().await {
        edit??;
    }
    let rate = edits as f64 / started.elapsed().as_secs_f64();
    let all = || arrived.lock().expect("lock").len() >= edits;
    let deadline = Instant::now() + Duration::from_secs(60);
    while !all() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    watcher.abort();
    let committed = committed.lock().expect("lock");
    let arrived = arrived.lock().expect("lock");
    anyhow::ensure!(arrived.len() >= edits, "only {} of {edits} edits arrived within 60 s", arrived.len());
    let mut ms: Vec<f64> = committed
        .iter()
        .filter_map(|(k, at)| arrived.get(k).map(|a| a.saturating_duration_since(*at).as_secs_f64() * 1000.0))
        .collect();
    ms.sort_by(f64::total_cmp);
    Ok((ms, rate))
}
