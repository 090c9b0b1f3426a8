//! Random records, portal writes and the cases that combine them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

pub(super) fn value(field_type: &FieldType, contacts: i64) -> BoxedStrategy<Value> {
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

pub(super) fn record(fields: &[Field], contacts: i64) -> BoxedStrategy<Record> {
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
pub(super) fn write(fields: &[Field], contacts: i64) -> BoxedStrategy<Record> {
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
pub(super) struct Case {
    pub(super) spec: CatalogueSpec,
    pub(super) config: UserTypeConfig,
    /// Per catalogue module, its records (id, data); personality records have ids 1..=contacts.
    pub(super) records: Vec<Vec<(Id, Record)>>,
    /// Per catalogue module, one write.
    pub(super) writes: Vec<Record>,
    pub(super) me: Id,
}

pub(super) fn cases() -> impl Strategy<Value = Case> {
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
