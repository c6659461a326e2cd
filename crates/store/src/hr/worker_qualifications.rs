//! A worker's skills (a level of the skill's rating model) and certificates (issued, expires).

use super::common::{id_of, record_write};
use crate::error::{StoreError, StoreResult};
use crate::outbox::entity;
use crate::{on_read, on_tx, Actor, Db, HrStore, Tx};
use hrbridge_domain::error::field_error;
use hrbridge_domain::hr::{WorkerCertificate, WorkerCertificateInput, WorkerSkill, WorkerSkillInput};
use hrbridge_domain::outbox::Operation;
use hrbridge_domain::FieldError;
use std::collections::HashMap;

/// A skill with the levels of its rating model.
#[derive(Debug, Clone)]
pub struct SkillLevels {
    pub skill_id: i64,
    pub name: String,
    pub rating_model: String,
    /// (level rec_id, name, factor), by factor.
    pub levels: Vec<(i64, String, i64)>,
}

impl SkillLevels {
    /// The level named `level` (case-insensitive), or whose factor is `level` as a number.
    pub fn level(&self, field: &str, level: &str) -> Result<(i64, &str, i64), FieldError> {
        let wanted = level.trim();
        self.levels
            .iter()
            .find(|(_, name, _)| name.eq_ignore_ascii_case(wanted))
            .or_else(|| wanted.parse::<i64>().ok().and_then(|f| self.levels.iter().find(|(_, _, factor)| *factor == f)))
            .map(|(id, name, factor)| (*id, name.as_str(), *factor))
            .ok_or_else(|| {
                let names: Vec<&str> = self.levels.iter().map(|(_, n, _)| n.as_str()).collect();
                field_error(
                    field,
                    format!(
                        "'{wanted}' is not a level of rating model '{}'; levels are: {}",
                        self.rating_model,
                        names.join(", ")
                    ),
                )
            })
    }
}

/// Skills with their levels and certificate types, by code: what imports and hires resolve
/// codes against.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub skills: HashMap<String, SkillLevels>,
    /// code → (rec_id, name, requires_renewal)
    pub certificate_types: HashMap<String, (i64, String, bool)>,
}

impl Catalog {
    pub async fn load(db: &Db) -> StoreResult<Self> {
        Self::load_where(db, None).await
    }

    async fn load_where(db: &Db, skill_code: Option<&str>) -> StoreResult<Self> {
        let filter = if skill_code.is_some() { "WHERE s.code = $1" } else { "WHERE $1 = ''" };
        let sql = format!(
            "SELECT s.code, s.rec_id, s.name, m.code, l.rec_id, l.name, l.factor FROM skills s \
             JOIN rating_models m ON m.rec_id = s.rating_model_id \
             LEFT JOIN rating_levels l ON l.rating_model_id = m.rec_id {filter} ORDER BY s.code, l.factor"
        );
        type Row = (String, i64, String, String, Option<i64>, Option<String>, Option<i64>);
        type CertificateRow = (String, i64, String, bool);
        let key = skill_code.unwrap_or("");
        let (rows, certs): (Vec<Row>, Vec<CertificateRow>) = on_read!(db, c => {
            let rows = sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(key).fetch_all(&mut *c).await?;
            let certs = if skill_code.is_none() {
                sqlx::query_as("SELECT code, rec_id, name, requires_renewal FROM certificate_types")
                    .fetch_all(&mut *c)
                    .await?
            } else {
                Vec::new()
            };
            (rows, certs)
        });
        let mut catalog = Catalog::default();
        for (code, skill_id, name, model, level_id, level_name, factor) in rows {
            let entry = catalog.skills.entry(code).or_insert_with(|| SkillLevels {
                skill_id,
                name,
                rating_model: model,
                levels: Vec::new(),
            });
            if let (Some(id), Some(level), Some(factor)) = (level_id, level_name, factor) {
                entry.levels.push((id, level, factor));
            }
        }
        catalog.certificate_types =
            certs.into_iter().map(|(code, id, name, renew)| (code, (id, name, renew))).collect();
        Ok(catalog)
    }

    pub fn skill(&self, field: &str, code: &str) -> Result<&SkillLevels, FieldError> {
        self.skills.get(code.trim()).ok_or_else(|| field_error(field, format!("no skill with code '{}'", code.trim())))
    }

