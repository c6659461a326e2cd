//! Users: a username, an argon2id password hash, a role, and a lifecycle: enabled or disabled,
//! made to set a new password after a reset, deleted (deactivated and anonymised for sign-in; the
//! row and its username stay, so the audit history keeps naming it and the name is not reused).

use crate::error::{StoreError, StoreResult};
use crate::page::{Page, PageOf};
use crate::sessions::{end_acting_apps_sessions_in, end_sessions_in, PrincipalKind};
use crate::{audit, on_read, on_tx, Actor, HrStore};
use chrono::{DateTime, Utc};
use hrbridge_domain::auth::SYSTEM_ADMINISTRATOR;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct User {
    #[serde(with = "hrbridge_domain::id_string")]
    #[schema(value_type = String)]
    pub rec_id: i64,
    pub username: String,
    pub role: String,
    pub enabled: bool,
    pub display_name: String,
    pub email: String,
    /// Signs in only to set a new password (after an administrator's reset).
    pub must_change_password: bool,
    /// When the account was deleted; a deleted account never signs in again.
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub modified_at: DateTime<Utc>,
}

const USER_COLUMNS: &str = "rec_id, username, role, enabled, display_name, email, must_change_password, deleted_at, \
                            version, created_at, modified_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    pub username: String,
    pub password_hash: String,
    pub role: String,
    /// Enabled and not deleted.
    pub enabled: bool,
    pub must_change_password: bool,
    /// The TOTP secret (base32) when two-factor sign-in is on.
    pub totp_secret: Option<String>,
}

/// What an administrator changes on a user; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub role: Option<String>,
    pub enabled: Option<bool>,
    pub display_name: Option<String>,
    pub email: Option<String>,
}

/// The hash that no password matches: what a deleted account keeps.
const NO_PASSWORD: &str = "!";

