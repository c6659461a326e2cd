//! Builds an index of 100,000 resources with 10 characteristics each (from 200 names, ratings
//! 1–5) and times 1,000 searches per scenario.
//!
//! `cargo run --release -p hrbridge-finder --example search_perf [-- RESOURCES SEARCHES]`

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc, Weekday};
use chrono_tz::Tz;
use hrbridge_finder::{HeldCharacteristic, Interval, Query, Requirement, ResourceDoc, ResourceIndex, WorkPeriod};
use uuid::Uuid;

const NAMES: usize = 200;
const PER_RESOURCE: usize = 10;
/// Names from this index on are certifications (with an expiry date).
const FIRST_CERTIFICATION: usize = 150;

/// splitmix64: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn day0() -> DateTime<Utc> {
    "2025-06-02T00:00:00Z".parse().expect("a valid instant")
}

fn name(i: usize) -> String {
    format!("skill-{i:03}")
}

fn work_hours(rng: &mut Rng) -> Vec<WorkPeriod> {
    use Weekday::*;
    if rng.chance(80) {
        return WorkPeriod::default_week();
    }
    let start = (6 + rng.below(5) as u16) * 60;
    let end = start + (6 + rng.below(5) as u16) * 60;
    let days: &[Weekday] =
        if rng.chance(50) { &[Mon, Tue, Wed, Thu, Fri, Sat] } else { &[Mon, Tue, Wed, Thu, Fri, Sat, Sun] };
    days.iter().map(|&weekday| WorkPeriod { weekday, start_minute: start, end_minute: end }).collect()
}

fn resource(n: usize, rng: &mut Rng) -> ResourceDoc {
    const ZONES: [Tz; 6] = [
        Tz::UTC,
        chrono_tz::Europe::London,
        chrono_tz::Europe::Berlin,
        chrono_tz::America::New_York,
        chrono_tz::Asia::Kolkata,
        chrono_tz::Australia::Sydney,
    ];
    let mut picked: Vec<usize> = Vec::with_capacity(PER_RESOURCE);
    while picked.len() < PER_RESOURCE {
        let c = rng.below(NAMES as u64) as usize;
        if !picked.contains(&c) {
            picked.push(c);
        }
    }
    let expiry_base = NaiveDate::from_ymd_opt(2025, 1, 1).expect("a valid date");
    let characteristics = picked
        .into_iter()
        .map(|c| HeldCharacteristic {
            name: name(c),
            rating: Some(1 + rng.below(5) as i64),
            certification: c >= FIRST_CERTIFICATION,
            expires_on: (c >= FIRST_CERTIFICATION).then(|| expiry_base + TimeDelta::days(rng.below(900) as i64)),
        })
        .collect();
    let hard_bookings = (0..rng.below(7))
        .map(|_| {
            let start = day0() + TimeDelta::hours(rng.below(6 * 7 * 24) as i64);
            Interval::new(start, start + TimeDelta::hours(2 + rng.below(7) as i64))
        })
        .collect();
    let resource_type = match rng.below(20) {
        0..=15 => "worker",
        16..=17 => "equipment",
        18 => "facility",
        _ => "crew",
    };
    ResourceDoc {
        id: Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 + n as u128),
        name: format!("Resource {n:06}"),
        resource_type: resource_type.to_string(),
        active: rng.chance(95),
        time_zone: ZONES[rng.below(ZONES.len() as u64) as usize],
        capacity: if rng.chance(90) { 1 } else { 2 + rng.below(3) as u32 },
        work_hours: work_hours(rng),
        characteristics,
        hard_bookings,
    }
}

fn query(rng: &mut Rng, required: usize) -> Query {
    let mut names: Vec<usize> = Vec::new();
    while names.len() < required {
        let c = rng.below(NAMES as u64) as usize;
        if !names.contains(&c) {
            names.push(c);
        }
    }
    let from = day0() + TimeDelta::days(rng.below(28) as i64);
    Query {
        characteristics: names
            .into_iter()
            .map(|c| Requirement { name: name(c), min_rating: 1 + rng.below(3) as i64 })
            .collect(),
        from,
        to: from + TimeDelta::days(14),
        duration_minutes: 60 * (8 + rng.below(33) as i64),
        resource_types: rng.chance(20).then(|| vec!["worker".to_string()]),
        limit: 100,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn scenario(index: &ResourceIndex, label: &str, required: usize, searches: usize, seed: u64) {
    let mut rng = Rng(seed);
    let queries: Vec<Query> = (0..searches).map(|_| query(&mut rng, required)).collect();
    for q in queries.iter().take(20) {
        std::hint::black_box(index.search(q));
    }
    let mut times = Vec::with_capacity(searches);
    let mut matches = 0usize;
    for q in &queries {
        let started = Instant::now();
        let found = std::hint::black_box(index.search(q));
        times.push(started.elapsed());
        matches += found.len();
    }
    times.sort_unstable();
    println!(
        "{label:<34} p50 {:>8.3} ms  p99 {:>8.3} ms  max {:>8.3} ms  mean matches {:>6.1}",
        ms(percentile(&times, 0.50)),
        ms(percentile(&times, 0.99)),
        ms(*times.last().expect("at least one search")),
        matches as f64 / searches as f64,
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let resources: usize = args.next().map_or(100_000, |a| a.parse().expect("RESOURCES"));
    let searches: usize = args.next().map_or(1_000, |a| a.parse().expect("SEARCHES"));

    let mut rng = Rng(42);
    let docs: Vec<ResourceDoc> = (0..resources).map(|n| resource(n, &mut rng)).collect();
    let started = Instant::now();
    let index: ResourceIndex = docs.into_iter().collect();
    let build = started.elapsed();
    println!(
        "built index of {} resources x {PER_RESOURCE} characteristics ({NAMES} names) in {:.1} ms",
        index.len(),
        ms(build)
    );

    println!("{searches} searches each, two-week windows, limit 100:");
    scenario(&index, "3 required characteristics (target)", 3, searches, 7);
    scenario(&index, "1 required characteristic", 1, searches, 8);
    scenario(&index, "no required characteristic", 0, searches / 10, 9);
}
