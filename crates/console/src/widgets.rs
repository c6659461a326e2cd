//! Form fields with their labels and errors, and the few other pieces every page shares.

use crate::error::ConsoleError;
use hrbridge_app::AppError;
use hrbridge_domain::FieldError;
use maud::{html, Markup};

/// What was wrong with a submitted form: per field (shown beside it) and in general.
#[derive(Debug, Default, Clone)]
pub struct FieldErrors {
    pub fields: Vec<FieldError>,
    pub general: Option<String>,
    /// The form asked to grant privileges the viewer does not hold: the page answers 403.
    pub refused: bool,
}

impl FieldErrors {
    pub fn none() -> Self {
        Self::default()
    }
    pub fn general(message: impl Into<String>) -> Self {
        Self { fields: Vec::new(), general: Some(message.into()), refused: false }
    }
    pub fn one(field: &str, message: impl Into<String>) -> Self {
        Self {
            fields: vec![FieldError { field: field.into(), message: message.into() }],
            general: None,
            refused: false,
        }
    }
    /// The errors a form can show; any other error (403, 404, 500) stays an error page.
    pub fn from_api(error: AppError) -> Result<Self, ConsoleError> {
        match error {
            AppError::Invalid(errors) => Ok(Self { fields: errors.0, general: None, refused: false }),
            AppError::GrantRefused { field, message } => Ok(Self { refused: true, ..Self::one(&field, message) }),
            AppError::Conflict { field: Some(field), message } => Ok(Self::one(&field, message)),
            AppError::Conflict { field: None, message } | AppError::BadRequest(message) => Ok(Self::general(message)),
            AppError::PreconditionFailed(_) => Ok(Self {
                refused: false,
                ..Self::general(
                    "Someone else changed this record since you opened it. Reload the page to see their change, then make yours again.",
                )
            }),
            other => Err(other.into()),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.general.is_none()
    }
    /// The status of a form page: 200 when it is shown fresh, 422 when it comes back with errors.
    pub fn status(&self) -> axum::http::StatusCode {
        if self.refused {
            axum::http::StatusCode::FORBIDDEN
        } else if self.is_empty() {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        }
    }
    /// The message for a field, or for anything inside it (`levels[1].value` belongs to `levels`).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|e| {
                e.field == name
                    || e.field.strip_prefix(name).is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
            })
            .map(|e| e.message.as_str())
    }
    /// The list at the top of a form, each entry naming its field.
    pub fn summary(&self) -> Markup {
        html! {
            @if !self.is_empty() {
                div.errors role="alert" {
                    p { strong { "The form could not be saved." } }
                    ul {
                        @if let Some(message) = &self.general { li { (message) } }
                        @for e in &self.fields {
                            li { a href={ "#f-" (field_id(&e.field)) } { code { (e.field) } } ": " (e.message) }
                        }
                    }
                }
            }
        }
    }
}

/// The id of a field's input: its name with anything but letters, digits and `-_` turned to `-`.
pub fn field_id(name: &str) -> String {
    let base = name.split(['.', '[']).next().unwrap_or(name);
    base.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect()
}

/// A labelled input.
pub struct Input<'a> {
    label: &'a str,
    name: &'a str,
    value: &'a str,
    kind: &'a str,
    required: bool,
    hint: Option<&'a str>,
    list: Option<&'a str>,
    min: Option<&'a str>,
    max: Option<&'a str>,
}

