//! App registrations: the list, registering an app with the user it acts as and its role (the
//! client secret is shown on the answer page once, never stored in the clear), enabling and
//! disabling, and rotating the secret (the new one shown once too).

use super::{enabled_badge, role_choices};
use crate::error::ConsoleResult;
use crate::layout::{csrf, page_with_status, redirect_with};
use crate::session::{Form, Posted, Viewer};
use crate::widgets::AfterQuery;
use crate::widgets::{action_button, next_link, select, when, FieldErrors, Input};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use hrbridge_app::apps::{register as register_app, rotate_secret_as, set_enabled_as, AppWithSecret, NewApp};
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege, ATS_INTEGRATION};
use hrbridge_store::Page;
use maud::{html, Markup};

/// Registering an app or rotating its secret needs administrator access to both stores, as in
/// the API: create (or write) on apps and write on bookable resources.
fn may_issue_secrets(viewer: &Viewer) -> bool {
    viewer.can(Entity::App, Privilege::Create) && viewer.can(Entity::BookableResource, Privilege::Write)
}

pub async fn list(
    State(app): State<AppState>,
    viewer: Viewer,
    Query(params): Query<AfterQuery>,
) -> ConsoleResult<Response> {
    viewer.require(Entity::App, Privilege::Read)?;
    apps_page(&app, &viewer, params.after, None, &Form::default(), &FieldErrors::none()).await
}

