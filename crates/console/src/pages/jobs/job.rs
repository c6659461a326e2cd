//! Jobs: a job id, a title and a description, the skills it requires (each at a minimum level of
//! the skill's rating model) and the certificates it requires. Positions inherit them.

use super::{names, required_certificates, required_skills};
use crate::choices;
use crate::error::ConsoleResult;
use crate::layout::{csrf, page, page_with_status, redirect_with};
use crate::pages::catalog::{cell_select, errors_by_row, exact_error, list_status, refusal, refused};
use crate::session::{Form, Posted, Viewer};
use crate::widgets::AfterQuery;
use crate::widgets::{next_link, version_field, versioned_action_button, FieldErrors, Input};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use hrbridge_app::json::from_value;
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_domain::hr::{Job, JobInput};
use hrbridge_store::Page;
use maud::{html, Markup};
use serde_json::json;

const NAV: &str = "/jobs";
/// Required-skill rows on a form, at least.
const ROWS: usize = 4;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/jobs", get(list))
        .route("/jobs/new", get(new_form).post(create))
        .route("/jobs/{job_id}", get(show))
        .route("/jobs/{job_id}/edit", get(edit_form).post(update))
        .route("/jobs/{job_id}/delete", post(delete))
}

async fn list(
    State(app): State<AppState>,
    viewer: Viewer,
    Query(params): Query<AfterQuery>,
) -> ConsoleResult<Response> {
    viewer.require(Entity::Job, Privilege::Read)?;
    list_page(&app, &viewer, params.after, None).await
}

/// Skill and certificate type labels, when the viewer may read them.
async fn labels(app: &AppState, viewer: &Viewer) -> ConsoleResult<(choices::Choices, choices::Choices)> {
    let skills = if viewer.can(Entity::Skill, Privilege::Read) { choices::skills(app).await? } else { vec![] };
    let certificates = if viewer.can(Entity::CertificateType, Privilege::Read) {
        choices::certificate_types(app).await?
    } else {
        vec![]
    };
    Ok((skills, certificates))
}

async fn list_page(
    app: &AppState,
    viewer: &Viewer,
    after: Option<String>,
    refusal: Option<&str>,
) -> ConsoleResult<Response> {
    let jobs = app.hr.jobs(&Page { limit: 50, after }).await?;
    let (skills, certificates) = labels(app, viewer).await?;
    let (skill_names, certificate_names) = (names(&skills), names(&certificates));
    let content = html! {
        (refused(refusal))
        div.toolbar {
            p.muted { "What each kind of work requires. Positions are places of a job." }
            @if viewer.can(Entity::Job, Privilege::Create) { a.button href="/jobs/new" { "New job" } }
        }
        @if jobs.items.is_empty() {
            p.empty { "No jobs yet." }
        } @else {
            table {
                caption.visually-hidden { "Jobs" }
                thead { tr { th { "Job id" } th { "Title" } th { "Required skills (minimum level)" } th { "Required certificates" } } }
                tbody {
                    @for j in &jobs.items {
                        tr {
                            td { a href={ "/jobs/" (j.job_id) } { (j.job_id) } }
                            td { (j.title) }
                            td { (required_skills(&j.required_skills, &skill_names)) }
                            td { (required_certificates(&j.required_certificates, &certificate_names)) }
                        }
                    }
                }
            }
        }
        (next_link("/jobs", jobs.next.as_ref(), &[]))
    };
    Ok(page_with_status(list_status(refusal), viewer, NAV, "Jobs", content))
}

async fn show(State(app): State<AppState>, viewer: Viewer, Path(job_id): Path<String>) -> ConsoleResult<Response> {
    viewer.require(Entity::Job, Privilege::Read)?;
    let job = app.hr.job(&job_id).await?;
    let (skills, certificates) = labels(&app, &viewer).await?;
    let (skill_names, certificate_names) = (names(&skills), names(&certificates));
    let positions = if viewer.can(Entity::Position, Privilege::Read) {
        let all = app.hr.positions(&Page { limit: 1000, after: None }).await?.items;
        all.into_iter().filter(|p| p.job_id == job.job_id).collect()
    } else {
        Vec::new()
    };
    let base = format!("/jobs/{}", job.job_id);
    let content = html! {
        div.toolbar {
            @if viewer.can(Entity::Job, Privilege::Write) { a.button href={ (base) "/edit" } { "Edit" } }
            @if viewer.can(Entity::Job, Privilege::Delete) {
                (versioned_action_button(&viewer, &format!("{base}/delete"), "Delete job", Some(&format!("Delete job {}?", job.job_id)), job.version))
            }
        }
        section.card aria-labelledby="details" {
            h2 #details { "Details" }
            dl.facts {
                dt { "Job id" } dd { code { (job.job_id) } }
                dt { "Title" } dd { (job.title) }
                dt { "Description" } dd { @if job.description.is_empty() { span.muted { "—" } } @else { (job.description) } }
                dt { "Required certificates" } dd { (required_certificates(&job.required_certificates, &certificate_names)) }
            }
        }
        section.card aria-labelledby="skills" {
            h2 #skills { "Required skills" }
            @if job.required_skills.is_empty() { p.empty { "No skills required." } } @else {
                table {
                    thead { tr { th { "Skill" } th { "Minimum level" } th.num { "Factor" } } }
                    tbody {
                        @for r in &job.required_skills {
                            tr {
                                td { (skill_names.get(r.skill.as_str()).copied().unwrap_or(&r.skill)) }
                                td { (r.min_level) }
                                td.num { (r.min_factor) }
                            }
                        }
                    }
                }
            }
        }
        @if viewer.can(Entity::Position, Privilege::Read) {
            section.card aria-labelledby="positions" {
                h2 #positions { "Positions" }
                @if positions.is_empty() { p.empty { "No positions of this job yet." } } @else {
                    table {
                        thead { tr { th { "Number" } th { "Title" } th { "Location" } th { "Worker" } } }
                        tbody {
                            @for p in &positions {
                                tr {
                                    td { a href={ "/positions/" (p.position_number) } { (p.position_number) } }
                                    td { (p.title) }
                                    td { (p.location) }
                                    td { @match &p.worker { Some(w) => a href={ "/workers/" (w) } { (w) }, None => span.badge.warn { "Vacant" } } }
                                }
                            }
                        }
                    }
                }
                @if viewer.can(Entity::Position, Privilege::Create) {
                    p { a href={ "/positions/new?job_id=" (job.job_id) } { "New position of this job" } }
                }
            }
        }
    };
    Ok(page(&viewer, NAV, &format!("{} ({})", job.title, job.job_id), content))
}

