//! Builders shared by the integration tests.
#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;
use hrbridge_finder::{HeldCharacteristic, Interval, Query, Requirement, ResourceDoc, WorkPeriod, DEFAULT_LIMIT};
use uuid::Uuid;

pub fn t(s: &str) -> DateTime<Utc> {
    s.parse().expect("an RFC 3339 instant")
}

pub fn iv(start: &str, end: &str) -> Interval {
    Interval::new(t(start), t(end))
}

pub fn date(s: &str) -> NaiveDate {
    s.parse().expect("a date")
}

pub fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

/// An active worker in UTC, Monday–Friday 08:00–16:00, capacity 1, holding nothing.
pub fn doc(n: u128, name: &str) -> ResourceDoc {
    ResourceDoc {
        id: id(n),
        name: name.to_string(),
        resource_type: "worker".to_string(),
        active: true,
        time_zone: Tz::UTC,
        capacity: 1,
        work_hours: WorkPeriod::default_week(),
        characteristics: Vec::new(),
        hard_bookings: Vec::new(),
    }
}

pub fn every_day(start_minute: u16, end_minute: u16) -> Vec<WorkPeriod> {
    use Weekday::*;
    [Mon, Tue, Wed, Thu, Fri, Sat, Sun]
        .into_iter()
        .map(|weekday| WorkPeriod { weekday, start_minute, end_minute })
        .collect()
}

pub fn skill(name: &str, rating: i64) -> HeldCharacteristic {
    HeldCharacteristic { name: name.to_string(), rating: Some(rating), certification: false, expires_on: None }
}

pub fn cert(name: &str, rating: Option<i64>, expires_on: Option<&str>) -> HeldCharacteristic {
    HeldCharacteristic { name: name.to_string(), rating, certification: true, expires_on: expires_on.map(date) }
}

/// A query over the week of Monday 2024-06-03 (UTC), 40 working hours for the default doc.
pub fn query(reqs: &[(&str, i64)]) -> Query {
    Query {
        characteristics: reqs
            .iter()
            .map(|&(name, min_rating)| Requirement { name: name.to_string(), min_rating })
            .collect(),
        from: t("2024-06-03T00:00:00Z"),
        to: t("2024-06-10T00:00:00Z"),
        duration_minutes: 60,
        resource_types: None,
        limit: DEFAULT_LIMIT,
    }
}
