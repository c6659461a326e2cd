//! The audit log: who wrote what, when. Appended in the transaction of the write.

use crate::db::Tx;
use crate::error::StoreResult;
use crate::page::{Page, PageOf};
use crate::{on_read, on_tx, Actor, HrStore};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    #[serde(with = "hrbridge_domain::id_string")]
    #[schema(value_type = String)]
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub actor_kind: String,
    /// create, update, delete, import, login…
    pub action: String,
    pub entity: String,
    pub record_key: String,
    /// The record after the write, or what the action touched.
    pub detail: serde_json::Value,
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    seq: i64,
    at: DateTime<Utc>,
    actor: String,
    actor_kind: String,
    action: String,
    entity: String,
    record_key: String,
    detail: String,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        AuditEntry {
            seq: r.seq,
            at: r.at,
            actor: r.actor,
            actor_kind: r.actor_kind,
            action: r.action,
            entity: r.entity,
            record_key: r.record_key,
            detail: serde_json::from_str(&r.detail).unwrap_or(serde_json::Value::String(r.detail)),
        }
    }
}

pub async fn append(
    tx: &mut Tx,
    actor: &Actor,
    at: DateTime<Utc>,
    action: &str,
    entity: &str,
    record_key: &str,
    detail: &serde_json::Value,
) -> StoreResult<()> {
    let sql = "INSERT INTO audit_log (at, actor, actor_kind, action, entity, record_key, detail) \
               VALUES ($1, $2, $3, $4, $5, $6, $7)";
    let detail = detail.to_string();
    on_tx!(tx, c => {
        sqlx::query(sql)
            .bind(at)
            .bind(&actor.name)
            .bind(actor.kind.as_str())
            .bind(action)
            .bind(entity)
            .bind(record_key)
            .bind(&detail)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// Filters for reading the audit log; newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub entity: Option<String>,
}

impl HrStore {
    /// Records something that changed nothing else (a refused grant, say) in the audit log.
    pub async fn audit_event(
        &self,
        actor: &Actor,
        action: &str,
        entity: &str,
        record_key: &str,
        detail: &serde_json::Value,
    ) -> StoreResult<()> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        append(&mut tx, actor, now, action, entity, record_key, detail).await?;
        tx.commit().await
    }

    /// Audit entries, newest first; `page.after` is the `seq` to continue below.
    pub async fn audit_entries(&self, filter: &AuditFilter, page: &Page) -> StoreResult<PageOf<AuditEntry>> {
        let before: i64 = page.after.as_deref().and_then(|s| s.parse().ok()).unwrap_or(i64::MAX);
        let sql = "SELECT seq, at, actor, actor_kind, action, entity, record_key, detail FROM audit_log \
                   WHERE seq < $1 AND ($2 = '' OR actor = $2) AND ($3 = '' OR entity = $3) \
                   ORDER BY seq DESC LIMIT $4";
        let actor = filter.actor.clone().unwrap_or_default();
        let entity = filter.entity.clone().unwrap_or_default();
        let rows = on_read!(&self.db, c => {
            sqlx::query_as::<_, AuditRow>(sql)
                .bind(before)
                .bind(&actor)
                .bind(&entity)
                .bind(page.fetch())
                .fetch_all(&mut *c)
                .await?
        });
        Ok(PageOf::from_rows(rows, page, |e| e.seq.to_string()).map(AuditEntry::from))
    }
}
