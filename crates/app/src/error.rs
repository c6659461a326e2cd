//! The use-case layer's one error type. The HTTP API answers it as problem+json, the web console
//! as a page or a form's errors, the CLI as a message and an exit status.

use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_domain::ValidationErrors;
use hrbridge_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Not signed in, or the credentials or session are not (or no longer) valid.
    #[error("{0}")]
    Unauthorized(String),
    #[error("your role does not allow {privilege} on {entity}")]
    Forbidden { entity: &'static str, privilege: &'static str },
    /// The caller's password was reset: nothing is allowed until they set a new one.
    #[error("set a new password first (POST /api/v1/auth/password, or the console's account page)")]
    PasswordChangeRequired,
    /// A second factor is required of the caller, who has none yet: nothing is allowed until
    /// they enrol.
    #[error("set up two-factor sign-in first (POST /api/v1/auth/totp, or the console's account page)")]
    TotpEnrolmentRequired,
    /// A grant (to a user, role or app) of privileges the caller does not hold; `field` is the
    /// part of the request that asked for them.
    #[error("{message}")]
    GrantRefused { field: String, message: String },
    /// Too many failed sign-ins: try again after `retry_after` seconds.
    #[error("{message}")]
    TooManyRequests { retry_after: u64, message: String },
    #[error("{0}")]
    NotFound(String),
    /// The record changed since the version the caller based its change on (`If-Match`).
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("{message}")]
    Conflict { field: Option<String>, message: String },
    #[error("{0}")]
    Invalid(ValidationErrors),
    /// The input could not be read at all (not JSON, not a form).
    #[error("{0}")]
    BadRequest(String),
    #[error("internal error")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn forbidden(entity: Entity, privilege: Privilege) -> Self {
        AppError::Forbidden { entity: entity.as_str(), privilege: privilege.as_str() }
    }
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(ValidationErrors::one(field, message))
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound { .. } => AppError::NotFound(error.to_string()),
            StoreError::Conflict { field, message } => AppError::Conflict { field, message },
            StoreError::Invalid(errors) => AppError::Invalid(errors),
            StoreError::Stale { .. } => AppError::PreconditionFailed(error.to_string()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<ValidationErrors> for AppError {
    fn from(errors: ValidationErrors) -> Self {
        AppError::Invalid(errors)
    }
}

impl From<hrbridge_sync::SyncError> for AppError {
    fn from(error: hrbridge_sync::SyncError) -> Self {
        match error {
            hrbridge_sync::SyncError::Store(e) => e.into(),
            hrbridge_sync::SyncError::UnknownMap(_) => AppError::NotFound(error.to_string()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(error: tokio::task::JoinError) -> Self {
        AppError::Internal(error.to_string())
    }
}
