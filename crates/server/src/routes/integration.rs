//! The integration page's API (seed 001): the switch, the missed-request sync, mapped entities
//! and their tracking grid, clear tracking, sync now jobs, conflicts, errors, maps and the
//! HR-to-resource-scheduling solution switch (seed 000). Every route needs the `integration`
//! privileges (only `system-administrator` holds them).

use super::{ListQuery, Paged};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::json::{from_value, JsonBody};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use hrbridge_app::{integration, AppState};
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_store::sync::journal::{Conflict, Run, SyncErrorRow, SyncJob};
use hrbridge_store::sync::state::TrackingRow;
use hrbridge_sync::{Difference, DifferenceKind, IntegrationStatus, MapStatus, Pending};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_integration, put_integration))
        .routes(routes!(missed_request_sync))
        .routes(routes!(list_entities))
        .routes(routes!(entity_tracking))
        .routes(routes!(clear_tracking))
        .routes(routes!(sync_now))
        .routes(routes!(get_job))
        .routes(routes!(list_conflicts))
        .routes(routes!(list_errors))
        .routes(routes!(reconcile))
        .routes(routes!(retry_error))
        .routes(routes!(list_maps))
        .routes(routes!(put_solution))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Switch {
    pub enabled: bool,
}

/// A mapped entity, as the integration page's entity picker lists it.
#[derive(Serialize, ToSchema)]
pub struct MappedEntity {
    /// The map's name: use it in the paths below.
    pub name: String,
    pub scheduling_entity: String,
    pub hr_entity: String,
    /// Linked pairs.
    pub linked: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Cleared {
    pub entity: String,
    pub removed: u64,
}

#[derive(Serialize, ToSchema)]
pub struct JobStarted {
    pub job_id: String,
}

#[utoipa::path(get, path = "/api/v1/integration", tag = "integration", responses((status = 200, body = IntegrationStatus)))]
async fn get_integration(State(app): State<AppState>, caller: Caller) -> ApiResult<Json<IntegrationStatus>> {
    caller.require(Entity::Integration, Privilege::Read)?;
    Ok(Json(app.engine.status().await?))
}

/// Turns the integration on or off. Turning it on starts the missed-request sync at once.
#[utoipa::path(put, path = "/api/v1/integration", tag = "integration", request_body = Switch, responses((status = 200, body = IntegrationStatus)))]
async fn put_integration(
    State(app): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> ApiResult<Json<IntegrationStatus>> {
    caller.require(Entity::Integration, Privilege::Write)?;
    let body: Switch = from_value(body)?;
    Ok(Json(integration::set_enabled_as(&app, &caller, body.enabled).await?))
}

/// Runs the missed-request sync now and answers with its run.
#[utoipa::path(post, path = "/api/v1/integration/missed-request-sync", tag = "integration", responses((status = 200, body = Run)))]
async fn missed_request_sync(State(app): State<AppState>, caller: Caller) -> ApiResult<Json<Run>> {
    Ok(Json(integration::missed_request_sync_as(&app, &caller).await?.0))
}

#[utoipa::path(get, path = "/api/v1/integration/entities", tag = "integration", responses((status = 200, body = Vec<MappedEntity>)))]
async fn list_entities(State(app): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<MappedEntity>>> {
    caller.require(Entity::Integration, Privilege::Read)?;
    let maps = app.engine.map_statuses().await?;
    Ok(Json(
        maps.into_iter()
            .map(|m| MappedEntity {
                name: m.name,
                scheduling_entity: m.scheduling_entity,
                hr_entity: m.hr_entity,
                linked: m.linked,
            })
            .collect(),
    ))
}

/// The tracking grid of one entity: a row per linked pair.
#[utoipa::path(get, path = "/api/v1/integration/entities/{entity}/tracking", tag = "integration", params(ListQuery), responses((status = 200, body = Paged<TrackingRow>)))]
async fn entity_tracking(
    State(app): State<AppState>,
    caller: Caller,
    Path(entity): Path<String>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Paged<TrackingRow>>> {
    caller.require(Entity::Integration, Privilege::Read)?;
    let map = app.engine.map(&entity)?;
    Ok(Json(app.hr.tracking_page(map.name(), &q.page()?).await?.into()))
}

/// Clears the entity's tracking: its records are no longer linked until HR changes them or a
/// sync now links them again by integration key.
#[utoipa::path(post, path = "/api/v1/integration/entities/{entity}/clear-tracking", tag = "integration", responses((status = 200, body = Cleared)))]
async fn clear_tracking(
    State(app): State<AppState>,
    caller: Caller,
    Path(entity): Path<String>,
) -> ApiResult<Json<Cleared>> {
    let (entity, removed) = integration::clear_tracking_as(&app, &caller, &entity).await?;
    Ok(Json(Cleared { entity, removed }))
}

/// Starts a full synchronisation of one entity in the background; follow it at
/// `/integration/jobs/{job_id}`. Refused (409) while the integration is off.
#[utoipa::path(post, path = "/api/v1/integration/entities/{entity}/sync-now", tag = "integration", responses((status = 202, body = JobStarted)))]
async fn sync_now(
    State(app): State<AppState>,
    caller: Caller,
    Path(entity): Path<String>,
) -> ApiResult<(StatusCode, Json<JobStarted>)> {
    let job = integration::sync_now_as(&app, &caller, &entity).await?;
    Ok((StatusCode::ACCEPTED, Json(JobStarted { job_id: job.id })))
}

#[utoipa::path(get, path = "/api/v1/integration/jobs/{id}", tag = "integration", responses((status = 200, body = SyncJob)))]
async fn get_job(State(app): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<Json<SyncJob>> {
    caller.require(Entity::Integration, Privilege::Read)?;
    Ok(Json(app.hr.sync_job(&id).await?))
}

/// The conflict journal, newest first: both versions of each record whose version lost.
#[utoipa::path(get, path = "/api/v1/integration/conflicts", tag = "integration", params(ListQuery), responses((status = 200, body = Paged<Conflict>)))]
async fn list_conflicts(
    State(app): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Paged<Conflict>>> {
    caller.require(Entity::Integration, Privilege::Read)?;
    Ok(Json(app.hr.conflicts(&q.page()?).await?.into()))
}

/// Reconcile's answer: the whole comparison's verdict and totals, and a page of its differences.
#[derive(Serialize, ToSchema)]
struct ReconcileAnswer {
    /// True only when there is no difference, nothing queued and nothing waiting.
    agree: bool,
    pending: Pending,
    /// Differences counted per map and kind (all of them, not only this page's).
    totals: BTreeMap<String, BTreeMap<DifferenceKind, usize>>,
    differences: Vec<Difference>,
    /// Pass as `after` for the next page of differences; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
}

/// Both sides compared completely: records missing on either side, field differences with both
/// values, tracking rows pointing at nothing, links to records deleted on one side, the error
/// queue and the changes not applied yet. `agree` is true only when none of these is found.
/// Each page compares again; its cursor is a position in the differences in order of map and
/// key, so a page read after a change may skip or repeat one.
#[utoipa::path(get, path = "/api/v1/integration/reconcile", tag = "integration", params(ListQuery), responses((status = 200, body = ReconcileAnswer)))]
async fn reconcile(
    State(app): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<ReconcileAnswer>> {
    caller.require(Entity::Integration, Privilege::Read)?;
    let page = q.page()?;
    let start = match &page.after {
        None => 0,
        Some(after) => after
            .parse::<usize>()
            .map_err(|_| hrbridge_app::AppError::invalid("after", "is not a cursor this server gave out"))?,
    };
    let report = integration::reconcile_as(&app, &caller).await?;
    let start = start.min(report.differences.len());
    let end = start.saturating_add(page.limit as usize).min(report.differences.len());
    let differences = report.differences[start..end].to_vec();
    let next = (end < report.differences.len()).then(|| super::cursor(&end.to_string()));
    Ok(Json(ReconcileAnswer { agree: report.agree, pending: report.pending, totals: report.totals, differences, next }))
}

/// The error queue: changes that could not be applied, with the reason and the next attempt.
#[utoipa::path(get, path = "/api/v1/integration/errors", tag = "integration", params(ListQuery), responses((status = 200, body = Paged<SyncErrorRow>)))]
async fn list_errors(
    State(app): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Paged<SyncErrorRow>>> {
    caller.require(Entity::Integration, Privilege::Read)?;
    Ok(Json(app.hr.sync_errors(&q.page()?).await?.into()))
}

/// Tries a queued change again on the next pass (at once).
#[utoipa::path(post, path = "/api/v1/integration/errors/{id}/retry", tag = "integration", responses((status = 200, body = SyncErrorRow)))]
async fn retry_error(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<SyncErrorRow>> {
    Ok(Json(integration::retry_error_as(&app, &caller, &id).await?))
}

#[utoipa::path(get, path = "/api/v1/integration/maps", tag = "integration", responses((status = 200, body = Vec<MapStatus>)))]
async fn list_maps(State(app): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<MapStatus>>> {
    caller.require(Entity::Integration, Privilege::Read)?;
    Ok(Json(app.engine.map_statuses().await?))
}

/// Turns the HR-to-resource-scheduling solution off (resources lose their `hr_worker_number`
/// link; characteristics stay) or on (resources are relinked by personnel number and the worker
/// maps are synced again).
#[utoipa::path(put, path = "/api/v1/integration/solutions/hr-resource-scheduling", tag = "integration", request_body = Switch, responses((status = 200, body = IntegrationStatus)))]
async fn put_solution(
    State(app): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> ApiResult<Json<IntegrationStatus>> {
    caller.require(Entity::Integration, Privilege::Write)?;
    let body: Switch = from_value(body)?;
    Ok(Json(integration::set_solution_as(&app, &caller, body.enabled).await?))
}
