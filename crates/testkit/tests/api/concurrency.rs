//! Optimistic concurrency on workers (the first records to have it): a worker carries its
//! version as an `ETag`; a `PATCH` with a stale `If-Match` is refused with 412 and writes
//! nothing; a `PATCH` without one never overwrites a change made since it was read.

use crate::common::{worker, Api};
use hrbridge_testkit::TestApp;
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

/// The tests of this file, for the harness in `main.rs`.
pub fn tests() -> Vec<(&'static str, hrbridge_testkit::TestFn)> {
    vec![hrbridge_testkit::test_fn!(two_people_editing_one_worker_lose_nothing)]
}

async fn send(
    api: &Api<'_>,
    method: Method,
    path: &str,
    if_match: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Option<String>, Value) {
    let mut request = api.app.request(method, &format!("/api/v1{path}"), Some(&api.token));
    if let Some(tag) = if_match {
        request = request.header(header::IF_MATCH, tag);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let etag = response.headers().get(header::ETAG).map(|v| v.to_str().unwrap().to_string());
    (response.status(), etag, response.json().await.unwrap_or(Value::Null))
}

async fn two_people_editing_one_worker_lose_nothing(app: TestApp) {
    let hr = Api::admin(&app).await;
    worker(&hr, Some("W1"), "Ada", "Lovelace").await;
    let (status, tag, read) = send(&hr, Method::GET, "/hr/workers/W1", None, None).await;
    assert_eq!((status, tag.as_deref()), (StatusCode::OK, Some("\"1\"")), "{read}");

    // Someone else changes the phone after the first person read version 1.
    let (status, tag, _) =
        send(&hr, Method::PATCH, "/hr/workers/W1", None, Some(json!({"phone": "+15550001111"}))).await;
    assert_eq!((status, tag.as_deref()), (StatusCode::OK, Some("\"2\"")));
    // The first person's change, based on version 1, is refused and writes nothing.
    let stale = Some(json!({"email": "ada@example.com"}));
    let (status, _, problem) = send(&hr, Method::PATCH, "/hr/workers/W1", Some("\"1\""), stale).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{problem}");
    assert_eq!(problem["type"], "urn:hrbridge:problem:precondition-failed");
    assert!(problem["detail"].as_str().unwrap().contains("version 2"), "{problem}");
    let now = hr.read("/hr/workers/W1").await;
    assert_eq!((now["version"].as_i64(), now["email"].as_str()), (Some(2), None));
    // Based on the current version it goes through; without If-Match it merges into the newest,
    // keeping the phone.
    let (status, tag, _) =
        send(&hr, Method::PATCH, "/hr/workers/W1", Some("\"2\""), Some(json!({"email": "ada@example.com"}))).await;
    assert_eq!((status, tag.as_deref()), (StatusCode::OK, Some("\"3\"")));
    let (status, _, merged) =
        send(&hr, Method::PATCH, "/hr/workers/W1", None, Some(json!({"middle_name": "Augusta"}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (merged["phone"].as_str(), merged["email"].as_str(), merged["middle_name"].as_str()),
        (Some("+15550001111"), Some("ada@example.com"), Some("Augusta"))
    );
    // An If-Match that names no version of ours matches nothing.
    let (status, _, _) =
        send(&hr, Method::PATCH, "/hr/workers/W1", Some("\"abc\""), Some(json!({"phone": null}))).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    let (status, _, _) = send(&hr, Method::PATCH, "/hr/workers/W1", Some("*"), Some(json!({"phone": null}))).await;
    assert_eq!(status, StatusCode::OK);

    // Many patches at once without If-Match: every one lands, none overwrites another.
    let fields = ["first_name", "last_name", "email"];
    let values = ["Augusta", "King", "augusta@example.com"];
    let hr = &hr;
    let patches = fields.iter().zip(values).map(|(field, value)| {
        let body = json!({ *field: value });
        async move { send(hr, Method::PATCH, "/hr/workers/W1", None, Some(body)).await.0 }
    });
    for status in futures::future::join_all(patches).await {
        assert_eq!(status, StatusCode::OK);
    }
    let last = hr.read("/hr/workers/W1").await;
    for (field, value) in fields.iter().zip(values) {
        assert_eq!(last[*field], value, "{last}");
    }
    app.stop().await
}
