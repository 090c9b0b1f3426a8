//! The portal API's use cases: what a signed-in portal user reads and writes over
//! `/p/{slug}/api/v1/…`. Every record goes through [`ScopedRecords`], the one enforcement
//! point, exactly as the pages do: the same record scope, field mask and write checks. What
//! this module adds is how the API presents them:
//!
//! - A lookup (a lookup field, each value of a multi-select lookup, a lookup column of a
//!   subform) becomes `{"id", "name"}` when its target is a record the portal user reaches
//!   through one of their tabs ([`ScopedRecords::display_names`]), and `null` otherwise — never
//!   the raw id of a record outside their reach, so an id cannot be used to probe.
//! - A module that is not one of the user's tabs answers "not found" for every verb; a layout
//!   must be one the user type shares (422 `unknown_layout` otherwise).
//! - A delete names the version it was based on, like an update.

use portico_app::portal_accounts::{self, PortalSignedIn};
use portico_app::scoped_records::{ScopedRecord, ScopedRecords};
use portico_app::{AppError, Context, Result};
use portico_domain::Id;
use portico_domain::field::{Field, FieldType, SubformField};
use portico_domain::portal::{TabRole, TabView};
use portico_domain::portal_access::MaskedField;
use portico_domain::profile::Action;
use portico_domain::webtab::WebTab;
use serde_json::{Map, Value, json};
use std::collections::{BTreeSet, HashMap};

/// The longest search text a list takes, in characters.
pub const SEARCH_MAX: usize = 200;
/// The longest layout name a request may name, in characters.
pub const LAYOUT_MAX: usize = 200;

/// A record as the API answers it: the masked data with lookups resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiRecord {
    pub id: Id,
    pub name: String,
    /// The version a later write names (the `ETag`).
    pub version: i64,
    pub data: Map<String, Value>,
}

/// One page of a module's records in scope, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiPage {
    pub items: Vec<ApiRecord>,
    /// The `after` of the next page; `None` on the last.
    pub next: Option<Id>,
}

/// The portal user's own account.
#[derive(Debug, Clone)]
pub struct Me {
    pub user: portico_domain::portal_user::PortalUser,
    pub user_type: String,
}

/// One module tab and what the user may do in it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiTab {
    pub module: String,
    pub label: String,
    pub role: TabRole,
    pub view: TabView,
    pub actions: Vec<&'static str>,
    pub layouts: Vec<ApiLayout>,
}

/// A shared layout: its visible fields, in the configured order.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiLayout {
    pub name: String,
    pub fields: Vec<ApiField>,
}

/// A visible field (or, inside a subform, a visible column).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiField {
    pub api_name: String,
    pub label: String,
    pub field_type: &'static str,
    pub mandatory: bool,
    pub writable: bool,
    /// The module a lookup points at.
    pub target_module: Option<String>,
    /// A picklist's options.
    pub options: Vec<String>,
    /// A subform's visible columns; empty for other fields.
    pub columns: Vec<ApiField>,
}

/// The user's tabs and web tabs.
#[derive(Debug, Clone, PartialEq)]
pub struct Tabs {
    pub modules: Vec<ApiTab>,
    pub web_tabs: Vec<WebTab>,
}

/// The signed-in user's account and the name of their user type.
pub async fn me(ctx: &Context, me: &PortalSignedIn) -> Result<Me> {
    let user_type = portal_accounts::user_type(ctx, me).await?;
    Ok(Me {
        user: me.user.clone(),
        user_type: user_type.config.name,
    })
}

/// The tabs the user type allows, each with its actions and shared layouts, and its web tabs.
pub async fn tabs(ctx: &Context, me: &PortalSignedIn) -> Result<Tabs> {
    let scoped = ScopedRecords::for_portal_user(ctx, me).await?;
    let modules = scoped
        .tabs()
        .into_iter()
        .map(|tab| {
            let actions = [Action::View, Action::Create, Action::Edit, Action::Delete]
                .into_iter()
                .filter(|a| scoped.allows(&tab.module, *a))
                .map(Action::as_str)
                .collect();
            let fields = scoped.fields(&tab.module);
            let layouts = scoped
                .layouts(&tab.module)
                .into_iter()
                .map(|name| {
                    let mask = scoped.mask(&tab.module, Some(&name));
                    ApiLayout {
                        fields: mask
                            .fields
                            .iter()
                            .filter_map(|m| described(fields, m))
                            .collect(),
                        name,
                    }
                })
                .collect();
            ApiTab {
                module: tab.module,
                label: tab.label,
                role: tab.role,
                view: tab.view,
                actions,
                layouts,
            }
        })
        .collect();
    let web_tabs = portico_app::portal_web_tabs::web_tabs(ctx, me, &scoped.web_tabs()).await?;
    Ok(Tabs { modules, web_tabs })
}

