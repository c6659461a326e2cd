//! Changes that must not lose anyone's edit. A merge patch is applied to the version it was read
//! from and written only while the record is still at that version; with `If-Match` (the version
//! the caller saw), a record at any other version is refused (412).

use crate::error::{AppError, AppResult};
use crate::json::patched;
use futures::future::BoxFuture;
use hrbridge_domain::Versioned;
use hrbridge_store::StoreError;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// How often a patch without `If-Match` is merged again when another write got in between.
const MERGE_ATTEMPTS: usize = 5;

/// Applies the JSON merge `patch` to the record `read` gives (called `what` in messages): the
/// patch is merged into its input form (`input_of`) and `write` is given the result with the
/// version it was merged into, which it must pass on as the expected version. Without
/// `if_match`, a write that finds the record moved on is merged again into the newer version;
/// with it, a record at any other version than `if_match` is refused.
///
/// `read` and `write` give boxed futures so that the handlers calling this stay `Send`.
pub async fn merge_patch<'a, R, I>(
    what: &str,
    patch: serde_json::Value,
    if_match: Option<i64>,
    read: impl Fn() -> BoxFuture<'a, Result<R, StoreError>>,
    input_of: impl Fn(&R) -> I,
    write: impl Fn(I, i64) -> BoxFuture<'a, AppResult<R>>,
) -> AppResult<R>
where
    R: Versioned,
    I: Serialize + DeserializeOwned,
{
    for _ in 0..MERGE_ATTEMPTS {
        let current = read().await?;
        let version = current.version();
        if let Some(expected) = if_match {
            if version != expected {
                return Err(AppError::PreconditionFailed(format!(
                    "{what} changed since version {expected}: it is at version {version} now"
                )));
            }
        }
        let input = patched(&input_of(&current), patch.clone())?;
        match write(input, version).await {
            Err(AppError::PreconditionFailed(_)) if if_match.is_none() => continue,
            other => return other,
        }
    }
    Err(AppError::Conflict { field: None, message: format!("{what} is changing too often: try again") })
}
