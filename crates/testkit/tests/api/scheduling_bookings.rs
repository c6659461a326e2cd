//! Bookings over HTTP: hard bookings take capacity and overbooking is a 409 unless asked for;
//! soft and proposed ones take none; canceling frees the time. Booking a match in one call, and
//! who may search and book. Search itself and concurrency: `scheduling_finder.rs`.

use crate::common::scheduling::{
    bookings_of, id_of as id, resource, BOOKINGS, BOOK_MATCH, MON, REQUIREMENTS, SAT, SEARCH,
};
use crate::common::{Api, CONFLICT, CREATED, FORBIDDEN, INVALID, OK};
use hrbridge_testkit::TestApp;
use serde_json::{json, Value};

/// The tests of this file, for the harness in `main.rs`.
pub fn tests() -> Vec<(&'static str, hrbridge_testkit::TestFn)> {
    vec![
        hrbridge_testkit::test_fn!(hard_bookings_take_capacity),
        hrbridge_testkit::test_fn!(booking_a_match_takes_the_first_free_span),
        hrbridge_testkit::test_fn!(roles),
    ]
}

/// Monday 2026-03-02 at `h` o'clock UTC.
fn at(h: u32) -> String {
    format!("2026-03-02T{h:02}:00:00Z")
}

/// A booking body for Monday `start`–`end` o'clock, with `extra` fields.
fn slot(resource_id: &str, start: u32, end: u32, extra: Value) -> Value {
    let mut body = json!({"resource_id": resource_id, "start": at(start), "end": at(end)});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    body
}

fn span(booking: &Value) -> (&str, &str) {
    (booking["start"].as_str().unwrap(), booking["end"].as_str().unwrap())
}

async fn hard_bookings_take_capacity(app: TestApp) {
    let api = Api::admin(&app).await;
    let ada = resource(&api, json!({"name": "Ada"})).await;
    let ada = id(&ada);
    let first = api.create(BOOKINGS, slot(ada, 9, 11, json!({}))).await;
    let expected = json!({"id": first["id"], "resource_id": ada, "resource_name": "Ada", "requirement_id": null,
        "start": at(9), "end": at(11), "status": "hard", "version": 1, "modified_at": "2026-03-02T09:00:00Z"});
    assert_eq!(first, expected);
    let refused = api.post(BOOKINGS, slot(ada, 10, 12, json!({}))).await.problem(CONFLICT, &["start"]);
    assert_eq!(
        refused["detail"],
        "resource 'Ada' is fully booked between 2026-03-02 10:00:00 UTC and 2026-03-02 12:00:00 UTC: 1 hard \
         booking(s) already take its capacity of 1; book it soft or proposed, or pass allow_overlap to overbook"
    );
    api.create(BOOKINGS, slot(ada, 11, 12, json!({}))).await; // back to back is no overlap
    api.create(BOOKINGS, slot(ada, 10, 12, json!({"allow_overlap": true}))).await;
    for status in ["soft", "proposed"] {
        assert_eq!(api.create(BOOKINGS, slot(ada, 8, 16, json!({"status": status}))).await["status"], status);
    }

    // Capacity 2: soft and proposed bookings take none; two hard ones overlap, a third does not fit.
    let pair = resource(&api, json!({"name": "Pair", "capacity": 2})).await;
    let pair = id(&pair);
    api.create(BOOKINGS, slot(pair, 8, 16, json!({"status": "soft"}))).await;
    api.create(BOOKINGS, slot(pair, 8, 16, json!({"status": "proposed"}))).await;
    let early = api.create(BOOKINGS, slot(pair, 9, 11, json!({}))).await;
    api.create(BOOKINGS, slot(pair, 10, 12, json!({}))).await;
    let detail = api.post(BOOKINGS, slot(pair, 9, 12, json!({}))).await.problem(CONFLICT, &["start"])["detail"].clone();
    assert!(detail.as_str().unwrap().contains("2 hard booking(s) already take its capacity of 2"), "{detail}");

    // Canceling frees the time; making the canceled one hard again no longer fits.
    let early = format!("{BOOKINGS}/{}", early["id"].as_str().unwrap());
    let canceled = api.patch(&early, json!({"status": "canceled"})).await.is(OK);
    assert_eq!((&canceled["status"], &canceled["version"]), (&json!("canceled"), &json!(2)));
    api.create(BOOKINGS, slot(pair, 9, 12, json!({}))).await;
    api.patch(&early, json!({"status": "hard"})).await.problem(CONFLICT, &["start"]);
    assert_eq!(api.patch(&early, json!({"start": at(13), "end": at(14), "status": "hard"})).await.is(OK)["version"], 3);

    // Field-naming errors.
    api.post(BOOKINGS, slot(ada, 12, 12, json!({}))).await.problem(INVALID, &["end"]);
    api.post(BOOKINGS, slot(ada, 12, 11, json!({}))).await.problem(INVALID, &["end"]);
    let nobody = uuid::Uuid::nil().to_string();
    api.post(BOOKINGS, slot(&nobody, 9, 10, json!({}))).await.problem(INVALID, &["resource_id"]);
    api.post(BOOKINGS, slot(ada, 9, 10, json!({"status": "maybe"}))).await.problem(INVALID, &["status"]);
    // A booking stays on its resource: moving it is refused, naming the field.
    let moved = api.patch(&early, json!({"resource_id": ada})).await.problem(INVALID, &["resource_id"]);
    assert!(moved["detail"].as_str().unwrap().contains("cancel it and book the other resource"), "{moved}");

    // Listed by resource, in creation order, in pages.
    let statuses = |list: &[(String, String, String)]| list.iter().map(|b| b.2.clone()).collect::<Vec<_>>();
    assert_eq!(statuses(&bookings_of(&api, ada).await), ["hard", "hard", "hard", "soft", "proposed"]);
    assert_eq!(statuses(&bookings_of(&api, pair).await), ["soft", "proposed", "hard", "hard", "hard"]);
    let page = api.read(&format!("{BOOKINGS}?resource_id={ada}&limit=2")).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let next = page["next"].as_str().unwrap();
    let page = api.read(&format!("{BOOKINGS}?resource_id={ada}&limit=2&after={next}")).await;
    let next = page["next"].as_str().unwrap();
    let last = api.read(&format!("{BOOKINGS}?resource_id={ada}&limit=2&after={next}")).await;
    assert_eq!((last["items"].as_array().unwrap().len(), &last["next"]), (1, &Value::Null));
    assert_eq!(last["items"][0]["status"], "proposed");
    assert_eq!(api.read(&format!("{BOOKINGS}?limit=100")).await["items"].as_array().unwrap().len(), 10);
    app.stop().await
}

