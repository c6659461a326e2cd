//! Accounts and sessions: a leaver is locked out at the next request, on every process; roles
//! change and passwords are reset by someone holding at least the user's role; the last system
//! administrator stays; a user signs out, lists and ends their own sessions, and changes their
//! password; an app's tokens end when it is disabled or its secret is rotated.

use crate::common::{audit, Api, CONFLICT, CREATED, FORBIDDEN, INVALID, NOT_FOUND, NO_CONTENT, OK, UNAUTHORIZED};
use hrbridge_testkit::{TestApp, ADMIN_PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The tests of this file, for the harness in `main.rs`.
pub fn tests() -> Vec<(&'static str, hrbridge_testkit::TestFn)> {
    vec![
        hrbridge_testkit::test_fn!(a_leaver_is_locked_out_at_the_next_request),
        hrbridge_testkit::test_fn!(a_new_role_ends_the_sessions_and_comes_with_the_next_sign_in),
        hrbridge_testkit::test_fn!(people_sign_out_and_end_their_own_sessions),
        hrbridge_testkit::test_fn!(a_reset_password_must_be_replaced_before_anything_else),
        hrbridge_testkit::test_fn!(the_last_system_administrator_stays),
        hrbridge_testkit::test_fn!(deleted_users_never_sign_in_and_keep_their_history),
        hrbridge_testkit::test_fn!(nobody_changes_someone_above_them),
        hrbridge_testkit::test_fn!(app_tokens_end_when_the_app_is_disabled_or_rekeyed),
        hrbridge_testkit::test_fn!(idle_sessions_end),
        hrbridge_testkit::test_fn!(changes_apply_on_every_process_at_the_next_request),
    ]
}

const PASSWORD: &str = "violet-tractor-lantern-9";

/// Creates a user with `role` (as the administrator) and signs them in.
async fn person<'a>(app: &'a TestApp, admin: &Api<'_>, username: &str, role: &str) -> Api<'a> {
    admin.create("/admin/users", json!({"username": username, "password": PASSWORD, "role": role})).await;
    Api { app, token: app.sign_in(username, PASSWORD).await }
}

async fn login(app: &TestApp, username: &str, password: &str) -> (StatusCode, Value) {
    let body = json!({"username": username, "password": password});
    let response = app.request(Method::POST, "/api/v1/auth/login", None).json(&body).send().await.unwrap();
    (response.status(), response.json().await.unwrap_or(Value::Null))
}

async fn a_leaver_is_locked_out_at_the_next_request(app: TestApp) {
    let admin = Api::admin(&app).await;
    let leaver = person(&app, &admin, "leaver", "hr-manager").await;
    leaver.get("/hr/workers").await.is(OK);
    let user = admin.patch("/admin/users/leaver", json!({"disabled": true})).await.is(OK);
    assert_eq!(user["enabled"], false);
    let refused = leaver.get("/hr/workers").await.detail(UNAUTHORIZED);
    assert!(refused.contains("disabled") || refused.contains("ended"), "{refused}");
    assert_eq!(login(&app, "leaver", PASSWORD).await.0, UNAUTHORIZED);
    // Enabled again, they sign in anew; the old token stays ended.
    admin.patch("/admin/users/leaver", json!({"disabled": false})).await.is(OK);
    leaver.get("/hr/workers").await.is(UNAUTHORIZED);
    let back = Api { app: &app, token: app.sign_in("leaver", PASSWORD).await };
    back.get("/hr/workers").await.is(OK);
    let read = admin.read("/admin/users/leaver").await;
    assert_eq!((read["username"].as_str(), read["enabled"].as_bool()), (Some("leaver"), Some(true)));
    let updates: Vec<Value> = audit(&app)
        .await
        .into_iter()
        .filter(|e| e.action == "update" && e.entity == "user")
        .map(|e| e.detail)
        .collect();
    assert_eq!(updates.len(), 2, "{updates:?}");
    assert_eq!(updates[1]["changed"]["enabled"], json!({"before": true, "after": false}), "oldest last: {updates:?}");
    assert_eq!(updates[1]["sessions_ended"], 1);
    app.stop().await
}

async fn a_new_role_ends_the_sessions_and_comes_with_the_next_sign_in(app: TestApp) {
    let admin = Api::admin(&app).await;
    let staff = person(&app, &admin, "staff", "hr-manager").await;
    staff.post("/hr/skill-types", json!({"code": "TECH", "name": "Technical"})).await.is(CREATED);
    let changed = json!({"role": "read-only", "display_name": "Sam Staff", "email": "sam@example.com"});
    let user = admin.patch("/admin/users/staff", changed).await.is(OK);
    assert_eq!((user["role"].as_str(), user["email"].as_str()), (Some("read-only"), Some("sam@example.com")));
    staff.get("/hr/skill-types").await.is(UNAUTHORIZED);
    let again = Api { app: &app, token: app.sign_in("staff", PASSWORD).await };
    again.get("/hr/skill-types").await.is(OK);
    again.post("/hr/skill-types", json!({"code": "SOFT", "name": "Soft"})).await.is(FORBIDDEN);
    admin.patch("/admin/users/staff", json!({"role": "no-such-role"})).await.problem(INVALID, &["role"]);
    admin.patch("/admin/users/staff", json!({"email": "not an email"})).await.problem(INVALID, &["email"]);
    admin.patch("/admin/users/staff", json!({"enabled": true})).await.is(INVALID);
    admin.patch("/admin/users/nobody", json!({"display_name": "x"})).await.is(NOT_FOUND);
    app.stop().await
}

async fn people_sign_out_and_end_their_own_sessions(app: TestApp) {
    let admin = Api::admin(&app).await;
    let laptop = person(&app, &admin, "ada", "read-only").await;
    let phone = Api { app: &app, token: app.sign_in("ada", PASSWORD).await };
    let sessions = laptop.read("/auth/sessions").await;
    let list = sessions.as_array().unwrap();
    assert_eq!(list.len(), 2, "{sessions}");
    assert!(list.iter().all(|s| s["address"] == "127.0.0.1"), "{sessions}");
    assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1, "{sessions}");
    // Ending the phone's session from the laptop: the phone is refused at once.
    let newest = list.iter().find(|s| s["current"] == false).unwrap()["id"].as_str().unwrap().to_string();
    laptop.delete(&format!("/auth/sessions/{newest}")).await.is(NO_CONTENT);
    phone.get("/hr/workers").await.is(UNAUTHORIZED);
    laptop.delete(&format!("/auth/sessions/{newest}")).await.is(NOT_FOUND);
    // Another person's session is not theirs to end.
    let admins = admin.read("/auth/sessions").await;
    let admin_session = admins[0]["id"].as_str().unwrap();
    laptop.delete(&format!("/auth/sessions/{admin_session}")).await.is(NOT_FOUND);
    admin.get("/hr/workers").await.is(OK);
    // Signing out ends the laptop's session too.
    laptop.post("/auth/logout", json!({})).await.is(NO_CONTENT);
    laptop.get("/hr/workers").await.is(UNAUTHORIZED);
    laptop.post("/auth/logout", json!({})).await.is(UNAUTHORIZED);
    app.stop().await
}

