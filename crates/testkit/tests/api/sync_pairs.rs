//! The pair registry seen from outside: a pair that cannot take a change back into HR says so
//! in the error queue (nothing is dropped without a word), and every pair the default maps
//! name is registered.

use crate::common::integration::{errors, eventually, synced, turn_on};
use crate::common::{seed_catalog, Api, OK};
use hrbridge_store::sync::Pair;
use hrbridge_sync::maps::DEFAULT_MAPS;
use hrbridge_testkit::TestApp;
use serde_json::json;

/// The tests of this file, for the harness in `main.rs`.
pub fn tests() -> Vec<(&'static str, hrbridge_testkit::TestFn)> {
    vec![
        hrbridge_testkit::test_fn!(a_change_a_pair_cannot_take_back_goes_to_the_error_queue),
        hrbridge_testkit::test_fn!(every_default_map_names_a_registered_pair),
    ]
}

async fn a_change_a_pair_cannot_take_back_goes_to_the_error_queue(app: TestApp) {
    // A maps file that lets a skill's name flow back from the characteristic's description:
    // the skills pair takes nothing back into HR.
    let maps = DEFAULT_MAPS.replace(
        r#"{ hr = "name", scheduling = "description", direction = "hr_to_scheduling" },
  { hr = "rating_model""#,
        r#"{ hr = "name", scheduling = "description", direction = "both" },
  { hr = "rating_model""#,
    );
    assert_ne!(maps, DEFAULT_MAPS, "the skills map's name field is where this test expects it");
    let path = app.data_dir.path().join("maps.toml");
    std::fs::write(&path, maps).expect("write the maps file");
    let app = app.restart_with(true, |settings| settings.maps_file = Some(path)).await;
    let api = Api::admin(&app).await;
    seed_catalog(&api).await;
    turn_on(&api).await;
    assert_eq!(api.read("/scheduling/characteristics/RUST").await["description"], "Rust");

    api.patch("/scheduling/characteristics/RUST", json!({"description": "Rust, the language"})).await.is(OK);
    let queued = eventually("the skill's change to be set aside with its reason", || async {
        errors(&api).await.into_iter().find(|e| e["map_name"] == "skills" && e["entity_key"] == "RUST")
    })
    .await;
    let reason = queued["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("cannot be taken back into HR") && reason.contains("name"), "{queued}");
    synced(&api).await;
    assert_eq!(api.read("/hr/skills/RUST").await["name"], "Rust", "HR's skill is as it was");
    app.stop().await
}

async fn every_default_map_names_a_registered_pair(app: TestApp) {
    let maps = app.state.engine.maps();
    let registered: Vec<&str> = Pair::all().iter().map(|p| p.name()).collect();
    for pair in Pair::all() {
        let map = maps.by_pair(*pair).unwrap_or_else(|| panic!("a default map for {pair:?}"));
        assert_eq!(map.name(), pair.name(), "the default map of a pair carries its name");
    }
    assert_eq!(registered.len(), 6, "{registered:?}");
    app.stop().await
}
