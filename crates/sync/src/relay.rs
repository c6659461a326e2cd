//! The relay: read both outboxes after their cursors, turn entries into keys per map, reconcile
//! the maps in dependency order, then record links, conflicts, errors and the new cursors in one
//! HR transaction. Entries the engine wrote itself (origin `sync`) are skipped, so nothing
//! echoes. Entries at or below a store's `off_until` seq were written while the integration was
//! off and follow the missed-request rules.

use crate::engine::{Applied, Engine};
use crate::error::SyncResult;
use crate::maps::Map;
use hrbridge_store::outbox::entity as hr_entity;
use hrbridge_store::scheduling::outbox::entity as scheduling_entity;
use hrbridge_store::sync::journal::Run;
use hrbridge_store::sync::state::BatchRecord;
use hrbridge_store::sync::{MapKind, Selection};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// How long a relay lease lasts unless renewed: a process that dies holding it delays the
/// others by at most this.
pub const LEASE_SECONDS: i64 = 10;

/// What one pass read and did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Pass {
    /// Outbox entries read from both stores.
    pub entries: u64,
    pub applied: Applied,
    /// Whether another pass has more to read.
    pub more: bool,
}

/// Keys to reconcile per map, and which of them changed while off.
#[derive(Default)]
struct Work {
    keys: BTreeMap<MapKind, BTreeSet<String>>,
    off: HashSet<String>,
}

impl Work {
    fn add(&mut self, kind: MapKind, key: String, off: bool) {
        if off {
            self.off.insert(key.clone());
        }
        self.keys.entry(kind).or_default().insert(key);
    }
}

/// The part of `key` before its first `/`.
fn head(key: &str) -> &str {
    key.split_once('/').map_or(key, |(h, _)| h)
}

impl Engine {
    /// One relay pass, when the integration is on and this process holds the relay lease.
    pub async fn relay_once(&self) -> SyncResult<Pass> {
        if !self.hr.integration_enabled().await? {
            return Ok(Pass::default());
        }
        let _guard = self.apply_lock.lock().await;
        self.pass().await
    }

    /// Gives up the relay lease (at shutdown), so another process takes over at once.
    pub async fn release_lease(&self) -> SyncResult<()> {
        Ok(self.hr.release_relay_lease(&self.lease_owner).await?)
    }

