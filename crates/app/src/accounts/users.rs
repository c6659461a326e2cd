//! Users and their lifecycle: created with a role no wider than the creator's; read, changed
//! (role, enabled, name, email), deleted, given a one-time password by an administrator holding
//! at least their role; a user changes their own password. Ending a user's access ends their
//! sessions at once, on every process.

use super::ClientInfo;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::grants::{self, Bound, Grantee};
use crate::state::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_domain::ValidationErrors;
use hrbridge_store::sign_in::ThrottleKey;
use hrbridge_store::users::{User, UserChanges};
use hrbridge_store::{password, ActorKind};
use serde::Deserialize;
use utoipa::ToSchema;

pub const MIN_PASSWORD_LENGTH: usize = 12;
/// The least zxcvbn score (0–4) a new password needs: 3 is "safely unguessable: moderate
/// protection from offline slow-hash scenarios".
const MIN_PASSWORD_SCORE: u8 = 3;
/// zxcvbn looks at this many characters at most (its matching grows faster than linearly).
const SCORED_PREFIX: usize = 100;

/// The password policy, for every password a person sets: at least 12 characters and at most
/// 1,024 bytes, and not easy to guess. "Easy to guess" is zxcvbn's (the `zxcvbn` crate, Dropbox's estimator: dictionaries of
/// common passwords, names and words, keyboard patterns, dates, repeats and sequences), with the
/// username and the product's name as known words; a score under 3 of 4 is refused.
pub fn check_password(errors: &mut ValidationErrors, field: &str, username: &str, password: &str) {
    let length = password.chars().count();
    if length < MIN_PASSWORD_LENGTH {
        errors.add(field, format!("must be at least {MIN_PASSWORD_LENGTH} characters"));
        return;
    }
    if password.len() > super::MAX_PASSWORD {
        errors.add(field, format!("must be at most {} bytes", super::MAX_PASSWORD));
        return;
    }
    let scored: String = password.chars().take(SCORED_PREFIX).collect();
    let estimate = zxcvbn::zxcvbn(&scored, &[username, "hrbridge"]);
    if u8::from(estimate.score()) < MIN_PASSWORD_SCORE {
        let advice = estimate.feedback().and_then(|f| f.warning()).map(|w| format!(" ({w})")).unwrap_or_default();
        errors.add(field, format!("is too easy to guess{advice}: use a longer phrase of unrelated words"));
    }
}

/// Checks a new user's username and password: the rules `hrbridge admin create-user` applies too.
pub fn check_new_user(username: &str, password: &str) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let valid_name = !username.is_empty()
        && username.len() <= 64
        && username.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if !valid_name {
        errors.add("username", "must be 1 to 64 letters, digits, '.', '_', '-' or '@'");
    }
    check_password(&mut errors, "password", username, password);
    errors.into_result(|| ())
}

/// Creates a user for `caller`: the rules the API and the web console share. The caller needs
/// create on users and must hold every privilege of the role it gives.
pub async fn create_user_as(
    app: &AppState,
    caller: &Caller,
    username: &str,
    secret: String,
    role: &str,
) -> AppResult<User> {
    caller.require(Entity::User, Privilege::Create)?;
    check_new_user(username, &secret)?;
    let Some(granted) = app.role(role).await? else {
        return Err(AppError::invalid("role", format!("no role named '{role}'")));
    };
    let grantee = Grantee { entity: "user", key: username };
    grants::role_bounded_by(app, &caller.actor(), Bound::Caller(&caller.role), grantee, &granted).await?;
    let hash = tokio::task::spawn_blocking(move || password::hash_password(&secret))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(app.hr.create_user(&caller.actor(), username, &hash, role).await?)
}

/// What an administrator may change on a user (`PATCH /admin/users/{username}`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub role: Option<String>,
    /// True disables the account: its sessions end at once and it cannot sign in.
    pub disabled: Option<bool>,
    pub display_name: Option<String>,
    pub email: Option<String>,
}

/// A user, read by someone who may read users.
pub async fn user_as(app: &AppState, caller: &Caller, username: &str) -> AppResult<User> {
    caller.require(Entity::User, Privilege::Read)?;
    live_user(app, username).await
}

async fn live_user(app: &AppState, username: &str) -> AppResult<User> {
    match app.hr.user(username).await? {
        Some(user) if user.deleted_at.is_none() => Ok(user),
        _ => Err(AppError::NotFound(format!("user '{}' was not found", super::capped(username, 64)))),
    }
}

/// Refuses (403, audited) to act on a user whose role holds privileges the caller's does not:
/// nobody disables, demotes, deletes or resets someone above them.
async fn within_reach(app: &AppState, caller: &Caller, user: &User) -> AppResult<()> {
    let Some(role) = app.role(&user.role).await? else {
        return Err(AppError::Internal(format!(
            "user '{}' holds role '{}', which does not exist",
            user.username, user.role
        )));
    };
    let grantee = Grantee { entity: "user", key: &user.username };
    let bound = Bound::Caller(&caller.role);
    grants::bounded_by(app, &caller.actor(), bound, grantee, "username", &role.privileges).await
}

