//! The sync worker: the background task that runs the relay while the integration is on and
//! the missed-request sync on its schedule (and at once after turn-on), and a second task that
//! keeps the finder fresh with what the relay applied, so that the relay never waits on it. A
//! failing store (the scheduling database down, say) is logged and tried again a second later;
//! HR writes never wait on it.

use crate::state::AppState;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// How often the relay looks at the outboxes when nothing woke it (every write request through
/// this process's API wakes it at once; the poll catches writes made by other processes and the
/// CLI).
pub const POLL: Duration = Duration::from_millis(50);
/// How long the worker waits after a failed pass.
const RETRY: Duration = Duration::from_secs(1);

/// What wakes the worker early.
#[derive(Default)]
pub struct Wake {
    pub pass: Notify,
    /// Run the missed-request sync on the next wake.
    pub catch_up: AtomicBool,
}

/// The running worker; stopped when dropped.
pub struct SyncWorker {
    relay: tokio::task::JoinHandle<()>,
    finder: tokio::task::JoinHandle<()>,
}

impl Drop for SyncWorker {
    fn drop(&mut self) {
        self.relay.abort();
        self.finder.abort();
    }
}

impl SyncWorker {
    pub fn spawn(app: AppState) -> Self {
        let applied = std::sync::Arc::new(Notify::new());
        Self {
            relay: tokio::spawn(run(app.clone(), applied.clone())),
            finder: tokio::spawn(keep_finder_fresh(app, applied)),
        }
    }
}

async fn run(app: AppState, applied: std::sync::Arc<Notify>) {
    let every = Duration::from_secs(app.settings.missed_request_sync_seconds.max(1));
    let mut last_catch_up = Instant::now();
    loop {
        let catch_up = app.sync_wake.catch_up.swap(false, Ordering::SeqCst) || last_catch_up.elapsed() >= every;
        let result = if catch_up {
            last_catch_up = Instant::now();
            app.engine.missed_request_sync().await.map(|run| (run.applied > 0 || run.errors > 0, run.applied > 0))
        } else {
            app.engine.relay_once().await.map(|pass| (pass.entries > 0 || pass.more, pass.applied.written > 0))
        };
        match result {
            Ok((busy, wrote)) => {
                if wrote {
                    applied.notify_one();
                }
                if busy {
                    continue;
                }
                let _ = tokio::time::timeout(POLL, app.sync_wake.pass.notified()).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "sync pass failed; trying again shortly");
                metrics::counter!("hrbridge_sync_pass_failures_total").increment(1);
                let _ = tokio::time::timeout(RETRY, app.sync_wake.pass.notified()).await;
            }
        }
    }
}

/// How long the relay must have written nothing before the finder is brought up to date.
const FINDER_QUIET: Duration = Duration::from_millis(200);
/// How long, at most, the finder waits for quiet while the relay keeps writing.
const FINDER_EVERY: Duration = Duration::from_secs(10);

/// Brings the resource finder up to date with what the relay wrote, once the relay has been
/// quiet for a moment (or every so often while it is not). A search brings the finder up to
/// date itself before it runs; this only keeps the first search after a burst quick, without
/// indexing every batch of a bulk import as it lands.
async fn keep_finder_fresh(app: AppState, applied: std::sync::Arc<Notify>) {
    loop {
        applied.notified().await;
        let since = Instant::now();
        while since.elapsed() < FINDER_EVERY {
            if tokio::time::timeout(FINDER_QUIET, applied.notified()).await.is_err() {
                break;
            }
        }
        if let Err(e) = app.finder.refresh(&app.scheduling).await {
            tracing::warn!(error = %e, "could not refresh the finder after a sync pass");
        }
    }
}
