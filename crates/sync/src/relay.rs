//! The relay: read both outboxes after their cursors, turn entries into keys per map, reconcile
//! the maps in dependency order, then record links, conflicts, errors and the new cursors in one
//! HR transaction, while the next pass runs (see [`crate::pipeline`]). Entries the engine wrote
//! itself (origin `sync`) are skipped, so nothing echoes. Entries at or below a store's
//! `off_until` seq were written while the integration was off (but for the ranges written while
//! it was on, `OnRanges`) and follow the missed-request rules. A change made only on the
//! scheduling side applies only to a linked pair (see `reaching_hr`).

use crate::engine::{Applied, Deletes, Engine};
use crate::error::SyncResult;
use crate::maps::Map;
use crate::outbox_batch::whole_transactions;
use hrbridge_store::sync::journal::Run;
use hrbridge_store::sync::pairs::WORKERS;
use hrbridge_store::sync::state::BatchRecord;
use hrbridge_store::sync::{Pair, Selection};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// How many passes one relay run makes at most before it lets go of the apply lock: a run
/// pipelines its passes (see [`crate::pipeline`]), and its last pass's record is written alone,
/// so a long run keeps both stores' writers busy. The switch, sync now and the missed-request
/// sync do not wait for the whole run: one waiting for the lock ends it after the pass in hand.
/// The bound is for the worker's own schedule (the missed-request sync, the finder's refresh).
const PASSES_PER_RUN: usize = 32;

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

/// Keys to reconcile per map, which of them changed while off, and which changed in HR (or are
/// retried errors).
#[derive(Default)]
struct Work {
    keys: BTreeMap<Pair, BTreeSet<String>>,
    off: HashSet<String>,
    from_hr: HashSet<(Pair, String)>,
    /// Per key changed in HR, whether its latest HR change was made while off: that, not an
    /// earlier change, says whether a delete in HR propagates or is undone.
    hr_latest_off: HashMap<String, bool>,
    /// Keys whose HR delete this pass read (or that are retried): see `Engine::reconcile`.
    deletes_due: HashSet<String>,
    /// Records whose HR delete this pass read, made while on, or whose queued change is retried:
    /// a delete reaches the scheduling side by key even when tracking no longer links them.
    hr_deleted: HashSet<(Pair, String)>,
}

impl Work {
    fn add(&mut self, kind: Pair, key: String, off: bool) {
        if off {
            self.off.insert(key.clone());
        }
        self.keys.entry(kind).or_default().insert(key);
    }

    fn add_from_hr(&mut self, kind: Pair, key: String, off: bool) {
        self.from_hr.insert((kind, key.clone()));
        self.add(kind, key, off);
    }

    /// Makes each key changed in HR off exactly when its latest HR change was.
    fn settle_off(&mut self) {
        for (key, off) in self.hr_latest_off.drain() {
            if off {
                self.off.insert(key);
            } else {
                self.off.remove(&key);
            }
        }
    }
}

impl Engine {
    /// One relay run, when the integration is on and this process holds the relay lease: a pass,
    /// and while a full batch leaves more to read, up to [`PASSES_PER_RUN`] passes in all (fewer
    /// when the switch, sync now or the missed-request sync waits for the lock), each recorded
    /// while the next one runs. Returns what they read and did together.
    pub async fn relay_once(&self) -> SyncResult<Pass> {
        // Checked under the lock: a pass that waited on the switch being turned off must not
        // then apply, as live changes, the writes made after it went off.
        let _guard = self.apply_lock.lock().await;
        if !self.hr.integration_enabled().await? {
            return Ok(Pass::default());
        }
        self.passes(PASSES_PER_RUN, |_| self.applies_awaited()).await
    }

    /// Gives up the relay lease (at shutdown), so another process takes over at once.
    pub async fn release_lease(&self) -> SyncResult<()> {
        *self.lease_until.lock().expect("lease lock") = None;
        Ok(self.hr.release_relay_lease(&self.lease_owner).await?)
    }

