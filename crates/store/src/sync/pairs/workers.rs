//! HR workers ↔ bookable resources carrying `hr_worker_number`: the owner of a worker's skills
//! and certificates, and the one pair whose fields may flow back into HR (name, email, phone).

use super::{field_date, field_text, Fut, Pair, SyncedPair};
use crate::error::StoreResult;
use crate::folded::{Flag, Stamp};
use crate::outbox::entity as hr_entity;
use crate::scheduling::outbox::entity as scheduling_entity;
use crate::scheduling::SchedulingStore;
use crate::sync::hr_side::{full_name, in_key_order, in_keys, projection};
use crate::sync::scheduling_side;
use crate::sync::{keys_json, Projection, SchedulingWrite, WriteOutcome};
use crate::{Actor, HrStore};
use chrono::NaiveDate;
use hrbridge_domain::hr::worker_name::split_typed_name;
use hrbridge_domain::hr::{NewWorker, WorkerInput, WorkerStatus};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use uuid::Uuid;

pub const PAIR: Pair = Pair(&Workers);

struct Workers;

impl SyncedPair for Workers {
    fn name(&self) -> &'static str {
        "workers"
    }
    fn hr_entity(&self) -> &'static str {
        hr_entity::WORKER
    }
    fn scheduling_entity(&self) -> &'static str {
        scheduling_entity::BOOKABLE_RESOURCE
    }
    fn in_solution(&self) -> bool {
        true
    }
    fn hr_key(&self, entity: &str, key: &str) -> Option<String> {
        (entity == hr_entity::WORKER).then(|| key.to_string())
    }
    fn scheduling_key(&self, entity: &str, key: &str, _owners: &HashMap<String, String>) -> Option<String> {
        (entity == scheduling_entity::BOOKABLE_RESOURCE).then(|| key.to_string())
    }
    fn owner_keys<'a>(
        &'a self,
        scheduling: &'a SchedulingStore,
        ids: &'a [String],
    ) -> Fut<'a, StoreResult<Vec<(String, String)>>> {
        Box::pin(scheduling.worker_numbers_of(ids))
    }
    fn hr_owner_count<'a>(&'a self, hr: &'a HrStore) -> Fut<'a, StoreResult<i64>> {
        Box::pin(hr.worker_count())
    }
    fn read_hr<'a>(&'a self, hr: &'a HrStore, owners: &'a [String]) -> Fut<'a, StoreResult<Vec<Projection>>> {
        Box::pin(
            async move { read_workers(hr, &in_keys(hr.db.backend(), "personnel_number"), &keys_json(owners)).await },
        )
    }
    fn read_scheduling<'a>(
        &'a self,
        scheduling: &'a SchedulingStore,
        owners: &'a [String],
    ) -> Fut<'a, StoreResult<Vec<Projection>>> {
        Box::pin(async move { read_resources(scheduling, &keys_json(owners)).await })
    }
    fn hr_owners_after<'a>(&'a self, hr: &'a HrStore, after: &'a str, limit: i64) -> Fut<'a, StoreResult<Vec<String>>> {
        let page =
            "SELECT personnel_number AS v FROM workers WHERE personnel_number > $1 ORDER BY personnel_number LIMIT $2";
        Box::pin(crate::folded::values_after(&hr.db, page, after, limit, None))
    }
    fn scheduling_owners_after<'a>(
        &'a self,
        scheduling: &'a SchedulingStore,
        after: &'a str,
        limit: i64,
    ) -> Fut<'a, StoreResult<Vec<String>>> {
        let page = "SELECT hr_worker_number AS v FROM bookable_resources WHERE hr_worker_number > $1 \
                    ORDER BY hr_worker_number LIMIT $2";
        Box::pin(crate::folded::values_after(&scheduling.db, page, after, limit, None))
    }
    fn write_scheduling<'a>(
        &'a self,
        scheduling: &'a SchedulingStore,
        actor: &'a Actor,
        writes: &'a [(Option<String>, SchedulingWrite)],
    ) -> Fut<'a, StoreResult<Vec<WriteOutcome>>> {
        Box::pin(scheduling.write_resources(actor, writes))
    }
    fn delete_scheduling<'a>(
        &'a self,
        scheduling: &'a SchedulingStore,
        actor: &'a Actor,
        _key: &'a str,
        reference: &'a str,
    ) -> Fut<'a, StoreResult<()>> {
        Box::pin(scheduling.delete_bookable_resource(actor, reference, None))
    }
    fn update_hr<'a>(
        &'a self,
        hr: &'a HrStore,
        actor: &'a Actor,
        key: &'a str,
        current: &'a Map<String, Value>,
        changes: &'a Map<String, Value>,
    ) -> Fut<'a, Result<(), String>> {
        Box::pin(async move {
            let mut merged = current.clone();
            merged.extend(changes.clone());
            let input = worker_input(&merged)?;
            hr.update_worker(actor, key, input, None).await.map(drop).map_err(|e| e.to_string())
        })
    }
    fn recreate_hr<'a>(
        &'a self,
        hr: &'a HrStore,
        actor: &'a Actor,
        _key: &'a str,
        fields: &'a Map<String, Value>,
    ) -> Fut<'a, Result<(), String>> {
        Box::pin(async move {
            let input = worker_input(fields)?;
            hr.create_worker(actor, input).await.map(drop).map_err(|e| e.to_string())
        })
    }
}

