//! The web console: server-rendered pages at `/` for HR staff, resource managers and
//! administrators, over the same stores, roles and rules as the API. Pages are HTML forms (maud
//! templates, checked at compile time); the little script there is (`assets/console.js`) is our
//! own and only adds to pages that work without it, except the live progress bar of a sync now job.
//!
//! Sign-in sets the API's own signed token as an HttpOnly, SameSite=Strict session cookie; every
//! form carries a CSRF token derived from it, and every POST is refused without it.

pub mod choices;
pub mod error;
pub mod layout;
pub mod pages;
pub mod session;
pub mod widgets;

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hrbridge_app::AppState;

/// The console's pages and assets.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assets/console.css", get(stylesheet))
        .route("/assets/console.js", get(script))
        .merge(pages::sign_in::routes())
        .merge(pages::dashboard::routes())
        .merge(pages::workers::routes())
        .merge(pages::catalog::routes())
        .merge(pages::jobs::routes())
        .merge(pages::candidates::routes())
        .merge(pages::integration::routes())
        .merge(pages::finder::routes())
        .merge(pages::admin::routes())
        .merge(pages::account::routes())
        .layer(axum::middleware::from_fn(security_headers))
}

/// Pages load nothing from elsewhere, run no inline script and cannot be framed.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "max-age=300")],
        include_str!("../assets/console.css"),
    )
}

async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "max-age=300")],
        include_str!("../assets/console.js"),
    )
}
