//! The engine's core: reconcile one map for a set of keys (or owners) in batches. Read both
//! sides and the links, decide each record (see [`crate::decide`]), write the scheduling side in
//! one batch, the HR side record by record (rare: values flowing back, records recreated), and
//! return what the HR store must record (links, conflicts, errors) for the caller to commit
//! with its cursor.

use crate::decide::{decide, Decision, Link, SchedulingAction, Side};
use crate::error::SyncResult;
use crate::hr_apply;
use crate::maps::{Map, Maps};
use hrbridge_domain::outbox::Origin;
use hrbridge_store::scheduling::SchedulingStore;
use hrbridge_store::sync::journal::{Failure, NewConflict, Version};
use hrbridge_store::sync::state::{BatchRecord, TrackingRow};
use hrbridge_store::sync::{Pair, Projection, SchedulingWrite, Selection, WriteOutcome};
use hrbridge_store::{Actor, ActorKind, HrStore};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// What a relay pass read of deletes, for [`Engine::reconcile`]: `due`, the keys whose HR delete
/// (or retried error) it decides now (none: every key); `hr_deleted`, those deleted in HR while
/// on, which reach the scheduling side by key even when tracking no longer links them.
#[derive(Clone, Copy, Default)]
pub(crate) struct Deletes<'a> {
    pub due: Option<&'a HashSet<String>>,
    pub hr_deleted: Option<&'a HashSet<(Pair, String)>>,
}

/// What a reconcile did, for reports and job progress.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Applied {
    /// Records written or deleted on either side.
    pub written: u64,
    pub conflicts: u64,
    pub errors: u64,
}

impl Applied {
    pub fn add(&mut self, other: Applied) {
        self.written += other.written;
        self.conflicts += other.conflicts;
        self.errors += other.errors;
    }
}

/// The sync engine over the two stores.
pub struct Engine {
    pub(crate) hr: HrStore,
    pub(crate) scheduling: SchedulingStore,
    pub(crate) maps: Arc<Maps>,
    /// Serialises applies within this process; the relay lease does so across processes.
    pub(crate) apply_lock: tokio::sync::Mutex<()>,
    /// How many callers other than the relay wait for `apply_lock` (see
    /// [`Engine::lock_applies`]): a relay run lets go after the pass in hand when one does.
    pub(crate) apply_waiters: std::sync::atomic::AtomicUsize,
    /// Who holds the relay lease: this process.
    pub(crate) lease_owner: String,
    /// Until when this process is known to hold the relay lease (see `Engine::hold_lease`).
    pub(crate) lease_until: std::sync::Mutex<Option<chrono::DateTime<chrono::Utc>>>,
    /// Outbox entries read per batch, and owners per sync-now batch.
    pub batch_size: i64,
}

/// The actor of the engine's writes: origin `sync`, so they never echo back.
pub fn sync_actor() -> Actor {
    Actor { name: "sync".into(), kind: ActorKind::System, origin: Origin::Sync }
}

/// What one record's reconcile read.
struct Record<'a> {
    hr: Option<&'a Projection>,
    scheduling: Option<&'a Projection>,
    link: Option<Link>,
}

impl Engine {
    pub fn new(hr: HrStore, scheduling: SchedulingStore, maps: Arc<Maps>, lease_owner: String) -> Self {
        Self {
            hr,
            scheduling,
            maps,
            apply_lock: tokio::sync::Mutex::new(()),
            apply_waiters: std::sync::atomic::AtomicUsize::new(0),
            lease_owner,
            lease_until: std::sync::Mutex::new(None),
            batch_size: 5000,
        }
    }

