//! Resource requirements.

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::etag;
use crate::json::{from_value, JsonBody};
use crate::routes::{ListQuery, Paged};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use hrbridge_app::{concurrency, AppState};
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_domain::scheduling::{ResourceRequirement, ResourceRequirementInput};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_requirements, create_requirement)).routes(routes!(
        get_requirement,
        patch_requirement,
        delete_requirement
    ))
}

#[utoipa::path(get, path = "/api/v1/scheduling/resource-requirements", tag = "scheduling", params(ListQuery), responses((status = 200, body = Paged<ResourceRequirement>)))]
async fn list_requirements(
    State(app): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Paged<ResourceRequirement>>> {
    caller.require(Entity::ResourceRequirement, Privilege::Read)?;
    Ok(Json(app.scheduling.resource_requirements(&q.page()?).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/scheduling/resource-requirements", tag = "scheduling", request_body = ResourceRequirementInput, responses((status = 201, body = ResourceRequirement)))]
async fn create_requirement(
    State(app): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<ResourceRequirement>)> {
    caller.require(Entity::ResourceRequirement, Privilege::Create)?;
    let input: ResourceRequirementInput = from_value(input)?;
    let created = app.scheduling.create_resource_requirement(&caller.actor(), input.parse()?).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(get, path = "/api/v1/scheduling/resource-requirements/{id}", tag = "scheduling", responses((status = 200, body = ResourceRequirement)))]
async fn get_requirement(State(app): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<Response> {
    caller.require(Entity::ResourceRequirement, Privilege::Read)?;
    Ok(etag::record(app.scheduling.resource_requirement(&id).await?))
}

#[utoipa::path(patch, path = "/api/v1/scheduling/resource-requirements/{id}", tag = "scheduling", request_body = Object, params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 200, body = ResourceRequirement), (status = 412)))]
async fn patch_requirement(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(patch): JsonBody<serde_json::Value>,
) -> ApiResult<Response> {
    caller.require(Entity::ResourceRequirement, Privilege::Write)?;
    let actor = caller.actor();
    let (app, actor, key) = (&app, &actor, id.as_str());
    let record = concurrency::merge_patch(
        &format!("resource requirement '{id}'"),
        patch,
        etag::if_match(&headers)?,
        || Box::pin(app.scheduling.resource_requirement(key)),
        ResourceRequirement::to_input,
        move |input: ResourceRequirementInput, version| {
            Box::pin(async move {
                Ok(app.scheduling.update_resource_requirement(actor, key, input.parse()?, Some(version)).await?)
            })
        },
    )
    .await?;
    Ok(etag::record(record))
}

#[utoipa::path(delete, path = "/api/v1/scheduling/resource-requirements/{id}", tag = "scheduling", params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 204), (status = 412)))]
async fn delete_requirement(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    caller.require(Entity::ResourceRequirement, Privilege::Delete)?;
    app.scheduling.delete_resource_requirement(&caller.actor(), &id, etag::if_match(&headers)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
