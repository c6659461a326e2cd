//! `GET /healthz` and `GET /metrics`: no token needed. (The OpenAPI document itself is served
//! by the router in `lib.rs`.)

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use hrbridge_app::AppState;
use metrics_exporter_prometheus::PrometheusHandle;
use serde::Serialize;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

static PROMETHEUS: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's Prometheus recorder, installed on first use.
pub fn prometheus() -> &'static PrometheusHandle {
    PROMETHEUS.get_or_init(|| {
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        // A second app in the same process (tests) shares the first recorder.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(healthz)).routes(routes!(metrics_text))
}

#[derive(Serialize, ToSchema)]
struct Health {
    status: &'static str,
    hr_store: &'static str,
    scheduling_store: &'static str,
}

/// Whether both stores answer: 200 when they do, 503 when one does not.
#[utoipa::path(get, path = "/healthz", tag = "plain", security(()), responses((status = 200, body = Health), (status = 503, body = Health)))]
async fn healthz(State(app): State<AppState>) -> impl IntoResponse {
    // Cheap by design: anyone may call it, so it must not cost the databases anything.
    let hr = app.hr.db().ping().await.is_ok();
    let scheduling = app.scheduling.db().ping().await.is_ok();
    let word = |ok| if ok { "up" } else { "down" };
    let status = if hr && scheduling { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let body = Health {
        status: if hr && scheduling { "ok" } else { "degraded" },
        hr_store: word(hr),
        scheduling_store: word(scheduling),
    };
    (status, Json(body))
}

/// Prometheus metrics: requests by route and status with durations, workers, outbox sizes, and
/// the resources in the finder's index, and the integration's backlog and error queue.
#[utoipa::path(get, path = "/metrics", tag = "plain", security(()), responses((status = 200, content_type = "text/plain", body = String)))]
async fn metrics_text(State(app): State<AppState>) -> impl IntoResponse {
    // Anyone may scrape: the gauges that count rows are refreshed at most every 30 seconds.
    static COUNTED: Mutex<Option<Instant>> = Mutex::new(None);
    let due = {
        let mut counted = COUNTED.lock().expect("metrics lock");
        let due = counted.is_none_or(|at| at.elapsed() >= Duration::from_secs(30));
        if due {
            *counted = Some(Instant::now());
        }
        due
    };
    if due {
        if let Ok(workers) = app.hr.worker_count().await {
            metrics::gauge!("hrbridge_workers").set(workers as f64);
        }
    }
    metrics::gauge!("hrbridge_finder_resources").set(app.finder.len() as f64);
    if let Ok(seq) = app.hr.db().outbox_last_seq().await {
        metrics::gauge!("hrbridge_hr_outbox_last_seq").set(seq as f64);
    }
    if let Ok(seq) = app.scheduling.db().outbox_last_seq().await {
        metrics::gauge!("hrbridge_scheduling_outbox_last_seq").set(seq as f64);
    }
    // The integration's backlog: changes recorded in each outbox and not applied yet.
    if let Ok(status) = app.engine.status().await {
        metrics::gauge!("hrbridge_integration_enabled").set(if status.enabled { 1.0 } else { 0.0 });
        metrics::gauge!("hrbridge_sync_backlog", "store" => "hr").set(status.backlog.hr as f64);
        metrics::gauge!("hrbridge_sync_backlog", "store" => "scheduling").set(status.backlog.scheduling as f64);
        metrics::gauge!("hrbridge_sync_backlog_age_seconds").set(status.backlog.age_seconds as f64);
        metrics::gauge!("hrbridge_sync_errors").set(status.errors as f64);
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], prometheus().render())
}
