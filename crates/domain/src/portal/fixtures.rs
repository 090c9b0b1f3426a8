//! Test fixtures shared by the portal and portal access tests: the standard modules as an
//! org would have them, and small builders for tab configurations.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::{FieldPermission, LayoutAccess, TabModule, TabRole, TabView};
use crate::DomainError;
use crate::field::Field;
use crate::layout::{Layout, NewLayout};
use crate::module::{ApiName, DataSharing, Module, ModuleKind};
use crate::profile::ModulePermissions;
use crate::standard::standard_modules;

/// The standard modules as stored, with Products public read-only and a canvas on Deals.
pub(crate) fn catalogue_data() -> Vec<(Module, Vec<Field>, Vec<Layout>)> {
    let mut next = 0;
    standard_modules()
        .into_iter()
        .enumerate()
        .map(|(mi, spec)| {
            let module_id = i64::try_from(mi).unwrap() + 1;
            let fields: Vec<Field> = spec
                .fields
                .iter()
                .map(|f| {
                    next += 1;
                    let (api_name, label) = f.check().unwrap();
                    Field {
                        id: next,
                        module_id,
                        api_name,
                        label,
                        field_type: f.field_type.clone(),
                        mandatory: f.mandatory,
                        position: next,
                    }
                })
                .collect();
            let standard = NewLayout::standard(&fields);
            let layouts = vec![Layout {
                id: module_id,
                module_id,
                name: standard.name,
                sections: standard.sections,
            }];
            let module = Module {
                id: module_id,
                org_id: 1,
                api_name: spec.api_name.clone(),
                label: spec.label,
                kind: ModuleKind::Standard,
                sharing: if spec.api_name.as_str() == "Products" {
                    DataSharing::PublicReadOnly
                } else {
                    DataSharing::Private
                },
                name_fields: spec.name_fields,
                canvas_template: (spec.api_name.as_str() == "Deals")
                    .then(|| "{{Deal_Name}}".to_string()),
            };
            (module, fields, layouts)
        })
        .collect()
}

pub(crate) fn api(s: &str) -> ApiName {
    ApiName::parse(s).unwrap()
}

pub(crate) fn all_fields(
    data: &[(Module, Vec<Field>, Vec<Layout>)],
    module: &str,
    read_only: bool,
) -> LayoutAccess {
    let (_, fields, _) = data
        .iter()
        .find(|(m, _, _)| m.api_name.as_str() == module)
        .unwrap();
    LayoutAccess {
        layout: "Standard".into(),
        fields: fields
            .iter()
            .map(|f| FieldPermission {
                field: f.api_name.to_string(),
                visible: true,
                read_only,
                columns: None,
            })
            .collect(),
    }
}

pub(crate) fn tab(
    module: &str,
    role: TabRole,
    permissions: ModulePermissions,
    layouts: Vec<LayoutAccess>,
) -> TabModule {
    TabModule {
        module: api(module),
        role,
        permissions,
        view: TabView::List,
        lookup_fields: vec![],
        layouts,
    }
}

pub(crate) const VIEW: ModulePermissions = ModulePermissions {
    view: true,
    create: false,
    edit: false,
    delete: false,
};
pub(crate) const ALL: ModulePermissions = ModulePermissions::ALL;

pub(crate) fn codes(e: DomainError) -> Vec<&'static str> {
    e.errors().iter().map(|e| e.code).collect()
}
