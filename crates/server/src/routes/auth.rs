//! Signing in and out: `POST /api/v1/auth/login` (a username and password for a bearer token
//! naming a new session), `POST /api/v1/auth/logout`, the caller's own sessions, and changing
//! one's own password.

use crate::auth::{Caller, Client};
use crate::error::ApiResult;
use crate::json::JsonBody;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::Json;
use hrbridge_app::accounts::sessions::{self, OwnSession};
use hrbridge_app::accounts::totp::{self, Enrolment, RecoveryCodes};
use hrbridge_app::accounts::{self, sign_in};
use hrbridge_app::AppState;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// With two-factor sign-in on: the code the authenticator app shows, or a recovery code.
    #[serde(default)]
    pub totp_code: Option<String>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

/// The largest sign-in body accepted: a username and a password fit many times over.
const MAX_LOGIN_BODY: usize = 16 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(list_sessions))
        .routes(routes!(end_session))
        .routes(routes!(change_password))
        .routes(routes!(begin_totp))
        .routes(routes!(confirm_totp))
        .routes(routes!(disable_totp))
        .route_layer(DefaultBodyLimit::max(MAX_LOGIN_BODY))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpCode {
    /// The six digits the authenticator app shows.
    pub code: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CurrentPassword {
    pub current_password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    /// At least 12 characters and not easy to guess.
    pub new_password: String,
}

/// Signs in. The password is checked with argon2id off the async threads; an unknown user takes
/// as long as a wrong password, and both get the same answer. Failed sign-ins are counted per
/// account and per client address: past the allowance the answer is 429 with `Retry-After`.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", security(), request_body = LoginRequest, responses((status = 200, body = TokenResponse), (status = 401), (status = 429)))]
async fn login(
    State(app): State<AppState>,
    Client(client): Client,
    JsonBody(body): JsonBody<LoginRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let code = body.totp_code.as_deref();
    let (access_token, expires_in) = sign_in(&app, &body.username, body.password, code, &client).await?;
    Ok(Json(TokenResponse { access_token, token_type: "Bearer".into(), expires_in }))
}

/// Ends the caller's session: its token is refused from the next request on, on every process.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204), (status = 401)))]
async fn logout(State(app): State<AppState>, caller: Caller) -> ApiResult<StatusCode> {
    sessions::sign_out(&app, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's own open sessions (every sign-in, or an app's every token), newest first.
#[utoipa::path(get, path = "/api/v1/auth/sessions", tag = "auth", responses((status = 200, body = Vec<OwnSession>), (status = 401)))]
async fn list_sessions(State(app): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<OwnSession>>> {
    Ok(Json(sessions::own_sessions(&app, &caller).await?))
}

/// Ends one of the caller's own sessions.
#[utoipa::path(delete, path = "/api/v1/auth/sessions/{id}", tag = "auth", params(("id" = String, Path)), responses((status = 204), (status = 401), (status = 404)))]
async fn end_session(State(app): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<StatusCode> {
    sessions::end_own_session(&app, &caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes the caller's own password; every other session of theirs ends. A wrong current
/// password counts as a failed sign-in.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = PasswordChange, responses((status = 204), (status = 401), (status = 422), (status = 429)))]
async fn change_password(
    State(app): State<AppState>,
    caller: Caller,
    Client(client): Client,
    JsonBody(body): JsonBody<PasswordChange>,
) -> ApiResult<StatusCode> {
    accounts::change_own_password(&app, &caller, &client, body.current_password, body.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Starts enrolling in two-factor sign-in: a new secret and its `otpauth://` URL, for an
/// authenticator app. Confirm with a code at `/auth/totp/confirm`.
#[utoipa::path(post, path = "/api/v1/auth/totp", tag = "auth", responses((status = 200, body = Enrolment), (status = 401)))]
async fn begin_totp(State(app): State<AppState>, caller: Caller) -> ApiResult<Json<Enrolment>> {
    Ok(Json(totp::begin_enrolment(&app, &caller).await?))
}

/// Confirms enrolment with a code from the app: two-factor sign-in is on; the answer carries ten
/// single-use recovery codes, shown this once.
#[utoipa::path(post, path = "/api/v1/auth/totp/confirm", tag = "auth", request_body = TotpCode, responses((status = 200, body = RecoveryCodes), (status = 409), (status = 422)))]
async fn confirm_totp(
    State(app): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<TotpCode>,
) -> ApiResult<Json<RecoveryCodes>> {
    Ok(Json(totp::confirm_enrolment(&app, &caller, &body.code).await?))
}

/// Turns two-factor sign-in off, with the current password (refused while the setting requires
/// it of the caller).
#[utoipa::path(post, path = "/api/v1/auth/totp/disable", tag = "auth", request_body = CurrentPassword, responses((status = 204), (status = 409), (status = 422)))]
async fn disable_totp(
    State(app): State<AppState>,
    caller: Caller,
    Client(client): Client,
    JsonBody(body): JsonBody<CurrentPassword>,
) -> ApiResult<StatusCode> {
    totp::disable(&app, &caller, &client, body.current_password).await?;
    Ok(StatusCode::NO_CONTENT)
}
