//! The resource finder over HTTP: ranked search by characteristics, ratings, expiry and free
//! time, seeing every write at once; searching with a stored requirement; no overbooking under
//! concurrent requests. And, in process, a bulk sync indexed whole by one refresh. The bookings
//! API, booking a match and roles: `scheduling_bookings.rs`.

use crate::common::scheduling::{
    all_at_once, bookings_of, id_of as id, model, resource, BOOKINGS, BOOK_MATCH, CHARACTERISTICS, MODELS, MON,
    REQUIREMENTS, SAT, SEARCH,
};
use crate::common::{seed_catalog, Api, CONFLICT, INVALID, NOT_FOUND, OK};
use hrbridge_testkit::TestApp;
use serde_json::{json, Value};
use std::collections::HashMap;

const FRI: &str = "2026-03-06T00:00:00Z";

/// The tests of this file, for the harness in `main.rs`.
pub fn tests() -> Vec<(&'static str, hrbridge_testkit::TestFn)> {
    vec![
        hrbridge_testkit::test_fn!(search_ranks_by_score_then_free_time),
        hrbridge_testkit::test_fn!(search_sees_every_write_at_once),
        hrbridge_testkit::test_fn!(requirement_search_is_the_ad_hoc_search),
        hrbridge_testkit::test_fn!(no_overbooking_under_concurrency),
        hrbridge_testkit::test_fn!(a_bulk_sync_reaches_the_finder_whole),
    ]
}

/// A search body: `needs` as (name, min rating).
fn query(needs: &[(&str, i64)], from: &str, to: &str, minutes: i64) -> Value {
    let characteristics: Value = needs.iter().map(|(n, m)| json!({"name": n, "min_rating": m})).collect();
    json!({"characteristics": characteristics, "from": from, "to": to, "duration_minutes": minutes})
}

const THREE: &[(&str, i64)] = &[("Rust", 3), ("SQL", 3), ("Crane", 2)];
const TWO: &[(&str, i64)] = &[("Rust", 3), ("SQL", 3)];

/// The matches as (rank, name, score, free minutes).
fn ranked(results: &Value) -> Vec<(i64, String, i64, i64)> {
    let matches = results["matches"].as_array().expect("matches");
    let field = |m: &Value, k: &str| m[k].as_i64().unwrap_or_else(|| panic!("{k} in {m}"));
    matches
        .iter()
        .map(|m| (field(m, "rank"), m["name"].as_str().unwrap().into(), field(m, "score"), field(m, "free_minutes")))
        .collect()
}

fn expect(list: &[(&str, i64, i64)]) -> Vec<(i64, String, i64, i64)> {
    list.iter().enumerate().map(|(i, (n, s, f))| (i as i64 + 1, n.to_string(), *s, *f)).collect()
}

async fn found(api: &Api<'_>, body: Value) -> Vec<(i64, String, i64, i64)> {
    ranked(&api.post(SEARCH, body).await.is(OK))
}

/// A held characteristic: name, rating, expires on.
type Held = (&'static str, i64, Option<&'static str>);

