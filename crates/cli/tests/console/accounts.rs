//! Accounts in the console: an administrator disables a leaver (their open page stops working at
//! once), gives them a one-time password that must be replaced before anything else, and a person
//! sees and ends their own sessions and signs out for good (the old cookie no longer works).

use crate::browser::Browser;
use crate::Console;
use serde_json::json;

const LEE: &str = "violet-tractor-lantern-9";

/// The status of a console page fetched with a session cookie, without following redirects.
async fn with_cookie(base: &str, cookie: &str, path: &str) -> reqwest::StatusCode {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = client
        .get(format!("{base}{path}"))
        .header("cookie", format!("hrbridge_session={cookie}"))
        .send()
        .await
        .unwrap();
    response.status()
}

#[tokio::test(flavor = "multi_thread")]
async fn administrators_lock_out_reset_and_people_keep_their_sessions() {
    let Some(console) = Console::start().await else { return };
    let (b, api) = (&console.browser, &console.api);
    api.post("/admin/users", json!({"username": "lee", "password": LEE, "role": "hr-manager"})).await;
    let lee = Browser::open(&b.base).await;
    lee.sign_in("lee", LEE).await;
    lee.goto("/workers").await;
    lee.wait_text("main h1", "Workers").await;

    // The administrator disables Lee from Lee's page; Lee's next page is the sign-in page.
    b.goto("/admin/users").await;
    b.click("main table a[href='/admin/users/lee']").await;
    b.wait_text("main h1", "User lee").await;
    b.screenshot("user").await;
    b.press("main", "Disable").await;
    b.confirm().await;
    b.wait_text(".flash", "User lee disabled").await;
    lee.goto("/workers").await;
    lee.wait_text("main", "Sign in").await;
    assert!(lee.path().await.starts_with("/sign-in"), "{}", lee.path().await);

    // Enabled again and given a one-time password, shown once.
    b.press("main", "Enable").await;
    b.wait_text(".flash", "User lee enabled").await;
    b.press("main", "Reset password").await;
    b.confirm().await;
    b.wait_text("#one-time", "One-time password for lee").await;
    let one_time = b.text("#one-time-password").await.trim().to_string();
    assert!(one_time.len() >= 12, "{one_time}");
    b.screenshot("user-one-time-password").await;

    // Lee signs in with it: every page leads to the account page until a new password is set.
    lee.sign_in("lee", &one_time).await;
    lee.goto("/workers").await;
    lee.wait_text("main h1", "Your account").await;
    assert!(lee.text("main").await.contains("reset your password"));
    lee.fill("#f-current_password", &one_time).await;
    lee.fill("#f-new_password", "password1234").await;
    lee.press("form[action='/account/password']", "Change password").await;
    lee.wait_text("#f-new_password-error", "too easy to guess").await;
    lee.fill("#f-current_password", &one_time).await;
    lee.fill("#f-new_password", "marble-orchestra-falcon-31").await;
    lee.press("form[action='/account/password']", "Change password").await;
    lee.wait_text(".flash", "Password changed").await;
    lee.goto("/workers").await;
    lee.wait_text("main h1", "Workers").await;

    // Lee's sessions: this one marked; signing out ends it on the server, not only the cookie.
    let laptop = lee.cookie("hrbridge_session").await;
    lee.goto("/account").await;
    assert!(lee.text("main table").await.contains("This session"));
    lee.screenshot("account").await;
    assert!(with_cookie(&b.base, &laptop, "/workers").await.is_success());
    lee.press("header.top", "Sign out").await;
    lee.wait_text("main", "Sign in").await;
    assert!(with_cookie(&b.base, &laptop, "/workers").await.is_redirection(), "the old cookie is refused");
    lee.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_factor_sign_in_is_set_up_and_used_in_the_console() {
    let Some(console) = Console::start().await else { return };
    let b = &console.browser;
    b.goto("/account").await;
    b.press("section[aria-labelledby=totp]", "Set up two-factor sign-in").await;
    b.wait_text("section[aria-labelledby=totp]", "Scan this code").await;
    assert!(b.find("section[aria-labelledby=totp] svg").await.text().await.is_ok(), "a QR code is drawn");
    let secret = b.text("#totp-secret").await.trim().to_string();
    b.screenshot("totp-enrol").await;
    let now = || std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let code = hrbridge_app::accounts::totp::code_at(&secret, now()).unwrap();
    b.fill("#f-code", &code).await;
    b.press("section[aria-labelledby=totp]", "Turn on").await;
    b.wait_text(".flash", "Two-factor sign-in is on").await;
    let codes = b.text("#recovery-codes").await;
    assert_eq!(codes.lines().count(), 10, "{codes}");

    // Signing in now takes the code.
    b.press("header.top", "Sign out").await;
    b.wait_text("main", "Sign in").await;
    b.fill("#f-username", "admin").await;
    b.fill("#f-password", crate::serve::PASSWORD).await;
    b.press("main form", "Sign in").await;
    b.wait_text("#sign-in-error", "two-factor code").await;
    b.fill("#f-username", "admin").await;
    b.fill("#f-password", crate::serve::PASSWORD).await;
    b.fill("#f-totp_code", &hrbridge_app::accounts::totp::code_at(&secret, now()).unwrap()).await;
    b.press("main form", "Sign in").await;
    b.find("header.top .who").await;
    b.goto("/account").await;
    assert!(b.text("section[aria-labelledby=totp]").await.contains("On"));
}
