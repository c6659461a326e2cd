use crate::error::{field_error, ValidationErrors};
use crate::value::{date_order, Code, Email, Name, PersonnelNumber, Phone};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum WorkerStatus {
    #[default]
    Active,
    Inactive,
    Terminated,
}

impl WorkerStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkerStatus::Active => "active",
            WorkerStatus::Inactive => "inactive",
            WorkerStatus::Terminated => "terminated",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(WorkerStatus::Active),
            "inactive" => Some(WorkerStatus::Inactive),
            "terminated" => Some(WorkerStatus::Terminated),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkerInput {
    /// Taken from the personnel-number sequence when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personnel_number: Option<String>,
    pub first_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    pub last_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "crate::value::sane_date_opt")]
    pub employment_start: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "crate::value::sane_date_opt")]
    pub employment_end: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<WorkerStatus>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewWorker {
    pub personnel_number: Option<PersonnelNumber>,
    pub first_name: Name,
    pub middle_name: Option<Name>,
    pub last_name: Name,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub employment_start: Option<NaiveDate>,
    pub employment_end: Option<NaiveDate>,
    pub status: WorkerStatus,
}

fn optional<T>(
    errors: &mut ValidationErrors,
    raw: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, crate::FieldError>,
) -> Option<Option<T>> {
    match raw.map(str::trim) {
        None | Some("") => Some(None),
        Some(s) => errors.check(parse(s)).map(Some),
    }
}

impl WorkerInput {
    pub fn parse(self) -> Result<NewWorker, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let personnel_number =
            optional(&mut errors, self.personnel_number.as_deref(), |s| PersonnelNumber::parse("personnel_number", s));
        let first_name = errors.check(Name::parse("first_name", &self.first_name));
        let middle_name = optional(&mut errors, self.middle_name.as_deref(), |s| Name::parse("middle_name", s));
        let last_name = errors.check(Name::parse("last_name", &self.last_name));
        let email = optional(&mut errors, self.email.as_deref(), |s| Email::parse("email", s));
        let phone = optional(&mut errors, self.phone.as_deref(), |s| Phone::parse("phone", s));
        errors.check(date_order("employment_start", self.employment_start, "employment_end", self.employment_end));
        if self.employment_end.is_some() && self.employment_start.is_none() {
            errors.add("employment_start", "is required when employment_end is given");
        }
        errors.into_result(|| NewWorker {
            personnel_number: personnel_number.expect("checked"),
            first_name: first_name.expect("checked"),
            middle_name: middle_name.expect("checked"),
            last_name: last_name.expect("checked"),
            email: email.expect("checked"),
            phone: phone.expect("checked"),
            employment_start: self.employment_start,
            employment_end: self.employment_end,
            status: self.status.unwrap_or_default(),
        })
    }
}

impl NewWorker {
    /// Back to the input form (what bulk writes serialize).
    pub fn to_input(&self) -> WorkerInput {
        let text = |v: &Option<Name>| v.as_ref().map(|n| n.as_str().to_string());
        WorkerInput {
            personnel_number: self.personnel_number.as_ref().map(|n| n.as_str().to_string()),
            first_name: self.first_name.as_str().to_string(),
            middle_name: text(&self.middle_name),
            last_name: self.last_name.as_str().to_string(),
            email: self.email.as_ref().map(|e| e.as_str().to_string()),
            phone: self.phone.as_ref().map(|p| p.as_str().to_string()),
            employment_start: self.employment_start,
            employment_end: self.employment_end,
            status: Some(self.status),
        }
    }
}

/// A worker with everything HR keeps on them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Worker {
    #[serde(with = "crate::id_string")]
    #[schema(value_type = String)]
    pub rec_id: i64,
    pub personnel_number: String,
    pub first_name: String,
    pub middle_name: Option<String>,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub employment_start: Option<NaiveDate>,
    pub employment_end: Option<NaiveDate>,
    pub status: WorkerStatus,
    pub skills: Vec<WorkerSkill>,
    pub certificates: Vec<WorkerCertificate>,
    /// The position the worker holds, if any.
    pub position: Option<String>,
    pub version: i64,
    pub modified_at: DateTime<Utc>,
}

