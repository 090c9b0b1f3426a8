//! Property test of the portal access policy against a reference model.
//!
//! Random catalogues (a personality module; related modules with several lookups to it, other
//! lookups, mandatory fields and a product subform; a public and a private module; Products),
//! random user type configurations the check accepts, random records and a random "me". The
//! model below is written from the product rules, not from `scope()` or `field_mask()`:
//!
//! - the personality module reaches the portal user's own record; a related module the records
//!   whose chosen lookups (all lookups to the personality module when none are chosen) hold it;
//!   a public module every record, view only; an inactive user type nothing;
//! - the visible fields of a layout are the ones listed visible; a field is writable when
//!   visible, not read-only, and the user type may create or edit the module;
//! - a subform shows every column when none are listed, else the listed visible ones, writable
//!   only where the subform is and the column is not read-only; a product list's List_Price
//!   shows only where Products' Unit_Price does.
//!
//! For every case: the records reached are exactly the model's, every reached record reduces to
//! exactly the model's fields and columns, and a write is refused exactly where the model says
//! it touches something not writable (and, when accepted, saves what the model says).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::{PortalPolicy, PortalScope};
use crate::Id;
use crate::field::{Field, FieldType, SubformField};
use crate::layout::{Layout, Section};
use crate::module::{ApiName, DataSharing, Module, ModuleKind};
use crate::portal::{
    Catalogue, ColumnPermission, FieldPermission, LayoutAccess, TabModule, TabRole, TabView,
    UserTypeConfig,
};
use crate::profile::{Action, ModulePermissions};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

type Data = Vec<(Module, Vec<Field>, Vec<Layout>)>;
type Record = Map<String, Value>;

const PERSONALITY: &str = "Contacts";
/// Invoices first: an inventory module, where editing products needs Products shared.
const RELATED: [&str; 3] = ["Invoices", "Deals", "Cases"];
const PUBLIC: &str = "Catalog";
const PRIVATE: &str = "Vault";
const PRODUCTS: &str = "Products";
const LOOKUPS: [&str; 3] = ["Buyer", "Referrer", "Witness"];
/// Columns a write may name: the subform's four and one it does not have.
const WRITE_COLUMNS: [&str; 5] = ["Product", "Quantity", "List_Price", "Discount", "Cost"];

// ---------------------------------------------------------------------------------------------
// Catalogues

#[derive(Debug, Clone)]
struct RelatedSpec {
    /// Single lookups to the personality module (2 or 3).
    lookups: usize,
    /// Plus a multi-select lookup to it.
    watchers: bool,
    /// Title is mandatory.
    mandatory_title: bool,
    /// A Product_Details subform; `Some(true)`: its Quantity column is mandatory.
    subform: Option<bool>,
    /// Which optional fields layout B keeps, by position.
    layout_b: Vec<bool>,
}

#[derive(Debug, Clone)]
struct CatalogueSpec {
    /// Personality records, ids 1..=contacts.
    contacts: i64,
    related: Vec<RelatedSpec>,
}

fn catalogue_spec() -> impl Strategy<Value = CatalogueSpec> {
    let related = (
        2usize..=3,
        any::<bool>(),
        any::<bool>(),
        option::weighted(0.8, any::<bool>()),
        vec(any::<bool>(), 10),
    )
        .prop_map(
            |(lookups, watchers, mandatory_title, subform, layout_b)| RelatedSpec {
                lookups,
                watchers,
                mandatory_title,
                subform,
                layout_b,
            },
        );
    (1i64..=4, vec(related, 1..=3))
        .prop_map(|(contacts, related)| CatalogueSpec { contacts, related })
}

fn name(s: &str) -> ApiName {
    ApiName::parse(s).unwrap()
}

fn lookup(target: &str) -> FieldType {
    FieldType::Lookup {
        target_module: name(target),
    }
}

fn product_details(quantity_mandatory: bool) -> FieldType {
    let column = |api: &str, field_type, mandatory| SubformField {
        api_name: name(api),
        label: api.into(),
        field_type,
        mandatory,
    };
    FieldType::Subform {
        fields: vec![
            column("Product", lookup(PRODUCTS), true),
            column("Quantity", FieldType::Number, quantity_mandatory),
            column("List_Price", FieldType::Currency, false),
            column("Discount", FieldType::Currency, false),
        ],
    }
}

