//! The logical schema of a database, read back from the database itself: tables, and for each
//! column a portable type and whether it is nullable. Used to prove both backends agree.

use crate::db::Db;
use crate::error::StoreResult;
use crate::on_read;
use std::collections::BTreeMap;

/// table → column → (portable type, nullable)
pub type LogicalSchema = BTreeMap<String, BTreeMap<String, (String, bool)>>;

fn portable_type(declared: &str) -> String {
    let t = declared.to_ascii_lowercase();
    let portable = match t.as_str() {
        "integer" | "bigint" | "int8" => "integer",
        "text" => "text",
        "boolean" | "bool" => "boolean",
        "date" => "date",
        "uuid" => "uuid",
        "datetime" | "timestamptz" | "timestamp with time zone" => "timestamp",
        other => other,
    };
    portable.to_string()
}

pub async fn logical_schema(db: &Db) -> StoreResult<LogicalSchema> {
    let mut schema = LogicalSchema::new();
    let columns: Vec<(String, String, String, bool)> = match db {
        Db::Sqlite { .. } => on_read!(db, c => {
            sqlx::query_as(
                "SELECT m.name, p.name, p.type, p.\"notnull\" = 0 AND p.pk = 0 \
                 FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
            )
            .fetch_all(&mut *c)
            .await?
        }),
        Db::Postgres(_) => on_read!(db, c => {
            sqlx::query_as(
                "SELECT table_name::text, column_name::text, data_type::text, is_nullable = 'YES' \
                 FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%'",
            )
            .fetch_all(&mut *c)
            .await?
        }),
    };
    for (table, column, declared, nullable) in columns {
        schema.entry(table).or_default().insert(column, (portable_type(&declared), nullable));
    }
    Ok(schema)
}
