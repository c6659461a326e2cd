//! Sessions: one row per sign-in of a person or token of an app. A bearer token names its session,
//! and a request checks the session with its principal's current state (one query; on SQLite
//! the use-case layer keeps a check while no process has ended a session since), so a session
//! ended (sign-out, a disabled or deleted user, a reset password, a changed role, a disabled app
//! or a new app secret) is refused at the next request on every process.

use crate::error::StoreResult;
use crate::{on_read, on_tx, HrStore};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Who a session belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    User,
    App,
}

impl PrincipalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::User => "user",
            PrincipalKind::App => "app",
        }
    }
}

/// A session to open.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub id: &'a str,
    pub kind: PrincipalKind,
    pub principal: &'a str,
    pub expires_at: DateTime<Utc>,
    pub address: &'a str,
    pub user_agent: &'a str,
}

/// A session with its principal's current state, as a request needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionCheck {
    pub principal_kind: String,
    pub principal: String,
    pub expires_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub ended: bool,
    /// Why it ended (one of [`ended`]), when it has.
    pub ended_reason: Option<String>,
    /// The principal's role now (an app's own role); empty when the principal is gone.
    pub role: String,
    /// The user (and, for an app, the app and its acting user) is enabled and not deleted.
    pub enabled: bool,
    pub must_change_password: bool,
    /// The user signs in with a second factor (TOTP).
    pub has_totp: bool,
}

/// A session as its owner sees it in a list.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Session {
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The client address it was opened from.
    pub address: String,
    pub user_agent: String,
}

/// Why sessions were ended, for the record.
pub mod ended {
    pub const SIGNED_OUT: &str = "signed-out";
    pub const ENDED_BY_OWNER: &str = "ended-by-owner";
    pub const IDLE: &str = "idle";
    pub const DISABLED: &str = "disabled";
    pub const DELETED: &str = "deleted";
    pub const ROLE_CHANGED: &str = "role-changed";
    pub const PASSWORD_RESET: &str = "password-reset";
    pub const PASSWORD_CHANGED: &str = "password-changed";
    pub const SECRET_ROTATED: &str = "secret-rotated";
}

const CHECK_SQL: &str = "SELECT s.principal_kind, s.principal, s.expires_at, s.last_seen_at, \
       s.ended_at IS NOT NULL AS ended, s.ended_reason, \
       COALESCE(u.role, a.role, '') AS role, \
       COALESCE(CASE WHEN s.principal_kind = 'user' THEN u.enabled AND u.deleted_at IS NULL \
                     ELSE a.enabled AND au.enabled AND au.deleted_at IS NULL END, FALSE) AS enabled, \
       COALESCE(u.must_change_password, FALSE) AS must_change_password, \
       u.totp_secret IS NOT NULL AS has_totp \
     FROM sessions s \
     LEFT JOIN users u ON s.principal_kind = 'user' AND u.username = s.principal \
     LEFT JOIN apps a ON s.principal_kind = 'app' AND a.client_id = s.principal \
     LEFT JOIN users au ON au.username = a.acting_user \
     WHERE s.id = $1";

