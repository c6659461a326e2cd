//! The "Hire new worker" pane: a candidate's record as exported (name, contact, start date, job
//! title and location, skills and certificates checked against today's catalog, source app), the
//! hire form (position, personnel number, employment start), and the other decisions: do not
//! hire, with a reason code, or dismiss.

use super::{app_names, full_name, state_badge, NAV};
use crate::error::ConsoleResult;
use crate::layout::{csrf, page_with_status, redirect_with};
use crate::session::{Form, Posted, Viewer};
use crate::widgets::{action_button, select, when, FieldErrors, Input};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use hrbridge_app::json::from_value;
use hrbridge_app::AppError;
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_domain::hr::{Candidate, CandidateStatus, DoNotHireInput, HireInput, Position};
use hrbridge_store::hr::Catalog;
use hrbridge_store::Page;
use maud::{html, Markup};
use serde_json::json;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/candidates/{id}", get(show))
        .route("/candidates/{id}/hire", post(hire))
        .route("/candidates/{id}/do-not-hire", post(do_not_hire))
        .route("/candidates/{id}/dismiss", post(dismiss))
}

/// Reason codes offered for "do not hire" (any other short code may be typed).
const REASONS: [&str; 5] = ["DECLINED-OFFER", "NO-SHOW", "FAILED-CHECKS", "POSITION-CLOSED", "DUPLICATE"];

/// A candidate id from the path: a number, else no such candidate.
fn candidate_id(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::NotFound(format!("candidate '{raw}' was not found")))
}

/// Which of the pane's forms was sent and failed, to show it again with its errors.
enum Failed<'a> {
    None,
    Hire(&'a Form, FieldErrors),
    DoNotHire(&'a Form, FieldErrors),
}

fn may_hire(viewer: &Viewer) -> bool {
    viewer.can(Entity::Candidate, Privilege::Write)
        && viewer.can(Entity::Worker, Privilege::Create)
        && viewer.can(Entity::Position, Privilege::Write)
}

/// The vacant position best matching what the ATS said: the same title and location, else the
/// same title.
fn suggested<'a>(candidate: &Candidate, vacant: &'a [Position]) -> Option<&'a Position> {
    let same_title = |p: &&Position| p.title.eq_ignore_ascii_case(&candidate.job_title);
    vacant
        .iter()
        .filter(same_title)
        .find(|p| p.location.eq_ignore_ascii_case(&candidate.location))
        .or_else(|| vacant.iter().find(same_title))
}

fn position_label(p: &Position) -> String {
    match p.location.as_str() {
        "" => format!("{} — {} (job {})", p.position_number, p.title, p.job_id),
        location => format!("{} — {}, {} (job {})", p.position_number, p.title, location, p.job_id),
    }
}

/// What today's catalog says of each skill and certificate: `None` when it matches, else why not.
fn catalog_checks(candidate: &Candidate, catalog: &Catalog) -> (Vec<Option<String>>, Vec<Option<String>>) {
    let skills = candidate
        .skills
        .iter()
        .map(|s| match catalog.skills.get(&s.skill) {
            None => Some(format!("no skill '{}' in the catalog", s.skill)),
            Some(levels) => levels.level("level", &s.level).err().map(|e| e.message),
        })
        .collect();
    let certificates = candidate
        .certificates
        .iter()
        .map(|c| {
            (!catalog.certificate_types.contains_key(&c.certificate_type))
                .then(|| format!("no certificate type '{}' in the catalog", c.certificate_type))
        })
        .collect();
    (skills, certificates)
}

fn check_badge(problem: &Option<String>) -> Markup {
    html! {
        @match problem {
            None => span.badge.ok { "In catalog" },
            Some(why) => { span.badge.danger { "Not in catalog" } " " span.muted { (why) } },
        }
    }
}