async fn a_reset_password_must_be_replaced_before_anything_else(app: TestApp) {
    let admin = Api::admin(&app).await;
    let forgetful = person(&app, &admin, "forgetful", "hr-manager").await;
    let reset = admin.post("/admin/users/forgetful/password-reset", json!({})).await.is(OK);
    let one_time = reset["one_time_password"].as_str().unwrap().to_string();
    assert!(one_time.len() >= 12, "{one_time}");
    forgetful.get("/hr/workers").await.is(UNAUTHORIZED);
    assert_eq!(login(&app, "forgetful", PASSWORD).await.0, UNAUTHORIZED, "the old password is gone");
    let interim = Api { app: &app, token: app.sign_in("forgetful", &one_time).await };
    let owed = interim.get("/hr/workers").await.problem(FORBIDDEN, &[]);
    assert_eq!(owed["type"], "urn:hrbridge:problem:password-change-required", "{owed}");
    // A wrong current password, a weak new one, the same one: each named.
    let change = |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    interim
        .post("/auth/password", change("wrong-one-entirely", PASSWORD))
        .await
        .problem(INVALID, &["current_password"]);
    interim.post("/auth/password", change(&one_time, "password1234")).await.problem(INVALID, &["new_password"]);
    interim.post("/auth/password", change(&one_time, &one_time)).await.is(INVALID);
    let chosen = "marble-orchestra-falcon-31";
    interim.post("/auth/password", change(&one_time, chosen)).await.is(NO_CONTENT);
    interim.get("/hr/workers").await.is(OK);
    assert_eq!(login(&app, "forgetful", &one_time).await.0, UNAUTHORIZED, "the one-time password is used up");
    assert_eq!(login(&app, "forgetful", chosen).await.0, OK);
    let actions: Vec<String> = audit(&app).await.into_iter().map(|e| e.action).collect();
    for action in ["password-reset", "password-change", "password-change-refused"] {
        assert!(actions.iter().any(|a| a == action), "{action} in {actions:?}");
    }
    app.stop().await
}