    /// One pass, under the relay lease (taken or renewed for [`LEASE_SECONDS`]); a pass that
    /// finds another process holding it does nothing.
    async fn pass(&self) -> SyncResult<Pass> {
        if !self.hr.take_relay_lease(&self.lease_owner, LEASE_SECONDS).await? {
            return Ok(Pass::default());
        }
        let cursors = self.hr.sync_cursors().await?;
        let hr_settled = self.hr.db().settled_outbox_seq().await?;
        let scheduling_settled = self.scheduling.db().settled_outbox_seq().await?;
        let mut hr_entries = self.hr.outbox_after(cursors.hr_applied, self.batch_size).await?;
        hr_entries.retain(|e| e.seq <= hr_settled);
        let mut scheduling_entries = self.scheduling.outbox_after(cursors.scheduling_applied, self.batch_size).await?;
        scheduling_entries.retain(|e| e.seq <= scheduling_settled);
        let more = hr_entries.len() as i64 == self.batch_size || scheduling_entries.len() as i64 == self.batch_size;
        let hr_to = hr_entries.last().map_or(cursors.hr_applied, |e| e.seq);
        let scheduling_to = scheduling_entries.last().map_or(cursors.scheduling_applied, |e| e.seq);
        let solution = self.hr.solution_enabled().await?;

        let mut work = Work::default();
        for e in hr_entries.iter().filter(|e| e.origin != "sync") {
            let off = e.seq <= cursors.hr_off_until;
            let kind = match e.entity.as_str() {
                hr_entity::RATING_LEVEL => Some((MapKind::RatingModels, head(&e.entity_key).to_string())),
                other => MapKind::ALL.into_iter().find(|k| k.hr_entity() == other).map(|k| (k, e.entity_key.clone())),
            };
            if let Some((kind, key)) = kind {
                work.add(kind, key, off);
            }
        }
        let held_ids: Vec<String> = scheduling_entries
            .iter()
            .filter(|e| e.origin != "sync" && e.entity == scheduling_entity::RESOURCE_CHARACTERISTIC)
            .map(|e| head(&e.entity_key).to_string())
            .collect();
        let numbers: std::collections::HashMap<String, String> =
            self.scheduling.worker_numbers_of(&held_ids).await?.into_iter().collect();
        for e in scheduling_entries.iter().filter(|e| e.origin != "sync") {
            let off = e.seq <= cursors.scheduling_off_until;
            match e.entity.as_str() {
                scheduling_entity::RATING_MODEL | scheduling_entity::RATING_VALUE => {
                    work.add(MapKind::RatingModels, head(&e.entity_key).to_string(), off)
                }
                scheduling_entity::CHARACTERISTIC => {
                    work.add(MapKind::Skills, e.entity_key.clone(), off);
                    work.add(MapKind::CertificateTypes, e.entity_key.clone(), off);
                }
                scheduling_entity::BOOKABLE_RESOURCE => work.add(MapKind::Workers, e.entity_key.clone(), off),
                scheduling_entity::RESOURCE_CHARACTERISTIC => {
                    let (id, name) = e.entity_key.split_once('/').unwrap_or((&e.entity_key, ""));
                    if let Some(number) = numbers.get(id) {
                        work.add(MapKind::WorkerSkills, format!("{number}/{name}"), off);
                        work.add(MapKind::WorkerCertificates, format!("{number}/{name}"), off);
                    }
                }
                _ => {}
            }
        }
        // Errors due for another attempt.
        for failed in self.hr.due_sync_errors(self.hr.clock().now(), 1000).await? {
            if let Some(map) = self.maps.get(&failed.map_name) {
                work.add(map.kind, failed.entity_key, false);
            }
        }

        let mut record = BatchRecord { cursors: Some((hr_to, scheduling_to)), ..BatchRecord::default() };
        let mut applied = Applied::default();
        for map in self.maps.iter() {
            if !solution && is_worker_map(map) {
                continue;
            }
            let Some(keys) = work.keys.get(&map.kind) else { continue };
            let keys: Vec<String> = keys.iter().cloned().collect();
            applied.add(self.reconcile(map, Selection::Keys(&keys), &work.off, &mut record).await?);
        }
        self.hr.record_batch(record).await?;
        let entries = (hr_entries.len() + scheduling_entries.len()) as u64;
        Ok(Pass { entries, applied, more })
    }

    /// The missed-request sync: passes until both outboxes are applied up to where they stood
    /// when it began, with every queued error tried again now. Records the run.
    pub async fn missed_request_sync(&self) -> SyncResult<Run> {
        let started_at = self.hr.clock().now();
        let mut total = Applied::default();
        let enabled = self.hr.integration_enabled().await?;
        if enabled {
            let _guard = self.apply_lock.lock().await;
            {
                self.hr.make_errors_due(started_at).await?;
                let hr_target = self.hr.db().settled_outbox_seq().await?;
                let scheduling_target = self.scheduling.db().settled_outbox_seq().await?;
                loop {
                    let pass = self.pass().await?;
                    total.add(pass.applied);
                    let cursors = self.hr.sync_cursors().await?;
                    let caught_up = cursors.hr_applied >= hr_target && cursors.scheduling_applied >= scheduling_target;
                    if caught_up || pass.entries == 0 {
                        break;
                    }
                }
            }
        }
        let run = Run {
            id: 0,
            kind: "missed-request-sync".into(),
            started_at,
            finished_at: self.hr.clock().now(),
            applied: total.written as i64,
            conflicts: total.conflicts as i64,
            errors: total.errors as i64,
        };
        if enabled {
            self.hr.record_run(&run).await?;
        }
        Ok(run)
    }
}

/// The maps the HR-to-resource-scheduling solution owns: workers and what they hold.
pub(crate) fn is_worker_map(map: &Map) -> bool {
    matches!(map.kind, MapKind::Workers | MapKind::WorkerSkills | MapKind::WorkerCertificates)
}
