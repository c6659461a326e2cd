//! The engine's rule for one record, as a pure function: given what HR holds, what the
//! scheduling store holds and what they last agreed on (the link), decide what to write where,
//! and what to journal. No IO here, so the rule is unit- and property-tested on its own.
//!
//! - A field HR owns (`hr_to_scheduling`) takes HR's value; a scheduling-side edit of it is
//!   overwritten and journaled.
//! - A field flowing both ways takes the value of the side that changed it since the link; when
//!   both did, the side edited last wins (a tie goes to HR), and the loser is journaled.
//! - HR owns every default map's records: a record deleted from the scheduling store is
//!   recreated there (the link remembers it was deleted). A record deleted in HR is deleted from
//!   the scheduling store when the change is applied live, and recreated in HR from the last
//!   synced version when it was deleted while the integration was off.

use crate::maps::{Direction, Map};
use hrbridge_store::sync::journal::FieldOutcome;
use hrbridge_store::sync::Projection;
use serde_json::{Map as JsonMap, Value};

/// What two records last agreed on: a tracking row, with its HR fields parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub hr_ref: String,
    pub hr_version: i64,
    pub scheduling_ref: String,
    pub scheduling_version: i64,
    pub hr_fields: JsonMap<String, Value>,
    pub deleted_from_scheduling: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SchedulingAction {
    /// Create (no reference) or update the record with these fields.
    Write {
        reference: Option<String>,
        fields: JsonMap<String, Value>,
    },
    Delete {
        reference: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum HrAction {
    /// Set these HR fields (those flowing to HR).
    Update { fields: JsonMap<String, Value> },
    /// Create the record again from these fields.
    Recreate { fields: JsonMap<String, Value> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Hr,
    Scheduling,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Hr => "hr",
            Side::Scheduling => "scheduling",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Decision {
    pub scheduling: Option<SchedulingAction>,
    pub hr: Option<HrAction>,
    /// A version was overwritten: the side whose version was kept.
    pub conflict: Option<Side>,
    /// Each mapped field the sides disagreed on: who won, both values, and why (for the
    /// conflict journal).
    pub fields: Vec<FieldOutcome>,
    /// The pair is no longer linked.
    pub unlink: bool,
    pub deleted_from_scheduling: bool,
}

fn get<'a>(fields: &'a JsonMap<String, Value>, name: &str) -> &'a Value {
    fields.get(name).unwrap_or(&Value::Null)
}

/// Decides one record. `off` says the change was made while the integration was off;
/// `deleted_in_hr` that HR's delete of it was read in this pass, made while on.
pub fn decide(
    map: &Map,
    hr: Option<&Projection>,
    scheduling: Option<&Projection>,
    link: Option<&Link>,
    off: bool,
    deleted_in_hr: bool,
) -> Decision {
    let was_deleted = link.is_some_and(|l| l.deleted_from_scheduling);
    match (hr, scheduling, link) {
        (None, None, Some(_)) => Decision { unlink: true, ..Decision::default() },
        // Deleted in HR while on, no longer tracked (tracking cleared): the delete is a change,
        // and it reaches the scheduling side by key (seed 001).
        // Nothing records which version of it HR last saw, so the version deleted is journaled
        // (HR's delete wins), whatever was done to it there since.
        (None, Some(s), None) if deleted_in_hr && !off => Decision {
            scheduling: Some(SchedulingAction::Delete { reference: s.reference.clone() }),
            conflict: Some(Side::Hr),
            ..Decision::default()
        },
        (None, None, None) | (None, Some(_), None) => Decision::default(),
        (Some(h), None, _) => Decision {
            scheduling: Some(SchedulingAction::Write { reference: None, fields: map.to_scheduling(&h.fields) }),
            deleted_from_scheduling: link.is_some() || was_deleted,
            ..Decision::default()
        },
        (None, Some(s), Some(l)) if off => {
            let mut fields = l.hr_fields.clone();
            for f in map.fields_to_hr() {
                let name = f.hr.as_deref().unwrap_or_default();
                fields.insert(name.to_string(), map.to_hr_value(f, get(&s.fields, &f.scheduling)));
            }
            // The fields HR owns come back as last agreed: a scheduling edit of one of them is
            // overwritten (and journaled) as it would be had HR kept the record.
            let recreated = Projection {
                key: s.key.clone(),
                reference: l.hr_ref.clone(),
                version: l.hr_version,
                modified_at: s.modified_at,
                modified_by: s.modified_by.clone(),
                fields: fields.clone(),
            };
            let merged = merge(map, &recreated, s, Some(l), was_deleted);
            Decision {
                scheduling: merged.scheduling,
                hr: Some(HrAction::Recreate { fields }),
                conflict: merged.conflict,
                fields: merged.fields,
                deleted_from_scheduling: was_deleted,
                ..Decision::default()
            }
        }
        (None, Some(s), Some(l)) => Decision {
            scheduling: Some(SchedulingAction::Delete { reference: s.reference.clone() }),
            conflict: (s.version != l.scheduling_version).then_some(Side::Hr),
            unlink: true,
            ..Decision::default()
        },
        (Some(h), Some(s), link) => merge(map, h, s, link, was_deleted),
    }
}

/// Both sides hold the record: field by field, as the module says.
fn merge(map: &Map, h: &Projection, s: &Projection, link: Option<&Link>, was_deleted: bool) -> Decision {
    let desired = map.to_scheduling(&h.fields);
    let agreed = link.map(|l| map.to_scheduling(&l.hr_fields));
    let mut target = s.fields.clone();
    let mut hr_updates = JsonMap::new();
    let mut fields = Vec::new();
    let (mut scheduling_lost, mut hr_lost, mut write) = (false, false, false);
    for f in map.def.fields.iter().filter(|f| f.direction.to_scheduling()) {
        let want = get(&desired, &f.scheduling);
        let have = get(&s.fields, &f.scheduling);
        if want == have {
            continue;
        }
        let scheduling_edited = agreed.as_ref().is_none_or(|a| get(a, &f.scheduling) != have);
        let hr_name = f.hr.as_deref().unwrap_or_default();
        let hr_edited = link.is_none_or(|l| get(&l.hr_fields, hr_name) != get(&h.fields, hr_name));
        let scheduling_wins = f.direction == Direction::Both
            && match (hr_edited, scheduling_edited) {
                (false, true) => true,
                (true, true) => s.modified_at > h.modified_at,
                _ => false,
            };
        let rule = match (hr_edited, scheduling_edited) {
            _ if f.direction != Direction::Both && scheduling_edited => "hr-owns-field",
            (true, true) => "last-edited-wins",
            (false, true) => "scheduling-only-edited",
            (true, false) => "hr-only-edited",
            (false, false) => "neither-edited-hr-kept",
        };
        fields.push(FieldOutcome {
            field: f.scheduling.clone(),
            winner: if scheduling_wins { Side::Scheduling } else { Side::Hr }.as_str().into(),
            hr_value: want.clone(),
            scheduling_value: have.clone(),
            rule: rule.into(),
        });
        if scheduling_wins {
            hr_updates.insert(hr_name.to_string(), map.to_hr_value(f, have));
            hr_lost |= hr_edited;
        } else {
            target.insert(f.scheduling.clone(), want.clone());
            write = true;
            scheduling_lost |= scheduling_edited;
        }
    }
    let conflict = match (hr_lost, scheduling_lost) {
        (false, false) => None,
        (true, false) => Some(Side::Scheduling),
        (false, true) => Some(Side::Hr),
        (true, true) if s.modified_at > h.modified_at => Some(Side::Scheduling),
        (true, true) => Some(Side::Hr),
    };
    Decision {
        scheduling: write.then(|| SchedulingAction::Write { reference: Some(s.reference.clone()), fields: target }),
        hr: (!hr_updates.is_empty()).then_some(HrAction::Update { fields: hr_updates }),
        conflict,
        fields,
        unlink: false,
        deleted_from_scheduling: was_deleted,
    }
}
