//! The field mask: what a portal user sees of one layout of a module, and what they may change.
//! Every record leaves the server through [`FieldMask::reduce`] and every portal write comes in
//! through [`FieldMask::apply_write`], so a field or subform column outside the mask is neither
//! shown nor changed — including a product's list price when Unit Price is not shared.

use super::PortalPolicy;
use crate::field::{FieldType, SubformField};
use crate::portal::ColumnPermission;
use crate::profile::Action;
use crate::{DomainError, FieldError};
use serde_json::{Map, Value};

/// What a portal user sees of one layout of a module, and what they may change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMask {
    /// The module's label, for messages.
    pub module_label: String,
    /// The visible fields, in the configured order.
    pub fields: Vec<MaskedField>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaskedField {
    pub field: String,
    pub writable: bool,
    /// Subform fields only: the visible columns.
    pub columns: Option<Vec<MaskedColumn>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaskedColumn {
    pub column: String,
    pub writable: bool,
}

/// The subform column that carries a product's price, and the lookup column that makes a
/// subform a product list.
const PRICE_COLUMN: &str = "List_Price";
const PRODUCT_COLUMN: &str = "Product";

impl PortalPolicy<'_> {
    /// The mask of one shared layout. An inactive user type, an unshared module or an unshared
    /// layout gives an empty mask: nothing is visible, nothing writable.
    pub fn field_mask(&self, module: &str, layout: &str) -> FieldMask {
        let module_label = self
            .catalogue
            .module(module)
            .map_or_else(|| module.to_string(), |(m, _, _)| m.label.clone());
        let access = self
            .config
            .active
            .then(|| self.tab(module))
            .flatten()
            .and_then(|t| t.layouts.iter().find(|l| l.layout == layout));
        let Some(access) = access else {
            return FieldMask {
                module_label,
                fields: Vec::new(),
            };
        };
        let may_write = self.allows(module, Action::Create) || self.allows(module, Action::Edit);
        let shows_price = self.config.shows_product_price();
        let fields = self.fields_of(module);
        let mut masked: Vec<MaskedField> = Vec::new();
        for perm in access.fields.iter().filter(|p| p.visible) {
            // A field no longer in the catalogue has nothing to show; a field listed twice
            // counts once.
            let Some(field) = fields.iter().find(|f| f.api_name.as_str() == perm.field) else {
                continue;
            };
            if masked.iter().any(|m| m.field == perm.field) {
                continue;
            }
            let writable = may_write && !perm.read_only;
            let columns = match &field.field_type {
                FieldType::Subform { fields: columns } => Some(subform_columns(
                    columns,
                    perm.columns.as_deref(),
                    writable,
                    shows_price,
                )),
                _ => None,
            };
            masked.push(MaskedField {
                field: perm.field.clone(),
                writable,
                columns,
            });
        }
        FieldMask {
            module_label,
            fields: masked,
        }
    }
}

/// The visible columns of a subform: all of them when the configuration lists none, otherwise
/// the listed visible ones; writable only where the subform is. In a product list the list
/// price is shown only where Unit Price is.
fn subform_columns(
    columns: &[SubformField],
    permissions: Option<&[ColumnPermission]>,
    field_writable: bool,
    shows_price: bool,
) -> Vec<MaskedColumn> {
    let is_product_list = columns.iter().any(|c| {
        c.api_name.as_str() == PRODUCT_COLUMN
            && matches!(&c.field_type, FieldType::Lookup { target_module } if target_module.as_str() == "Products")
    });
    let price_hidden = is_product_list && !shows_price;
    let shown = |name: &str| {
        columns.iter().any(|c| c.api_name.as_str() == name)
            && !(price_hidden && name == PRICE_COLUMN)
    };
    let mut out: Vec<MaskedColumn> = Vec::new();
    match permissions {
        None => {
            for c in columns.iter().filter(|c| shown(c.api_name.as_str())) {
                out.push(MaskedColumn {
                    column: c.api_name.to_string(),
                    writable: field_writable,
                });
            }
        }
        Some(permissions) => {
            for p in permissions.iter().filter(|p| p.visible && shown(&p.column)) {
                if !out.iter().any(|c| c.column == p.column) {
                    out.push(MaskedColumn {
                        column: p.column.clone(),
                        writable: field_writable && !p.read_only,
                    });
                }
            }
        }
    }
    out
}

