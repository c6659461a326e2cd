//! The index: dense slots, bitmaps per characteristic and rating, per type, and active.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::NaiveDate;
use roaring::{MultiOps, RoaringBitmap};
use uuid::Uuid;

use crate::calendar::{from_us, to_us, Calendars};
use crate::doc::{HeldCharacteristic, Interval, ResourceDoc, WorkPeriod};

/// The in-memory index behind the resource finder. See the crate documentation.
#[derive(Debug, Default)]
pub struct ResourceIndex {
    pub(crate) ids: HashMap<Uuid, u32>,
    pub(crate) slots: Vec<Option<Entry>>,
    free_slots: Vec<u32>,
    pub(crate) active: RoaringBitmap,
    pub(crate) types: HashMap<String, RoaringBitmap>,
    /// Resource type names, interned for good like characteristic names; an entry keeps the
    /// position of its type here.
    type_names: Vec<String>,
    /// Characteristic names are interned for good (their number is small and bounded).
    pub(crate) char_ids: HashMap<String, u32>,
    /// By characteristic id.
    char_names: Vec<String>,
    pub(crate) chars: Vec<CharIndex>,
    pub(crate) calendars: Calendars,
}

/// A resource in its slot: what the search needs, precomputed, and no more. At a million
/// resources every byte here is a megabyte, so the document itself is not kept: names of
/// characteristics and types are interned, the calendar is shared, and [`ResourceIndex::get`]
/// puts a document back together when asked.
#[derive(Debug)]
pub(crate) struct Entry {
    pub id: Uuid,
    pub name: Box<str>,
    /// The name's first 16 bytes, big-endian, zero-padded: orders like the name whenever two
    /// keys differ, without following the name's pointer.
    pub name_key: u128,
    pub capacity: u32,
    pub calendar: u32,
    /// Position in `ResourceIndex::type_names`.
    pub resource_type: u32,
    /// Sorted by characteristic id.
    pub held: Box<[Held]>,
    /// Hard bookings in µs, sorted by start.
    pub bookings: Vec<(i64, i64)>,
    /// An upper bound on the length of any booking, to find the relevant ones by start.
    pub max_booking: i64,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Held {
    pub char_id: u32,
    pub certification: bool,
    /// Whether it has a rating at all (`rating` is then 0, as a search counts it).
    pub rated: bool,
    pub rating: i64,
    pub expires_on: Option<NaiveDate>,
}

impl Entry {
    /// The best rating among the holdings of `char_id` that count for a window ending on
    /// `end_date` (a certification expiring before that date does not count).
    pub fn best_rating(&self, char_id: u32, end_date: NaiveDate) -> Option<i64> {
        let start = self.held.partition_point(|h| h.char_id < char_id);
        self.held[start..]
            .iter()
            .take_while(|h| h.char_id == char_id)
            .filter(|h| !h.certification || h.expires_on.is_none_or(|d| d >= end_date))
            .map(|h| h.rating)
            .max()
    }

    /// A sorted run of bookings that contains every booking overlapping `[from, to)`.
    pub fn bookings_near(&self, from: i64, to: i64) -> &[(i64, i64)] {
        let lo_start = from.saturating_sub(self.max_booking);
        let lo = self.bookings.partition_point(|b| b.0 <= lo_start);
        let hi = self.bookings.partition_point(|b| b.0 < to);
        &self.bookings[lo..hi.max(lo)]
    }
}

/// Who holds one characteristic, by exact rating.
#[derive(Debug, Default)]
pub(crate) struct CharIndex {
    all: RoaringBitmap,
    /// Sorted by rating; no empty bitmaps.
    by_rating: Vec<(i64, RoaringBitmap)>,
}

impl CharIndex {
    fn insert(&mut self, rating: i64, slot: u32) {
        self.all.insert(slot);
        match self.by_rating.binary_search_by_key(&rating, |(r, _)| *r) {
            Ok(i) => {
                self.by_rating[i].1.insert(slot);
            }
            Err(i) => {
                let mut bitmap = RoaringBitmap::new();
                bitmap.insert(slot);
                self.by_rating.insert(i, (rating, bitmap));
            }
        }
    }

