//! The integration under the administrator's control (seed 001; seed 000's solution switch): the
//! switch, the missed-request sync, clear tracking, sync now, retrying a queued change. The API's
//! `/integration` routes and the console's integration pages are adapters over these.

use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_store::sync::journal::{Run, SyncErrorRow, SyncJob};
use hrbridge_sync::IntegrationStatus;

/// The maps the HR-to-resource-scheduling solution syncs again when it is turned back on.
const SOLUTION_MAPS: [&str; 3] = ["workers", "worker-skills", "worker-certificates"];

/// Turns the integration on (the missed-request sync starts at once, in the background) or off.
pub async fn set_enabled_as(app: &AppState, caller: &Caller, enabled: bool) -> AppResult<IntegrationStatus> {
    caller.require(Entity::Integration, Privilege::Write)?;
    let status = app.engine.set_enabled(&caller.actor(), enabled).await?;
    if enabled {
        app.catch_up();
    }
    Ok(status)
}

/// Runs the missed-request sync now, and records the run (with nothing applied while the
/// integration is off). Answers the run and whether the integration was on.
pub async fn missed_request_sync_as(app: &AppState, caller: &Caller) -> AppResult<(Run, bool)> {
    caller.require(Entity::Integration, Privilege::Write)?;
    let enabled = app.hr.integration_enabled().await?;
    Ok((app.engine.missed_request_sync().await?, enabled))
}

/// Clears one map's tracking; answers the map's name and how many links went.
pub async fn clear_tracking_as(app: &AppState, caller: &Caller, entity: &str) -> AppResult<(String, u64)> {
    caller.require(Entity::Integration, Privilege::Delete)?;
    let name = app.engine.map(entity)?.name().to_string();
    let removed = app.hr.clear_tracking(&caller.actor(), &name).await?;
    Ok((name, removed))
}

/// Compares both sides completely (every map, the tracking table, the error queue and both
/// outboxes' backlog): what the integration page, the API and the CLI all report.
pub async fn reconcile_as(app: &AppState, caller: &Caller) -> AppResult<hrbridge_sync::Reconciliation> {
    caller.require(Entity::Integration, Privilege::Read)?;
    Ok(app.engine.reconciliation().await?)
}

/// Starts a full synchronisation of one map in the background: refused (409) while the
/// integration is off.
pub async fn sync_now_as(app: &AppState, caller: &Caller, entity: &str) -> AppResult<SyncJob> {
    caller.require(Entity::Integration, Privilege::Write)?;
    let name = app.engine.map(entity)?.name().to_string();
    if !app.hr.integration_enabled().await? {
        return Err(AppError::Conflict {
            field: None,
            message: "the integration is off: turn it on before syncing an entity".into(),
        });
    }
    let id = app.ids.next_uuid().to_string();
    Ok(app.engine.start_sync_now(&caller.actor(), &name, id).await?)
}

/// Makes a queued change due now and wakes the sync worker.
pub async fn retry_error_as(app: &AppState, caller: &Caller, id: &str) -> AppResult<SyncErrorRow> {
    caller.require(Entity::Integration, Privilege::Write)?;
    let not_found =
        || AppError::NotFound(format!("integration error '{}' was not found", crate::accounts::capped(id, 40)));
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let row = app.hr.make_error_due(id).await?;
    app.wake_sync();
    Ok(row)
}

/// Turns the HR-to-resource-scheduling solution off (resources lose their link to workers;
/// characteristics stay) or on (resources are relinked by personnel number and the worker maps
/// are synced again); the finder sees the change at once.
pub async fn set_solution_as(app: &AppState, caller: &Caller, enabled: bool) -> AppResult<IntegrationStatus> {
    caller.require(Entity::Integration, Privilege::Write)?;
    let actor = caller.actor();
    let status = app.engine.set_solution(&actor, enabled).await?;
    if enabled && status.enabled {
        for map in SOLUTION_MAPS {
            if app.engine.map(map).is_ok() {
                let id = app.ids.next_uuid().to_string();
                app.engine.start_sync_now(&actor, map, id).await?;
            }
        }
    }
    app.finder.refresh(&app.scheduling).await?;
    Ok(status)
}
