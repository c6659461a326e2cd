//! The resource finder: a GET form (so a search is a link) with up to four skills or
//! certificates, each with a minimum proficiency, a window and a duration; the ranked matches
//! with the finder's reason; and a Book button per match that books the first free span of the
//! duration in the window, as `POST /scheduling/resource-search/book` does.

use super::{hours, Catalog};
use crate::error::ConsoleResult;
use crate::layout::{csrf, page_with_status, redirect_with};
use crate::session::{Form, Posted, Viewer};
use crate::widgets::{field_id, select, when, FieldErrors, Input};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use hrbridge_app::json::from_value;
use hrbridge_app::AppError;
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_domain::scheduling::booking::BookMatchInput;
use hrbridge_domain::scheduling::search::SearchRequest;
use hrbridge_domain::scheduling::{CharacteristicType, RequiredCharacteristicInput, ResourceType};
use hrbridge_domain::ValidationErrors;
use hrbridge_finder::{Interval, Match, Query as FinderQuery, Requirement, ResourceIndex};
use maud::{html, Markup};
use serde_json::json;

/// How many skill or certificate rows the form has; blank rows are ignored.
pub const ROWS: usize = 4;
/// The duration a search asks for when none is given.
const DEFAULT_HOURS: &str = "8";
/// The window a search covers when none is given: from tomorrow, two weeks.
const DEFAULT_DAYS: i64 = 14;

/// A search the form describes, checked as the API checks it.
struct Search {
    request: SearchRequest,
    /// The form row of each required characteristic.
    rows: Vec<usize>,
}

/// A datetime-local value ("2025-06-02T08:00", read as UTC) or an RFC 3339 one.
fn parse_when(raw: &str) -> Option<DateTime<Utc>> {
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
        .map(|n| n.and_utc())
        .or_else(|| DateTime::parse_from_rfc3339(raw).ok().map(|d| d.with_timezone(&Utc)))
}

fn local(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M").to_string()
}

/// The window's defaults: tomorrow at midnight UTC, for two weeks.
fn default_window(now: DateTime<Utc>) -> (String, String) {
    let start = (now + Duration::days(1)).date_naive().and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    (local(start), local(start + Duration::days(DEFAULT_DAYS)))
}

/// The search of a submitted form, or what is wrong with it by form field.
fn search_of(form: &Form, catalog: &Catalog, now: DateTime<Utc>) -> Result<Search, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let (default_from, default_to) = default_window(now);
    let mut at = |field: &str, default: &str| {
        let raw = form.get(field).unwrap_or(default);
        let parsed = parse_when(raw);
        if parsed.is_none() {
            errors.add(field, "must be a date and time, like 2025-06-02T08:00");
        }
        parsed
    };
    let (from, to) = (at("from", &default_from), at("to", &default_to));
    let minutes = match form.get("hours").unwrap_or(DEFAULT_HOURS).replace(',', ".").parse::<f64>() {
        Ok(h) if h.is_finite() && h > 0.0 && h < 1e6 => (h * 60.0).round() as i64,
        _ => {
            errors.add("hours", "must be a number of hours above 0, like 8 or 1.5");
            0
        }
    };
    let resource_types = match form.get("resource_type") {
        None => None,
        Some(t) => match ResourceType::parse(t) {
            Some(t) => Some(vec![t]),
            None => {
                errors.add("resource_type", format!("'{t}' is not a resource type"));
                None
            }
        },
    };
    let (mut characteristics, mut rows) = (Vec::new(), Vec::new());
    for row in 0..ROWS {
        let Some(name) = form.get(&format!("characteristic_{row}")) else { continue };
        if catalog.characteristic(name).is_none() {
            errors.add(format!("characteristic_{row}"), format!("no characteristic named '{name}' in scheduling yet"));
        }
        let min_rating = match form.get(&format!("min_rating_{row}")).map(str::parse::<i64>) {
            None => 0,
            Some(Ok(n)) => n,
            Some(Err(_)) => {
                errors.add(format!("min_rating_{row}"), "must be a rating value");
                0
            }
        };
        characteristics.push(RequiredCharacteristicInput { name: name.to_string(), min_rating });
        rows.push(row);
    }
    let (Some(from), Some(to)) = (from, to) else { return Err(errors) };
    let request = SearchRequest { characteristics, from, to, duration_minutes: minutes, resource_types, limit: None };
    if let Err(checked) = request.check() {
        for e in checked.0 {
            // The domain names the API's fields; the form's are per row, and in hours.
            let field = match e.field.as_str() {
                "duration_minutes" => "hours".to_string(),
                f => f
                    .strip_prefix("characteristics[")
                    .and_then(|rest| rest.split(']').next())
                    .and_then(|i| i.parse::<usize>().ok())
                    .and_then(|i| rows.get(i))
                    .map(|row| format!("characteristic_{row}"))
                    .unwrap_or_else(|| f.to_string()),
            };
            if errors.0.iter().all(|x| x.field != field) {
                errors.add(field, e.message);
            }
        }
    }
    errors.into_result(|| Search { request, rows })
}

