//! Who is calling: the bearer tokens sign-in issues (`v1.<payload>.<HMAC-SHA256>`, base64url,
//! signed with a key kept in the HR store, so every process on the same database accepts them),
//! roles by name, and the caller a token names, whose role every use case checks.

use crate::app_registry::AppRefusal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use hrbridge_domain::auth::{Entity, Privilege, Role};
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

/// The signed-in caller of a use case: a user or an app, with its role.
#[derive(Debug, Clone)]
pub struct Caller {
    pub name: String,
    pub kind: ActorKind,
    pub role: Arc<Role>,
}

impl Caller {
    /// Answers 403 unless the caller's role grants `privilege` on `entity`.
    pub fn require(&self, entity: Entity, privilege: Privilege) -> AppResult<()> {
        if self.role.allows(entity, privilege) {
            Ok(())
        } else {
            Err(AppError::forbidden(entity, privilege))
        }
    }
    pub fn actor(&self) -> Actor {
        Actor { name: self.name.clone(), kind: self.kind, origin: hrbridge_domain::outbox::Origin::User }
    }
}

impl Caller {
    /// The caller a signed token names: 401 when the token is not valid, has expired, names a
    /// role that no longer exists, or belongs to a disabled or unknown app. The API takes the token
    /// from the `Authorization` header, the web console from its session cookie.
    pub async fn from_token(app: &AppState, token: &str) -> AppResult<Caller> {
        let claims = app
            .tokens
            .verify(token, app.clock.now().timestamp())
            .map_err(|reason| AppError::Unauthorized(reason.into()))?;
        let role = app
            .role(&claims.role)
            .await?
            .ok_or_else(|| AppError::Unauthorized("the token's role no longer exists; sign in again".into()))?;
        let kind = if claims.kind == "app" { ActorKind::App } else { ActorKind::User };
        if kind == ActorKind::App {
            // A disabled app's tokens stop working at once (within 5 s for a change made by
            // another process). The caller of an app's token is named by its client id.
            match app.apps.check(&app.hr, &claims.sub, app.clock.now()).await? {
                Ok(()) => {}
                Err(AppRefusal::Disabled) => return Err(AppError::Unauthorized("this application is disabled".into())),
                Err(AppRefusal::Unknown) => {
                    return Err(AppError::Unauthorized("this application is not registered".into()))
                }
            }
        }
        Ok(Caller { name: claims.sub, kind, role })
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
