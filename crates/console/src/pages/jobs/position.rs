//! Positions: a numbered place of a job, at a location, held by at most one worker (and a worker
//! holds at most one). The position page assigns and unassigns its worker.

use super::{names, required_certificates, required_skills, worker_choices, worker_name, workers};
use crate::choices;
use crate::error::ConsoleResult;
use crate::layout::{csrf, page_with_status, redirect_with};
use crate::pages::catalog::{list_status, refusal, refused};
use crate::session::{Form, Posted, Viewer};
use crate::widgets::AfterQuery;
use crate::widgets::{next_link, select, version_field, versioned_action_button, FieldErrors, Input};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use hrbridge_app::json::from_value;
use hrbridge_app::AppError;
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_domain::hr::{Position, PositionInput};
use hrbridge_store::Page;
use maud::html;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

const NAV: &str = "/positions";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/positions", get(list))
        .route("/positions/new", get(new_form).post(create))
        .route("/positions/{number}", get(show))
        .route("/positions/{number}/edit", get(edit_form).post(update))
        .route("/positions/{number}/assign", post(assign))
        .route("/positions/{number}/unassign", post(unassign))
        .route("/positions/{number}/delete", post(delete))
}

async fn list(
    State(app): State<AppState>,
    viewer: Viewer,
    Query(params): Query<AfterQuery>,
) -> ConsoleResult<Response> {
    viewer.require(Entity::Position, Privilege::Read)?;
    list_page(&app, &viewer, params.after, None).await
}

/// Worker names by personnel number, when the viewer may read workers.
async fn worker_names(app: &AppState, viewer: &Viewer) -> ConsoleResult<HashMap<String, String>> {
    if !viewer.can(Entity::Worker, Privilege::Read) {
        return Ok(HashMap::new());
    }
    Ok(workers(app).await?.iter().map(|w| (w.personnel_number.clone(), worker_name(w))).collect())
}

async fn list_page(
    app: &AppState,
    viewer: &Viewer,
    after: Option<String>,
    refusal: Option<&str>,
) -> ConsoleResult<Response> {
    let positions = app.hr.positions(&Page { limit: 50, after }).await?;
    let people = worker_names(app, viewer).await?;
    let can_write = viewer.can(Entity::Position, Privilege::Write);
    let content = html! {
        (refused(refusal))
        div.toolbar {
            p.muted { "Each position is a place of a job, held by at most one worker." }
            @if viewer.can(Entity::Position, Privilege::Create) { a.button href="/positions/new" { "New position" } }
        }
        @if positions.items.is_empty() {
            p.empty { "No positions yet." }
        } @else {
            table {
                caption.visually-hidden { "Positions" }
                thead { tr { th { "Number" } th { "Title" } th { "Job" } th { "Location" } th { "Worker" } th { span.visually-hidden { "Actions" } } } }
                tbody {
                    @for p in &positions.items {
                        tr {
                            td { a href={ "/positions/" (p.position_number) } { (p.position_number) } }
                            td { (p.title) }
                            td { a href={ "/jobs/" (p.job_id) } { (p.job_id) } }
                            td { (p.location) }
                            td {
                                @match &p.worker {
                                    Some(w) => {
                                        a href={ "/workers/" (w) } { (people.get(w).map(String::as_str).unwrap_or(w)) }
                                        " " span.muted { "(" (w) ")" }
                                    },
                                    None => span.badge.warn { "Vacant" },
                                }
                            }
                            td {
                                @if can_write { a href={ "/positions/" (p.position_number) "/edit" } { "Edit" span.visually-hidden { " " (p.position_number) } } }
                            }
                        }
                    }
                }
            }
        }
        (next_link("/positions", positions.next.as_ref(), &[]))
    };
    Ok(page_with_status(list_status(refusal), viewer, NAV, "Positions", content))
}

