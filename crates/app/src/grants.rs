//! Grants bounded by the grantor: nobody creates or changes a user, role or app with a privilege
//! they do not hold themselves. The API, the web console and the CLI all check here; a refusal is
//! a 403 naming the field that asked for too much, and it is audited.

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use hrbridge_domain::auth::{Entity, PrivilegeSet, Role};
use hrbridge_store::Actor;
use std::collections::BTreeMap;

/// What a grant is given to, for the refusal's message and audit entry.
#[derive(Debug, Clone, Copy)]
pub struct Grantee<'a> {
    /// `user`, `role` or `app`.
    pub entity: &'a str,
    pub key: &'a str,
}

/// Whose privileges bound a grant: the caller's own, or (for an app) its acting user's too.
#[derive(Debug, Clone, Copy)]
pub enum Bound<'a> {
    Caller(&'a Role),
    ActingUser { username: &'a str, role: &'a Role },
}

impl Bound<'_> {
    fn role(&self) -> &Role {
        match self {
            Bound::Caller(role) | Bound::ActingUser { role, .. } => role,
        }
    }
    fn holder(&self) -> String {
        match self {
            Bound::Caller(role) => format!("your role '{}'", role.name),
            Bound::ActingUser { username, role } => format!("the role '{}' of user '{username}'", role.name),
        }
    }
}

/// Refuses (403, audited) unless the bound holds every privilege in `granted`. `field` names the
/// part of the request that asked for them (`role`, `privileges.worker`…).
pub async fn bounded_by(
    app: &AppState,
    actor: &Actor,
    bound: Bound<'_>,
    grantee: Grantee<'_>,
    field: &str,
    granted: &BTreeMap<Entity, PrivilegeSet>,
) -> AppResult<()> {
    let grantor = bound.role();
    let excess = grantor.excess_of(granted);
    if excess.is_empty() {
        return Ok(());
    }
    let message = format!("grants privileges {} does not hold: {excess}", bound.holder());
    let detail =
        serde_json::json!({ "field": field, "beyond_grantor": excess.to_string(), "grantor_role": grantor.name });
    app.hr.audit_event(actor, "grant-refused", grantee.entity, grantee.key, &detail).await?;
    Err(AppError::GrantRefused { field: field.to_string(), message })
}

/// [`bounded_by`] for a whole role (a user's or an app's), asked for in the field `role`.
pub async fn role_bounded_by(
    app: &AppState,
    actor: &Actor,
    bound: Bound<'_>,
    grantee: Grantee<'_>,
    granted: &Role,
) -> AppResult<()> {
    bounded_by(app, actor, bound, grantee, "role", &granted.privileges).await
}

/// Refuses a role's privileges field by field: the first entity that exceeds names the field
/// (`privileges.worker`), and the message lists every entity that does.
pub async fn privileges_bounded_by(
    app: &AppState,
    actor: &Actor,
    grantor: &Role,
    grantee: Grantee<'_>,
    granted: &BTreeMap<Entity, PrivilegeSet>,
) -> AppResult<()> {
    let field = match grantor.excess_of(granted).0.keys().next() {
        Some(entity) => format!("privileges.{}", entity.as_str()),
        None => return Ok(()),
    };
    bounded_by(app, actor, Bound::Caller(grantor), grantee, &field, granted).await
}

/// The entities whose records a business event carries: subscribing a webhook to it hands them to
/// the endpoint, so the subscriber must be able to read them.
fn entities_carried_by(event_type: &str) -> &'static [Entity] {
    use hrbridge_store::webhooks::event;
    match event_type {
        event::CANDIDATE_RECEIVED => &[Entity::Candidate],
        event::WORKER_HIRED => &[Entity::Worker, Entity::Candidate],
        event::WORKER_CHANGED => &[Entity::Worker],
        event::WORKER_SKILL_CHANGED => &[Entity::Worker, Entity::WorkerSkill],
        event::WORKER_CERTIFICATE_CHANGED => &[Entity::Worker, Entity::WorkerCertificate],
        // Unknown types are refused by validation before this is asked.
        _ => &[],
    }
}

/// Refuses (403, audited, field `events`) a webhook subscription to events carrying records the
/// caller may not read.
pub async fn events_bounded_by(
    app: &AppState,
    actor: &Actor,
    grantor: &Role,
    grantee: Grantee<'_>,
    events: &[String],
) -> AppResult<()> {
    let read: BTreeMap<Entity, PrivilegeSet> =
        events.iter().flat_map(|e| entities_carried_by(e)).map(|entity| (*entity, PrivilegeSet::READ)).collect();
    bounded_by(app, actor, Bound::Caller(grantor), grantee, "events", &read).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_type_names_what_it_carries() {
        for event_type in hrbridge_store::webhooks::event::ALL {
            assert!(!entities_carried_by(event_type).is_empty(), "{event_type}");
        }
    }
}