/// The catalogue a spec describes. Every module has layout A (every field) and layout B (the
/// mandatory fields and some others).
fn build(spec: &CatalogueSpec) -> Data {
    let mut data: Data = Vec::new();
    let mut next_field: Id = 0;
    let mut add = |module: &str,
                   sharing: DataSharing,
                   fields: Vec<(String, FieldType, bool)>,
                   keep_in_b: &dyn Fn(usize) -> bool| {
        let module_id = Id::try_from(data.len()).unwrap() + 1;
        let fields: Vec<Field> = fields
            .into_iter()
            .map(|(api, field_type, mandatory)| {
                next_field += 1;
                Field {
                    id: next_field,
                    module_id,
                    api_name: name(&api),
                    label: api,
                    field_type,
                    mandatory,
                    position: next_field,
                }
            })
            .collect();
        let layout = |id: Id, layout: &str, keep: &dyn Fn(usize, &Field) -> bool| Layout {
            id,
            module_id,
            name: layout.into(),
            sections: vec![Section {
                name: "Main".into(),
                fields: fields
                    .iter()
                    .enumerate()
                    .filter(|(i, f)| keep(*i, f))
                    .map(|(_, f)| f.api_name.to_string())
                    .collect(),
            }],
        };
        let layouts = vec![
            layout(module_id * 10, "A", &|_, _| true),
            layout(module_id * 10 + 1, "B", &|i, f| f.mandatory || keep_in_b(i)),
        ];
        let module = Module {
            id: module_id,
            org_id: 1,
            api_name: name(module),
            label: module.into(),
            kind: ModuleKind::Custom,
            sharing,
            name_fields: vec![],
            canvas_template: None,
        };
        data.push((module, fields, layouts));
    };
    let f = |api: &str, field_type: FieldType, mandatory: bool| {
        (api.to_string(), field_type, mandatory)
    };
    add(
        PERSONALITY,
        DataSharing::Private,
        vec![
            f("Last_Name", FieldType::Text, true),
            f("Email", FieldType::Email, false),
            f("Secret", FieldType::Text, false),
            f("Phone", FieldType::Phone, false),
        ],
        &|i| i == 1,
    );
    for (r, rs) in spec.related.iter().enumerate() {
        let mut fields = vec![f("Subject", FieldType::Text, true)];
        for l in &LOOKUPS[..rs.lookups] {
            fields.push(f(l, lookup(PERSONALITY), false));
        }
        if rs.watchers {
            fields.push(f(
                "Watchers",
                FieldType::MultiselectLookup {
                    target_module: name(PERSONALITY),
                },
                false,
            ));
        }
        // A lookup that is not to the personality module never decides "their" records.
        fields.push(f("Vault_Ref", lookup(PRIVATE), false));
        fields.push(f("Title", FieldType::Text, rs.mandatory_title));
        fields.push(f("Amount", FieldType::Currency, false));
        if let Some(quantity_mandatory) = rs.subform {
            fields.push(f(
                "Product_Details",
                product_details(quantity_mandatory),
                false,
            ));
        }
        let keep = rs.layout_b.clone();
        add(RELATED[r], DataSharing::Private, fields, &move |i| {
            keep[i % keep.len()]
        });
    }
    add(
        PUBLIC,
        DataSharing::PublicReadOnly,
        vec![
            f("Name", FieldType::Text, true),
            f("Price", FieldType::Currency, false),
            f("Notes", FieldType::LongText, false),
        ],
        &|_| false,
    );
    add(
        PRIVATE,
        DataSharing::Private,
        vec![
            f("Name", FieldType::Text, true),
            f("Owner", lookup(PERSONALITY), false),
            f("Secret", FieldType::Text, false),
        ],
        &|i| i == 2,
    );
    add(
        PRODUCTS,
        DataSharing::PublicReadOnly,
        vec![
            f("Product_Name", FieldType::Text, true),
            f("Unit_Price", FieldType::Currency, false),
            f("Cost", FieldType::Currency, false),
        ],
        &|i| i == 1,
    );
    data
}

fn module_of<'d>(data: &'d Data, module: &str) -> &'d (Module, Vec<Field>, Vec<Layout>) {
    data.iter()
        .find(|(m, _, _)| m.api_name.as_str() == module)
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Configurations: random choices, shaped by the catalogue into what the admin forms could post

