//! App registrations (`/api/v1/admin/apps`): an administrator registers an application (an
//! applicant tracking system) that acts as a named user with a role; hrbridge gives it a client id
//! and a secret, shown once and stored as an argon2id hash.

use super::{ListQuery, Paged};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::json::{from_value, JsonBody};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use hrbridge_app::apps::{register, rotate_secret_as, set_enabled_as, AppWithSecret, NewApp};
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_store::apps::App;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_apps, register_app))
        .routes(routes!(get_app, patch_app))
        .routes(routes!(rotate_secret))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppPatch {
    pub enabled: bool,
}

/// Registering an app needs administrator access to both stores: create on apps and write on
/// bookable resources.
fn require_administrator(caller: &Caller) -> ApiResult<()> {
    caller.require(Entity::App, Privilege::Create)?;
    Ok(caller.require(Entity::BookableResource, Privilege::Write)?)
}

#[utoipa::path(get, path = "/api/v1/admin/apps", tag = "admin", params(ListQuery), responses((status = 200, body = Paged<App>)))]
async fn list_apps(
    State(app): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Paged<App>>> {
    caller.require(Entity::App, Privilege::Read)?;
    Ok(Json(app.hr.apps(&q.page()?).await?.into()))
}

/// Registers an app. The answer carries the client secret: it is shown this once.
#[utoipa::path(post, path = "/api/v1/admin/apps", tag = "admin", request_body = NewApp, responses((status = 201, body = AppWithSecret), (status = 403), (status = 409), (status = 422)))]
async fn register_app(
    State(app): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<AppWithSecret>)> {
    require_administrator(&caller)?;
    let body: NewApp = from_value(body)?;
    let registered = register(&app, &caller.actor(), &caller.role, body).await?;
    Ok((StatusCode::CREATED, Json(registered)))
}

#[utoipa::path(get, path = "/api/v1/admin/apps/{client_id}", tag = "admin", params(("client_id" = String, Path)), responses((status = 200, body = App), (status = 404)))]
async fn get_app(State(app): State<AppState>, caller: Caller, Path(client_id): Path<String>) -> ApiResult<Json<App>> {
    caller.require(Entity::App, Privilege::Read)?;
    Ok(Json(app.hr.app(&client_id).await?))
}

/// Enables or disables an app. A disabled app gets no tokens, and the tokens it holds stop
/// working at once, on every process (and stay ended if it is enabled again).
#[utoipa::path(patch, path = "/api/v1/admin/apps/{client_id}", tag = "admin", params(("client_id" = String, Path)), request_body = AppPatch, responses((status = 200, body = App), (status = 404)))]
async fn patch_app(
    State(app): State<AppState>,
    caller: Caller,
    Path(client_id): Path<String>,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> ApiResult<Json<App>> {
    caller.require(Entity::App, Privilege::Write)?;
    let patch: AppPatch = from_value(body)?;
    Ok(Json(set_enabled_as(&app, &caller, &client_id, patch.enabled).await?))
}

/// Gives the app a new secret, shown this once. The old secret gets no new tokens, and the
/// tokens issued with it stop working at once, on every process.
#[utoipa::path(post, path = "/api/v1/admin/apps/{client_id}/rotate-secret", tag = "admin", params(("client_id" = String, Path)), responses((status = 200, body = AppWithSecret), (status = 404)))]
async fn rotate_secret(
    State(app): State<AppState>,
    caller: Caller,
    Path(client_id): Path<String>,
) -> ApiResult<Json<AppWithSecret>> {
    Ok(Json(rotate_secret_as(&app, &caller, &client_id).await?))
}