    pub fn certificate_type(&self, field: &str, code: &str) -> Result<&(i64, String, bool), FieldError> {
        self.certificate_types
            .get(code.trim())
            .ok_or_else(|| field_error(field, format!("no certificate type with code '{}'", code.trim())))
    }
}

impl HrStore {
    /// Sets a worker's level in a skill (adding the skill or changing its level).
    pub async fn set_worker_skill(
        &self,
        actor: &Actor,
        personnel_number: &str,
        skill_code: &str,
        input: WorkerSkillInput,
        expected_version: Option<i64>,
    ) -> StoreResult<WorkerSkill> {
        let catalog = Catalog::load_where(&self.db, Some(skill_code)).await?;
        let skill = catalog.skill("skill", skill_code).map_err(|e| StoreError::Invalid(e.into()))?;
        let (level_id, level_name, factor) =
            skill.level("level", &input.level).map_err(|e| StoreError::Invalid(e.into()))?;
        let level_date = input.level_date.unwrap_or_else(|| self.clock.today());
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        Qualification::Skill.check_version(&mut tx, personnel_number, skill_code, expected_version).await?;
        let worker_id = id_of(&mut tx, "workers", "personnel_number", personnel_number)
            .await?
            .ok_or_else(|| StoreError::not_found("worker", personnel_number))?;
        let new_id = self.ids.next_rec_id();
        let (rec_id, version): (i64, i64) = on_tx!(&mut tx, c => {
            sqlx::query_as(
                "INSERT INTO worker_skills (rec_id, worker_id, skill_id, rating_level_id, level_date, version, modified_at, modified_by) \
                 VALUES ($1, $2, $3, $4, $5, 1, $6, $7) ON CONFLICT (worker_id, skill_id) DO UPDATE SET \
                 rating_level_id = excluded.rating_level_id, level_date = excluded.level_date, \
                 version = worker_skills.version + 1, modified_at = excluded.modified_at, modified_by = excluded.modified_by \
                 RETURNING rec_id, version",
            )
            .bind(new_id)
            .bind(worker_id)
            .bind(skill.skill_id)
            .bind(level_id)
            .bind(level_date)
            .bind(now)
            .bind(&actor.name)
            .fetch_one(&mut *c)
            .await?
        });
        let result = WorkerSkill {
            version,
            skill: skill_code.to_string(),
            skill_name: skill.name.clone(),
            level: level_name.to_string(),
            factor,
            level_date,
        };
        let key = format!("{personnel_number}/{skill_code}");
        let operation = if version == 1 { Operation::Insert } else { Operation::Update };
        record_write(&mut tx, actor, now, entity::WORKER_SKILL, rec_id, &key, operation, version, &result).await?;
        tx.commit().await?;
        Ok(result)
    }

    pub async fn remove_worker_skill(
        &self,
        actor: &Actor,
        personnel_number: &str,
        skill_code: &str,
        expected_version: Option<i64>,
    ) -> StoreResult<()> {
        self.remove_qualification(actor, personnel_number, skill_code, Qualification::Skill, expected_version).await
    }

