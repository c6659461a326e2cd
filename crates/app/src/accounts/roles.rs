//! Custom roles: creating one, holding nothing beyond its creator's role.

use crate::caller::Caller;
use crate::error::AppResult;
use crate::grants::{self, Grantee};
use crate::state::AppState;
use hrbridge_domain::auth::{Entity, Privilege, Role};
use hrbridge_domain::ValidationErrors;

/// A role's name: 1 to 64 lowercase letters, digits or '-'.
pub fn check_role_name(errors: &mut ValidationErrors, name: &str) {
    let valid_name = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid_name {
        errors.add("name", "must be 1 to 64 lowercase letters, digits or '-'");
    }
}

/// Creates a custom role for `caller`, who must hold every privilege it lists: the rules the
/// API and the web console share.
pub async fn create_role_as(app: &AppState, caller: &Caller, role: &Role) -> AppResult<()> {
    caller.require(Entity::Role, Privilege::Create)?;
    let grantee = Grantee { entity: "role", key: &role.name };
    grants::privileges_bounded_by(app, &caller.actor(), &caller.role, grantee, &role.privileges).await?;
    app.hr.create_role(&caller.actor(), role).await?;
    app.reload_roles().await?;
    Ok(())
}
