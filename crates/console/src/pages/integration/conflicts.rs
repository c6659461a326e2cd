//! The conflict journal: every version that lost to the other side's, newest first, shown beside
//! the version that was kept, field by field as the entity's map pairs them.

use super::{precisely, tabs};
use crate::error::ConsoleResult;
use crate::layout::page;
use crate::session::Viewer;
use crate::widgets::next_link;
use crate::widgets::AfterQuery;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_store::sync::journal::{Conflict, Version};
use hrbridge_store::Page;
use hrbridge_sync::Map;
use maud::{html, Markup};
use serde_json::Value;

pub fn routes() -> Router<AppState> {
    Router::new().route("/integration/conflicts", get(list))
}

async fn list(
    State(app): State<AppState>,
    viewer: Viewer,
    Query(params): Query<AfterQuery>,
) -> ConsoleResult<Response> {
    viewer.require(Entity::Integration, Privilege::Read)?;
    let status = app.engine.status().await?;
    let conflicts = app.hr.conflicts(&Page { limit: 20, after: params.after }).await?;
    let content = html! {
        (tabs("/integration/conflicts", &status))
        p.muted { "When both sides changed a record, or scheduling changed a field HR owns, one version is \
                   kept and the other overwritten. Each overwritten version is kept here, beside the one that won." }
        @if conflicts.items.is_empty() {
            p.empty { "No conflicts." }
        }
        @for c in &conflicts.items {
            (conflict(c, app.engine.map(&c.map_name).ok()))
        }
        (next_link("/integration/conflicts", conflicts.next.as_ref(), &[]))
    };
    Ok(page(&viewer, "/integration", "Conflicts", content))
}

/// One row of the comparison: a label, each side's value, and whether they disagree.
struct Row {
    /// Whether the map pairs this field (else it is only recorded with the version).
    mapped: bool,
    label: String,
    hr: Option<Value>,
    scheduling: Option<Value>,
    differs: bool,
}

fn fields(v: &Option<Version>) -> serde_json::Map<String, Value> {
    match v.as_ref().map(|v| &v.fields) {
        Some(Value::Object(map)) => map.clone(),
        _ => serde_json::Map::new(),
    }
}

/// The fields the map pairs (HR name → scheduling name), compared after the map's transforms;
/// then whatever either version holds that the map does not name.
fn rows(c: &Conflict, map: Option<&Map>) -> Vec<Row> {
    let (hr, scheduling) = (fields(&c.hr), fields(&c.scheduling));
    let mut out = Vec::new();
    let mut seen_hr = std::collections::HashSet::new();
    let mut seen_scheduling = std::collections::HashSet::new();
    if let Some(map) = map {
        let expected = map.to_scheduling(&hr);
        for f in &map.def.fields {
            let Some(hr_name) = &f.hr else { continue };
            seen_hr.insert(hr_name.clone());
            seen_scheduling.insert(f.scheduling.clone());
            let label =
                if *hr_name == f.scheduling { hr_name.clone() } else { format!("{hr_name} / {}", f.scheduling) };
            let both = c.hr.is_some() && c.scheduling.is_some();
            let differs = both && expected.get(&f.scheduling) != scheduling.get(&f.scheduling);
            out.push(Row {
                mapped: true,
                label,
                hr: hr.get(hr_name).cloned(),
                scheduling: scheduling.get(&f.scheduling).cloned(),
                differs,
            });
        }
    }
    for (name, value) in &hr {
        if !seen_hr.contains(name) {
            let other = scheduling.get(name).filter(|_| !seen_scheduling.contains(name)).cloned();
            let differs = other.as_ref().is_some_and(|o| o != value);
            seen_scheduling.insert(name.clone());
            out.push(Row { mapped: false, label: name.clone(), hr: Some(value.clone()), scheduling: other, differs });
        }
    }
    for (name, value) in &scheduling {
        if !seen_scheduling.contains(name) {
            out.push(Row {
                mapped: false,
                label: name.clone(),
                hr: None,
                scheduling: Some(value.clone()),
                differs: false,
            });
        }
    }
    out
}

