//! The engine's writes to HR: values flowing back (a worker's name, email, phone) and records
//! recreated after being deleted while the integration was off. Rare, so record by record
//! through each pair's own validated HR writes, as the `sync` actor. A pair that cannot take a
//! change back says why, and the change goes to the error queue.

use crate::decide::HrAction;
use hrbridge_store::sync::{Pair, Projection};
use hrbridge_store::{Actor, HrStore};

/// Applies one HR action of `pair`; the error is the reason, for the error queue.
pub(crate) async fn apply(
    hr: &HrStore,
    actor: &Actor,
    pair: Pair,
    key: &str,
    current: Option<&Projection>,
    action: &HrAction,
) -> Result<(), String> {
    match action {
        HrAction::Update { fields } => {
            let Some(current) = current else {
                return Err(format!("{} '{key}' no longer exists in HR", pair.name()));
            };
            pair.update_hr(hr, actor, key, &current.fields, fields).await
        }
        HrAction::Recreate { fields } => pair.recreate_hr(hr, actor, key, fields).await,
    }
}
