//! Skill types: the groups skills are sorted into (technical, language, …).

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
use hrbridge_domain::hr::{SkillType, SkillTypeInput};
use hrbridge_store::Page;
use maud::html;
use serde_json::json;

const NAV: &str = "/skill-types";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/skill-types", get(list))
        .route("/skill-types/new", get(new_form).post(create))
        .route("/skill-types/{code}/edit", get(edit_form).post(update))
        .route("/skill-types/{code}/delete", post(delete))
}

async fn list(
    State(app): State<AppState>,
    viewer: Viewer,
    Query(params): Query<AfterQuery>,
) -> ConsoleResult<Response> {
    viewer.require(Entity::SkillType, Privilege::Read)?;
    list_page(&app, &viewer, params.after, None).await
}

async fn list_page(
    app: &AppState,
    viewer: &Viewer,
    after: Option<String>,
    refusal: Option<&str>,
) -> ConsoleResult<Response> {
    let types = app.hr.skill_types(&Page { limit: 50, after }).await?;
    let can_write = viewer.can(Entity::SkillType, Privilege::Write);
    let can_delete = viewer.can(Entity::SkillType, Privilege::Delete);
    let content = html! {
        (refused(refusal))
        div.toolbar {
            p.muted { "Skill types group the skills of the catalog." }
            @if viewer.can(Entity::SkillType, Privilege::Create) {
                a.button href="/skill-types/new" { "New skill type" }
            }
        }
        @if types.items.is_empty() {
            p.empty { "No skill types yet." }
        } @else {
            table {
                caption.visually-hidden { "Skill types" }
                thead { tr { th { "Code" } th { "Name" } th { "Description" } th { span.visually-hidden { "Actions" } } } }
                tbody {
                    @for t in &types.items {
                        tr {
                            td { code { (t.code) } }
                            td { (t.name) }
                            td { (t.description) }
                            td {
                                @if can_write { a href={ "/skill-types/" (t.code) "/edit" } { "Edit" span.visually-hidden { " " (t.name) } } " " }
                                @if can_delete {
                                    (versioned_action_button(viewer, &format!("/skill-types/{}/delete", t.code), "Delete",
                                        Some(&format!("Delete skill type {}?", t.code)), t.version))
                                }
                            }
                        }
                    }
                }
            }
        }
        (next_link("/skill-types", types.next.as_ref(), &[]))
    };
    Ok(page_with_status(list_status(refusal), viewer, NAV, "Skill types", content))
}

fn form_page(viewer: &Viewer, code: Option<&str>, form: &Form, errors: &FieldErrors) -> Response {
    let (action, title, button) = match code {
        None => ("/skill-types/new".to_string(), "New skill type".to_string(), "Create skill type"),
        Some(code) => (format!("/skill-types/{code}/edit"), format!("Edit skill type {code}"), "Save changes"),
    };
    let content = html! {
        form.card method="post" action=(action) {
            (csrf(viewer))
            (version_field(form))
            (errors.summary())
            @if code.is_none() {
                (Input::new("Code", "code", form.text("code")).required()
                    .hint("Letters, digits, '_', '-' and '.'; it cannot be changed later.").render(errors))
            }
            (Input::new("Name", "name", form.text("name")).required().render(errors))
            (Input::new("Description", "description", form.text("description")).kind("textarea").render(errors))
            div.actions { button type="submit" { (button) } a href=(NAV) { "Cancel" } }
        }
    };
    page_with_status(errors.status(), viewer, NAV, &title, content)
}

fn input(form: &Form, code: &str) -> serde_json::Value {
    json!({ "code": code, "name": form.text("name"), "description": form.json("description") })
}

fn form_of(t: &SkillType) -> Form {
    Form(vec![
        ("version".into(), t.version.to_string()),
        ("name".into(), t.name.clone()),
        ("description".into(), t.description.clone()),
    ])
}

async fn new_form(viewer: Viewer) -> ConsoleResult<Response> {
    viewer.require(Entity::SkillType, Privilege::Create)?;
    Ok(form_page(&viewer, None, &Form::default(), &FieldErrors::none()))
}

async fn create(State(app): State<AppState>, Posted { viewer, form }: Posted) -> ConsoleResult<Response> {
    viewer.require(Entity::SkillType, Privilege::Create)?;
    let created = async {
        let input: SkillTypeInput = from_value(input(&form, form.text("code")))?;
        app.hr.create_skill_type(&viewer.caller.actor(), input.parse()?).await.map_err(Into::into)
    };
    match created.await {
        Ok(t) => Ok(redirect_with(NAV, &format!("Skill type {} created.", t.code))),
        Err(error) => Ok(form_page(&viewer, None, &form, &FieldErrors::from_api(error)?)),
    }
}

async fn edit_form(State(app): State<AppState>, viewer: Viewer, Path(code): Path<String>) -> ConsoleResult<Response> {
    viewer.require(Entity::SkillType, Privilege::Write)?;
    let t = app.hr.skill_type(&code).await?;
    Ok(form_page(&viewer, Some(&t.code), &form_of(&t), &FieldErrors::none()))
}

async fn update(
    State(app): State<AppState>,
    Path(code): Path<String>,
    Posted { viewer, form }: Posted,
) -> ConsoleResult<Response> {
    viewer.require(Entity::SkillType, Privilege::Write)?;
    let updated = async {
        let input: SkillTypeInput = from_value(input(&form, &code))?;
        app.hr
            .update_skill_type(&viewer.caller.actor(), &code, input.parse()?, form.version())
            .await
            .map_err(Into::into)
    };
    match updated.await {
        Ok(t) => Ok(redirect_with(NAV, &format!("Skill type {} saved.", t.code))),
        Err(error) => Ok(form_page(&viewer, Some(&code), &form, &FieldErrors::from_api(error)?)),
    }
}

async fn delete(
    State(app): State<AppState>,
    Path(code): Path<String>,
    Posted { viewer, form }: Posted,
) -> ConsoleResult<Response> {
    viewer.require(Entity::SkillType, Privilege::Delete)?;
    match app.hr.delete_skill_type(&viewer.caller.actor(), &code, form.version()).await {
        Ok(()) => Ok(redirect_with(NAV, &format!("Skill type {code} deleted."))),
        Err(error) => list_page(&app, &viewer, None, Some(&refusal(error.into())?)).await,
    }
}
