//! The scheduling API: rating models and characteristics, bookable resources with their
//! characteristics, resource requirements, and the metadata of the scheduling tables.

pub mod bookings;
pub mod catalog;
pub mod metadata;
pub mod requirements;
pub mod resources;
pub mod search;
pub mod virtual_tables;

use hrbridge_app::AppState;
use utoipa_axum::router::OpenApiRouter;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(catalog::router())
        .merge(resources::router())
        .merge(requirements::router())
        .merge(metadata::router())
        .merge(bookings::router())
        .merge(search::router())
        .merge(virtual_tables::router())
}
