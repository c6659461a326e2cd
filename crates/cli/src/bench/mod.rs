//! `hrbridge bench SCENARIO`: each scenario measures hrbridge against its limit in the same run.

mod ats;
mod import;
mod search;
mod sync;

use clap::Subcommand;
use sqlx::Connection;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Bulk import of generated workers against the limit (the same rows written straight in).
    Import {
        #[arg(long, default_value_t = 100_000)]
        workers: u64,
        /// Print the figures as JSON.
        #[arg(long)]
        json: bool,
        /// Also run on PostgreSQL: a server URL where fresh databases may be created.
        #[arg(long, env = "HRBRIDGE_BENCH_POSTGRES_URL")]
        postgres: Option<String>,
    },
    /// The resource finder against the same search written as SQL, on generated resources.
    Search {
        #[arg(long, default_value_t = 100_000)]
        resources: usize,
        /// Characteristics held by each resource.
        #[arg(long, default_value_t = 10)]
        per_resource: usize,
        /// In-process searches to time (HTTP and SQL run fewer).
        #[arg(long, default_value_t = 1000)]
        searches: usize,
        #[arg(long)]
        json: bool,
        /// Generate into this directory and keep it (to inspect or rerun the SQL by hand).
        #[arg(long)]
        keep_data: Option<std::path::PathBuf>,
    },
    /// Sustained ATS exports over HTTP, the load coming from a second process on loopback.
    Ats {
        /// How long the load runs.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Requests in flight at once.
        #[arg(long, default_value_t = 32)]
        connections: usize,
        #[arg(long)]
        json: bool,
    },
    /// The sync engine: the same import with the integration off and on (until synced), the
    /// limit, commit-to-visible latency of single edits, and sync now.
    Sync {
        #[arg(long, default_value_t = 2_000)]
        workers: u64,
        /// Single edits timed at 500 a second.
        #[arg(long, default_value_t = 1_000)]
        edits: usize,
        #[arg(long)]
        json: bool,
        /// Also run on PostgreSQL: a server URL where fresh databases may be created.
        #[arg(long, env = "HRBRIDGE_BENCH_POSTGRES_URL")]
        postgres: Option<String>,
    },
    /// The load process of `bench ats` (started by it; reads the app's credentials from the
    /// environment).
    #[command(hide = true)]
    AtsLoad {
        #[arg(long)]
        url: String,
        #[arg(long)]
        seconds: u64,
        #[arg(long)]
        connections: usize,
    },
}

pub async fn run(command: BenchCommand) -> anyhow::Result<ExitCode> {
    match command {
        BenchCommand::Import { workers, json, postgres } => import::run(workers, json, postgres).await,
        BenchCommand::Search { resources, per_resource, searches, json, keep_data } => {
            search::run(resources, per_resource, searches, json, keep_data).await
        }
        BenchCommand::Ats { seconds, connections, json } => ats::run(seconds, connections, json).await,
        BenchCommand::Sync { workers, edits, json, postgres } => sync::run(workers, edits, json, postgres).await,
        BenchCommand::AtsLoad { url, seconds, connections } => ats::load(url, seconds, connections).await,
    }
}

/// The process's peak resident memory (VmHWM), in MiB.
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kib| kib / 1024.0)
        .unwrap_or(0.0)
}

/// CPU time (user and system, every thread) this process has used so far, in seconds, from
/// `/proc/self/stat` (Linux counts it in ticks of 1/100 s there on every common architecture);
/// 0 where that cannot be read.
pub fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the command name, which is in parentheses and may hold spaces:
            // utime and stime are the 14th and 15th fields of the whole line.
            let rest = &s[s.rfind(')')? + 1..];
            let mut fields = rest.split_whitespace().skip(11);
            let user: f64 = fields.next()?.parse().ok()?;
            let system: f64 = fields.next()?.parse().ok()?;
            Some((user + system) / 100.0)
        })
        .unwrap_or(0.0)
}

/// The value below which `share` of the sorted `values` fall (nearest rank).
pub fn percentile(sorted: &[f64], share: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((share * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Fresh PostgreSQL databases for one bench run, dropped afterwards.
pub struct FreshDatabases {
    server: String,
    names: Vec<String>,
}

impl FreshDatabases {
    pub async fn create(url: &str, count: usize) -> anyhow::Result<Self> {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        let id = uuid::Uuid::new_v4().simple().to_string();
        let mut names = Vec::new();
        for i in 0..count {
            let name = format!("hrbridge_bench_{id}_{i}");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await?;
            names.push(name);
        }
        let server = url.rsplit_once('/').map(|(root, _)| root.to_string()).unwrap_or_else(|| url.to_string());
        Ok(Self { server, names })
    }

    pub fn url(&self, i: usize) -> String {
        format!("{}/{}", self.server, self.names[i])
    }

    pub async fn drop_all(&self) {
        if let Ok(mut conn) = sqlx::PgConnection::connect(&format!("{}/postgres", self.server)).await {
            for name in &self.names {
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                    .execute(&mut conn)
                    .await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_os = "linux")]
    #[test]
    fn cpu_seconds_counts_the_work_this_process_does() {
        // A new test process may not have used its first tick yet: no lower bound before.
        let before = super::cpu_seconds();
        let started = std::time::Instant::now();
        let mut x = 0u64;
        while started.elapsed() < std::time::Duration::from_millis(200) {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
        // 200 ms of wall time spent computing: at least a few ticks of 10 ms, and at most the
        // wall time on every core (other tests' threads count too), give or take a tick.
        let used = super::cpu_seconds() - before;
        let wall = started.elapsed().as_secs_f64();
        let cores = std::thread::available_parallelism().map_or(1, usize::from) as f64;
        assert!(used >= 0.05 && used <= wall * cores + 0.02, "counted {used} s in {wall} s");
    }
}