async fn the_last_system_administrator_stays(app: TestApp) {
    let admin = Api::admin(&app).await;
    admin.patch("/admin/users/admin", json!({"disabled": true})).await.is(CONFLICT);
    admin.patch("/admin/users/admin", json!({"role": "hr-manager"})).await.is(CONFLICT);
    admin.delete("/admin/users/admin").await.is(CONFLICT);
    admin.get("/hr/workers").await.is(OK);
    // With a second administrator, the first may go.
    let second = person(&app, &admin, "second-admin", "system-administrator").await;
    second.patch("/admin/users/admin", json!({"role": "hr-manager"})).await.is(OK);
    second.patch("/admin/users/second-admin", json!({"disabled": true})).await.is(CONFLICT);
    app.stop().await
}

async fn deleted_users_never_sign_in_and_keep_their_history(app: TestApp) {
    let admin = Api::admin(&app).await;
    let gone = person(&app, &admin, "gone", "hr-manager").await;
    gone.post("/hr/skill-types", json!({"code": "TECH", "name": "Technical"})).await.is(CREATED);
    admin.delete("/admin/users/gone").await.is(NO_CONTENT);
    gone.get("/hr/workers").await.is(UNAUTHORIZED);
    assert_eq!(login(&app, "gone", PASSWORD).await.0, UNAUTHORIZED);
    admin.get("/admin/users/gone").await.is(NOT_FOUND);
    admin.delete("/admin/users/gone").await.is(NOT_FOUND);
    assert!(!admin.keys("/admin/users", "username").await.contains(&"gone".to_string()));
    let again = json!({"username": "gone", "password": PASSWORD, "role": "read-only"});
    admin.post("/admin/users", again).await.problem(CONFLICT, &["username"]);
    let entries = audit(&app).await;
    assert!(entries.iter().any(|e| e.actor == "gone" && e.entity == "skill-type"), "their history stays");
    assert!(entries.iter().any(|e| e.action == "delete" && e.record_key == "gone" && e.actor == "admin"));
    app.stop().await
}

async fn nobody_changes_someone_above_them(app: TestApp) {
    let admin = Api::admin(&app).await;
    let privileges = json!({"user": ["read", "create", "write", "delete"], "worker": ["read"]});
    admin.create("/admin/roles", json!({"name": "user-keepers", "privileges": privileges})).await;
    let keeper = person(&app, &admin, "keeper", "user-keepers").await;
    admin.create("/admin/roles", json!({"name": "worker-readers", "privileges": {"worker": ["read"]}})).await;
    person(&app, &admin, "reader", "worker-readers").await;
    keeper.patch("/admin/users/admin", json!({"disabled": true})).await.problem(FORBIDDEN, &["username"]);
    keeper.post("/admin/users/admin/password-reset", json!({})).await.problem(FORBIDDEN, &["username"]);
    keeper.delete("/admin/users/admin").await.problem(FORBIDDEN, &["username"]);
    keeper.patch("/admin/users/reader", json!({"role": "system-administrator"})).await.problem(FORBIDDEN, &["role"]);
    keeper.patch("/admin/users/reader", json!({"disabled": true})).await.is(OK);
    keeper.post("/admin/users/reader/password-reset", json!({})).await.is(OK);
    admin.get("/hr/workers").await.is(OK);
    app.stop().await
}

