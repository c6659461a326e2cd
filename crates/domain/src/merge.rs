//! JSON Merge Patch (RFC 7396): PATCH applies the patch to the record's input form and validates
//! the result with the same rules as a create.

use serde_json::Value;

pub fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(patch_fields) => {
            if !target.is_object() {
                *target = Value::Object(Default::default());
            }
            let fields = target.as_object_mut().expect("object");
            for (key, value) in patch_fields {
                if value.is_null() {
                    fields.remove(key);
                } else {
                    merge_patch(fields.entry(key.clone()).or_insert(Value::Null), value);
                }
            }
        }
        other => *target = other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rfc7396_examples() {
        let mut doc = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut doc, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(doc, json!({"a": "z", "c": {"d": "e"}}));
        let mut list = json!({"a": [1, 2]});
        merge_patch(&mut list, &json!({"a": [3]}));
        assert_eq!(list, json!({"a": [3]}));
    }
}