async fn pane(app: &AppState, viewer: &Viewer, id: i64, failed: Failed<'_>) -> ConsoleResult<Response> {
    let candidate = app.hr.candidate(id).await?;
    let source = app_names(app, viewer, &[&candidate]).await.remove(&candidate.source_app);
    let catalog = Catalog::load(app.hr.db()).await?;
    let (skill_checks, certificate_checks) = catalog_checks(&candidate, &catalog);
    let open = candidate.status == CandidateStatus::ToHire;
    let can_hire = open && may_hire(viewer);
    let can_close = open && viewer.can(Entity::Candidate, Privilege::Write);
    let vacant: Vec<Position> = if can_hire {
        let all = app.hr.positions(&Page { limit: 1000, after: None }).await?.items;
        all.into_iter().filter(|p| p.worker.is_none()).collect()
    } else {
        Vec::new()
    };
    let suggestion = suggested(&candidate, &vacant);
    let (hire_form, hire_errors) = match &failed {
        Failed::Hire(form, errors) => ((*form).clone(), errors.clone()),
        _ => {
            let mut fields = vec![("employment_start".to_string(), candidate.start_date.to_string())];
            if let Some(p) = suggestion {
                fields.push(("position_number".into(), p.position_number.clone()));
            }
            (Form(fields), FieldErrors::none())
        }
    };
    let (reason_form, reason_errors) = match &failed {
        Failed::DoNotHire(form, errors) => ((*form).clone(), errors.clone()),
        _ => (Form::default(), FieldErrors::none()),
    };
    let position_options: Vec<(String, String)> =
        vacant.iter().map(|p| (p.position_number.clone(), position_label(p))).collect();
    let mismatched = skill_checks.iter().chain(&certificate_checks).any(Option::is_some);
    let base = format!("/candidates/{id}");
    let content = html! {
        @if !open {
            @match &failed {
                Failed::Hire(_, errors) | Failed::DoNotHire(_, errors) => (errors.summary()),
                Failed::None => {},
            }
            p.warning role="status" {
                @match candidate.status {
                    CandidateStatus::Hired => {
                        "Hired"
                        @if let Some(n) = &candidate.personnel_number { " as worker " a href={ "/workers/" (n) } { (n) } }
                    },
                    CandidateStatus::NotHired => {
                        "Not hired" @if let Some(r) = &candidate.reason { " (reason " code { (r) } ")" }
                    },
                    _ => "Dismissed",
                }
                @if let Some(at) = &candidate.decided_at { " on " (when(at)) }
                @if let Some(by) = &candidate.decided_by { " by " (by) }
                "."
            }
        }
        div.grid2 {
            section.card aria-labelledby="candidate" {
                h2 #candidate { "Candidate" }
                dl.facts {
                    dt { "State" } dd { (state_badge(candidate.status)) }
                    dt { "Name" } dd { (full_name(&candidate)) }
                    dt { "Email" } dd { (candidate.email) }
                    dt { "Phone" } dd { (candidate.phone) }
                    dt { "Start date" } dd { (candidate.start_date) }
                    dt { "Hired for" } dd { (candidate.job_title) ", " (candidate.location) }
                    dt { "Matching position" } dd {
                        @match suggestion {
                            Some(p) => a href={ "/positions/" (p.position_number) } { (position_label(p)) },
                            None if can_hire => span.muted { "No vacant position has this title: pick one below." },
                            None => span.muted { "—" },
                        }
                    }
                    dt { "Source" } dd {
                        (source.as_deref().unwrap_or(&candidate.source_app))
                        span.muted { ", candidate " (candidate.external_id) }
                    }
                    dt { "Received" } dd { (when(&candidate.received_at)) }
                }
            }
            section.card aria-labelledby="qualifications" {
                h2 #qualifications { "Skills and certificates" }
                @if candidate.skills.is_empty() { p.empty { "No skills exported." } } @else {
                    table {
                        thead { tr { th { "Skill" } th { "Level" } th { "Catalog" } } }
                        tbody {
                            @for (s, problem) in candidate.skills.iter().zip(&skill_checks) {
                                tr {
                                    td { (catalog.skills.get(&s.skill).map(|k| k.name.as_str()).unwrap_or(&s.skill)) " " span.muted { "(" (s.skill) ")" } }
                                    td { (s.level) }
                                    td { (check_badge(problem)) }
                                }
                            }
                        }
                    }
                }
                @if candidate.certificates.is_empty() { p.empty { "No certificates exported." } } @else {
                    table {
                        thead { tr { th { "Certificate" } th { "Issued" } th { "Expires" } th { "Catalog" } } }
                        tbody {
                            @for (c, problem) in candidate.certificates.iter().zip(&certificate_checks) {
                                tr {
                                    td { (catalog.certificate_types.get(&c.certificate_type).map(|t| t.1.as_str()).unwrap_or(&c.certificate_type)) }
                                    td { (c.issued_on) }
                                    td { (c.expires_on.map(|d| d.to_string()).unwrap_or_else(|| "Does not expire".into())) }
                                    td { (check_badge(problem)) }
                                }
                            }
                        }
                    }
                }
                @if mismatched && open {
                    p.warning { "The catalog no longer has everything this candidate lists: the hire is refused until the catalog has it again." }
                }
            }
        }
        @if can_hire {
            section.card aria-labelledby="hire" {
                h2 #hire { "Hire" }
                p.muted {
                    "The worker gets the candidate's name, contact, skills and certificates; correct them on the "
                    "worker's page afterwards."
                }
                form method="post" action={ (base) "/hire" } aria-labelledby="hire" {
                    (csrf(viewer))
                    (hire_errors.summary())
                    div.row {
                        (select("Position", "position_number", &position_options, hire_form.text("position_number"), true, &hire_errors))
                        (Input::new("Personnel number", "personnel_number", hire_form.text("personnel_number"))
                            .hint("Leave blank to take the next number from the sequence.").render(&hire_errors))
                        (Input::new("Employment start", "employment_start", hire_form.text("employment_start"))
                            .kind("date").hint("Filled with the start date the ATS sent.").render(&hire_errors))
                    }
                    @if position_options.is_empty() {
                        p.warning { "There is no vacant position: " a href="/positions/new" { "create one" } " first." }
                    }
                    div.actions { button type="submit" { "Hire" } }
                }
            }
        }
        @if can_close {
            section.card aria-labelledby="close" {
                h2 #close { "Other decisions" }
                div.grid2 {
                    form method="post" action={ (base) "/do-not-hire" } aria-labelledby="not-hire"
                        data-confirm={ "Close " (full_name(&candidate)) " as not hired?" } {
                        h3 #not-hire { "Do not hire" }
                        (csrf(viewer))
                        (reason_errors.summary())
                        (Input::new("Reason code", "reason", reason_form.text("reason")).required().list("reasons")
                            .hint("A short code the ATS reads back, e.g. DECLINED-OFFER.").render(&reason_errors))
                        datalist #reasons { @for r in REASONS { option value=(r) {} } }
                        button.danger type="submit" { "Do not hire" }
                    }
                    div {
                        h3 { "Dismiss" }
                        p.muted { "For a record that needs no decision on the person: a duplicate or a test export." }
                        (action_button(viewer, &format!("{base}/dismiss"), "Dismiss",
                            Some(&format!("Dismiss the record of {}?", full_name(&candidate)))))
                    }
                }
            }
        }
    };
    let status = match failed {
        Failed::None => StatusCode::OK,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let title = if open { format!("Hire new worker: {}", full_name(&candidate)) } else { full_name(&candidate) };
    Ok(page_with_status(status, viewer, NAV, &title, content))
}

async fn show(State(app): State<AppState>, viewer: Viewer, Path(id): Path<String>) -> ConsoleResult<Response> {
    viewer.require(Entity::Candidate, Privilege::Read)?;
    pane(&app, &viewer, candidate_id(&id)?, Failed::None).await
}

async fn hire(
    State(app): State<AppState>,
    Path(id): Path<String>,
    Posted { viewer, form }: Posted,
) -> ConsoleResult<Response> {
    viewer.require(Entity::Candidate, Privilege::Write)?;
    viewer.require(Entity::Worker, Privilege::Create)?;
    viewer.require(Entity::Position, Privilege::Write)?;
    let id = candidate_id(&id)?;
    let hired = async {
        let input: HireInput = from_value(json!({
            "position_number": form.text("position_number"),
            "personnel_number": form.json("personnel_number"),
            "employment_start": form.json("employment_start"),
        }))?;
        app.hr.hire_candidate(&viewer.caller.actor(), id, input.parse()?).await.map_err(Into::into)
    };
    match hired.await {
        Ok(hired) => {
            let number = &hired.worker.personnel_number;
            let position = form.text("position_number");
            let message = format!("{} hired as worker {number} into position {position}.", full_name(&hired.candidate));
            Ok(redirect_with(&format!("/workers/{number}"), &message))
        }
        Err(error) => pane(&app, &viewer, id, Failed::Hire(&form, FieldErrors::from_api(error)?)).await,
    }
}

async fn do_not_hire(
    State(app): State<AppState>,
    Path(id): Path<String>,
    Posted { viewer, form }: Posted,
) -> ConsoleResult<Response> {
    viewer.require(Entity::Candidate, Privilege::Write)?;
    let id = candidate_id(&id)?;
    let closed = async {
        let reason = from_value::<DoNotHireInput>(json!({ "reason": form.text("reason") }))?.parse()?;
        app.hr
            .close_candidate(&viewer.caller.actor(), id, CandidateStatus::NotHired, Some(reason))
            .await
            .map_err(Into::into)
    };
    match closed.await {
        Ok(c) => Ok(redirect_with(NAV, &format!("{} closed as not hired.", full_name(&c)))),
        Err(error) => pane(&app, &viewer, id, Failed::DoNotHire(&form, FieldErrors::from_api(error)?)).await,
    }
}

async fn dismiss(
    State(app): State<AppState>,
    Path(id): Path<String>,
    Posted { viewer, .. }: Posted,
) -> ConsoleResult<Response> {
    viewer.require(Entity::Candidate, Privilege::Write)?;
    let id = candidate_id(&id)?;
    let c = app.hr.close_candidate(&viewer.caller.actor(), id, CandidateStatus::Dismissed, None).await?;
    Ok(redirect_with(NAV, &format!("{} dismissed.", full_name(&c))))
}
