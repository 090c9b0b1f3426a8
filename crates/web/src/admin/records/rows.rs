//! Subforms (line items) in the record form: a row editor instead of JSON to type. Each cell
//! is an input named `f.{Field}[{row}].{Column}`; a row has a position (`…[{row}]._pos`) that
//! orders the rows and a Remove box (`…[{row}]._remove`). Blank rows are ignored, so the form
//! always offers two to add lines without JavaScript; with it, "Add a row" and ↑/↓ are buttons.

use super::form::{Choice, lookup_choices};
use crate::AppState;
use crate::admin::PageError;
use portico_domain::access::CrmActor;
use portico_domain::field::{FieldType, SubformField};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The most rows one form may post for a subform; the rest are ignored.
pub const MAX_ROWS: usize = 500;

/// Blank rows offered below the rows there are.
const BLANK_ROWS: usize = 2;

/// One cell of the editor.
pub struct Cell {
    /// The input's name: `f.Product_Details[2].Quantity`.
    pub name: String,
    /// Its accessible name: "Quantity, row 3".
    pub label: String,
    /// text, number, decimal, date, datetime-local, email, tel, url, checkbox, select
    pub kind: &'static str,
    pub value: String,
    pub checked: bool,
    pub choices: Vec<Choice>,
}

pub struct Row {
    /// The row's index in the posted names.
    pub index: usize,
    pub cells: Vec<Cell>,
}

/// A subform's editor: its columns and rows (the stored or posted ones, then blank ones).
pub struct RowEditor {
    /// (label, mandatory) of each column.
    pub columns: Vec<(String, bool)>,
    pub rows: Vec<Row>,
}

fn kind_of(field_type: &FieldType) -> &'static str {
    match field_type {
        FieldType::Number => "number",
        FieldType::Decimal | FieldType::Currency | FieldType::Percent => "decimal",
        FieldType::Date => "date",
        FieldType::DateTime => "datetime-local",
        FieldType::Email => "email",
        FieldType::Phone => "tel",
        FieldType::Url => "url",
        FieldType::Boolean => "checkbox",
        FieldType::Picklist { .. } | FieldType::Lookup { .. } => "select",
        _ => "text",
    }
}

fn text_of(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| text_of(Some(v)))
            .collect::<Vec<_>>()
            .join(", "),
        Some(v) => v.to_string(),
    }
}

/// The rows a form posted for the subform `name` (`f.Product_Details`): index → column →
/// value, the position and removal marks kept as `_pos` and `_remove`. `None` when the form
/// posted no row cells (an older form posting JSON text).
pub fn posted_rows(
    name: &str,
    pairs: &[(String, String)],
) -> Option<BTreeMap<usize, BTreeMap<String, String>>> {
    let prefix = format!("{name}[");
    let mut rows: BTreeMap<usize, BTreeMap<String, String>> = BTreeMap::new();
    for (key, value) in pairs {
        let Some(rest) = key.strip_prefix(&prefix) else {
            continue;
        };
        let Some((index, column)) = rest.split_once("].") else {
            continue;
        };
        let Ok(index) = index.parse::<usize>() else {
            continue;
        };
        if rows.len() >= MAX_ROWS && !rows.contains_key(&index) {
            continue;
        }
        rows.entry(index)
            .or_default()
            .insert(column.to_string(), value.clone());
    }
    (!rows.is_empty()).then_some(rows)
}

/// The posted rows in the order their positions give (ties and blanks by index), without
/// removed ones and without rows whose cells are all blank.
fn kept_rows(
    rows: BTreeMap<usize, BTreeMap<String, String>>,
    columns: &[SubformField],
) -> Vec<BTreeMap<String, String>> {
    let mut kept: Vec<(f64, usize, BTreeMap<String, String>)> = rows
        .into_iter()
        .filter(|(_, cells)| {
            cells
                .get("_remove")
                .is_none_or(|v| v != "true" && v != "on")
        })
        .filter(|(_, cells)| {
            columns.iter().any(|c| {
                let v = cells.get(c.api_name.as_str()).map_or("", |v| v.trim());
                let unticked = matches!(c.field_type, FieldType::Boolean) && v == "false";
                !v.is_empty() && !unticked
            })
        })
        .map(|(index, cells)| {
            let position = cells
                .get("_pos")
                .and_then(|p| p.trim().parse::<f64>().ok())
                .filter(|p| p.is_finite())
                .unwrap_or(f64::MAX);
            (position, index, cells)
        })
        .collect();
    kept.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    kept.into_iter().map(|(_, _, cells)| cells).collect()
}

/// The subform's value from posted rows: one object per kept row, each column converted as
/// a form field of its type (the record's check then validates every cell).
pub fn value_from_rows(
    rows: BTreeMap<usize, BTreeMap<String, String>>,
    columns: &[SubformField],
) -> Value {
    Value::Array(
        kept_rows(rows, columns)
            .into_iter()
            .map(|cells| {
                let mut row = Map::new();
                for c in columns {
                    let input: Vec<String> = cells
                        .get(c.api_name.as_str())
                        .map(|v| vec![v.clone()])
                        .unwrap_or_default();
                    let value = c.field_type.value_from_form(&input);
                    if !value.is_null() {
                        row.insert(c.api_name.to_string(), value);
                    }
                }
                Value::Object(row)
            })
            .collect(),
    )
}

