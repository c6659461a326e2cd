//! The ATS API (seed 002): an applicant tracking system exports hired candidates through its
//! registered app, and reads back what HR decided. Rate-limited per caller; bodies up to 64 KiB.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::json::{from_value, json_value};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_domain::hr::{Candidate, CandidateOutcome, HiredCandidateInput};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The largest export body accepted.
pub const MAX_EXPORT_BYTES: usize = 64 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(export_candidate))
        .routes(routes!(candidate_outcome))
        .layer(DefaultBodyLimit::max(MAX_EXPORT_BYTES))
}

/// A problem+json answer for the statuses [`ApiError`] does not cover (413, 429).
fn problem(status: StatusCode, slug: &str, title: &str, detail: String) -> Response {
    let body = Problem {
        problem_type: format!("urn:hrbridge:problem:{slug}"),
        title: title.to_string(),
        status: status.as_u16(),
        detail,
        errors: Vec::new(),
    };
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    response
}

/// Takes a token from the caller's bucket, or gives the 429 answer with `Retry-After` (whole
/// seconds).
fn rate_limited(app: &AppState, caller: &Caller) -> Option<Response> {
    app.ats_limiter.check(&caller.name).err().map(|wait| {
        let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
        let detail = format!("too many requests from '{}': retry in {seconds} s", caller.name);
        let mut response = problem(StatusCode::TOO_MANY_REQUESTS, "rate-limited", "Too many requests", detail);
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        response
    })
}

/// Reads a JSON body of at most [`MAX_EXPORT_BYTES`]: 413 above, 415 for another media type.
async fn read_json(request: Request) -> Result<serde_json::Value, Response> {
    let is_json = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|ct| {
        let media = ct.split(';').next().unwrap_or("").trim();
        media == "application/json" || media.ends_with("+json")
    });
    let bytes = Bytes::from_request(request, &()).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            let detail = format!("the body is larger than {} KiB", MAX_EXPORT_BYTES / 1024);
            problem(StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large", "Payload too large", detail)
        } else {
            ApiError::BadRequest(format!("cannot read the body: {rejection}")).into_response()
        }
    })?;
    if !is_json {
        return Err(ApiError::UnsupportedMediaType("send the body as application/json".into()).into_response());
    }
    json_value(&bytes).map_err(|e| ApiError::from(e).into_response())
}

/// Export a hired candidate. The same export again answers 200 with the candidate unchanged; a
/// changed one updates it while it is still to hire (201 when new).
#[utoipa::path(
    post,
    path = "/api/v1/ats/hired-candidates",
    tag = "ats",
    request_body = HiredCandidateInput,
    responses(
        (status = 201, body = Candidate, description = "received"),
        (status = 200, body = Candidate, description = "received before: unchanged, or updated"),
        (status = 409, body = Problem, description = "already hired or closed: a changed export is refused"),
        (status = 413, body = Problem),
        (status = 422, body = Problem),
        (status = 429, body = Problem, description = "rate-limited; see Retry-After"),
    )
)]
async fn export_candidate(State(app): State<AppState>, caller: Caller, request: Request) -> ApiResult<Response> {
    caller.require(Entity::Candidate, Privilege::Create)?;
    if let Some(response) = rate_limited(&app, &caller) {
        return Ok(response);
    }
    let value = match read_json(request).await {
        Ok(value) => value,
        Err(response) => return Ok(response),
    };
    let input: HiredCandidateInput = from_value(value)?;
    let received = app.hr.receive_candidate(&caller.actor(), input.parse()?).await?;
    let status = if received.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(received.candidate)).into_response())
}

/// What became of a candidate this app exported: `not_processed`, `hired` (with the personnel
/// number), `not_hired` or `dismissed`.
#[utoipa::path(
    get,
    path = "/api/v1/ats/hired-candidates/{external_id}",
    tag = "ats",
    responses((status = 200, body = CandidateOutcome), (status = 404, body = Problem), (status = 429, body = Problem))
)]
async fn candidate_outcome(
    State(app): State<AppState>,
    caller: Caller,
    Path(external_id): Path<String>,
) -> ApiResult<Response> {
    caller.require(Entity::Candidate, Privilege::Read)?;
    if let Some(response) = rate_limited(&app, &caller) {
        return Ok(response);
    }
    let candidate = app.hr.candidate_of_app(&caller.name, &external_id).await?;
    Ok(Json(candidate.outcome()).into_response())
}
