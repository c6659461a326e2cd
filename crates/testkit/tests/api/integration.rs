//! The sync engine over HTTP: the switch and the initial sync, live changes both ways, the
//! missed-request sync's last-edited-wins with its conflict journal, deletes while off and on,
//! clear tracking, sync now, the error queue, the solution switch, the maps, a hire from an ATS
//! reaching the resource finder, and the integration routes' role. Nothing here sleeps a fixed
//! time: every wait is a condition polled until a deadline.

use crate::common::integration::{
    all, conflicts, errors, eventually, held, resource_of, resource_when, resources, skills, switch, sync_now, synced,
    tracking, turn_on, worker_when, INTEGRATION, MAPS, SOLUTION,
};
use crate::common::scheduling::{MON, RESOURCES, SAT, SEARCH};
use crate::common::{
    concrete, openapi_operations, seed_catalog, send_raw, worker, Api, CONFLICT, CREATED, FORBIDDEN, NOT_FOUND, OK,
};
use hrbridge_testkit::{start_time, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The tests of this file, for the harness in `main.rs`.
pub fn tests() -> Vec<(&'static str, hrbridge_testkit::TestFn)> {
    vec![
        hrbridge_testkit::test_fn!(off_by_default_then_turning_on_syncs_everything),
        hrbridge_testkit::test_fn!(live_changes_flow_both_ways_and_hr_owned_fields_stay_hrs),
        hrbridge_testkit::test_fn!(missed_request_sync_keeps_the_last_edit_and_journals_the_other),
        hrbridge_testkit::test_fn!(deletes_while_off_are_recreated_and_deletes_while_on_propagate),
        hrbridge_testkit::test_fn!(clear_tracking_unlinks_until_hr_changes_the_record),
        hrbridge_testkit::test_fn!(sync_now_relinks_after_clear_tracking),
        hrbridge_testkit::test_fn!(changes_that_cannot_be_applied_are_queued_and_retried),
        hrbridge_testkit::test_fn!(the_solution_switch_unlinks_and_relinks_resources),
        hrbridge_testkit::test_fn!(maps_list_their_state_and_links),
        hrbridge_testkit::test_fn!(a_hired_candidate_becomes_a_bookable_resource),
        hrbridge_testkit::test_fn!(only_administrators_reach_the_integration_routes),
    ]
}

/// The maps DESIGN.md ships, in dependency order.
const MAP_NAMES: [&str; 6] =
    ["rating-models", "skills", "certificate-types", "workers", "worker-skills", "worker-certificates"];

/// How many pairs each map links after [`linked_worker`].
const LINKED: [i64; 6] = [1, 2, 2, 1, 1, 1];

/// The catalog, worker W1 (Ada Lovelace) with RUST at Expert and a FIRSTAID certificate, the
/// integration turned on and everything synced. Returns W1's resource.
async fn linked_worker(api: &Api<'_>) -> Value {
    seed_catalog(api).await;
    worker(api, Some("W1"), "Ada", "Lovelace").await;
    api.put("/hr/workers/W1/skills/RUST", json!({"level": "Expert"})).await.is(OK);
    api.put("/hr/workers/W1/certificates/FIRSTAID", json!({"issued_on": "2025-01-05"})).await.is(OK);
    turn_on(api).await;
    resource_when(api, "W1", "holds RUST and FIRSTAID", |r| held(r).len() == 2).await
}

fn path_of(resource: &Value) -> String {
    format!("{RESOURCES}/{}", resource["id"].as_str().expect("an id"))
}

/// The seed's tracking grid columns of a row.
fn grid(row: &Value) -> Value {
    let columns = ["scheduling_entity", "scheduling_ref", "hr_entity", "hr_ref", "deleted_from_scheduling"];
    columns.iter().map(|c| (c.to_string(), row[*c].clone())).collect::<serde_json::Map<_, _>>().into()
}

async fn off_by_default_then_turning_on_syncs_everything(app: TestApp) {
    let api = Api::admin(&app).await;
    let status = api.read(INTEGRATION).await;
    assert_eq!((&status["enabled"], &status["solution_enabled"]), (&json!(false), &json!(true)), "{status}");
    seed_catalog(&api).await;
    let ada = worker(&api, Some("W1"), "Ada", "Lovelace").await;
    api.put("/hr/workers/W1/skills/RUST", json!({"level": "Expert"})).await.is(OK);
    api.put("/hr/workers/W1/certificates/FIRSTAID", json!({"issued_on": "2025-01-05"})).await.is(OK);

    // Off: an explicit missed-request sync applies nothing; the writes wait as a backlog.
    let run = api.post("/integration/missed-request-sync", json!({})).await.is(OK);
    assert_eq!(run["applied"], 0, "{run}");
    assert!(resources(&api).await.is_empty());
    assert!(all(&api, "/scheduling/characteristics").await.is_empty());
    assert!(all(&api, "/scheduling/rating-models").await.is_empty());
    app.clock.advance(chrono::Duration::seconds(90));
    let status = api.read(INTEGRATION).await;
    let recorded = crate::common::outbox(&app).await.len() as i64;
    let backlog = &status["backlog"];
    assert_eq!((backlog["hr"].as_i64(), backlog["scheduling"].as_i64()), (Some(recorded), Some(0)), "{status}");
    assert_eq!((&backlog["oldest_at"], &backlog["age_seconds"]), (&json!(start_time()), &json!(90)));

    // On: the missed-request sync brings every record over, in dependency order.
    let status = turn_on(&api).await;
    let run = &status["last_missed_request_sync"];
    assert_eq!((&status["errors"], &run["errors"]), (&json!(0), &json!(0)), "{status}");
    let resource = resource_of(&api, "W1").await.expect("W1's resource");
    let summary = ["name", "resource_type", "active"].map(|f| resource[f].clone());
    assert_eq!(summary, [json!("Ada Lovelace"), json!("worker"), json!(true)]);
    assert_eq!(held(&resource), [("FIRSTAID".to_string(), Value::Null), ("RUST".to_string(), json!(5))]);
    let model = api.read("/scheduling/rating-models/PROF").await;
    let values: Vec<(&str, i64)> = model["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["name"].as_str().unwrap(), v["value"].as_i64().unwrap()))
        .collect();
    assert_eq!(values, [("Novice", 1), ("Competent", 3), ("Expert", 5)]);
    let rust = api.read("/scheduling/characteristics/RUST").await;
    assert_eq!((&rust["characteristic_type"], &rust["rating_model"]), (&json!("skill"), &json!("PROF")));
    let forklift = api.read("/scheduling/characteristics/FORKLIFT").await;
    assert_eq!(forklift["characteristic_type"], "certification");

    // The tracking grid: a row per linked pair, with the seed's columns.
    let entities = api.read("/integration/entities").await;
    let linked: Vec<(&str, i64)> = entities
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["name"].as_str().unwrap(), e["linked"].as_i64().unwrap()))
        .collect();
    let expected: Vec<(&str, i64)> = MAP_NAMES.into_iter().zip(LINKED).collect();
    assert_eq!(linked, expected);
    for name in MAP_NAMES {
        assert!(!tracking(&api, name).await.is_empty(), "{name} has tracking rows");
    }
    let workers = tracking(&api, "workers").await;
    let row = json!({"scheduling_entity": "bookable-resource", "scheduling_ref": resource["id"], "hr_entity": "worker",
        "hr_ref": ada["rec_id"], "deleted_from_scheduling": false});
    assert_eq!(grid(&workers[0]), row);
    let skill_rows = tracking(&api, "worker-skills").await;
    assert_eq!(
        (&skill_rows[0]["scheduling_entity"], &skill_rows[0]["hr_entity"]),
        (&json!("resource-characteristic"), &json!("worker-skill"))
    );
    let skills_rows = tracking(&api, "skills").await;
    let refs: Vec<&Value> = skills_rows.iter().map(|r| &r["scheduling_ref"]).collect();
    assert!(refs.contains(&&rust["id"]), "RUST's characteristic is linked: {skills_rows:?}");
    app.stop().await
}

