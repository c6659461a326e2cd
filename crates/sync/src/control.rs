//! The administrator's controls: the integration switch, the HR-to-resource-scheduling solution
//! switch, status, maps, tracking and errors.

use crate::engine::{sync_actor, Engine};
use crate::error::{SyncError, SyncResult};
use crate::maps::{FieldMap, Map};
use crate::relay::is_worker_map;
use chrono::{DateTime, Utc};
use hrbridge_store::page::Page;
use hrbridge_store::sync::journal::Run;
use hrbridge_store::sync::state::{INTEGRATION_ENABLED, SOLUTION_ENABLED};
use hrbridge_store::Actor;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Backlog {
    /// Changes recorded in the HR outbox and not applied yet.
    pub hr: i64,
    /// Changes recorded in the scheduling outbox and not applied yet.
    pub scheduling: i64,
    /// When the oldest change waiting was made.
    pub oldest_at: Option<DateTime<Utc>>,
    /// How long the oldest change has waited, in seconds.
    pub age_seconds: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct IntegrationStatus {
    pub enabled: bool,
    /// Whether the HR-to-resource-scheduling solution (workers as bookable resources) is on.
    pub solution_enabled: bool,
    pub backlog: Backlog,
    /// Changes waiting in the error queue.
    pub errors: i64,
    pub last_missed_request_sync: Option<Run>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MapStatus {
    pub name: String,
    pub hr_entity: String,
    pub scheduling_entity: String,
    pub key: String,
    pub depends_on: Vec<String>,
    pub fields: Vec<FieldMap>,
    /// `running`, `paused` (its solution is off) or `not_running` (the integration is off).
    pub state: String,
    /// Linked pairs.
    pub linked: i64,
}

impl Engine {
    pub async fn status(&self) -> SyncResult<IntegrationStatus> {
        let cursors = self.hr.sync_cursors().await?;
        let (hr, hr_oldest) = self.hr.db().outbox_backlog(cursors.hr_applied).await?;
        let (scheduling, s_oldest) = self.scheduling.db().outbox_backlog(cursors.scheduling_applied).await?;
        let oldest_at = match (hr_oldest, s_oldest) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let now = self.hr.clock().now();
        let (errors, _) = self.hr.sync_error_summary().await?;
        Ok(IntegrationStatus {
            enabled: self.hr.integration_enabled().await?,
            solution_enabled: self.hr.solution_enabled().await?,
            backlog: Backlog {
                hr,
                scheduling,
                oldest_at,
                age_seconds: oldest_at.map_or(0, |o| (now - o).num_seconds().max(0)),
            },
            errors,
            last_missed_request_sync: self.hr.last_run("missed-request-sync").await?,
        })
    }

    /// Turns the integration on or off. Turning it on marks the changes recorded while it was
    /// off as made while off (those made while it was on stay so, applied or not); the caller
    /// then runs the missed-request sync.
    pub async fn set_enabled(&self, actor: &Actor, enabled: bool) -> SyncResult<IntegrationStatus> {
        let was = self.hr.integration_enabled().await?;
        if was != enabled {
            let _guard = self.lock_applies().await;
            let last = (self.hr.db().outbox_last_seq().await?, self.scheduling.db().outbox_last_seq().await?);
            self.hr.set_switch(actor, INTEGRATION_ENABLED, enabled, Some(last)).await?;
        }
        self.status().await
    }

    /// Turns the HR-to-resource-scheduling solution off (every resource loses its
    /// `hr_worker_number` link; characteristics stay) or on again (resources are relinked by
    /// personnel number from the tracking table; the caller then runs sync now of the worker
    /// maps).
    pub async fn set_solution(&self, actor: &Actor, enabled: bool) -> SyncResult<IntegrationStatus> {
        let was = self.hr.solution_enabled().await?;
        if was != enabled {
            let _guard = self.lock_applies().await;
            if enabled {
                let mut links = Vec::new();
                let mut page = Page::first(1000);
                loop {
                    let rows = self.hr.tracking_page("workers", &page).await?;
                    links.extend(rows.items.into_iter().map(|r| (r.entity_key, r.scheduling_ref)));
                    match rows.next {
                        Some(next) => page.after = Some(next),
                        None => break,
                    }
                }
                self.scheduling.relink_workers(&sync_actor(), &links).await?;
            } else {
                self.scheduling.unlink_workers(&sync_actor()).await?;
            }
            self.hr.set_switch(actor, SOLUTION_ENABLED, enabled, None).await?;
        }
        self.status().await
    }

    pub async fn map_statuses(&self) -> SyncResult<Vec<MapStatus>> {
        let enabled = self.hr.integration_enabled().await?;
        let solution = self.hr.solution_enabled().await?;
        let mut out = Vec::new();
        for map in self.maps.iter() {
            let state = match (enabled, solution || !is_worker_map(map)) {
                (false, _) => "not_running",
                (true, false) => "paused",
                (true, true) => "running",
            };
            out.push(MapStatus {
                name: map.def.name.clone(),
                hr_entity: map.def.hr_entity.clone(),
                scheduling_entity: map.def.scheduling_entity.clone(),
                key: map.def.key.clone(),
                depends_on: map.def.depends_on.clone(),
                fields: map.def.fields.clone(),
                state: state.into(),
                linked: self.hr.tracking_count(map.name()).await?,
            });
        }
        Ok(out)
    }

    /// The map with this name, or the error the API turns into a 404.
    pub fn map(&self, name: &str) -> SyncResult<&Map> {
        self.maps.get(name).ok_or_else(|| SyncError::UnknownMap(name.to_string()))
    }
}
