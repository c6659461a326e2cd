//! Who is calling: the bearer tokens sign-in issues (`v1.<payload>.<HMAC-SHA256>`, base64url,
//! signed with a key kept in the HR store, so every process on the same database accepts them),
//! roles by name, and the caller a token names, whose role every use case checks.

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Duration;
use hmac::{Hmac, Mac};
use hrbridge_domain::auth::{Entity, Privilege, Role, SYSTEM_ADMINISTRATOR};
use hrbridge_store::sessions::{ended, PrincipalKind, SessionCheck};
use hrbridge_store::{Actor, ActorKind};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The username (or app client id).
    pub sub: String,
    pub kind: String,
    pub role: String,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Random per sign-in, so that two sessions of one user in the same second differ (the web
    /// console derives each session's CSRF token from its token).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sid: String,
}

#[derive(Clone)]
pub struct TokenSigner {
    key: Arc<Vec<u8>>,
}

impl TokenSigner {
    pub fn new(key: &[u8]) -> Self {
        Self { key: Arc::new(key.to_vec()) }
    }

    fn mac(&self) -> HmacSha256 {
        HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length")
    }

    pub fn sign(&self, claims: &Claims) -> String {
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialize"));
        let mut mac = self.mac();
        mac.update(payload.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("v1.{payload}.{signature}")
    }

    /// A value derived from `data` with the signing key for one `purpose` (the console's CSRF
    /// token is derived from its session token): unguessable without the key.
    pub fn derive(&self, purpose: &str, data: &str) -> String {
        let mut mac = self.mac();
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(data.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// The claims of a token signed with this key that has not expired at `now` (seconds).
    pub fn verify(&self, token: &str, now: i64) -> Result<Claims, &'static str> {
        let mut parts = token.split('.');
        let (Some("v1"), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err("the token is malformed");
        };
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| "the token is malformed")?;
        let mut mac = self.mac();
        mac.update(payload.as_bytes());
        mac.verify_slice(&signature).map_err(|_| "the token's signature is not valid")?;
        let bytes = URL_SAFE_NO_PAD.decode(payload).map_err(|_| "the token is malformed")?;
        let claims: Claims = serde_json::from_slice(&bytes).map_err(|_| "the token is malformed")?;
        if claims.exp <= now {
            return Err("the token has expired; sign in again");
        }
        Ok(claims)
    }
}

/// Roles by name, in memory; reloaded from the store when roles change.
#[derive(Clone, Default)]
pub struct RoleCache(Arc<RwLock<HashMap<String, Arc<Role>>>>);

impl RoleCache {
    pub fn replace(&self, roles: Vec<Role>) {
        let map = roles.into_iter().map(|r| (r.name.clone(), Arc::new(r))).collect();
        *self.0.write().expect("role cache lock") = map;
    }
    pub fn get(&self, name: &str) -> Option<Arc<Role>> {
        self.0.read().expect("role cache lock").get(name).cloned()
    }
}

/// The signed-in caller of a use case: a user or an app, with its role, and the session it
/// signed in with (none for the CLI, which is run by whoever holds the database).
#[derive(Debug, Clone)]
pub struct Caller {
    pub name: String,
    pub kind: ActorKind,
    pub role: Arc<Role>,
    /// The session this caller's token names.
    pub session: Option<String>,
    /// After an administrator's reset: nothing is allowed but setting a new password.
    pub must_change_password: bool,
    /// The person signs in with a second factor (TOTP).
    pub has_totp: bool,
    /// The setting requires a second factor of this person, who has none yet: nothing is
    /// allowed but enrolling.
    pub must_enrol_totp: bool,
}

/// What a caller whose session has ended is told.
fn why_ended(kind: PrincipalKind, reason: Option<&str>) -> &'static str {
    match (kind, reason) {
        (PrincipalKind::App, Some(ended::DISABLED)) => "this application is disabled",
        (PrincipalKind::App, Some(ended::SECRET_ROTATED)) => "this application's secret was rotated; get a new token",
        (_, Some(ended::SIGNED_OUT)) => "this session was signed out; sign in again",
        (_, Some(ended::ENDED_BY_OWNER)) => "this session was ended by its owner; sign in again",
        (_, Some(ended::IDLE)) => "the session was idle too long; sign in again",
        (_, Some(ended::DISABLED)) => "this account is disabled",
        (_, Some(ended::DELETED)) => "this account was deleted",
        (_, Some(ended::ROLE_CHANGED)) => "your role changed; sign in again",
        (_, Some(ended::PASSWORD_RESET)) => "your password was reset; sign in with the one-time password",
        (_, Some(ended::PASSWORD_CHANGED)) => "your password changed; sign in again",
        _ => "this session has ended; sign in again",
    }
}

/// A session not used for this long is looked at as used: its last use is written at most this
/// often, so a busy session costs at most one write a minute.
const TOUCH_EVERY_SECONDS: i64 = 60;

