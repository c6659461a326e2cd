//! The dashboard: counts of what the viewer's role may read, the integration's state and backlog
//! with the sync throughput of the last hour (for those who may read the integration), and recent
//! activity: the audit log for those who may read it, else the viewer's own recent changes.

mod chart;

use crate::error::ConsoleResult;
use crate::layout::page;
use crate::pages::integration::{backlog_text, changes, duration_text, on_off, short_when, unbroken};
use crate::session::Viewer;
use crate::widgets::when;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::Duration;
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_domain::hr::CandidateStatus;
use hrbridge_store::audit::{AuditEntry, AuditFilter};
use hrbridge_store::hr::CandidateFilter;
use hrbridge_store::sync::throughput::aligned_windows;
use hrbridge_store::{Page, PageOf, StoreResult};
use hrbridge_sync::{IntegrationStatus, MapStatus};
use maud::{html, Markup};
use std::collections::HashMap;
use std::future::Future;

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(dashboard))
}

/// "1 record", "3 records".
pub fn plural(n: i64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Lists without a count query are counted a page at a time, up to this many rows.
const COUNT_CAP: i64 = 10_000;

/// A count on the dashboard: its label, where its list is, and the number ("10000+" past the cap).
struct Stat {
    id: &'static str,
    label: &'static str,
    href: &'static str,
    value: String,
}

/// Rows of a paged list, a thousand at a time, up to [`COUNT_CAP`].
async fn count_rows<T, F, Fut>(mut fetch: F) -> ConsoleResult<String>
where
    F: FnMut(Page) -> Fut,
    Fut: Future<Output = StoreResult<PageOf<T>>>,
{
    let mut page = Page { limit: 1000, after: None };
    let mut total = 0i64;
    loop {
        let rows = fetch(page.clone()).await?;
        total += rows.items.len() as i64;
        match rows.next {
            Some(next) if total < COUNT_CAP => page.after = Some(next),
            Some(_) => return Ok(format!("{total}+")),
            None => return Ok(total.to_string()),
        }
    }
}

async fn stats(app: &AppState, viewer: &Viewer) -> ConsoleResult<Vec<Stat>> {
    let can = |e: Entity| viewer.can(e, Privilege::Read);
    let hr = &app.hr;
    let mut out = Vec::new();
    if can(Entity::Worker) {
        let value = hr.worker_count().await?.to_string();
        out.push(Stat { id: "stat-workers", label: "Workers", href: "/workers", value });
    }
    if can(Entity::Candidate) {
        let filter = CandidateFilter { status: Some(CandidateStatus::ToHire), source_app: None };
        let value = count_rows(|p| {
            let filter = filter.clone();
            async move { hr.candidates(&filter, &p).await }
        })
        .await?;
        out.push(Stat { id: "stat-candidates", label: "Candidates to hire", href: "/candidates", value });
    }
    if can(Entity::BookableResource) {
        // The finder holds every resource; bring it up to date with the store first.
        app.finder.refresh(&app.scheduling).await?;
        let value = app.finder.len().to_string();
        out.push(Stat { id: "stat-resources", label: "Bookable resources", href: "/resources", value });
    }
    if can(Entity::Skill) {
        let value = count_rows(|p| async move { hr.skills(&p).await }).await?;
        out.push(Stat { id: "stat-skills", label: "Skills", href: "/skills", value });
    }
    if can(Entity::CertificateType) {
        let value = count_rows(|p| async move { hr.certificate_types(&p).await }).await?;
        out.push(Stat { id: "stat-certificate-types", label: "Certificate types", href: "/certificate-types", value });
    }
    if can(Entity::Position) {
        let value = count_rows(|p| async move { hr.positions(&p).await }).await?;
        out.push(Stat { id: "stat-positions", label: "Positions", href: "/positions", value });
    }
    Ok(out)
}

/// The last hour in five-minute windows: what the engine wrote to each store.
async fn throughput(app: &AppState) -> ConsoleResult<Vec<chart::Window>> {
    let bounds = aligned_windows(app.clock.now(), Duration::minutes(5), 12);
    let to_scheduling = app.scheduling.db().sync_writes_between(&bounds).await?;
    let to_hr = app.hr.db().sync_writes_between(&bounds).await?;
    Ok(bounds
        .windows(2)
        .zip(to_scheduling.into_iter().zip(to_hr))
        .map(|(w, (to_scheduling, to_hr))| chart::Window { from: w[0], to: w[1], to_scheduling, to_hr })
        .collect())
}

fn integration_card(status: &IntegrationStatus, maps: &[MapStatus]) -> Markup {
    let linked: i64 = maps.iter().map(|m| m.linked).sum();
    html! {
        section.card aria-labelledby="integration" {
            h2 #integration { "Scheduling integration " (on_off(status.enabled)) }
            dl.facts {
                dt { "HR to resource scheduling" } dd { (on_off(status.solution_enabled)) }
                dt { "Linked records" } dd #dashboard-linked { (linked) " across " (maps.len()) " entities" }
                dt { "Backlog" } dd #dashboard-backlog { (backlog_text(&status.backlog)) }
                @if status.backlog.oldest_at.is_some() {
                    dt { "Oldest change waiting" } dd { (duration_text(status.backlog.age_seconds)) }
                }
                dt { "Error queue" }
                dd { @if status.errors == 0 { "Empty" } @else { a href="/integration/errors" { (changes(status.errors)) " could not be applied" } } }
                dt { "Missed-request sync" }
                dd {
                    @match &status.last_missed_request_sync {
                        Some(run) => { "Last run " (when(&run.started_at)) ", " (plural(run.applied, "record")) " applied" },
                        None => "Not run yet",
                    }
                }
            }
            p { a href="/integration" { "Open the scheduling integration" } }
        }
    }
}

/// The latest audit entries, or the viewer's own when they may not read the audit log (only on
/// entities they may read).
async fn activity(app: &AppState, viewer: &Viewer) -> ConsoleResult<Activity> {
    if viewer.can(Entity::Audit, Privilege::Read) {
        let entries = app.hr.audit_entries(&AuditFilter::default(), &Page { limit: 8, after: None }).await?.items;
        // Apps act under their client id: show their names to those who may read apps.
        let mut apps = HashMap::new();
        if viewer.can(Entity::App, Privilege::Read) {
            for e in entries.iter().filter(|e| e.actor_kind == "app") {
                if let Ok(registered) = app.hr.app(&e.actor).await {
                    apps.insert(e.actor.clone(), registered.name);
                }
            }
        }
        return Ok(Activity { all: true, entries, apps });
    }
    let filter = AuditFilter { actor: Some(viewer.name().to_string()), entity: None };
    let entries = app.hr.audit_entries(&filter, &Page { limit: 50, after: None }).await?;
    let readable = |e: &AuditEntry| Entity::parse(&e.entity).is_some_and(|e| viewer.can(e, Privilege::Read));
    let entries = entries.items.into_iter().filter(readable).take(8).collect();
    Ok(Activity { all: false, entries, apps: HashMap::new() })
}

/// Recent audit entries: everyone's (`all`) or the viewer's own, with the names of the apps
/// among the actors.
struct Activity {
    all: bool,
    entries: Vec<AuditEntry>,
    apps: HashMap<String, String>,
}

fn activity_card(activity: &Activity, viewer: &Viewer) -> Markup {
    let worker_link = viewer.can(Entity::Worker, Privilege::Read);
    let (all, entries) = (activity.all, &activity.entries);
    html! {
        section.card aria-labelledby="activity" {
            h2 #activity { @if all { "Recent activity" } @else { "Your recent changes" } }
            @if entries.is_empty() {
                p.empty { "Nothing yet." }
            } @else {
                table #activity-list {
                    caption.visually-hidden { "Recent activity, newest first" }
                    thead { tr { th { "When (UTC)" } th { "Who" } th { "Action" } th { "Entity" } th { "Record" } } }
                    tbody {
                        @for e in entries {
                            tr {
                                td { (short_when(&e.at)) }
                                td {
                                    @match activity.apps.get(&e.actor) {
                                        Some(name) => { (name) " " span.muted { "(app)" } },
                                        None => (e.actor),
                                    }
                                }
                                td { (unbroken(&e.action)) }
                                td { (unbroken(&e.entity)) }
                                td {
                                    @if e.entity == "worker" && worker_link && e.action != "delete" && e.record_key != "batch" {
                                        a href={ "/workers/" (e.record_key) } { (e.record_key) }
                                    } @else { (e.record_key) }
                                }
                            }
                        }
                    }
                }
                @if all { p { a href="/admin/audit" { "The whole audit log" } } }
            }
        }
    }
}

async fn dashboard(State(app): State<AppState>, viewer: Viewer) -> ConsoleResult<Response> {
    let stats = stats(&app, &viewer).await?;
    let integration = if viewer.can(Entity::Integration, Privilege::Read) {
        Some((app.engine.status().await?, app.engine.map_statuses().await?, throughput(&app).await?))
    } else {
        None
    };
    let activity = activity(&app, &viewer).await?;
    let content = html! {
        @if !stats.is_empty() {
            div.cards {
                @for s in &stats {
                    div.stat #(s.id) {
                        span.value { (s.value) }
                        a.label href=(s.href) { (s.label) }
                    }
                }
            }
        }
        @if let Some((status, maps, windows)) = &integration {
            div.grid2 {
                (integration_card(status, maps))
                section.card aria-labelledby="throughput-heading" {
                    h2 #throughput-heading { "Sync throughput, last hour" }
                    (chart::render(windows))
                }
            }
        }
        (activity_card(&activity, &viewer))
    };
    Ok(page(&viewer, "/", "Dashboard", content))
}