    /// Whether this process holds the relay lease, taking or renewing it when less than half
    /// of it is left: no other process can take it before it lapses, so a pass need not write
    /// to the HR store (and wait for its one writer) only to say so again.
    pub(crate) async fn hold_lease(&self) -> SyncResult<bool> {
        let now = self.hr.clock().now();
        let half = chrono::Duration::seconds(LEASE_SECONDS / 2);
        if self.lease_until.lock().expect("lease lock").is_some_and(|until| until - now > half) {
            return Ok(true);
        }
        let held = self.hr.take_relay_lease(&self.lease_owner, LEASE_SECONDS).await?;
        *self.lease_until.lock().expect("lease lock") = held.then(|| now + chrono::Duration::seconds(LEASE_SECONDS));
        Ok(held)
    }

    /// One pass, under the relay lease (taken or renewed for [`LEASE_SECONDS`]); a pass that
    /// finds another process holding it does nothing. Applies and returns what the HR store
    /// must record (none when idle); `pending` is the pass before, applied and being recorded.
    pub(crate) async fn pass(&self, pending: Option<&BatchRecord>) -> SyncResult<(Pass, Option<BatchRecord>)> {
        // Reads first: an idle pass writes nothing (no lease, no record).
        let mut cursors = self.hr.sync_cursors().await?;
        if let Some((hr, scheduling)) = pending.and_then(|p| p.cursors) {
            cursors.hr_applied = cursors.hr_applied.max(hr);
            cursors.scheduling_applied = cursors.scheduling_applied.max(scheduling);
        }
        let now = self.hr.clock().now();
        // Idle unless a store has an entry the engine did not write: its own entries are skipped
        // when a pass next moves the cursors, not by a pass of their own.
        let idle = !self.hr.db().outbox_has_foreign_after(cursors.hr_applied).await?
            && !self.scheduling.db().outbox_has_foreign_after(cursors.scheduling_applied).await?
            && self.hr.due_sync_errors(now, 1).await?.is_empty();
        if idle || !self.hold_lease().await? {
            return Ok((Pass::default(), None));
        }
        let started = std::time::Instant::now();
        let limit = self.batch_size;
        // Each store's side read on its own connection, both at once. The engine's own entries
        // (origin `sync`) are skipped in the query: they never echo.
        let hr_side = async {
            let settled = self.hr.db().settled_outbox_seq().await?.max(cursors.hr_applied);
            let entries = self.hr.outbox_foreign_after(cursors.hr_applied, settled, limit).await?;
            let entries = whole_transactions(
                entries,
                limit,
                |e| (e.seq, e.modified_at),
                |a, n| self.hr.outbox_foreign_after(a, settled, n),
            )
            .await?;
            SyncResult::Ok((settled, entries, self.hr.sync_on_ranges().await?, self.hr.solution_enabled().await?))
        };
        let scheduling_side = async {
            let settled = self.scheduling.db().settled_outbox_seq().await?.max(cursors.scheduling_applied);
            let entries = self.scheduling.outbox_foreign_after(cursors.scheduling_applied, settled, limit).await?;
            let entries = whole_transactions(
                entries,
                limit,
                |e| (e.seq, e.modified_at),
                |a, n| self.scheduling.outbox_foreign_after(a, settled, n),
            )
            .await?;
            SyncResult::Ok((settled, entries))
        };
        let ((hr_settled, hr_entries, on_ranges, solution), (scheduling_settled, scheduling_entries)) =
            tokio::try_join!(hr_side, scheduling_side)?;
        // A batch short of the limit read everything up to the settled seq.
        let hr_full = hr_entries.len() as i64 >= limit;
        let scheduling_full = scheduling_entries.len() as i64 >= limit;
        let more = hr_full || scheduling_full;
        let hr_to = if hr_full { hr_entries.last().map_or(hr_settled, |e| e.seq) } else { hr_settled };
        let scheduling_to = if scheduling_full {
            scheduling_entries.last().map_or(scheduling_settled, |e| e.seq)
        } else {
            scheduling_settled
        };

        let mut work = Work::default();
        // Owners deleted in HR while on (workers): their owned records go with them.
        let mut deleted_owners: Vec<String> = Vec::new();
        let mut unclaimed = 0_usize;
        for e in &hr_entries {
            let off = e.seq <= cursors.hr_off_until && !on_ranges.hr_on(e.seq);
            let claims: Vec<(Pair, String)> = Pair::all()
                .iter()
                .filter_map(|pair| pair.hr_key(&e.entity, &e.entity_key).map(|k| (*pair, k)))
                .collect();
            if claims.is_empty() {
                unclaimed += 1;
            }
            for (pair, key) in claims {
                if e.operation == "delete" {
                    if !off && pair.owned().next().is_some() {
                        deleted_owners.push(key.clone());
                    }
                    if !off {
                        work.hr_deleted.insert((pair, key.clone()));
                    }
                    work.deletes_due.insert(key.clone());
                }
                work.hr_latest_off.insert(key.clone(), off);
                work.add_from_hr(pair, key, off);
            }
        }
        // Scheduling entries that name their owner by id (a resource's characteristic): the
        // owners' keys, resolved by the owner pairs in one query each.
        let mut owner_keys: HashMap<String, String> = HashMap::new();
        for owner in Pair::all().iter().filter(|p| p.owned().next().is_some()) {
            let ids: Vec<String> = scheduling_entries
                .iter()
                .filter_map(|e| {
                    owner
                        .owned()
                        .find_map(|pair| pair.scheduling_owner_id(&e.entity, &e.entity_key))
                        .map(str::to_string)
                })
                .collect();
            if !ids.is_empty() {
                owner_keys.extend(owner.owner_keys(&self.scheduling, &ids).await?);
            }
        }
        let mut removed_owners: Vec<(Pair, String, bool)> = Vec::new();
        for e in &scheduling_entries {
            let off = e.seq <= cursors.scheduling_off_until && !on_ranges.scheduling_on(e.seq);
            let mut claimed = false;
            for pair in Pair::all() {
                let Some(key) = pair.scheduling_key(&e.entity, &e.entity_key, &owner_keys) else { continue };
                claimed = true;
                if e.operation == "delete" && pair.owned().next().is_some() {
                    removed_owners.push((*pair, key.clone(), off));
                }
                work.add(*pair, key, off);
            }
            if !claimed {
                unclaimed += 1;
            }
        }
        // A deleted owner (a resource) took its owned records along, and their entries name it
        // by an id that no longer resolves: reconcile them by the owner's key.
        for (owner, key, off) in removed_owners {
            let owners = [key];
            for pair in owner.owned() {
                let Some(map) = self.maps.by_pair(pair) else { continue };
                let held = self.hr.sync_read(pair, Selection::Owners(&owners)).await?.into_iter().map(|p| p.key);
                let linked = self.links(map, &Selection::Owners(&owners), pending).await?;
                for key in held.chain(linked.into_iter().map(|t| t.entity_key)) {
                    work.add(pair, key, off);
                }
            }
        }
        // Errors due for another attempt (but those the pass before settled, not recorded yet).
        let settled: HashSet<(&str, &str)> = pending
            .iter()
            .flat_map(|p| {
                p.succeeded.iter().map(|(m, k)| (m, k)).chain(p.failures.iter().map(|f| (&f.map_name, &f.entity_key)))
            })
            .map(|(m, k)| (m.as_str(), k.as_str()))
            .collect();
        for failed in self.hr.due_sync_errors(now, 1000).await? {
            if settled.contains(&(failed.map_name.as_str(), failed.entity_key.as_str())) {
                continue;
            }
            if let Some(map) = self.maps.get(&failed.map_name) {
                work.deletes_due.insert(failed.entity_key.clone());
                // A queued delete that could not reach an untracked record is tried again too.
                work.hr_deleted.insert((map.pair, failed.entity_key.clone()));
                work.add_from_hr(map.pair, failed.entity_key, false);
            }
        }

        work.settle_off();
        let planned = started.elapsed();
        let mut record = BatchRecord { cursors: Some((hr_to, scheduling_to)), ..BatchRecord::default() };
        let mut applied = Applied::default();
        // A worker deleted in HR while on (its latest change) takes its resource's
        // characteristics along on the scheduling side: reconcile them first (all of them, once,
        // as deleted with it), so that one edited there is journaled too.
        let mut gone: HashSet<String> = deleted_owners.into_iter().filter(|w| !work.off.contains(w)).collect();
        if solution && !gone.is_empty() {
            let deleted: Vec<String> = gone.iter().cloned().collect();
            for still in self.hr.sync_read(WORKERS, Selection::Keys(&deleted)).await? {
                gone.remove(&still.key);
            }
            let owners: Vec<String> = gone.iter().cloned().collect();
            for pair in WORKERS.owned() {
                let Some(map) = self.maps.by_pair(pair).filter(|_| !owners.is_empty()) else { continue };
                let with_the_worker = HashSet::new();
                applied.add(
                    self.reconcile(
                        map,
                        Selection::Owners(&owners),
                        &with_the_worker,
                        Deletes { due: None, hr_deleted: Some(&work.hr_deleted) },
                        pending,
                        &mut record,
                    )
                    .await?,
                );
            }
        }
        // The maps of a wave at once (each on its own record, added in map order), the waves in
        // dependency order.
        let (work, gone) = (&work, &gone);
        for wave in self.maps.waves() {
            let runs = wave
                .into_iter()
                .filter(|map| solution || !is_worker_map(map))
                .filter_map(|map| work.keys.get(&map.pair).map(|keys| (map, keys)))
                .map(|(map, keys)| async move {
                    let mut part = BatchRecord::default();
                    let mut keys = self.reaching_hr(map, keys, &work.from_hr, pending).await?;
                    keys.retain(|k| map.pair.owner().is_none() || !gone.contains(map.pair.owner_of(k)));
                    if keys.is_empty() {
                        return SyncResult::Ok((Applied::default(), part));
                    }
                    let selection = Selection::Keys(&keys);
                    let applied = self
                        .reconcile(
                            map,
                            selection,
                            &work.off,
                            Deletes { due: Some(&work.deletes_due), hr_deleted: Some(&work.hr_deleted) },
                            pending,
                            &mut part,
                        )
                        .await?;
                    Ok((applied, part))
                });
            for (done, part) in futures_util::future::try_join_all(runs).await? {
                applied.add(done);
                record.absorb(part);
            }
        }
        let entries = (hr_entries.len() + scheduling_entries.len()) as u64;
        tracing::debug!(entries, unclaimed, ?planned, applied = ?started.elapsed(), "pass");
        Ok((Pass { entries, applied, more }, Some(record)))
    }