#[derive(Debug, Clone)]
struct FieldChoice {
    listed: bool,
    visible: bool,
    read_only: bool,
    /// Subforms: `None` shares every column; else per column (listed, visible, read-only).
    columns: Option<Vec<(bool, bool, bool)>>,
}

#[derive(Debug, Clone)]
struct TabChoice {
    include: bool,
    create: bool,
    edit: bool,
    delete: bool,
    /// Which lookups to the personality module the filter names (none: all of them).
    lookups: Vec<bool>,
    /// Per catalogue layout: shared, with a choice per field on it.
    layouts: Vec<Option<Vec<FieldChoice>>>,
    /// List the fields in reverse layout order (the configured order is the shown order).
    reversed: bool,
}

fn field_choice(subform: bool) -> impl Strategy<Value = FieldChoice> {
    let columns = if subform {
        option::of(vec((any::<bool>(), any::<bool>(), any::<bool>()), 4)).boxed()
    } else {
        Just(None).boxed()
    };
    (
        prop::bool::weighted(0.7),
        prop::bool::weighted(0.7),
        prop::bool::weighted(0.3),
        columns,
    )
        .prop_map(|(listed, visible, read_only, columns)| FieldChoice {
            listed,
            visible,
            read_only,
            columns,
        })
}

fn tab_choice(module: &(Module, Vec<Field>, Vec<Layout>)) -> BoxedStrategy<TabChoice> {
    let (_, fields, layouts) = module;
    let layouts: Vec<_> = layouts
        .iter()
        .map(|l| {
            let choices: Vec<_> = l
                .field_names()
                .map(|n| {
                    let subform = fields.iter().any(|f| {
                        f.api_name.as_str() == n
                            && matches!(f.field_type, FieldType::Subform { .. })
                    });
                    field_choice(subform)
                })
                .collect();
            option::weighted(0.7, choices)
        })
        .collect();
    (
        prop::bool::weighted(0.8),
        (any::<bool>(), any::<bool>(), any::<bool>()),
        vec(any::<bool>(), LOOKUPS.len() + 1),
        layouts,
        any::<bool>(),
    )
        .prop_map(
            |(include, (create, edit, delete), lookups, layouts, reversed)| TabChoice {
                include,
                create,
                edit,
                delete,
                lookups,
                layouts,
                reversed,
            },
        )
        .boxed()
}

