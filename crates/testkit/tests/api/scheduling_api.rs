//! The scheduling API over HTTP: rating models with values, characteristics, bookable resources
//! with work hours and characteristics, and resource requirements; field-naming errors, 409s for
//! duplicates and records in use. Metadata, the outbox, roles and snapshots: `scheduling_store.rs`.

use crate::common::scheduling::{
    book, model, pairs, resource, seed, values, CHARACTERISTICS, MODELS, REQUIREMENTS, RESOURCES,
};
use crate::common::{Api, CONFLICT, INVALID, NOT_FOUND, OK};
use hrbridge_testkit::TestApp;
use serde_json::{json, Value};

/// The tests of this file, for the harness in `main.rs`.
pub fn tests() -> Vec<(&'static str, hrbridge_testkit::TestFn)> {
    vec![
        hrbridge_testkit::test_fn!(rating_models_with_values),
        hrbridge_testkit::test_fn!(characteristics),
        hrbridge_testkit::test_fn!(bookable_resources),
        hrbridge_testkit::test_fn!(resource_characteristics),
        hrbridge_testkit::test_fn!(resource_requirements),
    ]
}

async fn rating_models_with_values(app: TestApp) {
    let api = Api::admin(&app).await;
    let created = api.create(MODELS, model("Proficiency", 0, 5, &[("Expert", 5), ("Novice", 1)])).await;
    assert_eq!(values(&created), pairs(&[("Novice", 1), ("Expert", 5)]), "values come back by value");
    let summary = (&created["name"], &created["min_value"], &created["max_value"], &created["version"]);
    assert_eq!(summary, (&json!("Proficiency"), &json!(0), &json!(5), &json!(1)));
    assert_eq!(created["id"].as_str().unwrap().parse::<uuid::Uuid>().unwrap().get_version_num(), 7);

    let answer = api.post(MODELS, model("Bad", 1, 5, &[("A", 0), ("B", 2), ("b", 3), ("C", 2)])).await;
    answer.problem(INVALID, &["values[0].value", "values[2].name", "values[3].value"]);
    api.post(MODELS, model("Bad", 5, 1, &[("A", 3)])).await.problem(INVALID, &["max_value", "values[0].value"]);
    api.post(MODELS, model("Bad", 0, 1, &[])).await.problem(INVALID, &["values"]);
    api.post(MODELS, json!({"name": "Bad", "min_value": 0})).await.problem(INVALID, &["max_value"]);
    api.post(MODELS, model("Proficiency", 0, 1, &[("A", 1)])).await.problem(CONFLICT, &["name"]);
    api.get(&format!("{MODELS}/Bad")).await.problem(NOT_FOUND, &[]);

    // PATCH renames a value (same record), swaps names, adds one; the name is the key.
    let path = &format!("{MODELS}/Proficiency");
    let renamed = api.patch(path, model("Proficiency", 0, 5, &[("Beginner", 1), ("Expert", 5)])).await.is(OK);
    assert_eq!(values(&renamed), pairs(&[("Beginner", 1), ("Expert", 5)]));
    assert_eq!((&renamed["values"][0]["id"], &renamed["version"]), (&created["values"][0]["id"], &json!(2)));
    let swapped =
        api.patch(path, json!({"values": [{"name": "Expert", "value": 1}, {"name": "Beginner", "value": 5}]}));
    assert_eq!(values(&swapped.await.is(OK)), pairs(&[("Expert", 1), ("Beginner", 5)]));
    let three = [("Novice", 1), ("Competent", 3), ("Expert", 5)];
    assert_eq!(values(&api.patch(path, model("Proficiency", 0, 5, &three)).await.is(OK)), pairs(&three));
    api.patch(path, json!({"max_value": 4})).await.problem(INVALID, &["values[2].value"]);
    api.patch(path, json!({"name": "Other"})).await.problem(INVALID, &["name"]);

    // A value in use cannot be removed; the model cannot go while a characteristic uses it.
    api.create(CHARACTERISTICS, json!({"name": "Rust", "rating_model": "Proficiency"})).await;
    let ada = resource(&api, json!({"name": "Ada"})).await;
    api.put(&format!("{ada}/characteristics/Rust"), json!({"rating": "Expert"})).await.is(OK);
    let answer = api.patch(path, model("Proficiency", 0, 5, &[("Novice", 1), ("Competent", 3)])).await;
    let detail = answer.problem(CONFLICT, &["values"])["detail"].as_str().unwrap().to_string();
    assert_eq!(detail, "value 'Expert' (5) cannot be removed: 1 resource characteristics are rated with it");
    assert_eq!(values(&api.read(path).await), pairs(&three), "nothing removed");
    assert_eq!(api.delete(path).await.detail(CONFLICT), "rating model 'Proficiency' is still used by 1 characteristic");

    api.create(MODELS, model("Yes no", 0, 1, &[("No", 0), ("Yes", 1)])).await;
    assert_eq!(api.keys(MODELS, "name").await, ["Proficiency", "Yes no"]);
    let first = api.read(&format!("{MODELS}?limit=1")).await;
    let next = first["next"].as_str().unwrap();
    assert_eq!(api.keys(&format!("{MODELS}?limit=1&after={next}"), "name").await, ["Yes no"]);
    api.remove(&format!("{MODELS}/Yes%20no")).await;
    api.get(&format!("{MODELS}/Yes%20no")).await.problem(NOT_FOUND, &[]);
    app.stop().await
}

