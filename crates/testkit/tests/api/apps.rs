//! App registrations and the OAuth 2.0 client credentials token endpoint: who may register an
//! app, field errors, tokens through the form body and HTTP Basic, RFC 6749 errors, what an
//! `ats-integration` token may do, disabling (at once here, within 5 s from another process),
//! rotating secrets, and the audit log.

use crate::common::{concrete, guarded_operations, send_raw, Api, CONFLICT, FORBIDDEN, INVALID, NOT_FOUND, OK};
use hrbridge_store::Actor;
use hrbridge_testkit::TestApp;
use reqwest::{header, StatusCode};
use serde_json::{json, Value};

/// The tests of this file, for the harness in `main.rs`.
pub fn tests() -> Vec<(&'static str, hrbridge_testkit::TestFn)> {
    vec![
        hrbridge_testkit::test_fn!(only_administrators_of_both_stores_register_apps),
        hrbridge_testkit::test_fn!(registration_names_bad_fields),
        hrbridge_testkit::test_fn!(tokens_through_the_body_and_basic_auth),
        hrbridge_testkit::test_fn!(token_errors_follow_rfc_6749),
        hrbridge_testkit::test_fn!(disabled_apps_tokens_stop_at_once),
        hrbridge_testkit::test_fn!(changes_by_another_process_take_effect_at_the_next_request),
        hrbridge_testkit::test_fn!(rotation_refuses_the_old_secret),
        hrbridge_testkit::test_fn!(registration_tokens_and_disabling_are_audited),
    ]
}

const TOKEN: &str = "/oauth/token";
const METADATA: &str = "/scheduling/metadata/entities";

/// An admin, a user `ats-bot` (hr-manager: write in personnel management), and a registered app
/// `Talent` acting as it; returns the registration (with its secret).
async fn setup(app: &TestApp) -> (Api<'_>, Value) {
    let admin = Api::admin(app).await;
    let bot = json!({"username": "ats-bot", "password": "ats-bot-password", "role": "hr-manager"});
    admin.create("/admin/users", bot).await;
    let registered =
        admin.create("/admin/apps", json!({"name": "Talent", "user": "ats-bot", "role": "ats-integration"})).await;
    (admin, registered)
}

fn id_and_secret(registered: &Value) -> (String, String) {
    (registered["client_id"].as_str().unwrap().to_string(), registered["client_secret"].as_str().unwrap().to_string())
}

/// Sends a token request with a form body and, when given, HTTP Basic credentials.
async fn token_request(
    app: &TestApp,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    let mut request = app.client.post(app.url(TOKEN)).form(form);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    let response = request.send().await.expect("token request");
    let (status, headers) = (response.status(), response.headers().clone());
    (status, response.json().await.unwrap_or(Value::Null), headers)
}

/// A token for the app, through the form body.
async fn app_token(app: &TestApp, id: &str, secret: &str) -> String {
    let form = [("grant_type", "client_credentials"), ("client_id", id), ("client_secret", secret)];
    let (status, body, _) = token_request(app, &form, None).await;
    assert_eq!(status, OK, "token for {id}: {body}");
    body["access_token"].as_str().unwrap().to_string()
}

#[track_caller]
fn assert_oauth_error(answer: &(StatusCode, Value, reqwest::header::HeaderMap), status: StatusCode, error: &str) {
    let (got, body, headers) = answer;
    assert_eq!((*got, body["error"].as_str()), (status, Some(error)), "{body}");
    assert!(body["error_description"].as_str().is_some_and(|d| !d.is_empty()), "{body}");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    if status == StatusCode::UNAUTHORIZED {
        assert!(headers[header::WWW_AUTHENTICATE].to_str().unwrap().starts_with("Basic"), "{headers:?}");
    }
}

