//! The conflict journal, the error queue, background jobs and missed-request-sync runs.

use crate::db::{timestamp_text, JsonType, Tx};
use crate::error::{StoreError, StoreResult};
use crate::page::{Page, PageOf};
use crate::{on_read, on_tx, HrStore};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

/// A version that lost to the other side's: kept so that last-writer-wins loses nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct NewConflict {
    pub map_name: String,
    pub entity_key: String,
    /// `hr` or `scheduling`: the side whose version of the record was kept overall.
    pub winner: &'static str,
    /// Per mapped field the sides disagreed on: who won, both values, and why.
    pub fields: Vec<FieldOutcome>,
    pub hr: Option<Version>,
    pub scheduling: Option<Version>,
    pub resolved_at: DateTime<Utc>,
}

/// How one mapped field of a conflict was settled.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct FieldOutcome {
    /// The field's scheduling name (as the map names it).
    pub field: String,
    /// `hr` or `scheduling`: whose value the record holds now.
    pub winner: String,
    /// HR's value, as the scheduling side would hold it.
    #[schema(value_type = Object)]
    pub hr_value: Value,
    #[schema(value_type = Object)]
    pub scheduling_value: Value,
    /// Why: `hr-only-edited`, `scheduling-only-edited`, `last-edited-wins` or `hr-owns-field`.
    pub rule: String,
}

/// One side's version of a record, as the journal keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Version {
    #[schema(value_type = Object)]
    pub fields: Value,
    pub modified_at: DateTime<Utc>,
    pub modified_by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Conflict {
    #[serde(with = "hrbridge_domain::id_string")]
    #[schema(value_type = String)]
    pub id: i64,
    pub map_name: String,
    pub entity_key: String,
    pub winner: String,
    /// Per mapped field the sides disagreed on: who won, both values, and why.
    pub fields: Vec<FieldOutcome>,
    pub hr: Option<Version>,
    pub scheduling: Option<Version>,
    pub resolved_at: DateTime<Utc>,
}

