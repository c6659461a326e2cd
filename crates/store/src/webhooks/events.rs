//! Turning HR outbox entries into deliveries (with the cursor, in one transaction per batch),
//! and the delivery attempts the worker makes.

use super::{event, split_events, AttemptOutcome, DueDelivery, MAX_ATTEMPTS};
use crate::db::Backend;
use crate::error::{StoreError, StoreResult};
use crate::outbox::{entity, OutboxEntry};
use crate::{on_read, on_tx, HrStore};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};

/// An event made from an outbox entry, before it is given to endpoints.
#[derive(Debug, Clone)]
struct PendingEvent {
    seq: i64,
    event_type: &'static str,
    event_id: String,
    time: DateTime<Utc>,
    operation: String,
    key: String,
    origin: String,
    record: Value,
}

impl PendingEvent {
    fn envelope(&self, control_number: i64) -> String {
        json!({
            "event_id": self.event_id,
            "type": self.event_type,
            "time": self.time,
            "control_number": control_number,
            "operation": self.operation,
            "key": self.key,
            "origin": self.origin,
            "record": self.record,
        })
        .to_string()
    }
}

/// Which event (if any) an outbox entry is, given what the candidates table says. Kept apart
/// from the reads so the rules are in one place:
/// - `candidate` insert → `candidate.received`; `candidate` update of a candidate now hired →
///   `worker.hired` (other candidate updates publish nothing);
/// - `worker` insert/update/delete → `worker.changed`, except the insert of a worker created by
///   a hire, which `worker.hired` already announces;
/// - `worker-skill` → `worker.skill_changed`; `worker-certificate` → `worker.certificate_changed`.
pub fn event_type_of(entry: &OutboxEntry, candidate_hired: bool, worker_from_hire: bool) -> Option<&'static str> {
    match (entry.entity.as_str(), entry.operation.as_str()) {
        (entity::CANDIDATE, "insert") => Some(event::CANDIDATE_RECEIVED),
        (entity::CANDIDATE, "update") if candidate_hired => Some(event::WORKER_HIRED),
        (entity::CANDIDATE, _) => None,
        (entity::WORKER, "insert") if worker_from_hire => None,
        (entity::WORKER, _) => Some(event::WORKER_CHANGED),
        (entity::WORKER_SKILL, _) => Some(event::WORKER_SKILL_CHANGED),
        (entity::WORKER_CERTIFICATE, _) => Some(event::WORKER_CERTIFICATE_CHANGED),
        _ => None,
    }
}

impl HrStore {
    /// The last HR outbox seq turned into deliveries.
    pub async fn webhook_cursor(&self) -> StoreResult<i64> {
        Ok(on_read!(&self.db, c => {
            sqlx::query_scalar("SELECT outbox_seq FROM webhook_cursor WHERE id = 1").fetch_one(&mut *c).await?
        }))
    }

