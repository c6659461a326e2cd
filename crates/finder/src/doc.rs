//! The values fed into the index and the values a search returns.

use chrono::{DateTime, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One weekly working period, in local (wall-clock) time of the resource's zone.
///
/// `start_minute` is in `0..1440` and `end_minute` in `1..=1440` (1440 = the following
/// midnight); the end is exclusive. A period with `end_minute <= start_minute` is ignored, and
/// an `end_minute` above 1440 is read as 1440. Overlapping periods are merged, never counted
/// twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WorkPeriod {
    pub weekday: Weekday,
    pub start_minute: u16,
    pub end_minute: u16,
}

impl WorkPeriod {
    /// The default calendar of a bookable resource: Monday to Friday, 08:00 to 16:00.
    pub fn default_week() -> Vec<WorkPeriod> {
        use Weekday::*;
        [Mon, Tue, Wed, Thu, Fri]
            .into_iter()
            .map(|weekday| WorkPeriod { weekday, start_minute: 8 * 60, end_minute: 16 * 60 })
            .collect()
    }
}

/// A characteristic a resource holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldCharacteristic {
    /// The characteristic's name, matched exactly (case-sensitive) against requirements.
    pub name: String,
    /// The rating value; `None` counts as rating 0.
    pub rating: Option<i64>,
    /// Whether the characteristic is a certification (only certifications expire).
    pub certification: bool,
    /// The last day a certification is valid. Ignored for skills.
    pub expires_on: Option<NaiveDate>,
}

/// A half-open interval of time `[start, end)`. Sub-microsecond precision is ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Interval {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Interval {
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        Interval { start, end }
    }
}

/// Everything the finder needs to know about one bookable resource.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceDoc {
    pub id: Uuid,
    pub name: String,
    pub resource_type: String,
    pub active: bool,
    pub time_zone: chrono_tz::Tz,
    /// How many hard bookings may overlap before the resource is fully booked (0: never free).
    pub capacity: u32,
    pub work_hours: Vec<WorkPeriod>,
    pub characteristics: Vec<HeldCharacteristic>,
    /// Hard bookings only: soft and proposed bookings do not consume capacity, canceled ones
    /// are gone. The index keeps them sorted by start.
    pub hard_bookings: Vec<Interval>,
}

/// A required characteristic with its minimum rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    pub name: String,
    #[serde(default)]
    pub min_rating: i64,
}

/// A resource search: see the crate documentation for its exact meaning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Query {
    #[serde(default)]
    pub characteristics: Vec<Requirement>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub duration_minutes: i64,
    #[serde(default)]
    pub resource_types: Option<Vec<String>>,
    #[serde(default = "default_limit")]
    pub limit: usize,
}

/// The number of matches a search returns when the caller names none.
pub const DEFAULT_LIMIT: usize = 100;
/// The most matches a search returns.
pub const MAX_LIMIT: usize = 1000;

fn default_limit() -> usize {
    DEFAULT_LIMIT
}

/// How a matched resource meets one requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchedCharacteristic {
    pub name: String,
    /// The best rating of the resource's valid holdings of this characteristic.
    pub rating: i64,
    pub min_rating: i64,
}

/// One ranked result of a search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Match {
    pub id: Uuid,
    pub name: String,
    pub resource_type: String,
    /// 1-based place in the ranking.
    pub rank: usize,
    /// Σ(rating − min_rating) over the requirements.
    pub score: i64,
    /// One entry per requirement, in the query's order.
    pub matched: Vec<MatchedCharacteristic>,
    /// Free working minutes in the window (rounded down).
    pub free_minutes: i64,
    /// A sentence explaining the place, e.g.
    /// "holds Welding 5 (min 3), Forklift 2 (min 1); 37.5 free hours in the window".
    pub reason: String,
}
