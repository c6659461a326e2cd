//! The HR entities in the HR store, a module each.

pub mod candidates;
mod certificate_types;
pub(crate) mod common;
pub mod hire;
pub mod import;
pub mod import_file;
pub mod import_limit;
pub use worker_qualifications::Catalog;
mod jobs;
mod positions;
mod rating_models;
mod skill_types;
mod skills;
pub mod worker_qualifications;
mod workers;

pub use candidates::{CandidateFilter, Received};
pub use common::WorkerFilter;
pub use hire::Hired;