async fn live_changes_flow_both_ways_and_hr_owned_fields_stay_hrs(app: TestApp) {
    let api = Api::admin(&app).await;
    let resource = linked_worker(&api).await;
    let path = path_of(&resource);

    // HR → scheduling.
    app.clock.advance(chrono::Duration::minutes(1));
    let change = json!({"email": "ada@example.com", "phone": "+441130000000", "last_name": "Byron"});
    api.patch("/hr/workers/W1", change).await.is(OK);
    let r = resource_when(&api, "W1", "HR's email", |r| r["email"] == "ada@example.com").await;
    assert_eq!((&r["phone"], &r["name"]), (&json!("+441130000000"), &json!("Ada Byron")));

    // Scheduling → HR, for the fields that flow both ways.
    app.clock.advance(chrono::Duration::minutes(1));
    let change = json!({"email": "ada@lovelace.org", "phone": "+441139999999", "name": "Ada King"});
    api.patch(&path, change).await.is(OK);
    let w = worker_when(&api, "W1", "the resource's email", |w| w["email"] == "ada@lovelace.org").await;
    let names = ["first_name", "last_name", "phone"].map(|f| w[f].clone());
    assert_eq!(names, [json!("Ada"), json!("King"), json!("+441139999999")]);
    synced(&api).await;
    assert!(conflicts(&api).await.is_empty(), "nothing was overwritten");

    // A field HR owns: the scheduling edit is overwritten, and journaled.
    app.clock.advance(chrono::Duration::minutes(1));
    let patched = api.patch(&path, json!({"active": false})).await.is(OK);
    let version = patched["version"].as_i64().unwrap();
    let r = resource_when(&api, "W1", "active again", |r| r["active"] == true && r["version"].as_i64() > Some(version))
        .await;
    assert_eq!(r["email"], "ada@lovelace.org");
    synced(&api).await;
    assert_eq!(api.read("/hr/workers/W1").await["status"], "active");
    let journal = conflicts(&api).await;
    assert_eq!(journal.len(), 1, "{journal:?}");
    let c = &journal[0];
    assert_eq!((&c["map_name"], &c["entity_key"], &c["winner"]), (&json!("workers"), &json!("W1"), &json!("hr")));
    assert_eq!((&c["scheduling"]["fields"]["active"], &c["hr"]["fields"]["status"]), (&json!(false), &json!("active")));
    assert_eq!(c["scheduling"]["modified_by"], "admin");
    app.stop().await
}

