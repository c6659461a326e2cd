//! The live resource finder: the in-memory index of `hrbridge-finder`, built from the scheduling
//! store at start and kept fresh from its outbox. Every scheduling write handler refreshes it
//! before answering, and every search refreshes it first (one cheap query when nothing changed),
//! so a search sees a write the moment it commits, even one made by another process.

use hrbridge_domain::scheduling::CharacteristicType;
use hrbridge_finder::{HeldCharacteristic, Interval, Match, Query, ResourceDoc, ResourceIndex, WorkPeriod};
use hrbridge_store::scheduling::outbox::{entity, OutboxEntry};
use hrbridge_store::scheduling::{ResourceSnapshot, SchedulingStore};
use hrbridge_store::StoreResult;
use std::collections::{BTreeMap, HashSet};
use std::sync::RwLock;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// How many outbox entries one refresh reads at a time.
const OUTBOX_PAGE: i64 = 10_000;
/// How long a hole in the outbox's seqs is looked at again before it is taken for a rolled-back
/// transaction's.
const GAP_PATIENCE: Duration = Duration::from_secs(60);
/// How many pages of snapshots a rebuild reads at once.
const PAGES_AT_ONCE: usize = 2;
/// How many changed resources a refresh reads (in one query) and indexes at a time.
const REFRESH_CHUNK: usize = 2_500;
/// The most holes remembered at once (the oldest are dropped first).
const MAX_GAPS: usize = 10_000;

pub struct Finder {
    index: RwLock<ResourceIndex>,
    /// How far the index has applied the scheduling outbox; held while refreshing so that
    /// refreshes apply in order.
    progress: tokio::sync::Mutex<Progress>,
}

/// The last outbox seq applied, and the seqs below it not seen yet. On PostgreSQL a seq is taken
/// before its transaction commits, so a lower one can become visible after higher ones: each
/// refresh looks for the holes again, until they fill or `GAP_PATIENCE` passes.
struct Progress {
    applied: i64,
    gaps: BTreeMap<i64, Instant>,
}

/// What the outbox says changed since the last refresh.
#[derive(Default)]
struct Changed {
    resources: HashSet<Uuid>,
    everything: bool,
}

impl Finder {
    /// Builds the index from every resource in the store.
    pub async fn load(store: &SchedulingStore) -> StoreResult<Self> {
        // Note where the outbox is before reading, so changes made while loading are re-applied.
        let applied = last_seq(store, 0).await?;
        let index = build_index(store).await?;
        let progress = Progress { applied, gaps: BTreeMap::new() };
        Ok(Self { index: RwLock::new(index), progress: tokio::sync::Mutex::new(progress) })
    }

    /// Applies what the outbox recorded since the last refresh.
    pub async fn refresh(&self, store: &SchedulingStore) -> StoreResult<()> {
        let mut progress = self.progress.lock().await;
        let mut changed = Changed::default();
        loop {
            let entries = store.outbox_after(progress.applied, OUTBOX_PAGE).await?;
            let Some(last) = entries.last() else { break };
            let mut expected = progress.applied + 1;
            for e in &entries {
                for hole in expected..e.seq {
                    progress.gaps.insert(hole, Instant::now());
                }
                expected = e.seq + 1;
                changed.note_entry(e);
            }
            progress.applied = last.seq;
        }
        if !progress.gaps.is_empty() {
            let holes: Vec<i64> = progress.gaps.keys().copied().collect();
            for e in store.outbox_entries(&holes).await? {
                progress.gaps.remove(&e.seq);
                changed.note_entry(&e);
            }
            progress.gaps.retain(|_, since| since.elapsed() < GAP_PATIENCE);
            while progress.gaps.len() > MAX_GAPS {
                progress.gaps.pop_first();
            }
        }
        if changed.everything {
            let index = build_index(store).await?;
            *self.index.write().expect("finder index lock") = index;
        } else if !changed.resources.is_empty() {
            let ids: Vec<Uuid> = changed.resources.into_iter().collect();
            // A chunk at a time, so that a refresh behind a bulk sync (tens of thousands of
            // resources) holds one chunk's snapshots at once, and the index's lock as briefly.
            for chunk in ids.chunks(REFRESH_CHUNK) {
                let snapshots = store.resource_snapshots(Some(chunk)).await?;
                let mut index = self.index.write().expect("finder index lock");
                let found: HashSet<Uuid> = snapshots.iter().map(|s| s.id).collect();
                for id in chunk.iter().filter(|id| !found.contains(id)) {
                    index.remove(*id);
                }
                for snapshot in snapshots {
                    index.upsert(doc_from(snapshot));
                }
            }
        }
        Ok(())
    }