impl HrStore {
    pub async fn user_count(&self) -> StoreResult<i64> {
        Ok(on_read!(&self.db, c => {
            sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&mut *c).await?
        }))
    }

    /// Creates a user with an already-hashed password. The role must exist.
    pub async fn create_user(
        &self,
        actor: &Actor,
        username: &str,
        password_hash: &str,
        role: &str,
    ) -> StoreResult<User> {
        let now = self.clock.now();
        let rec_id = self.ids.next_rec_id();
        let mut tx = self.db.begin().await?;
        let role_exists: Option<String> = on_tx!(&mut tx, c => {
            sqlx::query_scalar("SELECT name FROM roles WHERE name = $1").bind(role).fetch_optional(&mut *c).await?
        });
        if role_exists.is_none() {
            return Err(StoreError::invalid("role", format!("no role named '{role}'")));
        }
        let inserted = on_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO users (rec_id, username, password_hash, role, enabled, version, created_at, modified_at) \
                 VALUES ($1, $2, $3, $4, $5, 1, $6, $6) ON CONFLICT (username) DO NOTHING",
            )
            .bind(rec_id)
            .bind(username)
            .bind(password_hash)
            .bind(role)
            .bind(true)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if inserted == 0 {
            return Err(StoreError::conflict(Some("username"), format!("user '{username}' already exists")));
        }
        let detail = serde_json::json!({ "username": username, "role": role });
        audit::append(&mut tx, actor, now, "create", "user", username, &detail).await?;
        tx.commit().await?;
        self.user(username).await?.ok_or_else(|| StoreError::not_found("user", username))
    }

    pub async fn credentials(&self, username: &str) -> StoreResult<Option<Credentials>> {
        Ok(on_read!(&self.db, c => {
            sqlx::query_as(
                "SELECT username, password_hash, role, enabled AND deleted_at IS NULL AS enabled, \
                 must_change_password, totp_secret FROM users WHERE username = $1",
            )
            .bind(username)
            .fetch_optional(&mut *c)
            .await?
        }))
    }

    pub async fn user(&self, username: &str) -> StoreResult<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
        Ok(on_read!(&self.db, c => {
            sqlx::query_as::<_, User>(sqlx::AssertSqlSafe(sql)).bind(username).fetch_optional(&mut *c).await?
        }))
    }

    /// Users by username; deleted accounts are left out.
    pub async fn users(&self, page: &Page) -> StoreResult<PageOf<User>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE username > $1 AND deleted_at IS NULL ORDER BY username LIMIT $2"
        );
        let rows = on_read!(&self.db, c => {
            sqlx::query_as::<_, User>(sqlx::AssertSqlSafe(sql))
                .bind(page.after_key())
                .bind(page.fetch())
                .fetch_all(&mut *c)
                .await?
        });
        Ok(PageOf::from_rows(rows, page, |u| u.username.clone()))
    }

    /// Changes a user: the role (which must exist), enabled, display name, email. Refuses (409)
    /// to leave no enabled system administrator. Disabling or changing the role ends the user's
    /// sessions in the same transaction; the change is audited with what changed.
    pub async fn update_user(&self, actor: &Actor, username: &str, changes: &UserChanges) -> StoreResult<User> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let current = live_user(&mut tx, username).await?;
        if let Some(role) = &changes.role {
            let exists: Option<String> = on_tx!(&mut tx, c => {
                sqlx::query_scalar("SELECT name FROM roles WHERE name = $1").bind(role).fetch_optional(&mut *c).await?
            });
            if exists.is_none() {
                return Err(StoreError::invalid("role", format!("no role named '{role}'")));
            }
        }
        let role = changes.role.clone().unwrap_or(current.role.clone());
        let enabled = changes.enabled.unwrap_or(current.enabled);
        if current.enabled && current.role == SYSTEM_ADMINISTRATOR && !(enabled && role == SYSTEM_ADMINISTRATOR) {
            keeps_an_administrator(&mut tx, username).await?;
        }
        let display_name = changes.display_name.clone().unwrap_or(current.display_name.clone());
        let email = changes.email.clone().unwrap_or(current.email.clone());
        on_tx!(&mut tx, c => {
            sqlx::query(
                "UPDATE users SET role = $1, enabled = $2, display_name = $3, email = $4, version = version + 1, \
                 modified_at = $5 WHERE username = $6",
            )
            .bind(&role)
            .bind(enabled)
            .bind(&display_name)
            .bind(&email)
            .bind(now)
            .bind(username)
            .execute(&mut *c)
            .await?;
        });
        let reason = if !enabled {
            Some(crate::sessions::ended::DISABLED)
        } else if role != current.role {
            Some(crate::sessions::ended::ROLE_CHANGED)
        } else {
            None
        };
        let ended = match reason {
            Some(reason) => {
                end_acting_apps_sessions_in(&mut tx, now, username, reason).await?;
                end_sessions_in(&mut tx, now, PrincipalKind::User, username, None, reason).await?
            }
            None => 0,
        };
        let mut changed = serde_json::Map::new();
        for (field, before, after) in [
            ("role", current.role.as_str(), role.as_str()),
            ("display_name", current.display_name.as_str(), display_name.as_str()),
            ("email", current.email.as_str(), email.as_str()),
        ] {
            if before != after {
                changed.insert(field.into(), serde_json::json!({ "before": before, "after": after }));
            }
        }
        if current.enabled != enabled {
            changed.insert("enabled".into(), serde_json::json!({ "before": current.enabled, "after": enabled }));
        }
        let detail = serde_json::json!({ "changed": changed, "sessions_ended": ended });
        audit::append(&mut tx, actor, now, "update", "user", username, &detail).await?;
        tx.commit().await?;
        self.user(username).await?.ok_or_else(|| StoreError::not_found("user", username))
    }

    /// Sets a user's password hash. `must_change` makes them set a new one at the next sign-in
    /// (an administrator's reset). Every session of theirs but `keep` ends.
    pub async fn set_password(
        &self,
        actor: &Actor,
        username: &str,
        password_hash: &str,
        must_change: bool,
        keep: Option<&str>,
    ) -> StoreResult<u64> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        live_user(&mut tx, username).await?;
        on_tx!(&mut tx, c => {
            sqlx::query(
                "UPDATE users SET password_hash = $1, must_change_password = $2, version = version + 1, \
                 modified_at = $3 WHERE username = $4",
            )
            .bind(password_hash)
            .bind(must_change)
            .bind(now)
            .bind(username)
            .execute(&mut *c)
            .await?;
        });
        let (action, reason) = if must_change {
            ("password-reset", crate::sessions::ended::PASSWORD_RESET)
        } else {
            ("password-change", crate::sessions::ended::PASSWORD_CHANGED)
        };
        let ended = end_sessions_in(&mut tx, now, PrincipalKind::User, username, keep, reason).await?;
        audit::append(&mut tx, actor, now, action, "user", username, &serde_json::json!({ "sessions_ended": ended }))
            .await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// Deletes a user: disabled, no password matches, name and email cleared, sessions ended; the
    /// row and username stay for the audit history. Refuses (409) to delete the last enabled
    /// system administrator.
    pub async fn delete_user(&self, actor: &Actor, username: &str) -> StoreResult<()> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let current = live_user(&mut tx, username).await?;
        if current.enabled && current.role == SYSTEM_ADMINISTRATOR {
            keeps_an_administrator(&mut tx, username).await?;
        }
        on_tx!(&mut tx, c => {
            sqlx::query(
                "UPDATE users SET enabled = $1, password_hash = $2, display_name = '', email = '', \
                 must_change_password = $1, deleted_at = $3, version = version + 1, modified_at = $3 \
                 WHERE username = $4",
            )
            .bind(false)
            .bind(NO_PASSWORD)
            .bind(now)
            .bind(username)
            .execute(&mut *c)
            .await?;
        });
        let reason = crate::sessions::ended::DELETED;
        let ended = end_sessions_in(&mut tx, now, PrincipalKind::User, username, None, reason).await?;
        let detail = serde_json::json!({ "sessions_ended": ended });
        audit::append(&mut tx, actor, now, "delete", "user", username, &detail).await?;
        tx.commit().await
    }

    /// Records a sign-in from `address` in the audit log (refusals are recorded with the
    /// failure count: [`HrStore::record_sign_in_failure`]).
    pub async fn audit_sign_in(&self, actor: &Actor, address: &str) -> StoreResult<()> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let detail = serde_json::json!({ "address": address });
        audit::append(&mut tx, actor, now, "sign-in", "user", &actor.name, &detail).await?;
        tx.commit().await
    }
}