/// Changes a user for `caller` (write on users): a new role is bounded by the caller's, the user
/// must be within the caller's reach, and the last enabled system administrator stays one (409).
/// Disabling or a new role ends the user's sessions.
pub async fn update_user_as(app: &AppState, caller: &Caller, username: &str, patch: UserPatch) -> AppResult<User> {
    caller.require(Entity::User, Privilege::Write)?;
    let user = live_user(app, username).await?;
    within_reach(app, caller, &user).await?;
    let mut errors = ValidationErrors::new();
    let display_name = patch
        .display_name
        .as_deref()
        .map(|n| errors.check(hrbridge_domain::value::text("display_name", Some(n), 100)).unwrap_or_default());
    let email = match patch.email.as_deref() {
        Some("") => Some(String::new()),
        Some(e) => errors.check(hrbridge_domain::value::Email::parse("email", e)).map(|e| e.as_str().to_string()),
        None => None,
    };
    let granted = match &patch.role {
        Some(role) => match app.role(role).await? {
            Some(granted) => Some(granted),
            None => {
                errors.add("role", format!("no role named '{role}'"));
                None
            }
        },
        None => None,
    };
    if !errors.is_empty() {
        return Err(errors.into());
    }
    if let Some(granted) = &granted {
        let grantee = Grantee { entity: "user", key: username };
        grants::role_bounded_by(app, &caller.actor(), Bound::Caller(&caller.role), grantee, granted).await?;
    }
    let changes = UserChanges { role: patch.role, enabled: patch.disabled.map(|d| !d), display_name, email };
    let updated = app.hr.update_user(&caller.actor(), username, &changes).await;
    // Whatever the answer (the change may have committed), other processes look again.
    app.sessions.changed();
    Ok(updated?)
}

/// Deletes a user for `caller` (delete on users): deactivated and anonymised for sign-in, its
/// sessions ended, its audit history kept; never the last enabled system administrator (409).
pub async fn delete_user_as(app: &AppState, caller: &Caller, username: &str) -> AppResult<()> {
    caller.require(Entity::User, Privilege::Delete)?;
    let user = live_user(app, username).await?;
    within_reach(app, caller, &user).await?;
    let deleted = app.hr.delete_user(&caller.actor(), username).await;
    app.sessions.changed();
    Ok(deleted?)
}

/// Gives a user a one-time password for `caller` (write on users): answered this once, their
/// sessions end, and at their next sign-in they may do nothing but set a new one.
pub async fn reset_password_as(app: &AppState, caller: &Caller, username: &str) -> AppResult<String> {
    caller.require(Entity::User, Privilege::Write)?;
    let user = live_user(app, username).await?;
    within_reach(app, caller, &user).await?;
    let one_time = password::random_secret(15);
    let plain = one_time.clone();
    let hash = tokio::task::spawn_blocking(move || password::hash_password(&plain)).await?;
    let reset = app.hr.set_password(&caller.actor(), username, &hash, true, None).await;
    app.sessions.changed();
    reset?;
    Ok(one_time)
}

/// A user changes their own password: the current one is checked (a wrong one counts as a failed
/// sign-in, so it cannot be guessed at here either), the new one must pass the policy, and every
/// other session of theirs ends.
pub async fn change_own_password(
    app: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    current: String,
    new: String,
) -> AppResult<()> {
    if caller.kind != ActorKind::User {
        return Err(AppError::BadRequest("only a person signed in with a password can change it".into()));
    }
    let mut errors = ValidationErrors::new();
    check_password(&mut errors, "new_password", &caller.name, &new);
    if new == current {
        errors.add("new_password", "must differ from the current password");
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let keys = [
        ThrottleKey { key: format!("account:{}", caller.name), allowance: app.settings.sign_in.account_allowance },
        ThrottleKey {
            key: super::sign_in::address_key(&client.address),
            allowance: app.settings.sign_in.address_allowance,
        },
    ];
    if let Some(wait) = app.hr.sign_in_blocked(&keys).await? {
        return Err(super::throttled(wait));
    }
    let stored = app.hr.credentials(&caller.name).await?.map(|c| c.password_hash);
    let verified = current.len() <= super::MAX_PASSWORD && super::sign_in::verify_password(current, stored).await?;
    if !verified {
        let detail = serde_json::json!({ "address": client.address });
        let what = ("password-change-refused", "user");
        app.hr.record_sign_in_failure(&keys, &app.settings.sign_in, &caller.actor(), what, &detail).await?;
        return Err(AppError::invalid("current_password", "is not your current password"));
    }
    let hash = tokio::task::spawn_blocking(move || password::hash_password(&new)).await?;
    let changed = app.hr.set_password(&caller.actor(), &caller.name, &hash, false, caller.session.as_deref()).await;
    app.sessions.changed();
    changed?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(password: &str) -> bool {
        let mut errors = ValidationErrors::new();
        check_password(&mut errors, "password", "ada", password);
        !errors.is_empty()
    }

    #[test]
    fn the_password_policy_refuses_short_and_common_passwords() {
        assert!(refused("short"));
        assert!(refused("password1234"), "a common password with digits");
        assert!(refused("qwertyuiopasdf"), "a keyboard row");
        assert!(refused("ada-ada-ada-ada"), "the username repeated");
        assert!(refused(&"a".repeat(2000)), "too long, and one letter repeated");
        assert!(!refused("correct horse battery staple"));
        assert!(!refused("violet-tractor-lantern-9"));
    }
}
