use super::common::{
    count_where, delete_row, find_by_key, locked_at, page_by_key, record_write, refuse_if_used, unique_to_conflict,
};
use crate::error::{StoreError, StoreResult};
use crate::outbox::entity;
use crate::page::{Page, PageOf};
use crate::{on_tx, Actor, HrStore};
use hrbridge_domain::hr::{CertificateType, NewCertificateType};
use hrbridge_domain::outbox::Operation;

const CERTIFICATE_TYPES: (&str, &str, &str) = ("certificate_types", "code", "certificate type");

const SELECT: &str =
    "SELECT rec_id, code, name, description, requires_renewal, version, modified_at FROM certificate_types";

#[derive(sqlx::FromRow)]
struct Row {
    rec_id: i64,
    code: String,
    name: String,
    description: String,
    requires_renewal: bool,
    version: i64,
    modified_at: chrono::DateTime<chrono::Utc>,
}

impl From<Row> for CertificateType {
    fn from(r: Row) -> Self {
        CertificateType {
            rec_id: r.rec_id,
            code: r.code,
            name: r.name,
            description: r.description,
            requires_renewal: r.requires_renewal,
            version: r.version,
            modified_at: r.modified_at,
        }
    }
}

fn detail(input: &NewCertificateType) -> serde_json::Value {
    serde_json::json!({
        "code": input.code, "name": input.name, "description": input.description,
        "requires_renewal": input.requires_renewal,
    })
}

impl HrStore {
    pub async fn certificate_type(&self, code: &str) -> StoreResult<CertificateType> {
        let row: Option<Row> = find_by_key(&self.db, SELECT, "code", code).await?;
        row.map(Into::into).ok_or_else(|| StoreError::not_found("certificate type", code))
    }

    pub async fn certificate_types(&self, page: &Page) -> StoreResult<PageOf<CertificateType>> {
        let rows: Vec<Row> = page_by_key(&self.db, SELECT, "code", page).await?;
        Ok(PageOf::from_rows(rows, page, |r| r.code.clone()).map(Into::into))
    }

    pub async fn create_certificate_type(
        &self,
        actor: &Actor,
        input: NewCertificateType,
    ) -> StoreResult<CertificateType> {
        let now = self.clock.now();
        let rec_id = self.ids.next_rec_id();
        let code = input.code.as_str();
        let mut tx = self.db.begin().await?;
        let inserted = on_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO certificate_types (rec_id, code, name, description, requires_renewal, version, \
                 modified_at, modified_by) VALUES ($1, $2, $3, $4, $5, 1, $6, $7)",
            )
            .bind(rec_id)
            .bind(code)
            .bind(input.name.as_str())
            .bind(&input.description)
            .bind(input.requires_renewal)
            .bind(now)
            .bind(&actor.name)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
            .map_err(StoreError::from)
        });
        unique_to_conflict(inserted, "code", || format!("a certificate type with code '{code}' already exists"))?;
        record_write(
            &mut tx,
            actor,
            now,
            entity::CERTIFICATE_TYPE,
            rec_id,
            code,
            Operation::Insert,
            1,
            &detail(&input),
        )
        .await?;
        tx.commit().await?;
        self.certificate_type(code).await
    }

    /// With `expected_version`, only while the certificate type is at that version.
    pub async fn update_certificate_type(
        &self,
        actor: &Actor,
        code: &str,
        input: NewCertificateType,
        expected_version: Option<i64>,
    ) -> StoreResult<CertificateType> {
        if input.code.as_str() != code {
            return Err(StoreError::invalid("code", "cannot be changed"));
        }
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        locked_at(&mut tx, CERTIFICATE_TYPES, code, expected_version).await?;
        let (rec_id, version): (i64, i64) = on_tx!(&mut tx, c => {
            sqlx::query_as(
                "UPDATE certificate_types SET name = $2, description = $3, requires_renewal = $4, \
                 version = version + 1, modified_at = $5, modified_by = $6 WHERE code = $1 RETURNING rec_id, version",
            )
            .bind(code)
            .bind(input.name.as_str())
            .bind(&input.description)
            .bind(input.requires_renewal)
            .bind(now)
            .bind(&actor.name)
            .fetch_optional(&mut *c)
            .await?
        })
        .ok_or_else(|| StoreError::not_found("certificate type", code))?;
        record_write(
            &mut tx,
            actor,
            now,
            entity::CERTIFICATE_TYPE,
            rec_id,
            code,
            Operation::Update,
            version,
            &detail(&input),
        )
        .await?;
        tx.commit().await?;
        self.certificate_type(code).await
    }

    /// With `expected_version`, only while the certificate type is at that version.
    pub async fn delete_certificate_type(
        &self,
        actor: &Actor,
        code: &str,
        expected_version: Option<i64>,
    ) -> StoreResult<()> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let rec_id = locked_at(&mut tx, CERTIFICATE_TYPES, code, expected_version).await?;
        let what = format!("certificate type '{code}'");
        let workers = count_where(&mut tx, "worker_certificates", "certificate_type_id", rec_id).await?;
        refuse_if_used(workers, &what, "worker")?;
        let jobs = count_where(&mut tx, "job_certificates", "certificate_type_id", rec_id).await?;
        refuse_if_used(jobs, &what, "job")?;
        let version = delete_row(&mut tx, "certificate_types", rec_id).await?;
        record_write(
            &mut tx,
            actor,
            now,
            entity::CERTIFICATE_TYPE,
            rec_id,
            code,
            Operation::Delete,
            version,
            &serde_json::json!({}),
        )
        .await?;
        tx.commit().await
    }
}
