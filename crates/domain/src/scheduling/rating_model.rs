//! Rating models (the seeds' proficiency models): a range and named rating values within it.

use crate::error::ValidationErrors;
use crate::value::Name;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use utoipa::ToSchema;
use uuid::Uuid;

pub const MAX_RATING_VALUES: usize = 100;
/// The bound of `min_value` and `max_value` either side of zero.
pub const RATING_LIMIT: i64 = 1_000_000;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SchedulingRatingModelInput {
    /// The model's name: its key.
    pub name: String,
    pub min_value: i64,
    pub max_value: i64,
    /// One to 100 values, each within `min_value..=max_value`, names and values unique.
    #[serde(default)]
    pub values: Vec<RatingValueInput>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingValueInput {
    pub name: String,
    pub value: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewSchedulingRatingModel {
    pub name: Name,
    pub min_value: i64,
    pub max_value: i64,
    /// By value.
    pub values: Vec<NewRatingValue>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewRatingValue {
    pub name: Name,
    pub value: i64,
}

impl SchedulingRatingModelInput {
    pub fn parse(self) -> Result<NewSchedulingRatingModel, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let name = errors.check(Name::parse("name", &self.name));
        let mut range_ok = true;
        for (field, v) in [("min_value", self.min_value), ("max_value", self.max_value)] {
            if !(-RATING_LIMIT..=RATING_LIMIT).contains(&v) {
                errors.add(field, format!("must be from {} to {RATING_LIMIT}", -RATING_LIMIT));
                range_ok = false;
            }
        }
        if range_ok && self.max_value < self.min_value {
            errors.add("max_value", format!("must not be less than min_value ({})", self.min_value));
        }
        if self.values.is_empty() {
            errors.add("values", "must have at least one value");
        }
        if self.values.len() > MAX_RATING_VALUES {
            errors.add("values", format!("must have at most {MAX_RATING_VALUES} values"));
        }
        let mut names = HashSet::new();
        let mut seen = HashSet::new();
        let mut values = Vec::with_capacity(self.values.len());
        for (i, v) in self.values.into_iter().enumerate() {
            let at = |f: &str| format!("values[{i}].{f}");
            let name = errors.check(Name::parse(&at("name"), &v.name));
            if let Some(name) = &name {
                if !names.insert(name.as_str().to_lowercase()) {
                    errors.add(at("name"), format!("'{name}' is used by another value of this model"));
                }
            }
            if v.value < self.min_value || v.value > self.max_value {
                errors.add(
                    at("value"),
                    format!("must be from min_value ({}) to max_value ({})", self.min_value, self.max_value),
                );
            } else if !seen.insert(v.value) {
                errors.add(at("value"), format!("{} is used by another value of this model", v.value));
            }
            if let Some(name) = name {
                values.push(NewRatingValue { name, value: v.value });
            }
        }
        values.sort_by_key(|v| v.value);
        errors.into_result(|| NewSchedulingRatingModel {
            name: name.expect("checked"),
            min_value: self.min_value,
            max_value: self.max_value,
            values,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct SchedulingRatingModel {
    pub id: Uuid,
    pub name: String,
    pub min_value: i64,
    pub max_value: i64,
    /// By value.
    pub values: Vec<RatingValue>,
    pub version: i64,
    pub modified_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct RatingValue {
    pub id: Uuid,
    pub name: String,
    pub value: i64,
}

impl SchedulingRatingModel {
    pub fn to_input(&self) -> SchedulingRatingModelInput {
        SchedulingRatingModelInput {
            name: self.name.clone(),
            min_value: self.min_value,
            max_value: self.max_value,
            values: self.values.iter().map(|v| RatingValueInput { name: v.name.clone(), value: v.value }).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(min: i64, max: i64, values: &[(&str, i64)]) -> SchedulingRatingModelInput {
        SchedulingRatingModelInput {
            name: "Proficiency".into(),
            min_value: min,
            max_value: max,
            values: values.iter().map(|(n, v)| RatingValueInput { name: n.to_string(), value: *v }).collect(),
        }
    }

    fn fields(input: SchedulingRatingModelInput) -> Vec<String> {
        input.parse().unwrap_err().0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn values_lie_within_the_range_and_are_unique() {
        let parsed = model(0, 5, &[("Expert", 5), ("Novice", 1)]).parse().unwrap();
        assert_eq!(parsed.values.iter().map(|v| v.value).collect::<Vec<_>>(), [1, 5]);
        assert_eq!(
            fields(model(1, 5, &[("A", 0), ("B", 2), ("b", 3), ("C", 2)])),
            ["values[0].value", "values[2].name", "values[3].value"]
        );
        assert_eq!(fields(model(5, 1, &[("A", 3)])), ["max_value", "values[0].value"]);
        assert_eq!(fields(model(0, 1, &[])), ["values"]);
    }
}
