//! Reconcile: both sides compared completely, as `GET /api/v1/integration/reconcile` and
//! `hrbridge integration reconcile` report it; "Both sides agree" only when nothing is found.

use super::{tabs, unbroken};
use crate::error::ConsoleResult;
use crate::layout::page;
use crate::session::Viewer;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use hrbridge_app::{integration, AppState};
use hrbridge_sync::DifferenceKind;
use maud::html;

/// How many differences the page lists; the totals count them all.
const SHOWN: usize = 500;

pub fn routes() -> Router<AppState> {
    Router::new().route("/integration/reconcile", get(show))
}

fn kind_label(kind: DifferenceKind) -> &'static str {
    match kind {
        DifferenceKind::MissingOnScheduling => "Missing on the scheduling side",
        DifferenceKind::OnlyOnScheduling => "Only on the scheduling side",
        DifferenceKind::DeletedOnScheduling => "Deleted on the scheduling side",
        DifferenceKind::DeletedInHr => "Deleted in HR, not yet on the scheduling side",
        DifferenceKind::TrackingOrphan => "Tracked, gone from both sides",
        DifferenceKind::FieldsDiffer => "Fields differ",
        DifferenceKind::Queued => "Waiting in the error queue",
    }
}

async fn show(State(app): State<AppState>, viewer: Viewer) -> ConsoleResult<Response> {
    let report = integration::reconcile_as(&app, &viewer.caller).await?;
    let status = app.engine.status().await?;
    let content = html! {
        (tabs("/integration/reconcile", &status))
        @if report.agree {
            p.flash role="status" { strong { "Both sides agree." } " Every mapped record matches, nothing waits to be applied and the error queue is empty." }
        } @else {
            p.error role="alert" {
                strong { "The sides do not agree: " }
                (report.differences.len()) " difference(s)"
                @if report.pending.hr + report.pending.scheduling > 0 {
                    "; " (report.pending.hr) " HR and " (report.pending.scheduling) " scheduling change(s) wait to be applied"
                }
                "."
            }
        }
        @if !report.totals.is_empty() {
            table #totals {
                caption { "Differences by entity and kind" }
                thead { tr { th { "Entity" } th { "Kind" } th.num { "Records" } } }
                tbody {
                    @for (map, kinds) in &report.totals {
                        @for (kind, n) in kinds {
                            tr { td { (unbroken(map)) } td { (kind_label(*kind)) } td.num { (n) } }
                        }
                    }
                }
            }
        }
        @if !report.differences.is_empty() {
            table #differences {
                caption { "Differences" @if report.differences.len() > SHOWN { " (the first " (SHOWN) ")" } }
                thead { tr { th { "Entity" } th { "Key" } th { "Kind" } th { "What" } } }
                tbody {
                    @for d in report.differences.iter().take(SHOWN) {
                        tr {
                            td { a href={ "/integration/entities/" (d.map) } { (unbroken(&d.map)) } }
                            td { (d.key) }
                            td { (kind_label(d.kind)) }
                            td {
                                (d.problem)
                                @if !d.fields.is_empty() {
                                    ul {
                                        @for f in &d.fields {
                                            li { code { (f.field) } ": HR " code { (f.hr_value) } ", scheduling " code { (f.scheduling_value) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(&viewer, "/integration", "Reconcile", content))
}