/// The secret just issued, shown this once.
fn secret_card(issued: &AppWithSecret) -> Markup {
    html! {
        section.card aria-labelledby="secret" {
            h2 #secret { "Client secret of " (issued.name) }
            p.warning role="alert" {
                strong { "Copy the client secret now: it is shown only this once." }
                " hrbridge keeps only a hash of it. If it is lost, rotate the secret and give the app the new one."
            }
            dl.facts {
                dt { "Client id" } dd { code #client-id { (issued.client_id) } }
                dt { "Client secret" } dd { code.secret #client-secret { (issued.client_secret) } }
                dt { "Token endpoint" } dd { code { "POST /oauth/token" } " with grant_type=client_credentials" }
            }
        }
    }
}

async fn apps_page(
    app: &AppState,
    viewer: &Viewer,
    after: Option<String>,
    issued: Option<&AppWithSecret>,
    form: &Form,
    errors: &FieldErrors,
) -> ConsoleResult<Response> {
    let apps = app.hr.apps(&Page { limit: 50, after }).await?;
    let can_write = viewer.can(Entity::App, Privilege::Write);
    let can_issue = may_issue_secrets(viewer);
    let (users, roles) = if can_issue {
        let users = app.hr.users(&Page { limit: 1000, after: None }).await?.items;
        let users = users
            .into_iter()
            .filter(|u| u.enabled)
            .map(|u| (u.username.clone(), format!("{} ({})", u.username, u.role)))
            .collect();
        (users, role_choices(app).await?)
    } else {
        (Vec::new(), Vec::new())
    };
    let content = html! {
        @if let Some(issued) = issued { (secret_card(issued)) }
        @if apps.items.is_empty() { p.empty { "No apps registered." } } @else {
            table {
                caption.visually-hidden { "Registered apps" }
                thead { tr {
                    th scope="col" { "Name" } th scope="col" { "Client id" } th scope="col" { "Acts as" } th scope="col" { "Role" }
                    th scope="col" { "Status" } th scope="col" { "Registered" }
                    @if can_write { th scope="col" { span.visually-hidden { "Actions" } } }
                } }
                tbody {
                    @for a in &apps.items {
                        tr data-app=(a.name) {
                            td { strong { (a.name) } }
                            td { code { (a.client_id) } }
                            td { (a.user) }
                            td { (a.role) }
                            td { (enabled_badge(a.enabled)) }
                            td { (when(&a.created_at)) }
                            @if can_write {
                                td.actions-cell {
                                    @if a.enabled {
                                        (action_button(viewer, &format!("/admin/apps/{}/disable", a.client_id), "Disable",
                                            Some("Disable this app? Its tokens stop working at once.")))
                                    } @else {
                                        (action_button(viewer, &format!("/admin/apps/{}/enable", a.client_id), "Enable", None))
                                    }
                                    " "
                                    @if viewer.can(Entity::BookableResource, Privilege::Write) {
                                        (action_button(viewer, &format!("/admin/apps/{}/rotate-secret", a.client_id), "Rotate secret",
                                            Some("Give this app a new secret? The old one gets no new tokens.")))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        (next_link("/admin/apps", apps.next.as_ref(), &[]))
        @if can_issue {
            form.card method="post" action="/admin/apps" aria-labelledby="register" {
                h2 #register { "Register an app" }
                (csrf(viewer))
                (errors.summary())
                div.row {
                    (Input::new("Name", "name", form.text("name")).required().hint("What the app is, e.g. the applicant tracking system").render(errors))
                    (select("Acts as user", "user", &users, form.get("user").unwrap_or(viewer.name()), true, errors))
                    (select("Role", "role", &roles, form.get("role").unwrap_or(ATS_INTEGRATION), true, errors))
                }
                p.muted { "The user must be allowed to write candidates and create workers. The role limits what the app's tokens may do." }
                div.actions { button type="submit" { "Register app" } }
            }
        }
    };
    let status = errors.status();
    let mut response = page_with_status(status, viewer, "/admin/apps", "App registrations", content);
    if issued.is_some() {
        // A page with a secret is never kept by the browser or a proxy.
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}

pub async fn register(State(app): State<AppState>, Posted { viewer, form }: Posted) -> ConsoleResult<Response> {
    viewer.require(Entity::App, Privilege::Create)?;
    viewer.require(Entity::BookableResource, Privilege::Write)?;
    let body = NewApp {
        name: form.text("name").to_string(),
        user: form.text("user").to_string(),
        role: form.get("role").map(str::to_string),
    };
    match register_app(&app, &viewer.caller.actor(), &viewer.caller.role, body).await {
        Ok(issued) => {
            let viewer = Viewer { flash: Some(format!("App {} registered.", issued.name)), ..viewer };
            apps_page(&app, &viewer, None, Some(&issued), &Form::default(), &FieldErrors::none()).await
        }
        Err(error) => apps_page(&app, &viewer, None, None, &form, &FieldErrors::from_api(error)?).await,
    }
}

async fn set_enabled(app: &AppState, viewer: &Viewer, client_id: &str, enabled: bool) -> ConsoleResult<Response> {
    let updated = set_enabled_as(app, &viewer.caller, client_id, enabled).await?;
    let state = if updated.enabled { "enabled" } else { "disabled: its tokens no longer work" };
    Ok(redirect_with("/admin/apps", &format!("App {} {state}.", updated.name)))
}

pub async fn enable(
    State(app): State<AppState>,
    Path(client_id): Path<String>,
    Posted { viewer, .. }: Posted,
) -> ConsoleResult<Response> {
    set_enabled(&app, &viewer, &client_id, true).await
}

pub async fn disable(
    State(app): State<AppState>,
    Path(client_id): Path<String>,
    Posted { viewer, .. }: Posted,
) -> ConsoleResult<Response> {
    set_enabled(&app, &viewer, &client_id, false).await
}

pub async fn rotate_secret(
    State(app): State<AppState>,
    Path(client_id): Path<String>,
    Posted { viewer, .. }: Posted,
) -> ConsoleResult<Response> {
    let issued = rotate_secret_as(&app, &viewer.caller, &client_id).await?;
    let viewer = Viewer { flash: Some(format!("App {} has a new secret.", issued.name)), ..viewer };
    apps_page(&app, &viewer, None, Some(&issued), &Form::default(), &FieldErrors::none()).await
}
