//! Sync throughput: how many records the sync engine wrote to a store in each window of time, for
//! the console's dashboard chart.
//!
//! Every write the engine makes, whichever path made it (a live relay pass, the missed-request
//! sync, sync now), appends an outbox entry with origin `sync` to the store it wrote, in the same
//! transaction; so the two outboxes are the complete record of what was synced and when.
//! (`sync_runs` holds the missed-request syncs only: the live passes, which apply most changes
//! while the integration is on, record no run.)

use crate::db::Db;
use crate::error::StoreResult;
use crate::on_read;
use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

/// How far an outbox entry's time may run behind the entries before it in seq order and still be
/// counted: seqs follow time on SQLite (one writer); on PostgreSQL a seq is taken when the entry
/// is written, so a transaction that started earlier can take a later seq.
pub const OUT_OF_ORDER: Duration = Duration::minutes(5);

/// The most windows one query counts (each is two bound values).
pub const MAX_WINDOWS: usize = 120;

impl Db {
    /// Outbox entries written by the sync engine (origin `sync`) in each window
    /// `[bounds[i], bounds[i + 1])`: one count per window, in order. `bounds` must ascend.
    ///
    /// The outbox has no index on time, so the scan starts at the first seq written at or after
    /// `bounds[0]` (less [`OUT_OF_ORDER`]), found by a binary search over seqs, which are indexed:
    /// the count reads the window's entries, not the whole outbox.
    pub async fn sync_writes_between(&self, bounds: &[DateTime<Utc>]) -> StoreResult<Vec<i64>> {
        if bounds.len() < 2 {
            return Ok(Vec::new());
        }
        if bounds.len() > MAX_WINDOWS + 1 || bounds.windows(2).any(|w| w[0] > w[1]) {
            return Err(crate::error::StoreError::invalid(
                "bounds",
                format!("must ascend, with at most {MAX_WINDOWS} windows"),
            ));
        }
        let windows = bounds.len() - 1;
        let counts: Vec<String> = (0..windows)
            .map(|i| format!("COUNT(CASE WHEN modified_at >= ${} AND modified_at < ${} THEN 1 END)", i + 2, i + 3))
            .collect();
        let sql = format!(
            "SELECT {} FROM outbox WHERE seq >= $1 AND origin = 'sync' AND modified_at >= $2 AND modified_at < ${}",
            counts.join(", "),
            windows + 2
        );
        let since = bounds[0] - OUT_OF_ORDER;
        Ok(on_read!(self, c => {
            // The first seq whose entry (or the next one after it) was written at or after `since`.
            let (mut low, mut high): (i64, i64) =
                sqlx::query_as("SELECT COALESCE(MIN(seq), 0), COALESCE(MAX(seq), 0) + 1 FROM outbox")
                    .fetch_one(&mut *c)
                    .await?;
            while low < high {
                let middle = low + (high - low) / 2;
                let at: Option<DateTime<Utc>> =
                    sqlx::query_scalar("SELECT modified_at FROM outbox WHERE seq >= $1 ORDER BY seq LIMIT 1")
                        .bind(middle)
                        .fetch_optional(&mut *c)
                        .await?;
                match at {
                    Some(at) if at < since => low = middle + 1,
                    _ => high = middle,
                }
            }
            let mut query = sqlx::query(sqlx::AssertSqlSafe(&*sql)).bind(low);
            for bound in bounds {
                query = query.bind(*bound);
            }
            let row = query.fetch_one(&mut *c).await?;
            (0..windows).map(|i| row.try_get::<i64, _>(i)).collect::<Result<Vec<i64>, sqlx::Error>>()?
        }))
    }
}

/// `count` consecutive windows of `width` ending with the one that holds `now`, aligned to
/// multiples of `width` since the Unix epoch (so five-minute windows start at :00, :05 …): the
/// `count + 1` bounds.
pub fn aligned_windows(now: DateTime<Utc>, width: Duration, count: usize) -> Vec<DateTime<Utc>> {
    let step = width.num_seconds().max(1);
    let end_seconds = (now.timestamp().div_euclid(step) + 1) * step;
    let end = DateTime::from_timestamp(end_seconds, 0).unwrap_or(now);
    (0..=count).rev().map(|i| end - Duration::seconds(step * i as i64)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("a time").with_timezone(&Utc)
    }

    #[test]
    fn windows_are_aligned_and_end_with_the_current_one() {
        let bounds = aligned_windows(at("2026-03-02T09:07:30Z"), Duration::minutes(5), 3);
        let expected = ["2026-03-02T08:55:00Z", "2026-03-02T09:00:00Z", "2026-03-02T09:05:00Z", "2026-03-02T09:10:00Z"];
        assert_eq!(bounds, expected.map(at));
        // A time on a boundary belongs to the window it starts.
        let bounds = aligned_windows(at("2026-03-02T09:10:00Z"), Duration::minutes(5), 1);
        assert_eq!(bounds, ["2026-03-02T09:10:00Z", "2026-03-02T09:15:00Z"].map(at));
    }
}
