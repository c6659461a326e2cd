//! Grants bounded by the grantor: nobody creates a user, role, app or webhook subscription with a
//! privilege they do not hold (issue 19's three escalation paths and their siblings), each
//! refusal a 403 naming the field and audited; and nothing is written by a refused grant.

use crate::common::{audit, Api, CREATED, FORBIDDEN, OK};
use hrbridge_testkit::TestApp;
use serde_json::{json, Value};

/// The tests of this file, for the harness in `main.rs`.
pub fn tests() -> Vec<(&'static str, hrbridge_testkit::TestFn)> {
    vec![
        hrbridge_testkit::test_fn!(users_get_no_role_beyond_their_creator),
        hrbridge_testkit::test_fn!(roles_hold_nothing_beyond_their_creator),
        hrbridge_testkit::test_fn!(apps_hold_nothing_beyond_the_registrar_or_the_acting_user),
        hrbridge_testkit::test_fn!(webhooks_carry_only_what_the_subscriber_reads),
    ]
}

/// Creates a custom role and a user holding it (as the administrator); returns the user's API.
async fn delegate<'a>(app: &'a TestApp, admin: &Api<'_>, role: &str, privileges: Value) -> Api<'a> {
    admin.create("/admin/roles", json!({"name": role, "privileges": privileges})).await;
    let username = format!("{role}-user");
    let password = format!("{role}-password-long");
    admin.create("/admin/users", json!({"username": username, "password": password, "role": role})).await;
    Api { app, token: app.sign_in(&username, &password).await }
}

/// The refusals audited for `actor`, as (entity, record key, field).
async fn refusals(app: &TestApp, actor: &str) -> Vec<(String, String, String)> {
    let entries = audit(app).await;
    entries
        .iter()
        .filter(|e| e.action == "grant-refused" && e.actor == actor)
        .map(|e| (e.entity.clone(), e.record_key.clone(), e.detail["field"].as_str().unwrap_or("").to_string()))
        .collect()
}

async fn users_get_no_role_beyond_their_creator(app: TestApp) {
    let admin = Api::admin(&app).await;
    let user_admin = delegate(&app, &admin, "user-admins", json!({"user": ["read", "create"]})).await;
    // (a) A user who may only create users creates no administrator, nor any role holding more.
    for role in ["system-administrator", "hr-manager", "read-only"] {
        let body = json!({"username": format!("new-{role}"), "password": "a-long-enough-password", "role": role});
        let refused = user_admin.post("/admin/users", body).await.problem(FORBIDDEN, &["role"]);
        let message = refused["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("your role 'user-admins' does not hold"), "{message}");
    }
    // Its own role, or one holding less, it may give.
    let same = json!({"username": "peer", "password": "a-long-enough-password", "role": "user-admins"});
    user_admin.post("/admin/users", same).await.is(CREATED);
    let usernames: Vec<String> = admin.keys("/admin/users", "username").await;
    assert!(!usernames.iter().any(|u| u.starts_with("new-")), "nothing was created: {usernames:?}");
    let audited = refusals(&app, "user-admins-user").await;
    assert_eq!(audited.len(), 3, "{audited:?}");
    assert!(audited.iter().all(|(entity, _, field)| entity == "user" && field == "role"), "{audited:?}");
    app.stop().await
}

async fn roles_hold_nothing_beyond_their_creator(app: TestApp) {
    let admin = Api::admin(&app).await;
    let privileges = json!({"role": ["read", "create"], "worker": ["read"]});
    let role_admin = delegate(&app, &admin, "role-makers", privileges).await;
    // (b) A role with worker privileges its creator does not hold is refused, naming the entity.
    let wider = json!({"name": "worker-keepers", "privileges": {"worker": ["read", "write", "delete"]}});
    let refused = role_admin.post("/admin/roles", wider).await.problem(FORBIDDEN, &["privileges.worker"]);
    assert!(refused["errors"][0]["message"].as_str().unwrap().contains("worker: write, delete"), "{refused}");
    // Refused too: a role granting the right to make roles with more (user, app), or audit.
    let sideways = json!({"name": "auditors", "privileges": {"worker": ["read"], "audit": ["read"]}});
    role_admin.post("/admin/roles", sideways).await.problem(FORBIDDEN, &["privileges.audit"]);
    let narrower = json!({"name": "worker-readers", "privileges": {"worker": ["read"]}});
    role_admin.post("/admin/roles", narrower).await.is(CREATED);
    let roles = admin.read("/admin/roles").await;
    let names: Vec<String> =
        roles.as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_string()).collect();
    assert!(names.contains(&"worker-readers".to_string()) && !names.contains(&"worker-keepers".to_string()));
    assert!(!names.contains(&"auditors".to_string()), "{names:?}");
    assert_eq!(refusals(&app, "role-makers-user").await.len(), 2);
    app.stop().await
}

