//! JSON bodies whose errors name the field, and JSON Merge Patch for PATCH.

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use hrbridge_domain::merge::merge_patch;
use hrbridge_domain::ValidationErrors;
use hrbridge_store::hr::import_file::deserialize;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// A JSON request body. Malformed JSON is a 400; a body of the wrong shape is a 422 naming the
/// field (`levels[2].factor: invalid type…`).
pub struct JsonBody<T>(pub T);

pub fn json_value(bytes: &[u8]) -> Result<serde_json::Value, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))
}

pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    deserialize(value).map_err(|(field, message)| ApiError::Invalid(ValidationErrors::one(field, message)))
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|ct| {
            let media = ct.split(';').next().unwrap_or("").trim();
            media == "application/json" || media.ends_with("+json")
        });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType("send the body as application/json".into()));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge("the body is larger than this endpoint accepts".into())
            } else {
                ApiError::BadRequest(format!("cannot read the body: {e}"))
            }
        })?;
        Ok(JsonBody(from_value(json_value(&bytes)?)?))
    }
}

/// Applies a merge patch to a record's input form: the result is validated like a create.
pub fn patched<I: Serialize + DeserializeOwned>(current: &I, patch: serde_json::Value) -> Result<I, ApiError> {
    if !patch.is_object() {
        return Err(ApiError::BadRequest("a PATCH body must be a JSON object (RFC 7396 merge patch)".into()));
    }
    let mut document = serde_json::to_value(current).map_err(|e| ApiError::Internal(e.to_string()))?;
    merge_patch(&mut document, &patch);
    from_value(document)
}
