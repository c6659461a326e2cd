//! Business events delivered to webhooks: signed envelopes with increasing control numbers,
//! retries with backoff on the injected clock, failed deliveries listed and resent, deliveries that
//! survive a restart, and the webhook privileges.

use crate::common::{seed_catalog, Api, FORBIDDEN, INVALID, NOT_FOUND};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::routing::post;
use hmac::{Hmac, Mac};
use hrbridge_testkit::{start_time, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::Sha256;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The tests of this file, for the harness in `main.rs`.
pub fn tests() -> Vec<(&'static str, hrbridge_testkit::TestFn)> {
    vec![
        hrbridge_testkit::test_fn!(worker_events_are_signed_and_numbered),
        hrbridge_testkit::test_fn!(failing_endpoints_are_retried_then_failed_and_resent),
        hrbridge_testkit::test_fn!(deliveries_survive_a_restart),
        hrbridge_testkit::test_fn!(candidates_received_and_hired),
        hrbridge_testkit::test_fn!(webhooks_are_administered_by_administrators_only),
    ]
}

const SECRET: &str = "a-secret-of-enough-length";
const HOOKS: &str = "/admin/webhooks";

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    signature: String,
    event: String,
    delivery: String,
    body: String,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

/// A small HTTP server that records what it receives and answers 500 while told to fail.
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<Received>>>,
    failing: Arc<AtomicBool>,
    url: String,
}