async fn missed_request_sync_keeps_the_last_edit_and_journals_the_other(app: TestApp) {
    let api = Api::admin(&app).await;
    let path = path_of(&linked_worker(&api).await);
    switch(&api, false).await;

    // Both sides edit the email while off; the scheduling edit is the later one.
    app.clock.advance(chrono::Duration::minutes(1));
    let hr_at = hrbridge_domain::Clock::now(&*app.clock);
    api.patch("/hr/workers/W1", json!({"email": "hr@example.com"})).await.is(OK);
    app.clock.advance(chrono::Duration::minutes(1));
    let scheduling_at = hrbridge_domain::Clock::now(&*app.clock);
    api.patch(&path, json!({"email": "scheduling@example.com"})).await.is(OK);
    turn_on(&api).await;
    assert_eq!(api.read("/hr/workers/W1").await["email"], "scheduling@example.com");
    assert_eq!(api.read(&path).await["email"], "scheduling@example.com");
    let journal = conflicts(&api).await;
    assert_eq!(journal.len(), 1, "{journal:?}");
    let c = &journal[0];
    assert_eq!((&c["entity_key"], &c["winner"]), (&json!("W1"), &json!("scheduling")));
    assert_eq!((&c["hr"]["fields"]["email"], &c["hr"]["modified_at"]), (&json!("hr@example.com"), &json!(hr_at)));
    let kept = (&c["scheduling"]["fields"]["email"], &c["scheduling"]["modified_at"]);
    assert_eq!(kept, (&json!("scheduling@example.com"), &json!(scheduling_at)));

    // A tie (the same instant) goes to HR.
    switch(&api, false).await;
    app.clock.advance(chrono::Duration::minutes(1));
    api.patch(&path, json!({"email": "tie-scheduling@example.com"})).await.is(OK);
    api.patch("/hr/workers/W1", json!({"email": "tie-hr@example.com"})).await.is(OK);
    turn_on(&api).await;
    assert_eq!(api.read("/hr/workers/W1").await["email"], "tie-hr@example.com");
    assert_eq!(api.read(&path).await["email"], "tie-hr@example.com");
    let journal = conflicts(&api).await;
    assert_eq!(journal.len(), 2, "{journal:?}");
    let c = &journal[0];
    assert_eq!((&c["winner"], &c["hr"]["fields"]["email"]), (&json!("hr"), &json!("tie-hr@example.com")));
    assert_eq!(c["scheduling"]["fields"]["email"], "tie-scheduling@example.com");
    app.stop().await
}

