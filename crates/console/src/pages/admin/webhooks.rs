//! Webhooks: the endpoints that receive HR's business events, a form to add one (its secret is
//! taken and never shown again), enabling, disabling and deleting, and an endpoint's deliveries
//! with a resend button.

use super::enabled_badge;
use crate::error::ConsoleResult;
use crate::layout::{csrf, page, page_with_status, redirect_with};
use crate::session::{Form, Posted, Viewer};
use crate::widgets::AfterQuery;
use crate::widgets::{action_button, next_link, when, FieldErrors, Input};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use hrbridge_app::grants::{self, Grantee};
use hrbridge_app::webhooks as hooks_api;
use hrbridge_app::AppError;
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_domain::ValidationErrors;
use hrbridge_store::webhooks::{event, NewWebhook, WebhookChanges};
use hrbridge_store::Page;
use maud::html;

fn parse_id(id: &str, what: &str) -> Result<i64, AppError> {
    id.parse().map_err(|_| AppError::NotFound(format!("{what} '{id}' was not found")))
}

/// The API's own checks of a new endpoint: an http(s) URL with a host, a secret of 16 to 500
/// characters, at least one known event.
fn check(url: &str, secret: &str, events: &[&str]) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    hooks_api::check_url(&mut errors, url);
    hooks_api::check_secret(&mut errors, secret);
    let events: Vec<String> = events.iter().map(|e| e.to_string()).collect();
    hooks_api::check_events(&mut errors, &events);
    errors.into_result(|| ())
}

pub async fn list(
    State(app): State<AppState>,
    viewer: Viewer,
    Query(params): Query<AfterQuery>,
) -> ConsoleResult<Response> {
    viewer.require(Entity::Webhook, Privilege::Read)?;
    webhooks_page(&app, &viewer, params.after, &Form::default(), &FieldErrors::none()).await
}

async fn webhooks_page(
    app: &AppState,
    viewer: &Viewer,
    after: Option<String>,
    form: &Form,
    errors: &FieldErrors,
) -> ConsoleResult<Response> {
    let hooks = app.hr.webhooks(&Page { limit: 50, after }).await?;
    let (can_write, can_delete) =
        (viewer.can(Entity::Webhook, Privilege::Write), viewer.can(Entity::Webhook, Privilege::Delete));
    let fresh = form.0.is_empty();
    let ticked = form.all("events");
    let content = html! {
        @if hooks.items.is_empty() { p.empty { "No webhooks: nothing is told of HR's events." } } @else {
            table {
                caption.visually-hidden { "Webhooks" }
                thead { tr {
                    th scope="col" { "URL" } th scope="col" { "Events" } th scope="col" { "Status" }
                    th scope="col" { "Created" } th scope="col" { span.visually-hidden { "Actions" } }
                } }
                tbody {
                    @for h in &hooks.items {
                        tr data-url=(h.url) {
                            td { code { (h.url) } }
                            td { @for e in &h.events { span.badge { (e) } " " } }
                            td { (enabled_badge(h.enabled)) }
                            td { (when(&h.created_at)) }
                            td {
                                a href={ "/admin/webhooks/" (h.id) } { "Deliveries" } " "
                                @if can_write {
                                    @if h.enabled {
                                        (action_button(viewer, &format!("/admin/webhooks/{}/disable", h.id), "Disable", None))
                                    } @else {
                                        (action_button(viewer, &format!("/admin/webhooks/{}/enable", h.id), "Enable", None))
                                    }
                                    " "
                                }
                                @if can_delete {
                                    (action_button(viewer, &format!("/admin/webhooks/{}/delete", h.id), "Delete",
                                        Some("Delete this webhook and its deliveries?")))
                                }
                            }
                        }
                    }
                }
            }
        }
        (next_link("/admin/webhooks", hooks.next.as_ref(), &[]))
        @if viewer.can(Entity::Webhook, Privilege::Create) {
            form.card method="post" action="/admin/webhooks" aria-labelledby="new-webhook" {
                h2 #new-webhook { "New webhook" }
                (csrf(viewer))
                (errors.summary())
                div.row {
                    (Input::new("URL", "url", form.text("url")).kind("url").required().hint("http or https; receives a POST per event").render(errors))
                    (Input::new("Secret", "secret", "").kind("password").required()
                        .hint("At least 16 characters; signs every body (HMAC-SHA256). Not shown again.").render(errors))
                }
                div #f-events.field.invalid[errors.get("events").is_some()] role="group" aria-labelledby="f-events-legend" {
                    strong #f-events-legend { "Events" span.req aria-hidden="true" { " *" } }
                    @for e in event::ALL {
                        @let id = format!("f-event-{}", e.replace('.', "-"));
                        label for=(id) {
                            input id=(id) type="checkbox" name="events" value=(e) checked[fresh || ticked.contains(&e)];
                            " " code { (e) }
                        }
                    }
                    @if let Some(error) = errors.get("events") { p.field-error { (error) } }
                }
                (Input::new("Enabled", "enabled", if fresh || form.checked("enabled") { "yes" } else { "" }).kind("checkbox").render(errors))
                div.actions { button type="submit" { "Create webhook" } }
            }
        }
    };
    let status = errors.status();
    Ok(page_with_status(status, viewer, "/admin/webhooks", "Webhooks", content))
}