    /// Turns HR outbox entries after the cursor into deliveries: at most `batch` entries, in one
    /// transaction that writes a delivery per (event, subscribed enabled endpoint) with that
    /// endpoint's next control number and advances the cursor. Returns how many outbox entries
    /// were consumed (0 when there was nothing new).
    pub async fn enqueue_events(&self, batch: i64) -> StoreResult<usize> {
        let cursor = self.webhook_cursor().await?;
        let newest: i64 = on_read!(&self.db, c => {
            sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM outbox").fetch_one(&mut *c).await?
        });
        if newest <= cursor {
            return Ok(0);
        }
        let subscriptions: Vec<String> = on_read!(&self.db, c => {
            sqlx::query_scalar("SELECT events FROM webhooks WHERE enabled = $1").bind(true).fetch_all(&mut *c).await?
        });
        let wanted: HashSet<String> = subscriptions.iter().flat_map(|e| split_events(e)).collect();
        if wanted.is_empty() {
            // Nobody listens: skip what is there without reading records (a bulk import can add
            // a million entries). A webhook registered later starts after its creation anyway.
            self.fast_forward_cursor(cursor, newest).await?;
            return Ok(0);
        }
        let settled = self.db.settled_outbox_seq().await?;
        let entries: Vec<OutboxEntry> =
            self.outbox_after(cursor, batch).await?.into_iter().filter(|e| e.seq <= settled).collect();
        let Some(last_seq) = entries.last().map(|e| e.seq) else { return Ok(0) };
        let events = self.events_of(&entries, &wanted).await?;

        let mut tx = self.db.begin().await?;
        let lock_cursor = match tx.backend() {
            Backend::Sqlite => "SELECT outbox_seq FROM webhook_cursor WHERE id = 1",
            Backend::Postgres => "SELECT outbox_seq FROM webhook_cursor WHERE id = 1 FOR UPDATE",
        };
        let now = self.clock.now();
        let current: i64 = on_tx!(&mut tx, c => {
            sqlx::query_scalar(lock_cursor).fetch_one(&mut *c).await?
        });
        if current != cursor {
            // Another process moved the cursor meanwhile: leave this batch to it.
            return Ok(0);
        }
        let hooks: Vec<(i64, String, i64, i64)> = on_tx!(&mut tx, c => {
            sqlx::query_as(
                "SELECT rec_id, events, control_number, from_outbox_seq FROM webhooks WHERE enabled = $1 ORDER BY rec_id",
            )
            .bind(true)
            .fetch_all(&mut *c)
            .await?
        });
        let mut rows = Vec::new();
        let mut last_numbers: HashMap<i64, i64> = HashMap::new();
        for (hook_id, subscribed, control_number, from_seq) in &hooks {
            let subscribed = split_events(subscribed);
            let mut number = *control_number;
            for event in events.iter().filter(|e| e.seq > *from_seq) {
                if !subscribed.iter().any(|s| s == event.event_type) {
                    continue;
                }
                number += 1;
                rows.push(json!([
                    self.ids.next_rec_id(),
                    hook_id,
                    event.event_id,
                    event.event_type,
                    event.seq,
                    number,
                    event.envelope(number),
                    crate::db::timestamp_text(now),
                ]));
            }
            if number != *control_number {
                last_numbers.insert(*hook_id, number);
            }
        }
        if !rows.is_empty() {
            use crate::db::JsonType::{Int, Text, Timestamp};
            let backend = tx.backend();
            let types = [Int, Int, Text, Text, Int, Int, Text];
            let mut fields: Vec<String> = types.iter().enumerate().map(|(i, t)| backend.json_field(i, *t)).collect();
            let at = backend.json_field(7, Timestamp);
            fields.extend(["'pending'".to_string(), "0".to_string(), at.clone(), at]);
            let sql = format!(
                "INSERT INTO webhook_deliveries (rec_id, webhook_id, event_id, event_type, outbox_seq, control_number, \
                 payload, status, attempts, next_attempt_at, created_at) SELECT {} FROM {} WHERE true \
                 ON CONFLICT (webhook_id, event_id) DO NOTHING",
                fields.join(", "),
                backend.json_rows()
            );
            let rows = Value::Array(rows).to_string();
            on_tx!(&mut tx, c => {
                sqlx::query(sqlx::AssertSqlSafe(&*sql)).bind(&rows).execute(&mut *c).await?;
            });
        }
        for (hook_id, number) in last_numbers {
            on_tx!(&mut tx, c => {
                sqlx::query("UPDATE webhooks SET control_number = $2 WHERE rec_id = $1")
                    .bind(hook_id)
                    .bind(number)
                    .execute(&mut *c)
                    .await?;
            });
        }
        on_tx!(&mut tx, c => {
            sqlx::query("UPDATE webhook_cursor SET outbox_seq = $1 WHERE id = 1").bind(last_seq).execute(&mut *c).await?;
        });
        tx.commit().await?;
        Ok(entries.len())
    }

    /// Moves the cursor from `from` to `to` when no one else moved it meanwhile.
    async fn fast_forward_cursor(&self, from: i64, to: i64) -> StoreResult<()> {
        let mut tx = self.db.begin().await?;
        on_tx!(&mut tx, c => {
            sqlx::query("UPDATE webhook_cursor SET outbox_seq = $2 WHERE id = 1 AND outbox_seq = $1")
                .bind(from)
                .bind(to)
                .execute(&mut *c)
                .await?;
        });
        tx.commit().await
    }

