//! Resource requirements: what a piece of work needs (characteristics with minimum ratings), when
//! (a window), for how long, and from which kinds of resource.

use super::characteristic::CharacteristicType;
use super::resource::ResourceType;
use crate::error::ValidationErrors;
use crate::value::Name;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use utoipa::ToSchema;
use uuid::Uuid;

pub const MAX_REQUIRED_CHARACTERISTICS: usize = 50;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceRequirementInput {
    pub name: String,
    /// The start of the window (RFC 3339).
    #[serde(deserialize_with = "crate::value::sane_time")]
    pub from: DateTime<Utc>,
    /// The end of the window (RFC 3339), after `from`.
    #[serde(deserialize_with = "crate::value::sane_time")]
    pub to: DateTime<Utc>,
    /// How long the work takes: at least 1 minute, at most the window.
    pub duration_minutes: i64,
    /// The kinds of resource that may do it; any when empty or not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_types: Option<Vec<ResourceType>>,
    /// Required characteristics, each with a minimum rating.
    #[serde(default)]
    pub characteristics: Vec<RequiredCharacteristicInput>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequiredCharacteristicInput {
    /// The characteristic's name.
    pub name: String,
    /// The lowest rating value (numeric) that meets the requirement.
    pub min_rating: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewResourceRequirement {
    pub name: Name,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub duration_minutes: i64,
    /// Sorted, without duplicates; empty means any.
    pub resource_types: Vec<ResourceType>,
    /// In the order given.
    pub characteristics: Vec<(Name, i64)>,
}

impl ResourceRequirementInput {
    pub fn parse(self) -> Result<NewResourceRequirement, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let name = errors.check(Name::parse("name", &self.name));
        let window = (self.to - self.from).num_minutes();
        if self.to <= self.from {
            errors.add("to", format!("must be after from ({})", self.from.to_rfc3339()));
        }
        if self.duration_minutes < 1 {
            errors.add("duration_minutes", "must be at least 1");
        } else if self.to > self.from && self.duration_minutes > window {
            errors.add("duration_minutes", format!("must not be longer than the window from..to ({window} minutes)"));
        }
        if self.characteristics.len() > MAX_REQUIRED_CHARACTERISTICS {
            errors.add("characteristics", format!("must list at most {MAX_REQUIRED_CHARACTERISTICS}"));
        }
        let mut seen = HashSet::new();
        let mut characteristics = Vec::with_capacity(self.characteristics.len());
        for (i, c) in self.characteristics.into_iter().enumerate() {
            let field = format!("characteristics[{i}].name");
            if let Some(name) = errors.check(Name::parse(&field, &c.name)) {
                if !seen.insert(name.as_str().to_string()) {
                    errors.add(field, format!("'{name}' is listed twice"));
                }
                characteristics.push((name, c.min_rating));
            }
        }
        let mut resource_types = self.resource_types.unwrap_or_default();
        resource_types.sort();
        resource_types.dedup();
        errors.into_result(|| NewResourceRequirement {
            name: name.expect("checked"),
            from: self.from,
            to: self.to,
            duration_minutes: self.duration_minutes,
            resource_types,
            characteristics,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ResourceRequirement {
    pub id: Uuid,
    pub name: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub duration_minutes: i64,
    /// Empty means any.
    pub resource_types: Vec<ResourceType>,
    /// By characteristic name.
    pub characteristics: Vec<RequiredCharacteristic>,
    pub version: i64,
    pub modified_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct RequiredCharacteristic {
    pub name: String,
    pub characteristic_type: CharacteristicType,
    pub min_rating: i64,
}

impl ResourceRequirement {
    pub fn to_input(&self) -> ResourceRequirementInput {
        ResourceRequirementInput {
            name: self.name.clone(),
            from: self.from,
            to: self.to,
            duration_minutes: self.duration_minutes,
            resource_types: Some(self.resource_types.clone()),
            characteristics: self
                .characteristics
                .iter()
                .map(|c| RequiredCharacteristicInput { name: c.name.clone(), min_rating: c.min_rating })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hour: u32) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("2026-03-02T{hour:02}:00:00Z")).unwrap().with_timezone(&Utc)
    }

    fn requirement(from: u32, to: u32, minutes: i64, names: &[&str]) -> ResourceRequirementInput {
        ResourceRequirementInput {
            name: "Install".into(),
            from: at(from),
            to: at(to),
            duration_minutes: minutes,
            resource_types: Some(vec![ResourceType::Worker, ResourceType::Crew, ResourceType::Worker]),
            characteristics: names
                .iter()
                .map(|n| RequiredCharacteristicInput { name: n.to_string(), min_rating: 3 })
                .collect(),
        }
    }

    fn fields(input: ResourceRequirementInput) -> Vec<String> {
        input.parse().unwrap_err().0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn window_duration_and_characteristics() {
        let ok = requirement(8, 12, 240, &["Rust"]).parse().unwrap();
        assert_eq!(ok.resource_types, [ResourceType::Worker, ResourceType::Crew]);
        assert_eq!(fields(requirement(12, 8, 60, &[])), ["to"]);
        assert_eq!(fields(requirement(8, 9, 61, &[])), ["duration_minutes"]);
        assert_eq!(fields(requirement(8, 9, 0, &[])), ["duration_minutes"]);
        assert_eq!(
            fields(requirement(8, 9, 30, &["Rust", "", "Rust"])),
            ["characteristics[1].name", "characteristics[2].name"]
        );
    }
}
