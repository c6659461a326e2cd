//! Business events delivered to webhooks: the endpoints administrators register, and their
//! deliveries. Deliveries are made from the HR outbox ([`HrStore::enqueue_events`]): a cursor (the
//! last outbox seq turned into deliveries) moves in the same transaction that writes them, so
//! nothing is kept only in memory and a restart loses nothing.
//!
//! The endpoint's secret is stored (it is needed to sign each body) but is never part of
//! [`Webhook`], so it cannot end up in an API answer, an audit entry or a log line.

use crate::error::{StoreError, StoreResult};

use crate::page::{Page, PageOf};
use crate::{audit, on_read, on_tx, Actor, HrStore};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Value};

mod events;

pub use events::event_type_of;

/// The event types hrbridge publishes.
pub mod event {
    /// An ATS exported a candidate to hire (a candidate inserted in the outbox).
    pub const CANDIDATE_RECEIVED: &str = "candidate.received";
    /// A candidate was hired: the worker it became.
    pub const WORKER_HIRED: &str = "worker.hired";
    /// A worker was created (not by a hire), changed or deleted; `operation` tells which.
    pub const WORKER_CHANGED: &str = "worker.changed";
    /// A worker's skill was added, changed or removed.
    pub const WORKER_SKILL_CHANGED: &str = "worker.skill_changed";
    /// A worker's certificate was added, changed or removed.
    pub const WORKER_CERTIFICATE_CHANGED: &str = "worker.certificate_changed";

    pub const ALL: [&str; 5] =
        [CANDIDATE_RECEIVED, WORKER_HIRED, WORKER_CHANGED, WORKER_SKILL_CHANGED, WORKER_CERTIFICATE_CHANGED];
}

/// Delivery attempts before a delivery is marked failed.
pub const MAX_ATTEMPTS: i64 = 10;

/// A registered endpoint, as the API shows it: without its secret.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Webhook {
    #[serde(with = "hrbridge_domain::id_string")]
    #[schema(value_type = String)]
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    pub enabled: bool,
    /// The last control number given to a delivery of this endpoint.
    pub control_number: i64,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub modified_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct WebhookRow {
    rec_id: i64,
    url: String,
    events: String,
    enabled: bool,
    control_number: i64,
    version: i64,
    created_at: DateTime<Utc>,
    modified_at: DateTime<Utc>,
}

impl From<WebhookRow> for Webhook {
    fn from(r: WebhookRow) -> Self {
        Webhook {
            id: r.rec_id,
            // A password in the URL is shown (and audited) as ***; the sender reads the stored URL.
            url: crate::db::redact_url(&r.url),
            events: split_events(&r.events),
            enabled: r.enabled,
            control_number: r.control_number,
            version: r.version,
            created_at: r.created_at,
            modified_at: r.modified_at,
        }
    }
}

fn split_events(events: &str) -> Vec<String> {
    events.split(',').filter(|e| !e.is_empty()).map(str::to_string).collect()
}

const WEBHOOK_SELECT: &str =
    "SELECT rec_id, url, events, enabled, control_number, version, created_at, modified_at FROM webhooks";

/// A new endpoint, already validated by the caller.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub url: String,
    pub secret: String,
    pub events: Vec<String>,
    pub enabled: bool,
}

/// Changes to an endpoint; `None` keeps the field.
#[derive(Debug, Clone, Default)]
pub struct WebhookChanges {
    pub url: Option<String>,
    pub secret: Option<String>,
    pub events: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

/// One event for one endpoint.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Delivery {
    #[serde(with = "hrbridge_domain::id_string")]
    #[schema(value_type = String)]
    pub id: i64,
    #[serde(with = "hrbridge_domain::id_string")]
    #[schema(value_type = String)]
    pub webhook_id: i64,
    pub event_id: String,
    pub event_type: String,
    #[serde(with = "hrbridge_domain::id_string")]
    #[schema(value_type = String)]
    pub outbox_seq: i64,
    pub control_number: i64,
    /// pending, delivered or failed.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The envelope exactly as it is sent.
    #[schema(value_type = Object)]
    pub payload: Value,
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    rec_id: i64,
    webhook_id: i64,
    event_id: String,
    event_type: String,
    outbox_seq: i64,
    control_number: i64,
    status: String,
    attempts: i64,
    next_attempt_at: DateTime<Utc>,
    last_error: Option<String>,
    delivered_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    payload: String,
}

