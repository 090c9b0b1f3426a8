//! Records: validation of submitted data against a module's fields, and derived values.

use crate::field::{Field, LinkTarget, is_empty};
use crate::{DomainError, FieldError, Id, Millis};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Workflow states a record can be in; invitations consult them later.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordState {
    /// Locked by an approval process.
    #[serde(default)]
    pub approval_locked: bool,
    /// Part of a review process.
    #[serde(default)]
    pub in_review: bool,
    /// GDPR consent recorded for the person the record describes.
    #[serde(default)]
    pub gdpr_consent: bool,
}

/// A record. Its data is a JSON object keyed by field API name: parsed (`Map`, the default) for
/// everything that reads or changes values, or still the JSON text it was stored as
/// ([`SerializedRecord`]) for answers that pass it on unchanged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record<D = Map<String, Value>> {
    pub id: Id,
    pub org_id: Id,
    pub module_id: Id,
    pub owner_id: Id,
    pub data: D,
    pub display_name: String,
    pub email: Option<String>,
    pub state: RecordState,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub deleted_at: Option<Millis>,
    /// Starts at 1 and goes up by one with every update: the record's ETag, so a write based
    /// on an older read is refused instead of overwriting a change it never saw.
    pub version: i64,
}

/// A record whose data is the JSON text the store holds for it: a list answer copies it into
/// the response instead of parsing every value and writing it again.
pub type SerializedRecord = Record<StoredJson>;

/// A JSON object as the store wrote it: serde_json's compact text of a validated `Map` (keys
/// sorted), which is exactly what writing the parsed `Map` again would give. Only the store
/// makes these, from text it wrote itself (SQLite keeps that text; PostgreSQL's JSONB is
/// written out the same way as it is read), so the text is not checked again on its way out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredJson(String);