/// How many required-skill rows the form shows: what was sent, at least [`ROWS`].
fn row_count(form: &Form) -> usize {
    let sent = form.0.iter().filter(|(k, _)| k.starts_with("required_skills[") && k.ends_with("].skill")).count();
    sent.max(ROWS)
}

/// The minimum-level select of a row: the levels grouped by rating model.
fn level_select(
    name: &str,
    label: &str,
    models: &[(String, Vec<String>)],
    selected: &str,
    errors: &FieldErrors,
) -> Markup {
    let id = format!("f-{}", name.replace(['[', ']', '.'], "-").replace("--", "-"));
    let error = exact_error(errors, name);
    html! {
        div.field.invalid[error.is_some()] {
            label.visually-hidden for=(id) { (label) }
            select id=(id) name=(name) aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| format!("{id}-error"))] {
                option value="" { "—" }
                @for (model, levels) in models {
                    optgroup label=(model) {
                        @for level in levels { option value=(level) selected[level == selected] { (level) } }
                    }
                }
            }
            @if let Some(error) = error { p.field-error id={ (id) "-error" } { (error) } }
        }
    }
}

async fn form_page(
    app: &AppState,
    viewer: &Viewer,
    job_id: Option<&str>,
    form: &Form,
    errors: &FieldErrors,
) -> ConsoleResult<Response> {
    let skills = choices::skills(app).await?;
    let certificates = choices::certificate_types(app).await?;
    let models: Vec<(String, Vec<String>)> = app
        .hr
        .rating_models(&Page { limit: 1000, after: None })
        .await?
        .items
        .into_iter()
        .map(|m| {
            let mut levels = m.levels;
            levels.sort_by_key(|l| l.factor);
            (m.name, levels.into_iter().map(|l| l.name).collect())
        })
        .collect();
    let (action, title, button, cancel) = match job_id {
        None => ("/jobs/new".to_string(), "New job".to_string(), "Create job", NAV.to_string()),
        Some(id) => (format!("/jobs/{id}/edit"), format!("Edit job {id}"), "Save changes", format!("/jobs/{id}")),
    };
    let checked = form.all("required_certificates");
    let content = html! {
        form.card method="post" action=(action) {
            (csrf(viewer))
            (version_field(form))
            (errors.summary())
            div.row {
                @if job_id.is_none() {
                    (Input::new("Job id", "job_id", form.text("job_id")).required()
                        .hint("Letters, digits, '_', '-' and '.'; it cannot be changed later.").render(errors))
                }
                (Input::new("Title", "title", form.text("title")).required().render(errors))
            }
            (Input::new("Description", "description", form.text("description")).kind("textarea").render(errors))
            div #f-required_skills role="group" aria-labelledby="skills-heading" aria-describedby="skills-hint" tabindex="-1" {
                h3 #skills-heading { "Required skills" }
                p.hint #skills-hint { "Each with the lowest acceptable level of the skill's rating model. Blank rows are ignored." }
                table {
                    thead { tr { th { "Skill" } th { "Minimum level" } } }
                    tbody {
                        @for row in 0..row_count(form) {
                            @let n = row + 1;
                            @let skill = format!("required_skills[{row}].skill");
                            @let level = format!("required_skills[{row}].min_level");
                            tr {
                                td { (cell_select(&format!("Required skill {n}"), &skill, &skills, form.text(&skill), errors)) }
                                td { (level_select(&level, &format!("Minimum level of required skill {n}"), &models, form.text(&level), errors)) }
                            }
                        }
                    }
                }
            }
            div #f-required_certificates role="group" aria-labelledby="certificates-heading" tabindex="-1" {
                h3 #certificates-heading { "Required certificates" }
                @if let Some(error) = errors.get("required_certificates") { p.field-error { (error) } }
                @if certificates.is_empty() { p.empty { "There are no certificate types yet." } }
                div.row {
                    @for (code, label) in &certificates {
                        div.field {
                            label {
                                input type="checkbox" name="required_certificates" value=(code) checked[checked.contains(&code.as_str())];
                                " " (label)
                            }
                        }
                    }
                }
            }
            div.actions { button type="submit" { (button) } a href=(cancel) { "Cancel" } }
        }
    };
    Ok(page_with_status(errors.status(), viewer, NAV, &title, content))
}