    /// Sets a worker's certificate of a type (adding it or changing its dates).
    pub async fn set_worker_certificate(
        &self,
        actor: &Actor,
        personnel_number: &str,
        code: &str,
        input: WorkerCertificateInput,
        expected_version: Option<i64>,
    ) -> StoreResult<WorkerCertificate> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        Qualification::Certificate.check_version(&mut tx, personnel_number, code, expected_version).await?;
        let cert: Option<(i64, String, bool)> = on_tx!(&mut tx, c => {
            sqlx::query_as("SELECT rec_id, name, requires_renewal FROM certificate_types WHERE code = $1")
                .bind(code)
                .fetch_optional(&mut *c)
                .await?
        });
        let (type_id, name, requires_renewal) = cert.ok_or_else(|| {
            StoreError::invalid("certificate_type", format!("no certificate type with code '{code}'"))
        })?;
        input.check(requires_renewal)?;
        let worker_id = id_of(&mut tx, "workers", "personnel_number", personnel_number)
            .await?
            .ok_or_else(|| StoreError::not_found("worker", personnel_number))?;
        let new_id = self.ids.next_rec_id();
        let (rec_id, version): (i64, i64) = on_tx!(&mut tx, c => {
            sqlx::query_as(
                "INSERT INTO worker_certificates (rec_id, worker_id, certificate_type_id, issued_on, expires_on, version, modified_at, modified_by) \
                 VALUES ($1, $2, $3, $4, $5, 1, $6, $7) ON CONFLICT (worker_id, certificate_type_id) DO UPDATE SET \
                 issued_on = excluded.issued_on, expires_on = excluded.expires_on, \
                 version = worker_certificates.version + 1, modified_at = excluded.modified_at, modified_by = excluded.modified_by \
                 RETURNING rec_id, version",
            )
            .bind(new_id)
            .bind(worker_id)
            .bind(type_id)
            .bind(input.issued_on)
            .bind(input.expires_on)
            .bind(now)
            .bind(&actor.name)
            .fetch_one(&mut *c)
            .await?
        });
        let result = WorkerCertificate {
            version,
            certificate_type: code.to_string(),
            name,
            issued_on: input.issued_on,
            expires_on: input.expires_on,
            expired: input.expires_on.is_some_and(|e| e < self.clock.today()),
        };
        let key = format!("{personnel_number}/{code}");
        let operation = if version == 1 { Operation::Insert } else { Operation::Update };
        record_write(&mut tx, actor, now, entity::WORKER_CERTIFICATE, rec_id, &key, operation, version, &result)
            .await?;
        tx.commit().await?;
        Ok(result)
    }

    pub async fn remove_worker_certificate(
        &self,
        actor: &Actor,
        personnel_number: &str,
        code: &str,
        expected_version: Option<i64>,
    ) -> StoreResult<()> {
        self.remove_qualification(actor, personnel_number, code, Qualification::Certificate, expected_version).await
    }

    async fn remove_qualification(
        &self,
        actor: &Actor,
        personnel_number: &str,
        code: &str,
        kind: Qualification,
        expected_version: Option<i64>,
    ) -> StoreResult<()> {
        let (table, code_table, code_column, entity_name, what) = kind.tables();
        let now = self.clock.now();
        let key = format!("{personnel_number}/{code}");
        let mut tx = self.db.begin().await?;
        kind.check_version(&mut tx, personnel_number, code, expected_version).await?;
        let sql = format!(
            "DELETE FROM {table} WHERE worker_id = (SELECT rec_id FROM workers WHERE personnel_number = $1) \
             AND {code_column} = (SELECT rec_id FROM {code_table} WHERE code = $2) RETURNING rec_id, version"
        );
        let deleted: Option<(i64, i64)> = on_tx!(&mut tx, c => {
            sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(personnel_number).bind(code).fetch_optional(&mut *c).await?
        });
        let (rec_id, version) = deleted.ok_or_else(|| StoreError::not_found(what, key.clone()))?;
        record_write(
            &mut tx,
            actor,
            now,
            entity_name,
            rec_id,
            &key,
            Operation::Delete,
            version + 1,
            &serde_json::json!({}),
        )
        .await?;
        tx.commit().await
    }
}

#[derive(Clone, Copy)]
enum Qualification {
    Skill,
    Certificate,
}

impl Qualification {
    /// Its table, the table of its codes, the column naming the code's row, its outbox entity
    /// and what it is called in errors.
    fn tables(self) -> (&'static str, &'static str, &'static str, &'static str, &'static str) {
        match self {
            Qualification::Skill => ("worker_skills", "skills", "skill_id", entity::WORKER_SKILL, "worker skill"),
            Qualification::Certificate => (
                "worker_certificates",
                "certificate_types",
                "certificate_type_id",
                entity::WORKER_CERTIFICATE,
                "worker certificate",
            ),
        }
    }

    /// Refuses (`Stale`) a write based on version `expected` of the worker's qualification of
    /// `code` when it is at another version or does not exist, and locks it for the rest of the
    /// transaction. Nothing to check without an expected version.
    async fn check_version(
        self,
        tx: &mut Tx,
        personnel_number: &str,
        code: &str,
        expected: Option<i64>,
    ) -> StoreResult<()> {
        if expected.is_none() {
            return Ok(());
        }
        let (table, code_table, code_column, _, what) = self.tables();
        let sql = format!(
            "SELECT version FROM {table} WHERE worker_id = (SELECT rec_id FROM workers WHERE personnel_number = $1) \
             AND {code_column} = (SELECT rec_id FROM {code_table} WHERE code = $2){}",
            tx.for_update()
        );
        let current: Option<i64> = on_tx!(tx, c => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(&*sql)).bind(personnel_number).bind(code).fetch_optional(&mut *c).await?
        });
        StoreError::unless_at(what, &format!("{personnel_number}/{code}"), expected, current)
    }
}
