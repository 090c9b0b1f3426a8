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

pub(super) type Data = Vec<(Module, Vec<Field>, Vec<Layout>)>;
pub(super) type Record = Map<String, Value>;

pub(super) const PERSONALITY: &str = "Contacts";
/// Invoices first: an inventory module, where editing products needs Products shared.
pub(super) const RELATED: [&str; 3] = ["Invoices", "Deals", "Cases"];
pub(super) const PUBLIC: &str = "Catalog";
pub(super) const PRIVATE: &str = "Vault";
pub(super) const PRODUCTS: &str = "Products";
pub(super) const LOOKUPS: [&str; 3] = ["Buyer", "Referrer", "Witness"];
/// Columns a write may name: the subform's four and one it does not have.
pub(super) const WRITE_COLUMNS: [&str; 5] =
    ["Product", "Quantity", "List_Price", "Discount", "Cost"];

mod catalogue;
mod config;
mod model;
mod records;

use catalogue::*;
use config::*;
use model::*;
use records::*;

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
