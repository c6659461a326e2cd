//! For `hrbridge bench search` only: fills a scheduling store with generated resources straight
//! through bulk statements, and runs the resource search the straightforward way, in SQL (joins
//! and group by), to measure the in-memory finder against.

use crate::db::JsonType::{Bool, Date, Int, Text, Timestamp, Uuid as UuidField};
use crate::db::{timestamp_text, Tx};
use crate::error::StoreResult;
use crate::{on_read, on_tx};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

/// What [`SchedulingStore::generate_resources`] made.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Characteristic names; those at odd positions are certifications.
    pub characteristics: Vec<String>,
    pub resources: usize,
}

async fn insert_json(
    tx: &mut Tx,
    table: &str,
    columns: &str,
    fields: &[crate::db::JsonType],
    rows: Vec<serde_json::Value>,
) -> StoreResult<()> {
    for chunk in rows.chunks(5_000) {
        let sql = format!("INSERT INTO {table} ({columns}) {}", tx.backend().select_json(fields));
        let json = serde_json::Value::Array(chunk.to_vec()).to_string();
        on_tx!(tx, c => {
            sqlx::query(sqlx::AssertSqlSafe(&*sql)).bind(&json).execute(&mut *c).await?;
        });
    }
    Ok(())
}

impl super::SchedulingStore {
    /// Writes a rating model with values 1–5, `characteristics` characteristics, and `resources`
    /// workers, each with `per_resource` distinct characteristics at random ratings (certifications
    /// with an expiry, some already expired), Monday–Friday 08:00–16:00 in UTC, and for one in five
    /// a hard booking of a day in the week starting `window_start`. Deterministic for a seed.
    pub async fn generate_resources(
        &self,
        resources: usize,
        characteristics: usize,
        per_resource: usize,
        window_start: DateTime<Utc>,
        seed: u64,
    ) -> StoreResult<Generated> {
        let mut rng = StdRng::seed_from_u64(seed);
        let now = timestamp_text(self.clock.now());
        let model = self.ids.next_uuid();
        let mut tx = self.db.begin().await?;
        let meta = "version, modified_at, modified_by";
        insert_json(
            &mut tx,
            "rating_models",
            &format!("id, name, min_value, max_value, {meta}"),
            &[UuidField, Text, Int, Int, Int, Timestamp, Text],
            vec![serde_json::json!([model, "Proficiency", 1, 5, 1, now, "bench"])],
        )
        .await?;
        let values: Vec<Uuid> = (1..=5).map(|_| self.ids.next_uuid()).collect();
        let rows = values
            .iter()
            .enumerate()
            .map(|(i, id)| serde_json::json!([id, model, format!("Level {}", i + 1), i + 1, 1]))
            .collect();
        insert_json(
            &mut tx,
            "rating_values",
            "id, rating_model_id, name, value, version",
            &[UuidField, UuidField, Text, Int, Int],
            rows,
        )
        .await?;
        let names: Vec<String> = (0..characteristics).map(|i| format!("Characteristic {i:03}")).collect();
        let characteristic_ids: Vec<Uuid> = names.iter().map(|_| self.ids.next_uuid()).collect();
        let rows = names
            .iter()
            .zip(&characteristic_ids)
            .enumerate()
            .map(|(i, (name, id))| {
                let kind = if i % 2 == 1 { "certification" } else { "skill" };
                serde_json::json!([id, name, kind, "", model, 1, now, "bench"])
            })
            .collect();
        insert_json(
            &mut tx,
            "characteristics",
            &format!("id, name, characteristic_type, description, rating_model_id, {meta}"),
            &[UuidField, Text, Text, Text, UuidField, Int, Timestamp, Text],
            rows,
        )
        .await?;
        tx.commit().await?;

        let today = self.clock.today();
        for start in (0..resources).step_by(10_000) {
            let end = (start + 10_000).min(resources);
            let (mut people, mut hours, mut held, mut bookings) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for n in start..end {
                let id = self.ids.next_uuid();
                people.push(serde_json::json!([
                    id,
                    format!("Worker {n:06}"),
                    "worker",
                    "UTC",
                    true,
                    1,
                    1,
                    now,
                    "bench"
                ]));
                for weekday in 1..=5 {
                    hours.push(serde_json::json!([id, weekday, 480, 960]));
                }
                let mut chosen = std::collections::HashSet::new();
                while chosen.len() < per_resource.min(characteristics) {
                    chosen.insert(rng.gen_range(0..characteristics));
                }
                for c in chosen {
                    let expires: Option<NaiveDate> =
                        (c % 2 == 1).then(|| today + Duration::days(rng.gen_range(-60..720)));
                    held.push(serde_json::json!([
                        self.ids.next_uuid(),
                        id,
                        characteristic_ids[c],
                        values[rng.gen_range(0..5)],
                        expires,
                        1,
                        now,
                        "bench"
                    ]));
                }
                if n % 5 == 0 {
                    let day = window_start + Duration::days(rng.gen_range(0..5)) + Duration::hours(8);
                    bookings.push(serde_json::json!([
                        self.ids.next_uuid(),
                        id,
                        timestamp_text(day),
                        timestamp_text(day + Duration::hours(8)),
                        "hard",
                        1,
                        now,
                        "bench"
                    ]));
                }
            }
            let mut tx = self.db.begin().await?;
            insert_json(
                &mut tx,
                "bookable_resources",
                &format!("id, name, resource_type, time_zone, active, capacity, {meta}"),
                &[UuidField, Text, Text, Text, Bool, Int, Int, Timestamp, Text],
                people,
            )
            .await?;
            insert_json(
                &mut tx,
                "work_hours",
                "resource_id, weekday, start_minute, end_minute",
                &[UuidField, Int, Int, Int],
                hours,
            )
            .await?;
            insert_json(
                &mut tx,
                "resource_characteristics",
                &format!("id, resource_id, characteristic_id, rating_value_id, expires_on, {meta}"),
                &[UuidField, UuidField, UuidField, UuidField, Date, Int, Timestamp, Text],
                held,
            )
            .await?;
            insert_json(
                &mut tx,
                "bookings",
                &format!("id, resource_id, start_at, end_at, status, {meta}"),
                &[UuidField, UuidField, Timestamp, Timestamp, Text, Int, Timestamp, Text],
                bookings,
            )
            .await?;
            tx.commit().await?;
        }
        Ok(Generated { characteristics: names, resources })
    }

