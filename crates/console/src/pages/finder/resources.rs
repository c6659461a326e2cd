//! Bookable resources: the list, and a resource's page with its characteristics (those the
//! integration keeps from HR marked "HR"), its linked worker, its calendar and its bookings.

use super::{type_label, Catalog};
use crate::choices::capitalised;
use crate::error::ConsoleResult;
use crate::layout::{page, redirect_with};
use crate::session::{Posted, Viewer};
use crate::widgets::AfterQuery;
use crate::widgets::{next_link, versioned_action_button, when};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_domain::scheduling::booking::{Booking, BookingStatus};
use hrbridge_domain::scheduling::{BookableResource, ResourceCharacteristic};
use hrbridge_store::scheduling::bookings::BookingFilter;
use hrbridge_store::sync::pairs::WORKERS;
use hrbridge_store::sync::Selection;
use hrbridge_store::Page;
use maud::{html, Markup};
use std::collections::HashSet;

pub async fn list(
    State(app): State<AppState>,
    viewer: Viewer,
    Query(params): Query<AfterQuery>,
) -> ConsoleResult<Response> {
    viewer.require(Entity::BookableResource, Privilege::Read)?;
    let resources = app.scheduling.bookable_resources(&Page { limit: 50, after: params.after.clone() }).await?;
    let can_workers = viewer.can(Entity::Worker, Privilege::Read);
    let content = html! {
        div.toolbar {
            span.muted { "Bookable resources by name. Workers come from HR while the integration is on." }
            a.button href="/finder" { "Find a resource" }
        }
        @if resources.items.is_empty() {
            p.empty { "No bookable resources yet." }
        } @else {
            table {
                caption.visually-hidden { "Bookable resources" }
                thead { tr {
                    th scope="col" { "Name" } th scope="col" { "Type" } th scope="col" { "HR worker" }
                    th scope="col" { "Characteristics" } th.num scope="col" { "Capacity" } th scope="col" { "Time zone" } th scope="col" { "Status" }
                } }
                tbody {
                    @for r in &resources.items {
                        tr {
                            td { a href={ "/resources/" (r.id) } { (r.name) } }
                            td { (capitalised(r.resource_type.as_str())) }
                            td { (worker_link(r.hr_worker_number.as_deref(), can_workers)) }
                            td { (characteristic_names(&r.characteristics)) }
                            td.num { (r.capacity) }
                            td { (r.time_zone) }
                            td { (active_badge(r.active)) }
                        }
                    }
                }
            }
        }
        (next_link("/resources", resources.next.as_ref(), &[]))
    };
    Ok(page(&viewer, "/resources", "Resources", content))
}

fn characteristic_names(held: &[ResourceCharacteristic]) -> Markup {
    const SHOWN: usize = 4;
    let names: Vec<&str> = held.iter().take(SHOWN).map(|c| c.characteristic.as_str()).collect();
    html! {
        @if names.is_empty() { span.muted { "None" } } @else {
            (names.join(", "))
            @if held.len() > SHOWN { span.muted { " and " (held.len() - SHOWN) " more" } }
        }
    }
}

fn worker_link(number: Option<&str>, can_workers: bool) -> Markup {
    html! {
        @match number {
            Some(n) if can_workers => a href={ "/workers/" (n) } { (n) },
            Some(n) => (n),
            None => span.muted { "—" },
        }
    }
}

fn active_badge(active: bool) -> Markup {
    html! { @if active { span.badge.active { "Active" } } @else { span.badge.inactive { "Inactive" } } }
}

/// The names of the characteristics the integration keeps on this worker's resource from HR:
/// those with a tracking row of the worker skills or worker certificates map (key
/// `personnel_number/code`, the code being the characteristic's name).
async fn from_hr(app: &AppState, number: Option<&str>) -> ConsoleResult<HashSet<String>> {
    let mut names = HashSet::new();
    let Some(number) = number else { return Ok(names) };
    let owners = [number.to_string()];
    for pair in WORKERS.owned() {
        let Some(map) = app.engine.maps().by_pair(pair) else { continue };
        for row in app.hr.tracking_for(map.name(), &Selection::Owners(&owners)).await? {
            if let Some((_, code)) = row.entity_key.split_once('/') {
                names.insert(code.to_string());
            }
        }
    }
    Ok(names)
}