/// The rating model Level (1–5); skills Rust and SQL and the certification Crane rated with it;
/// six resources, and a 2-hour hard booking of Aaron. Returns each resource's path by name.
async fn team(api: &Api<'_>) -> HashMap<&'static str, String> {
    let levels = [("One", 1), ("Two", 2), ("Three", 3), ("Four", 4), ("Five", 5)];
    api.create(MODELS, model("Level", 0, 5, &levels)).await;
    for (name, kind) in [("Rust", "skill"), ("SQL", "skill"), ("Crane", "certification")] {
        api.create(CHARACTERISTICS, json!({"name": name, "characteristic_type": kind, "rating_model": "Level"})).await;
    }
    let people: [(&str, &str, &[Held]); 6] = [
        ("Ada", "worker", &[("Rust", 5, None), ("SQL", 4, None), ("Crane", 3, Some("2026-12-31"))]),
        ("Aaron", "worker", &[("Rust", 4, None), ("SQL", 5, None), ("Crane", 3, None)]),
        // Crane expires on Friday: not counted for a window ending Saturday.
        ("Cy", "crew", &[("Rust", 3, None), ("SQL", 3, None), ("Crane", 5, Some("2026-03-06"))]),
        ("Dee", "worker", &[("Rust", 2, None), ("SQL", 5, None), ("Crane", 5, None)]),
        ("Eve", "equipment", &[("Rust", 3, None), ("SQL", 3, None), ("Crane", 3, None)]),
        ("Fay", "worker", &[("Rust", 5, None), ("SQL", 5, None)]),
    ];
    let mut paths = HashMap::new();
    for (name, kind, held) in people {
        let path = resource(api, json!({"name": name, "resource_type": kind})).await;
        for (characteristic, rating, expires_on) in held {
            let body = json!({"rating": rating, "expires_on": expires_on});
            api.put(&format!("{path}/characteristics/{characteristic}"), body).await.is(OK);
        }
        paths.insert(name, path);
    }
    let aaron = id(&paths["Aaron"]);
    let booking = json!({"resource_id": aaron, "start": "2026-03-02T09:00:00Z", "end": "2026-03-02T11:00:00Z"});
    api.create(BOOKINGS, booking).await;
    paths
}

async fn search_ranks_by_score_then_free_time(app: TestApp) {
    let api = Api::admin(&app).await;
    let team = team(&api).await;
    // Ada and Aaron tie on score: Ada's 2 more free hours put her first, though "Aaron" sorts
    // first by name. Cy's Crane has expired by Saturday; Dee is below Rust 3; Fay has no Crane.
    let results = api.post(SEARCH, query(THREE, MON, SAT, 480)).await.is(OK);
    assert_eq!(ranked(&results), expect(&[("Ada", 4, 2400), ("Aaron", 4, 2280), ("Eve", 1, 2400)]));
    let ada = json!({"rank": 1, "resource_id": id(&team["Ada"]), "name": "Ada", "resource_type": "worker",
        "score": 4, "free_minutes": 2400,
        "matched": [{"name": "Rust", "rating": 5, "min_rating": 3}, {"name": "SQL", "rating": 4, "min_rating": 3},
                    {"name": "Crane", "rating": 3, "min_rating": 2}],
        "reason": "holds Rust 5 (min 3), SQL 4 (min 3), Crane 3 (min 2); 40 free hours in the window"});
    assert_eq!((&results["matches"][0], &results["searched"]), (&ada, &json!(6)));
    let reasons: Vec<&str> =
        results["matches"].as_array().unwrap().iter().map(|m| m["reason"].as_str().unwrap()).collect();
    assert_eq!(
        reasons[1..],
        [
            "holds Rust 4 (min 3), SQL 5 (min 3), Crane 3 (min 2); 38 free hours in the window",
            "holds Rust 3 (min 3), SQL 3 (min 3), Crane 3 (min 2); 40 free hours in the window"
        ]
    );

    // A window ending Friday: Cy's Crane (expiring Friday) still counts, at 5.
    let until_friday = expect(&[("Ada", 4, 1920), ("Aaron", 4, 1800), ("Cy", 3, 1920), ("Eve", 1, 1920)]);
    assert_eq!(found(&api, query(THREE, MON, FRI, 480)).await, until_friday);

    // Two characteristics; resource types filter; limit caps; equal score and time go by name.
    let two = [("Fay", 4, 2400), ("Ada", 3, 2400), ("Aaron", 3, 2280), ("Cy", 0, 2400), ("Eve", 0, 2400)];
    assert_eq!(found(&api, query(TWO, MON, SAT, 480)).await, expect(&two));
    let mut typed = query(TWO, MON, SAT, 480);
    typed["resource_types"] = json!(["worker"]);
    assert_eq!(found(&api, typed.clone()).await, expect(&two[..3]));
    typed["resource_types"] = json!(["crew", "equipment"]);
    assert_eq!(found(&api, typed).await, expect(&two[3..]));
    let mut capped = query(TWO, MON, SAT, 480);
    capped["limit"] = json!(2);
    assert_eq!(found(&api, capped).await, expect(&two[..2]));
    // Enough free time is part of the match: Aaron has 2280 minutes, not 2300.
    assert_eq!(
        found(&api, query(TWO, MON, SAT, 2300)).await,
        expect(&[("Fay", 4, 2400), ("Ada", 3, 2400), ("Cy", 0, 2400), ("Eve", 0, 2400)])
    );

    // Field-naming errors.
    let answer = api.post(SEARCH, query(&[("Rust", 1), ("Welding", 1)], MON, SAT, 60)).await;
    let body = answer.problem(INVALID, &["characteristics[1].name"]);
    assert_eq!(body["errors"][0]["message"], "no characteristic named 'Welding'");
    api.post(SEARCH, query(&[("Nope", 1)], MON, SAT, 60)).await.problem(INVALID, &["characteristics[0].name"]);
    api.post(SEARCH, query(TWO, SAT, SAT, 60)).await.problem(INVALID, &["to"]);
    api.post(SEARCH, query(TWO, SAT, MON, 60)).await.problem(INVALID, &["to"]);
    app.stop().await
}

async fn search_sees_every_write_at_once(app: TestApp) {
    let api = Api::admin(&app).await;
    let team = team(&api).await;
    let two = || query(TWO, MON, SAT, 480);
    // A new resource, as soon as it holds both.
    let gus = resource(&api, json!({"name": "Gus"})).await;
    api.put(&format!("{gus}/characteristics/Rust"), json!({"rating": 4})).await.is(OK);
    assert_eq!(found(&api, two()).await.len(), 5, "Gus holds only Rust");
    api.put(&format!("{gus}/characteristics/SQL"), json!({"rating": "Four"})).await.is(OK);
    let with_gus =
        [("Fay", 4, 2400), ("Ada", 3, 2400), ("Aaron", 3, 2280), ("Gus", 2, 2400), ("Cy", 0, 2400), ("Eve", 0, 2400)];
    assert_eq!(found(&api, two()).await, expect(&with_gus));

    // A changed rating, a removed characteristic, a resource set inactive.
    api.put(&format!("{}/characteristics/Rust", team["Fay"]), json!({"rating": 3})).await.is(OK);
    let mut now = vec![
        ("Ada", 3, 2400),
        ("Aaron", 3, 2280),
        ("Fay", 2, 2400),
        ("Gus", 2, 2400),
        ("Cy", 0, 2400),
        ("Eve", 0, 2400),
    ];
    assert_eq!(found(&api, two()).await, expect(&now));
    api.remove(&format!("{}/characteristics/SQL", team["Ada"])).await;
    now.remove(0);
    assert_eq!(found(&api, two()).await, expect(&now));
    api.patch(&team["Aaron"], json!({"active": false})).await.is(OK);
    now.remove(0);
    assert_eq!(found(&api, two()).await, expect(&now));

    // A hard booking takes free time (Fay falls behind Gus); a soft one takes none; a hard one
    // leaving Eve 240 minutes drops her; canceling it gives the time back.
    let booking = |path: &str, start: &str, end: &str, status: &str| json!({"resource_id": id(path), "start": start, "end": end, "status": status});
    api.create(BOOKINGS, booking(&team["Fay"], "2026-03-03T08:00:00Z", "2026-03-03T10:00:00Z", "hard")).await;
    api.create(BOOKINGS, booking(&gus, MON, SAT, "soft")).await;
    now = vec![("Gus", 2, 2400), ("Fay", 2, 2280), ("Cy", 0, 2400), ("Eve", 0, 2400)];
    assert_eq!(found(&api, two()).await, expect(&now));
    let eve = api.create(BOOKINGS, booking(&team["Eve"], MON, "2026-03-06T12:00:00Z", "hard")).await;
    assert_eq!(found(&api, two()).await, expect(&now[..3]));
    assert_eq!(found(&api, query(TWO, MON, SAT, 240)).await[3], (4, "Eve".to_string(), 0, 240));
    let eve = format!("{BOOKINGS}/{}", eve["id"].as_str().unwrap());
    assert_eq!(api.patch(&eve, json!({"status": "canceled"})).await.is(OK)["status"], "canceled");
    assert_eq!(found(&api, two()).await, expect(&now));
    app.stop().await
}

async fn requirement_search_is_the_ad_hoc_search(app: TestApp) {
    let api = Api::admin(&app).await;
    team(&api).await;
    let mut stored = query(THREE, MON, SAT, 480);
    stored["resource_types"] = json!(["worker", "equipment"]);
    stored["name"] = json!("Lift");
    let requirement = api.create(REQUIREMENTS, stored).await;
    let path = format!("{REQUIREMENTS}/{}/search", requirement["id"].as_str().unwrap());
    let results = api.post(&path, json!({})).await.is(OK);
    // The requirement keeps its characteristics by name, and `matched` follows the query's order.
    let by_name: &[(&str, i64)] = &[("Crane", 2), ("Rust", 3), ("SQL", 3)];
    let mut ad_hoc = query(by_name, MON, SAT, 480);
    ad_hoc["resource_types"] = json!(["worker", "equipment"]);
    assert_eq!(results, api.post(SEARCH, ad_hoc).await.is(OK));
    assert_eq!(ranked(&results), expect(&[("Ada", 4, 2400), ("Aaron", 4, 2280), ("Eve", 1, 2400)]));
    assert_eq!(
        results["matches"][0]["reason"],
        "holds Crane 3 (min 2), Rust 5 (min 3), SQL 4 (min 3); 40 free hours in the window"
    );

    // With no characteristics and any type: every active resource with the free time.
    let open = json!({"name": "Anyone", "from": MON, "to": FRI, "duration_minutes": 1900});
    let open = api.create(REQUIREMENTS, open).await;
    let path = format!("{REQUIREMENTS}/{}/search", open["id"].as_str().unwrap());
    let results = api.post(&path, json!({})).await.is(OK);
    assert_eq!(results, api.post(SEARCH, query(&[], MON, FRI, 1900)).await.is(OK));
    let names: Vec<String> = ranked(&results).into_iter().map(|m| m.1).collect();
    assert_eq!(names, ["Ada", "Cy", "Dee", "Eve", "Fay"], "Aaron has 1800 minutes to Friday");
    api.post(&format!("{REQUIREMENTS}/{}/search", uuid::Uuid::nil()), json!({})).await.problem(NOT_FOUND, &[]);
    app.stop().await
}

/// 3×N concurrent book-match requests for a resource with exactly N free 8-hour days: N get one
/// day each, the rest 409; 20 concurrent hard bookings of one slot: capacity-many succeed.
async fn no_overbooking_under_concurrency(app: TestApp) {
    let api = Api::admin(&app).await;
    let solo = resource(&api, json!({"name": "Solo"})).await;
    let solo = id(&solo);
    let day = json!({"resource_id": solo, "from": MON, "to": SAT, "duration_minutes": 480});
    let statuses = all_at_once(&app, &api.token, BOOK_MATCH, vec![day.clone(); 15]).await;
    assert_eq!(statuses, [vec![201u16; 5], vec![409; 10]].concat());
    let booked = bookings_of(&api, solo).await;
    let mut spans: Vec<(String, String)> = booked.iter().map(|(s, e, _)| (s.clone(), e.clone())).collect();
    spans.sort();
    let days: Vec<(String, String)> =
        (2..=6).map(|d| (format!("2026-03-0{d}T08:00:00Z"), format!("2026-03-0{d}T16:00:00Z"))).collect();
    assert_eq!(spans, days, "one working day each");
    assert!(booked.iter().all(|b| b.2 == "hard"));
    // Pairwise, as RFC 3339 UTC strings (which compare as the instants do).
    for (i, a) in spans.iter().enumerate() {
        for b in &spans[i + 1..] {
            assert!(a.1 <= b.0 || b.1 <= a.0, "{a:?} and {b:?} overlap");
        }
    }
    let body = api.post(BOOK_MATCH, day).await.problem(CONFLICT, &[]);
    assert_eq!(
        body["detail"],
        "resource 'Solo' has no free 480 minutes left between 2026-03-02 00:00:00 UTC and 2026-03-07 00:00:00 UTC"
    );
    let anyone = api.post(SEARCH, query(&[], MON, SAT, 1)).await.is(OK);
    assert_eq!(anyone["matches"], json!([]), "no free minute left");

    for capacity in [1, 3] {
        let name = format!("Capacity {capacity}");
        let path = resource(&api, json!({"name": name, "capacity": capacity})).await;
        let slot = json!({"resource_id": id(&path), "start": "2026-03-03T10:00:00Z", "end": "2026-03-03T12:00:00Z"});
        let statuses = all_at_once(&app, &api.token, BOOKINGS, vec![slot; 20]).await;
        assert_eq!(statuses, [vec![201u16; capacity], vec![409; 20 - capacity]].concat(), "{name}");
        assert_eq!(bookings_of(&api, id(&path)).await.len(), capacity, "{name}");
    }
    app.stop().await
}

/// A bulk import synced to the scheduling side changes more resources than the finder reads in
/// one chunk (2,500): one refresh afterwards indexes every one of them.
async fn a_bulk_sync_reaches_the_finder_whole(app: TestApp) {
    const WORKERS: usize = 2_600;
    let mut app = app;
    // No background relay or refresh: the test syncs, then refreshes the finder once.
    app.sync.take();
    let api = Api::admin(&app).await;
    seed_catalog(&api).await;
    let (engine, finder) = (&app.state.engine, &app.state.finder);
    let admin = hrbridge_store::Actor::user("admin");
    // The catalog first: characteristics reaching the scheduling side rebuild the whole index.
    engine.set_enabled(&admin, true).await.expect("turn on");
    engine.missed_request_sync().await.expect("the initial sync");
    finder.refresh(&app.state.scheduling).await.expect("refresh the finder");
    let mut csv = String::from("personnel_number,first_name,last_name,email,employment_start,skills,certificates\n");
    for i in 0..WORKERS {
        csv += &format!("B-{i:05},Bulk,Worker {i},b{i}@example.com,2024-01-15,RUST:Expert,\n");
    }
    let request = app.request(reqwest::Method::POST, "/api/v1/hr/imports/workers", Some(&api.token));
    let response = request.header(reqwest::header::CONTENT_TYPE, "text/csv").body(csv).send().await.unwrap();
    assert_eq!(response.status(), OK);
    engine.missed_request_sync().await.expect("the sync of the import");
    let before = finder.len();
    finder.refresh(&app.state.scheduling).await.expect("refresh the finder");
    assert_eq!(finder.len() - before, WORKERS, "every synced resource indexed, once");
}
