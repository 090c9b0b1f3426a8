//! Subforms in the portal's record forms: the rows of cells a form shows for a writable
//! subform, and the rows a posted form writes. Cells are named `Field[row].Column`;
//! `_rows.Field` says how many rows were stored and `_remove.Field` names a removed row. Hidden
//! and read-only values are carried over by row position by the enforcement point
//! (`FieldMask::apply_write`), so a removal is offered — and honoured — only where every column
//! is visible and editable.

use super::{PortalApp, kind_of};
use portico_app::Result;
use portico_domain::field::{Field, FieldType};
use portico_domain::portal_access::FieldMask;
use serde_json::{Map, Value};

/// A subform in a form: rows of cells named `Field[row].Column`, the stored rows first, then
/// blank rows to add. Read-only columns are shown, not sent (the enforcement point carries them
/// over by position).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubformInput {
    /// (label, writable) of each visible column.
    pub columns: Vec<(String, bool)>,
    pub rows: Vec<Vec<CellInput>>,
    /// How many rows were stored (rows past it are new).
    pub stored: usize,
    /// Rows may be removed: every column of the subform is visible and writable, so nothing
    /// is carried over by position that a removal would shift.
    pub removable: bool,
}

/// One cell of a subform row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellInput {
    pub name: String,
    /// An input kind as [`InputView::kind`] (`text`, `number`, `date`, `select`…), or
    /// `readonly`.
    pub kind: &'static str,
    pub step: &'static str,
    pub value: String,
    pub options: Vec<(String, String)>,
}

/// Blank rows a subform form offers for adding.
const NEW_ROWS: usize = 2;
/// The most rows a posted subform may have.
const MAX_ROWS: usize = 200;

/// A posted subform: its field, how many rows the form showed as stored, and the cells posted
/// per row.
type PostedSubform = (
    String,
    usize,
    std::collections::BTreeMap<usize, Map<String, Value>>,
);

/// A posted subform cell's name: `Field[row].Column` → (field, row, column).
fn cell_name(name: &str) -> Option<(&str, usize, &str)> {
    let (field, rest) = name.split_once('[')?;
    let (row, column) = rest.split_once("].")?;
    let row: usize = row.parse().ok()?;
    (row < MAX_ROWS && !field.is_empty() && !column.is_empty()).then_some((field, row, column))
}

/// A posted text as the value of a field type: numbers as numbers where they parse, a lookup
/// as an id, an empty text as null; anything else as text (validation names what is wrong).
fn typed(field_type: &FieldType, text: &str) -> Value {
    if text.is_empty() {
        return Value::Null;
    }
    let number = || {
        text.parse::<i64>()
            .map(Value::from)
            .ok()
            .or_else(|| text.parse::<f64>().ok().map(Value::from))
    };
    match field_type {
        FieldType::Number
        | FieldType::Decimal
        | FieldType::Percent
        | FieldType::Currency
        | FieldType::Lookup { .. } => number().unwrap_or_else(|| Value::from(text)),
        FieldType::Boolean => Value::Bool(text == "true"),
        _ => Value::from(text),
    }
}

impl PortalApp<'_> {
    /// A writable subform's cells: the stored rows (or, when a save failed, what was posted),
    /// then blank rows to add.
    pub(super) async fn subform_input(
        &self,
        field: &Field,
        columns: &[portico_domain::field::SubformField],
        mask: &FieldMask,
        stored: Option<&Value>,
        posted: Option<&[(String, String)]>,
    ) -> Result<SubformInput> {
        let name = field.api_name.as_str();
        let masked = mask
            .field(name)
            .and_then(|m| m.columns.clone())
            .unwrap_or_default();
        let shown: Vec<(&portico_domain::field::SubformField, bool)> = masked
            .iter()
            .filter_map(|c| {
                columns
                    .iter()
                    .find(|sf| sf.api_name.as_str() == c.column)
                    .map(|sf| (sf, c.writable))
            })
            .collect();
        let stored_rows: Vec<Value> = stored
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let posted_rows = posted.map(|p| {
            p.iter()
                .filter_map(|(k, v)| cell_name(k).map(|(f, row, col)| (f, row, col, v)))
                .filter(|(f, ..)| *f == name)
                .map(|(_, row, col, v)| (row, col.to_string(), v.clone()))
                .collect::<Vec<_>>()
        });
        let count = stored_rows.len() + NEW_ROWS;
        let mut rows = Vec::with_capacity(count);
        for i in 0..count {
            let mut cells = Vec::with_capacity(shown.len());
            for (column, writable) in &shown {
                let col = column.api_name.as_str();
                let stored_value = stored_rows.get(i).and_then(|r| r.get(col));
                let (kind, step) = if *writable {
                    kind_of(&column.field_type)
                } else {
                    ("readonly", "")
                };
                let value = match (&posted_rows, *writable) {
                    (Some(p), true) => p
                        .iter()
                        .rev()
                        .find(|(row, c, _)| *row == i && c == col)
                        .map(|(_, _, v)| v.clone())
                        .unwrap_or_default(),
                    _ => match (&column.field_type, stored_value) {
                        (FieldType::Lookup { .. }, Some(v)) if *writable => {
                            v.as_i64().map(|id| id.to_string()).unwrap_or_default()
                        }
                        // A lookup inside a row shows nothing that identifies it.
                        (FieldType::Lookup { .. }, _) => String::new(),
                        (_, Some(Value::Number(n))) if *writable => n.to_string(),
                        (t, v) => self.locale.value(t, v),
                    },
                };
                let mut options = match &column.field_type {
                    FieldType::Picklist { options } if *writable => {
                        options.iter().map(|o| (o.clone(), o.clone())).collect()
                    }
                    FieldType::Lookup { target_module } if *writable => {
                        self.choices(target_module.as_str()).await?
                    }
                    _ => Vec::new(),
                };
                if kind == "select"
                    && !value.is_empty()
                    && !options.iter().any(|(v, _)| *v == value)
                {
                    options.insert(0, (value.clone(), self.tr().t("record-not-shared")));
                }
                cells.push(CellInput {
                    name: format!("{name}[{i}].{col}"),
                    kind,
                    step,
                    value,
                    options,
                });
            }
            rows.push(cells);
        }
        let all_writable = columns.iter().all(|c| {
            masked
                .iter()
                .any(|m| m.column == c.api_name.as_str() && m.writable)
        });
        Ok(SubformInput {
            columns: shown.iter().map(|(c, w)| (c.label.clone(), *w)).collect(),
            rows,
            stored: stored_rows.len(),
            removable: all_writable,
        })
    }
}