async fn app_tokens_end_when_the_app_is_disabled_or_rekeyed(app: TestApp) {
    let admin = Api::admin(&app).await;
    let registered = admin.create("/admin/apps", json!({"name": "Talent", "user": "admin"})).await;
    let client_id = registered["client_id"].as_str().unwrap();
    let first = Api { app: &app, token: app.app_token(client_id, registered["client_secret"].as_str().unwrap()).await };
    first.get("/scheduling/metadata/entities").await.is(OK);
    let rotated = admin.post(&format!("/admin/apps/{client_id}/rotate-secret"), json!({})).await.is(OK);
    first.get("/scheduling/metadata/entities").await.is(UNAUTHORIZED);
    let second = Api { app: &app, token: app.app_token(client_id, rotated["client_secret"].as_str().unwrap()).await };
    second.get("/scheduling/metadata/entities").await.is(OK);
    admin.patch(&format!("/admin/apps/{client_id}"), json!({"enabled": false})).await.is(OK);
    second.get("/scheduling/metadata/entities").await.is(UNAUTHORIZED);
    admin.patch(&format!("/admin/apps/{client_id}"), json!({"enabled": true})).await.is(OK);
    second.get("/scheduling/metadata/entities").await.is(UNAUTHORIZED);
    let third = Api { app: &app, token: app.app_token(client_id, rotated["client_secret"].as_str().unwrap()).await };
    third.get("/scheduling/metadata/entities").await.is(OK);
    // Disabling the user the app acts as stops its tokens too.
    admin.create("/admin/users", json!({"username": "bot", "password": PASSWORD, "role": "hr-manager"})).await;
    let bot_app = admin.create("/admin/apps", json!({"name": "Bot", "user": "bot"})).await;
    let bot_id = bot_app["client_id"].as_str().unwrap();
    let bot = Api { app: &app, token: app.app_token(bot_id, bot_app["client_secret"].as_str().unwrap()).await };
    bot.get("/scheduling/metadata/entities").await.is(OK);
    admin.patch("/admin/users/bot", json!({"disabled": true})).await.is(OK);
    bot.get("/scheduling/metadata/entities").await.is(UNAUTHORIZED);
    // Giving the acting user a narrower role ends the app's tokens, and it gets no new one while
    // its role holds more than the user's.
    admin.create("/admin/users", json!({"username": "bot2", "password": PASSWORD, "role": "hr-manager"})).await;
    let bot2_app = admin.create("/admin/apps", json!({"name": "Bot2", "user": "bot2"})).await;
    let (bot2_id, bot2_secret) = (bot2_app["client_id"].as_str().unwrap(), bot2_app["client_secret"].as_str().unwrap());
    let bot2 = Api { app: &app, token: app.app_token(bot2_id, bot2_secret).await };
    bot2.get("/scheduling/metadata/entities").await.is(OK);
    admin.patch("/admin/users/bot2", json!({"role": "read-only"})).await.is(OK);
    bot2.get("/scheduling/metadata/entities").await.is(UNAUTHORIZED);
    let form = [("grant_type", "client_credentials"), ("client_id", bot2_id), ("client_secret", bot2_secret)];
    let refused = app.client.post(app.url("/oauth/token")).form(&form).send().await.unwrap();
    assert_eq!(refused.status(), UNAUTHORIZED);
    let body: Value = refused.json().await.unwrap();
    assert!(body["error_description"].as_str().unwrap().contains("holds more than the role of the user"), "{body}");
    // Nor may it be enabled or re-keyed while so.
    admin.post(&format!("/admin/apps/{bot2_id}/rotate-secret"), json!({})).await.problem(FORBIDDEN, &["role"]);
    app.stop().await
}

async fn idle_sessions_end(app: TestApp) {
    let admin = Api::admin(&app).await;
    let busy = person(&app, &admin, "busy", "read-only").await;
    let idle = Api { app: &app, token: app.sign_in("busy", PASSWORD).await };
    // Used every 20 minutes, a session lives; left 30 minutes, it ends.
    for _ in 0..2 {
        app.clock.advance(chrono::Duration::minutes(20));
        busy.get("/hr/workers").await.is(OK);
    }
    let detail = idle.get("/hr/workers").await.detail(UNAUTHORIZED);
    assert!(detail.contains("idle"), "{detail}");
    // The token's own hour still ends a busy session.
    app.clock.advance(chrono::Duration::minutes(20));
    busy.get("/hr/workers").await.is(UNAUTHORIZED);
    app.stop().await
}

async fn changes_apply_on_every_process_at_the_next_request(app: TestApp) {
    let other = app.second_process().await;
    let on_other = |token: &str, path: &str| {
        app.client.get(other.url(&format!("/api/v1{path}"))).bearer_auth(token.to_string()).send()
    };
    let admin = Api::admin(&app).await;
    // A role made on this process works on the other at once.
    admin.create("/admin/roles", json!({"name": "skill-readers", "privileges": {"skill": ["read"]}})).await;
    let reader = person(&app, &admin, "skill-reader", "skill-readers").await;
    assert_eq!(on_other(&reader.token, "/hr/skills").await.unwrap().status(), OK);
    // Disabled here: refused there at the next request.
    admin.patch("/admin/users/skill-reader", json!({"disabled": true})).await.is(OK);
    assert_eq!(on_other(&reader.token, "/hr/skills").await.unwrap().status(), UNAUTHORIZED);
    // Signed out there: refused here.
    let admin_token = app.sign_in("admin", ADMIN_PASSWORD).await;
    let response = app.client.post(other.url("/api/v1/auth/logout")).bearer_auth(&admin_token).send().await.unwrap();
    assert_eq!(response.status(), NO_CONTENT);
    assert_eq!(
        app.request(Method::GET, "/api/v1/hr/skills", Some(&admin_token)).send().await.unwrap().status(),
        UNAUTHORIZED
    );
    // An app re-keyed here: its old token is refused there.
    let registered = admin.create("/admin/apps", json!({"name": "Talent", "user": "admin"})).await;
    let client_id = registered["client_id"].as_str().unwrap();
    let token = app.app_token(client_id, registered["client_secret"].as_str().unwrap()).await;
    assert_eq!(on_other(&token, "/scheduling/metadata/entities").await.unwrap().status(), OK);
    admin.post(&format!("/admin/apps/{client_id}/rotate-secret"), json!({})).await.is(OK);
    assert_eq!(on_other(&token, "/scheduling/metadata/entities").await.unwrap().status(), UNAUTHORIZED);
    other.stop().await;
    app.stop().await
}
