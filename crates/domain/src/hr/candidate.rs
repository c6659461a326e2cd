//! Candidates to hire, exported by an applicant tracking system (seed 002), and the decisions HR
//! takes on them: hire, do not hire, dismiss.

use crate::error::ValidationErrors;
use crate::value::{date_order, Code, Email, Name, PersonnelNumber, Phone};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use utoipa::ToSchema;

/// At most this many skills, and this many certificates, per candidate.
pub const MAX_CANDIDATE_ITEMS: usize = 50;

/// What an ATS exports: a hired candidate. Every field is optional to serde so that a missing
/// one is reported by `parse` together with every other bad field.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HiredCandidateInput {
    /// The ATS's id of the candidate: 1 to 100 characters.
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// E.164 (`+15551234567`) or 6 to 20 national digits.
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    #[serde(deserialize_with = "crate::value::sane_date_opt")]
    pub start_date: Option<NaiveDate>,
    #[serde(default)]
    pub job_title: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub skills: Option<Vec<CandidateSkill>>,
    #[serde(default)]
    pub certificates: Option<Vec<CandidateCertificate>>,
}

/// A skill of a candidate: a skill code and a level of its rating model (name or factor).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CandidateSkill {
    pub skill: String,
    pub level: String,
}

/// A certificate of a candidate: a certificate type code and its dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CandidateCertificate {
    pub certificate_type: String,
    #[serde(deserialize_with = "crate::value::sane_date")]
    pub issued_on: NaiveDate,
    #[serde(default)]
    #[serde(deserialize_with = "crate::value::sane_date_opt")]
    pub expires_on: Option<NaiveDate>,
}

/// A valid export. Skill levels are still as sent: the store resolves codes and levels against
/// its catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCandidate {
    pub external_id: String,
    pub first_name: Name,
    pub last_name: Name,
    pub email: Email,
    pub phone: Phone,
    pub start_date: NaiveDate,
    pub job_title: Name,
    pub location: Name,
    pub skills: Vec<CandidateSkill>,
    pub certificates: Vec<CandidateCertificate>,
}

fn required<T>(
    errors: &mut ValidationErrors,
    field: &str,
    raw: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, crate::FieldError>,
) -> Option<T> {
    match raw {
        None => {
            errors.add(field, "is required");
            None
        }
        Some(s) => errors.check(parse(s)),
    }
}

impl HiredCandidateInput {
    pub fn parse(self) -> Result<NewCandidate, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let external_id = required(&mut errors, "external_id", self.external_id.as_deref(), |s| {
            Name::parse_max("external_id", s, 100)
        });
        let first_name =
            required(&mut errors, "first_name", self.first_name.as_deref(), |s| Name::parse("first_name", s));
        let last_name = required(&mut errors, "last_name", self.last_name.as_deref(), |s| Name::parse("last_name", s));
        let email = required(&mut errors, "email", self.email.as_deref(), |s| Email::parse("email", s));
        let phone = required(&mut errors, "phone", self.phone.as_deref(), |s| Phone::parse("phone", s));
        if self.start_date.is_none() {
            errors.add("start_date", "is required");
        }
        let job_title =
            required(&mut errors, "job_title", self.job_title.as_deref(), |s| Name::parse_max("job_title", s, 200));
        let location =
            required(&mut errors, "location", self.location.as_deref(), |s| Name::parse_max("location", s, 200));

        let skills_in = self.skills.unwrap_or_default();
        let mut skills = Vec::with_capacity(skills_in.len());
        if skills_in.len() > MAX_CANDIDATE_ITEMS {
            errors.add("skills", format!("must list at most {MAX_CANDIDATE_ITEMS} skills"));
        } else {
            let mut seen = HashSet::new();
            for (i, s) in skills_in.into_iter().enumerate() {
                let field = format!("skills[{i}].skill");
                let code = errors.check(Code::parse(&field, &s.skill));
                if let Some(code) = &code {
                    if !seen.insert(code.clone()) {
                        errors.add(&field, format!("'{code}' is listed twice"));
                    }
                }
                let level = errors.check(Name::parse_max(&format!("skills[{i}].level"), &s.level, 100));
                if let (Some(code), Some(level)) = (code, level) {
                    skills.push(CandidateSkill { skill: code.into_string(), level: level.into_string() });
                }
            }
        }
        let certificates_in = self.certificates.unwrap_or_default();
        let mut certificates = Vec::with_capacity(certificates_in.len());
        if certificates_in.len() > MAX_CANDIDATE_ITEMS {
            errors.add("certificates", format!("must list at most {MAX_CANDIDATE_ITEMS} certificates"));
        } else {
            let mut seen = HashSet::new();
            for (i, c) in certificates_in.into_iter().enumerate() {
                let field = format!("certificates[{i}].certificate_type");
                let code = errors.check(Code::parse(&field, &c.certificate_type));
                if let Some(code) = &code {
                    if !seen.insert(code.clone()) {
                        errors.add(&field, format!("'{code}' is listed twice"));
                    }
                }
                let expires_field = format!("certificates[{i}].expires_on");
                errors.check(date_order("issued_on", Some(c.issued_on), &expires_field, c.expires_on));
                if let Some(code) = code {
                    certificates.push(CandidateCertificate { certificate_type: code.into_string(), ..c });
                }
            }
        }
        errors.into_result(|| NewCandidate {
            external_id: external_id.expect("checked").into_string(),
            first_name: first_name.expect("checked"),
            last_name: last_name.expect("checked"),
            email: email.expect("checked"),
            phone: phone.expect("checked"),
            start_date: self.start_date.expect("checked"),
            job_title: job_title.expect("checked"),
            location: location.expect("checked"),
            skills,
            certificates,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CandidateStatus {
    ToHire,
    Hired,
    NotHired,
    Dismissed,
}

impl CandidateStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CandidateStatus::ToHire => "to_hire",
            CandidateStatus::Hired => "hired",
            CandidateStatus::NotHired => "not_hired",
            CandidateStatus::Dismissed => "dismissed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "to_hire" => Some(CandidateStatus::ToHire),
            "hired" => Some(CandidateStatus::Hired),
            "not_hired" => Some(CandidateStatus::NotHired),
            "dismissed" => Some(CandidateStatus::Dismissed),
            _ => None,
        }
    }
    /// What the ATS is told: a candidate still to hire is `not_processed`.
    pub fn outcome(self) -> &'static str {
        match self {
            CandidateStatus::ToHire => "not_processed",
            other => other.as_str(),
        }
    }
}

