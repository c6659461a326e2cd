//! JSON request bodies: `application/json` only, a body over the route's limit refused before it
//! is read; their shape is given by [`hrbridge_app::json`].

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
pub use hrbridge_app::json::{from_value, json_value, patched};
use serde::de::DeserializeOwned;

/// A JSON request body. Malformed JSON is a 400; a body of the wrong shape is a 422 naming the
/// field (`levels[2].factor: invalid type…`).
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|ct| {
            let media = ct.split(';').next().unwrap_or("").trim();
            media == "application/json" || media.ends_with("+json")
        });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType("send the body as application/json".into()));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge("the body is larger than this endpoint accepts".into())
            } else {
                ApiError::BadRequest(format!("cannot read the body: {e}"))
            }
        })?;
        Ok(JsonBody(from_value(json_value(&bytes)?)?))
    }
}