/// Runs a checked search against the live index, as the API does.
async fn run(app: &AppState, request: &SearchRequest) -> ConsoleResult<(Vec<Match>, usize)> {
    let query = FinderQuery {
        characteristics: request
            .characteristics
            .iter()
            .map(|c| Requirement { name: c.name.clone(), min_rating: c.min_rating })
            .collect(),
        from: request.from,
        to: request.to,
        duration_minutes: request.duration_minutes,
        resource_types: request.resource_types.as_ref().map(|t| t.iter().map(|t| t.as_str().to_string()).collect()),
        limit: request.limit(),
    };
    app.finder.refresh(&app.scheduling).await?;
    Ok((app.finder.search(&query), app.finder.len()))
}

pub async fn finder(
    State(app): State<AppState>,
    viewer: Viewer,
    Query(pairs): Query<Vec<(String, String)>>,
) -> ConsoleResult<Response> {
    viewer.require(Entity::BookableResource, Privilege::Read)?;
    finder_page(&app, &viewer, &Form(pairs), None).await
}

/// The finder with its form filled from `form`, and its matches when something was searched;
/// `booking` is a refused booking's problem, shown above the matches.
async fn finder_page(
    app: &AppState,
    viewer: &Viewer,
    form: &Form,
    booking: Option<(StatusCode, FieldErrors)>,
) -> ConsoleResult<Response> {
    let catalog = Catalog::load(app).await?;
    let searched = form.0.iter().any(|(k, _)| k != crate::session::CSRF_FIELD);
    let (mut status, mut errors, mut results) = (StatusCode::OK, FieldErrors::none(), None);
    if searched {
        match search_of(form, &catalog, app.clock.now()) {
            Ok(search) => results = Some((run(app, &search.request).await?, search)),
            Err(invalid) => {
                status = StatusCode::UNPROCESSABLE_ENTITY;
                errors = FieldErrors { fields: invalid.0, general: None, refused: false };
            }
        }
    }
    if let Some((refused, _)) = &booking {
        status = *refused;
    }
    let back = serde_urlencoded::to_string(&form.0).unwrap_or_default();
    let content = html! {
        @if let (Some((_, problem)), None) = (&booking, &results) { (refused(problem)) }
        (search_form(form, &catalog, &errors, app.clock.now()))
        @if let Some(((matches, searched_count), search)) = &results {
            section.card aria-labelledby="results" {
                h2 #results {
                    @match matches.len() { 0 => { "No resource matches" } 1 => { "1 resource matches" } n => { (n) " resources match" } }
                }
                @if let Some((_, problem)) = &booking { (refused(problem)) }
                p.muted {
                    "Searched " (searched_count) " resources for " (hours(search.request.duration_minutes)) " of free working time between "
                    (when(&search.request.from)) " and " (when(&search.request.to)) "."
                    @if search.rows.is_empty() { " No skill or certificate was asked for." }
                }
                @if !matches.is_empty() {
                    (results_table(viewer, &catalog, matches, &search.request, &back))
                }
            }
        }
    };
    Ok(page_with_status(status, viewer, "/finder", "Resource finder", content))
}

/// Why a booking was refused, above the matches.
fn refused(problem: &FieldErrors) -> Markup {
    html! {
        div.errors role="alert" {
            p { strong { "The booking could not be made." } }
            ul {
                @if let Some(message) = &problem.general { li { (message) } }
                @for e in &problem.fields { li { (e.field) ": " (e.message) } }
            }
        }
    }
}

