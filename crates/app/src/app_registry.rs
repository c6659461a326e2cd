//! App registrations in memory: which apps are enabled (checked on every request an app's token
//! makes), and the secrets that recently passed argon2 (so the token endpoint does not run argon2
//! on every request).

use chrono::{DateTime, Duration, Utc};
use hrbridge_store::{HrStore, StoreResult};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::RwLock;

/// How long the enabled flags are trusted before they are read again from the store, so a change
/// made by another process (the CLI, another server) takes effect within this time.
pub const REGISTRY_MAX_AGE: Duration = Duration::seconds(5);

/// Why an app's token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppRefusal {
    Disabled,
    Unknown,
}

struct Flags {
    enabled: HashMap<String, bool>,
    loaded_at: Option<DateTime<Utc>>,
}

/// A secret that passed argon2: the hash it was checked against, and its SHA-256. A request with
/// the same secret, while the stored hash is still that one, is accepted without argon2.
struct VerifiedSecret {
    stored_hash: String,
    digest: [u8; 32],
}

pub struct AppRegistry {
    flags: RwLock<Flags>,
    /// One reload at a time; the others wait for it and use its result.
    reload: tokio::sync::Mutex<()>,
    secrets: RwLock<HashMap<String, VerifiedSecret>>,
}

impl Default for AppRegistry {
    fn default() -> Self {
        Self {
            flags: RwLock::new(Flags { enabled: HashMap::new(), loaded_at: None }),
            reload: tokio::sync::Mutex::new(()),
            secrets: RwLock::new(HashMap::new()),
        }
    }
}

fn sha256(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Compares in time independent of where the inputs differ.
fn same(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl AppRegistry {
    /// Reads every app's enabled flag from the store.
    pub async fn load(&self, store: &HrStore, now: DateTime<Utc>) -> StoreResult<()> {
        let states = store.app_states().await?;
        let mut flags = self.flags.write().expect("app registry lock");
        flags.enabled = states.into_iter().collect();
        flags.loaded_at = Some(now);
        Ok(())
    }

    fn lookup(&self, client_id: &str, now: DateTime<Utc>) -> (Option<bool>, bool) {
        let flags = self.flags.read().expect("app registry lock");
        let fresh = flags.loaded_at.is_some_and(|at| (now - at).abs() < REGISTRY_MAX_AGE);
        (flags.enabled.get(client_id).copied(), fresh)
    }

    /// Whether the app may use its tokens now. Re-reads the store when the flags are older than
    /// [`REGISTRY_MAX_AGE`], or when the app is not known here (registered by another process).
    pub async fn check(
        &self,
        store: &HrStore,
        client_id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<(), AppRefusal>> {
        let (mut enabled, fresh) = self.lookup(client_id, now);
        if !fresh || enabled.is_none() {
            let _guard = self.reload.lock().await;
            // Another request may have reloaded while this one waited.
            let (again, fresh) = self.lookup(client_id, now);
            enabled = again;
            if !fresh || enabled.is_none() {
                self.load(store, now).await?;
                enabled = self.lookup(client_id, now).0;
            }
        }
        Ok(match enabled {
            Some(true) => Ok(()),
            Some(false) => Err(AppRefusal::Disabled),
            None => Err(AppRefusal::Unknown),
        })
    }

    /// Records a change made through this process's API: it takes effect at once here.
    pub fn set_enabled(&self, client_id: &str, enabled: bool) {
        self.flags.write().expect("app registry lock").enabled.insert(client_id.to_string(), enabled);
        if !enabled {
            self.forget_secret(client_id);
        }
    }

    /// True when `secret` passed argon2 against `stored_hash` before.
    pub fn secret_known(&self, client_id: &str, stored_hash: &str, secret: &str) -> bool {
        let secrets = self.secrets.read().expect("app secret cache lock");
        secrets.get(client_id).is_some_and(|v| v.stored_hash == stored_hash && same(&v.digest, &sha256(secret)))
    }

    /// Remembers a secret that passed argon2 against `stored_hash`.
    pub fn remember_secret(&self, client_id: &str, stored_hash: &str, secret: &str) {
        let verified = VerifiedSecret { stored_hash: stored_hash.to_string(), digest: sha256(secret) };
        self.secrets.write().expect("app secret cache lock").insert(client_id.to_string(), verified);
    }

    /// Drops what is remembered of an app's secret (on rotation or when it is disabled).
    pub fn forget_secret(&self, client_id: &str) {
        self.secrets.write().expect("app secret cache lock").remove(client_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_secrets_match_only_the_same_secret_and_hash() {
        let registry = AppRegistry::default();
        registry.remember_secret("c1", "$argon2id$h1", "s3cret");
        assert!(registry.secret_known("c1", "$argon2id$h1", "s3cret"));
        assert!(!registry.secret_known("c1", "$argon2id$h1", "other"));
        assert!(!registry.secret_known("c1", "$argon2id$h2", "s3cret"), "rotated elsewhere");
        assert!(!registry.secret_known("c2", "$argon2id$h1", "s3cret"));
        registry.set_enabled("c1", false);
        assert!(!registry.secret_known("c1", "$argon2id$h1", "s3cret"), "forgotten when disabled");
    }
}
