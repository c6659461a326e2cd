//! The use-case layer: one function per thing a person or system does (sign in, create a user or
//! role, register an app, subscribe a webhook…), taking the caller, checking its role, bounding
//! what it grants, auditing, and answering with domain results. The HTTP API, the web console and
//! the CLI are adapters over it; nothing below (store, sync, domain) knows it.
//!
//! It also holds the application's state (both stores, the engine, the finder's index, the
//! signing key, roles) and the background workers `hrbridge serve` runs: the sync worker and the
//! webhook deliveries.

pub mod accounts;
pub mod app_registry;
pub mod apps;
pub mod caller;
pub mod concurrency;
pub mod error;
pub mod finder;
pub mod grants;
pub mod integration;
pub mod json;
pub mod rate_limit;
pub mod session_cache;
pub mod state;
pub mod sync_worker;
pub mod webhook_worker;
pub mod webhooks;
pub mod workers;

pub use caller::Caller;
pub use error::{AppError, AppResult};
pub use state::{AdminBootstrap, AppSettings, AppState, StoreLocation};
