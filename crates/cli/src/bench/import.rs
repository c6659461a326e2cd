//! `hrbridge bench import --workers N [--json] [--postgres URL]`: imports N generated workers
//! (3 skills and 1 certificate each) through the real import path into fresh stores, and in the
//! same run measures the limit: the same rows written straight into fresh tables.

use super::{peak_rss_mib, FreshDatabases};
use hrbridge_app::{AppSettings, AppState, StoreLocation};
use hrbridge_domain::hr::CertificateTypeInput;
use hrbridge_domain::hr::{
    CertificateAssignment, RatingLevelInput, RatingModelInput, SkillAssignment, SkillInput, WorkerInput,
};
use hrbridge_store::hr::import::ImportRow;
use hrbridge_store::hr::import_file::{import_file, Format, BATCH_ROWS};
use hrbridge_store::hr::Catalog;
use hrbridge_store::Actor;
use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

#[derive(Serialize)]
struct Figures {
    backend: &'static str,
    workers: u64,
    rows_written: u64,
    import_seconds: f64,
    import_workers_per_second: f64,
    limit_seconds: f64,
    limit_workers_per_second: f64,
    import_over_limit: f64,
    peak_rss_mib: f64,
}

const SKILLS: usize = 10;
const LEVELS: [&str; 5] = ["Novice", "Beginner", "Competent", "Proficient", "Expert"];

