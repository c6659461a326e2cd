//! `POST /api/v1/auth/login`: a username and password for a short-lived bearer token.

use crate::auth::ClientAddress;
use crate::error::ApiResult;
use crate::json::JsonBody;
use axum::extract::{DefaultBodyLimit, State};
use axum::Json;
use hrbridge_app::accounts::sign_in;
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
    OpenApiRouter::new().routes(routes!(login)).route_layer(DefaultBodyLimit::max(MAX_LOGIN_BODY))
}

/// Signs in. The password is checked with argon2id off the async threads; an unknown user takes
/// as long as a wrong password, and both get the same answer. Failed sign-ins are counted per
/// account and per client address: past the allowance the answer is 429 with `Retry-After`.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", security(), request_body = LoginRequest, responses((status = 200, body = TokenResponse), (status = 401), (status = 429)))]
async fn login(
    State(app): State<AppState>,
    ClientAddress(address): ClientAddress,
    JsonBody(body): JsonBody<LoginRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let (access_token, expires_in) = sign_in(&app, &body.username, body.password, &address).await?;
    Ok(Json(TokenResponse { access_token, token_type: "Bearer".into(), expires_in }))
}
