//! Maps as data: which HR entity becomes which scheduling entity, by which key, field by field,
//! in which direction, with which transforms, after which other maps. The default maps ship in
//! `default_maps.toml`; a file of the same shape replaces them.

use crate::error::{SyncError, SyncResult};
use hrbridge_store::sync::Pair;
use serde::{Deserialize, Serialize};
use serde_json::{Map as JsonMap, Value};
use std::collections::BTreeMap;

pub const DEFAULT_MAPS: &str = include_str!("default_maps.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    HrToScheduling,
    SchedulingToHr,
    Both,
}

impl Direction {
    pub fn to_scheduling(self) -> bool {
        matches!(self, Direction::HrToScheduling | Direction::Both)
    }
    pub fn to_hr(self) -> bool {
        matches!(self, Direction::SchedulingToHr | Direction::Both)
    }
}

/// One field mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldMap {
    /// The HR field; absent when the scheduling value only comes from `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hr: Option<String>,
    pub scheduling: String,
    pub direction: Direction,
    /// HR value (as text) → scheduling value; reversed on the way back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub value_map: Option<BTreeMap<String, Value>>,
    /// Used when the HR value is empty, or not in `value_map`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub default: Option<Value>,
}

/// One map as the file declares it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MapDef {
    pub name: String,
    pub hr_entity: String,
    pub scheduling_entity: String,
    pub key: String,
    #[serde(default)]
    pub depends_on: Vec<String>,
    pub fields: Vec<FieldMap>,
}

/// A map ready to use: its definition and the entity pair the engine reads and writes.
#[derive(Debug, Clone, PartialEq)]
pub struct Map {
    pub def: MapDef,
    pub pair: Pair,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MapsFile {
    maps: Vec<MapDef>,
}

/// The maps, in dependency order.
#[derive(Debug, Clone, PartialEq)]
pub struct Maps {
    maps: Vec<Map>,
}

impl Maps {
    pub fn default_maps() -> Self {
        Self::parse(DEFAULT_MAPS).expect("the default maps are valid")
    }

    /// Parses a maps file: every map must pair entities the engine knows, once each; names are
    /// unique; dependencies exist and have no cycle. The result is in dependency order.
    pub fn parse(text: &str) -> SyncResult<Self> {
        let file: MapsFile = toml::from_str(text).map_err(|e| SyncError::Maps(e.to_string()))?;
        let mut pending: Vec<Map> = Vec::new();
        for def in file.maps {
            let pair = Pair::of_entities(&def.hr_entity, &def.scheduling_entity).ok_or_else(|| {
                SyncError::Maps(format!(
                    "map '{}': no registered pair joins HR '{}' with scheduling '{}'",
                    def.name, def.hr_entity, def.scheduling_entity
                ))
            })?;
            if pending.iter().any(|m| m.def.name == def.name || m.pair == pair) {
                return Err(SyncError::Maps(format!("map '{}' is declared twice", def.name)));
            }
            for field in &def.fields {
                if field.hr.is_none() && field.default.is_none() {
                    return Err(SyncError::Maps(format!(
                        "map '{}', field '{}': needs an `hr` field or a `default`",
                        def.name, field.scheduling
                    )));
                }
                if field.direction.to_hr() && field.hr.is_none() {
                    return Err(SyncError::Maps(format!(
                        "map '{}', field '{}': flows to HR, so it needs an `hr` field",
                        def.name, field.scheduling
                    )));
                }
            }
            pending.push(Map { def, pair });
        }
        for map in &pending {
            for dep in &map.def.depends_on {
                if !pending.iter().any(|m| &m.def.name == dep) {
                    return Err(SyncError::Maps(format!("map '{}' depends on unknown map '{dep}'", map.def.name)));
                }
            }
        }
        // Dependency order (Kahn): a map comes after every map it depends on.
        let mut ordered: Vec<Map> = Vec::new();
        while !pending.is_empty() {
            let ready = pending
                .iter()
                .position(|m| m.def.depends_on.iter().all(|d| ordered.iter().any(|o| &o.def.name == d)))
                .ok_or_else(|| SyncError::Maps("the maps' dependencies form a cycle".into()))?;
            ordered.push(pending.remove(ready));
        }
        Ok(Self { maps: ordered })
    }

    pub fn iter(&self) -> impl Iterator<Item = &Map> {
        self.maps.iter()
    }

    pub fn get(&self, name: &str) -> Option<&Map> {
        self.maps.iter().find(|m| m.def.name == name)
    }

    pub fn by_pair(&self, pair: Pair) -> Option<&Map> {
        self.maps.iter().find(|m| m.pair == pair)
    }