async fn position_page(
    app: &AppState,
    viewer: &Viewer,
    number: &str,
    assign_form: &Form,
    errors: &FieldErrors,
) -> ConsoleResult<Response> {
    let position = app.hr.position(number).await?;
    let skills = if viewer.can(Entity::Skill, Privilege::Read) { choices::skills(app).await? } else { vec![] };
    let certificates = if viewer.can(Entity::CertificateType, Privilege::Read) {
        choices::certificate_types(app).await?
    } else {
        vec![]
    };
    let can_assign = viewer.can(Entity::Position, Privilege::Write) && viewer.can(Entity::Worker, Privilege::Read);
    let all_workers =
        if can_assign || viewer.can(Entity::Worker, Privilege::Read) { workers(app).await? } else { vec![] };
    let holder = position.worker.as_ref().and_then(|n| all_workers.iter().find(|w| &w.personnel_number == n));
    let base = format!("/positions/{}", position.position_number);
    let content = html! {
        div.toolbar {
            @if viewer.can(Entity::Position, Privilege::Write) { a.button href={ (base) "/edit" } { "Edit" } }
            @if viewer.can(Entity::Position, Privilege::Delete) {
                (versioned_action_button(viewer, &format!("{base}/delete"), "Delete position",
                    Some(&format!("Delete position {}?", position.position_number)), position.version))
            }
        }
        div.grid2 {
            section.card aria-labelledby="details" {
                h2 #details { "Details" }
                dl.facts {
                    dt { "Number" } dd { code { (position.position_number) } }
                    dt { "Title" } dd { (position.title) }
                    dt { "Job" } dd { a href={ "/jobs/" (position.job_id) } { (position.job_id) } }
                    dt { "Location" } dd { @if position.location.is_empty() { span.muted { "—" } } @else { (position.location) } }
                    dt { "Required skills" } dd { (required_skills(&position.required_skills, &names(&skills))) }
                    dt { "Required certificates" } dd { (required_certificates(&position.required_certificates, &names(&certificates))) }
                }
            }
            section.card aria-labelledby="holder" {
                h2 #holder { "Worker" }
                @match &position.worker {
                    Some(number) => {
                        p {
                            a href={ "/workers/" (number) } { (holder.map(worker_name).unwrap_or_else(|| number.clone())) }
                            " " span.muted { "(" (number) ")" } " holds this position."
                        }
                        @if viewer.can(Entity::Position, Privilege::Write) {
                            (versioned_action_button(viewer, &format!("{base}/unassign"), "Unassign worker",
                                Some(&format!("Take worker {number} off position {}?", position.position_number)), position.version))
                        }
                    },
                    None => p { span.badge.warn { "Vacant" } " No worker holds this position." },
                }
                @if can_assign {
                    form.inline-form method="post" action={ (base) "/assign" } aria-label="Assign a worker" {
                        (csrf(viewer))
                        input type="hidden" name="version" value=(position.version);
                        (errors.summary())
                        (select(if position.worker.is_some() { "Assign another worker" } else { "Assign a worker" }, "worker",
                            &worker_choices(&all_workers, Some(&position.position_number)), assign_form.text("worker"), true, errors))
                        button type="submit" { "Assign" }
                    }
                }
            }
        }
    };
    let status = errors.status();
    Ok(page_with_status(status, viewer, NAV, &format!("Position {}", position.position_number), content))
}

async fn show(State(app): State<AppState>, viewer: Viewer, Path(number): Path<String>) -> ConsoleResult<Response> {
    viewer.require(Entity::Position, Privilege::Read)?;
    position_page(&app, &viewer, &number, &Form::default(), &FieldErrors::none()).await
}

/// Saves `position` with `worker` as its holder (or none), at the version the page showed (or,
/// without one, the version just read): never over someone else's change.
async fn set_worker(
    app: &AppState,
    viewer: &Viewer,
    number: &str,
    worker: Option<&str>,
    shown: Option<i64>,
) -> Result<Position, AppError> {
    let current = app.hr.position(number).await?;
    let expected = shown.unwrap_or(current.version);
    let mut input = current.to_input();
    input.worker = worker.map(str::to_string);
    Ok(app.hr.update_position(&viewer.caller.actor(), number, input.parse()?, Some(expected)).await?)
}

async fn assign(
    State(app): State<AppState>,
    Path(number): Path<String>,
    Posted { viewer, form }: Posted,
) -> ConsoleResult<Response> {
    viewer.require(Entity::Position, Privilege::Write)?;
    let Some(worker) = form.get("worker") else {
        let errors = FieldErrors::one("worker", "choose a worker");
        return position_page(&app, &viewer, &number, &form, &errors).await;
    };
    match set_worker(&app, &viewer, &number, Some(worker), form.version()).await {
        Ok(p) => Ok(redirect_with(
            &format!("/positions/{number}"),
            &format!("Worker {worker} now holds position {}.", p.position_number),
        )),
        Err(error) => position_page(&app, &viewer, &number, &form, &FieldErrors::from_api(error)?).await,
    }
}

async fn unassign(
    State(app): State<AppState>,
    Path(number): Path<String>,
    Posted { viewer, form }: Posted,
) -> ConsoleResult<Response> {
    viewer.require(Entity::Position, Privilege::Write)?;
    set_worker(&app, &viewer, &number, None, form.version()).await?;
    Ok(redirect_with(&format!("/positions/{number}"), &format!("Position {number} is now vacant.")))
}