    /// Takes the apply lock for work other than a relay run (the switch, sync now, the
    /// missed-request sync), counted as waiting meanwhile so that the relay's run ends after
    /// the pass in hand instead of after all its passes.
    pub(crate) async fn lock_applies(&self) -> tokio::sync::MutexGuard<'_, ()> {
        /// Uncounts the waiter however the wait ends, a dropped future included.
        struct Waiting<'a>(&'a std::sync::atomic::AtomicUsize);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            }
        }
        self.apply_waiters.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let _waiting = Waiting(&self.apply_waiters);
        self.apply_lock.lock().await
    }

    /// Whether a caller of [`Engine::lock_applies`] is waiting.
    pub(crate) fn applies_awaited(&self) -> bool {
        self.apply_waiters.load(std::sync::atomic::Ordering::SeqCst) > 0
    }

    pub fn maps(&self) -> &Maps {
        &self.maps
    }
    pub fn hr(&self) -> &HrStore {
        &self.hr
    }
    pub fn scheduling(&self) -> &SchedulingStore {
        &self.scheduling
    }

    /// Reconciles `map` for `selection`; keys in `off` were changed while the integration was
    /// off; HR deletes are applied for the keys in `deletes.due` (all when `None`). `pending`
    /// is an earlier batch applied but not recorded yet (see [`crate::pipeline`]). Adds what
    /// the HR store must record to `record`.
    pub(crate) async fn reconcile(
        &self,
        map: &Map,
        selection: Selection<'_>,
        off: &HashSet<String>,
        deletes: Deletes<'_>,
        pending: Option<&BatchRecord>,
        record: &mut BatchRecord,
    ) -> SyncResult<Applied> {
        let pair = map.pair;
        let started = std::time::Instant::now();
        // Three reads on three connections (two stores' readers), at once.
        let (hr_rows, scheduling_rows, links) = tokio::try_join!(
            async { SyncResult::Ok(self.hr.sync_read(pair, selection).await?) },
            async { SyncResult::Ok(self.scheduling.sync_read(pair, selection).await?) },
            self.links(map, &selection, pending),
        )?;
        let read = started.elapsed();
        let mut records: BTreeMap<String, Record> = BTreeMap::new();
        let blank = || Record { hr: None, scheduling: None, link: None };
        for h in &hr_rows {
            records.entry(h.key.clone()).or_insert_with(blank).hr = Some(h);
        }
        for s in &scheduling_rows {
            records.entry(s.key.clone()).or_insert_with(blank).scheduling = Some(s);
        }
        // A last-synced record that cannot be read is not guessed at (an empty one would read as
        // a conflict): its key is set aside into the error queue, the rest go on.
        let mut unreadable: Vec<(String, String)> = Vec::new();
        for t in &links {
            match link_of(t) {
                Ok(link) => records.entry(t.entity_key.clone()).or_insert_with(blank).link = Some(link),
                Err(reason) => unreadable.push((t.entity_key.clone(), reason)),
            }
        }
        for (key, _) in &unreadable {
            records.remove(key);
        }
        if let Selection::Keys(keys) = selection {
            let wanted: HashSet<&str> = keys.iter().map(String::as_str).collect();
            records.retain(|k, _| wanted.contains(k.as_str()));
            unreadable.retain(|(k, _)| wanted.contains(k.as_str()));
            // A key gone from both sides and untracked is decided too (nothing to do), so that
            // an error queued for it is resolved rather than retried for ever.
            let set_aside: HashSet<&str> = unreadable.iter().map(|(k, _)| k.as_str()).collect();
            for key in keys.iter().filter(|k| !set_aside.contains(k.as_str())) {
                records.entry(key.clone()).or_insert_with(blank);
            }
        }

        // A linked record HR no longer holds is decided by the pass that reads its delete: only
        // that entry says whether it was made while on (propagate) or off (undo). Until then it
        // stays as it is.
        if let Some(due) = deletes.due {
            records.retain(|k, r| r.hr.is_some() || r.scheduling.is_none() || r.link.is_none() || due.contains(k));
        }
        let mut decisions: Vec<(String, Decision)> = records
            .iter()
            .map(|(key, r)| {
                (key.clone(), {
                    let deleted_in_hr = deletes.hr_deleted.is_some_and(|d| d.contains(&(pair, key.clone())));
                    decide(map, r.hr, r.scheduling, r.link.as_ref(), off.contains(key), deleted_in_hr)
                })
            })
            .collect();

        // The journal first: a version about to be overwritten is kept before either store is
        // written, as a crash between the two stores' commits would leave them agreeing and the
        // replay with nothing to journal. (A crash before the writes journals it twice.)
        let now = self.hr.clock().now();
        let journal: Vec<NewConflict> = decisions
            .iter()
            .filter_map(|(key, d)| d.conflict.map(|winner| conflict(map, key, d, winner, &records[key], now)))
            .collect();
        if !journal.is_empty() {
            self.hr.journal_conflicts(&journal).await?;
        }

        // The scheduling side: one batch of writes, then the (rare) deletes.
        let actor = sync_actor();
        let mut writes = Vec::new();
        let mut deletes = Vec::new();
        for (key, d) in &mut decisions {
            match &mut d.scheduling {
                // The fields move to the write: what follows asks only whether there was one.
                Some(SchedulingAction::Write { reference, fields }) => writes
                    .push((reference.clone(), SchedulingWrite { key: key.clone(), fields: std::mem::take(fields) })),
                Some(SchedulingAction::Delete { reference }) => deletes.push((key.clone(), reference.clone())),
                None => {}
            }
        }
        let mut outcomes: HashMap<String, WriteOutcome> = HashMap::new();
        if !writes.is_empty() {
            for o in pair.write_scheduling(&self.scheduling, &actor, &writes).await? {
                outcomes.insert(o.key().to_string(), o);
            }
        }
        if !deletes.is_empty() {
            for o in pair.delete_scheduling_all(&self.scheduling, &actor, &deletes).await? {
                outcomes.insert(o.key().to_string(), o);
            }
        }

        // The HR side, record by record.
        let mut hr_failed: HashMap<String, String> = HashMap::new();
        let mut hr_written: Vec<String> = Vec::new();
        for (key, d) in &decisions {
            let Some(action) = &d.hr else { continue };
            let current = records.get(key).and_then(|r| r.hr);
            match hr_apply::apply(&self.hr, &actor, pair, key, current, action).await {
                Ok(()) => hr_written.push(key.clone()),
                Err(reason) => {
                    hr_failed.insert(key.clone(), reason);
                }
            }
        }
        let rewritten: HashMap<String, Projection> = if hr_written.is_empty() {
            HashMap::new()
        } else {
            let rows = self.hr.sync_read(pair, Selection::Keys(&hr_written)).await?;
            rows.into_iter().map(|p| (p.key.clone(), p)).collect()
        };

        tracing::debug!(
            map = map.name(),
            records = records.len(),
            ?read,
            written = ?started.elapsed(),
            "reconciled"
        );
        let mut applied = Applied::default();
        for (key, reason) in unreadable {
            applied.errors += 1;
            record.failures.push(Failure { map_name: map.name().into(), entity_key: key, reason });
        }
        for (key, d) in decisions {
            let r = &records[&key];
            let outcome = outcomes.get(&key);
            let failure = match (outcome, hr_failed.get(&key)) {
                (Some(WriteOutcome::Failed { reason, .. }), _) => Some(reason.clone()),
                (_, Some(reason)) => Some(reason.clone()),
                _ => None,
            };
            if let Some(reason) = failure {
                applied.errors += 1;
                record.failures.push(Failure { map_name: map.name().into(), entity_key: key, reason });
                continue;
            }
            let map_key = (map.name().to_string(), key.clone());
            record.succeeded.push(map_key.clone());
            applied.written += u64::from(d.scheduling.is_some()) + u64::from(d.hr.is_some());
            applied.conflicts += u64::from(d.conflict.is_some());
            if d.unlink || matches!(outcome, Some(WriteOutcome::Deleted { .. })) {
                if r.link.is_some() {
                    record.drop_tracking.push(map_key);
                }
                continue;
            }
            let hr_now = rewritten.get(&key).or(r.hr);
            let scheduling_now = match outcome {
                Some(WriteOutcome::Written { reference, version, .. }) => Some((reference.clone(), *version)),
                _ => r.scheduling.map(|s| (s.reference.clone(), s.version)),
            };
            let (Some(h), Some((scheduling_ref, scheduling_version))) = (hr_now, scheduling_now) else { continue };
            let unchanged = r.link.as_ref().is_some_and(|l| {
                l.hr_ref == h.reference
                    && l.hr_version == h.version
                    && l.scheduling_ref == scheduling_ref
                    && l.scheduling_version == scheduling_version
                    && l.hr_fields == h.fields
                    && l.deleted_from_scheduling == d.deleted_from_scheduling
            });
            if unchanged {
                continue;
            }
            record.upsert_tracking.push(TrackingRow {
                map_name: map.name().into(),
                entity_key: key.clone(),
                owner_key: pair.owner_of(&key).to_string(),
                hr_entity: pair.hr_entity().into(),
                hr_ref: h.reference.parse().unwrap_or_default(),
                scheduling_entity: pair.scheduling_entity().into(),
                scheduling_ref,
                hr_version: h.version,
                scheduling_version,
                // Serialised from the map itself: a clone into a `Value` first cost a pass
                // more than the text.
                hr_fields: serde_json::to_string(&h.fields).unwrap_or_else(|_| "{}".into()),
                deleted_from_scheduling: d.deleted_from_scheduling,
                synced_at: now,
            });
        }
        Ok(applied)
    }
}

