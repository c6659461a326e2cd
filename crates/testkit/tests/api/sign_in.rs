//! Sign-in that cannot be guessed at or used to fill the disk: failed sign-ins are counted per
//! account and per client address, answered 429 with a growing `Retry-After` past the allowance
//! (the same whether or not the account exists), reset by a success, audited with the address;
//! unauthenticated input is capped before it is stored.

use crate::common::{audit, Api, UNAUTHORIZED};
use hrbridge_testkit::{TestApp, ADMIN_PASSWORD};
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

/// The tests of this file, for the harness in `main.rs`.
pub fn tests() -> Vec<(&'static str, hrbridge_testkit::TestFn)> {
    vec![
        hrbridge_testkit::test_fn!(failed_sign_ins_are_throttled_per_account),
        hrbridge_testkit::test_fn!(failed_sign_ins_are_throttled_per_address),
        hrbridge_testkit::test_fn!(app_tokens_are_throttled_per_client),
        hrbridge_testkit::test_fn!(unauthenticated_input_is_capped_before_it_is_stored),
    ]
}

const LOGIN: &str = "/api/v1/auth/login";
/// Failures an account may have before it is blocked (the default policy).
const ALLOWANCE: usize = 5;

/// A sign-in: the status, the `Retry-After` header (seconds) and the body.
async fn login(app: &TestApp, username: &str, password: &str) -> (StatusCode, Option<u64>, Value) {
    let body = json!({"username": username, "password": password});
    let response = app.request(Method::POST, LOGIN, None).json(&body).send().await.expect("login");
    let retry = response.headers().get(header::RETRY_AFTER).map(|v| v.to_str().unwrap().parse().unwrap());
    (response.status(), retry, response.json().await.unwrap_or(Value::Null))
}

