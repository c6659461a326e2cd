//! Workers: a searchable list, a worker's page with skills and levels, certificates (expiry shown,
//! expired flagged) and position, and the forms to create, edit and delete.

use crate::choices;
use crate::error::ConsoleResult;
use crate::layout::{csrf, page, page_with_status, redirect_with};
use crate::session::{Form, Posted, Viewer};
use crate::widgets::{next_link, select, version_field, versioned_action_button, FieldErrors, Input};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use hrbridge_app::json::from_value;
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_domain::hr::{Worker, WorkerCertificateInput, WorkerInput, WorkerSkillInput};
use hrbridge_store::hr::WorkerFilter;
use hrbridge_store::Page;
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/workers", get(list))
        .route("/workers/new", get(new_form).post(create))
        .route("/workers/{number}", get(show))
        .route("/workers/{number}/edit", get(edit_form).post(update))
        .route("/workers/{number}/delete", post(delete))
        .route("/workers/{number}/skills", post(set_skill))
        .route("/workers/{number}/skills/{code}/remove", post(remove_skill))
        .route("/workers/{number}/certificates", post(set_certificate))
        .route("/workers/{number}/certificates/{code}/remove", post(remove_certificate))
}

#[derive(Deserialize)]
pub struct ListParams {
    q: Option<String>,
    after: Option<String>,
}

async fn list(
    State(app): State<AppState>,
    viewer: Viewer,
    Query(params): Query<ListParams>,
) -> ConsoleResult<Response> {
    viewer.require(Entity::Worker, Privilege::Read)?;
    let q = params.q.clone().unwrap_or_default();
    let filter = WorkerFilter { q: Some(q.clone()).filter(|q| !q.trim().is_empty()) };
    let workers = app.hr.workers(&filter, &Page { limit: 50, after: params.after.clone() }).await?;
    let content = html! {
        div.toolbar {
            form.search method="get" action="/workers" role="search" {
                label for="f-q" { "Search workers" }
                input #f-q type="search" name="q" value=(q) placeholder="Personnel number, name or email";
                button type="submit" { "Search" }
            }
            @if viewer.can(Entity::Worker, Privilege::Create) {
                a.button href="/workers/new" { "New worker" }
            }
        }
        @if workers.items.is_empty() {
            p.empty { @if q.is_empty() { "No workers yet." } @else { "No worker matches “" (q) "”." } }
        } @else {
            table {
                caption.visually-hidden { "Workers" }
                thead { tr { th { "Personnel number" } th { "Name" } th { "Email" } th { "Status" } th { "Position" } } }
                tbody {
                    @for w in &workers.items {
                        tr {
                            td { a href={ "/workers/" (w.personnel_number) } { (w.personnel_number) } }
                            td { (full_name(w)) }
                            td { (w.email.as_deref().unwrap_or("")) }
                            td { span.badge.(w.status.as_str()) { (choices::capitalised(w.status.as_str())) } }
                            td { (w.position.as_deref().unwrap_or("—")) }
                        }
                    }
                }
            }
        }
        (next_link("/workers", workers.next.as_ref(), &[("q", q.as_str())]))
    };
    Ok(page(&viewer, "/workers", "Workers", content))
}

pub fn full_name(w: &Worker) -> String {
    match &w.middle_name {
        Some(middle) => format!("{} {} {}", w.first_name, middle, w.last_name),
        None => format!("{} {}", w.first_name, w.last_name),
    }
}

/// The worker form's fields, filled from a submitted form.
fn worker_fields(form: &Form, errors: &FieldErrors, with_number: bool) -> Markup {
    html! {
        (errors.summary())
        @if with_number {
            (Input::new("Personnel number", "personnel_number", form.text("personnel_number"))
                .hint("Leave blank to take the next number from the sequence.").render(errors))
        }
        div.row {
            (Input::new("First name", "first_name", form.text("first_name")).required().render(errors))
            (Input::new("Middle name", "middle_name", form.text("middle_name")).render(errors))
            (Input::new("Last name", "last_name", form.text("last_name")).required().render(errors))
        }
        div.row {
            (Input::new("Email", "email", form.text("email")).kind("email").render(errors))
            (Input::new("Phone", "phone", form.text("phone")).kind("tel").render(errors))
        }
        div.row {
            (Input::new("Employment start", "employment_start", form.text("employment_start")).kind("date").render(errors))
            (Input::new("Employment end", "employment_end", form.text("employment_end")).kind("date").render(errors))
            (select("Status", "status", &choices::statuses(), form.get("status").unwrap_or("active"), true, errors))
        }
    }
}

