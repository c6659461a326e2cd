//! The sync engine tells the truth (issue 20): a name typed on the scheduling side comes back to
//! HR word for word or not at all, and a last-synced record that cannot be read is set aside
//! with its reason instead of being taken for an empty one.

use crate::common::integration::{errors, eventually, resource_of, resource_when, synced, turn_on, worker_when};
use crate::common::{Api, OK};
use hrbridge_testkit::TestApp;
use serde_json::{json, Value};

/// The tests of this file, for the harness in `main.rs`.
pub fn tests() -> Vec<(&'static str, hrbridge_testkit::TestFn)> {
    vec![
        hrbridge_testkit::test_fn!(a_name_comes_back_as_typed_or_not_at_all),
        hrbridge_testkit::test_fn!(an_unreadable_last_synced_record_is_set_aside_with_its_reason),
        hrbridge_testkit::test_fn!(a_delete_in_hr_reaches_the_other_side_after_tracking_is_cleared),
        hrbridge_testkit::test_fn!(reconcile_finds_every_kind_of_difference_and_agrees_only_without_one),
        hrbridge_testkit::test_fn!(the_conflict_journal_says_per_field_who_won_and_why),
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

async fn reconcile_finds_every_kind_of_difference_and_agrees_only_without_one(app: TestApp) {
    let api = Api::admin(&app).await;
    for number in ["W1", "W2"] {
        api.create("/hr/workers", json!({"personnel_number": number, "first_name": "Ada", "last_name": "Test"})).await;
    }
    turn_on(&api).await;
    let report = api.read("/integration/reconcile").await;
    assert_eq!(
        (report["agree"].as_bool(), report["differences"].as_array().map(Vec::len)),
        (Some(true), Some(0)),
        "{report}"
    );

    // W1's resource is booked, so HR's delete of W1 cannot reach it: queued, and still linked.
    let resource = resource_of(&api, "W1").await.unwrap();
    let booking =
        json!({"resource_id": resource["id"], "start": "2026-03-10T08:00:00Z", "end": "2026-03-10T09:00:00Z"});
    api.create("/scheduling/bookings", booking).await;
    app.clock.advance(chrono::Duration::minutes(1));
    api.delete("/hr/workers/W1").await.is(reqwest::StatusCode::NO_CONTENT);
    eventually("W1's delete to be queued", || async {
        errors(&api).await.into_iter().find(|e| e["entity_key"] == "W1").map(|_| ())
    })
    .await;
    synced(&api).await;

    // With the integration off, the scheduling side changes W2's email: waiting, and differing.
    api.put("/integration", json!({"enabled": false})).await.is(OK);
    let w2 =
        format!("/scheduling/bookable-resources/{}", resource_of(&api, "W2").await.unwrap()["id"].as_str().unwrap());
    api.patch(&w2, json!({"email": "w2@example.com"})).await.is(OK);

    let report = api.read("/integration/reconcile").await;
    assert_eq!(report["agree"], false, "{report}");
    assert_eq!(report["pending"]["scheduling"], 1, "{report}");
    let kinds: Vec<(&str, &str)> = report["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["key"].as_str().unwrap(), d["kind"].as_str().unwrap()))
        .collect();
    for expected in [("W1", "deleted-in-hr"), ("W1", "queued"), ("W2", "fields-differ")] {
        assert!(kinds.contains(&expected), "{expected:?} in {report}");
    }
    let email = report["differences"].as_array().unwrap().iter().find(|d| d["kind"] == "fields-differ").unwrap();
    assert_eq!(
        email["fields"],
        json!([{"field": "email", "hr_value": null, "scheduling_value": "w2@example.com"}]),
        "both values, per field"
    );
    assert_eq!(report["totals"]["workers"]["deleted-in-hr"], 1, "{report}");
    // Paged, with the verdict and totals on every page.
    let first = api.read("/integration/reconcile?limit=1").await;
    assert_eq!((first["differences"].as_array().map(Vec::len), first["agree"].as_bool()), (Some(1), Some(false)));
    let rest = api.read(&format!("/integration/reconcile?limit=10&after={}", first["next"].as_str().unwrap())).await;
    assert_eq!(rest["differences"].as_array().unwrap().len(), kinds.len() - 1);
    app.stop().await
}

async fn the_conflict_journal_says_per_field_who_won_and_why(app: TestApp) {
    let api = Api::admin(&app).await;
    let ada = json!({"personnel_number": "W1", "first_name": "Ada", "last_name": "Lovelace", "phone": "+15550000000"});
    api.create("/hr/workers", ada).await;
    turn_on(&api).await;
    let path =
        format!("/scheduling/bookable-resources/{}", resource_of(&api, "W1").await.unwrap()["id"].as_str().unwrap());

    // Off: the scheduling side changes the email and phone, then HR changes the phone.
    api.put("/integration", json!({"enabled": false})).await.is(OK);
    app.clock.advance(chrono::Duration::minutes(1));
    api.patch(&path, json!({"email": "ada@scheduling.example", "phone": "+15551111111"})).await.is(OK);
    app.clock.advance(chrono::Duration::minutes(1));
    api.patch("/hr/workers/W1", json!({"phone": "+15552222222"})).await.is(OK);
    turn_on(&api).await;

    // HR's phone and the scheduling side's email are both kept, and the journal says so per field.
    let w = api.read("/hr/workers/W1").await;
    assert_eq!((w["email"].as_str(), w["phone"].as_str()), (Some("ada@scheduling.example"), Some("+15552222222")));
    let journal = crate::common::integration::conflicts(&api).await;
    let entry = journal.iter().find(|c| c["entity_key"] == "W1").expect("a journal entry for W1");
    let mut fields = entry["fields"].as_array().unwrap().clone();
    fields.sort_by_key(|f| f["field"].as_str().unwrap().to_string());
    assert_eq!(
        Value::Array(fields),
        json!([
            {"field": "email", "winner": "scheduling", "hr_value": null,
             "scheduling_value": "ada@scheduling.example", "rule": "scheduling-only-edited"},
            {"field": "phone", "winner": "hr", "hr_value": "+15552222222",
             "scheduling_value": "+15551111111", "rule": "last-edited-wins"},
        ]),
        "{entry}"
    );
    app.stop().await
}