impl StoredJson {
    /// For the store: text it wrote with serde_json from a `Map`.
    pub fn from_store(text: String) -> Self {
        Self(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Through serde the text is checked as any other (the fast path of list answers writes it
/// directly instead).
impl Serialize for StoredJson {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serde_json::value::RawValue::from_string(self.0.clone())
            .map_err(serde::ser::Error::custom)?
            .serialize(serializer)
    }
}

/// Record data that passed validation, with what the store needs to index it.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidRecordData {
    pub data: Map<String, Value>,
    pub display_name: String,
    pub email: Option<String>,
    /// Lower-cased text the record list searches in.
    pub search: String,
    /// Lookup targets; the store checks each exists in the same org and module.
    pub links: Vec<LinkTarget>,
}

/// Validates `input` against the module's `fields`. With `existing`, `input` is a partial update
/// merged over it (a `null` clears a field). Unknown fields, bad values and missing mandatory
/// values are all reported together, each naming its field.
pub fn validate_data(
    fields: &[Field],
    name_fields: &[String],
    input: &Map<String, Value>,
    existing: Option<&Map<String, Value>>,
) -> Result<ValidRecordData, DomainError> {
    let mut errors = Vec::new();
    let mut data = existing.cloned().unwrap_or_default();
    for (key, value) in input {
        match fields.iter().find(|f| f.api_name.as_str() == key) {
            None => errors.push(FieldError::new(
                key.as_str(),
                "unknown_field",
                format!("This module has no field {key}"),
            )),
            Some(field) => match field.validate(value) {
                Ok(Value::Null) => {
                    data.remove(key);
                }
                Ok(clean) => {
                    data.insert(key.clone(), clean);
                }
                Err(e) => errors.push(e),
            },
        }
    }
    for field in fields.iter().filter(|f| f.mandatory) {
        let already_reported = errors.iter().any(|e| e.field == field.api_name.as_str());
        if !already_reported && data.get(field.api_name.as_str()).is_none_or(is_empty) {
            errors.push(FieldError::new(
                field.api_name.as_str(),
                "required",
                format!("{} is required", field.label),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    // Drop values of fields that no longer exist so stored data always matches the module.
    data.retain(|k, _| fields.iter().any(|f| f.api_name.as_str() == k));
    let links = fields
        .iter()
        .filter_map(|f| data.get(f.api_name.as_str()).map(|v| f.links(v)))
        .flatten()
        .collect();
    let display_name = display_name(name_fields, &data);
    let email = fields
        .iter()
        .filter(|f| f.field_type == crate::field::FieldType::Email)
        .find_map(|f| data.get(f.api_name.as_str()).and_then(Value::as_str))
        .map(str::to_string);
    let search = search_text(&display_name, email.as_deref());
    Ok(ValidRecordData {
        data,
        display_name,
        email,
        search,
        links,
    })
}

/// The text a record search looks in: the record's name and (first) email address, lower-cased.
/// The store keeps it in `records.search` and indexes it; a search matches a record when the
/// record's search text contains the [`search_key`] of the query.
pub fn search_text(display_name: &str, email: Option<&str>) -> String {
    format!("{} {}", display_name, email.unwrap_or("")).to_lowercase()
}

/// A search query as it is matched against [`search_text`]: trimmed and lower-cased. `None`
/// for a query with nothing left to search for, which lists everything.
pub fn search_key(query: &str) -> Option<String> {
    Some(query.trim().to_lowercase()).filter(|k| !k.is_empty())
}

/// The record's name: its name fields' values joined by spaces.
pub fn display_name(name_fields: &[String], data: &Map<String, Value>) -> String {
    let parts: Vec<String> = name_fields
        .iter()
        .filter_map(|f| data.get(f))
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        "(no name)".to_string()
    } else {
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::FieldType;
    use crate::module::ApiName;
    use serde_json::json;

    fn fields() -> Vec<Field> {
        let f = |id, name: &str, field_type, mandatory| Field {
            id,
            module_id: 1,
            api_name: ApiName::parse(name).unwrap(),
            label: name.replace('_', " "),
            field_type,
            mandatory,
            position: id,
        };
        vec![
            f(1, "First_Name", FieldType::Text, false),
            f(2, "Last_Name", FieldType::Text, true),
            f(3, "Email", FieldType::Email, false),
            f(
                4,
                "Account",
                FieldType::Lookup {
                    target_module: ApiName::parse("Accounts").unwrap(),
                },
                false,
            ),
        ]
    }

    fn names() -> Vec<String> {
        vec!["First_Name".into(), "Last_Name".into()]
    }

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn valid_data_is_indexed() {
        let v = validate_data(
            &fields(),
            &names(),
            &obj(json!({"First_Name": "Ann", "Last_Name": "Lee", "Email": "Ann@X.com", "Account": 7})),
            None,
        )
        .unwrap();
        assert_eq!(v.display_name, "Ann Lee");
        assert_eq!(v.email.as_deref(), Some("Ann@X.com"));
        assert_eq!(v.search, "ann lee ann@x.com");
        assert_eq!(search_key("  Lee ANN@ "), Some("lee ann@".to_string()));
        assert_eq!(search_key(" \t "), None);
        assert!(
            v.search.contains("lee ann@"),
            "a search spans name and email"
        );
        assert_eq!(v.links.len(), 1);
        assert_eq!(v.links[0].target_id, 7);
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let err = validate_data(
            &fields(),
            &names(),
            &obj(json!({"Email": "nope", "Colour": "red"})),
            None,
        )
        .unwrap_err();
        let mut got: Vec<_> = err
            .errors()
            .iter()
            .map(|e| (e.field.as_str(), e.code))
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("Colour", "unknown_field"),
                ("Email", "invalid_email"),
                ("Last_Name", "required")
            ]
        );
    }

    #[test]
    fn updates_merge_and_null_clears() {
        let existing = obj(json!({"First_Name": "Ann", "Last_Name": "Lee"}));
        let v = validate_data(
            &fields(),
            &names(),
            &obj(json!({"First_Name": null})),
            Some(&existing),
        )
        .unwrap();
        assert_eq!(Value::Object(v.data), json!({"Last_Name": "Lee"}));
        let err = validate_data(
            &fields(),
            &names(),
            &obj(json!({"Last_Name": ""})),
            Some(&existing),
        )
        .unwrap_err();
        assert_eq!(err.errors()[0].code, "required");
    }
}
