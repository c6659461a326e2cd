//! `hrbridge`: serve, administer, import and benchmark.

mod admin;
mod bench;
mod config;
mod import;
mod integration;
mod serve;

use clap::{Parser, Subcommand};
use config::{Config, Overrides};
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc for Rust's allocations and, through its `override` feature, for the C code linked in
/// (SQLite) too. glibc's allocator spent a quarter of the finder's index rebuild and of bulk
/// imports in `_int_malloc` and `unlink_chunk` (measured with perf; see docs/architecture.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `purge_delay` option (the one before `use_numa_nodes` in its list of options):
/// how long freed memory stays with the process before it goes back to the system.
const MIMALLOC_PURGE_DELAY: libmimalloc_sys::mi_option_t = libmimalloc_sys::mi_option_use_numa_nodes - 1;

/// Keeps freed memory for a second instead of mimalloc's 10 ms. SQLite builds a folded result
/// by doubling its buffer, and a bulk read builds one every few milliseconds: returned at once,
/// each fresh buffer was faulted in and zeroed again, a fifth of the index rebuild's time.
/// Should a mimalloc update move its options, the option found there would not hold
/// `purge_delay`'s default (10), and is left alone.
fn tune_allocator() {
    // SAFETY: reads and sets an integer option; mimalloc keeps options in atomics.
    unsafe {
        if libmimalloc_sys::mi_option_get(MIMALLOC_PURGE_DELAY) == 10 {
            libmimalloc_sys::mi_option_set(MIMALLOC_PURGE_DELAY, 1000);
        }
    }
}

#[derive(Parser)]
#[command(
    name = "hrbridge",
    version,
    about = "HR system of record, kept in step with resource scheduling and applicant tracking"
)]
struct Cli {
    /// A TOML configuration file (default: $HRBRIDGE_CONFIG, else ./hrbridge.toml if present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Where the SQLite files live (default ./data).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs everything in one process: the API, sign-in and the stores.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Users and roles.
    #[command(subcommand)]
    Admin(admin::AdminCommand),
    /// Bulk import.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Measures a scenario against its limit in the same run.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// The integration with the scheduling store: on, off, status, reconcile.
    #[command(subcommand)]
    Integration(integration::IntegrationCommand),
    /// Synchronises an entity now.
    #[command(subcommand)]
    Sync(integration::SyncCommand),
    /// The integration's tracking table.
    #[command(subcommand)]
    Tracking(integration::TrackingCommand),
}

fn main() -> ExitCode {
    tune_allocator();
    let cli = Cli::parse();
    let listen = match &cli.command {
        Command::Serve { listen } => listen.clone(),
        _ => None,
    };
    let config = match Config::load(cli.config.as_deref(), Overrides { data_dir: cli.data_dir.clone(), listen }) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_new(&config.log).unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve { .. } => serve::run(config).await,
            Command::Admin(command) => admin::run(config, command).await,
            Command::Import(command) => import::run(config, command).await,
            Command::Bench(command) => bench::run(command).await,
            Command::Integration(command) => integration::integration(config, command).await,
            Command::Sync(command) => integration::sync(config, command).await,
            Command::Tracking(command) => integration::tracking(config, command).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Opens the application on the configured stores, as the server would.
pub async fn open_app(config: &Config) -> anyhow::Result<hrbridge_app::AppState> {
    let settings = config.settings().map_err(anyhow::Error::msg)?;
    let clock = std::sync::Arc::new(hrbridge_domain::SystemClock);
    let ids = std::sync::Arc::new(hrbridge_domain::SnowflakeIds::new(rand_node()));
    Ok(hrbridge_app::AppState::open(settings, clock, ids).await?)
}

/// A node number for snowflake ids: from the process id and time, so two processes differ.
fn rand_node() -> u16 {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    ((std::process::id() ^ nanos) & 0x3ff) as u16
}
