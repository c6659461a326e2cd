//! Two-factor sign-in (TOTP): enrolment confirmed with a code, recovery codes used once, a wrong
//! code counted as a failed sign-in, turning it off with the password; and a setting that makes
//! administrators enrol before anything else.

use crate::common::{audit, Api, CONFLICT, FORBIDDEN, INVALID, NO_CONTENT, OK, UNAUTHORIZED};
use hrbridge_app::accounts::totp::code_at;
use hrbridge_testkit::{TestApp, ADMIN_PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The tests of this file, for the harness in `main.rs`.
pub fn tests() -> Vec<(&'static str, hrbridge_testkit::TestFn)> {
    vec![
        hrbridge_testkit::test_fn!(signing_in_takes_a_code_once_two_factor_is_on),
        hrbridge_testkit::test_fn!(administrators_enrol_first_when_the_setting_says_so),
    ]
}

const PASSWORD: &str = "violet-tractor-lantern-9";

async fn login(app: &TestApp, base: &str, username: &str, password: &str, code: Option<&str>) -> (StatusCode, Value) {
    let body = json!({"username": username, "password": password, "totp_code": code});
    let response = app.client.post(format!("{base}/api/v1/auth/login")).json(&body).send().await.unwrap();
    (response.status(), response.json().await.unwrap_or(Value::Null))
}

/// The code an authenticator app shows now, by the app's clock.
fn code_now(app: &TestApp, secret: &str) -> String {
    code_at(secret, app.state.clock.now().timestamp() as u64).unwrap()
}

async fn signing_in_takes_a_code_once_two_factor_is_on(app: TestApp) {
    let admin = Api::admin(&app).await;
    admin.create("/admin/users", json!({"username": "ada", "password": PASSWORD, "role": "hr-manager"})).await;
    let ada = Api { app: &app, token: app.sign_in("ada", PASSWORD).await };
    let enrolment = ada.post("/auth/totp", json!({})).await.is(OK);
    let secret = enrolment["secret"].as_str().unwrap().to_string();
    assert!(
        enrolment["otpauth_url"].as_str().unwrap().starts_with("otpauth://totp/hrbridge:ada?secret="),
        "{enrolment}"
    );
    ada.post("/auth/totp/confirm", json!({"code": "12345x"})).await.problem(INVALID, &["code"]);
    let issued = ada.post("/auth/totp/confirm", json!({"code": code_now(&app, &secret)})).await.is(OK);
    let recovery: Vec<String> =
        issued["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
    assert_eq!(recovery.len(), 10);
    assert!(recovery.iter().all(|c| c.len() == 19), "{recovery:?}");

    let base = app.url("");
    let (status, body) = login(&app, &base, "ada", PASSWORD, None).await;
    assert_eq!(status, UNAUTHORIZED);
    assert!(body["detail"].as_str().unwrap().contains("two-factor code"), "{body}");
    let (status, body) = login(&app, &base, "ada", PASSWORD, Some("000000")).await;
    assert_eq!((status, body["detail"].as_str()), (UNAUTHORIZED, Some("wrong two-factor code")));
    assert_eq!(login(&app, &base, "ada", PASSWORD, Some(&code_now(&app, &secret))).await.0, OK);
    // A code from the step before still passes (clocks drift); one from two minutes ago does not.
    let earlier = code_at(&secret, app.state.clock.now().timestamp() as u64 - 30).unwrap();
    assert_eq!(login(&app, &base, "ada", PASSWORD, Some(&earlier)).await.0, OK);
    // A recovery code signs in once, however it is typed.
    let typed = recovery[0].to_lowercase();
    assert_eq!(login(&app, &base, "ada", PASSWORD, Some(&typed)).await.0, OK);
    assert_eq!(login(&app, &base, "ada", PASSWORD, Some(&recovery[0])).await.0, UNAUTHORIZED);
    // The wrong password never reaches the second factor.
    let (status, body) = login(&app, &base, "ada", "not-the-password", Some(&code_now(&app, &secret))).await;
    assert_eq!((status, body["detail"].as_str()), (UNAUTHORIZED, Some("wrong username or password")));

    // Turning it off takes the password.
    let ada = Api {
        app: &app,
        token: login(&app, &base, "ada", PASSWORD, Some(&recovery[1])).await.1["access_token"]
            .as_str()
            .unwrap()
            .to_string(),
    };
    ada.post("/auth/totp/disable", json!({"current_password": "wrong-one-entirely"}))
        .await
        .problem(INVALID, &["current_password"]);
    ada.post("/auth/totp/disable", json!({"current_password": PASSWORD})).await.is(NO_CONTENT);
    assert_eq!(login(&app, &base, "ada", PASSWORD, None).await.0, OK);
    let actions: Vec<String> = audit(&app).await.into_iter().map(|e| e.action).collect();
    for action in ["totp-enable", "totp-disable", "totp-disable-refused"] {
        assert!(actions.iter().any(|a| a == action), "{action} in {actions:?}");
    }
    app.stop().await
}

async fn administrators_enrol_first_when_the_setting_says_so(app: TestApp) {
    let strict = app.second_process_with(|settings| settings.require_totp_for_administrators = true).await;
    let (status, body) = login(&app, &strict.base_url, "admin", ADMIN_PASSWORD, None).await;
    assert_eq!(status, OK, "{body}");
    let token = body["access_token"].as_str().unwrap().to_string();
    let call = |method: Method, path: &str, body: Value| {
        app.client.request(method, strict.url(&format!("/api/v1{path}"))).bearer_auth(&token).json(&body).send()
    };
    let refused = call(Method::GET, "/hr/workers", Value::Null).await.unwrap();
    assert_eq!(refused.status(), FORBIDDEN);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["type"], "urn:hrbridge:problem:totp-enrolment-required", "{problem}");
    // Another role is not asked.
    let hr = Api::role(&app, "hr-manager").await;
    let other = app.client.get(strict.url("/api/v1/hr/workers")).bearer_auth(&hr.token).send().await.unwrap();
    assert_eq!(other.status(), OK);
    // Enrolling is allowed, and afterwards everything is.
    let enrolment: Value = call(Method::POST, "/auth/totp", json!({})).await.unwrap().json().await.unwrap();
    let code = code_now(&app, enrolment["secret"].as_str().unwrap());
    assert_eq!(call(Method::POST, "/auth/totp/confirm", json!({"code": code})).await.unwrap().status(), OK);
    assert_eq!(call(Method::GET, "/hr/workers", Value::Null).await.unwrap().status(), OK);
    let off = call(Method::POST, "/auth/totp/disable", json!({"current_password": ADMIN_PASSWORD})).await.unwrap();
    assert_eq!(off.status(), CONFLICT, "required here");
    strict.stop().await;
    app.stop().await
}