async fn failed_sign_ins_are_throttled_per_account(app: TestApp) {
    // An existing account and an unknown one get the same answers, one for one.
    let mut answers = Vec::new();
    for username in ["admin", "nobody"] {
        let mut seen = Vec::new();
        for _ in 0..=ALLOWANCE {
            let (status, retry, body) = login(&app, username, "not-the-password").await;
            seen.push((status, retry, body["detail"].clone()));
        }
        // Past the allowance the account is blocked: even the right password gets a 429.
        let (status, retry, body) = login(&app, username, ADMIN_PASSWORD).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{username}: {body}");
        assert_eq!(body["status"], 429, "a problem document: {body}");
        seen.push((status, retry, body["detail"].clone()));
        answers.push(seen);
    }
    assert_eq!(answers[0], answers[1], "the same answers whether or not the account exists");
    assert!(answers[0][..=ALLOWANCE].iter().all(|(s, r, _)| *s == UNAUTHORIZED && r.is_none()), "{answers:?}");
    assert_eq!(answers[0][ALLOWANCE + 1].1, Some(1), "the first block is a second");

    // Once the block is over, one more failure blocks for longer.
    app.clock.advance(chrono::Duration::seconds(2));
    assert_eq!(login(&app, "nobody", "still-wrong").await.0, UNAUTHORIZED);
    let (status, retry, _) = login(&app, "nobody", "still-wrong").await;
    assert_eq!((status, retry), (StatusCode::TOO_MANY_REQUESTS, Some(2)), "the block doubles");

    // A success resets the account's count: the next failure is a plain 401 again.
    let (status, _, body) = login(&app, "admin", ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(login(&app, "admin", "wrong-again").await.0, UNAUTHORIZED);

    // Every failure that reached the password check is audited with the address, never the
    // password; the 429s are not (they are what a flood would write).
    let entries = audit(&app).await;
    let refused: Vec<_> = entries.iter().filter(|e| e.action == "sign-in-refused").collect();
    assert_eq!(refused.len(), 2 * (ALLOWANCE + 1) + 2, "{refused:?}");
    assert!(refused.iter().all(|e| e.detail["address"] == "127.0.0.1"), "{refused:?}");
    assert!(entries.iter().all(|e| !e.detail.to_string().contains("not-the-password")));
    app.stop().await
}

async fn failed_sign_ins_are_throttled_per_address(app: TestApp) {
    // Twenty failures over twenty accounts from one address: within every account's allowance,
    // but past the address's.
    for i in 0..=20 {
        assert_eq!(login(&app, &format!("guess-{i}"), "wrong").await.0, UNAUTHORIZED);
    }
    let (status, retry, _) = login(&app, "admin", ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry.is_some_and(|r| r >= 1), "{retry:?}");
    app.clock.advance(chrono::Duration::seconds(2));
    assert_eq!(login(&app, "admin", ADMIN_PASSWORD).await.0, StatusCode::OK);
    app.stop().await
}

async fn app_tokens_are_throttled_per_client(app: TestApp) {
    let admin = Api::admin(&app).await;
    let registration = json!({"name": "Talent", "user": "admin", "role": "ats-integration"});
    let registered = admin.create("/admin/apps", registration).await;
    let client_id = registered["client_id"].as_str().unwrap();
    let token = |secret: &str| {
        let form = [("grant_type", "client_credentials"), ("client_id", client_id), ("client_secret", secret)];
        app.client.post(app.url("/oauth/token")).form(&form).send()
    };
    for _ in 0..=ALLOWANCE {
        assert_eq!(token("wrong-secret").await.unwrap().status(), StatusCode::UNAUTHORIZED);
    }
    let blocked = token(registered["client_secret"].as_str().unwrap()).await.unwrap();
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(blocked.headers()[header::RETRY_AFTER], "1");
    let body: Value = blocked.json().await.unwrap();
    assert_eq!(body["error"], "temporarily_unavailable", "{body}");
    app.clock.advance(chrono::Duration::seconds(2));
    let issued = token(registered["client_secret"].as_str().unwrap()).await.unwrap();
    assert_eq!(issued.status(), StatusCode::OK);
    let refused = audit(&app).await.into_iter().filter(|e| e.action == "token-refused").count();
    assert_eq!(refused, ALLOWANCE + 1);
    app.stop().await
}

async fn unauthenticated_input_is_capped_before_it_is_stored(app: TestApp) {
    let before = audit(&app).await.len();
    // A username of 10,000 characters: refused like any wrong one; no account has it, so the audit
    // log does not keep it.
    let long = "x".repeat(10_000);
    let (status, _, body) = login(&app, &long, "whatever").await;
    assert_eq!(status, UNAUTHORIZED);
    assert!(body.to_string().len() < 1_000, "the answer does not echo the input: {} bytes", body.to_string().len());
    let entries = audit(&app).await;
    assert_eq!(entries.len(), before + 1, "one audit entry");
    let entry = &entries[0];
    assert_eq!((entry.actor.as_str(), entry.record_key.as_str()), ("unknown-user", "unknown-user"));
    // An account's own name is kept, capped like any input.
    assert_eq!(login(&app, "admin", "wrong").await.0, UNAUTHORIZED);
    assert_eq!(audit(&app).await[0].actor, "admin");
    // A body over the limit is refused before it is read, and leaves nothing. (100 KB: the client
    // has sent it all before the 413 closes the connection, whatever the socket buffers.)
    let huge = json!({"username": "y".repeat(100_000), "password": "z"});
    let response = app.request(Method::POST, LOGIN, None).json(&huge).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let form = [("grant_type", "client_credentials"), ("client_id", &"c".repeat(100_000)[..]), ("client_secret", "s")];
    let response = app.client.post(app.url("/oauth/token")).form(&form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // An unknown client id of 200 characters is counted, and audited without its text.
    let form = [("grant_type", "client_credentials"), ("client_id", &"c".repeat(200)[..]), ("client_secret", "s")];
    let response = app.client.post(app.url("/oauth/token")).form(&form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let entries = audit(&app).await;
    assert_eq!(entries.len(), before + 3);
    assert_eq!((entries[0].actor.as_str(), entries[0].action.as_str()), ("unknown-client", "token-refused"));
    assert!(entries.iter().all(|e| e.detail.to_string().len() < 500 && e.actor.len() < 100));
    app.stop().await
}
