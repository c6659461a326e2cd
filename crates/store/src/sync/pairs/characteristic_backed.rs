//! The two shapes of pair kept as scheduling characteristics: a catalog of HR codes (skills,
//! certificate types) as characteristics of one type, and a worker's qualifications (skills,
//! certificates) as resource characteristics of one type. Each pair's module gives what is its
//! own: names, its HR read and how to recreate its HR record.

use super::{Fut, Pair, SyncedPair};
use crate::error::StoreResult;
use crate::scheduling::outbox::entity as scheduling_entity;
use crate::scheduling::SchedulingStore;
use crate::sync::{keys_json, scheduling_side, Projection, SchedulingWrite, WriteOutcome};
use crate::{Actor, HrStore};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// A pair's HR records of these owners (keys).
pub(super) type ReadHr = for<'a> fn(&'a HrStore, &'a [String]) -> Fut<'a, StoreResult<Vec<Projection>>>;
/// Creates a pair's HR record again from its fields (key, fields).
pub(super) type RecreateHr =
    for<'a> fn(&'a HrStore, &'a Actor, &'a str, &'a Map<String, Value>) -> Fut<'a, Result<(), String>>;

/// HR codes kept as scheduling characteristics of one type: the code is the name.
pub(super) struct CatalogPair {
    pub name: &'static str,
    pub hr_entity: &'static str,
    pub characteristic_type: &'static str,
    /// `SELECT code AS v FROM … WHERE code > $1 ORDER BY code LIMIT $2`
    pub hr_owners_page: &'static str,
    pub needs: &'static [Pair],
    pub read_hr: ReadHr,
    pub recreate_hr: RecreateHr,
}

impl SyncedPair for CatalogPair {
    fn name(&self) -> &'static str {
        self.name
    }
    fn hr_entity(&self) -> &'static str {
        self.hr_entity
    }
    fn scheduling_entity(&self) -> &'static str {
        scheduling_entity::CHARACTERISTIC
    }
    fn needs(&self) -> &'static [Pair] {
        self.needs
    }
    fn hr_key(&self, entity: &str, key: &str) -> Option<String> {
        (entity == self.hr_entity).then(|| key.to_string())
    }
    /// Any characteristic's entry may be this pair's: its read keeps only its type.
    fn scheduling_key(&self, entity: &str, key: &str, _owners: &HashMap<String, String>) -> Option<String> {
        (entity == scheduling_entity::CHARACTERISTIC).then(|| key.to_string())
    }
    fn read_hr<'a>(&'a self, hr: &'a HrStore, owners: &'a [String]) -> Fut<'a, StoreResult<Vec<Projection>>> {
        (self.read_hr)(hr, owners)
    }
    fn read_scheduling<'a>(
        &'a self,
        scheduling: &'a SchedulingStore,
        owners: &'a [String],
    ) -> Fut<'a, StoreResult<Vec<Projection>>> {
        Box::pin(async move { scheduling.read_characteristics(self.characteristic_type, &keys_json(owners)).await })
    }
    fn hr_owners_after<'a>(&'a self, hr: &'a HrStore, after: &'a str, limit: i64) -> Fut<'a, StoreResult<Vec<String>>> {
        Box::pin(crate::folded::values_after(&hr.db, self.hr_owners_page, after, limit, None))
    }
    fn scheduling_owners_after<'a>(
        &'a self,
        scheduling: &'a SchedulingStore,
        after: &'a str,
        limit: i64,
    ) -> Fut<'a, StoreResult<Vec<String>>> {
        Box::pin(scheduling_side::characteristic_names_after(scheduling, self.characteristic_type, after, limit))
    }
    fn write_scheduling<'a>(
        &'a self,
        scheduling: &'a SchedulingStore,
        actor: &'a Actor,
        writes: &'a [(Option<String>, SchedulingWrite)],
    ) -> Fut<'a, StoreResult<Vec<WriteOutcome>>> {
        Box::pin(scheduling.write_catalog_all(actor, scheduling_side::Catalog::Characteristic, writes))
    }
    fn delete_scheduling<'a>(
        &'a self,
        scheduling: &'a SchedulingStore,
        actor: &'a Actor,
        key: &'a str,
        _reference: &'a str,
    ) -> Fut<'a, StoreResult<()>> {
        Box::pin(scheduling.delete_characteristic(actor, key, None))
    }
    fn recreate_hr<'a>(
        &'a self,
        hr: &'a HrStore,
        actor: &'a Actor,
        key: &'a str,
        fields: &'a Map<String, Value>,
    ) -> Fut<'a, Result<(), String>> {
        (self.recreate_hr)(hr, actor, key, fields)
    }
}