    /// The maps in dependency order, cut into waves: consecutive maps of which none needs
    /// another, by its declared dependencies or by what the engine itself needs written first
    /// (see [`pair_needs`]). A relay pass reconciles a wave's maps at once.
    pub fn waves(&self) -> Vec<Vec<&Map>> {
        let mut waves: Vec<Vec<&Map>> = Vec::new();
        for map in &self.maps {
            let needs = |other: &&Map| map.def.depends_on.contains(&other.def.name) || pair_needs(map.pair, other.pair);
            match waves.last_mut() {
                Some(wave) if !wave.iter().any(needs) => wave.push(map),
                _ => waves.push(vec![map]),
            }
        }
        waves
    }
}

/// Whether records of pair `a` need those of pair `b` on the scheduling side first, whatever a
/// maps file declares: what the pair says it needs, and its owner.
fn pair_needs(a: Pair, b: Pair) -> bool {
    a.needs().contains(&b) || a.owner() == Some(b)
}

/// The text form of a value, for value maps: strings as is, others as JSON.
fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Map {
    pub fn name(&self) -> &str {
        &self.def.name
    }

    /// The scheduling fields this map sets, from HR fields.
    pub fn to_scheduling(&self, hr: &JsonMap<String, Value>) -> JsonMap<String, Value> {
        let mut out = JsonMap::new();
        for f in self.def.fields.iter().filter(|f| f.direction.to_scheduling()) {
            let raw = f.hr.as_ref().and_then(|n| hr.get(n)).cloned().unwrap_or(Value::Null);
            let value = match &f.value_map {
                Some(map) if !raw.is_null() => map.get(&value_text(&raw)).cloned().or_else(|| f.default.clone()),
                _ if raw.is_null() || raw == Value::String(String::new()) => f.default.clone(),
                _ => Some(raw),
            };
            out.insert(f.scheduling.clone(), value.unwrap_or(Value::Null));
        }
        out
    }

    /// The HR value of one field from its scheduling value (value maps reversed).
    pub fn to_hr_value(&self, field: &FieldMap, scheduling: &Value) -> Value {
        match &field.value_map {
            Some(map) => {
                map.iter().find(|(_, v)| *v == scheduling).map(|(k, _)| Value::String(k.clone())).unwrap_or(Value::Null)
            }
            None => scheduling.clone(),
        }
    }

    /// The fields that flow to HR.
    pub fn fields_to_hr(&self) -> impl Iterator<Item = &FieldMap> {
        self.def.fields.iter().filter(|f| f.direction.to_hr())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn wave_names(maps: &Maps) -> Vec<Vec<&str>> {
        maps.waves().iter().map(|w| w.iter().map(|m| m.name()).collect()).collect()
    }

    #[test]
    fn maps_that_need_none_of_each_other_share_a_wave() {
        let maps = Maps::default_maps();
        assert_eq!(
            wave_names(&maps),
            [
                vec!["rating-models"],
                vec!["skills", "certificate-types", "workers"],
                vec!["worker-skills", "worker-certificates"]
            ]
        );
        // Declared dependencies dropped: what the engine needs still comes a wave before.
        let undeclared = DEFAULT_MAPS
            .lines()
            .map(|l| if l.starts_with("depends_on") { "depends_on = []" } else { l })
            .collect::<Vec<_>>()
            .join("\n");
        let maps = Maps::parse(&undeclared).expect("valid without dependencies");
        for (i, wave) in maps.waves().iter().enumerate() {
            for map in wave {
                for other in maps.waves().iter().skip(i).flatten() {
                    assert!(!pair_needs(map.pair, other.pair), "{} before {}", map.name(), other.name());
                }
            }
        }
    }

    #[test]
    fn default_maps_are_in_dependency_order() {
        let maps = Maps::default_maps();
        let names: Vec<&str> = maps.iter().map(|m| m.name()).collect();
        let at = |n: &str| names.iter().position(|x| *x == n).unwrap();
        assert!(at("rating-models") < at("skills"));
        assert!(at("skills") < at("worker-skills"));
        assert!(at("workers") < at("worker-skills"));
        assert!(at("certificate-types") < at("worker-certificates"));
        assert_eq!(names.len(), 6);
    }

    #[test]
    fn value_maps_and_defaults_apply_both_ways() {
        let maps = Maps::default_maps();
        let workers = maps.get("workers").unwrap();
        let hr = json!({"name": "Ana Silva", "email": null, "phone": "", "status": "active"});
        let s = workers.to_scheduling(hr.as_object().unwrap());
        assert_eq!(s["active"], json!(true));
        assert_eq!(s["resource_type"], json!("worker"));
        assert_eq!(s["email"], Value::Null);
        let left = workers.to_scheduling(json!({"name": "B", "status": "left"}).as_object().unwrap());
        assert_eq!(left["active"], json!(false));
        let status = workers.def.fields.iter().find(|f| f.scheduling == "active").unwrap();
        assert_eq!(workers.to_hr_value(status, &json!(true)), json!("active"));
    }

    #[test]
    fn bad_files_are_refused_with_the_reason() {
        let unknown = "[[maps]]\nname='x'\nhr_entity='job'\nscheduling_entity='booking'\nkey='k'\nfields=[]";
        assert!(Maps::parse(unknown).unwrap_err().to_string().contains("no registered pair joins"));
        let cycle = DEFAULT_MAPS.replace(
            "depends_on = []\nfields = [\n  { hr = \"values\"",
            "depends_on = [\"skills\"]\nfields = [\n  { hr = \"values\"",
        );
        assert!(Maps::parse(&cycle).unwrap_err().to_string().contains("cycle"));
        let dep = DEFAULT_MAPS.replace("[\"workers\", \"skills\"]", "[\"workers\", \"nope\"]");
        assert!(Maps::parse(&dep).unwrap_err().to_string().contains("unknown map 'nope'"));
    }
}
