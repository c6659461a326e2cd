//! What the sync engine keeps and reads: the tracking table, outbox cursors, the conflict
//! journal, the error queue, jobs and runs (all in the HR store), and each side's records of a
//! map read as [`Projection`]s and written in batches.
//!
//! The engine (crate `hrbridge-sync`) decides; this module only reads and writes.

pub mod hr_side;
pub mod journal;
pub mod scheduling_side;
pub mod state;
pub mod throughput;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The entity pairs the engine knows how to read and write. A map in the maps file names one
/// of these by its HR and scheduling entity names; fields, directions and transforms are data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MapKind {
    /// HR rating model (with its levels as `values`) ↔ scheduling rating model (with values).
    RatingModels,
    /// HR skill ↔ scheduling characteristic of type skill.
    Skills,
    /// HR certificate type ↔ scheduling characteristic of type certification.
    CertificateTypes,
    /// HR worker ↔ bookable resource with `hr_worker_number`.
    Workers,
    /// HR worker skill ↔ bookable resource characteristic (rating).
    WorkerSkills,
    /// HR worker certificate ↔ bookable resource characteristic (issued, expires).
    WorkerCertificates,
}

impl MapKind {
    pub const ALL: [MapKind; 6] = [
        MapKind::RatingModels,
        MapKind::Skills,
        MapKind::CertificateTypes,
        MapKind::Workers,
        MapKind::WorkerSkills,
        MapKind::WorkerCertificates,
    ];

    /// The HR entity, as the HR outbox names it.
    pub fn hr_entity(self) -> &'static str {
        use crate::outbox::entity as hr;
        match self {
            MapKind::RatingModels => hr::RATING_MODEL,
            MapKind::Skills => hr::SKILL,
            MapKind::CertificateTypes => hr::CERTIFICATE_TYPE,
            MapKind::Workers => hr::WORKER,
            MapKind::WorkerSkills => hr::WORKER_SKILL,
            MapKind::WorkerCertificates => hr::WORKER_CERTIFICATE,
        }
    }

    /// The scheduling entity, as the scheduling outbox names it.
    pub fn scheduling_entity(self) -> &'static str {
        use crate::scheduling::outbox::entity as s;
        match self {
            MapKind::RatingModels => s::RATING_MODEL,
            MapKind::Skills | MapKind::CertificateTypes => s::CHARACTERISTIC,
            MapKind::Workers => s::BOOKABLE_RESOURCE,
            MapKind::WorkerSkills | MapKind::WorkerCertificates => s::RESOURCE_CHARACTERISTIC,
        }
    }

    /// The kind whose HR and scheduling entity names these are.
    pub fn from_entities(hr_entity: &str, scheduling_entity: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.hr_entity() == hr_entity && k.scheduling_entity() == scheduling_entity)
    }

    /// The characteristic type a characteristic-backed map reads and writes.
    pub fn characteristic_type(self) -> Option<&'static str> {
        match self {
            MapKind::Skills | MapKind::WorkerSkills => Some("skill"),
            MapKind::CertificateTypes | MapKind::WorkerCertificates => Some("certification"),
            _ => None,
        }
    }
}

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
    /// Every record of these owners: personnel numbers for worker skills and certificates, the
    /// keys themselves for the other maps.
    Owners(&'a [String]),
}

impl MapKind {
    /// Whether records of this map belong to a worker (their key is `personnel_number/code`).
    pub fn owned_by_worker(self) -> bool {
        matches!(self, MapKind::WorkerSkills | MapKind::WorkerCertificates)
    }

    /// The owner of a key: the personnel number before the `/` for worker qualifications.
    pub fn owner_of(self, key: &str) -> &str {
        if self.owned_by_worker() {
            key.split_once('/').map_or(key, |(owner, _)| owner)
        } else {
            key
        }
    }
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
