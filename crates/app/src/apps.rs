//! App registrations: an application (an applicant tracking system) that acts as a named user
//! with a role; hrbridge gives it a client id and a secret, shown once and stored as an argon2id
//! hash. Registering, enabling and a new secret are bounded by the grantor.

use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::grants::{self, Bound, Grantee};
use crate::state::AppState;
use hrbridge_domain::auth::{Entity, Privilege, Role, ATS_INTEGRATION};
use hrbridge_domain::value::Name;
use hrbridge_domain::ValidationErrors;
use hrbridge_store::apps::App;
use hrbridge_store::{password, Actor};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How many random bytes a client secret has (43 URL-safe base64 characters).
pub const SECRET_BYTES: usize = 32;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApp {
    /// A unique name, 1 to 100 characters.
    pub name: String,
    /// The user the app acts as: its role must allow write on candidates and create on workers
    /// (write permission in personnel management).
    pub user: String,
    /// The app's role; `ats-integration` when not given.
    #[serde(default)]
    pub role: Option<String>,
}

/// An app with its secret: the answer to registering an app or rotating its secret, the only
/// times the secret is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppWithSecret {
    pub client_id: String,
    /// Shown this once: keep it now.
    pub client_secret: String,
    pub name: String,
    pub user: String,
    pub role: String,
    pub enabled: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl AppWithSecret {
    pub fn new(app: App, client_secret: String) -> Self {
        AppWithSecret {
            client_id: app.client_id,
            client_secret,
            name: app.name,
            user: app.user,
            role: app.role,
            enabled: app.enabled,
            created_at: app.created_at,
        }
    }
}

/// A new client id: a random (version 4) UUID.
pub fn new_client_id() -> String {
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut bytes);
    uuid::Builder::from_random_bytes(bytes).into_uuid().hyphenated().to_string()
}

/// A new secret and its argon2id hash (computed off the async threads).
pub async fn new_secret() -> AppResult<(String, String)> {
    let secret = password::random_secret(SECRET_BYTES);
    let plain = secret.clone();
    let hash = tokio::task::spawn_blocking(move || password::hash_password(&plain))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((secret, hash))
}

/// Checks and registers an app: the rules the API, the web console and
/// `hrbridge admin register-app` share. The acting user must exist, be enabled and hold write
/// permission in personnel management (its role allows write on candidates and create on
/// workers); the role must exist, and hold nothing beyond the grantor's role (`grantor`: the
/// caller's; the CLI, run by whoever holds the database, passes the administrator's) nor beyond
/// the acting user's.
pub async fn register(app: &AppState, actor: &Actor, grantor: &Role, body: NewApp) -> AppResult<AppWithSecret> {
    let mut errors = ValidationErrors::new();
    let name = errors.check(Name::parse("name", &body.name));
    let role = body.role.unwrap_or_else(|| ATS_INTEGRATION.to_string());
    let mut acting_role = None;
    match app.hr.credentials(&body.user).await? {
        None => errors.add("user", format!("no user named '{}'", body.user)),
        Some(user) if !user.enabled => errors.add("user", format!("user '{}' is disabled", body.user)),
        Some(user) => {
            let user_role = app.role(&user.role).await?;
            let allowed = user_role.as_ref().is_some_and(|r| {
                r.allows(Entity::Candidate, Privilege::Write) && r.allows(Entity::Worker, Privilege::Create)
            });
            if !allowed {
                let message = format!(
                    "user '{}' must hold write permission in personnel management (write on candidate and \
                     create on worker); role '{}' does not",
                    body.user, user.role
                );
                errors.add("user", message);
            }
            acting_role = user_role;
        }
    }
    let granted = app.role(&role).await?;
    if granted.is_none() {
        errors.add("role", format!("no role named '{role}'"));
    }
    let (name, granted, acting_role) = match (name, granted, acting_role, errors.is_empty()) {
        (Some(name), Some(granted), Some(acting_role), true) => (name.into_string(), granted, acting_role),
        _ => return Err(errors.into()),
    };
    let grantee = Grantee { entity: "app", key: &name };
    grants::role_bounded_by(app, actor, Bound::Caller(grantor), grantee, &granted).await?;
    let acting = Bound::ActingUser { username: &body.user, role: &acting_role };
    grants::role_bounded_by(app, actor, acting, grantee, &granted).await?;
    let (secret, hash) = new_secret().await?;
    let client_id = new_client_id();
    let created = app.hr.create_app(actor, &client_id, &name, &body.user, &role, &hash).await?;
    Ok(AppWithSecret::new(created, secret))
}

/// Refuses (403, audited) a change that hands an app's access out again (enabling it, a new
/// secret) unless both the caller's role and the acting user's role (as it is now) hold every
/// privilege of the app's role. A role that no longer exists is refused too.
pub async fn app_within_reach(app: &AppState, caller: &Caller, registered: &App) -> AppResult<()> {
    let Some(app_role) = app.role(&registered.role).await? else {
        return Err(AppError::invalid("role", format!("no role named '{}'", registered.role)));
    };
    let grantee = Grantee { entity: "app", key: &registered.client_id };
    grants::role_bounded_by(app, &caller.actor(), Bound::Caller(&caller.role), grantee, &app_role).await?;
    let acting = match app.hr.credentials(&registered.user).await? {
        Some(user) => app.role(&user.role).await?,
        None => None,
    };
    let Some(acting) = acting else {
        return Err(AppError::invalid("user", format!("user '{}' no longer exists", registered.user)));
    };
    let bound = Bound::ActingUser { username: &registered.user, role: &acting };
    grants::role_bounded_by(app, &caller.actor(), bound, grantee, &app_role).await
}

/// Enables or disables an app for `caller`: the rules the API and the web console share.
/// Enabling gives the app's access back, so it is bounded like registering; disabling is not,
/// and ends the app's tokens (they stay ended if it is enabled again).
pub async fn set_enabled_as(app: &AppState, caller: &Caller, client_id: &str, enabled: bool) -> AppResult<App> {
    caller.require(Entity::App, Privilege::Write)?;
    if enabled {
        app_within_reach(app, caller, &app.hr.app(client_id).await?).await?;
    }
    let updated = app.hr.set_app_enabled(&caller.actor(), client_id, enabled).await;
    if !enabled {
        app.apps.forget_secret(client_id);
    }
    // Whatever the answer, other processes look at the store again.
    app.sessions.changed();
    Ok(updated?)
}

/// Gives an app a new secret for `caller`: the rules the API and the web console share. A new
/// secret is a new credential: like registering, it needs access to both stores, and roles (the
/// caller's and the acting user's) holding every privilege of the app's. The tokens issued with
/// the old secret end in the same transaction.
pub async fn rotate_secret_as(app: &AppState, caller: &Caller, client_id: &str) -> AppResult<AppWithSecret> {
    caller.require(Entity::App, Privilege::Write)?;
    caller.require(Entity::BookableResource, Privilege::Write)?;
    // Refuse an unknown app before spending argon2 on it.
    let registered = app.hr.app(client_id).await?;
    app_within_reach(app, caller, &registered).await?;
    let (secret, hash) = new_secret().await?;
    let rotated = app.hr.rotate_app_secret(&caller.actor(), client_id, &hash).await;
    app.apps.forget_secret(client_id);
    app.sessions.changed();
    Ok(AppWithSecret::new(rotated?, secret))
}