async fn only_administrators_of_both_stores_register_apps(app: TestApp) {
    let (admin, registered) = setup(&app).await;
    let (id, secret) = id_and_secret(&registered);
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "the client id is a UUID: {id}");
    assert!(secret.len() >= 43 && secret.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    let summary = (&registered["name"], &registered["user"], &registered["role"], &registered["enabled"]);
    assert_eq!(summary, (&json!("Talent"), &json!("ats-bot"), &json!("ats-integration"), &json!(true)));

    let body = json!({"name": "Other", "user": "ats-bot", "role": "ats-integration"});
    let hr = Api::role(&app, "hr-manager").await;
    let answer = hr.post("/admin/apps", body.clone()).await;
    assert_eq!(answer.detail(FORBIDDEN), "your role does not allow create on app");
    hr.get("/admin/apps").await.problem(FORBIDDEN, &[]);
    hr.patch(&format!("/admin/apps/{id}"), json!({"enabled": false})).await.problem(FORBIDDEN, &[]);
    hr.post(&format!("/admin/apps/{id}/rotate-secret"), json!({})).await.problem(FORBIDDEN, &[]);
    // Administrator access to HR alone is not enough: registering needs the scheduling store too.
    let registrar = json!({"name": "app-registrar", "privileges": {"app": ["read", "create", "write"]}});
    admin.create("/admin/roles", registrar).await;
    let user = json!({"username": "reg", "password": "registrar-password", "role": "app-registrar"});
    admin.create("/admin/users", user).await;
    let registrar = Api { app: &app, token: app.sign_in("reg", "registrar-password").await };
    let answer = registrar.post("/admin/apps", body).await;
    assert_eq!(answer.detail(FORBIDDEN), "your role does not allow write on bookable-resource");
    // The app's own token administers nothing.
    let ats = Api { app: &app, token: app_token(&app, &id, &secret).await };
    ats.get("/admin/apps").await.problem(FORBIDDEN, &[]);

    // Lists and reads never show the secret or its hash.
    let list = admin.read("/admin/apps").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let one = admin.read(&format!("/admin/apps/{id}")).await;
    assert_eq!(one, list["items"][0]);
    for shown in [&list, &one] {
        let text = shown.to_string();
        assert!(!text.contains(&secret) && !text.contains("argon2") && !text.contains("secret"), "{text}");
    }
    assert_eq!((one["client_id"].as_str(), one["user"].as_str()), (Some(id.as_str()), Some("ats-bot")));
    admin.get("/admin/apps/no-such-app").await.problem(NOT_FOUND, &[]);
    admin.patch("/admin/apps/no-such-app", json!({"enabled": false})).await.problem(NOT_FOUND, &[]);
    admin.post("/admin/apps/no-such-app/rotate-secret", json!({})).await.problem(NOT_FOUND, &[]);
    // The stored hash is argon2id.
    let stored = app.state.hr.app_credentials(&id).await.unwrap().unwrap();
    assert!(stored.secret_hash.starts_with("$argon2id$"), "{}", stored.secret_hash);
    app.stop().await
}

async fn registration_names_bad_fields(app: TestApp) {
    let (admin, _) = setup(&app).await;
    let reader = json!({"username": "reader", "password": "reader-password", "role": "read-only"});
    admin.create("/admin/users", reader).await;
    let register = |name: &str, user: &str, role: &str| json!({"name": name, "user": user, "role": role});
    let answer = admin.post("/admin/apps", register(" ", "nobody", "no-such-role")).await;
    let body = answer.problem(INVALID, &["name", "user", "role"]);
    assert_eq!(body["errors"][1]["message"], "no user named 'nobody'");
    assert_eq!(body["errors"][2]["message"], "no role named 'no-such-role'");
    // The acting user must hold write permission in personnel management.
    let answer = admin.post("/admin/apps", register("Reader", "reader", "ats-integration")).await;
    let body = answer.problem(INVALID, &["user"]);
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("personnel management"), "{body}");
    admin.post("/admin/apps", register(&"x".repeat(101), "ats-bot", "read-only")).await.problem(INVALID, &["name"]);
    let answer = admin.post("/admin/apps", json!({"name": "X", "user": "ats-bot", "secret": "mine"})).await;
    answer.problem(INVALID, &["secret"]);
    admin.post("/admin/apps", json!({"name": "X"})).await.problem(INVALID, &["user"]);
    admin.patch("/admin/apps/x", json!({"enabled": "no"})).await.problem(INVALID, &["enabled"]);
    // A name is taken once.
    admin.post("/admin/apps", register("Talent", "admin", "read-only")).await.problem(CONFLICT, &["name"]);
    // The role defaults to ats-integration.
    let second = admin.create("/admin/apps", json!({"name": "Second", "user": "admin"})).await;
    assert_eq!(second["role"], "ats-integration");
    assert_eq!(admin.keys("/admin/apps", "name").await, ["Second", "Talent"]);
    assert_eq!(admin.keys("/admin/apps?limit=1", "name").await, ["Second"]);
    app.stop().await
}

