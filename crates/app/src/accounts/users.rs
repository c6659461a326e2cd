//! Users: creating one, with a role no wider than the creator's.

use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::grants::{self, Bound, Grantee};
use crate::state::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_domain::ValidationErrors;
use hrbridge_store::password;
use hrbridge_store::users::User;

pub const MIN_PASSWORD_LENGTH: usize = 12;

/// Checks a new user's username and password: the rules `hrbridge admin create-user` applies too.
pub fn check_new_user(username: &str, password: &str) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let valid_name = !username.is_empty()
        && username.len() <= 64
        && username.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if !valid_name {
        errors.add("username", "must be 1 to 64 letters, digits, '.', '_', '-' or '@'");
    }
    if password.chars().count() < MIN_PASSWORD_LENGTH {
        errors.add("password", format!("must be at least {MIN_PASSWORD_LENGTH} characters"));
    }
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
