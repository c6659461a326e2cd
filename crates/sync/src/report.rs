//! Reconcile: both sides compared through the maps and the tracking table, every difference
//! listed with its kind, and what is queued or waiting counted. "Both sides agree" only when
//! nothing at all is found. Reads only.

use crate::decide::{decide, HrAction, SchedulingAction};
use crate::engine::Engine;
use crate::error::SyncResult;
use crate::maps::Map;
use crate::relay::is_worker_map;
use hrbridge_store::sync::state::TrackingRow;
use hrbridge_store::sync::{Projection, Selection};
use hrbridge_store::Page;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// What kind of difference a record shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DifferenceKind {
    /// In HR, not on the scheduling side, and never linked.
    MissingOnScheduling,
    /// On the scheduling side, not in HR, and not linked (made there, or left by a delete that
    /// could not reach it).
    OnlyOnScheduling,
    /// Linked, and gone from the scheduling side.
    DeletedOnScheduling,
    /// Linked, and gone from HR: its delete has not reached the scheduling side.
    DeletedInHr,
    /// A tracking row whose records are gone from both sides.
    TrackingOrphan,
    /// Both sides hold it, and mapped fields differ.
    FieldsDiffer,
    /// A change of it waits in the error queue.
    Queued,
}

/// One mapped field on which the sides disagree, by its scheduling name.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FieldDifference {
    pub field: String,
    /// HR's value, as the scheduling side would hold it.
    pub hr_value: Value,
    pub scheduling_value: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Difference {
    pub map: String,
    pub key: String,
    pub kind: DifferenceKind,
    /// In words, for people and logs.
    pub problem: String,
    /// For `fields-differ`: each field with both values.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldDifference>,
}

/// Changes recorded in either outbox and not applied yet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Pending {
    pub hr: i64,
    pub scheduling: i64,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Reconciliation {
    /// True only when there is no difference, nothing queued and nothing waiting.
    pub agree: bool,
    pub pending: Pending,
    /// Differences counted per map and kind.
    pub totals: BTreeMap<String, BTreeMap<DifferenceKind, usize>>,
    pub differences: Vec<Difference>,
}

impl Engine {
    /// Compares both sides of every map (the worker maps only while the solution is on), reads
    /// the error queue and both outboxes' backlog.
    pub async fn reconciliation(&self) -> SyncResult<Reconciliation> {
        let mut differences = self.differences().await?;
        let mut page = Page::first(1000);
        loop {
            let queued = self.hr.sync_errors(&page).await?;
            differences.extend(queued.items.into_iter().map(|e| Difference {
                problem: format!("waits in the error queue ({} attempts): {}", e.attempts, e.reason),
                map: e.map_name,
                key: e.entity_key,
                kind: DifferenceKind::Queued,
                fields: Vec::new(),
            }));
            match queued.next {
                Some(after) => page = Page { after: Some(after), ..page },
                None => break,
            }
        }
        let backlog = self.status().await?.backlog;
        let pending = Pending { hr: backlog.hr, scheduling: backlog.scheduling };
        let mut totals: BTreeMap<String, BTreeMap<DifferenceKind, usize>> = BTreeMap::new();
        for d in &differences {
            *totals.entry(d.map.clone()).or_default().entry(d.kind).or_default() += 1;
        }
        let agree = differences.is_empty() && pending == Pending::default();
        Ok(Reconciliation { agree, pending, totals, differences })
    }

    /// Every record on which the two sides (or the tracking table) disagree, map by map.
    pub async fn differences(&self) -> SyncResult<Vec<Difference>> {
        let solution = self.hr.solution_enabled().await?;
        let mut out = Vec::new();
        for map in self.maps.iter() {
            if !solution && is_worker_map(map) {
                continue;
            }
            let mut after = String::new();
            loop {
                let owners = self.next_owners(map, &after).await?;
                let Some(last) = owners.last().cloned() else { break };
                let selection = Selection::Owners(&owners);
                let (hr, scheduling, links) = tokio::try_join!(
                    async { SyncResult::Ok(self.hr.sync_read(map.pair, selection).await?) },
                    async { SyncResult::Ok(self.scheduling.sync_read(map.pair, selection).await?) },
                    self.links(map, &selection, None),
                )?;
                out.extend(compare(map, &hr, &scheduling, &links));
                after = last;
            }
        }
        Ok(out)
    }
}