pub async fn create(State(app): State<AppState>, Posted { viewer, form }: Posted) -> ConsoleResult<Response> {
    viewer.require(Entity::Webhook, Privilege::Create)?;
    let url = form.text("url").to_string();
    let secret = form.0.iter().find(|(k, _)| k == "secret").map(|(_, v)| v.clone()).unwrap_or_default();
    let mut events: Vec<&str> = Vec::new();
    for e in form.all("events") {
        if !events.contains(&e) {
            events.push(e);
        }
    }
    let created = async {
        check(&url, &secret, &events)?;
        let subscribed: Vec<String> = events.iter().map(|e| e.to_string()).collect();
        let grantee = Grantee { entity: "webhook", key: &url };
        grants::events_bounded_by(&app, &viewer.caller.actor(), &viewer.caller.role, grantee, &subscribed).await?;
        let new = NewWebhook {
            url: url.clone(),
            secret: secret.clone(),
            events: events.iter().map(|e| e.to_string()).collect(),
            enabled: form.checked("enabled"),
        };
        Ok::<_, AppError>(app.hr.create_webhook(&viewer.caller.actor(), new).await?)
    };
    match created.await {
        Ok(hook) => Ok(redirect_with("/admin/webhooks", &format!("Webhook to {} created.", hook.url))),
        Err(error) => webhooks_page(&app, &viewer, None, &form, &FieldErrors::from_api(error)?).await,
    }
}

async fn set_enabled(app: &AppState, viewer: &Viewer, id: &str, enabled: bool) -> ConsoleResult<Response> {
    viewer.require(Entity::Webhook, Privilege::Write)?;
    let changes = WebhookChanges { url: None, secret: None, events: None, enabled: Some(enabled) };
    let id = parse_id(id, "webhook")?;
    hooks_api::subscription_within_reach(app, &viewer.caller, id, &changes).await?;
    let hook = app.hr.update_webhook(&viewer.caller.actor(), id, changes).await?;
    let state = if hook.enabled { "enabled" } else { "disabled" };
    Ok(redirect_with("/admin/webhooks", &format!("Webhook to {} {state}.", hook.url)))
}

pub async fn enable(
    State(app): State<AppState>,
    Path(id): Path<String>,
    Posted { viewer, .. }: Posted,
) -> ConsoleResult<Response> {
    set_enabled(&app, &viewer, &id, true).await
}

pub async fn disable(
    State(app): State<AppState>,
    Path(id): Path<String>,
    Posted { viewer, .. }: Posted,
) -> ConsoleResult<Response> {
    set_enabled(&app, &viewer, &id, false).await
}