/// Turns the choices into a configuration: roles by module, mandatory fields shown and editable
/// where records are created, mandatory columns kept where the subform is editable, products
/// read-only in Invoices unless Products is shared — so most configurations pass the check.
fn configuration(data: &Data, active: bool, choices: &[TabChoice]) -> UserTypeConfig {
    let products_shared = data
        .iter()
        .zip(choices)
        .any(|((m, _, _), c)| m.api_name.as_str() == PRODUCTS && c.include);
    let mut modules = Vec::new();
    for ((module, fields, layouts), choice) in data.iter().zip(choices) {
        let api = module.api_name.as_str();
        let role = match api {
            PERSONALITY => TabRole::Personality,
            PUBLIC | PRODUCTS => TabRole::Public,
            PRIVATE => continue,
            _ => TabRole::Related,
        };
        if role != TabRole::Personality && !choice.include {
            continue;
        }
        let permissions = match role {
            TabRole::Personality => ModulePermissions {
                view: true,
                edit: choice.edit,
                ..Default::default()
            },
            TabRole::Public => ModulePermissions {
                view: true,
                ..Default::default()
            },
            TabRole::Related => ModulePermissions {
                view: true,
                create: choice.create,
                edit: choice.edit,
                delete: choice.delete,
            },
        };
        let writes = permissions.create || permissions.edit;
        let lookup_fields = if role == TabRole::Related {
            fields
                .iter()
                .filter(|f| {
                    f.field_type
                        .lookup_target()
                        .is_some_and(|t| t.as_str() == PERSONALITY)
                })
                .zip(&choice.lookups)
                .filter(|(_, chosen)| **chosen)
                .map(|(f, _)| f.api_name.to_string())
                .collect()
        } else {
            Vec::new()
        };
        let mut shared = Vec::new();
        for (layout, picked) in layouts.iter().zip(&choice.layouts) {
            let Some(field_choices) = picked else {
                continue;
            };
            let mut perms = Vec::new();
            for (field_name, c) in layout.field_names().zip(field_choices) {
                let field = fields
                    .iter()
                    .find(|f| f.api_name.as_str() == field_name)
                    .unwrap();
                let mut p = FieldPermission {
                    field: field_name.to_string(),
                    visible: c.visible,
                    read_only: c.read_only,
                    columns: None,
                };
                if field.mandatory && permissions.create {
                    p.visible = true;
                    p.read_only = false;
                } else if !c.listed {
                    continue;
                }
                if let FieldType::Subform { fields: columns } = &field.field_type {
                    if api == RELATED[0] && writes && !products_shared {
                        p.read_only = true;
                    }
                    p.columns = c.columns.as_ref().map(|cols| {
                        columns
                            .iter()
                            .zip(cols)
                            .filter(|(col, (listed, _, _))| *listed || col.mandatory)
                            .map(|(col, (_, visible, read_only))| {
                                let keep = col.mandatory && !p.read_only;
                                ColumnPermission {
                                    column: col.api_name.to_string(),
                                    visible: *visible || keep,
                                    read_only: *read_only && !keep,
                                }
                            })
                            .collect()
                    });
                }
                perms.push(p);
            }
            if choice.reversed {
                perms.reverse();
            }
            shared.push(LayoutAccess {
                layout: layout.name.clone(),
                fields: perms,
            });
        }
        if shared.is_empty() {
            // Every shared module has a layout: share A with nothing on it, or with what a
            // creating user needs.
            shared.push(LayoutAccess {
                layout: layouts[0].name.clone(),
                fields: fields
                    .iter()
                    .filter(|f| f.mandatory && permissions.create)
                    .map(|f| FieldPermission {
                        field: f.api_name.to_string(),
                        visible: true,
                        read_only: false,
                        columns: None,
                    })
                    .collect(),
            });
        }
        modules.push(TabModule {
            module: module.api_name.clone(),
            role,
            permissions,
            view: TabView::List,
            lookup_fields,
            layouts: shared,
        });
    }
    UserTypeConfig {
        name: "Customers".into(),
        personality_module: name(PERSONALITY),
        customer: true,
        active,
        seats: 10,
        modules,
        web_tabs: vec![],
    }
}

// ---------------------------------------------------------------------------------------------
// Records and writes

fn value(field_type: &FieldType, contacts: i64) -> BoxedStrategy<Value> {
    let me_or_other = 1..=contacts;
    match field_type {
        FieldType::Lookup { target_module } if target_module.as_str() == PERSONALITY => {
            me_or_other.prop_map(Value::from).boxed()
        }
        FieldType::MultiselectLookup { target_module } if target_module.as_str() == PERSONALITY => {
            vec(me_or_other, 0..=3).prop_map(|ids| json!(ids)).boxed()
        }
        FieldType::Lookup { .. } | FieldType::MultiselectLookup { .. } => {
            (1i64..50).prop_map(Value::from).boxed()
        }
        FieldType::Subform { fields } => {
            let cells: Vec<_> = fields
                .iter()
                .map(|c| {
                    let column = c.api_name.to_string();
                    option::weighted(0.8, value(&c.field_type, contacts))
                        .prop_map(move |v| v.map(|v| (column.clone(), v)))
                })
                .collect();
            let row = cells.prop_map(|cells| Value::Object(cells.into_iter().flatten().collect()));
            vec(row, 0..=3).prop_map(Value::Array).boxed()
        }
        _ => (0u16..1000).prop_map(|n| json!(format!("v{n}"))).boxed(),
    }
}

fn record(fields: &[Field], contacts: i64) -> BoxedStrategy<Record> {
    let cells: Vec<_> = fields
        .iter()
        .map(|f| {
            let field = f.api_name.to_string();
            option::weighted(0.8, value(&f.field_type, contacts))
                .prop_map(move |v| v.map(|v| (field.clone(), v)))
        })
        .collect();
    cells
        .prop_map(|cells| cells.into_iter().flatten().collect())
        .boxed()
}