impl Receiver {
    async fn start() -> Receiver {
        let mut receiver = Receiver::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        receiver.url = format!("http://{}/hook", listener.local_addr().expect("address"));
        let app = axum::Router::new().route("/hook", post(receive)).with_state(receiver.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        receiver
    }
    fn fail(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }
    fn got(&self) -> Vec<Received> {
        self.got.lock().expect("lock").clone()
    }
    /// Waits until at least `n` requests arrived; returns them all.
    async fn wait_for(&self, n: usize) -> Vec<Received> {
        eventually(&format!("{n} requests at the receiver"), || async {
            let got = self.got();
            (got.len() >= n).then_some(got)
        })
        .await
    }
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: String) -> AxumStatus {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    receiver.got.lock().expect("lock").push(Received {
        signature: header("x-hrbridge-signature"),
        event: header("x-hrbridge-event"),
        delivery: header("x-hrbridge-delivery"),
        body,
    });
    if receiver.failing.load(Ordering::SeqCst) {
        AxumStatus::INTERNAL_SERVER_ERROR
    } else {
        AxumStatus::NO_CONTENT
    }
}

/// Polls `check` every few milliseconds until it gives a value; fails after 10 s.
async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn sign(body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

async fn register(admin: &Api<'_>, url: &str, events: &[&str]) -> Value {
    let hook = admin.create(HOOKS, json!({"url": url, "secret": SECRET, "events": events})).await;
    assert!(hook.get("secret").is_none(), "the secret is not answered: {hook}");
    hook
}

/// The deliveries of a webhook (as the API lists them).
async fn deliveries(admin: &Api<'_>, hook: &Value, query: &str) -> Vec<Value> {
    let page = admin.read(&format!("{HOOKS}/{}/deliveries{query}", hook["id"].as_str().unwrap())).await;
    page["items"].as_array().expect("items").clone()
}

async fn worker_events_are_signed_and_numbered(app: TestApp) {
    let admin = Api::admin(&app).await;
    seed_catalog(&admin).await;
    // Before the webhook exists: not delivered to it.
    admin.create("/hr/workers", json!({"personnel_number": "W0", "first_name": "Old", "last_name": "News"})).await;
    let receiver = Receiver::start().await;
    let events = ["worker.changed", "worker.skill_changed", "worker.certificate_changed"];
    let hook = register(&admin, &receiver.url, &events).await;
    assert_eq!((hook["enabled"].as_bool(), hook["control_number"].as_i64()), (Some(true), Some(0)));
    assert_eq!(hook["events"], json!(events));
    // Another endpoint that only wants skills.
    let skills_only = Receiver::start().await;
    register(&admin, &skills_only.url, &["worker.skill_changed"]).await;

    admin.create("/hr/workers", json!({"personnel_number": "W1", "first_name": "Ada", "last_name": "Lovelace"})).await;
    admin.patch("/hr/workers/W1", json!({"email": "ada@example.com"})).await.is(crate::common::OK);
    admin.put("/hr/workers/W1/skills/RUST", json!({"level": "Expert"})).await.is(crate::common::OK);
    admin.put("/hr/workers/W1/certificates/FIRSTAID", json!({"issued_on": "2026-01-05"})).await.is(crate::common::OK);
    // Records are read when the outbox entry becomes a delivery (within ~250 ms): let these go
    // out before the skill is removed again.
    receiver.wait_for(4).await;
    admin.remove("/hr/workers/W1/skills/RUST").await;

    let got = receiver.wait_for(5).await;
    let envelopes: Vec<Value> = got.iter().map(Received::json).collect();
    let summary: Vec<(i64, &str, &str, &str)> = envelopes
        .iter()
        .map(|e| {
            let (n, t, op, key) = (&e["control_number"], &e["type"], &e["operation"], &e["key"]);
            (n.as_i64().unwrap(), t.as_str().unwrap(), op.as_str().unwrap(), key.as_str().unwrap())
        })
        .collect();
    assert_eq!(
        summary,
        [
            (1, "worker.changed", "insert", "W1"),
            (2, "worker.changed", "update", "W1"),
            (3, "worker.skill_changed", "insert", "W1/RUST"),
            (4, "worker.certificate_changed", "insert", "W1/FIRSTAID"),
            (5, "worker.skill_changed", "delete", "W1/RUST"),
        ]
    );
    for (request, envelope) in got.iter().zip(&envelopes) {
        assert_eq!(request.signature, sign(&request.body), "the signature verifies");
        assert_eq!(request.event, envelope["type"].as_str().unwrap());
        assert!(request.delivery.parse::<i64>().is_ok(), "a delivery id: {}", request.delivery);
        let event_id = envelope["event_id"].as_str().unwrap();
        assert!(uuid_like(event_id), "{event_id}");
        assert_eq!(envelope["time"], json!(start_time()), "the time of the change, by the clock");
    }
    // The records: the worker as the API shows it; the skill or certificate with its worker; the
    // key of what was deleted.
    assert_eq!(envelopes[0]["record"]["first_name"], "Ada");
    assert_eq!(envelopes[1]["record"]["email"], "ada@example.com");
    let skill = &envelopes[2]["record"];
    assert_eq!((skill["personnel_number"].as_str(), skill["skill"].as_str()), (Some("W1"), Some("RUST")));
    assert_eq!(envelopes[3]["record"]["certificate_type"], "FIRSTAID");
    assert_eq!(envelopes[4]["record"], json!({"key": "W1/RUST"}));
    let distinct: std::collections::HashSet<&str> = envelopes.iter().map(|e| e["event_id"].as_str().unwrap()).collect();
    assert_eq!(distinct.len(), 5);

    // The skills-only endpoint numbers its own deliveries.
    let skill_events = skills_only.wait_for(2).await;
    let numbers: Vec<i64> = skill_events.iter().map(|r| r.json()["control_number"].as_i64().unwrap()).collect();
    assert_eq!(numbers, [1, 2]);
    assert_eq!(skill_events[0].json()["event_id"], envelopes[2]["event_id"], "one event, one id");

    let listed = eventually("all delivered", || async {
        let list = deliveries(&admin, &hook, "?status=delivered").await;
        (list.len() == 5).then_some(list)
    })
    .await;
    assert_eq!(listed[0]["attempts"], 1);
    assert_eq!(listed[0]["payload"], envelopes[0]);
    assert_eq!(admin.read(&format!("{HOOKS}/{}", hook["id"].as_str().unwrap())).await["control_number"], 5);
    let paged = admin.read(&format!("{HOOKS}/{}/deliveries?limit=2", hook["id"].as_str().unwrap())).await;
    assert_eq!(paged["items"].as_array().unwrap().len(), 2);
    let next = paged["next"].as_str().expect("a next page");
    let rest = admin.read(&format!("{HOOKS}/{}/deliveries?limit=10&after={next}", hook["id"].as_str().unwrap())).await;
    assert_eq!(rest["items"][0]["control_number"], 3);
    app.stop().await
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4
}

async fn failing_endpoints_are_retried_then_failed_and_resent(app: TestApp) {
    let admin = Api::admin(&app).await;
    let receiver = Receiver::start().await;
    let hook = register(&admin, &receiver.url, &["worker.changed"]).await;
    receiver.fail(true);
    admin.create("/hr/workers", json!({"personnel_number": "W1", "first_name": "Ada", "last_name": "Lovelace"})).await;
    receiver.wait_for(1).await;
    let pending = eventually("the failure recorded", || async {
        let list = deliveries(&admin, &hook, "?status=pending").await;
        list.first().filter(|d| d["attempts"] == 1).cloned()
    })
    .await;
    let retry_at = start_time() + chrono::Duration::seconds(1);
    assert_eq!(pending["next_attempt_at"], json!(retry_at), "retried after 1 s by the clock");
    assert!(pending["last_error"].as_str().unwrap().contains("500"), "{pending}");
    // A later event waits behind the failing one: one endpoint's deliveries go in order.
    admin.patch("/hr/workers/W1", json!({"phone": "+4420123456"})).await.is(crate::common::OK);
    eventually("the second delivery enqueued", || async {
        (deliveries(&admin, &hook, "").await.len() == 2).then_some(())
    })
    .await;

    receiver.fail(false);
    app.clock.advance(chrono::Duration::seconds(1));
    let got = receiver.wait_for(3).await;
    let numbers: Vec<i64> = got.iter().map(|r| r.json()["control_number"].as_i64().unwrap()).collect();
    assert_eq!(numbers, [1, 1, 2], "the retry, then the next in order");
    assert_eq!(got[0].body, got[1].body, "a retry sends the same body");
    assert_eq!(got[0].delivery, got[1].delivery);
    eventually("both delivered", || async {
        (deliveries(&admin, &hook, "?status=delivered").await.len() == 2).then_some(())
    })
    .await;

    // Ten failed attempts: failed, listed as such, and resendable.
    receiver.fail(true);
    admin.remove("/hr/workers/W1").await;
    let mut waits = Vec::new();
    for attempt in 1..=10 {
        let delivery = eventually(&format!("attempt {attempt}"), || async {
            let list = deliveries(&admin, &hook, "").await;
            list.into_iter().find(|d| d["control_number"] == 3 && d["attempts"] == attempt)
        })
        .await;
        if attempt < 10 {
            assert_eq!(delivery["status"], "pending");
            let next: chrono::DateTime<chrono::Utc> =
                serde_json::from_value(delivery["next_attempt_at"].clone()).unwrap();
            waits.push((next - app.clock_now()).num_seconds());
            app.clock.set(next);
        } else {
            assert_eq!(delivery["status"], "failed");
        }
    }
    assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256], "exponential backoff");
    let failed = deliveries(&admin, &hook, "?status=failed").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["payload"]["type"], "worker.changed");
    assert_eq!(failed[0]["payload"]["operation"], "delete");
    assert_eq!(receiver.got().len(), 13);
    receiver.fail(false);
    let path =
        format!("{HOOKS}/{}/deliveries/{}/resend", hook["id"].as_str().unwrap(), failed[0]["id"].as_str().unwrap());
    let resent = admin.post(&path, json!({})).await.is(crate::common::OK);
    assert_eq!((resent["status"].as_str(), resent["attempts"].as_i64()), (Some("pending"), Some(0)));
    let got = receiver.wait_for(14).await;
    assert_eq!(got[13].json()["control_number"], 3);
    eventually("delivered after the resend", || async {
        deliveries(&admin, &hook, "?status=failed").await.is_empty().then_some(())
    })
    .await;
    let missing = format!("{HOOKS}/{}/deliveries/12345/resend", hook["id"].as_str().unwrap());
    admin.post(&missing, json!({})).await.problem(NOT_FOUND, &[]);
    let audit = crate::common::audit(&app).await;
    assert!(audit.iter().any(|e| e.action == "resend" && e.actor == "admin"), "the resend is audited");
    app.stop().await
}

