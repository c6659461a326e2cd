//! Workers' changes that must not lose anyone's edit.

use crate::caller::Caller;
use crate::concurrency::merge_patch;
use crate::error::AppResult;
use crate::state::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_domain::hr::{Worker, WorkerInput};

/// Applies a JSON merge patch to a worker for `caller` (write on workers), never over a change
/// someone else made meanwhile; with `if_match`, only to that version (see [`merge_patch`]).
pub async fn patch_worker_as(
    app: &AppState,
    caller: &Caller,
    personnel_number: &str,
    patch: serde_json::Value,
    if_match: Option<i64>,
) -> AppResult<Worker> {
    caller.require(Entity::Worker, Privilege::Write)?;
    let actor = caller.actor();
    let (app, actor, key) = (app, &actor, personnel_number);
    merge_patch(
        &format!("worker '{personnel_number}'"),
        patch,
        if_match,
        || Box::pin(app.hr.worker(key)),
        Worker::to_input,
        move |input: WorkerInput, version| {
            Box::pin(async move { Ok(app.hr.update_worker(actor, key, input.parse()?, Some(version)).await?) })
        },
    )
    .await
}
