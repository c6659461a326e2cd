//! A static description of the scheduling store's tables: entities (logical names), their fields
//! with portable types, and the relationships between them. Served by
//! `GET /api/v1/scheduling/metadata/…`; a test checks it against both databases' catalogs.

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct EntityMetadata {
    /// The entity's logical name, as used by `?entity=` and in relationships.
    pub logical_name: &'static str,
    /// The table that holds it.
    pub table: &'static str,
    pub display_name: &'static str,
    pub description: &'static str,
    pub primary_key: &'static [&'static str],
    /// The field that identifies a record across stores and in the API, if other than the id.
    pub integration_key: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldMetadata {
    /// The logical name of the entity the field belongs to.
    pub entity: &'static str,
    pub name: &'static str,
    /// A portable type: `uuid`, `text`, `integer`, `boolean`, `date` or `timestamp`.
    #[serde(rename = "type")]
    pub field_type: &'static str,
    pub required: bool,
    /// For choice fields, the values allowed.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub allowed_values: &'static [&'static str],
    pub description: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct RelationshipMetadata {
    pub name: &'static str,
    /// The entity whose field refers to the other.
    pub referencing_entity: &'static str,
    pub referencing_field: &'static str,
    pub referenced_entity: &'static str,
    pub referenced_field: &'static str,
    /// From the referencing side: `many_to_one` (many referencing records, one referenced).
    pub cardinality: &'static str,
    /// What deleting the referenced record does: `cascade` (deletes the referencing ones) or
    /// `restrict` (refused while any refer to it).
    pub on_delete: &'static str,
}

const fn entity(
    logical_name: &'static str,
    table: &'static str,
    display_name: &'static str,
    description: &'static str,
    primary_key: &'static [&'static str],
    integration_key: Option<&'static str>,
) -> EntityMetadata {
    EntityMetadata { logical_name, table, display_name, description, primary_key, integration_key }
}

pub const ENTITIES: &[EntityMetadata] = &[
    entity(
        "rating_model",
        "rating_models",
        "Rating model",
        "A scale of rating values (proficiency model)",
        &["id"],
        Some("name"),
    ),
    entity("rating_value", "rating_values", "Rating value", "A named value of a rating model", &["id"], None),
    entity(
        "characteristic",
        "characteristics",
        "Characteristic",
        "A skill or certification a resource can hold",
        &["id"],
        Some("name"),
    ),
    entity(
        "bookable_resource",
        "bookable_resources",
        "Bookable resource",
        "Someone or something that can be booked",
        &["id"],
        Some("hr_worker_number"),
    ),
    entity(
        "work_hours",
        "work_hours",
        "Work hours",
        "A span of a resource's weekly calendar, in its time zone",
        &["resource_id", "weekday", "start_minute"],
        None,
    ),
    entity(
        "bookable_resource_characteristic",
        "resource_characteristics",
        "Bookable resource characteristic",
        "A characteristic a resource holds, with its rating",
        &["id"],
        None,
    ),
    entity(
        "resource_requirement",
        "resource_requirements",
        "Resource requirement",
        "What a piece of work needs, when and for how long",
        &["id"],
        None,
    ),
    entity(
        "requirement_characteristic",
        "requirement_characteristics",
        "Requirement characteristic",
        "A characteristic a requirement needs, with a minimum rating",
        &["requirement_id", "characteristic_id"],
        None,
    ),
    entity(
        "booking",
        "bookings",
        "Bookable resource booking",
        "Time of a resource booked, with its status",
        &["id"],
        None,
    ),
];

const fn field(
    entity: &'static str,
    name: &'static str,
    field_type: &'static str,
    required: bool,
    description: &'static str,
) -> FieldMetadata {
    FieldMetadata { entity, name, field_type, required, allowed_values: &[], description }
}

const fn choice(
    entity: &'static str,
    name: &'static str,
    allowed_values: &'static [&'static str],
    description: &'static str,
) -> FieldMetadata {
    FieldMetadata { entity, name, field_type: "text", required: true, allowed_values, description }
}

const ID: &str = "The record's id (UUID v7)";
const VERSION: &str = "1 on insert, +1 per update";
const MODIFIED_AT: &str = "When the record was last written";
const MODIFIED_BY: &str = "Who last wrote the record";

