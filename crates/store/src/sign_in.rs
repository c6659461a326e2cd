//! Failed sign-ins, counted per key (an account, an app's client id, a client address) so that
//! sign-in can be throttled across every process on one database: past its allowance, a key is
//! blocked for a delay that doubles with each further failure, up to a ceiling.

use crate::error::StoreResult;
use crate::{audit, on_read, on_tx, Actor, HrStore};
use chrono::{DateTime, Duration, Utc};

/// How failed sign-ins are throttled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures an account (or app) may have before it is blocked.
    pub account_allowance: i64,
    /// Failures one client address may have, over every account, before it is blocked.
    pub address_allowance: i64,
    /// The first block; each further failure doubles it.
    pub first_delay_seconds: i64,
    /// The longest block.
    pub max_delay_seconds: i64,
    /// A key whose last failure (or block, when it was blocked) ended longer ago than this starts
    /// counting again.
    pub forget_after_seconds: i64,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            account_allowance: 5,
            address_allowance: 20,
            first_delay_seconds: 1,
            max_delay_seconds: 15 * 60,
            forget_after_seconds: 15 * 60,
        }
    }
}

impl ThrottlePolicy {
    /// How long a key with `failures` failures is blocked, given its allowance: none within the
    /// allowance, then the first delay, doubling with each failure past it, up to the ceiling.
    pub fn delay(&self, failures: i64, allowance: i64) -> Option<Duration> {
        let past = failures - allowance;
        if past <= 0 {
            return None;
        }
        let doublings = u32::try_from(past - 1).unwrap_or(u32::MAX).min(30);
        let seconds = self.first_delay_seconds.max(1).saturating_mul(1i64 << doublings);
        Some(Duration::seconds(seconds.min(self.max_delay_seconds.max(1))))
    }
}

/// One key to count a failure against, with its allowance.
#[derive(Debug, Clone)]
pub struct ThrottleKey {
    pub key: String,
    pub allowance: i64,
}

impl HrStore {
    /// The time until every one of `keys` may try again: `None` when none is blocked.
    pub async fn sign_in_blocked(&self, keys: &[ThrottleKey]) -> StoreResult<Option<Duration>> {
        let now = self.clock.now();
        let mut longest: Option<DateTime<Utc>> = None;
        for key in keys {
            let until: Option<Option<DateTime<Utc>>> = on_read!(&self.db, c => {
                sqlx::query_scalar("SELECT blocked_until FROM sign_in_failures WHERE throttle_key = $1")
                    .bind(&key.key)
                    .fetch_optional(&mut *c)
                    .await?
            });
            if let Some(Some(until)) = until {
                if until > now && longest.is_none_or(|l| until > l) {
                    longest = Some(until);
                }
            }
        }
        Ok(longest.map(|until| until - now))
    }

    /// Counts a failed sign-in against each key (blocking those past their allowance) and audits
    /// it as `action` on `entity`, in one transaction. `actor` names who tried (already capped in length by the caller).
    pub async fn record_sign_in_failure(
        &self,
        keys: &[ThrottleKey],
        policy: &ThrottlePolicy,
        actor: &Actor,
        (action, entity): (&str, &str),
        detail: &serde_json::Value,
    ) -> StoreResult<()> {
        let now = self.clock.now();
        let forget_before = now - Duration::seconds(policy.forget_after_seconds);
        let mut tx = self.db.begin().await?;
        for key in keys {
            // One statement counts atomically, so parallel failures are all counted.
            let failures: i64 = on_tx!(&mut tx, c => {
                sqlx::query_scalar(
                    "INSERT INTO sign_in_failures (throttle_key, failures, last_failure_at) VALUES ($1, 1, $2) \
                     ON CONFLICT (throttle_key) DO UPDATE SET \
                     failures = CASE WHEN COALESCE(sign_in_failures.blocked_until, sign_in_failures.last_failure_at) < $3 \
                                     THEN 1 \
                                     ELSE sign_in_failures.failures + 1 END, \
                     last_failure_at = $2 \
                     RETURNING failures",
                )
                .bind(&key.key)
                .bind(now)
                .bind(forget_before)
                .fetch_one(&mut *c)
                .await?
            });
            if let Some(delay) = policy.delay(failures, key.allowance) {
                on_tx!(&mut tx, c => {
                    sqlx::query("UPDATE sign_in_failures SET blocked_until = $1 WHERE throttle_key = $2")
                        .bind(now + delay)
                        .bind(&key.key)
                        .execute(&mut *c)
                        .await?;
                });
            }
        }
        // Keys nobody has failed with for a day are dropped, a few at a time.
        on_tx!(&mut tx, c => {
            sqlx::query(
                "DELETE FROM sign_in_failures WHERE throttle_key IN (SELECT throttle_key FROM sign_in_failures \
                 WHERE last_failure_at < $1 AND (blocked_until IS NULL OR blocked_until < $1) LIMIT 100)",
            )
            .bind(now - Duration::days(1))
            .execute(&mut *c)
            .await?;
        });
        audit::append(&mut tx, actor, now, action, entity, &actor.name, detail).await?;
        tx.commit().await
    }

    /// Forgets the failures of `key` (after a successful sign-in of that account or app).
    pub async fn clear_sign_in_failures(&self, key: &str) -> StoreResult<()> {
        let mut tx = self.db.begin().await?;
        on_tx!(&mut tx, c => {
            sqlx::query("DELETE FROM sign_in_failures WHERE throttle_key = $1").bind(key).execute(&mut *c).await?;
        });
        tx.commit().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_block_doubles_past_the_allowance_up_to_the_ceiling() {
        let policy = ThrottlePolicy::default();
        assert_eq!(policy.delay(5, 5), None);
        assert_eq!(policy.delay(6, 5), Some(Duration::seconds(1)));
        assert_eq!(policy.delay(7, 5), Some(Duration::seconds(2)));
        assert_eq!(policy.delay(10, 5), Some(Duration::seconds(16)));
        assert_eq!(policy.delay(500, 5), Some(Duration::seconds(900)));
        assert_eq!(policy.delay(i64::MAX, 5), Some(Duration::seconds(900)));
    }
}
