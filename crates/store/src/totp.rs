//! Two-factor sign-in's stored half: a person's TOTP secret (and the one being enrolled), and
//! their single-use recovery codes, kept as hashes.

use crate::error::{StoreError, StoreResult};
use crate::{audit, on_read, on_tx, Actor, HrStore};

impl HrStore {
    /// Keeps the secret being enrolled, until it is confirmed with a code.
    pub async fn set_totp_pending(&self, username: &str, secret: &str) -> StoreResult<()> {
        let mut tx = self.db.begin().await?;
        let updated = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE users SET totp_pending = $1 WHERE username = $2 AND deleted_at IS NULL")
                .bind(secret)
                .bind(username)
                .execute(&mut *c)
                .await?
                .rows_affected()
        });
        if updated == 0 {
            return Err(StoreError::not_found("user", username));
        }
        tx.commit().await
    }

    /// The secret being enrolled, if any.
    pub async fn totp_pending(&self, username: &str) -> StoreResult<Option<String>> {
        let pending: Option<Option<String>> = on_read!(&self.db, c => {
            sqlx::query_scalar("SELECT totp_pending FROM users WHERE username = $1").bind(username).fetch_optional(&mut *c).await?
        });
        Ok(pending.flatten())
    }

    /// Turns two-factor sign-in on with `secret` and these recovery codes (hashes), replacing any
    /// earlier ones; audited.
    pub async fn enable_totp(
        &self,
        actor: &Actor,
        username: &str,
        secret: &str,
        code_hashes: &[String],
    ) -> StoreResult<()> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        on_tx!(&mut tx, c => {
            sqlx::query("UPDATE users SET totp_secret = $1, totp_pending = NULL WHERE username = $2")
                .bind(secret)
                .bind(username)
                .execute(&mut *c)
                .await?;
            sqlx::query("DELETE FROM recovery_codes WHERE username = $1").bind(username).execute(&mut *c).await?;
            for hash in code_hashes {
                sqlx::query("INSERT INTO recovery_codes (username, code_hash) VALUES ($1, $2)")
                    .bind(username)
                    .bind(hash)
                    .execute(&mut *c)
                    .await?;
            }
        });
        let detail = serde_json::json!({ "recovery_codes": code_hashes.len() });
        audit::append(&mut tx, actor, now, "totp-enable", "user", username, &detail).await?;
        tx.commit().await
    }

    /// Turns two-factor sign-in off and drops the recovery codes; audited.
    pub async fn disable_totp(&self, actor: &Actor, username: &str) -> StoreResult<()> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        on_tx!(&mut tx, c => {
            sqlx::query("UPDATE users SET totp_secret = NULL, totp_pending = NULL WHERE username = $1")
                .bind(username)
                .execute(&mut *c)
                .await?;
            sqlx::query("DELETE FROM recovery_codes WHERE username = $1").bind(username).execute(&mut *c).await?;
        });
        audit::append(&mut tx, actor, now, "totp-disable", "user", username, &serde_json::json!({})).await?;
        tx.commit().await
    }

    /// Uses up a recovery code (by hash): true when it was there and unused.
    pub async fn use_recovery_code(&self, username: &str, code_hash: &str) -> StoreResult<bool> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let used = on_tx!(&mut tx, c => {
            sqlx::query(
                "UPDATE recovery_codes SET used_at = $1 WHERE username = $2 AND code_hash = $3 AND used_at IS NULL",
            )
            .bind(now)
            .bind(username)
            .bind(code_hash)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        tx.commit().await?;
        Ok(used > 0)
    }
}
