//! Rating models and their levels: a model is a scale (1 to 10 levels, each a name and a factor
//! 0–9 unique in the model) that skills are rated on. The form has a row per level; blank rows
//! are ignored.

use super::{cell_input, errors_by_row, exact_error, list_status, refusal, refused};
use crate::error::ConsoleResult;
use crate::layout::{csrf, page, page_with_status, redirect_with};
use crate::session::{Form, Posted, Viewer};
use crate::widgets::AfterQuery;
use crate::widgets::{next_link, version_field, versioned_action_button, FieldErrors, Input};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use hrbridge_app::json::from_value;
use hrbridge_app::AppError;
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_domain::hr::{RatingModel, RatingModelInput, MAX_RATING_LEVELS};
use hrbridge_domain::FieldError;
use hrbridge_store::Page;
use maud::{html, Markup};
use serde_json::json;

const NAV: &str = "/rating-models";
/// Level rows on a form, at least.
const ROWS: usize = 6;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/rating-models", get(list))
        .route("/rating-models/new", get(new_form).post(create))
        .route("/rating-models/{code}", get(show))
        .route("/rating-models/{code}/edit", get(edit_form).post(update))
        .route("/rating-models/{code}/delete", post(delete))
}

async fn list(
    State(app): State<AppState>,
    viewer: Viewer,
    Query(params): Query<AfterQuery>,
) -> ConsoleResult<Response> {
    viewer.require(Entity::RatingModel, Privilege::Read)?;
    list_page(&app, &viewer, params.after, None).await
}

/// A model's levels in order of factor.
fn levels_in_order(model: &RatingModel) -> Vec<&hrbridge_domain::hr::RatingLevel> {
    let mut levels: Vec<_> = model.levels.iter().collect();
    levels.sort_by_key(|l| l.factor);
    levels
}

async fn list_page(
    app: &AppState,
    viewer: &Viewer,
    after: Option<String>,
    refusal: Option<&str>,
) -> ConsoleResult<Response> {
    let models = app.hr.rating_models(&Page { limit: 50, after }).await?;
    let content = html! {
        (refused(refusal))
        div.toolbar {
            p.muted { "A rating model is the scale a skill is rated on: levels with a factor from 0 to 9." }
            @if viewer.can(Entity::RatingModel, Privilege::Create) {
                a.button href="/rating-models/new" { "New rating model" }
            }
        }
        @if models.items.is_empty() {
            p.empty { "No rating models yet." }
        } @else {
            table {
                caption.visually-hidden { "Rating models" }
                thead { tr { th { "Code" } th { "Name" } th { "Levels (factor)" } th { "Description" } } }
                tbody {
                    @for m in &models.items {
                        tr {
                            td { a href={ "/rating-models/" (m.code) } { (m.code) } }
                            td { (m.name) }
                            td {
                                @for (i, l) in levels_in_order(m).into_iter().enumerate() {
                                    @if i > 0 { " · " }
                                    (l.name) " " span.muted { "(" (l.factor) ")" }
                                }
                            }
                            td { (m.description) }
                        }
                    }
                }
            }
        }
        (next_link("/rating-models", models.next.as_ref(), &[]))
    };
    Ok(page_with_status(list_status(refusal), viewer, NAV, "Rating models", content))
}

async fn show(State(app): State<AppState>, viewer: Viewer, Path(code): Path<String>) -> ConsoleResult<Response> {
    viewer.require(Entity::RatingModel, Privilege::Read)?;
    let model = app.hr.rating_model(&code).await?;
    let skills = if viewer.can(Entity::Skill, Privilege::Read) {
        let all = app.hr.skills(&Page { limit: 1000, after: None }).await?;
        all.items.into_iter().filter(|s| s.rating_model == model.code).collect()
    } else {
        Vec::new()
    };
    let base = format!("/rating-models/{}", model.code);
    let content = html! {
        div.toolbar {
            @if viewer.can(Entity::RatingModel, Privilege::Write) { a.button href={ (base) "/edit" } { "Edit" } }
            @if viewer.can(Entity::RatingModel, Privilege::Delete) {
                (versioned_action_button(&viewer, &format!("{base}/delete"), "Delete rating model",
                    Some(&format!("Delete rating model {} and its levels?", model.code)), model.version))
            }
        }
        section.card aria-labelledby="details" {
            h2 #details { "Details" }
            dl.facts {
                dt { "Code" } dd { code { (model.code) } }
                dt { "Name" } dd { (model.name) }
                dt { "Description" } dd { @if model.description.is_empty() { span.muted { "—" } } @else { (model.description) } }
            }
        }
        section.card aria-labelledby="levels" {
            h2 #levels { "Levels" }
            table {
                thead { tr { th.num { "Factor" } th { "Name" } th { "Description" } } }
                tbody {
                    @for l in levels_in_order(&model) {
                        tr { td.num { (l.factor) } td { (l.name) } td { (l.description) } }
                    }
                }
            }
        }
        @if viewer.can(Entity::Skill, Privilege::Read) {
            section.card aria-labelledby="skills" {
                h2 #skills { "Skills rated with this model" }
                @if skills.is_empty() { p.empty { "No skill uses this model yet." } } @else {
                    p { @for (i, s) in skills.iter().enumerate() { @if i > 0 { ", " } (s.name) " " span.muted { "(" (s.code) ")" } } }
                }
            }
        }
    };
    Ok(page(&viewer, NAV, &format!("Rating model {}", model.name), content))
}

