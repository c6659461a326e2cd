//! A search for resources: required characteristics with minimum ratings, a time window and a
//! duration.

use super::requirement::RequiredCharacteristicInput;
use super::resource::ResourceType;
use crate::error::ValidationErrors;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The longest window a search may cover: 62 days.
pub const MAX_SEARCH_DAYS: i64 = 62;
/// The most required characteristics one search may name.
pub const MAX_SEARCH_CHARACTERISTICS: usize = 50;
/// How many matches a search returns when no limit is given (Universal Resource Scheduling's).
pub const DEFAULT_SEARCH_LIMIT: i64 = 100;
pub const MAX_SEARCH_LIMIT: i64 = 1000;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchRequest {
    /// Every one must be held at or above its minimum rating.
    #[serde(default)]
    pub characteristics: Vec<RequiredCharacteristicInput>,
    #[serde(deserialize_with = "crate::value::sane_time")]
    pub from: DateTime<Utc>,
    #[serde(deserialize_with = "crate::value::sane_time")]
    pub to: DateTime<Utc>,
    /// How much free working time a match needs in the window.
    pub duration_minutes: i64,
    /// Only these types of resource (any when not given).
    #[serde(default)]
    pub resource_types: Option<Vec<ResourceType>>,
    /// 1 to 1000; 100 when not given.
    #[serde(default)]
    pub limit: Option<i64>,
}

impl SearchRequest {
    pub fn check(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if self.to <= self.from {
            errors.add("to", "must be after from");
        } else if self.to - self.from > chrono::Duration::days(MAX_SEARCH_DAYS) {
            errors.add("to", format!("a search window may span at most {MAX_SEARCH_DAYS} days"));
        }
        if self.duration_minutes < 1 {
            errors.add("duration_minutes", "must be at least 1");
        } else if self.to > self.from && self.duration_minutes > (self.to - self.from).num_minutes() {
            errors.add("duration_minutes", "must fit in the window from..to");
        }
        if let Some(limit) = self.limit {
            if !(1..=MAX_SEARCH_LIMIT).contains(&limit) {
                errors.add("limit", format!("must be from 1 to {MAX_SEARCH_LIMIT}"));
            }
        }
        if self.characteristics.len() > MAX_SEARCH_CHARACTERISTICS {
            errors.add("characteristics", format!("may name at most {MAX_SEARCH_CHARACTERISTICS}"));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, c) in self.characteristics.iter().enumerate() {
            if !seen.insert(c.name.as_str()) {
                errors.add(format!("characteristics[{i}].name"), format!("'{}' is listed twice", c.name));
            }
        }
        errors.into_result(|| ())
    }

    pub fn limit(&self) -> usize {
        self.limit.unwrap_or(DEFAULT_SEARCH_LIMIT).clamp(1, MAX_SEARCH_LIMIT) as usize
    }
}
