//! The reference model, written from the product rules: what a portal user reaches, sees,
//! may write, and what a write saves.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ModelField {
    pub(super) writable: bool,
    pub(super) columns: Option<BTreeMap<String, bool>>,
}

pub(super) struct Model<'a> {
    pub(super) config: &'a UserTypeConfig,
    pub(super) data: &'a Data,
}

impl Model<'_> {
    pub(super) fn tab(&self, module: &str) -> Option<&TabModule> {
        if !self.config.active {
            return None;
        }
        self.config
            .modules
            .iter()
            .find(|t| t.module.as_str() == module)
    }

    pub(super) fn allows(&self, module: &str, action: Action) -> bool {
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
    pub(super) fn reach(&self, records: &[Vec<(Id, Record)>], me: Id) -> BTreeSet<(String, Id)> {
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

    pub(super) fn shows_price(&self) -> bool {
        self.tab(PRODUCTS).is_some_and(|t| {
            t.layouts.iter().any(|l| {
                l.fields
                    .iter()
                    .any(|p| p.field == "Unit_Price" && p.visible)
            })
        })
    }

    pub(super) fn mask(&self, module: &str, layout: &str) -> BTreeMap<String, ModelField> {
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

pub(super) fn points_at(value: Option<&Value>, me: Id) -> bool {
    match value {
        Some(Value::Number(n)) => n.as_i64() == Some(me),
        Some(Value::Array(ids)) => ids.iter().any(|v| v.as_i64() == Some(me)),
        _ => false,
    }
}

/// A record as the model lets it out.
pub(super) fn model_reduce(mask: &BTreeMap<String, ModelField>, data: &Record) -> Record {
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
pub(super) fn model_refusals(
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
pub(super) fn model_save(
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
pub(super) fn cut_down(
    mask: &BTreeMap<String, ModelField>,
    input: &Record,
    columns: bool,
) -> Record {
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