async fn deletes_while_off_are_recreated_and_deletes_while_on_propagate(app: TestApp) {
    let api = Api::admin(&app).await;
    let resource = linked_worker(&api).await;
    let path = path_of(&resource);
    let certificate_ref = tracking(&api, "worker-certificates").await[0]["scheduling_ref"].clone();
    switch(&api, false).await;

    // While off a delete stays on its side.
    api.remove("/hr/workers/W1/skills/RUST").await;
    api.remove(&format!("{path}/characteristics/FIRSTAID")).await;
    assert_eq!(held(&api.read(&path).await), [("RUST".to_string(), json!(5))]);
    assert!(skills(&api.read("/hr/workers/W1").await).is_empty());

    // Turned on, each is recreated from the side that kept it.
    turn_on(&api).await;
    let w = api.read("/hr/workers/W1").await;
    assert_eq!(skills(&w), [("RUST".to_string(), "Expert".to_string())]);
    let r = api.read(&path).await;
    assert_eq!(held(&r), [("FIRSTAID".to_string(), Value::Null), ("RUST".to_string(), json!(5))]);
    assert_eq!(r["characteristics"][0]["issued_on"], "2025-01-05");
    let rows = tracking(&api, "worker-certificates").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["deleted_from_scheduling"], true, "the grid shows it was deleted there: {rows:?}");
    assert_ne!(rows[0]["scheduling_ref"], certificate_ref, "a new record");
    assert_eq!(tracking(&api, "worker-skills").await.len(), 1);

    // While on, a worker deleted in HR is deleted from the scheduling side with what it held.
    api.remove("/hr/workers/W1").await;
    eventually("W1's resource to be deleted", || async { resource_of(&api, "W1").await.is_none().then_some(()) }).await;
    api.get(&path).await.problem(NOT_FOUND, &[]);
    synced(&api).await;
    for map in ["workers", "worker-skills", "worker-certificates"] {
        assert!(tracking(&api, map).await.is_empty(), "{map} no longer tracks W1");
    }
    assert!(resources(&api).await.is_empty());
    app.stop().await
}

async fn clear_tracking_unlinks_until_hr_changes_the_record(app: TestApp) {
    let api = Api::admin(&app).await;
    let resource = linked_worker(&api).await;
    let path = path_of(&resource);
    let cleared = api.post("/integration/entities/workers/clear-tracking", json!({})).await.is(OK);
    assert_eq!(cleared, json!({"entity": "workers", "removed": 1}));
    assert!(tracking(&api, "workers").await.is_empty());
    assert_eq!(tracking(&api, "worker-skills").await.len(), 1, "other entities keep theirs");

    // A later scheduling-side change does not reach HR, and links nothing.
    app.clock.advance(chrono::Duration::minutes(1));
    api.patch(&path, json!({"email": "scheduling@example.com"})).await.is(OK);
    synced(&api).await;
    assert_eq!(api.read("/hr/workers/W1").await["email"], Value::Null);
    assert!(tracking(&api, "workers").await.is_empty());

    // An HR change links again and updates the same resource: no duplicate.
    app.clock.advance(chrono::Duration::minutes(1));
    api.patch("/hr/workers/W1", json!({"phone": "+441130000000"})).await.is(OK);
    let r = resource_when(&api, "W1", "HR's phone", |r| r["phone"] == "+441130000000").await;
    assert_eq!((&r["id"], &r["email"]), (&resource["id"], &Value::Null), "HR's record, edited last, wins");
    synced(&api).await;
    let rows = tracking(&api, "workers").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["scheduling_ref"], resource["id"]);
    assert_eq!(resources(&api).await.len(), 1);
    app.stop().await
}