fn described(fields: &[Field], masked: &MaskedField) -> Option<ApiField> {
    let field = fields
        .iter()
        .find(|f| f.api_name.as_str() == masked.field)?;
    let columns = match (&field.field_type, &masked.columns) {
        (FieldType::Subform { fields: columns }, Some(shown)) => shown
            .iter()
            .filter_map(|c| {
                let column = columns.iter().find(|s| s.api_name.as_str() == c.column)?;
                Some(column_of(column, c.writable))
            })
            .collect(),
        _ => Vec::new(),
    };
    Some(ApiField {
        api_name: field.api_name.to_string(),
        label: field.label.clone(),
        field_type: field.field_type.name(),
        mandatory: field.mandatory,
        writable: masked.writable,
        target_module: field.field_type.lookup_target().map(ToString::to_string),
        options: field.field_type.options().to_vec(),
        columns,
    })
}

fn column_of(column: &SubformField, writable: bool) -> ApiField {
    ApiField {
        api_name: column.api_name.to_string(),
        label: column.label.clone(),
        field_type: column.field_type.name(),
        mandatory: column.mandatory,
        writable,
        target_module: column.field_type.lookup_target().map(ToString::to_string),
        options: column.field_type.options().to_vec(),
        columns: Vec::new(),
    }
}

/// The user's scope, for a module that is one of their tabs ("not found" otherwise), with the
/// layout checked: one the user type shares for the module, or `None` for the first.
async fn open<'a>(
    ctx: &'a Context,
    me: &PortalSignedIn,
    module: &str,
    layout: Option<&str>,
) -> Result<ScopedRecords<'a>> {
    let scoped = ScopedRecords::for_portal_user(ctx, me).await?;
    if !scoped.tabs().iter().any(|t| t.module == module) {
        return Err(AppError::NotFound);
    }
    if let Some(layout) = layout
        && !scoped.layouts(module).iter().any(|l| l == layout)
    {
        return Err(AppError::invalid(
            "layout",
            "unknown_layout",
            "There is no such layout of this module in your portal",
        ));
    }
    Ok(scoped)
}

/// The module's records in scope, newest first, `limit` at most
/// [`portico_app::scoped_records::LIST_MAX`]; `search` matches the name or email.
pub async fn list(
    ctx: &Context,
    me: &PortalSignedIn,
    module: &str,
    layout: Option<&str>,
    after: Option<Id>,
    limit: i64,
    search: Option<&str>,
) -> Result<ApiPage> {
    let scoped = open(ctx, me, module, layout).await?;
    let page = scoped.list(module, layout, after, limit, search).await?;
    Ok(ApiPage {
        items: present(&scoped, module, page.items).await?,
        next: page.next,
    })
}

/// One record in scope; outside the scope it is "not found", like a missing one.
pub async fn get(
    ctx: &Context,
    me: &PortalSignedIn,
    module: &str,
    layout: Option<&str>,
    id: Id,
) -> Result<ApiRecord> {
    let scoped = open(ctx, me, module, layout).await?;
    let record = scoped.get(module, layout, id).await?;
    one(&scoped, module, record).await
}

/// Creates a record, linked to the user's own record and owned by the CRM user who invited
/// them (see [`ScopedRecords::create`]).
pub async fn create(
    ctx: &Context,
    me: &PortalSignedIn,
    module: &str,
    layout: Option<&str>,
    input: &Map<String, Value>,
) -> Result<ApiRecord> {
    let scoped = open(ctx, me, module, layout).await?;
    let record = scoped.create(module, layout, input, ctx.now()).await?;
    one(&scoped, module, record).await
}

/// Changes a record in scope at `version` (stale: refused, nothing changed).
pub async fn update(
    ctx: &Context,
    me: &PortalSignedIn,
    module: &str,
    layout: Option<&str>,
    id: Id,
    input: &Map<String, Value>,
    version: i64,
) -> Result<ApiRecord> {
    let scoped = open(ctx, me, module, layout).await?;
    let record = scoped
        .update(module, layout, id, input, version, ctx.now())
        .await?;
    one(&scoped, module, record).await
}

/// Deletes a record in scope that is still at `version`.
///
/// The version is compared on a read just before the delete: `ScopedRecords::delete` takes
/// no version yet, so a change landing between the two is not caught (the delete itself is
/// scoped and checked in its own transaction).
pub async fn delete(
    ctx: &Context,
    me: &PortalSignedIn,
    module: &str,
    id: Id,
    version: i64,
) -> Result<()> {
    let scoped = open(ctx, me, module, None).await?;
    scoped.delete(module, id, Some(version), ctx.now()).await
}

