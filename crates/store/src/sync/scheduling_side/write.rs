//! The scheduling side's writes: creates and updates in batches (resources in multi-row
//! statements, catalogs through the store's validated writes), and deletes.

use crate::db::{rows_json, timestamp_text, JsonType};
use crate::error::StoreResult;
use crate::scheduling::outbox::{self, entity, Change};
use crate::scheduling::SchedulingStore;
use crate::sync::{text, SchedulingWrite, WriteOutcome};
use crate::{on_read, on_tx, Actor};
use hrbridge_domain::outbox::Operation;
use hrbridge_domain::scheduling::work_hours::default_work_spans;
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

/// The catalogs written through the store's own validated writes.
#[derive(Clone, Copy)]
pub(crate) enum Catalog {
    RatingModel,
    Characteristic,
}

impl SchedulingStore {
    /// Creates or updates catalog records one by one (they are few): a record that cannot be
    /// written comes back `Failed`, the rest are written.
    pub(crate) async fn write_catalog_all(
        &self,
        actor: &Actor,
        catalog: Catalog,
        writes: &[(Option<String>, SchedulingWrite)],
    ) -> StoreResult<Vec<WriteOutcome>> {
        let mut outcomes = Vec::with_capacity(writes.len());
        for (reference, write) in writes {
            outcomes.push(self.write_catalog(actor, catalog, reference.is_some(), write).await);
        }
        Ok(outcomes)
    }

    pub(crate) async fn resource_id_by_number(&self, number: &str) -> StoreResult<Option<Uuid>> {
        Ok(on_read!(&self.db, c => {
            sqlx::query_scalar("SELECT id FROM bookable_resources WHERE hr_worker_number = $1")
                .bind(number)
                .fetch_optional(&mut *c)
                .await?
        }))
    }

    async fn write_catalog(
        &self,
        actor: &Actor,
        catalog: Catalog,
        exists: bool,
        write: &SchedulingWrite,
    ) -> WriteOutcome {
        let key = write.key.clone();
        let mut input = write.fields.clone();
        input.insert("name".into(), Value::String(key.clone()));
        let result = match catalog {
            Catalog::RatingModel => {
                let values = input.get("values").and_then(Value::as_array).cloned().unwrap_or_default();
                let numbers: Vec<i64> = values.iter().filter_map(|v| v["value"].as_i64()).collect();
                input.insert("min_value".into(), numbers.iter().min().copied().unwrap_or(0).into());
                input.insert("max_value".into(), numbers.iter().max().copied().unwrap_or(0).into());
                input.retain(|k, _| matches!(k.as_str(), "name" | "min_value" | "max_value" | "values"));
                let parsed = serde_json::from_value::<hrbridge_domain::scheduling::SchedulingRatingModelInput>(
                    Value::Object(input),
                )
                .map_err(|e| e.to_string())
                .and_then(|i| i.parse().map_err(|e| e.to_string()));
                match parsed {
                    Err(reason) => return WriteOutcome::Failed { key, reason },
                    Ok(model) if exists => {
                        self.update_rating_model(actor, &write.key, model, None).await.map(|m| (m.id, m.version))
                    }
                    Ok(model) => self.create_rating_model(actor, model).await.map(|m| (m.id, m.version)),
                }
            }
            Catalog::Characteristic => {
                input.retain(|k, _| {
                    matches!(k.as_str(), "name" | "characteristic_type" | "description" | "rating_model")
                });
                let parsed =
                    serde_json::from_value::<hrbridge_domain::scheduling::CharacteristicInput>(Value::Object(input))
                        .map_err(|e| e.to_string())
                        .and_then(|i| i.parse().map_err(|e| e.to_string()));
                match parsed {
                    Err(reason) => return WriteOutcome::Failed { key, reason },
                    Ok(c) if exists => {
                        self.update_characteristic(actor, &write.key, c, None).await.map(|c| (c.id, c.version))
                    }
                    Ok(c) => self.create_characteristic(actor, c).await.map(|c| (c.id, c.version)),
                }
            }
        };
        match result {
            Ok((id, version)) => WriteOutcome::Written { key, reference: id.to_string(), version },
            Err(e) => WriteOutcome::Failed { key, reason: e.to_string() },
        }
    }
}

