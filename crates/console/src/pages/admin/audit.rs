//! The audit log: who wrote what and when, newest first, filtered by actor and entity as the API
//! allows.

use crate::error::ConsoleResult;
use crate::layout::page;
use crate::session::Viewer;
use crate::widgets::next_link;
use axum::extract::{Query, State};
use axum::response::Response;
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_store::audit::AuditFilter;
use hrbridge_store::Page;
use maud::html;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize)]
pub struct AuditParams {
    actor: Option<String>,
    entity: Option<String>,
    after: Option<String>,
}

/// A JSON value as words: strings without quotes, lists and fields separated by ", ".
fn words(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => "none".into(),
        Value::String(s) => s.clone(),
        Value::Array(items) => format!("[{}]", items.iter().map(words).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => map.iter().map(|(k, v)| format!("{k}: {}", words(v))).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// The detail in words, cut short; nothing for an empty one.
fn short(detail: &serde_json::Value) -> String {
    const MAX: usize = 200;
    let text = words(detail);
    if text.chars().count() > MAX {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    } else {
        text
    }
}

/// Text whose hyphens do not break a line (U+2011): dates and actions stay whole in narrow columns.
fn unbroken(text: &str) -> String {
    text.replace('-', "\u{2011}")
}

/// The date on one line (hyphens that do not break) and the time under it.
fn stamp(at: &chrono::DateTime<chrono::Utc>) -> maud::Markup {
    html! {
        time datetime=(at.to_rfc3339()) {
            (unbroken(&at.format("%Y-%m-%d").to_string())) br;
            span.muted { (at.format("%H:%M:%S")) }
        }
    }
}

fn action_class(action: &str) -> &'static str {
    match action {
        "create" | "sign-in" => "ok",
        "delete" | "sign-in-refused" => "danger",
        _ => "",
    }
}

pub async fn list(
    State(app): State<AppState>,
    viewer: Viewer,
    Query(params): Query<AuditParams>,
) -> ConsoleResult<Response> {
    viewer.require(Entity::Audit, Privilege::Read)?;
    let actor = params.actor.unwrap_or_default().trim().to_string();
    let entity = params.entity.unwrap_or_default().trim().to_string();
    let filter = AuditFilter {
        actor: Some(actor.clone()).filter(|a| !a.is_empty()),
        entity: Some(entity.clone()).filter(|e| !e.is_empty()),
    };
    let entries = app.hr.audit_entries(&filter, &Page { limit: 50, after: params.after }).await?;
    // Apps act under their client id: show their names.
    let apps: HashMap<String, String> = app
        .hr
        .apps(&Page { limit: 1000, after: None })
        .await?
        .items
        .into_iter()
        .map(|a| (a.client_id, a.name))
        .collect();
    let mut entities: Vec<&str> = Entity::ALL.iter().map(|e| e.as_str()).collect();
    entities.extend(["integration", "app", "webhook", "user"]);
    entities.sort_unstable();
    entities.dedup();
    let content = html! {
        div.toolbar {
            form.search method="get" action="/admin/audit" role="search" aria-label="Filter the audit log" {
                div {
                    label for="f-actor" { "Actor" }
                    input #f-actor type="search" name="actor" value=(actor) placeholder="A username or client id";
                }
                div {
                    label for="f-entity" { "Entity" }
                    input #f-entity type="search" name="entity" value=(entity) list="entities" placeholder="e.g. worker";
                    datalist #entities { @for e in &entities { option value=(e) {} } }
                }
                button type="submit" { "Filter" }
                @if !actor.is_empty() || !entity.is_empty() { a href="/admin/audit" { "Show all" } }
            }
        }
        @if entries.items.is_empty() { p.empty { "No entries." } } @else {
            table.audit {
                caption.visually-hidden { "Audit log, newest first" }
                thead { tr {
                    th scope="col" { "When (UTC)" } th scope="col" { "Actor" } th scope="col" { "Action" }
                    th scope="col" { "Record" } th scope="col" { "Detail" }
                } }
                tbody {
                    @for e in &entries.items {
                        tr {
                            td { (stamp(&e.at)) }
                            td {
                                @match apps.get(&e.actor) {
                                    Some(name) => span title=(e.actor) { (name) },
                                    None => (e.actor),
                                }
                                @if e.actor_kind != "user" { " " span.muted { "(" (e.actor_kind) ")" } }
                            }
                            td { span.badge.(action_class(&e.action)) { (unbroken(&e.action)) } }
                            td { (e.entity) br; code { (e.record_key) } }
                            td { (short(&e.detail)) }
                        }
                    }
                }
            }
        }
        (next_link("/admin/audit", entries.next.as_ref(), &[("actor", actor.as_str()), ("entity", entity.as_str())]))
    };
    Ok(page(&viewer, "/admin/audit", "Audit log", content))
}

#[cfg(test)]
mod tests {
    use super::short;
    use serde_json::json;

    #[test]
    fn details_read_as_words_and_wrap() {
        assert_eq!(short(&json!({})), "");
        assert_eq!(
            short(&json!({"enabled": true, "events": ["worker.hired", "worker.changed"], "url": "https://x"})),
            "enabled: true, events: [worker.hired, worker.changed], url: https://x"
        );
        assert!(short(&json!({"a": "x".repeat(500)})).ends_with('…'));
    }
}
