//! Users (`/api/v1/admin/users`): create, list, read, change (role, disabled, name, email),
//! delete, and a one-time password. Every grant is bounded by the caller's role; nobody changes
//! someone whose role holds more than theirs; the last enabled system administrator stays.

use super::{ListQuery, Paged};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::json::{from_value, JsonBody};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use hrbridge_app::accounts::{self, UserPatch};
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_store::users::User;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, patch_user, delete_user))
        .routes(routes!(reset_password))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub username: String,
    pub password: String,
    pub role: String,
}

/// A one-time password, shown this once.
#[derive(Serialize, ToSchema)]
pub struct OneTimePassword {
    pub username: String,
    /// Give it to the person yourself; at their next sign-in they must set a new one.
    pub one_time_password: String,
}

#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin", params(ListQuery), responses((status = 200, body = Paged<User>)))]
async fn list_users(
    State(app): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Paged<User>>> {
    caller.require(Entity::User, Privilege::Read)?;
    Ok(Json(app.hr.users(&q.page()?).await?.into()))
}

/// Creates a user. The role may hold nothing the caller's role does not (403 naming `role`).
#[utoipa::path(post, path = "/api/v1/admin/users", tag = "admin", request_body = NewUser, responses((status = 201, body = User), (status = 403), (status = 409), (status = 422)))]
async fn create_user(
    State(app): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<User>)> {
    caller.require(Entity::User, Privilege::Create)?;
    let body: NewUser = from_value(body)?;
    let user = accounts::create_user_as(&app, &caller, &body.username, body.password, &body.role).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

#[utoipa::path(get, path = "/api/v1/admin/users/{username}", tag = "admin", params(("username" = String, Path)), responses((status = 200, body = User), (status = 404)))]
async fn get_user(State(app): State<AppState>, caller: Caller, Path(username): Path<String>) -> ApiResult<Json<User>> {
    Ok(Json(accounts::user_as(&app, &caller, &username).await?))
}

/// Changes a user's role, name, email, or disables them (their sessions end at once, on every
/// process). 403 when the user's role or the new one holds more than the caller's; 409 for the
/// last enabled system administrator.
#[utoipa::path(patch, path = "/api/v1/admin/users/{username}", tag = "admin", params(("username" = String, Path)), request_body = UserPatch, responses((status = 200, body = User), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn patch_user(
    State(app): State<AppState>,
    caller: Caller,
    Path(username): Path<String>,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> ApiResult<Json<User>> {
    caller.require(Entity::User, Privilege::Write)?;
    let patch: UserPatch = from_value(body)?;
    Ok(Json(accounts::update_user_as(&app, &caller, &username, patch).await?))
}

/// Deletes a user: deactivated and anonymised for sign-in, sessions ended, the audit history
/// kept (the username is not given out again).
#[utoipa::path(delete, path = "/api/v1/admin/users/{username}", tag = "admin", params(("username" = String, Path)), responses((status = 204), (status = 403), (status = 404), (status = 409)))]
async fn delete_user(
    State(app): State<AppState>,
    caller: Caller,
    Path(username): Path<String>,
) -> ApiResult<StatusCode> {
    accounts::delete_user_as(&app, &caller, &username).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Gives the user a one-time password, answered this once; their sessions end, and at the next
/// sign-in they can do nothing but set a new password.
#[utoipa::path(post, path = "/api/v1/admin/users/{username}/password-reset", tag = "admin", params(("username" = String, Path)), responses((status = 200, body = OneTimePassword), (status = 403), (status = 404)))]
async fn reset_password(
    State(app): State<AppState>,
    caller: Caller,
    Path(username): Path<String>,
) -> ApiResult<Json<OneTimePassword>> {
    let one_time_password = accounts::reset_password_as(&app, &caller, &username).await?;
    Ok(Json(OneTimePassword { username, one_time_password }))
}
