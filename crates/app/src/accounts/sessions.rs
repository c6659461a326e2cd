//! Sessions: every sign-in of a person and every token of an app opens one, and the token names
//! it. Signing out, and ending one's own sessions, are use cases of their own.

use crate::caller::{Caller, Claims};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use hrbridge_store::password;
use hrbridge_store::sessions::{ended, NewSession, PrincipalKind, Session};
use hrbridge_store::ActorKind;
use serde::Serialize;
use utoipa::ToSchema;

/// The longest user agent kept with a session.
const MAX_USER_AGENT: usize = 200;

/// Where a request comes from, as far as a session records it.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    /// See [`super::client_address`].
    pub address: String,
    pub user_agent: String,
}

impl ClientInfo {
    /// Where a request comes from, given what the front end read of it: the TCP peer, the
    /// `X-Forwarded-For` header and the `User-Agent` header (see [`super::client_address`]).
    pub fn of_request(
        app: &AppState,
        peer: Option<std::net::IpAddr>,
        forwarded_for: Option<&str>,
        user_agent: Option<&str>,
    ) -> Self {
        Self {
            address: super::client_address(app, peer, forwarded_for),
            user_agent: super::capped(user_agent.unwrap_or(""), MAX_USER_AGENT),
        }
    }
}

/// Opens a session for a principal with `role` and signs its token; answers the token and its
/// lifetime in seconds.
pub async fn open(
    app: &AppState,
    kind: PrincipalKind,
    principal: &str,
    role: &str,
    client: &ClientInfo,
) -> AppResult<(String, i64)> {
    let ttl = app.settings.token_ttl_seconds;
    let now = app.clock.now();
    let id = password::random_secret(18);
    let session = NewSession {
        id: &id,
        kind,
        principal,
        expires_at: now + chrono::Duration::seconds(ttl),
        address: &client.address,
        user_agent: &client.user_agent,
    };
    app.hr.open_session(&session).await?;
    let claims = Claims {
        sub: principal.to_string(),
        kind: kind.as_str().into(),
        role: role.into(),
        exp: now.timestamp() + ttl,
        sid: id,
    };
    Ok((app.tokens.sign(&claims), ttl))
}

/// The kind of principal a caller is, for their own sessions; the CLI has none.
fn principal_kind(caller: &Caller) -> AppResult<PrincipalKind> {
    match caller.kind {
        ActorKind::User => Ok(PrincipalKind::User),
        ActorKind::App => Ok(PrincipalKind::App),
        ActorKind::System => Err(AppError::BadRequest("the command line has no sessions".into())),
    }
}

/// Ends the caller's own session (signing out): its token is refused from the next request on.
pub async fn sign_out(app: &AppState, caller: &Caller) -> AppResult<()> {
    if let Some(id) = &caller.session {
        app.hr.end_session(principal_kind(caller)?, &caller.name, id, ended::SIGNED_OUT).await?;
        app.sessions.changed();
    }
    Ok(())
}

/// One of the caller's sessions, marked when it is the one the caller is using.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OwnSession {
    #[serde(flatten)]
    pub session: Session,
    /// The session of the request that listed it.
    pub current: bool,
}

/// The caller's open sessions, newest first.
pub async fn own_sessions(app: &AppState, caller: &Caller) -> AppResult<Vec<OwnSession>> {
    let sessions = app.hr.open_sessions_of(principal_kind(caller)?, &caller.name).await?;
    Ok(sessions
        .into_iter()
        .map(|session| OwnSession { current: caller.session.as_deref() == Some(session.id.as_str()), session })
        .collect())
}

/// Ends one of the caller's own sessions (404 when it has no such open session).
pub async fn end_own_session(app: &AppState, caller: &Caller, id: &str) -> AppResult<()> {
    if app.hr.end_session(principal_kind(caller)?, &caller.name, id, ended::ENDED_BY_OWNER).await? {
        app.sessions.changed();
        Ok(())
    } else {
        Err(AppError::NotFound(format!("you have no open session '{}'", super::capped(id, 64))))
    }
}
