//! A relay batch read whole: it never ends inside a transaction.

use crate::error::SyncResult;

/// `entries` (a full batch of `limit`, or fewer) and the entries that follow sharing the last
/// one's instant: a store writes all of a transaction's entries at one instant, so a batch does
/// not end inside a transaction — which would apply a worker's deleted skills in one pass and
/// its own delete (which says whether they come back) in the next. `at` gives an entry's seq and
/// instant; `fetch` reads at most so many entries after a seq. It reads them in chunks of a
/// tenth of `limit`: the transaction usually ends within the first.
pub(crate) async fn whole_transactions<E, F, Fut>(
    mut entries: Vec<E>,
    limit: i64,
    at: impl Fn(&E) -> (i64, chrono::DateTime<chrono::Utc>),
    fetch: F,
) -> SyncResult<Vec<E>>
where
    F: Fn(i64, i64) -> Fut,
    Fut: std::future::Future<Output = hrbridge_store::StoreResult<Vec<E>>>,
{
    let Some((mut after, instant)) = entries.last().map(&at).filter(|_| entries.len() as i64 >= limit) else {
        return Ok(entries);
    };
    let chunk = (limit / 10).max(1);
    loop {
        let next = fetch(after, chunk).await?;
        let read = next.len();
        let same: Vec<E> = next.into_iter().take_while(|e| at(e).1 == instant).collect();
        let exhausted = (read as i64) < chunk || same.len() < read;
        after = same.last().map_or(after, |e| at(e).0);
        entries.extend(same);
        if exhausted {
            return Ok(entries);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::whole_transactions;
    use chrono::{DateTime, Utc};

    /// Entries (seq, instant); transactions of the given sizes, each at its own instant.
    fn outbox(transactions: &[usize]) -> Vec<(i64, DateTime<Utc>)> {
        let mut entries = Vec::new();
        for (t, size) in transactions.iter().enumerate() {
            let instant = DateTime::UNIX_EPOCH + chrono::Duration::seconds(t as i64);
            for _ in 0..*size {
                entries.push((entries.len() as i64 + 1, instant));
            }
        }
        entries
    }

    /// What the relay's batch of `limit` ends up holding, and how many fetches it took.
    async fn batch(all: &[(i64, DateTime<Utc>)], limit: i64) -> (Vec<i64>, usize) {
        let fetches = std::cell::Cell::new(0);
        let after = |seq: i64, n: i64| {
            fetches.set(fetches.get() + 1);
            let rows: Vec<_> = all.iter().copied().filter(|e| e.0 > seq).take(n as usize).collect();
            async move { Ok(rows) }
        };
        let first = all.iter().copied().take(limit as usize).collect();
        let entries = whole_transactions(first, limit, |e| *e, after).await.expect("in memory");
        (entries.into_iter().map(|e| e.0).collect(), fetches.get())
    }

    #[tokio::test]
    async fn a_batch_ends_with_the_transaction_its_limit_falls_in() {
        // Limit 20 falls inside the second transaction (seqs 16 to 45), read on in chunks of 2
        // (a tenth of the limit) until the next instant shows.
        let all = outbox(&[15, 30, 5]);
        let (seqs, _) = batch(&all, 20).await;
        assert_eq!(seqs, (1..=45).collect::<Vec<_>>());

        // A limit at a transaction's end reads one chunk and adds nothing.
        let (seqs, fetches) = batch(&all, 15).await;
        assert_eq!((seqs.len(), fetches), (15, 1));

        // The last transaction runs to the end of the outbox.
        let (seqs, _) = batch(&all, 47).await;
        assert_eq!(seqs, (1..=50).collect::<Vec<_>>());

        // A short batch read everything there was: nothing to extend.
        let (seqs, fetches) = batch(&outbox(&[3]), 20).await;
        assert_eq!((seqs.len(), fetches), (3, 0));
    }
}