impl From<DeliveryRow> for Delivery {
    fn from(r: DeliveryRow) -> Self {
        Delivery {
            id: r.rec_id,
            webhook_id: r.webhook_id,
            event_id: r.event_id,
            event_type: r.event_type,
            outbox_seq: r.outbox_seq,
            control_number: r.control_number,
            status: r.status,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at,
            last_error: r.last_error,
            delivered_at: r.delivered_at,
            created_at: r.created_at,
            payload: serde_json::from_str(&r.payload).unwrap_or(Value::String(r.payload)),
        }
    }
}

const DELIVERY_SELECT: &str = "SELECT rec_id, webhook_id, event_id, event_type, outbox_seq, control_number, status, \
                               attempts, next_attempt_at, last_error, delivered_at, created_at, payload \
                               FROM webhook_deliveries";

/// A delivery due to be sent, with what the sender needs: the endpoint's URL and secret and the
/// exact body.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueDelivery {
    pub rec_id: i64,
    pub webhook_id: i64,
    pub url: String,
    pub secret: String,
    pub event_id: String,
    pub event_type: String,
    pub control_number: i64,
    pub payload: String,
    pub attempts: i64,
}

/// What an attempt came to.
#[derive(Debug, Clone)]
pub enum AttemptOutcome {
    Delivered,
    /// Failed with this error; retried at `retry_at` unless the attempts are used up.
    Failed {
        error: String,
        retry_at: DateTime<Utc>,
    },
}

/// The webhook's audit detail: never the secret.
fn audit_detail(w: &Webhook) -> Value {
    json!({ "url": w.url, "events": w.events, "enabled": w.enabled })
}

impl HrStore {
    pub async fn create_webhook(&self, actor: &Actor, new: NewWebhook) -> StoreResult<Webhook> {
        let now = self.clock.now();
        let rec_id = self.ids.next_rec_id();
        let mut tx = self.db.begin().await?;
        on_tx!(&mut tx, c => {
            // Events already in the outbox happened before the endpoint existed: not for it.
            let last_seq: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM outbox").fetch_one(&mut *c).await?;
            sqlx::query(
                "INSERT INTO webhooks (rec_id, url, secret, events, enabled, control_number, from_outbox_seq, version, \
                 created_at, modified_at, modified_by) VALUES ($1, $2, $3, $4, $5, 0, $6, 1, $7, $7, $8)",
            )
            .bind(rec_id)
            .bind(&new.url)
            .bind(&new.secret)
            .bind(new.events.join(","))
            .bind(new.enabled)
            .bind(last_seq)
            .bind(now)
            .bind(&actor.name)
            .execute(&mut *c)
            .await?;
        });
        let webhook = Webhook {
            id: rec_id,
            url: crate::db::redact_url(&new.url),
            events: new.events,
            enabled: new.enabled,
            control_number: 0,
            version: 1,
            created_at: now,
            modified_at: now,
        };
        audit::append(&mut tx, actor, now, "create", "webhook", &rec_id.to_string(), &audit_detail(&webhook)).await?;
        tx.commit().await?;
        Ok(webhook)
    }

    pub async fn webhook(&self, id: i64) -> StoreResult<Webhook> {
        let sql = format!("{WEBHOOK_SELECT} WHERE rec_id = $1");
        let row: Option<WebhookRow> = on_read!(&self.db, c => {
            sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(id).fetch_optional(&mut *c).await?
        });
        row.map(Webhook::from).ok_or_else(|| StoreError::not_found("webhook", id.to_string()))
    }

    /// Endpoints by id; `page.after` is the id to continue after.
    pub async fn webhooks(&self, page: &Page) -> StoreResult<PageOf<Webhook>> {
        let after: i64 = page.after.as_deref().and_then(|s| s.parse().ok()).unwrap_or(i64::MIN);
        let sql = format!("{WEBHOOK_SELECT} WHERE rec_id > $1 ORDER BY rec_id LIMIT $2");
        let rows: Vec<WebhookRow> = on_read!(&self.db, c => {
            sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(after).bind(page.fetch()).fetch_all(&mut *c).await?
        });
        Ok(PageOf::from_rows(rows, page, |r| r.rec_id.to_string()).map(Webhook::from))
    }

