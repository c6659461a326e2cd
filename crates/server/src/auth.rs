//! The HTTP API's callers: the bearer token of the `Authorization` header, read into the
//! use-case layer's [`hrbridge_app::Caller`], and the client's address.

use crate::error::ApiError;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use hrbridge_app::accounts::ClientInfo;
use hrbridge_app::AppState;

pub use hrbridge_app::caller::{Claims, RoleCache, TokenSigner};

/// Where a request comes from: its address (see [`hrbridge_app::accounts::client_address`]) and
/// user agent.
#[derive(Debug, Clone)]
pub struct Client(pub ClientInfo);

impl<S> FromRequestParts<S> for Client
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let app = AppState::from_ref(state);
        Ok(Client(client_of(&app, parts)))
    }
}

/// Where a request comes from.
pub fn client_of(app: &AppState, parts: &Parts) -> ClientInfo {
    let forwarded = parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let peer = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|info| info.0.ip());
    let user_agent = parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
    ClientInfo::of_request(app, peer, forwarded, user_agent)
}

/// The signed-in caller of a request: extracting it answers 401 without a valid token.
#[derive(Debug, Clone)]
pub struct Caller(pub hrbridge_app::Caller);

impl std::ops::Deref for Caller {
    type Target = hrbridge_app::Caller;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<S> FromRequestParts<S> for Caller
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let app = AppState::from_ref(state);
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| ApiError::Unauthorized("sign in: send 'Authorization: Bearer <token>'".into()))?;
        let token = header
            .strip_prefix("Bearer ")
            .ok_or_else(|| ApiError::Unauthorized("the Authorization header must be 'Bearer <token>'".into()))?;
        Ok(Caller(hrbridge_app::Caller::from_token(&app, token.trim()).await?))
    }
}
