//! How long a relay run holds the apply lock: while a backlog lasts it makes many passes, each
//! recorded while the next runs, but it lets the switch, sync now and the missed-request sync in
//! after the pass in hand rather than after all of them. Nothing here sleeps: the run is polled
//! by hand until its first write commits.

use crate::common::{seed_catalog, worker, Api};
use hrbridge_store::Actor;
use hrbridge_sync::Engine;
use hrbridge_testkit::TestApp;
use std::sync::Arc;
use std::task::Poll;

/// The tests of this file, for the harness in `main.rs`.
pub fn tests() -> Vec<(&'static str, hrbridge_testkit::TestFn)> {
    vec![hrbridge_testkit::test_fn!(a_relay_run_lets_a_waiting_sync_in_after_the_pass_in_hand)]
}

/// Workers created one request (one transaction, one outbox entry) each.
const WORKERS: usize = 40;

/// Creates [`WORKERS`] workers numbered `prefix00`…, a millisecond apart: a pass reads whole
/// transactions, told apart by their entries' times, and the test clock stands still.
async fn workers(app: &TestApp, api: &Api<'_>, prefix: &str) {
    for i in 0..WORKERS {
        app.clock.advance(chrono::Duration::milliseconds(1));
        worker(api, Some(&format!("{prefix}{i:02}")), "Run", &format!("Worker {i}")).await;
    }
}

async fn a_relay_run_lets_a_waiting_sync_in_after_the_pass_in_hand(app: TestApp) {
    let mut app = app;
    // No background relay: the test drives the runs.
    app.sync.take();
    let api = Api::admin(&app).await;
    seed_catalog(&api).await;
    let (hr, scheduling) = (&app.state.hr, &app.state.scheduling);
    let engine = &app.state.engine;
    engine.set_enabled(&Actor::user("admin"), true).await.expect("turn on");
    engine.missed_request_sync().await.expect("the initial sync");
    engine.release_lease().await.expect("release the lease");
    workers(&app, &api, "RUN").await;
    // An engine on the same stores that reads one outbox entry a pass: the backlog is a run of
    // many passes.
    let mut small = Engine::new(hr.clone(), scheduling.clone(), Arc::new(engine.maps().clone()), "small-relay".into());
    small.batch_size = 1;

    let written = scheduling.db().outbox_last_seq().await.expect("outbox");
    let mut run = std::pin::pin!(small.relay_once());
    let mut polls = 0;
    while scheduling.db().outbox_last_seq().await.expect("outbox") == written {
        if let Poll::Ready(result) = futures::poll!(run.as_mut()) {
            panic!("the run ended before its first write committed: {result:?}");
        }
        polls += 1;
        assert!(polls < 1_000_000, "the run's first write never committed");
        tokio::task::yield_now().await;
    }
    // The missed-request sync now waits for the lock, and the run ends after the pass in hand.
    let mut sync = std::pin::pin!(small.missed_request_sync());
    assert!(futures::poll!(sync.as_mut()).is_pending(), "the sync waits for the run");
    let pass = run.await.expect("the run");
    assert!(pass.more, "the run ended with the backlog still there: {pass:?}");
    assert!(pass.entries <= 2, "the run went on for {} passes with the sync waiting", pass.entries);
    let caught_up = sync.await.expect("the missed-request sync");
    assert_eq!(caught_up.errors, 0, "{caught_up:?}");
    let linked = hr.tracking_count("workers").await.expect("tracking");
    assert_eq!(linked, WORKERS as i64, "every worker linked once the sync ran");

    // With nobody waiting, a run goes on past the pass in hand.
    workers(&app, &api, "MORE").await;
    let pass = small.relay_once().await.expect("a run");
    assert!(pass.entries > 2, "a run alone stopped after {} passes", pass.entries);
    small.release_lease().await.expect("release the lease");
}
