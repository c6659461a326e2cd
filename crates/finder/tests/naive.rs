//! `search` and `free_intervals` against a plain linear scan that walks the window minute by
//! minute, on small random indexes built by random upserts, removes and bookings.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use hrbridge_finder::{HeldCharacteristic, Interval, Query, Requirement, ResourceDoc, ResourceIndex, WorkPeriod};
use proptest::prelude::*;
use uuid::Uuid;

const ZONES: [Tz; 6] = [
    Tz::UTC,
    chrono_tz::Europe::London,
    chrono_tz::America::New_York,
    chrono_tz::Asia::Kathmandu,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::Pacific::Chatham,
];
/// Days around DST changes of those zones (and one quiet day).
const BASE_DAYS: [&str; 6] = ["2024-03-30", "2024-10-26", "2024-11-02", "2024-04-06", "2024-10-05", "2024-06-03"];
const CHAR_NAMES: [&str; 4] = ["w", "f", "x", "y"];

fn base(day: usize) -> DateTime<Utc> {
    BASE_DAYS[day].parse::<NaiveDate>().unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc()
}

fn minute(day: usize, m: i64) -> DateTime<Utc> {
    base(day) + Duration::minutes(m)
}

fn weekday(n: u8) -> Weekday {
    Weekday::try_from(n).unwrap()
}

fn held(day: usize) -> impl Strategy<Value = HeldCharacteristic> {
    (0..3usize, prop::option::of(-1i64..6), any::<bool>(), prop::option::of(-2i64..5)).prop_map(
        move |(name, rating, certification, expires)| HeldCharacteristic {
            name: CHAR_NAMES[name].to_string(),
            rating,
            certification,
            expires_on: expires.map(|d| base(day).date_naive() + Duration::days(d)),
        },
    )
}

fn period() -> impl Strategy<Value = WorkPeriod> {
    (0u8..7, 0u16..96, 0u16..100).prop_map(|(day, start, len)| WorkPeriod {
        weekday: weekday(day),
        start_minute: start * 15,
        end_minute: (start + len) * 15,
    })
}

fn work_hours() -> impl Strategy<Value = Vec<WorkPeriod>> {
    let every_day = |start_minute, end_minute| {
        (0..7).map(move |d| WorkPeriod { weekday: weekday(d), start_minute, end_minute }).collect()
    };
    prop_oneof![
        Just(WorkPeriod::default_week()),
        Just(every_day(0, 1440)),
        Just(every_day(60, 180)),
        prop::collection::vec(period(), 0..6),
    ]
}

/// A doc whose times are minutes after base day `day`.
fn doc(day: usize) -> impl Strategy<Value = ResourceDoc> {
    (
        (0u128..10, 0..4usize, 0..2usize, prop::bool::weighted(0.85), 0..ZONES.len() * 2, 0u32..3),
        work_hours(),
        prop::collection::vec(held(day), 0..6),
        prop::collection::vec((-600i64..4000, 1i64..900), 0..3),
    )
        .prop_map(move |((id, name, ty, active, zone, capacity), work_hours, characteristics, bookings)| {
            ResourceDoc {
                id: Uuid::from_u128(id),
                name: ["a", "b", "shared sixteen-byte prefix 1", "shared sixteen-byte prefix 0"][name].to_string(),
                resource_type: ["worker", "equipment"][ty].to_string(),
                active,
                // Half of the docs share the day's own zone, so that ties are common.
                time_zone: ZONES[if zone < ZONES.len() { zone } else { day % ZONES.len() }],
                capacity,
                work_hours,
                characteristics,
                hard_bookings: bookings
                    .into_iter()
                    .map(|(s, len)| Interval::new(minute(day, s), minute(day, s + len)))
                    .collect(),
            }
        })
}

#[derive(Debug, Clone)]
enum Op {
    Upsert(ResourceDoc),
    Remove(u128),
    Book(u128, i64, i64),
    Unbook(u128, usize),
}

fn op(day: usize) -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => doc(day).prop_map(Op::Upsert),
        1 => (0u128..10).prop_map(Op::Remove),
        2 => (0u128..10, -600i64..4000, 1i64..900).prop_map(|(i, s, l)| Op::Book(i, s, l)),
        1 => (0u128..10, 0usize..4).prop_map(|(i, k)| Op::Unbook(i, k)),
    ]
}

fn query(day: usize) -> impl Strategy<Value = Query> {
    (
        prop::collection::vec((0..CHAR_NAMES.len() - 1, -1i64..3), 0..3),
        0i64..1440,
        0i64..2880,
        prop_oneof![2 => Just(0i64), 2 => 0i64..120, 1 => 0i64..1200],
        prop::option::weighted(0.3, prop::collection::vec(0..3usize, 0..3)),
        0usize..12,
    )
        .prop_map(move |(reqs, start, len, duration_minutes, types, limit)| Query {
            characteristics: reqs
                .into_iter()
                .map(|(n, min_rating)| Requirement { name: CHAR_NAMES[n].to_string(), min_rating })
                .collect(),
            from: minute(day, start),
            to: minute(day, start + len),
            duration_minutes,
            resource_types: types
                .map(|ts| ts.into_iter().map(|t| ["worker", "equipment", "crew"][t].to_string()).collect()),
            limit,
        })
}