async fn characteristics(app: TestApp) {
    let api = Api::admin(&app).await;
    seed(&api).await;
    let rust = api.read(&format!("{CHARACTERISTICS}/Rust")).await;
    let summary = |c: &Value| (c["characteristic_type"].clone(), c["rating_model"].clone(), c["description"].clone());
    assert_eq!(summary(&rust), (json!("skill"), json!("Proficiency"), json!("")), "a skill by default");
    let forklift = api.read(&format!("{CHARACTERISTICS}/Forklift")).await;
    assert_eq!(summary(&forklift), (json!("certification"), Value::Null, json!("")));
    let answer = api.post(CHARACTERISTICS, json!({"name": "X", "characteristic_type": "talent"})).await;
    answer.problem(INVALID, &["characteristic_type"]);
    api.post(CHARACTERISTICS, json!({"name": "X", "rating_model": "Nope"})).await.problem(INVALID, &["rating_model"]);
    api.post(CHARACTERISTICS, json!({"name": " "})).await.problem(INVALID, &["name"]);
    api.post(CHARACTERISTICS, json!({"name": "Rust"})).await.problem(CONFLICT, &["name"]);
    assert_eq!(api.keys(CHARACTERISTICS, "name").await, ["Forklift", "Rust"]);

    let path = &format!("{CHARACTERISTICS}/Rust");
    let patched = api.patch(path, json!({"description": "Systems programming"})).await.is(OK);
    assert_eq!((&patched["description"], &patched["version"]), (&json!("Systems programming"), &json!(2)));
    api.patch(path, json!({"name": "Go"})).await.problem(INVALID, &["name"]);

    // Rated resources pin the rating model; held or required characteristics cannot go.
    let ada = resource(&api, json!({"name": "Ada"})).await;
    api.put(&format!("{ada}/characteristics/Rust"), json!({"rating": 3})).await.is(OK);
    api.patch(path, json!({"rating_model": null})).await.problem(CONFLICT, &["rating_model"]);
    assert_eq!(api.delete(path).await.detail(CONFLICT), "characteristic 'Rust' is still used by 1 resource");
    api.remove(&format!("{ada}/characteristics/Rust")).await;
    let window =
        json!({"name": "Job", "from": "2026-03-02T08:00:00Z", "to": "2026-03-02T16:00:00Z", "duration_minutes": 60});
    let mut requirement = window;
    requirement["characteristics"] = json!([{"name": "Rust", "min_rating": 3}]);
    let requirement = api.create(REQUIREMENTS, requirement).await;
    assert_eq!(
        api.delete(path).await.detail(CONFLICT),
        "characteristic 'Rust' is still used by 1 resource requirement"
    );
    api.remove(&format!("{REQUIREMENTS}/{}", requirement["id"].as_str().unwrap())).await;
    api.remove(path).await;
    api.get(path).await.problem(NOT_FOUND, &[]);
    app.stop().await
}