/// The bulk writers of the hot maps: resources and their characteristics.
impl SchedulingStore {
    pub(crate) async fn write_resources(
        &self,
        actor: &Actor,
        writes: &[(Option<String>, SchedulingWrite)],
    ) -> StoreResult<Vec<WriteOutcome>> {
        use JsonType::{Bool, Text, Timestamp, Uuid as U};
        let now = self.clock.now();
        let at = timestamp_text(now);
        let mut outcomes = Vec::with_capacity(writes.len());
        let (mut inserts, mut updates, mut hours, mut changes) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (reference, w) in writes {
            let f = &w.fields;
            let Some(name) = text(f, "name").filter(|n| !n.trim().is_empty()) else {
                outcomes.push(WriteOutcome::Failed { key: w.key.clone(), reason: "name: must not be empty".into() });
                continue;
            };
            let row = |id: String| {
                (
                    id,
                    name.clone(),
                    text(f, "resource_type").unwrap_or_else(|| "worker".into()),
                    text(f, "email"),
                    text(f, "phone"),
                    f.get("active").and_then(Value::as_bool).unwrap_or(true),
                    &w.key,
                    &at,
                    &actor.name,
                )
            };
            match reference {
                Some(id) => updates.push(row(id.clone())),
                None => {
                    let id = self.ids.next_uuid();
                    for span in default_work_spans() {
                        hours.push((id, span.weekday.number(), span.start_minute, span.end_minute));
                    }
                    inserts.push(row(id.to_string()));
                    changes.push((id, w.key.clone(), Operation::Insert, 1));
                }
            }
        }
        let backend = self.db.backend();
        let fields = [U, Text, Text, Text, Text, Bool, Text, Timestamp, Text];
        let mut tx = self.db.begin().await?;
        if !inserts.is_empty() {
            // No RETURNING: the ids are ours and every row is version 1; a row that cannot be
            // inserted fails the statement. (Rows read back one by one cost more than the insert.)
            let sql = format!(
                "INSERT INTO bookable_resources (id, name, resource_type, email, phone, active, hr_worker_number, \
                 modified_at, modified_by, time_zone, capacity, version) \
                 SELECT *, 'UTC', 1, 1 FROM ({}) AS j",
                backend.select_json(&fields)
            );
            let json = rows_json(&inserts);
            on_tx!(&mut tx, c => { sqlx::query(sqlx::AssertSqlSafe(&*sql)).bind(&json).execute(&mut *c).await?; });
            let sql = format!(
                "INSERT INTO work_hours (resource_id, weekday, start_minute, end_minute) {}",
                backend.select_json(&[U, JsonType::Int, JsonType::Int, JsonType::Int])
            );
            let json = rows_json(&hours);
            on_tx!(&mut tx, c => { sqlx::query(sqlx::AssertSqlSafe(&*sql)).bind(&json).execute(&mut *c).await?; });
        }
        if !updates.is_empty() {
            let sql = format!(
                "UPDATE bookable_resources SET name = j.name, resource_type = j.resource_type, email = j.email, \
                 phone = j.phone, active = j.active, version = bookable_resources.version + 1, \
                 modified_at = j.modified_at, modified_by = j.modified_by \
                 FROM (SELECT {} AS id, {} AS name, {} AS resource_type, {} AS email, {} AS phone, {} AS active, \
                 {} AS modified_at, {} AS modified_by FROM {}) AS j \
                 WHERE bookable_resources.id = j.id RETURNING bookable_resources.id, bookable_resources.hr_worker_number, \
                 bookable_resources.version",
                backend.json_field(0, U),
                backend.json_field(1, Text),
                backend.json_field(2, Text),
                backend.json_field(3, Text),
                backend.json_field(4, Text),
                backend.json_field(5, Bool),
                backend.json_field(7, Timestamp),
                backend.json_field(8, Text),
                backend.json_rows()
            );
            let json = rows_json(&updates);
            let rows: Vec<(Uuid, Option<String>, i64)> =
                on_tx!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(&json).fetch_all(&mut *c).await?);
            for (id, number, version) in rows {
                changes.push((id, number.unwrap_or_else(|| id.to_string()), Operation::Update, version));
            }
        }
        let entries: Vec<Change> = changes
            .iter()
            .map(|(id, number, operation, version)| Change {
                entity: entity::BOOKABLE_RESOURCE,
                record_id: *id,
                entity_key: number.clone(),
                operation: *operation,
                version: *version,
                modified_at: now,
                origin: actor.origin,
            })
            .collect();
        outbox::append(&mut tx, &entries).await?;
        tx.commit().await?;
        let written: HashMap<String, (Uuid, i64)> =
            changes.into_iter().map(|(id, number, _, version)| (number, (id, version))).collect();
        let failed: std::collections::HashSet<String> = outcomes.iter().map(|o| o.key().to_string()).collect();
        for (_, w) in writes {
            if failed.contains(&w.key) {
                continue;
            }
            outcomes.push(match written.get(&w.key) {
                Some((id, version)) => {
                    WriteOutcome::Written { key: w.key.clone(), reference: id.to_string(), version: *version }
                }
                None => WriteOutcome::Failed { key: w.key.clone(), reason: "the bookable resource was deleted".into() },
            });
        }
        Ok(outcomes)
    }
}