/// The free minutes (their starts) of a doc in `[from, to)`, one minute at a time.
fn naive_free(doc: &ResourceDoc, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let mut free = Vec::new();
    let mut at = from;
    while at < to {
        let local = at.with_timezone(&doc.time_zone);
        let minute_of_day = (local.hour() * 60 + local.minute()) as u16;
        let working = doc.work_hours.iter().any(|p| {
            p.weekday == local.weekday() && p.start_minute <= minute_of_day && minute_of_day < p.end_minute.min(1440)
        });
        let booked = doc.hard_bookings.iter().filter(|b| b.start <= at && at < b.end).count();
        if working && (booked as u32) < doc.capacity {
            free.push(at);
        }
        at += Duration::minutes(1);
    }
    free
}

/// The best counting rating of a held characteristic, or None.
fn naive_rating(doc: &ResourceDoc, name: &str, to: DateTime<Utc>) -> Option<i64> {
    doc.characteristics
        .iter()
        .filter(|c| c.name == name)
        .filter(|c| !(c.certification && c.expires_on.is_some_and(|d| d < to.date_naive())))
        .map(|c| c.rating.unwrap_or(0))
        .max()
}

/// (id, score, free minutes, ratings) of the matches, in rank order.
type Row = (Uuid, i64, i64, Vec<i64>);

fn naive_search(docs: &BTreeMap<Uuid, ResourceDoc>, q: &Query) -> Vec<Row> {
    let mut rows: Vec<(Row, String)> = Vec::new();
    'docs: for doc in docs.values() {
        if !doc.active {
            continue;
        }
        if let Some(types) = &q.resource_types {
            if !types.contains(&doc.resource_type) {
                continue;
            }
        }
        let mut score = 0;
        let mut ratings = Vec::new();
        for req in &q.characteristics {
            match naive_rating(doc, &req.name, q.to) {
                Some(r) if r >= req.min_rating => {
                    score += r - req.min_rating;
                    ratings.push(r);
                }
                _ => continue 'docs,
            }
        }
        let free = naive_free(doc, q.from, q.to).len() as i64;
        if free >= q.duration_minutes {
            rows.push(((doc.id, score, free, ratings), doc.name.clone()));
        }
    }
    rows.sort_by(|(a, an), (b, bn)| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(an.cmp(bn)).then(a.0.cmp(&b.0)));
    rows.truncate(q.limit.clamp(1, 1000));
    rows.into_iter().map(|(row, _)| row).collect()
}

fn apply(index: &mut ResourceIndex, model: &mut BTreeMap<Uuid, ResourceDoc>, op: Op, day: usize) {
    match op {
        Op::Upsert(doc) => {
            model.insert(doc.id, doc.clone());
            index.upsert(doc);
        }
        Op::Remove(n) => {
            let id = Uuid::from_u128(n);
            assert_eq!(index.remove(id), model.remove(&id).is_some());
        }
        Op::Book(n, start, len) => {
            let id = Uuid::from_u128(n);
            let interval = Interval::new(minute(day, start), minute(day, start + len));
            let known = model.get_mut(&id).map(|d| d.hard_bookings.push(interval)).is_some();
            assert_eq!(index.add_hard_booking(id, interval), known);
        }
        Op::Unbook(n, k) => {
            let id = Uuid::from_u128(n);
            let Some(doc) = model.get_mut(&id) else { return };
            if k < doc.hard_bookings.len() {
                let interval = doc.hard_bookings.remove(k);
                assert!(index.remove_hard_booking(id, interval));
            }
        }
    }
}

fn scenario() -> impl Strategy<Value = (usize, Vec<Op>, Vec<Query>)> {
    (0..BASE_DAYS.len()).prop_flat_map(|day| {
        (Just(day), prop::collection::vec(op(day), 5..60), prop::collection::vec(query(day), 1..4))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn search_agrees_with_a_linear_scan((day, ops, queries) in scenario()) {
        let mut index = ResourceIndex::new();
        let mut model = BTreeMap::new();
        for op in ops {
            apply(&mut index, &mut model, op, day);
        }
        prop_assert_eq!(index.len(), model.len());
        for q in &queries {
            let got: Vec<Row> = index
                .search(q)
                .into_iter()
                .map(|m| (m.id, m.score, m.free_minutes, m.matched.iter().map(|c| c.rating).collect()))
                .collect();
            eprintln!("STAT {} {}", got.len(), got.windows(2).filter(|w| w[0].1 == w[1].1 && w[0].2 == w[1].2).count());
            prop_assert_eq!(got, naive_search(&model, q), "query {:?}", q);
        }
        let q = &queries[0];
        for doc in model.values() {
            let pieces = index.free_intervals(doc.id, q.from, q.to);
            prop_assert!(pieces.windows(2).all(|w| w[0].end < w[1].start), "sorted, apart");
            let minutes: Vec<DateTime<Utc>> = pieces
                .iter()
                .flat_map(|p| {
                    let n = (p.end - p.start).num_minutes();
                    (0..n).map(move |i| p.start + Duration::minutes(i))
                })
                .collect();
            prop_assert_eq!(minutes, naive_free(doc, q.from, q.to), "doc {:?}", doc);
        }
    }
}
