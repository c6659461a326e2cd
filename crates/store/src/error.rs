//! The store layer's one error type.

use hrbridge_domain::ValidationErrors;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{entity} '{key}' was not found")]
    NotFound { entity: &'static str, key: String },
    /// The request is well-formed but clashes with what is stored (a duplicate key, a record
    /// still in use). `field` names the field when one is to blame.
    #[error("{message}")]
    Conflict { field: Option<String>, message: String },
    #[error("invalid input: {0}")]
    Invalid(ValidationErrors),
    /// The record changed since the version the write was based on (`current`), or no longer
    /// exists (`current` is `None`).
    #[error("{}", stale_message(entity, key, *expected, *current))]
    Stale { entity: &'static str, key: String, expected: i64, current: Option<i64> },
    #[error("configuration: {0}")]
    Config(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    pub fn not_found(entity: &'static str, key: impl Into<String>) -> Self {
        StoreError::NotFound { entity, key: key.into() }
    }
    pub fn conflict(field: Option<&str>, message: impl Into<String>) -> Self {
        StoreError::Conflict { field: field.map(str::to_string), message: message.into() }
    }
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        StoreError::Invalid(ValidationErrors::one(field, message))
    }
    /// Refuses a write based on version `expected` of a record now at `current` (`None`: gone).
    /// Nothing to refuse without an expected version, or when the versions agree.
    pub fn unless_at(
        entity: &'static str,
        key: &str,
        expected: Option<i64>,
        current: Option<i64>,
    ) -> Result<(), StoreError> {
        match expected {
            Some(expected) if current != Some(expected) => {
                Err(StoreError::Stale { entity, key: key.to_string(), expected, current })
            }
            _ => Ok(()),
        }
    }
    /// True when the database refused a write because of a unique constraint.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

fn stale_message(entity: &str, key: &str, expected: i64, current: Option<i64>) -> String {
    match current {
        Some(current) => format!("{entity} '{key}' changed since version {expected}: it is at version {current} now"),
        None => format!("{entity} '{key}' changed since version {expected}: it no longer exists"),
    }
}

impl From<ValidationErrors> for StoreError {
    fn from(errors: ValidationErrors) -> Self {
        StoreError::Invalid(errors)
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
