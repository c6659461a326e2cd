//! Roles and their privileges per entity, kept in the HR store.

use crate::error::{StoreError, StoreResult};
use crate::{audit, on_read, on_tx, Actor, HrStore};
use hrbridge_domain::auth::{shipped_roles, Entity, PrivilegeSet, Role};
use std::collections::BTreeMap;

/// (name, description, builtin)
type RoleRow = (String, String, bool);
/// (role, entity, privilege letters)
type GrantRow = (String, String, String);

impl HrStore {
    /// Installs the shipped roles, and grants them any entity added since they were installed.
    pub async fn install_shipped_roles(&self) -> StoreResult<()> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        for role in shipped_roles() {
            on_tx!(&mut tx, c => {
                sqlx::query(
                    "INSERT INTO roles (name, description, builtin, version, modified_at) \
                     VALUES ($1, $2, $3, 1, $4) ON CONFLICT (name) DO NOTHING",
                )
                .bind(&role.name)
                .bind(&role.description)
                .bind(true)
                .bind(now)
                .execute(&mut *c)
                .await?;
                for (entity, set) in &role.privileges {
                    sqlx::query(
                        "INSERT INTO role_privileges (role, entity, privileges) VALUES ($1, $2, $3) \
                         ON CONFLICT (role, entity) DO NOTHING",
                    )
                    .bind(&role.name)
                    .bind(entity.as_str())
                    .bind(set.to_letters())
                    .execute(&mut *c)
                    .await?;
                }
            });
        }
        tx.commit().await
    }

    pub async fn roles(&self) -> StoreResult<Vec<Role>> {
        let (roles, grants): (Vec<RoleRow>, Vec<GrantRow>) = on_read!(&self.db, c => {
            let roles = sqlx::query_as("SELECT name, description, builtin FROM roles ORDER BY name")
                .fetch_all(&mut *c)
                .await?;
            let grants = sqlx::query_as("SELECT role, entity, privileges FROM role_privileges")
                .fetch_all(&mut *c)
                .await?;
            (roles, grants)
        });
        let mut by_role: BTreeMap<String, BTreeMap<Entity, PrivilegeSet>> = BTreeMap::new();
        for (role, entity, letters) in grants {
            if let (Some(entity), Some(set)) = (Entity::parse(&entity), PrivilegeSet::from_letters(&letters)) {
                by_role.entry(role).or_default().insert(entity, set);
            }
        }
        Ok(roles
            .into_iter()
            .map(|(name, description, builtin)| Role {
                privileges: by_role.remove(&name).unwrap_or_default(),
                name,
                description,
                builtin,
            })
            .collect())
    }

    /// Creates a custom role. Shipped roles cannot be redefined.
    pub async fn create_role(&self, actor: &Actor, role: &Role) -> StoreResult<()> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let inserted = on_tx!(&mut tx, c => {
            let inserted = sqlx::query(
                "INSERT INTO roles (name, description, builtin, version, modified_at) \
                 VALUES ($1, $2, $3, 1, $4) ON CONFLICT (name) DO NOTHING",
            )
            .bind(&role.name)
            .bind(&role.description)
            .bind(false)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected();
            // A role of that name exists: leave its privileges alone (refused below).
            if inserted > 0 {
                for (entity, set) in &role.privileges {
                    sqlx::query("INSERT INTO role_privileges (role, entity, privileges) VALUES ($1, $2, $3)")
                        .bind(&role.name)
                        .bind(entity.as_str())
                        .bind(set.to_letters())
                        .execute(&mut *c)
                        .await?;
                }
            }
            inserted
        });
        if inserted == 0 {
            return Err(StoreError::conflict(Some("name"), format!("role '{}' already exists", role.name)));
        }
        let detail = serde_json::json!({
            "description": role.description,
            "privileges": role.privileges.iter().map(|(e, s)| (e.as_str(), s.to_letters())).collect::<BTreeMap<_, _>>(),
        });
        audit::append(&mut tx, actor, now, "create", "role", &role.name, &detail).await?;
        tx.commit().await
    }
}
