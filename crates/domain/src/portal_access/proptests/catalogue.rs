//! Random catalogues: a personality module, related modules with several lookups to it, a
//! public and a private module, Products; every module with two layouts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

#[derive(Debug, Clone)]
pub(super) struct RelatedSpec {
    /// Single lookups to the personality module (2 or 3).
    pub(super) lookups: usize,
    /// Plus a multi-select lookup to it.
    pub(super) watchers: bool,
    /// Title is mandatory.
    pub(super) mandatory_title: bool,
    /// A Product_Details subform; `Some(true)`: its Quantity column is mandatory.
    pub(super) subform: Option<bool>,
    /// Which optional fields layout B keeps, by position.
    pub(super) layout_b: Vec<bool>,
}

#[derive(Debug, Clone)]
pub(super) struct CatalogueSpec {
    /// Personality records, ids 1..=contacts.
    pub(super) contacts: i64,
    pub(super) related: Vec<RelatedSpec>,
}

pub(super) fn catalogue_spec() -> impl Strategy<Value = CatalogueSpec> {
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

pub(super) fn name(s: &str) -> ApiName {
    ApiName::parse(s).unwrap()
}

pub(super) fn lookup(target: &str) -> FieldType {
    FieldType::Lookup {
        target_module: name(target),
    }
}

pub(super) fn product_details(quantity_mandatory: bool) -> FieldType {
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
pub(super) fn build(spec: &CatalogueSpec) -> Data {
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

pub(super) fn module_of<'d>(data: &'d Data, module: &str) -> &'d (Module, Vec<Field>, Vec<Layout>) {
    data.iter()
        .find(|(m, _, _)| m.api_name.as_str() == module)
        .unwrap()
}
