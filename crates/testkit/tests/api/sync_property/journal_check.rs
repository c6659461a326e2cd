//! The journal check of the property test (invariant 3), run around every engine operation:
//! what both stores and the tracking table hold before and after, the versions at stake, and
//! the conflict rows that must hold them.

use super::{map_of, Coverage, KINDS};
use hrbridge_store::sync::journal::Conflict;
use hrbridge_store::sync::state::TrackingRow;
use hrbridge_store::sync::{Pair, Projection, Selection};
use hrbridge_store::Page;
use hrbridge_sync::maps::Direction;
use hrbridge_sync::Engine;
use hrbridge_testkit::TestApp;
use serde_json::{Map as JsonMap, Value};
use std::collections::BTreeMap;

pub(super) type Records = BTreeMap<(Pair, String), Projection>;

/// What both stores and the tracking table hold for a case's workers, and the newest conflict.
pub(super) struct Snapshot {
    pub(super) hr: Records,
    pub(super) scheduling: Records,
    pub(super) links: BTreeMap<(Pair, String), TrackingRow>,
    pub(super) last_conflict: i64,
}

pub(super) async fn conflicts(app: &TestApp) -> Vec<Conflict> {
    app.state.hr.conflicts(&Page::first(1000)).await.expect("read the conflict journal").items
}

pub(super) async fn snapshot(app: &TestApp, owners: &[String]) -> Snapshot {
    let selection = Selection::Owners(owners);
    let (mut hr, mut scheduling, mut links) = (Records::new(), Records::new(), BTreeMap::new());
    for kind in KINDS {
        for p in app.state.hr.sync_read(kind, selection).await.expect("read HR") {
            hr.insert((kind, p.key.clone()), p);
        }
        for p in app.state.scheduling.sync_read(kind, selection).await.expect("read scheduling") {
            scheduling.insert((kind, p.key.clone()), p);
        }
        for t in app.state.hr.tracking_for(map_of(kind), &selection).await.expect("read tracking") {
            links.insert((kind, t.entity_key.clone()), t);
        }
    }
    let last_conflict = conflicts(app).await.first().map_or(0, |c| c.id);
    Snapshot { hr, scheduling, links, last_conflict }
}

pub(super) fn get<'a>(fields: &'a JsonMap<String, Value>, name: &str) -> &'a Value {
    fields.get(name).unwrap_or(&Value::Null)
}

pub(super) fn fields_of(text: &str) -> JsonMap<String, Value> {
    match serde_json::from_str(text) {
        Ok(Value::Object(fields)) => fields,
        _ => JsonMap::new(),
    }
}

/// A version the engine must journal if it makes the two sides agree.
#[derive(Debug)]
pub(super) struct AtStake {
    pub(super) kind: Pair,
    pub(super) key: String,
    /// The scheduling field, and the HR field it comes from.
    pub(super) field: String,
    pub(super) hr_field: Option<String>,
    pub(super) hr_value: Value,
    pub(super) scheduling_value: Value,
    /// The scheduling value the field must end with: the side edited last wins a field flowing
    /// both ways (a tie goes to HR); HR always wins a field it owns.
    pub(super) winning_value: Value,
}

