use super::common::{delete_row, find_by_key, id_of, locked_at, page_by_key, record_write, unique_to_conflict};
use crate::db::placeholders;
use crate::error::{StoreError, StoreResult};
use crate::outbox::entity;
use crate::page::{Page, PageOf};
use crate::{on_read, on_tx, Actor, HrStore, Tx};
use hrbridge_domain::hr::{NewPosition, Position};
use hrbridge_domain::outbox::Operation;
use hrbridge_domain::ValidationErrors;
use std::collections::HashMap;

const POSITIONS: (&str, &str, &str) = ("positions", "position_number", "position");

const SELECT: &str = "SELECT p.rec_id, p.position_number, p.job_rec_id, j.job_id, p.title, p.location, \
                      w.personnel_number AS worker, p.version, p.modified_at FROM positions p \
                      JOIN jobs j ON j.rec_id = p.job_rec_id \
                      LEFT JOIN workers w ON w.rec_id = p.worker_id";

/// How many ids go into one `IN (…)` list: well under both backends' bind-parameter limits.
const CHUNK: usize = 500;

#[derive(sqlx::FromRow)]
struct Row {
    rec_id: i64,
    position_number: String,
    job_rec_id: i64,
    job_id: String,
    title: String,
    location: String,
    worker: Option<String>,
    version: i64,
    modified_at: chrono::DateTime<chrono::Utc>,
}

/// What a position refers to, checked: its job, its title (the job's unless given) and its worker.
struct References {
    job_rec_id: i64,
    title: String,
    worker_id: Option<i64>,
}

/// Checks that the job and the worker exist, and that the worker holds no other position than
/// `rec_id` (the position being written).
async fn references(tx: &mut Tx, rec_id: i64, input: &NewPosition) -> StoreResult<References> {
    let mut errors = ValidationErrors::new();
    let job: Option<(i64, String)> = on_tx!(&mut *tx, c => {
        sqlx::query_as("SELECT rec_id, title FROM jobs WHERE job_id = $1")
            .bind(input.job_id.as_str())
            .fetch_optional(&mut *c)
            .await?
    });
    if job.is_none() {
        errors.add("job_id", format!("no job with job_id '{}'", input.job_id));
    }
    let worker_id = match &input.worker {
        Some(number) => match id_of(tx, "workers", "personnel_number", number.as_str()).await? {
            Some(id) => Some(id),
            None => {
                errors.add("worker", format!("no worker with personnel number '{number}'"));
                None
            }
        },
        None => None,
    };
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    if let (Some(worker_id), Some(number)) = (worker_id, &input.worker) {
        let held: Option<String> = on_tx!(&mut *tx, c => {
            sqlx::query_scalar("SELECT position_number FROM positions WHERE worker_id = $1 AND rec_id <> $2")
                .bind(worker_id)
                .bind(rec_id)
                .fetch_optional(&mut *c)
                .await?
        });
        if let Some(held) = held {
            return Err(StoreError::conflict(
                Some("worker"),
                format!("worker '{number}' already holds position '{held}'"),
            ));
        }
    }
    let (job_rec_id, job_title) = job.expect("checked");
    let title = input.title.as_ref().map_or(job_title, |t| t.to_string());
    Ok(References { job_rec_id, title, worker_id })
}

fn detail(input: &NewPosition, title: &str) -> serde_json::Value {
    serde_json::json!({
        "position_number": input.position_number, "job_id": input.job_id, "title": title,
        "location": input.location, "worker": input.worker,
    })
}

impl HrStore {
    pub async fn position(&self, position_number: &str) -> StoreResult<Position> {
        let row: Option<Row> = find_by_key(&self.db, SELECT, "p.position_number", position_number).await?;
        let row = row.ok_or_else(|| StoreError::not_found("position", position_number))?;
        Ok(self.with_job_requirements(vec![row]).await?.remove(0))
    }

    pub async fn positions(&self, page: &Page) -> StoreResult<PageOf<Position>> {
        let rows: Vec<Row> = page_by_key(&self.db, SELECT, "p.position_number", page).await?;
        let positions = self.with_job_requirements(rows).await?;
        Ok(PageOf::from_rows(positions, page, |p| p.position_number.clone()))
    }

