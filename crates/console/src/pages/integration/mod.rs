//! The scheduling integration (seed 001's "Dataverse integration" page, seed 000's solution
//! switch): the switch, the HR-to-resource-scheduling solution, the missed-request sync with the
//! backlog, and the mapped entities, each with its tracking grid (`tracking`), sync now jobs
//! (`sync_jobs`), the conflict journal (`conflicts`) and the error queue (`errors`). Only
//! system administrators hold the `integration` privileges; every handler checks them as the API
//! does.

mod conflicts;
mod errors;
mod reconcile;
mod sync_jobs;
mod tracking;

use crate::error::ConsoleResult;
use crate::layout::{csrf, page, redirect_with};
use crate::session::{Posted, Viewer};
use crate::widgets::when;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use hrbridge_app::{integration, AppState};
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_sync::{Backlog, IntegrationStatus, MapStatus};
use maud::{html, Markup};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/integration", get(overview))
        .route("/integration/switch", post(switch))
        .route("/integration/solution", post(solution))
        .route("/integration/missed-request-sync", post(missed_request_sync))
        .merge(tracking::routes())
        .merge(sync_jobs::routes())
        .merge(conflicts::routes())
        .merge(errors::routes())
        .merge(reconcile::routes())
}

/// The links between the integration's pages, the current one marked.
pub(crate) fn tabs(current: &str, status: &IntegrationStatus) -> Markup {
    let errors = format!("Errors ({})", status.errors);
    let links = [
        ("/integration", "Overview"),
        ("/integration/conflicts", "Conflicts"),
        ("/integration/errors", &errors),
        ("/integration/reconcile", "Reconcile"),
    ];
    html! {
        nav.tabs aria-label="Integration pages" {
            @for (path, label) in links {
                a href=(path) aria-current=[(path == current).then_some("page")] { (label) }
            }
        }
    }
}

/// "On" or "Off" as a badge.
pub(crate) fn on_off(on: bool) -> Markup {
    html! { @if on { span.badge.on { "On" } } @else { span.badge { "Off" } } }
}

/// A map's state as the engine reports it.
pub(crate) fn map_state(state: &str) -> Markup {
    html! {
        @match state {
            "running" => span.badge.ok { "Running" },
            "paused" => span.badge.warn { "Paused" },
            _ => span.badge { "Not running" },
        }
    }
}

/// A duration in seconds as people read it: "45 s", "3 min 20 s", "2 h 5 min".
pub(crate) fn duration_text(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 if s % 60 == 0 => format!("{} min", s / 60),
        60..=3599 => format!("{} min {} s", s / 60, s % 60),
        _ if s % 3600 / 60 == 0 => format!("{} h", s / 3600),
        _ => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}

/// Text kept on one line in a table cell: hyphens and spaces that do not break.
pub(crate) fn unbroken(text: &str) -> String {
    text.replace('-', "\u{2011}").replace(' ', "\u{a0}")
}

/// A date-time without its zone, for tables whose header says "(UTC)"; on one line.
pub(crate) fn short_when(at: &chrono::DateTime<chrono::Utc>) -> String {
    unbroken(&at.format("%Y-%m-%d %H:%M").to_string())
}

/// A date-time to the millisecond, where which came last matters.
pub(crate) fn precisely(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S%.3f UTC").to_string()
}

/// How long a run took: "took 3 s", or "took under a second".
fn took(d: chrono::Duration) -> String {
    if d.num_seconds() < 1 {
        "took under a second".into()
    } else {
        format!("took {}", duration_text(d.num_seconds()))
    }
}

/// What waits to be synced, in words.
pub(crate) fn backlog_text(backlog: &Backlog) -> String {
    match (backlog.hr, backlog.scheduling) {
        (0, 0) => "Nothing waiting".into(),
        (hr, scheduling) => format!("{} from HR and {} from scheduling waiting", changes(hr), changes(scheduling)),
    }
}

pub(crate) fn changes(n: i64) -> String {
    if n == 1 {
        "1 change".into()
    } else {
        format!("{n} changes")
    }
}

pub(crate) fn records(n: i64) -> String {
    if n == 1 {
        "1 record".into()
    } else {
        format!("{n} records")
    }
}

/// A one-button form; `class` styles the button (`secondary`, `danger` or "").
fn button_form(
    viewer: &Viewer,
    action: &str,
    fields: &[(&str, &str)],
    label: &str,
    class: &str,
    confirm: Option<&str>,
) -> Markup {
    html! {
        form.inline method="post" action=(action) data-confirm=[confirm] {
            (csrf(viewer))
            @for (name, value) in fields { input type="hidden" name=(*name) value=(*value); }
            button class=(class) type="submit" { (label) }
        }
    }
}

