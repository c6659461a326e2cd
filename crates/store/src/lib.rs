//! Both stores on SQLite and PostgreSQL: migrations, queries, the outbox, users, roles and audit.
//!
//! Every write goes through a transaction that also appends its outbox entries and its audit
//! entry (DESIGN.md invariant 1), so a change and the record of it commit together or not at all.

pub mod apps;
pub mod audit;
pub mod db;
pub mod error;
pub mod folded;
pub mod hr;
pub mod outbox;
pub mod page;
pub mod password;
pub mod roles;
pub mod scheduling;
pub mod schema;
pub mod sessions;
pub mod settings;
pub mod sign_in;
pub mod sync;
pub mod totp;
pub mod users;
pub mod webhooks;

pub use db::{Backend, Db, StoreKind, Tx};
pub use error::{StoreError, StoreResult};
pub use page::{Page, PageOf};

use hrbridge_domain::outbox::Origin;
use hrbridge_domain::{Clock, IdGen};
use std::sync::Arc;

/// Who is writing: recorded in the audit log, the outbox (as origin) and `modified_by`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// A username, an app's client id, or `system`.
    pub name: String,
    pub kind: ActorKind,
    pub origin: Origin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorKind {
    User,
    App,
    System,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::User => "user",
            ActorKind::App => "app",
            ActorKind::System => "system",
        }
    }
}

impl Actor {
    pub fn user(name: impl Into<String>) -> Self {
        Self { name: name.into(), kind: ActorKind::User, origin: Origin::User }
    }
    pub fn system() -> Self {
        Self { name: "system".into(), kind: ActorKind::System, origin: Origin::User }
    }
    pub fn importing(mut self) -> Self {
        self.origin = Origin::Import;
        self
    }
}

/// The HR store: the system of record.
#[derive(Clone)]
pub struct HrStore {
    pub(crate) db: Db,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) ids: Arc<dyn IdGen>,
}

impl HrStore {
    pub fn new(db: Db, clock: Arc<dyn Clock>, ids: Arc<dyn IdGen>) -> Self {
        Self { db, clock, ids }
    }
    pub fn db(&self) -> &Db {
        &self.db
    }
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }
}