/// A worker's HR input from its fields. `name` (first, middle and last together on the
/// scheduling side), when changed there, is split again by the rule of
/// [`split_typed_name`]: the words come back as typed. A status that is not one of HR's is
/// refused, not taken for active.
fn worker_input(after: &Map<String, Value>) -> Result<NewWorker, String> {
    let mut first = field_text(after, "first_name").unwrap_or_default();
    let mut middle = field_text(after, "middle_name");
    let mut last = field_text(after, "last_name").unwrap_or_default();
    let known = full_name(&first, middle.as_deref(), &last);
    if let Some(name) = field_text(after, "name").filter(|n| *n != known) {
        (first, middle, last) = split_typed_name(&name, (&first, middle.as_deref(), &last))?;
    }
    let status = match field_text(after, "status") {
        None => None,
        Some(text) => Some(
            WorkerStatus::parse(&text)
                .ok_or_else(|| format!("status: '{text}' is not a worker status (active, inactive, terminated)"))?,
        ),
    };
    let input = WorkerInput {
        personnel_number: field_text(after, "personnel_number"),
        first_name: first,
        middle_name: middle,
        last_name: last,
        email: field_text(after, "email"),
        phone: field_text(after, "phone"),
        employment_start: field_date(after, "employment_start"),
        employment_end: field_date(after, "employment_end"),
        status,
    };
    input.parse().map_err(|e| e.to_string())
}

async fn read_workers(hr: &HrStore, filter: &str, json: &str) -> StoreResult<Vec<Projection>> {
    type Row = (
        i64,
        String,
        String,
        Option<String>,
        String,
        Option<String>,
        Option<String>,
        String,
        Option<NaiveDate>,
        Option<NaiveDate>,
        i64,
        Stamp,
        String,
    );
    let columns = [
        "rec_id",
        "personnel_number",
        "first_name",
        "middle_name",
        "last_name",
        "email",
        "phone",
        "status",
        "employment_start",
        "employment_end",
        "version",
        "modified_at",
        "modified_by",
    ];
    let rows: Vec<Row> = crate::folded::select(&hr.db, &columns, "workers", filter, &[json]).await?;
    Ok(in_key_order(
        rows.into_iter()
            .map(|(rec_id, pn, first, middle, last, email, phone, status, start, end, version, at, by)| {
                let fields = json!({
                    "personnel_number": pn,
                    "name": full_name(&first, middle.as_deref(), &last),
                    "first_name": first,
                    "middle_name": middle,
                    "last_name": last,
                    "email": email,
                    "phone": phone,
                    "status": status,
                    "employment_start": start,
                    "employment_end": end,
                });
                projection(pn, (rec_id, version, at.0, by), fields)
            })
            .collect(),
    ))
}

async fn read_resources(scheduling: &SchedulingStore, json: &str) -> StoreResult<Vec<Projection>> {
    type Row = (Uuid, String, String, Option<String>, Option<String>, Flag, String, i64, Stamp, String);
    let id = scheduling.db.backend().uuid_text("id");
    let columns = [
        id.as_str(),
        "hr_worker_number",
        "name",
        "email",
        "phone",
        "active",
        "resource_type",
        "version",
        "modified_at",
        "modified_by",
    ];
    let filter = scheduling_side::in_keys(scheduling, "hr_worker_number");
    let rows: Vec<Row> =
        crate::folded::select(&scheduling.db, &columns, "bookable_resources", &filter, &[json]).await?;
    Ok(in_key_order(
        rows.into_iter()
            .map(|(id, number, name, email, phone, active, resource_type, version, at, by)| {
                let fields = json!({
                    "hr_worker_number": number, "name": name, "email": email, "phone": phone,
                    "active": active.0, "resource_type": resource_type,
                });
                scheduling_side::projection(number, (id, version, at.0, by), fields)
            })
            .collect(),
    ))
}
