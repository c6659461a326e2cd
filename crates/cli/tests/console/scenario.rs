//! The walk-through of issue 6, in one browser session, every step through the console except
//! the ATS's own export (an application, not a person, does that): sign in; create a rating model,
//! a skill and a worker with that skill; turn the integration on; find the worker's resource in
//! the finder and book it; export a candidate through the ATS API, hire it in the console, find the
//! new resource; clear tracking and sync now, watching the progress bar reach done.

use crate::serve::PASSWORD;
use crate::{finder, hiring, integration, Console};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn a_new_user_walks_the_seed_scenarios() {
    let Some(console) = Console::start().await else { return };
    let (b, api) = (&console.browser, &console.api);

    // Sign out, and in again through the sign-in page.
    b.press("header.top", "Sign out").await;
    b.find("#f-username").await;
    b.screenshot("sign-in").await;
    b.sign_in("admin", PASSWORD).await;
    assert_eq!(b.path().await, "/");

    // A rating model with three levels.
    b.goto("/rating-models/new").await;
    b.fill("#f-code", "PROF").await;
    b.fill("#f-name", "Proficiency").await;
    for (row, (name, factor)) in [("Novice", "1"), ("Competent", "3"), ("Expert", "5")].into_iter().enumerate() {
        b.fill(&format!("#f-levels-{row}-name"), name).await;
        b.fill(&format!("#f-levels-{row}-factor"), factor).await;
    }
    b.press("main form", "Create rating model").await;
    b.wait_text(".flash", "PROF created").await;

    // A skill rated with it.
    b.goto("/skills/new").await;
    b.fill("#f-code", "RUST").await;
    b.fill("#f-name", "Rust").await;
    b.choose("#f-rating_model", "PROF").await;
    b.press("main form", "Create skill").await;
    b.wait_text(".flash", "RUST created").await;
    assert_eq!(api.get("/hr/skills/RUST").await["rating_model"], "PROF");

    // A worker with that skill.
    b.goto("/workers/new").await;
    b.fill("#f-first_name", "Ada").await;
    b.fill("#f-last_name", "Lovelace").await;
    b.fill("#f-email", "ada@example.com").await;
    b.press("main form", "Create worker").await;
    b.wait_text(".flash", "created").await;
    let ada = b.path().await.trim_start_matches("/workers/").to_string();
    b.choose("#f-skill", "RUST").await;
    b.choose("#f-level", "Expert").await;
    b.press("form[action$='/skills']", "Save skill").await;
    b.wait_text(".flash", "Skill Rust set to Expert").await;
    assert_eq!(api.get(&format!("/hr/workers/{ada}")).await["skills"][0]["level"], "Expert");

    // The integration on: Ada becomes a bookable resource; find her by Rust at Competent or
    // better and book her.
    integration::turn_on(b).await;
    let booked = finder::find_and_book(b, "RUST", "Competent", "Ada Lovelace").await;
    assert!(booked.contains("Ada Lovelace"), "{booked}");
    let bookings = api.get("/scheduling/bookings?limit=1000").await;
    assert_eq!(bookings["items"].as_array().map(Vec::len), Some(1), "{bookings}");

    // An ATS exports a hired candidate; HR hires her in the console into a position; she is found
    // as a resource too.
    api.post("/hr/jobs", json!({"job_id": "DEV", "title": "Developer"})).await;
    api.post("/hr/positions", json!({"position_number": "P-1", "job_id": "DEV", "location": "Leeds"})).await;
    let candidate = hiring::export_candidate(api, "th-2001", "Grace", "Hopper", "RUST", "Expert").await;
    b.goto("/candidates").await;
    b.wait_text("main table", "Grace Hopper").await;
    b.click(&format!("a[href='/candidates/{candidate}']")).await;
    b.choose("#f-position_number", "P-1").await;
    b.press("main form", "Hire").await;
    b.wait_text(".flash", "Grace Hopper").await;
    let grace = b.path().await.trim_start_matches("/workers/").to_string();
    assert_eq!(api.get(&format!("/hr/workers/{grace}")).await["position"], "P-1");
    finder::search(b, "RUST", "Expert", "Grace Hopper").await;
    b.screenshot("finder-after-hire").await;

    // Clear the workers' tracking and sync them now, the bar reaching done; both workers are
    // linked again.
    integration::clear_tracking_and_sync_now(b, "workers").await;
    b.goto("/integration/entities/workers").await;
    let grid = b.text("main table").await;
    assert!(grid.contains(&ada) && grid.contains(&grace), "{grid}");

    // The dashboard shows what happened.
    b.goto("/").await;
    b.screenshot("dashboard").await;
    console.browser.close().await;
}
