//! Candidates to hire, in HR's personnel management: list, read, hire, do not hire, dismiss.

use super::{ListQuery, Paged};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::etag;
use crate::json::{from_value, JsonBody};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_domain::hr::{Candidate, CandidateStatus, DoNotHireInput, HireInput};
use hrbridge_store::hr::{CandidateFilter, Hired};
use hrbridge_store::ActorKind;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_candidates))
        .routes(routes!(get_candidate))
        .routes(routes!(hire_candidate))
        .routes(routes!(do_not_hire_candidate))
        .routes(routes!(dismiss_candidate))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CandidateQuery {
    /// `to_hire`, `hired`, `not_hired` or `dismissed`; every candidate when not given.
    pub status: Option<String>,
    /// At most 1000; 100 when not given.
    pub limit: Option<i64>,
    /// The `next` of the previous page.
    pub after: Option<String>,
}

/// A candidate id from the path: a number, else no such candidate.
fn candidate_id(raw: &str) -> ApiResult<i64> {
    raw.parse().map_err(|_| ApiError::NotFound(format!("candidate '{raw}' was not found")))
}

#[utoipa::path(get, path = "/api/v1/hr/candidates", tag = "hr", params(CandidateQuery), responses((status = 200, body = Paged<Candidate>)))]
async fn list_candidates(
    State(app): State<AppState>,
    caller: Caller,
    Query(q): Query<CandidateQuery>,
) -> ApiResult<Json<Paged<Candidate>>> {
    caller.require(Entity::Candidate, Privilege::Read)?;
    let status = match q.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(
            CandidateStatus::parse(s)
                .ok_or_else(|| ApiError::invalid("status", "must be one of to_hire, hired, not_hired, dismissed"))?,
        ),
    };
    let page = ListQuery { limit: q.limit, after: q.after.clone(), q: None }.page()?;
    // An app sees only the candidates it exported.
    let source_app = (caller.kind == ActorKind::App).then(|| caller.name.clone());
    Ok(Json(app.hr.candidates(&CandidateFilter { status, source_app }, &page).await?.into()))
}

#[utoipa::path(get, path = "/api/v1/hr/candidates/{id}", tag = "hr", responses((status = 200, body = Candidate)))]
async fn get_candidate(State(app): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<Response> {
    caller.require(Entity::Candidate, Privilege::Read)?;
    let candidate = app.hr.candidate(candidate_id(&id)?).await?;
    if caller.kind == ActorKind::App && candidate.source_app != caller.name {
        return Err(ApiError::NotFound(format!("candidate '{id}' was not found")));
    }
    Ok(etag::record(candidate))
}

/// Hire: creates the worker (name, email, phone, employment start) with the candidate's skills
/// and certificates, assigns the position, and marks the candidate hired, in one transaction.
#[utoipa::path(post, path = "/api/v1/hr/candidates/{id}/hire", tag = "hr", request_body = HireInput, responses((status = 201, body = Hired), (status = 409)))]
async fn hire_candidate(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<Hired>)> {
    caller.require(Entity::Candidate, Privilege::Write)?;
    caller.require(Entity::Worker, Privilege::Create)?;
    caller.require(Entity::Position, Privilege::Write)?;
    let id = candidate_id(&id)?;
    let input: HireInput = from_value(input)?;
    Ok((StatusCode::CREATED, Json(app.hr.hire_candidate(&caller.actor(), id, input.parse()?).await?)))
}

#[utoipa::path(post, path = "/api/v1/hr/candidates/{id}/do-not-hire", tag = "hr", request_body = DoNotHireInput, responses((status = 200, body = Candidate), (status = 409)))]
async fn do_not_hire_candidate(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<serde_json::Value>,
) -> ApiResult<Json<Candidate>> {
    caller.require(Entity::Candidate, Privilege::Write)?;
    let id = candidate_id(&id)?;
    let reason = from_value::<DoNotHireInput>(input)?.parse()?;
    Ok(Json(app.hr.close_candidate(&caller.actor(), id, CandidateStatus::NotHired, Some(reason)).await?))
}

#[utoipa::path(post, path = "/api/v1/hr/candidates/{id}/dismiss", tag = "hr", responses((status = 200, body = Candidate), (status = 409)))]
async fn dismiss_candidate(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Candidate>> {
    caller.require(Entity::Candidate, Privilege::Write)?;
    let id = candidate_id(&id)?;
    Ok(Json(app.hr.close_candidate(&caller.actor(), id, CandidateStatus::Dismissed, None).await?))
}
