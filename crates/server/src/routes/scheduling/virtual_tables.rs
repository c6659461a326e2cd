//! Virtual tables (issue 4 item 11, after Dataverse's virtual entities): HR skills, certificate
//! types and candidates to hire, readable through the scheduling API but read live from the HR
//! store on every request, never copied. HR's privileges apply: reading `hr-skills` needs read
//! on skills, and so on, whatever the caller's scheduling privileges.

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::routes::{ListQuery, Paged};
use axum::extract::{Query, State};
use axum::Json;
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_domain::hr::{Candidate, CandidateStatus, CertificateType, Skill};
use hrbridge_store::hr::CandidateFilter;
use hrbridge_store::ActorKind;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(hr_skills)).routes(routes!(hr_certificate_types)).routes(routes!(hr_candidates))
}

/// HR's skills, live.
#[utoipa::path(get, path = "/api/v1/scheduling/virtual/hr-skills", tag = "scheduling", params(ListQuery), responses((status = 200, body = Paged<Skill>)))]
async fn hr_skills(
    State(app): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Paged<Skill>>> {
    caller.require(Entity::Skill, Privilege::Read)?;
    Ok(Json(app.hr.skills(&q.page()?).await?.into()))
}

/// HR's certificate types, live.
#[utoipa::path(get, path = "/api/v1/scheduling/virtual/hr-certificate-types", tag = "scheduling", params(ListQuery), responses((status = 200, body = Paged<CertificateType>)))]
async fn hr_certificate_types(
    State(app): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Paged<CertificateType>>> {
    caller.require(Entity::CertificateType, Privilege::Read)?;
    Ok(Json(app.hr.certificate_types(&q.page()?).await?.into()))
}

/// HR's candidates to hire, live (an app sees only those it exported).
#[utoipa::path(get, path = "/api/v1/scheduling/virtual/hr-candidates", tag = "scheduling", params(ListQuery), responses((status = 200, body = Paged<Candidate>)))]
async fn hr_candidates(
    State(app): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Paged<Candidate>>> {
    caller.require(Entity::Candidate, Privilege::Read)?;
    let filter = CandidateFilter {
        status: Some(CandidateStatus::ToHire),
        source_app: (caller.kind == ActorKind::App).then(|| caller.name.clone()),
    };
    Ok(Json(app.hr.candidates(&filter, &q.page()?).await?.into()))
}
