//! Bookable resources and the characteristics they hold.

use super::characteristic::CharacteristicType;
use super::rating_model::RatingValue;
use super::work_hours::{default_work_spans, parse_work_hours, WorkHours, WorkSpan};
use crate::error::{field_error, FieldError, ValidationErrors};
use crate::value::{date_order, Email, Name, PersonnelNumber, Phone};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub const MAX_CAPACITY: i64 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum ResourceType {
    Worker,
    Contact,
    User,
    Equipment,
    Facility,
    Crew,
    Pool,
    #[default]
    Generic,
}

impl ResourceType {
    pub const ALL: [ResourceType; 8] = [
        ResourceType::Worker,
        ResourceType::Contact,
        ResourceType::User,
        ResourceType::Equipment,
        ResourceType::Facility,
        ResourceType::Crew,
        ResourceType::Pool,
        ResourceType::Generic,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceType::Worker => "worker",
            ResourceType::Contact => "contact",
            ResourceType::User => "user",
            ResourceType::Equipment => "equipment",
            ResourceType::Facility => "facility",
            ResourceType::Crew => "crew",
            ResourceType::Pool => "pool",
            ResourceType::Generic => "generic",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookableResourceInput {
    pub name: String,
    /// `generic` when not given.
    #[serde(default)]
    pub resource_type: ResourceType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// An IANA time zone name (`Europe/Oslo`); `UTC` when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// True when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// How many hard bookings may overlap: 1 to 100, 1 when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<i64>,
    /// The personnel number of the HR worker this resource is: set only when the resource is
    /// created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hr_worker_number: Option<String>,
    /// The weekly calendar in the resource's time zone; Monday to Friday 08:00–16:00 when not
    /// given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_hours: Option<Vec<WorkHours>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewBookableResource {
    pub name: Name,
    pub resource_type: ResourceType,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    /// The canonical IANA name.
    pub time_zone: String,
    pub active: bool,
    pub capacity: i64,
    pub hr_worker_number: Option<PersonnelNumber>,
    /// By weekday and start.
    pub work_hours: Vec<WorkSpan>,
}

/// An IANA time zone name, checked against the tz database; returns its canonical spelling.
pub fn parse_time_zone(field: &str, raw: &str) -> Result<String, FieldError> {
    raw.trim().parse::<chrono_tz::Tz>().map(|tz| tz.name().to_string()).map_err(|_| {
        field_error(field, format!("'{}' is not an IANA time zone name like Europe/Oslo or UTC", raw.trim()))
    })
}

fn optional<T>(
    errors: &mut ValidationErrors,
    raw: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, FieldError>,
) -> Option<Option<T>> {
    match raw.map(str::trim) {
        None | Some("") => Some(None),
        Some(s) => errors.check(parse(s)).map(Some),
    }
}

impl BookableResourceInput {
    pub fn parse(self) -> Result<NewBookableResource, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let name = errors.check(Name::parse("name", &self.name));
        let email = optional(&mut errors, self.email.as_deref(), |s| Email::parse("email", s));
        let phone = optional(&mut errors, self.phone.as_deref(), |s| Phone::parse("phone", s));
        let time_zone = errors.check(parse_time_zone("time_zone", self.time_zone.as_deref().unwrap_or("UTC")));
        let capacity = self.capacity.unwrap_or(1);
        if !(1..=MAX_CAPACITY).contains(&capacity) {
            errors.add("capacity", format!("must be from 1 to {MAX_CAPACITY}"));
        }
        let hr_worker_number =
            optional(&mut errors, self.hr_worker_number.as_deref(), |s| PersonnelNumber::parse("hr_worker_number", s));
        let work_hours = match &self.work_hours {
            None => Some(default_work_spans()),
            Some(hours) => match parse_work_hours("work_hours", hours) {
                Ok(spans) => Some(spans),
                Err(e) => {
                    errors.extend(e);
                    None
                }
            },
        };
        errors.into_result(|| NewBookableResource {
            name: name.expect("checked"),
            resource_type: self.resource_type,
            email: email.expect("checked"),
            phone: phone.expect("checked"),
            time_zone: time_zone.expect("checked"),
            active: self.active.unwrap_or(true),
            capacity,
            hr_worker_number: hr_worker_number.expect("checked"),
            work_hours: work_hours.expect("checked"),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct BookableResource {
    pub id: Uuid,
    pub name: String,
    pub resource_type: ResourceType,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub time_zone: String,
    pub active: bool,
    pub capacity: i64,
    pub hr_worker_number: Option<String>,
    /// By weekday and start.
    pub work_hours: Vec<WorkHours>,
    /// By characteristic name.
    pub characteristics: Vec<ResourceCharacteristic>,
    pub version: i64,
    pub modified_at: DateTime<Utc>,
}

impl BookableResource {
    pub fn to_input(&self) -> BookableResourceInput {
        BookableResourceInput {
            name: self.name.clone(),
            resource_type: self.resource_type,
            email: self.email.clone(),
            phone: self.phone.clone(),
            time_zone: Some(self.time_zone.clone()),
            active: Some(self.active),
            capacity: Some(self.capacity),
            hr_worker_number: self.hr_worker_number.clone(),
            work_hours: Some(self.work_hours.clone()),
        }
    }
}

/// A characteristic a resource holds, with its rating.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ResourceCharacteristic {
    /// The characteristic's name.
    pub characteristic: String,
    /// Changes with every write: the `ETag`, and what `If-Match` names.
    pub version: i64,
    pub characteristic_type: CharacteristicType,
    /// The numeric value of the rating, if rated.
    pub rating: Option<i64>,
    /// The name of the rating value, if rated.
    pub rating_name: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    /// True when `expires_on` is before today.
    pub expired: bool,
}

/// A rating given by its value's number or its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum RatingRef {
    Value(i64),
    Name(String),
}

impl RatingRef {
    /// The value of `values` (of rating model `model`) this names: by number, or by name
    /// (case-insensitive; a name that is a number also matches that value). The error lists the
    /// model's values.
    pub fn resolve<'a>(
        &self,
        field: &str,
        model: &str,
        values: &'a [RatingValue],
    ) -> Result<&'a RatingValue, FieldError> {
        let found = match self {
            RatingRef::Value(n) => values.iter().find(|v| v.value == *n),
            RatingRef::Name(name) => {
                let wanted = name.trim();
                values
                    .iter()
                    .find(|v| v.name.eq_ignore_ascii_case(wanted))
                    .or_else(|| wanted.parse::<i64>().ok().and_then(|n| values.iter().find(|v| v.value == n)))
            }
        };
        found.ok_or_else(|| {
            let shown = match self {
                RatingRef::Value(n) => n.to_string(),
                RatingRef::Name(s) => format!("'{}'", s.trim()),
            };
            let listed: Vec<String> = values.iter().map(|v| format!("{} ({})", v.name, v.value)).collect();
            field_error(
                field,
                format!("{shown} is not a value of rating model '{model}'; values are: {}", listed.join(", ")),
            )
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceCharacteristicInput {
    /// A value of the characteristic's rating model, by number or name: required when the
    /// characteristic has a rating model, refused when it has none.
    #[serde(default)]
    pub rating: Option<RatingRef>,
    #[serde(default)]
    #[serde(deserialize_with = "crate::value::sane_date_opt")]
    pub issued_on: Option<NaiveDate>,
    #[serde(default)]
    #[serde(deserialize_with = "crate::value::sane_date_opt")]
    pub expires_on: Option<NaiveDate>,
}

impl ResourceCharacteristicInput {
    pub fn check_dates(&self) -> Result<(), ValidationErrors> {
        date_order("issued_on", self.issued_on, "expires_on", self.expires_on).map_err(Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_named_errors() {
        let input = BookableResourceInput { name: "Ada".into(), ..Default::default() };
        let parsed = input.parse().unwrap();
        assert_eq!((parsed.time_zone.as_str(), parsed.active, parsed.capacity), ("UTC", true, 1));
        assert_eq!((parsed.resource_type, parsed.work_hours.len()), (ResourceType::Generic, 5));
        let input = BookableResourceInput {
            name: " ".into(),
            time_zone: Some("Mars/Olympus".into()),
            capacity: Some(0),
            hr_worker_number: Some("no spaces!".into()),
            work_hours: Some(vec![]),
            ..Default::default()
        };
        let fields: Vec<String> = input.parse().unwrap_err().0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "time_zone", "capacity", "hr_worker_number"]);
        assert_eq!(parse_time_zone("tz", "Europe/Oslo").unwrap(), "Europe/Oslo");
    }

    #[test]
    fn ratings_by_number_or_name() {
        let id = Uuid::nil();
        let values = vec![
            RatingValue { id, name: "Novice".into(), value: 1 },
            RatingValue { id, name: "Expert".into(), value: 5 },
        ];
        assert_eq!(RatingRef::Value(5).resolve("rating", "P", &values).unwrap().name, "Expert");
        assert_eq!(RatingRef::Name("novice".into()).resolve("rating", "P", &values).unwrap().value, 1);
        assert_eq!(RatingRef::Name("5".into()).resolve("rating", "P", &values).unwrap().value, 5);
        let error = RatingRef::Value(3).resolve("rating", "P", &values).unwrap_err();
        assert_eq!(error.message, "3 is not a value of rating model 'P'; values are: Novice (1), Expert (5)");
    }
}