async fn tokens_through_the_body_and_basic_auth(app: TestApp) {
    let (_, registered) = setup(&app).await;
    let (id, secret) = id_and_secret(&registered);
    let form = [("grant_type", "client_credentials"), ("client_id", id.as_str()), ("client_secret", secret.as_str())];
    let (status, body, headers) = token_request(&app, &form, None).await;
    assert_eq!(status, OK, "{body}");
    assert_eq!((body["token_type"].as_str(), body["expires_in"].as_i64()), (Some("Bearer"), Some(3600)));
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    let by_body = Api { app: &app, token: body["access_token"].as_str().unwrap().to_string() };
    // The secret passed argon2 once and is remembered, so the next request skips it.
    let stored = app.state.hr.app_credentials(&id).await.unwrap().unwrap();
    assert!(app.state.apps.secret_known(&id, &stored.secret_hash, &secret));
    assert!(!app.state.apps.secret_known(&id, &stored.secret_hash, "another secret"));

    let (status, body, _) = token_request(&app, &[("grant_type", "client_credentials")], Some((&id, &secret))).await;
    assert_eq!(status, OK, "{body}");
    let by_basic = Api { app: &app, token: body["access_token"].as_str().unwrap().to_string() };
    // The client id may be repeated in the body with Basic, and a scope is accepted.
    let form = [("grant_type", "client_credentials"), ("client_id", id.as_str()), ("scope", "candidates")];
    assert_eq!(token_request(&app, &form, Some((&id, &secret))).await.0, OK);

    // ats-integration reads the scheduling metadata, and no workers.
    for ats in [&by_body, &by_basic] {
        let entities = ats.read(METADATA).await;
        assert!(!entities["items"].as_array().unwrap().is_empty());
        ats.read("/scheduling/metadata/fields").await;
        ats.read("/scheduling/metadata/relationships").await;
        let answer = ats.get("/hr/workers").await;
        assert_eq!(answer.detail(FORBIDDEN), "your role does not allow read on worker");
        ats.post("/hr/workers", json!({"first_name": "A", "last_name": "B"})).await.problem(FORBIDDEN, &[]);
    }

    // The endpoint is public in the OpenAPI document, at the root.
    let doc: Value = app.client.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    let operation = &doc["paths"][TOKEN]["post"];
    assert!(operation.is_object(), "POST /oauth/token is documented");
    assert_eq!(operation["security"], json!([]));
    assert!(operation["requestBody"]["content"]["application/x-www-form-urlencoded"].is_object(), "{operation}");
    assert!(doc["paths"]["/api/v1/admin/apps/{client_id}"]["patch"].is_object());
    assert!(doc["paths"]["/api/v1/admin/apps/{client_id}/rotate-secret"]["post"].is_object());
    app.stop().await
}

async fn token_errors_follow_rfc_6749(app: TestApp) {
    let (_, registered) = setup(&app).await;
    let (id, secret) = id_and_secret(&registered);
    let (id, secret) = (id.as_str(), secret.as_str());
    let grant = ("grant_type", "client_credentials");

    let wrong = token_request(&app, &[grant, ("client_id", id), ("client_secret", "not-the-secret")], None).await;
    assert_oauth_error(&wrong, StatusCode::UNAUTHORIZED, "invalid_client");
    let unknown = token_request(&app, &[grant, ("client_id", "nobody"), ("client_secret", secret)], None).await;
    assert_oauth_error(&unknown, StatusCode::UNAUTHORIZED, "invalid_client");
    assert_eq!(wrong.1, unknown.1, "a wrong secret and an unknown client get the same answer");
    let wrong_basic = token_request(&app, &[grant], Some((id, "not-the-secret"))).await;
    assert_oauth_error(&wrong_basic, StatusCode::UNAUTHORIZED, "invalid_client");
    let anonymous = token_request(&app, &[grant], None).await;
    assert_oauth_error(&anonymous, StatusCode::UNAUTHORIZED, "invalid_client");
    let no_secret = token_request(&app, &[grant, ("client_id", id)], None).await;
    assert_oauth_error(&no_secret, StatusCode::UNAUTHORIZED, "invalid_client");

    let password_grant = [("grant_type", "password"), ("client_id", id), ("client_secret", secret)];
    let answer = token_request(&app, &password_grant, None).await;
    assert_oauth_error(&answer, StatusCode::BAD_REQUEST, "unsupported_grant_type");
    let answer = token_request(&app, &[("client_id", id), ("client_secret", secret)], None).await;
    assert_oauth_error(&answer, StatusCode::BAD_REQUEST, "invalid_request");
    let twice = [grant, grant, ("client_id", id), ("client_secret", secret)];
    assert_oauth_error(&token_request(&app, &twice, None).await, StatusCode::BAD_REQUEST, "invalid_request");
    let both = [grant, ("client_id", id), ("client_secret", secret)];
    let answer = token_request(&app, &both, Some((id, secret))).await;
    assert_oauth_error(&answer, StatusCode::BAD_REQUEST, "invalid_request");
    // JSON is not the form encoding RFC 6749 asks for.
    let body = json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret});
    let response = app.client.post(app.url(TOKEN)).json(&body).send().await.unwrap();
    let answer = (response.status(), response.headers().clone());
    let body: Value = response.json().await.unwrap();
    assert_oauth_error(&(answer.0, body, answer.1), StatusCode::BAD_REQUEST, "invalid_request");
    let response = app.client.post(app.url(TOKEN)).basic_auth(id, Some(secret)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "no body");
    let response = app.client.get(app.url(TOKEN)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    // A bearer token is not client authentication.
    let response = app
        .client
        .post(app.url(TOKEN))
        .header(header::AUTHORIZATION, "Bearer abc")
        .form(&[grant])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // User tokens are not accepted here, and the endpoint is not under /api/v1.
    let response = app.client.post(app.url("/api/v1/oauth/token")).form(&both).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    app.stop().await
}

