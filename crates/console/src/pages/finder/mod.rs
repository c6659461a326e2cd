//! Scheduling: the resource finder (skills and certificates with minimum proficiencies, a window
//! and a duration; ranked matches with their reasons, each bookable in one click) and the
//! bookable resources with their characteristics (those the integration brought from HR marked),
//! linked worker and bookings.

mod resources;
mod search;

use crate::error::ConsoleResult;
use axum::routing::{get, post};
use axum::Router;
use hrbridge_app::AppState;
use hrbridge_domain::scheduling::{Characteristic, CharacteristicType, SchedulingRatingModel};
use hrbridge_store::Page;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/finder", get(search::finder))
        .route("/finder/book", post(search::book))
        .route("/resources", get(resources::list))
        .route("/resources/{id}", get(resources::show))
        .route("/resources/{id}/bookings/{booking}/cancel", post(resources::cancel_booking))
}

/// The scheduling store's characteristics and rating models, to name what the finder and the
/// resource pages show by number (the first thousand of each, as the selects do).
pub(crate) struct Catalog {
    pub characteristics: Vec<Characteristic>,
    pub models: Vec<SchedulingRatingModel>,
}

impl Catalog {
    pub async fn load(app: &AppState) -> ConsoleResult<Catalog> {
        let first = Page { limit: 1000, after: None };
        let characteristics = app.scheduling.characteristics(&first).await?.items;
        let models = app.scheduling.rating_models(&first).await?.items;
        Ok(Catalog { characteristics, models })
    }

    pub fn characteristic(&self, name: &str) -> Option<&Characteristic> {
        self.characteristics.iter().find(|c| c.name == name)
    }

    /// "Rust (RUST)" when the characteristic has a description other than its name.
    pub fn label(&self, name: &str) -> String {
        match self.characteristic(name) {
            Some(c) if !c.description.is_empty() && c.description != c.name => {
                format!("{} ({})", c.description, c.name)
            }
            _ => name.to_string(),
        }
    }

    /// A rating of a characteristic in words: "Expert (5)", or the number where its model has no
    /// value of that number.
    pub fn rating(&self, characteristic: &str, value: i64) -> String {
        let model = self.characteristic(characteristic).and_then(|c| c.rating_model.as_deref());
        let named = model
            .and_then(|m| self.models.iter().find(|x| x.name == m))
            .and_then(|m| m.values.iter().find(|v| v.value == value));
        match named {
            Some(v) => format!("{} ({})", v.name, v.value),
            None => value.to_string(),
        }
    }

    /// Skills first, then certificates, each by name.
    pub fn by_type(&self) -> HashMap<CharacteristicType, Vec<&Characteristic>> {
        let mut groups: HashMap<CharacteristicType, Vec<&Characteristic>> = HashMap::new();
        for c in &self.characteristics {
            groups.entry(c.characteristic_type).or_default().push(c);
        }
        groups
    }
}

pub(crate) fn type_label(t: CharacteristicType) -> &'static str {
    match t {
        CharacteristicType::Skill => "Skill",
        CharacteristicType::Certification => "Certificate",
    }
}

/// Free minutes as people read them: "80 h", "7.5 h", "45 min".
pub(crate) fn hours(minutes: i64) -> String {
    if minutes < 60 {
        return format!("{minutes} min");
    }
    let h = minutes as f64 / 60.0;
    let mut text = format!("{h:.1}");
    if text.ends_with(".0") {
        text.truncate(text.len() - 2);
    }
    format!("{text} h")
}

#[cfg(test)]
mod tests {
    use super::hours;

    #[test]
    fn free_time_reads_in_hours() {
        assert_eq!(hours(4800), "80 h");
        assert_eq!(hours(450), "7.5 h");
        assert_eq!(hours(45), "45 min");
    }
}
