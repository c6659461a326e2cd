//! `hrbridge integration on|off|status|reconcile`, `hrbridge sync now ENTITY` and
//! `hrbridge tracking clear ENTITY`: the integration page's controls from a terminal, on the
//! configured stores directly (a running `hrbridge serve` sees the results at once).

use crate::config::Config;
use clap::Subcommand;
use hrbridge_store::Actor;
use indicatif::{ProgressBar, ProgressStyle};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Subcommand)]
pub enum IntegrationCommand {
    /// Turns the integration on and runs the missed-request sync.
    On,
    /// Turns the integration off: both sides keep their writes, nothing is applied.
    Off,
    /// Shows the switch, the backlog, the error queue and the last missed-request sync.
    Status,
    /// Compares both sides through the maps and the tracking table, and lists every difference,
    /// queued error and waiting change; exits 1 when there is any.
    Reconcile {
        /// Print the whole report as JSON (agree, pending, totals, differences).
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum SyncCommand {
    /// A full synchronisation of one entity (a map name, e.g. `workers`), with a progress bar.
    Now { entity: String },
}

#[derive(Subcommand)]
pub enum TrackingCommand {
    /// Removes the entity's tracking rows.
    Clear { entity: String },
}

fn operator() -> Actor {
    let name = std::env::var("USER").unwrap_or_else(|_| "operator".into());
    Actor { name: format!("cli:{name}"), ..Actor::system() }
}

pub async fn integration(config: Config, command: IntegrationCommand) -> anyhow::Result<ExitCode> {
    let app = crate::open_app(&config).await?;
    let engine = &app.engine;
    let code = match command {
        IntegrationCommand::On => {
            engine.set_enabled(&operator(), true).await?;
            let run = engine.missed_request_sync().await?;
            println!(
                "integration on; missed-request sync applied {} changes ({} conflicts, {} errors)",
                run.applied, run.conflicts, run.errors
            );
            ExitCode::SUCCESS
        }
        IntegrationCommand::Off => {
            engine.set_enabled(&operator(), false).await?;
            println!("integration off");
            ExitCode::SUCCESS
        }
        IntegrationCommand::Status => {
            println!("{}", serde_json::to_string_pretty(&engine.status().await?)?);
            ExitCode::SUCCESS
        }
        IntegrationCommand::Reconcile { json } => {
            let report = engine.reconciliation().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                for d in &report.differences {
                    println!("{}\t{}\t{}", d.map, d.key, d.problem);
                    for f in &d.fields {
                        println!("\t\t{}: HR {} / scheduling {}", f.field, f.hr_value, f.scheduling_value);
                    }
                }
                let (hr, scheduling) = (report.pending.hr, report.pending.scheduling);
                if hr + scheduling > 0 {
                    println!("waiting to be applied: {hr} HR changes, {scheduling} scheduling changes");
                }
                if report.agree {
                    println!("both sides agree");
                } else {
                    eprintln!("{} differences; the sides do not agree", report.differences.len());
                }
            }
            if report.agree {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
    };
    app.close().await;
    Ok(code)
}

pub async fn sync(config: Config, command: SyncCommand) -> anyhow::Result<ExitCode> {
    let SyncCommand::Now { entity } = command;
    let app = crate::open_app(&config).await?;
    if !app.hr.integration_enabled().await? {
        eprintln!("error: the integration is off: turn it on first (hrbridge integration on)");
        return Ok(ExitCode::from(2));
    }
    let id = app.ids.next_uuid().to_string();
    let job = app.engine.start_sync_now(&operator(), &entity, id).await?;
    let bar = ProgressBar::new(job.total.max(1) as u64);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(format!("sync now {entity}"));
    let job = loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let job = app.hr.sync_job(&job.id).await?;
        bar.set_length(job.total.max(job.done).max(1) as u64);
        bar.set_position(job.done as u64);
        if job.state == "done" || job.state == "failed" {
            break job;
        }
    };
    bar.finish();
    app.close().await;
    println!("{}: {} ({} records, {} errors)", entity, job.state, job.done, job.errors);
    if let Some(message) = &job.message {
        eprintln!("{message}");
    }
    Ok(if job.state == "done" { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

pub async fn tracking(config: Config, command: TrackingCommand) -> anyhow::Result<ExitCode> {
    let TrackingCommand::Clear { entity } = command;
    let app = crate::open_app(&config).await?;
    let map = app.engine.map(&entity)?.name().to_string();
    let removed = app.hr.clear_tracking(&operator(), &map).await?;
    app.close().await;
    println!("cleared {removed} tracking rows of {map}");
    Ok(ExitCode::SUCCESS)
}