trait ClockNow {
    fn clock_now(&self) -> chrono::DateTime<chrono::Utc>;
}

impl ClockNow for TestApp {
    fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        use hrbridge_domain::Clock;
        self.clock.now()
    }
}

async fn deliveries_survive_a_restart(app: TestApp) {
    // No delivery worker: events are only recorded.
    let app = app.restart(false).await;
    let receiver = Receiver::start().await;
    let hook = {
        let admin = Api::admin(&app).await;
        let hook = register(&admin, &receiver.url, &["worker.changed"]).await;
        admin.create("/hr/workers", json!({"personnel_number": "W1", "first_name": "Ada", "last_name": "L"})).await;
        // Turned into a delivery now, but not sent.
        assert_eq!(app.state.hr.enqueue_events(100).await.unwrap(), 1);
        let pending = deliveries(&admin, &hook, "?status=pending").await;
        assert_eq!(pending.len(), 1);
        // Written after the enqueue: only in the outbox when the process stops.
        admin.create("/hr/workers", json!({"personnel_number": "W2", "first_name": "Bo", "last_name": "B"})).await;
        hook
    };
    assert!(receiver.got().is_empty());

    let app = app.restart(true).await;
    let got = receiver.wait_for(2).await;
    let keys: Vec<(i64, String)> = got
        .iter()
        .map(|r| {
            let e = r.json();
            (e["control_number"].as_i64().unwrap(), e["key"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(keys, [(1, "W1".to_string()), (2, "W2".to_string())]);
    assert!(got.iter().all(|r| r.signature == sign(&r.body)));
    let admin = Api::admin(&app).await;
    eventually("both delivered", || async {
        (deliveries(&admin, &hook, "?status=delivered").await.len() == 2).then_some(())
    })
    .await;
    app.stop().await
}

async fn webhooks_are_administered_by_administrators_only(app: TestApp) {
    let admin = Api::admin(&app).await;
    let url = "http://127.0.0.1:9/hook";
    // Validation names each bad field.
    let bad = json!({"url": "ftp://example.com/x", "secret": "short", "events": ["worker.changed", "nope"]});
    admin.post(HOOKS, bad).await.problem(INVALID, &["url", "secret", "events[1]"]);
    admin
        .post(HOOKS, json!({"url": "not a url", "secret": SECRET, "events": []}))
        .await
        .problem(INVALID, &["url", "events"]);
    admin.post(HOOKS, json!({"url": url, "secret": SECRET})).await.problem(INVALID, &["events"]);
    let extra = json!({"url": url, "secret": SECRET, "events": ["worker.hired"], "colour": "red"});
    admin.post(HOOKS, extra).await.problem(INVALID, &["colour"]);

    let hook = register(&admin, url, &["worker.hired", "candidate.received", "worker.hired"]).await;
    assert_eq!(hook["events"], json!(["worker.hired", "candidate.received"]));
    let path = format!("{HOOKS}/{}", hook["id"].as_str().unwrap());
    let read = admin.read(&path).await;
    assert_eq!(read["url"], url);
    assert!(read.get("secret").is_none());
    let listed = admin.read(HOOKS).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert!(!listed.to_string().contains(SECRET), "{listed}");

    let patched =
        admin.patch(&path, json!({"enabled": false, "events": ["worker.changed"]})).await.is(crate::common::OK);
    assert_eq!((patched["enabled"].as_bool(), patched["version"].as_i64()), (Some(false), Some(2)));
    admin.patch(&path, json!({"secret": "short"})).await.problem(INVALID, &["secret"]);
    admin.patch(&path, json!({"url": null})).await.problem(INVALID, &["url"]);
    let rotated = admin.patch(&path, json!({"secret": "another-long-secret-value"})).await.is(crate::common::OK);
    assert!(rotated.get("secret").is_none());
    admin.get(&format!("{HOOKS}/nope")).await.problem(NOT_FOUND, &[]);
    admin.get(&format!("{HOOKS}/999/deliveries")).await.problem(NOT_FOUND, &[]);
    admin.get(&format!("{path}/deliveries?status=lost")).await.problem(INVALID, &["status"]);

    // Nobody else may touch them.
    for role in ["hr-manager", "read-only", "resource-manager"] {
        let other = Api::role(&app, role).await;
        other.get(HOOKS).await.problem(FORBIDDEN, &[]);
        other.get(&path).await.problem(FORBIDDEN, &[]);
        other
            .post(HOOKS, json!({"url": url, "secret": SECRET, "events": ["worker.changed"]}))
            .await
            .problem(FORBIDDEN, &[]);
        other.patch(&path, json!({"enabled": true})).await.problem(FORBIDDEN, &[]);
        other.delete(&path).await.problem(FORBIDDEN, &[]);
        other.get(&format!("{path}/deliveries")).await.problem(FORBIDDEN, &[]);
        other.post(&format!("{path}/deliveries/1/resend"), json!({})).await.problem(FORBIDDEN, &[]);
    }
    let (status, _) = app.call(Method::GET, "/api/v1/admin/webhooks", "garbage", None).await;
    assert_eq!(status, crate::common::UNAUTHORIZED);

    // Audited, never with the secret.
    let audit = crate::common::audit(&app).await;
    let actions: Vec<&str> = audit.iter().filter(|e| e.entity == "webhook").map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["update", "update", "create"]);
    assert!(audit.iter().all(|e| !e.detail.to_string().contains("secret-value")));
    assert!(audit.iter().all(|e| !e.detail.to_string().contains(SECRET)));

    admin.remove(&path).await;
    admin.get(&path).await.problem(NOT_FOUND, &[]);
    assert!(admin.read(HOOKS).await["items"].as_array().unwrap().is_empty());
    app.stop().await
}

async fn candidates_received_and_hired(app: TestApp) {
    let admin = Api::admin(&app).await;
    let receiver = Receiver::start().await;
    let all = ["candidate.received", "worker.hired", "worker.changed", "worker.skill_changed"];
    let hook = register(&admin, &receiver.url, &all).await;
    admin.create("/hr/jobs", json!({"job_id": "DEV", "title": "Developer"})).await;
    admin.create("/hr/positions", json!({"position_number": "P-1", "job_id": "DEV"})).await;
    let export: hrbridge_domain::hr::HiredCandidateInput = serde_json::from_value(json!({
        "external_id": "ATS-7", "first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com",
        "phone": "+15551234567", "start_date": "2026-04-01", "job_title": "Developer", "location": "Remote"
    }))
    .unwrap();
    let ats = hrbridge_store::Actor {
        name: "ats-app".into(),
        kind: hrbridge_store::ActorKind::App,
        origin: hrbridge_domain::outbox::Origin::User,
    };
    let received = app.state.hr.receive_candidate(&ats, export.parse().unwrap()).await.unwrap();
    let id = received.candidate.id;
    let first = receiver.wait_for(1).await;
    let received_event = first[0].json();
    assert_eq!(received_event["type"], "candidate.received");
    assert_eq!(received_event["record"]["external_id"], "ATS-7");
    assert_eq!(received_event["record"]["status"], "to_hire");

    let hired = admin.post(&format!("/hr/candidates/{id}/hire"), json!({"position_number": "P-1"})).await;
    let hired = hired.is(crate::common::CREATED);
    let got = receiver.wait_for(2).await;
    let hire_event = got[1].json();
    assert_eq!(hire_event["type"], "worker.hired", "{hire_event}");
    assert_eq!(hire_event["control_number"], 2);
    let number = hire_event["record"]["personnel_number"].as_str().expect("the worker's personnel number");
    assert!(hired.to_string().contains(number), "{hired}");
    assert_eq!(hire_event["record"]["first_name"], "Grace");
    assert_eq!(hire_event["record"]["candidate"]["status"], "hired");
    assert!(got.iter().all(|r| r.signature == sign(&r.body)));
    // The worker's insert is announced by worker.hired, not again as worker.changed.
    eventually("everything enqueued", || async {
        let cursor = app.state.hr.webhook_cursor().await.unwrap();
        let last = crate::common::outbox(&app).await.last().map(|e| e.seq).unwrap_or(0);
        (cursor == last).then_some(())
    })
    .await;
    let types: Vec<String> =
        deliveries(&admin, &hook, "").await.iter().map(|d| d["event_type"].as_str().unwrap().to_string()).collect();
    assert_eq!(types, ["candidate.received", "worker.hired"]);
    app.stop().await
}