/// A portal user's write: some of the module's fields, sometimes one it does not have; a
/// subform's rows name any of its columns, and sometimes one it does not have.
fn write(fields: &[Field], contacts: i64) -> BoxedStrategy<Record> {
    let mut keys: Vec<(String, BoxedStrategy<Value>)> = fields
        .iter()
        .map(|f| {
            let v = match &f.field_type {
                FieldType::Subform { .. } => {
                    let row: Vec<_> = WRITE_COLUMNS
                        .iter()
                        .map(|c| {
                            option::weighted(0.4, 1i64..20).prop_map(move |v| v.map(|v| (*c, v)))
                        })
                        .collect();
                    let row = row.prop_map(|cells| {
                        Value::Object(
                            cells
                                .into_iter()
                                .flatten()
                                .map(|(c, v)| (c.to_string(), Value::from(v)))
                                .collect(),
                        )
                    });
                    vec(row, 1..=3).prop_map(Value::Array).boxed()
                }
                other => value(other, contacts),
            };
            (f.api_name.to_string(), v)
        })
        .collect();
    keys.push(("Nope".into(), Just(json!("x")).boxed()));
    let cells: Vec<_> = keys
        .into_iter()
        .map(|(k, v)| option::weighted(0.5, v).prop_map(move |v| v.map(|v| (k.clone(), v))))
        .collect();
    cells
        .prop_map(|cells| cells.into_iter().flatten().collect())
        .boxed()
}

#[derive(Debug, Clone)]
struct Case {
    spec: CatalogueSpec,
    config: UserTypeConfig,
    /// Per catalogue module, its records (id, data); personality records have ids 1..=contacts.
    records: Vec<Vec<(Id, Record)>>,
    /// Per catalogue module, one write.
    writes: Vec<Record>,
    me: Id,
}

fn cases() -> impl Strategy<Value = Case> {
    catalogue_spec().prop_flat_map(|spec| {
        let data = build(&spec);
        let contacts = spec.contacts;
        let tabs: Vec<_> = data.iter().map(tab_choice).collect();
        let records: Vec<_> = data
            .iter()
            .map(|(m, fields, _)| {
                let count = if m.api_name.as_str() == PERSONALITY {
                    usize::try_from(contacts).unwrap()..=usize::try_from(contacts).unwrap()
                } else {
                    0..=4
                };
                vec(record(fields, contacts), count)
            })
            .collect();
        let writes: Vec<_> = data.iter().map(|(_, f, _)| write(f, contacts)).collect();
        (
            prop::bool::weighted(0.85),
            tabs,
            records,
            writes,
            1..=contacts,
        )
            .prop_map(move |(active, tabs, records, writes, me)| Case {
                spec: spec.clone(),
                config: configuration(&data, active, &tabs),
                records: records
                    .into_iter()
                    .enumerate()
                    .map(|(mi, rs)| {
                        let base = if mi == 0 {
                            0
                        } else {
                            Id::try_from(mi).unwrap() * 100
                        };
                        (base + 1..).zip(rs).collect()
                    })
                    .collect(),
                writes,
                me,
            })
    })
}

// ---------------------------------------------------------------------------------------------
// The reference model

/// What the model says of one visible field: writable, and for a subform its visible columns
/// with whether each is writable.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ModelField {
    writable: bool,
    columns: Option<BTreeMap<String, bool>>,
}

struct Model<'a> {
    config: &'a UserTypeConfig,
    data: &'a Data,
}