fn worker_input(form: &Form, personnel_number: Option<&str>) -> serde_json::Value {
    json!({
        "personnel_number": personnel_number.map(|n| json!(n)).unwrap_or_else(|| form.json("personnel_number")),
        "first_name": form.text("first_name"),
        "middle_name": form.json("middle_name"),
        "last_name": form.text("last_name"),
        "email": form.json("email"),
        "phone": form.json("phone"),
        "employment_start": form.json("employment_start"),
        "employment_end": form.json("employment_end"),
        "status": form.json("status"),
    })
}

fn form_of(worker: &Worker) -> Form {
    let mut fields = vec![
        ("first_name".to_string(), worker.first_name.clone()),
        ("last_name".to_string(), worker.last_name.clone()),
        ("status".to_string(), worker.status.as_str().to_string()),
        ("version".to_string(), worker.version.to_string()),
    ];
    let optional = [
        ("middle_name", worker.middle_name.clone()),
        ("email", worker.email.clone()),
        ("phone", worker.phone.clone()),
        ("employment_start", worker.employment_start.map(|d| d.to_string())),
        ("employment_end", worker.employment_end.map(|d| d.to_string())),
    ];
    fields.extend(optional.into_iter().filter_map(|(k, v)| v.map(|v| (k.to_string(), v))));
    Form(fields)
}

fn new_page(viewer: &Viewer, form: &Form, errors: &FieldErrors) -> Response {
    let status = errors.status();
    let content = html! {
        form.card method="post" action="/workers/new" {
            (csrf(viewer))
            (worker_fields(form, errors, true))
            div.actions { button type="submit" { "Create worker" } a href="/workers" { "Cancel" } }
        }
    };
    page_with_status(status, viewer, "/workers", "New worker", content)
}

async fn new_form(viewer: Viewer) -> ConsoleResult<Response> {
    viewer.require(Entity::Worker, Privilege::Create)?;
    Ok(new_page(&viewer, &Form::default(), &FieldErrors::none()))
}

async fn create(State(app): State<AppState>, Posted { viewer, form }: Posted) -> ConsoleResult<Response> {
    viewer.require(Entity::Worker, Privilege::Create)?;
    let created = async {
        let input: WorkerInput = from_value(worker_input(&form, None))?;
        app.hr.create_worker(&viewer.caller.actor(), input.parse()?).await.map_err(Into::into)
    };
    match created.await {
        Ok(worker) => Ok(redirect_with(
            &format!("/workers/{}", worker.personnel_number),
            &format!("Worker {} created.", worker.personnel_number),
        )),
        Err(error) => Ok(new_page(&viewer, &form, &FieldErrors::from_api(error)?)),
    }
}

