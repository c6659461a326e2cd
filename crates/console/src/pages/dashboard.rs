//! (to be written)

use crate::error::ConsoleResult;
use crate::layout::page;
use crate::session::Viewer;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use hrbridge_server::AppState;
use maud::html;

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(dashboard))
}

async fn dashboard(viewer: Viewer) -> ConsoleResult<Response> {
    Ok(page(&viewer, "/", "Dashboard", html! { p { "Welcome." } }))
}