async fn disabled_apps_tokens_stop_at_once(app: TestApp) {
    let (admin, registered) = setup(&app).await;
    let (id, secret) = id_and_secret(&registered);
    let ats = Api { app: &app, token: app_token(&app, &id, &secret).await };
    ats.read(METADATA).await;

    let disabled = admin.patch(&format!("/admin/apps/{id}"), json!({"enabled": false})).await.is(OK);
    assert_eq!((disabled["enabled"].as_bool(), disabled["version"].as_i64()), (Some(false), Some(2)));
    assert_eq!(ats.get(METADATA).await.detail(StatusCode::UNAUTHORIZED), "this application is disabled");
    // Every route refuses it.
    for (method, template) in guarded_operations(&app).await {
        let path = concrete(&template);
        let (status, body) = send_raw(&app, &method, &path, Some(&ats.token)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path} with a disabled app's token: {body}");
    }
    // …and it gets no new token, though its secret is right.
    let form = [("grant_type", "client_credentials"), ("client_id", id.as_str()), ("client_secret", secret.as_str())];
    let answer = token_request(&app, &form, None).await;
    assert_oauth_error(&answer, StatusCode::UNAUTHORIZED, "invalid_client");
    assert_eq!(answer.1["error_description"], "this application is disabled");

    // Enabled again, it gets new tokens; the ones it held stay ended.
    admin.patch(&format!("/admin/apps/{id}"), json!({"enabled": true})).await.is(OK);
    assert_eq!(ats.get(METADATA).await.detail(StatusCode::UNAUTHORIZED), "this application is disabled");
    let fresh = Api { app: &app, token: app_token(&app, &id, &secret).await };
    fresh.read(METADATA).await;
    assert_eq!(admin.read(&format!("/admin/apps/{id}")).await["version"], 3);
    app.stop().await
}

async fn changes_by_another_process_take_effect_at_the_next_request(app: TestApp) {
    let (admin, registered) = setup(&app).await;
    let (id, secret) = id_and_secret(&registered);
    let ats = Api { app: &app, token: app_token(&app, &id, &secret).await };
    // Another server on the same database disables the app: this one refuses its token at the
    // next request, with no time for a cache to age.
    let other = app.second_process().await;
    let on_other = |method: reqwest::Method, path: &str| {
        app.client.request(method, other.url(&format!("/api/v1{path}"))).bearer_auth(admin.token.clone())
    };
    let disable = on_other(reqwest::Method::PATCH, &format!("/admin/apps/{id}")).json(&json!({"enabled": false}));
    assert_eq!(disable.send().await.unwrap().status(), OK);
    assert_eq!(ats.get(METADATA).await.detail(StatusCode::UNAUTHORIZED), "this application is disabled");
    let enable = on_other(reqwest::Method::PATCH, &format!("/admin/apps/{id}")).json(&json!({"enabled": true}));
    assert_eq!(enable.send().await.unwrap().status(), OK);
    let ats = Api { app: &app, token: app_token(&app, &id, &secret).await };
    ats.read(METADATA).await;

    // A secret rotated there is refused here at once, though this server remembers the old one,
    // and so are the tokens it gave.
    let rotate = on_other(reqwest::Method::POST, &format!("/admin/apps/{id}/rotate-secret"));
    assert_eq!(rotate.send().await.unwrap().status(), OK);
    let form = [("grant_type", "client_credentials"), ("client_id", id.as_str()), ("client_secret", secret.as_str())];
    assert_oauth_error(&token_request(&app, &form, None).await, StatusCode::UNAUTHORIZED, "invalid_client");
    let detail = ats.get(METADATA).await.detail(StatusCode::UNAUTHORIZED);
    assert!(detail.contains("secret was rotated"), "{detail}");

    // An app registered by another process is known at once.
    let hash = hrbridge_store::password::hash_password("a-secret-made-elsewhere-of-some-length");
    let elsewhere = Actor::user("other-process");
    app.state.hr.create_app(&elsewhere, "elsewhere-1", "Elsewhere", "ats-bot", "ats-integration", &hash).await.unwrap();
    let elsewhere =
        Api { app: &app, token: app_token(&app, "elsewhere-1", "a-secret-made-elsewhere-of-some-length").await };
    elsewhere.read(METADATA).await;
    other.stop().await;
    app.stop().await
}

