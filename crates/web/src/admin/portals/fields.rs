//! A user type's field permissions (wizard step 4): per shared layout, which fields its users
//! see and which of those they may not change; for subforms, the same per column.
//!
//! Every checkbox is named after what it is about — module, layout, field and column by name,
//! never by position — so a configuration or layout changed between showing the form and
//! saving it cannot move a permission onto another field. A name the form could not have
//! shown is refused.

use super::{Pairs, StepPage, Steps, UserTypeStep, ut_path};
use crate::admin::form::{FormPage, FormPost, PageContext};
use crate::admin::{Chrome, FormErrors, PageResult, form_checked, redirect_with, render};
use askama::Template;
use axum::extract::Path;
use portico_app::AppError;
use portico_app::catalogue::OrgCatalogue;
use portico_domain::field::FieldType;
use portico_domain::portal::{
    ColumnPermission, FieldPermission, LayoutAccess, Portal, UserType, UserTypeConfig,
};
use std::collections::HashSet;

/// One row of the form: a field, or a subform column under its field.
pub struct PermissionRow {
    /// The field's or the column's API name.
    pub name: String,
    pub label: String,
    pub mandatory: bool,
    pub visible: bool,
    pub read_only: bool,
    /// A field added to the layout since the user type's permissions were saved: not shown
    /// to portal users until the admin decides (saving the page records the decision).
    pub new: bool,
    /// The form names of its two checkboxes.
    pub visible_key: String,
    pub read_only_key: String,
    /// Subform fields only: their columns.
    pub columns: Vec<PermissionRow>,
}

impl PermissionRow {
    /// A row for a field or column; `key` names its checkboxes ("visible", "read_only").
    fn new(
        name: &str,
        label: &str,
        mandatory: bool,
        (visible, read_only): (bool, bool),
        key: impl Fn(&str) -> String,
    ) -> Self {
        Self {
            name: name.to_string(),
            label: label.to_string(),
            mandatory,
            visible,
            read_only,
            new: false,
            visible_key: key("visible"),
            read_only_key: key("read_only"),
            columns: Vec::new(),
        }
    }

    /// Every form name of this row and its columns.
    fn keys(&self) -> impl Iterator<Item = &str> {
        let own = [self.visible_key.as_str(), self.read_only_key.as_str()];
        let columns = self
            .columns
            .iter()
            .flat_map(|c| [c.visible_key.as_str(), c.read_only_key.as_str()]);
        own.into_iter().chain(columns)
    }

    /// The two checkboxes as posted: (visible, read only).
    fn posted(&self, pairs: &Pairs) -> (bool, bool) {
        (
            form_checked(pairs, &self.visible_key),
            form_checked(pairs, &self.read_only_key),
        )
    }
}

/// One shared layout of one module.
pub struct LayoutBlock {
    pub module: String,
    pub module_api: String,
    pub layout: String,
    pub rows: Vec<PermissionRow>,
    pub price_note: bool,
}

impl LayoutBlock {
    fn is(&self, module: &str, layout: &str) -> bool {
        self.module_api == module && self.layout == layout
    }
}

/// `visible.Deals.Standard.Amount`, `col.Invoices.Standard.Product_Details.List_Price.read_only`:
/// module and field API names hold no dots, so the layout name between them may.
fn field_name(what: &str, module: &str, layout: &str, field: &str) -> String {
    format!("{what}.{module}.{layout}.{field}")
}

fn column_name(module: &str, layout: &str, field: &str, column: &str, what: &str) -> String {
    format!("col.{module}.{layout}.{field}.{column}.{what}")
}

#[derive(Template)]
#[template(path = "admin/user_type_fields.html")]
struct FieldsPage {
    chrome: Chrome,
    portal: Portal,
    ut: UserType,
    blocks: Vec<LayoutBlock>,
    errors: FormErrors,
    steps: Steps,
}

impl FieldsPage {
    /// How many fields are new on the shared layouts (added since the permissions were saved).
    fn new_count(&self) -> usize {
        self.blocks
            .iter()
            .map(|b| b.rows.iter().filter(|r| r.new).count())
            .sum()
    }
}

fn column_rows(
    field: &portico_domain::field::Field,
    perm: Option<&FieldPermission>,
    (module, layout): (&str, &str),
) -> Vec<PermissionRow> {
    let FieldType::Subform { fields: columns } = &field.field_type else {
        return Vec::new();
    };
    let listed = perm.and_then(|p| p.columns.as_deref());
    columns
        .iter()
        .map(|c| {
            let column = c.api_name.as_str();
            // No column list shares every column, as editable as the subform.
            let p = listed.map(|l| l.iter().find(|p| p.column == column));
            let checked = (
                p.is_none_or(|p| p.is_some_and(|p| p.visible)),
                p.is_some_and(|p| p.is_some_and(|p| p.read_only)),
            );
            let key =
                |what: &str| column_name(module, layout, field.api_name.as_str(), column, what);
            PermissionRow::new(column, &c.label, c.mandatory, checked, key)
        })
        .collect()
}