async fn booking_a_match_takes_the_first_free_span(app: TestApp) {
    let api = Api::admin(&app).await;
    let bo = resource(&api, json!({"name": "Bo"})).await;
    let bo = id(&bo);
    let book = |minutes: i64| json!({"resource_id": bo, "from": MON, "to": SAT, "duration_minutes": minutes});
    let day =
        |d: u32, from: u32, to: u32| (format!("2026-03-0{d}T{from:02}:00:00Z"), format!("2026-03-0{d}T{to:02}:00:00Z"));
    let booked = |b: Value| (b["start"].as_str().unwrap().to_string(), b["end"].as_str().unwrap().to_string());
    let monday = api.create(BOOK_MATCH, book(480)).await;
    assert_eq!((&monday["status"], &monday["resource_name"]), (&json!("hard"), &json!("Bo")));
    assert_eq!(booked(monday), day(2, 8, 16));
    assert_eq!(booked(api.create(BOOK_MATCH, book(480)).await), day(3, 8, 16));
    // Wednesday 08–10 taken: 8 hours fit only on Thursday; 2 hours at Wednesday 10:00.
    api.create(BOOKINGS, json!({"resource_id": bo, "start": "2026-03-04T08:00:00Z", "end": "2026-03-04T10:00:00Z"}))
        .await;
    assert_eq!(booked(api.create(BOOK_MATCH, book(480)).await), day(5, 8, 16));
    assert_eq!(booked(api.create(BOOK_MATCH, book(120)).await), day(4, 10, 12));
    assert_eq!(booked(api.create(BOOK_MATCH, book(480)).await), day(6, 8, 16));
    let detail = api.post(BOOK_MATCH, book(480)).await.detail(CONFLICT);
    let gone = "resource 'Bo' has no free 480 minutes left between 2026-03-02 00:00:00 UTC and 2026-03-07 00:00:00 UTC";
    assert_eq!(detail, gone);
    assert_eq!(booked(api.create(BOOK_MATCH, book(240)).await), day(4, 12, 16));
    api.post(BOOK_MATCH, book(1)).await.problem(CONFLICT, &[]);

    // Working time is in the resource's zone; a soft match takes no capacity.
    let ny = resource(&api, json!({"name": "Nye", "time_zone": "America/New_York"})).await;
    let soft = json!({"resource_id": id(&ny), "from": MON, "to": SAT, "duration_minutes": 60, "status": "soft"});
    for _ in 0..2 {
        let b = api.create(BOOK_MATCH, soft.clone()).await;
        assert_eq!((span(&b), &b["status"]), (("2026-03-02T13:00:00Z", "2026-03-02T14:00:00Z"), &json!("soft")));
    }

    let bad = |change: Value| {
        let mut body = book(60);
        body.as_object_mut().unwrap().extend(change.as_object().unwrap().clone());
        body
    };
    api.post(BOOK_MATCH, bad(json!({"to": MON}))).await.problem(INVALID, &["to"]);
    api.post(BOOK_MATCH, bad(json!({"duration_minutes": 0}))).await.problem(INVALID, &["duration_minutes"]);
    api.post(BOOK_MATCH, bad(json!({"status": "canceled"}))).await.problem(INVALID, &["status"]);
    // The window is capped like a search's, so one request cannot hold the resource's lock long.
    api.post(BOOK_MATCH, bad(json!({"to": "2026-06-01T00:00:00Z"}))).await.problem(INVALID, &["to"]);
    let nobody = bad(json!({"resource_id": uuid::Uuid::nil()}));
    api.post(BOOK_MATCH, nobody).await.problem(INVALID, &["resource_id"]);
    app.stop().await
}