/// A labelled select with option groups: (group, [(value, label)]). The label is what shows and
/// what only screen readers hear after it (which row the field belongs to).
fn grouped_select(
    label: (&str, &str),
    name: &str,
    blank: &str,
    groups: &[(String, Vec<(String, String)>)],
    selected: &str,
    errors: &FieldErrors,
) -> Markup {
    let id = format!("f-{}", field_id(name));
    let error = errors.get(name);
    html! {
        div.field.invalid[error.is_some()] {
            label for=(id) { (label.0) span.visually-hidden { (label.1) } }
            select id=(id) name=(name) aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| format!("{id}-error"))] {
                option value="" { (blank) }
                @for (group, options) in groups {
                    optgroup label=(group) {
                        @for (value, text) in options { option value=(value) selected[value == selected] { (text) } }
                    }
                }
            }
            @if let Some(error) = error { p.field-error id={ (id) "-error" } { (error) } }
        }
    }
}

fn search_form(form: &Form, catalog: &Catalog, errors: &FieldErrors, now: DateTime<Utc>) -> Markup {
    let groups = catalog.by_type();
    let characteristic_groups: Vec<(String, Vec<(String, String)>)> =
        [(CharacteristicType::Skill, "Skills"), (CharacteristicType::Certification, "Certificates")]
            .into_iter()
            .filter_map(|(t, heading)| {
                let mut list: Vec<(String, String)> =
                    groups.get(&t)?.iter().map(|c| (c.name.clone(), catalog.label(&c.name))).collect();
                list.sort_by_key(|a| a.1.to_lowercase());
                Some((heading.to_string(), list))
            })
            .collect();
    let rating_groups: Vec<(String, Vec<(String, String)>)> = catalog
        .models
        .iter()
        .map(|m| {
            (
                m.name.clone(),
                m.values.iter().map(|v| (v.value.to_string(), format!("{} ({})", v.name, v.value))).collect(),
            )
        })
        .collect();
    let (default_from, default_to) = default_window(now);
    let types: Vec<(String, String)> =
        ResourceType::ALL.iter().map(|t| (t.as_str().to_string(), crate::choices::capitalised(t.as_str()))).collect();
    html! {
        form.card method="get" action="/finder#results" aria-label="Search resources" {
            (errors.summary())
            @if catalog.characteristics.is_empty() {
                p.warning { "The scheduling store has no skills or certificates yet: turn the integration on to bring them from HR." }
            }
            div.criteria role="group" aria-labelledby="criteria" {
                h2 #criteria { "What the resource must hold" }
                div.grid2 {
                    @for row in 0..ROWS {
                        @let n = row + 1;
                        div.row {
                        (grouped_select(("Skill or certificate", &format!(" {n}")), &format!("characteristic_{row}"), "— none —",
                            &characteristic_groups, form.text(&format!("characteristic_{row}")), errors))
                        (grouped_select(("At least", &format!(" (skill or certificate {n})")), &format!("min_rating_{row}"), "Any: holds it",
                            &rating_groups, form.text(&format!("min_rating_{row}")), errors))
                        }
                    }
                }
            }
            h2 { "When" }
            div.row {
                (Input::new("From (UTC)", "from", form.get("from").unwrap_or(&default_from)).kind("datetime-local").required().render(errors))
                (Input::new("To (UTC)", "to", form.get("to").unwrap_or(&default_to)).kind("datetime-local").required().render(errors))
                (Input::new("Duration (hours)", "hours", form.get("hours").unwrap_or(DEFAULT_HOURS)).kind("number").min("0").required()
                    .hint("Free working time needed in the window").render(errors))
                (select("Resource type", "resource_type", &types, form.text("resource_type"), false, errors))
            }
            div.actions { button type="submit" { "Find resources" } a href="/finder" { "Clear" } }
        }
    }
}