/// A change that could not be applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub map_name: String,
    pub entity_key: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct SyncErrorRow {
    #[serde(with = "hrbridge_domain::id_string")]
    #[schema(value_type = String)]
    pub id: i64,
    pub map_name: String,
    pub entity_key: String,
    pub reason: String,
    pub attempts: i64,
    pub first_failed_at: DateTime<Utc>,
    pub last_failed_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct SyncJob {
    pub id: String,
    pub kind: String,
    pub map_name: String,
    /// queued, running, done or failed.
    pub state: String,
    pub done: i64,
    pub total: i64,
    pub errors: i64,
    pub message: Option<String>,
    pub started_by: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Run {
    #[serde(with = "hrbridge_domain::id_string")]
    #[schema(value_type = String)]
    pub id: i64,
    pub kind: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub applied: i64,
    pub conflicts: i64,
    pub errors: i64,
}

/// Seconds until a failed change is tried again after `attempts` failures: 1, 2, 4 … 3600.
pub fn backoff_seconds(attempts: i64) -> i64 {
    1i64 << attempts.clamp(1, 13).saturating_sub(1).min(12)
}

#[derive(sqlx::FromRow)]
struct ConflictRow {
    id: i64,
    map_name: String,
    entity_key: String,
    winner: String,
    hr_fields: Option<String>,
    hr_modified_at: Option<DateTime<Utc>>,
    hr_modified_by: Option<String>,
    scheduling_fields: Option<String>,
    scheduling_modified_at: Option<DateTime<Utc>>,
    scheduling_modified_by: Option<String>,
    resolved_at: DateTime<Utc>,
    fields: String,
}

fn version(fields: Option<String>, at: Option<DateTime<Utc>>, by: Option<String>) -> Option<Version> {
    Some(Version {
        fields: serde_json::from_str(&fields?).unwrap_or(Value::Null),
        modified_at: at?,
        modified_by: by.unwrap_or_default(),
    })
}

pub(super) async fn insert_conflicts(tx: &mut Tx, conflicts: &[NewConflict]) -> StoreResult<()> {
    use JsonType::{Text, Timestamp};
    if conflicts.is_empty() {
        return Ok(());
    }
    let rows: Vec<Value> = conflicts
        .iter()
        .map(|c| {
            let side = |v: &Option<Version>| match v {
                Some(v) => {
                    (Some(v.fields.to_string()), Some(timestamp_text(v.modified_at)), Some(v.modified_by.clone()))
                }
                None => (None, None, None),
            };
            let (hf, ha, hb) = side(&c.hr);
            let (sf, sa, sb) = side(&c.scheduling);
            serde_json::json!([
                c.map_name,
                c.entity_key,
                c.winner,
                hf,
                ha,
                hb,
                sf,
                sa,
                sb,
                timestamp_text(c.resolved_at),
                serde_json::to_string(&c.fields).unwrap_or_else(|_| "[]".into())
            ])
        })
        .collect();
    let sql = format!(
        "INSERT INTO sync_conflicts (map_name, entity_key, winner, hr_fields, hr_modified_at, hr_modified_by, \
         scheduling_fields, scheduling_modified_at, scheduling_modified_by, resolved_at, fields) {}",
        tx.backend().select_json(&[Text, Text, Text, Text, Timestamp, Text, Text, Timestamp, Text, Timestamp, Text])
    );
    let json = Value::Array(rows).to_string();
    on_tx!(tx, c => {
        sqlx::query(sqlx::AssertSqlSafe(&*sql)).bind(&json).execute(&mut *c).await?;
    });
    Ok(())
}

pub(super) async fn upsert_failures(tx: &mut Tx, failures: &[Failure], now: DateTime<Utc>) -> StoreResult<()> {
    for f in failures {
        on_tx!(tx, c => {
            sqlx::query(
                "INSERT INTO sync_errors (map_name, entity_key, reason, attempts, first_failed_at, last_failed_at, next_attempt_at) \
                 VALUES ($1, $2, $3, 1, $4, $4, $5) \
                 ON CONFLICT (map_name, entity_key) DO UPDATE SET reason = excluded.reason, \
                 attempts = sync_errors.attempts + 1, last_failed_at = excluded.last_failed_at",
            )
            .bind(&f.map_name)
            .bind(&f.entity_key)
            .bind(&f.reason)
            .bind(now)
            .bind(now + chrono::Duration::seconds(backoff_seconds(1)))
            .execute(&mut *c)
            .await?;
            // The next attempt backs off with the attempts made.
            let attempts: i64 = sqlx::query_scalar("SELECT attempts FROM sync_errors WHERE map_name = $1 AND entity_key = $2")
                .bind(&f.map_name)
                .bind(&f.entity_key)
                .fetch_one(&mut *c)
                .await?;
            sqlx::query("UPDATE sync_errors SET next_attempt_at = $3 WHERE map_name = $1 AND entity_key = $2")
                .bind(&f.map_name)
                .bind(&f.entity_key)
                .bind(now + chrono::Duration::seconds(backoff_seconds(attempts)))
                .execute(&mut *c)
                .await?;
        });
    }
    Ok(())
}

const ERROR_COLUMNS: &str =
    "id, map_name, entity_key, reason, attempts, first_failed_at, last_failed_at, next_attempt_at";
const JOB_COLUMNS: &str =
    "id, kind, map_name, state, done, total, errors, message, started_by, started_at, finished_at";

impl HrStore {
    /// Journals versions the engine is about to overwrite, before it writes either store.
    pub async fn journal_conflicts(&self, conflicts: &[NewConflict]) -> StoreResult<()> {
        let mut tx = self.db.begin().await?;
        insert_conflicts(&mut tx, conflicts).await?;
        tx.commit().await
    }

    /// The conflict journal, newest first; `after` is the id of the last conflict seen.
    pub async fn conflicts(&self, page: &Page) -> StoreResult<PageOf<Conflict>> {
        let after: i64 = page.after.as_deref().map_or(Ok(i64::MAX), str::parse).map_err(|_| bad_cursor())?;
        let rows: Vec<ConflictRow> = on_read!(&self.db, c => {
            sqlx::query_as(
                "SELECT id, map_name, entity_key, winner, hr_fields, hr_modified_at, hr_modified_by, scheduling_fields, \
                 scheduling_modified_at, scheduling_modified_by, resolved_at, fields FROM sync_conflicts \
                 WHERE id < $1 ORDER BY id DESC LIMIT $2",
            )
            .bind(after)
            .bind(page.fetch())
            .fetch_all(&mut *c)
            .await?
        });
        let items = rows
            .into_iter()
            .map(|r| {
                let fields = serde_json::from_str(&r.fields)
                    .map_err(|e| StoreError::Config(format!("conflict {}: its fields cannot be read: {e}", r.id)))?;
                Ok(Conflict {
                    id: r.id,
                    map_name: r.map_name,
                    entity_key: r.entity_key,
                    winner: r.winner,
                    fields,
                    hr: version(r.hr_fields, r.hr_modified_at, r.hr_modified_by),
                    scheduling: version(r.scheduling_fields, r.scheduling_modified_at, r.scheduling_modified_by),
                    resolved_at: r.resolved_at,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(PageOf::from_rows(items, page, |c| c.id.to_string()))
    }

    /// The error queue, oldest first.
    pub async fn sync_errors(&self, page: &Page) -> StoreResult<PageOf<SyncErrorRow>> {
        let after: i64 = page.after.as_deref().map_or(Ok(0), str::parse).map_err(|_| bad_cursor())?;
        let sql = format!("SELECT {ERROR_COLUMNS} FROM sync_errors WHERE id > $1 ORDER BY id LIMIT $2");
        let rows = on_read!(&self.db, c => {
            sqlx::query_as::<_, SyncErrorRow>(sqlx::AssertSqlSafe(&*sql)).bind(after).bind(page.fetch()).fetch_all(&mut *c).await?
        });
        Ok(PageOf::from_rows(rows, page, |e| e.id.to_string()))
    }

    pub async fn sync_error(&self, id: i64) -> StoreResult<SyncErrorRow> {
        let sql = format!("SELECT {ERROR_COLUMNS} FROM sync_errors WHERE id = $1");
        let row = on_read!(&self.db, c => {
            sqlx::query_as::<_, SyncErrorRow>(sqlx::AssertSqlSafe(&*sql)).bind(id).fetch_optional(&mut *c).await?
        });
        row.ok_or_else(|| StoreError::not_found("integration error", id.to_string()))
    }

    /// Errors whose next attempt is due at `now`, oldest first.
    pub async fn due_sync_errors(&self, now: DateTime<Utc>, limit: i64) -> StoreResult<Vec<SyncErrorRow>> {
        let sql = format!("SELECT {ERROR_COLUMNS} FROM sync_errors WHERE next_attempt_at <= $1 ORDER BY id LIMIT $2");
        Ok(on_read!(&self.db, c => {
            sqlx::query_as::<_, SyncErrorRow>(sqlx::AssertSqlSafe(&*sql)).bind(now).bind(limit).fetch_all(&mut *c).await?
        }))
    }

    /// How many changes wait in the error queue, and since when the oldest.
    pub async fn sync_error_summary(&self) -> StoreResult<(i64, Option<DateTime<Utc>>)> {
        Ok(on_read!(&self.db, c => {
            sqlx::query_as("SELECT COUNT(*), MIN(first_failed_at) FROM sync_errors").fetch_one(&mut *c).await?
        }))
    }

    pub async fn create_sync_job(&self, job: &SyncJob) -> StoreResult<()> {
        let mut tx = self.db.begin().await?;
        let sql =
            format!("INSERT INTO sync_jobs ({JOB_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)");
        on_tx!(&mut tx, c => {
            sqlx::query(sqlx::AssertSqlSafe(&*sql))
                .bind(&job.id)
                .bind(&job.kind)
                .bind(&job.map_name)
                .bind(&job.state)
                .bind(job.done)
                .bind(job.total)
                .bind(job.errors)
                .bind(&job.message)
                .bind(&job.started_by)
                .bind(job.started_at)
                .bind(job.finished_at)
                .execute(&mut *c)
                .await?;
        });
        tx.commit().await
    }

    /// Records a job's progress (state, counts, message, end).
    pub async fn update_sync_job(&self, job: &SyncJob) -> StoreResult<()> {
        let mut tx = self.db.begin().await?;
        on_tx!(&mut tx, c => {
            sqlx::query(
                "UPDATE sync_jobs SET state = $2, done = $3, total = $4, errors = $5, message = $6, finished_at = $7 WHERE id = $1",
            )
            .bind(&job.id)
            .bind(&job.state)
            .bind(job.done)
            .bind(job.total)
            .bind(job.errors)
            .bind(&job.message)
            .bind(job.finished_at)
            .execute(&mut *c)
            .await?;
        });
        tx.commit().await
    }

    pub async fn sync_job(&self, id: &str) -> StoreResult<SyncJob> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM sync_jobs WHERE id = $1");
        let row = on_read!(&self.db, c => {
            sqlx::query_as::<_, SyncJob>(sqlx::AssertSqlSafe(&*sql)).bind(id).fetch_optional(&mut *c).await?
        });
        row.ok_or_else(|| StoreError::not_found("job", id))
    }

    pub async fn record_run(&self, run: &Run) -> StoreResult<()> {
        let mut tx = self.db.begin().await?;
        on_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO sync_runs (kind, started_at, finished_at, applied, conflicts, errors) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&run.kind)
            .bind(run.started_at)
            .bind(run.finished_at)
            .bind(run.applied)
            .bind(run.conflicts)
            .bind(run.errors)
            .execute(&mut *c)
            .await?;
        });
        tx.commit().await
    }

    pub async fn last_run(&self, kind: &str) -> StoreResult<Option<Run>> {
        Ok(on_read!(&self.db, c => {
            sqlx::query_as::<_, Run>(
                "SELECT id, kind, started_at, finished_at, applied, conflicts, errors FROM sync_runs WHERE kind = $1 \
                 ORDER BY id DESC LIMIT 1",
            )
            .bind(kind)
            .fetch_optional(&mut *c)
            .await?
        }))
    }
}

fn bad_cursor() -> StoreError {
    StoreError::invalid("after", "must be a cursor returned as `next`")
}

impl HrStore {
    /// Makes every queued error due at `now` (tried on the next pass).
    pub async fn make_errors_due(&self, now: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.db.begin().await?;
        on_tx!(&mut tx, c => {
            sqlx::query("UPDATE sync_errors SET next_attempt_at = $1").bind(now).execute(&mut *c).await?;
        });
        tx.commit().await
    }

    /// Makes one queued error due now (retry by hand).
    pub async fn make_error_due(&self, id: i64) -> StoreResult<SyncErrorRow> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let updated = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE sync_errors SET next_attempt_at = $2 WHERE id = $1")
                .bind(id)
                .bind(now)
                .execute(&mut *c)
                .await?
                .rows_affected()
        });
        tx.commit().await?;
        if updated == 0 {
            return Err(StoreError::not_found("integration error", id.to_string()));
        }
        self.sync_error(id).await
    }
}