    /// The keys of `map` to apply: those HR changed, and those only the scheduling side changed
    /// when the pair is linked. A scheduling-side change to a record whose tracking was cleared
    /// does not reach HR (seed 001); an HR change, or sync now, links it again.
    async fn reaching_hr(
        &self,
        map: &Map,
        keys: &BTreeSet<String>,
        from_hr: &HashSet<(Pair, String)>,
        pending: Option<&BatchRecord>,
    ) -> SyncResult<Vec<String>> {
        let in_hr = |k: &String| from_hr.contains(&(map.pair, k.clone()));
        let scheduling_only: Vec<String> = keys.iter().filter(|k| !in_hr(k)).cloned().collect();
        if scheduling_only.is_empty() {
            return Ok(keys.iter().cloned().collect());
        }
        let linked: HashSet<String> = self
            .links(map, &Selection::Keys(&scheduling_only), pending)
            .await?
            .into_iter()
            .map(|t| t.entity_key)
            .collect();
        Ok(keys.iter().filter(|k| in_hr(k) || linked.contains(*k)).cloned().collect())
    }

    /// Passes until both outboxes are applied up to where they stand now (or another process
    /// holds the relay lease). Called under the apply lock.
    pub(crate) async fn catch_up(&self) -> SyncResult<Applied> {
        let hr_target = self.hr.db().settled_outbox_seq().await?;
        let scheduling_target = self.scheduling.db().settled_outbox_seq().await?;
        let reached = |(hr, scheduling): (i64, i64)| hr >= hr_target && scheduling >= scheduling_target;
        Ok(self.passes(usize::MAX, reached).await?.applied)
    }

    /// The missed-request sync: passes until both outboxes are applied up to where they stood
    /// when it began, with every queued error tried again now. Records the run.
    pub async fn missed_request_sync(&self) -> SyncResult<Run> {
        let started_at = self.hr.clock().now();
        let mut total = Applied::default();
        // Under the lock, like a relay pass.
        let _guard = self.lock_applies().await;
        let enabled = self.hr.integration_enabled().await?;
        if enabled {
            self.hr.make_errors_due(started_at).await?;
            total = self.catch_up().await?;
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
    map.pair.in_solution()
}