    pub fn search(&self, query: &Query) -> Vec<Match> {
        self.index.read().expect("finder index lock").search(query)
    }

    pub fn len(&self) -> usize {
        self.index.read().expect("finder index lock").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Changed {
    /// Notes what an outbox entry changed.
    fn note_entry(&mut self, e: &OutboxEntry) {
        match e.entity.as_str() {
            entity::BOOKABLE_RESOURCE => self.note(&e.record_id),
            entity::RESOURCE_CHARACTERISTIC | entity::BOOKING => {
                self.note(e.entity_key.split('/').next().unwrap_or(""))
            }
            entity::CHARACTERISTIC | entity::RATING_MODEL | entity::RATING_VALUE => self.everything = true,
            _ => {}
        }
    }

    fn note(&mut self, id: &str) {
        match Uuid::parse_str(id) {
            Ok(id) => {
                self.resources.insert(id);
            }
            // A key that names no resource: reload everything rather than guess.
            Err(_) => self.everything = true,
        }
    }
}

/// An index of every resource in the store. Pages are read two at a time (each on its own
/// connection, so on its own SQLite thread) and parsed by one task while this one indexes the
/// pages before, so loading and indexing overlap.
async fn build_index(store: &SchedulingStore) -> StoreResult<ResourceIndex> {
    use futures::StreamExt;
    let pages = std::sync::Arc::new(store.snapshot_pages().await?);
    let (sender, mut receiver) = tokio::sync::mpsc::channel(PAGES_AT_ONCE);
    let reader = tokio::spawn(async move {
        let mut loaded = futures::stream::iter(0..pages.len())
            .map(|page| {
                let pages = pages.clone();
                async move { pages.page(page).await }
            })
            .buffer_unordered(PAGES_AT_ONCE);
        while let Some(page) = loaded.next().await {
            let failed = page.is_err();
            if sender.send(page).await.is_err() || failed {
                return;
            }
        }
    });
    let mut index = ResourceIndex::new();
    while let Some(page) = receiver.recv().await {
        for snapshot in page? {
            index.upsert(doc_from(snapshot));
        }
    }
    // Every page has been sent (an error returned above, which drops the receiver).
    reader.await.expect("the snapshot reader does not panic");
    Ok(index)
}

async fn last_seq(store: &SchedulingStore, mut after: i64) -> StoreResult<i64> {
    loop {
        let entries = store.outbox_after(after, OUTBOX_PAGE).await?;
        match entries.last() {
            Some(last) => after = last.seq,
            None => return Ok(after),
        }
    }
}

/// The finder's view of a stored resource.
pub fn doc_from(snapshot: ResourceSnapshot) -> ResourceDoc {
    let weekday = |n: u8| match n {
        1 => chrono::Weekday::Mon,
        2 => chrono::Weekday::Tue,
        3 => chrono::Weekday::Wed,
        4 => chrono::Weekday::Thu,
        5 => chrono::Weekday::Fri,
        6 => chrono::Weekday::Sat,
        _ => chrono::Weekday::Sun,
    };
    ResourceDoc {
        id: snapshot.id,
        name: snapshot.name,
        resource_type: snapshot.resource_type.as_str().to_string(),
        active: snapshot.active,
        time_zone: snapshot.time_zone.parse().unwrap_or(chrono_tz::UTC),
        capacity: u32::try_from(snapshot.capacity).unwrap_or(1).max(1),
        work_hours: snapshot
            .work_hours
            .iter()
            .map(|w| WorkPeriod { weekday: weekday(w.weekday), start_minute: w.start_minute, end_minute: w.end_minute })
            .collect(),
        characteristics: snapshot
            .characteristics
            .into_iter()
            .map(|c| HeldCharacteristic {
                certification: c.characteristic_type == CharacteristicType::Certification,
                name: c.name,
                rating: c.rating,
                expires_on: c.expires_on,
            })
            .collect(),
        hard_bookings: snapshot.hard_bookings.into_iter().map(|(start, end)| Interval::new(start, end)).collect(),
    }
}
