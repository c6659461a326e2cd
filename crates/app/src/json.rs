//! JSON input given its shape: errors that name the field (`levels[2].factor: invalid type…`),
//! and JSON Merge Patch (RFC 7396) for changes.

use crate::error::AppError;
use hrbridge_domain::merge::merge_patch;
use hrbridge_domain::ValidationErrors;
use hrbridge_store::hr::import_file::deserialize;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub fn json_value(bytes: &[u8]) -> Result<serde_json::Value, AppError> {
    serde_json::from_slice(bytes).map_err(|e| AppError::BadRequest(format!("the body is not valid JSON: {e}")))
}

pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, AppError> {
    deserialize(value).map_err(|(field, message)| AppError::Invalid(ValidationErrors::one(field, message)))
}

/// Applies a merge patch to a record's input form: the result is validated like a create.
pub fn patched<I: Serialize + DeserializeOwned>(current: &I, patch: serde_json::Value) -> Result<I, AppError> {
    if !patch.is_object() {
        return Err(AppError::BadRequest("a PATCH body must be a JSON object (RFC 7396 merge patch)".into()));
    }
    let mut document = serde_json::to_value(current).map_err(|e| AppError::Internal(e.to_string()))?;
    merge_patch(&mut document, &patch);
    from_value(document)
}
