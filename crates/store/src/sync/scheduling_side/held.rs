//! Resource characteristics written in one statement per batch, and the solution switch's
//! unlink and relink of `hr_worker_number`.

use crate::db::{rows_json, timestamp_text, JsonType, Tx};
use crate::error::StoreResult;
use crate::scheduling::outbox::{self, entity, Change};
use crate::scheduling::SchedulingStore;
use crate::sync::{keys_json, text, SchedulingWrite, WriteOutcome};
use crate::{on_read, on_tx, Actor};
use hrbridge_domain::outbox::Operation;
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

/// A characteristic as a held-characteristic write needs it.
struct Rated {
    id: Uuid,
    rating_model: Option<Uuid>,
}

impl SchedulingStore {
    /// Upserts resource characteristics keyed `hr_worker_number/characteristic`: resolves the
    /// resources, characteristics and rating values in three queries, then writes every row in
    /// one statement.
    pub(crate) async fn write_held(
        &self,
        actor: &Actor,
        writes: &[(Option<String>, SchedulingWrite)],
    ) -> StoreResult<Vec<WriteOutcome>> {
        use JsonType::{Date, Timestamp, Uuid as U};
        let now = self.clock.now();
        let mut numbers: Vec<String> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        for (_, w) in writes {
            let (number, name) = w.key.split_once('/').unwrap_or((w.key.as_str(), ""));
            numbers.push(number.to_string());
            names.push(name.to_string());
        }
        numbers.sort();
        numbers.dedup();
        names.sort();
        names.dedup();
        let backend = self.db.backend();
        // Folded: one row per resource written, thousands a batch.
        let resources: HashMap<String, Uuid> = {
            let id = backend.uuid_text("id");
            let filter = format!("hr_worker_number IN ({})", backend.json_strings());
            let json = keys_json(&numbers);
            let rows: Vec<(String, Uuid)> = crate::folded::select(
                &self.db,
                &["hr_worker_number", id.as_str()],
                "bookable_resources",
                &filter,
                &[&json],
            )
            .await?;
            rows.into_iter().collect()
        };
        let characteristics: HashMap<String, Rated> = {
            let sql = format!(
                "SELECT name, id, rating_model_id FROM characteristics WHERE name IN ({})",
                backend.json_strings()
            );
            let json = keys_json(&names);
            let rows: Vec<(String, Uuid, Option<Uuid>)> = on_read!(&self.db, c => sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(&json).fetch_all(&mut *c).await?);
            rows.into_iter().map(|(name, id, rating_model)| (name, Rated { id, rating_model })).collect()
        };
        let values: HashMap<(Uuid, i64), Uuid> = {
            let sql = format!(
                "SELECT v.rating_model_id, v.value, v.id FROM rating_values v JOIN characteristics c \
                 ON c.rating_model_id = v.rating_model_id WHERE c.name IN ({})",
                backend.json_strings()
            );
            let json = keys_json(&names);
            let rows: Vec<(Uuid, i64, Uuid)> = on_read!(&self.db, c => sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(&json).fetch_all(&mut *c).await?);
            rows.into_iter().map(|(model, value, id)| ((model, value), id)).collect()
        };
        // Each write resolved: (resource, characteristic, rating value, issued on, expires on).
        let mut outcomes = Vec::new();
        let mut resolved = Vec::new();
        for (_, w) in writes {
            let (number, name) = w.key.split_once('/').unwrap_or((w.key.as_str(), ""));
            let fail = |reason: String| WriteOutcome::Failed { key: w.key.clone(), reason };
            let Some(resource) = resources.get(number) else {
                outcomes.push(fail(format!("no bookable resource has hr_worker_number '{number}' yet")));
                continue;
            };
            let Some(characteristic) = characteristics.get(name) else {
                outcomes.push(fail(format!("the characteristic '{name}' does not exist yet")));
                continue;
            };
            let rating = w.fields.get("rating").and_then(Value::as_i64);
            let value_id = match (rating, characteristic.rating_model) {
                (None, _) => None,
                (Some(r), Some(model)) => match values.get(&(model, r)) {
                    Some(id) => Some(*id),
                    None => {
                        outcomes.push(fail(format!("rating: the characteristic '{name}' has no rating value {r}")));
                        continue;
                    }
                },
                (Some(_), None) => {
                    outcomes.push(fail(format!("rating: the characteristic '{name}' has no rating model")));
                    continue;
                }
            };
            resolved.push((w, name, *resource, characteristic.id, value_id));
        }
        if resolved.is_empty() {
            return Ok(outcomes);
        }
        let at = timestamp_text(now);
        let mut tx = self.db.begin().await?;
        // What these resources hold already (locked on PostgreSQL, and SQLite has one writer):
        // a held characteristic is updated in place with the next version, the others inserted
        // with ids of ours. Nothing is read back row by row.
        let pairs: Vec<(Uuid, Uuid)> = resolved.iter().map(|r| (r.2, r.3)).collect();
        let held = held_versions(&mut tx, &pairs).await?;
        let (mut inserts, mut updates, mut changes) = (Vec::new(), Vec::new(), Vec::new());
        for (w, name, resource, characteristic, value_id) in resolved {
            let existing = held.get(&(resource, characteristic)).copied();
            let (id, version) = existing.map_or_else(|| (self.ids.next_uuid(), 1), |(id, v)| (id, v + 1));
            let row = (
                id,
                resource,
                characteristic,
                value_id,
                text(&w.fields, "issued_on"),
                text(&w.fields, "expires_on"),
                &at,
                &actor.name,
            );
            if existing.is_some() {
                updates.push(row)
            } else {
                inserts.push(row)
            }
            changes.push(Change {
                entity: entity::RESOURCE_CHARACTERISTIC,
                record_id: id,
                entity_key: format!("{resource}/{name}"),
                operation: if existing.is_some() { Operation::Update } else { Operation::Insert },
                version,
                modified_at: now,
                origin: actor.origin,
            });
            outcomes.push(WriteOutcome::Written { key: w.key.clone(), reference: id.to_string(), version });
        }
        let backend = self.db.backend();
        let fields = [U, U, U, U, Date, Date, Timestamp, JsonType::Text];
        if !inserts.is_empty() {
            let sql = format!(
                "INSERT INTO resource_characteristics (id, resource_id, characteristic_id, rating_value_id, issued_on, \
                 expires_on, modified_at, modified_by, version) SELECT *, 1 FROM ({}) AS j",
                backend.select_json(&fields)
            );
            let json = rows_json(&inserts);
            on_tx!(&mut tx, c => { sqlx::query(sqlx::AssertSqlSafe(&*sql)).bind(&json).execute(&mut *c).await?; });
        }
        if !updates.is_empty() {
            let sql = format!(
                "UPDATE resource_characteristics SET rating_value_id = j.rating_value_id, issued_on = j.issued_on, \
                 expires_on = j.expires_on, version = resource_characteristics.version + 1, \
                 modified_at = j.modified_at, modified_by = j.modified_by \
                 FROM (SELECT {} AS id, {} AS rating_value_id, {} AS issued_on, {} AS expires_on, {} AS modified_at, \
                 {} AS modified_by FROM {}) AS j WHERE resource_characteristics.id = j.id",
                backend.json_field(0, U),
                backend.json_field(3, U),
                backend.json_field(4, Date),
                backend.json_field(5, Date),
                backend.json_field(6, Timestamp),
                backend.json_field(7, JsonType::Text),
                backend.json_rows()
            );
            let json = rows_json(&updates);
            on_tx!(&mut tx, c => { sqlx::query(sqlx::AssertSqlSafe(&*sql)).bind(&json).execute(&mut *c).await?; });
        }
        outbox::append(&mut tx, &changes).await?;
        tx.commit().await?;
        Ok(outcomes)
    }

