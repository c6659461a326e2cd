mod common;

use common::*;
use hrbridge_finder::{Match, MatchedCharacteristic, Query, ResourceIndex};
use uuid::Uuid;

fn ids(matches: &[Match]) -> Vec<Uuid> {
    matches.iter().map(|m| m.id).collect()
}

fn with_chars(n: u128, name: &str, chars: Vec<hrbridge_finder::HeldCharacteristic>) -> hrbridge_finder::ResourceDoc {
    let mut d = doc(n, name);
    d.characteristics = chars;
    d
}

#[test]
fn ranks_by_score_then_free_time_then_name_then_id() {
    let mut index = ResourceIndex::new();
    index.upsert(with_chars(1, "Zed", vec![skill("Welding", 5), skill("Forklift", 2)]));
    index.upsert(with_chars(2, "Amy", vec![skill("Welding", 3), skill("Forklift", 1)]));
    let mut busy = with_chars(3, "Bea", vec![skill("Welding", 4), skill("Forklift", 3)]);
    busy.hard_bookings = vec![iv("2024-06-03T08:00:00Z", "2024-06-03T12:00:00Z")];
    index.upsert(busy);
    index.upsert(with_chars(4, "Cal", vec![skill("Welding", 4), skill("Forklift", 3)]));
    index.upsert(with_chars(6, "Cal", vec![skill("Welding", 5), skill("Forklift", 2)]));
    index.upsert(with_chars(5, "Cal", vec![skill("Welding", 5), skill("Forklift", 2)]));
    index.upsert(with_chars(7, "Dan", vec![skill("Welding", 5)]));

    let matches = index.search(&query(&[("Welding", 3), ("Forklift", 1)]));
    // Scores: Zed 3, Cal(4/5/6) 3, Bea 3 but 4 hours booked, Amy 0; Dan lacks Forklift.
    assert_eq!(ids(&matches), vec![id(4), id(5), id(6), id(1), id(3), id(2)]);
    assert_eq!(matches.iter().map(|m| m.rank).collect::<Vec<_>>(), vec![1, 2, 3, 4, 5, 6]);
    assert_eq!(matches[0].score, 3);
    assert_eq!(matches[0].free_minutes, 40 * 60);
    assert_eq!(matches[4].free_minutes, 36 * 60);
    assert_eq!(matches[5].score, 0);
    assert_eq!(
        matches[3].matched,
        vec![
            MatchedCharacteristic { name: "Welding".into(), rating: 5, min_rating: 3 },
            MatchedCharacteristic { name: "Forklift".into(), rating: 2, min_rating: 1 },
        ]
    );
    assert_eq!(matches[3].reason, "holds Welding 5 (min 3), Forklift 2 (min 1); 40 free hours in the window");
    assert_eq!(matches[3].name, "Zed");
    assert_eq!(matches[3].resource_type, "worker");
}

#[test]
fn limit_is_clamped_and_keeps_the_best() {
    let mut index = ResourceIndex::new();
    for n in 0..30u128 {
        index.upsert(with_chars(n, &format!("r{n:02}"), vec![skill("Welding", (n % 5) as i64 + 1)]));
    }
    let mut q = query(&[("Welding", 1)]);
    q.limit = 4;
    let top = index.search(&q);
    assert_eq!(top.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["r04", "r09", "r14", "r19"]);
    q.limit = 0;
    assert_eq!(index.search(&q).len(), 1);
    q.limit = 5000;
    assert_eq!(index.search(&q).len(), 30);
}

