//! Sync throughput (the console dashboard's chart): the records the sync engine wrote to each
//! store per window of time, counted from the outboxes' `sync` entries, whichever path wrote them
//! (the turn-on's missed-request sync, live passes, sync now), and nothing else.

use crate::common::integration::{resource_when, sync_now, synced, turn_on, worker_when};
use crate::common::scheduling::RESOURCES;
use crate::common::{seed_catalog, worker, Api, OK};
use chrono::{DateTime, Duration, Utc};
use hrbridge_store::sync::throughput::aligned_windows;
use hrbridge_testkit::{start_time, TestApp};
use serde_json::json;

pub fn tests() -> Vec<(&'static str, hrbridge_testkit::TestFn)> {
    vec![hrbridge_testkit::test_fn!(records_written_by_the_sync_engine_are_counted_per_window)]
}

/// The windows' counts worked out from every outbox entry, in the test.
fn expected(entries: &[(DateTime<Utc>, String)], bounds: &[DateTime<Utc>]) -> Vec<i64> {
    bounds
        .windows(2)
        .map(|w| entries.iter().filter(|(at, origin)| origin == "sync" && *at >= w[0] && *at < w[1]).count() as i64)
        .collect()
}

async fn records_written_by_the_sync_engine_are_counted_per_window(app: TestApp) {
    let api = Api::admin(&app).await;
    let minutes = |m: i64| start_time() + Duration::minutes(m);
    let (hr_db, scheduling_db) = (app.state.hr.db(), app.state.scheduling.db());
    let bounds = aligned_windows(minutes(12), Duration::minutes(5), 4);
    assert_eq!(bounds, [-5, 0, 5, 10, 15].map(minutes), "five-minute windows ending with the current one");
    assert_eq!(scheduling_db.sync_writes_between(&bounds).await.unwrap(), [0, 0, 0, 0], "nothing synced yet");

    // 09:00: the initial sync writes the catalog, the worker and its skill to the scheduling side.
    seed_catalog(&api).await;
    worker(&api, Some("W1"), "Ada", "Lovelace").await;
    api.put("/hr/workers/W1/skills/RUST", json!({"level": "Expert"})).await.is(OK);
    turn_on(&api).await;
    let resource =
        resource_when(&api, "W1", "holds RUST", |r| !r["characteristics"].as_array().unwrap().is_empty()).await;
    // 09:07: an HR edit, applied live.
    app.clock.advance(Duration::minutes(7));
    api.patch("/hr/workers/W1", json!({"email": "ada@example.com"})).await.is(OK);
    resource_when(&api, "W1", "HR's email", |r| r["email"] == "ada@example.com").await;
    // 09:10:00 exactly, on a window's bound: a sync now that rewrites nothing, then an HR edit.
    app.clock.advance(Duration::minutes(3));
    sync_now(&api, "workers").await;
    api.patch("/hr/workers/W1", json!({"phone": "+441130000000"})).await.is(OK);
    resource_when(&api, "W1", "HR's phone", |r| r["phone"] == "+441130000000").await;
    // 09:12: a scheduling-side edit (not the engine's) that the engine writes to HR.
    app.clock.advance(Duration::minutes(2));
    let path = format!("{RESOURCES}/{}", resource["id"].as_str().unwrap());
    api.patch(&path, json!({"email": "ada@lovelace.org"})).await.is(OK);
    worker_when(&api, "W1", "the resource's email", |w| w["email"] == "ada@lovelace.org").await;
    synced(&api).await;

    let scheduling: Vec<(DateTime<Utc>, String)> = app
        .state
        .scheduling
        .outbox_after(0, 1_000_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.modified_at, e.origin))
        .collect();
    let hr: Vec<(DateTime<Utc>, String)> =
        crate::common::outbox(&app).await.into_iter().map(|e| (e.modified_at, e.origin)).collect();
    let counted = scheduling_db.sync_writes_between(&bounds).await.unwrap();
    assert_eq!(counted, expected(&scheduling, &bounds), "scheduling: {scheduling:?}");
    // Rating model, two characteristics, resource and its characteristic at 09:00; the email at
    // 09:07; the phone at 09:10 (its own window); nothing before, and not the 09:12 API edit.
    assert_eq!(counted[0], 0);
    assert!(counted[1] >= 5, "the initial sync: {counted:?}");
    assert_eq!(&counted[2..], [1, 1], "{counted:?}");
    let counted = hr_db.sync_writes_between(&bounds).await.unwrap();
    assert_eq!(counted, expected(&hr, &bounds), "hr: {hr:?}");
    assert_eq!(counted, [0, 0, 0, 1], "HR was written once by the engine, at 09:12");

    // One window, and windows wholly before or after anything written.
    let all = [minutes(-60), minutes(60)];
    let total = scheduling.iter().filter(|(_, origin)| origin == "sync").count() as i64;
    assert_eq!(scheduling_db.sync_writes_between(&all).await.unwrap(), [total]);
    let before = [minutes(-120), minutes(-60), minutes(-1)];
    assert_eq!(scheduling_db.sync_writes_between(&before).await.unwrap(), [0, 0]);
    let after = [minutes(13), minutes(100)];
    assert_eq!(scheduling_db.sync_writes_between(&after).await.unwrap(), [0]);
    assert!(scheduling_db.sync_writes_between(&[minutes(1), minutes(0)]).await.is_err(), "bounds must ascend");
    assert!(scheduling_db.sync_writes_between(&[minutes(1)]).await.unwrap().is_empty());
    app.stop().await
}
