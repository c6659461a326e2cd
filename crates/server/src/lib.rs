//! The HTTP server: the REST API under `/api/v1` and its OpenAPI document, adapters over the
//! use-case layer (`hrbridge-app`).

pub mod auth;
pub mod error;
pub mod etag;
pub mod json;
pub mod routes;

use hrbridge_app::AppState;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use std::time::Instant;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(title = "hrbridge", description = "HR system of record with resource-scheduling and ATS integration"),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags((name = "auth"), (name = "hr"), (name = "scheduling"), (name = "admin"), (name = "integration"), (name = "plain"))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API routes with their OpenAPI document, generated from the handlers' annotations.
pub fn api() -> (Router<AppState>, OpenApiDoc) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(routes::auth::router())
        .merge(routes::catalog::router())
        .merge(routes::workers::router())
        .merge(routes::candidates::router())
        .merge(routes::ats::router())
        .merge(routes::jobs::router())
        .merge(routes::scheduling::router())
        .merge(routes::imports::router())
        .merge(routes::admin::router())
        .merge(routes::users::router())
        .merge(routes::apps::router())
        .merge(routes::oauth::router())
        .merge(routes::webhooks::router())
        .merge(routes::integration::router())
        .merge(routes::plain::router())
        .split_for_parts()
}

/// The API alone, ready to serve (the `hrbridge` binary adds the web console with `app_with`).
pub fn app(state: AppState) -> Router {
    app_with(state, Router::new())
}

/// The API with `pages` (the web console) beside it, under the same middleware: request metrics,
/// the body limit, and waking the sync worker after writes.
pub fn app_with(state: AppState, pages: Router<AppState>) -> Router {
    routes::plain::prometheus();
    let (api, doc) = api();
    let doc = std::sync::Arc::new(doc);
    api.merge(pages)
        .route("/api/openapi.json", get(move || async move { Json((*doc).clone()) }))
        .layer(axum::extract::DefaultBodyLimit::max(1 << 20))
        .layer(axum::middleware::from_fn(record_request))
        .layer(axum::middleware::from_fn_with_state(state.clone(), wake_sync_after_writes))
        .with_state(state)
}

/// Wakes the sync worker after every write request, so a change reaches the other side at once
/// rather than at the worker's next look.
async fn wake_sync_after_writes(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let write = request.method() != axum::http::Method::GET && request.method() != axum::http::Method::HEAD;
    let response = next.run(request).await;
    // A console form answers a successful write with a redirect to the page it changed.
    if write && (response.status().is_success() || response.status().is_redirection()) {
        state.wake_sync();
    }
    response
}

/// Counts requests and their durations by route and status, for `/metrics`.
async fn record_request(request: Request, next: Next) -> Response {
    let route =
        request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_else(|| "unmatched".into());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("hrbridge_http_requests_total", &labels).increment(1);
    metrics::histogram!("hrbridge_http_request_seconds", &labels).record(started.elapsed().as_secs_f64());
    response
}
