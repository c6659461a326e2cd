//! Search: bitmap intersection, then free time and ranking for the candidates only.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use roaring::{MultiOps, RoaringBitmap};
use uuid::Uuid;

use crate::calendar::{from_us, offset_segments, to_us, work_window, Segment, WorkWindow, US_PER_MIN};
use crate::doc::{Interval, Match, MatchedCharacteristic, Query, MAX_LIMIT};
use crate::free_time::{free_pieces, free_total, Scratch};
use crate::index::{Entry, ResourceIndex};

/// Working windows computed once per calendar (and offsets once per zone) for one window.
struct WindowCache {
    from: i64,
    to: i64,
    segments: HashMap<Tz, Vec<Segment>>,
    windows: Vec<Option<WorkWindow>>,
    scratch: Scratch,
}

impl WindowCache {
    fn new(index: &ResourceIndex, from: i64, to: i64) -> Self {
        WindowCache {
            from,
            to,
            segments: HashMap::new(),
            windows: vec![None; index.calendars.id_bound()],
            scratch: Scratch::default(),
        }
    }

    fn window(&mut self, index: &ResourceIndex, calendar: u32) -> &WorkWindow {
        let (from, to) = (self.from, self.to);
        let segments = &mut self.segments;
        self.windows[calendar as usize].get_or_insert_with(|| {
            let key = index.calendars.get(calendar);
            let segs = segments.entry(key.tz).or_insert_with(|| offset_segments(key.tz, from, to));
            work_window(key, segs)
        })
    }

    /// Free µs of a resource in the window.
    fn free_us(&mut self, index: &ResourceIndex, entry: &Entry) -> i64 {
        let (from, to) = (self.from, self.to);
        self.window(index, entry.calendar);
        let window = self.windows[entry.calendar as usize].as_ref().expect("just computed");
        free_total(
            &window.intervals,
            window.total,
            entry.bookings_near(from, to),
            entry.capacity,
            from,
            to,
            &mut self.scratch,
        )
    }
}

/// A match being ranked. Ordered by rank: "less" ranks first (score descending, free minutes
/// descending, name, id), so a max-heap keeps the worst on top.
#[derive(Clone, Copy)]
struct Ranked<'a> {
    score: i64,
    free_minutes: i64,
    slot: u32,
    index: &'a ResourceIndex,
}

impl Ord for Ranked<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        other.score.cmp(&self.score).then(other.free_minutes.cmp(&self.free_minutes)).then_with(|| {
            let a = self.index.slot(self.slot);
            let b = other.index.slot(other.slot);
            a.name_key.cmp(&b.name_key).then_with(|| a.name.cmp(&b.name)).then(a.id.cmp(&b.id))
        })
    }
}

impl PartialOrd for Ranked<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.slot == other.slot
    }
}

impl Eq for Ranked<'_> {}

