//! App registrations: an application (an applicant tracking system) signs in with a client id and
//! a secret (OAuth 2.0 client credentials) and acts as a named user, with a role. The secret is
//! kept only as an argon2id hash; hashing and verifying happen in the server, off the async
//! threads. Apps are administration, like users: their writes are audited but not in the outbox.

use crate::error::{StoreError, StoreResult};
use crate::page::{Page, PageOf};
use crate::sessions::{end_sessions_in, ended, PrincipalKind};
use crate::{audit, on_read, on_tx, Actor, HrStore};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// An app registration as the API shows it: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct App {
    pub client_id: String,
    pub name: String,
    /// The user the app acts as.
    #[sqlx(rename = "acting_user")]
    pub user: String,
    pub role: String,
    pub enabled: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub modified_at: DateTime<Utc>,
}

/// What the token endpoint needs to authenticate an app.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppCredentials {
    pub client_id: String,
    pub name: String,
    pub role: String,
    /// The argon2id hash of the current secret.
    pub secret_hash: String,
    pub enabled: bool,
    /// Whether the user the app acts as is enabled.
    pub user_enabled: bool,
    /// The role of the user the app acts as.
    pub user_role: String,
}

const APP_COLUMNS: &str = "client_id, name, acting_user, role, enabled, version, created_at, modified_at";

impl HrStore {
    /// Registers an app with an already-hashed secret. The user and the role must exist.
    pub async fn create_app(
        &self,
        actor: &Actor,
        client_id: &str,
        name: &str,
        user: &str,
        role: &str,
        secret_hash: &str,
    ) -> StoreResult<App> {
        let now = self.clock.now();
        let rec_id = self.ids.next_rec_id();
        let mut tx = self.db.begin().await?;
        let (user_exists, role_exists): (Option<String>, Option<String>) = on_tx!(&mut tx, c => {
            let u = sqlx::query_scalar("SELECT username FROM users WHERE username = $1")
                .bind(user)
                .fetch_optional(&mut *c)
                .await?;
            let r = sqlx::query_scalar("SELECT name FROM roles WHERE name = $1").bind(role).fetch_optional(&mut *c).await?;
            (u, r)
        });
        let mut errors = hrbridge_domain::ValidationErrors::new();
        if user_exists.is_none() {
            errors.add("user", format!("no user named '{user}'"));
        }
        if role_exists.is_none() {
            errors.add("role", format!("no role named '{role}'"));
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let inserted = on_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO apps (rec_id, client_id, name, acting_user, role, secret_hash, enabled, version, \
                 created_at, modified_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8) ON CONFLICT DO NOTHING",
            )
            .bind(rec_id)
            .bind(client_id)
            .bind(name)
            .bind(user)
            .bind(role)
            .bind(secret_hash)
            .bind(true)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if inserted == 0 {
            return Err(StoreError::conflict(Some("name"), format!("an app named '{name}' already exists")));
        }
        let app = App {
            client_id: client_id.to_string(),
            name: name.to_string(),
            user: user.to_string(),
            role: role.to_string(),
            enabled: true,
            version: 1,
            created_at: now,
            modified_at: now,
        };
        audit::append(&mut tx, actor, now, "create", "app", client_id, &detail(&app)).await?;
        tx.commit().await?;
        Ok(app)
    }

    /// Apps ordered by name.
    pub async fn apps(&self, page: &Page) -> StoreResult<PageOf<App>> {
        let sql = format!("SELECT {APP_COLUMNS} FROM apps WHERE name > $1 ORDER BY name LIMIT $2");
        let rows = on_read!(&self.db, c => {
            sqlx::query_as::<_, App>(sqlx::AssertSqlSafe(&*sql)).bind(page.after_key()).bind(page.fetch()).fetch_all(&mut *c).await?
        });
        Ok(PageOf::from_rows(rows, page, |a| a.name.clone()))
    }

