//! Fields: typed, optionally mandatory; a value is checked against its type in `value.rs`.

use crate::module::{ApiName, parse_label};
use crate::{DomainError, FieldError, Id};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

mod value;

use value::validate_value;
pub use value::{is_url, normalise_datetime, parse_date};

pub const TEXT_MAX: usize = 255;
pub const LONG_TEXT_MAX: usize = 32_000;
pub const PICKLIST_MAX_OPTIONS: usize = 500;

/// A field's type and the settings that belong to it (options, lookup target, subform columns).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FieldType {
    Text,
    LongText,
    Email,
    Phone,
    /// A whole number.
    Number,
    Decimal,
    Currency,
    Percent,
    Date,
    #[serde(rename = "datetime")]
    DateTime,
    Boolean,
    Picklist {
        options: Vec<String>,
    },
    MultiselectPicklist {
        options: Vec<String>,
    },
    Url,
    Lookup {
        target_module: ApiName,
    },
    MultiselectLookup {
        target_module: ApiName,
    },
    Subform {
        fields: Vec<SubformField>,
    },
}

/// A column of a subform: a scalar field or a single lookup (no nested subforms).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawField")]
pub struct SubformField {
    pub api_name: ApiName,
    pub label: String,
    #[serde(flatten)]
    pub field_type: FieldType,
    #[serde(default)]
    pub mandatory: bool,
}

impl FieldType {
    pub const NAMES: [&'static str; 17] = [
        "text",
        "long_text",
        "email",
        "phone",
        "number",
        "decimal",
        "currency",
        "percent",
        "date",
        "datetime",
        "boolean",
        "picklist",
        "multiselect_picklist",
        "url",
        "lookup",
        "multiselect_lookup",
        "subform",
    ];

