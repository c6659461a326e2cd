//! Administration: users and what their role shows them, the role matrix, app registrations with
//! the secret shown once (and working at the token endpoint), webhooks, and the audit log.

use crate::browser::Browser;
use crate::Console;
use serde_json::Value;

/// Registers an app through the console; its client id and the secret shown that once.
pub async fn register_app(b: &Browser, name: &str, role: &str) -> (String, String) {
    b.goto("/admin/apps").await;
    b.fill("#f-name", name).await;
    b.choose("#f-role", role).await;
    b.press("form[action='/admin/apps']", "Register app").await;
    b.wait_text(".flash", &format!("App {name} registered")).await;
    let client_id = b.text("#client-id").await.trim().to_string();
    let secret = b.text("#client-secret").await.trim().to_string();
    assert!(!client_id.is_empty() && secret.len() >= 43, "{client_id} {secret}");
    (client_id, secret)
}

/// A client credentials token request: its status and body.
async fn token(base: &str, client_id: &str, secret: &str) -> (reqwest::StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}/oauth/token"))
        .basic_auth(client_id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread")]
async fn administrators_keep_users_roles_apps_webhooks_and_read_the_audit_log() {
    let Some(console) = Console::start().await else { return };
    let (b, api) = (&console.browser, &console.api);
    let hana_password = "hana-has-a-long-password";

    // A user with a short password is refused beside the field; then created as an HR manager.
    b.goto("/admin/users").await;
    b.fill("#f-username", "hana").await;
    b.fill("#f-password", "short").await;
    b.choose("#f-role", "hr-manager").await;
    b.press("form[action='/admin/users']", "Create user").await;
    b.wait_text("#f-password-error", "at least 12").await;
    assert_eq!(b.find("#f-username").await.prop("value").await.unwrap().as_deref(), Some("hana"));
    b.fill("#f-password", hana_password).await;
    b.press("form[action='/admin/users']", "Create user").await;
    b.wait_text(".flash", "User hana created with role hr-manager").await;
    let users = api.get("/admin/users").await;
    let hana = users["items"].as_array().unwrap().iter().find(|u| u["username"] == "hana").expect("hana");
    assert_eq!((hana["role"].as_str(), hana["enabled"].as_bool()), (Some("hr-manager"), Some(true)));
    assert!(b.text("main table").await.contains("hr-manager"));
    b.screenshot("users").await;

    // Hana, in a browser of her own, sees the HR pages but not Administration, which refuses her.
    let other = Browser::open(&b.base).await;
    other.sign_in("hana", hana_password).await;
    let nav = other.text("nav.side").await;
    assert!(nav.contains("Workers") && nav.contains("Skills"), "{nav}");
    assert!(!nav.contains("Administration") && !nav.contains("Users") && !nav.contains("Audit log"), "{nav}");
    other.goto("/admin/users").await;
    other.wait_text("main h1", "Not allowed").await;
    assert!(other.text("main").await.contains("user"), "says what is refused");
    other.close().await;

    // The roles and their privileges on each entity.
    b.goto("/admin/roles").await;
    let matrix = b.text("table.matrix").await;
    for expected in
        ["system-administrator", "hr-manager", "resource-manager", "Worker skill", "Bookable resource", "All"]
    {
        assert!(matrix.contains(expected), "{expected} in {matrix}");
    }
    b.screenshot("roles").await;

    // An app: its secret shown once, working at the token endpoint, then never shown again.
    let (client_id, secret) = register_app(b, "Talent", "ats-integration").await;
    assert!(b.text(".warning").await.contains("only this once"));
    b.screenshot("apps-secret").await;
    let (status, body) = token(&b.base, &client_id, &secret).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    let access = body["access_token"].as_str().expect("an access token");
    let metadata = reqwest::Client::new()
        .get(format!("{}/api/v1/scheduling/metadata/entities", b.base))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(metadata.status(), reqwest::StatusCode::OK);
    b.goto("/admin/apps").await;
    assert!(b.all("#client-secret").await.is_empty());
    assert!(!b.client.source().await.unwrap().contains(&secret), "the secret is not on the page again");
    let apps = api.get("/admin/apps").await;
    assert_eq!(apps["items"][0]["client_id"], client_id.as_str());
    assert_eq!(apps["items"][0]["role"], "ats-integration");
    // Disabled, it gets no token.
    b.press("tr[data-app='Talent']", "Disable").await;
    b.confirm().await;
    b.wait_text(".flash", "disabled").await;
    assert_eq!(token(&b.base, &client_id, &secret).await.0, reqwest::StatusCode::UNAUTHORIZED);
    assert_eq!(api.get(&format!("/admin/apps/{client_id}")).await["enabled"], false);

    // A webhook: a bad URL is refused beside its field; created; deleted.
    b.goto("/admin/webhooks").await;
    b.fill("#f-url", "ftp://example.com/hook").await;
    b.fill("#f-secret", "a-webhook-secret-of-some-length").await;
    b.press("form[action='/admin/webhooks']", "Create webhook").await;
    b.wait_text("#f-url-error", "http or https").await;
    b.fill("#f-url", "https://example.com/hooks/hr").await;
    b.fill("#f-secret", "a-webhook-secret-of-some-length").await;
    b.click("#f-event-candidate-received").await;
    b.press("form[action='/admin/webhooks']", "Create webhook").await;
    b.wait_text(".flash", "created").await;
    let hooks = api.get("/admin/webhooks").await;
    assert_eq!(hooks["items"].as_array().unwrap().len(), 1);
    assert_eq!(hooks["items"][0]["url"], "https://example.com/hooks/hr");
    let events = hooks["items"][0]["events"].as_array().unwrap();
    assert_eq!(events.len(), 4, "all but the unticked one: {events:?}");
    assert!(!events.contains(&Value::from("candidate.received")));
    assert!(b.text("main table").await.contains("worker.hired"));
    b.screenshot("webhooks").await;
    b.press("tr[data-url='https://example.com/hooks/hr']", "Delete").await;
    b.confirm().await;
    b.wait_text(".flash", "deleted").await;
    assert!(api.get("/admin/webhooks").await["items"].as_array().unwrap().is_empty());

    // The audit log, newest first, has both sign-ins and what was done here; filtered by actor.
    b.goto("/admin/audit").await;
    // Dates and actions keep their hyphens whole on screen (U+2011).
    let log = b.text("main table").await.replace('\u{2011}', "-");
    assert!(log.contains("hana") && log.contains("sign-in") && log.contains("webhook"), "{log}");
    let first = b.text("main table tbody tr").await.replace('\u{2011}', "-");
    assert!(first.contains("delete") && first.contains("webhook"), "newest first: {first}");
    b.screenshot("audit").await;
    b.fill("#f-actor", "hana").await;
    b.press("main form[role=search]", "Filter").await;
    b.wait_text("main table", "sign\u{2011}in").await;
    for row in b.all("main table tbody tr").await {
        assert!(row.text().await.unwrap().contains("hana"));
    }
    console.browser.close().await;
}