    pub async fn app(&self, client_id: &str) -> StoreResult<App> {
        let sql = format!("SELECT {APP_COLUMNS} FROM apps WHERE client_id = $1");
        let app = on_read!(&self.db, c => {
            sqlx::query_as::<_, App>(sqlx::AssertSqlSafe(&*sql)).bind(client_id).fetch_optional(&mut *c).await?
        });
        app.ok_or_else(|| StoreError::not_found("app", client_id))
    }

    /// Enables or disables an app. Disabling ends its tokens' sessions in the same transaction
    /// (they stay ended if it is enabled again).
    pub async fn set_app_enabled(&self, actor: &Actor, client_id: &str, enabled: bool) -> StoreResult<App> {
        let action = if enabled { "enable" } else { "disable" };
        self.update_app(actor, client_id, action, Some(enabled), None).await
    }

    /// Replaces an app's secret (its argon2id hash). The tokens issued before end in the same
    /// transaction; the old secret gets no new ones.
    pub async fn rotate_app_secret(&self, actor: &Actor, client_id: &str, secret_hash: &str) -> StoreResult<App> {
        self.update_app(actor, client_id, "rotate-secret", None, Some(secret_hash)).await
    }

    async fn update_app(
        &self,
        actor: &Actor,
        client_id: &str,
        action: &str,
        enabled: Option<bool>,
        secret_hash: Option<&str>,
    ) -> StoreResult<App> {
        let now = self.clock.now();
        let sql = format!(
            "UPDATE apps SET enabled = COALESCE($3, enabled), secret_hash = COALESCE($4, secret_hash), \
             version = version + 1, modified_at = $2 WHERE client_id = $1 RETURNING {APP_COLUMNS}"
        );
        let mut tx = self.db.begin().await?;
        let app: Option<App> = on_tx!(&mut tx, c => {
            sqlx::query_as::<_, App>(sqlx::AssertSqlSafe(&*sql))
                .bind(client_id)
                .bind(now)
                .bind(enabled)
                .bind(secret_hash)
                .fetch_optional(&mut *c)
                .await?
        });
        let app = app.ok_or_else(|| StoreError::not_found("app", client_id))?;
        let reason = match (enabled, secret_hash) {
            (Some(false), _) => Some(ended::DISABLED),
            (_, Some(_)) => Some(ended::SECRET_ROTATED),
            _ => None,
        };
        if let Some(reason) = reason {
            end_sessions_in(&mut tx, now, PrincipalKind::App, client_id, None, reason).await?;
        }
        audit::append(&mut tx, actor, now, action, "app", client_id, &detail(&app)).await?;
        tx.commit().await?;
        Ok(app)
    }

    /// The credentials of an app, and whether its user is enabled.
    pub async fn app_credentials(&self, client_id: &str) -> StoreResult<Option<AppCredentials>> {
        let sql = "SELECT a.client_id, a.name, a.role, a.secret_hash, a.enabled, \
                   u.enabled AND u.deleted_at IS NULL AS user_enabled, u.role AS user_role \
                   FROM apps a JOIN users u ON u.username = a.acting_user WHERE a.client_id = $1";
        Ok(on_read!(&self.db, c => {
            sqlx::query_as::<_, AppCredentials>(sql).bind(client_id).fetch_optional(&mut *c).await?
        }))
    }

    /// Records a token issued to an app (or refused to it) in the audit log.
    pub async fn audit_app_token(&self, actor: &Actor, client_id: &str, issued: bool) -> StoreResult<()> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let action = if issued { "token-issued" } else { "token-refused" };
        audit::append(&mut tx, actor, now, action, "app", client_id, &serde_json::json!({})).await?;
        tx.commit().await
    }
}

/// What the audit log keeps of an app: never its secret or its hash.
fn detail(app: &App) -> serde_json::Value {
    serde_json::json!({
        "client_id": app.client_id,
        "name": app.name,
        "user": app.user,
        "role": app.role,
        "enabled": app.enabled,
    })
}