async fn bookable_resources(app: TestApp) {
    let api = Api::admin(&app).await;
    let created = api.create(RESOURCES, json!({"name": "Ada Lovelace"})).await;
    let week: Value = ["monday", "tuesday", "wednesday", "thursday", "friday"]
        .iter()
        .map(|d| json!({"weekday": d, "start": "08:00", "end": "16:00"}))
        .collect();
    let id = created["id"].as_str().unwrap();
    let expected = json!({"id": id, "name": "Ada Lovelace", "resource_type": "generic", "email": null, "phone": null,
        "time_zone": "UTC", "active": true, "capacity": 1, "hr_worker_number": null, "work_hours": week,
        "characteristics": [], "version": 1, "modified_at": created["modified_at"]});
    assert_eq!(created, expected, "defaults");
    let path = &format!("{RESOURCES}/{id}");
    assert_eq!(api.read(path).await, created);

    let bad = json!({"name": "", "resource_type": "robot"});
    api.post(RESOURCES, bad).await.problem(INVALID, &["resource_type"]);
    let bad = json!({"name": "", "email": "x", "phone": "call me", "time_zone": "Mars/Olympus", "capacity": 101,
        "work_hours": [{"weekday": "monday", "start": "08:00", "end": "12:00"},
                       {"weekday": "monday", "start": "11:00", "end": "13:00"},
                       {"weekday": "friday", "start": "10:00", "end": "9:00"}]});
    let fields = ["name", "email", "phone", "time_zone", "capacity", "work_hours[2].end", "work_hours[1].start"];
    api.post(RESOURCES, bad).await.problem(INVALID, &fields);

    // hr_worker_number: unique, set only at creation.
    let grace = json!({"name": "Grace Hopper", "resource_type": "worker", "hr_worker_number": "000042",
        "time_zone": "Europe/Oslo", "capacity": 2, "email": "grace@example.com",
        "work_hours": [{"weekday": "saturday", "start": "13:00", "end": "24:00"}]});
    let grace = api.create(RESOURCES, grace).await;
    assert_eq!(grace["work_hours"], json!([{"weekday": "saturday", "start": "13:00", "end": "24:00"}]));
    assert_eq!((&grace["time_zone"], &grace["capacity"]), (&json!("Europe/Oslo"), &json!(2)));
    let again = json!({"name": "Someone", "hr_worker_number": "000042"});
    api.post(RESOURCES, again).await.problem(CONFLICT, &["hr_worker_number"]);
    let grace_path = &format!("{RESOURCES}/{}", grace["id"].as_str().unwrap());
    for change in [json!("000043"), Value::Null] {
        let body =
            api.patch(grace_path, json!({"hr_worker_number": change})).await.problem(INVALID, &["hr_worker_number"]);
        assert!(body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("can only be set when the resource is created"));
    }
    let answer = api.patch(path, json!({"hr_worker_number": "000044"})).await;
    answer.problem(INVALID, &["hr_worker_number"]);
    let patched =
        api.patch(grace_path, json!({"active": false, "hr_worker_number": "000042", "work_hours": null})).await.is(OK);
    assert_eq!((&patched["active"], &patched["work_hours"], &patched["version"]), (&json!(false), &week, &json!(2)));

    // Listed by name, then id; keyset pages over equal names.
    let twin = api.create(RESOURCES, json!({"name": "Ada Lovelace"})).await;
    assert_eq!(api.keys(RESOURCES, "name").await, ["Ada Lovelace", "Ada Lovelace", "Grace Hopper"]);
    let mut ids = Vec::new();
    let mut next = String::new();
    loop {
        let page = api.read(&format!("{RESOURCES}?limit=1{next}")).await;
        ids.push(page["items"][0]["id"].clone());
        match page["next"].as_str() {
            Some(cursor) => next = format!("&after={cursor}"),
            None => break,
        }
    }
    assert_eq!(ids, [created["id"].clone(), twin["id"].clone(), grace["id"].clone()]);
    api.get(&format!("{RESOURCES}?after=bm9wZQ")).await.problem(INVALID, &["after"]);

    // Unknown and malformed ids are 404; a resource with bookings cannot go.
    api.get(&format!("{RESOURCES}/not-a-uuid")).await.problem(NOT_FOUND, &[]);
    api.get(&format!("{RESOURCES}/{}", uuid::Uuid::nil())).await.problem(NOT_FOUND, &[]);
    book(&app, grace_path, "canceled", "2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z").await;
    assert_eq!(
        api.delete(grace_path).await.detail(CONFLICT),
        "bookable resource 'Grace Hopper' is still used by 1 booking"
    );
    api.remove(path).await;
    api.get(path).await.problem(NOT_FOUND, &[]);
    api.delete(path).await.problem(NOT_FOUND, &[]);
    app.stop().await
}