/// A candidate to hire, as HR sees it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Candidate {
    /// The candidate's record id (what `/hr/candidates/{id}` takes).
    #[serde(with = "crate::id_string")]
    #[schema(value_type = String)]
    pub id: i64,
    /// The client id of the app (or the username) that exported the candidate.
    pub source_app: String,
    pub external_id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub start_date: NaiveDate,
    pub job_title: String,
    pub location: String,
    pub skills: Vec<CandidateSkill>,
    pub certificates: Vec<CandidateCertificate>,
    pub status: CandidateStatus,
    /// The reason code given when not hired.
    pub reason: Option<String>,
    /// The hired worker's personnel number.
    pub personnel_number: Option<String>,
    /// When the first export arrived.
    pub received_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
    pub version: i64,
    pub modified_at: DateTime<Utc>,
}

impl Candidate {
    pub fn outcome(&self) -> CandidateOutcome {
        CandidateOutcome {
            external_id: self.external_id.clone(),
            status: self.status.outcome().to_string(),
            personnel_number: self.personnel_number.clone(),
        }
    }
}

/// What the ATS reads back: `not_processed`, `hired`, `not_hired` or `dismissed`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct CandidateOutcome {
    pub external_id: String,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personnel_number: Option<String>,
}

/// Hire a candidate into a position.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HireInput {
    pub position_number: String,
    /// Taken from the personnel-number sequence when not given.
    #[serde(default)]
    pub personnel_number: Option<String>,
    /// The candidate's start date when not given.
    #[serde(default)]
    #[serde(deserialize_with = "crate::value::sane_date_opt")]
    pub employment_start: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hire {
    pub position_number: Code,
    pub personnel_number: Option<PersonnelNumber>,
    pub employment_start: Option<NaiveDate>,
}

impl HireInput {
    pub fn parse(self) -> Result<Hire, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let position_number = errors.check(Code::parse("position_number", &self.position_number));
        let personnel_number = match self.personnel_number.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => errors.check(PersonnelNumber::parse("personnel_number", s)),
        };
        errors.into_result(|| Hire {
            position_number: position_number.expect("checked"),
            personnel_number,
            employment_start: self.employment_start,
        })
    }
}

/// Close a candidate without hiring: a reason code.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DoNotHireInput {
    pub reason: String,
}

impl DoNotHireInput {
    /// The reason code: 1 to 100 characters.
    pub fn parse(self) -> Result<String, ValidationErrors> {
        Ok(Name::parse_max("reason", &self.reason, 100)?.into_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> HiredCandidateInput {
        HiredCandidateInput {
            external_id: Some("ats-1".into()),
            first_name: Some("Grace".into()),
            last_name: Some("Hopper".into()),
            email: Some("grace@example.com".into()),
            phone: Some("+15551234567".into()),
            start_date: NaiveDate::from_ymd_opt(2026, 4, 1),
            job_title: Some("Engineer".into()),
            location: Some("Leeds".into()),
            skills: None,
            certificates: None,
        }
    }

    #[test]
    fn a_valid_export_parses() {
        let c = valid().parse().unwrap();
        assert_eq!((c.external_id.as_str(), c.first_name.as_str()), ("ats-1", "Grace"));
    }

    #[test]
    fn every_missing_field_is_named() {
        let errors = HiredCandidateInput::default().parse().unwrap_err();
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        let expected =
            ["external_id", "first_name", "last_name", "email", "phone", "start_date", "job_title", "location"];
        assert_eq!(fields, expected);
    }

    #[test]
    fn items_are_checked_by_index() {
        let d = |m| NaiveDate::from_ymd_opt(2025, m, 1).unwrap();
        let input = HiredCandidateInput {
            external_id: Some("x".repeat(101)),
            skills: Some(vec![
                CandidateSkill { skill: "RUST".into(), level: "Expert".into() },
                CandidateSkill { skill: "RUST".into(), level: "".into() },
            ]),
            certificates: Some(vec![CandidateCertificate {
                certificate_type: "bad code".into(),
                issued_on: d(5),
                expires_on: Some(d(4)),
            }]),
            ..valid()
        };
        let errors = input.parse().unwrap_err();
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        let expected = [
            "external_id",
            "skills[1].skill",
            "skills[1].level",
            "certificates[0].certificate_type",
            "certificates[0].expires_on",
        ];
        assert_eq!(fields, expected);
    }

    #[test]
    fn outcomes() {
        assert_eq!(CandidateStatus::ToHire.outcome(), "not_processed");
        assert_eq!(CandidateStatus::NotHired.outcome(), "not_hired");
        assert!(DoNotHireInput { reason: " ".into() }.parse().is_err());
        assert_eq!(DoNotHireInput { reason: " NO-SHOW ".into() }.parse().unwrap(), "NO-SHOW");
    }
}
