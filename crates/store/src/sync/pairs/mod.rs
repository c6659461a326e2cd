//! The synced pairs: an HR entity and the scheduling entity it becomes, one module each, all
//! listed in [`REGISTRY`]. A pair knows its records on both sides (read as [`Projection`]s),
//! which outbox entries change which of its keys, how to write a batch to the scheduling side,
//! and what it can take back into HR. The engine, relay, catch-up, sync now, tracking and
//! reconcile iterate the registry and never name a pair; fields, directions and transforms stay
//! in the maps file, which picks a pair by its two entity names.
//!
//! To add a pair: a module here implementing [`SyncedPair`], its constant in [`REGISTRY`] (after
//! the pairs it needs), and a map for it in `default_maps.toml` (docs/architecture.md).

mod certificate_types;
mod characteristic_backed;
mod rating_models;
mod skills;
mod worker_certificates;
mod worker_skills;
mod workers;

use super::{Projection, SchedulingWrite, Selection, WriteOutcome};
use crate::error::{StoreError, StoreResult};
use crate::scheduling::SchedulingStore;
use crate::{Actor, HrStore};
use futures::future::BoxFuture;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

pub use certificate_types::PAIR as CERTIFICATE_TYPES;
pub use rating_models::PAIR as RATING_MODELS;
pub use skills::PAIR as SKILLS;
pub use worker_certificates::PAIR as WORKER_CERTIFICATES;
pub use worker_skills::PAIR as WORKER_SKILLS;
pub use workers::PAIR as WORKERS;

/// Every synced pair, each after those it needs on the scheduling side.
pub const REGISTRY: [Pair; 6] = [RATING_MODELS, SKILLS, CERTIFICATE_TYPES, WORKERS, WORKER_SKILLS, WORKER_CERTIFICATES];

/// A boxed future borrowing the stores, so that pairs can sit behind `dyn`.
pub type Fut<'a, T> = BoxFuture<'a, T>;

/// One synced pair. Keys are integration keys (a code, a personnel number, or
/// `owner/code` for records owned by another pair's record).
pub trait SyncedPair: Send + Sync {
    /// Its name: the name of its map in the default maps file.
    fn name(&self) -> &'static str;
    /// The HR entity, as the HR outbox names it.
    fn hr_entity(&self) -> &'static str;
    /// The scheduling entity, as the scheduling outbox names it.
    fn scheduling_entity(&self) -> &'static str;
    /// The pair whose records own this one's (a worker's skills are the worker's): its keys are
    /// `owner/code`, read and reconciled by owner, and deleted with the owner.
    fn owner(&self) -> Option<Pair> {
        None
    }
    /// The pairs whose scheduling records must be written before this one's, whatever a maps
    /// file declares (a held characteristic needs its resource, characteristic and rating).
    fn needs(&self) -> &'static [Pair] {
        &[]
    }
    /// Whether the HR-to-resource-scheduling solution switch covers it (workers and what they
    /// hold); the catalogs flow whenever the integration is on.
    fn in_solution(&self) -> bool {
        false
    }
    /// The key an HR outbox entry changes, if the entry is this pair's.
    fn hr_key(&self, entity: &str, key: &str) -> Option<String>;
    /// The scheduling id of the owner a scheduling outbox entry names, for owned pairs whose
    /// entries name their owner by id (resolved to owner keys by [`SyncedPair::owner_keys`]).
    fn scheduling_owner_id<'k>(&self, _entity: &str, _key: &'k str) -> Option<&'k str> {
        None
    }
    /// The key a scheduling outbox entry changes, if the entry may be this pair's; `owners`
    /// maps the owner ids [`SyncedPair::scheduling_owner_id`] gave to owner keys.
    fn scheduling_key(&self, entity: &str, key: &str, owners: &HashMap<String, String>) -> Option<String>;
    /// How many owners (keys) of its HR records there are.
    fn hr_owner_count<'a>(&'a self, hr: &'a HrStore) -> Fut<'a, StoreResult<i64>> {
        Box::pin(async move { Ok(self.hr_owners_after(hr, "", 100_000).await?.len() as i64) })
    }
    /// The keys of the records whose scheduling ids these are (for an owner pair).
    fn owner_keys<'a>(
        &'a self,
        _scheduling: &'a SchedulingStore,
        _ids: &'a [String],
    ) -> Fut<'a, StoreResult<Vec<(String, String)>>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    /// The HR records of these owners (of these keys, for a pair without an owner), by key.
    fn read_hr<'a>(&'a self, hr: &'a HrStore, owners: &'a [String]) -> Fut<'a, StoreResult<Vec<Projection>>>;
    /// The scheduling records of these owners (keys), by key.
    fn read_scheduling<'a>(
        &'a self,
        scheduling: &'a SchedulingStore,
        owners: &'a [String],
    ) -> Fut<'a, StoreResult<Vec<Projection>>>;
    /// Owners (keys) of its HR records after `after`, in byte order.
    fn hr_owners_after<'a>(&'a self, hr: &'a HrStore, after: &'a str, limit: i64) -> Fut<'a, StoreResult<Vec<String>>>;
    /// Owners (keys) of its scheduling records after `after`, in byte order.
    fn scheduling_owners_after<'a>(
        &'a self,
        scheduling: &'a SchedulingStore,
        after: &'a str,
        limit: i64,
    ) -> Fut<'a, StoreResult<Vec<String>>>;
    /// Creates or updates scheduling records (by reference: none means create) in as few
    /// statements as it can; a record that cannot be written comes back `Failed`.
    fn write_scheduling<'a>(
        &'a self,
        scheduling: &'a SchedulingStore,
        actor: &'a Actor,
        writes: &'a [(Option<String>, SchedulingWrite)],
    ) -> Fut<'a, StoreResult<Vec<WriteOutcome>>>;
    /// Deletes one scheduling record (its key and reference).
    fn delete_scheduling<'a>(
        &'a self,
        scheduling: &'a SchedulingStore,
        actor: &'a Actor,
        key: &'a str,
        reference: &'a str,
    ) -> Fut<'a, StoreResult<()>>;
    /// Takes changed field values back into an HR record (`current` as read, `changes` by the
    /// maps file's HR names). A pair that takes nothing back says so: the change goes to the
    /// error queue with that reason rather than being dropped.
    fn update_hr<'a>(
        &'a self,
        _hr: &'a HrStore,
        _actor: &'a Actor,
        key: &'a str,
        _current: &'a Map<String, Value>,
        changes: &'a Map<String, Value>,
    ) -> Fut<'a, Result<(), String>> {
        let fields: Vec<&str> = changes.keys().map(String::as_str).collect();
        let reason = format!(
            "{} '{key}': changes to {} made on the scheduling side cannot be taken back into HR \
             (this pair flows from HR only; check the maps file's directions)",
            self.name(),
            fields.join(", ")
        );
        Box::pin(async move { Err(reason) })
    }
    /// Creates again in HR a record deleted there while the integration was off.
    fn recreate_hr<'a>(
        &'a self,
        hr: &'a HrStore,
        actor: &'a Actor,
        key: &'a str,
        fields: &'a Map<String, Value>,
    ) -> Fut<'a, Result<(), String>>;
}

