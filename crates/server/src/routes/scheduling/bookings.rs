//! Bookings: `POST|GET /scheduling/bookings`, `GET|PATCH|DELETE /scheduling/bookings/{id}`.

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::etag;
use crate::json::{from_value, JsonBody};
use crate::routes::Paged;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use hrbridge_app::{concurrency, AppState};
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_domain::scheduling::booking::{Booking, BookingInput};
use hrbridge_store::scheduling::bookings::BookingFilter;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_bookings, create_booking)).routes(routes!(
        get_booking,
        patch_booking,
        delete_booking
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BookingQuery {
    pub limit: Option<i64>,
    pub after: Option<String>,
    /// Only the bookings of this resource.
    pub resource_id: Option<Uuid>,
}

#[utoipa::path(get, path = "/api/v1/scheduling/bookings", tag = "scheduling", params(BookingQuery), responses((status = 200, body = Paged<Booking>)))]
async fn list_bookings(
    State(app): State<AppState>,
    caller: Caller,
    Query(q): Query<BookingQuery>,
) -> ApiResult<Json<Paged<Booking>>> {
    caller.require(Entity::Booking, Privilege::Read)?;
    let page = crate::routes::ListQuery { limit: q.limit, after: q.after, q: None }.page()?;
    let filter = BookingFilter { resource_id: q.resource_id };
    Ok(Json(app.scheduling.bookings(&filter, &page).await?.into()))
}

/// Books a resource. A hard booking that would take more than the resource's capacity is refused
/// with 409 unless `allow_overlap` is true; soft and proposed bookings take no capacity.
#[utoipa::path(post, path = "/api/v1/scheduling/bookings", tag = "scheduling", request_body = BookingInput, responses((status = 201, body = Booking), (status = 409)))]
async fn create_booking(
    State(app): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<Booking>)> {
    caller.require(Entity::Booking, Privilege::Create)?;
    let input: BookingInput = from_value(body)?;
    let booking = app.scheduling.create_booking(&caller.actor(), input.parse()?).await?;
    app.finder.refresh(&app.scheduling).await?;
    Ok((StatusCode::CREATED, Json(booking)))
}

#[utoipa::path(get, path = "/api/v1/scheduling/bookings/{id}", tag = "scheduling", responses((status = 200, body = Booking)))]
async fn get_booking(State(app): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<Response> {
    caller.require(Entity::Booking, Privilege::Read)?;
    Ok(etag::record(app.scheduling.booking(&id).await?))
}

/// Changes a booking: its status (cancel it with `{"status": "canceled"}`), times or resource.
#[utoipa::path(patch, path = "/api/v1/scheduling/bookings/{id}", tag = "scheduling", request_body = Object, params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 200, body = Booking), (status = 412)))]
async fn patch_booking(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(patch): JsonBody<serde_json::Value>,
) -> ApiResult<Response> {
    caller.require(Entity::Booking, Privilege::Write)?;
    let actor = caller.actor();
    let (app, actor, key) = (&app, &actor, id.as_str());
    let booking = concurrency::merge_patch(
        &format!("booking '{id}'"),
        patch,
        etag::if_match(&headers)?,
        || Box::pin(app.scheduling.booking(key)),
        Booking::to_input,
        move |input: BookingInput, version| {
            Box::pin(async move { Ok(app.scheduling.update_booking(actor, key, input.parse()?, Some(version)).await?) })
        },
    )
    .await?;
    app.finder.refresh(&app.scheduling).await?;
    Ok(etag::record(booking))
}

#[utoipa::path(delete, path = "/api/v1/scheduling/bookings/{id}", tag = "scheduling", params(("If-Match" = Option<String>, Header, description = "the ETag read: refused with 412 if the record changed since")), responses((status = 204), (status = 412)))]
async fn delete_booking(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    caller.require(Entity::Booking, Privilege::Delete)?;
    app.scheduling.delete_booking(&caller.actor(), &id, etag::if_match(&headers)?).await?;
    app.finder.refresh(&app.scheduling).await?;
    Ok(StatusCode::NO_CONTENT)
}
