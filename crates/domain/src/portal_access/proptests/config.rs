//! Random user type configurations, shaped by the catalogue into what the admin forms could
//! post.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

#[derive(Debug, Clone)]
pub(super) struct FieldChoice {
    pub(super) listed: bool,
    pub(super) visible: bool,
    pub(super) read_only: bool,
    /// Subforms: `None` shares every column; else per column (listed, visible, read-only).
    pub(super) columns: Option<Vec<(bool, bool, bool)>>,
}

#[derive(Debug, Clone)]
pub(super) struct TabChoice {
    pub(super) include: bool,
    pub(super) create: bool,
    pub(super) edit: bool,
    pub(super) delete: bool,
    /// Which lookups to the personality module the filter names (none: all of them).
    pub(super) lookups: Vec<bool>,
    /// Per catalogue layout: shared, with a choice per field on it.
    pub(super) layouts: Vec<Option<Vec<FieldChoice>>>,
    /// List the fields in reverse layout order (the configured order is the shown order).
    pub(super) reversed: bool,
}

pub(super) fn field_choice(subform: bool) -> impl Strategy<Value = FieldChoice> {
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

pub(super) fn tab_choice(module: &(Module, Vec<Field>, Vec<Layout>)) -> BoxedStrategy<TabChoice> {
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
pub(super) fn configuration(data: &Data, active: bool, choices: &[TabChoice]) -> UserTypeConfig {
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
