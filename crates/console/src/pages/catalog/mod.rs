//! The HR catalog: skills, skill types, rating models (with their levels) and certificate types,
//! each with a list, a create and an edit form, and a delete that asks first. Jobs and positions
//! are in `pages::jobs`.

pub mod certificate_types;
pub mod rating_models;
pub mod skill_types;
pub mod skills;

use crate::error::ConsoleError;
use crate::widgets::FieldErrors;
use axum::http::StatusCode;
use axum::Router;
use hrbridge_app::AppError;
use hrbridge_app::AppState;
use hrbridge_domain::FieldError;
use maud::{html, Markup};

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(skills::routes())
        .merge(skill_types::routes())
        .merge(rating_models::routes())
        .merge(certificate_types::routes())
}

/// Why a delete was refused (a record still in use), to show on the list; any other error stays
/// an error page.
pub(crate) fn refusal(error: AppError) -> Result<String, ConsoleError> {
    match error {
        AppError::Conflict { message, .. } => Ok(message),
        AppError::PreconditionFailed(message) => {
            Ok(format!("someone else changed it since this page was shown ({message}); look at it again first"))
        }
        other => Err(other.into()),
    }
}

/// The message of a refused delete, above a list.
pub(crate) fn refused(message: Option<&str>) -> Markup {
    html! {
        @if let Some(message) = message {
            p.error role="alert" { strong { "Not deleted: " } (message) }
        }
    }
}

/// The status of a list page: 409 when it shows a refused delete.
pub(crate) fn list_status(refused: Option<&str>) -> StatusCode {
    if refused.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    }
}

/// A form's repeated rows (rating levels, required skills) are sent without their blank rows, so
/// an input error names the item's place in what was sent (`levels[1].factor`): this renames it
/// after the row on the page (`levels[3].factor` when rows 0 and 2 were blank). `rows[k]` is the
/// page row of item `k`.
pub(crate) fn errors_by_row(errors: FieldErrors, prefix: &str, rows: &[usize]) -> FieldErrors {
    let fields = errors
        .fields
        .into_iter()
        .map(|e| {
            let renamed = e.field.strip_prefix(prefix).and_then(|rest| rest.strip_prefix('[')).and_then(|rest| {
                let (index, tail) = rest.split_once(']')?;
                let row = rows.get(index.parse::<usize>().ok()?)?;
                Some(format!("{prefix}[{row}]{tail}"))
            });
            FieldError { field: renamed.unwrap_or(e.field), message: e.message }
        })
        .collect();
    FieldErrors { fields, general: errors.general, refused: errors.refused }
}

/// The message for exactly `field` (not for anything inside it).
pub(crate) fn exact_error<'a>(errors: &'a FieldErrors, field: &str) -> Option<&'a str> {
    errors.fields.iter().find(|e| e.field == field).map(|e| e.message.as_str())
}

/// A text (or number) input in a cell of a repeated row, labelled for screen readers (the
/// column heading says it to everyone else), with its error under it.
pub(crate) fn cell_input(label: &str, name: &str, value: &str, kind: &str, errors: &FieldErrors) -> Markup {
    let id = format!("f-{}", name.replace(['[', ']', '.'], "-").replace("--", "-"));
    let error = exact_error(errors, name);
    html! {
        div.field.invalid[error.is_some()] {
            label.visually-hidden for=(id) { (label) }
            input id=(id) type=(kind) name=(name) value=(value) aria-invalid=[error.map(|_| "true")]
                aria-describedby=[error.map(|_| format!("{id}-error"))];
            @if let Some(error) = error { p.field-error id={ (id) "-error" } { (error) } }
        }
    }
}

/// A select in a cell of a repeated row; `options` are (value, label), with a blank first.
pub(crate) fn cell_select(
    label: &str,
    name: &str,
    options: &[(String, String)],
    selected: &str,
    errors: &FieldErrors,
) -> Markup {
    let id = format!("f-{}", name.replace(['[', ']', '.'], "-").replace("--", "-"));
    let error = exact_error(errors, name);
    html! {
        div.field.invalid[error.is_some()] {
            label.visually-hidden for=(id) { (label) }
            select id=(id) name=(name) aria-invalid=[error.map(|_| "true")]
                aria-describedby=[error.map(|_| format!("{id}-error"))] {
                option value="" { "—" }
                @for (value, text) in options {
                    option value=(value) selected[value == selected] { (text) }
                }
            }
            @if let Some(error) = error { p.field-error id={ (id) "-error" } { (error) } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_errors_are_renamed_after_their_rows() {
        let errors = FieldErrors {
            fields: vec![
                FieldError { field: "levels[1].factor".into(), message: "taken".into() },
                FieldError { field: "levels".into(), message: "too many".into() },
                FieldError { field: "code".into(), message: "bad".into() },
            ],
            general: None,
            refused: false,
        };
        let renamed = errors_by_row(errors, "levels", &[0, 3]);
        let fields: Vec<&str> = renamed.fields.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["levels[3].factor", "levels", "code"]);
        assert_eq!(exact_error(&renamed, "levels"), Some("too many"));
    }
}
