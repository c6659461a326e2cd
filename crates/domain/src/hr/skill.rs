use crate::error::ValidationErrors;
use crate::value::{text, Code, Name};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillTypeInput {
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewSkillType {
    pub code: Code,
    pub name: Name,
    pub description: String,
}

impl SkillTypeInput {
    pub fn parse(self) -> Result<NewSkillType, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let code = errors.check(Code::parse("code", &self.code));
        let name = errors.check(Name::parse("name", &self.name));
        let description = errors.check(text("description", self.description.as_deref(), 1000));
        errors.into_result(|| NewSkillType {
            code: code.expect("checked"),
            name: name.expect("checked"),
            description: description.expect("checked"),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct SkillType {
    #[serde(with = "crate::id_string")]
    #[schema(value_type = String)]
    pub rec_id: i64,
    pub code: String,
    pub name: String,
    pub description: String,
    pub version: i64,
    pub modified_at: DateTime<Utc>,
}

impl SkillType {
    pub fn to_input(&self) -> SkillTypeInput {
        SkillTypeInput { code: self.code.clone(), name: self.name.clone(), description: Some(self.description.clone()) }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillInput {
    pub code: String,
    pub name: String,
    /// The code of the skill's type (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skill_type: Option<String>,
    /// The code of the rating model whose levels rate this skill.
    pub rating_model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewSkill {
    pub code: Code,
    pub name: Name,
    pub skill_type: Option<Code>,
    pub rating_model: Code,
    pub description: String,
}

impl SkillInput {
    pub fn parse(self) -> Result<NewSkill, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let code = errors.check(Code::parse("code", &self.code));
        let name = errors.check(Name::parse("name", &self.name));
        let skill_type = match self.skill_type.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(raw) => errors.check(Code::parse("skill_type", raw)).map(Some),
        };
        let rating_model = errors.check(Code::parse("rating_model", &self.rating_model));
        let description = errors.check(text("description", self.description.as_deref(), 1000));
        errors.into_result(|| NewSkill {
            code: code.expect("checked"),
            name: name.expect("checked"),
            skill_type: skill_type.expect("checked"),
            rating_model: rating_model.expect("checked"),
            description: description.expect("checked"),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Skill {
    #[serde(with = "crate::id_string")]
    #[schema(value_type = String)]
    pub rec_id: i64,
    pub code: String,
    pub name: String,
    pub skill_type: Option<String>,
    pub rating_model: String,
    pub description: String,
    pub version: i64,
    pub modified_at: DateTime<Utc>,
}

impl Skill {
    pub fn to_input(&self) -> SkillInput {
        SkillInput {
            code: self.code.clone(),
            name: self.name.clone(),
            skill_type: self.skill_type.clone(),
            rating_model: self.rating_model.clone(),
            description: Some(self.description.clone()),
        }
    }
}