impl Worker {
    pub fn to_input(&self) -> WorkerInput {
        WorkerInput {
            personnel_number: Some(self.personnel_number.clone()),
            first_name: self.first_name.clone(),
            middle_name: self.middle_name.clone(),
            last_name: self.last_name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            employment_start: self.employment_start,
            employment_end: self.employment_end,
            status: Some(self.status),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkerSkillInput {
    /// The name of a level of the skill's rating model.
    pub level: String,
    /// When the level was assessed; today when not given.
    #[serde(default)]
    #[serde(deserialize_with = "crate::value::sane_date_opt")]
    pub level_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct WorkerSkill {
    pub skill: String,
    /// Changes with every write: the `ETag`, and what `If-Match` names.
    pub version: i64,
    pub skill_name: String,
    pub level: String,
    pub factor: i64,
    pub level_date: NaiveDate,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkerCertificateInput {
    #[serde(deserialize_with = "crate::value::sane_date")]
    pub issued_on: NaiveDate,
    #[serde(default)]
    #[serde(deserialize_with = "crate::value::sane_date_opt")]
    pub expires_on: Option<NaiveDate>,
}

impl WorkerCertificateInput {
    pub fn check(&self, requires_renewal: bool) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        errors.check(date_order("issued_on", Some(self.issued_on), "expires_on", self.expires_on));
        if requires_renewal && self.expires_on.is_none() {
            errors.0.push(field_error("expires_on", "is required: this certificate type requires renewal"));
        }
        errors.into_result(|| ())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct WorkerCertificate {
    pub certificate_type: String,
    /// Changes with every write: the `ETag`, and what `If-Match` names.
    pub version: i64,
    pub name: String,
    pub issued_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    /// True when `expires_on` is before today.
    pub expired: bool,
}

/// A skill to set on a worker, keyed by codes (used by bulk import and hiring).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillAssignment {
    pub skill: String,
    pub level: String,
    #[serde(default)]
    #[serde(deserialize_with = "crate::value::sane_date_opt")]
    pub level_date: Option<NaiveDate>,
}

/// A certificate to set on a worker, keyed by codes (used by bulk import and hiring).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificateAssignment {
    pub certificate_type: String,
    #[serde(deserialize_with = "crate::value::sane_date")]
    pub issued_on: NaiveDate,
    #[serde(default)]
    #[serde(deserialize_with = "crate::value::sane_date_opt")]
    pub expires_on: Option<NaiveDate>,
}

impl SkillAssignment {
    pub fn skill_code(&self, field: &str) -> Result<Code, crate::FieldError> {
        Code::parse(field, &self.skill)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_every_bad_field() {
        let input = WorkerInput {
            personnel_number: Some("bad number!".into()),
            first_name: " ".into(),
            last_name: "Lovelace".into(),
            email: Some("ada-at-example".into()),
            employment_start: NaiveDate::from_ymd_opt(2024, 5, 1),
            employment_end: NaiveDate::from_ymd_opt(2024, 4, 1),
            ..Default::default()
        };
        let errors = input.parse().unwrap_err();
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["personnel_number", "first_name", "email", "employment_end"]);
    }

    #[test]
    fn expiry_before_issue_is_refused() {
        let d = |m| NaiveDate::from_ymd_opt(2024, m, 1).unwrap();
        let input = WorkerCertificateInput { issued_on: d(5), expires_on: Some(d(4)) };
        assert_eq!(input.check(false).unwrap_err().0[0].field, "expires_on");
        let open = WorkerCertificateInput { issued_on: d(5), expires_on: None };
        assert!(open.check(false).is_ok());
        assert!(open.check(true).is_err());
    }
}