type Sides<'a> = (Option<&'a Projection>, Option<&'a Projection>, Option<&'a TrackingRow>);

/// The differences among one page of records.
fn compare(map: &Map, hr: &[Projection], scheduling: &[Projection], links: &[TrackingRow]) -> Vec<Difference> {
    let mut records: BTreeMap<&str, Sides<'_>> = BTreeMap::new();
    for h in hr {
        records.entry(&h.key).or_default().0 = Some(h);
    }
    for s in scheduling {
        records.entry(&s.key).or_default().1 = Some(s);
    }
    for t in links {
        records.entry(&t.entity_key).or_default().2 = Some(t);
    }
    let mut out = Vec::new();
    for (key, (h, s, link)) in records {
        let (kind, problem, fields) = match (h, s, link) {
            (Some(_), None, None) => {
                (DifferenceKind::MissingOnScheduling, "missing on the scheduling side".into(), vec![])
            }
            (Some(_), None, Some(_)) => {
                (DifferenceKind::DeletedOnScheduling, "linked, and deleted on the scheduling side".into(), vec![])
            }
            (None, Some(_), None) => {
                (DifferenceKind::OnlyOnScheduling, "on the scheduling side only, not linked to HR".into(), vec![])
            }
            (None, Some(_), Some(_)) => (
                DifferenceKind::DeletedInHr,
                "linked, and deleted in HR: the delete has not reached the scheduling side".into(),
                vec![],
            ),
            (None, None, Some(_)) => {
                (DifferenceKind::TrackingOrphan, "tracked, and gone from both sides".into(), vec![])
            }
            (None, None, None) => continue,
            (Some(h), Some(s), _) => {
                let fields = field_differences(map, h, s);
                if fields.is_empty() {
                    continue;
                }
                let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
                (DifferenceKind::FieldsDiffer, format!("fields differ: {}", names.join(", ")), fields)
            }
        };
        out.push(Difference { map: map.name().into(), key: key.into(), kind, problem, fields });
    }
    out
}

/// The mapped fields on which both sides' records disagree, with both values (HR's as the
/// scheduling side would hold it).
fn field_differences(map: &Map, h: &Projection, s: &Projection) -> Vec<FieldDifference> {
    let d = decide(map, Some(h), Some(s), None, false, false);
    let desired = map.to_scheduling(&h.fields);
    let mut names: Vec<String> = Vec::new();
    if let Some(SchedulingAction::Write { fields: target, .. }) = &d.scheduling {
        names.extend(target.iter().filter(|(k, v)| s.fields.get(*k) != Some(v)).map(|(k, _)| k.clone()));
    }
    if let Some(HrAction::Update { fields: hr_fields }) = &d.hr {
        for hr_name in hr_fields.keys() {
            let scheduling_name = map.def.fields.iter().find(|f| f.hr.as_deref() == Some(hr_name.as_str()));
            names.push(scheduling_name.map_or_else(|| hr_name.clone(), |f| f.scheduling.clone()));
        }
    }
    // A field flowing to HR (only, or both ways) differs when the scheduling side's value, as
    // HR would hold it, is not HR's: whichever way the rule would settle it.
    for f in map.fields_to_hr() {
        let hr_value = f.hr.as_deref().and_then(|name| h.fields.get(name)).unwrap_or(&Value::Null);
        if map.to_hr_value(f, s.fields.get(&f.scheduling).unwrap_or(&Value::Null)) != *hr_value {
            names.push(f.scheduling.clone());
        }
    }
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(|field| FieldDifference {
            hr_value: desired.get(&field).cloned().unwrap_or(Value::Null),
            scheduling_value: s.fields.get(&field).cloned().unwrap_or(Value::Null),
            field,
        })
        .collect()
}