/// A user that exists and is not deleted, read inside a write (404 otherwise).
async fn live_user(tx: &mut crate::Tx, username: &str) -> StoreResult<User> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1 AND deleted_at IS NULL");
    let user: Option<User> = on_tx!(tx, c => {
        sqlx::query_as::<_, User>(sqlx::AssertSqlSafe(sql)).bind(username).fetch_optional(&mut *c).await?
    });
    user.ok_or_else(|| StoreError::not_found("user", username))
}

/// Refuses (409) a change that would leave no enabled system administrator but `username`. On
/// PostgreSQL the users table is locked against other writers first, so two administrators
/// demoting each other at once cannot both pass.
async fn keeps_an_administrator(tx: &mut crate::Tx, username: &str) -> StoreResult<()> {
    if let crate::Tx::Postgres(pg) = tx {
        sqlx::query("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE").execute(&mut **pg).await?;
    }
    let others: i64 = on_tx!(tx, c => {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE role = $1 AND enabled AND deleted_at IS NULL AND username <> $2",
        )
        .bind(SYSTEM_ADMINISTRATOR)
        .bind(username)
        .fetch_one(&mut *c)
        .await?
    });
    if others == 0 {
        return Err(StoreError::conflict(
            None,
            format!("'{username}' is the last enabled system administrator: make another one first"),
        ));
    }
    Ok(())
}