impl PortalApp<'_> {
    /// The subforms a form posted: `Field[row].Column` cells, `_rows.Field` (how many rows the
    /// form showed as stored: a stored row stays even when emptied, a new row left blank is
    /// not added) and `_remove.Field` (a stored row removed). A subform whose marker came is
    /// written whole; cells of another name are kept as written, so the enforcement point
    /// refuses a hidden or read-only column by name.
    pub(super) fn posted_subforms(
        &self,
        module: &str,
        posted: &[(String, String)],
    ) -> Vec<(String, Value)> {
        let fields = self.scoped.fields(module);
        let mut by_field: Vec<PostedSubform> = Vec::new();
        for (k, v) in posted {
            if let Some(field) = k.strip_prefix("_rows.") {
                let stored = v.trim().parse::<usize>().unwrap_or(0).min(MAX_ROWS);
                match by_field.iter_mut().find(|(f, ..)| f == field) {
                    Some(entry) => entry.1 = stored,
                    None => by_field.push((field.to_string(), stored, Default::default())),
                }
            }
        }
        for (k, v) in posted {
            let Some((field, row, column)) = cell_name(k) else {
                continue;
            };
            let column_type = fields
                .iter()
                .find(|f| f.api_name.as_str() == field)
                .and_then(|f| match &f.field_type {
                    FieldType::Subform { fields } => {
                        fields.iter().find(|c| c.api_name.as_str() == column)
                    }
                    _ => None,
                })
                .map(|c| c.field_type.clone())
                .unwrap_or(FieldType::Text);
            let index = match by_field.iter().position(|(f, ..)| f == field) {
                Some(i) => i,
                None => {
                    by_field.push((field.to_string(), 0, Default::default()));
                    by_field.len() - 1
                }
            };
            let value = typed(&column_type, v.trim());
            by_field[index]
                .2
                .entry(row)
                .or_default()
                .insert(column.to_string(), value);
        }
        // A removal is honoured only where the form offers it: every column visible and
        // writable, so no row takes over another's carried-over values.
        let layout = posted
            .iter()
            .find(|(k, _)| k == "_layout")
            .map(|(_, v)| v.as_str());
        let mask = self.scoped.mask(module, layout);
        let removable = |field: &str| {
            let masked = mask.field(field).and_then(|m| m.columns.as_ref());
            fields
                .iter()
                .find(|f| f.api_name.as_str() == field)
                .and_then(|f| match &f.field_type {
                    FieldType::Subform { fields } => Some(fields),
                    _ => None,
                })
                .is_some_and(|columns| {
                    columns.iter().all(|c| {
                        masked.is_some_and(|m| {
                            m.iter()
                                .any(|mc| mc.column == c.api_name.as_str() && mc.writable)
                        })
                    })
                })
        };
        let removed = |field: &str, row: usize| {
            removable(field)
                && posted
                    .iter()
                    .any(|(k, v)| k == &format!("_remove.{field}") && v.trim() == row.to_string())
        };
        by_field
            .into_iter()
            .map(|(field, stored, mut cells)| {
                // Every stored row keeps its place (an empty one takes its values over).
                for row in 0..stored {
                    cells.entry(row).or_default();
                }
                let rows: Vec<Value> = cells
                    .into_iter()
                    .filter(|(row, _)| !removed(&field, *row))
                    .filter(|(row, cells)| *row < stored || cells.values().any(|v| !v.is_null()))
                    .map(|(_, cells)| {
                        let cells = cells.into_iter().filter(|(_, v)| !v.is_null()).collect();
                        Value::Object(cells)
                    })
                    .collect();
                (field, Value::Array(rows))
            })
            .collect()
    }
}