/// What the editor shows: the stored rows, or the posted ones (kept rows in order), then
/// blank rows.
pub enum Shown<'a> {
    Stored(Option<&'a Value>),
    Posted(&'a [(String, String)]),
}

/// The row editor of subform `name` with `columns`, showing `shown`.
pub async fn row_editor(
    state: &AppState,
    actor: &CrmActor,
    name: &str,
    columns: &[SubformField],
    shown: Shown<'_>,
) -> Result<RowEditor, PageError> {
    let rows: Vec<BTreeMap<String, String>> = match shown {
        Shown::Stored(Some(Value::Array(items))) => items
            .iter()
            .take(MAX_ROWS)
            .map(|row| {
                columns
                    .iter()
                    .map(|c| {
                        let v = row.get(c.api_name.as_str());
                        (c.api_name.to_string(), text_of(v))
                    })
                    .collect()
            })
            .collect(),
        Shown::Stored(_) => Vec::new(),
        Shown::Posted(pairs) => posted_rows(name, pairs)
            .map(|rows| kept_rows(rows, columns))
            .unwrap_or_default(),
    };
    // A lookup column offers the records of its module once, for every row.
    let mut offered: Vec<Option<Vec<Choice>>> = Vec::with_capacity(columns.len());
    for c in columns {
        offered.push(match &c.field_type {
            FieldType::Lookup { target_module } => Some(
                lookup_choices(state, actor, target_module.as_str(), &[])
                    .await?
                    .0,
            ),
            FieldType::Picklist { options } => Some(
                options
                    .iter()
                    .map(|o| Choice {
                        value: o.clone(),
                        label: o.clone(),
                        selected: false,
                    })
                    .collect(),
            ),
            _ => None,
        });
    }
    let blank = BTreeMap::new();
    let all = rows.iter().chain(std::iter::repeat_n(&blank, BLANK_ROWS));
    let rows = all
        .enumerate()
        .map(|(index, row)| Row {
            index,
            cells: columns
                .iter()
                .zip(&offered)
                .map(|(c, offered)| {
                    let value = row.get(c.api_name.as_str()).cloned().unwrap_or_default();
                    let choices = offered
                        .iter()
                        .flatten()
                        .map(|o| Choice {
                            value: o.value.clone(),
                            label: o.label.clone(),
                            selected: o.value == value,
                        })
                        .collect();
                    Cell {
                        name: format!("{name}[{index}].{}", c.api_name),
                        label: format!("{}, row {}", c.label, index + 1),
                        kind: kind_of(&c.field_type),
                        checked: value == "true" || value == "on",
                        value,
                        choices,
                    }
                })
                .collect(),
        })
        .collect();
    Ok(RowEditor {
        columns: columns
            .iter()
            .map(|c| (c.label.clone(), c.mandatory))
            .collect(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use portico_domain::module::ApiName;

    fn column(name: &str, field_type: FieldType) -> SubformField {
        SubformField {
            api_name: ApiName::parse(name).unwrap(),
            label: name.replace('_', " "),
            field_type,
            mandatory: false,
        }
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn rows_are_ordered_by_position_and_blank_or_removed_rows_dropped() {
        let columns = [
            column("Item", FieldType::Text),
            column("Quantity", FieldType::Number),
        ];
        let posted = pairs(&[
            ("f.Lines[0].Item", "Bolts"),
            ("f.Lines[0].Quantity", "3"),
            ("f.Lines[0]._pos", "2"),
            ("f.Lines[1].Item", "Nuts"),
            ("f.Lines[1]._pos", "1"),
            ("f.Lines[2].Item", "Washers"),
            ("f.Lines[2]._remove", "true"),
            ("f.Lines[3].Item", " "),
            ("f.Lines[3].Quantity", ""),
            ("f.Other[0].Item", "Not mine"),
            ("f.Lines[x].Item", "Bad index"),
        ]);
        let rows = posted_rows("f.Lines", &posted).unwrap();
        assert_eq!(
            value_from_rows(rows, &columns),
            serde_json::json!([{"Item": "Nuts"}, {"Item": "Bolts", "Quantity": "3"}])
        );
        assert!(posted_rows("f.Lines", &pairs(&[("f.Lines", "[]")])).is_none());
    }

    #[test]
    fn a_form_cannot_post_more_than_the_row_limit() {
        let posted: Vec<(String, String)> = (0..MAX_ROWS + 50)
            .map(|i| (format!("f.Lines[{i}].Item"), "x".to_string()))
            .collect();
        assert_eq!(posted_rows("f.Lines", &posted).unwrap().len(), MAX_ROWS);
    }
}
