//! Signing in: a username and password checked with argon2id, throttled per account and per
//! client address, audited; the API's login and the web console's sign-in both come here.

use super::ClientInfo;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use hrbridge_store::sessions::PrincipalKind;
use hrbridge_store::sign_in::ThrottleKey;
use hrbridge_store::{password, Actor};

/// The longest username kept in the audit log and the throttle (no valid username is longer).
pub const MAX_USERNAME: usize = 64;
/// The longest password checked; a longer one is refused without argon2.
pub const MAX_PASSWORD: usize = 1024;

/// Password checks (argon2id, about 19 MiB each) running at once in this process: a burst of
/// sign-ins waits its turn instead of filling memory and the blocking pool.
static PASSWORD_CHECKS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// Checks `password` against `stored` (an unknown user's `None` takes as long), at most four at
/// once per process, off the async threads.
pub async fn verify_password(password: String, stored: Option<String>) -> AppResult<bool> {
    let _turn = PASSWORD_CHECKS.acquire().await.map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(tokio::task::spawn_blocking(move || password::verify_password(&password, stored.as_deref())).await?)
}

/// The key a client address is throttled under: the address, or an IPv6 address's /64 (one
/// subscriber's network, which hands out many addresses).
pub fn address_key(address: &str) -> String {
    match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("address:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        _ => format!("address:{address}"),
    }
}

/// The longest client address kept (an IPv6 address with a zone fits).
const MAX_ADDRESS: usize = 64;

/// The client's address, for the sign-in throttle and the audit log: the TCP peer, or (when
/// `trust_forwarded_for` is set, behind a reverse proxy) the last address of `X-Forwarded-For`;
/// `unknown` when neither is there.
pub fn client_address(app: &AppState, peer: Option<std::net::IpAddr>, forwarded_for: Option<&str>) -> String {
    let forwarded = forwarded_for
        .filter(|_| app.settings.trust_forwarded_for)
        .and_then(|list| list.rsplit(',').next())
        .and_then(|last| last.trim().parse::<std::net::IpAddr>().ok());
    let address = forwarded.or(peer).map(|ip| ip.to_string()).unwrap_or_else(|| "unknown".into());
    capped(&address, MAX_ADDRESS)
}

/// `text` cut to its first `max` characters followed by '…' when it is longer: what an
/// unauthenticated input may put in the audit log or a throttle key.
pub fn capped(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((end, _)) => format!("{}…", &text[..end]),
    }
}

/// The answer to a sign-in while its account or address is blocked.
pub fn throttled(wait: chrono::Duration) -> AppError {
    let retry_after = u64::try_from(wait.num_milliseconds().max(0)).unwrap_or(0).div_ceil(1000).max(1);
    AppError::TooManyRequests {
        retry_after,
        message: format!("too many failed sign-ins; try again in {retry_after} s"),
    }
}

/// Checks a user's password, opens a session for them and signs its token; answers the token
/// and its lifetime in seconds. The API's login and the web console's sign-in both come here,
/// and both are audited. `client` is where the request comes from, for the throttle, the audit
/// log and the session. A user whose password was reset signs in only to set a new one; one with
/// two-factor sign-in also sends a code (`second_factor`).
pub async fn sign_in(
    app: &AppState,
    username: &str,
    password: String,
    second_factor: Option<&str>,
    client: &ClientInfo,
) -> AppResult<(String, i64)> {
    let address = client.address.as_str();
    let name = capped(username, MAX_USERNAME);
    let keys = [
        ThrottleKey { key: format!("account:{name}"), allowance: app.settings.sign_in.account_allowance },
        ThrottleKey { key: address_key(address), allowance: app.settings.sign_in.address_allowance },
    ];
    if let Some(wait) = app.hr.sign_in_blocked(&keys).await? {
        return Err(throttled(wait));
    }
    // Inputs no account can have are refused without a look-up (and cost no argon2).
    let plausible = username.chars().count() <= MAX_USERNAME && password.len() <= MAX_PASSWORD;
    let credentials = if plausible { app.hr.credentials(username).await? } else { None };
    let stored = credentials.as_ref().map(|c| c.password_hash.clone());
    let verified = plausible && verify_password(password, stored).await?;
    // A name that is no account (perhaps a password typed in the wrong field) is not kept.
    let actor = Actor::user(if credentials.is_some() { name.clone() } else { "unknown-user".into() });
    let user = match credentials {
        Some(user) if verified && user.enabled => user,
        _ => {
            let detail = serde_json::json!({ "address": address });
            let what = ("sign-in-refused", "user");
            app.hr.record_sign_in_failure(&keys, &app.settings.sign_in, &actor, what, &detail).await?;
            return Err(AppError::Unauthorized("wrong username or password".into()));
        }
    };
    super::totp::second_factor(app, &user, second_factor, &keys, &actor, address).await?;
    app.hr.clear_sign_in_failures(&keys[0].key).await?;
    app.hr.audit_sign_in(&actor, address).await?;
    super::sessions::open(app, PrincipalKind::User, &user.username, &user.role, client).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_addresses_are_throttled_by_their_64() {
        assert_eq!(address_key("127.0.0.1"), "address:127.0.0.1");
        assert_eq!(address_key("2001:db8:1:2:aaaa::1"), address_key("2001:db8:1:2:bbbb::9"));
        assert_ne!(address_key("2001:db8:1:2::1"), address_key("2001:db8:1:3::1"));
        assert_eq!(address_key("unknown"), "address:unknown");
    }
}