#[test]
fn expired_certifications_do_not_count() {
    let mut index = ResourceIndex::new();
    // The window ends 2024-06-10T00:00Z, so its end date is 2024-06-10.
    index.upsert(with_chars(1, "expired", vec![cert("Crane", Some(3), Some("2024-06-09"))]));
    index.upsert(with_chars(2, "last day", vec![cert("Crane", Some(3), Some("2024-06-10"))]));
    index.upsert(with_chars(3, "no expiry", vec![cert("Crane", Some(3), None)]));
    let mut skill_with_date = skill("Crane", 3);
    skill_with_date.expires_on = Some(date("2020-01-01"));
    index.upsert(with_chars(4, "skills never expire", vec![skill_with_date]));
    index.upsert(with_chars(
        5,
        "best valid holding",
        vec![cert("Crane", Some(5), Some("2024-01-01")), cert("Crane", Some(2), None)],
    ));

    let found = index.search(&query(&[("Crane", 1)]));
    let names: Vec<&str> = found.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["last day", "no expiry", "skills never expire", "best valid holding"]);
    assert_eq!(found[3].matched[0].rating, 2);
    assert!(index.search(&query(&[("Crane", 3)])).iter().all(|m| m.id != id(5)));

    let mut earlier = query(&[("Crane", 1)]);
    earlier.to = t("2024-06-05T00:00:00Z");
    assert_eq!(index.search(&earlier).len(), 5);
}

#[test]
fn resource_types_and_active_filter() {
    let mut index = ResourceIndex::new();
    index.upsert(with_chars(1, "worker", vec![skill("Lift", 1)]));
    let mut forklift = with_chars(2, "forklift", vec![skill("Lift", 1)]);
    forklift.resource_type = "equipment".into();
    index.upsert(forklift);
    let mut retired = with_chars(3, "retired", vec![skill("Lift", 1)]);
    retired.active = false;
    index.upsert(retired);

    let mut q = query(&[("Lift", 1)]);
    assert_eq!(ids(&index.search(&q)), vec![id(2), id(1)]);
    q.resource_types = Some(vec!["equipment".into()]);
    assert_eq!(ids(&index.search(&q)), vec![id(2)]);
    q.resource_types = Some(vec!["equipment".into(), "worker".into(), "crew".into()]);
    assert_eq!(index.search(&q).len(), 2);
    q.resource_types = Some(vec!["facility".into()]);
    assert!(index.search(&q).is_empty());
    q.resource_types = Some(vec![]);
    assert!(index.search(&q).is_empty(), "an empty list admits no type");
}

#[test]
fn no_requirements_matches_every_active_resource_with_time() {
    let mut index = ResourceIndex::new();
    index.upsert(doc(1, "free"));
    let mut booked = doc(2, "booked");
    booked.hard_bookings = vec![iv("2024-06-03T00:00:00Z", "2024-06-07T12:00:00Z")];
    index.upsert(booked);
    let mut q = query(&[]);
    q.duration_minutes = 8 * 60;
    let found = index.search(&q);
    assert_eq!(ids(&found), vec![id(1)]);
    assert_eq!(found[0].score, 0);
    assert_eq!(found[0].reason, "no characteristics required; 40 free hours in the window");
    q.duration_minutes = 4 * 60;
    assert_eq!(ids(&index.search(&q)), vec![id(1), id(2)]);
    q.duration_minutes = 40 * 60 + 1;
    assert!(index.search(&q).is_empty());
}

#[test]
fn missing_ratings_count_as_zero_and_unknown_names_match_nothing() {
    let mut index = ResourceIndex::new();
    index.upsert(with_chars(1, "unrated", vec![cert("First aid", None, None)]));
    assert_eq!(index.search(&query(&[("First aid", 0)])).len(), 1);
    assert_eq!(index.search(&query(&[("First aid", -2)]))[0].score, 2);
    assert!(index.search(&query(&[("First aid", 1)])).is_empty());
    assert!(index.search(&query(&[("first aid", 0)])).is_empty(), "names are exact");
    assert!(index.search(&query(&[("First aid", 0), ("Diving", 0)])).is_empty());
}

