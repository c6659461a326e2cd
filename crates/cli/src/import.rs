//! `hrbridge import workers FILE`: a progress bar with rate and time left, then a report.

use crate::config::Config;
use clap::{Subcommand, ValueEnum};
use hrbridge_store::hr::import_file::{import_file, Format};
use hrbridge_store::Actor;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Imports workers with their skills and certificates from CSV or JSON lines.
    Workers {
        file: PathBuf,
        /// The file's format (default: from its extension; .jsonl/.ndjson are JSON lines).
        #[arg(long)]
        format: Option<FileFormat>,
        /// Show at most this many rejected rows (all are counted).
        #[arg(long, default_value_t = 50)]
        show_rejected: usize,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FileFormat {
    Csv,
    Jsonl,
}

pub async fn run(config: Config, command: ImportCommand) -> anyhow::Result<ExitCode> {
    let ImportCommand::Workers { file, format, show_rejected } = command;
    let format = match format {
        Some(FileFormat::Csv) => Format::Csv,
        Some(FileFormat::Jsonl) => Format::JsonLines,
        None => Format::from_path(&file),
    };
    let size = std::fs::metadata(&file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?.len();
    let state = crate::open_app(&config).await?;
    let bar = ProgressBar::new(size);
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:40} {percent:>3}% {bytes}/{total_bytes} {bytes_per_sec} · {msg} · {eta} left",
        )
        .expect("valid template"),
    );
    let actor = Actor { name: "cli".into(), ..Actor::system() };
    let started = std::time::Instant::now();
    let report = import_file(&state.hr, actor, &file, format, |read, report| {
        bar.set_position(read);
        bar.set_message(format!("{} rows, {} rejected", report.rows, report.rejected));
    })
    .await?;
    bar.finish_and_clear();
    state.close().await;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "imported {} rows in {seconds:.2} s ({:.0} rows/s): {} created, {} updated, {} unchanged, {} rejected",
        report.rows,
        report.rows as f64 / seconds.max(1e-9),
        report.created,
        report.updated,
        report.unchanged,
        report.rejected
    );
    for row in report.rejected_rows.iter().take(show_rejected) {
        let reasons: Vec<String> = row.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
        println!("  line {}: {}", row.line, reasons.join("; "));
    }
    if report.rejected as usize > show_rejected {
        println!("  … and {} more rejected rows", report.rejected as usize - show_rejected);
    }
    Ok(if report.rejected > 0 { ExitCode::from(3) } else { ExitCode::SUCCESS })
}
