//! The error queue: changes that could not be applied, with the reason, the attempts made and
//! the next one; each can be retried at once (as `POST /integration/errors/{id}/retry`).

use super::{duration_text, short_when, tabs, unbroken};
use crate::error::ConsoleResult;
use crate::layout::{csrf, page, redirect_with};
use crate::session::{Posted, Viewer};
use crate::widgets::next_link;
use crate::widgets::AfterQuery;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use hrbridge_app::integration;
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_store::Page;
use maud::html;

pub fn routes() -> Router<AppState> {
    Router::new().route("/integration/errors", get(list)).route("/integration/errors/{id}/retry", post(retry))
}

async fn list(
    State(app): State<AppState>,
    viewer: Viewer,
    Query(params): Query<AfterQuery>,
) -> ConsoleResult<Response> {
    viewer.require(Entity::Integration, Privilege::Read)?;
    let status = app.engine.status().await?;
    let errors = app.hr.sync_errors(&Page { limit: 50, after: params.after }).await?;
    let can_retry = viewer.can(Entity::Integration, Privilege::Write);
    let now = app.hr.clock().now();
    let content = html! {
        (tabs("/integration/errors", &status))
        p.muted { "A change that cannot be applied waits here while the rest of its batch goes on. It is tried \
                   again after 1, 2, 4… seconds (at most an hour apart), at every missed-request sync, or at once \
                   with Retry once its cause is fixed." }
        @if errors.items.is_empty() {
            p.empty { "No errors: every change was applied." }
        } @else {
            table #errors {
                caption.visually-hidden { "Changes that could not be applied" }
                thead {
                    tr {
                        th { "Entity" } th { "Key" } th { "Reason" } th.num { "Attempts" } th { "First failed (UTC)" }
                        th { "Next attempt" }
                        @if can_retry { th { span.visually-hidden { "Actions" } } }
                    }
                }
                tbody {
                    @for e in &errors.items {
                        tr {
                            td { a href={ "/integration/entities/" (e.map_name) } { (unbroken(&e.map_name)) } }
                            td { (e.entity_key) }
                            td { (e.reason) }
                            td.num { (e.attempts) }
                            td { (short_when(&e.first_failed_at)) }
                            td { (next_attempt(e.next_attempt_at, now)) }
                            @if can_retry {
                                td {
                                    form.inline method="post" action={ "/integration/errors/" (e.id) "/retry" } {
                                        (csrf(&viewer))
                                        button.secondary type="submit" aria-label={ "Retry " (e.map_name) " " (e.entity_key) } { "Retry" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        (next_link("/integration/errors", errors.next.as_ref(), &[]))
    };
    Ok(page(&viewer, "/integration", "Integration errors", content))
}

/// When a queued change is tried again: "Due now", "In 4 s", or the time (UTC) past an hour.
fn next_attempt(at: chrono::DateTime<chrono::Utc>, now: chrono::DateTime<chrono::Utc>) -> String {
    let wait = (at - now).num_seconds();
    match wait {
        ..=0 => "Due now".into(),
        1..=3599 => unbroken(&format!("In {}", duration_text(wait))),
        _ => format!("{} UTC", short_when(&at)),
    }
}

async fn retry(
    State(app): State<AppState>,
    Path(id): Path<String>,
    Posted { viewer, .. }: Posted,
) -> ConsoleResult<Response> {
    let row = integration::retry_error_as(&app, &viewer.caller, &id).await?;
    let message = format!("The change to {} {} is being tried again now.", row.map_name, row.entity_key);
    Ok(redirect_with("/integration/errors", &message))
}
