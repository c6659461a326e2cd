//! The sync engine tells the truth (issue 20): a name typed on the scheduling side comes back to
//! HR word for word or not at all, and a last-synced record that cannot be read is set aside
//! with its reason instead of being taken for an empty one.

use crate::common::integration::{errors, eventually, resource_of, resource_when, synced, turn_on, worker_when};
use crate::common::{Api, OK};
use hrbridge_testkit::TestApp;
use serde_json::json;

/// The tests of this file, for the harness in `main.rs`.
pub fn tests() -> Vec<(&'static str, hrbridge_testkit::TestFn)> {
    vec![
        hrbridge_testkit::test_fn!(a_name_comes_back_as_typed_or_not_at_all),
        hrbridge_testkit::test_fn!(an_unreadable_last_synced_record_is_set_aside_with_its_reason),
        hrbridge_testkit::test_fn!(a_delete_in_hr_reaches_the_other_side_after_tracking_is_cleared),
    ]
}

async fn a_name_comes_back_as_typed_or_not_at_all(app: TestApp) {
    let api = Api::admin(&app).await;
    let ada = json!({"personnel_number": "W1", "first_name": "Ada", "middle_name": "Augusta", "last_name": "Lovelace"});
    api.create("/hr/workers", ada).await;
    turn_on(&api).await;
    let resource = resource_when(&api, "W1", "linked", |r| r["name"] == "Ada Augusta Lovelace").await;
    let path = format!("/scheduling/bookable-resources/{}", resource["id"].as_str().unwrap());

    // A new last name, typed after the first and middle names HR holds.
    app.clock.advance(chrono::Duration::minutes(1));
    api.patch(&path, json!({"name": "Ada Augusta King"})).await.is(OK);
    let w = worker_when(&api, "W1", "the new last name", |w| w["last_name"] == "King").await;
    let parts = ["first_name", "middle_name", "last_name"].map(|f| w[f].clone());
    assert_eq!(parts, [json!("Ada"), json!("Augusta"), json!("King")], "{w}");

    // One word cannot fill HR's first and last name: refused with the reason, nothing invented.
    app.clock.advance(chrono::Duration::minutes(1));
    api.patch(&path, json!({"name": "Cher"})).await.is(OK);
    let queued = eventually("the one-word name to be set aside", || async {
        errors(&api).await.into_iter().find(|e| e["map_name"] == "workers" && e["entity_key"] == "W1")
    })
    .await;
    assert!(queued["reason"].as_str().unwrap().contains("'Cher' is one word"), "{queued}");
    synced(&api).await;
    let w = api.read("/hr/workers/W1").await;
    assert_eq!((w["first_name"].as_str(), w["last_name"].as_str()), (Some("Ada"), Some("King")), "{w}");
    app.stop().await
}

/// Overwrites the last-synced record of a tracked worker with text that is not JSON.
async fn spoil_tracking(app: &TestApp, personnel_number: &str) {
    let sql = "UPDATE sync_tracking SET hr_fields = 'not json {' WHERE map_name = 'workers' AND entity_key = $1";
    let changed = match app.state.hr.db() {
        hrbridge_store::Db::Sqlite { writer, .. } => {
            sqlx::query(sql).bind(personnel_number).execute(writer).await.unwrap().rows_affected()
        }
        hrbridge_store::Db::Postgres(pool) => {
            sqlx::query(sql).bind(personnel_number).execute(pool).await.unwrap().rows_affected()
        }
    };
    assert_eq!(changed, 1, "worker {personnel_number} is tracked");
}

async fn an_unreadable_last_synced_record_is_set_aside_with_its_reason(app: TestApp) {
    let api = Api::admin(&app).await;
    for (number, first) in [("W1", "Ada"), ("W2", "Grace")] {
        api.create("/hr/workers", json!({"personnel_number": number, "first_name": first, "last_name": "Test"})).await;
    }
    turn_on(&api).await;
    spoil_tracking(&app, "W1").await;

    // Both change in HR: W2 flows, W1 is set aside with the reason, and its resource is left
    // as it was (no conflict guessed from an empty record).
    app.clock.advance(chrono::Duration::minutes(1));
    for number in ["W1", "W2"] {
        api.patch(&format!("/hr/workers/{number}"), json!({"phone": "+15550001111"})).await.is(OK);
    }
    resource_when(&api, "W2", "HR's phone", |r| r["phone"] == "+15550001111").await;
    let queued = eventually("W1 to be set aside", || async {
        errors(&api).await.into_iter().find(|e| e["map_name"] == "workers" && e["entity_key"] == "W1")
    })
    .await;
    let reason = queued["reason"].as_str().unwrap();
    assert!(reason.contains("cannot be read") && reason.contains("clear the map's tracking"), "{queued}");
    synced(&api).await;
    assert_eq!(resource_of(&api, "W1").await.unwrap()["phone"], json!(null));
    assert!(crate::common::integration::conflicts(&api).await.is_empty(), "no conflict was guessed");
    app.stop().await
}

async fn a_delete_in_hr_reaches_the_other_side_after_tracking_is_cleared(app: TestApp) {
    let api = Api::admin(&app).await;
    crate::common::seed_catalog(&api).await;
    for number in ["W1", "W2"] {
        api.create("/hr/workers", json!({"personnel_number": number, "first_name": "Ada", "last_name": "Test"})).await;
        api.put(&format!("/hr/workers/{number}/skills/RUST"), json!({"level": "Expert"})).await.is(OK);
    }
    turn_on(&api).await;
    for entity in ["workers", "worker-skills"] {
        api.post(&format!("/integration/entities/{entity}/clear-tracking"), json!({})).await.is(OK);
    }

    // Seed 001: after clearing, changes made in HR still reach the other side; a delete is one.
    app.clock.advance(chrono::Duration::minutes(1));
    api.delete("/hr/workers/W1").await.is(reqwest::StatusCode::NO_CONTENT);
    api.remove("/hr/workers/W2/skills/RUST").await;
    eventually("W1's resource to go", || async { resource_of(&api, "W1").await.is_none().then_some(()) }).await;
    let w2 = resource_when(&api, "W2", "its skill gone", |r| r["characteristics"] == json!([])).await;
    assert_eq!(w2["hr_worker_number"], "W2");
    synced(&api).await;
    assert!(errors(&api).await.is_empty(), "{:?}", errors(&api).await);
    app.stop().await
}
