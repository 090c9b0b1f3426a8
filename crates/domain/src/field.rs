//! Fields: typed, optionally mandatory, and the validation of a value against its type.

use crate::email::EmailAddress;
use crate::module::{ApiName, parse_label};
use crate::{DomainError, FieldError, Id};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

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

fn validate_value(
    name: &str,
    label: &str,
    field_type: &FieldType,
    value: &Value,
) -> Result<Value, FieldError> {
    if is_empty(value) {
        return Ok(Value::Null);
    }
    let err = |code: &'static str, message: String| Err(FieldError::new(name, code, message));
    let text = value.as_str().map(str::trim);
    match field_type {
        FieldType::Text | FieldType::LongText => {
            let max = if matches!(field_type, FieldType::Text) {
                TEXT_MAX
            } else {
                LONG_TEXT_MAX
            };
            let multi_line = matches!(field_type, FieldType::LongText);
            match text {
                Some(s) if crate::text::has_forbidden_chars(s, multi_line) => err(
                    "invalid_characters",
                    if multi_line {
                        format!(
                            "{label} may not contain control characters other than tab and line breaks"
                        )
                    } else {
                        format!("{label} may not contain control characters or line breaks")
                    },
                ),
                Some(s) if s.chars().count() <= max => Ok(Value::String(s.to_string())),
                Some(_) => err("too_long", format!("{label} has at most {max} characters")),
                None => err("invalid_type", format!("{label} must be text")),
            }
        }
        FieldType::Email => match text.map(EmailAddress::parse) {
            Some(Ok(email)) => Ok(Value::String(email.into())),
            _ => err(
                "invalid_email",
                format!("{label} must be a valid email address"),
            ),
        },
        FieldType::Phone => match text {
            Some(s) if is_phone(s) => Ok(Value::String(s.to_string())),
            _ => err(
                "invalid_phone",
                format!("{label} must be a phone number (digits, spaces, + - ( ) .)"),
            ),
        },
        FieldType::Number => match value.as_i64().or_else(|| text.and_then(|s| s.parse().ok())) {
            Some(n) => Ok(Value::from(n)),
            None => err("invalid_number", format!("{label} must be a whole number")),
        },
        FieldType::Decimal | FieldType::Currency | FieldType::Percent => {
            let number = value
                .as_f64()
                .or_else(|| text.and_then(|s| s.replace(',', "").parse::<f64>().ok()))
                .filter(|n| n.is_finite() && n.abs() < 1e15);
            match number {
                Some(n) if matches!(field_type, FieldType::Currency) => {
                    Ok(Value::from((n * 100.0).round() / 100.0))
                }
                Some(n) => Ok(Value::from(n)),
                None => err("invalid_number", format!("{label} must be a number")),
            }
        }
        FieldType::Date => match text {
            Some(s) if parse_date(s).is_some() => Ok(Value::String(s.to_string())),
            _ => err(
                "invalid_date",
                format!("{label} must be a date (YYYY-MM-DD)"),
            ),
        },
        FieldType::DateTime => match text.and_then(normalise_datetime) {
            Some(s) => Ok(Value::String(s)),
            None => err(
                "invalid_datetime",
                format!("{label} must be a date and time (YYYY-MM-DDTHH:MM)"),
            ),
        },
        FieldType::Boolean => match value {
            Value::Bool(b) => Ok(Value::Bool(*b)),
            _ => match text {
                Some("true") => Ok(Value::Bool(true)),
                Some("false") => Ok(Value::Bool(false)),
                _ => err("invalid_boolean", format!("{label} must be true or false")),
            },
        },
        FieldType::Picklist { options } => match text {
            Some(s) if options.iter().any(|o| o == s) => Ok(Value::String(s.to_string())),
            _ => err(
                "invalid_option",
                format!("{label} must be one of: {}", options.join(", ")),
            ),
        },
        FieldType::MultiselectPicklist { options } => {
            let mut chosen: Vec<String> = Vec::new();
            for item in as_list(value) {
                match item.as_str().map(str::trim) {
                    Some(s) if options.iter().any(|o| o == s) => {
                        if !chosen.iter().any(|c| c == s) {
                            chosen.push(s.to_string());
                        }
                    }
                    _ => {
                        return err(
                            "invalid_option",
                            format!("{label} may only hold: {}", options.join(", ")),
                        );
                    }
                }
            }
            Ok(Value::from(chosen))
        }
        FieldType::Url => match text {
            Some(s) if is_url(s) => Ok(Value::String(s.to_string())),
            _ => err(
                "invalid_url",
                format!("{label} must be a web address starting with http:// or https://"),
            ),
        },
        FieldType::Lookup { target_module } => match as_id(value) {
            Some(id) => Ok(Value::from(id)),
            None => err(
                "invalid_lookup",
                format!("{label} must be the id of a {target_module} record"),
            ),
        },
        FieldType::MultiselectLookup { target_module } => {
            let mut ids: Vec<Id> = Vec::new();
            for item in as_list(value) {
                match as_id(item) {
                    Some(id) if !ids.contains(&id) => ids.push(id),
                    Some(_) => {}
                    None => {
                        return err(
                            "invalid_lookup",
                            format!("{label} must list ids of {target_module} records"),
                        );
                    }
                }
            }
            Ok(Value::from(ids))
        }
        FieldType::Subform { fields } => validate_subform(name, label, fields, value),
    }
}

