//! Jobs (with required skills and certificates) and positions (which inherit them).

use super::{ListQuery, Paged};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::json::{from_value, patched, JsonBody};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_domain::hr::{Job, JobInput, Position, PositionInput};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_jobs, create_job))
        .routes(routes!(get_job, patch_job, delete_job))
        .routes(routes!(list_positions, create_position))
        .routes(routes!(get_position, patch_position, delete_position))
}

#[utoipa::path(get, path = "/api/v1/hr/jobs", tag = "hr", params(ListQuery), responses((status = 200, body = Paged<Job>)))]
async fn list_jobs(
    State(app): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Paged<Job>>> {
    caller.require(Entity::Job, Privilege::Read)?;
    Ok(Json(app.hr.jobs(&q.page()?).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/hr/jobs", tag = "hr", request_body = JobInput, responses((status = 201, body = Job)))]
async fn create_job(
    State(app): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<Job>)> {
    caller.require(Entity::Job, Privilege::Create)?;
    let input: JobInput = from_value(input)?;
    Ok((StatusCode::CREATED, Json(app.hr.create_job(&caller.actor(), input.parse()?).await?)))
}

#[utoipa::path(get, path = "/api/v1/hr/jobs/{job_id}", tag = "hr", responses((status = 200, body = Job)))]
async fn get_job(State(app): State<AppState>, caller: Caller, Path(job_id): Path<String>) -> ApiResult<Json<Job>> {
    caller.require(Entity::Job, Privilege::Read)?;
    Ok(Json(app.hr.job(&job_id).await?))
}

#[utoipa::path(patch, path = "/api/v1/hr/jobs/{job_id}", tag = "hr", request_body = Object, responses((status = 200, body = Job)))]
async fn patch_job(
    State(app): State<AppState>,
    caller: Caller,
    Path(job_id): Path<String>,
    JsonBody(patch): JsonBody<serde_json::Value>,
) -> ApiResult<Json<Job>> {
    caller.require(Entity::Job, Privilege::Write)?;
    let input: JobInput = patched(&app.hr.job(&job_id).await?.to_input(), patch)?;
    Ok(Json(app.hr.update_job(&caller.actor(), &job_id, input.parse()?).await?))
}

#[utoipa::path(delete, path = "/api/v1/hr/jobs/{job_id}", tag = "hr", responses((status = 204)))]
async fn delete_job(State(app): State<AppState>, caller: Caller, Path(job_id): Path<String>) -> ApiResult<StatusCode> {
    caller.require(Entity::Job, Privilege::Delete)?;
    app.hr.delete_job(&caller.actor(), &job_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/hr/positions", tag = "hr", params(ListQuery), responses((status = 200, body = Paged<Position>)))]
async fn list_positions(
    State(app): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Paged<Position>>> {
    caller.require(Entity::Position, Privilege::Read)?;
    Ok(Json(app.hr.positions(&q.page()?).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/hr/positions", tag = "hr", request_body = PositionInput, responses((status = 201, body = Position)))]
async fn create_position(
    State(app): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<Position>)> {
    caller.require(Entity::Position, Privilege::Create)?;
    let input: PositionInput = from_value(input)?;
    Ok((StatusCode::CREATED, Json(app.hr.create_position(&caller.actor(), input.parse()?).await?)))
}

#[utoipa::path(get, path = "/api/v1/hr/positions/{position_number}", tag = "hr", responses((status = 200, body = Position)))]
async fn get_position(
    State(app): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
) -> ApiResult<Json<Position>> {
    caller.require(Entity::Position, Privilege::Read)?;
    Ok(Json(app.hr.position(&number).await?))
}

#[utoipa::path(patch, path = "/api/v1/hr/positions/{position_number}", tag = "hr", request_body = Object, responses((status = 200, body = Position)))]
async fn patch_position(
    State(app): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
    JsonBody(patch): JsonBody<serde_json::Value>,
) -> ApiResult<Json<Position>> {
    caller.require(Entity::Position, Privilege::Write)?;
    let input: PositionInput = patched(&app.hr.position(&number).await?.to_input(), patch)?;
    Ok(Json(app.hr.update_position(&caller.actor(), &number, input.parse()?).await?))
}

#[utoipa::path(delete, path = "/api/v1/hr/positions/{position_number}", tag = "hr", responses((status = 204)))]
async fn delete_position(
    State(app): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require(Entity::Position, Privilege::Delete)?;
    app.hr.delete_position(&caller.actor(), &number).await?;
    Ok(StatusCode::NO_CONTENT)
}
