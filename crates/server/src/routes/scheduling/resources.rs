//! Bookable resources and the characteristics they hold.

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
    BookableResource, BookableResourceInput, ResourceCharacteristic, ResourceCharacteristicInput,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_resources, create_resource))
        .routes(routes!(get_resource, patch_resource, delete_resource))
        .routes(routes!(put_resource_characteristic, delete_resource_characteristic))
}

#[utoipa::path(get, path = "/api/v1/scheduling/bookable-resources", tag = "scheduling", params(ListQuery), responses((status = 200, body = Paged<BookableResource>)))]
async fn list_resources(
    State(app): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Paged<BookableResource>>> {
    caller.require(Entity::BookableResource, Privilege::Read)?;
    Ok(Json(app.scheduling.bookable_resources(&q.page()?).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/scheduling/bookable-resources", tag = "scheduling", request_body = BookableResourceInput, responses((status = 201, body = BookableResource)))]
async fn create_resource(
    State(app): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<BookableResource>)> {
    caller.require(Entity::BookableResource, Privilege::Create)?;
    let input: BookableResourceInput = from_value(input)?;
    Ok((StatusCode::CREATED, Json(app.scheduling.create_bookable_resource(&caller.actor(), input.parse()?).await?)))
}

#[utoipa::path(get, path = "/api/v1/scheduling/bookable-resources/{id}", tag = "scheduling", responses((status = 200, body = BookableResource)))]
async fn get_resource(State(app): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<Response> {
    caller.require(Entity::BookableResource, Privilege::Read)?;
    Ok(etag::record(app.scheduling.bookable_resource(&id).await?))
}

/// JSON Merge Patch. `hr_worker_number` cannot be changed or removed; `work_hours` replaces the
/// calendar (`null` resets it to the default).
#[utoipa::path(patch, path = "/api/v1/scheduling/bookable-resources/{id}", tag = "scheduling", request_body = Object, params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 200, body = BookableResource), (status = 412)))]
async fn patch_resource(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(patch): JsonBody<serde_json::Value>,
) -> ApiResult<Response> {
    caller.require(Entity::BookableResource, Privilege::Write)?;
    let actor = caller.actor();
    let (app, actor, key) = (&app, &actor, id.as_str());
    let record = concurrency::merge_patch(
        &format!("bookable resource '{id}'"),
        patch,
        etag::if_match(&headers)?,
        || Box::pin(app.scheduling.bookable_resource(key)),
        BookableResource::to_input,
        move |input: BookableResourceInput, version| {
            Box::pin(async move {
                Ok(app.scheduling.update_bookable_resource(actor, key, input.parse()?, Some(version)).await?)
            })
        },
    )
    .await?;
    Ok(etag::record(record))
}

#[utoipa::path(delete, path = "/api/v1/scheduling/bookable-resources/{id}", tag = "scheduling", params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 204), (status = 412)))]
async fn delete_resource(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    caller.require(Entity::BookableResource, Privilege::Delete)?;
    app.scheduling.delete_bookable_resource(&caller.actor(), &id, etag::if_match(&headers)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/api/v1/scheduling/bookable-resources/{id}/characteristics/{characteristic_name}", tag = "scheduling", request_body = ResourceCharacteristicInput, params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 200, body = ResourceCharacteristic), (status = 412)))]
async fn put_resource_characteristic(
    State(app): State<AppState>,
    caller: Caller,
    Path((id, characteristic_name)): Path<(String, String)>,
    headers: HeaderMap,
    JsonBody(input): JsonBody<serde_json::Value>,
) -> ApiResult<Response> {
    caller.require(Entity::BookableResource, Privilege::Write)?;
    let input: ResourceCharacteristicInput = from_value(input)?;
    let actor = caller.actor();
    Ok(etag::record(
        app.scheduling
            .set_resource_characteristic(&actor, &id, &characteristic_name, input, etag::if_match(&headers)?)
            .await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/scheduling/bookable-resources/{id}/characteristics/{characteristic_name}", tag = "scheduling", params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 204), (status = 412)))]
async fn delete_resource_characteristic(
    State(app): State<AppState>,
    caller: Caller,
    Path((id, characteristic_name)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    caller.require(Entity::BookableResource, Privilege::Write)?;
    app.scheduling
        .remove_resource_characteristic(&caller.actor(), &id, &characteristic_name, etag::if_match(&headers)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