    pub fn name(&self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::LongText => "long_text",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Number => "number",
            Self::Decimal => "decimal",
            Self::Currency => "currency",
            Self::Percent => "percent",
            Self::Date => "date",
            Self::DateTime => "datetime",
            Self::Boolean => "boolean",
            Self::Picklist { .. } => "picklist",
            Self::MultiselectPicklist { .. } => "multiselect_picklist",
            Self::Url => "url",
            Self::Lookup { .. } => "lookup",
            Self::MultiselectLookup { .. } => "multiselect_lookup",
            Self::Subform { .. } => "subform",
        }
    }

    /// The module a lookup or multi-select lookup points at.
    pub fn lookup_target(&self) -> Option<&ApiName> {
        match self {
            Self::Lookup { target_module } | Self::MultiselectLookup { target_module } => {
                Some(target_module)
            }
            _ => None,
        }
    }

    pub fn options(&self) -> &[String] {
        match self {
            Self::Picklist { options } | Self::MultiselectPicklist { options } => options,
            _ => &[],
        }
    }

    /// Checks the type's own settings (options, subform columns) when a field is defined.
    pub fn check_definition(&self, field: &str) -> Result<(), DomainError> {
        let bad = |code, msg: &str| Err(DomainError::field(field, code, msg.to_string()));
        match self {
            Self::Picklist { options } | Self::MultiselectPicklist { options } => {
                if options.is_empty() || options.len() > PICKLIST_MAX_OPTIONS {
                    return bad(
                        "invalid_options",
                        "A picklist needs between 1 and 500 options",
                    );
                }
                let mut seen = std::collections::HashSet::new();
                for o in options {
                    if o.trim().is_empty() || o.chars().count() > TEXT_MAX {
                        return bad(
                            "invalid_options",
                            "Picklist options are 1 to 255 characters",
                        );
                    }
                    if !seen.insert(o.as_str()) {
                        return bad("invalid_options", "Picklist options must be unique");
                    }
                }
                Ok(())
            }
            Self::Subform { fields } => {
                if fields.is_empty() {
                    return bad("invalid_subform", "A subform needs at least one column");
                }
                let mut seen = std::collections::HashSet::new();
                for f in fields {
                    if matches!(
                        f.field_type,
                        Self::MultiselectLookup { .. } | Self::Subform { .. }
                    ) {
                        return bad(
                            "invalid_subform",
                            "Subform columns cannot be multi-select lookups or subforms",
                        );
                    }
                    parse_label(field, &f.label)?;
                    f.field_type.check_definition(field)?;
                    if !seen.insert(f.api_name.as_str()) {
                        return bad("invalid_subform", "Subform column names must be unique");
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Turns what an HTML form posted for this field (one string per input) into JSON.
    /// The result still goes through [`Field::validate`]; nothing is accepted here.
    pub fn value_from_form(&self, inputs: &[String]) -> Value {
        let first = inputs.iter().map(|s| s.trim()).find(|s| !s.is_empty());
        match self {
            Self::MultiselectPicklist { .. } | Self::MultiselectLookup { .. } => Value::Array(
                inputs
                    .iter()
                    .flat_map(|s| s.split(','))
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::String(s.to_string()))
                    .collect(),
            ),
            Self::Boolean => Value::Bool(inputs.iter().any(|s| s == "true" || s == "on")),
            Self::Subform { .. } => match first {
                None => Value::Null,
                Some(text) => {
                    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
                }
            },
            _ => first.map_or(Value::Null, |s| Value::String(s.to_string())),
        }
    }
}

/// A field of a module, as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    pub id: Id,
    pub module_id: Id,
    pub api_name: ApiName,
    pub label: String,
    #[serde(flatten)]
    pub field_type: FieldType,
    pub mandatory: bool,
    pub position: i64,
}

/// A record that a lookup value points at, to be checked against the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkTarget {
    pub field_id: Id,
    pub field: String,
    pub target_module: ApiName,
    pub target_id: Id,
}

impl LinkTarget {
    /// The error for a lookup whose target does not exist, or that the caller may not see: the
    /// two must look the same.
    pub fn not_found(&self) -> FieldError {
        FieldError::new(
            self.field.as_str(),
            "invalid_lookup",
            format!(
                "There is no {} record with id {}",
                self.target_module, self.target_id
            ),
        )
    }
}

/// True for values that count as "not filled in".
pub fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

impl Field {
    /// Validates one value for this field and returns it in canonical form.
    /// Empty values come back as `Null`; whether that is allowed is the caller's
    /// mandatory check.
    pub fn validate(&self, value: &Value) -> Result<Value, FieldError> {
        validate_value(self.api_name.as_str(), &self.label, &self.field_type, value)
    }

    /// The lookup targets in a canonical value of this field, including lookups inside
    /// subform rows (indexed under the subform field).
    pub fn links(&self, value: &Value) -> Vec<LinkTarget> {
        let link = |target_module: &ApiName, target_id: Id| LinkTarget {
            field_id: self.id,
            field: self.api_name.to_string(),
            target_module: target_module.clone(),
            target_id,
        };
        match (&self.field_type, value) {
            (FieldType::Subform { fields }, Value::Array(rows)) => fields
                .iter()
                .filter_map(|c| {
                    c.field_type
                        .lookup_target()
                        .map(|t| (c.api_name.as_str(), t))
                })
                .flat_map(|(column, target)| {
                    rows.iter()
                        .filter_map(move |row| row.get(column).and_then(Value::as_i64))
                        .map(move |id| link(target, id))
                })
                .collect(),
            (field_type, Value::Number(n)) => match (field_type.lookup_target(), n.as_i64()) {
                (Some(target), Some(id)) => vec![link(target, id)],
                _ => Vec::new(),
            },
            (field_type, Value::Array(items)) => match field_type.lookup_target() {
                Some(target) => items
                    .iter()
                    .filter_map(Value::as_i64)
                    .map(|id| link(target, id))
                    .collect(),
                None => Vec::new(),
            },
            _ => Vec::new(),
        }
    }
}

/// What the admin submits to add a field to a module.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "RawField")]
pub struct NewField {
    pub api_name: Option<ApiName>,
    pub label: String,
    #[serde(flatten)]
    pub field_type: FieldType,
    #[serde(default)]
    pub mandatory: bool,
}

/// A field definition as submitted. serde cannot refuse unknown keys through `flatten`, and an
/// internally tagged unit variant (`{"type": "text"}`) ignores extra keys, so the keys that belong
/// to the type are picked out here and every other key is refused.
#[derive(Deserialize)]
struct RawField {
    api_name: Option<ApiName>,
    label: String,
    #[serde(default)]
    mandatory: bool,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

impl RawField {
    fn field_type(rest: Map<String, Value>) -> Result<FieldType, String> {
        let allowed: &[&str] = match rest.get("type").and_then(Value::as_str) {
            Some("picklist" | "multiselect_picklist") => &["type", "options"],
            Some("lookup" | "multiselect_lookup") => &["type", "target_module"],
            Some("subform") => &["type", "fields"],
            _ => &["type"],
        };
        if let Some(unknown) = rest.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(format!("unknown field `{unknown}`"));
        }
        serde_json::from_value(Value::Object(rest)).map_err(|e| e.to_string())
    }
}

impl TryFrom<RawField> for NewField {
    type Error = String;
    fn try_from(raw: RawField) -> Result<Self, String> {
        Ok(Self {
            api_name: raw.api_name,
            label: raw.label,
            mandatory: raw.mandatory,
            field_type: RawField::field_type(raw.rest)?,
        })
    }
}

impl TryFrom<RawField> for SubformField {
    type Error = String;
    fn try_from(raw: RawField) -> Result<Self, String> {
        let field_type = RawField::field_type(raw.rest)?;
        let api_name = match raw.api_name {
            Some(name) => name,
            None => ApiName::from_label(&raw.label).map_err(|e| e.to_string())?,
        };
        Ok(Self {
            api_name,
            label: raw.label,
            mandatory: raw.mandatory,
            field_type,
        })
    }
}

impl NewField {
    /// Checks the definition and settles the API name (derived from the label when absent).
    pub fn check(&self) -> Result<(ApiName, String), DomainError> {
        let label = parse_label("label", &self.label)?;
        let api_name = match &self.api_name {
            Some(name) => name.clone(),
            None => ApiName::from_label(&label)?,
        };
        let setting = match self.field_type {
            FieldType::Picklist { .. } | FieldType::MultiselectPicklist { .. } => "options",
            FieldType::Subform { .. } => "fields",
            _ => "type",
        };
        self.field_type.check_definition(setting)?;
        Ok((api_name, label))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(field_type: FieldType) -> Field {
        Field {
            id: 1,
            module_id: 1,
            api_name: ApiName::parse("F").unwrap(),
            label: "F".into(),
            field_type,
            mandatory: false,
            position: 0,
        }
    }

    #[test]
    fn email_fields_hold_valid_addresses() {
        let f = field(FieldType::Email);
        assert_eq!(f.validate(&json!("a@b.com")).unwrap(), json!("a@b.com"));
        let e = f.validate(&json!("not-an-email")).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("F", "invalid_email"));
    }

    #[test]
    fn picklist_values_must_be_options() {
        let f = field(FieldType::Picklist {
            options: vec!["Hot".into(), "Cold".into()],
        });
        assert!(f.validate(&json!("Hot")).is_ok());
        assert_eq!(
            f.validate(&json!("Warm")).unwrap_err().code,
            "invalid_option"
        );
        let m = field(FieldType::MultiselectPicklist {
            options: vec!["A".into(), "B".into()],
        });
        assert_eq!(
            m.validate(&json!(["A", "B", "A"])).unwrap(),
            json!(["A", "B"])
        );
        assert!(m.validate(&json!(["A", "C"])).is_err());
    }

    #[test]
    fn numbers_dates_and_urls() {
        assert_eq!(
            field(FieldType::Number).validate(&json!("42")).unwrap(),
            json!(42)
        );
        assert!(field(FieldType::Number).validate(&json!("4.2")).is_err());
        assert_eq!(
            field(FieldType::Currency)
                .validate(&json!("1,234.567"))
                .unwrap(),
            json!(1234.57)
        );
        assert!(
            field(FieldType::Date)
                .validate(&json!("2024-02-29"))
                .is_ok()
        );
        assert!(
            field(FieldType::Date)
                .validate(&json!("2023-02-29"))
                .is_err()
        );
        assert_eq!(
            field(FieldType::DateTime)
                .validate(&json!("2024-05-01T09:30"))
                .unwrap(),
            json!("2024-05-01T09:30:00")
        );
        assert!(
            field(FieldType::DateTime)
                .validate(&json!("2024-05-01T25:30"))
                .is_err()
        );
        assert!(
            field(FieldType::Url)
                .validate(&json!("https://zylker.com/x?y=1"))
                .is_ok()
        );
        assert!(
            field(FieldType::Url)
                .validate(&json!("javascript:alert(1)"))
                .is_err()
        );
        assert!(
            field(FieldType::Phone)
                .validate(&json!("+1 (555) 010-9999"))
                .is_ok()
        );
        assert!(field(FieldType::Phone).validate(&json!("call me")).is_err());
        assert!(field(FieldType::Boolean).validate(&json!("yes")).is_err());
    }

    #[test]
    fn lookups_yield_links() {
        let f = field(FieldType::MultiselectLookup {
            target_module: ApiName::parse("Contacts").unwrap(),
        });
        let v = f.validate(&json!([3, "4", 3])).unwrap();
        assert_eq!(v, json!([3, 4]));
        let links = f.links(&v);
        assert_eq!(
            links.iter().map(|l| l.target_id).collect::<Vec<_>>(),
            vec![3, 4]
        );
        assert!(f.validate(&json!(["x"])).is_err());
        assert!(
            field(FieldType::Lookup {
                target_module: ApiName::parse("Contacts").unwrap()
            })
            .validate(&json!(-1))
            .is_err()
        );
    }

    #[test]
    fn subform_rows_are_checked() {
        let f = field(FieldType::Subform {
            fields: vec![SubformField {
                api_name: ApiName::parse("Qty").unwrap(),
                label: "Qty".into(),
                field_type: FieldType::Number,
                mandatory: true,
            }],
        });
        assert_eq!(
            f.validate(&json!([{"Qty": "2"}])).unwrap(),
            json!([{"Qty": 2}])
        );
        assert_eq!(f.validate(&json!([{}])).unwrap_err().code, "required");
        assert_eq!(
            f.validate(&json!([{"Nope": 1}])).unwrap_err().code,
            "unknown_field"
        );
    }

    #[test]
    fn field_type_json_shape() {
        let t: FieldType =
            serde_json::from_value(json!({"type": "lookup", "target_module": "Contacts"})).unwrap();
        assert_eq!(t.lookup_target().unwrap().as_str(), "Contacts");
        assert!(serde_json::from_value::<FieldType>(json!({"type": "lookup"})).is_err());
        assert!(serde_json::from_value::<FieldType>(json!({"type": "bogus"})).is_err());
        let ok = json!({"label": "Pet", "type": "text", "mandatory": true});
        assert!(serde_json::from_value::<NewField>(ok).is_ok());
        let unknown = json!({"label": "Pet", "type": "text", "colour": "red"});
        assert!(serde_json::from_value::<NewField>(unknown).is_err());
        let unknown = json!({"api_name": "A", "label": "A", "type": "number", "x": 1});
        assert!(serde_json::from_value::<SubformField>(unknown).is_err());
    }
}
