//! Weekly calendars (a zone plus work periods), interned so that resources sharing one share
//! its expansion, and their expansion into UTC working intervals for a window.
//!
//! Times inside the crate are `i64` microseconds since the Unix epoch ("µs").

use std::collections::HashMap;

use chrono::{DateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use crate::doc::WorkPeriod;

pub(crate) const US_PER_SEC: i64 = 1_000_000;
pub(crate) const US_PER_MIN: i64 = 60 * US_PER_SEC;
pub(crate) const US_PER_DAY: i64 = 86_400 * US_PER_SEC;
/// How far apart the zone's offset is sampled when looking for DST transitions.
const SAMPLE_STEP: i64 = 6 * 3_600 * US_PER_SEC;

pub(crate) fn to_us(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

pub(crate) fn from_us(us: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(us).expect("µs values come from valid DateTimes")
}

/// A normalised calendar: the zone and, per weekday (0 = Monday), merged minute ranges.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct CalendarKey {
    pub tz: Tz,
    /// `(weekday from Monday, start minute, end minute)`, sorted, merged, non-empty.
    pub periods: Vec<(u8, u16, u16)>,
}

impl CalendarKey {
    pub fn new(tz: Tz, work_hours: &[WorkPeriod]) -> Self {
        let mut raw: Vec<(u8, u16, u16)> = work_hours
            .iter()
            .map(|p| {
                let day = p.weekday.num_days_from_monday() as u8;
                (day, p.start_minute.min(1440), p.end_minute.min(1440))
            })
            .filter(|&(_, s, e)| s < e)
            .collect();
        raw.sort_unstable();
        let mut periods: Vec<(u8, u16, u16)> = Vec::with_capacity(raw.len());
        for (day, s, e) in raw {
            match periods.last_mut() {
                Some(last) if last.0 == day && s <= last.2 => last.2 = last.2.max(e),
                _ => periods.push((day, s, e)),
            }
        }
        CalendarKey { tz, periods }
    }
}

/// Interned calendars with reference counts; ids are reused after release.
#[derive(Debug, Default)]
pub(crate) struct Calendars {
    ids: HashMap<CalendarKey, u32>,
    entries: Vec<Option<(CalendarKey, u32)>>,
    free: Vec<u32>,
}

impl Calendars {
    pub fn acquire(&mut self, tz: Tz, work_hours: &[WorkPeriod]) -> u32 {
        let key = CalendarKey::new(tz, work_hours);
        if let Some(&id) = self.ids.get(&key) {
            if let Some((_, refs)) = &mut self.entries[id as usize] {
                *refs += 1;
            }
            return id;
        }
        let id = match self.free.pop() {
            Some(id) => id,
            None => {
                self.entries.push(None);
                (self.entries.len() - 1) as u32
            }
        };
        self.ids.insert(key.clone(), id);
        self.entries[id as usize] = Some((key, 1));
        id
    }

    pub fn release(&mut self, id: u32) {
        let slot = &mut self.entries[id as usize];
        if let Some((key, refs)) = slot {
            *refs -= 1;
            if *refs == 0 {
                self.ids.remove(key);
                *slot = None;
                self.free.push(id);
            }
        }
    }

    pub fn get(&self, id: u32) -> &CalendarKey {
        &self.entries[id as usize].as_ref().expect("calendar id in use").0
    }

    /// One past the highest id ever handed out.
    pub fn id_bound(&self) -> usize {
        self.entries.len()
    }
}

/// A stretch of time `[start, end)` (µs) over which the zone's UTC offset is `offset` (µs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Segment {
    pub start: i64,
    pub end: i64,
    pub offset: i64,
}

fn offset_at(tz: Tz, us: i64) -> i64 {
    let off = tz.offset_from_utc_datetime(&from_us(us).naive_utc());
    i64::from(off.fix().local_minus_utc()) * US_PER_SEC
}

/// Splits `[from, to)` where the zone's offset changes (DST and other transitions).
///
/// The offset is sampled every six hours and each change is located to the microsecond, so two
/// transitions less than six hours apart would be missed (no zone has had such a pair in the
/// era a scheduler cares about).
pub(crate) fn offset_segments(tz: Tz, from: i64, to: i64) -> Vec<Segment> {
    if from >= to {
        return Vec::new();
    }
    let mut segments = Vec::new();
    let mut seg_start = from;
    let mut offset = offset_at(tz, from);
    let mut t = from;
    let last = to - 1;
    while t < last {
        let next = t.saturating_add(SAMPLE_STEP).min(last);
        if offset_at(tz, next) == offset {
            t = next;
            continue;
        }
        // offset(lo) == offset, offset(hi) != offset.
        let (mut lo, mut hi) = (t, next);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if offset_at(tz, mid) == offset {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        segments.push(Segment { start: seg_start, end: hi, offset });
        seg_start = hi;
        offset = offset_at(tz, hi);
        t = hi;
    }
    segments.push(Segment { start: seg_start, end: to, offset });
    segments
}

/// The working time of a calendar within a window: sorted, disjoint, non-touching intervals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct WorkWindow {
    pub intervals: Vec<(i64, i64)>,
    pub total: i64,
}

