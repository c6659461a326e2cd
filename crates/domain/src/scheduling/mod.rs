//! The scheduling store's entities (the seeds' Dataverse and Universal Resource Scheduling). Like
//! the HR entities, each has an input form (what a client sends; PATCH merges into it), a `parse`
//! into valid values, and a record form (what the API returns). Record ids are UUID v7.

pub mod booking;
pub mod characteristic;
pub mod metadata;
pub mod rating_model;
pub mod requirement;
pub mod resource;
pub mod search;
pub mod work_hours;

pub use characteristic::*;
pub use rating_model::*;
pub use requirement::*;
pub use resource::*;
pub use work_hours::*;
