//! User types: the tab, layout, field and column configuration that becomes the security
//! boundary for portal users, the catalogue it is checked against, and seat accounting.

use super::{FREE_SEATS, PERSONALITY_MODULES};
use crate::field::{Field, FieldType};
use crate::layout::Layout;
use crate::module::{ApiName, Module};
use crate::profile::ModulePermissions;
use serde::{Deserialize, Serialize};
use std::ops::Deref;

mod check;

/// How a module appears to a user type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TabRole {
    /// The portal users' own records.
    Personality,
    /// Records linked to the portal user's record by a lookup.
    Related,
    /// Every record of a module with public data sharing, view only.
    Public,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TabView {
    #[default]
    List,
    Canvas,
}

/// One column of a shared subform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnPermission {
    pub column: String,
    #[serde(default = "yes")]
    pub visible: bool,
    #[serde(default)]
    pub read_only: bool,
}

fn yes() -> bool {
    true
}

/// One field of a layout as the portal shows it. Fields a layout does not list are hidden.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldPermission {
    pub field: String,
    #[serde(default = "yes")]
    pub visible: bool,
    #[serde(default)]
    pub read_only: bool,
    /// Subforms only: the columns shared (all visible and editable when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<ColumnPermission>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayoutAccess {
    /// The layout's name.
    pub layout: String,
    pub fields: Vec<FieldPermission>,
}

/// One module of a user type's tab configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TabModule {
    pub module: ApiName,
    pub role: TabRole,
    #[serde(default)]
    pub permissions: ModulePermissions,
    #[serde(default)]
    pub view: TabView,
    /// Related modules: the lookup fields that decide "their" records (all lookups to the
    /// personality module when empty).
    #[serde(default)]
    pub lookup_fields: Vec<String>,
    pub layouts: Vec<LayoutAccess>,
}

/// A user type as configured: the whole tab and field configuration in one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserTypeConfig {
    pub name: String,
    pub personality_module: ApiName,
    /// A customer type (clients); the first user type of a portal must be one.
    #[serde(default = "yes")]
    pub customer: bool,
    #[serde(default = "yes")]
    pub active: bool,
    /// Portal users this type may have.
    pub seats: i64,
    #[serde(default)]
    pub modules: Vec<TabModule>,
    /// Web tab names.
    #[serde(default)]
    pub web_tabs: Vec<String>,
}

/// What the configuration is checked against: the org's modules with their fields and layouts,
/// and its web tabs.
pub struct Catalogue<'a> {
    pub modules: &'a [(Module, Vec<Field>, Vec<Layout>)],
    pub web_tabs: &'a [String],
}

