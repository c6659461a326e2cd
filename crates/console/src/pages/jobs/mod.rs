//! Jobs (what a kind of work requires: skills at a minimum level, certificates) and positions
//! (a job's places, each with a location and the worker holding it).

pub mod job;
pub mod position;

use crate::error::ConsoleResult;
use axum::Router;
use hrbridge_app::AppState;
use hrbridge_domain::hr::{RequiredSkill, Worker};
use hrbridge_store::hr::WorkerFilter;
use hrbridge_store::Page;
use maud::{html, Markup};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new().merge(job::routes()).merge(position::routes())
}

fn first_page() -> Page {
    Page { limit: 1000, after: None }
}

/// Display names by code (skills, certificate types…): (code, label) pairs as a map.
pub(crate) fn names(pairs: &[(String, String)]) -> HashMap<&str, &str> {
    pairs.iter().map(|(code, label)| (code.as_str(), label.as_str())).collect()
}

/// The workers a select offers (the first thousand), by personnel number.
pub(crate) async fn workers(app: &AppState) -> ConsoleResult<Vec<Worker>> {
    Ok(app.hr.workers(&WorkerFilter::default(), &first_page()).await?.items)
}

pub(crate) fn worker_name(w: &Worker) -> String {
    crate::pages::workers::full_name(w)
}

/// Worker options: "Name (number)", and the position a worker already holds elsewhere.
pub(crate) fn worker_choices(workers: &[Worker], this_position: Option<&str>) -> Vec<(String, String)> {
    workers
        .iter()
        .map(|w| {
            let mut label = format!("{} ({})", worker_name(w), w.personnel_number);
            if let Some(held) = w.position.as_deref().filter(|p| Some(*p) != this_position) {
                label.push_str(&format!(" — holds {held}"));
            }
            (w.personnel_number.clone(), label)
        })
        .collect()
}

/// A job's required skills as a short list: "Rust (RUST) ≥ Good".
pub(crate) fn required_skills(skills: &[RequiredSkill], skill_names: &HashMap<&str, &str>) -> Markup {
    html! {
        @if skills.is_empty() { span.muted { "None" } } @else {
            @for r in skills {
                div { (skill_names.get(r.skill.as_str()).copied().unwrap_or(&r.skill)) " ≥ " strong { (r.min_level) } }
            }
        }
    }
}

/// Required certificate types as a short list.
pub(crate) fn required_certificates(codes: &[String], certificate_names: &HashMap<&str, &str>) -> Markup {
    html! {
        @if codes.is_empty() { span.muted { "None" } } @else {
            @for c in codes { div { (certificate_names.get(c.as_str()).copied().unwrap_or(c)) } }
        }
    }
}
