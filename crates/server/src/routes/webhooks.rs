//! Webhooks: endpoints that receive HR's business events, and their deliveries. Every route needs
//! the `webhook` privileges (only `system-administrator` holds them). The secret is taken on
//! create and PATCH and never answered.

use super::{ListQuery, Paged};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::{from_value, JsonBody};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use hrbridge_app::grants::{self, Grantee};
use hrbridge_app::webhooks::{self, check_events, check_secret, check_url};
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_domain::ValidationErrors;
use hrbridge_store::webhooks::{Delivery, NewWebhook, Webhook, WebhookChanges};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_webhooks, create_webhook))
        .routes(routes!(get_webhook, patch_webhook, delete_webhook))
        .routes(routes!(list_deliveries))
        .routes(routes!(resend_delivery))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    /// An http or https URL.
    pub url: String,
    /// At least 16 characters; signs every body (HMAC-SHA256). Never shown again.
    pub secret: String,
    /// Event types: candidate.received, worker.hired, worker.changed, worker.skill_changed,
    /// worker.certificate_changed.
    pub events: Vec<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    pub url: Option<String>,
    pub secret: Option<String>,
    pub events: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

fn parse_id(id: &str, what: &str) -> ApiResult<i64> {
    id.parse().map_err(|_| ApiError::NotFound(format!("{what} '{id}' was not found")))
}

#[utoipa::path(get, path = "/api/v1/admin/webhooks", tag = "admin", params(ListQuery), responses((status = 200, body = Paged<Webhook>)))]
async fn list_webhooks(
    State(app): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Paged<Webhook>>> {
    caller.require(Entity::Webhook, Privilege::Read)?;
    Ok(Json(app.hr.webhooks(&q.page()?).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/admin/webhooks", tag = "admin", request_body = WebhookInput, responses((status = 201, body = Webhook)))]
async fn create_webhook(
    State(app): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<Webhook>)> {
    caller.require(Entity::Webhook, Privilege::Create)?;
    let body: WebhookInput = from_value(body)?;
    let mut errors = ValidationErrors::new();
    check_url(&mut errors, &body.url);
    check_secret(&mut errors, &body.secret);
    let events = check_events(&mut errors, &body.events);
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let grantee = Grantee { entity: "webhook", key: &body.url };
    grants::events_bounded_by(&app, &caller.actor(), &caller.role, grantee, &events).await?;
    let new = NewWebhook { url: body.url, secret: body.secret, events, enabled: body.enabled };
    Ok((StatusCode::CREATED, Json(app.hr.create_webhook(&caller.actor(), new).await?)))
}

#[utoipa::path(get, path = "/api/v1/admin/webhooks/{id}", tag = "admin", responses((status = 200, body = Webhook)))]
async fn get_webhook(State(app): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<Json<Webhook>> {
    caller.require(Entity::Webhook, Privilege::Read)?;
    Ok(Json(app.hr.webhook(parse_id(&id, "webhook")?).await?))
}

#[utoipa::path(patch, path = "/api/v1/admin/webhooks/{id}", tag = "admin", request_body = WebhookPatch, responses((status = 200, body = Webhook)))]
async fn patch_webhook(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> ApiResult<Json<Webhook>> {
    caller.require(Entity::Webhook, Privilege::Write)?;
    let id = parse_id(&id, "webhook")?;
    if !body.is_object() {
        return Err(ApiError::BadRequest("a PATCH body must be a JSON object".into()));
    }
    for field in ["url", "secret", "events", "enabled"] {
        if body.get(field).is_some_and(|v| v.is_null()) {
            return Err(ApiError::invalid(field, "cannot be removed"));
        }
    }
    let patch: WebhookPatch = from_value(body)?;
    let mut errors = ValidationErrors::new();
    if let Some(url) = &patch.url {
        check_url(&mut errors, url);
    }
    if let Some(secret) = &patch.secret {
        check_secret(&mut errors, secret);
    }
    let events = patch.events.as_ref().map(|e| check_events(&mut errors, e));
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let changes = WebhookChanges { url: patch.url, secret: patch.secret, events, enabled: patch.enabled };
    webhooks::subscription_within_reach(&app, &caller, id, &changes).await?;
    Ok(Json(app.hr.update_webhook(&caller.actor(), id, changes).await?))
}

#[utoipa::path(delete, path = "/api/v1/admin/webhooks/{id}", tag = "admin", responses((status = 204)))]
async fn delete_webhook(State(app): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<StatusCode> {
    caller.require(Entity::Webhook, Privilege::Delete)?;
    app.hr.delete_webhook(&caller.actor(), parse_id(&id, "webhook")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    pub limit: Option<i64>,
    pub after: Option<String>,
    /// pending, delivered or failed.
    pub status: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/admin/webhooks/{id}/deliveries", tag = "admin", params(DeliveryQuery), responses((status = 200, body = Paged<Delivery>)))]
async fn list_deliveries(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<DeliveryQuery>,
) -> ApiResult<Json<Paged<Delivery>>> {
    caller.require(Entity::Webhook, Privilege::Read)?;
    let id = parse_id(&id, "webhook")?;
    if let Some(status) = &q.status {
        if !["pending", "delivered", "failed"].contains(&status.as_str()) {
            return Err(ApiError::invalid("status", "must be pending, delivered or failed"));
        }
    }
    let page = ListQuery { limit: q.limit, after: q.after, q: None }.page()?;
    Ok(Json(app.hr.deliveries(id, q.status.as_deref(), &page).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/admin/webhooks/{id}/deliveries/{delivery_id}/resend", tag = "admin", responses((status = 200, body = Delivery)))]
async fn resend_delivery(
    State(app): State<AppState>,
    caller: Caller,
    Path((id, delivery_id)): Path<(String, String)>,
) -> ApiResult<Json<Delivery>> {
    caller.require(Entity::Webhook, Privilege::Write)?;
    let (id, delivery_id) = (parse_id(&id, "webhook")?, parse_id(&delivery_id, "delivery")?);
    app.hr.webhook(id).await?;
    Ok(Json(app.hr.resend_delivery(&caller.actor(), id, delivery_id).await?))
}
