//! Pure types and rules of hrbridge: ids, time, validation, roles, and the HR entities.
//! No IO and no async: everything here can be tested with plain values.

pub mod auth;
pub mod clock;
pub mod error;
pub mod hr;
pub mod id_string;
pub mod merge;
pub mod outbox;
pub mod scheduling;
pub mod value;
pub mod version;

pub use clock::{Clock, IdGen, ManualClock, RecId, SequentialIds, SnowflakeIds, SystemClock};
pub use error::{FieldError, ValidationErrors};
pub use version::Versioned;