async fn sync_now_relinks_after_clear_tracking(app: TestApp) {
    let api = Api::admin(&app).await;
    let ada = linked_worker(&api).await;
    worker(&api, Some("W2"), "Grace", "Hopper").await;
    let grace = resource_when(&api, "W2", "created", |_| true).await;
    synced(&api).await;
    api.post("/integration/entities/workers/clear-tracking", json!({})).await.is(OK);

    let job = sync_now(&api, "workers").await;
    assert_eq!((&job["map_name"], &job["done"], &job["total"]), (&json!("workers"), &json!(2), &json!(2)), "{job}");
    assert_eq!((&job["errors"], &job["started_by"]), (&json!(0), &json!("admin")));
    let refs: Vec<Value> = tracking(&api, "workers").await.iter().map(|r| r["scheduling_ref"].clone()).collect();
    assert_eq!(refs, [ada["id"].clone(), grace["id"].clone()], "linked to the same resources");
    assert_eq!(resources(&api).await.len(), 2);
    // Linked again: a scheduling-side change reaches HR.
    api.patch(&path_of(&grace), json!({"email": "grace@example.com"})).await.is(OK);
    worker_when(&api, "W2", "the resource's email", |w| w["email"] == "grace@example.com").await;

    api.post("/integration/entities/nope/sync-now", json!({})).await.problem(NOT_FOUND, &[]);
    api.get("/integration/jobs/nope").await.problem(NOT_FOUND, &[]);
    switch(&api, false).await;
    api.post("/integration/entities/workers/sync-now", json!({})).await.problem(CONFLICT, &[]);
    api.post("/integration/entities/nope/sync-now", json!({})).await.problem(NOT_FOUND, &[]);
    app.stop().await
}

async fn changes_that_cannot_be_applied_are_queued_and_retried(app: TestApp) {
    let api = Api::admin(&app).await;
    linked_worker(&api).await;
    worker(&api, Some("W2"), "Grace", "Hopper").await;
    // A contractor known only to the scheduling side is rated Competent (3) on RUST.
    let contractor = api.create(RESOURCES, json!({"name": "Contractor"})).await;
    let contractor_rust = format!("{}/characteristics/RUST", path_of(&contractor));
    api.put(&contractor_rust, json!({"rating": 3})).await.is(OK);
    synced(&api).await;
    switch(&api, false).await;

    // HR drops Competent and adds Master (7): the scheduling model cannot lose a value in use,
    // so it has no 7, and W1's Master rating cannot be written; W2's skill can.
    let levels =
        json!([{"name": "Novice", "factor": 1}, {"name": "Expert", "factor": 5}, {"name": "Master", "factor": 7}]);
    api.patch("/hr/rating-models/PROF", json!({"levels": levels})).await.is(OK);
    api.put("/hr/workers/W1/skills/RUST", json!({"level": "Master"})).await.is(OK);
    api.put("/hr/workers/W2/skills/SQL", json!({"level": "Expert"})).await.is(OK);
    let status = turn_on(&api).await;
    assert_eq!(status["errors"], 2, "{status}");
    let queued = errors(&api).await;
    let keys: Vec<(&str, &str)> =
        queued.iter().map(|e| (e["map_name"].as_str().unwrap(), e["entity_key"].as_str().unwrap())).collect();
    assert_eq!(keys, [("rating-models", "PROF"), ("worker-skills", "W1/RUST")]);
    let reasons: Vec<&str> = queued.iter().map(|e| e["reason"].as_str().unwrap()).collect();
    assert!(reasons[0].contains("cannot be removed"), "{reasons:?}");
    assert!(reasons[1].contains("no rating value 7"), "{reasons:?}");
    assert!(queued.iter().all(|e| e["attempts"].as_i64() >= Some(1)), "{queued:?}");
    // The rest of the batch went through.
    let grace = resource_of(&api, "W2").await.expect("W2's resource");
    assert_eq!(held(&grace), [("SQL".to_string(), json!(5))]);
    assert_eq!(
        held(&resource_of(&api, "W1").await.unwrap()),
        [("FIRSTAID".to_string(), Value::Null), ("RUST".to_string(), json!(5))]
    );

    // Fix the cause, retry each by hand: the errors go and the changes arrive.
    api.remove(&contractor_rust).await;
    api.post(&format!("/integration/errors/{}/retry", queued[0]["id"].as_str().unwrap()), json!({})).await.is(OK);
    let left = eventually("the rating model's error to go", || async {
        let left = errors(&api).await;
        (left.len() < 2).then_some(left)
    })
    .await;
    assert_eq!(left.len(), 1, "only the error retried went: {left:?}");
    assert_eq!(left[0]["id"], queued[1]["id"]);
    let model = api.read("/scheduling/rating-models/PROF").await;
    let values: Vec<i64> = model["values"].as_array().unwrap().iter().map(|v| v["value"].as_i64().unwrap()).collect();
    assert_eq!(values, [1, 5, 7]);
    api.post(&format!("/integration/errors/{}/retry", queued[1]["id"].as_str().unwrap()), json!({})).await.is(OK);
    eventually("the queue to empty", || async { errors(&api).await.is_empty().then_some(()) }).await;
    resource_when(&api, "W1", "RUST at 7", |r| held(r).contains(&("RUST".to_string(), json!(7)))).await;
    assert_eq!(api.read(INTEGRATION).await["errors"], 0);
    api.post("/integration/errors/999999/retry", json!({})).await.problem(NOT_FOUND, &[]);
    api.post("/integration/errors/abc/retry", json!({})).await.problem(NOT_FOUND, &[]);
    app.stop().await
}

