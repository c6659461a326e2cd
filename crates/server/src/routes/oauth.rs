//! `POST /oauth/token`: the OAuth 2.0 client credentials grant (RFC 6749 §4.4) for registered
//! apps. The client authenticates with HTTP Basic or with `client_id` and `client_secret` in the
//! form-encoded body (§2.3.1); errors are RFC 6749 §5.2 JSON documents.
//!
//! The secret is checked with argon2id off the async threads once; a secret that passed is
//! remembered (its SHA-256, next to the hash it passed against), so the same app asking again
//! with the same secret costs a hash and a store read, not argon2.

use super::auth::TokenResponse;
use crate::auth::Client;
use crate::error::ApiError;
use axum::extract::rejection::FormRejection;
use axum::extract::{DefaultBodyLimit, Form, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hrbridge_app::accounts::{sessions, ClientInfo};
use hrbridge_app::AppState;
use hrbridge_store::sessions::PrincipalKind;
use hrbridge_store::sign_in::ThrottleKey;
use hrbridge_store::{Actor, ActorKind};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub const TOKEN_PATH: &str = "/oauth/token";
/// The largest token request body accepted.
const MAX_BODY: usize = 16 * 1024;
/// Client ids and secrets longer than this are refused without a look-up.
const MAX_CREDENTIAL: usize = 256;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(token)).route_layer(DefaultBodyLimit::max(MAX_BODY))
}

/// The token request's parameters (RFC 6749 §4.4.2), form-encoded.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct TokenRequest {
    /// Must be `client_credentials`.
    grant_type: String,
    /// With `client_secret`, when the client does not authenticate with HTTP Basic.
    client_id: Option<String>,
    client_secret: Option<String>,
    /// Accepted and ignored: an app's access is its role's.
    scope: Option<String>,
}

/// An RFC 6749 §5.2 error.
#[derive(Debug, Serialize, ToSchema)]
pub struct OAuthError {
    /// `invalid_request`, `invalid_client` or `unsupported_grant_type`.
    pub error: &'static str,
    pub error_description: String,
}

enum Refusal {
    OAuth(StatusCode, OAuthError),
    /// Too many failed requests for this client id or address: 429 with `Retry-After`.
    Throttled(u64),
    Internal(ApiError),
}

fn invalid_request(description: impl Into<String>) -> Refusal {
    Refusal::OAuth(
        StatusCode::BAD_REQUEST,
        OAuthError { error: "invalid_request", error_description: description.into() },
    )
}

fn invalid_client(description: impl Into<String>) -> Refusal {
    Refusal::OAuth(
        StatusCode::UNAUTHORIZED,
        OAuthError { error: "invalid_client", error_description: description.into() },
    )
}

impl From<ApiError> for Refusal {
    fn from(e: ApiError) -> Self {
        Refusal::Internal(e)
    }
}

impl From<hrbridge_app::AppError> for Refusal {
    fn from(e: hrbridge_app::AppError) -> Self {
        Refusal::Internal(e.into())
    }
}

impl From<hrbridge_store::StoreError> for Refusal {
    fn from(e: hrbridge_store::StoreError) -> Self {
        Refusal::Internal(e.into())
    }
}

/// Token responses and errors must not be cached (RFC 6749 §5.1).
fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Internal(e) => e.into_response(),
            Refusal::Throttled(retry_after) => {
                let body = OAuthError {
                    error: "temporarily_unavailable",
                    error_description: format!("too many failed requests; try again in {retry_after} s"),
                };
                let mut response = no_store((StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response());
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
                response
            }
            Refusal::OAuth(status, body) => {
                let mut response = no_store((status, Json(body)).into_response());
                if status == StatusCode::UNAUTHORIZED {
                    response
                        .headers_mut()
                        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"hrbridge\""));
                }
                response
            }
        }
    }
}

