//! A sync now job: its page, with a progress bar that `console.js` keeps up to date from the
//! job's progress (JSON); without script the page shows the job as it was when loaded.

use super::{records, tabs};
use crate::error::ConsoleResult;
use crate::layout::page;
use crate::session::Viewer;
use crate::widgets::when;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_store::sync::journal::SyncJob;
use maud::html;
use serde_json::{json, Value};

pub fn routes() -> Router<AppState> {
    Router::new().route("/integration/jobs/{id}", get(job_page)).route("/integration/jobs/{id}/progress", get(progress))
}

fn finished(job: &SyncJob) -> bool {
    job.state == "done" || job.state == "failed"
}

/// What the status line says, in the words `console.js` uses once it takes over.
pub(crate) fn status_text(job: &SyncJob) -> String {
    match job.state.as_str() {
        "done" => format!("Done: {} of {} records synced", job.done, job.total),
        "failed" => format!("Failed: {}", job.message.as_deref().unwrap_or("see the errors below")),
        "queued" => "Queued: about to start".into(),
        _ => format!("Running: {} of {} records", job.done, job.total),
    }
}

/// The bar's value and maximum: a finished job fills it.
fn bar(job: &SyncJob) -> (i64, i64) {
    let max = job.total.max(1);
    if job.state == "done" {
        (max, max)
    } else {
        (job.done.clamp(0, max), max)
    }
}

async fn job_page(State(app): State<AppState>, viewer: Viewer, Path(id): Path<String>) -> ConsoleResult<Response> {
    viewer.require(Entity::Integration, Privilege::Read)?;
    let job = app.hr.sync_job(&id).await?;
    let status = app.engine.status().await?;
    let (value, max) = bar(&job);
    let grid = format!("/integration/entities/{}", job.map_name);
    let content = html! {
        (tabs("/integration", &status))
        section.card aria-labelledby="progress-heading" {
            h2 #progress-heading { "Progress" }
            label.visually-hidden for="job-progress" { "Records of " (job.map_name) " synced" }
            progress #job-progress value=(value) max=(max) data-job={ "/integration/jobs/" (job.id) "/progress" }
                aria-describedby="job-status" { (value) " of " (max) }
            p #job-status role="status" { (status_text(&job)) }
        }
        section.card aria-labelledby="job-details" {
            h2 #job-details { "Details" }
            dl.facts {
                dt { "Entity" } dd { a href=(grid) { (job.map_name) } }
                dt { "Started" } dd { (when(&job.started_at)) " by " (job.started_by) }
                dt { "Finished" } dd { @match &job.finished_at { Some(at) => (when(at)), None => "Not yet" } }
                dt { "Records" } dd #job-records { (job.done) " of " (job.total) }
                dt { "Errors" } dd #job-errors {
                    @if job.errors == 0 { "None" } @else { a href="/integration/errors" { (records(job.errors)) " could not be applied" } }
                }
                @if let Some(message) = &job.message { dt { "Message" } dd { (message) } }
            }
            @if !finished(&job) {
                p.muted { "These figures are as of when the page was loaded: "
                    a href={ "/integration/jobs/" (job.id) } { "reload the page" } " for the final counts once it is done." }
            }
        }
        p { a href=(grid) { "← Tracking information of " (job.map_name) } " · " a href="/integration" { "Scheduling integration" } }
    };
    Ok(page(&viewer, "/integration", &format!("Sync now: {}", job.map_name), content))
}

/// The job as JSON for the progress bar: state, done, total, message (and errors, finished_at).
async fn progress(State(app): State<AppState>, viewer: Viewer, Path(id): Path<String>) -> ConsoleResult<Json<Value>> {
    viewer.require(Entity::Integration, Privilege::Read)?;
    let job = app.hr.sync_job(&id).await?;
    Ok(Json(json!({
        "state": job.state,
        "done": job.done,
        "total": job.total,
        "errors": job.errors,
        "message": job.message,
        "finished_at": job.finished_at,
    })))
}