async fn the_solution_switch_unlinks_and_relinks_resources(app: TestApp) {
    let api = Api::admin(&app).await;
    let ada = linked_worker(&api).await;
    worker(&api, Some("W2"), "Grace", "Hopper").await;
    let grace = resource_when(&api, "W2", "created", |_| true).await;
    synced(&api).await;

    let status = api.put(SOLUTION, json!({"enabled": false})).await.is(OK);
    assert_eq!((&status["enabled"], &status["solution_enabled"]), (&json!(true), &json!(false)));
    let unlinked = resources(&api).await;
    assert_eq!(unlinked.len(), 2);
    assert!(unlinked.iter().all(|r| r["hr_worker_number"].is_null()), "{unlinked:?}");
    let kept = api.read(&path_of(&ada)).await;
    assert_eq!(held(&kept), held(&ada), "characteristics stay");
    let states: Vec<(String, String)> = api
        .read(MAPS)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["name"].as_str().unwrap().into(), m["state"].as_str().unwrap().into()))
        .collect();
    assert!(states.contains(&("workers".into(), "paused".into())), "{states:?}");
    assert!(states.contains(&("skills".into(), "running".into())), "{states:?}");

    let status = api.put(SOLUTION, json!({"enabled": true})).await.is(OK);
    assert_eq!(status["solution_enabled"], true);
    for (number, resource) in [("W1", &ada), ("W2", &grace)] {
        let r = resource_when(&api, number, "relinked", |_| true).await;
        assert_eq!(r["id"], resource["id"], "{number} is linked to its old resource");
    }
    assert_eq!(resources(&api).await.len(), 2);
    api.patch("/hr/workers/W2", json!({"email": "grace@example.com"})).await.is(OK);
    resource_when(&api, "W2", "HR's email", |r| r["email"] == "grace@example.com").await;
    app.stop().await
}

async fn maps_list_their_state_and_links(app: TestApp) {
    let api = Api::admin(&app).await;
    let summary = |maps: &Value| -> Vec<(String, String, i64)> {
        let list = maps.as_array().expect("maps");
        list.iter()
            .map(|m| {
                (m["name"].as_str().unwrap().into(), m["state"].as_str().unwrap().into(), m["linked"].as_i64().unwrap())
            })
            .collect()
    };
    let off = api.read(MAPS).await;
    let expected: Vec<(String, String, i64)> =
        MAP_NAMES.iter().map(|n| (n.to_string(), "not_running".into(), 0)).collect();
    assert_eq!(summary(&off), expected);
    let workers = &off[3];
    assert_eq!((&workers["hr_entity"], &workers["scheduling_entity"]), (&json!("worker"), &json!("bookable-resource")));
    assert_eq!(workers["key"], "personnel_number");
    let email = workers["fields"].as_array().unwrap().iter().find(|f| f["hr"] == "email").expect("an email field");
    assert_eq!(email["direction"], "both");
    assert_eq!(off[4]["depends_on"], json!(["workers", "skills"]));

    linked_worker(&api).await;
    let expected: Vec<(String, String, i64)> =
        MAP_NAMES.iter().zip(LINKED).map(|(n, l)| (n.to_string(), "running".into(), l)).collect();
    assert_eq!(summary(&api.read(MAPS).await), expected);
    app.stop().await
}