/// Expands a calendar over `[from, to)` given the zone's offset segments for that window.
///
/// An instant is working time when its wall-clock time in the zone falls inside a period of
/// that local weekday: within a segment of offset `o`, local `[a, b)` is UTC `[a − o, b − o)`.
/// So hours skipped by a DST jump are not worked, and a repeated hour is worked both times.
pub(crate) fn work_window(key: &CalendarKey, segments: &[Segment]) -> WorkWindow {
    let (Some(first), Some(last)) = (segments.first(), segments.last()) else {
        return WorkWindow::default();
    };
    if key.periods.is_empty() {
        return WorkWindow::default();
    }
    let (from, to) = (first.start, last.end);
    let min_off = segments.iter().map(|s| s.offset).min().unwrap_or(0);
    let max_off = segments.iter().map(|s| s.offset).max().unwrap_or(0);
    let first_day = (from + min_off).div_euclid(US_PER_DAY) - 1;
    let last_day = (to - 1 + max_off).div_euclid(US_PER_DAY) + 1;

    let mut intervals = Vec::new();
    for day in first_day..=last_day {
        // 1970-01-01 (day 0) was a Thursday, weekday 3 counting from Monday.
        let weekday = (day + 3).rem_euclid(7) as u8;
        let midnight = day * US_PER_DAY;
        for &(_, a, b) in key.periods.iter().filter(|p| p.0 == weekday) {
            let local_start = midnight + i64::from(a) * US_PER_MIN;
            let local_end = midnight + i64::from(b) * US_PER_MIN;
            for seg in segments {
                let start = (local_start - seg.offset).max(seg.start);
                let end = (local_end - seg.offset).min(seg.end);
                if start < end {
                    intervals.push((start, end));
                }
            }
        }
    }
    intervals.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::with_capacity(intervals.len());
    for (s, e) in intervals {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    let total = merged.iter().map(|(s, e)| e - s).sum();
    WorkWindow { intervals: merged, total }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Weekday;

    fn us(s: &str) -> i64 {
        to_us(s.parse::<DateTime<Utc>>().unwrap())
    }

    #[test]
    fn key_merges_and_drops_empty_periods() {
        let p = |weekday, start_minute, end_minute| WorkPeriod { weekday, start_minute, end_minute };
        let key = CalendarKey::new(
            Tz::UTC,
            &[
                p(Weekday::Tue, 600, 700),
                p(Weekday::Mon, 480, 600),
                p(Weekday::Mon, 540, 720),
                p(Weekday::Mon, 720, 800),
                p(Weekday::Wed, 500, 500),
                p(Weekday::Thu, 1000, 2000),
            ],
        );
        assert_eq!(key.periods, vec![(0, 480, 800), (1, 600, 700), (3, 1000, 1440)]);
    }

    #[test]
    fn london_spring_transition_is_found_exactly() {
        let segs = offset_segments(chrono_tz::Europe::London, us("2024-03-30T00:00:00Z"), us("2024-04-01T00:00:00Z"));
        assert_eq!(segs.len(), 2);
        assert_eq!(segs[0].end, us("2024-03-31T01:00:00Z"));
        assert_eq!(segs[0].offset, 0);
        assert_eq!(segs[1].offset, 3_600 * US_PER_SEC);
    }

    #[test]
    fn calendars_are_shared_and_released() {
        let mut cals = Calendars::default();
        let a = cals.acquire(Tz::UTC, &WorkPeriod::default_week());
        let b = cals.acquire(Tz::UTC, &WorkPeriod::default_week());
        let c = cals.acquire(chrono_tz::Europe::London, &WorkPeriod::default_week());
        assert_eq!(a, b);
        assert_ne!(a, c);
        cals.release(a);
        cals.release(b);
        let d = cals.acquire(chrono_tz::Asia::Tokyo, &[]);
        assert_eq!(d, a, "the released id is reused");
        assert_eq!(cals.get(c).tz, chrono_tz::Europe::London);
    }
}