async fn resource_characteristics(app: TestApp) {
    let api = Api::admin(&app).await;
    seed(&api).await;
    let ada = &resource(&api, json!({"name": "Ada"})).await;
    let rust = &format!("{ada}/characteristics/Rust");
    let set = api.put(rust, json!({"rating": 3})).await.is(OK);
    let expected = json!({"characteristic": "Rust", "version": 1, "characteristic_type": "skill", "rating": 3,
        "rating_name": "Competent", "issued_on": null, "expires_on": null, "expired": false});
    assert_eq!(set, expected);
    assert_eq!(api.put(rust, json!({"rating": "expert"})).await.is(OK)["rating"], 5, "by name, any case");
    assert_eq!(api.put(rust, json!({"rating": "1"})).await.is(OK)["rating_name"], "Novice", "a number as text");
    let body = api.put(rust, json!({"rating": 4})).await.problem(INVALID, &["rating"]);
    let listed = "4 is not a value of rating model 'Proficiency'; values are: Novice (1), Competent (3), Expert (5)";
    assert_eq!(body["errors"][0]["message"], listed);
    api.put(rust, json!({"rating": "Guru"})).await.problem(INVALID, &["rating"]);
    api.put(rust, json!({})).await.problem(INVALID, &["rating"]);
    api.put(rust, json!({"rating": true})).await.problem(INVALID, &["rating"]);

    let forklift = &format!("{ada}/characteristics/Forklift");
    api.put(forklift, json!({"rating": 1})).await.problem(INVALID, &["rating"]);
    let dates = json!({"issued_on": "2026-03-01", "expires_on": "2026-02-01"});
    api.put(forklift, dates).await.problem(INVALID, &["expires_on"]);
    let dates = json!({"issued_on": "2025-03-01", "expires_on": "2026-03-03"});
    assert_eq!(api.put(forklift, dates).await.is(OK)["expired"], false);
    api.put(&format!("{ada}/characteristics/Nope"), json!({})).await.problem(NOT_FOUND, &[]);
    let nobody = format!("{RESOURCES}/{}/characteristics/Rust", uuid::Uuid::nil());
    api.put(&nobody, json!({"rating": 1})).await.problem(NOT_FOUND, &[]);

    // Listed on the resource by name; expired once the clock passes expires_on.
    let held = |r: &Value| {
        r["characteristics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["characteristic"].clone(), c["expired"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(held(&api.read(ada).await), [(json!("Forklift"), json!(false)), (json!("Rust"), json!(false))]);
    app.clock.advance(chrono::Duration::days(2));
    let api = Api::admin(&app).await;
    assert_eq!(held(&api.read(ada).await), [(json!("Forklift"), json!(true)), (json!("Rust"), json!(false))]);
    api.remove(rust).await;
    api.delete(rust).await.problem(NOT_FOUND, &[]);
    assert_eq!(api.read(ada).await["characteristics"].as_array().unwrap().len(), 1);
    api.remove(ada).await;
    app.stop().await
}

async fn resource_requirements(app: TestApp) {
    let api = Api::admin(&app).await;
    seed(&api).await;
    let body = |from: &str, to: &str, minutes: i64, names: &[&str]| {
        let characteristics: Value = names.iter().map(|n| json!({"name": n, "min_rating": 3})).collect();
        json!({"name": "Install", "from": from, "to": to, "duration_minutes": minutes,
               "resource_types": ["worker", "crew", "worker"], "characteristics": characteristics})
    };
    let (from, to) = ("2026-03-02T08:00:00Z", "2026-03-02T12:00:00+01:00");
    let created = api.create(REQUIREMENTS, body(from, to, 180, &["Rust", "Forklift"])).await;
    let needed = json!([{"name": "Forklift", "characteristic_type": "certification", "min_rating": 3},
                        {"name": "Rust", "characteristic_type": "skill", "min_rating": 3}]);
    let summary = (&created["from"], &created["to"], &created["resource_types"], &created["characteristics"]);
    assert_eq!(
        summary,
        (&json!("2026-03-02T08:00:00Z"), &json!("2026-03-02T11:00:00Z"), &json!(["worker", "crew"]), &needed)
    );
    api.post(REQUIREMENTS, body(to, from, 60, &[])).await.problem(INVALID, &["to"]);
    api.post(REQUIREMENTS, body(from, to, 181, &[])).await.problem(INVALID, &["duration_minutes"]);
    api.post(REQUIREMENTS, body(from, to, 0, &[])).await.problem(INVALID, &["duration_minutes"]);
    let answer = api.post(REQUIREMENTS, body(from, to, 60, &["Rust", "Nope"])).await;
    answer.problem(INVALID, &["characteristics[1].name"]);
    api.post(REQUIREMENTS, json!({"name": "X", "from": "soon", "to": to, "duration_minutes": 1}))
        .await
        .problem(INVALID, &["from"]);

    let path = &format!("{REQUIREMENTS}/{}", created["id"].as_str().unwrap());
    assert_eq!(api.read(path).await, created);
    let patched = api
        .patch(path, json!({"characteristics": [{"name": "Rust", "min_rating": 5}], "resource_types": null}))
        .await
        .is(OK);
    let summary = (&patched["characteristics"][0]["min_rating"], &patched["resource_types"], &patched["version"]);
    assert_eq!(summary, (&json!(5), &json!([]), &json!(2)));
    let second = api.create(REQUIREMENTS, body(from, to, 60, &[])).await;
    assert_eq!(api.keys(REQUIREMENTS, "id").await, [created["id"].as_str().unwrap(), second["id"].as_str().unwrap()]);
    api.remove(path).await;
    api.get(path).await.problem(NOT_FOUND, &[]);
    api.get(&format!("{REQUIREMENTS}/dummy")).await.problem(NOT_FOUND, &[]);
    app.stop().await
}
