//! The viewer's own account (`/account`): change the password (the only page open after an
//! administrator's reset), and see and end one's own sessions.

use crate::error::ConsoleResult;
use crate::layout::{csrf, page_with_status, redirect_with};
use crate::pages::sign_in::RequestClient;
use crate::session::{Posted, Viewer};
use crate::widgets::{action_button, when, FieldErrors, Input};
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use hrbridge_app::accounts::totp::{self, Enrolment};
use hrbridge_app::accounts::{self, sessions, MIN_PASSWORD_LENGTH};
use hrbridge_app::AppState;
use maud::{html, Markup, PreEscaped};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account", get(show))
        .route("/account/password", post(change_password))
        .route("/account/sessions/{id}/end", post(end_session))
        .route("/account/totp", post(begin_totp))
        .route("/account/totp/confirm", post(confirm_totp))
        .route("/account/totp/disable", post(disable_totp))
}

/// What the two-factor card shows besides its state: an enrolment under way, or the recovery
/// codes just issued.
#[derive(Default)]
enum TotpStep {
    #[default]
    None,
    Enrolling(Enrolment),
    Issued(Vec<String>),
}

async fn show(State(app): State<AppState>, viewer: Viewer) -> ConsoleResult<Response> {
    account_page(&app, &viewer, &FieldErrors::none()).await
}

async fn account_page(app: &AppState, viewer: &Viewer, errors: &FieldErrors) -> ConsoleResult<Response> {
    account_page_with(app, viewer, errors, TotpStep::None).await
}

/// The two-factor card: its state, and the step under way.
fn totp_card(viewer: &Viewer, step: &TotpStep, errors: &FieldErrors) -> ConsoleResult<Markup> {
    let qr = match step {
        TotpStep::Enrolling(enrolment) => Some(totp::qr_svg(&enrolment.otpauth_url)?),
        _ => None,
    };
    Ok(html! {
        section.card aria-labelledby="totp" {
            h2 #totp { "Two-factor sign-in" }
            @if viewer.caller.must_enrol_totp {
                p.warning role="alert" { "Administrators here sign in with a second factor. Set it up to go on." }
            }
            @match step {
                TotpStep::Issued(codes) => {
                    p.warning role="alert" {
                        strong { "Keep these recovery codes now: they are shown only this once." }
                        " Each signs you in once if your authenticator app is lost."
                    }
                    ul #recovery-codes { @for code in codes { li { code { (code) } } } }
                }
                TotpStep::Enrolling(enrolment) => {
                    p { "Scan this code with an authenticator app, or type the key in, then enter the code it shows." }
                    figure.qr { (PreEscaped(qr.unwrap_or_default())) figcaption { "Key: " code #totp-secret { (enrolment.secret) } } }
                    form method="post" action="/account/totp/confirm" {
                        (csrf(viewer))
                        (Input::new("Code from the app", "code", "").required().render(errors))
                        div.actions { button type="submit" { "Turn on" } }
                    }
                }
                TotpStep::None => {}
            }
            @if viewer.caller.has_totp || matches!(step, TotpStep::Issued(_)) {
                p { span.badge.ok { "On" } " Signing in takes a code from your authenticator app." }
                form method="post" action="/account/totp/disable" {
                    (csrf(viewer))
                    (Input::new("Current password", "current_password", "").kind("password").required().render(errors))
                    div.actions { button.secondary type="submit" { "Turn off" } }
                }
            } @else if !matches!(step, TotpStep::Enrolling(_)) {
                p { "Off. With it on, signing in also takes a code from an authenticator app." }
                form method="post" action="/account/totp" {
                    (csrf(viewer))
                    div.actions { button type="submit" { "Set up two-factor sign-in" } }
                }
            }
        }
    })
}

async fn account_page_with(
    app: &AppState,
    viewer: &Viewer,
    errors: &FieldErrors,
    step: TotpStep,
) -> ConsoleResult<Response> {
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
        (totp_card(viewer, &step, errors)?)
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
    let issued = matches!(step, TotpStep::Issued(_));
    let mut response = page_with_status(errors.status(), viewer, "/account", "Your account", content);
    if issued {
        // A page with recovery codes is never kept by the browser or a proxy.
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}

async fn begin_totp(State(app): State<AppState>, Posted { viewer, .. }: Posted) -> ConsoleResult<Response> {
    let enrolment = totp::begin_enrolment(&app, &viewer.caller).await?;
    account_page_with(&app, &viewer, &FieldErrors::none(), TotpStep::Enrolling(enrolment)).await
}

async fn confirm_totp(State(app): State<AppState>, Posted { viewer, form }: Posted) -> ConsoleResult<Response> {
    match totp::confirm_enrolment(&app, &viewer.caller, form.text("code")).await {
        Ok(codes) => {
            let viewer = Viewer { flash: Some("Two-factor sign-in is on.".into()), ..viewer };
            account_page_with(&app, &viewer, &FieldErrors::none(), TotpStep::Issued(codes.recovery_codes)).await
        }
        Err(error) => {
            let errors = FieldErrors::from_api(error)?;
            // The same secret stays pending: show it again with the error.
            let pending = app.hr.totp_pending(&viewer.caller.name).await?;
            let step = match pending {
                Some(secret) => TotpStep::Enrolling(totp::enrolment_for(&viewer.caller.name, secret)),
                None => TotpStep::None,
            };
            account_page_with(&app, &viewer, &errors, step).await
        }
    }
}

async fn disable_totp(
    State(app): State<AppState>,
    RequestClient(client): RequestClient,
    Posted { viewer, form }: Posted,
) -> ConsoleResult<Response> {
    let current = form.0.iter().find(|(k, _)| k == "current_password").map(|(_, v)| v.clone()).unwrap_or_default();
    match totp::disable(&app, &viewer.caller, &client, current).await {
        Ok(()) => Ok(redirect_with("/account", "Two-factor sign-in is off.")),
        Err(error) => account_page(&app, &viewer, &FieldErrors::from_api(error)?).await,
    }
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