pub const FIELDS: &[FieldMetadata] = &[
    field("rating_model", "id", "uuid", true, ID),
    field("rating_model", "name", "text", true, "Unique name"),
    field("rating_model", "min_value", "integer", true, "The lowest value of the scale"),
    field("rating_model", "max_value", "integer", true, "The highest value of the scale"),
    field("rating_model", "version", "integer", true, VERSION),
    field("rating_model", "modified_at", "timestamp", true, MODIFIED_AT),
    field("rating_model", "modified_by", "text", true, MODIFIED_BY),
    field("rating_value", "id", "uuid", true, ID),
    field("rating_value", "rating_model_id", "uuid", true, "The rating model"),
    field("rating_value", "name", "text", true, "Unique within the model"),
    field("rating_value", "value", "integer", true, "Unique within the model, from min_value to max_value"),
    field("rating_value", "version", "integer", true, VERSION),
    field("characteristic", "id", "uuid", true, ID),
    field("characteristic", "name", "text", true, "Unique name"),
    choice("characteristic", "characteristic_type", &["skill", "certification"], "What kind of characteristic"),
    field("characteristic", "description", "text", true, "Free text, possibly empty"),
    field("characteristic", "rating_model_id", "uuid", false, "The rating model that rates it"),
    field("characteristic", "version", "integer", true, VERSION),
    field("characteristic", "modified_at", "timestamp", true, MODIFIED_AT),
    field("characteristic", "modified_by", "text", true, MODIFIED_BY),
    field("bookable_resource", "id", "uuid", true, ID),
    field("bookable_resource", "name", "text", true, "Display name"),
    choice(
        "bookable_resource",
        "resource_type",
        &["worker", "contact", "user", "equipment", "facility", "crew", "pool", "generic"],
        "What kind of resource",
    ),
    field("bookable_resource", "email", "text", false, "Email address"),
    field("bookable_resource", "phone", "text", false, "Phone number"),
    field("bookable_resource", "time_zone", "text", true, "IANA time zone of its work hours"),
    field("bookable_resource", "active", "boolean", true, "Whether it can be booked"),
    field("bookable_resource", "capacity", "integer", true, "How many hard bookings may overlap (1 to 100)"),
    field(
        "bookable_resource",
        "hr_worker_number",
        "text",
        false,
        "The HR worker's personnel number; set only at creation",
    ),
    field("bookable_resource", "version", "integer", true, VERSION),
    field("bookable_resource", "modified_at", "timestamp", true, MODIFIED_AT),
    field("bookable_resource", "modified_by", "text", true, MODIFIED_BY),
    field("work_hours", "resource_id", "uuid", true, "The resource"),
    field("work_hours", "weekday", "integer", true, "1 = Monday … 7 = Sunday"),
    field("work_hours", "start_minute", "integer", true, "Minutes from midnight"),
    field("work_hours", "end_minute", "integer", true, "Minutes from midnight, exclusive"),
    field("bookable_resource_characteristic", "id", "uuid", true, ID),
    field("bookable_resource_characteristic", "resource_id", "uuid", true, "The resource"),
    field("bookable_resource_characteristic", "characteristic_id", "uuid", true, "The characteristic"),
    field("bookable_resource_characteristic", "rating_value_id", "uuid", false, "The rating value"),
    field("bookable_resource_characteristic", "issued_on", "date", false, "When it was issued"),
    field("bookable_resource_characteristic", "expires_on", "date", false, "When it expires"),
    field("bookable_resource_characteristic", "version", "integer", true, VERSION),
    field("bookable_resource_characteristic", "modified_at", "timestamp", true, MODIFIED_AT),
    field("bookable_resource_characteristic", "modified_by", "text", true, MODIFIED_BY),
    field("resource_requirement", "id", "uuid", true, ID),
    field("resource_requirement", "name", "text", true, "Display name"),
    field("resource_requirement", "from_at", "timestamp", true, "Start of the window"),
    field("resource_requirement", "to_at", "timestamp", true, "End of the window"),
    field("resource_requirement", "duration_minutes", "integer", true, "How long the work takes"),
    field("resource_requirement", "resource_types", "text", true, "Comma-separated resource types; empty means any"),
    field("resource_requirement", "version", "integer", true, VERSION),
    field("resource_requirement", "modified_at", "timestamp", true, MODIFIED_AT),
    field("resource_requirement", "modified_by", "text", true, MODIFIED_BY),
    field("requirement_characteristic", "requirement_id", "uuid", true, "The requirement"),
    field("requirement_characteristic", "characteristic_id", "uuid", true, "The characteristic"),
    field("requirement_characteristic", "min_rating", "integer", true, "The lowest rating value that meets it"),
    field("booking", "id", "uuid", true, ID),
    field("booking", "resource_id", "uuid", true, "The resource booked"),
    field("booking", "requirement_id", "uuid", false, "The requirement it fulfils"),
    field("booking", "start_at", "timestamp", true, "Start"),
    field("booking", "end_at", "timestamp", true, "End, after start"),
    choice("booking", "status", &["proposed", "soft", "hard", "canceled"], "Hard consumes capacity"),
    field("booking", "version", "integer", true, VERSION),
    field("booking", "modified_at", "timestamp", true, MODIFIED_AT),
    field("booking", "modified_by", "text", true, MODIFIED_BY),
];

