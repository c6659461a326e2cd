//! Skills: each rated with the levels of a rating model, optionally of a skill type.

use super::{list_status, refusal, refused};
use crate::choices;
use crate::error::ConsoleResult;
use crate::layout::{csrf, page_with_status, redirect_with};
use crate::session::{Form, Posted, Viewer};
use crate::widgets::AfterQuery;
use crate::widgets::{next_link, select, version_field, versioned_action_button, FieldErrors, Input};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use hrbridge_app::json::from_value;
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_domain::hr::{Skill, SkillInput};
use hrbridge_store::Page;
use maud::html;
use serde_json::json;

const NAV: &str = "/skills";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/skills", get(list))
        .route("/skills/new", get(new_form).post(create))
        .route("/skills/{code}/edit", get(edit_form).post(update))
        .route("/skills/{code}/delete", post(delete))
}

async fn list(
    State(app): State<AppState>,
    viewer: Viewer,
    Query(params): Query<AfterQuery>,
) -> ConsoleResult<Response> {
    viewer.require(Entity::Skill, Privilege::Read)?;
    list_page(&app, &viewer, params.after, None).await
}

/// The label of `code` among `options`, else the code itself.
fn label_of<'a>(options: &'a [(String, String)], code: &'a str) -> &'a str {
    options.iter().find(|(value, _)| value == code).map(|(_, label)| label.as_str()).unwrap_or(code)
}

async fn list_page(
    app: &AppState,
    viewer: &Viewer,
    after: Option<String>,
    refusal: Option<&str>,
) -> ConsoleResult<Response> {
    let skills = app.hr.skills(&Page { limit: 50, after }).await?;
    let types = if viewer.can(Entity::SkillType, Privilege::Read) { choices::skill_types(app).await? } else { vec![] };
    let models =
        if viewer.can(Entity::RatingModel, Privilege::Read) { choices::rating_models(app).await? } else { vec![] };
    let can_write = viewer.can(Entity::Skill, Privilege::Write);
    let can_delete = viewer.can(Entity::Skill, Privilege::Delete);
    let content = html! {
        (refused(refusal))
        div.toolbar {
            p.muted { "Every skill is rated with the levels of its rating model." }
            @if viewer.can(Entity::Skill, Privilege::Create) {
                a.button href="/skills/new" { "New skill" }
            }
        }
        @if skills.items.is_empty() {
            p.empty { "No skills yet." }
        } @else {
            table {
                caption.visually-hidden { "Skills" }
                thead { tr {
                    th { "Code" } th { "Name" } th { "Skill type" } th { "Rating model" } th { "Description" }
                    th { span.visually-hidden { "Actions" } }
                } }
                tbody {
                    @for s in &skills.items {
                        tr {
                            td { code { (s.code) } }
                            td { (s.name) }
                            td { @match &s.skill_type { Some(t) => (label_of(&types, t)), None => span.muted { "—" } } }
                            td {
                                @if viewer.can(Entity::RatingModel, Privilege::Read) {
                                    a href={ "/rating-models/" (s.rating_model) } { (label_of(&models, &s.rating_model)) }
                                } @else { (s.rating_model) }
                            }
                            td { (s.description) }
                            td {
                                @if can_write { a href={ "/skills/" (s.code) "/edit" } { "Edit" span.visually-hidden { " " (s.name) } } " " }
                                @if can_delete {
                                    (versioned_action_button(viewer, &format!("/skills/{}/delete", s.code), "Delete",
                                        Some(&format!("Delete skill {}?", s.code)), s.version))
                                }
                            }
                        }
                    }
                }
            }
        }
        (next_link("/skills", skills.next.as_ref(), &[]))
    };
    Ok(page_with_status(list_status(refusal), viewer, NAV, "Skills", content))
}