/// From a snapshot: every field on which the two sides differ and where the value that would be
/// lost was not the one they last agreed on (or they never agreed: no tracking row). Said
/// without the engine's code: a field flowing both ways that both sides changed since they last
/// agreed, or a field HR owns that the scheduling side changed.
pub(super) fn at_stake(engine: &Engine, before: &Snapshot) -> Vec<AtStake> {
    let mut out = Vec::new();
    for ((kind, key), h) in &before.hr {
        let Some(s) = before.scheduling.get(&(*kind, key.clone())) else { continue };
        let map = engine.maps().by_pair(*kind).expect("a map");
        let desired = map.to_scheduling(&h.fields);
        let agreed = before.links.get(&(*kind, key.clone())).map(|l| map.to_scheduling(&fields_of(&l.hr_fields)));
        for f in map.def.fields.iter().filter(|f| f.direction.to_scheduling()) {
            let (hr_value, scheduling_value) = (get(&desired, &f.scheduling), get(&s.fields, &f.scheduling));
            if hr_value == scheduling_value {
                continue;
            }
            let changed = |v: &Value| agreed.as_ref().is_none_or(|a| get(a, &f.scheduling) != v);
            let winning_value = match f.direction {
                Direction::Both if changed(hr_value) && changed(scheduling_value) => {
                    if s.modified_at > h.modified_at {
                        scheduling_value
                    } else {
                        hr_value
                    }
                }
                Direction::HrToScheduling if changed(scheduling_value) => hr_value,
                _ => continue,
            };
            out.push(AtStake {
                kind: *kind,
                key: key.clone(),
                field: f.scheduling.clone(),
                hr_field: f.hr.clone(),
                hr_value: f.hr.as_ref().map_or(Value::Null, |n| get(&h.fields, n).clone()),
                scheduling_value: scheduling_value.clone(),
                winning_value: winning_value.clone(),
            });
        }
    }
    out
}

/// Runs one engine operation and checks invariant 3 around it: every version at stake before
/// that the engine overwrote (the two sides agree afterwards) is in a conflict row written by
/// this operation, with both values, and the right side won; a resource or characteristic
/// edited on the scheduling side since the link and deleted by the engine (HR deleted it) is
/// journaled too.
pub(super) async fn observed<F: std::future::Future<Output = ()>>(
    app: &TestApp,
    cov: &mut Coverage,
    owners: &[String],
    what: &str,
    op: F,
) {
    let engine = &app.state.engine;
    let before = snapshot(app, owners).await;
    let stakes = at_stake(engine, &before);
    op.await;
    let after = snapshot(app, owners).await;
    let journal: Vec<Conflict> = conflicts(app).await.into_iter().filter(|c| c.id > before.last_conflict).collect();
    let describe = || format!("{what}: new conflicts {journal:#?}");
    for stake in &stakes {
        let id = (stake.kind, stake.key.clone());
        let (Some(h), Some(s)) = (after.hr.get(&id), after.scheduling.get(&id)) else { continue };
        let map = engine.maps().by_pair(stake.kind).expect("a map");
        let now = get(&s.fields, &stake.field);
        if now != get(&map.to_scheduling(&h.fields), &stake.field) {
            continue; // not reconciled by this operation
        }
        assert_eq!(now, &stake.winning_value, "{what}: the winner of {stake:?}");
        let journaled = journal.iter().any(|c| {
            let hr_kept = match (&stake.hr_field, &c.hr) {
                (Some(name), Some(v)) => v.fields.get(name).unwrap_or(&Value::Null) == &stake.hr_value,
                (None, _) => true,
                (Some(_), None) => false,
            };
            let scheduling_kept =
                c.scheduling.as_ref().is_some_and(|v| v.fields.get(&stake.field) == Some(&stake.scheduling_value));
            c.map_name == map_of(stake.kind) && c.entity_key == stake.key && hr_kept && scheduling_kept
        });
        assert!(journaled, "the overwritten version of {stake:?} is journaled; {}", describe());
        *cov.overwritten.entry(format!("{}.{}", map_of(stake.kind), stake.field)).or_default() += 1;
    }
    for ((kind, key), s) in &before.scheduling {
        let id = (*kind, key.clone());
        let Some(link) = before.links.get(&id) else { continue };
        let deleted = !before.hr.contains_key(&id) && !after.scheduling.contains_key(&id);
        if deleted && s.version != link.scheduling_version {
            let journaled = journal.iter().any(|c| {
                c.map_name == map_of(*kind)
                    && &c.entity_key == key
                    && c.scheduling.as_ref().is_some_and(|v| v.fields == Value::Object(s.fields.clone()))
            });
            assert!(journaled, "the edited {kind:?} {key} deleted by the engine is journaled; {}", describe());
            cov.deleted_and_journaled += 1;
        }
    }
}