const fn many_to_one(
    name: &'static str,
    referencing_entity: &'static str,
    referencing_field: &'static str,
    referenced_entity: &'static str,
    on_delete: &'static str,
) -> RelationshipMetadata {
    RelationshipMetadata {
        name,
        referencing_entity,
        referencing_field,
        referenced_entity,
        referenced_field: "id",
        cardinality: "many_to_one",
        on_delete,
    }
}

pub const RELATIONSHIPS: &[RelationshipMetadata] = &[
    many_to_one("rating_model_values", "rating_value", "rating_model_id", "rating_model", "cascade"),
    many_to_one("rating_model_characteristics", "characteristic", "rating_model_id", "rating_model", "restrict"),
    many_to_one("resource_work_hours", "work_hours", "resource_id", "bookable_resource", "cascade"),
    many_to_one(
        "resource_characteristics",
        "bookable_resource_characteristic",
        "resource_id",
        "bookable_resource",
        "cascade",
    ),
    many_to_one(
        "characteristic_holders",
        "bookable_resource_characteristic",
        "characteristic_id",
        "characteristic",
        "restrict",
    ),
    many_to_one(
        "rating_value_holders",
        "bookable_resource_characteristic",
        "rating_value_id",
        "rating_value",
        "restrict",
    ),
    many_to_one(
        "requirement_characteristics",
        "requirement_characteristic",
        "requirement_id",
        "resource_requirement",
        "cascade",
    ),
    many_to_one(
        "characteristic_requirements",
        "requirement_characteristic",
        "characteristic_id",
        "characteristic",
        "restrict",
    ),
    many_to_one("resource_bookings", "booking", "resource_id", "bookable_resource", "restrict"),
    many_to_one("requirement_bookings", "booking", "requirement_id", "resource_requirement", "restrict"),
];

/// The entity with this logical name.
pub fn entity_named(logical_name: &str) -> Option<&'static EntityMetadata> {
    ENTITIES.iter().find(|e| e.logical_name == logical_name)
}

/// The fields of one entity, or of all.
pub fn fields_of(logical_name: Option<&str>) -> Vec<FieldMetadata> {
    FIELDS.iter().filter(|f| logical_name.is_none_or(|n| f.entity == n)).copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_and_relationship_names_a_known_entity_and_field() {
        let known = |entity: &str, field: &str| FIELDS.iter().any(|f| f.entity == entity && f.name == field);
        for f in FIELDS {
            assert!(entity_named(f.entity).is_some(), "{f:?}");
        }
        for e in ENTITIES {
            assert!(e.primary_key.iter().all(|k| known(e.logical_name, k)), "{e:?}");
            assert!(e.integration_key.is_none_or(|k| known(e.logical_name, k)), "{e:?}");
        }
        for r in RELATIONSHIPS {
            assert!(known(r.referencing_entity, r.referencing_field), "{r:?}");
            assert!(known(r.referenced_entity, r.referenced_field), "{r:?}");
        }
        assert_eq!(fields_of(Some("work_hours")).len(), 4);
    }
}