impl Model<'_> {
    fn tab(&self, module: &str) -> Option<&TabModule> {
        if !self.config.active {
            return None;
        }
        self.config
            .modules
            .iter()
            .find(|t| t.module.as_str() == module)
    }

    fn allows(&self, module: &str, action: Action) -> bool {
        let Some(tab) = self.tab(module) else {
            return false;
        };
        let p = tab.permissions;
        match (tab.role, action) {
            (_, Action::View) => true,
            (TabRole::Public, _) => false,
            (TabRole::Personality, Action::Edit) => p.edit,
            (TabRole::Personality, _) => false,
            (TabRole::Related, Action::Create) => p.create,
            (TabRole::Related, Action::Edit) => p.edit,
            (TabRole::Related, Action::Delete) => p.delete,
        }
    }

    /// The (module, record id) pairs the portal user reaches.
    fn reach(&self, records: &[Vec<(Id, Record)>], me: Id) -> BTreeSet<(String, Id)> {
        let mut out = BTreeSet::new();
        for ((module, fields, _), rs) in self.data.iter().zip(records) {
            let api = module.api_name.as_str();
            let Some(tab) = self.tab(api) else {
                continue;
            };
            let filter: Vec<&str> = match tab.role {
                TabRole::Related if tab.lookup_fields.is_empty() => fields
                    .iter()
                    .filter(|f| {
                        f.field_type
                            .lookup_target()
                            .is_some_and(|t| t.as_str() == PERSONALITY)
                    })
                    .map(|f| f.api_name.as_str())
                    .collect(),
                _ => tab.lookup_fields.iter().map(String::as_str).collect(),
            };
            for (id, data) in rs {
                let reached = match tab.role {
                    TabRole::Personality => *id == me,
                    TabRole::Public => true,
                    TabRole::Related => filter.iter().any(|l| points_at(data.get(*l), me)),
                };
                if reached {
                    out.insert((api.to_string(), *id));
                }
            }
        }
        out
    }

    fn shows_price(&self) -> bool {
        self.tab(PRODUCTS).is_some_and(|t| {
            t.layouts.iter().any(|l| {
                l.fields
                    .iter()
                    .any(|p| p.field == "Unit_Price" && p.visible)
            })
        })
    }

    fn mask(&self, module: &str, layout: &str) -> BTreeMap<String, ModelField> {
        let mut out = BTreeMap::new();
        let Some(access) = self
            .tab(module)
            .and_then(|t| t.layouts.iter().find(|l| l.layout == layout))
        else {
            return out;
        };
        let may_write = self.allows(module, Action::Create) || self.allows(module, Action::Edit);
        let (_, fields, _) = module_of(self.data, module);
        for p in access.fields.iter().filter(|p| p.visible) {
            let writable = may_write && !p.read_only;
            let field = fields
                .iter()
                .find(|f| f.api_name.as_str() == p.field)
                .unwrap();
            let columns = match &field.field_type {
                FieldType::Subform { fields: columns } => {
                    let mut visible: BTreeMap<String, bool> = match &p.columns {
                        None => columns
                            .iter()
                            .map(|c| (c.api_name.to_string(), writable))
                            .collect(),
                        Some(listed) => listed
                            .iter()
                            .filter(|c| c.visible)
                            .map(|c| (c.column.clone(), writable && !c.read_only))
                            .collect(),
                    };
                    let product_list = columns.iter().any(|c| {
                        c.api_name.as_str() == "Product"
                            && c.field_type.lookup_target().map(ApiName::as_str) == Some(PRODUCTS)
                    });
                    if product_list && !self.shows_price() {
                        visible.remove("List_Price");
                    }
                    Some(visible)
                }
                _ => None,
            };
            out.insert(p.field.clone(), ModelField { writable, columns });
        }
        out
    }
}

fn points_at(value: Option<&Value>, me: Id) -> bool {
    match value {
        Some(Value::Number(n)) => n.as_i64() == Some(me),
        Some(Value::Array(ids)) => ids.iter().any(|v| v.as_i64() == Some(me)),
        _ => false,
    }
}

/// A record as the model lets it out.
fn model_reduce(mask: &BTreeMap<String, ModelField>, data: &Record) -> Record {
    let mut out = Record::new();
    for (k, v) in data {
        let Some(field) = mask.get(k) else {
            continue;
        };
        let v = match (&field.columns, v) {
            (Some(columns), Value::Array(rows)) => Value::Array(
                rows.iter()
                    .map(|row| {
                        Value::Object(
                            row.as_object()
                                .unwrap()
                                .iter()
                                .filter(|(c, _)| columns.contains_key(*c))
                                .map(|(c, v)| (c.clone(), v.clone()))
                                .collect(),
                        )
                    })
                    .collect(),
            ),
            _ => v.clone(),
        };
        out.insert(k.clone(), v);
    }
    out
}

