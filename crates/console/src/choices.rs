//! The options of the console's selects, read from the stores (the first thousand of each, which
//! is what a select can sensibly show).

use crate::error::ConsoleResult;
use hrbridge_app::AppState;
use hrbridge_store::Page;

fn first_page() -> Page {
    Page { limit: 1000, after: None }
}

/// (value, label) pairs.
pub type Choices = Vec<(String, String)>;

pub async fn skills(app: &AppState) -> ConsoleResult<Choices> {
    let page = app.hr.skills(&first_page()).await?;
    Ok(page.items.into_iter().map(|s| (s.code.clone(), format!("{} ({})", s.name, s.code))).collect())
}

pub async fn skill_types(app: &AppState) -> ConsoleResult<Choices> {
    let page = app.hr.skill_types(&first_page()).await?;
    Ok(page.items.into_iter().map(|s| (s.code.clone(), format!("{} ({})", s.name, s.code))).collect())
}

pub async fn rating_models(app: &AppState) -> ConsoleResult<Choices> {
    let page = app.hr.rating_models(&first_page()).await?;
    Ok(page.items.into_iter().map(|m| (m.code.clone(), format!("{} ({})", m.name, m.code))).collect())
}

/// Every level of every rating model, labelled with its model: (level, "Model: level (factor)").
pub async fn rating_levels(app: &AppState) -> ConsoleResult<Choices> {
    let page = app.hr.rating_models(&first_page()).await?;
    Ok(page
        .items
        .into_iter()
        .flat_map(|m| {
            let model = m.name.clone();
            m.levels.into_iter().map(move |l| (l.name.clone(), format!("{model}: {} ({})", l.name, l.factor)))
        })
        .collect())
}

pub async fn certificate_types(app: &AppState) -> ConsoleResult<Choices> {
    let page = app.hr.certificate_types(&first_page()).await?;
    Ok(page.items.into_iter().map(|c| (c.code.clone(), format!("{} ({})", c.name, c.code))).collect())
}

pub async fn jobs(app: &AppState) -> ConsoleResult<Choices> {
    let page = app.hr.jobs(&first_page()).await?;
    Ok(page.items.into_iter().map(|j| (j.job_id.clone(), format!("{} ({})", j.title, j.job_id))).collect())
}

pub async fn positions(app: &AppState) -> ConsoleResult<Choices> {
    let page = app.hr.positions(&first_page()).await?;
    Ok(page
        .items
        .into_iter()
        .map(|p| {
            let label = format!("{} ({})", p.title, p.position_number);
            (p.position_number, label)
        })
        .collect())
}

pub fn statuses() -> Choices {
    ["active", "inactive", "terminated"].iter().map(|s| (s.to_string(), capitalised(s))).collect()
}

pub fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}
