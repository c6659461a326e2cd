//! 64-bit ids in JSON as strings: JavaScript (and jq) read JSON numbers as doubles, which hold
//! integers exactly only up to 2^53, so an id like 917863492539625472 would come back as
//! 917863492539625500. Every 64-bit id hrbridge answers with is a string; reading, either a
//! string or a number is taken (records stored as JSON before ids were strings still read).
//!
//! Use with `#[serde(with = "hrbridge_domain::id_string")]` and `#[schema(value_type = String)]`.

use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};

pub fn serialize<S: Serializer>(id: &i64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(id)
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    deserializer.deserialize_any(IdVisitor)
}

/// Takes a number or a string of digits, without buffering (ids are read in bulk by the sync
/// engine's folded reads).
struct IdVisitor;

impl Visitor<'_> for IdVisitor {
    type Value = i64;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a 64-bit id, as a string or a number")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::custom(format!("{v} is not an id")))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        v.parse().map_err(|_| E::custom(format!("'{v}' is not an id")))
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Record {
        #[serde(with = "super")]
        id: i64,
    }

    #[test]
    fn ids_go_out_as_strings_and_come_in_either_way() {
        let record = Record { id: 917863492539625472 };
        let text = serde_json::to_string(&record).unwrap();
        assert_eq!(text, r#"{"id":"917863492539625472"}"#);
        assert_eq!(serde_json::from_str::<Record>(&text).unwrap(), record);
        assert_eq!(serde_json::from_str::<Record>(r#"{"id":917863492539625472}"#).unwrap(), record);
        assert!(serde_json::from_str::<Record>(r#"{"id":"x"}"#).is_err());
    }
}
