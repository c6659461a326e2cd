use crate::error::ValidationErrors;
use crate::value::{text, Code, Name};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificateTypeInput {
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When true, a worker's certificate of this type must have an expiry date.
    #[serde(default)]
    pub requires_renewal: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewCertificateType {
    pub code: Code,
    pub name: Name,
    pub description: String,
    pub requires_renewal: bool,
}

impl CertificateTypeInput {
    pub fn parse(self) -> Result<NewCertificateType, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let code = errors.check(Code::parse("code", &self.code));
        let name = errors.check(Name::parse("name", &self.name));
        let description = errors.check(text("description", self.description.as_deref(), 1000));
        errors.into_result(|| NewCertificateType {
            code: code.expect("checked"),
            name: name.expect("checked"),
            description: description.expect("checked"),
            requires_renewal: self.requires_renewal,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct CertificateType {
    #[serde(with = "crate::id_string")]
    #[schema(value_type = String)]
    pub rec_id: i64,
    pub code: String,
    pub name: String,
    pub description: String,
    pub requires_renewal: bool,
    pub version: i64,
    pub modified_at: DateTime<Utc>,
}

impl CertificateType {
    pub fn to_input(&self) -> CertificateTypeInput {
        CertificateTypeInput {
            code: self.code.clone(),
            name: self.name.clone(),
            description: Some(self.description.clone()),
            requires_renewal: self.requires_renewal,
        }
    }
}
