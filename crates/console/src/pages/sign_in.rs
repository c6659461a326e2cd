//! Signing in and out. The sign-in form is protected from cross-site posting by a double-submit
//! token (a SameSite=Strict cookie and the same value in the form), since there is no session yet.

use crate::choices::capitalised;
use crate::error::{safe_next, ConsoleError, ConsoleResult};
use crate::layout::{append_cookie, bare};
use crate::session::{clear_cookie, cookie, over_https, session_cookie, Form, Posted, SESSION_COOKIE};
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use hrbridge_app::accounts::{capped, sessions, sign_in, ClientInfo, MAX_USERNAME};
use hrbridge_app::AppError;
use hrbridge_app::AppState;
use hrbridge_store::password::random_secret;
use maud::html;
use serde::Deserialize;

const LOGIN_COOKIE: &str = "hrbridge_login";

pub fn routes() -> Router<AppState> {
    Router::new().route("/sign-in", get(sign_in_page).post(sign_in_submit)).route("/sign-out", post(sign_out))
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

fn sign_in_form(next: &str, username: &str, problem: Option<&str>, flash: Option<&str>) -> Response {
    let nonce = random_secret(16);
    let mut response = bare(
        if problem.is_some() { StatusCode::UNAUTHORIZED } else { StatusCode::OK },
        "Sign in",
        html! {
            @if let Some(message) = flash { p.flash role="status" { (message) } }
            @if let Some(problem) = problem { p.error role="alert" #sign-in-error { (problem) } }
            form.card method="post" action="/sign-in" {
                input type="hidden" name="nonce" value=(nonce);
                input type="hidden" name="next" value=(next);
                div.field {
                    label for="f-username" { "Username" }
                    input #f-username type="text" name="username" value=(username) autocomplete="username" required autofocus;
                }
                div.field {
                    label for="f-password" { "Password" }
                    input #f-password type="password" name="password" autocomplete="current-password" required;
                }
                div.field {
                    label for="f-totp_code" { "Two-factor code" }
                    input #f-totp_code type="text" name="totp_code" autocomplete="one-time-code"
                        aria-describedby="f-totp_code-hint";
                    p.hint #f-totp_code-hint { "Only if you set up two-factor sign-in: the code your authenticator app shows, or a recovery code." }
                }
                button type="submit" { "Sign in" }
            }
        },
    );
    append_cookie(
        &mut response,
        &format!("{LOGIN_COOKIE}={nonce}; Path=/sign-in; HttpOnly; SameSite=Strict; Max-Age=3600"),
    );
    if flash.is_some() {
        append_cookie(&mut response, &clear_cookie(crate::session::FLASH_COOKIE));
    }
    response
}

async fn sign_in_page(Query(query): Query<NextQuery>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let flash = cookie(&parts, crate::session::FLASH_COOKIE)
        .and_then(|v| base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, v).ok())
        .and_then(|b| String::from_utf8(b).ok());
    sign_in_form(safe_next(query.next.as_deref().unwrap_or("/")), "", None, flash.as_deref())
}

async fn sign_in_submit(State(app): State<AppState>, request: Request) -> ConsoleResult<Response> {
    let (parts, body) = request.into_parts();
    let client = client_of(&app, &parts);
    let expected = cookie(&parts, LOGIN_COOKIE).unwrap_or("").to_string();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map_err(|e| ConsoleError::Api(AppError::BadRequest(format!("cannot read the form: {e}"))))?;
    let form = Form(
        serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| ConsoleError::Api(AppError::BadRequest(format!("the form is not well formed: {e}"))))?,
    );
    let next = safe_next(form.get("next").unwrap_or("/")).to_string();
    let username = form.text("username").to_string();
    // What the form shows back is capped: no valid username is longer.
    let shown = capped(&username, MAX_USERNAME);
    if expected.is_empty() || form.get("nonce") != Some(expected.as_str()) {
        return Ok(sign_in_form(&next, &shown, Some("The sign-in form had expired; please sign in again."), None));
    }
    let password = form.0.iter().find(|(k, _)| k == "password").map(|(_, v)| v.clone()).unwrap_or_default();
    match sign_in(&app, &username, password, form.get("totp_code"), &client).await {
        Ok((token, ttl)) => {
            let mut response = Redirect::to(&next).into_response();
            append_cookie(&mut response, &session_cookie(&token, ttl, over_https(&parts)));
            append_cookie(
                &mut response,
                &format!("{LOGIN_COOKIE}=; Path=/sign-in; HttpOnly; SameSite=Strict; Max-Age=0"),
            );
            Ok(response)
        }
        Err(AppError::Unauthorized(reason)) => Ok(sign_in_form(&next, &shown, Some(&reason), None)),
        Err(AppError::TooManyRequests { retry_after, message }) => {
            let mut response = sign_in_form(&next, &shown, Some(&capitalised(&message)), None);
            *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            Ok(response)
        }
        Err(other) => Err(other.into()),
    }
}

/// Ends the session on the server (its cookie no longer works anywhere, even if kept) and
/// clears the cookie.
async fn sign_out(State(app): State<AppState>, Posted { viewer, .. }: Posted) -> ConsoleResult<Response> {
    sessions::sign_out(&app, &viewer.caller).await?;
    let mut response = Redirect::to("/sign-in").into_response();
    append_cookie(&mut response, &clear_cookie(SESSION_COOKIE));
    Ok(response)
}

/// Where a request comes from, for a handler.
pub struct RequestClient(pub ClientInfo);

impl axum::extract::FromRequestParts<AppState> for RequestClient {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(RequestClient(client_of(app, parts)))
    }
}

/// Where a request comes from: its address and user agent.
pub fn client_of(app: &AppState, parts: &axum::http::request::Parts) -> ClientInfo {
    let forwarded = parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let peer = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|info| info.0.ip());
    let user_agent = parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
    ClientInfo::of_request(app, peer, forwarded, user_agent)
}