/// The job's input from the form, and the page row of each required skill sent.
fn input(form: &Form, job_id: &str) -> (serde_json::Value, Vec<usize>) {
    let mut skills = Vec::new();
    let mut rows = Vec::new();
    for row in 0..row_count(form) {
        let skill = form.get(&format!("required_skills[{row}].skill"));
        let level = form.get(&format!("required_skills[{row}].min_level"));
        if skill.is_none() && level.is_none() {
            continue;
        }
        skills.push(json!({ "skill": skill.unwrap_or(""), "min_level": level.unwrap_or("") }));
        rows.push(row);
    }
    let value = json!({
        "job_id": job_id,
        "title": form.text("title"),
        "description": form.json("description"),
        "required_skills": skills,
        "required_certificates": form.all("required_certificates"),
    });
    (value, rows)
}

fn form_of(job: &Job) -> Form {
    let mut fields =
        vec![("title".to_string(), job.title.clone()), ("description".to_string(), job.description.clone())];
    for (row, r) in job.required_skills.iter().enumerate() {
        fields.push((format!("required_skills[{row}].skill"), r.skill.clone()));
        fields.push((format!("required_skills[{row}].min_level"), r.min_level.clone()));
    }
    // Room for two more.
    for row in job.required_skills.len()..(job.required_skills.len() + 2).max(ROWS) {
        fields.push((format!("required_skills[{row}].skill"), String::new()));
    }
    fields.extend(job.required_certificates.iter().map(|c| ("required_certificates".to_string(), c.clone())));
    fields.push(("version".into(), job.version.to_string()));
    Form(fields)
}

async fn new_form(State(app): State<AppState>, viewer: Viewer) -> ConsoleResult<Response> {
    viewer.require(Entity::Job, Privilege::Create)?;
    form_page(&app, &viewer, None, &Form::default(), &FieldErrors::none()).await
}

async fn create(State(app): State<AppState>, Posted { viewer, form }: Posted) -> ConsoleResult<Response> {
    viewer.require(Entity::Job, Privilege::Create)?;
    let (value, rows) = input(&form, form.text("job_id"));
    let created = async {
        let input: JobInput = from_value(value)?;
        app.hr.create_job(&viewer.caller.actor(), input.parse()?).await.map_err(Into::into)
    };
    match created.await {
        Ok(job) => Ok(redirect_with(&format!("/jobs/{}", job.job_id), &format!("Job {} created.", job.job_id))),
        Err(error) => {
            let errors = errors_by_row(FieldErrors::from_api(error)?, "required_skills", &rows);
            form_page(&app, &viewer, None, &form, &errors).await
        }
    }
}

async fn edit_form(State(app): State<AppState>, viewer: Viewer, Path(job_id): Path<String>) -> ConsoleResult<Response> {
    viewer.require(Entity::Job, Privilege::Write)?;
    let job = app.hr.job(&job_id).await?;
    form_page(&app, &viewer, Some(&job.job_id), &form_of(&job), &FieldErrors::none()).await
}

async fn update(
    State(app): State<AppState>,
    Path(job_id): Path<String>,
    Posted { viewer, form }: Posted,
) -> ConsoleResult<Response> {
    viewer.require(Entity::Job, Privilege::Write)?;
    let (value, rows) = input(&form, &job_id);
    let updated = async {
        let input: JobInput = from_value(value)?;
        app.hr.update_job(&viewer.caller.actor(), &job_id, input.parse()?, form.version()).await.map_err(Into::into)
    };
    match updated.await {
        Ok(job) => Ok(redirect_with(&format!("/jobs/{}", job.job_id), "Changes saved.")),
        Err(error) => {
            let errors = errors_by_row(FieldErrors::from_api(error)?, "required_skills", &rows);
            form_page(&app, &viewer, Some(&job_id), &form, &errors).await
        }
    }
}

async fn delete(
    State(app): State<AppState>,
    Path(job_id): Path<String>,
    Posted { viewer, form }: Posted,
) -> ConsoleResult<Response> {
    viewer.require(Entity::Job, Privilege::Delete)?;
    match app.hr.delete_job(&viewer.caller.actor(), &job_id, form.version()).await {
        Ok(()) => Ok(redirect_with(NAV, &format!("Job {job_id} deleted."))),
        Err(error) => list_page(&app, &viewer, None, Some(&refusal(error.into())?)).await,
    }
}