/// A worker's qualifications kept as their resource's characteristics of one type: keys
/// `personnel_number/code`, owned by the workers pair.
pub(super) struct HeldPair {
    pub name: &'static str,
    pub hr_entity: &'static str,
    pub characteristic_type: &'static str,
    pub needs: &'static [Pair],
    pub read_hr: ReadHr,
    pub recreate_hr: RecreateHr,
}

impl SyncedPair for HeldPair {
    fn name(&self) -> &'static str {
        self.name
    }
    fn hr_entity(&self) -> &'static str {
        self.hr_entity
    }
    fn scheduling_entity(&self) -> &'static str {
        scheduling_entity::RESOURCE_CHARACTERISTIC
    }
    fn owner(&self) -> Option<Pair> {
        Some(super::WORKERS)
    }
    fn needs(&self) -> &'static [Pair] {
        self.needs
    }
    fn in_solution(&self) -> bool {
        true
    }
    fn hr_key(&self, entity: &str, key: &str) -> Option<String> {
        (entity == self.hr_entity).then(|| key.to_string())
    }
    /// A resource characteristic's entry is keyed `resource id/characteristic`.
    fn scheduling_owner_id<'k>(&self, entity: &str, key: &'k str) -> Option<&'k str> {
        (entity == scheduling_entity::RESOURCE_CHARACTERISTIC).then(|| key.split_once('/').map_or(key, |(id, _)| id))
    }
    fn scheduling_key(&self, entity: &str, key: &str, owners: &HashMap<String, String>) -> Option<String> {
        if entity != scheduling_entity::RESOURCE_CHARACTERISTIC {
            return None;
        }
        let (id, name) = key.split_once('/').unwrap_or((key, ""));
        owners.get(id).map(|number| format!("{number}/{name}"))
    }
    fn read_hr<'a>(&'a self, hr: &'a HrStore, owners: &'a [String]) -> Fut<'a, StoreResult<Vec<Projection>>> {
        (self.read_hr)(hr, owners)
    }
    fn read_scheduling<'a>(
        &'a self,
        scheduling: &'a SchedulingStore,
        owners: &'a [String],
    ) -> Fut<'a, StoreResult<Vec<Projection>>> {
        Box::pin(async move { scheduling.read_held(self.characteristic_type, &keys_json(owners)).await })
    }
    fn hr_owners_after<'a>(&'a self, hr: &'a HrStore, after: &'a str, limit: i64) -> Fut<'a, StoreResult<Vec<String>>> {
        super::WORKERS.hr_owners_after(hr, after, limit)
    }
    fn scheduling_owners_after<'a>(
        &'a self,
        scheduling: &'a SchedulingStore,
        after: &'a str,
        limit: i64,
    ) -> Fut<'a, StoreResult<Vec<String>>> {
        super::WORKERS.scheduling_owners_after(scheduling, after, limit)
    }
    fn write_scheduling<'a>(
        &'a self,
        scheduling: &'a SchedulingStore,
        actor: &'a Actor,
        writes: &'a [(Option<String>, SchedulingWrite)],
    ) -> Fut<'a, StoreResult<Vec<WriteOutcome>>> {
        Box::pin(scheduling.write_held(actor, writes))
    }
    fn delete_scheduling<'a>(
        &'a self,
        scheduling: &'a SchedulingStore,
        actor: &'a Actor,
        key: &'a str,
        _reference: &'a str,
    ) -> Fut<'a, StoreResult<()>> {
        Box::pin(async move {
            let (number, name) = key.split_once('/').unwrap_or((key, ""));
            match scheduling.resource_id_by_number(number).await? {
                Some(id) => scheduling.remove_resource_characteristic(actor, &id.to_string(), name, None).await,
                None => Ok(()),
            }
        })
    }
    fn recreate_hr<'a>(
        &'a self,
        hr: &'a HrStore,
        actor: &'a Actor,
        key: &'a str,
        fields: &'a Map<String, Value>,
    ) -> Fut<'a, Result<(), String>> {
        (self.recreate_hr)(hr, actor, key, fields)
    }
}
