//! The HTTP API: a module per area. Every handler takes a [`Caller`](crate::auth::Caller) (401
//! without a valid token) and checks its role's privilege on the entity (403) before anything else:
//! bodies are taken as JSON values and given their shape after the check, so a caller without the
//! privilege gets 403, never a 422 about the body.

pub mod admin;
pub mod apps;
pub mod ats;
pub mod auth;
pub mod candidates;
pub mod catalog;
pub mod imports;
pub mod integration;
pub mod jobs;
pub mod oauth;
pub mod plain;
pub mod scheduling;
pub mod users;
pub mod webhooks;
pub mod workers;

use crate::error::ApiError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hrbridge_store::page::{DEFAULT_PAGE, MAX_PAGE};
use hrbridge_store::{Page, PageOf};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Paging (and, where a list supports it, a search) for list endpoints.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// At most 1000; 100 when not given.
    pub limit: Option<i64>,
    /// The `next` of the previous page.
    pub after: Option<String>,
    /// Search text (workers: personnel number, names, email).
    pub q: Option<String>,
}

impl ListQuery {
    pub fn page(&self) -> Result<Page, ApiError> {
        let limit = self.limit.unwrap_or(DEFAULT_PAGE);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(ApiError::invalid("limit", format!("must be from 1 to {MAX_PAGE}")));
        }
        let after = match &self.after {
            None => None,
            Some(cursor) => Some(
                URL_SAFE_NO_PAD
                    .decode(cursor)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .ok_or_else(|| ApiError::invalid("after", "is not a cursor this server gave out"))?,
            ),
        };
        Ok(Page { limit, after })
    }
}

/// The opaque cursor of a page that follows `key` (what [`ListQuery::page`] decodes).
pub(crate) fn cursor(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(key)
}

/// A page of a list: `next` is the opaque cursor for the following page, absent on the last.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

impl<T> From<PageOf<T>> for Paged<T> {
    fn from(page: PageOf<T>) -> Self {
        Paged { items: page.items, next: page.next.map(|k| URL_SAFE_NO_PAD.encode(k)) }
    }
}
