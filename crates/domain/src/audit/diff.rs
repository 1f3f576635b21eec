//! An entry read field by field (issue 26 item 1): which top-level fields of
//! the record changed, with the value before and after. Entries keep the
//! whole record as JSON text; a reader wants to see what moved.

use serde_json::{Map, Value};

/// One changed field: `before` is `None` when the record was created (or
/// the field did not exist), `after` when it was deleted.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

fn object(text: &str) -> Option<Map<String, Value>> {
    match serde_json::from_str(text) {
        Ok(Value::Object(m)) => Some(m),
        _ => None,
    }
}

/// The fields that differ between two entries' JSON texts, in the order of
/// the record's fields (the later text's order, then fields only the earlier
/// one had). A creation lists the fields that have a value; a text that is
/// not an object (e.g. `null`) counts as no fields. Timestamps of the
/// change itself (`updated_at`) are left out: the entry has its own time.
pub fn diff(before: &str, after: &str) -> Vec<FieldChange> {
    let b = object(before).unwrap_or_default();
    let a = object(after).unwrap_or_default();
    let mut out = Vec::new();
    let keys = a.keys().chain(b.keys().filter(|k| !a.contains_key(*k)));
    for key in keys {
        if key == "updated_at" {
            continue;
        }
        let (old, new) = (b.get(key), a.get(key));
        let empty = |v: Option<&Value>| v.is_none_or(Value::is_null);
        if old == new || (empty(old) && empty(new)) {
            continue;
        }
        out.push(FieldChange {
            field: key.clone(),
            before: old.filter(|v| !v.is_null()).cloned(),
            after: new.filter(|v| !v.is_null()).cloned(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_changed_fields_are_listed() {
        let d = diff(
            r#"{"name":"大气股","disabled_at":null,"updated_at":"x","roles":["unit_head"]}"#,
            r#"{"name":"大气环境股","disabled_at":null,"updated_at":"y","roles":[]}"#,
        );
        assert_eq!(
            d,
            vec![
                FieldChange {
                    field: "name".into(),
                    before: Some(json!("大气股")),
                    after: Some(json!("大气环境股")),
                },
                FieldChange {
                    field: "roles".into(),
                    before: Some(json!(["unit_head"])),
                    after: Some(json!([])),
                },
            ]
        );
    }

    #[test]
    fn a_creation_lists_the_fields_with_a_value() {
        let d = diff("null", r#"{"name":"办公室","disabled_at":null}"#);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].before, None);
        assert_eq!(d[0].after, Some(json!("办公室")));
        assert!(diff("null", "null").is_empty());
        let gone = diff(r#"{"a":1}"#, "{}");
        assert_eq!(
            (gone[0].before.clone(), gone[0].after.clone()),
            (Some(json!(1)), None)
        );
    }
}