    /// The events of a batch of outbox entries of the types in `wanted`, with their records
    /// read now.
    async fn events_of(&self, entries: &[OutboxEntry], wanted: &HashSet<String>) -> StoreResult<Vec<PendingEvent>> {
        let mut workers: HashMap<String, Option<Value>> = HashMap::new();
        let mut events = Vec::new();
        let wants = |t: &str| wanted.contains(t);
        for entry in entries {
            let possible = match entry.entity.as_str() {
                entity::CANDIDATE => wants(event::CANDIDATE_RECEIVED) || wants(event::WORKER_HIRED),
                entity::WORKER => wants(event::WORKER_CHANGED),
                entity::WORKER_SKILL => wants(event::WORKER_SKILL_CHANGED),
                entity::WORKER_CERTIFICATE => wants(event::WORKER_CERTIFICATE_CHANGED),
                _ => false,
            };
            if !possible {
                continue;
            }
            let mut record = None;
            let mut candidate_hired = false;
            let mut worker_from_hire = false;
            if entry.entity == entity::CANDIDATE {
                if let Some((candidate, hired_as)) = self.candidate_record(entry.rec_id).await? {
                    // The hire is a hired candidate's last change (it cannot change after), so
                    // only the entry of its current version announces it: an earlier update
                    // read after the hire must not announce it a second time.
                    let current = candidate["version"].as_i64() == Some(entry.version);
                    candidate_hired = hired_as.is_some() && current;
                    let hired_as = if current { hired_as } else { None };
                    record = Some(match (entry.operation.as_str(), hired_as) {
                        ("update", Some(number)) => {
                            let mut worker = self.worker_json(&mut workers, &number).await?.unwrap_or(json!({}));
                            worker["candidate"] = candidate;
                            worker
                        }
                        _ => candidate,
                    });
                }
            } else if entry.entity == entity::WORKER && entry.operation == "insert" {
                worker_from_hire = self.hired_as(&entry.entity_key).await?;
            }
            let Some(event_type) = event_type_of(entry, candidate_hired, worker_from_hire) else { continue };
            if !wants(event_type) {
                continue;
            }
            let record = match record {
                Some(r) => r,
                None => self.record_of(&mut workers, entry).await?,
            };
            events.push(PendingEvent {
                seq: entry.seq,
                event_type,
                event_id: self.ids.next_uuid().to_string(),
                time: entry.modified_at,
                operation: entry.operation.clone(),
                key: entry.entity_key.clone(),
                origin: entry.origin.clone(),
                record,
            });
        }
        Ok(events)
    }

    /// The record an event carries: the worker (as `GET /hr/workers/{n}` shows it), the worker's
    /// skill or certificate with its personnel number, or `{key}` when it is gone.
    async fn record_of(&self, workers: &mut HashMap<String, Option<Value>>, entry: &OutboxEntry) -> StoreResult<Value> {
        let gone = json!({ "key": entry.entity_key });
        if entry.operation == "delete" {
            return Ok(gone);
        }
        let (number, code) = match entry.entity_key.split_once('/') {
            Some((n, c)) => (n, Some(c)),
            None => (entry.entity_key.as_str(), None),
        };
        let Some(worker) = self.worker_json(workers, number).await? else { return Ok(gone) };
        let Some(code) = code else { return Ok(worker) };
        let (list, field) = if entry.entity == entity::WORKER_SKILL {
            ("skills", "skill")
        } else {
            ("certificates", "certificate_type")
        };
        let found = worker[list].as_array().and_then(|items| items.iter().find(|i| i[field] == code).cloned());
        Ok(match found {
            Some(mut item) => {
                item["personnel_number"] = json!(number);
                item
            }
            None => gone,
        })
    }

    async fn worker_json(
        &self,
        cache: &mut HashMap<String, Option<Value>>,
        number: &str,
    ) -> StoreResult<Option<Value>> {
        if let Some(found) = cache.get(number) {
            return Ok(found.clone());
        }
        let found = match self.worker(number).await {
            Ok(worker) => Some(serde_json::to_value(worker).unwrap_or(Value::Null)),
            Err(StoreError::NotFound { .. }) => None,
            Err(e) => return Err(e),
        };
        cache.insert(number.to_string(), found.clone());
        Ok(found)
    }

    /// True when a hired candidate became the worker with this personnel number.
    async fn hired_as(&self, personnel_number: &str) -> StoreResult<bool> {
        let found: Option<i64> = on_read!(&self.db, c => {
            sqlx::query_scalar("SELECT rec_id FROM candidates WHERE personnel_number = $1 AND status = 'hired'")
                .bind(personnel_number)
                .fetch_optional(&mut *c)
                .await?
        });
        Ok(found.is_some())
    }

