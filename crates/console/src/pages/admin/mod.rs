//! Administration: users, roles and their privileges, app registrations (the client secret shown
//! once), webhooks with their deliveries, and the audit log. The same role checks as the API's
//! `/admin` routes.

mod apps;
mod audit;
mod roles;
mod users;
mod webhooks;

use crate::choices::Choices;
use crate::error::ConsoleResult;
use axum::routing::{get, post};
use axum::Router;
use hrbridge_app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(users::list).post(users::create))
        .route("/admin/users/{username}", get(users::show).post(users::update))
        .route("/admin/users/{username}/disable", post(users::disable))
        .route("/admin/users/{username}/enable", post(users::enable))
        .route("/admin/users/{username}/password-reset", post(users::reset_password))
        .route("/admin/users/{username}/delete", post(users::delete))
        .route("/admin/roles", get(roles::matrix).post(roles::create))
        .route("/admin/apps", get(apps::list).post(apps::register))
        .route("/admin/apps/{client_id}/enable", post(apps::enable))
        .route("/admin/apps/{client_id}/disable", post(apps::disable))
        .route("/admin/apps/{client_id}/rotate-secret", post(apps::rotate_secret))
        .route("/admin/webhooks", get(webhooks::list).post(webhooks::create))
        .route("/admin/webhooks/{id}", get(webhooks::show))
        .route("/admin/webhooks/{id}/enable", post(webhooks::enable))
        .route("/admin/webhooks/{id}/disable", post(webhooks::disable))
        .route("/admin/webhooks/{id}/delete", post(webhooks::delete))
        .route("/admin/webhooks/{id}/deliveries/{delivery}/resend", post(webhooks::resend))
        .route("/admin/audit", get(audit::list))
}

/// The roles, for a select: (name, "name — description").
async fn role_choices(app: &AppState) -> ConsoleResult<Choices> {
    Ok(app.hr.roles().await?.into_iter().map(|r| (r.name.clone(), r.name)).collect())
}

/// An "Enabled"/"Disabled" badge.
fn enabled_badge(enabled: bool) -> maud::Markup {
    maud::html! { @if enabled { span.badge.ok { "Enabled" } } @else { span.badge.danger { "Disabled" } } }
}
