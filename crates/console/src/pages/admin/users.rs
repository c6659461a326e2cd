//! Users: the list, a form to create one with a role and a password, and each user's page:
//! change their role, name and email, disable or enable them, give them a one-time password,
//! delete them. The same use cases as the API's (`hrbridge_app::accounts`).

use super::{enabled_badge, role_choices};
use crate::error::ConsoleResult;
use crate::layout::{csrf, page_with_status, redirect_with};
use crate::session::{Form, Posted, Viewer};
use crate::widgets::AfterQuery;
use crate::widgets::{action_button, next_link, select, when, FieldErrors, Input};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use hrbridge_app::accounts::{self, create_user_as, UserPatch, MIN_PASSWORD_LENGTH};
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege, HR_MANAGER};
use hrbridge_store::users::User;
use hrbridge_store::Page;
use maud::html;

pub async fn list(
    State(app): State<AppState>,
    viewer: Viewer,
    Query(params): Query<AfterQuery>,
) -> ConsoleResult<Response> {
    viewer.require(Entity::User, Privilege::Read)?;
    users_page(&app, &viewer, params.after, &Form::default(), &FieldErrors::none()).await
}

async fn users_page(
    app: &AppState,
    viewer: &Viewer,
    after: Option<String>,
    form: &Form,
    errors: &FieldErrors,
) -> ConsoleResult<Response> {
    let users = app.hr.users(&Page { limit: 50, after }).await?;
    let can_create = viewer.can(Entity::User, Privilege::Create);
    let roles = if can_create { role_choices(app).await? } else { Vec::new() };
    let password_hint = format!("At least {MIN_PASSWORD_LENGTH} characters. Tell it to the person yourself.");
    let content = html! {
        @if users.items.is_empty() { p.empty { "No users." } } @else {
            table {
                caption.visually-hidden { "Users" }
                thead { tr { th scope="col" { "Username" } th scope="col" { "Role" } th scope="col" { "Status" } th scope="col" { "Created" } } }
                tbody {
                    @for u in &users.items {
                        tr {
                            td { a href=(format!("/admin/users/{}", u.username)) { strong { (u.username) } } @if u.username == viewer.name() { " " span.muted { "(you)" } } }
                            td { @if viewer.can(Entity::Role, Privilege::Read) { a href="/admin/roles" { (u.role) } } @else { (u.role) } }
                            td { (enabled_badge(u.enabled)) }
                            td { (when(&u.created_at)) }
                        }
                    }
                }
            }
        }
        (next_link("/admin/users", users.next.as_ref(), &[]))
        @if can_create {
            form.card method="post" action="/admin/users" aria-labelledby="new-user" {
                h2 #new-user { "New user" }
                (csrf(viewer))
                (errors.summary())
                div.row {
                    (Input::new("Username", "username", form.text("username")).required()
                        .hint("Letters, digits, '.', '_', '-' or '@'").render(errors))
                    (Input::new("Password", "password", "").kind("password").required().hint(&password_hint).render(errors))
                    (select("Role", "role", &roles, form.get("role").unwrap_or(HR_MANAGER), true, errors))
                }
                div.actions { button type="submit" { "Create user" } }
            }
        }
    };
    let status = errors.status();
    Ok(page_with_status(status, viewer, "/admin/users", "Users", content))
}

pub async fn create(State(app): State<AppState>, Posted { viewer, form }: Posted) -> ConsoleResult<Response> {
    viewer.require(Entity::User, Privilege::Create)?;
    let username = form.text("username").to_string();
    // The password is taken as typed: spaces count.
    let secret = form.0.iter().find(|(k, _)| k == "password").map(|(_, v)| v.clone()).unwrap_or_default();
    let role = form.text("role").to_string();
    match create_user_as(&app, &viewer.caller, &username, secret, &role).await {
        Ok(user) => {
            Ok(redirect_with("/admin/users", &format!("User {} created with role {}.", user.username, user.role)))
        }
        Err(error) => users_page(&app, &viewer, None, &form, &FieldErrors::from_api(error)?).await,
    }
}

/// A user's page.
pub async fn show(
    State(app): State<AppState>,
    Path(username): Path<String>,
    viewer: Viewer,
) -> ConsoleResult<Response> {
    let user = accounts::user_as(&app, &viewer.caller, &username).await?;
    user_page(&app, &viewer, &user, None, &Form::default(), &FieldErrors::none()).await
}