async fn overview(State(app): State<AppState>, viewer: Viewer) -> ConsoleResult<Response> {
    viewer.require(Entity::Integration, Privilege::Read)?;
    let status = app.engine.status().await?;
    let maps = app.engine.map_statuses().await?;
    let can_write = viewer.can(Entity::Integration, Privilege::Write);
    let content = html! {
        (tabs("/integration", &status))
        p.warning role="note" {
            strong { "While the integration is off, do not edit the same record in both HR and scheduling." }
            " Turned on again, the version edited last wins, field by field, and the other is overwritten (the \
              conflict journal keeps it): data is lost unless both sides made the same changes."
        }
        div.grid2 {
            section.card aria-labelledby="switch" {
                h2 #switch { "Integration " (on_off(status.enabled)) }
                @if status.enabled {
                    p { "Changes made in HR or in scheduling are synced to the other side as they are made. \
                         Turn it off while importing large amounts of data: the import is much faster." }
                } @else {
                    p { "Both sides keep their changes without syncing them. Turned on, the missed-request sync \
                         brings them over at once." }
                }
                @if can_write {
                    @if status.enabled {
                        (button_form(&viewer, "/integration/switch", &[("enabled", "false")], "Turn the integration off", "secondary",
                            Some("Turn the integration off? Changes are no longer synced until it is turned on again.")))
                    } @else {
                        (button_form(&viewer, "/integration/switch", &[("enabled", "true")], "Turn the integration on", "", None))
                    }
                }
                h3 #solution { "HR to resource scheduling " (on_off(status.solution_enabled)) }
                p { "Workers are bookable resources, their skills and certificates characteristics. Off, resources \
                     lose the link to their worker; on again, they are relinked by personnel number." }
                @if can_write {
                    @if status.solution_enabled {
                        (button_form(&viewer, "/integration/solution", &[("enabled", "false")], "Turn the solution off", "secondary",
                            Some("Turn the HR to resource scheduling solution off? Every resource loses its link to its worker.")))
                    } @else {
                        (button_form(&viewer, "/integration/solution", &[("enabled", "true")], "Turn the solution on", "", None))
                    }
                }
            }
            section.card aria-labelledby="missed" {
                h2 #missed { "Missed-request sync" }
                p.muted { "Applies what waits on both sides and tries every queued error again: when the integration \
                           is turned on, then every minute." }
                dl.facts {
                    dt { "Last run" }
                    dd #last-run data-run=(status.last_missed_request_sync.as_ref().map_or(0, |r| r.id)) {
                        @match &status.last_missed_request_sync {
                            Some(run) => {
                                (when(&run.started_at)) ", " (took(run.finished_at - run.started_at)) br;
                                (records(run.applied)) " applied, " (run.conflicts) " conflicts, " (run.errors) " errors"
                            },
                            None => "Not run yet",
                        }
                    }
                    dt { "Backlog" } dd #backlog { (backlog_text(&status.backlog)) }
                    dt { "Oldest waiting" }
                    dd {
                        @match &status.backlog.oldest_at {
                            Some(at) => { (when(at)) " (for " (duration_text(status.backlog.age_seconds)) ")" },
                            None => "None",
                        }
                    }
                    dt { "Error queue" }
                    dd { @if status.errors == 0 { "Empty" } @else { a href="/integration/errors" { (changes(status.errors)) " could not be applied" } } }
                }
                @if can_write {
                    div.actions { (button_form(&viewer, "/integration/missed-request-sync", &[], "Run missed-request sync now", "secondary", None)) }
                }
            }
        }
        section.card aria-labelledby="entities" {
            h2 #entities { "Mapped entities" }
            p.muted { "Choose an entity for its tracking grid, where its tracking can be cleared or it can be synced now." }
            (entity_table(&maps))
        }
    };
    Ok(page(&viewer, "/integration", "Scheduling integration", content))
}

fn entity_table(maps: &[MapStatus]) -> Markup {
    html! {
        table {
            caption.visually-hidden { "Mapped entities" }
            thead { tr { th { "Entity" } th { "HR entity" } th { "Scheduling entity" } th { "State" } th.num { "Linked records" } } }
            tbody {
                @for m in maps {
                    tr {
                        td { a href={ "/integration/entities/" (m.name) } { (m.name) } }
                        td { (m.hr_entity) }
                        td { (m.scheduling_entity) }
                        td { (map_state(&m.state)) }
                        td.num { (m.linked) }
                    }
                }
            }
        }
    }
}

/// Turns the integration on (and starts the missed-request sync at once) or off.
async fn switch(State(app): State<AppState>, Posted { viewer, form }: Posted) -> ConsoleResult<Response> {
    let enabled = form.checked("enabled");
    integration::set_enabled_as(&app, &viewer.caller, enabled).await?;
    let message = if enabled {
        "The integration is on: the missed-request sync is bringing both sides up to date."
    } else {
        "The integration is off: both sides keep their changes until it is turned on again."
    };
    Ok(redirect_with("/integration", message))
}

/// The solution switch, as `PUT /integration/solutions/hr-resource-scheduling` does it.
async fn solution(State(app): State<AppState>, Posted { viewer, form }: Posted) -> ConsoleResult<Response> {
    let enabled = form.checked("enabled");
    integration::set_solution_as(&app, &viewer.caller, enabled).await?;
    let message = if enabled {
        "The HR to resource scheduling solution is on: resources are linked to their workers again."
    } else {
        "The HR to resource scheduling solution is off: resources are no longer linked to workers."
    };
    Ok(redirect_with("/integration", message))
}

async fn missed_request_sync(State(app): State<AppState>, Posted { viewer, .. }: Posted) -> ConsoleResult<Response> {
    let (run, enabled) = integration::missed_request_sync_as(&app, &viewer.caller).await?;
    if !enabled {
        return Ok(redirect_with("/integration", "The integration is off: the missed-request sync did nothing."));
    }
    let message = format!(
        "The missed-request sync ran: {} applied, {} conflicts, {} errors.",
        records(run.applied),
        run.conflicts,
        run.errors
    );
    Ok(redirect_with("/integration", &message))
}

#[cfg(test)]
mod tests {
    use super::duration_text;

    #[test]
    fn durations_read_naturally() {
        let cases = [(0, "0 s"), (45, "45 s"), (60, "1 min"), (200, "3 min 20 s"), (3600, "1 h"), (7500, "2 h 5 min")];
        for (seconds, text) in cases {
            assert_eq!(duration_text(seconds), text);
        }
    }
}
