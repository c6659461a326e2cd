//! An entity's tracking grid (seed 001: which HR record is linked to which scheduling record,
//! and whether it was deleted from scheduling), with "Clear tracking information" and "Sync now".

use super::{map_state, on_off, records, short_when, tabs, unbroken};
use crate::choices::capitalised;
use crate::error::ConsoleResult;
use crate::layout::{csrf, page_with_status, redirect_with};
use crate::session::{Posted, Viewer};
use crate::widgets::next_link;
use crate::widgets::AfterQuery;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use hrbridge_app::{integration, AppError, AppState};
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_store::Page;
use maud::html;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/integration/entities/{map}", get(grid))
        .route("/integration/entities/{map}/clear-tracking", post(clear_tracking))
        .route("/integration/entities/{map}/sync-now", post(sync_now))
}

/// Rows per page of the grid.
const ROWS: i64 = 50;

async fn grid(
    State(app): State<AppState>,
    viewer: Viewer,
    Path(map): Path<String>,
    Query(params): Query<AfterQuery>,
) -> ConsoleResult<Response> {
    viewer.require(Entity::Integration, Privilege::Read)?;
    grid_page(&app, &viewer, &map, params.after, None).await
}

/// The grid; `refused` is why a sync now just sent could not start (shown, with 409).
async fn grid_page(
    app: &AppState,
    viewer: &Viewer,
    map: &str,
    after: Option<String>,
    refused: Option<String>,
) -> ConsoleResult<Response> {
    let name = app.engine.map(map)?.name().to_string();
    let status = app.engine.status().await?;
    let maps = app.engine.map_statuses().await?;
    let Some(m) = maps.iter().find(|m| m.name == name) else {
        return Err(hrbridge_app::AppError::NotFound(format!("entity '{map}' was not found")).into());
    };
    let rows = app.hr.tracking_page(&name, &Page { limit: ROWS, after }).await?;
    let base = format!("/integration/entities/{name}");
    let clear_question = format!(
        "Clear the tracking information of {name}? Its {} are no longer linked: a change made in scheduling \
         does not reach HR until HR changes the record or a sync now links it again.",
        records(m.linked)
    );
    let content = html! {
        (tabs("/integration", &status))
        @if let Some(reason) = &refused { p.error role="alert" { (reason) } }
        section.card aria-labelledby="about" {
            h2 #about { "About this entity" }
            dl.facts {
                dt { "HR entity" } dd { (m.hr_entity) }
                dt { "Scheduling entity" } dd { (m.scheduling_entity) }
                dt { "Integration key" } dd { code { (m.key) } }
                dt { "State" } dd { (map_state(&m.state)) " · integration " (on_off(status.enabled)) }
                dt { "Linked records" } dd #linked { (m.linked) }
            }
            div.actions {
                @if viewer.can(Entity::Integration, Privilege::Delete) {
                    form.inline method="post" action={ (base) "/clear-tracking" } data-confirm=(clear_question) {
                        (csrf(viewer))
                        button.danger type="submit" { "Clear tracking information" }
                    }
                }
                @if viewer.can(Entity::Integration, Privilege::Write) {
                    @if status.enabled {
                        form.inline method="post" action={ (base) "/sync-now" } {
                            (csrf(viewer))
                            button type="submit" { "Sync now" }
                        }
                    } @else {
                        span.muted { "Sync now needs the integration on." }
                    }
                }
            }
        }
        @if rows.items.is_empty() {
            p.empty { "No records of " (name) " are linked." }
        } @else {
            table #tracking {
                caption.visually-hidden { "Tracking information of " (name) }
                thead {
                    tr {
                        th { "Key" } th { "Scheduling entity" } th { "Scheduling reference" } th { "HR entity" }
                        th.num { "HR reference" } th { "Deleted from scheduling" } th { "Last synced (UTC)" }
                    }
                }
                tbody {
                    @for r in &rows.items {
                        tr {
                            td { (r.entity_key) }
                            td { (unbroken(&r.scheduling_entity)) }
                            td { code { (unbroken(&r.scheduling_ref)) } }
                            td { (unbroken(&r.hr_entity)) }
                            td.num { (r.hr_ref) }
                            td { @if r.deleted_from_scheduling { span.badge.warn { "Yes" } } @else { "No" } }
                            td { (short_when(&r.synced_at)) }
                        }
                    }
                }
            }
        }
        (next_link(&base, rows.next.as_ref(), &[]))
        p { a href="/integration" { "← Scheduling integration" } }
    };
    let code = if refused.is_some() { StatusCode::CONFLICT } else { StatusCode::OK };
    Ok(page_with_status(code, viewer, "/integration", &format!("Tracking information: {name}"), content))
}

async fn clear_tracking(
    State(app): State<AppState>,
    Path(map): Path<String>,
    Posted { viewer, .. }: Posted,
) -> ConsoleResult<Response> {
    let (name, removed) = integration::clear_tracking_as(&app, &viewer.caller, &map).await?;
    let message = format!("Tracking information of {name} cleared: {} no longer linked.", records(removed as i64));
    Ok(redirect_with(&format!("/integration/entities/{name}"), &message))
}

/// Starts a full synchronisation of the entity in the background and follows it on its job's
/// page; refused while the integration is off, as the API refuses it (409).
async fn sync_now(
    State(app): State<AppState>,
    Path(map): Path<String>,
    Posted { viewer, .. }: Posted,
) -> ConsoleResult<Response> {
    match integration::sync_now_as(&app, &viewer.caller, &map).await {
        Ok(job) => Ok(Redirect::to(&format!("/integration/jobs/{}", job.id)).into_response()),
        Err(AppError::Conflict { message, .. }) => {
            let name = app.engine.map(&map)?.name().to_string();
            grid_page(&app, &viewer, &name, None, Some(capitalised(&message) + ".")).await
        }
        Err(other) => Err(other.into()),
    }
}
