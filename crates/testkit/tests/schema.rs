//! Both backends end with the same logical schema: the same tables, columns, portable types and
//! nullability, for the HR store and for the scheduling store.

use hrbridge_store::schema::{logical_schema, LogicalSchema};
use hrbridge_store::{Db, StoreKind};
use hrbridge_testkit::{postgres_skip_reason, PgDatabases};
use libtest_mimic::{Failed, Trial};

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let skip = postgres_skip_reason();
    if let Some(reason) = &skip {
        println!("note: {reason}");
    }
    let trial = Trial::test("sqlite_and_postgres_have_the_same_logical_schema", || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| Failed::from(e.to_string()))?;
        runtime.block_on(same_schema())
    })
    .with_ignored_flag(skip.is_some());
    libtest_mimic::run(&args, vec![trial]).exit();
}

async fn schemas(
    kind: StoreKind,
    sqlite_dir: &std::path::Path,
    postgres_url: &str,
) -> Result<(LogicalSchema, LogicalSchema), Failed> {
    let sqlite = Db::open_sqlite(sqlite_dir, kind).await.map_err(|e| format!("open SQLite: {e}"))?;
    let postgres = Db::open_postgres(postgres_url, kind).await.map_err(|e| format!("open PostgreSQL: {e}"))?;
    let result = (logical_schema(&sqlite).await, logical_schema(&postgres).await);
    sqlite.close().await;
    postgres.close().await;
    match result {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (a, b) => Err(format!("read the schemas: {:?} / {:?}", a.err(), b.err()).into()),
    }
}

/// The differences between two schemas, table by table and column by column.
fn differences(sqlite: &LogicalSchema, postgres: &LogicalSchema) -> Vec<String> {
    let mut out = Vec::new();
    for table in sqlite.keys().chain(postgres.keys()).collect::<std::collections::BTreeSet<_>>() {
        match (sqlite.get(table), postgres.get(table)) {
            (Some(a), Some(b)) => {
                for column in a.keys().chain(b.keys()).collect::<std::collections::BTreeSet<_>>() {
                    if a.get(column) != b.get(column) {
                        out.push(format!(
                            "{table}.{column}: SQLite {:?}, PostgreSQL {:?}",
                            a.get(column),
                            b.get(column)
                        ));
                    }
                }
            }
            (a, b) => out.push(format!("table {table}: in SQLite {}, in PostgreSQL {}", a.is_some(), b.is_some())),
        }
    }
    out
}

async fn same_schema() -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let pg = PgDatabases::create(2).await;
    let outcome = async {
        let (hr_sqlite, hr_postgres) = schemas(StoreKind::Hr, dir.path(), &pg.url(0)).await?;
        let (sch_sqlite, sch_postgres) = schemas(StoreKind::Scheduling, dir.path(), &pg.url(1)).await?;
        for (name, a, b) in [("HR", &hr_sqlite, &hr_postgres), ("scheduling", &sch_sqlite, &sch_postgres)] {
            let diff = differences(a, b);
            if !diff.is_empty() {
                return Err(Failed::from(format!("the {name} store's schemas differ:\n{}", diff.join("\n"))));
            }
        }
        // Not vacuous: the tables are really there.
        let column = |s: &LogicalSchema, t: &str, c: &str| s.get(t).and_then(|cols| cols.get(c)).cloned();
        let expected = [
            (column(&hr_postgres, "workers", "personnel_number"), ("text", false)),
            (column(&hr_postgres, "workers", "employment_end"), ("date", true)),
            (column(&hr_postgres, "outbox", "modified_at"), ("timestamp", false)),
            (column(&hr_postgres, "certificate_types", "requires_renewal"), ("boolean", false)),
            (column(&sch_postgres, "outbox", "seq"), ("integer", false)),
        ];
        for (got, (ty, nullable)) in expected {
            if got != Some((ty.to_string(), nullable)) {
                return Err(Failed::from(format!("expected ({ty}, nullable {nullable}), got {got:?}")));
            }
        }
        if hr_postgres.len() < 15 {
            return Err(Failed::from(format!(
                "the HR store has only {} tables: {:?}",
                hr_postgres.len(),
                hr_postgres.keys()
            )));
        }
        Ok(())
    }
    .await;
    pg.drop_all().await;
    outcome
}
