//! Store-wide settings and the personnel-number sequence.

use crate::db::{Db, Tx};
use crate::error::StoreResult;
use crate::{on_read, on_tx, HrStore};
use hrbridge_domain::value::PersonnelNumber;

pub const TOKEN_SIGNING_KEY: &str = "token_signing_key";
pub const PERSONNEL_NUMBER_SEQUENCE: &str = "personnel_number";

pub async fn get(db: &Db, name: &str) -> StoreResult<Option<String>> {
    Ok(on_read!(db, c => {
        sqlx::query_scalar::<_, String>("SELECT value FROM settings WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *c)
            .await?
    }))
}

/// Sets `name` to `value` unless it is already set; returns the value that is stored.
pub async fn get_or_insert(db: &Db, name: &str, value: &str) -> StoreResult<String> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(value)
            .execute(&mut *c)
            .await?;
    });
    tx.commit().await?;
    Ok(get(db, name).await?.unwrap_or_else(|| value.to_string()))
}

/// How new personnel numbers look: `prefix` then the number zero-padded to `width`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberSequence {
    pub prefix: String,
    pub width: i64,
    pub next_value: i64,
}

impl HrStore {
    /// Makes sure the personnel-number sequence exists, with this format when it is new, and
    /// updates its format when it differs (the next value is kept).
    pub async fn configure_personnel_numbers(&self, prefix: &str, width: i64) -> StoreResult<()> {
        let mut tx = self.db.begin().await?;
        on_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO number_sequences (name, prefix, width, next_value) VALUES ($1, $2, $3, 1) \
                 ON CONFLICT (name) DO UPDATE SET prefix = excluded.prefix, width = excluded.width",
            )
            .bind(PERSONNEL_NUMBER_SEQUENCE)
            .bind(prefix)
            .bind(width)
            .execute(&mut *c)
            .await?;
        });
        tx.commit().await
    }

    pub async fn personnel_number_sequence(&self) -> StoreResult<NumberSequence> {
        let row: Option<(String, i64, i64)> = on_read!(&self.db, c => {
            sqlx::query_as("SELECT prefix, width, next_value FROM number_sequences WHERE name = $1")
                .bind(PERSONNEL_NUMBER_SEQUENCE)
                .fetch_optional(&mut *c)
                .await?
        });
        let (prefix, width, next_value) = row.unwrap_or_else(|| (String::new(), 6, 1));
        Ok(NumberSequence { prefix, width, next_value })
    }
}

/// Takes the next `count` personnel numbers from the sequence, in the caller's transaction,
/// skipping numbers already given to workers by hand.
pub async fn next_personnel_numbers(tx: &mut Tx, count: usize) -> StoreResult<Vec<PersonnelNumber>> {
    let mut numbers = Vec::with_capacity(count);
    while numbers.len() < count {
        let wanted = (count - numbers.len()) as i64;
        let (prefix, width, first): (String, i64, i64) = on_tx!(tx, c => {
            sqlx::query(
                "INSERT INTO number_sequences (name, prefix, width, next_value) VALUES ($1, '', 6, 1) \
                 ON CONFLICT (name) DO NOTHING",
            )
            .bind(PERSONNEL_NUMBER_SEQUENCE)
            .execute(&mut *c)
            .await?;
            sqlx::query_as(
                "UPDATE number_sequences SET next_value = next_value + $2 WHERE name = $1 \
                 RETURNING prefix, width, next_value - $2",
            )
            .bind(PERSONNEL_NUMBER_SEQUENCE)
            .bind(wanted)
            .fetch_one(&mut *c)
            .await?
        });
        let candidates: Vec<PersonnelNumber> =
            (first..first + wanted).map(|n| PersonnelNumber::from_sequence(&prefix, width as usize, n)).collect();
        let taken = existing_personnel_numbers(tx, &candidates).await?;
        numbers.extend(candidates.into_iter().filter(|n| !taken.contains(n.as_str())));
    }
    Ok(numbers)
}

async fn existing_personnel_numbers(
    tx: &mut Tx,
    numbers: &[PersonnelNumber],
) -> StoreResult<std::collections::HashSet<String>> {
    let mut taken = std::collections::HashSet::new();
    for chunk in numbers.chunks(500) {
        let sql = format!(
            "SELECT personnel_number FROM workers WHERE personnel_number IN ({})",
            crate::db::placeholders(chunk.len())
        );
        let found: Vec<String> = on_tx!(tx, c => {
            let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(&*sql));
            for n in chunk {
                query = query.bind(n.as_str());
            }
            query.fetch_all(&mut *c).await?
        });
        taken.extend(found);
    }
    Ok(taken)
}
