//! JSON input given its shape: errors that name the field (`levels[2].factor: invalid type…`),
//! and JSON Merge Patch (RFC 7396) for changes.

use crate::accounts::capped;
use crate::error::AppError;
use hrbridge_domain::merge::merge_patch;
use hrbridge_domain::ValidationErrors;
use hrbridge_store::hr::import_file::deserialize;
use serde::de::{self, DeserializeOwned, Visitor};
use serde::Serialize;
use serde::{Deserialize, Deserializer};

/// The longest error message about input: an error never echoes megabytes of input back.
const MAX_MESSAGE: usize = 300;

/// A JSON document, refused (400) when it is not JSON or an object gives a key more than once
/// (which parsers disagree on: the first, the last, or an error).
pub fn json_value(bytes: &[u8]) -> Result<serde_json::Value, AppError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let parsed = Strict::deserialize(&mut deserializer).and_then(|strict| deserializer.end().map(|()| strict.0));
    parsed.map_err(|e| AppError::BadRequest(capped(&format!("the body is not valid JSON: {e}"), MAX_MESSAGE)))
}

pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, AppError> {
    deserialize(value)
        .map_err(|(field, message)| AppError::Invalid(ValidationErrors::one(field, capped(&message, MAX_MESSAGE))))
}

/// A JSON value read with every object's keys checked for repeats.
struct Strict(serde_json::Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, serde_json::Value::Number))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Strict::deserialize(d).map(|s| s.0)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(serde_json::Value::Array(items))
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format!("the key '{}' is given more than once", capped(&key, 64))));
            }
            let Strict(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(serde_json::Value::Object(object))
    }
}

/// Applies a merge patch to a record's input form: the result is validated like a create.
pub fn patched<I: Serialize + DeserializeOwned>(current: &I, patch: serde_json::Value) -> Result<I, AppError> {
    if !patch.is_object() {
        return Err(AppError::BadRequest("a PATCH body must be a JSON object (RFC 7396 merge patch)".into()));
    }
    let mut document = serde_json::to_value(current).map_err(|e| AppError::Internal(e.to_string()))?;
    merge_patch(&mut document, &patch);
    from_value(document)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_are_refused_at_any_depth() {
        assert_eq!(
            json_value(br#"{"a": 1, "b": [1, {"c": null}]}"#).unwrap(),
            serde_json::json!({"a": 1, "b": [1, {"c": null}]})
        );
        for text in [&br#"{"role": "read-only", "role": "system-administrator"}"#[..], br#"{"a": [{"b": 1, "b": 2}]}"#]
        {
            let error = json_value(text).unwrap_err().to_string();
            assert!(error.contains("more than once"), "{error}");
        }
        assert!(json_value(b"{} {}").is_err(), "trailing input");
        assert!(json_value(br#"{"a": 1.5e3, "b": -2, "c": 18446744073709551615}"#).is_ok());
    }

    #[test]
    fn errors_do_not_echo_big_input() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Numbered {
            n: i64,
        }
        let big = serde_json::json!({"n": "x".repeat(100_000)});
        let error = from_value::<Numbered>(big).unwrap_err().to_string();
        assert!(error.len() < 1_000, "{} bytes", error.len());
        let big = format!("{{\"n\": \"{}", "y".repeat(100_000));
        assert!(json_value(big.as_bytes()).unwrap_err().to_string().len() < 1_000);
    }
}