    /// Removes the `hr_worker_number` link from every resource that has one (the solution
    /// switch); returns (resource id, personnel number) of each.
    pub async fn unlink_workers(&self, actor: &Actor) -> StoreResult<Vec<(Uuid, String)>> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let rows: Vec<(Uuid, String, i64)> = on_tx!(&mut tx, c => {
            let linked: Vec<(Uuid, String)> =
                sqlx::query_as("SELECT id, hr_worker_number FROM bookable_resources WHERE hr_worker_number IS NOT NULL")
                    .fetch_all(&mut *c)
                    .await?;
            let versions: Vec<(Uuid, i64)> = sqlx::query_as(
                "UPDATE bookable_resources SET hr_worker_number = NULL, version = version + 1, modified_at = $1, \
                 modified_by = $2 WHERE hr_worker_number IS NOT NULL RETURNING id, version",
            )
            .bind(now)
            .bind(&actor.name)
            .fetch_all(&mut *c)
            .await?;
            let versions: HashMap<Uuid, i64> = versions.into_iter().collect();
            linked.into_iter().map(|(id, n)| (id, n, versions.get(&id).copied().unwrap_or(0))).collect()
        });
        let changes: Vec<Change> = rows
            .iter()
            .map(|(id, _, version)| Change {
                entity: entity::BOOKABLE_RESOURCE,
                record_id: *id,
                entity_key: id.to_string(),
                operation: Operation::Update,
                version: *version,
                modified_at: now,
                origin: actor.origin,
            })
            .collect();
        outbox::append(&mut tx, &changes).await?;
        tx.commit().await?;
        Ok(rows.into_iter().map(|(id, n, _)| (id, n)).collect())
    }

    /// Sets `hr_worker_number` again on resources that lost it (the solution switch back on),
    /// where the number is not taken; returns how many were relinked.
    pub async fn relink_workers(&self, actor: &Actor, links: &[(String, String)]) -> StoreResult<u64> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let mut changes = Vec::new();
        for (number, id) in links {
            let Ok(uuid) = Uuid::parse_str(id) else { continue };
            let updated: Option<i64> = on_tx!(&mut tx, c => {
                sqlx::query_scalar(
                    "UPDATE bookable_resources SET hr_worker_number = $2, version = version + 1, modified_at = $3, \
                     modified_by = $4 WHERE id = $1 AND hr_worker_number IS NULL \
                     AND NOT EXISTS (SELECT 1 FROM bookable_resources o WHERE o.hr_worker_number = $2) RETURNING version",
                )
                .bind(uuid)
                .bind(number)
                .bind(now)
                .bind(&actor.name)
                .fetch_optional(&mut *c)
                .await?
            });
            if let Some(version) = updated {
                changes.push(Change {
                    entity: entity::BOOKABLE_RESOURCE,
                    record_id: uuid,
                    entity_key: number.clone(),
                    operation: Operation::Update,
                    version,
                    modified_at: now,
                    origin: actor.origin,
                });
            }
        }
        outbox::append(&mut tx, &changes).await?;
        tx.commit().await?;
        Ok(changes.len() as u64)
    }
}

