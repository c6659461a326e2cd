//! The HR side of each map: records read in batches as [`Projection`]s, keyed by integration
//! key, and the owners (keys or personnel numbers) to page through for a full sync.

use super::{Pair, Projection, Selection};
use crate::db::Backend;
use crate::error::StoreResult;
use crate::HrStore;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

pub(crate) type Meta = (i64, i64, DateTime<Utc>, String);

pub(crate) fn projection(key: String, meta: Meta, fields: Value) -> Projection {
    let (rec_id, version, modified_at, modified_by) = meta;
    let fields = match fields {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    Projection { key, reference: rec_id.to_string(), version, modified_at, modified_by, fields }
}

/// Sorts projections by key (folded reads come back in no order).
pub(crate) fn in_key_order(mut projections: Vec<Projection>) -> Vec<Projection> {
    projections.sort_by(|a, b| a.key.cmp(&b.key));
    projections
}

/// `WHERE <column> IN (<the JSON array bound as $1>)`.
pub(crate) fn in_keys(backend: Backend, column: &str) -> String {
    format!("{column} IN ({})", backend.json_strings())
}

/// A worker's display name: first, middle and last.
pub fn full_name(first: &str, middle: Option<&str>, last: &str) -> String {
    match middle.filter(|m| !m.is_empty()) {
        Some(middle) => format!("{first} {middle} {last}"),
        None => format!("{first} {last}"),
    }
}

impl HrStore {
    /// The HR records of `pair` selected, in key order.
    pub async fn sync_read(&self, pair: Pair, selection: Selection<'_>) -> StoreResult<Vec<Projection>> {
        pair.read_hr_selected(self, selection).await
    }

    /// Owners of `pair`'s HR records after `after`, in byte order: owner keys for an owned pair
    /// (every owner, whether it holds any), else keys.
    pub async fn sync_owners_after(&self, pair: Pair, after: &str, limit: i64) -> StoreResult<Vec<String>> {
        pair.hr_owners_after(self, after, limit).await
    }
}
