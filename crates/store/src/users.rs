//! Users: a username, an argon2id password hash, a role.

use crate::error::{StoreError, StoreResult};
use crate::page::{Page, PageOf};
use crate::{audit, on_read, on_tx, Actor, HrStore};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct User {
    pub rec_id: i64,
    pub username: String,
    pub role: String,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub enabled: bool,
}

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
        Ok(User { rec_id, username: username.to_string(), role: role.to_string(), enabled: true, created_at: now })
    }

    pub async fn credentials(&self, username: &str) -> StoreResult<Option<Credentials>> {
        Ok(on_read!(&self.db, c => {
            sqlx::query_as("SELECT username, password_hash, role, enabled FROM users WHERE username = $1")
                .bind(username)
                .fetch_optional(&mut *c)
                .await?
        }))
    }

    pub async fn users(&self, page: &Page) -> StoreResult<PageOf<User>> {
        let rows = on_read!(&self.db, c => {
            sqlx::query_as::<_, User>(
                "SELECT rec_id, username, role, enabled, created_at FROM users WHERE username > $1 \
                 ORDER BY username LIMIT $2",
            )
            .bind(page.after_key())
            .bind(page.fetch())
            .fetch_all(&mut *c)
            .await?
        });
        Ok(PageOf::from_rows(rows, page, |u| u.username.clone()))
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
