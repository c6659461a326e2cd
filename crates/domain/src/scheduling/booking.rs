//! Bookings: a resource for a span of time, with a status. Hard bookings consume capacity; soft
//! and proposed ones do not; canceled ones free it.

use crate::error::ValidationErrors;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    Proposed,
    Soft,
    #[default]
    Hard,
    Canceled,
}

impl BookingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Proposed => "proposed",
            BookingStatus::Soft => "soft",
            BookingStatus::Hard => "hard",
            BookingStatus::Canceled => "canceled",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "proposed" => Some(BookingStatus::Proposed),
            "soft" => Some(BookingStatus::Soft),
            "hard" => Some(BookingStatus::Hard),
            "canceled" => Some(BookingStatus::Canceled),
            _ => None,
        }
    }
}

/// The longest booking accepted: 31 days.
pub const MAX_BOOKING_DAYS: i64 = 31;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingInput {
    pub resource_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirement_id: Option<Uuid>,
    #[serde(deserialize_with = "crate::value::sane_time")]
    pub start: DateTime<Utc>,
    #[serde(deserialize_with = "crate::value::sane_time")]
    pub end: DateTime<Utc>,
    /// `hard` when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<BookingStatus>,
    /// Book a hard booking even where the resource's capacity is already taken.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_overlap: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewBooking {
    pub resource_id: Uuid,
    pub requirement_id: Option<Uuid>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub status: BookingStatus,
    pub allow_overlap: bool,
}

impl BookingInput {
    pub fn parse(self) -> Result<NewBooking, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if self.end <= self.start {
            errors.add("end", format!("must be after start ({})", self.start));
        } else if self.end - self.start > chrono::Duration::days(MAX_BOOKING_DAYS) {
            errors.add("end", format!("a booking may last at most {MAX_BOOKING_DAYS} days"));
        }
        errors.into_result(|| NewBooking {
            resource_id: self.resource_id,
            requirement_id: self.requirement_id,
            start: self.start,
            end: self.end,
            status: self.status.unwrap_or_default(),
            allow_overlap: self.allow_overlap,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Booking {
    pub id: Uuid,
    pub resource_id: Uuid,
    pub resource_name: String,
    pub requirement_id: Option<Uuid>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub status: BookingStatus,
    pub version: i64,
    pub modified_at: DateTime<Utc>,
}

impl Booking {
    pub fn to_input(&self) -> BookingInput {
        BookingInput {
            resource_id: self.resource_id,
            requirement_id: self.requirement_id,
            start: self.start,
            end: self.end,
            status: Some(self.status),
            allow_overlap: false,
        }
    }
}

/// Book a match in one call: the first free span of `duration_minutes` in the resource's
/// working time within the window.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookMatchInput {
    pub resource_id: Uuid,
    #[serde(deserialize_with = "crate::value::sane_time")]
    pub from: DateTime<Utc>,
    #[serde(deserialize_with = "crate::value::sane_time")]
    pub to: DateTime<Utc>,
    pub duration_minutes: i64,
    #[serde(default)]
    pub requirement_id: Option<Uuid>,
    /// `hard` when not given; a match can be booked `soft` or `proposed` too.
    #[serde(default)]
    pub status: Option<BookingStatus>,
}

impl BookMatchInput {
    pub fn check(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if self.to <= self.from {
            errors.add("to", "must be after from");
        } else if self.to - self.from > chrono::Duration::days(super::search::MAX_SEARCH_DAYS) {
            errors.add("to", format!("a window may span at most {} days", super::search::MAX_SEARCH_DAYS));
        }
        if self.duration_minutes < 1 {
            errors.add("duration_minutes", "must be at least 1");
        } else if self.to > self.from && self.duration_minutes > (self.to - self.from).num_minutes() {
            errors.add("duration_minutes", "must fit in the window from..to");
        } else if self.duration_minutes > MAX_BOOKING_DAYS * 24 * 60 {
            errors.add("duration_minutes", format!("a booking may last at most {MAX_BOOKING_DAYS} days"));
        }
        if self.status == Some(BookingStatus::Canceled) {
            errors.add("status", "a match is booked proposed, soft or hard");
        }
        errors.into_result(|| ())
    }
}

/// The most bookings of `bookings` that overlap at any one instant of `[start, end)`.
pub fn peak_overlap(bookings: &[(DateTime<Utc>, DateTime<Utc>)], start: DateTime<Utc>, end: DateTime<Utc>) -> usize {
    let mut edges: Vec<(DateTime<Utc>, i32)> = Vec::new();
    for &(s, e) in bookings {
        if s < end && e > start {
            edges.push((s.max(start), 1));
            edges.push((e.min(end), -1));
        }
    }
    // Ends sort before starts at the same instant: back-to-back bookings do not overlap.
    edges.sort();
    let (mut now, mut peak) = (0i32, 0i32);
    for (_, delta) in edges {
        now += delta;
        peak = peak.max(now);
    }
    peak as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32) -> DateTime<Utc> {
        DateTime::from_timestamp(1_772_438_400 + i64::from(h) * 3600, 0).unwrap()
    }

    #[test]
    fn peak_overlap_counts_concurrent_bookings_in_the_span() {
        let bookings = [(at(8), at(12)), (at(10), at(14)), (at(14), at(16)), (at(20), at(22))];
        assert_eq!(peak_overlap(&bookings, at(9), at(11)), 2);
        assert_eq!(peak_overlap(&bookings, at(12), at(15)), 1, "back to back is not overlap");
        assert_eq!(peak_overlap(&bookings, at(16), at(20)), 0);
        assert_eq!(peak_overlap(&bookings, at(0), at(23)), 2);
    }

    #[test]
    fn a_booking_must_end_after_it_starts() {
        let input = BookingInput {
            resource_id: Uuid::nil(),
            requirement_id: None,
            start: at(10),
            end: at(9),
            status: None,
            allow_overlap: false,
        };
        assert_eq!(input.parse().unwrap_err().0[0].field, "end");
    }
}