fn value(v: &Option<Value>) -> Markup {
    html! {
        @match v {
            None | Some(Value::Null) => span.muted { "empty" },
            Some(Value::String(s)) if s.is_empty() => span.muted { "empty" },
            Some(Value::String(s)) => (s),
            Some(other) => code { (other.to_string()) },
        }
    }
}

fn side_heading(side: &str, label: &str, winner: &str) -> Markup {
    html! {
        (label) " "
        @if winner == side { span.badge.ok { "Kept" } } @else { span.badge.danger { "Overwritten" } }
    }
}

fn edited(v: &Option<Version>) -> Markup {
    html! {
        @match v {
            Some(v) => { (precisely(&v.modified_at)) " by " (v.modified_by) },
            None => span.muted { "No record" },
        }
    }
}

fn row(r: &Row) -> Markup {
    html! {
        tr {
            th scope="row" {
                (r.label)
                @if r.differs { " " span.badge.warn { "Differs" } }
            }
            td { (value(&r.hr)) }
            td { (value(&r.scheduling)) }
        }
    }
}

/// Why a field went the way it did, in words.
fn rule_text(rule: &str) -> &str {
    match rule {
        "hr-only-edited" => "only HR changed it",
        "scheduling-only-edited" => "only the scheduling side changed it",
        "last-edited-wins" => "both changed it: the later edit wins",
        "hr-owns-field" => "it flows from HR only: HR's value is kept",
        "neither-edited-hr-kept" => "neither side changed it since the last sync: HR's value is kept",
        other => other,
    }
}

/// Each mapped field the sides disagreed on: whose value the record holds now, the value that
/// lost, and why.
fn field_by_field(c: &Conflict) -> Markup {
    html! {
        table.fields {
            caption { "Field by field" }
            thead { tr { th { "Field" } th { "Kept" } th { "HR's value" } th { "Scheduling's value" } th { "Why" } } }
            tbody {
                @for f in &c.fields {
                    tr {
                        th scope="row" { (f.field) }
                        td { @if f.winner == "hr" { span.badge.ok { "HR's" } } @else { span.badge.ok { "Scheduling's" } } }
                        td { (value(&Some(f.hr_value.clone()))) }
                        td { (value(&Some(f.scheduling_value.clone()))) }
                        td { (rule_text(&f.rule)) }
                    }
                }
            }
        }
    }
}

fn conflict(c: &Conflict, map: Option<&Map>) -> Markup {
    let id = format!("conflict-{}", c.id);
    let kept = if c.winner == "hr" { "HR's" } else { "Scheduling's" };
    let per_field = !c.fields.is_empty();
    let (mapped, other): (Vec<Row>, Vec<Row>) = rows(c, map).into_iter().partition(|r| r.mapped);
    let head = html! {
        thead {
            tr {
                th { "Field" }
                @if per_field {
                    th { "HR's version" }
                    th { "Scheduling's version" }
                } @else {
                    th { (side_heading("hr", "HR", &c.winner)) }
                    th { (side_heading("scheduling", "Scheduling", &c.winner)) }
                }
            }
        }
    };
    html! {
        article.card aria-labelledby=(id) {
            h2 #(id) { (c.map_name) " " (c.entity_key) }
            @if per_field {
                p.muted { "Resolved " (crate::widgets::when(&c.resolved_at)) " field by field:" }
                (field_by_field(c))
            } @else {
                p.muted { "Resolved " (crate::widgets::when(&c.resolved_at)) ": " (kept) " version was kept." }
            }
            table.conflict {
                caption.visually-hidden { "HR's and scheduling's versions of " (c.map_name) " " (c.entity_key) }
                (head)
                tbody {
                    tr { th scope="row" { "Edited" } td { (edited(&c.hr)) } td { (edited(&c.scheduling)) } }
                    @for r in &mapped { (row(r)) }
                }
            }
            @if !other.is_empty() {
                details {
                    summary { "Other fields of the two versions" }
                    table {
                        caption.visually-hidden { "Fields the map does not sync" }
                        (head)
                        tbody { @for r in &other { (row(r)) } }
                    }
                }
            }
        }
    }
}
