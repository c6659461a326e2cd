//! Jobs (with required skills and certificates) and positions (which inherit them).

use super::{ListQuery, Paged};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::etag;
use crate::json::{from_value, JsonBody};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use hrbridge_app::{concurrency, AppState};
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
async fn get_job(State(app): State<AppState>, caller: Caller, Path(job_id): Path<String>) -> ApiResult<Response> {
    caller.require(Entity::Job, Privilege::Read)?;
    Ok(etag::record(app.hr.job(&job_id).await?))
}

#[utoipa::path(patch, path = "/api/v1/hr/jobs/{job_id}", tag = "hr", request_body = Object, params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 200, body = Job), (status = 412)))]
async fn patch_job(
    State(app): State<AppState>,
    caller: Caller,
    Path(job_id): Path<String>,
    headers: HeaderMap,
    JsonBody(patch): JsonBody<serde_json::Value>,
) -> ApiResult<Response> {
    caller.require(Entity::Job, Privilege::Write)?;
    let actor = caller.actor();
    let (app, actor, key) = (&app, &actor, job_id.as_str());
    let record = concurrency::merge_patch(
        &format!("job '{job_id}'"),
        patch,
        etag::if_match(&headers)?,
        || Box::pin(app.hr.job(key)),
        Job::to_input,
        move |input: JobInput, version| {
            Box::pin(async move { Ok(app.hr.update_job(actor, key, input.parse()?, Some(version)).await?) })
        },
    )
    .await?;
    Ok(etag::record(record))
}

#[utoipa::path(delete, path = "/api/v1/hr/jobs/{job_id}", tag = "hr", params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 204), (status = 412)))]
async fn delete_job(
    State(app): State<AppState>,
    caller: Caller,
    Path(job_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    caller.require(Entity::Job, Privilege::Delete)?;
    app.hr.delete_job(&caller.actor(), &job_id, etag::if_match(&headers)?).await?;
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
async fn get_position(State(app): State<AppState>, caller: Caller, Path(number): Path<String>) -> ApiResult<Response> {
    caller.require(Entity::Position, Privilege::Read)?;
    Ok(etag::record(app.hr.position(&number).await?))
}

#[utoipa::path(patch, path = "/api/v1/hr/positions/{position_number}", tag = "hr", request_body = Object, params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 200, body = Position), (status = 412)))]
async fn patch_position(
    State(app): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
    headers: HeaderMap,
    JsonBody(patch): JsonBody<serde_json::Value>,
) -> ApiResult<Response> {
    caller.require(Entity::Position, Privilege::Write)?;
    let actor = caller.actor();
    let (app, actor, key) = (&app, &actor, number.as_str());
    let record = concurrency::merge_patch(
        &format!("position '{number}'"),
        patch,
        etag::if_match(&headers)?,
        || Box::pin(app.hr.position(key)),
        Position::to_input,
        move |input: PositionInput, version| {
            Box::pin(async move { Ok(app.hr.update_position(actor, key, input.parse()?, Some(version)).await?) })
        },
    )
    .await?;
    Ok(etag::record(record))
}

#[utoipa::path(delete, path = "/api/v1/hr/positions/{position_number}", tag = "hr", params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 204), (status = 412)))]
async fn delete_position(
    State(app): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    caller.require(Entity::Position, Privilege::Delete)?;
    app.hr.delete_position(&caller.actor(), &number, etag::if_match(&headers)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
