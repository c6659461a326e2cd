//! Workers' changes that must not lose anyone's edit: a merge patch applied to the version it
//! was read from, and, with `If-Match`, only to the version the caller saw.

use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::json::patched;
use crate::state::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_domain::hr::{Worker, WorkerInput};
use hrbridge_store::StoreError;

/// How often a patch without `If-Match` is merged again when another write got in between.
const MERGE_ATTEMPTS: usize = 5;

/// Applies a JSON merge patch to a worker for `caller` (write on workers). The patch is merged
/// into the version read and written only if the worker is still at that version: a change
/// someone else made meanwhile is never overwritten with what was read before it. With
/// `if_match` (the version the caller saw) a worker at any other version is refused (412);
/// without it, the patch is merged again into the newer version.
pub async fn patch_worker_as(
    app: &AppState,
    caller: &Caller,
    personnel_number: &str,
    patch: serde_json::Value,
    if_match: Option<i64>,
) -> AppResult<Worker> {
    caller.require(Entity::Worker, Privilege::Write)?;
    for _ in 0..MERGE_ATTEMPTS {
        let current = app.hr.worker(personnel_number).await?;
        if let Some(expected) = if_match {
            if current.version != expected {
                return Err(changed_since(personnel_number, expected, current.version));
            }
        }
        let input: WorkerInput = patched(&current.to_input(), patch.clone())?;
        match app.hr.update_worker(&caller.actor(), personnel_number, input.parse()?, Some(current.version)).await {
            Err(StoreError::Stale { .. }) if if_match.is_none() => continue,
            other => return Ok(other?),
        }
    }
    Err(AppError::Conflict {
        field: None,
        message: format!("worker '{personnel_number}' is changing too often: try again"),
    })
}

fn changed_since(personnel_number: &str, expected: i64, current: i64) -> AppError {
    AppError::PreconditionFailed(format!(
        "worker '{personnel_number}' changed since version {expected}: it is at version {current} now"
    ))
}