/// Which of these (resource, characteristic) pairs are held already: (resource,
/// characteristic) → (id, version), read folded in the writing transaction, and locked on
/// PostgreSQL (only these rows: writes of skills and of certificates to the same resources may
/// run side by side).
async fn held_versions(tx: &mut Tx, pairs: &[(Uuid, Uuid)]) -> StoreResult<HashMap<(Uuid, Uuid), (Uuid, i64)>> {
    let backend = tx.backend();
    let columns = [backend.uuid_text("id"), backend.uuid_text("resource_id"), backend.uuid_text("characteristic_id")];
    let sql = format!(
        "SELECT {} FROM (SELECT id, resource_id, characteristic_id, version FROM resource_characteristics \
         WHERE (resource_id, characteristic_id) IN (SELECT {}, {} FROM {}){}) AS h",
        backend.folded(&[&columns[0], &columns[1], &columns[2], "version"]),
        backend.json_field(0, JsonType::Uuid),
        backend.json_field(1, JsonType::Uuid),
        backend.json_rows(),
        tx.for_update()
    );
    let json = crate::db::rows_json(pairs);
    let text: String =
        on_tx!(tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(&*sql)).bind(&json).fetch_one(&mut *c).await?);
    let rows: Vec<(Uuid, Uuid, Uuid, i64)> = crate::folded::rows(&text)?;
    Ok(rows
        .into_iter()
        .map(|(id, resource, characteristic, version)| ((resource, characteristic), (id, version)))
        .collect())
}
