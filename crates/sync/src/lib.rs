//! The sync engine: dual-write between the HR store and the scheduling store.
//!
//! - [`maps`]: maps as data (fields, directions, transforms, dependencies).
//! - [`decide`]: the rule for one record, pure.
//! - [`engine`]: reconcile a map for a batch of keys; [`relay`]: outboxes → batches, the
//!   missed-request sync, its passes pipelined by `pipeline`, its batches read whole by
//!   `outbox_batch`; [`jobs`]: sync now; [`control`]: switches and status;
//!   [`report`]: reconcile differences.

pub mod control;
pub mod decide;
pub mod engine;
pub mod error;
mod hr_apply;
pub mod jobs;
pub mod maps;
mod outbox_batch;
mod pipeline;
pub mod relay;
pub mod report;

pub use control::{Backlog, IntegrationStatus, MapStatus};
pub use engine::{sync_actor, Applied, Engine};
pub use error::{SyncError, SyncResult};
pub use maps::{Map, Maps};
pub use relay::Pass;
pub use report::{Difference, DifferenceKind, FieldDifference, Pending, Reconciliation};