    /// A candidate as an event shows it (as `GET /hr/candidates/{id}` does), and the personnel
    /// number it was hired as.
    async fn candidate_record(&self, rec_id: i64) -> StoreResult<Option<(Value, Option<String>)>> {
        let candidate = match self.candidate(rec_id).await {
            Ok(c) => c,
            Err(StoreError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let hired = match candidate.status {
            hrbridge_domain::hr::CandidateStatus::Hired => candidate.personnel_number.clone(),
            _ => None,
        };
        Ok(Some((serde_json::to_value(&candidate).unwrap_or(Value::Null), hired)))
    }

    /// For each enabled endpoint, its first pending delivery (lowest control number) when it is
    /// due: deliveries to one endpoint go out in control-number order, one at a time.
    pub async fn due_deliveries(&self) -> StoreResult<Vec<DueDelivery>> {
        let now = self.clock.now();
        let sql = "SELECT d.rec_id, d.webhook_id, w.url, w.secret, d.event_id, d.event_type, d.control_number, \
                   d.payload, d.attempts FROM webhook_deliveries d JOIN webhooks w ON w.rec_id = d.webhook_id \
                   WHERE w.enabled = $1 AND d.status = 'pending' AND d.next_attempt_at <= $2 \
                   AND d.control_number = (SELECT MIN(p.control_number) FROM webhook_deliveries p \
                   WHERE p.webhook_id = d.webhook_id AND p.status = 'pending') ORDER BY d.webhook_id";
        Ok(on_read!(&self.db, c => {
            sqlx::query_as(sql).bind(true).bind(now).fetch_all(&mut *c).await?
        }))
    }

    /// Records an attempt: delivered, or failed and retried at `retry_at`, or failed for good
    /// after [`MAX_ATTEMPTS`].
    pub async fn record_attempt(&self, delivery_id: i64, outcome: &AttemptOutcome) -> StoreResult<()> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        match outcome {
            AttemptOutcome::Delivered => on_tx!(&mut tx, c => {
                sqlx::query(
                    "UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = $2, \
                     last_error = NULL WHERE rec_id = $1 AND status = 'pending'",
                )
                .bind(delivery_id)
                .bind(now)
                .execute(&mut *c)
                .await?;
            }),
            AttemptOutcome::Failed { error, retry_at } => on_tx!(&mut tx, c => {
                sqlx::query(
                    "UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3, \
                     status = CASE WHEN attempts + 1 >= $4 THEN 'failed' ELSE 'pending' END \
                     WHERE rec_id = $1 AND status = 'pending'",
                )
                .bind(delivery_id)
                .bind(error)
                .bind(retry_at)
                .bind(MAX_ATTEMPTS)
                .execute(&mut *c)
                .await?;
            }),
        }
        tx.commit().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(entity: &str, operation: &str) -> OutboxEntry {
        OutboxEntry {
            seq: 1,
            entity: entity.into(),
            rec_id: 1,
            entity_key: "K".into(),
            operation: operation.into(),
            version: 1,
            modified_at: Utc::now(),
            origin: "user".into(),
        }
    }

    #[test]
    fn outbox_entries_map_to_event_types() {
        let of = |entity, op, hired, from_hire| event_type_of(&entry(entity, op), hired, from_hire);
        assert_eq!(of("candidate", "insert", false, false), Some(event::CANDIDATE_RECEIVED));
        assert_eq!(of("candidate", "update", true, false), Some(event::WORKER_HIRED));
        assert_eq!(of("candidate", "update", false, false), None, "not hired, dismissed, re-exported");
        assert_eq!(of("worker", "insert", false, true), None, "announced by worker.hired");
        assert_eq!(of("worker", "insert", false, false), Some(event::WORKER_CHANGED));
        assert_eq!(of("worker", "delete", false, false), Some(event::WORKER_CHANGED));
        assert_eq!(of("worker-skill", "update", false, false), Some(event::WORKER_SKILL_CHANGED));
        assert_eq!(of("worker-certificate", "delete", false, false), Some(event::WORKER_CERTIFICATE_CHANGED));
        assert_eq!(of("skill", "insert", false, false), None);
    }
}