/// The sub-form on a worker's page that was sent and failed, to show it again with its errors.
enum Failed<'a> {
    None,
    Skill(&'a Form, FieldErrors),
    Certificate(&'a Form, FieldErrors),
}

async fn worker_page(app: &AppState, viewer: &Viewer, number: &str, failed: Failed<'_>) -> ConsoleResult<Response> {
    let worker = app.hr.worker(number).await?;
    let can_skills = viewer.can(Entity::WorkerSkill, Privilege::Write);
    let can_certificates = viewer.can(Entity::WorkerCertificate, Privilege::Write);
    let skill_options = if can_skills { choices::skills(app).await? } else { Vec::new() };
    let level_options = if can_skills { choices::rating_levels(app).await? } else { Vec::new() };
    let certificate_options = if can_certificates { choices::certificate_types(app).await? } else { Vec::new() };
    let (skill_form, skill_errors) = match &failed {
        Failed::Skill(form, errors) => ((*form).clone(), errors.clone()),
        _ => (Form::default(), FieldErrors::none()),
    };
    let (cert_form, cert_errors) = match &failed {
        Failed::Certificate(form, errors) => ((*form).clone(), errors.clone()),
        _ => (Form::default(), FieldErrors::none()),
    };
    let base = format!("/workers/{}", worker.personnel_number);
    let content = html! {
        div.toolbar {
            @if viewer.can(Entity::Worker, Privilege::Write) { a.button href={ (base) "/edit" } { "Edit" } }
            @if viewer.can(Entity::Worker, Privilege::Delete) {
                (versioned_action_button(viewer, &format!("{base}/delete"), "Delete worker",
                    Some("Delete this worker? Their resource in scheduling is removed too."), worker.version))
            }
        }
        section.card aria-labelledby="details" {
            h2 #details { "Details" }
            dl.facts {
                dt { "Personnel number" } dd { (worker.personnel_number) }
                dt { "Status" } dd { span.badge.(worker.status.as_str()) { (choices::capitalised(worker.status.as_str())) } }
                dt { "Email" } dd { (worker.email.as_deref().unwrap_or("—")) }
                dt { "Phone" } dd { (worker.phone.as_deref().unwrap_or("—")) }
                dt { "Employment" } dd {
                    (worker.employment_start.map(|d| d.to_string()).unwrap_or_else(|| "—".into()))
                    " to " (worker.employment_end.map(|d| d.to_string()).unwrap_or_else(|| "open".into()))
                }
                dt { "Position" } dd {
                    @match &worker.position {
                        Some(p) => a href={ "/positions/" (p) } { (p) },
                        None => "None",
                    }
                }
            }
        }
        section.card aria-labelledby="skills" {
            h2 #skills { "Skills" }
            @if worker.skills.is_empty() { p.empty { "No skills recorded." } } @else {
                table {
                    thead { tr { th { "Skill" } th { "Level" } th.num { "Factor" } th { "Assessed" } @if can_skills { th { span.visually-hidden { "Actions" } } } } }
                    tbody {
                        @for s in &worker.skills {
                            tr {
                                td { (s.skill_name) " " span.muted { "(" (s.skill) ")" } }
                                td { (s.level) }
                                td.num { (s.factor) }
                                td { (s.level_date) }
                                @if can_skills {
                                    td { (versioned_action_button(viewer, &format!("{base}/skills/{}/remove", s.skill), "Remove", Some("Remove this skill?"), s.version)) }
                                }
                            }
                        }
                    }
                }
            }
            @if can_skills {
                form.inline-form method="post" action={ (base) "/skills" } aria-label="Add or change a skill" {
                    (csrf(viewer))
                    (skill_errors.summary())
                    (select("Skill", "skill", &skill_options, skill_form.text("skill"), true, &skill_errors))
                    (select("Level", "level", &level_options, skill_form.text("level"), true, &skill_errors))
                    (Input::new("Assessed on", "level_date", skill_form.text("level_date")).kind("date").render(&skill_errors))
                    button type="submit" { "Save skill" }
                }
            }
        }
        section.card aria-labelledby="certificates" {
            h2 #certificates { "Certificates" }
            @if worker.certificates.is_empty() { p.empty { "No certificates recorded." } } @else {
                table {
                    thead { tr { th { "Certificate" } th { "Issued" } th { "Expires" } th { "State" } @if can_certificates { th { span.visually-hidden { "Actions" } } } } }
                    tbody {
                        @for c in &worker.certificates {
                            tr.expired[c.expired] {
                                td { (c.name) " " span.muted { "(" (c.certificate_type) ")" } }
                                td { (c.issued_on) }
                                td { (c.expires_on.map(|d| d.to_string()).unwrap_or_else(|| "Does not expire".into())) }
                                td { @if c.expired { span.badge.danger { "Expired" } } @else { span.badge.ok { "Valid" } } }
                                @if can_certificates {
                                    td { (versioned_action_button(viewer, &format!("{base}/certificates/{}/remove", c.certificate_type), "Remove", Some("Remove this certificate?"), c.version)) }
                                }
                            }
                        }
                    }
                }
            }
            @if can_certificates {
                form.inline-form method="post" action={ (base) "/certificates" } aria-label="Add or change a certificate" {
                    (csrf(viewer))
                    (cert_errors.summary())
                    (select("Certificate type", "certificate_type", &certificate_options, cert_form.text("certificate_type"), true, &cert_errors))
                    (Input::new("Issued on", "issued_on", cert_form.text("issued_on")).kind("date").required().render(&cert_errors))
                    (Input::new("Expires on", "expires_on", cert_form.text("expires_on")).kind("date").render(&cert_errors))
                    button type="submit" { "Save certificate" }
                }
            }
        }
    };
    let status = match failed {
        Failed::None => StatusCode::OK,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    Ok(page_with_status(status, viewer, "/workers", &full_name(&worker), content))
}

async fn show(State(app): State<AppState>, viewer: Viewer, Path(number): Path<String>) -> ConsoleResult<Response> {
    viewer.require(Entity::Worker, Privilege::Read)?;
    worker_page(&app, &viewer, &number, Failed::None).await
}

fn edit_page(viewer: &Viewer, number: &str, form: &Form, errors: &FieldErrors) -> Response {
    let status = errors.status();
    let content = html! {
        form.card method="post" action={ "/workers/" (number) "/edit" } {
            (csrf(viewer))
            // The version this form shows: saving is refused if someone changed the worker since.
            (version_field(form))
            (worker_fields(form, errors, false))
            div.actions { button type="submit" { "Save changes" } a href={ "/workers/" (number) } { "Cancel" } }
        }
    };
    page_with_status(status, viewer, "/workers", &format!("Edit worker {number}"), content)
}

async fn edit_form(State(app): State<AppState>, viewer: Viewer, Path(number): Path<String>) -> ConsoleResult<Response> {
    viewer.require(Entity::Worker, Privilege::Write)?;
    let worker = app.hr.worker(&number).await?;
    Ok(edit_page(&viewer, &number, &form_of(&worker), &FieldErrors::none()))
}

async fn update(
    State(app): State<AppState>,
    Path(number): Path<String>,
    Posted { viewer, form }: Posted,
) -> ConsoleResult<Response> {
    viewer.require(Entity::Worker, Privilege::Write)?;
    let updated = async {
        let input: WorkerInput = from_value(worker_input(&form, Some(&number)))?;
        app.hr.update_worker(&viewer.caller.actor(), &number, input.parse()?, form.version()).await.map_err(Into::into)
    };
    match updated.await {
        Ok(_) => Ok(redirect_with(&format!("/workers/{number}"), "Changes saved.")),
        Err(error) => Ok(edit_page(&viewer, &number, &form, &FieldErrors::from_api(error)?)),
    }
}

async fn delete(
    State(app): State<AppState>,
    Path(number): Path<String>,
    Posted { viewer, form }: Posted,
) -> ConsoleResult<Response> {
    viewer.require(Entity::Worker, Privilege::Delete)?;
    app.hr.delete_worker(&viewer.caller.actor(), &number, form.version()).await?;
    Ok(redirect_with("/workers", &format!("Worker {number} deleted.")))
}

async fn set_skill(
    State(app): State<AppState>,
    Path(number): Path<String>,
    Posted { viewer, form }: Posted,
) -> ConsoleResult<Response> {
    viewer.require(Entity::WorkerSkill, Privilege::Write)?;
    let saved = async {
        let Some(skill) = form.get("skill") else {
            return Err(hrbridge_app::AppError::invalid("skill", "choose a skill"));
        };
        let input: WorkerSkillInput =
            from_value(json!({ "level": form.text("level"), "level_date": form.json("level_date") }))?;
        app.hr.set_worker_skill(&viewer.caller.actor(), &number, skill, input, None).await.map_err(Into::into)
    };
    match saved.await {
        Ok(s) => {
            Ok(redirect_with(&format!("/workers/{number}"), &format!("Skill {} set to {}.", s.skill_name, s.level)))
        }
        Err(error) => worker_page(&app, &viewer, &number, Failed::Skill(&form, FieldErrors::from_api(error)?)).await,
    }
}

async fn remove_skill(
    State(app): State<AppState>,
    Path((number, code)): Path<(String, String)>,
    Posted { viewer, form }: Posted,
) -> ConsoleResult<Response> {
    viewer.require(Entity::WorkerSkill, Privilege::Delete)?;
    app.hr.remove_worker_skill(&viewer.caller.actor(), &number, &code, form.version()).await?;
    Ok(redirect_with(&format!("/workers/{number}"), &format!("Skill {code} removed.")))
}

async fn set_certificate(
    State(app): State<AppState>,
    Path(number): Path<String>,
    Posted { viewer, form }: Posted,
) -> ConsoleResult<Response> {
    viewer.require(Entity::WorkerCertificate, Privilege::Write)?;
    let saved = async {
        let Some(code) = form.get("certificate_type") else {
            return Err(hrbridge_app::AppError::invalid("certificate_type", "choose a certificate type"));
        };
        let input: WorkerCertificateInput =
            from_value(json!({ "issued_on": form.json("issued_on"), "expires_on": form.json("expires_on") }))?;
        app.hr.set_worker_certificate(&viewer.caller.actor(), &number, code, input, None).await.map_err(Into::into)
    };
    match saved.await {
        Ok(c) => Ok(redirect_with(&format!("/workers/{number}"), &format!("Certificate {} saved.", c.name))),
        Err(error) => {
            worker_page(&app, &viewer, &number, Failed::Certificate(&form, FieldErrors::from_api(error)?)).await
        }
    }
}

async fn remove_certificate(
    State(app): State<AppState>,
    Path((number, code)): Path<(String, String)>,
    Posted { viewer, form }: Posted,
) -> ConsoleResult<Response> {
    viewer.require(Entity::WorkerCertificate, Privilege::Delete)?;
    app.hr.remove_worker_certificate(&viewer.caller.actor(), &number, &code, form.version()).await?;
    Ok(redirect_with(&format!("/workers/{number}"), &format!("Certificate {code} removed.")))
}