/// How many level rows the form shows: what was sent, or room for two more, at least [`ROWS`].
fn row_count(form: &Form) -> usize {
    let sent = form.0.iter().filter(|(k, _)| k.starts_with("levels[") && k.ends_with("].name")).count();
    sent.max(ROWS).min(MAX_RATING_LEVELS.max(sent))
}

fn levels_fieldset(form: &Form, errors: &FieldErrors) -> Markup {
    let rows = row_count(form);
    let general = exact_error(errors, "levels");
    html! {
        div #f-levels role="group" aria-labelledby="levels-heading" aria-describedby="levels-hint" tabindex="-1" {
            h3 #levels-heading { "Levels" }
            p.hint #levels-hint {
                "Up to " (MAX_RATING_LEVELS) " levels. Each needs a name and a factor from 0 to 9, unique in the model; "
                "a higher factor is a better level. Blank rows are ignored."
            }
            @if let Some(message) = general { p.field-error role="alert" { (message) } }
            table {
                thead { tr { th { "Name" } th { "Factor" } th { "Description" } } }
                tbody {
                    @for row in 0..rows {
                        @let n = row + 1;
                        @let name = format!("levels[{row}].name");
                        @let factor = format!("levels[{row}].factor");
                        @let description = format!("levels[{row}].description");
                        tr {
                            td { (cell_input(&format!("Level {n} name"), &name, form.text(&name), "text", errors)) }
                            td { (cell_input(&format!("Level {n} factor"), &factor, form.text(&factor), "number", errors)) }
                            td { (cell_input(&format!("Level {n} description"), &description, form.text(&description), "text", errors)) }
                        }
                    }
                }
            }
        }
    }
}

fn form_page(viewer: &Viewer, code: Option<&str>, form: &Form, errors: &FieldErrors) -> Response {
    let (action, title, button, cancel) = match code {
        None => {
            ("/rating-models/new".to_string(), "New rating model".to_string(), "Create rating model", NAV.to_string())
        }
        Some(code) => (
            format!("/rating-models/{code}/edit"),
            format!("Edit rating model {code}"),
            "Save changes",
            format!("/rating-models/{code}"),
        ),
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
                (Input::new("Description", "description", form.text("description")).render(errors))
            }
            (levels_fieldset(form, errors))
            div.actions { button type="submit" { (button) } a href=(cancel) { "Cancel" } }
        }
    };
    page_with_status(errors.status(), viewer, NAV, &title, content)
}

/// The model's input from the form, the page row of each level sent, and what is wrong with
/// the rows before the domain looks (a factor that is not a whole number).
fn input(form: &Form, code: &str) -> (serde_json::Value, Vec<usize>, Vec<FieldError>) {
    let mut levels = Vec::new();
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for row in 0..row_count(form) {
        let at = |f: &str| format!("levels[{row}].{f}");
        let (name, factor, description) =
            (form.get(&at("name")), form.get(&at("factor")), form.get(&at("description")));
        if name.is_none() && factor.is_none() && description.is_none() {
            continue;
        }
        let factor = match factor.map(|f| f.parse::<i64>()) {
            Some(Ok(f)) => f,
            other => {
                let message = if other.is_none() { "is required" } else { "must be a whole number from 0 to 9" };
                problems.push(FieldError { field: at("factor"), message: message.into() });
                // A stand-in the domain refuses on its own; its message is replaced by ours.
                100 + row as i64
            }
        };
        levels.push(json!({ "name": name.unwrap_or(""), "factor": factor, "description": description }));
        rows.push(row);
    }
    let value = json!({
        "code": code, "name": form.text("name"), "description": form.json("description"), "levels": levels,
    });
    (value, rows, problems)
}