async fn form_page(
    app: &AppState,
    viewer: &Viewer,
    number: Option<&str>,
    form: &Form,
    errors: &FieldErrors,
) -> ConsoleResult<Response> {
    let jobs = choices::jobs(app).await?;
    let people = if viewer.can(Entity::Worker, Privilege::Read) { workers(app).await? } else { vec![] };
    let (action, title, button, cancel) = match number {
        None => ("/positions/new".to_string(), "New position".to_string(), "Create position", NAV.to_string()),
        Some(n) => {
            (format!("/positions/{n}/edit"), format!("Edit position {n}"), "Save changes", format!("/positions/{n}"))
        }
    };
    let content = html! {
        form.card method="post" action=(action) {
            (csrf(viewer))
            (version_field(form))
            (errors.summary())
            div.row {
                @if number.is_none() {
                    (Input::new("Position number", "position_number", form.text("position_number")).required()
                        .hint("Letters, digits, '_', '-' and '.'; it cannot be changed later.").render(errors))
                }
                (select("Job", "job_id", &jobs, form.text("job_id"), true, errors))
            }
            @if jobs.is_empty() {
                p.warning { "There are no jobs yet: " a href="/jobs/new" { "create one" } " first." }
            }
            div.row {
                (Input::new("Title", "title", form.text("title")).hint("The job's title when left blank.").render(errors))
                (Input::new("Location", "location", form.text("location")).render(errors))
            }
            @if viewer.can(Entity::Worker, Privilege::Read) {
                (select("Worker holding it", "worker", &worker_choices(&people, number), form.text("worker"), false, errors))
            } @else if let Some(w) = form.get("worker") {
                input type="hidden" name="worker" value=(w);
            }
            div.actions { button type="submit" { (button) } a href=(cancel) { "Cancel" } }
        }
    };
    Ok(page_with_status(errors.status(), viewer, NAV, &title, content))
}

fn input(form: &Form, number: &str) -> serde_json::Value {
    json!({
        "position_number": number,
        "job_id": form.text("job_id"),
        "title": form.json("title"),
        "location": form.json("location"),
        "worker": form.json("worker"),
    })
}

fn form_of(p: &Position) -> Form {
    let mut fields = vec![
        ("job_id".to_string(), p.job_id.clone()),
        ("title".to_string(), p.title.clone()),
        ("location".to_string(), p.location.clone()),
    ];
    if let Some(w) = &p.worker {
        fields.push(("worker".into(), w.clone()));
    }
    fields.push(("version".into(), p.version.to_string()));
    Form(fields)
}

#[derive(Deserialize)]
pub struct NewParams {
    job_id: Option<String>,
}

async fn new_form(
    State(app): State<AppState>,
    viewer: Viewer,
    Query(params): Query<NewParams>,
) -> ConsoleResult<Response> {
    viewer.require(Entity::Position, Privilege::Create)?;
    let form = Form(params.job_id.map(|j| ("job_id".to_string(), j)).into_iter().collect());
    form_page(&app, &viewer, None, &form, &FieldErrors::none()).await
}

async fn create(State(app): State<AppState>, Posted { viewer, form }: Posted) -> ConsoleResult<Response> {
    viewer.require(Entity::Position, Privilege::Create)?;
    let created = async {
        let input: PositionInput = from_value(input(&form, form.text("position_number")))?;
        app.hr.create_position(&viewer.caller.actor(), input.parse()?).await.map_err(Into::into)
    };
    match created.await {
        Ok(p) => Ok(redirect_with(
            &format!("/positions/{}", p.position_number),
            &format!("Position {} created.", p.position_number),
        )),
        Err(error) => form_page(&app, &viewer, None, &form, &FieldErrors::from_api(error)?).await,
    }
}

async fn edit_form(State(app): State<AppState>, viewer: Viewer, Path(number): Path<String>) -> ConsoleResult<Response> {
    viewer.require(Entity::Position, Privilege::Write)?;
    let position = app.hr.position(&number).await?;
    form_page(&app, &viewer, Some(&position.position_number), &form_of(&position), &FieldErrors::none()).await
}

async fn update(
    State(app): State<AppState>,
    Path(number): Path<String>,
    Posted { viewer, form }: Posted,
) -> ConsoleResult<Response> {
    viewer.require(Entity::Position, Privilege::Write)?;
    let updated = async {
        let input: PositionInput = from_value(input(&form, &number))?;
        app.hr
            .update_position(&viewer.caller.actor(), &number, input.parse()?, form.version())
            .await
            .map_err(Into::into)
    };
    match updated.await {
        Ok(p) => Ok(redirect_with(&format!("/positions/{}", p.position_number), "Changes saved.")),
        Err(error) => form_page(&app, &viewer, Some(&number), &form, &FieldErrors::from_api(error)?).await,
    }
}

async fn delete(
    State(app): State<AppState>,
    Path(number): Path<String>,
    Posted { viewer, form }: Posted,
) -> ConsoleResult<Response> {
    viewer.require(Entity::Position, Privilege::Delete)?;
    match app.hr.delete_position(&viewer.caller.actor(), &number, form.version()).await {
        Ok(()) => Ok(redirect_with(NAV, &format!("Position {number} deleted."))),
        Err(error) => list_page(&app, &viewer, None, Some(&refusal(error.into())?)).await,
    }
}
