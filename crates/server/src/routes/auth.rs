//! `POST /api/v1/auth/login`: a username and password for a short-lived bearer token.

use crate::auth::Claims;
use crate::error::{ApiError, ApiResult};
use crate::json::JsonBody;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use hrbridge_store::{password, Actor};
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

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(login))
}

/// Signs in. The password is checked with argon2id off the async threads; an unknown user takes
/// as long as a wrong password, and both get the same answer.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", security(), request_body = LoginRequest, responses((status = 200, body = TokenResponse), (status = 401)))]
async fn login(State(app): State<AppState>, JsonBody(body): JsonBody<LoginRequest>) -> ApiResult<Json<TokenResponse>> {
    let (access_token, expires_in) = sign_in(&app, &body.username, body.password).await?;
    Ok(Json(TokenResponse { access_token, token_type: "Bearer".into(), expires_in }))
}

/// Checks a user's password and signs a user token for them, with its lifetime in seconds; the
/// API's login and the web console's sign-in both come here, and both are audited.
pub async fn sign_in(app: &AppState, username: &str, password: String) -> ApiResult<(String, i64)> {
    let credentials = app.hr.credentials(username).await?;
    let stored = credentials.as_ref().map(|c| c.password_hash.clone());
    let verified = tokio::task::spawn_blocking(move || password::verify_password(&password, stored.as_deref()))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let actor = Actor::user(username);
    let user = match credentials {
        Some(user) if verified && user.enabled => user,
        _ => {
            app.hr.audit_sign_in(&actor, false).await?;
            return Err(ApiError::Unauthorized("wrong username or password".into()));
        }
    };
    app.hr.audit_sign_in(&actor, true).await?;
    let ttl = app.settings.token_ttl_seconds;
    let claims = Claims {
        sub: user.username,
        kind: "user".into(),
        role: user.role,
        exp: app.clock.now().timestamp() + ttl,
        sid: password::random_secret(9),
    };
    Ok((app.tokens.sign(&claims), ttl))
}
