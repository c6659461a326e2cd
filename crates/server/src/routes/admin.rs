//! Roles and the audit log (users: `users.rs`).

use super::{ListQuery, Paged};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::json::{from_value, JsonBody};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use hrbridge_app::accounts::{check_role_name, create_role_as};
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege, PrivilegeSet, Role};
use hrbridge_domain::value::Name;
use hrbridge_domain::ValidationErrors;
use hrbridge_store::audit::{AuditEntry, AuditFilter};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_roles, create_role)).routes(routes!(list_audit))
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Entity → privileges, e.g. `{"worker": ["read", "write"]}`.
    pub privileges: BTreeMap<String, Vec<Privilege>>,
    #[serde(default)]
    pub builtin: bool,
}

impl From<&Role> for RoleBody {
    fn from(role: &Role) -> Self {
        RoleBody {
            name: role.name.clone(),
            description: role.description.clone(),
            builtin: role.builtin,
            privileges: role.privileges.iter().map(|(e, set)| (e.as_str().to_string(), set.list())).collect(),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/admin/roles", tag = "admin", responses((status = 200, body = Vec<RoleBody>)))]
async fn list_roles(State(app): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<RoleBody>>> {
    caller.require(Entity::Role, Privilege::Read)?;
    Ok(Json(app.hr.roles().await?.iter().map(RoleBody::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/admin/roles", tag = "admin", request_body = RoleBody, responses((status = 201, body = RoleBody)))]
async fn create_role(
    State(app): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<RoleBody>)> {
    caller.require(Entity::Role, Privilege::Create)?;
    let body: RoleBody = from_value(body)?;
    let mut errors = ValidationErrors::new();
    check_role_name(&mut errors, &body.name);
    errors.check(hrbridge_domain::value::text("description", Some(&body.description), 500));
    if body.builtin {
        errors.add("builtin", "only shipped roles are built in");
    }
    let mut privileges = BTreeMap::new();
    for (entity, list) in &body.privileges {
        match Entity::parse(entity) {
            Some(e) => {
                privileges.insert(e, PrivilegeSet::of(list));
            }
            None => errors.add(format!("privileges.{entity}"), "is not an entity"),
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let role = Role {
        name: body.name.clone(),
        description: Name::parse_max("description", &body.description, 500)
            .map(|n| n.into_string())
            .unwrap_or_default(),
        builtin: false,
        privileges,
    };
    create_role_as(&app, &caller, &role).await?;
    Ok((StatusCode::CREATED, Json(RoleBody::from(&role))))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub limit: Option<i64>,
    pub after: Option<String>,
    /// Only entries by this user or app.
    pub actor: Option<String>,
    /// Only entries on this entity.
    pub entity: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin", params(AuditQuery), responses((status = 200, body = Paged<AuditEntry>)))]
async fn list_audit(
    State(app): State<AppState>,
    caller: Caller,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<Paged<AuditEntry>>> {
    caller.require(Entity::Audit, Privilege::Read)?;
    let page = ListQuery { limit: q.limit, after: q.after, q: None }.page()?;
    let filter = AuditFilter { actor: q.actor, entity: q.entity };
    Ok(Json(app.hr.audit_entries(&filter, &page).await?.into()))
}
