//! The scheduling store behind the API: the metadata describes its tables exactly, every write
//! appends its outbox entry, each role gets what it is granted, and the finder's snapshots.

use crate::common::scheduling::{book, model, resource, seed, CHARACTERISTICS, MODELS, REQUIREMENTS, RESOURCES};
use crate::common::{Api, CONFLICT, FORBIDDEN, INVALID, OK};
use hrbridge_domain::Clock;
use hrbridge_testkit::TestApp;
use serde_json::json;

/// The tests of this file, for the harness in `main.rs`.
pub fn tests() -> Vec<(&'static str, hrbridge_testkit::TestFn)> {
    vec![
        hrbridge_testkit::test_fn!(metadata_describes_the_tables),
        hrbridge_testkit::test_fn!(every_write_appends_its_outbox_entry),
        hrbridge_testkit::test_fn!(roles),
        hrbridge_testkit::test_fn!(snapshots_for_the_finder),
    ]
}

async fn metadata_describes_the_tables(app: TestApp) {
    let api = Api::admin(&app).await;
    let entities = api.read("/scheduling/metadata/entities").await;
    let names: Vec<&str> =
        entities["items"].as_array().unwrap().iter().map(|e| e["logical_name"].as_str().unwrap()).collect();
    assert!(names.contains(&"bookable_resource") && names.contains(&"booking") && names.len() == 9, "{names:?}");
    let hours = api.read("/scheduling/metadata/fields?entity=work_hours").await;
    let hours: Vec<(&str, &str)> = hours["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["name"].as_str().unwrap(), f["type"].as_str().unwrap()))
        .collect();
    assert_eq!(
        hours,
        [("resource_id", "uuid"), ("weekday", "integer"), ("start_minute", "integer"), ("end_minute", "integer")]
    );
    api.get("/scheduling/metadata/fields?entity=nope").await.problem(INVALID, &["entity"]);
    let relationships = api.read("/scheduling/metadata/relationships").await;
    let booking = relationships["items"].as_array().unwrap().iter().find(|r| r["name"] == "resource_bookings").unwrap();
    assert_eq!(
        (&booking["referenced_entity"], &booking["cardinality"]),
        (&json!("bookable_resource"), &json!("many_to_one"))
    );

    // Every field of every table, with its type and nullability, exactly as the database has it.
    let schema = hrbridge_store::schema::logical_schema(app.state.scheduling.db()).await.unwrap();
    let table_of: std::collections::HashMap<String, String> = entities["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["logical_name"].as_str().unwrap().to_string(), e["table"].as_str().unwrap().to_string()))
        .collect();
    let mut described = std::collections::BTreeMap::<String, std::collections::BTreeMap<String, (String, bool)>>::new();
    for f in api.read("/scheduling/metadata/fields").await["items"].as_array().unwrap() {
        let table = table_of[f["entity"].as_str().unwrap()].clone();
        let column = (f["type"].as_str().unwrap().to_string(), !f["required"].as_bool().unwrap());
        described.entry(table).or_default().insert(f["name"].as_str().unwrap().to_string(), column);
    }
    let tables: std::collections::BTreeMap<_, _> =
        schema.into_iter().filter(|(t, _)| t != "outbox" && t != "settings").collect();
    assert_eq!(described, tables);
    app.stop().await
}

async fn every_write_appends_its_outbox_entry(app: TestApp) {
    let api = Api::admin(&app).await;
    let mut seen = 0;
    let mut saw = |entries: Vec<hrbridge_store::scheduling::outbox::OutboxEntry>, expected: &[&str]| {
        let mut got: Vec<String> = entries[seen..]
            .iter()
            .map(|e| format!("{} {} {} v{} {}", e.entity, e.entity_key, e.operation, e.version, e.origin))
            .collect();
        let mut want: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        got.sort();
        want.sort();
        assert_eq!(got, want);
        seen = entries.len();
    };
    let outbox = || async { app.state.scheduling.outbox_after(0, 10_000).await.unwrap() };
    api.create(MODELS, model("P", 0, 5, &[("Low", 1), ("High", 5)])).await;
    saw(
        outbox().await,
        &["rating-model P insert v1 user", "rating-value P/1 insert v1 user", "rating-value P/5 insert v1 user"],
    );
    api.patch(&format!("{MODELS}/P"), model("P", 0, 5, &[("Lowest", 1), ("Mid", 3)])).await.is(OK);
    saw(
        outbox().await,
        &[
            "rating-model P update v2 user",
            "rating-value P/1 update v2 user",
            "rating-value P/3 insert v1 user",
            "rating-value P/5 delete v2 user",
        ],
    );
    api.create(CHARACTERISTICS, json!({"name": "Rust", "rating_model": "P"})).await;
    saw(outbox().await, &["characteristic Rust insert v1 user"]);
    let ada = resource(&api, json!({"name": "Ada", "hr_worker_number": "W1"})).await;
    saw(outbox().await, &["bookable-resource W1 insert v1 user"]);
    let id = ada.rsplit('/').next().unwrap().to_string();
    api.patch(&ada, json!({"capacity": 3})).await.is(OK);
    saw(outbox().await, &["bookable-resource W1 update v2 user"]);
    api.put(&format!("{ada}/characteristics/Rust"), json!({"rating": 1})).await.is(OK);
    api.put(&format!("{ada}/characteristics/Rust"), json!({"rating": 3})).await.is(OK);
    saw(
        outbox().await,
        &[
            &format!("resource-characteristic {id}/Rust insert v1 user"),
            &format!("resource-characteristic {id}/Rust update v2 user"),
        ],
    );
    let (from, to) = ("2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z");
    let body = json!({"name": "Job", "from": from, "to": to, "duration_minutes": 60});
    let requirement = api.create(REQUIREMENTS, body).await;
    let rid = requirement["id"].as_str().unwrap();
    api.remove(&format!("{REQUIREMENTS}/{rid}")).await;
    saw(
        outbox().await,
        &[&format!("resource-requirement {rid} insert v1 user"), &format!("resource-requirement {rid} delete v2 user")],
    );
    api.remove(&ada).await;
    saw(
        outbox().await,
        &["bookable-resource W1 delete v3 user", &format!("resource-characteristic {id}/Rust delete v3 user")],
    );
    let plain = resource(&api, json!({"name": "Plain"})).await;
    let plain_id = plain.rsplit('/').next().unwrap();
    saw(outbox().await, &[&format!("bookable-resource {plain_id} insert v1 user")]);

    // Refused writes leave nothing; each entry is stamped with the clock and carries the id.
    api.post(CHARACTERISTICS, json!({"name": "Rust"})).await.problem(CONFLICT, &["name"]);
    api.delete(&format!("{MODELS}/P")).await.is(CONFLICT);
    let entries = outbox().await;
    assert_eq!(entries.len(), seen, "refused writes append nothing");
    assert!(entries.iter().all(|e| e.modified_at == app.clock.now() && e.record_id.parse::<uuid::Uuid>().is_ok()));
    assert_eq!(entries.iter().find(|e| e.entity == "bookable-resource").unwrap().record_id, id);
    app.stop().await
}

async fn roles(app: TestApp) {
    let admin = Api::admin(&app).await;
    seed(&admin).await;
    let ada = resource(&admin, json!({"name": "Ada"})).await;
    let window =
        json!({"name": "Job", "from": "2026-03-02T08:00:00Z", "to": "2026-03-02T16:00:00Z", "duration_minutes": 60});
    let before = app.state.scheduling.outbox_len().await.unwrap();
    for role in ["read-only", "hr-manager"] {
        let api = Api::role(&app, role).await;
        for path in [MODELS, CHARACTERISTICS, RESOURCES, REQUIREMENTS, "/scheduling/metadata/entities", ada.as_str()] {
            api.read(path).await;
        }
        let refused = "your role does not allow create on bookable-resource";
        assert_eq!(api.post(RESOURCES, json!({"name": ""})).await.detail(FORBIDDEN), refused, "{role}");
        api.put(&format!("{ada}/characteristics/Rust"), json!({"rating": 1})).await.problem(FORBIDDEN, &[]);
        api.patch(&ada, json!({"name": "Eve"})).await.problem(FORBIDDEN, &[]);
        api.delete(&format!("{CHARACTERISTICS}/Rust")).await.problem(FORBIDDEN, &[]);
        api.post(MODELS, json!({})).await.problem(FORBIDDEN, &[]);
        api.post(REQUIREMENTS, window.clone()).await.problem(FORBIDDEN, &[]);
    }
    assert_eq!(app.state.scheduling.outbox_len().await.unwrap(), before, "nothing was written");
    // The resource manager keeps the scheduling side: resources, characteristics, requirements.
    let manager = Api::role(&app, "resource-manager").await;
    let eve = manager.create(RESOURCES, json!({"name": "Eve"})).await;
    let eve = format!("{RESOURCES}/{}", eve["id"].as_str().unwrap());
    manager.put(&format!("{eve}/characteristics/Rust"), json!({"rating": 1})).await.is(OK);
    manager.patch(&eve, json!({"name": "Eve Lovelace"})).await.is(OK);
    manager.create(CHARACTERISTICS, json!({"name": "Welding"})).await;
    let created = manager.create(REQUIREMENTS, window.clone()).await;
    manager.remove(&format!("{REQUIREMENTS}/{}", created["id"].as_str().unwrap())).await;
    manager.get("/admin/users").await.problem(FORBIDDEN, &[]);
    manager.post("/hr/workers", json!({"first_name": "A", "last_name": "B"})).await.problem(FORBIDDEN, &[]);
    assert_eq!(app.state.scheduling.outbox_len().await.unwrap(), before + 6, "the resource manager's six writes");
    app.stop().await
}

async fn snapshots_for_the_finder(app: TestApp) {
    use hrbridge_domain::scheduling::{CharacteristicType, ResourceType};
    use hrbridge_store::scheduling::{CharacteristicSnapshot, WorkHoursSnapshot};
    let api = Api::admin(&app).await;
    seed(&api).await;
    let ada = resource(
        &api,
        json!({"name": "Ada", "resource_type": "worker", "capacity": 2, "time_zone": "Europe/Oslo",
        "work_hours": [{"weekday": "sunday", "start": "08:00", "end": "12:00"}]}),
    )
    .await;
    let bob = resource(&api, json!({"name": "Bob", "active": false})).await;
    api.put(&format!("{ada}/characteristics/Rust"), json!({"rating": "Expert"})).await.is(OK);
    api.put(&format!("{ada}/characteristics/Forklift"), json!({"expires_on": "2026-04-01"})).await.is(OK);
    book(&app, &ada, "hard", "2026-03-03T10:00:00Z", "2026-03-03T11:00:00Z").await;
    book(&app, &ada, "soft", "2026-03-04T10:00:00Z", "2026-03-04T11:00:00Z").await;
    book(&app, &ada, "hard", "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z").await;

    let all = app.state.scheduling.resource_snapshots(None).await.unwrap();
    assert_eq!(all.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["Ada", "Bob"], "by id");
    let a = &all[0];
    assert_eq!(
        (a.resource_type, a.active, a.time_zone.as_str(), a.capacity),
        (ResourceType::Worker, true, "Europe/Oslo", 2)
    );
    assert_eq!(a.work_hours, [WorkHoursSnapshot { weekday: 7, start_minute: 480, end_minute: 720 }]);
    let mut held = a.characteristics.clone();
    held.sort_by(|x, y| x.name.cmp(&y.name));
    let date = chrono::NaiveDate::from_ymd_opt(2026, 4, 1);
    assert_eq!(
        held,
        [
            CharacteristicSnapshot {
                name: "Forklift".into(),
                characteristic_type: CharacteristicType::Certification,
                rating: None,
                expires_on: date
            },
            CharacteristicSnapshot {
                name: "Rust".into(),
                characteristic_type: CharacteristicType::Skill,
                rating: Some(5),
                expires_on: None
            },
        ]
    );
    let hours: Vec<String> =
        a.hard_bookings.iter().map(|(s, e)| format!("{} {}", s.to_rfc3339(), e.format("%H:%M"))).collect();
    assert_eq!(hours, ["2026-03-02T10:00:00+00:00 11:00", "2026-03-03T10:00:00+00:00 11:00"], "hard ones, by start");
    assert_eq!((all[1].active, all[1].work_hours.len(), all[1].hard_bookings.len()), (false, 5, 0));

    let bob_id: uuid::Uuid = bob.rsplit('/').next().unwrap().parse().unwrap();
    let some = app.state.scheduling.resource_snapshots(Some(&[bob_id, uuid::Uuid::nil()])).await.unwrap();
    assert_eq!((some.len(), some[0].id, some[0].resource_type), (1, bob_id, ResourceType::Generic));

    // The characteristics a page is read against are read first: one created and held after
    // that is read again rather than failing the page.
    let pages = app.state.scheduling.snapshot_pages().await.unwrap();
    api.create(CHARACTERISTICS, json!({"name": "Welding"})).await;
    api.put(&format!("{ada}/characteristics/Welding"), json!({})).await.is(OK);
    let page = pages.page(0).await.expect("the page, with the new characteristic");
    assert!(page[0].characteristics.iter().any(|c| c.name == "Welding"), "{:?}", page[0].characteristics);
    app.stop().await
}
