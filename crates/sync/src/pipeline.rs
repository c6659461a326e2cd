//! Relay passes in a pipeline: a pass's record (its links, errors and cursors, one HR
//! transaction) commits while the next pass reads and applies, so that the two stores' writers
//! work at once.
//!
//! The next pass must see the world as it will be once the record commits. It starts from the
//! pending record's cursors, and reads links through [`Engine::links`], which lays the pending
//! record's tracking changes over what the HR store holds. (Laid over a store that has committed
//! them meanwhile, they change nothing.) Records commit in pass order: a pass's record is
//! written only after the record before it committed. When a record fails, the run fails with
//! the pass after it applied and unrecorded: the state a crash between a pass's apply and its
//! record leaves, which the next run replays from the recorded cursors, idempotently.

use crate::engine::Engine;
use crate::error::SyncResult;
use crate::maps::Map;
use crate::relay::Pass;
use hrbridge_store::sync::state::{BatchRecord, TrackingRow};
use hrbridge_store::sync::{Pair, Selection};
use std::collections::{BTreeMap, HashSet};

impl Engine {
    /// Passes, pipelined, until one finds nothing to read, reads everything there was, or
    /// reaches cursors for which `reached` holds; `max` passes at most. Every pass is recorded
    /// when it returns. Called under the apply lock.
    pub(crate) async fn passes(&self, max: usize, reached: impl Fn((i64, i64)) -> bool) -> SyncResult<Pass> {
        let mut total = Pass::default();
        let mut pending: Option<BatchRecord> = None;
        for _ in 0..max {
            let record_pending = async {
                match &pending {
                    Some(record) => self.hr.record_batch(record).await,
                    None => Ok(()),
                }
            };
            let (recorded, next) = tokio::join!(record_pending, self.pass(pending.as_ref()));
            recorded?;
            let (pass, record) = next?;
            total.entries += pass.entries;
            total.applied.add(pass.applied);
            total.more = pass.more;
            let done = pass.entries == 0 || !pass.more || record.as_ref().and_then(|r| r.cursors).is_none_or(&reached);
            pending = record;
            if done {
                break;
            }
        }
        if let Some(record) = pending {
            self.hr.record_batch(&record).await?;
        }
        Ok(total)
    }

    /// The links of `map` for `selection`, as they will be once `pending` is recorded.
    pub(crate) async fn links(
        &self,
        map: &Map,
        selection: &Selection<'_>,
        pending: Option<&BatchRecord>,
    ) -> SyncResult<Vec<TrackingRow>> {
        let stored = self.hr.tracking_for(map.name(), selection).await?;
        Ok(match pending {
            Some(pending) => overlay(map.name(), map.pair, selection, stored, pending),
            None => stored,
        })
    }
}

/// `stored`, the links of map `map_name` for `selection`, with `pending`'s tracking changes
/// laid over them as `record_batch` writes them: upserts, then drops.
fn overlay(
    map_name: &str,
    pair: Pair,
    selection: &Selection<'_>,
    stored: Vec<TrackingRow>,
    pending: &BatchRecord,
) -> Vec<TrackingRow> {
    let (wanted, by_owner) = match selection {
        Selection::Keys(keys) => (keys, false),
        Selection::Owners(owners) => (owners, true),
    };
    let wanted: HashSet<&str> = wanted.iter().map(String::as_str).collect();
    let selected = |key: &str| wanted.contains(if by_owner { pair.owner_of(key) } else { key });
    let mut rows: BTreeMap<String, TrackingRow> = stored.into_iter().map(|r| (r.entity_key.clone(), r)).collect();
    for row in pending.upsert_tracking.iter().filter(|r| r.map_name == map_name && selected(&r.entity_key)) {
        rows.insert(row.entity_key.clone(), row.clone());
    }
    for (map, key) in &pending.drop_tracking {
        if map == map_name {
            rows.remove(key);
        }
    }
    rows.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hrbridge_store::sync::pairs::WORKER_SKILLS;

    fn row(map: &str, key: &str, version: i64) -> TrackingRow {
        TrackingRow {
            map_name: map.into(),
            entity_key: key.into(),
            owner_key: WORKER_SKILLS.owner_of(key).into(),
            hr_entity: "worker_skill".into(),
            hr_ref: 1,
            scheduling_entity: "resource_characteristic".into(),
            scheduling_ref: "r".into(),
            hr_version: version,
            scheduling_version: version,
            hr_fields: "{}".into(),
            deleted_from_scheduling: false,
            synced_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    fn keys(rows: &[TrackingRow]) -> Vec<(&str, i64)> {
        rows.iter().map(|r| (r.entity_key.as_str(), r.hr_version)).collect()
    }

    #[test]
    fn pending_links_are_laid_over_the_stored_ones() {
        let stored = vec![row("worker-skills", "P1/Rust", 1), row("worker-skills", "P2/Go", 1)];
        let pending = BatchRecord {
            upsert_tracking: vec![
                row("worker-skills", "P1/Rust", 2),
                row("worker-skills", "P1/SQL", 1),
                row("worker-skills", "P3/Go", 1),
                row("worker-certificates", "P1/Forklift", 1),
            ],
            drop_tracking: vec![("worker-skills".into(), "P2/Go".into()), ("workers".into(), "P1/Rust".into())],
            ..BatchRecord::default()
        };
        let owners = ["P1".to_string(), "P2".to_string()];
        let by_owner = overlay("worker-skills", WORKER_SKILLS, &Selection::Owners(&owners), stored, &pending);
        // P1's link updated and a new one added; P2's dropped; P3 not selected; the other
        // maps' changes left out.
        assert_eq!(keys(&by_owner), [("P1/Rust", 2), ("P1/SQL", 1)]);

        let wanted = ["P3/Go".to_string(), "P2/Go".to_string()];
        let stored = vec![row("worker-skills", "P2/Go", 1)];
        let by_key = overlay("worker-skills", WORKER_SKILLS, &Selection::Keys(&wanted), stored, &pending);
        assert_eq!(keys(&by_key), [("P3/Go", 1)]);
    }

    #[test]
    fn laid_over_a_store_that_has_them_already_they_change_nothing() {
        let pending = BatchRecord {
            upsert_tracking: vec![row("worker-skills", "P1/Rust", 2)],
            drop_tracking: vec![("worker-skills".into(), "P1/Go".into())],
            ..BatchRecord::default()
        };
        let committed = vec![row("worker-skills", "P1/Rust", 2)];
        let owners = ["P1".to_string()];
        let rows = overlay("worker-skills", WORKER_SKILLS, &Selection::Owners(&owners), committed.clone(), &pending);
        assert_eq!(rows, committed);
    }
}