/// What the model refuses of a write: (field or field.column, code).
fn model_refusals(
    mask: &BTreeMap<String, ModelField>,
    input: &Record,
) -> BTreeSet<(String, &'static str)> {
    let mut out = BTreeSet::new();
    for (k, v) in input {
        match mask.get(k) {
            None => {
                out.insert((k.clone(), "hidden_field"));
            }
            Some(f) if !f.writable => {
                out.insert((k.clone(), "read_only_field"));
            }
            Some(f) => {
                let (Some(columns), Value::Array(rows)) = (&f.columns, v) else {
                    continue;
                };
                for c in rows.iter().flat_map(|r| r.as_object().unwrap().keys()) {
                    match columns.get(c) {
                        None => {
                            out.insert((format!("{k}.{c}"), "hidden_field"));
                        }
                        Some(false) => {
                            out.insert((format!("{k}.{c}"), "read_only_field"));
                        }
                        Some(true) => {}
                    }
                }
            }
        }
    }
    out
}

/// What the model saves for an accepted write: the stored record with the input on top, each
/// written subform row keeping the stored row's values of the columns the user may not write.
fn model_save(
    mask: &BTreeMap<String, ModelField>,
    input: &Record,
    current: Option<&Record>,
) -> Record {
    let mut out = current.cloned().unwrap_or_default();
    for (k, v) in input {
        let columns = mask.get(k).and_then(|f| f.columns.as_ref());
        let stored_rows = current.and_then(|c| c.get(k)).and_then(Value::as_array);
        let v = match (columns, v, stored_rows) {
            (Some(columns), Value::Array(rows), Some(stored)) => Value::Array(
                rows.iter()
                    .enumerate()
                    .map(|(i, row)| {
                        let mut row = row.as_object().unwrap().clone();
                        if let Some(old) = stored.get(i).and_then(Value::as_object) {
                            for (c, old_v) in old {
                                if columns.get(c) != Some(&true) {
                                    row.insert(c.clone(), old_v.clone());
                                }
                            }
                        }
                        Value::Object(row)
                    })
                    .collect(),
            ),
            _ => v.clone(),
        };
        out.insert(k.clone(), v);
    }
    out
}

