//! The viewer's own account (`/account`): change the password (the only page open after an
//! administrator's reset), and see and end one's own sessions.

use crate::error::ConsoleResult;
use crate::layout::{csrf, page_with_status, redirect_with};
use crate::pages::sign_in::RequestClient;
use crate::session::{Posted, Viewer};
use crate::widgets::{action_button, when, FieldErrors, Input};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use hrbridge_app::accounts::{self, sessions, MIN_PASSWORD_LENGTH};
use hrbridge_app::AppState;
use maud::html;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account", get(show))
        .route("/account/password", post(change_password))
        .route("/account/sessions/{id}/end", post(end_session))
}

async fn show(State(app): State<AppState>, viewer: Viewer) -> ConsoleResult<Response> {
    account_page(&app, &viewer, &FieldErrors::none()).await
}

async fn account_page(app: &AppState, viewer: &Viewer, errors: &FieldErrors) -> ConsoleResult<Response> {
    let open = sessions::own_sessions(app, &viewer.caller).await?;
    let hint =
        format!("At least {MIN_PASSWORD_LENGTH} characters, not easy to guess: a phrase of unrelated words works.");
    let content = html! {
        p { "Signed in as " strong { (viewer.name()) } " with role " strong { (viewer.role()) } "." }
        form.card method="post" action="/account/password" aria-labelledby="password" {
            h2 #password { "Password" }
            @if viewer.caller.must_change_password {
                p.warning role="alert" { "An administrator reset your password. Set a new one to go on." }
            }
            (csrf(viewer))
            (errors.summary())
            div.row {
                (Input::new("Current password", "current_password", "").kind("password").required()
                    .hint("The one you signed in with").render(errors))
                (Input::new("New password", "new_password", "").kind("password").required().hint(&hint).render(errors))
            }
            div.actions { button type="submit" { "Change password" } }
            p.muted { "Changing it signs you out everywhere else." }
        }
        section.card aria-labelledby="sessions" {
            h2 #sessions { "Your sessions" }
            table {
                caption.visually-hidden { "Your open sessions" }
                thead { tr {
                    th scope="col" { "Signed in" } th scope="col" { "Last used" } th scope="col" { "Ends" }
                    th scope="col" { "From" } th scope="col" { "Browser" } th scope="col" { span.visually-hidden { "Action" } }
                } }
                tbody {
                    @for own in &open {
                        @let s = &own.session;
                        tr {
                            td { (when(&s.created_at)) }
                            td { (when(&s.last_seen_at)) }
                            td { (when(&s.expires_at)) }
                            td { (s.address) }
                            td { (s.user_agent) }
                            td {
                                @if own.current { span.badge.ok { "This session" } }
                                @else { (action_button(viewer, &format!("/account/sessions/{}/end", s.id), "End", None)) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page_with_status(errors.status(), viewer, "/account", "Your account", content))
}

async fn change_password(
    State(app): State<AppState>,
    RequestClient(client): RequestClient,
    Posted { viewer, form }: Posted,
) -> ConsoleResult<Response> {
    // Passwords are taken as typed: spaces count.
    let raw = |name: &str| form.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    match accounts::change_own_password(&app, &viewer.caller, &client, raw("current_password"), raw("new_password"))
        .await
    {
        Ok(()) => Ok(redirect_with("/account", "Password changed. Your other sessions were ended.")),
        Err(error) => account_page(&app, &viewer, &FieldErrors::from_api(error)?).await,
    }
}

async fn end_session(
    State(app): State<AppState>,
    Path(id): Path<String>,
    Posted { viewer, .. }: Posted,
) -> ConsoleResult<Response> {
    sessions::end_own_session(&app, &viewer.caller, &id).await?;
    Ok(redirect_with("/account", "Session ended: it no longer works anywhere."))
}