pub async fn show(
    State(app): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(params): Query<AfterQuery>,
) -> ConsoleResult<Response> {
    viewer.require(Entity::BookableResource, Privilege::Read)?;
    let resource = app.scheduling.bookable_resource(&id).await?;
    let catalog = Catalog::load(&app).await?;
    let hr = from_hr(&app, resource.hr_worker_number.as_deref()).await?;
    let bookings = if viewer.can(Entity::Booking, Privilege::Read) {
        let filter = BookingFilter { resource_id: Some(resource.id) };
        Some(app.scheduling.bookings(&filter, &Page { limit: 50, after: params.after.clone() }).await?)
    } else {
        None
    };
    let content = html! {
        (details(&viewer, &resource))
        section.card aria-labelledby="characteristics" {
            h2 #characteristics { "Characteristics" }
            @if resource.characteristics.is_empty() { p.empty { "No skills or certificates held." } } @else {
                table {
                    thead { tr {
                        th scope="col" { "Characteristic" } th scope="col" { "Type" } th scope="col" { "Rating" }
                        th scope="col" { "Issued" } th scope="col" { "Expires" } th scope="col" { "Source" }
                    } }
                    tbody {
                        @for c in &resource.characteristics {
                            tr.expired[c.expired] {
                                td { (catalog.label(&c.characteristic)) }
                                td { (type_label(c.characteristic_type)) }
                                td { @match (&c.rating_name, c.rating) {
                                    (Some(name), Some(value)) => { (name) " (" (value) ")" },
                                    (None, Some(value)) => (value),
                                    _ => span.muted { "Not rated" },
                                } }
                                td { (c.issued_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into())) }
                                td {
                                    (c.expires_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into()))
                                    @if c.expired { " " span.badge.danger { "Expired" } }
                                }
                                td { @if hr.contains(&c.characteristic) {
                                    span.badge.hr title="Kept in step with the worker's record in HR" { "HR" }
                                } @else { span.muted { "Scheduling" } } }
                            }
                        }
                    }
                }
                @if !hr.is_empty() {
                    p.muted { "Characteristics marked " span.badge.hr { "HR" } " come from the worker's skills and certificates in HR: change them there." }
                }
            }
        }
        @if let Some(bookings) = &bookings {
            section.card aria-labelledby="bookings" {
                h2 #bookings { "Bookings" }
                @if bookings.items.is_empty() { p.empty { "No bookings." } } @else {
                    (bookings_table(&viewer, &resource, &bookings.items))
                }
                (next_link(&format!("/resources/{}", resource.id), bookings.next.as_ref(), &[]))
            }
        }
    };
    Ok(page(&viewer, "/resources", &resource.name, content))
}

fn details(viewer: &Viewer, r: &BookableResource) -> Markup {
    let hours: Vec<String> = r
        .work_hours
        .iter()
        .map(|w| format!("{} {}–{}", capitalised(&w.weekday.as_str()[..3]), w.start, w.end))
        .collect();
    html! {
        section.card aria-labelledby="details" {
            h2 #details { "Details" }
            dl.facts {
                dt { "Type" } dd { (capitalised(r.resource_type.as_str())) }
                dt { "Status" } dd { (active_badge(r.active)) }
                dt { "HR worker" } dd {
                    @match &r.hr_worker_number {
                        Some(n) => { (worker_link(Some(n), viewer.can(Entity::Worker, Privilege::Read))) " " span.badge.hr { "HR" } },
                        None => span.muted { "Not linked to a worker" },
                    }
                }
                @if let Some(email) = &r.email { dt { "Email" } dd { (email) } }
                @if let Some(phone) = &r.phone { dt { "Phone" } dd { (phone) } }
                dt { "Capacity" } dd { (r.capacity) " at a time" }
                dt { "Working hours" } dd { (r.time_zone) ": " @if hours.is_empty() { "none" } @else { (hours.join(", ")) } }
            }
        }
    }
}

fn status_class(status: BookingStatus) -> &'static str {
    match status {
        BookingStatus::Hard => "ok",
        BookingStatus::Soft => "warn",
        BookingStatus::Proposed => "proposed",
        BookingStatus::Canceled => "danger",
    }
}

fn bookings_table(viewer: &Viewer, r: &BookableResource, bookings: &[Booking]) -> Markup {
    let can_cancel = viewer.can(Entity::Booking, Privilege::Write);
    html! {
        table {
            caption.visually-hidden { "Bookings in the order they were made" }
            thead { tr {
                th scope="col" { "Start" } th scope="col" { "End" } th scope="col" { "Status" } th scope="col" { "Requirement" }
                @if can_cancel { th scope="col" { span.visually-hidden { "Actions" } } }
            } }
            tbody {
                @for b in bookings {
                    tr {
                        td { (when(&b.start)) }
                        td { (when(&b.end)) }
                        td { span.badge.(status_class(b.status)) { (capitalised(b.status.as_str())) } }
                        td { @match b.requirement_id { Some(id) => code { (id) }, None => span.muted { "—" } } }
                        @if can_cancel {
                            td { @if b.status != BookingStatus::Canceled {
                                (versioned_action_button(viewer, &format!("/resources/{}/bookings/{}/cancel", r.id, b.id), "Cancel booking",
                                    Some("Cancel this booking? Its time becomes free again."), b.version))
                            } }
                        }
                    }
                }
            }
        }
    }
}

pub async fn cancel_booking(
    State(app): State<AppState>,
    Path((_, booking)): Path<(String, String)>,
    Posted { viewer, form }: Posted,
) -> ConsoleResult<Response> {
    viewer.require(Entity::Booking, Privilege::Write)?;
    let current = app.scheduling.booking(&booking).await?;
    let expected = form.version().unwrap_or(current.version);
    let mut input = current.to_input();
    input.status = Some(BookingStatus::Canceled);
    app.scheduling.update_booking(&viewer.caller.actor(), &booking, input.parse()?, Some(expected)).await?;
    app.finder.refresh(&app.scheduling).await?;
    Ok(redirect_with(
        &format!("/resources/{}", current.resource_id),
        &format!("Booking from {} to {} canceled.", when(&current.start), when(&current.end)),
    ))
}