async fn rotation_refuses_the_old_secret(app: TestApp) {
    let (admin, registered) = setup(&app).await;
    let (id, old_secret) = id_and_secret(&registered);
    let old_token = Api { app: &app, token: app_token(&app, &id, &old_secret).await };
    let rotated = admin.post(&format!("/admin/apps/{id}/rotate-secret"), json!({})).await.is(OK);
    let new_secret = rotated["client_secret"].as_str().unwrap().to_string();
    assert_ne!(new_secret, old_secret);
    assert_eq!((rotated["client_id"].as_str(), rotated["name"].as_str()), (Some(id.as_str()), Some("Talent")));
    assert_eq!(admin.read(&format!("/admin/apps/{id}")).await["version"], 2);

    let form =
        [("grant_type", "client_credentials"), ("client_id", id.as_str()), ("client_secret", old_secret.as_str())];
    assert_oauth_error(&token_request(&app, &form, None).await, StatusCode::UNAUTHORIZED, "invalid_client");
    let basic = token_request(&app, &[("grant_type", "client_credentials")], Some((&id, &old_secret))).await;
    assert_oauth_error(&basic, StatusCode::UNAUTHORIZED, "invalid_client");
    let new_token = Api { app: &app, token: app_token(&app, &id, &new_secret).await };
    new_token.read(METADATA).await;
    // Tokens issued with the old secret stop at once; the new one's last their hour.
    let detail = old_token.get(METADATA).await.detail(StatusCode::UNAUTHORIZED);
    assert!(detail.contains("secret was rotated"), "{detail}");
    app.clock.advance(chrono::Duration::seconds(3601));
    let detail = new_token.get(METADATA).await.detail(StatusCode::UNAUTHORIZED);
    assert!(detail.contains("expired"), "{detail}");
    app.stop().await
}

async fn registration_tokens_and_disabling_are_audited(app: TestApp) {
    let (admin, registered) = setup(&app).await;
    let (id, secret) = id_and_secret(&registered);
    app_token(&app, &id, &secret).await;
    let form = [("grant_type", "client_credentials"), ("client_id", id.as_str()), ("client_secret", "wrong")];
    token_request(&app, &form, None).await;
    admin.patch(&format!("/admin/apps/{id}"), json!({"enabled": false})).await.is(OK);
    admin.post(&format!("/admin/apps/{id}/rotate-secret"), json!({})).await.is(OK);

    let log = admin.read("/admin/audit?entity=app").await;
    let entries = log["items"].as_array().unwrap();
    let summary: Vec<[&str; 4]> = entries
        .iter()
        .map(|e| ["actor", "actor_kind", "action", "record_key"].map(|k| e[k].as_str().unwrap()))
        .collect();
    let expected = [
        ["admin", "user", "rotate-secret", id.as_str()],
        ["admin", "user", "disable", id.as_str()],
        [id.as_str(), "app", "token-refused", id.as_str()],
        [id.as_str(), "app", "token-issued", id.as_str()],
        ["admin", "user", "create", id.as_str()],
    ];
    assert_eq!(summary, expected, "newest first");
    let created = &entries[4]["detail"];
    assert_eq!((created["name"].as_str(), created["user"].as_str()), (Some("Talent"), Some("ats-bot")));
    let text = log.to_string();
    assert!(!text.contains(&secret) && !text.contains("argon2"), "no secret or hash in the audit log: {text}");
    // The app's own entries can be listed by its client id.
    let by_app = admin.keys(&format!("/admin/audit?actor={id}"), "action").await;
    assert_eq!(by_app, ["token-refused", "token-issued"]);
    app.stop().await
}