/// Decodes `application/x-www-form-urlencoded` text (`+` is a space, `%XX` a byte).
fn form_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// The client id and secret of an `Authorization: Basic` header (RFC 6749 §2.3.1), if one is sent.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, Refusal> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed = || invalid_client("the Authorization header must be 'Basic base64(client_id:client_secret)'");
    let value = value.to_str().map_err(|_| malformed())?;
    let (scheme, encoded) = value.split_once(' ').ok_or_else(malformed)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(malformed());
    }
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| malformed())?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    Ok(Some((form_decode(id).ok_or_else(malformed)?, form_decode(secret).ok_or_else(malformed)?)))
}

/// Issues an access token to a registered app (client credentials grant). Authenticate with HTTP
/// Basic (`client_id:client_secret`) or with `client_id` and `client_secret` in the body.
#[utoipa::path(
    post,
    path = "/oauth/token",
    tag = "auth",
    security(),
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, body = OAuthError, description = "invalid_request or unsupported_grant_type"),
        (status = 401, body = OAuthError, description = "invalid_client"),
        (status = 429, body = OAuthError, description = "temporarily_unavailable: too many failed requests; see Retry-After"),
    )
)]
async fn token(
    State(app): State<AppState>,
    Client(client): Client,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    match issue(&app, &client, &headers, form).await {
        Ok(token) => no_store(Json(token).into_response()),
        Err(refusal) => refusal.into_response(),
    }
}

