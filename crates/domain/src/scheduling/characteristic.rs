//! Characteristics: what a resource can have (a skill or a certification), optionally rated with a
//! rating model.

use crate::error::ValidationErrors;
use crate::value::{text, Name};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum CharacteristicType {
    #[default]
    Skill,
    Certification,
}

impl CharacteristicType {
    pub fn as_str(self) -> &'static str {
        match self {
            CharacteristicType::Skill => "skill",
            CharacteristicType::Certification => "certification",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "skill" => Some(CharacteristicType::Skill),
            "certification" => Some(CharacteristicType::Certification),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CharacteristicInput {
    /// The characteristic's name: its key.
    pub name: String,
    /// `skill` (the default) or `certification`.
    #[serde(default)]
    pub characteristic_type: CharacteristicType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The name of the rating model that rates it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating_model: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewCharacteristic {
    pub name: Name,
    pub characteristic_type: CharacteristicType,
    pub description: String,
    pub rating_model: Option<Name>,
}

impl CharacteristicInput {
    pub fn parse(self) -> Result<NewCharacteristic, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let name = errors.check(Name::parse("name", &self.name));
        let description = errors.check(text("description", self.description.as_deref(), 1000));
        let rating_model = match self.rating_model.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(raw) => errors.check(Name::parse("rating_model", raw)).map(Some),
        };
        errors.into_result(|| NewCharacteristic {
            name: name.expect("checked"),
            characteristic_type: self.characteristic_type,
            description: description.expect("checked"),
            rating_model: rating_model.expect("checked"),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Characteristic {
    pub id: Uuid,
    pub name: String,
    pub characteristic_type: CharacteristicType,
    pub description: String,
    pub rating_model: Option<String>,
    pub version: i64,
    pub modified_at: DateTime<Utc>,
}

impl Characteristic {
    pub fn to_input(&self) -> CharacteristicInput {
        CharacteristicInput {
            name: self.name.clone(),
            characteristic_type: self.characteristic_type,
            description: Some(self.description.clone()),
            rating_model: self.rating_model.clone(),
        }
    }
}