pub async fn run(workers: u64, json: bool, postgres: Option<String>) -> anyhow::Result<ExitCode> {
    let work = tempfile::tempdir()?;
    let file = work.path().join("workers.csv");
    write_file(&file, workers)?;
    let mut results = vec![measure("sqlite", workers, &file, None).await?];
    if let Some(url) = postgres {
        results.push(measure("postgres", workers, &file, Some(&url)).await?);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&results)?);
    } else {
        for f in &results {
            println!(
                "{:<8} {} workers ({} rows with skills and certificates)\n  import {:>7.2} s  {:>9.0} workers/s\n  limit  {:>7.2} s  {:>9.0} workers/s\n  import / limit = {:.2}   peak RSS {:.0} MiB",
                f.backend, f.workers, f.rows_written, f.import_seconds, f.import_workers_per_second, f.limit_seconds,
                f.limit_workers_per_second, f.import_over_limit, f.peak_rss_mib
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn measure(
    backend: &'static str,
    workers: u64,
    file: &std::path::Path,
    postgres: Option<&str>,
) -> anyhow::Result<Figures> {
    let import_dir = tempfile::tempdir()?;
    let limit_dir = tempfile::tempdir()?;
    let databases = match postgres {
        Some(url) => Some(FreshDatabases::create(url, 4).await?),
        None => None,
    };
    let settings = |dir: &std::path::Path, first: usize| {
        let mut s = AppSettings::sqlite(dir.to_path_buf());
        if let Some(db) = &databases {
            s.hr = StoreLocation::Postgres(db.url(first));
            s.scheduling = StoreLocation::Postgres(db.url(first + 1));
        }
        s
    };
    let import_app = open(settings(import_dir.path(), 0)).await?;
    let limit_app = open(settings(limit_dir.path(), 2)).await?;
    for app in [&import_app, &limit_app] {
        catalog(app).await?;
    }
    let actor = Actor { name: "bench".into(), ..Actor::system() };
    let started = Instant::now();
    let report = import_file(&import_app.hr, actor, file, Format::Csv, |_, _| {}).await?;
    let import_seconds = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        report.created == workers && report.rejected == 0,
        "the import did not create every worker: {report:?}"
    );

    let known = Catalog::load(limit_app.hr.db()).await?;
    let started = Instant::now();
    let mut next = 0;
    while next < workers {
        let batch: Vec<ImportRow> = (next..(next + BATCH_ROWS as u64).min(workers)).map(row).collect();
        next += batch.len() as u64;
        limit_app.hr.insert_rows_unchecked(&known, &batch).await?;
    }
    let limit_seconds = started.elapsed().as_secs_f64();
    anyhow::ensure!(limit_app.hr.worker_count().await? == workers as i64, "the limit run did not write every worker");
    import_app.close().await;
    limit_app.close().await;
    if let Some(db) = databases {
        db.drop_all().await;
    }
    Ok(Figures {
        backend,
        workers,
        rows_written: workers * 5,
        import_seconds,
        import_workers_per_second: workers as f64 / import_seconds,
        limit_seconds,
        limit_workers_per_second: workers as f64 / limit_seconds,
        import_over_limit: import_seconds / limit_seconds,
        peak_rss_mib: peak_rss_mib(),
    })
}

pub(super) async fn open(settings: AppSettings) -> anyhow::Result<AppState> {
    let ids = Arc::new(hrbridge_domain::SnowflakeIds::new(1));
    Ok(AppState::open(settings, Arc::new(hrbridge_domain::SystemClock), ids).await?)
}

pub(super) async fn catalog(app: &AppState) -> anyhow::Result<()> {
    let actor = Actor { name: "bench".into(), ..Actor::system() };
    let levels = LEVELS
        .iter()
        .enumerate()
        .map(|(i, name)| RatingLevelInput { name: name.to_string(), factor: i as i64 + 1, description: None })
        .collect();
    let model = RatingModelInput { code: "PROF".into(), name: "Proficiency".into(), description: None, levels };
    app.hr.create_rating_model(&actor, model.parse()?).await?;
    for i in 0..SKILLS {
        let skill = SkillInput {
            code: format!("SK{i:02}"),
            name: format!("Skill {i}"),
            skill_type: None,
            rating_model: "PROF".into(),
            description: None,
        };
        app.hr.create_skill(&actor, skill.parse()?).await?;
    }
    for i in 0..3 {
        let cert = CertificateTypeInput {
            code: format!("CERT{i}"),
            name: format!("Certificate {i}"),
            description: None,
            requires_renewal: false,
        };
        app.hr.create_certificate_type(&actor, cert.parse()?).await?;
    }
    Ok(())
}

/// Worker `i`, the same in the file and in the limit run.
pub(super) fn row(i: u64) -> ImportRow {
    let skills = (0..3)
        .map(|k| SkillAssignment {
            skill: format!("SK{:02}", (i as usize + k * 3) % SKILLS),
            level: LEVELS[(i as usize + k) % LEVELS.len()].to_string(),
            level_date: None,
        })
        .collect();
    let certificates = vec![CertificateAssignment {
        certificate_type: format!("CERT{}", i % 3),
        issued_on: chrono::NaiveDate::from_ymd_opt(2024, 1, 1 + (i % 28) as u32).expect("valid date"),
        expires_on: chrono::NaiveDate::from_ymd_opt(2028, 1, 1),
    }];
    ImportRow {
        line: i + 2,
        worker: WorkerInput {
            personnel_number: Some(format!("W{i:08}")),
            first_name: format!("First{i}"),
            middle_name: None,
            last_name: format!("Last{i}"),
            email: Some(format!("worker{i}@example.com")),
            phone: Some(format!("+1555{:07}", i % 10_000_000)),
            employment_start: chrono::NaiveDate::from_ymd_opt(2020, 1 + (i % 12) as u32, 1),
            employment_end: None,
            status: None,
        },
        skills,
        certificates,
    }
}

pub(super) fn write_file(path: &std::path::Path, workers: u64) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "personnel_number,first_name,last_name,email,phone,employment_start,skills,certificates")?;
    for i in 0..workers {
        let r = row(i);
        let w = &r.worker;
        let skills: Vec<String> = r.skills.iter().map(|s| format!("{}:{}", s.skill, s.level)).collect();
        let c = &r.certificates[0];
        writeln!(
            out,
            "{},{},{},{},{},{},{},{}:{}:{}",
            w.personnel_number.as_deref().unwrap_or(""),
            w.first_name,
            w.last_name,
            w.email.as_deref().unwrap_or(""),
            w.phone.as_deref().unwrap_or(""),
            w.employment_start.map(|d| d.to_string()).unwrap_or_default(),
            skills.join(";"),
            c.certificate_type,
            c.issued_on,
            c.expires_on.map(|d| d.to_string()).unwrap_or_default()
        )?;
    }
    out.flush()?;
    Ok(())
}