/// The link a tracking row records; a last-synced record that is not a JSON object is refused
/// with the reason, for the error queue.
fn link_of(t: &TrackingRow) -> Result<Link, String> {
    let hr_fields = match serde_json::from_str(&t.hr_fields) {
        Ok(Value::Object(fields)) => fields,
        Ok(other) => return Err(unreadable(t, &format!("it is {other}, not a record"))),
        Err(e) => return Err(unreadable(t, &e.to_string())),
    };
    Ok(Link {
        hr_ref: t.hr_ref.to_string(),
        hr_version: t.hr_version,
        scheduling_ref: t.scheduling_ref.clone(),
        scheduling_version: t.scheduling_version,
        hr_fields,
        deleted_from_scheduling: t.deleted_from_scheduling,
    })
}

fn unreadable(t: &TrackingRow, why: &str) -> String {
    let shown: String = why.chars().take(120).collect();
    format!(
        "the last-synced record of {} '{}' in tracking cannot be read ({shown}): clear the map's tracking \
         to link it again from both sides' current records",
        t.map_name, t.entity_key
    )
}

fn version_of(p: Option<&Projection>) -> Option<Version> {
    p.map(|p| Version {
        fields: Value::Object(p.fields.clone()),
        modified_at: p.modified_at,
        modified_by: p.modified_by.clone(),
    })
}

fn conflict(
    map: &Map,
    key: &str,
    d: &Decision,
    winner: Side,
    r: &Record,
    now: chrono::DateTime<chrono::Utc>,
) -> NewConflict {
    NewConflict {
        map_name: map.name().into(),
        entity_key: key.into(),
        winner: winner.as_str(),
        fields: d.fields.clone(),
        hr: version_of(r.hr),
        scheduling: version_of(r.scheduling),
        resolved_at: now,
    }
}
