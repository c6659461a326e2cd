use crate::error::ValidationErrors;
use crate::value::{text, Code, Name};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use utoipa::ToSchema;

pub const MAX_RATING_LEVELS: usize = 10;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingModelInput {
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Up to 10 levels, each with a factor 0–9 unique within the model.
    #[serde(default)]
    pub levels: Vec<RatingLevelInput>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingLevelInput {
    pub name: String,
    pub factor: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewRatingModel {
    pub code: Code,
    pub name: Name,
    pub description: String,
    pub levels: Vec<NewRatingLevel>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewRatingLevel {
    pub name: Name,
    pub factor: i64,
    pub description: String,
}

impl RatingModelInput {
    pub fn parse(self) -> Result<NewRatingModel, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let code = errors.check(Code::parse("code", &self.code));
        let name = errors.check(Name::parse("name", &self.name));
        let description = errors.check(text("description", self.description.as_deref(), 1000));
        if self.levels.is_empty() {
            errors.add("levels", "must have at least one level");
        }
        if self.levels.len() > MAX_RATING_LEVELS {
            errors.add("levels", format!("must have at most {MAX_RATING_LEVELS} levels"));
        }
        let mut factors = HashSet::new();
        let mut names = HashSet::new();
        let mut levels = Vec::with_capacity(self.levels.len());
        for (i, level) in self.levels.into_iter().enumerate() {
            let at = |f: &str| format!("levels[{i}].{f}");
            let name = errors.check(Name::parse(&at("name"), &level.name));
            if let Some(name) = &name {
                if !names.insert(name.as_str().to_lowercase()) {
                    errors.add(at("name"), format!("'{name}' is used by another level of this model"));
                }
            }
            if !(0..=9).contains(&level.factor) {
                errors.add(at("factor"), "must be from 0 to 9");
            } else if !factors.insert(level.factor) {
                errors.add(at("factor"), format!("{} is used by another level of this model", level.factor));
            }
            let description = errors.check(text(&at("description"), level.description.as_deref(), 1000));
            if let (Some(name), Some(description)) = (name, description) {
                levels.push(NewRatingLevel { name, factor: level.factor, description });
            }
        }
        levels.sort_by_key(|l| l.factor);
        errors.into_result(|| NewRatingModel {
            code: code.expect("checked"),
            name: name.expect("checked"),
            description: description.expect("checked"),
            levels,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct RatingModel {
    #[serde(with = "crate::id_string")]
    #[schema(value_type = String)]
    pub rec_id: i64,
    pub code: String,
    pub name: String,
    pub description: String,
    pub levels: Vec<RatingLevel>,
    pub version: i64,
    pub modified_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct RatingLevel {
    #[serde(with = "crate::id_string")]
    #[schema(value_type = String)]
    pub rec_id: i64,
    pub name: String,
    pub factor: i64,
    pub description: String,
}

impl RatingModel {
    pub fn to_input(&self) -> RatingModelInput {
        RatingModelInput {
            code: self.code.clone(),
            name: self.name.clone(),
            description: Some(self.description.clone()),
            levels: self
                .levels
                .iter()
                .map(|l| RatingLevelInput {
                    name: l.name.clone(),
                    factor: l.factor,
                    description: Some(l.description.clone()),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(name: &str, factor: i64) -> RatingLevelInput {
        RatingLevelInput { name: name.into(), factor, description: None }
    }

    #[test]
    fn names_each_bad_level_field() {
        let input = RatingModelInput {
            code: "PROF".into(),
            name: "Proficiency".into(),
            description: None,
            levels: vec![level("Novice", 1), level("Expert", 1), level("", 12)],
        };
        let errors = input.parse().unwrap_err();
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["levels[1].factor", "levels[2].name", "levels[2].factor"]);
    }

    #[test]
    fn at_most_ten_levels() {
        let levels = (0..11).map(|i| level(&format!("L{i}"), i % 10)).collect();
        let input = RatingModelInput { code: "X".into(), name: "X".into(), description: None, levels };
        let errors = input.parse().unwrap_err();
        assert!(errors.0.iter().any(|e| e.field == "levels" && e.message.contains("at most 10")));
    }
}