async fn form_page(
    app: &AppState,
    viewer: &Viewer,
    code: Option<&str>,
    form: &Form,
    errors: &FieldErrors,
) -> ConsoleResult<Response> {
    let types = choices::skill_types(app).await?;
    let models = choices::rating_models(app).await?;
    let (action, title, button) = match code {
        None => ("/skills/new".to_string(), "New skill".to_string(), "Create skill"),
        Some(code) => (format!("/skills/{code}/edit"), format!("Edit skill {code}"), "Save changes"),
    };
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
            div.row {
                (select("Rating model", "rating_model", &models, form.text("rating_model"), true, errors))
                (select("Skill type", "skill_type", &types, form.text("skill_type"), false, errors))
            }
            @if models.is_empty() {
                p.warning { "There are no rating models yet: " a href="/rating-models/new" { "create one" } " first." }
            }
            (Input::new("Description", "description", form.text("description")).kind("textarea").render(errors))
            div.actions { button type="submit" { (button) } a href=(NAV) { "Cancel" } }
        }
    };
    Ok(page_with_status(errors.status(), viewer, NAV, &title, content))
}

fn input(form: &Form, code: &str) -> serde_json::Value {
    json!({
        "code": code,
        "name": form.text("name"),
        "skill_type": form.json("skill_type"),
        "rating_model": form.text("rating_model"),
        "description": form.json("description"),
    })
}

fn form_of(s: &Skill) -> Form {
    let mut fields = vec![
        ("name".to_string(), s.name.clone()),
        ("rating_model".to_string(), s.rating_model.clone()),
        ("description".to_string(), s.description.clone()),
    ];
    if let Some(t) = &s.skill_type {
        fields.push(("skill_type".into(), t.clone()));
    }
    fields.push(("version".into(), s.version.to_string()));
    Form(fields)
}

async fn new_form(State(app): State<AppState>, viewer: Viewer) -> ConsoleResult<Response> {
    viewer.require(Entity::Skill, Privilege::Create)?;
    form_page(&app, &viewer, None, &Form::default(), &FieldErrors::none()).await
}

async fn create(State(app): State<AppState>, Posted { viewer, form }: Posted) -> ConsoleResult<Response> {
    viewer.require(Entity::Skill, Privilege::Create)?;
    let created = async {
        let input: SkillInput = from_value(input(&form, form.text("code")))?;
        app.hr.create_skill(&viewer.caller.actor(), input.parse()?).await.map_err(Into::into)
    };
    match created.await {
        Ok(s) => Ok(redirect_with(NAV, &format!("Skill {} created.", s.code))),
        Err(error) => form_page(&app, &viewer, None, &form, &FieldErrors::from_api(error)?).await,
    }
}

async fn edit_form(State(app): State<AppState>, viewer: Viewer, Path(code): Path<String>) -> ConsoleResult<Response> {
    viewer.require(Entity::Skill, Privilege::Write)?;
    let skill = app.hr.skill(&code).await?;
    form_page(&app, &viewer, Some(&skill.code), &form_of(&skill), &FieldErrors::none()).await
}

async fn update(
    State(app): State<AppState>,
    Path(code): Path<String>,
    Posted { viewer, form }: Posted,
) -> ConsoleResult<Response> {
    viewer.require(Entity::Skill, Privilege::Write)?;
    let updated = async {
        let input: SkillInput = from_value(input(&form, &code))?;
        app.hr.update_skill(&viewer.caller.actor(), &code, input.parse()?, form.version()).await.map_err(Into::into)
    };
    match updated.await {
        Ok(s) => Ok(redirect_with(NAV, &format!("Skill {} saved.", s.code))),
        Err(error) => form_page(&app, &viewer, Some(&code), &form, &FieldErrors::from_api(error)?).await,
    }
}

async fn delete(
    State(app): State<AppState>,
    Path(code): Path<String>,
    Posted { viewer, form }: Posted,
) -> ConsoleResult<Response> {
    viewer.require(Entity::Skill, Privilege::Delete)?;
    match app.hr.delete_skill(&viewer.caller.actor(), &code, form.version()).await {
        Ok(()) => Ok(redirect_with(NAV, &format!("Skill {code} deleted."))),
        Err(error) => list_page(&app, &viewer, None, Some(&refusal(error.into())?)).await,
    }
}
