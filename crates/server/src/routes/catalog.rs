//! Skill types, rating models (with levels), skills and certificate types.

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
use hrbridge_domain::hr::{
    CertificateType, CertificateTypeInput, RatingModel, RatingModelInput, Skill, SkillInput, SkillType, SkillTypeInput,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_skill_types, create_skill_type))
        .routes(routes!(get_skill_type, patch_skill_type, delete_skill_type))
        .routes(routes!(list_rating_models, create_rating_model))
        .routes(routes!(get_rating_model, patch_rating_model, delete_rating_model))
        .routes(routes!(list_skills, create_skill))
        .routes(routes!(get_skill, patch_skill, delete_skill))
        .routes(routes!(list_certificate_types, create_certificate_type))
        .routes(routes!(get_certificate_type, patch_certificate_type, delete_certificate_type))
}

// ---- skill types

#[utoipa::path(get, path = "/api/v1/hr/skill-types", tag = "hr", params(ListQuery), responses((status = 200, body = Paged<SkillType>)))]
async fn list_skill_types(
    State(app): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Paged<SkillType>>> {
    caller.require(Entity::SkillType, Privilege::Read)?;
    Ok(Json(app.hr.skill_types(&q.page()?).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/hr/skill-types", tag = "hr", request_body = SkillTypeInput, responses((status = 201, body = SkillType)))]
async fn create_skill_type(
    State(app): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<SkillType>)> {
    caller.require(Entity::SkillType, Privilege::Create)?;
    let input: SkillTypeInput = from_value(input)?;
    Ok((StatusCode::CREATED, Json(app.hr.create_skill_type(&caller.actor(), input.parse()?).await?)))
}

#[utoipa::path(get, path = "/api/v1/hr/skill-types/{code}", tag = "hr", responses((status = 200, body = SkillType)))]
async fn get_skill_type(State(app): State<AppState>, caller: Caller, Path(code): Path<String>) -> ApiResult<Response> {
    caller.require(Entity::SkillType, Privilege::Read)?;
    Ok(etag::record(app.hr.skill_type(&code).await?))
}

#[utoipa::path(patch, path = "/api/v1/hr/skill-types/{code}", tag = "hr", request_body = Object, params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 200, body = SkillType), (status = 412)))]
async fn patch_skill_type(
    State(app): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    headers: HeaderMap,
    JsonBody(patch): JsonBody<serde_json::Value>,
) -> ApiResult<Response> {
    caller.require(Entity::SkillType, Privilege::Write)?;
    let actor = caller.actor();
    let (app, actor, key) = (&app, &actor, code.as_str());
    let record = concurrency::merge_patch(
        &format!("skill type '{code}'"),
        patch,
        etag::if_match(&headers)?,
        || Box::pin(app.hr.skill_type(key)),
        SkillType::to_input,
        move |input: SkillTypeInput, version| {
            Box::pin(async move { Ok(app.hr.update_skill_type(actor, key, input.parse()?, Some(version)).await?) })
        },
    )
    .await?;
    Ok(etag::record(record))
}

#[utoipa::path(delete, path = "/api/v1/hr/skill-types/{code}", tag = "hr", params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 204), (status = 412)))]
async fn delete_skill_type(
    State(app): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    caller.require(Entity::SkillType, Privilege::Delete)?;
    app.hr.delete_skill_type(&caller.actor(), &code, etag::if_match(&headers)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- rating models

#[utoipa::path(get, path = "/api/v1/hr/rating-models", tag = "hr", params(ListQuery), responses((status = 200, body = Paged<RatingModel>)))]
async fn list_rating_models(
    State(app): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Paged<RatingModel>>> {
    caller.require(Entity::RatingModel, Privilege::Read)?;
    Ok(Json(app.hr.rating_models(&q.page()?).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/hr/rating-models", tag = "hr", request_body = RatingModelInput, responses((status = 201, body = RatingModel)))]
async fn create_rating_model(
    State(app): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<RatingModel>)> {
    caller.require(Entity::RatingModel, Privilege::Create)?;
    let input: RatingModelInput = from_value(input)?;
    Ok((StatusCode::CREATED, Json(app.hr.create_rating_model(&caller.actor(), input.parse()?).await?)))
}

#[utoipa::path(get, path = "/api/v1/hr/rating-models/{code}", tag = "hr", responses((status = 200, body = RatingModel)))]
async fn get_rating_model(
    State(app): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Response> {
    caller.require(Entity::RatingModel, Privilege::Read)?;
    Ok(etag::record(app.hr.rating_model(&code).await?))
}

#[utoipa::path(patch, path = "/api/v1/hr/rating-models/{code}", tag = "hr", request_body = Object, params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 200, body = RatingModel), (status = 412)))]
async fn patch_rating_model(
    State(app): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    headers: HeaderMap,
    JsonBody(patch): JsonBody<serde_json::Value>,
) -> ApiResult<Response> {
    caller.require(Entity::RatingModel, Privilege::Write)?;
    let actor = caller.actor();
    let (app, actor, key) = (&app, &actor, code.as_str());
    let record = concurrency::merge_patch(
        &format!("rating model '{code}'"),
        patch,
        etag::if_match(&headers)?,
        || Box::pin(app.hr.rating_model(key)),
        RatingModel::to_input,
        move |input: RatingModelInput, version| {
            Box::pin(async move { Ok(app.hr.update_rating_model(actor, key, input.parse()?, Some(version)).await?) })
        },
    )
    .await?;
    Ok(etag::record(record))
}

#[utoipa::path(delete, path = "/api/v1/hr/rating-models/{code}", tag = "hr", params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 204), (status = 412)))]
async fn delete_rating_model(
    State(app): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    caller.require(Entity::RatingModel, Privilege::Delete)?;
    app.hr.delete_rating_model(&caller.actor(), &code, etag::if_match(&headers)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- skills

#[utoipa::path(get, path = "/api/v1/hr/skills", tag = "hr", params(ListQuery), responses((status = 200, body = Paged<Skill>)))]
async fn list_skills(
    State(app): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Paged<Skill>>> {
    caller.require(Entity::Skill, Privilege::Read)?;
    Ok(Json(app.hr.skills(&q.page()?).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/hr/skills", tag = "hr", request_body = SkillInput, responses((status = 201, body = Skill)))]
async fn create_skill(
    State(app): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<Skill>)> {
    caller.require(Entity::Skill, Privilege::Create)?;
    let input: SkillInput = from_value(input)?;
    Ok((StatusCode::CREATED, Json(app.hr.create_skill(&caller.actor(), input.parse()?).await?)))
}

#[utoipa::path(get, path = "/api/v1/hr/skills/{code}", tag = "hr", responses((status = 200, body = Skill)))]
async fn get_skill(State(app): State<AppState>, caller: Caller, Path(code): Path<String>) -> ApiResult<Response> {
    caller.require(Entity::Skill, Privilege::Read)?;
    Ok(etag::record(app.hr.skill(&code).await?))
}

#[utoipa::path(patch, path = "/api/v1/hr/skills/{code}", tag = "hr", request_body = Object, params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 200, body = Skill), (status = 412)))]
async fn patch_skill(
    State(app): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    headers: HeaderMap,
    JsonBody(patch): JsonBody<serde_json::Value>,
) -> ApiResult<Response> {
    caller.require(Entity::Skill, Privilege::Write)?;
    let actor = caller.actor();
    let (app, actor, key) = (&app, &actor, code.as_str());
    let record = concurrency::merge_patch(
        &format!("skill '{code}'"),
        patch,
        etag::if_match(&headers)?,
        || Box::pin(app.hr.skill(key)),
        Skill::to_input,
        move |input: SkillInput, version| {
            Box::pin(async move { Ok(app.hr.update_skill(actor, key, input.parse()?, Some(version)).await?) })
        },
    )
    .await?;
    Ok(etag::record(record))
}

#[utoipa::path(delete, path = "/api/v1/hr/skills/{code}", tag = "hr", params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 204), (status = 412)))]
async fn delete_skill(
    State(app): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    caller.require(Entity::Skill, Privilege::Delete)?;
    app.hr.delete_skill(&caller.actor(), &code, etag::if_match(&headers)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- certificate types

#[utoipa::path(get, path = "/api/v1/hr/certificate-types", tag = "hr", params(ListQuery), responses((status = 200, body = Paged<CertificateType>)))]
async fn list_certificate_types(
    State(app): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Paged<CertificateType>>> {
    caller.require(Entity::CertificateType, Privilege::Read)?;
    Ok(Json(app.hr.certificate_types(&q.page()?).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/hr/certificate-types", tag = "hr", request_body = CertificateTypeInput, responses((status = 201, body = CertificateType)))]
async fn create_certificate_type(
    State(app): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<CertificateType>)> {
    caller.require(Entity::CertificateType, Privilege::Create)?;
    let input: CertificateTypeInput = from_value(input)?;
    Ok((StatusCode::CREATED, Json(app.hr.create_certificate_type(&caller.actor(), input.parse()?).await?)))
}

#[utoipa::path(get, path = "/api/v1/hr/certificate-types/{code}", tag = "hr", responses((status = 200, body = CertificateType)))]
async fn get_certificate_type(
    State(app): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Response> {
    caller.require(Entity::CertificateType, Privilege::Read)?;
    Ok(etag::record(app.hr.certificate_type(&code).await?))
}

#[utoipa::path(patch, path = "/api/v1/hr/certificate-types/{code}", tag = "hr", request_body = Object, params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 200, body = CertificateType), (status = 412)))]
async fn patch_certificate_type(
    State(app): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    headers: HeaderMap,
    JsonBody(patch): JsonBody<serde_json::Value>,
) -> ApiResult<Response> {
    caller.require(Entity::CertificateType, Privilege::Write)?;
    let actor = caller.actor();
    let (app, actor, key) = (&app, &actor, code.as_str());
    let record = concurrency::merge_patch(
        &format!("certificate type '{code}'"),
        patch,
        etag::if_match(&headers)?,
        || Box::pin(app.hr.certificate_type(key)),
        CertificateType::to_input,
        move |input: CertificateTypeInput, version| {
            Box::pin(
                async move { Ok(app.hr.update_certificate_type(actor, key, input.parse()?, Some(version)).await?) },
            )
        },
    )
    .await?;
    Ok(etag::record(record))
}

#[utoipa::path(delete, path = "/api/v1/hr/certificate-types/{code}", tag = "hr", params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 204), (status = 412)))]
async fn delete_certificate_type(
    State(app): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    caller.require(Entity::CertificateType, Privilege::Delete)?;
    app.hr.delete_certificate_type(&caller.actor(), &code, etag::if_match(&headers)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
