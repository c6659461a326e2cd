//! Personnel management's "Candidates to hire" (seed 002): the candidates applicant tracking
//! systems exported, by state, and for each the "Hire new worker" pane (`review`) where HR
//! reviews the record, adds what is missing, picks the position and hires, or does not hire (with
//! a reason), or dismisses.

pub mod review;

use crate::error::ConsoleResult;
use crate::layout::page;
use crate::session::Viewer;
use crate::widgets::{next_link, when};
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_domain::hr::{Candidate, CandidateStatus};
use hrbridge_store::hr::CandidateFilter;
use hrbridge_store::Page;
use maud::{html, Markup};
use serde::Deserialize;
use std::collections::HashMap;

pub const NAV: &str = "/candidates";

pub fn routes() -> Router<AppState> {
    Router::new().route("/candidates", get(list)).merge(review::routes())
}

/// The list's tabs: (query value, label); "" is every state.
const STATES: [(&str, &str); 5] = [
    ("to_hire", "To hire"),
    ("hired", "Hired"),
    ("not_hired", "Not hired"),
    ("dismissed", "Dismissed"),
    ("all", "All"),
];

pub fn state_label(status: CandidateStatus) -> &'static str {
    match status {
        CandidateStatus::ToHire => "To hire",
        CandidateStatus::Hired => "Hired",
        CandidateStatus::NotHired => "Not hired",
        CandidateStatus::Dismissed => "Dismissed",
    }
}

pub fn state_badge(status: CandidateStatus) -> Markup {
    let class = match status {
        CandidateStatus::ToHire => "badge hr",
        CandidateStatus::Hired => "badge ok",
        CandidateStatus::NotHired => "badge danger",
        CandidateStatus::Dismissed => "badge",
    };
    html! { span class=(class) { (state_label(status)) } }
}

pub fn full_name(c: &Candidate) -> String {
    format!("{} {}", c.first_name, c.last_name)
}

/// The names of the apps candidates came from, when the viewer may read app registrations;
/// otherwise (and for an export by a user) the client id is shown as it is.
pub async fn app_names(app: &AppState, viewer: &Viewer, candidates: &[&Candidate]) -> HashMap<String, String> {
    let mut names = HashMap::new();
    if !viewer.can(Entity::App, Privilege::Read) {
        return names;
    }
    for c in candidates {
        if !names.contains_key(&c.source_app) {
            if let Ok(registered) = app.hr.app(&c.source_app).await {
                names.insert(c.source_app.clone(), registered.name);
            }
        }
    }
    names
}

#[derive(Deserialize)]
pub struct ListParams {
    status: Option<String>,
    after: Option<String>,
}

async fn list(
    State(app): State<AppState>,
    viewer: Viewer,
    Query(params): Query<ListParams>,
) -> ConsoleResult<Response> {
    viewer.require(Entity::Candidate, Privilege::Read)?;
    let state = params.status.as_deref().filter(|s| STATES.iter().any(|(v, _)| v == s)).unwrap_or("to_hire");
    let filter = CandidateFilter { status: CandidateStatus::parse(state), source_app: None };
    let candidates = app.hr.candidates(&filter, &Page { limit: 50, after: params.after.clone() }).await?;
    let sources = app_names(&app, &viewer, &candidates.items.iter().collect::<Vec<_>>()).await;
    let can_hire = viewer.can(Entity::Candidate, Privilege::Write);
    let content = html! {
        div.toolbar {
            p.muted {
                "Hired candidates exported by applicant tracking systems. Review each one to hire them into a position, "
                "or close it."
            }
        }
        nav.tabs aria-label="Candidate states" {
            @for (value, label) in STATES.iter() {
                @if *value == state {
                    a href={ "/candidates?status=" (value) } aria-current="page" { (label) }
                } @else {
                    a href={ "/candidates?status=" (value) } { (label) }
                }
            }
        }
        @if candidates.items.is_empty() {
            p.empty {
                @if state == "to_hire" { "No candidates are waiting to be hired." } @else { "No candidates in this state." }
            }
        } @else {
            table {
                caption.visually-hidden { "Candidates" }
                thead { tr {
                    th { "Candidate" } th { "Job title" } th { "Location" } th { "Start date" } th { "Source" }
                    th { "Received" } th { "State" } th { span.visually-hidden { "Actions" } }
                } }
                tbody {
                    @for c in &candidates.items {
                        tr {
                            td { a href={ "/candidates/" (c.id) } { (full_name(c)) } br; span.muted { (c.email) } }
                            td { (c.job_title) }
                            td { (c.location) }
                            td { (c.start_date) }
                            td { (sources.get(&c.source_app).unwrap_or(&c.source_app)) }
                            td { (when(&c.received_at)) }
                            td { (state_badge(c.status)) }
                            td {
                                @match (c.status, &c.personnel_number) {
                                    (CandidateStatus::ToHire, _) if can_hire => a href={ "/candidates/" (c.id) } { "Hire…" span.visually-hidden { " " (full_name(c)) } },
                                    (CandidateStatus::Hired, Some(n)) => a href={ "/workers/" (n) } { "Worker " (n) },
                                    _ => a href={ "/candidates/" (c.id) } { "View" span.visually-hidden { " " (full_name(c)) } },
                                }
                            }
                        }
                    }
                }
            }
        }
        (next_link("/candidates", candidates.next.as_ref(), &[("status", state)]))
    };
    Ok(page(&viewer, NAV, "Candidates to hire", content))
}