/// A registered pair: a handle on its [`SyncedPair`], compared and ordered by its place in the
/// registry (so maps keyed by pair iterate in dependency order).
#[derive(Clone, Copy)]
pub struct Pair(&'static dyn SyncedPair);

impl Pair {
    /// Every registered pair, in registry order.
    pub fn all() -> &'static [Pair] {
        &REGISTRY
    }

    /// The pair of these HR and scheduling entity names.
    pub fn of_entities(hr_entity: &str, scheduling_entity: &str) -> Option<Pair> {
        REGISTRY.into_iter().find(|p| p.hr_entity() == hr_entity && p.scheduling_entity() == scheduling_entity)
    }

    /// Its place in the registry.
    pub fn index(self) -> usize {
        REGISTRY.iter().position(|p| p.name() == self.name()).unwrap_or(usize::MAX)
    }

    /// The pairs this one owns the records of.
    pub fn owned(self) -> impl Iterator<Item = Pair> {
        REGISTRY.into_iter().filter(move |p| p.owner() == Some(self))
    }

    /// The owner part of a key: before the `/` for an owned pair, the key itself otherwise.
    pub fn owner_of(self, key: &str) -> &str {
        match self.owner() {
            Some(_) => key.split_once('/').map_or(key, |(owner, _)| owner),
            None => key,
        }
    }

    /// How many owners (HR records, or owner records) a full sync pages through.
    pub async fn owner_count(self, hr: &HrStore) -> StoreResult<i64> {
        self.owner().unwrap_or(self).hr_owner_count(hr).await
    }

    /// Its HR records selected, in key order.
    pub async fn read_hr_selected(self, hr: &HrStore, selection: Selection<'_>) -> StoreResult<Vec<Projection>> {
        let (owners, wanted) = self.owners_of(selection);
        if owners.is_empty() {
            return Ok(Vec::new());
        }
        Ok(keep(self.read_hr(hr, &owners).await?, wanted))
    }

    /// Its scheduling records selected, in key order.
    pub async fn read_scheduling_selected(
        self,
        scheduling: &SchedulingStore,
        selection: Selection<'_>,
    ) -> StoreResult<Vec<Projection>> {
        let (owners, wanted) = self.owners_of(selection);
        if owners.is_empty() {
            return Ok(Vec::new());
        }
        Ok(keep(self.read_scheduling(scheduling, &owners).await?, wanted))
    }

    /// Deletes these scheduling records (key and reference each); one already gone counts as
    /// deleted, one that cannot be deleted comes back `Failed` and the rest go on.
    pub async fn delete_scheduling_all(
        self,
        scheduling: &SchedulingStore,
        actor: &Actor,
        deletes: &[(String, String)],
    ) -> StoreResult<Vec<WriteOutcome>> {
        let mut outcomes = Vec::with_capacity(deletes.len());
        for (key, reference) in deletes {
            outcomes.push(match self.delete_scheduling(scheduling, actor, key, reference).await {
                Ok(()) | Err(StoreError::NotFound { .. }) => WriteOutcome::Deleted { key: key.clone() },
                Err(StoreError::Database(e)) => return Err(StoreError::Database(e)),
                Err(e) => WriteOutcome::Failed { key: key.clone(), reason: e.to_string() },
            });
        }
        Ok(outcomes)
    }

    /// The owners to read for a selection, and the keys to keep of what they hold (`None`: all).
    fn owners_of<'s>(self, selection: Selection<'s>) -> (Vec<String>, Option<HashSet<&'s str>>) {
        match (self.owner(), selection) {
            (Some(_), Selection::Keys(keys)) => {
                let mut owners: Vec<String> = keys.iter().map(|k| self.owner_of(k).to_string()).collect();
                owners.sort();
                owners.dedup();
                (owners, Some(keys.iter().map(String::as_str).collect()))
            }
            (_, Selection::Keys(keys) | Selection::Owners(keys)) => (keys.to_vec(), None),
        }
    }
}

