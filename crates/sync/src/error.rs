//! The sync engine's one error type.

use hrbridge_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("maps file: {0}")]
    Maps(String),
    #[error("no map named '{0}'")]
    UnknownMap(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub type SyncResult<T> = Result<T, SyncError>;
