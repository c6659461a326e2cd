//! The server layer's one error type, answered as RFC 9457 `application/problem+json` with an
//! `errors` list naming each bad field: a use case's [`AppError`], or what only HTTP can get
//! wrong (a body of the wrong media type or too large).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hrbridge_app::AppError;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_domain::{FieldError, ValidationErrors};
use hrbridge_store::StoreError;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Unauthorized(String),
    #[error("your role does not allow {privilege} on {entity}")]
    Forbidden { entity: &'static str, privilege: &'static str },
    /// The caller's password was reset: nothing is allowed until they set a new one.
    #[error("set a new password first (POST /api/v1/auth/password, or the console's account page)")]
    PasswordChangeRequired,
    /// A second factor is required of the caller, who has none yet.
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
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// A body over the route's limit: refused before it is read.
    #[error("{0}")]
    TooLarge(String),
    #[error("internal error")]
    Internal(String),
}

pub type ApiResult<T> = Result<T, ApiError>;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl ApiError {
    pub fn forbidden(entity: Entity, privilege: Privilege) -> Self {
        ApiError::Forbidden { entity: entity.as_str(), privilege: privilege.as_str() }
    }
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ApiError::Invalid(ValidationErrors::one(field, message))
    }
    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized", "Not signed in"),
            ApiError::Forbidden { .. } => (StatusCode::FORBIDDEN, "forbidden", "Not allowed"),
            ApiError::GrantRefused { .. } => (StatusCode::FORBIDDEN, "grant-refused", "Not allowed to grant"),
            ApiError::PasswordChangeRequired => {
                (StatusCode::FORBIDDEN, "password-change-required", "A new password is needed")
            }
            ApiError::TotpEnrolmentRequired => {
                (StatusCode::FORBIDDEN, "totp-enrolment-required", "Two-factor sign-in is needed")
            }
            ApiError::TooManyRequests { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, "too-many-requests", "Too many requests")
            }
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not-found", "Not found"),
            ApiError::PreconditionFailed(_) => {
                (StatusCode::PRECONDITION_FAILED, "precondition-failed", "Changed since")
            }
            ApiError::Conflict { .. } => (StatusCode::CONFLICT, "conflict", "Conflict"),
            ApiError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation", "Invalid input"),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad-request", "Bad request"),
            ApiError::UnsupportedMediaType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Unsupported media type")
            }
            ApiError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large", "Payload too large"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error"),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound { .. } => ApiError::NotFound(error.to_string()),
            StoreError::Stale { .. } => ApiError::PreconditionFailed(error.to_string()),
            StoreError::Conflict { field, message } => ApiError::Conflict { field, message },
            StoreError::Invalid(errors) => ApiError::Invalid(errors),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        ApiError::Invalid(errors)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, slug, title) = self.parts();
        if let ApiError::Internal(detail) = &self {
            tracing::error!(%detail, "request failed");
        }
        let errors = match &self {
            ApiError::Invalid(errors) => errors.0.clone(),
            ApiError::Conflict { field: Some(field), message } | ApiError::GrantRefused { field, message } => {
                vec![FieldError { field: field.clone(), message: message.clone() }]
            }
            _ => Vec::new(),
        };
        let detail = match &self {
            ApiError::Internal(_) => "the server could not complete the request; it has been logged".to_string(),
            ApiError::Invalid(errors) => format!("{} field(s) are invalid: {errors}", errors.0.len()),
            other => other.to_string(),
        };
        let problem = Problem {
            problem_type: format!("urn:hrbridge:problem:{slug}"),
            title: title.to_string(),
            status: status.as_u16(),
            detail,
            errors,
        };
        let mut response = (status, axum::Json(problem)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let ApiError::TooManyRequests { retry_after, .. } = &self {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<hrbridge_sync::SyncError> for ApiError {
    fn from(error: hrbridge_sync::SyncError) -> Self {
        AppError::from(error).into()
    }
}

/// A use case's error, answered over HTTP.
impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Unauthorized(message) => ApiError::Unauthorized(message),
            AppError::Forbidden { entity, privilege } => ApiError::Forbidden { entity, privilege },
            AppError::GrantRefused { field, message } => ApiError::GrantRefused { field, message },
            AppError::PasswordChangeRequired => ApiError::PasswordChangeRequired,
            AppError::TotpEnrolmentRequired => ApiError::TotpEnrolmentRequired,
            AppError::TooManyRequests { retry_after, message } => ApiError::TooManyRequests { retry_after, message },
            AppError::NotFound(message) => ApiError::NotFound(message),
            AppError::PreconditionFailed(message) => ApiError::PreconditionFailed(message),
            AppError::Conflict { field, message } => ApiError::Conflict { field, message },
            AppError::Invalid(errors) => ApiError::Invalid(errors),
            AppError::BadRequest(message) => ApiError::BadRequest(message),
            AppError::Internal(message) => ApiError::Internal(message),
        }
    }
}