fn keep(mut projections: Vec<Projection>, wanted: Option<HashSet<&str>>) -> Vec<Projection> {
    if let Some(wanted) = wanted {
        projections.retain(|p| wanted.contains(p.key.as_str()));
    }
    projections.sort_by(|a, b| a.key.cmp(&b.key));
    projections
}

impl std::ops::Deref for Pair {
    type Target = dyn SyncedPair;
    fn deref(&self) -> &Self::Target {
        self.0
    }
}

impl PartialEq for Pair {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
    }
}

impl Eq for Pair {}

impl std::hash::Hash for Pair {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name().hash(state)
    }
}

impl PartialOrd for Pair {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Pair {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.index().cmp(&other.index()).then_with(|| self.name().cmp(other.name()))
    }
}

impl std::fmt::Debug for Pair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The text of a field, for HR inputs rebuilt from a projection's fields.
pub(crate) fn field_text(fields: &Map<String, Value>, name: &str) -> Option<String> {
    fields.get(name).and_then(Value::as_str).map(str::to_string)
}

/// A date field, for HR inputs rebuilt from a projection's fields.
pub(crate) fn field_date(fields: &Map<String, Value>, name: &str) -> Option<chrono::NaiveDate> {
    fields.get(name).and_then(Value::as_str).and_then(|s| s.parse().ok())
}

/// An HR input of type `T` from the fields named in `keep` (nulls left out).
pub(crate) fn input_from<T: serde::de::DeserializeOwned>(
    fields: &Map<String, Value>,
    keep: &[&str],
) -> Result<T, String> {
    let kept: Map<String, Value> = fields
        .iter()
        .filter(|(k, v)| keep.contains(&k.as_str()) && !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    serde_json::from_value(Value::Object(kept)).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_lists_each_pair_once_after_what_it_needs() {
        for (i, pair) in REGISTRY.iter().enumerate() {
            assert_eq!(pair.index(), i, "{pair:?} is registered once");
            assert_eq!(Pair::of_entities(pair.hr_entity(), pair.scheduling_entity()), Some(*pair));
            for needed in pair.needs().iter().chain(pair.owner().iter()) {
                assert!(needed.index() < i, "{pair:?} comes after {needed:?}, which it needs");
            }
        }
    }

    #[test]
    fn an_owned_pair_reads_by_owner_and_keeps_the_keys_asked_for() {
        let keys = ["P2/Go".to_string(), "P1/Rust".to_string(), "P1/SQL".to_string()];
        let (owners, wanted) = WORKER_SKILLS.owners_of(Selection::Keys(&keys));
        assert_eq!(owners, ["P1", "P2"]);
        assert_eq!(wanted.map(|w| w.len()), Some(3));
        let (owners, wanted) = SKILLS.owners_of(Selection::Keys(&keys[..1]));
        assert_eq!((owners, wanted), (vec!["P2/Go".to_string()], None));
        assert_eq!(WORKER_SKILLS.owner_of("P1/Rust"), "P1");
        assert_eq!(WORKERS.owned().collect::<Vec<_>>(), [WORKER_SKILLS, WORKER_CERTIFICATES]);
    }
}
