//! A module per area of the console, each with its routes.

pub mod account;
pub mod admin;
pub mod candidates;
pub mod catalog;
pub mod dashboard;
pub mod finder;
pub mod integration;
pub mod jobs;
pub mod sign_in;
pub mod workers;