    fn remove(&mut self, rating: i64, slot: u32) {
        self.all.remove(slot);
        if let Ok(i) = self.by_rating.binary_search_by_key(&rating, |(r, _)| *r) {
            self.by_rating[i].1.remove(slot);
            if self.by_rating[i].1.is_empty() {
                self.by_rating.remove(i);
            }
        }
    }

    /// The slots holding this characteristic at a rating ≥ `min` (ignoring expiry).
    pub fn at_least(&self, min: i64) -> Cow<'_, RoaringBitmap> {
        let i = self.by_rating.partition_point(|(r, _)| *r < min);
        match &self.by_rating[i..] {
            [] => Cow::Owned(RoaringBitmap::new()),
            [(_, only)] => Cow::Borrowed(only),
            _ if i == 0 => Cow::Borrowed(&self.all),
            rest => Cow::Owned(rest.iter().map(|(_, b)| b).union()),
        }
    }
}

fn name_key(name: &str) -> u128 {
    let mut bytes = [0u8; 16];
    let n = name.len().min(16);
    bytes[..n].copy_from_slice(&name.as_bytes()[..n]);
    u128::from_be_bytes(bytes)
}

fn to_us_pair(i: &Interval) -> (i64, i64) {
    (to_us(i.start), to_us(i.end))
}