    pub async fn update_webhook(&self, actor: &Actor, id: i64, changes: WebhookChanges) -> StoreResult<Webhook> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let sql = "UPDATE webhooks SET url = COALESCE($2, url), secret = COALESCE($3, secret), \
                   events = COALESCE($4, events), enabled = COALESCE($5, enabled), version = version + 1, \
                   modified_at = $6, modified_by = $7 WHERE rec_id = $1 \
                   RETURNING rec_id, url, events, enabled, control_number, version, created_at, modified_at";
        let events = changes.events.as_ref().map(|e| e.join(","));
        let row: Option<WebhookRow> = on_tx!(&mut tx, c => {
            sqlx::query_as(sql)
                .bind(id)
                .bind(changes.url.as_deref())
                .bind(changes.secret.as_deref())
                .bind(events.as_deref())
                .bind(changes.enabled)
                .bind(now)
                .bind(&actor.name)
                .fetch_optional(&mut *c)
                .await?
        });
        let webhook = Webhook::from(row.ok_or_else(|| StoreError::not_found("webhook", id.to_string()))?);
        let mut detail = audit_detail(&webhook);
        detail["secret_changed"] = json!(changes.secret.is_some());
        audit::append(&mut tx, actor, now, "update", "webhook", &id.to_string(), &detail).await?;
        tx.commit().await?;
        Ok(webhook)
    }

    /// Deletes an endpoint and its deliveries.
    pub async fn delete_webhook(&self, actor: &Actor, id: i64) -> StoreResult<()> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let deleted = on_tx!(&mut tx, c => {
            sqlx::query("DELETE FROM webhook_deliveries WHERE webhook_id = $1").bind(id).execute(&mut *c).await?;
            sqlx::query("DELETE FROM webhooks WHERE rec_id = $1").bind(id).execute(&mut *c).await?.rows_affected()
        });
        if deleted == 0 {
            return Err(StoreError::not_found("webhook", id.to_string()));
        }
        audit::append(&mut tx, actor, now, "delete", "webhook", &id.to_string(), &json!({})).await?;
        tx.commit().await
    }

    /// An endpoint's deliveries in control-number order, optionally only those with `status`;
    /// `page.after` is the control number to continue after.
    pub async fn deliveries(
        &self,
        webhook_id: i64,
        status: Option<&str>,
        page: &Page,
    ) -> StoreResult<PageOf<Delivery>> {
        self.webhook(webhook_id).await?;
        let after: i64 = page.after.as_deref().and_then(|s| s.parse().ok()).unwrap_or(i64::MIN);
        let sql = format!(
            "{DELIVERY_SELECT} WHERE webhook_id = $1 AND control_number > $2 AND ($3 = '' OR status = $3) \
             ORDER BY control_number LIMIT $4"
        );
        let status = status.unwrap_or("");
        let rows: Vec<DeliveryRow> = on_read!(&self.db, c => {
            sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(webhook_id).bind(after).bind(status).bind(page.fetch()).fetch_all(&mut *c).await?
        });
        Ok(PageOf::from_rows(rows, page, |r| r.control_number.to_string()).map(Delivery::from))
    }

    pub async fn delivery(&self, webhook_id: i64, delivery_id: i64) -> StoreResult<Delivery> {
        let sql = format!("{DELIVERY_SELECT} WHERE webhook_id = $1 AND rec_id = $2");
        let row: Option<DeliveryRow> = on_read!(&self.db, c => {
            sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(webhook_id).bind(delivery_id).fetch_optional(&mut *c).await?
        });
        row.map(Delivery::from).ok_or_else(|| StoreError::not_found("delivery", delivery_id.to_string()))
    }

    /// Puts a delivery back to pending with its attempts reset, due now.
    pub async fn resend_delivery(&self, actor: &Actor, webhook_id: i64, delivery_id: i64) -> StoreResult<Delivery> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let updated = on_tx!(&mut tx, c => {
            sqlx::query(
                "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $3, \
                 last_error = NULL, delivered_at = NULL WHERE webhook_id = $1 AND rec_id = $2",
            )
            .bind(webhook_id)
            .bind(delivery_id)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if updated == 0 {
            return Err(StoreError::not_found("delivery", delivery_id.to_string()));
        }
        let detail = json!({ "webhook_id": webhook_id });
        audit::append(&mut tx, actor, now, "resend", "webhook-delivery", &delivery_id.to_string(), &detail).await?;
        tx.commit().await?;
        self.delivery(webhook_id, delivery_id).await
    }
}