impl MaskedField {
    pub fn column(&self, column: &str) -> Option<&MaskedColumn> {
        self.columns
            .as_deref()
            .and_then(|cols| cols.iter().find(|c| c.column == column))
    }
}

impl FieldMask {
    pub fn field(&self, field: &str) -> Option<&MaskedField> {
        self.fields.iter().find(|f| f.field == field)
    }

    pub fn is_visible(&self, field: &str) -> bool {
        self.field(field).is_some()
    }

    pub fn visible_fields(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|f| f.field.as_str())
    }

    pub fn writable_fields(&self) -> impl Iterator<Item = &str> {
        self.fields
            .iter()
            .filter(|f| f.writable)
            .map(|f| f.field.as_str())
    }

    /// The record data reduced to visible fields; in a subform value (a JSON array of row
    /// objects) each row keeps only the visible columns.
    pub fn reduce(&self, data: &Map<String, Value>) -> Map<String, Value> {
        let mut out = Map::new();
        for f in &self.fields {
            let Some(value) = data.get(&f.field) else {
                continue;
            };
            let value = match &f.columns {
                Some(columns) => reduce_rows(value, columns),
                None => value.clone(),
            };
            out.insert(f.field.clone(), value);
        }
        out
    }

    /// Checks a portal user's write. Refuses (one [`FieldError`] per offending field, all at
    /// once) a key that is not visible (`hidden_field`: the message reads the same whether the
    /// field does not exist or is hidden), a visible read-only field (`read_only_field`), and in
    /// a subform a row key naming a hidden or unknown column (`hidden_field`, field
    /// `Product_Details.List_Price`) or a read-only column (`read_only_field`).
    ///
    /// Answers the data to save: `current` (the stored record's data, `None` on create) with the
    /// input applied. For a written subform, input row i carries over the hidden and read-only
    /// column values of current row i, so a portal user cannot wipe what they cannot see.
    /// Values are not validated here: the caller validates the result against the fields.
    pub fn apply_write(
        &self,
        input: &Map<String, Value>,
        current: Option<&Map<String, Value>>,
    ) -> Result<Map<String, Value>, DomainError> {
        let mut errors: Vec<FieldError> = Vec::new();
        for (key, value) in input {
            match self.field(key) {
                None => errors.push(FieldError::new(
                    key.as_str(),
                    "hidden_field",
                    format!("{} has no field {key} you can change", self.module_label),
                )),
                Some(f) if !f.writable => errors.push(FieldError::new(
                    key.as_str(),
                    "read_only_field",
                    format!("You cannot change {key}: it is read-only"),
                )),
                Some(f) => {
                    if let Some(columns) = &f.columns {
                        check_rows(key, value, columns, &mut errors);
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        let mut out = current.cloned().unwrap_or_default();
        for (key, value) in input {
            let value = match self.field(key).and_then(|f| f.columns.as_deref()) {
                Some(columns) => carry_over(value, current.and_then(|c| c.get(key)), columns),
                None => value.clone(),
            };
            out.insert(key.clone(), value);
        }
        Ok(out)
    }
}

/// A subform value with each row reduced to the visible columns. A value that is not a list of
/// rows (stored data is validated, so this is damage) shows as empty rather than as is.
fn reduce_rows(value: &Value, columns: &[MaskedColumn]) -> Value {
    match value {
        Value::Array(rows) => Value::Array(
            rows.iter()
                .map(|row| {
                    let cells = row
                        .as_object()
                        .map(|cells| {
                            cells
                                .iter()
                                .filter(|(k, _)| columns.iter().any(|c| &c.column == *k))
                                .map(|(k, v)| (k.clone(), v.clone()))
                                .collect()
                        })
                        .unwrap_or_default();
                    Value::Object(cells)
                })
                .collect(),
        ),
        _ => Value::Null,
    }
}

/// One error per offending column of a written subform, however many rows name it. Rows that
/// are not objects are left to value validation.
fn check_rows(field: &str, value: &Value, columns: &[MaskedColumn], errors: &mut Vec<FieldError>) {
    let Value::Array(rows) = value else {
        return;
    };
    let mut reported: Vec<&str> = Vec::new();
    for cells in rows.iter().filter_map(Value::as_object) {
        for column in cells.keys() {
            if reported.contains(&column.as_str()) {
                continue;
            }
            let error = match columns.iter().find(|c| &c.column == column) {
                None => FieldError::new(
                    format!("{field}.{column}"),
                    "hidden_field",
                    format!("{field} has no column {column} you can change"),
                ),
                Some(c) if !c.writable => FieldError::new(
                    format!("{field}.{column}"),
                    "read_only_field",
                    format!("You cannot change {field}.{column}: it is read-only"),
                ),
                Some(_) => continue,
            };
            reported.push(column);
            errors.push(error);
        }
    }
}

/// The written subform with, in each row, the current row's values of the columns the portal
/// user may not change (hidden or read-only) carried over. Rows are matched by position.
fn carry_over(input: &Value, current: Option<&Value>, columns: &[MaskedColumn]) -> Value {
    let (Value::Array(rows), Some(Value::Array(current_rows))) = (input, current) else {
        return input.clone();
    };
    let writable = |k: &str| columns.iter().any(|c| c.column == k && c.writable);
    Value::Array(
        rows.iter()
            .enumerate()
            .map(
                |(i, row)| match (row, current_rows.get(i).and_then(Value::as_object)) {
                    (Value::Object(cells), Some(stored)) => {
                        let mut cells = cells.clone();
                        for (k, v) in stored.iter().filter(|(k, _)| !writable(k)) {
                            cells.insert(k.clone(), v.clone());
                        }
                        Value::Object(cells)
                    }
                    _ => row.clone(),
                },
            )
            .collect(),
    )
}

/// Tables of (configuration, record or write, expected), after kanidm's access tests.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::Field;
    use crate::layout::Layout;
    use crate::module::Module;
    use crate::portal::fixtures::{VIEW, api, catalogue_data, tab};
    use crate::portal::{
        Catalogue, CheckedUserTypeConfig, FieldPermission, LayoutAccess, TabModule, TabRole,
        UserTypeConfig,
    };
    use crate::profile::ModulePermissions;
    use serde_json::json;

    type Data = Vec<(Module, Vec<Field>, Vec<Layout>)>;

    const EDIT: ModulePermissions = ModulePermissions {
        view: true,
        create: false,
        edit: true,
        delete: false,
    };

    /// A field permission written `"Email"` (visible, editable), `"Email:ro"` (read-only) or
    /// `"Email:hidden"`.
    fn perm(spec: &str) -> FieldPermission {
        let (field, mode) = spec.split_once(':').unwrap_or((spec, ""));
        FieldPermission {
            field: field.into(),
            visible: mode != "hidden",
            read_only: mode == "ro",
            columns: None,
        }
    }

    fn standard(specs: &[&str]) -> LayoutAccess {
        LayoutAccess {
            layout: "Standard".into(),
            fields: specs.iter().map(|s| perm(s)).collect(),
        }
    }

    /// Product_Details with these columns (same notation as [`perm`]); `None` shares them all.
    fn products(columns: Option<&[&str]>) -> FieldPermission {
        FieldPermission {
            columns: columns.map(|cols| {
                cols.iter()
                    .map(|c| {
                        let p = perm(c);
                        ColumnPermission {
                            column: p.field,
                            visible: p.visible,
                            read_only: p.read_only,
                        }
                    })
                    .collect()
            }),
            ..perm("Product_Details")
        }
    }

    /// Products shared publicly with or without its Unit_Price.
    fn products_tab(unit_price: bool) -> TabModule {
        let price = if unit_price {
            "Unit_Price:ro"
        } else {
            "Unit_Price:hidden"
        };
        tab(
            "Products",
            TabRole::Public,
            VIEW,
            vec![standard(&["Product_Name:ro", price])],
        )
    }

    /// Invoices of the portal user, with these permissions and fields.
    fn invoices(permissions: ModulePermissions, fields: Vec<FieldPermission>) -> TabModule {
        tab(
            "Invoices",
            TabRole::Related,
            permissions,
            vec![LayoutAccess {
                layout: "Standard".into(),
                fields,
            }],
        )
    }

    /// A Contacts user type whose own record shows `contact` and which shares `more`.
    fn config(data: &Data, contact: &[&str], more: Vec<TabModule>) -> CheckedUserTypeConfig {
        let cat = Catalogue {
            modules: data,
            web_tabs: &[],
        };
        let mut c = UserTypeConfig::starter("Customers", &api("Contacts"), true, 10, &cat);
        c.modules[0].layouts = vec![standard(contact)];
        c.modules[0].permissions.edit = true;
        c.modules.extend(more);
        c.check(&cat).unwrap()
    }

    fn mask(data: &Data, config: &CheckedUserTypeConfig, module: &str) -> FieldMask {
        let cat = Catalogue {
            modules: data,
            web_tabs: &[],
        };
        PortalPolicy::new(config, &cat).field_mask(module, "Standard")
    }

    fn object(v: serde_json::Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn invoice() -> Map<String, Value> {
        object(json!({
            "Subject": "INV-1",
            "Grand_Total": 90.0,
            "Product_Details": [
                {"Product": 7, "Quantity": 2, "List_Price": 50.0, "Discount": 10.0},
                {"Product": 8, "Quantity": 1, "List_Price": 5.0},
            ],
        }))
    }

    #[test]
    fn reads_return_only_visible_fields() {
        let data = catalogue_data();
        let ann = object(json!({
            "First_Name": "Ann", "Last_Name": "Lee", "Email": "ann@example.com",
            "Date_of_Birth": "1990-01-01", "Mailing_City": "Oslo",
        }));
        let all = [
            "First_Name",
            "Last_Name",
            "Email",
            "Date_of_Birth",
            "Mailing_City",
        ];
        let inactive = {
            let mut c = config(&data, &all, vec![]).into_inner();
            c.active = false;
            let cat = Catalogue {
                modules: &data,
                web_tabs: &[],
            };
            c.check(&cat).unwrap()
        };
        type Case = (
            &'static str,
            CheckedUserTypeConfig,
            &'static str,
            Map<String, Value>,
            Value,
        );
        #[rustfmt::skip]
        let cases: Vec<Case> = vec![
            ("every listed field", config(&data, &all, vec![]), "Contacts", ann.clone(),
                json!({"First_Name": "Ann", "Last_Name": "Lee", "Email": "ann@example.com",
                       "Date_of_Birth": "1990-01-01", "Mailing_City": "Oslo"})),
            ("a hidden field is not returned",
                config(&data, &["Last_Name", "Email:ro", "Date_of_Birth:hidden"], vec![]),
                "Contacts", ann.clone(), json!({"Last_Name": "Lee", "Email": "ann@example.com"})),
            ("an unlisted field is not returned", config(&data, &["Last_Name:ro"], vec![]),
                "Contacts", ann.clone(), json!({"Last_Name": "Lee"})),
            ("a field missing from the record stays missing",
                config(&data, &["Last_Name", "Mobile"], vec![]), "Contacts", ann.clone(),
                json!({"Last_Name": "Lee"})),
            ("an inactive user type sees nothing", inactive, "Contacts", ann.clone(), json!({})),
            ("an unshared module shows nothing", config(&data, &all, vec![]), "Invoices",
                invoice(), json!({})),
        ];
        for (name, config, module, record, expected) in cases {
            let mask = mask(&data, &config, module);
            assert_eq!(Value::Object(mask.reduce(&record)), expected, "{name}");
        }
        let config = config(&data, &all, vec![]);
        let cat = Catalogue {
            modules: &data,
            web_tabs: &[],
        };
        let policy = PortalPolicy::new(&config, &cat);
        assert!(
            policy.field_mask("Contacts", "Quick").fields.is_empty(),
            "an unshared layout shows nothing"
        );
        assert_eq!(policy.visible_fields("Contacts", "Standard"), all);
    }

    #[test]
    fn subform_columns_are_reduced() {
        let data = catalogue_data();
        let shared = |columns: Option<&[&str]>| {
            config(
                &data,
                &["Last_Name"],
                vec![
                    products_tab(true),
                    invoices(VIEW, vec![perm("Subject"), products(columns)]),
                ],
            )
        };
        #[rustfmt::skip]
        let cases: Vec<(&str, CheckedUserTypeConfig, Value)> = vec![
            ("all columns when none are listed", shared(None), json!([
                {"Product": 7, "Quantity": 2, "List_Price": 50.0, "Discount": 10.0},
                {"Product": 8, "Quantity": 1, "List_Price": 5.0}])),
            ("List_Price hidden", shared(Some(&["Product", "Quantity", "List_Price:hidden", "Discount"])),
                json!([{"Product": 7, "Quantity": 2, "Discount": 10.0}, {"Product": 8, "Quantity": 1}])),
            ("Discount hidden", shared(Some(&["Product", "Quantity", "List_Price", "Discount:hidden"])),
                json!([{"Product": 7, "Quantity": 2, "List_Price": 50.0},
                       {"Product": 8, "Quantity": 1, "List_Price": 5.0}])),
            ("unlisted columns hidden", shared(Some(&["Product", "Quantity"])),
                json!([{"Product": 7, "Quantity": 2}, {"Product": 8, "Quantity": 1}])),
        ];
        for (name, config, rows) in cases {
            let reduced = mask(&data, &config, "Invoices").reduce(&invoice());
            assert_eq!(
                Value::Object(reduced),
                json!({"Subject": "INV-1", "Product_Details": rows}),
                "{name}"
            );
        }
    }

    #[test]
    fn list_price_follows_unit_price() {
        let data = catalogue_data();
        let all = ["Product", "Quantity", "List_Price", "Discount"];
        // (Products shared?, Unit_Price visible?, Product_Details columns, List_Price shown?)
        #[rustfmt::skip]
        let cases: [(bool, bool, Option<&[&str]>, bool); 6] = [
            (true, true, None, true),
            (true, false, None, false),
            (false, false, None, false),
            (true, true, Some(&all), true),
            (true, false, Some(&all), false),
            (false, false, Some(&all), false),
        ];
        for (shared, unit_price, columns, shown) in cases {
            let mut more = vec![invoices(EDIT, vec![perm("Subject"), products(columns)])];
            if shared {
                more.push(products_tab(unit_price));
            } else {
                // Without Products nobody may add products: the subform is read-only.
                more[0].layouts[0].fields[1].read_only = true;
            }
            let config = config(&data, &["Last_Name"], more);
            let mask = mask(&data, &config, "Invoices");
            let case = format!("{shared} {unit_price} {columns:?}");
            let details = mask.field("Product_Details").unwrap();
            assert_eq!(details.column("List_Price").is_some(), shown, "{case}");
            assert!(details.column("Quantity").is_some(), "{case}");
            let reduced = mask.reduce(&invoice());
            let first = &reduced["Product_Details"][0];
            assert_eq!(first.get("List_Price").is_some(), shown, "{case}: read");
            let write = object(json!({"Product_Details": [{"Product": 7, "List_Price": 1.0}]}));
            let refused: Vec<(String, &str)> = match mask.apply_write(&write, Some(&invoice())) {
                Ok(_) => vec![],
                Err(e) => e
                    .errors()
                    .iter()
                    .map(|f| (f.field.clone(), f.code))
                    .collect(),
            };
            let expected = match (shared, shown) {
                (false, _) => vec![("Product_Details".to_string(), "read_only_field")],
                (true, true) => vec![],
                (true, false) => vec![("Product_Details.List_Price".to_string(), "hidden_field")],
            };
            assert_eq!(refused, expected, "{case}: write");
        }
    }

    #[test]
    fn writes_outside_the_mask_are_refused() {
        let data = catalogue_data();
        let config = config(
            &data,
            &[
                "First_Name",
                "Last_Name",
                "Email:ro",
                "Date_of_Birth:hidden",
            ],
            vec![
                products_tab(true),
                invoices(
                    EDIT,
                    vec![
                        perm("Subject"),
                        perm("Status:ro"),
                        products(Some(&[
                            "Product",
                            "Quantity",
                            "List_Price:ro",
                            "Discount:hidden",
                        ])),
                    ],
                ),
            ],
        );
        let view_only = config_with_view_only_invoices(&data);
        type Case<'c> = (
            &'static str,
            &'c CheckedUserTypeConfig,
            &'static str,
            Value,
            Vec<(&'static str, &'static str)>,
        );
        #[rustfmt::skip]
        let cases: Vec<Case<'_>> = vec![
            ("a writable field", &config, "Contacts", json!({"First_Name": "Ann"}), vec![]),
            ("a hidden field", &config, "Contacts", json!({"Date_of_Birth": "1990-01-01"}),
                vec![("Date_of_Birth", "hidden_field")]),
            ("a field that does not exist", &config, "Contacts", json!({"Nope": 1}),
                vec![("Nope", "hidden_field")]),
            ("a read-only field", &config, "Contacts", json!({"Email": "x@example.com"}),
                vec![("Email", "read_only_field")]),
            ("every offending field at once", &config, "Contacts",
                json!({"Email": "x@example.com", "Date_of_Birth": "1990-01-01", "First_Name": "A"}),
                vec![("Date_of_Birth", "hidden_field"), ("Email", "read_only_field")]),
            ("writable columns", &config, "Invoices",
                json!({"Product_Details": [{"Product": 7, "Quantity": 3}]}), vec![]),
            ("a hidden column", &config, "Invoices",
                json!({"Product_Details": [{"Product": 7, "Quantity": 3, "Discount": 1.0}]}),
                vec![("Product_Details.Discount", "hidden_field")]),
            ("a column that does not exist", &config, "Invoices",
                json!({"Product_Details": [{"Product": 7, "Cost": 1.0}]}),
                vec![("Product_Details.Cost", "hidden_field")]),
            ("a read-only column, once however many rows", &config, "Invoices",
                json!({"Product_Details": [{"List_Price": 1.0}, {"Product": 7, "List_Price": 2.0}]}),
                vec![("Product_Details.List_Price", "read_only_field")]),
            ("a read-only field of a writable module", &config, "Invoices",
                json!({"Status": "Paid"}), vec![("Status", "read_only_field")]),
            ("a visible field of a view-only module", &view_only, "Invoices",
                json!({"Subject": "Mine now"}), vec![("Subject", "read_only_field")]),
            ("a module not shared", &config, "Deals", json!({"Deal_Name": "D"}),
                vec![("Deal_Name", "hidden_field")]),
        ];
        for (name, config, module, input, expected) in cases {
            let mask = mask(&data, config, module);
            let result = mask.apply_write(&object(input), None);
            let refused: Vec<(&str, &str)> = match &result {
                Ok(_) => vec![],
                Err(e) => e
                    .errors()
                    .iter()
                    .map(|f| (f.field.as_str(), f.code))
                    .collect(),
            };
            assert_eq!(refused, expected, "{name}");
        }
        // Hidden and missing read the same, so a refusal does not reveal that a field exists.
        let contacts = mask(&data, &config, "Contacts");
        let message = |field: &str| {
            contacts
                .apply_write(&object(json!({ field: 1 })), None)
                .unwrap_err()
                .errors()[0]
                .message
                .replace(field, "X")
        };
        assert_eq!(
            message("Date_of_Birth"),
            "Contacts has no field X you can change"
        );
        assert_eq!(message("Date_of_Birth"), message("Nope"));
    }

    fn config_with_view_only_invoices(data: &Data) -> CheckedUserTypeConfig {
        config(
            data,
            &["Last_Name"],
            vec![invoices(VIEW, vec![perm("Subject"), perm("Status")])],
        )
    }

    #[test]
    fn a_write_keeps_what_the_portal_user_cannot_see() {
        let data = catalogue_data();
        let columns = ["Product", "Quantity", "List_Price:ro", "Discount:hidden"];
        let limited = config(
            &data,
            &["Last_Name"],
            vec![
                products_tab(true),
                invoices(EDIT, vec![perm("Subject"), products(Some(&columns))]),
            ],
        );
        // Every column shared, but List_Price hidden by the Unit Price rule.
        let no_price = config(
            &data,
            &["Last_Name"],
            vec![
                products_tab(false),
                invoices(EDIT, vec![perm("Subject"), products(None)]),
            ],
        );
        type Case<'c> = (
            &'static str,
            &'c CheckedUserTypeConfig,
            Value,
            Option<Map<String, Value>>,
            Value,
        );
        #[rustfmt::skip]
        let cases: Vec<Case<'_>> = vec![
            ("hidden and read-only columns carried over row by row", &limited,
                json!({"Product_Details": [{"Product": 7, "Quantity": 5}, {"Product": 9, "Quantity": 1}]}),
                Some(invoice()),
                json!({"Subject": "INV-1", "Grand_Total": 90.0, "Product_Details": [
                    {"Product": 7, "Quantity": 5, "List_Price": 50.0, "Discount": 10.0},
                    {"Product": 9, "Quantity": 1, "List_Price": 5.0}]})),
            ("a new row carries nothing", &limited,
                json!({"Subject": "New", "Product_Details": [{"Product": 7, "Quantity": 5},
                                                              {"Product": 8, "Quantity": 1},
                                                              {"Product": 9, "Quantity": 4}]}),
                Some(invoice()),
                json!({"Subject": "New", "Grand_Total": 90.0, "Product_Details": [
                    {"Product": 7, "Quantity": 5, "List_Price": 50.0, "Discount": 10.0},
                    {"Product": 8, "Quantity": 1, "List_Price": 5.0},
                    {"Product": 9, "Quantity": 4}]})),
            ("unwritten fields keep their values", &limited, json!({"Subject": "Renamed"}),
                Some(invoice()),
                json!({"Subject": "Renamed", "Grand_Total": 90.0,
                       "Product_Details": invoice()["Product_Details"].clone()})),
            ("on create only the input", &limited,
                json!({"Subject": "New", "Product_Details": [{"Product": 7, "Quantity": 1}]}), None,
                json!({"Subject": "New", "Product_Details": [{"Product": 7, "Quantity": 1}]})),
            ("a price hidden by the Unit Price rule is carried over", &no_price,
                json!({"Product_Details": [{"Product": 7, "Quantity": 3, "Discount": 0.0}]}),
                Some(invoice()),
                json!({"Subject": "INV-1", "Grand_Total": 90.0, "Product_Details": [
                    {"Product": 7, "Quantity": 3, "List_Price": 50.0, "Discount": 0.0}]})),
        ];
        for (name, config, input, current, expected) in cases {
            let saved = mask(&data, config, "Invoices")
                .apply_write(&object(input), current.as_ref())
                .unwrap();
            assert_eq!(Value::Object(saved), expected, "{name}");
        }
    }
}