/// A write cut down to the fields the model says are writable; with `columns`, each subform
/// row also cut down to the writable columns.
fn cut_down(mask: &BTreeMap<String, ModelField>, input: &Record, columns: bool) -> Record {
    input
        .iter()
        .filter_map(|(k, v)| {
            let field = mask.get(k).filter(|f| f.writable)?;
            let v = match (&field.columns, v) {
                (Some(cols), Value::Array(rows)) if columns => Value::Array(
                    rows.iter()
                        .map(|row| {
                            Value::Object(
                                row.as_object()
                                    .unwrap()
                                    .iter()
                                    .filter(|(c, _)| cols.get(*c) == Some(&true))
                                    .map(|(c, v)| (c.clone(), v.clone()))
                                    .collect(),
                            )
                        })
                        .collect(),
                ),
                _ => v.clone(),
            };
            Some((k.clone(), v))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The code under test, driven as the store and the portal drive it

/// The records a policy reaches when its scope is applied to the records in memory, as the
/// store applies it to the database.
fn policy_reach(
    policy: &PortalPolicy<'_>,
    data: &Data,
    records: &[Vec<(Id, Record)>],
    me: Id,
) -> BTreeSet<(String, Id)> {
    let mut out = BTreeSet::new();
    for ((module, fields, _), rs) in data.iter().zip(records) {
        let api = module.api_name.as_str();
        let Some(scope) = policy.scope(api) else {
            continue;
        };
        // The store answers "own" with the portal user's record, whatever module asked.
        if scope == PortalScope::Own {
            out.insert((api.to_string(), me));
            continue;
        }
        for (id, record) in rs {
            let reached = match &scope {
                PortalScope::Own => unreachable!("answered above"),
                PortalScope::All => true,
                PortalScope::LinkedBy(field_ids) => fields
                    .iter()
                    .filter(|f| field_ids.contains(&f.id))
                    .any(|f| points_at(record.get(f.api_name.as_str()), me)),
            };
            if reached {
                out.insert((api.to_string(), *id));
            }
        }
    }
    out
}

fn policy_mask(mask: &super::FieldMask) -> BTreeMap<String, ModelField> {
    let out: BTreeMap<String, ModelField> = mask
        .fields
        .iter()
        .map(|f| {
            let columns = f.columns.as_ref().map(|cols| {
                let map: BTreeMap<String, bool> = cols
                    .iter()
                    .map(|c| (c.column.clone(), c.writable))
                    .collect();
                assert_eq!(map.len(), cols.len(), "a column appears once");
                map
            });
            (
                f.field.clone(),
                ModelField {
                    writable: f.writable,
                    columns,
                },
            )
        })
        .collect();
    assert_eq!(out.len(), mask.fields.len(), "a field appears once");
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn the_policy_lets_out_exactly_what_the_model_allows(case in cases()) {
        let data = build(&case.spec);
        let cat = Catalogue { modules: &data, web_tabs: &[] };
        let checked = case.config.clone().check(&cat);
        // Only configurations the save path accepts exist in the database.
        prop_assume!(checked.is_ok(), "{:?}", checked.err());
        let checked = checked.unwrap();
        let policy = PortalPolicy::new(&checked, &cat);
        let model = Model { config: &case.config, data: &data };

        // Tabs and actions.
        let tabs: BTreeSet<String> = policy.tabs().into_iter().map(|t| t.module).collect();
        let model_tabs: BTreeSet<String> = data
            .iter()
            .map(|(m, _, _)| m.api_name.to_string())
            .filter(|m| model.tab(m).is_some())
            .collect();
        prop_assert_eq!(tabs, model_tabs);
        for (m, _, _) in &data {
            for action in [Action::View, Action::Create, Action::Edit, Action::Delete] {
                let api = m.api_name.as_str();
                prop_assert_eq!(policy.allows(api, action), model.allows(api, action), "{} {:?}", api, action);
            }
        }

        // Records: the policy's scope reaches exactly the model's records.
        let reached = policy_reach(&policy, &data, &case.records, case.me);
        prop_assert_eq!(&reached, &model.reach(&case.records, case.me));

        for (((module, _, layouts), records), input) in data.iter().zip(&case.records).zip(&case.writes) {
            let api = module.api_name.as_str();
            for layout in layouts {
                let mask = policy.field_mask(api, &layout.name);
                let expected = model.mask(api, &layout.name);
                prop_assert_eq!(&policy_mask(&mask), &expected, "{}/{}", api, layout.name);
                // Shown in the configured order.
                let configured: Vec<&str> = model
                    .tab(api)
                    .and_then(|t| t.layouts.iter().find(|l| l.layout == layout.name))
                    .map(|l| l.fields.iter().filter(|p| p.visible).map(|p| p.field.as_str()).collect())
                    .unwrap_or_default();
                prop_assert_eq!(mask.visible_fields().collect::<Vec<_>>(), configured);

                // Reads: every reached record comes out with exactly the model's fields.
                for (id, data) in records {
                    if reached.contains(&(api.to_string(), *id)) {
                        prop_assert_eq!(mask.reduce(data), model_reduce(&expected, data), "{}#{}", api, id);
                    }
                }

                // Writes: refused exactly where the model refuses; otherwise saved as it says.
                // Besides the random write, the same write cut down to the fields the model lets
                // the user change (rows as written, then rows cut down to writable columns), so
                // accepted writes and column refusals are common too.
                let stored = records
                    .iter()
                    .map(|(_, d)| d)
                    .max_by_key(|d| d.get("Product_Details").and_then(Value::as_array).map_or(0, Vec::len));
                let writable_fields = cut_down(&expected, input, false);
                let writable_columns = cut_down(&expected, input, true);
                for (input, current) in [input, &writable_fields, &writable_columns]
                    .into_iter()
                    .flat_map(|i| [(i, None), (i, stored)])
                {
                    let refused = model_refusals(&expected, input);
                    match mask.apply_write(input, current) {
                        Ok(saved) => {
                            prop_assert!(refused.is_empty(), "{}/{}: accepted {:?}, model refuses {:?}", api, layout.name, input, refused);
                            prop_assert_eq!(saved, model_save(&expected, input, current));
                        }
                        Err(e) => {
                            let got: Vec<(String, &str)> =
                                e.errors().iter().map(|f| (f.field.clone(), f.code)).collect();
                            let got_set: BTreeSet<(String, &str)> = got.iter().cloned().collect();
                            prop_assert_eq!(got.len(), got_set.len(), "one error per field");
                            prop_assert_eq!(got_set, refused, "{}/{}: {:?}", api, layout.name, input);
                        }
                    }
                }
            }
        }
    }
}