async fn one(scoped: &ScopedRecords<'_>, module: &str, record: ScopedRecord) -> Result<ApiRecord> {
    let mut records = present(scoped, module, vec![record]).await?;
    records.pop().ok_or(AppError::NotFound)
}

/// The records with every lookup resolved: `{id, name}` in reach, `null` otherwise.
async fn present(
    scoped: &ScopedRecords<'_>,
    module: &str,
    records: Vec<ScopedRecord>,
) -> Result<Vec<ApiRecord>> {
    let fields = scoped.fields(module);
    let mut ids = BTreeSet::new();
    for r in &records {
        for (key, value) in &r.data {
            if let Some(field) = fields.iter().find(|f| f.api_name.as_str() == key) {
                lookup_ids(&field.field_type, value, &mut ids);
            }
        }
    }
    let names = if ids.is_empty() {
        HashMap::new()
    } else {
        let ids: Vec<Id> = ids.into_iter().collect();
        scoped.display_names(&ids).await?
    };
    Ok(records
        .into_iter()
        .map(|r| ApiRecord {
            data: r
                .data
                .into_iter()
                .map(|(key, value)| {
                    let value = match fields.iter().find(|f| f.api_name.as_str() == key) {
                        Some(field) => resolved(&field.field_type, value, &names),
                        // Not a field of the module (stored data is validated, so this is
                        // damage): nothing is known of it, so nothing is shown.
                        None => Value::Null,
                    };
                    (key, value)
                })
                .collect(),
            id: r.id,
            name: r.display_name,
            version: r.version,
        })
        .collect())
}

/// The record ids a value of this type points at.
fn lookup_ids(field_type: &FieldType, value: &Value, out: &mut BTreeSet<Id>) {
    match field_type {
        FieldType::Lookup { .. } => out.extend(value.as_i64()),
        FieldType::MultiselectLookup { .. } => {
            out.extend(
                value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_i64),
            );
        }
        FieldType::Subform { fields: columns } => {
            for row in value.as_array().into_iter().flatten() {
                for (key, cell) in row.as_object().into_iter().flatten() {
                    if let Some(c) = columns.iter().find(|c| c.api_name.as_str() == key) {
                        lookup_ids(&c.field_type, cell, out);
                    }
                }
            }
        }
        _ => {}
    }
}

/// A value with its lookups resolved through `names` (the ids in reach).
fn resolved(field_type: &FieldType, value: Value, names: &HashMap<Id, String>) -> Value {
    let lookup = |v: &Value| match v.as_i64().and_then(|id| names.get(&id).map(|n| (id, n))) {
        Some((id, name)) => json!({"id": id, "name": name}),
        None => Value::Null,
    };
    match field_type {
        FieldType::Lookup { .. } => lookup(&value),
        FieldType::MultiselectLookup { .. } => match value {
            Value::Array(items) => Value::Array(items.iter().map(lookup).collect()),
            _ => Value::Null,
        },
        FieldType::Subform { fields: columns } => match value {
            Value::Array(rows) => Value::Array(
                rows.into_iter()
                    .map(|row| match row {
                        Value::Object(cells) => Value::Object(
                            cells
                                .into_iter()
                                .map(|(key, cell)| {
                                    let cell =
                                        match columns.iter().find(|c| c.api_name.as_str() == key) {
                                            Some(c) => resolved(&c.field_type, cell, names),
                                            None => Value::Null,
                                        };
                                    (key, cell)
                                })
                                .collect(),
                        ),
                        _ => Value::Null,
                    })
                    .collect(),
            ),
            _ => Value::Null,
        },
        _ => value,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use portico_domain::module::ApiName;

    fn lookup() -> FieldType {
        FieldType::Lookup {
            target_module: ApiName::parse("Contacts").unwrap(),
        }
    }

    #[test]
    fn lookups_out_of_reach_show_nothing_of_their_target() {
        let names = HashMap::from([(7, "Carla Client".to_string())]);
        assert_eq!(
            resolved(&lookup(), json!(7), &names),
            json!({"id": 7, "name": "Carla Client"})
        );
        assert_eq!(resolved(&lookup(), json!(8), &names), Value::Null);
        let multi = FieldType::MultiselectLookup {
            target_module: ApiName::parse("Contacts").unwrap(),
        };
        assert_eq!(
            resolved(&multi, json!([8, 7]), &names),
            json!([null, {"id": 7, "name": "Carla Client"}])
        );
        assert_eq!(resolved(&FieldType::Text, json!("8"), &names), json!("8"));
        let mut ids = BTreeSet::new();
        lookup_ids(&multi, &json!([8, 7, "x"]), &mut ids);
        assert_eq!(ids.into_iter().collect::<Vec<_>>(), vec![7, 8]);
    }
}
