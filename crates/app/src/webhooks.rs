//! Webhook subscriptions: what an endpoint and its events must be, and who may send events
//! where (a subscriber reads what the events carry).

use crate::caller::Caller;
use crate::error::AppResult;
use crate::grants::{self, Grantee};
use crate::state::AppState;
use hrbridge_domain::ValidationErrors;
use hrbridge_store::webhooks::{event, WebhookChanges};

pub const MIN_SECRET_LENGTH: usize = 16;
const MAX_SECRET_LENGTH: usize = 500;
const MAX_URL_LENGTH: usize = 2000;

pub fn check_url(errors: &mut ValidationErrors, url: &str) {
    let parsed = reqwest::Url::parse(url);
    let ok = url.len() <= MAX_URL_LENGTH
        && parsed.as_ref().is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
    if !ok {
        errors.add("url", format!("must be an http or https URL of at most {MAX_URL_LENGTH} characters"));
    }
}

pub fn check_secret(errors: &mut ValidationErrors, secret: &str) {
    let n = secret.chars().count();
    if !(MIN_SECRET_LENGTH..=MAX_SECRET_LENGTH).contains(&n) {
        errors.add("secret", format!("must be {MIN_SECRET_LENGTH} to {MAX_SECRET_LENGTH} characters"));
    }
}

/// The events, deduplicated in the order given; each must be known and at least one given.
pub fn check_events(errors: &mut ValidationErrors, events: &[String]) -> Vec<String> {
    if events.is_empty() {
        errors.add("events", format!("must list at least one of {}", event::ALL.join(", ")));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, e) in events.iter().enumerate() {
        if !event::ALL.contains(&e.as_str()) {
            errors.add(format!("events[{i}]"), format!("is not an event type; known: {}", event::ALL.join(", ")));
        } else if !out.contains(e) {
            out.push(e.clone());
        }
    }
    out
}

/// A change that sends events somewhere (a new URL or event list, or enabling) is bounded like a
/// new subscription: the caller must be able to read what the events carry.
pub async fn subscription_within_reach(
    app: &AppState,
    caller: &Caller,
    id: i64,
    changes: &WebhookChanges,
) -> AppResult<()> {
    if changes.url.is_none() && changes.events.is_none() && changes.enabled != Some(true) {
        return Ok(());
    }
    let current = app.hr.webhook(id).await?;
    let events = changes.events.as_ref().unwrap_or(&current.events);
    let key = id.to_string();
    let grantee = Grantee { entity: "webhook", key: &key };
    grants::events_bounded_by(app, &caller.actor(), &caller.role, grantee, events).await
}
