//! What the sync engine keeps and reads: the tracking table, outbox cursors, the conflict
//! journal, the error queue, jobs and runs (all in the HR store), and each side's records of a
//! map read as [`Projection`]s and written in batches.
//!
//! The engine (crate `hrbridge-sync`) decides; this module only reads and writes.

pub mod hr_side;
pub mod journal;
pub mod pairs;
pub mod scheduling_side;
pub mod state;
pub mod throughput;

pub use pairs::Pair;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One side's record of a map, as the engine compares it: its integration key, its id on that
/// side (an HR `rec_id` or a scheduling UUID, as text), its version and last change, and its
/// fields by the names the maps file uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Projection {
    pub key: String,
    pub reference: String,
    pub version: i64,
    pub modified_at: DateTime<Utc>,
    pub modified_by: String,
    pub fields: Map<String, Value>,
}

/// Which records of a map to read.
#[derive(Debug, Clone, Copy)]
pub enum Selection<'a> {
    /// These integration keys.
    Keys(&'a [String]),
    /// Every record of these owners: the owner keys of an owned pair (personnel numbers for a
    /// worker's skills and certificates), the keys themselves for the other pairs.
    Owners(&'a [String]),
}

/// A write the engine asks of the scheduling side.
#[derive(Debug, Clone, PartialEq)]
pub struct SchedulingWrite {
    pub key: String,
    /// The scheduling fields after transforms (the map's scheduling names).
    pub fields: Map<String, Value>,
}

/// What a batch write did to one key: the record's id and version afterwards, or why not.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteOutcome {
    Written { key: String, reference: String, version: i64 },
    Deleted { key: String },
    Failed { key: String, reason: String },
}

impl WriteOutcome {
    pub fn key(&self) -> &str {
        match self {
            WriteOutcome::Written { key, .. } | WriteOutcome::Deleted { key } | WriteOutcome::Failed { key, .. } => key,
        }
    }
}

/// A JSON array of strings, for `IN (SELECT value FROM jsonb_each($n))`-style lookups, printed
/// straight from the keys (no `Value` clone of each).
pub(crate) fn keys_json(keys: &[String]) -> String {
    crate::db::rows_json(keys)
}

/// The text of a JSON field, when it is a string.
pub(crate) fn text<'a>(fields: &'a Map<String, Value>, name: &str) -> Option<std::borrow::Cow<'a, str>> {
    match fields.get(name) {
        Some(Value::String(s)) => Some(std::borrow::Cow::Borrowed(s)),
        Some(Value::Number(n)) => Some(n.to_string().into()),
        Some(Value::Bool(b)) => Some(b.to_string().into()),
        _ => None,
    }
}
