//! The metadata of the scheduling tables: entities, fields and relationships, described in
//! `hrbridge_domain::scheduling::metadata`.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use axum::extract::Query;
use axum::Json;
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_domain::scheduling::metadata::{
    self, EntityMetadata, FieldMetadata, RelationshipMetadata, ENTITIES, RELATIONSHIPS,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(entities)).routes(routes!(fields)).routes(routes!(relationships))
}

/// A complete list (metadata is small and not paged).
#[derive(Debug, Serialize, ToSchema)]
pub struct Listed<T> {
    pub items: Vec<T>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FieldsQuery {
    /// The logical name of one entity; all entities' fields when not given.
    pub entity: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/scheduling/metadata/entities", tag = "scheduling", responses((status = 200, body = Listed<EntityMetadata>)))]
async fn entities(caller: Caller) -> ApiResult<Json<Listed<EntityMetadata>>> {
    caller.require(Entity::SchedulingMetadata, Privilege::Read)?;
    Ok(Json(Listed { items: ENTITIES.to_vec() }))
}

#[utoipa::path(get, path = "/api/v1/scheduling/metadata/fields", tag = "scheduling", params(FieldsQuery), responses((status = 200, body = Listed<FieldMetadata>)))]
async fn fields(caller: Caller, Query(q): Query<FieldsQuery>) -> ApiResult<Json<Listed<FieldMetadata>>> {
    caller.require(Entity::SchedulingMetadata, Privilege::Read)?;
    if let Some(name) = q.entity.as_deref() {
        if metadata::entity_named(name).is_none() {
            let known: Vec<&str> = ENTITIES.iter().map(|e| e.logical_name).collect();
            return Err(ApiError::invalid(
                "entity",
                format!("'{name}' is not a scheduling entity; entities are: {}", known.join(", ")),
            ));
        }
    }
    Ok(Json(Listed { items: metadata::fields_of(q.entity.as_deref()) }))
}

#[utoipa::path(get, path = "/api/v1/scheduling/metadata/relationships", tag = "scheduling", responses((status = 200, body = Listed<RelationshipMetadata>)))]
async fn relationships(caller: Caller) -> ApiResult<Json<Listed<RelationshipMetadata>>> {
    caller.require(Entity::SchedulingMetadata, Privilege::Read)?;
    Ok(Json(Listed { items: RELATIONSHIPS.to_vec() }))
}