async fn a_hired_candidate_becomes_a_bookable_resource(app: TestApp) {
    let admin = Api::admin(&app).await;
    seed_catalog(&admin).await;
    admin.create("/hr/jobs", json!({"job_id": "DEV", "title": "Software developer"})).await;
    admin.create("/hr/positions", json!({"position_number": "P-1", "job_id": "DEV"})).await;
    turn_on(&admin).await;

    // The ATS signs in with client credentials and exports a hired candidate.
    let app_body = json!({"name": "Talent Hub", "user": "admin", "role": "ats-integration"});
    let registered = admin.create("/admin/apps", app_body).await;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", registered["client_id"].as_str().unwrap()),
        ("client_secret", registered["client_secret"].as_str().unwrap()),
    ];
    let token: Value = app.client.post(app.url("/oauth/token")).form(&form).send().await.unwrap().json().await.unwrap();
    let ats = Api { app: &app, token: token["access_token"].as_str().expect("a token").to_string() };
    let export = json!({"external_id": "th-1", "first_name": "Grace", "last_name": "Hopper",
        "email": "grace@example.com", "phone": "+15551234567", "start_date": "2026-03-02", "job_title": "Developer",
        "location": "Leeds", "skills": [{"skill": "RUST", "level": "Expert"}]});
    let candidate = ats.post("/ats/hired-candidates", export).await.is(CREATED);
    let hire = format!("/hr/candidates/{}/hire", candidate["id"].as_str().unwrap());
    let hired = admin.post(&hire, json!({"position_number": "P-1"})).await.is(CREATED);
    let number = hired["worker"]["personnel_number"].as_str().expect("a personnel number");

    let resource = resource_when(&admin, number, "holds RUST", |r| !held(r).is_empty()).await;
    assert_eq!(held(&resource), [("RUST".to_string(), json!(5))]);
    let fields = ["name", "email", "phone", "resource_type"].map(|f| resource[f].clone());
    assert_eq!(fields, [json!("Grace Hopper"), json!("grace@example.com"), json!("+15551234567"), json!("worker")]);
    let search = json!({"characteristics": [{"name": "RUST", "min_rating": 5}], "from": MON, "to": SAT,
        "duration_minutes": 60});
    let found = admin.post(SEARCH, search).await.is(OK);
    let ids: Vec<&Value> = found["matches"].as_array().unwrap().iter().map(|m| &m["resource_id"]).collect();
    assert_eq!(ids, [&resource["id"]], "{found}");
    let outcome = ats.read("/ats/hired-candidates/th-1").await;
    assert_eq!((&outcome["status"], &outcome["personnel_number"]), (&json!("hired"), &json!(number)));
    app.stop().await
}

async fn only_administrators_reach_the_integration_routes(app: TestApp) {
    let operations: Vec<_> =
        openapi_operations(&app).await.into_iter().filter(|(_, p)| p.starts_with("/api/v1/integration")).collect();
    assert_eq!(operations.len(), 14, "every integration operation is in the document: {operations:?}");
    let admin = app.admin_token().await;
    let mut others = Vec::new();
    for role in ["read-only", "hr-manager", "resource-manager"] {
        others.push((role, app.token_for_role(role).await));
    }
    for (method, template) in &operations {
        let path = concrete(template);
        for (role, token) in &others {
            let (status, body) = send_raw(&app, method, &path, Some(token)).await;
            assert_eq!(status, FORBIDDEN, "{role} {method} {path}: {body}");
            let detail = body["detail"].as_str().unwrap_or_default();
            assert!(detail.ends_with(" on integration"), "{role} {method} {path}: {body}");
        }
        let (status, body) = send_raw(&app, method, &path, Some(&admin)).await;
        let refused = [StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&status);
        assert!(!refused && status.as_u16() < 500, "admin {method} {path}: {status} {body}");
    }
    let api = Api::admin(&app).await;
    assert_eq!(api.read(INTEGRATION).await["enabled"], false, "nobody turned it on");
    app.stop().await
}