impl Catalogue<'_> {
    pub(crate) fn module(&self, name: &str) -> Option<&(Module, Vec<Field>, Vec<Layout>)> {
        self.modules
            .iter()
            .find(|(m, _, _)| m.api_name.as_str() == name)
    }

    /// Access to the first layout of `module`: every field on it visible except `hidden` (listed
    /// as hidden, a decision rather than a new field), each one read-only unless `editable` says
    /// otherwise. Empty when there is no such module.
    pub fn first_layout_access(
        &self,
        module: &str,
        hidden: &[&str],
        editable: impl Fn(&Field) -> bool,
    ) -> Vec<LayoutAccess> {
        self.module(module)
            .and_then(|(_, fields, layouts)| {
                layouts.first().map(|l| LayoutAccess {
                    layout: l.name.clone(),
                    fields: l
                        .field_names()
                        .filter_map(|n| fields.iter().find(|f| f.api_name.as_str() == n))
                        .map(|f| {
                            let visible = !hidden.contains(&f.api_name.as_str());
                            FieldPermission {
                                field: f.api_name.to_string(),
                                visible,
                                read_only: visible && !editable(f),
                                columns: None,
                            }
                        })
                        .collect(),
                })
            })
            .into_iter()
            .collect()
    }

    /// Access to `layout` of `module` as first shared, on the safe side: every field of the
    /// layout is listed (so a field added to the layout later shows as new, not shown yet),
    /// but only the record's name is visible — plus, for a personality module, its first email
    /// field — all read-only. Where portal users create records (`creates`), the fields the
    /// CRM requires are visible and editable too, as they must be. `None` when there is no
    /// such layout.
    pub fn starting_access(
        &self,
        module: &str,
        layout: &str,
        personality: bool,
        creates: bool,
    ) -> Option<LayoutAccess> {
        let (m, fields, layouts) = self.module(module)?;
        let layout = layouts.iter().find(|l| l.name == layout)?;
        let on_layout: Vec<&Field> = layout
            .field_names()
            .filter_map(|n| fields.iter().find(|f| f.api_name.as_str() == n))
            .collect();
        let email = on_layout
            .iter()
            .find(|f| f.field_type == FieldType::Email)
            .filter(|_| personality)
            .map(|f| f.api_name.as_str());
        let shown = |f: &Field| {
            let name = f.api_name.as_str();
            m.name_fields.iter().any(|n| n == name) || email == Some(name)
        };
        Some(LayoutAccess {
            layout: layout.name.clone(),
            fields: on_layout
                .iter()
                .map(|f| {
                    let required = creates && f.mandatory;
                    FieldPermission {
                        field: f.api_name.to_string(),
                        visible: required || shown(f),
                        read_only: !required,
                        columns: None,
                    }
                })
                .collect(),
        })
    }

    /// The fields of `layout` that `access` does not list: added to the layout after the
    /// access was configured, so not shown to portal users (nobody has decided yet).
    pub fn unlisted_fields<'f>(&'f self, module: &str, access: &LayoutAccess) -> Vec<&'f Field> {
        let Some((_, fields, layouts)) = self.module(module) else {
            return Vec::new();
        };
        let Some(layout) = layouts.iter().find(|l| l.name == access.layout) else {
            return Vec::new();
        };
        layout
            .field_names()
            .filter(|n| !access.fields.iter().any(|p| p.field == *n))
            .filter_map(|n| fields.iter().find(|f| f.api_name.as_str() == n))
            .collect()
    }

    /// Lookup (or multi-select lookup) fields of `module` that point at `target`.
    pub fn lookups_to(&self, module: &str, target: &str) -> Vec<String> {
        self.module(module)
            .map(|(_, fields, _)| {
                fields
                    .iter()
                    .filter(|f| {
                        f.field_type
                            .lookup_target()
                            .is_some_and(|t| t.as_str() == target)
                    })
                    .map(|f| f.api_name.to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Modules that may be offered as related modules for a personality module.
    pub fn related_candidates(&self, personality: &str) -> Vec<String> {
        self.modules
            .iter()
            .map(|(m, _, _)| m.api_name.to_string())
            .filter(|m| m != personality && !self.lookups_to(m, personality).is_empty())
            .collect()
    }

    /// Whether a module may be a personality module: Leads, Contacts, Vendors, or a custom
    /// module with an email field.
    pub fn can_be_personality(&self, name: &str) -> bool {
        match self.module(name) {
            Some((m, fields, _)) => {
                PERSONALITY_MODULES.contains(&name)
                    || (m.kind == crate::module::ModuleKind::Custom
                        && fields.iter().any(|f| f.field_type == FieldType::Email))
            }
            None => false,
        }
    }
}

impl UserTypeConfig {
    /// A starting configuration on the safe side: the personality module with its first
    /// layout, view only, showing only the user's name and email (every other field listed
    /// as hidden); nothing else shared. The admin widens it from there.
    pub fn starter(
        name: &str,
        personality: &ApiName,
        customer: bool,
        seats: i64,
        catalogue: &Catalogue<'_>,
    ) -> Self {
        let first = catalogue
            .module(personality.as_str())
            .and_then(|(_, _, layouts)| layouts.first());
        let layouts = first
            .and_then(|l| catalogue.starting_access(personality.as_str(), &l.name, true, false))
            .into_iter()
            .collect();
        Self {
            name: name.to_string(),
            personality_module: personality.clone(),
            customer,
            active: true,
            seats,
            modules: vec![TabModule {
                module: personality.clone(),
                role: TabRole::Personality,
                permissions: ModulePermissions {
                    view: true,
                    create: false,
                    edit: false,
                    delete: false,
                },
                view: TabView::List,
                lookup_fields: Vec::new(),
                layouts,
            }],
            web_tabs: Vec::new(),
        }
    }

    /// The tab for a module, if shared.
    pub fn tab(&self, module: &str) -> Option<&TabModule> {
        self.modules.iter().find(|t| t.module.as_str() == module)
    }

    /// Removes a module from the public modules (its data sharing became private).
    pub fn drop_public(&mut self, module: &str) -> bool {
        let before = self.modules.len();
        self.modules
            .retain(|t| !(t.role == TabRole::Public && t.module.as_str() == module));
        before != self.modules.len()
    }

    /// Whether a product's price may be shown: only if Unit_Price is visible on a shared
    /// Products layout.
    pub fn shows_product_price(&self) -> bool {
        self.tab("Products").is_some_and(|t| {
            t.layouts.iter().any(|l| {
                l.fields
                    .iter()
                    .any(|f| f.field == "Unit_Price" && f.visible)
            })
        })
    }
}

/// A user type configuration that passed [`UserTypeConfig::check`] against the org's catalogue,
/// normalised. The access policy accepts nothing else, and there is no other way to build one
/// (no `Deserialize`, no `From`), so the admin forms, the API and import all go through the
/// same check. It serialises exactly as the configuration inside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct CheckedUserTypeConfig(UserTypeConfig);

impl CheckedUserTypeConfig {
    pub fn config(&self) -> &UserTypeConfig {
        &self.0
    }

    pub fn into_inner(self) -> UserTypeConfig {
        self.0
    }
}

impl Deref for CheckedUserTypeConfig {
    type Target = UserTypeConfig;

    fn deref(&self) -> &UserTypeConfig {
        &self.0
    }
}

/// Seats a user type takes from the org's purchased pool: the default type includes
/// [`FREE_SEATS`]; every other type needs all of its seats granted. Negative seats (which the
/// check refuses) need none; the subtraction saturates, so no stored value can overflow it.
pub fn purchased_seats_needed(config: &UserTypeConfig, is_default: bool) -> i64 {
    let seats = config.seats.max(0);
    if is_default {
        seats.saturating_sub(FREE_SEATS).max(0)
    } else {
        seats
    }
}

/// The sum of seat counts, or `None` when it would overflow (which is then refused, never
/// wrapped into a small or negative number).
pub fn checked_seat_sum(counts: impl IntoIterator<Item = i64>) -> Option<i64> {
    counts
        .into_iter()
        .try_fold(0i64, |sum, n| sum.checked_add(n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portal::MAX_SEATS_PER_TYPE;
    use crate::portal::fixtures::{VIEW, all_fields, api, catalogue_data, tab};

    #[test]
    fn a_checked_configuration_serialises_as_the_configuration() {
        let data = catalogue_data();
        let cat = Catalogue {
            modules: &data,
            web_tabs: &[],
        };
        let checked = UserTypeConfig::starter("Customers", &api("Contacts"), true, 1, &cat)
            .check(&cat)
            .unwrap();
        assert_eq!(
            serde_json::to_value(&checked).unwrap(),
            serde_json::to_value(checked.config()).unwrap()
        );
        assert_eq!(checked.name, checked.clone().into_inner().name);
    }

    #[test]
    fn seats_are_bounded_and_their_sums_checked() {
        let data = catalogue_data();
        let cat = Catalogue {
            modules: &data,
            web_tabs: &[],
        };
        let with = |seats: i64| {
            UserTypeConfig::starter("Customers", &api("Contacts"), true, seats, &cat).check(&cat)
        };
        assert!(with(0).is_ok() && with(MAX_SEATS_PER_TYPE).is_ok());
        for seats in [-1, MAX_SEATS_PER_TYPE + 1, 1 << 62, i64::MAX, i64::MIN] {
            let e = with(seats).unwrap_err();
            assert_eq!(e.errors()[0].code, "invalid_seats", "{seats}");
        }
        let mut config = UserTypeConfig::starter("Customers", &api("Contacts"), true, 1, &cat);
        config.seats = i64::MIN;
        assert_eq!(purchased_seats_needed(&config, true), 0);
        assert_eq!(purchased_seats_needed(&config, false), 0);
        config.seats = i64::MAX;
        assert_eq!(purchased_seats_needed(&config, true), i64::MAX - FREE_SEATS);
        assert_eq!(checked_seat_sum([1 << 62; 4]), None);
        assert_eq!(checked_seat_sum([i64::MAX, 1]), None);
        assert_eq!(checked_seat_sum([3, 4]), Some(7));
    }

    #[test]
    fn making_a_module_private_drops_it_from_public_modules() {
        let data = catalogue_data();
        let cat = Catalogue {
            modules: &data,
            web_tabs: &[],
        };
        let mut config = UserTypeConfig::starter("Customers", &api("Contacts"), true, 1, &cat);
        config.modules.push(tab(
            "Products",
            TabRole::Public,
            VIEW,
            vec![all_fields(&data, "Products", true)],
        ));
        assert!(config.drop_public("Products"));
        assert!(config.tab("Products").is_none());
        assert!(
            !config.drop_public("Contacts"),
            "only public modules are dropped"
        );
    }
}
