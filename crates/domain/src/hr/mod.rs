//! The HR store's entities. Each has an input form (what a client sends; PATCH merges into it), a
//! `parse` into valid values, and a record form (what the API returns).

pub mod candidate;
pub mod certificate;
pub mod job;
pub mod rating_model;
pub mod skill;
pub mod worker;
pub mod worker_name;

pub use candidate::*;
pub use certificate::*;
pub use job::*;
pub use rating_model::*;
pub use skill::*;
pub use worker::*;
