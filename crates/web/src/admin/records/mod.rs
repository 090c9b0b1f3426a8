//! Record pages: list (paged, searchable), detail (per layout, or the canvas view), create and
//! edit forms that show each error beside its field and keep what was typed, the recycle bin.

mod detail;
mod form;
mod list;
pub(crate) mod picker;
mod recycle_bin;
pub(crate) mod rows;

use super::PageError;
use crate::AppState;
use axum::Router;
use axum::routing::{get, post};
use portico_app::AppError;
use portico_domain::Id;
use portico_domain::canvas::display_value;
use portico_domain::field::{Field, FieldType};
use portico_domain::layout::Layout;
use portico_domain::record::Record;
use serde_json::Value;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/records/{module}",
            get(list::list).post(form::create),
        )
        .route("/admin/records/{module}/new", get(form::new_form))
        .route(
            "/admin/records/{module}/{id}",
            get(detail::detail).post(form::update),
        )
        .route("/admin/records/{module}/{id}/edit", get(form::edit_form))
        .route(
            "/admin/records/{module}/{id}/delete",
            post(recycle_bin::delete),
        )
        .route(
            "/admin/records/{module}/{id}/restore",
            post(recycle_bin::restore),
        )
        .route(
            "/admin/records/{module}/{id}/purge",
            post(recycle_bin::purge),
        )
        .route(
            "/admin/records/{module}/{id}/portal-invite",
            post(detail::invite),
        )
        .route("/admin/recycle-bin", get(recycle_bin::recycle_bin))
        .route("/admin/pick/{module}", get(picker::pick))
}

/// Field types shown as list columns (long or nested values are left to the detail page).
fn listable(f: &Field) -> bool {
    !matches!(
        f.field_type,
        FieldType::LongText | FieldType::Subform { .. }
    )
}

/// A value as text, with lookup ids replaced by the linked records' names.
fn cell_text(field_type: &FieldType, value: Option<&Value>, names: &HashMap<Id, String>) -> String {
    match (field_type, value) {
        (FieldType::Lookup { .. }, Some(Value::Number(n))) => n
            .as_i64()
            .map(|id| lookup_name(id, names))
            .unwrap_or_default(),
        (FieldType::MultiselectLookup { .. }, Some(Value::Array(ids))) => ids
            .iter()
            .filter_map(Value::as_i64)
            .map(|id| lookup_name(id, names))
            .collect::<Vec<_>>()
            .join(", "),
        (FieldType::Currency, Some(Value::Number(n))) => {
            n.as_f64().map(|v| format!("{v:.2}")).unwrap_or_default()
        }
        (FieldType::Percent, Some(v @ Value::Number(_))) => format!("{v}%"),
        _ => display_value(value),
    }
}

/// How a page names a linked record the user may not see (or that no longer exists): never by
/// its name or id.
pub(super) const HIDDEN_RECORD: &str = "a record you cannot see";

fn lookup_name(id: Id, names: &HashMap<Id, String>) -> String {
    names
        .get(&id)
        .cloned()
        .unwrap_or_else(|| HIDDEN_RECORD.to_string())
}

/// Every record id the given fields of these records point at.
fn linked_ids<'a>(fields: impl Iterator<Item = &'a Field> + Clone, records: &[&Record]) -> Vec<Id> {
    let mut ids: Vec<Id> = records
        .iter()
        .flat_map(|r| {
            fields
                .clone()
                .filter_map(|f| r.data.get(f.api_name.as_str()).map(|v| f.links(v)))
        })
        .flatten()
        .map(|l| l.target_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn choose_layout(layouts: &[Layout], wanted: Option<Id>) -> Result<&Layout, PageError> {
    wanted
        .and_then(|id| layouts.iter().find(|l| l.id == id))
        .or_else(|| layouts.first())
        .ok_or(PageError(AppError::Internal("module has no layout".into())))
}
