//! The in-memory index behind hrbridge's resource finder.
//!
//! Pure: no IO, no async, no database. Whoever owns the scheduling store feeds a
//! [`ResourceIndex`] with [`ResourceDoc`]s at start ([`ResourceIndex::upsert`], or
//! `collect()`/`extend`) and keeps it fresh from the outbox (`upsert`, `remove`,
//! `add_hard_booking`, `remove_hard_booking`). The index is `Send + Sync`; searches take `&self`.
//!
//! ```
//! use hrbridge_finder::*;
//!
//! let mut index = ResourceIndex::new();
//! index.upsert(ResourceDoc {
//!     id: uuid::Uuid::from_u128(1),
//!     name: "Ann".into(),
//!     resource_type: "worker".into(),
//!     active: true,
//!     time_zone: chrono_tz::Europe::London,
//!     capacity: 1,
//!     work_hours: WorkPeriod::default_week(),
//!     characteristics: vec![HeldCharacteristic {
//!         name: "Welding".into(),
//!         rating: Some(5),
//!         certification: false,
//!         expires_on: None,
//!     }],
//!     hard_bookings: vec![],
//! });
//! let found = index.search(&Query {
//!     characteristics: vec![Requirement { name: "Welding".into(), min_rating: 3 }],
//!     from: "2024-06-03T00:00:00Z".parse().unwrap(),
//!     to: "2024-06-17T00:00:00Z".parse().unwrap(),
//!     duration_minutes: 8 * 60,
//!     resource_types: None,
//!     limit: DEFAULT_LIMIT,
//! });
//! assert_eq!(found[0].score, 2);
//! assert_eq!(found[0].reason, "holds Welding 5 (min 3); 80 free hours in the window");
//! ```
//!
//! # What a search matches
//!
//! A resource matches a [`Query`] when all of these hold:
//!
//! - it is `active`;
//! - when `resource_types` is given, its `resource_type` is one of them (exact strings; an
//!   empty list therefore matches nothing);
//! - it holds **every** required characteristic (by exact, case-sensitive name) with a rating
//!   ≥ `min_rating`. A held characteristic with no rating counts as rating 0. A certification
//!   whose `expires_on` is before the window's end date (the UTC date of `to`) does not count;
//!   skills never expire. When a resource holds a name more than once, its best counting
//!   rating is used;
//! - its free working time in the window is ≥ `duration_minutes` (in total, not necessarily in
//!   one piece).
//!
//! With no required characteristics, every active resource of the wanted types with enough free
//! time matches.
//!
//! # Free time
//!
//! Working time is the resource's weekly [`WorkPeriod`]s in its own time zone, intersected with
//! `[from, to)`. An instant is working time when its wall-clock time in the zone falls in a
//! period of that local weekday, so across a DST change a day's hours stay the same wall-clock
//! hours: hours skipped by a spring-forward jump are not worked, and a repeated autumn hour
//! inside a period is worked twice. From that, remove the time where the resource's hard
//! bookings already overlap `capacity` times or more (capacity 0: never free). Bookings that end
//! when another starts do not overlap. `free_minutes` is the total rounded down to the minute.
//! [`ResourceIndex::free_intervals`] returns the same free time as intervals.
//!
//! # Ranking
//!
//! `score` = Σ(rating − min_rating) over the requirements (0 with none). Matches are ordered by
//! score descending, then `free_minutes` descending, then name, then id (both ascending, by
//! bytes), so the order is total and stable. `rank` is 1-based. At most `limit` matches are
//! returned, with `limit` clamped to `1..=1000` ([`MAX_LIMIT`]; callers default to
//! [`DEFAULT_LIMIT`], 100). `reason` is a sentence such as
//! "holds Welding 5 (min 3), Forklift 2 (min 1); 37.5 free hours in the window".
//!
//! # How it is fast
//!
//! Each resource gets a dense `u32` slot (reused after removal). Per characteristic name there
//! is a roaring bitmap per exact rating (plus one of all holders), so "holds X at ≥ min" is a
//! borrowed bitmap or a union of a few; per resource type a bitmap; one bitmap of active
//! resources. A search intersects those, smallest first, and only then checks expiry, computes
//! free time and scores the survivors. Calendars (zone + periods) are interned, so their
//! expansion over the window is done once per distinct calendar per search, and a resource with
//! no hard booking in the window costs a lookup. The top `limit` are picked with
//! `select_nth_unstable` before sorting.

mod calendar;
mod doc;
mod free_time;
mod index;
mod search;

pub use doc::{
    HeldCharacteristic, Interval, Match, MatchedCharacteristic, Query, Requirement, ResourceDoc, WorkPeriod,
    DEFAULT_LIMIT, MAX_LIMIT,
};
pub use index::ResourceIndex;