async fn apps_hold_nothing_beyond_the_registrar_or_the_acting_user(app: TestApp) {
    let admin = Api::admin(&app).await;
    let hr = json!({"username": "hr-staff", "password": "hr-staff-password", "role": "hr-manager"});
    admin.create("/admin/users", hr).await;
    let privileges = json!({"app": ["read", "create", "write"], "bookable-resource": ["write"]});
    let app_admin = delegate(&app, &admin, "app-admins", privileges).await;
    // (c) An app registered with the administrator's role, acting as an HR manager: refused,
    // both for the registrar's sake and for the acting user's.
    let escalate = json!({"name": "Backdoor", "user": "hr-staff", "role": "system-administrator"});
    let refused = app_admin.post("/admin/apps", escalate.clone()).await.problem(FORBIDDEN, &["role"]);
    assert!(refused["detail"].as_str().unwrap().contains("your role 'app-admins'"), "{refused}");
    let refused = admin.post("/admin/apps", escalate).await.problem(FORBIDDEN, &["role"]);
    assert!(refused["detail"].as_str().unwrap().contains("user 'hr-staff'"), "the acting user bounds it: {refused}");
    // The app-admins role holds no candidate privileges, so it cannot even give the ATS role.
    let ats = json!({"name": "Talent", "user": "hr-staff", "role": "ats-integration"});
    app_admin.post("/admin/apps", ats.clone()).await.problem(FORBIDDEN, &["role"]);
    let registered = admin.create("/admin/apps", ats).await;
    let client_id = registered["client_id"].as_str().unwrap();
    // A new secret, or enabling it, would hand the app's access to someone who lacks it.
    let path = format!("/admin/apps/{client_id}");
    app_admin.post(&format!("{path}/rotate-secret"), json!({})).await.problem(FORBIDDEN, &["role"]);
    app_admin.patch(&path, json!({"enabled": false})).await.is(OK);
    app_admin.patch(&path, json!({"enabled": true})).await.problem(FORBIDDEN, &["role"]);
    assert_eq!(admin.read(&path).await["enabled"], false, "still disabled");
    // The secret the administrator was given still works after the refused rotation.
    admin.patch(&path, json!({"enabled": true})).await.is(OK);
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", client_id),
        ("client_secret", registered["client_secret"].as_str().unwrap()),
    ];
    let answer = app.client.post(app.url("/oauth/token")).form(&form).send().await.unwrap();
    assert_eq!(answer.status(), reqwest::StatusCode::OK);
    let apps: Vec<String> = admin.keys("/admin/apps", "name").await;
    assert_eq!(apps, ["Talent"]);
    let audited = refusals(&app, "app-admins-user").await;
    assert_eq!(audited.len(), 4, "{audited:?}");
    assert_eq!(refusals(&app, "admin").await.len(), 1);
    app.stop().await
}

async fn webhooks_carry_only_what_the_subscriber_reads(app: TestApp) {
    let admin = Api::admin(&app).await;
    let privileges = json!({"webhook": ["read", "create", "write"], "candidate": ["read"]});
    let hooks = delegate(&app, &admin, "hook-admins", privileges).await;
    let subscribe =
        |events: Value| json!({"url": "http://127.0.0.1:9/hook", "secret": "a-webhook-secret-16", "events": events});
    // Worker events carry workers: a subscriber who cannot read workers may not receive them.
    hooks.post("/admin/webhooks", subscribe(json!(["worker.changed"]))).await.problem(FORBIDDEN, &["events"]);
    let mine = hooks.post("/admin/webhooks", subscribe(json!(["candidate.received"]))).await.is(CREATED);
    let path = format!("/admin/webhooks/{}", mine["id"].as_str().unwrap());
    hooks.patch(&path, json!({"events": ["worker.hired"]})).await.problem(FORBIDDEN, &["events"]);
    hooks.patch(&path, json!({"enabled": false})).await.is(OK);
    hooks.patch(&path, json!({"enabled": true})).await.is(OK);
    assert_eq!(admin.read(&path).await["events"], json!(["candidate.received"]));
    admin.post("/admin/webhooks", subscribe(json!(["worker.changed"]))).await.is(CREATED);
    assert_eq!(refusals(&app, "hook-admins-user").await.len(), 2);
    app.stop().await
}
