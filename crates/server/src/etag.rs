//! Versions over HTTP: a record's `ETag` is its version (`"3"`), and `If-Match` asks for a write
//! only while the record is still at that version (RFC 9110 §13.1.1).

use crate::error::{ApiError, ApiResult};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hrbridge_domain::Versioned;
use serde::Serialize;

/// A JSON answer with the record's version as its `ETag`.
pub fn tagged<T: Serialize>(version: i64, body: T) -> Response {
    let mut response = Json(body).into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("\"{version}\"")) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// A record as JSON with its version as the `ETag`.
pub fn record<T: Serialize + Versioned>(record: T) -> Response {
    tagged(record.version(), record)
}

/// The version `If-Match` names: `None` without the header or with `*` (any version). A value
/// that is no version of ours can match nothing: 412.
pub fn if_match(headers: &HeaderMap) -> ApiResult<Option<i64>> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or("").trim();
    if text == "*" {
        return Ok(None);
    }
    // If-Match compares strongly (RFC 9110 §13.1.1): a weak tag matches nothing.
    let version = if text.starts_with("W/") { Err(()) } else { text.trim_matches('"').parse::<i64>().map_err(drop) };
    version.map(Some).map_err(|_| {
        ApiError::PreconditionFailed("If-Match must name a version this server gave out as an ETag, like \"3\"".into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_names_a_version() {
        let mut headers = HeaderMap::new();
        assert_eq!(if_match(&headers).unwrap(), None);
        headers.insert(header::IF_MATCH, HeaderValue::from_static("\"3\""));
        assert_eq!(if_match(&headers).unwrap(), Some(3));
        headers.insert(header::IF_MATCH, HeaderValue::from_static("W/\"4\""));
        assert!(if_match(&headers).is_err(), "a weak tag never matches");
        headers.insert(header::IF_MATCH, HeaderValue::from_static("*"));
        assert_eq!(if_match(&headers).unwrap(), None);
        headers.insert(header::IF_MATCH, HeaderValue::from_static("\"abc\""));
        assert!(if_match(&headers).is_err());
    }
}
