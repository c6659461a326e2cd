//! Workers: the list and its search, the worker page with skills, certificates and position, and
//! creating and editing, with field errors shown beside their fields.

use crate::Console;

#[tokio::test(flavor = "multi_thread")]
async fn workers_are_created_edited_and_qualified_in_the_console() {
    let Some(console) = Console::start().await else { return };
    let (b, api) = (&console.browser, &console.api);
    api.seed_catalog().await;

    // A worker whose employment ends before it starts is refused, the error beside its field and
    // in the list at the top; what was typed stays.
    b.goto("/workers/new").await;
    b.fill("#f-first_name", "Ada").await;
    b.fill("#f-last_name", "Lovelace").await;
    b.set_value("#f-employment_start", "2024-05-01").await;
    b.set_value("#f-employment_end", "2024-04-01").await;
    b.press("main form", "Create worker").await;
    b.wait_text(".errors", "employment_end").await;
    assert!(!b.text("#f-employment_end-error").await.is_empty());
    b.screenshot("worker-new-errors").await;
    b.set_value("#f-employment_end", "").await;
    b.fill("#f-email", "ada@example.com").await;
    b.press("main form", "Create worker").await;
    b.wait_text(".flash", "created").await;
    let number = b.path().await.trim_start_matches("/workers/").to_string();
    assert_eq!(api.get(&format!("/hr/workers/{number}")).await["email"], "ada@example.com");

    // A skill with its level, and a certificate that has expired, flagged as such.
    b.choose("#f-skill", "RUST").await;
    b.choose("#f-level", "Expert").await;
    b.press("form[action$='/skills']", "Save skill").await;
    b.wait_text(".flash", "Rust").await;
    b.choose("#f-certificate_type", "FORK").await;
    b.set_value("#f-issued_on", "2020-01-01").await;
    b.press("form[action$='/certificates']", "Save certificate").await;
    // Forklift licences must be renewed: without an expiry the form says so beside the field.
    b.wait_text("#f-expires_on-error", "renewal").await;
    b.set_value("#f-issued_on", "2020-01-01").await;
    b.set_value("#f-expires_on", "2021-01-01").await;
    b.choose("#f-certificate_type", "FORK").await;
    b.press("form[action$='/certificates']", "Save certificate").await;
    b.wait_text(".flash", "Forklift").await;
    let skills = b.text("section[aria-labelledby=skills] table").await;
    assert!(skills.contains("Rust") && skills.contains("Expert") && skills.contains('5'), "{skills}");
    let certificates = b.text("section[aria-labelledby=certificates] table").await;
    assert!(certificates.contains("Expired") && certificates.contains("2021-01-01"), "{certificates}");
    b.screenshot("worker").await;
    let worker = api.get(&format!("/hr/workers/{number}")).await;
    assert_eq!(worker["skills"][0]["level"], "Expert");
    assert_eq!(worker["certificates"][0]["expired"], true);

    // Edit, then find the worker by search.
    b.goto(&format!("/workers/{number}/edit")).await;
    b.fill("#f-phone", "+44 20 7946 0000").await;
    b.press("main form", "Save changes").await;
    b.wait_text(".flash", "saved").await;
    b.goto("/workers?q=lovelace").await;
    let list = b.text("main table").await;
    assert!(list.contains(&number) && list.contains("Ada Lovelace"), "{list}");
    b.screenshot("workers").await;
    assert_eq!(api.get(&format!("/hr/workers/{number}")).await["phone"], "+44 20 7946 0000");
    console.browser.close().await;
}

/// WebDriver's codes for the Tab and Enter keys.
const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";

async fn focused_id(b: &crate::browser::Browser) -> String {
    let element = b.client.active_element().await.expect("the focused element");
    element.attr("id").await.expect("id").unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_console_is_used_from_the_keyboard() {
    let Some(console) = Console::start().await else { return };
    let b = &console.browser;
    b.press("header.top", "Sign out").await;

    // Sign in without a mouse: the username has the focus, Tab moves to the password, Enter sends.
    b.find("#f-username").await;
    assert_eq!(focused_id(b).await, "f-username");
    let active = b.client.active_element().await.unwrap();
    active.send_keys(&format!("admin{TAB}")).await.unwrap();
    assert_eq!(focused_id(b).await, "f-password");
    let active = b.client.active_element().await.unwrap();
    active.send_keys(&format!("{}{ENTER}", crate::serve::PASSWORD)).await.unwrap();
    b.wait_text("header.top .who", "admin").await;

    // On every page the first Tab reaches "Skip to content", and Enter on it moves the focus to
    // the page's content, past the navigation.
    b.goto("/workers").await;
    b.find("main").await;
    let body = b.find("body").await;
    body.send_keys(TAB).await.unwrap();
    let skip = b.client.active_element().await.unwrap();
    assert_eq!(skip.text().await.unwrap(), "Skip to content");
    skip.send_keys(ENTER).await.unwrap();
    let deadline = std::time::Instant::now() + crate::browser::WAIT;
    while focused_id(b).await != "main" {
        assert!(std::time::Instant::now() < deadline, "the focus never reached the content");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // From the content, Tab reaches the page's first control: the search box.
    b.client.active_element().await.unwrap().send_keys(TAB).await.unwrap();
    assert_eq!(focused_id(b).await, "f-q");
    console.browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edit_made_meanwhile_is_not_overwritten() {
    let Some(console) = Console::start().await else { return };
    let (b, api) = (&console.browser, &console.api);
    api.post(
        "/hr/workers",
        serde_json::json!({"personnel_number": "W1", "first_name": "Ada", "last_name": "Lovelace"}),
    )
    .await;
    b.goto("/workers/W1/edit").await;
    b.wait_text("main h1", "Edit worker W1").await;
    // Someone else saves a phone number while the form is open.
    api.call(reqwest::Method::PATCH, "/hr/workers/W1", Some(serde_json::json!({"phone": "+15550001111"}))).await;
    b.fill("#f-email", "ada@example.com").await;
    b.press("main form", "Save changes").await;
    b.wait_text(".error-summary, main", "Someone else changed this record").await;
    b.screenshot("worker-edit-conflict").await;
    let worker = api.get("/hr/workers/W1").await;
    assert_eq!((worker["phone"].as_str(), worker["email"].as_str()), (Some("+15550001111"), None), "{worker}");
}