/// read-only and hr-manager search but may not book; resource-manager searches, books, cancels.
async fn roles(app: TestApp) {
    let admin = Api::admin(&app).await;
    let fay = resource(&admin, json!({"name": "Fay"})).await;
    let fay = id(&fay);
    let requirement = json!({"name": "Job", "from": MON, "to": SAT, "duration_minutes": 60});
    let requirement = admin.create(REQUIREMENTS, requirement).await;
    let requirement_search = format!("{REQUIREMENTS}/{}/search", requirement["id"].as_str().unwrap());
    let search = json!({"from": MON, "to": SAT, "duration_minutes": 60});
    let book = json!({"resource_id": fay, "from": MON, "to": SAT, "duration_minutes": 60});
    let held = admin.create(BOOKINGS, json!({"resource_id": fay, "start": MON, "end": SAT, "status": "soft"})).await;
    let held = format!("{BOOKINGS}/{}", held["id"].as_str().unwrap());
    for role in ["read-only", "hr-manager", "resource-manager"] {
        let api = Api::role(&app, role).await;
        assert_eq!(api.post(SEARCH, search.clone()).await.is(OK)["matches"][0]["name"], "Fay", "{role}");
        assert_eq!(api.post(&requirement_search, json!({})).await.is(OK)["matches"].as_array().unwrap().len(), 1);
        api.read(&format!("{BOOKINGS}?resource_id={fay}")).await;
        api.read(&held).await;
        if role != "resource-manager" {
            let refused = "your role does not allow create on booking";
            assert_eq!(api.post(BOOK_MATCH, book.clone()).await.detail(FORBIDDEN), refused, "{role}");
            assert_eq!(api.post(BOOKINGS, slot(fay, 9, 10, json!({}))).await.detail(FORBIDDEN), refused, "{role}");
            api.patch(&held, json!({"status": "canceled"})).await.problem(FORBIDDEN, &[]);
            api.delete(&held).await.problem(FORBIDDEN, &[]);
            continue;
        }
        assert_eq!(span(&api.post(BOOK_MATCH, book.clone()).await.is(CREATED)), (at(8).as_str(), at(9).as_str()));
        let booked = api.create(BOOKINGS, slot(fay, 10, 11, json!({}))).await;
        let path = format!("{BOOKINGS}/{}", booked["id"].as_str().unwrap());
        assert_eq!(api.patch(&path, json!({"status": "canceled"})).await.is(OK)["status"], "canceled");
        api.remove(&path).await;
        api.patch(&held, json!({"status": "canceled"})).await.is(OK);
    }
    let statuses: Vec<String> = bookings_of(&admin, fay).await.into_iter().map(|b| b.2).collect();
    assert_eq!(statuses, ["canceled", "hard"], "only the resource manager's writes");
    app.stop().await
}
