//! The limit an import is measured against (`hrbridge bench import`): the same rows written
//! straight into the tables by the same bulk mechanism (one JSON array per statement), with no
//! validation, no upsert, no outbox and no audit. Not for anything but measuring.

use super::import::{
    select_rows, worker_json, ImportRow, CERTIFICATE_COLUMNS, CERTIFICATE_FIELDS, SKILL_COLUMNS, SKILL_FIELDS,
    WORKER_COLUMNS, WORKER_FIELDS,
};
use super::worker_qualifications::Catalog;
use crate::error::{StoreError, StoreResult};
use crate::{on_tx, HrStore};

impl HrStore {
    pub async fn insert_rows_unchecked(&self, catalog: &Catalog, rows: &[ImportRow]) -> StoreResult<()> {
        let now = self.clock.now();
        let today = self.clock.today();
        let mut workers = Vec::with_capacity(rows.len());
        let mut skills = Vec::with_capacity(rows.len() * 3);
        let mut certificates = Vec::with_capacity(rows.len());
        for row in rows {
            let worker_id = self.ids.next_rec_id();
            workers.push(worker_json(worker_id, &row.worker));
            for s in &row.skills {
                let skill = catalog.skill("skill", &s.skill).map_err(|e| StoreError::Invalid(e.into()))?;
                let (level_id, _, _) = skill.level("level", &s.level).map_err(|e| StoreError::Invalid(e.into()))?;
                let date = s.level_date.unwrap_or(today);
                skills.push(serde_json::json!([self.ids.next_rec_id(), worker_id, skill.skill_id, level_id, date]));
            }
            for c in &row.certificates {
                let (type_id, _, _) = catalog
                    .certificate_type("certificate_type", &c.certificate_type)
                    .map_err(|e| StoreError::Invalid(e.into()))?;
                certificates.push(serde_json::json!([
                    self.ids.next_rec_id(),
                    worker_id,
                    type_id,
                    c.issued_on,
                    c.expires_on
                ]));
            }
        }
        let mut tx = self.db.begin().await?;
        for (table, columns, fields, rows) in [
            ("workers", WORKER_COLUMNS, &WORKER_FIELDS[..], workers),
            ("worker_skills", SKILL_COLUMNS, &SKILL_FIELDS[..], skills),
            ("worker_certificates", CERTIFICATE_COLUMNS, &CERTIFICATE_FIELDS[..], certificates),
        ] {
            let sql = format!("INSERT INTO {table} ({columns}) {}", select_rows(&tx, fields));
            let json = serde_json::Value::Array(rows).to_string();
            on_tx!(&mut tx, c => {
                sqlx::query(sqlx::AssertSqlSafe(&*sql)).bind(&json).bind(now).bind("bench").execute(&mut *c).await?;
            });
        }
        tx.commit().await
    }
}
