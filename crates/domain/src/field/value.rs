//! The validation of one field value against its type: text bounds, numbers, dates and times,
//! emails, phones, URLs, picklists, lookups and subform rows.

use super::{FieldType, LONG_TEXT_MAX, SubformField, TEXT_MAX, is_empty};
use crate::email::EmailAddress;
use crate::{FieldError, Id};
use serde_json::{Map, Value};

pub(super) fn validate_value(
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
