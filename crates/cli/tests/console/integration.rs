//! The scheduling integration page (seed 001): turning it on fills the tracking grids; clearing an
//! entity's tracking (after a confirmation) unlinks its records and sync now links them again,
//! followed on a progress bar to the end; an edit made on both sides while off shows in the
//! conflict journal with both versions side by side; changes that cannot be applied wait in the
//! error queue until their cause is fixed and they are retried.

use crate::browser::{Browser, WAIT};
use crate::{Api, Console};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The id of the last missed-request sync run the integration page shows (0 before any).
async fn last_run(b: &Browser) -> i64 {
    let cell = b.find("#last-run").await;
    let run = cell.attr("data-run").await.expect("data-run").unwrap_or_default();
    run.parse().unwrap_or_else(|_| panic!("data-run is a run id: {run}"))
}

/// Reloads the integration page until the missed-request sync after run `after` has been recorded
/// and nothing waits to be synced.
async fn wait_caught_up(b: &Browser, after: i64) {
    let deadline = Instant::now() + WAIT;
    loop {
        b.goto("/integration").await;
        let (run, backlog) = (last_run(b).await, b.text("#backlog").await);
        if run > after && backlog == "Nothing waiting" {
            return;
        }
        assert!(Instant::now() < deadline, "no missed-request sync after run {after} caught up: run {run}, {backlog}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Turns the integration on from its page (it must be off) and waits until the missed-request
/// sync that turning it on starts has run and nothing waits to be synced.
pub async fn turn_on(b: &Browser) {
    b.goto("/integration").await;
    let before = last_run(b).await;
    b.wait_text("#switch", "Off").await;
    b.press("section[aria-labelledby=switch]", "Turn the integration on").await;
    b.wait_text(".flash", "The integration is on").await;
    b.wait_text("#switch", "On").await;
    wait_caught_up(b, before).await;
}

/// Clears the tracking information of `map` (accepting the confirmation), sees its grid empty,
/// then syncs it now and follows the job's progress bar until it is full and says Done. Returns
/// the job's page path.
pub async fn clear_tracking_and_sync_now(b: &Browser, map: &str) -> String {
    b.goto(&format!("/integration/entities/{map}")).await;
    b.press("section[aria-labelledby=about]", "Clear tracking information").await;
    b.confirm().await;
    b.wait_text(".flash", &format!("Tracking information of {map} cleared")).await;
    b.wait_text("main", &format!("No records of {map} are linked.")).await;
    assert_eq!(b.text("#linked").await, "0");
    b.press("section[aria-labelledby=about]", "Sync now").await;
    let status = b.wait_text("#job-status", "Done").await;
    let bar = b.find("progress#job-progress").await;
    let read = "return [arguments[0].value, arguments[0].max];";
    let answer =
        b.client.execute(read, vec![serde_json::to_value(&bar).expect("element")]).await.expect("read the bar");
    let (value, max) = (answer[0].as_f64().expect("value"), answer[1].as_f64().expect("max"));
    assert_eq!(value, max, "the bar is full when the job is done ({status})");
    assert!(max >= 1.0, "{max}");
    let path = b.path().await;
    assert!(path.starts_with("/integration/jobs/"), "{path}");
    path
}

/// Text as typed: the console keeps names and dates in table cells on one line with
/// non-breaking hyphens and spaces.
fn plain(text: String) -> String {
    text.replace('\u{2011}', "-").replace('\u{a0}', " ")
}

/// The bookable resource linked to `number`.
async fn resource_of(api: &Api, number: &str) -> Value {
    let list = api.get("/scheduling/bookable-resources?limit=1000").await;
    let items = list["items"].as_array().expect("items");
    items.iter().find(|r| r["hr_worker_number"] == number).cloned().unwrap_or_else(|| panic!("{number}'s resource"))
}

async fn tracking(api: &Api, map: &str) -> Vec<Value> {
    api.get(&format!("/integration/entities/{map}/tracking?limit=1000")).await["items"].as_array().unwrap().clone()
}

async fn queued(api: &Api) -> Vec<Value> {
    api.get("/integration/errors?limit=1000").await["items"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_integration_is_run_from_its_page() {
    let Some(console) = Console::start().await else { return };
    let (b, api) = (&console.browser, &console.api);
    api.seed_catalog().await;
    for (number, first, last) in [("W1", "Ada", "Lovelace"), ("W2", "Grace", "Hopper")] {
        api.post("/hr/workers", json!({"personnel_number": number, "first_name": first, "last_name": last})).await;
        api.put(&format!("/hr/workers/{number}/skills/RUST"), json!({"level": "Expert"})).await;
    }

    // Off by default, with the seed's warning; turned on, the missed-request sync brings both
    // workers over and the entity picker counts the links.
    b.goto("/integration").await;
    b.wait_text("#switch", "Off").await;
    let warning = b.text(".warning").await;
    assert!(warning.contains("do not edit the same record in both HR and scheduling"), "{warning}");
    turn_on(b).await;
    assert_eq!(api.get("/integration").await["enabled"], true);
    let entities = b.text("section[aria-labelledby=entities] table").await;
    let expected =
        ["workers worker bookable-resource Running 2", "worker-skills worker-skill resource-characteristic Running 2"];
    for line in expected {
        assert!(entities.contains(line), "{line} in:\n{entities}");
    }
    assert!(b.text("#last-run").await.contains("applied"));
    b.screenshot("integration").await;
    // The missed-request sync on demand: recorded as a new run.
    let run = last_run(b).await;
    b.press("section[aria-labelledby=missed]", "Run missed-request sync now").await;
    b.wait_text(".flash", "The missed-request sync ran: 0 records applied, 0 conflicts, 0 errors.").await;
    let newer = last_run(b).await;
    assert!(newer > run, "a new run: {newer} after {run}");
    assert_eq!(api.get("/integration").await["last_missed_request_sync"]["id"], newer.to_string());

    // The tracking grid fills with the seed's columns: a row per linked pair.
    b.click("section[aria-labelledby=entities] a[href='/integration/entities/workers']").await;
    b.reload_until("/integration/entities/workers", "W2").await;
    let grid = plain(b.text("#tracking").await);
    for row in tracking(api, "workers").await {
        let (key, reference) = (row["entity_key"].as_str().unwrap(), row["scheduling_ref"].as_str().unwrap());
        let line = format!("{key} bookable-resource {reference} worker {} No", row["hr_ref"].as_str().unwrap());
        assert!(grid.contains(&line), "{line} in:\n{grid}");
    }
    b.screenshot("tracking-grid").await;

    // Clear tracking unlinks them; sync now links the same records again.
    let before: Vec<Value> = tracking(api, "workers").await.iter().map(|r| r["scheduling_ref"].clone()).collect();
    let job_page = clear_tracking_and_sync_now(b, "workers").await;
    b.goto(&job_page).await;
    assert_eq!(b.text("#job-records").await, "2 of 2");
    assert_eq!(b.text("#job-errors").await, "None");
    assert!(b.text("#job-status").await.starts_with("Done: 2 of 2"));
    b.screenshot("sync-now-done").await;
    let job = api.get(&job_page).await;
    assert_eq!(
        (&job["state"], &job["done"], &job["map_name"]),
        (&json!("done"), &json!(2), &json!("workers")),
        "{job}"
    );
    let after: Vec<Value> = tracking(api, "workers").await.iter().map(|r| r["scheduling_ref"].clone()).collect();
    assert_eq!(after, before, "linked to the same resources");
    b.click("main a[href='/integration/entities/workers']").await;
    b.wait_text("#linked", "2").await;

    // Both sides edit W1's email while off: turned on, the last edit is kept and the other is in
    // the conflict journal, beside it.
    api.put("/integration", json!({"enabled": false})).await;
    let ada = resource_of(api, "W1").await;
    api.call(Method::PATCH, "/hr/workers/W1", Some(json!({"email": "ada@hr.example.com"}))).await;
    let resource = format!("/scheduling/bookable-resources/{}", ada["id"].as_str().unwrap());
    api.call(Method::PATCH, &resource, Some(json!({"email": "ada@scheduling.example.com"}))).await;
    turn_on(b).await;
    let conflict = api.get("/integration/conflicts").await["items"][0].clone();
    assert_eq!((&conflict["map_name"], &conflict["entity_key"]), (&json!("workers"), &json!("W1")), "{conflict}");
    let kept = if conflict["winner"] == "hr" { "ada@hr.example.com" } else { "ada@scheduling.example.com" };
    assert_eq!(api.get("/hr/workers/W1").await["email"], kept);
    b.goto("/integration/conflicts").await;
    let card = b.text(&format!("#conflict-{}", conflict["id"].as_str().unwrap())).await;
    assert!(card.contains("workers W1"), "{card}");
    // Field by field: whose email was kept, both values, and why.
    let card = plain(b.text(&format!("article[aria-labelledby=conflict-{}]", conflict["id"].as_str().unwrap())).await);
    let winner = if conflict["winner"] == "hr" { "HR's" } else { "Scheduling's" };
    let expected =
        format!("email {winner} ada@hr.example.com ada@scheduling.example.com both changed it: the later edit wins");
    assert!(card.contains(&expected), "{expected} in:\n{card}");
    assert!(card.contains("HR's version Scheduling's version"), "{card}");
    assert!(card.contains("email Differs ada@hr.example.com ada@scheduling.example.com"), "{card}");
    b.screenshot("conflicts").await;

    // A contractor known only to scheduling holds RUST at Good (3). While off, HR drops Good from
    // the rating model and rates W1 Master (7): the scheduling model cannot lose a value in use,
    // so neither change can be applied and both wait in the error queue.
    let contractor = api.post("/scheduling/bookable-resources", json!({"name": "Contractor"})).await;
    let contractor_rust =
        format!("/scheduling/bookable-resources/{}/characteristics/RUST", contractor["id"].as_str().unwrap());
    api.put(&contractor_rust, json!({"rating": 3})).await;
    api.put("/integration", json!({"enabled": false})).await;
    b.goto("/integration/entities/workers").await;
    assert!(b.text("section[aria-labelledby=about]").await.contains("Sync now needs the integration on."));
    let levels =
        json!([{"name": "Basic", "factor": 1}, {"name": "Expert", "factor": 5}, {"name": "Master", "factor": 7}]);
    api.call(Method::PATCH, "/hr/rating-models/STD", Some(json!({"levels": levels}))).await;
    api.put("/hr/workers/W1/skills/RUST", json!({"level": "Master"})).await;
    turn_on(b).await;
    let errors = queued(api).await;
    let keys: Vec<(&str, &str)> =
        errors.iter().map(|e| (e["map_name"].as_str().unwrap(), e["entity_key"].as_str().unwrap())).collect();
    assert_eq!(keys, [("rating-models", "STD"), ("worker-skills", "W1/RUST")]);
    b.goto("/integration/errors").await;
    let table = plain(b.text("#errors").await);
    assert!(table.contains("rating-models STD") && table.contains("cannot be removed"), "{table}");
    assert!(table.contains("worker-skills W1/RUST") && table.contains("no rating value 7"), "{table}");
    assert!(b.text("nav[aria-label='Integration pages']").await.contains("Errors (2)"));
    b.screenshot("errors").await;
    // Reconcile does not say all is well while changes wait in the queue.
    b.goto("/integration/reconcile").await;
    b.wait_text("main", "The sides do not agree").await;
    let listed = plain(b.text("#differences").await);
    assert!(listed.contains("W1/RUST") && listed.contains("Waiting in the error queue"), "{listed}");
    b.screenshot("reconcile").await;
    b.goto("/integration/errors").await;

    // Retried while its cause remains, a change stays queued.
    let retry = |id: &Value| format!("form[action='/integration/errors/{}/retry']", id.as_str().unwrap());
    b.press(&retry(&errors[1]["id"]), "Retry").await;
    b.wait_text(".flash", "worker-skills W1/RUST is being tried again now").await;
    assert!(plain(b.text("#errors").await).contains("worker-skills W1/RUST"));
    // With the cause gone, a retry applies the model, and then W1's rating.
    api.call(Method::DELETE, &contractor_rust, None).await;
    b.goto("/integration/errors").await;
    // The engine also retries on its own, with backoff. When its attempt comes first, the change
    // is applied and gone from the queue: before the page was shown (no Retry button for it), or
    // before the press (the retry finds nothing to try again).
    let model_retry = retry(&errors[0]["id"]);
    if !b.all(&format!("{model_retry} button")).await.is_empty() {
        b.press(&model_retry, "Retry").await;
        let said =
            b.wait_text_any("body", &["rating-models STD is being tried again now", "integration error '"]).await;
        assert!(said.contains("is being tried again now") || said.contains("was not found"), "{said}");
    }
    b.reload_until("/integration/errors", "No errors: every change was applied.").await;
    assert!(queued(api).await.is_empty());
    let rating = |r: &Value| {
        r["characteristics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["characteristic"] == "RUST")
            .map(|c| c["rating"].clone())
    };
    assert_eq!(rating(&resource_of(api, "W1").await), Some(json!(7)));

    // The HR-to-resource-scheduling solution: off, resources lose their workers; on, they are
    // linked again to the same resources.
    b.goto("/integration").await;
    b.press("section[aria-labelledby=switch]", "Turn the solution off").await;
    b.confirm().await;
    b.wait_text(".flash", "solution is off").await;
    b.wait_text("#solution", "Off").await;
    let resources = api.get("/scheduling/bookable-resources?limit=1000").await;
    assert!(resources["items"].as_array().unwrap().iter().all(|r| r["hr_worker_number"].is_null()), "{resources}");
    b.press("section[aria-labelledby=switch]", "Turn the solution on").await;
    b.wait_text(".flash", "solution is on").await;
    b.wait_text("#solution", "On").await;
    assert_eq!(resource_of(api, "W1").await["id"], ada["id"], "W1 is linked to its resource again");
    console.browser.close().await;
}
