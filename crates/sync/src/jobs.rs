//! Sync now: a full synchronisation of one map as a background job with progress, paging
//! through every owner (key, or personnel number for worker qualifications) found on either
//! side or in the tracking table.

use crate::engine::{Applied, Deletes, Engine};
use crate::error::SyncResult;
use crate::maps::Map;
use hrbridge_store::sync::journal::SyncJob;
use hrbridge_store::sync::state::BatchRecord;
use hrbridge_store::sync::{Pair, Selection};
use hrbridge_store::Actor;
use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

/// How many pages sync now applies before it lets go of the apply lock (see `full_sync`).
const PAGES_PER_LOCK: usize = 4;

impl Engine {
    /// Records a queued sync-now job for `map` and starts it in the background.
    pub async fn start_sync_now(self: &Arc<Self>, actor: &Actor, map: &str, job_id: String) -> SyncResult<SyncJob> {
        let map = self.map(map)?.clone();
        let job = SyncJob {
            id: job_id,
            kind: "sync-now".into(),
            map_name: map.name().to_string(),
            state: "queued".into(),
            done: 0,
            total: self.owner_count(map.pair).await?,
            errors: 0,
            message: None,
            started_by: actor.name.clone(),
            started_at: self.hr.clock().now(),
            finished_at: None,
        };
        self.hr.create_sync_job(&job).await?;
        let engine = Arc::clone(self);
        let mut running = job.clone();
        tokio::spawn(async move {
            running.state = "running".into();
            let result = engine.full_sync(&map, Some(&mut running)).await;
            running.finished_at = Some(engine.hr.clock().now());
            match result {
                Ok(_) => {
                    running.state = "done".into();
                    running.total = running.total.max(running.done);
                }
                Err(e) => {
                    running.state = "failed".into();
                    running.message = Some(e.to_string());
                }
            }
            if let Err(e) = engine.hr.update_sync_job(&running).await {
                tracing::error!(error = %e, job = %running.id, "could not record the end of a sync-now job");
            }
        });
        Ok(job)
    }

    async fn owner_count(&self, pair: Pair) -> SyncResult<i64> {
        Ok(pair.owner_count(&self.hr).await?)
    }

    /// Reconciles every record of `map`, a page of owners at a time, reporting progress to
    /// `job` when given.
    pub async fn full_sync(&self, map: &Map, mut job: Option<&mut SyncJob>) -> SyncResult<Applied> {
        let mut after = String::new();
        let mut total = Applied::default();
        let none = HashSet::new();
        // The changes recorded so far go first, by their own rules — a delete made while off is
        // undone rather than propagated, which a reconcile of both sides alone cannot tell.
        if self.hr.integration_enabled().await? {
            let _guard = self.lock_applies().await;
            while !self.hold_lease().await? {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            total.add(self.catch_up().await?);
        }
        // Pages are pipelined: a page's record (tracking rows, in the HR store) is written while
        // the next page is read and applied (in the scheduling store), so the two stores' writers
        // work at once. Records still commit in page order, and the apply lock is held across
        // the overlap, so no relay pass sees a page applied but not yet recorded; it is let go
        // every `PAGES_PER_LOCK` pages, once the last record is in, for live changes to pass.
        let mut pending: Option<(BatchRecord, i64, Applied)> = None;
        let mut guard = None;
        let mut pages_under_lock = 0;
        loop {
            if guard.is_none() {
                guard = Some(self.lock_applies().await);
            }
            // Another process's relay may hold the lease: wait for it.
            while !self.hold_lease().await? {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            let started = std::time::Instant::now();
            let recorded = async {
                match pending.take() {
                    Some((record, owners, applied)) => {
                        self.hr.record_batch(&record).await?;
                        tracing::debug!(took = ?started.elapsed(), "sync now page recorded");
                        SyncResult::Ok(Some((owners, applied)))
                    }
                    None => Ok(None),
                }
            };
            let applied = async {
                let page = self.next_owners(map, &after).await?;
                let Some(last) = page.last().cloned() else { return SyncResult::Ok(None) };
                let paged = started.elapsed();
                let mut record = BatchRecord::default();
                let applied =
                    self.reconcile(map, Selection::Owners(&page), &none, Deletes::default(), None, &mut record).await?;
                tracing::debug!(owners = page.len(), ?paged, reconciled = ?started.elapsed(), "sync now page");
                Ok(Some((record, page.len() as i64, applied, last)))
            };
            let (recorded, applied) = tokio::join!(recorded, applied);
            if let Some((owners, applied)) = recorded? {
                self.count_page(job.as_deref_mut(), &mut total, owners, applied).await?;
            }
            let Some((record, owners, applied, last)) = applied? else { break };
            pending = Some((record, owners, applied));
            after = last;
            pages_under_lock += 1;
            if pages_under_lock == PAGES_PER_LOCK {
                if let Some((record, owners, applied)) = pending.take() {
                    let started = std::time::Instant::now();
                    self.hr.record_batch(&record).await?;
                    tracing::debug!(took = ?started.elapsed(), "sync now page recorded alone");
                    self.count_page(job.as_deref_mut(), &mut total, owners, applied).await?;
                }
                guard = None;
                pages_under_lock = 0;
            }
        }
        Ok(total)
    }

    /// Counts a recorded page of `owners` into `total` and into the job's progress.
    async fn count_page(
        &self,
        job: Option<&mut SyncJob>,
        total: &mut Applied,
        owners: i64,
        applied: Applied,
    ) -> SyncResult<()> {
        total.add(applied);
        if let Some(job) = job {
            job.done += owners;
            job.errors += applied.errors as i64;
            self.hr.update_sync_job(job).await?;
        }
        Ok(())
    }

    /// The next `batch_size` owners after `after` on either side or in the tracking table.
    pub(crate) async fn next_owners(&self, map: &Map, after: &str) -> SyncResult<Vec<String>> {
        let limit = self.batch_size;
        let mut owners: BTreeSet<String> = BTreeSet::new();
        owners.extend(self.hr.sync_owners_after(map.pair, after, limit).await?);
        owners.extend(self.scheduling.sync_owners_after(map.pair, after, limit).await?);
        owners.extend(self.hr.tracking_owners_after(map.name(), after, limit).await?);
        Ok(owners.into_iter().take(limit as usize).collect())
    }
}