impl ResourceIndex {
    /// Ranked matches for a query; see the crate documentation for the exact rules.
    pub fn search(&self, query: &Query) -> Vec<Match> {
        let limit = query.limit.clamp(1, MAX_LIMIT);
        let Some((candidates, char_ids)) = self.candidates(query) else {
            return Vec::new();
        };
        let end_date = query.to.date_naive();
        let mut cache = WindowCache::new(self, to_us(query.from), to_us(query.to));
        // The worst of the best `limit` so far is on top; a candidate that cannot beat it even
        // with all its working time free is skipped before its bookings are looked at.
        let mut best: BinaryHeap<Ranked<'_>> = BinaryHeap::with_capacity(limit + 1);
        'candidates: for slot in candidates.iter() {
            let entry = self.slot(slot);
            let mut score = 0i64;
            for (req, &char_id) in query.characteristics.iter().zip(&char_ids) {
                match entry.best_rating(char_id, end_date) {
                    Some(rating) if rating >= req.min_rating => {
                        score = score.saturating_add(rating.saturating_sub(req.min_rating));
                    }
                    _ => continue 'candidates,
                }
            }
            let mut candidate = Ranked {
                score,
                free_minutes: cache.window(self, entry.calendar).total / US_PER_MIN,
                slot,
                index: self,
            };
            if candidate.free_minutes < query.duration_minutes {
                continue;
            }
            let cannot_enter = |c: &Ranked<'_>, best: &BinaryHeap<Ranked<'_>>| {
                best.len() == limit && best.peek().is_some_and(|worst| c > worst)
            };
            if cannot_enter(&candidate, &best) {
                continue;
            }
            candidate.free_minutes = cache.free_us(self, entry) / US_PER_MIN;
            if candidate.free_minutes < query.duration_minutes || cannot_enter(&candidate, &best) {
                continue;
            }
            best.push(candidate);
            if best.len() > limit {
                best.pop();
            }
        }
        best.into_sorted_vec()
            .iter()
            .enumerate()
            .map(|(i, r)| self.to_match(query, &char_ids, end_date, i + 1, r))
            .collect()
    }

    /// The free intervals of a resource within `[from, to)`: working time in its zone where
    /// fewer hard bookings overlap than its capacity. Empty for an unknown id.
    pub fn free_intervals(&self, id: Uuid, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Interval> {
        let Some(entry) = self.entry(id) else {
            return Vec::new();
        };
        let (from, to) = (to_us(from), to_us(to));
        let mut cache = WindowCache::new(self, from, to);
        cache.window(self, entry.calendar);
        let window = cache.windows[entry.calendar as usize].as_ref().expect("just computed");
        free_pieces(&window.intervals, entry.bookings_near(from, to), entry.capacity, from, to, &mut cache.scratch)
            .into_iter()
            .map(|(s, e)| Interval::new(from_us(s), from_us(e)))
            .collect()
    }

    /// Free working minutes of a resource within `[from, to)` (rounded down), as `search`
    /// computes them. `None` for an unknown id.
    pub fn free_minutes(&self, id: Uuid, from: DateTime<Utc>, to: DateTime<Utc>) -> Option<i64> {
        let entry = self.entry(id)?;
        let mut cache = WindowCache::new(self, to_us(from), to_us(to));
        Some(cache.free_us(self, entry) / US_PER_MIN)
    }

    /// Active resources of the wanted types holding every requirement at ≥ its minimum
    /// (expiry not yet checked), with the requirements' characteristic ids; `None` when no
    /// resource can match.
    fn candidates(&self, query: &Query) -> Option<(RoaringBitmap, Vec<u32>)> {
        let mut char_ids = Vec::with_capacity(query.characteristics.len());
        let mut bitmaps = Vec::with_capacity(query.characteristics.len());
        for req in &query.characteristics {
            let char_id = *self.char_ids.get(&req.name)?;
            char_ids.push(char_id);
            bitmaps.push(self.chars[char_id as usize].at_least(req.min_rating));
        }
        bitmaps.sort_unstable_by_key(|b| b.len());
        let mut candidates = match bitmaps.first() {
            Some(smallest) => smallest.as_ref() & &self.active,
            None => self.active.clone(),
        };
        for bitmap in bitmaps.iter().skip(1) {
            if candidates.is_empty() {
                return None;
            }
            candidates &= bitmap.as_ref();
        }
        if let Some(types) = &query.resource_types {
            let wanted: RoaringBitmap = types.iter().filter_map(|t| self.types.get(t)).union();
            candidates &= wanted;
        }
        Some((candidates, char_ids))
    }

    fn to_match(&self, query: &Query, char_ids: &[u32], end_date: NaiveDate, rank: usize, r: &Ranked<'_>) -> Match {
        let entry = self.slot(r.slot);
        let matched: Vec<MatchedCharacteristic> = query
            .characteristics
            .iter()
            .zip(char_ids)
            .map(|(req, &char_id)| MatchedCharacteristic {
                name: req.name.clone(),
                rating: entry.best_rating(char_id, end_date).unwrap_or(0),
                min_rating: req.min_rating,
            })
            .collect();
        let reason = reason(&matched, r.free_minutes);
        Match {
            id: entry.id,
            name: entry.name.to_string(),
            resource_type: self.type_name(entry).to_string(),
            rank,
            score: r.score,
            matched,
            free_minutes: r.free_minutes,
            reason,
        }
    }
}

/// "holds Welding 5 (min 3), Forklift 2 (min 1); 37.5 free hours in the window".
pub(crate) fn reason(matched: &[MatchedCharacteristic], free_minutes: i64) -> String {
    let hours = free_hours(free_minutes);
    if matched.is_empty() {
        return format!("no characteristics required; {hours} in the window");
    }
    let held: Vec<String> = matched.iter().map(|m| format!("{} {} (min {})", m.name, m.rating, m.min_rating)).collect();
    format!("holds {}; {hours} in the window", held.join(", "))
}

/// "37.5 free hours", "1 free hour", "0.33 free hours".
fn free_hours(minutes: i64) -> String {
    let mut text = format!("{:.2}", minutes as f64 / 60.0);
    if text.contains('.') {
        let trimmed = text.trim_end_matches('0').trim_end_matches('.').len();
        text.truncate(trimmed);
    }
    let unit = if text == "1" { "hour" } else { "hours" };
    format!("{text} free {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_short_and_plain() {
        assert_eq!(free_hours(2250), "37.5 free hours");
        assert_eq!(free_hours(2400), "40 free hours");
        assert_eq!(free_hours(60), "1 free hour");
        assert_eq!(free_hours(20), "0.33 free hours");
        assert_eq!(free_hours(0), "0 free hours");
    }

    #[test]
    fn reason_reads_as_a_sentence() {
        let m = |name: &str, rating, min_rating| MatchedCharacteristic { name: name.into(), rating, min_rating };
        assert_eq!(
            reason(&[m("Welding", 5, 3), m("Forklift", 2, 1)], 2250),
            "holds Welding 5 (min 3), Forklift 2 (min 1); 37.5 free hours in the window"
        );
        assert_eq!(reason(&[], 480), "no characteristics required; 8 free hours in the window");
    }
}
