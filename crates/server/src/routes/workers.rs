//! Workers, and their skills and certificates.

use super::{ListQuery, Paged};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::etag;
use crate::json::{from_value, JsonBody};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use hrbridge_app::{workers, AppState};
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_domain::hr::{
    Worker, WorkerCertificate, WorkerCertificateInput, WorkerInput, WorkerSkill, WorkerSkillInput,
};
use hrbridge_store::hr::WorkerFilter;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_workers, create_worker))
        .routes(routes!(get_worker, patch_worker, delete_worker))
        .routes(routes!(put_worker_skill, delete_worker_skill))
        .routes(routes!(put_worker_certificate, delete_worker_certificate))
}

#[utoipa::path(get, path = "/api/v1/hr/workers", tag = "hr", params(ListQuery), responses((status = 200, body = Paged<Worker>)))]
async fn list_workers(
    State(app): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Paged<Worker>>> {
    caller.require(Entity::Worker, Privilege::Read)?;
    let filter = WorkerFilter { q: q.q.clone() };
    Ok(Json(app.hr.workers(&filter, &q.page()?).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/hr/workers", tag = "hr", request_body = WorkerInput, responses((status = 201, body = Worker)))]
async fn create_worker(
    State(app): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<Worker>)> {
    caller.require(Entity::Worker, Privilege::Create)?;
    let input: WorkerInput = from_value(input)?;
    Ok((StatusCode::CREATED, Json(app.hr.create_worker(&caller.actor(), input.parse()?).await?)))
}

/// A worker, with its version as the `ETag`.
#[utoipa::path(get, path = "/api/v1/hr/workers/{personnel_number}", tag = "hr", responses((status = 200, body = Worker)))]
async fn get_worker(
    State(app): State<AppState>,
    caller: Caller,
    Path(personnel_number): Path<String>,
) -> ApiResult<Response> {
    caller.require(Entity::Worker, Privilege::Read)?;
    let worker = app.hr.worker(&personnel_number).await?;
    Ok(etag::tagged(worker.version, worker))
}

/// Changes a worker with a JSON merge patch. A change someone else made meanwhile is never
/// overwritten; with `If-Match` (the `ETag` the caller read) the patch is refused (412) if the
/// worker has changed since.
#[utoipa::path(patch, path = "/api/v1/hr/workers/{personnel_number}", tag = "hr", request_body = Object, params(("If-Match" = Option<String>, Header, description = "the ETag read")), responses((status = 200, body = Worker), (status = 412)))]
async fn patch_worker(
    State(app): State<AppState>,
    caller: Caller,
    Path(personnel_number): Path<String>,
    headers: HeaderMap,
    JsonBody(patch): JsonBody<serde_json::Value>,
) -> ApiResult<Response> {
    caller.require(Entity::Worker, Privilege::Write)?;
    let if_match = etag::if_match(&headers)?;
    let worker = workers::patch_worker_as(&app, &caller, &personnel_number, patch, if_match).await?;
    Ok(etag::tagged(worker.version, worker))
}

#[utoipa::path(delete, path = "/api/v1/hr/workers/{personnel_number}", tag = "hr", params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 204), (status = 412)))]
async fn delete_worker(
    State(app): State<AppState>,
    caller: Caller,
    Path(personnel_number): Path<String>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    caller.require(Entity::Worker, Privilege::Delete)?;
    app.hr.delete_worker(&caller.actor(), &personnel_number, etag::if_match(&headers)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/api/v1/hr/workers/{personnel_number}/skills/{skill_code}", tag = "hr", request_body = WorkerSkillInput, params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 200, body = WorkerSkill), (status = 412)))]
async fn put_worker_skill(
    State(app): State<AppState>,
    caller: Caller,
    Path((personnel_number, skill_code)): Path<(String, String)>,
    headers: HeaderMap,
    JsonBody(input): JsonBody<serde_json::Value>,
) -> ApiResult<Response> {
    caller.require(Entity::WorkerSkill, Privilege::Write)?;
    let input: WorkerSkillInput = from_value(input)?;
    Ok(etag::record(
        app.hr
            .set_worker_skill(&caller.actor(), &personnel_number, &skill_code, input, etag::if_match(&headers)?)
            .await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/hr/workers/{personnel_number}/skills/{skill_code}", tag = "hr", params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 204), (status = 412)))]
async fn delete_worker_skill(
    State(app): State<AppState>,
    caller: Caller,
    Path((personnel_number, skill_code)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    caller.require(Entity::WorkerSkill, Privilege::Delete)?;
    app.hr.remove_worker_skill(&caller.actor(), &personnel_number, &skill_code, etag::if_match(&headers)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/api/v1/hr/workers/{personnel_number}/certificates/{code}", tag = "hr", request_body = WorkerCertificateInput, params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 200, body = WorkerCertificate), (status = 412)))]
async fn put_worker_certificate(
    State(app): State<AppState>,
    caller: Caller,
    Path((personnel_number, code)): Path<(String, String)>,
    headers: HeaderMap,
    JsonBody(input): JsonBody<serde_json::Value>,
) -> ApiResult<Response> {
    caller.require(Entity::WorkerCertificate, Privilege::Write)?;
    let input: WorkerCertificateInput = from_value(input)?;
    Ok(etag::record(
        app.hr
            .set_worker_certificate(&caller.actor(), &personnel_number, &code, input, etag::if_match(&headers)?)
            .await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/hr/workers/{personnel_number}/certificates/{code}", tag = "hr", params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 204), (status = 412)))]
async fn delete_worker_certificate(
    State(app): State<AppState>,
    caller: Caller,
    Path((personnel_number, code)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    caller.require(Entity::WorkerCertificate, Privilege::Delete)?;
    app.hr.remove_worker_certificate(&caller.actor(), &personnel_number, &code, etag::if_match(&headers)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
