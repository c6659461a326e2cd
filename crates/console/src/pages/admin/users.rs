//! Users: the list and a form to create one with a role and a password. The API has no way to
//! disable a user or change a role, so neither has the console.

use super::{enabled_badge, role_choices};
use crate::error::ConsoleResult;
use crate::layout::{csrf, page_with_status, redirect_with};
use crate::session::{Form, Posted, Viewer};
use crate::widgets::AfterQuery;
use crate::widgets::{next_link, select, when, FieldErrors, Input};
use axum::extract::{Query, State};
use axum::response::Response;
use hrbridge_app::accounts::{create_user_as, MIN_PASSWORD_LENGTH};
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege, HR_MANAGER};
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
                            td { strong { (u.username) } @if u.username == viewer.name() { " " span.muted { "(you)" } } }
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