    async fn with_job_requirements(&self, rows: Vec<Row>) -> StoreResult<Vec<Position>> {
        let jobs: Vec<i64> = rows.iter().map(|r| r.job_rec_id).collect();
        let requirements = self.job_requirements(&jobs).await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let (required_skills, required_certificates) =
                    requirements.get(&r.job_rec_id).cloned().unwrap_or_default();
                Position {
                    rec_id: r.rec_id,
                    position_number: r.position_number,
                    job_id: r.job_id,
                    title: r.title,
                    location: r.location,
                    worker: r.worker,
                    required_skills,
                    required_certificates,
                    version: r.version,
                    modified_at: r.modified_at,
                }
            })
            .collect())
    }

    /// The position number held by each of `worker_rec_ids`, batched; workers without a position are absent.
    pub async fn position_of_workers(&self, worker_rec_ids: &[i64]) -> StoreResult<HashMap<i64, String>> {
        let mut out = HashMap::new();
        for chunk in worker_rec_ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT worker_id, position_number FROM positions WHERE worker_id IN ({})",
                placeholders(chunk.len())
            );
            let rows: Vec<(i64, String)> = on_read!(&self.db, c => {
                let mut query = sqlx::query_as(sqlx::AssertSqlSafe(&*sql));
                for id in chunk {
                    query = query.bind(*id);
                }
                query.fetch_all(&mut *c).await?
            });
            out.extend(rows);
        }
        Ok(out)
    }

    pub async fn create_position(&self, actor: &Actor, input: NewPosition) -> StoreResult<Position> {
        let now = self.clock.now();
        let rec_id = self.ids.next_rec_id();
        let number = input.position_number.as_str();
        let mut tx = self.db.begin().await?;
        // Checked first, so a duplicate is reported as such rather than as its worker being taken.
        if id_of(&mut tx, "positions", "position_number", number).await?.is_some() {
            let message = format!("a position with position_number '{number}' already exists");
            return Err(StoreError::conflict(Some("position_number"), message));
        }
        let refs = references(&mut tx, rec_id, &input).await?;
        let title = refs.title.as_str();
        let inserted = on_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO positions (rec_id, position_number, job_rec_id, title, location, worker_id, version, \
                 modified_at, modified_by) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8)",
            )
            .bind(rec_id)
            .bind(number)
            .bind(refs.job_rec_id)
            .bind(title)
            .bind(&input.location)
            .bind(refs.worker_id)
            .bind(now)
            .bind(&actor.name)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
            .map_err(StoreError::from)
        });
        unique_to_conflict(inserted, "position_number", || {
            format!("a position with position_number '{number}' already exists")
        })?;
        let detail = detail(&input, title);
        record_write(&mut tx, actor, now, entity::POSITION, rec_id, number, Operation::Insert, 1, &detail).await?;
        tx.commit().await?;
        self.position(number).await
    }

    /// With `expected_version`, only while the position is at that version.
    pub async fn update_position(
        &self,
        actor: &Actor,
        number: &str,
        input: NewPosition,
        expected_version: Option<i64>,
    ) -> StoreResult<Position> {
        if input.position_number.as_str() != number {
            return Err(StoreError::invalid("position_number", "cannot be changed"));
        }
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let rec_id = locked_at(&mut tx, POSITIONS, number, expected_version).await?;
        let refs = references(&mut tx, rec_id, &input).await?;
        let title = refs.title.as_str();
        let version: i64 = on_tx!(&mut tx, c => {
            sqlx::query_scalar(
                "UPDATE positions SET job_rec_id = $2, title = $3, location = $4, worker_id = $5, \
                 version = version + 1, modified_at = $6, modified_by = $7 WHERE rec_id = $1 RETURNING version",
            )
            .bind(rec_id)
            .bind(refs.job_rec_id)
            .bind(title)
            .bind(&input.location)
            .bind(refs.worker_id)
            .bind(now)
            .bind(&actor.name)
            .fetch_one(&mut *c)
            .await?
        });
        let detail = detail(&input, title);
        record_write(&mut tx, actor, now, entity::POSITION, rec_id, number, Operation::Update, version, &detail)
            .await?;
        tx.commit().await?;
        self.position(number).await
    }

    /// With `expected_version`, only while the position is at that version.
    pub async fn delete_position(&self, actor: &Actor, number: &str, expected_version: Option<i64>) -> StoreResult<()> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let rec_id = locked_at(&mut tx, POSITIONS, number, expected_version).await?;
        let version = delete_row(&mut tx, "positions", rec_id).await?;
        record_write(
            &mut tx,
            actor,
            now,
            entity::POSITION,
            rec_id,
            number,
            Operation::Delete,
            version,
            &serde_json::json!({}),
        )
        .await?;
        tx.commit().await
    }
}