fn field_blocks(cat: &OrgCatalogue, config: &UserTypeConfig) -> Vec<LayoutBlock> {
    let mut blocks = Vec::new();
    for tab in &config.modules {
        let Some((module, fields, layouts)) = cat
            .modules
            .iter()
            .find(|(m, _, _)| m.api_name == tab.module)
        else {
            continue;
        };
        let api = module.api_name.as_str();
        for access in &tab.layouts {
            let Some(layout) = layouts.iter().find(|l| l.name == access.layout) else {
                continue;
            };
            let at = (api, layout.name.as_str());
            let rows = layout
                .field_names()
                .filter_map(|n| fields.iter().find(|f| f.api_name.as_str() == n))
                .map(|f| {
                    let p = access
                        .fields
                        .iter()
                        .find(|p| p.field == f.api_name.as_str());
                    let name = f.api_name.as_str();
                    let checked = (p.is_some_and(|p| p.visible), p.is_some_and(|p| p.read_only));
                    let key = |what: &str| field_name(what, api, &layout.name, name);
                    PermissionRow {
                        columns: column_rows(f, p, at),
                        new: p.is_none(),
                        ..PermissionRow::new(name, &f.label, f.mandatory, checked, key)
                    }
                })
                .collect();
            blocks.push(LayoutBlock {
                module: module.label.clone(),
                module_api: api.to_string(),
                layout: layout.name.clone(),
                rows,
                price_note: api == "Products",
            });
        }
    }
    blocks
}

/// One field's permission as posted. A hidden field is kept as hidden (so it is a decision,
/// not a new field). Column permissions are kept only where they differ from the default
/// (every column shared, as editable as the subform).
fn posted_field(row: &PermissionRow, pairs: &Pairs) -> FieldPermission {
    let (visible, read_only) = row.posted(pairs);
    if !visible {
        return FieldPermission {
            field: row.name.clone(),
            visible: false,
            read_only: false,
            columns: None,
        };
    }
    let columns: Vec<ColumnPermission> = row
        .columns
        .iter()
        .map(|c| {
            let (visible, read_only) = c.posted(pairs);
            ColumnPermission {
                column: c.name.clone(),
                visible,
                read_only,
            }
        })
        .collect();
    let default = columns.iter().all(|c| c.visible && !c.read_only);
    FieldPermission {
        field: row.name.clone(),
        visible: true,
        read_only,
        columns: (!default).then_some(columns),
    }
}

/// The configuration with the posted field permissions. Names the form did not show (a field
/// or layout no longer shared, a made-up name) are refused, naming them.
fn posted_fields(
    cat: &OrgCatalogue,
    current: &UserTypeConfig,
    pairs: &Pairs,
) -> Result<UserTypeConfig, AppError> {
    let blocks = field_blocks(cat, current);
    let known: HashSet<&str> = blocks
        .iter()
        .flat_map(|b| b.rows.iter().flat_map(PermissionRow::keys))
        .collect();
    let unknown: Vec<&str> = pairs
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| !k.starts_with('_') && !known.contains(k))
        .collect();
    if !unknown.is_empty() {
        return Err(AppError::invalid(
            "",
            "unknown_field",
            format!(
                "The form names fields this user type does not share (the configuration may have changed since the page was opened): {}. Reload the page and choose again.",
                unknown.join(", ")
            ),
        ));
    }
    let mut config = current.clone();
    for tab in &mut config.modules {
        for access in &mut tab.layouts {
            let Some(block) = blocks
                .iter()
                .find(|b| b.is(tab.module.as_str(), &access.layout))
            else {
                continue;
            };
            *access = LayoutAccess {
                layout: access.layout.clone(),
                fields: block.rows.iter().map(|r| posted_field(r, pairs)).collect(),
            };
        }
    }
    Ok(config)
}

pub(super) struct FieldsForm(UserTypeStep);

impl StepPage for FieldsForm {
    const STEP: u8 = 4;
    const NEW: fn(UserTypeStep) -> Self = Self;
}

impl FormPage for FieldsForm {
    async fn render(self, cx: PageContext<'_>) -> PageResult {
        let step = self.0;
        let title = |_: &Portal| format!("{}: field permissions", step.ut.config.name);
        let (portal, cat, chrome) = step.frame(&cx, title).await?;
        let blocks = field_blocks(&cat, &step.ut.config);
        Ok(render(&FieldsPage {
            chrome,
            portal,
            ut: step.ut,
            blocks,
            errors: cx.errors,
            steps: step.steps,
        }))
    }
}

pub(super) async fn save(Path(ids): Path<(String, String)>, post: FormPost) -> PageResult {
    let step = UserTypeStep::posted(&post, ids, FieldsForm::STEP).await?;
    let cat = portico_app::catalogue::org_catalogue(&post.state, &post.s.actor).await?;
    let (result, shown) = match posted_fields(&cat, &step.ut.config, &post.pairs) {
        Ok(config) => (step.save(&post, config.clone()).await, config),
        // Nothing is taken from a post that names unknown fields: the form shows what is saved.
        Err(e) => (Err(e), step.ut.config.clone()),
    };
    step.submit::<FieldsForm>(post, result, shown, |portal, ut, wizard| {
        if wizard {
            redirect_with(
                &format!("/admin/setup/portals/{portal}"),
                "Your portal is configured. Review it below, preview it, or add more user types.",
            )
        } else {
            redirect_with(
                &ut_path(portal, ut.id, "fields", false),
                "Field permissions saved",
            )
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_module_layout_field_and_column() {
        assert_eq!(
            field_name("visible", "Deals", "Standard", "Amount"),
            "visible.Deals.Standard.Amount"
        );
        assert_eq!(
            column_name(
                "Invoices",
                "Standard",
                "Product_Details",
                "List_Price",
                "read_only"
            ),
            "col.Invoices.Standard.Product_Details.List_Price.read_only"
        );
    }
}
