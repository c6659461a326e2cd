use crate::error::ValidationErrors;
use crate::value::{text, Code, Name, PersonnelNumber};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobInput {
    pub job_id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub required_skills: Vec<RequiredSkillInput>,
    /// Codes of required certificate types.
    #[serde(default)]
    pub required_certificates: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RequiredSkillInput {
    pub skill: String,
    /// The name of the lowest acceptable level of the skill's rating model.
    pub min_level: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    pub job_id: Code,
    pub title: Name,
    pub description: String,
    pub required_skills: Vec<(Code, String)>,
    pub required_certificates: Vec<Code>,
}

impl JobInput {
    pub fn parse(self) -> Result<NewJob, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let job_id = errors.check(Code::parse("job_id", &self.job_id));
        let title = errors.check(Name::parse("title", &self.title));
        let description = errors.check(text("description", self.description.as_deref(), 2000));
        let mut seen = HashSet::new();
        let mut required_skills = Vec::new();
        for (i, req) in self.required_skills.into_iter().enumerate() {
            if let Some(code) = errors.check(Code::parse(&format!("required_skills[{i}].skill"), &req.skill)) {
                if !seen.insert(code.clone()) {
                    errors.add(format!("required_skills[{i}].skill"), format!("'{code}' is listed twice"));
                }
                required_skills.push((code, req.min_level.trim().to_string()));
            }
        }
        let mut seen = HashSet::new();
        let mut required_certificates = Vec::new();
        for (i, raw) in self.required_certificates.iter().enumerate() {
            if let Some(code) = errors.check(Code::parse(&format!("required_certificates[{i}]"), raw)) {
                if !seen.insert(code.clone()) {
                    errors.add(format!("required_certificates[{i}]"), format!("'{code}' is listed twice"));
                }
                required_certificates.push(code);
            }
        }
        errors.into_result(|| NewJob {
            job_id: job_id.expect("checked"),
            title: title.expect("checked"),
            description: description.expect("checked"),
            required_skills,
            required_certificates,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct RequiredSkill {
    pub skill: String,
    pub min_level: String,
    pub min_factor: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Job {
    #[serde(with = "crate::id_string")]
    #[schema(value_type = String)]
    pub rec_id: i64,
    pub job_id: String,
    pub title: String,
    pub description: String,
    pub required_skills: Vec<RequiredSkill>,
    pub required_certificates: Vec<String>,
    pub version: i64,
    pub modified_at: DateTime<Utc>,
}

impl Job {
    pub fn to_input(&self) -> JobInput {
        JobInput {
            job_id: self.job_id.clone(),
            title: self.title.clone(),
            description: Some(self.description.clone()),
            required_skills: self
                .required_skills
                .iter()
                .map(|r| RequiredSkillInput { skill: r.skill.clone(), min_level: r.min_level.clone() })
                .collect(),
            required_certificates: self.required_certificates.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PositionInput {
    pub position_number: String,
    /// The job this position is for; it gives the position its requirements.
    pub job_id: String,
    /// Defaults to the job's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The personnel number of the worker holding the position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewPosition {
    pub position_number: Code,
    pub job_id: Code,
    pub title: Option<Name>,
    pub location: String,
    pub worker: Option<PersonnelNumber>,
}

impl PositionInput {
    pub fn parse(self) -> Result<NewPosition, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let position_number = errors.check(Code::parse("position_number", &self.position_number));
        let job_id = errors.check(Code::parse("job_id", &self.job_id));
        let title = match self.title.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(t) => errors.check(Name::parse("title", t)).map(Some),
        };
        let location = errors.check(text("location", self.location.as_deref(), 200));
        let worker = match self.worker.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(w) => errors.check(PersonnelNumber::parse("worker", w)).map(Some),
        };
        errors.into_result(|| NewPosition {
            position_number: position_number.expect("checked"),
            job_id: job_id.expect("checked"),
            title: title.expect("checked"),
            location: location.expect("checked"),
            worker: worker.expect("checked"),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Position {
    #[serde(with = "crate::id_string")]
    #[schema(value_type = String)]
    pub rec_id: i64,
    pub position_number: String,
    pub job_id: String,
    pub title: String,
    pub location: String,
    pub worker: Option<String>,
    /// Inherited from the job.
    pub required_skills: Vec<RequiredSkill>,
    /// Inherited from the job.
    pub required_certificates: Vec<String>,
    pub version: i64,
    pub modified_at: DateTime<Utc>,
}

impl Position {
    pub fn to_input(&self) -> PositionInput {
        PositionInput {
            position_number: self.position_number.clone(),
            job_id: self.job_id.clone(),
            title: Some(self.title.clone()),
            location: Some(self.location.clone()),
            worker: self.worker.clone(),
        }
    }
}
