//! Password hashing with argon2id. These functions are CPU-bound: call them off the async
//! threads (`spawn_blocking`).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;
use std::sync::OnceLock;

pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt");
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 hashing").to_string()
}

/// Verifies a password against a stored hash. With no hash (an unknown user) it verifies against
/// a fixed dummy hash, so an unknown user takes as long as a known one.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("not a real password"));
    // A stored hash that is not one (a deleted account's "!") is checked like an unknown user,
    // so neither answers faster than a wrong password.
    let (parsed, known) = match stored.and_then(|h| PasswordHash::new(h).ok()) {
        Some(parsed) => (parsed, true),
        None => (PasswordHash::new(dummy).expect("the dummy hash parses"), false),
    };
    let ok = Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok();
    ok && known
}

/// A random secret of `bytes` bytes, URL-safe base64.
pub fn random_secret(bytes: usize) -> String {
    use base64::Engine;
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_only_the_right_password() {
        let hash = hash_password("correct horse");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", Some(&hash)));
        assert!(!verify_password("wrong", Some(&hash)));
        assert!(!verify_password("correct horse", None));
        assert!(!verify_password("!", Some("!")), "a deleted account's hash matches nothing");
    }
}
