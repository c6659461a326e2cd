//! Apps' secrets that recently passed argon2, in memory, so the token endpoint does not run
//! argon2 on every request. (Whether an app may use its tokens is read with its session at every
//! request: `hrbridge_store::sessions`.)

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::RwLock;

/// A secret that passed argon2: the hash it was checked against, and its SHA-256. A request with
/// the same secret, while the stored hash is still that one, is accepted without argon2.
struct VerifiedSecret {
    stored_hash: String,
    digest: [u8; 32],
}

#[derive(Default)]
pub struct AppRegistry {
    secrets: RwLock<HashMap<String, VerifiedSecret>>,
}

fn sha256(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Compares in time independent of where the inputs differ.
fn same(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl AppRegistry {
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
        registry.forget_secret("c1");
        assert!(!registry.secret_known("c1", "$argon2id$h1", "s3cret"), "forgotten when disabled");
    }
}