impl<'a> Input<'a> {
    pub fn new(label: &'a str, name: &'a str, value: &'a str) -> Self {
        Self { label, name, value, kind: "text", required: false, hint: None, list: None, min: None, max: None }
    }
    pub fn kind(mut self, kind: &'a str) -> Self {
        self.kind = kind;
        self
    }
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }
    /// Suggestions from the `datalist` with this id.
    pub fn list(mut self, datalist_id: &'a str) -> Self {
        self.list = Some(datalist_id);
        self
    }
    pub fn min(mut self, min: &'a str) -> Self {
        self.min = Some(min);
        self
    }
    pub fn max(mut self, max: &'a str) -> Self {
        self.max = Some(max);
        self
    }
    pub fn render(&self, errors: &FieldErrors) -> Markup {
        let id = format!("f-{}", field_id(self.name));
        let error = errors.get(self.name);
        let described = describedby(&id, self.hint.is_some(), error.is_some());
        html! {
            div.field.invalid[error.is_some()] {
                label for=(id) { (self.label) @if self.required { span.req aria-hidden="true" { " *" } } }
                @if self.kind == "textarea" {
                    textarea id=(id) name=(self.name) required[self.required]
                        aria-invalid=[error.map(|_| "true")] aria-describedby=[described.as_deref()] { (self.value) }
                } @else if self.kind == "checkbox" {
                    input id=(id) type="checkbox" name=(self.name) value="true" checked[!self.value.is_empty()]
                        aria-describedby=[described.as_deref()];
                } @else {
                    input id=(id) type=(self.kind) name=(self.name) value=(self.value) required[self.required]
                        aria-invalid=[error.map(|_| "true")] aria-describedby=[described.as_deref()]
                        step=[(self.kind == "number").then_some("any")]
                        list=[self.list] min=[self.min] max=[self.max];
                }
                @if let Some(hint) = self.hint { p.hint id={ (id) "-hint" } { (hint) } }
                @if let Some(error) = error { p.field-error id={ (id) "-error" } { (error) } }
            }
        }
    }
}

fn describedby(id: &str, hint: bool, error: bool) -> Option<String> {
    let mut ids = Vec::new();
    if hint {
        ids.push(format!("{id}-hint"));
    }
    if error {
        ids.push(format!("{id}-error"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// A labelled select; `options` are (value, label), and a blank first option when not required.
pub fn select(
    label: &str,
    name: &str,
    options: &[(String, String)],
    selected: &str,
    required: bool,
    errors: &FieldErrors,
) -> Markup {
    let id = format!("f-{}", field_id(name));
    let error = errors.get(name);
    html! {
        div.field.invalid[error.is_some()] {
            label for=(id) { (label) @if required { span.req aria-hidden="true" { " *" } } }
            select id=(id) name=(name) required[required] aria-invalid=[error.map(|_| "true")]
                aria-describedby=[error.map(|_| format!("{id}-error"))] {
                @if !required || selected.is_empty() { option value="" { "—" } }
                @for (value, text) in options {
                    option value=(value) selected[value == selected] { (text) }
                }
            }
            @if let Some(error) = error { p.field-error id={ (id) "-error" } { (error) } }
        }
    }
}

/// A one-button form posting to `action` (delete, retry, dismiss…), with a confirmation.
pub fn action_button(viewer: &crate::session::Viewer, action: &str, label: &str, confirm: Option<&str>) -> Markup {
    html! {
        form.inline method="post" action=(action) data-confirm=[confirm] {
            (crate::layout::csrf(viewer))
            button.secondary type="submit" { (label) }
        }
    }
}

/// [`action_button`] for a change to one version of a record (delete, remove): the version the
/// page showed goes with it, and the change is refused if someone changed the record since.
pub fn versioned_action_button(
    viewer: &crate::session::Viewer,
    action: &str,
    label: &str,
    confirm: Option<&str>,
    version: i64,
) -> Markup {
    html! {
        form.inline method="post" action=(action) data-confirm=[confirm] {
            (crate::layout::csrf(viewer))
            input type="hidden" name="version" value=(version);
            button.secondary type="submit" { (label) }
        }
    }
}

/// The version an edit form shows, sent back with it: saving is refused if someone changed the
/// record since.
pub fn version_field(form: &crate::session::Form) -> Markup {
    html! {
        @if let Some(version) = form.version() { input type="hidden" name="version" value=(version); }
    }
}

/// A date-time as people read it, in UTC.
pub fn when(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The paging of a list page: `?after=` is the key of the last row of the previous page.
#[derive(Debug, serde::Deserialize)]
pub struct AfterQuery {
    pub after: Option<String>,
}

/// "Next page" for lists paged with the stores' cursors (the key of the last row shown).
pub fn next_link(base: &str, next: Option<&String>, extra_query: &[(&str, &str)]) -> Markup {
    let href = next.map(|next| {
        let mut pairs: Vec<(&str, &str)> = extra_query.iter().copied().filter(|(_, v)| !v.is_empty()).collect();
        pairs.push(("after", next.as_str()));
        format!("{base}?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
    });
    html! {
        @if let Some(href) = href {
            p.pager { a href=(href) { "Next page →" } }
        }
    }
}