impl HrStore {
    /// Opens a session. Sessions that expired more than a day ago are dropped on the way (a few
    /// at a time, through the index on `expires_at`), so the table holds about a day's worth.
    pub async fn open_session(&self, session: &NewSession<'_>) -> StoreResult<()> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        on_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO sessions (id, principal_kind, principal, created_at, last_seen_at, expires_at, \
                 address, user_agent) VALUES ($1, $2, $3, $4, $4, $5, $6, $7)",
            )
            .bind(session.id)
            .bind(session.kind.as_str())
            .bind(session.principal)
            .bind(now)
            .bind(session.expires_at)
            .bind(session.address)
            .bind(session.user_agent)
            .execute(&mut *c)
            .await?;
            sqlx::query(
                "DELETE FROM sessions WHERE id IN \
                 (SELECT id FROM sessions WHERE expires_at < $1 ORDER BY expires_at LIMIT 100)",
            )
            .bind(now - chrono::Duration::days(1))
            .execute(&mut *c)
            .await?;
        });
        tx.commit().await
    }

    /// The session `id` with its principal's current state: one indexed read.
    pub async fn session_check(&self, id: &str) -> StoreResult<Option<SessionCheck>> {
        Ok(on_read!(&self.db, c => {
            sqlx::query_as::<_, SessionCheck>(CHECK_SQL).bind(id).fetch_optional(&mut *c).await?
        }))
    }

    /// Records that the session was used at `at`.
    pub async fn touch_session(&self, id: &str, at: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.db.begin().await?;
        on_tx!(&mut tx, c => {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $1")
                .bind(at)
                .bind(id)
                .execute(&mut *c)
                .await?;
        });
        tx.commit().await
    }

    /// Ends one session of a principal; false when it has no such open session.
    pub async fn end_session(&self, kind: PrincipalKind, principal: &str, id: &str, reason: &str) -> StoreResult<bool> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let ended = on_tx!(&mut tx, c => {
            sqlx::query(
                "UPDATE sessions SET ended_at = $1, ended_reason = $2 \
                 WHERE id = $3 AND principal_kind = $4 AND principal = $5 AND ended_at IS NULL",
            )
            .bind(now)
            .bind(reason)
            .bind(id)
            .bind(kind.as_str())
            .bind(principal)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        tx.commit().await?;
        Ok(ended > 0)
    }

    /// A principal's open sessions, newest first.
    pub async fn open_sessions_of(&self, kind: PrincipalKind, principal: &str) -> StoreResult<Vec<Session>> {
        let now = self.clock.now();
        Ok(on_read!(&self.db, c => {
            sqlx::query_as::<_, Session>(
                "SELECT id, created_at, last_seen_at, expires_at, address, user_agent FROM sessions \
                 WHERE principal_kind = $1 AND principal = $2 AND ended_at IS NULL AND expires_at > $3 \
                 ORDER BY created_at DESC, id LIMIT 1000",
            )
            .bind(kind.as_str())
            .bind(principal)
            .bind(now)
            .fetch_all(&mut *c)
            .await?
        }))
    }
}

/// Ends the sessions of the apps acting as `username`, inside a write's transaction (the user was
/// disabled or given another role: the apps' tokens were bounded by the old one).
pub async fn end_acting_apps_sessions_in(
    tx: &mut crate::Tx,
    now: DateTime<Utc>,
    username: &str,
    reason: &str,
) -> StoreResult<u64> {
    Ok(on_tx!(tx, c => {
        sqlx::query(
            "UPDATE sessions SET ended_at = $1, ended_reason = $2 \
             WHERE principal_kind = 'app' AND ended_at IS NULL \
             AND principal IN (SELECT client_id FROM apps WHERE acting_user = $3)",
        )
        .bind(now)
        .bind(reason)
        .bind(username)
        .execute(&mut *c)
        .await?
        .rows_affected()
    }))
}

/// Ends every open session of a principal but `except`, inside a write's transaction.
pub async fn end_sessions_in(
    tx: &mut crate::Tx,
    now: DateTime<Utc>,
    kind: PrincipalKind,
    principal: &str,
    except: Option<&str>,
    reason: &str,
) -> StoreResult<u64> {
    Ok(on_tx!(tx, c => {
        sqlx::query(
            "UPDATE sessions SET ended_at = $1, ended_reason = $2 \
             WHERE principal_kind = $3 AND principal = $4 AND ended_at IS NULL AND id <> $5",
        )
        .bind(now)
        .bind(reason)
        .bind(kind.as_str())
        .bind(principal)
        .bind(except.unwrap_or(""))
        .execute(&mut *c)
        .await?
        .rows_affected()
    }))
}