impl Caller {
    /// Answers 403 unless the caller's role grants `privilege` on `entity` (and no new password
    /// is owed).
    pub fn require(&self, entity: Entity, privilege: Privilege) -> AppResult<()> {
        if self.must_change_password {
            return Err(AppError::PasswordChangeRequired);
        }
        if self.must_enrol_totp {
            return Err(AppError::TotpEnrolmentRequired);
        }
        if self.role.allows(entity, privilege) {
            Ok(())
        } else {
            Err(AppError::forbidden(entity, privilege))
        }
    }
    pub fn actor(&self) -> Actor {
        Actor { name: self.name.clone(), kind: self.kind, origin: hrbridge_domain::outbox::Origin::User }
    }

    /// Whoever runs the CLI: they hold the database, so they act as a system administrator,
    /// named `cli` in the audit log.
    pub async fn command_line(app: &AppState) -> AppResult<Caller> {
        let role = app
            .role(SYSTEM_ADMINISTRATOR)
            .await?
            .ok_or_else(|| AppError::Internal("the shipped roles are missing".into()))?;
        Ok(Caller {
            name: "cli".into(),
            kind: ActorKind::System,
            role,
            session: None,
            must_change_password: false,
            has_totp: false,
            must_enrol_totp: false,
        })
    }

    /// The caller a signed token names: 401 when the token is not valid or has expired, or its
    /// session has ended (signed out, ended by its owner, idle too long) or its user or app is
    /// disabled, deleted or gone. The role is the principal's role now, not when the token was
    /// issued. The session is read from the store (on SQLite, kept while no process has ended a
    /// session since: [`crate::session_cache`]), so a change takes effect at the next request on
    /// every process. The API takes the token from the `Authorization` header, the web
    /// console from its session cookie.
    pub async fn from_token(app: &AppState, token: &str) -> AppResult<Caller> {
        let now = app.clock.now();
        let claims =
            app.tokens.verify(token, now.timestamp()).map_err(|reason| AppError::Unauthorized(reason.into()))?;
        let ended = || AppError::Unauthorized("this session has ended; sign in again".into());
        if claims.sid.is_empty() {
            return Err(ended());
        }
        let kind = if claims.kind == "app" { PrincipalKind::App } else { PrincipalKind::User };
        let mut session = app.sessions.check(&app.hr, &claims.sid, now).await?.ok_or_else(ended)?;
        if session.principal != claims.sub || session.principal_kind != kind.as_str() {
            return Err(ended());
        }
        if session.ended {
            return Err(AppError::Unauthorized(why_ended(kind, session.ended_reason.as_deref()).into()));
        }
        if session.expires_at <= now {
            return Err(AppError::Unauthorized("the token has expired; sign in again".into()));
        }
        if !session.enabled {
            let what =
                if kind == PrincipalKind::App { "this application (or the user it acts as)" } else { "this account" };
            return Err(AppError::Unauthorized(format!("{what} is disabled")));
        }
        let idle = app.settings.session_idle_seconds;
        let idle_since = |session: &SessionCheck| session.last_seen_at + Duration::seconds(idle) <= now;
        if kind == PrincipalKind::User && idle > 0 && idle_since(&session) {
            // Another process may have seen it used since this one read it: ask the store.
            session = app.sessions.check_fresh(&app.hr, &claims.sid).await?.ok_or_else(ended)?;
            if idle_since(&session) {
                app.hr.end_session(kind, &claims.sub, &claims.sid, ended::IDLE).await?;
                app.sessions.changed();
                return Err(AppError::Unauthorized("the session was idle too long; sign in again".into()));
            }
        }
        if session.last_seen_at + Duration::seconds(TOUCH_EVERY_SECONDS) <= now {
            app.hr.touch_session(&claims.sid, now).await?;
            app.sessions.touched(&claims.sid, now);
        }
        let role = app
            .role(&session.role)
            .await?
            .ok_or_else(|| AppError::Unauthorized("the account's role no longer exists; sign in again".into()))?;
        let actor_kind = if kind == PrincipalKind::App { ActorKind::App } else { ActorKind::User };
        let must_enrol_totp =
            kind == PrincipalKind::User && !session.has_totp && crate::accounts::totp::required_of(app, &role.name);
        Ok(Caller {
            name: claims.sub,
            kind: actor_kind,
            role,
            session: Some(claims.sid),
            must_change_password: session.must_change_password,
            has_totp: session.has_totp,
            must_enrol_totp,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> Claims {
        Claims { sub: "ada".into(), kind: "user".into(), role: "hr-manager".into(), exp, sid: String::new() }
    }

    #[test]
    fn signed_tokens_verify_until_they_expire() {
        let signer = TokenSigner::new(b"key");
        let token = signer.sign(&claims(100));
        assert_eq!(signer.verify(&token, 99).unwrap(), claims(100));
        assert!(signer.verify(&token, 100).is_err());
    }

    #[test]
    fn tampered_or_foreign_tokens_are_refused() {
        let token = TokenSigner::new(b"key").sign(&claims(100));
        assert!(TokenSigner::new(b"other").verify(&token, 0).is_err());
        let forged_payload = URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(&Claims { role: "system-administrator".into(), ..claims(100) }).unwrap());
        let signature = token.rsplit('.').next().unwrap();
        assert!(TokenSigner::new(b"key").verify(&format!("v1.{forged_payload}.{signature}"), 0).is_err());
        assert!(TokenSigner::new(b"key").verify("garbage", 0).is_err());
    }
}
