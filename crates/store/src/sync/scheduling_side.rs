//! The scheduling side of each map: records read in batches as [`Projection`]s keyed by
//! integration key (`hr_worker_number`, a characteristic or rating model name, or
//! `hr_worker_number/characteristic`), and written in batches. Writes carry the caller's actor
//! (origin `sync` for the engine), and append their outbox entries in the same transaction.

use super::{keys_json, text, MapKind, Projection, SchedulingWrite, Selection, WriteOutcome};
use crate::db::{timestamp_text, JsonType};
use crate::error::{StoreError, StoreResult};
use crate::scheduling::outbox::{self, entity, Change};
use crate::scheduling::SchedulingStore;
use crate::{on_read, on_tx, Actor};
use chrono::{DateTime, NaiveDate, Utc};
use hrbridge_domain::outbox::Operation;
use hrbridge_domain::scheduling::work_hours::default_work_spans;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use uuid::Uuid;

type Meta = (Uuid, i64, DateTime<Utc>, String);

fn projection(key: String, meta: Meta, fields: Value) -> Projection {
    let (id, version, modified_at, modified_by) = meta;
    let fields = match fields {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    Projection { key, reference: id.to_string(), version, modified_at, modified_by, fields }
}

fn in_keys(store: &SchedulingStore, column: &str) -> String {
    format!("{column} IN ({})", store.db.backend().json_strings())
}

impl SchedulingStore {
    /// The scheduling records of `kind` selected.
    pub async fn sync_read(&self, kind: MapKind, selection: Selection<'_>) -> StoreResult<Vec<Projection>> {
        let keys = match selection {
            Selection::Keys(keys) | Selection::Owners(keys) => keys,
        };
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        if let (true, Selection::Keys(keys)) = (kind.owned_by_worker(), selection) {
            let mut owners: Vec<String> = keys.iter().map(|k| kind.owner_of(k).to_string()).collect();
            owners.sort();
            owners.dedup();
            let wanted: std::collections::HashSet<&str> = keys.iter().map(String::as_str).collect();
            let all = Box::pin(self.sync_read(kind, Selection::Owners(&owners))).await?;
            return Ok(all.into_iter().filter(|p| wanted.contains(p.key.as_str())).collect());
        }
        let json = keys_json(keys);
        match kind {
            MapKind::Workers => self.read_resources(&json).await,
            MapKind::WorkerSkills | MapKind::WorkerCertificates => self.read_held(kind, &json).await,
            MapKind::Skills | MapKind::CertificateTypes => self.read_characteristics(kind, &json).await,
            MapKind::RatingModels => self.read_rating_models(&json).await,
        }
    }

    /// Owners of `kind`'s scheduling records after `after`, in order.
    pub async fn sync_owners_after(&self, kind: MapKind, after: &str, limit: i64) -> StoreResult<Vec<String>> {
        let (sql, kind_filter) = match kind {
            MapKind::Workers | MapKind::WorkerSkills | MapKind::WorkerCertificates => (
                "SELECT hr_worker_number FROM bookable_resources WHERE hr_worker_number > $1 \
                 ORDER BY hr_worker_number LIMIT $2",
                None,
            ),
            MapKind::Skills | MapKind::CertificateTypes => (
                "SELECT name FROM characteristics WHERE name > $1 AND characteristic_type = $3 ORDER BY name LIMIT $2",
                kind.characteristic_type(),
            ),
            MapKind::RatingModels => ("SELECT name FROM rating_models WHERE name > $1 ORDER BY name LIMIT $2", None),
        };
        Ok(on_read!(&self.db, c => {
            let mut query = sqlx::query_scalar(sql).bind(after).bind(limit);
            if let Some(t) = kind_filter {
                query = query.bind(t);
            }
            query.fetch_all(&mut *c).await?
        }))
    }

    async fn read_resources(&self, json: &str) -> StoreResult<Vec<Projection>> {
        type Row = (Uuid, String, String, Option<String>, Option<String>, bool, String, i64, DateTime<Utc>, String);
        let sql = format!(
            "SELECT id, hr_worker_number, name, email, phone, active, resource_type, version, modified_at, modified_by \
             FROM bookable_resources WHERE {}",
            in_keys(self, "hr_worker_number")
        );
        let rows: Vec<Row> = on_read!(&self.db, c => sqlx::query_as(&sql).bind(json).fetch_all(&mut *c).await?);
        Ok(rows
            .into_iter()
            .map(|(id, number, name, email, phone, active, resource_type, version, at, by)| {
                let fields = json!({
                    "hr_worker_number": number, "name": name, "email": email, "phone": phone,
                    "active": active, "resource_type": resource_type,
                });
                projection(number, (id, version, at, by), fields)
            })
            .collect())
    }

    async fn read_held(&self, kind: MapKind, json: &str) -> StoreResult<Vec<Projection>> {
        type Row =
            (Uuid, String, String, Option<i64>, Option<NaiveDate>, Option<NaiveDate>, i64, DateTime<Utc>, String);
        let sql = format!(
            "SELECT rc.id, r.hr_worker_number, c.name, v.value, rc.issued_on, rc.expires_on, rc.version, \
             rc.modified_at, rc.modified_by FROM resource_characteristics rc \
             JOIN bookable_resources r ON r.id = rc.resource_id JOIN characteristics c ON c.id = rc.characteristic_id \
             LEFT JOIN rating_values v ON v.id = rc.rating_value_id \
             WHERE c.characteristic_type = $2 AND {}",
            in_keys(self, "r.hr_worker_number")
        );
        let ty = kind.characteristic_type().unwrap_or_default();
        let rows: Vec<Row> =
            on_read!(&self.db, c => sqlx::query_as(&sql).bind(json).bind(ty).fetch_all(&mut *c).await?);
        Ok(rows
            .into_iter()
            .map(|(id, number, name, rating, issued_on, expires_on, version, at, by)| {
                let fields = json!({
                    "hr_worker_number": number, "characteristic": name, "rating": rating,
                    "issued_on": issued_on, "expires_on": expires_on,
                });
                projection(format!("{number}/{name}"), (id, version, at, by), fields)
            })
            .collect())
    }

    async fn read_characteristics(&self, kind: MapKind, json: &str) -> StoreResult<Vec<Projection>> {
        type Row = (Uuid, String, String, String, Option<String>, i64, DateTime<Utc>, String);
        let sql = format!(
            "SELECT c.id, c.name, c.characteristic_type, c.description, m.name, c.version, c.modified_at, c.modified_by \
             FROM characteristics c LEFT JOIN rating_models m ON m.id = c.rating_model_id \
             WHERE c.characteristic_type = $2 AND {}",
            in_keys(self, "c.name")
        );
        let ty = kind.characteristic_type().unwrap_or_default();
        let rows: Vec<Row> =
            on_read!(&self.db, c => sqlx::query_as(&sql).bind(json).bind(ty).fetch_all(&mut *c).await?);
        Ok(rows
            .into_iter()
            .map(|(id, name, ty, description, model, version, at, by)| {
                let fields = json!({
                    "name": name, "characteristic_type": ty, "description": description, "rating_model": model,
                });
                projection(name, (id, version, at, by), fields)
            })
            .collect())
    }

    async fn read_rating_models(&self, json: &str) -> StoreResult<Vec<Projection>> {
        type Row = (Uuid, String, i64, i64, i64, DateTime<Utc>, String);
        let sql = format!(
            "SELECT id, name, min_value, max_value, version, modified_at, modified_by FROM rating_models WHERE {}",
            in_keys(self, "name")
        );
        let rows: Vec<Row> = on_read!(&self.db, c => sqlx::query_as(&sql).bind(json).fetch_all(&mut *c).await?);
        let value_sql = format!(
            "SELECT m.name, v.name, v.value FROM rating_values v JOIN rating_models m ON m.id = v.rating_model_id \
             WHERE {} ORDER BY m.name, v.value",
            in_keys(self, "m.name")
        );
        let values: Vec<(String, String, i64)> =
            on_read!(&self.db, c => sqlx::query_as(&value_sql).bind(json).fetch_all(&mut *c).await?);
        Ok(rows
            .into_iter()
            .map(|(id, name, min, max, version, at, by)| {
                let held: Vec<Value> = values
                    .iter()
                    .filter(|(model, _, _)| *model == name)
                    .map(|(_, n, v)| json!({"name": n, "value": v}))
                    .collect();
                let fields = json!({"name": name, "min_value": min, "max_value": max, "values": held});
                projection(name, (id, version, at, by), fields)
            })
            .collect())
    }

    /// Creates or updates these records (by `reference`: none means create), in as few
    /// statements as the kind allows. A record that cannot be written comes back `Failed`;
    /// the rest are written.
    pub async fn sync_write(
        &self,
        actor: &Actor,
        kind: MapKind,
        writes: &[(Option<String>, SchedulingWrite)],
    ) -> StoreResult<Vec<WriteOutcome>> {
        match kind {
            MapKind::Workers => self.write_resources(actor, writes).await,
            MapKind::WorkerSkills | MapKind::WorkerCertificates => self.write_held(actor, writes).await,
            MapKind::Skills | MapKind::CertificateTypes | MapKind::RatingModels => {
                let mut outcomes = Vec::with_capacity(writes.len());
                for (reference, write) in writes {
                    outcomes.push(self.write_catalog(actor, kind, reference.is_some(), write).await);
                }
                Ok(outcomes)
            }
        }
    }

    /// Deletes these records (key and reference each).
    pub async fn sync_delete(
        &self,
        actor: &Actor,
        kind: MapKind,
        deletes: &[(String, String)],
    ) -> StoreResult<Vec<WriteOutcome>> {
        let mut outcomes = Vec::with_capacity(deletes.len());
        for (key, reference) in deletes {
            let result = match kind {
                MapKind::Workers => self.delete_bookable_resource(actor, reference).await,
                MapKind::WorkerSkills | MapKind::WorkerCertificates => {
                    let (number, name) = key.split_once('/').unwrap_or((key.as_str(), ""));
                    match self.resource_id_by_number(number).await? {
                        Some(id) => self.remove_resource_characteristic(actor, &id.to_string(), name).await,
                        None => Ok(()),
                    }
                }
                MapKind::Skills | MapKind::CertificateTypes => self.delete_characteristic(actor, key).await,
                MapKind::RatingModels => self.delete_rating_model(actor, key).await,
            };
            outcomes.push(match result {
                Ok(()) | Err(StoreError::NotFound { .. }) => WriteOutcome::Deleted { key: key.clone() },
                Err(StoreError::Database(e)) => return Err(StoreError::Database(e)),
                Err(e) => WriteOutcome::Failed { key: key.clone(), reason: e.to_string() },
            });
        }
        Ok(outcomes)
    }

    async fn resource_id_by_number(&self, number: &str) -> StoreResult<Option<Uuid>> {
        Ok(on_read!(&self.db, c => {
            sqlx::query_scalar("SELECT id FROM bookable_resources WHERE hr_worker_number = $1")
                .bind(number)
                .fetch_optional(&mut *c)
                .await?
        }))
    }

    async fn write_catalog(&self, actor: &Actor, kind: MapKind, exists: bool, write: &SchedulingWrite) -> WriteOutcome {
        let key = write.key.clone();
        let mut input = write.fields.clone();
        input.insert("name".into(), Value::String(key.clone()));
        let result = match kind {
            MapKind::RatingModels => {
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
                        self.update_rating_model(actor, &write.key, model).await.map(|m| (m.id, m.version))
                    }
                    Ok(model) => self.create_rating_model(actor, model).await.map(|m| (m.id, m.version)),
                }
            }
            _ => {
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
                        self.update_characteristic(actor, &write.key, c).await.map(|c| (c.id, c.version))
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
    async fn write_resources(
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
                json!([
                    id,
                    name,
                    text(f, "resource_type").unwrap_or_else(|| "worker".into()),
                    text(f, "email"),
                    text(f, "phone"),
                    f.get("active").and_then(Value::as_bool).unwrap_or(true),
                    w.key,
                    at,
                    actor.name
                ])
            };
            match reference {
                Some(id) => updates.push(row(id.clone())),
                None => {
                    let id = self.ids.next_uuid();
                    for span in default_work_spans() {
                        hours.push(json!([id.to_string(), span.weekday.number(), span.start_minute, span.end_minute]));
                    }
                    inserts.push(row(id.to_string()));
                }
            }
        }
        let backend = self.db.backend();
        let fields = [U, Text, Text, Text, Text, Bool, Text, Timestamp, Text];
        let mut tx = self.db.begin().await?;
        if !inserts.is_empty() {
            let sql = format!(
                "INSERT INTO bookable_resources (id, name, resource_type, email, phone, active, hr_worker_number, \
                 modified_at, modified_by, time_zone, capacity, version) \
                 SELECT *, 'UTC', 1, 1 FROM ({}) AS j RETURNING id, hr_worker_number, version",
                backend.select_json(&fields)
            );
            let json = Value::Array(inserts).to_string();
            let rows: Vec<(Uuid, String, i64)> =
                on_tx!(&mut tx, c => sqlx::query_as(&sql).bind(&json).fetch_all(&mut *c).await?);
            for (id, number, version) in rows {
                changes.push((id, number, Operation::Insert, version));
            }
            let sql = format!(
                "INSERT INTO work_hours (resource_id, weekday, start_minute, end_minute) {}",
                backend.select_json(&[U, JsonType::Int, JsonType::Int, JsonType::Int])
            );
            let json = Value::Array(hours).to_string();
            on_tx!(&mut tx, c => { sqlx::query(&sql).bind(&json).execute(&mut *c).await?; });
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
            let json = Value::Array(updates).to_string();
            let rows: Vec<(Uuid, Option<String>, i64)> =
                on_tx!(&mut tx, c => sqlx::query_as(&sql).bind(&json).fetch_all(&mut *c).await?);
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
        for (_, w) in writes {
            if outcomes.iter().any(|o| o.key() == w.key) {
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

/// A characteristic as a held-characteristic write needs it.
struct Rated {
    id: Uuid,
    rating_model: Option<Uuid>,
}

impl SchedulingStore {
    /// Upserts resource characteristics keyed `hr_worker_number/characteristic`: resolves the
    /// resources, characteristics and rating values in three queries, then writes every row in
    /// one statement.
    async fn write_held(
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
        let resources: HashMap<String, Uuid> = {
            let sql = format!(
                "SELECT hr_worker_number, id FROM bookable_resources WHERE hr_worker_number IN ({})",
                backend.json_strings()
            );
            let json = keys_json(&numbers);
            let rows: Vec<(String, Uuid)> =
                on_read!(&self.db, c => sqlx::query_as(&sql).bind(&json).fetch_all(&mut *c).await?);
            rows.into_iter().collect()
        };
        let characteristics: HashMap<String, Rated> = {
            let sql = format!(
                "SELECT name, id, rating_model_id FROM characteristics WHERE name IN ({})",
                backend.json_strings()
            );
            let json = keys_json(&names);
            let rows: Vec<(String, Uuid, Option<Uuid>)> =
                on_read!(&self.db, c => sqlx::query_as(&sql).bind(&json).fetch_all(&mut *c).await?);
            rows.into_iter().map(|(name, id, rating_model)| (name, Rated { id, rating_model })).collect()
        };
        let values: HashMap<(Uuid, i64), Uuid> = {
            let sql = format!(
                "SELECT v.rating_model_id, v.value, v.id FROM rating_values v JOIN characteristics c \
                 ON c.rating_model_id = v.rating_model_id WHERE c.name IN ({})",
                backend.json_strings()
            );
            let json = keys_json(&names);
            let rows: Vec<(Uuid, i64, Uuid)> =
                on_read!(&self.db, c => sqlx::query_as(&sql).bind(&json).fetch_all(&mut *c).await?);
            rows.into_iter().map(|(model, value, id)| ((model, value), id)).collect()
        };
        let mut outcomes = Vec::new();
        let mut rows = Vec::new();
        let mut key_of: HashMap<(Uuid, Uuid), (String, String)> = HashMap::new();
        let at = timestamp_text(now);
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
            key_of.insert((*resource, characteristic.id), (w.key.clone(), format!("{resource}/{name}")));
            rows.push(json!([
                self.ids.next_uuid().to_string(),
                resource.to_string(),
                characteristic.id.to_string(),
                value_id.map(|v| v.to_string()),
                text(&w.fields, "issued_on"),
                text(&w.fields, "expires_on"),
                at,
                actor.name
            ]));
        }
        if rows.is_empty() {
            return Ok(outcomes);
        }
        let sql = format!(
            "INSERT INTO resource_characteristics (id, resource_id, characteristic_id, rating_value_id, issued_on, \
             expires_on, modified_at, modified_by, version) SELECT *, 1 FROM ({}) AS j WHERE true \
             ON CONFLICT (resource_id, characteristic_id) DO UPDATE SET rating_value_id = excluded.rating_value_id, \
             issued_on = excluded.issued_on, expires_on = excluded.expires_on, \
             version = resource_characteristics.version + 1, modified_at = excluded.modified_at, \
             modified_by = excluded.modified_by RETURNING id, resource_id, characteristic_id, version",
            backend.select_json(&[U, U, U, U, Date, Date, Timestamp, JsonType::Text])
        );
        let json = Value::Array(rows).to_string();
        let mut tx = self.db.begin().await?;
        let written: Vec<(Uuid, Uuid, Uuid, i64)> =
            on_tx!(&mut tx, c => sqlx::query_as(&sql).bind(&json).fetch_all(&mut *c).await?);
        let mut changes = Vec::with_capacity(written.len());
        for (id, resource, characteristic, version) in written {
            let Some((key, outbox_key)) = key_of.get(&(resource, characteristic)) else { continue };
            let operation = if version == 1 { Operation::Insert } else { Operation::Update };
            changes.push(Change {
                entity: entity::RESOURCE_CHARACTERISTIC,
                record_id: id,
                entity_key: outbox_key.clone(),
                operation,
                version,
                modified_at: now,
                origin: actor.origin,
            });
            outcomes.push(WriteOutcome::Written { key: key.clone(), reference: id.to_string(), version });
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
