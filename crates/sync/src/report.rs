//! `hrbridge integration reconcile`: both sides compared through the maps, every difference
//! listed. Reads only.

use crate::decide::{decide, HrAction, SchedulingAction};
use crate::engine::Engine;
use crate::error::SyncResult;
use crate::relay::is_worker_map;
use hrbridge_store::sync::Selection;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub map: String,
    pub key: String,
    pub problem: String,
}

impl Engine {
    /// Every record on which the two sides disagree, map by map.
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
                let hr = self.hr.sync_read(map.pair, selection).await?;
                let scheduling = self.scheduling.sync_read(map.pair, selection).await?;
                let mut pairs: BTreeMap<&str, (Option<_>, Option<_>)> = BTreeMap::new();
                for h in &hr {
                    pairs.entry(h.key.as_str()).or_default().0 = Some(h);
                }
                for s in &scheduling {
                    pairs.entry(s.key.as_str()).or_default().1 = Some(s);
                }
                for (key, (h, s)) in pairs {
                    let problem = match (h, s) {
                        (Some(_), None) => Some("missing on the scheduling side".to_string()),
                        (Some(h), Some(s)) => {
                            let d = decide(map, Some(h), Some(s), None, false, false);
                            let mut fields = Vec::new();
                            if let Some(SchedulingAction::Write { fields: target, .. }) = &d.scheduling {
                                fields.extend(
                                    target.iter().filter(|(k, v)| s.fields.get(*k) != Some(v)).map(|(k, _)| k.clone()),
                                );
                            }
                            if let Some(HrAction::Update { fields: hr_fields }) = &d.hr {
                                fields.extend(hr_fields.keys().cloned());
                            }
                            (!fields.is_empty()).then(|| format!("fields differ: {}", fields.join(", ")))
                        }
                        _ => None,
                    };
                    if let Some(problem) = problem {
                        out.push(Difference { map: map.name().into(), key: key.into(), problem });
                    }
                }
                after = last;
            }
        }
        Ok(out)
    }
}