async fn user_page(
    app: &AppState,
    viewer: &Viewer,
    user: &User,
    one_time: Option<&str>,
    form: &Form,
    errors: &FieldErrors,
) -> ConsoleResult<Response> {
    let can_write = viewer.can(Entity::User, Privilege::Write);
    let roles = if can_write { role_choices(app).await? } else { Vec::new() };
    let base = format!("/admin/users/{}", user.username);
    let content = html! {
        @if let Some(password) = one_time {
            section.card aria-labelledby="one-time" {
                h2 #one-time { "One-time password for " (user.username) }
                p.warning role="alert" {
                    strong { "Give it to the person now: it is shown only this once." }
                    " At their next sign-in they must set a new password. Their sessions have ended."
                }
                dl.facts { dt { "One-time password" } dd { code.secret #one-time-password { (password) } } }
            }
        }
        dl.facts {
            dt { "Username" } dd { (user.username) }
            dt { "Role" } dd { (user.role) }
            dt { "Status" } dd { (enabled_badge(user.enabled)) @if user.must_change_password { " " span.badge { "Must set a new password" } } }
            dt { "Created" } dd { (when(&user.created_at)) }
        }
        @if can_write {
            form.card method="post" action=(base) aria-labelledby="edit-user" {
                h2 #edit-user { "Change" }
                (csrf(viewer))
                (errors.summary())
                div.row {
                    (select("Role", "role", &roles, form.get("role").unwrap_or(&user.role), true, errors))
                    (Input::new("Display name", "display_name", form.get("display_name").unwrap_or(&user.display_name)).render(errors))
                    (Input::new("Email", "email", form.get("email").unwrap_or(&user.email)).kind("email").render(errors))
                }
                div.actions { button type="submit" { "Save" } }
                p.muted { "A new role ends the user's sessions: they sign in again with it." }
            }
            section.card aria-labelledby="access" {
                h2 #access { "Access" }
                div.actions {
                    @if user.enabled {
                        (action_button(viewer, &format!("{base}/disable"), "Disable", Some("Disable this user? Their sessions end at once.")))
                    } @else {
                        (action_button(viewer, &format!("{base}/enable"), "Enable", None))
                    }
                    (action_button(viewer, &format!("{base}/password-reset"), "Reset password", Some("Give this user a one-time password? Their sessions end at once.")))
                    @if viewer.can(Entity::User, Privilege::Delete) {
                        (action_button(viewer, &format!("{base}/delete"), "Delete", Some("Delete this user? They can never sign in again; their audit history stays.")))
                    }
                }
            }
        }
    };
    let title = format!("User {}", user.username);
    let mut response = page_with_status(errors.status(), viewer, "/admin/users", &title, content);
    if one_time.is_some() {
        // A page with a password is never kept by the browser or a proxy.
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}

/// Saves the role, display name and email.
pub async fn update(
    State(app): State<AppState>,
    Path(username): Path<String>,
    Posted { viewer, form }: Posted,
) -> ConsoleResult<Response> {
    let text = |name: &str| Some(form.text(name).to_string());
    let patch =
        UserPatch { role: text("role"), disabled: None, display_name: text("display_name"), email: text("email") };
    match accounts::update_user_as(&app, &viewer.caller, &username, patch).await {
        Ok(user) => {
            Ok(redirect_with(&format!("/admin/users/{}", user.username), &format!("User {} saved.", user.username)))
        }
        Err(error) => {
            let errors = FieldErrors::from_api(error)?;
            let user = accounts::user_as(&app, &viewer.caller, &username).await?;
            user_page(&app, &viewer, &user, None, &form, &errors).await
        }
    }
}

async fn set_disabled(app: &AppState, viewer: &Viewer, username: &str, disabled: bool) -> ConsoleResult<Response> {
    let patch = UserPatch { disabled: Some(disabled), ..UserPatch::default() };
    let user = accounts::update_user_as(app, &viewer.caller, username, patch).await?;
    let state = if disabled { "disabled: their sessions have ended" } else { "enabled" };
    Ok(redirect_with(&format!("/admin/users/{}", user.username), &format!("User {} {state}.", user.username)))
}

pub async fn disable(
    State(app): State<AppState>,
    Path(username): Path<String>,
    Posted { viewer, .. }: Posted,
) -> ConsoleResult<Response> {
    set_disabled(&app, &viewer, &username, true).await
}

pub async fn enable(
    State(app): State<AppState>,
    Path(username): Path<String>,
    Posted { viewer, .. }: Posted,
) -> ConsoleResult<Response> {
    set_disabled(&app, &viewer, &username, false).await
}

/// Gives the user a one-time password and shows it once.
pub async fn reset_password(
    State(app): State<AppState>,
    Path(username): Path<String>,
    Posted { viewer, .. }: Posted,
) -> ConsoleResult<Response> {
    let password = accounts::reset_password_as(&app, &viewer.caller, &username).await?;
    let user = accounts::user_as(&app, &viewer.caller, &username).await?;
    user_page(&app, &viewer, &user, Some(&password), &Form::default(), &FieldErrors::none()).await
}

pub async fn delete(
    State(app): State<AppState>,
    Path(username): Path<String>,
    Posted { viewer, .. }: Posted,
) -> ConsoleResult<Response> {
    accounts::delete_user_as(&app, &viewer.caller, &username).await?;
    Ok(redirect_with("/admin/users", &format!("User {username} deleted: they can no longer sign in.")))
}
