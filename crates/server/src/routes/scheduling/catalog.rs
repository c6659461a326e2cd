//! Rating models (with values) and characteristics of the scheduling store.

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
use hrbridge_domain::scheduling::{
    Characteristic, CharacteristicInput, SchedulingRatingModel, SchedulingRatingModelInput,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_rating_models, create_rating_model))
        .routes(routes!(get_rating_model, patch_rating_model, delete_rating_model))
        .routes(routes!(list_characteristics, create_characteristic))
        .routes(routes!(get_characteristic, patch_characteristic, delete_characteristic))
}

// ---- rating models

#[utoipa::path(get, path = "/api/v1/scheduling/rating-models", tag = "scheduling", params(ListQuery), responses((status = 200, body = Paged<SchedulingRatingModel>)))]
async fn list_rating_models(
    State(app): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Paged<SchedulingRatingModel>>> {
    caller.require(Entity::SchedulingRatingModel, Privilege::Read)?;
    Ok(Json(app.scheduling.rating_models(&q.page()?).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/scheduling/rating-models", tag = "scheduling", request_body = SchedulingRatingModelInput, responses((status = 201, body = SchedulingRatingModel)))]
async fn create_rating_model(
    State(app): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<SchedulingRatingModel>)> {
    caller.require(Entity::SchedulingRatingModel, Privilege::Create)?;
    let input: SchedulingRatingModelInput = from_value(input)?;
    Ok((StatusCode::CREATED, Json(app.scheduling.create_rating_model(&caller.actor(), input.parse()?).await?)))
}

#[utoipa::path(get, path = "/api/v1/scheduling/rating-models/{name}", tag = "scheduling", responses((status = 200, body = SchedulingRatingModel)))]
async fn get_rating_model(
    State(app): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    caller.require(Entity::SchedulingRatingModel, Privilege::Read)?;
    Ok(etag::record(app.scheduling.rating_model(&name).await?))
}

#[utoipa::path(patch, path = "/api/v1/scheduling/rating-models/{name}", tag = "scheduling", request_body = Object, params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 200, body = SchedulingRatingModel), (status = 412)))]
async fn patch_rating_model(
    State(app): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    headers: HeaderMap,
    JsonBody(patch): JsonBody<serde_json::Value>,
) -> ApiResult<Response> {
    caller.require(Entity::SchedulingRatingModel, Privilege::Write)?;
    let actor = caller.actor();
    let (app, actor, key) = (&app, &actor, name.as_str());
    let record = concurrency::merge_patch(
        &format!("rating model '{name}'"),
        patch,
        etag::if_match(&headers)?,
        || Box::pin(app.scheduling.rating_model(key)),
        SchedulingRatingModel::to_input,
        move |input: SchedulingRatingModelInput, version| {
            Box::pin(
                async move { Ok(app.scheduling.update_rating_model(actor, key, input.parse()?, Some(version)).await?) },
            )
        },
    )
    .await?;
    Ok(etag::record(record))
}

#[utoipa::path(delete, path = "/api/v1/scheduling/rating-models/{name}", tag = "scheduling", params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 204), (status = 412)))]
async fn delete_rating_model(
    State(app): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    caller.require(Entity::SchedulingRatingModel, Privilege::Delete)?;
    app.scheduling.delete_rating_model(&caller.actor(), &name, etag::if_match(&headers)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- characteristics

#[utoipa::path(get, path = "/api/v1/scheduling/characteristics", tag = "scheduling", params(ListQuery), responses((status = 200, body = Paged<Characteristic>)))]
async fn list_characteristics(
    State(app): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Paged<Characteristic>>> {
    caller.require(Entity::Characteristic, Privilege::Read)?;
    Ok(Json(app.scheduling.characteristics(&q.page()?).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/scheduling/characteristics", tag = "scheduling", request_body = CharacteristicInput, responses((status = 201, body = Characteristic)))]
async fn create_characteristic(
    State(app): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<Characteristic>)> {
    caller.require(Entity::Characteristic, Privilege::Create)?;
    let input: CharacteristicInput = from_value(input)?;
    Ok((StatusCode::CREATED, Json(app.scheduling.create_characteristic(&caller.actor(), input.parse()?).await?)))
}

#[utoipa::path(get, path = "/api/v1/scheduling/characteristics/{name}", tag = "scheduling", responses((status = 200, body = Characteristic)))]
async fn get_characteristic(
    State(app): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    caller.require(Entity::Characteristic, Privilege::Read)?;
    Ok(etag::record(app.scheduling.characteristic(&name).await?))
}

#[utoipa::path(patch, path = "/api/v1/scheduling/characteristics/{name}", tag = "scheduling", request_body = Object, params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 200, body = Characteristic), (status = 412)))]
async fn patch_characteristic(
    State(app): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    headers: HeaderMap,
    JsonBody(patch): JsonBody<serde_json::Value>,
) -> ApiResult<Response> {
    caller.require(Entity::Characteristic, Privilege::Write)?;
    let actor = caller.actor();
    let (app, actor, key) = (&app, &actor, name.as_str());
    let record = concurrency::merge_patch(
        &format!("characteristic '{name}'"),
        patch,
        etag::if_match(&headers)?,
        || Box::pin(app.scheduling.characteristic(key)),
        Characteristic::to_input,
        move |input: CharacteristicInput, version| {
            Box::pin(async move {
                Ok(app.scheduling.update_characteristic(actor, key, input.parse()?, Some(version)).await?)
            })
        },
    )
    .await?;
    Ok(etag::record(record))
}

#[utoipa::path(delete, path = "/api/v1/scheduling/characteristics/{name}", tag = "scheduling", params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 204), (status = 412)))]
async fn delete_characteristic(
    State(app): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    caller.require(Entity::Characteristic, Privilege::Delete)?;
    app.scheduling.delete_characteristic(&caller.actor(), &name, etag::if_match(&headers)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