    /// The resource search as a straightforward SQL query: resources holding every required
    /// characteristic at or above its minimum (certifications not expired by the window's end),
    /// ranked by how far their ratings exceed the minimums, then by the hours not taken by hard
    /// bookings in the window. Returns (id, score) of the first `limit`.
    pub async fn search_in_sql(
        &self,
        required: &[(String, i64)],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<(Uuid, i64)>> {
        let wanted: Vec<String> =
            (0..required.len()).map(|i| format!("(c.name = ${} AND v.value >= ${})", 2 * i + 5, 2 * i + 6)).collect();
        let minimum: Vec<String> =
            (0..required.len()).map(|i| format!("WHEN ${} THEN ${}", 2 * i + 5, 2 * i + 6)).collect();
        let sql = format!(
            "SELECT r.id, CAST(SUM(v.value - CASE c.name {} END) AS BIGINT) AS score, \
               CAST((SELECT COALESCE(SUM(w.end_minute - w.start_minute), 0) FROM work_hours w WHERE w.resource_id = r.id) * 2 \
               - (SELECT COUNT(*) * 480 FROM bookings b WHERE b.resource_id = r.id AND b.status = 'hard' \
                  AND b.start_at < $2 AND b.end_at > $1) AS BIGINT) AS free_minutes \
             FROM bookable_resources r \
             JOIN resource_characteristics rc ON rc.resource_id = r.id \
             JOIN characteristics c ON c.id = rc.characteristic_id \
             JOIN rating_values v ON v.id = rc.rating_value_id \
             WHERE r.active AND ({}) \
               AND (c.characteristic_type <> 'certification' OR rc.expires_on IS NULL OR rc.expires_on >= $3) \
             GROUP BY r.id HAVING COUNT(*) = $4 \
             ORDER BY score DESC, free_minutes DESC LIMIT {limit}",
            minimum.join(" "),
            wanted.join(" OR "),
        );
        Ok(on_read!(&self.db, c => {
            let mut q = sqlx::query_as::<_, (Uuid, i64, i64)>(sqlx::AssertSqlSafe(&*sql))
                .bind(from)
                .bind(to)
                .bind(to.date_naive())
                .bind(required.len() as i64);
            for (name, min) in required {
                q = q.bind(name).bind(min);
            }
            q.fetch_all(&mut *c).await?.into_iter().map(|(id, score, _)| (id, score)).collect()
        }))
    }
}

impl super::SchedulingStore {
    /// For `hrbridge bench sync`: resources linked to an HR worker, and the characteristics they
    /// hold.
    pub async fn count_linked(&self) -> StoreResult<(i64, i64)> {
        Ok(on_read!(&self.db, c => {
            sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM bookable_resources WHERE hr_worker_number IS NOT NULL), \
                 (SELECT COUNT(*) FROM resource_characteristics rc JOIN bookable_resources r ON r.id = rc.resource_id \
                 WHERE r.hr_worker_number IS NOT NULL)",
            )
            .fetch_one(&mut *c)
            .await?
        }))
    }

    /// For `hrbridge bench sync`: the last outbox seq after `after` (or `after`), and how many
    /// resources and resource characteristics the sync engine inserted in between. One row, so
    /// that watching the engine's progress every few milliseconds costs it next to nothing.
    pub async fn sync_inserts_after(&self, after: i64) -> StoreResult<(i64, i64, i64)> {
        use super::outbox::entity::{BOOKABLE_RESOURCE, RESOURCE_CHARACTERISTIC};
        let inserted = |entity: &str| {
            format!("COALESCE(SUM(CASE WHEN entity = '{entity}' AND origin = 'sync' AND operation = 'insert' THEN 1 ELSE 0 END), 0)")
        };
        let sql = format!(
            "SELECT COALESCE(MAX(seq), $1), {}, {} FROM outbox WHERE seq > $1",
            inserted(BOOKABLE_RESOURCE),
            inserted(RESOURCE_CHARACTERISTIC)
        );
        Ok(on_read!(&self.db, c => sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(after).fetch_one(&mut *c).await?))
    }
}