impl ResourceIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// Inserts a resource, or replaces the one with the same id (its old characteristics,
    /// type, calendar and bookings are all dropped).
    pub fn upsert(&mut self, mut doc: ResourceDoc) {
        let slot = match self.ids.get(&doc.id) {
            Some(&slot) => {
                self.unindex(slot);
                slot
            }
            None => {
                let slot = self.free_slots.pop().unwrap_or_else(|| {
                    self.slots.push(None);
                    (self.slots.len() - 1) as u32
                });
                self.ids.insert(doc.id, slot);
                slot
            }
        };

        let mut held = Vec::with_capacity(doc.characteristics.len());
        for c in &doc.characteristics {
            let char_id = match self.char_ids.get(&c.name) {
                Some(&id) => id,
                None => {
                    let id = self.chars.len() as u32;
                    self.chars.push(CharIndex::default());
                    self.char_ids.insert(c.name.clone(), id);
                    self.char_names.push(c.name.clone());
                    id
                }
            };
            let rating = c.rating.unwrap_or(0);
            self.chars[char_id as usize].insert(rating, slot);
            held.push(Held {
                char_id,
                certification: c.certification,
                rated: c.rating.is_some(),
                rating,
                expires_on: c.expires_on,
            });
        }
        held.sort_unstable_by_key(|h| h.char_id);

        if doc.active {
            self.active.insert(slot);
        }
        match self.types.get_mut(&doc.resource_type) {
            Some(bitmap) => {
                bitmap.insert(slot);
            }
            None => {
                let mut bitmap = RoaringBitmap::new();
                bitmap.insert(slot);
                self.types.insert(doc.resource_type.clone(), bitmap);
            }
        }
        let resource_type = match self.type_names.iter().position(|t| *t == doc.resource_type) {
            Some(i) => i as u32,
            None => {
                self.type_names.push(std::mem::take(&mut doc.resource_type));
                (self.type_names.len() - 1) as u32
            }
        };
        let calendar = self.calendars.acquire(doc.time_zone, &doc.work_hours);

        let mut bookings: Vec<(i64, i64)> = doc.hard_bookings.iter().map(to_us_pair).collect();
        bookings.sort_unstable();
        let max_booking = bookings.iter().map(|(s, e)| e - s).max().unwrap_or(0).max(0);
        self.slots[slot as usize] = Some(Entry {
            id: doc.id,
            name_key: name_key(&doc.name),
            name: doc.name.into_boxed_str(),
            capacity: doc.capacity,
            calendar,
            resource_type,
            held: held.into_boxed_slice(),
            bookings,
            max_booking,
        });
    }

    /// Removes a resource; returns whether it was indexed.
    pub fn remove(&mut self, id: Uuid) -> bool {
        let Some(slot) = self.ids.remove(&id) else {
            return false;
        };
        self.unindex(slot);
        self.slots[slot as usize] = None;
        self.free_slots.push(slot);
        true
    }

    /// Takes the entry out of every bitmap and releases its calendar; leaves the slot empty.
    fn unindex(&mut self, slot: u32) -> Entry {
        let entry = self.slots[slot as usize].take().expect("an indexed id has an entry");
        for h in &entry.held {
            self.chars[h.char_id as usize].remove(h.rating, slot);
        }
        self.active.remove(slot);
        let resource_type = &self.type_names[entry.resource_type as usize];
        if let Some(bitmap) = self.types.get_mut(resource_type) {
            bitmap.remove(slot);
            if bitmap.is_empty() {
                self.types.remove(resource_type);
            }
        }
        self.calendars.release(entry.calendar);
        entry
    }

    /// Adds a hard booking to a resource; returns false when the id is unknown.
    pub fn add_hard_booking(&mut self, id: Uuid, interval: Interval) -> bool {
        let Some(entry) = self.entry_mut(id) else {
            return false;
        };
        let (s, e) = to_us_pair(&interval);
        let i = entry.bookings.partition_point(|b| *b <= (s, e));
        entry.bookings.insert(i, (s, e));
        entry.max_booking = entry.max_booking.max(e - s);
        true
    }

    /// Removes one hard booking equal to `interval`; returns whether one was found.
    pub fn remove_hard_booking(&mut self, id: Uuid, interval: Interval) -> bool {
        let Some(entry) = self.entry_mut(id) else {
            return false;
        };
        match entry.bookings.binary_search(&to_us_pair(&interval)) {
            Ok(i) => {
                entry.bookings.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The document as indexed, put back together: its calendar normalised (sorted, touching
    /// periods merged), characteristics by name, hard bookings sorted and to the microsecond.
    pub fn get(&self, id: Uuid) -> Option<ResourceDoc> {
        let slot = *self.ids.get(&id)?;
        Some(self.doc(slot, self.slots[slot as usize].as_ref()?))
    }

    /// Every indexed document (see [`ResourceIndex::get`]), in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = ResourceDoc> + '_ {
        self.ids.values().filter_map(|&slot| Some(self.doc(slot, self.slots[slot as usize].as_ref()?)))
    }

    fn doc(&self, slot: u32, entry: &Entry) -> ResourceDoc {
        let calendar = self.calendars.get(entry.calendar);
        ResourceDoc {
            id: entry.id,
            name: entry.name.to_string(),
            resource_type: self.type_names[entry.resource_type as usize].clone(),
            active: self.active.contains(slot),
            time_zone: calendar.tz,
            capacity: entry.capacity,
            work_hours: calendar
                .periods
                .iter()
                .map(|&(day, start_minute, end_minute)| WorkPeriod {
                    weekday: chrono::Weekday::try_from(day).expect("weekdays are stored from 0 to 6"),
                    start_minute,
                    end_minute,
                })
                .collect(),
            characteristics: entry
                .held
                .iter()
                .map(|h| HeldCharacteristic {
                    name: self.char_names[h.char_id as usize].clone(),
                    rating: h.rated.then_some(h.rating),
                    certification: h.certification,
                    expires_on: h.expires_on,
                })
                .collect(),
            hard_bookings: entry.bookings.iter().map(|&(s, e)| Interval::new(from_us(s), from_us(e))).collect(),
        }
    }

    pub(crate) fn entry(&self, id: Uuid) -> Option<&Entry> {
        let slot = *self.ids.get(&id)?;
        self.slots[slot as usize].as_ref()
    }

    fn entry_mut(&mut self, id: Uuid) -> Option<&mut Entry> {
        let slot = *self.ids.get(&id)?;
        self.slots[slot as usize].as_mut()
    }

    pub(crate) fn type_name(&self, entry: &Entry) -> &str {
        &self.type_names[entry.resource_type as usize]
    }

    pub(crate) fn slot(&self, slot: u32) -> &Entry {
        self.slots[slot as usize].as_ref().expect("bitmaps hold only live slots")
    }
}

impl Extend<ResourceDoc> for ResourceIndex {
    fn extend<I: IntoIterator<Item = ResourceDoc>>(&mut self, docs: I) {
        for doc in docs {
            self.upsert(doc);
        }
    }
}

impl FromIterator<ResourceDoc> for ResourceIndex {
    fn from_iter<I: IntoIterator<Item = ResourceDoc>>(docs: I) -> Self {
        let mut index = ResourceIndex::new();
        index.extend(docs);
        index
    }
}
