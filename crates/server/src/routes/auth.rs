//! `POST /api/v1/auth/login`: a username and password for a short-lived bearer token.

use crate::auth::{Claims, ClientAddress};
use crate::error::{ApiError, ApiResult};
use crate::json::JsonBody;
use crate::state::AppState;
use axum::extract::{DefaultBodyLimit, State};
use axum::Json;
use hrbridge_store::sign_in::ThrottleKey;
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
    OpenApiRouter::new().routes(routes!(login)).route_layer(DefaultBodyLimit::max(MAX_LOGIN_BODY))
}

/// The largest sign-in body accepted: a username and a password fit many times over.
const MAX_LOGIN_BODY: usize = 16 * 1024;
/// The longest username kept in the audit log and the throttle (no valid username is longer).
pub const MAX_USERNAME: usize = 64;
/// The longest password checked; a longer one is refused without argon2.
pub const MAX_PASSWORD: usize = 1024;

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

/// `text` cut to at most `max` characters, marked with '…' when cut: what an unauthenticated
/// input may put in the audit log or a throttle key.
pub fn capped(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((end, _)) => format!("{}…", &text[..end]),
    }
}

/// The answer to a sign-in while its account or address is blocked.
pub fn throttled(wait: chrono::Duration) -> ApiError {
    let retry_after = u64::try_from(wait.num_milliseconds().max(0)).unwrap_or(0).div_ceil(1000).max(1);
    ApiError::TooManyRequests {
        retry_after,
        message: format!("too many failed sign-ins; try again in {retry_after} s"),
    }
}

/// Checks a user's password and signs a user token for them, with its lifetime in seconds; the
/// API's login and the web console's sign-in both come here, and both are audited. `address` is
/// the client's, for the throttle and the audit log.
pub async fn sign_in(app: &AppState, username: &str, password: String, address: &str) -> ApiResult<(String, i64)> {
    let name = capped(username, MAX_USERNAME);
    let keys = [
        ThrottleKey { key: format!("account:{name}"), allowance: app.settings.sign_in.account_allowance },
        ThrottleKey { key: format!("address:{address}"), allowance: app.settings.sign_in.address_allowance },
    ];
    if let Some(wait) = app.hr.sign_in_blocked(&keys).await? {
        return Err(throttled(wait));
    }
    // Inputs no account can have are refused without a look-up (and cost no argon2).
    let plausible = username.chars().count() <= MAX_USERNAME && password.len() <= MAX_PASSWORD;
    let credentials = if plausible { app.hr.credentials(username).await? } else { None };
    let stored = credentials.as_ref().map(|c| c.password_hash.clone());
    let verified = plausible
        && tokio::task::spawn_blocking(move || password::verify_password(&password, stored.as_deref()))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    let actor = Actor::user(name.clone());
    let user = match credentials {
        Some(user) if verified && user.enabled => user,
        _ => {
            let detail = serde_json::json!({ "address": address });
            let what = ("sign-in-refused", "user");
            app.hr.record_sign_in_failure(&keys, &app.settings.sign_in, &actor, what, &detail).await?;
            return Err(ApiError::Unauthorized("wrong username or password".into()));
        }
    };
    app.hr.clear_sign_in_failures(&keys[0].key).await?;
    app.hr.audit_sign_in(&actor, address).await?;
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
