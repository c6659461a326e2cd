//! The dashboard: the counts match what the API lists; the integration's state and backlog, the
//! sync throughput chart (with its title, description and numbers as text) and the audit log's
//! latest entries for an administrator; only what a read-only user may read for them.

use crate::browser::Browser;
use crate::hiring::export_candidate;
use crate::integration::turn_on;
use crate::{Api, Console};
use serde_json::{json, Value};

/// Every item of an API list.
async fn all(api: &Api, path: &str) -> Vec<Value> {
    let separator = if path.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut after = String::new();
    loop {
        let page = api.get(&format!("{path}{separator}limit=1000{after}")).await;
        items.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next"].as_str() {
            Some(next) => after = format!("&after={next}"),
            None => return items,
        }
    }
}

/// A stat card's number.
async fn stat(b: &Browser, id: &str) -> String {
    b.text(&format!("#{id} .value")).await
}

/// The text content of an element (also of what is not rendered, such as an SVG title).
async fn content(b: &Browser, css: &str) -> String {
    b.find(css).await.prop("textContent").await.expect("textContent").unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_counts_what_the_role_may_read() {
    let Some(console) = Console::start().await else { return };
    let (b, api) = (&console.browser, &console.api);
    api.seed_catalog().await;
    for (number, first, last) in [("W1", "Ada", "Lovelace"), ("W2", "Grace", "Hopper"), ("W3", "Alan", "Turing")] {
        api.post("/hr/workers", json!({"personnel_number": number, "first_name": first, "last_name": last})).await;
        api.put(&format!("/hr/workers/{number}/skills/RUST"), json!({"level": "Good"})).await;
    }
    api.post("/hr/jobs", json!({"job_id": "DEV", "title": "Developer"})).await;
    api.post("/hr/positions", json!({"position_number": "P-1", "job_id": "DEV"})).await;
    export_candidate(api, "th-1", "Edsger", "Dijkstra", "RUST", "Good").await;
    turn_on(b).await;

    // The counts are what the API lists.
    b.goto("/").await;
    let expected = [
        ("stat-workers", "/hr/workers"),
        ("stat-candidates", "/hr/candidates?status=to_hire"),
        ("stat-resources", "/scheduling/bookable-resources"),
        ("stat-skills", "/hr/skills"),
        ("stat-certificate-types", "/hr/certificate-types"),
        ("stat-positions", "/hr/positions"),
    ];
    for (id, list) in expected {
        let listed = all(api, list).await.len();
        assert_eq!(stat(b, id).await, listed.to_string(), "{id} against {list}");
    }
    assert_eq!(stat(b, "stat-resources").await, "3", "a resource per worker");

    // The integration: on, nothing waiting, as the API says.
    let status = api.get("/integration").await;
    assert_eq!(
        (&status["enabled"], &status["backlog"]["hr"], &status["backlog"]["scheduling"]),
        (&json!(true), &json!(0), &json!(0))
    );
    assert!(b.text("#integration").await.contains("On"));
    assert_eq!(b.text("#dashboard-backlog").await, "Nothing waiting");
    let entities = api.get("/integration/entities").await;
    let linked: i64 = entities.as_array().unwrap().iter().map(|e| e["linked"].as_i64().unwrap()).sum();
    assert_eq!(b.text("#dashboard-linked").await, format!("{linked} across 6 entities"));

    // The chart: bars drawn on the server, a title and a description, the numbers as a table.
    // Everything the scheduling side holds was written there by the sync engine in the last
    // hour: at least one write per record.
    let held: usize = all(api, "/scheduling/bookable-resources")
        .await
        .iter()
        .map(|r| 1 + r["characteristics"].as_array().map_or(0, Vec::len))
        .sum::<usize>()
        + all(api, "/scheduling/characteristics").await.len()
        + all(api, "/scheduling/rating-models").await.len();
    assert!(!b.all("svg.chart rect.bar").await.is_empty(), "at least one bar");
    assert_eq!(content(b, "svg.chart title#chart-title").await, "Records synced per five minutes over the last hour");
    let description = content(b, "svg.chart desc#chart-desc").await;
    assert_eq!(b.text("#chart-summary").await, description, "the description is on the page too");
    let svg = b.find("svg.chart").await;
    assert_eq!(svg.attr("role").await.unwrap().as_deref(), Some("img"));
    assert_eq!(svg.attr("aria-labelledby").await.unwrap().as_deref(), Some("chart-title chart-desc"));
    b.screenshot("dashboard").await;
    b.click("section[aria-labelledby=throughput-heading] details summary").await;
    let rows = b.all("#throughput tbody tr").await;
    assert_eq!(rows.len(), 12, "five-minute windows over an hour");
    let mut total = 0usize;
    for row in rows {
        let cells = row.text().await.unwrap();
        total += cells.split_whitespace().last().and_then(|n| n.parse::<usize>().ok()).expect("a total");
    }
    assert!(total >= held, "{total} records synced, {held} held on the scheduling side");
    assert!(description.starts_with(&format!("{total} records synced between ")), "{description}");

    // Recent activity: the audit log's newest entries.
    let latest = &api.get("/admin/audit?limit=1").await["items"][0];
    let first_row = b.text("#activity-list tbody tr").await.replace(['\u{2011}'], "-").replace('\u{a0}', " ");
    let by_app = latest["actor_kind"] == "app";
    for field in ["actor", "action", "entity", "record_key"].into_iter().filter(|f| *f != "actor" || !by_app) {
        assert!(first_row.contains(latest[field].as_str().unwrap()), "{field} of {latest} in {first_row}");
    }

    // A read-only user sees the counts their role reads, no integration, and their own changes.
    api.post("/admin/users", json!({"username": "reader", "password": "reader-password-1", "role": "read-only"})).await;
    b.press("header.top", "Sign out").await;
    b.sign_in("reader", "reader-password-1").await;
    b.goto("/").await;
    assert_eq!(stat(b, "stat-workers").await, "3");
    assert!(b.all("svg.chart").await.is_empty() && b.all("#integration").await.is_empty(), "no integration");
    assert_eq!(b.text("#activity").await, "Your recent changes");
    assert!(b.text("main").await.contains("Nothing yet."));
    b.goto("/integration").await;
    assert_eq!(b.text("h1").await, "Not allowed", "the integration is for administrators");
    console.browser.close().await;
}