async fn issue(
    app: &AppState,
    client: &ClientInfo,
    headers: &HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<TokenResponse, Refusal> {
    let Form(pairs) = form.map_err(|e| match e {
        FormRejection::InvalidFormContentType(_) => {
            invalid_request("send the parameters form-encoded (Content-Type: application/x-www-form-urlencoded)")
        }
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => Refusal::OAuth(
            StatusCode::PAYLOAD_TOO_LARGE,
            OAuthError { error: "invalid_request", error_description: "the request is too large".into() },
        ),
        other => invalid_request(format!("the body is not a valid form: {other}")),
    })?;
    let mut params: HashMap<String, String> = HashMap::new();
    for (name, value) in pairs {
        if params.contains_key(&name) {
            return Err(invalid_request(format!("the parameter '{name}' is given more than once")));
        }
        params.insert(name, value);
    }
    match params.get("grant_type").map(String::as_str) {
        None | Some("") => return Err(invalid_request("the parameter 'grant_type' is required")),
        Some("client_credentials") => {}
        Some(other) => {
            return Err(Refusal::OAuth(
                StatusCode::BAD_REQUEST,
                OAuthError {
                    error: "unsupported_grant_type",
                    error_description: format!("grant type '{other}' is not supported; use 'client_credentials'"),
                },
            ))
        }
    }
    let body_id = params.remove("client_id").filter(|s| !s.is_empty());
    let body_secret = params.remove("client_secret");
    let (client_id, secret) = match (basic_credentials(headers)?, body_id, body_secret) {
        (Some(_), _, Some(_)) => {
            return Err(invalid_request("authenticate either with HTTP Basic or with client_secret, not both"))
        }
        (Some((id, _)), Some(body_id), None) if body_id != id => {
            return Err(invalid_request("the client_id parameter differs from the HTTP Basic client id"))
        }
        (Some(credentials), _, None) => credentials,
        (None, Some(id), Some(secret)) => (id, secret),
        (None, _, _) => return Err(invalid_client("authenticate with HTTP Basic or with client_id and client_secret")),
    };
    let address = client.address.as_str();
    let keys = [
        ThrottleKey {
            key: format!("client:{}", hrbridge_app::accounts::capped(&client_id, MAX_CREDENTIAL)),
            allowance: app.settings.sign_in.account_allowance,
        },
        ThrottleKey {
            key: hrbridge_app::accounts::sign_in::address_key(address),
            allowance: app.settings.sign_in.address_allowance,
        },
    ];
    if let Some(wait) = app.hr.sign_in_blocked(&keys).await? {
        let retry_after = match hrbridge_app::accounts::throttled(wait) {
            hrbridge_app::AppError::TooManyRequests { retry_after, .. } => retry_after,
            _ => 1,
        };
        return Err(Refusal::Throttled(retry_after));
    }
    if client_id.is_empty() || client_id.len() > MAX_CREDENTIAL || secret.len() > MAX_CREDENTIAL {
        return Err(invalid_client("wrong client id or secret"));
    }
    let credentials = app.hr.app_credentials(&client_id).await?;
    let known = credentials.as_ref().is_some_and(|c| app.apps.secret_known(&c.client_id, &c.secret_hash, &secret));
    let verified = known || {
        // An unknown client id is checked against a dummy hash, so it takes as long.
        let stored = credentials.as_ref().map(|c| c.secret_hash.clone());
        let plain = secret.clone();
        hrbridge_app::accounts::sign_in::verify_password(plain, stored).await?
    };
    let actor = Actor { name: client_id.clone(), kind: ActorKind::App, origin: hrbridge_domain::outbox::Origin::User };
    let credentials = match credentials {
        Some(c) if verified => c,
        // An unknown client id is counted too, but audited only as far as it names a registered
        // app: the audit log keeps no unauthenticated text.
        found => {
            let detail = serde_json::json!({ "address": address });
            let what = ("token-refused", "app");
            if found.is_some() {
                app.hr.record_sign_in_failure(&keys, &app.settings.sign_in, &actor, what, &detail).await?;
            } else {
                let anonymous = Actor { name: "unknown-client".into(), ..actor };
                app.hr.record_sign_in_failure(&keys, &app.settings.sign_in, &anonymous, what, &detail).await?;
            }
            return Err(invalid_client("wrong client id or secret"));
        }
    };
    if !credentials.enabled || !credentials.user_enabled {
        app.hr.audit_app_token(&actor, &client_id, false).await?;
        let reason = if credentials.enabled {
            "the user this application acts as is disabled"
        } else {
            "this application is disabled"
        };
        return Err(invalid_client(reason));
    }
    // The app's role must still be within its acting user's (who may have been given a narrower
    // one since the app was registered).
    let within = match (app.role(&credentials.role).await?, app.role(&credentials.user_role).await?) {
        (Some(granted), Some(acting)) => acting.covers(&granted),
        _ => false,
    };
    if !within {
        app.hr.audit_app_token(&actor, &client_id, false).await?;
        return Err(invalid_client("this application's role holds more than the role of the user it acts as"));
    }
    if !known {
        app.apps.remember_secret(&client_id, &credentials.secret_hash, &secret);
    }
    app.hr.clear_sign_in_failures(&keys[0].key).await?;
    app.hr.audit_app_token(&actor, &client_id, true).await?;
    let (access_token, expires_in) =
        sessions::open(app, PrincipalKind::App, &client_id, &credentials.role, client).await?;
    Ok(TokenResponse { access_token, token_type: "Bearer".into(), expires_in })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_decoding() {
        assert_eq!(form_decode("a%3Ab+c").as_deref(), Some("a:b c"));
        assert_eq!(form_decode("plain-_~").as_deref(), Some("plain-_~"));
        assert_eq!(form_decode("bad%2"), None);
        assert_eq!(form_decode("bad%zz"), None);
    }

    #[test]
    fn basic_credentials_are_decoded() {
        let mut headers = HeaderMap::new();
        assert!(basic_credentials(&headers).ok().unwrap().is_none());
        let value = format!("Basic {}", STANDARD.encode("my%20id:s3cr%3At"));
        headers.insert(header::AUTHORIZATION, value.parse().unwrap());
        assert_eq!(basic_credentials(&headers).ok().unwrap(), Some(("my id".into(), "s3cr:t".into())));
        headers.insert(header::AUTHORIZATION, "Bearer x".parse().unwrap());
        assert!(basic_credentials(&headers).is_err());
    }
}