fn results_table(viewer: &Viewer, catalog: &Catalog, matches: &[Match], request: &SearchRequest, back: &str) -> Markup {
    let can_book = viewer.can(Entity::Booking, Privilege::Create);
    html! {
        table.results {
            caption.visually-hidden { "Matching resources, best first" }
            thead { tr {
                th.num scope="col" { "Rank" } th scope="col" { "Resource" } th scope="col" { "Why it matches" }
                th.num scope="col" { "Score" } th.num scope="col" { "Free" }
                @if can_book { th scope="col" { span.visually-hidden { "Book" } } }
            } }
            tbody {
                @for m in matches {
                    tr data-resource=(m.name) {
                        td.num { (m.rank) }
                        td { a href={ "/resources/" (m.id) } { (m.name) } br; span.muted { (crate::choices::capitalised(&m.resource_type)) } }
                        td {
                            (crate::choices::capitalised(&m.reason))
                            @for c in &m.matched {
                                br;
                                span.muted { (catalog.label(&c.name)) ": " (catalog.rating(&c.name, c.rating))
                                    ", needs " (catalog.rating(&c.name, c.min_rating)) }
                            }
                        }
                        td.num { (m.score) }
                        td.num { (hours(m.free_minutes)) }
                        @if can_book {
                            td {
                                form.inline method="post" action="/finder/book" {
                                    (csrf(viewer))
                                    input type="hidden" name="resource_id" value=(m.id);
                                    input type="hidden" name="from" value=(request.from.to_rfc3339());
                                    input type="hidden" name="to" value=(request.to.to_rfc3339());
                                    input type="hidden" name="duration_minutes" value=(request.duration_minutes);
                                    input type="hidden" name="back" value=(back);
                                    button type="submit" aria-label={ "Book " (m.name) } { "Book" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The first span of `minutes` in `free` (sorted free intervals), if one is long enough.
fn first_span(free: &[Interval], minutes: i64) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let length = Duration::minutes(minutes);
    free.iter().find(|i| i.end - i.start >= length).map(|i| (i.start, i.start + length))
}

/// Books the match: the first free span of the duration in the resource's working time in the
/// window, decided with the resource locked (409 when that time is gone).
pub async fn book(State(app): State<AppState>, Posted { viewer, form }: Posted) -> ConsoleResult<Response> {
    viewer.require(Entity::Booking, Privilege::Create)?;
    let booked = async {
        let input: BookMatchInput = from_value(json!({
            "resource_id": form.text("resource_id"),
            "from": form.text("from"),
            "to": form.text("to"),
            "duration_minutes": form.json_number("duration_minutes"),
        }))?;
        input.check().map_err(AppError::from)?;
        let (from, to, minutes) = (input.from, input.to, input.duration_minutes);
        let booking = app
            .scheduling
            .book_first_free(&viewer.caller.actor(), &input, |snapshot| {
                let mut index = ResourceIndex::new();
                index.upsert(hrbridge_app::finder::doc_from(snapshot.clone()));
                first_span(&index.free_intervals(snapshot.id, from, to), minutes)
            })
            .await?;
        app.finder.refresh(&app.scheduling).await?;
        Ok::<_, AppError>(booking)
    };
    match booked.await {
        Ok(b) => Ok(redirect_with(
            &format!("/resources/{}", b.resource_id),
            &format!("Booked {} from {} to {}.", b.resource_name, when(&b.start), when(&b.end)),
        )),
        Err(error) => {
            let status = match &error {
                AppError::Conflict { .. } => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let problem = FieldErrors::from_api(error)?;
            let back: Vec<(String, String)> = serde_urlencoded::from_str(form.text("back")).unwrap_or_default();
            let response = finder_page(&app, &viewer, &Form(back), Some((status, problem))).await?;
            Ok(response.into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_values_read_as_utc() {
        assert_eq!(parse_when("2025-06-02T08:00").unwrap().to_rfc3339(), "2025-06-02T08:00:00+00:00");
        assert_eq!(parse_when("2025-06-02T08:00:30").unwrap().to_rfc3339(), "2025-06-02T08:00:30+00:00");
        assert_eq!(parse_when("2025-06-02T10:00:00+02:00").unwrap().to_rfc3339(), "2025-06-02T08:00:00+00:00");
        assert!(parse_when("tomorrow").is_none());
    }

    #[test]
    fn blank_rows_are_ignored_and_errors_name_form_fields() {
        let catalog = Catalog { characteristics: Vec::new(), models: Vec::new() };
        let form = Form(vec![
            ("characteristic_2".into(), "RUST".into()),
            ("min_rating_2".into(), "x".into()),
            ("from".into(), "2025-06-02T08:00".into()),
            ("to".into(), "2025-06-01T08:00".into()),
            ("hours".into(), "0".into()),
        ]);
        let errors = search_of(&form, &catalog, Utc::now()).err().unwrap();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["hours", "characteristic_2", "min_rating_2", "to"]);
    }
}