#[test]
fn upsert_replaces_the_whole_document() {
    let mut index = ResourceIndex::new();
    index.upsert(with_chars(1, "Ann", vec![skill("Welding", 5)]));
    index.upsert(with_chars(2, "Bob", vec![skill("Welding", 2)]));
    let mut replaced = with_chars(1, "Ann B.", vec![skill("Painting", 4)]);
    replaced.resource_type = "crew".into();
    index.upsert(replaced);

    assert_eq!(index.len(), 2);
    assert_eq!(ids(&index.search(&query(&[("Welding", 1)]))), vec![id(2)]);
    let painters = index.search(&query(&[("Painting", 4)]));
    assert_eq!(ids(&painters), vec![id(1)]);
    assert_eq!(painters[0].name, "Ann B.");
    let mut workers = query(&[]);
    workers.resource_types = Some(vec!["worker".into()]);
    assert_eq!(ids(&index.search(&workers)), vec![id(2)]);
    assert_eq!(index.get(id(1)).map(|d| d.name), Some("Ann B.".to_string()));
}

#[test]
fn remove_forgets_the_resource_and_reuses_its_slot() {
    let mut index = ResourceIndex::new();
    index.upsert(with_chars(1, "Ann", vec![skill("Welding", 5)]));
    index.upsert(with_chars(2, "Bob", vec![skill("Welding", 2)]));
    assert!(index.remove(id(1)));
    assert!(!index.remove(id(1)));
    assert_eq!(index.len(), 1);
    assert!(index.get(id(1)).is_none());
    assert_eq!(ids(&index.search(&query(&[("Welding", 1)]))), vec![id(2)]);

    index.upsert(with_chars(3, "Cy", vec![skill("Diving", 1)]));
    assert_eq!(ids(&index.search(&query(&[("Welding", 1)]))), vec![id(2)]);
    assert_eq!(ids(&index.search(&query(&[("Diving", 1)]))), vec![id(3)]);
    index.remove(id(2));
    index.remove(id(3));
    assert!(index.is_empty());
    assert!(index.search(&query(&[])).is_empty());
}

#[test]
fn index_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<ResourceIndex>();
}

#[test]
fn query_json_defaults() {
    let q: Query = serde_json::from_value(serde_json::json!({
        "characteristics": [{"name": "Welding", "min_rating": 3}],
        "from": "2024-06-03T00:00:00Z",
        "to": "2024-06-17T00:00:00Z",
        "duration_minutes": 480
    }))
    .unwrap();
    assert_eq!(q.limit, 100);
    assert_eq!(q.resource_types, None);
    let m = serde_json::to_value(Match {
        id: id(1),
        name: "Ann".into(),
        resource_type: "worker".into(),
        rank: 1,
        score: 2,
        matched: vec![],
        free_minutes: 60,
        reason: "r".into(),
    })
    .unwrap();
    assert_eq!(m["free_minutes"], 60);
}

#[test]
fn get_puts_the_document_back_together() {
    let mut index = ResourceIndex::new();
    let mut ann = with_chars(
        1,
        "Ann",
        vec![
            skill("Welding", 5),
            cert("Forklift licence", None, Some("2024-06-05")),
            hrbridge_finder::HeldCharacteristic {
                name: "Painting".into(),
                rating: None,
                certification: false,
                expires_on: Some(date("2030-01-01")),
            },
        ],
    );
    ann.resource_type = "crew".into();
    ann.active = false;
    ann.capacity = 3;
    ann.time_zone = chrono_tz::Europe::Paris;
    ann.hard_bookings = vec![iv("2024-06-04T09:00:00Z", "2024-06-04T10:00:00Z")];
    index.upsert(ann.clone());
    assert_eq!(index.get(id(1)), Some(ann.clone()));

    // Bookings added and removed afterwards show too, in order.
    let early = iv("2024-06-03T09:00:00Z", "2024-06-03T09:30:00Z");
    assert!(index.add_hard_booking(id(1), early));
    let mut booked = ann.clone();
    booked.hard_bookings.insert(0, early);
    assert_eq!(index.get(id(1)).map(|d| d.hard_bookings), Some(booked.hard_bookings));
    assert!(index.remove_hard_booking(id(1), early));
    assert!(!index.remove_hard_booking(id(1), early));
    assert_eq!(index.iter().collect::<Vec<_>>(), vec![ann]);
}
