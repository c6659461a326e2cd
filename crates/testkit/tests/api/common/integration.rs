//! Helpers for the sync engine's suite: the switch, waiting on a condition (never a fixed
//! sleep), and reading both sides by integration key.

use super::{Api, OK};
use serde_json::{json, Value};
use std::future::Future;
use std::time::{Duration, Instant};

pub const INTEGRATION: &str = "/integration";
pub const CONFLICTS: &str = "/integration/conflicts";
pub const ERRORS: &str = "/integration/errors";
pub const MAPS: &str = "/integration/maps";
pub const SOLUTION: &str = "/integration/solutions/hr-resource-scheduling";
/// How long a condition may take to become true.
pub const DEADLINE: Duration = Duration::from_secs(10);
/// How often it is looked at.
const POLL: Duration = Duration::from_millis(5);

/// Polls `check` every few milliseconds until it gives a value; fails, naming `what`, when
/// `deadline` has passed.
pub async fn eventually_within<T, F, Fut>(deadline: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let until = Instant::now() + deadline;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < until, "timed out after {deadline:?} waiting for {what}");
        tokio::time::sleep(POLL).await;
    }
}

/// [`eventually_within`] the usual [`DEADLINE`].
pub async fn eventually<T, F, Fut>(what: &str, check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    eventually_within(DEADLINE, what, check).await
}

/// Turns the integration on or off; returns the status answered.
pub async fn switch(api: &Api<'_>, enabled: bool) -> Value {
    let status = api.put(INTEGRATION, json!({"enabled": enabled})).await.is(OK);
    assert_eq!(status["enabled"], enabled, "{status}");
    status
}

/// Waits until both outboxes are applied (no backlog); returns the status.
pub async fn synced(api: &Api<'_>) -> Value {
    eventually("both outboxes to be applied", || async {
        let status = api.read(INTEGRATION).await;
        let backlog = &status["backlog"];
        (backlog["hr"] == 0 && backlog["scheduling"] == 0).then_some(status)
    })
    .await
}

/// Turns the integration on and waits for the missed-request sync it starts to be recorded and
/// for both outboxes to be applied: afterwards nothing runs until the next change (or retry).
pub async fn turn_on(api: &Api<'_>) -> Value {
    let run_id = |status: &Value| {
        status["last_missed_request_sync"]["id"].as_str().and_then(|id| id.parse::<i64>().ok()).unwrap_or(0)
    };
    let before = run_id(&api.read(INTEGRATION).await);
    switch(api, true).await;
    eventually("the turn-on's missed-request sync", || async {
        let status = api.read(INTEGRATION).await;
        let backlog = &status["backlog"];
        let done = run_id(&status) > before && backlog["hr"] == 0 && backlog["scheduling"] == 0;
        done.then_some(status)
    })
    .await
}

/// Every item of a paged list.
pub async fn all(api: &Api<'_>, path: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let separator = if path.contains('?') { '&' } else { '?' };
    let mut after = String::new();
    loop {
        let page = api.read(&format!("{path}{separator}limit=1000{after}")).await;
        items.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next"].as_str() {
            Some(next) => after = format!("&after={next}"),
            None => return items,
        }
    }
}

/// Every bookable resource.
pub async fn resources(api: &Api<'_>) -> Vec<Value> {
    all(api, "/scheduling/bookable-resources").await
}

/// The bookable resource linked to this personnel number, if any.
pub async fn resource_of(api: &Api<'_>, personnel_number: &str) -> Option<Value> {
    resources(api).await.into_iter().find(|r| r["hr_worker_number"] == personnel_number)
}

/// Waits until the resource of `personnel_number` passes `check`; returns it.
pub async fn resource_when(api: &Api<'_>, personnel_number: &str, what: &str, check: impl Fn(&Value) -> bool) -> Value {
    let what = format!("the resource of {personnel_number}: {what}");
    eventually(&what, || async { resource_of(api, personnel_number).await.filter(|r| check(r)) }).await
}

/// Waits until the HR worker passes `check`; returns it.
pub async fn worker_when(api: &Api<'_>, personnel_number: &str, what: &str, check: impl Fn(&Value) -> bool) -> Value {
    let what = format!("worker {personnel_number}: {what}");
    let path = format!("/hr/workers/{personnel_number}");
    eventually(&what, || async {
        let answer = api.get(&path).await;
        (answer.status == OK && check(&answer.body)).then_some(answer.body)
    })
    .await
}

/// A resource's characteristics as (name, rating).
pub fn held(resource: &Value) -> Vec<(String, Value)> {
    let list = resource["characteristics"].as_array().expect("characteristics");
    list.iter().map(|c| (c["characteristic"].as_str().unwrap().to_string(), c["rating"].clone())).collect()
}

/// A worker's skills as (skill, level name).
pub fn skills(worker: &Value) -> Vec<(String, String)> {
    let list = worker["skills"].as_array().expect("skills");
    list.iter().map(|s| (s["skill"].as_str().unwrap().to_string(), s["level"].as_str().unwrap().to_string())).collect()
}

/// The tracking grid of an entity (map).
pub async fn tracking(api: &Api<'_>, entity: &str) -> Vec<Value> {
    all(api, &format!("/integration/entities/{entity}/tracking")).await
}

/// The conflict journal, newest first.
pub async fn conflicts(api: &Api<'_>) -> Vec<Value> {
    all(api, CONFLICTS).await
}

/// The error queue, oldest first.
pub async fn errors(api: &Api<'_>) -> Vec<Value> {
    all(api, ERRORS).await
}

/// Starts sync now of `entity` and waits until its job is done; returns the job.
pub async fn sync_now(api: &Api<'_>, entity: &str) -> Value {
    let started = api.post(&format!("/integration/entities/{entity}/sync-now"), json!({})).await;
    let job_id = started.is(reqwest::StatusCode::ACCEPTED)["job_id"].as_str().expect("a job id").to_string();
    let path = format!("/integration/jobs/{job_id}");
    let job = eventually(&format!("sync-now job {job_id} of {entity} to finish"), || async {
        let job = api.read(&path).await;
        (job["state"] == "done" || job["state"] == "failed").then_some(job)
    })
    .await;
    assert_eq!(job["state"], "done", "{job}");
    job
}