fn validate_subform(
    name: &str,
    label: &str,
    columns: &[SubformField],
    value: &Value,
) -> Result<Value, FieldError> {
    let Value::Array(rows) = value else {
        return Err(FieldError::new(
            name,
            "invalid_subform",
            format!("{label} must be a list of rows"),
        ));
    };
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let row_no = i + 1;
        let Value::Object(cells) = row else {
            return Err(FieldError::new(
                name,
                "invalid_subform",
                format!("{label}: row {row_no} must be an object"),
            ));
        };
        if let Some(unknown) = cells
            .keys()
            .find(|k| !columns.iter().any(|c| c.api_name.as_str() == k.as_str()))
        {
            return Err(FieldError::new(
                name,
                "unknown_field",
                format!("{label}: row {row_no} has no column {unknown}"),
            ));
        }
        let mut clean = Map::new();
        for column in columns {
            let cell = cells.get(column.api_name.as_str()).unwrap_or(&Value::Null);
            let v = validate_value(name, &column.label, &column.field_type, cell).map_err(|e| {
                FieldError::new(
                    name,
                    e.code,
                    format!("{label}: row {row_no}: {}", e.message),
                )
            })?;
            if v.is_null() {
                if column.mandatory {
                    return Err(FieldError::new(
                        name,
                        "required",
                        format!("{label}: row {row_no}: {} is required", column.label),
                    ));
                }
            } else {
                clean.insert(column.api_name.to_string(), v);
            }
        }
        out.push(Value::Object(clean));
    }
    Ok(Value::Array(out))
}

fn as_list(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

fn as_id(value: &Value) -> Option<Id> {
    value
        .as_i64()
        .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
        .filter(|id| *id > 0)
}

fn is_phone(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    (3..=30).contains(&s.len())
        && digits >= 3
        && s.chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c))
}

/// An absolute http(s) URL with a plausible host and no characters that break out of markup.
pub fn is_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    match rest {
        Some(rest) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
            let host = host.split(':').next().unwrap_or("");
            s.len() <= 2048
                && !host.is_empty()
                && !s
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<')
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        }
        None => false,
    }
}

/// Parses `YYYY-MM-DD` as a real calendar date.
pub fn parse_date(s: &str) -> Option<(i32, u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year: i32 = s.get(0..4)?.parse().ok()?;
    let month: u32 = s.get(5..7)?.parse().ok()?;
    let day: u32 = s.get(8..10)?.parse().ok()?;
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days).contains(&day).then_some((year, month, day))
}

/// Accepts `YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]` and returns it with seconds always present.
pub fn normalise_datetime(s: &str) -> Option<String> {
    let (date, time) = s.split_once(['T', ' '])?;
    parse_date(date)?;
    let (clock, zone) = match time.find(['Z', '+', '-']) {
        Some(i) => (time.get(..i)?, time.get(i..)?),
        None => (time, ""),
    };
    let parts: Vec<&str> = clock.split(':').collect();
    let in_range = |p: &str, max: u32| p.len() == 2 && p.parse::<u32>().is_ok_and(|n| n <= max);
    let clock = match parts.as_slice() {
        [h, m] if in_range(h, 23) && in_range(m, 59) => format!("{h}:{m}:00"),
        [h, m, sec] if in_range(h, 23) && in_range(m, 59) && in_range(sec, 59) => {
            format!("{h}:{m}:{sec}")
        }
        _ => return None,
    };
    let zone_ok = zone.is_empty()
        || zone == "Z"
        || (zone.len() == 6
            && zone.as_bytes()[3] == b':'
            && in_range(zone.get(1..3)?, 14)
            && in_range(zone.get(4..6)?, 59));
    zone_ok.then(|| format!("{date}T{clock}{zone}"))
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
