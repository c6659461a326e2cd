//! Keyset paging: lists are ordered by their natural key and continue after the last key seen.

use serde::Serialize;

pub const MAX_PAGE: i64 = 1000;
pub const DEFAULT_PAGE: i64 = 100;

#[derive(Debug, Clone, Default)]
pub struct Page {
    pub limit: i64,
    /// The key of the last row of the previous page.
    pub after: Option<String>,
}

impl Page {
    pub fn first(limit: i64) -> Self {
        Self { limit: limit.clamp(1, MAX_PAGE), after: None }
    }
    /// The key to continue from: `after`, or the empty string, which sorts before every key.
    pub fn after_key(&self) -> &str {
        self.after.as_deref().unwrap_or("")
    }
    /// How many rows to fetch: one more than the page, to know whether another page follows.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PageOf<T> {
    pub items: Vec<T>,
    /// The key of the last item when more follow.
    pub next: Option<String>,
}

impl<T> PageOf<T> {
    /// Trims the extra row fetched by [`Page::fetch`] and notes the key to continue from.
    pub fn from_rows(mut rows: Vec<T>, page: &Page, key: impl Fn(&T) -> String) -> Self {
        let more = rows.len() as i64 > page.limit;
        rows.truncate(page.limit as usize);
        let next = if more { rows.last().map(key) } else { None };
        Self { items: rows, next }
    }
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> PageOf<U> {
        PageOf { items: self.items.into_iter().map(f).collect(), next: self.next }
    }
}
