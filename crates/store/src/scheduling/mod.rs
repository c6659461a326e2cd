//! The scheduling store: the side resource managers work in (the seeds' Dataverse, Project
//! Operations and Universal Resource Scheduling). Its own database, migrations and outbox; every
//! write appends its outbox entry in the same transaction. Ids are UUID v7.

pub mod bench;
pub mod bookings;
mod characteristics;
mod common;
pub mod outbox;
mod rating_models;
mod requirements;
mod resource_characteristics;
mod resources;
mod snapshot_load;
pub mod snapshots;

pub use snapshot_load::{SnapshotPages, SNAPSHOT_PAGE};
pub use snapshots::{CharacteristicSnapshot, ResourceSnapshot, WorkHoursSnapshot};

use crate::db::Db;
use crate::error::StoreResult;
use crate::on_read;
use hrbridge_domain::{Clock, IdGen};
use std::sync::Arc;

#[derive(Clone)]
pub struct SchedulingStore {
    pub(crate) db: Db,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) ids: Arc<dyn IdGen>,
}

impl SchedulingStore {
    pub fn new(db: Db, clock: Arc<dyn Clock>, ids: Arc<dyn IdGen>) -> Self {
        Self { db, clock, ids }
    }
    pub fn db(&self) -> &Db {
        &self.db
    }
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }
    /// How many outbox entries the scheduling store holds.
    pub async fn outbox_len(&self) -> StoreResult<i64> {
        Ok(on_read!(&self.db, c => {
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox").fetch_one(&mut *c).await?
        }))
    }
}