pub async fn delete(
    State(app): State<AppState>,
    Path(id): Path<String>,
    Posted { viewer, .. }: Posted,
) -> ConsoleResult<Response> {
    viewer.require(Entity::Webhook, Privilege::Delete)?;
    let id = parse_id(&id, "webhook")?;
    let hook = app.hr.webhook(id).await?;
    app.hr.delete_webhook(&viewer.caller.actor(), id).await?;
    Ok(redirect_with("/admin/webhooks", &format!("Webhook to {} deleted.", hook.url)))
}

fn status_class(status: &str) -> &'static str {
    match status {
        "delivered" => "ok",
        "failed" => "danger",
        _ => "warn",
    }
}

pub async fn show(
    State(app): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(params): Query<AfterQuery>,
) -> ConsoleResult<Response> {
    viewer.require(Entity::Webhook, Privilege::Read)?;
    let id = parse_id(&id, "webhook")?;
    let hook = app.hr.webhook(id).await?;
    let deliveries = app.hr.deliveries(id, None, &Page { limit: 50, after: params.after }).await?;
    let can_resend = viewer.can(Entity::Webhook, Privilege::Write);
    let content = html! {
        section.card aria-labelledby="details" {
            h2 #details { "Endpoint" }
            dl.facts {
                dt { "URL" } dd { code { (hook.url) } }
                dt { "Events" } dd { (hook.events.join(", ")) }
                dt { "Status" } dd { (enabled_badge(hook.enabled)) }
                dt { "Created" } dd { (when(&hook.created_at)) }
            }
        }
        section.card aria-labelledby="deliveries" {
            h2 #deliveries { "Deliveries" }
            @if deliveries.items.is_empty() { p.empty { "Nothing delivered yet." } } @else {
                table {
                    caption.visually-hidden { "Deliveries in control-number order" }
                    thead { tr {
                        th.num scope="col" { "Control number" } th scope="col" { "Event" } th scope="col" { "Status" }
                        th.num scope="col" { "Attempts" } th scope="col" { "Created" } th scope="col" { "Delivered" } th scope="col" { "Last error" }
                        @if can_resend { th scope="col" { span.visually-hidden { "Actions" } } }
                    } }
                    tbody {
                        @for d in &deliveries.items {
                            tr {
                                td.num { (d.control_number) }
                                td { code { (d.event_type) } }
                                td { span.badge.(status_class(&d.status)) { (crate::choices::capitalised(&d.status)) } }
                                td.num { (d.attempts) }
                                td { (when(&d.created_at)) }
                                td { (d.delivered_at.as_ref().map(when).unwrap_or_else(|| "—".into())) }
                                td { (d.last_error.as_deref().unwrap_or("")) }
                                @if can_resend {
                                    td { @if d.status != "pending" {
                                        (action_button(&viewer, &format!("/admin/webhooks/{id}/deliveries/{}/resend", d.id), "Resend", None))
                                    } }
                                }
                            }
                        }
                    }
                }
            }
            (next_link(&format!("/admin/webhooks/{id}"), deliveries.next.as_ref(), &[]))
        }
        p { a href="/admin/webhooks" { "← All webhooks" } }
    };
    Ok(page(&viewer, "/admin/webhooks", &format!("Webhook to {}", hook.url), content))
}

pub async fn resend(
    State(app): State<AppState>,
    Path((id, delivery)): Path<(String, String)>,
    Posted { viewer, .. }: Posted,
) -> ConsoleResult<Response> {
    viewer.require(Entity::Webhook, Privilege::Write)?;
    let (id, delivery) = (parse_id(&id, "webhook")?, parse_id(&delivery, "delivery")?);
    app.hr.webhook(id).await?;
    let d = app.hr.resend_delivery(&viewer.caller.actor(), id, delivery).await?;
    Ok(redirect_with(&format!("/admin/webhooks/{id}"), &format!("Delivery {} will be sent again.", d.control_number)))
}
