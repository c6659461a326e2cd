//! Certificate types: what a worker can be certified for, and whether it must be renewed (a
//! worker's certificate of such a type needs an expiry date).

use super::{list_status, refusal, refused};
use crate::error::ConsoleResult;
use crate::layout::{csrf, page_with_status, redirect_with};
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
use hrbridge_domain::hr::{CertificateType, CertificateTypeInput};
use hrbridge_store::Page;
use maud::html;
use serde_json::json;

const NAV: &str = "/certificate-types";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/certificate-types", get(list))
        .route("/certificate-types/new", get(new_form).post(create))
        .route("/certificate-types/{code}/edit", get(edit_form).post(update))
        .route("/certificate-types/{code}/delete", post(delete))
}

async fn list(
    State(app): State<AppState>,
    viewer: Viewer,
    Query(params): Query<AfterQuery>,
) -> ConsoleResult<Response> {
    viewer.require(Entity::CertificateType, Privilege::Read)?;
    list_page(&app, &viewer, params.after, None).await
}

async fn list_page(
    app: &AppState,
    viewer: &Viewer,
    after: Option<String>,
    refusal: Option<&str>,
) -> ConsoleResult<Response> {
    let types = app.hr.certificate_types(&Page { limit: 50, after }).await?;
    let can_write = viewer.can(Entity::CertificateType, Privilege::Write);
    let can_delete = viewer.can(Entity::CertificateType, Privilege::Delete);
    let content = html! {
        (refused(refusal))
        div.toolbar {
            p.muted { "A worker's certificate of a type that requires renewal must have an expiry date." }
            @if viewer.can(Entity::CertificateType, Privilege::Create) {
                a.button href="/certificate-types/new" { "New certificate type" }
            }
        }
        @if types.items.is_empty() {
            p.empty { "No certificate types yet." }
        } @else {
            table {
                caption.visually-hidden { "Certificate types" }
                thead { tr {
                    th { "Code" } th { "Name" } th { "Requires renewal" } th { "Description" }
                    th { span.visually-hidden { "Actions" } }
                } }
                tbody {
                    @for t in &types.items {
                        tr {
                            td { code { (t.code) } }
                            td { (t.name) }
                            td {
                                @if t.requires_renewal { span.badge.warn { "Yes" } }
                                @else { span.muted { "No" } }
                            }
                            td { (t.description) }
                            td {
                                @if can_write { a href={ "/certificate-types/" (t.code) "/edit" } { "Edit" span.visually-hidden { " " (t.name) } } " " }
                                @if can_delete {
                                    (versioned_action_button(viewer, &format!("/certificate-types/{}/delete", t.code), "Delete",
                                        Some(&format!("Delete certificate type {}?", t.code)), t.version))
                                }
                            }
                        }
                    }
                }
            }
        }
        (next_link("/certificate-types", types.next.as_ref(), &[]))
    };
    Ok(page_with_status(list_status(refusal), viewer, NAV, "Certificate types", content))
}

fn form_page(viewer: &Viewer, code: Option<&str>, form: &Form, errors: &FieldErrors) -> Response {
    let (action, title, button) = match code {
        None => ("/certificate-types/new".to_string(), "New certificate type".to_string(), "Create certificate type"),
        Some(code) => {
            (format!("/certificate-types/{code}/edit"), format!("Edit certificate type {code}"), "Save changes")
        }
    };
    let renewal = if form.checked("requires_renewal") { "true" } else { "" };
    let content = html! {
        form.card method="post" action=(action) {
            (csrf(viewer))
            (version_field(form))
            (errors.summary())
            div.row {
                @if code.is_none() {
                    (Input::new("Code", "code", form.text("code")).required()
                        .hint("Letters, digits, '_', '-' and '.'; it cannot be changed later.").render(errors))
                }
                (Input::new("Name", "name", form.text("name")).required().render(errors))
            }
            (Input::new("Requires renewal", "requires_renewal", renewal)
                .kind("checkbox")
                .hint("Certificates of this type expire: each must have an expiry date.")
                .render(errors))
            (Input::new("Description", "description", form.text("description")).kind("textarea").render(errors))
            div.actions { button type="submit" { (button) } a href=(NAV) { "Cancel" } }
        }
    };
    page_with_status(errors.status(), viewer, NAV, &title, content)
}

fn input(form: &Form, code: &str) -> serde_json::Value {
    json!({
        "code": code,
        "name": form.text("name"),
        "description": form.json("description"),
        "requires_renewal": form.checked("requires_renewal"),
    })
}

fn form_of(t: &CertificateType) -> Form {
    let mut fields = vec![("name".to_string(), t.name.clone()), ("description".to_string(), t.description.clone())];
    if t.requires_renewal {
        fields.push(("requires_renewal".into(), "true".into()));
    }
    fields.push(("version".into(), t.version.to_string()));
    Form(fields)
}

async fn new_form(viewer: Viewer) -> ConsoleResult<Response> {
    viewer.require(Entity::CertificateType, Privilege::Create)?;
    Ok(form_page(&viewer, None, &Form::default(), &FieldErrors::none()))
}

async fn create(State(app): State<AppState>, Posted { viewer, form }: Posted) -> ConsoleResult<Response> {
    viewer.require(Entity::CertificateType, Privilege::Create)?;
    let created = async {
        let input: CertificateTypeInput = from_value(input(&form, form.text("code")))?;
        app.hr.create_certificate_type(&viewer.caller.actor(), input.parse()?).await.map_err(Into::into)
    };
    match created.await {
        Ok(t) => Ok(redirect_with(NAV, &format!("Certificate type {} created.", t.code))),
        Err(error) => Ok(form_page(&viewer, None, &form, &FieldErrors::from_api(error)?)),
    }
}

async fn edit_form(State(app): State<AppState>, viewer: Viewer, Path(code): Path<String>) -> ConsoleResult<Response> {
    viewer.require(Entity::CertificateType, Privilege::Write)?;
    let t = app.hr.certificate_type(&code).await?;
    Ok(form_page(&viewer, Some(&t.code), &form_of(&t), &FieldErrors::none()))
}

async fn update(
    State(app): State<AppState>,
    Path(code): Path<String>,
    Posted { viewer, form }: Posted,
) -> ConsoleResult<Response> {
    viewer.require(Entity::CertificateType, Privilege::Write)?;
    let updated = async {
        let input: CertificateTypeInput = from_value(input(&form, &code))?;
        app.hr
            .update_certificate_type(&viewer.caller.actor(), &code, input.parse()?, form.version())
            .await
            .map_err(Into::into)
    };
    match updated.await {
        Ok(t) => Ok(redirect_with(NAV, &format!("Certificate type {} saved.", t.code))),
        Err(error) => Ok(form_page(&viewer, Some(&code), &form, &FieldErrors::from_api(error)?)),
    }
}

async fn delete(
    State(app): State<AppState>,
    Path(code): Path<String>,
    Posted { viewer, form }: Posted,
) -> ConsoleResult<Response> {
    viewer.require(Entity::CertificateType, Privilege::Delete)?;
    match app.hr.delete_certificate_type(&viewer.caller.actor(), &code, form.version()).await {
        Ok(()) => Ok(redirect_with(NAV, &format!("Certificate type {code} deleted."))),
        Err(error) => list_page(&app, &viewer, None, Some(&refusal(error.into())?)).await,
    }
}