/// The form's errors: the domain's, named after page rows, with ours in place of its own for
/// the factors we already found wrong.
fn form_errors(error: AppError, rows: &[usize], problems: Vec<FieldError>) -> ConsoleResult<FieldErrors> {
    let mut errors = errors_by_row(FieldErrors::from_api(error)?, "levels", rows);
    errors.fields.retain(|e| !problems.iter().any(|p| p.field == e.field));
    errors.fields.extend(problems);
    Ok(errors)
}

fn form_of(model: &RatingModel) -> Form {
    let mut fields =
        vec![("name".to_string(), model.name.clone()), ("description".to_string(), model.description.clone())];
    for (row, l) in levels_in_order(model).into_iter().enumerate() {
        fields.push((format!("levels[{row}].name"), l.name.clone()));
        fields.push((format!("levels[{row}].factor"), l.factor.to_string()));
        fields.push((format!("levels[{row}].description"), l.description.clone()));
    }
    // Room for two more levels.
    let rows = (model.levels.len() + 2).clamp(ROWS, MAX_RATING_LEVELS.max(model.levels.len()));
    for row in model.levels.len()..rows {
        fields.push((format!("levels[{row}].name"), String::new()));
    }
    fields.push(("version".into(), model.version.to_string()));
    Form(fields)
}

async fn new_form(viewer: Viewer) -> ConsoleResult<Response> {
    viewer.require(Entity::RatingModel, Privilege::Create)?;
    Ok(form_page(&viewer, None, &Form::default(), &FieldErrors::none()))
}

async fn create(State(app): State<AppState>, Posted { viewer, form }: Posted) -> ConsoleResult<Response> {
    viewer.require(Entity::RatingModel, Privilege::Create)?;
    let (value, rows, problems) = input(&form, form.text("code"));
    let created = async {
        let input: RatingModelInput = from_value(value)?;
        app.hr.create_rating_model(&viewer.caller.actor(), input.parse()?).await.map_err(Into::into)
    };
    match created.await {
        Ok(m) => Ok(redirect_with(&format!("/rating-models/{}", m.code), &format!("Rating model {} created.", m.code))),
        Err(error) => Ok(form_page(&viewer, None, &form, &form_errors(error, &rows, problems)?)),
    }
}

async fn edit_form(State(app): State<AppState>, viewer: Viewer, Path(code): Path<String>) -> ConsoleResult<Response> {
    viewer.require(Entity::RatingModel, Privilege::Write)?;
    let model = app.hr.rating_model(&code).await?;
    Ok(form_page(&viewer, Some(&model.code), &form_of(&model), &FieldErrors::none()))
}

async fn update(
    State(app): State<AppState>,
    Path(code): Path<String>,
    Posted { viewer, form }: Posted,
) -> ConsoleResult<Response> {
    viewer.require(Entity::RatingModel, Privilege::Write)?;
    let (value, rows, problems) = input(&form, &code);
    let updated = async {
        let input: RatingModelInput = from_value(value)?;
        app.hr
            .update_rating_model(&viewer.caller.actor(), &code, input.parse()?, form.version())
            .await
            .map_err(Into::into)
    };
    match updated.await {
        Ok(m) => Ok(redirect_with(&format!("/rating-models/{}", m.code), "Changes saved.")),
        Err(error) => Ok(form_page(&viewer, Some(&code), &form, &form_errors(error, &rows, problems)?)),
    }
}

async fn delete(
    State(app): State<AppState>,
    Path(code): Path<String>,
    Posted { viewer, form }: Posted,
) -> ConsoleResult<Response> {
    viewer.require(Entity::RatingModel, Privilege::Delete)?;
    match app.hr.delete_rating_model(&viewer.caller.actor(), &code, form.version()).await {
        Ok(()) => Ok(redirect_with(NAV, &format!("Rating model {code} deleted."))),
        Err(error) => list_page(&app, &viewer, None, Some(&refusal(error.into())?)).await,
    }
}
