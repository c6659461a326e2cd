//! The resource finder and the resources: workers with skills and certificates reach scheduling
//! through the integration, are found by skill with a minimum proficiency (with the reason
//! shown), booked from the results, and their resource page marks what came from HR.

use crate::browser::{Browser, WAIT};
use crate::Console;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Chooses the option of a select whose value is `wanted`, or whose label starts with it
/// ("Good" picks "Good (3)").
pub async fn choose_option(b: &Browser, select: &str, wanted: &str) {
    for option in b.all(&format!("{select} option")).await {
        let value = option.attr("value").await.ok().flatten().unwrap_or_default();
        let label = option.text().await.unwrap_or_default();
        if !value.is_empty() && (value == wanted || label.trim().starts_with(wanted)) {
            b.choose(select, &value).await;
            return;
        }
    }
    panic!("no option “{wanted}” in {select} on {}", b.path().await);
}

/// Opens the finder once the scheduling store has the characteristic (the integration brings it
/// from HR), asks for it at `min_rating` or better in the first row, and submits; then reloads the
/// results (a link) until `expected` is among them.
pub async fn search(b: &Browser, characteristic: &str, min_rating: &str, expected: &str) {
    let option = format!("#f-characteristic_0 option[value=\"{characteristic}\"]");
    let deadline = Instant::now() + WAIT;
    loop {
        b.goto("/finder").await;
        if !b.all(&option).await.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "the finder never offered {characteristic}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    b.choose("#f-characteristic_0", characteristic).await;
    choose_option(b, "#f-min_rating_0", min_rating).await;
    b.press("main form[aria-label='Search resources']", "Find resources").await;
    b.wait_text("#results", "match").await;
    let results = b.path().await;
    assert!(results.starts_with("/finder?"), "a search is a link: {results}");
    b.reload_until(&results, expected).await;
}

/// Books `resource` from the finder's results; the flash it answers with.
pub async fn book_match(b: &Browser, resource: &str) -> String {
    b.press(&format!("tr[data-resource=\"{resource}\"]"), "Book").await;
    b.wait_text(".flash", &format!("Booked {resource}")).await
}

/// The lead's step: find `expected` by a skill at a minimum proficiency and book it; the flash.
pub async fn find_and_book(b: &Browser, characteristic: &str, min_rating: &str, expected: &str) -> String {
    search(b, characteristic, min_rating, expected).await;
    book_match(b, expected).await
}

async fn hire(api: &crate::Api, first: &str, last: &str, level: &str) -> String {
    let worker = api.post("/hr/workers", json!({"first_name": first, "last_name": last, "status": "active"})).await;
    let number = worker["personnel_number"].as_str().expect("personnel number").to_string();
    api.put(&format!("/hr/workers/{number}/skills/RUST"), json!({"level": level})).await;
    number
}

#[tokio::test(flavor = "multi_thread")]
async fn workers_from_hr_are_found_by_skill_booked_and_marked() {
    let Some(console) = Console::start().await else { return };
    let (b, api) = (&console.browser, &console.api);
    api.seed_catalog().await;
    let grace = hire(api, "Grace", "Hopper", "Expert").await;
    api.put(
        &format!("/hr/workers/{grace}/certificates/FORK"),
        json!({"issued_on": "2024-01-02", "expires_on": "2099-12-31"}),
    )
    .await;
    hire(api, "Alan", "Turing", "Good").await;
    hire(api, "Ada", "Byron", "Basic").await;
    api.post("/scheduling/bookable-resources", json!({"name": "Crane 7", "resource_type": "equipment"})).await;
    api.put("/integration", json!({"enabled": true})).await;

    // Rust at Good or better: Grace (Expert) before Alan (Good); Ada (Basic) is not good enough.
    search(b, "RUST", "Good", "Alan Turing").await;
    b.reload_until(&b.path().await, "Grace Hopper").await;
    let ranked: Vec<String> = {
        let mut names = Vec::new();
        for row in b.all("table.results tbody tr").await {
            names.push(row.attr("data-resource").await.ok().flatten().unwrap_or_default());
        }
        names
    };
    assert_eq!(ranked, ["Grace Hopper", "Alan Turing"], "ranked best first, Ada left out");
    let first = b.text("tr[data-resource=\"Grace Hopper\"]").await;
    assert!(first.contains("Holds RUST 5 (min 3)") && first.contains("Expert (5)"), "the reason: {first}");
    assert!(first.contains("free hours in the window"), "{first}");
    let results = b.path().await;
    b.goto(&format!("{results}#results")).await;
    b.screenshot("finder-results").await;

    // The form keeps what was asked, so the search can be changed; shown before another search.
    b.goto(&results).await;
    assert_eq!(b.find("#f-characteristic_0").await.prop("value").await.unwrap().as_deref(), Some("RUST"));
    b.choose("#f-characteristic_1", "FORK").await;
    b.screenshot("finder").await;
    b.press("main form[aria-label='Search resources']", "Find resources").await;
    b.wait_text("#results", "1 resource matches").await;
    assert!(b.text("table.results").await.contains("Grace Hopper"));

    // A window that ends before it starts is refused beside its field.
    b.set_value("#f-to", "2020-01-01T00:00").await;
    b.press("main form[aria-label='Search resources']", "Find resources").await;
    b.wait_text("#f-to-error", "after from").await;

    // Book Grace from the results: the first free 8 hours of her calendar in the window.
    let flash = find_and_book(b, "RUST", "3", "Grace Hopper").await;
    let path = b.path().await;
    let id = path.strip_prefix("/resources/").expect("the resource page after booking").to_string();
    let bookings = api.get(&format!("/scheduling/bookings?resource_id={id}")).await;
    let items = bookings["items"].as_array().expect("bookings").clone();
    assert_eq!(items.len(), 1, "{bookings}");
    assert_eq!(items[0]["status"], "hard");
    assert_eq!(items[0]["resource_name"], "Grace Hopper");
    let start: chrono::DateTime<chrono::Utc> = items[0]["start"].as_str().unwrap().parse().unwrap();
    let end: chrono::DateTime<chrono::Utc> = items[0]["end"].as_str().unwrap().parse().unwrap();
    assert_eq!((end - start).num_minutes(), 480);
    assert!(flash.contains(&start.format("%Y-%m-%d %H:%M").to_string()), "{flash}");

    // A match whose free time went meanwhile cannot be booked: the page says why. (A Monday
    // after the one just booked.)
    let today = chrono::Utc::now().date_naive();
    let monday = (8..=14)
        .map(|d| today + chrono::Duration::days(d))
        .find(|d| chrono::Datelike::weekday(d) == chrono::Weekday::Mon)
        .unwrap();
    let (from, to) = (format!("{monday}T08:00"), format!("{monday}T16:00"));
    b.goto(&format!("/finder?characteristic_0=RUST&min_rating_0=5&from={from}&to={to}&hours=8")).await;
    b.wait_text("#results", "1 resource matches").await;
    api.post(
        "/scheduling/resource-search/book",
        json!({"resource_id": id, "from": format!("{from}:00Z"), "to": format!("{to}:00Z"), "duration_minutes": 480}),
    )
    .await;
    b.press("tr[data-resource=\"Grace Hopper\"]", "Book").await;
    let refusal = b.wait_text("section[aria-labelledby=results] .errors", "no free 480 minutes left").await;
    assert!(refusal.contains("The booking could not be made"), "{refusal}");
    b.goto(&path).await;

    // Her page: the characteristics HR gave her, marked as such; the worker; the booking.
    let held = b.text("section[aria-labelledby=characteristics] table").await;
    assert!(held.contains("Rust (RUST)") && held.contains("Expert (5)"), "{held}");
    assert!(held.contains("Forklift licence (FORK)") && held.contains("2099-12-31"), "{held}");
    assert_eq!(b.all("section[aria-labelledby=characteristics] tbody span.badge.hr").await.len(), 2);
    assert!(b.text("dl.facts").await.contains(&grace));
    let booked = b.text("section[aria-labelledby=bookings] table").await;
    assert!(booked.contains("Hard") && booked.contains(&start.format("%Y-%m-%d %H:%M UTC").to_string()), "{booked}");
    b.screenshot("resource").await;

    // Every resource, linked workers and the one made in scheduling alike.
    b.goto("/resources").await;
    let list = b.text("main table").await;
    for name in ["Grace Hopper", "Alan Turing", "Ada Byron", "Crane 7"] {
        assert!(list.contains(name), "{name} in {list}");
    }
    assert!(list.contains(&grace) && list.contains("Equipment"), "{list}");
    b.screenshot("resources").await;
    b.goto("/resources").await;
    b.click("main table a[href^='/resources/']").await;
    b.wait_text("main h1", "Ada Byron").await;

    // Cancelling the booking frees the time: the API says so.
    b.goto(&path).await;
    b.press("section[aria-labelledby=bookings]", "Cancel booking").await;
    b.confirm().await;
    b.wait_text(".flash", "canceled").await;
    let booking: Value = api.get(&format!("/scheduling/bookings/{}", items[0]["id"].as_str().unwrap())).await;
    assert_eq!(booking["status"], "canceled");
    console.browser.close().await;
}
