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
