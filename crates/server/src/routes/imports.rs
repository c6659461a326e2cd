//! `POST /api/v1/hr/imports/workers`: a CSV or JSON-lines body of workers, streamed to a
//! temporary file and imported in batches, so memory does not grow with the file.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::Json;
use futures::StreamExt;
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_store::hr::import::ImportReport;
use hrbridge_store::hr::import_file::{import_file, Format};
use tokio::io::AsyncWriteExt;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(import_workers))
}

/// Imports workers with their skills and certificates. Send `Content-Type: text/csv` or
/// `application/x-ndjson`. Good rows land, bad rows come back with line number and reasons, and
/// importing the same file again updates instead of duplicating.
#[utoipa::path(post, path = "/api/v1/hr/imports/workers", tag = "hr", request_body(content = String, content_type = "text/csv"), responses((status = 200, body = ImportReport)))]
async fn import_workers(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<ImportReport>> {
    caller.require(Entity::Worker, Privilege::Create)?;
    caller.require(Entity::Worker, Privilege::Write)?;
    caller.require(Entity::WorkerSkill, Privilege::Write)?;
    caller.require(Entity::WorkerCertificate, Privilege::Write)?;
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let format = Format::from_content_type(content_type)
        .ok_or_else(|| ApiError::UnsupportedMediaType("send the file as text/csv or application/x-ndjson".into()))?;
    let spool =
        tempfile::NamedTempFile::new().map_err(|e| ApiError::Internal(format!("cannot create a spool file: {e}")))?;
    let mut file = tokio::fs::File::from_std(spool.reopen().map_err(|e| ApiError::Internal(e.to_string()))?);
    let mut stream = body.into_data_stream();
    let mut size = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest(format!("cannot read the body: {e}")))?;
        size += chunk.len() as u64;
        if size > app.settings.max_import_bytes {
            return Err(ApiError::BadRequest(format!(
                "the file is larger than {} bytes; use `hrbridge import workers FILE` for larger files",
                app.settings.max_import_bytes
            )));
        }
        file.write_all(&chunk).await.map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    file.flush().await.map_err(|e| ApiError::Internal(e.to_string()))?;
    let report = import_file(&app.hr, caller.actor(), spool.path(), format, |_, _| {}).await?;
    Ok(Json(report))
}
