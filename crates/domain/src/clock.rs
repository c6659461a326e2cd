//! Time and new ids are injected (DESIGN.md invariant 8): production uses the system clock and
//! snowflake-style ids, tests use a manual clock and sequential ids.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;

/// A record id in the HR store: a 64-bit integer, like the seeds' RecId.
pub type RecId = i64;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
    fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        // Microsecond precision: what both databases store.
        let now = Utc::now();
        DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
    }
}

/// A clock that only moves when told to.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self(Mutex::new(start))
    }
    pub fn advance(&self, by: Duration) {
        *self.0.lock().expect("clock lock") += by;
    }
    pub fn set(&self, to: DateTime<Utc>) {
        *self.0.lock().expect("clock lock") = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock lock")
    }
}

pub trait IdGen: Send + Sync + 'static {
    /// A new HR record id, unique across processes sharing a database.
    fn next_rec_id(&self) -> RecId;
    /// A new scheduling-store id: a UUID v7 (time-ordered, like a Dataverse GUID).
    fn next_uuid(&self) -> uuid::Uuid;
}

/// Ids from a counter: readable and repeatable in tests.
#[derive(Debug)]
pub struct SequentialIds(AtomicI64);

impl SequentialIds {
    pub fn starting_at(first: i64) -> Self {
        Self(AtomicI64::new(first))
    }
}

impl IdGen for SequentialIds {
    fn next_rec_id(&self) -> RecId {
        self.0.fetch_add(1, Ordering::Relaxed)
    }
    /// A v7 UUID whose timestamp and counter come from the same counter: ordered and repeatable.
    fn next_uuid(&self) -> uuid::Uuid {
        let n = self.0.fetch_add(1, Ordering::Relaxed) as u64;
        let ts = uuid::Timestamp::from_unix_time(1_700_000_000 + n / 1000, ((n % 1000) * 1_000_000) as u32, 0, 0);
        let mut bytes = *uuid::Uuid::new_v7(ts).as_bytes();
        bytes[8..16].copy_from_slice(&((n as u128) & 0x3fff_ffff_ffff_ffff).to_be_bytes()[8..16]);
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        uuid::Uuid::from_bytes(bytes)
    }
}

/// Snowflake-style ids: 41 bits of milliseconds since 2020-01-01, 10 bits of node, 12 bits of
/// sequence. The node is random per process, so two processes on one database do not collide in
/// practice; the primary key still guards against it.
#[derive(Debug)]
pub struct SnowflakeIds {
    node: i64,
    state: Mutex<(i64, i64)>,
}

const EPOCH_2020_MS: i64 = 1_577_836_800_000;

impl SnowflakeIds {
    pub fn new(node: u16) -> Self {
        Self { node: i64::from(node & 0x3ff), state: Mutex::new((0, 0)) }
    }
}

impl IdGen for SnowflakeIds {
    fn next_rec_id(&self) -> RecId {
        let mut state = self.state.lock().expect("id lock");
        let mut ms = Utc::now().timestamp_millis() - EPOCH_2020_MS;
        if ms <= state.0 {
            // Same millisecond (or the clock stepped back): take the next sequence number,
            // borrowing from the next millisecond when the sequence runs out.
            ms = state.0;
            state.1 += 1;
            if state.1 > 0xfff {
                ms += 1;
                state.1 = 0;
            }
        } else {
            state.1 = 0;
        }
        state.0 = ms;
        (ms << 22) | (self.node << 12) | state.1
    }
    fn next_uuid(&self) -> uuid::Uuid {
        uuid::Uuid::now_v7()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn snowflake_ids_are_unique_and_increasing() {
        let ids = SnowflakeIds::new(7);
        let mut seen = HashSet::new();
        let mut last = 0;
        for _ in 0..50_000 {
            let id = ids.next_rec_id();
            assert!(id > last, "{id} after {last}");
            assert!(seen.insert(id));
            last = id;
        }
    }

    #[test]
    fn uuids_are_v7_unique_and_ordered() {
        for ids in [&SnowflakeIds::new(1) as &dyn IdGen, &SequentialIds::starting_at(1)] {
            let a = ids.next_uuid();
            let b = ids.next_uuid();
            assert_eq!(a.get_version_num(), 7);
            assert!(b > a, "{b} after {a}");
        }
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let start = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let clock = ManualClock::new(start);
        assert_eq!(clock.now(), start);
        clock.advance(Duration::seconds(5));
        assert_eq!(clock.now(), start + Duration::seconds(5));
    }
}
