//! The checked constructor of a user type configuration. The check runs in named steps, each
//! adding what it finds to one list, so an admin sees every problem at once; each step also
//! normalises what it checked (sorted web tabs, implied view permission, default lookup filter).

use super::{
    Catalogue, CheckedUserTypeConfig, FieldPermission, LayoutAccess, TabModule, TabRole, TabView,
    UserTypeConfig,
};
use crate::field::{Field, FieldType};
use crate::layout::Layout;
use crate::module::{Module, parse_label};
use crate::portal::{INVENTORY_MODULES, MAX_SEATS_PER_TYPE};
use crate::profile::ModulePermissions;
use crate::{DomainError, FieldError};

/// The problems found so far, in the order found.
#[derive(Default)]
struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, field: impl Into<String>, code: &'static str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, code, message));
    }

    fn into_result<T>(self, ok: T) -> Result<T, DomainError> {
        if self.0.is_empty() {
            Ok(ok)
        } else {
            Err(DomainError::Invalid(self.0))
        }
    }
}

/// What the steps checking one tab need: where it is in the document and what the catalogue
/// knows of its module.
struct TabContext<'c> {
    /// `modules[i]`, the prefix of every error about this tab.
    at: String,
    name: &'c str,
    module: &'c Module,
    fields: &'c [Field],
    layouts: &'c [Layout],
    personality: &'c str,
    products_shared: bool,
    catalogue: &'c Catalogue<'c>,
}

impl UserTypeConfig {
    /// Checks the configuration against the org's catalogue and normalises it. Every problem is
    /// reported, naming what is wrong; nothing is saved unless this passes.
    pub fn check(
        mut self,
        catalogue: &Catalogue<'_>,
    ) -> Result<CheckedUserTypeConfig, DomainError> {
        let mut problems = Problems::default();
        self.check_name_and_seats(&mut problems);
        self.check_personality_module(catalogue, &mut problems);
        self.check_web_tabs(catalogue, &mut problems);
        self.check_modules(catalogue, &mut problems);
        problems.into_result(CheckedUserTypeConfig(self))
    }

    fn check_name_and_seats(&mut self, problems: &mut Problems) {
        match parse_label("name", &self.name) {
            Ok(n) => self.name = n,
            Err(e) => problems.add("name", "required", e.to_string()),
        }
        if !(0..=MAX_SEATS_PER_TYPE).contains(&self.seats) {
            problems.add(
                "seats",
                "invalid_seats",
                "Seats must be between 0 and 1,000,000 for a user type",
            );
        }
    }

    fn check_personality_module(&self, catalogue: &Catalogue<'_>, problems: &mut Problems) {
        let personality = self.personality_module.as_str();
        if !catalogue.can_be_personality(personality) {
            problems.add(
                "personality_module",
                "invalid_personality_module",
                format!(
                    "{personality} cannot be a personality module: use Leads, Contacts, Vendors or a custom module with an email field"
                ),
            );
        }
    }

    fn check_web_tabs(&mut self, catalogue: &Catalogue<'_>, problems: &mut Problems) {
        self.web_tabs.sort();
        self.web_tabs.dedup();
        for tab in &self.web_tabs {
            if !catalogue.web_tabs.contains(tab) {
                problems.add(
                    "web_tabs",
                    "unknown_web_tab",
                    format!("There is no web tab named {tab}"),
                );
            }
        }
    }

    /// The personality module is always present, exactly once; every module is known and
    /// configured once; then each tab is checked on its own.
    fn check_modules(&mut self, catalogue: &Catalogue<'_>, problems: &mut Problems) {
        let personality = self.personality_module.to_string();
        if !self.modules.iter().any(|t| t.role == TabRole::Personality) {
            problems.add(
                "modules",
                "personality_missing",
                format!("The personality module {personality} must be in the tab configuration"),
            );
        }
        let products_shared = self.modules.iter().any(|t| t.module.as_str() == "Products");
        let mut seen: Vec<String> = Vec::new();
        for (i, tab) in self.modules.iter_mut().enumerate() {
            let at = format!("modules[{i}]");
            let name = tab.module.to_string();
            if seen.contains(&name) {
                problems.add(
                    format!("{at}.module"),
                    "duplicate_module",
                    format!("{name} is configured twice; a public module cannot also be related"),
                );
                continue;
            }
            let Some((module, fields, layouts)) = catalogue.module(&name) else {
                problems.add(
                    format!("{at}.module"),
                    "unknown_module",
                    format!("There is no module {name}"),
                );
                seen.push(name);
                continue;
            };
            let cx = TabContext {
                at,
                name: &name,
                module,
                fields,
                layouts,
                personality: &personality,
                products_shared,
                catalogue,
            };
            check_tab(tab, &cx, problems);
            seen.push(name);
        }
    }
}

fn check_tab(tab: &mut TabModule, cx: &TabContext<'_>, problems: &mut Problems) {
    tab.permissions = tab.permissions.normalised();
    match tab.role {
        TabRole::Personality => check_personality_tab(tab, cx, problems),
        TabRole::Related => check_related_tab(tab, cx, problems),
        TabRole::Public => check_public_tab(tab, cx, problems),
    }
    let (at, name) = (&cx.at, cx.name);
    if tab.view == TabView::Canvas && cx.module.canvas_template.is_none() {
        problems.add(
            format!("{at}.view"),
            "no_canvas",
            format!("{name} has no canvas view; design one in module setup first"),
        );
    }
    if tab.layouts.is_empty() {
        problems.add(
            format!("{at}.layouts"),
            "layout_required",
            format!("Choose at least one layout of {name}"),
        );
    }
    let mut seen: Vec<String> = Vec::new();
    for (j, access) in tab.layouts.iter_mut().enumerate() {
        let lat = format!("{at}.layouts[{j}]");
        check_layout_access(access, &lat, tab.permissions, &mut seen, cx, problems);
    }
}

/// Portal users view and edit their own record; they never create or delete it.
fn check_personality_tab(tab: &mut TabModule, cx: &TabContext<'_>, problems: &mut Problems) {
    let (at, name, personality) = (&cx.at, cx.name, cx.personality);
    if name != personality {
        problems.add(
            format!("{at}.role"),
            "not_personality",
            format!("{name} is not this user type's personality module ({personality})"),
        );
    }
    if tab.permissions.create || tab.permissions.delete {
        problems.add(
            format!("{at}.permissions"),
            "personality_permissions",
            "Portal users can view and edit their own record, not create or delete it",
        );
    }
    tab.permissions.view = true;
    tab.lookup_fields.clear();
}

/// A related module needs a lookup to the personality module; the filter names only such
/// lookups and defaults to all of them.
fn check_related_tab(tab: &mut TabModule, cx: &TabContext<'_>, problems: &mut Problems) {
    let (at, name, personality) = (&cx.at, cx.name, cx.personality);
    let lookups = cx.catalogue.lookups_to(name, personality);
    if lookups.is_empty() {
        problems.add(
            format!("{at}.module"),
            "no_lookup",
            format!("{name} has no lookup to {personality}, so it cannot be a related module"),
        );
    }
    tab.lookup_fields.sort();
    tab.lookup_fields.dedup();
    for l in &tab.lookup_fields {
        if !lookups.contains(l) {
            problems.add(
                format!("{at}.lookup_fields"),
                "invalid_lookup_field",
                format!("{name}.{l} is not a lookup to {personality}"),
            );
        }
    }
    if tab.lookup_fields.is_empty() {
        tab.lookup_fields = lookups;
    }
    if !tab.permissions.view {
        problems.add(
            format!("{at}.permissions"),
            "view_required",
            format!("A shared module needs at least view permission ({name})"),
        );
    }
}

/// A public module must have public data sharing, and portal users only view it.
fn check_public_tab(tab: &mut TabModule, cx: &TabContext<'_>, problems: &mut Problems) {
    let (at, name) = (&cx.at, cx.name);
    if !cx.module.sharing.is_public() {
        problems.add(
            format!("{at}.module"),
            "not_public",
            format!(
                "{name} is not public: change its data sharing to public before sharing it as a public module"
            ),
        );
    }
    if tab.permissions.create || tab.permissions.edit || tab.permissions.delete {
        problems.add(
            format!("{at}.permissions"),
            "public_view_only",
            format!("Public modules are view only for portal users ({name})"),
        );
    }
    tab.permissions = ModulePermissions {
        view: true,
        ..Default::default()
    };
    tab.lookup_fields.clear();
}

/// One shared layout: a layout of the module, listed once; its fields; then the rules that
/// depend on what the tab allows.
fn check_layout_access(
    access: &mut LayoutAccess,
    lat: &str,
    permissions: ModulePermissions,
    seen: &mut Vec<String>,
    cx: &TabContext<'_>,
    problems: &mut Problems,
) {
    let name = cx.name;
    let Some(layout) = cx.layouts.iter().find(|l| l.name == access.layout) else {
        problems.add(
            format!("{lat}.layout"),
            "unknown_layout",
            format!("{name} has no layout named {}", access.layout),
        );
        return;
    };
    if seen.contains(&layout.name) {
        problems.add(
            format!("{lat}.layout"),
            "duplicate_layout",
            format!("Layout {} of {name} is listed twice", layout.name),
        );
        return;
    }
    seen.push(layout.name.clone());
    let mut listed: Vec<String> = Vec::new();
    for (k, perm) in access.fields.iter_mut().enumerate() {
        let fat = format!("{lat}.fields[{k}]");
        check_field_permission(perm, &fat, layout, &mut listed, cx, problems);
    }
    if permissions.create {
        check_mandatory(access, layout, lat, cx, problems);
    }
    check_products_shared(access, permissions, lat, cx, problems);
}

/// One field of a shared layout: a field of the module, on the layout, listed once. A hidden
/// field is neither read-only nor has shared columns.
fn check_field_permission(
    perm: &mut FieldPermission,
    fat: &str,
    layout: &Layout,
    listed: &mut Vec<String>,
    cx: &TabContext<'_>,
    problems: &mut Problems,
) {
    let name = cx.name;
    let Some(field) = cx.fields.iter().find(|f| f.api_name.as_str() == perm.field) else {
        problems.add(
            format!("{fat}.field"),
            "unknown_field",
            format!("{name} has no field {}", perm.field),
        );
        return;
    };
    if !layout.field_names().any(|f| f == perm.field) {
        problems.add(
            format!("{fat}.field"),
            "not_on_layout",
            format!("{name}.{} is not on layout {}", perm.field, layout.name),
        );
        return;
    }
    if listed.contains(&perm.field) {
        problems.add(
            format!("{fat}.field"),
            "duplicate_field",
            format!("{name}.{} is listed twice", perm.field),
        );
        return;
    }
    listed.push(perm.field.clone());
    if !perm.visible {
        perm.read_only = false;
        perm.columns = None;
    }
    check_subform_columns(perm, field, fat, cx, problems);
}

/// Column permissions only on subforms, naming its columns; a mandatory column stays visible
/// and editable wherever the subform is editable.
fn check_subform_columns(
    perm: &mut FieldPermission,
    field: &Field,
    fat: &str,
    cx: &TabContext<'_>,
    problems: &mut Problems,
) {
    let name = cx.name;
    let field_read_only = perm.read_only;
    match (&field.field_type, &mut perm.columns) {
        (FieldType::Subform { fields: columns }, Some(cols)) => {
            for c in cols.iter_mut() {
                let Some(col) = columns.iter().find(|col| col.api_name.as_str() == c.column) else {
                    problems.add(
                        format!("{fat}.columns"),
                        "unknown_column",
                        format!("{name}.{} has no column {}", perm.field, c.column),
                    );
                    continue;
                };
                if !c.visible {
                    c.read_only = false;
                }
                if col.mandatory && (!c.visible || c.read_only) && !field_read_only {
                    problems.add(
                        format!("{fat}.columns"),
                        "mandatory_hidden",
                        format!(
                            "{name}.{}.{} is mandatory, so it must be visible and editable where the subform is editable",
                            perm.field, c.column
                        ),
                    );
                }
            }
        }
        (FieldType::Subform { .. }, None) | (_, None) => {}
        (_, Some(_)) => problems.add(
            format!("{fat}.columns"),
            "not_subform",
            format!("{name}.{} is not a subform", perm.field),
        ),
    }
}

/// Fields mandatory in the CRM stay mandatory in the portal: a layout through which portal
/// users create records must show them, editable.
fn check_mandatory(
    access: &LayoutAccess,
    layout: &Layout,
    lat: &str,
    cx: &TabContext<'_>,
    problems: &mut Problems,
) {
    let name = cx.name;
    for f in cx
        .fields
        .iter()
        .filter(|f| f.mandatory && layout.field_names().any(|n| n == f.api_name.as_str()))
    {
        let shown = access
            .fields
            .iter()
            .find(|p| p.field == f.api_name.as_str());
        if !shown.is_some_and(|p| p.visible && !p.read_only) {
            problems.add(
                format!("{lat}.fields"),
                "mandatory_hidden",
                format!(
                    "{name}.{} is mandatory in the CRM, so it must be visible and editable on layout {} (portal users can create {name})",
                    f.api_name, layout.name
                ),
            );
        }
    }
}

/// Portal users add products to inventory records only if Products is shared.
fn check_products_shared(
    access: &LayoutAccess,
    permissions: ModulePermissions,
    lat: &str,
    cx: &TabContext<'_>,
    problems: &mut Problems,
) {
    let name = cx.name;
    let edits_products = (permissions.create || permissions.edit)
        && INVENTORY_MODULES.contains(&name)
        && access
            .fields
            .iter()
            .any(|p| p.field == "Product_Details" && p.visible && !p.read_only);
    if edits_products && !cx.products_shared {
        problems.add(
            format!("{lat}.fields"),
            "products_not_shared",
            format!(
                "Share the Products module with this user type before portal users can add products to {name}"
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portal::ColumnPermission;
    use crate::portal::fixtures::{ALL, VIEW, all_fields, api, catalogue_data, codes, tab};

    #[test]
    fn a_full_configuration_passes_and_is_normalised() {
        let data = catalogue_data();
        let tabs = ["Announcements".to_string()];
        let cat = Catalogue {
            modules: &data,
            web_tabs: &tabs,
        };
        let mut config = UserTypeConfig::starter("Customers", &api("Contacts"), true, 100, &cat);
        config.modules.push(tab(
            "Deals",
            TabRole::Related,
            ModulePermissions {
                view: true,
                create: true,
                edit: true,
                delete: false,
            },
            vec![all_fields(&data, "Deals", false)],
        ));
        config.modules.push(tab(
            "Products",
            TabRole::Public,
            VIEW,
            vec![all_fields(&data, "Products", true)],
        ));
        config.modules.push(tab(
            "Invoices",
            TabRole::Related,
            ModulePermissions {
                view: true,
                create: true,
                edit: false,
                delete: false,
            },
            vec![all_fields(&data, "Invoices", false)],
        ));
        config.web_tabs = vec!["Announcements".into()];
        let checked = config.check(&cat).unwrap();
        assert_eq!(
            checked.tab("Deals").unwrap().lookup_fields,
            ["Contact_Name"],
            "the only lookup is the filter"
        );
        assert!(checked.shows_product_price());
    }

    #[test]
    fn invalid_configurations_name_what_is_wrong() {
        let data = catalogue_data();
        let cat = Catalogue {
            modules: &data,
            web_tabs: &[],
        };
        let base = UserTypeConfig::starter("Customers", &api("Contacts"), true, 100, &cat);
        let with = |t: TabModule| {
            let mut c = base.clone();
            c.modules.push(t);
            c
        };
        // A related module without a lookup to the personality module.
        let e = with(tab(
            "Vendors",
            TabRole::Related,
            VIEW,
            vec![all_fields(&data, "Vendors", true)],
        ))
        .check(&cat)
        .unwrap_err();
        assert_eq!(codes(e), ["no_lookup"]);
        // A layout from another module.
        let mut wrong_layout = all_fields(&data, "Deals", true);
        wrong_layout.layout = "Quick".into();
        assert_eq!(
            codes(
                with(tab("Deals", TabRole::Related, VIEW, vec![wrong_layout]))
                    .check(&cat)
                    .unwrap_err()
            ),
            ["unknown_layout"]
        );
        // A field of another module.
        let mut foreign = all_fields(&data, "Deals", true);
        foreign.fields.push(FieldPermission {
            field: "Vendor_Name".into(),
            visible: true,
            read_only: true,
            columns: None,
        });
        assert_eq!(
            codes(
                with(tab("Deals", TabRole::Related, VIEW, vec![foreign]))
                    .check(&cat)
                    .unwrap_err()
            ),
            ["unknown_field"]
        );
        // A public module that is not public, and a public module with write access.
        assert_eq!(
            codes(
                with(tab(
                    "Accounts",
                    TabRole::Public,
                    VIEW,
                    vec![all_fields(&data, "Accounts", true)]
                ))
                .check(&cat)
                .unwrap_err()
            ),
            ["not_public"]
        );
        assert_eq!(
            codes(
                with(tab(
                    "Products",
                    TabRole::Public,
                    ALL,
                    vec![all_fields(&data, "Products", true)]
                ))
                .check(&cat)
                .unwrap_err()
            ),
            ["public_view_only"]
        );
        // A mandatory field hidden on a layout that allows create.
        let mut hidden = all_fields(&data, "Deals", false);
        hidden.fields.retain(|f| f.field != "Stage");
        let create = ModulePermissions {
            view: true,
            create: true,
            edit: false,
            delete: false,
        };
        assert_eq!(
            codes(
                with(tab("Deals", TabRole::Related, create, vec![hidden.clone()]))
                    .check(&cat)
                    .unwrap_err()
            ),
            ["mandatory_hidden"]
        );
        assert!(
            with(tab("Deals", TabRole::Related, VIEW, vec![hidden]))
                .check(&cat)
                .is_ok(),
            "fine where nobody creates"
        );
        // Inventory modules need Products shared before products can be added.
        let create_invoices = ModulePermissions {
            view: true,
            create: true,
            edit: false,
            delete: false,
        };
        assert_eq!(
            codes(
                with(tab(
                    "Invoices",
                    TabRole::Related,
                    create_invoices,
                    vec![all_fields(&data, "Invoices", false)]
                ))
                .check(&cat)
                .unwrap_err()
            ),
            ["products_not_shared"]
        );
        // A module twice (public and related), an unknown lookup filter, canvas without a template.
        let mut twice = with(tab(
            "Products",
            TabRole::Public,
            VIEW,
            vec![all_fields(&data, "Products", true)],
        ));
        twice.modules.push(tab(
            "Products",
            TabRole::Related,
            VIEW,
            vec![all_fields(&data, "Products", true)],
        ));
        assert_eq!(codes(twice.check(&cat).unwrap_err()), ["duplicate_module"]);
        let mut filter = tab(
            "Deals",
            TabRole::Related,
            VIEW,
            vec![all_fields(&data, "Deals", true)],
        );
        filter.lookup_fields = vec!["Account_Name".into()];
        assert_eq!(
            codes(with(filter).check(&cat).unwrap_err()),
            ["invalid_lookup_field"]
        );
        let mut canvas = tab(
            "Cases",
            TabRole::Related,
            VIEW,
            vec![all_fields(&data, "Cases", true)],
        );
        canvas.view = TabView::Canvas;
        assert_eq!(codes(with(canvas).check(&cat).unwrap_err()), ["no_canvas"]);
        // A new user type starts on the safe side: view only, name and email shown, every
        // other field of the layout listed as hidden — and it passes the check.
        let tab = &base.modules[0];
        assert!(!tab.permissions.edit && !tab.permissions.create && !tab.permissions.delete);
        let shown: Vec<&str> = tab.layouts[0]
            .fields
            .iter()
            .filter(|f| f.visible)
            .map(|f| f.field.as_str())
            .collect();
        assert_eq!(shown, ["First_Name", "Last_Name", "Email"]);
        assert!(
            tab.layouts[0]
                .fields
                .iter()
                .all(|f| f.read_only || !f.visible)
        );
        assert!(base.clone().check(&cat).is_ok());
        // Personality module rules.
        let mut own = base.clone();
        own.modules[0].permissions = ALL;
        own.modules[0].layouts = vec![all_fields(&data, "Contacts", false)];
        assert_eq!(
            codes(own.check(&cat).unwrap_err()),
            ["personality_permissions"]
        );
        let mut accounts = base.clone();
        accounts.personality_module = api("Accounts");
        assert!(codes(accounts.check(&cat).unwrap_err()).contains(&"invalid_personality_module"));
        let mut tabs = base;
        tabs.web_tabs = vec!["Nope".into()];
        assert_eq!(codes(tabs.check(&cat).unwrap_err()), ["unknown_web_tab"]);
    }

    #[test]
    fn subform_columns_follow_mandatory_rules() {
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
        let mut invoices = all_fields(&data, "Invoices", false);
        for f in &mut invoices.fields {
            if f.field == "Product_Details" {
                f.columns = Some(vec![ColumnPermission {
                    column: "Quantity".into(),
                    visible: false,
                    read_only: false,
                }]);
            }
        }
        let edit = ModulePermissions {
            view: true,
            create: false,
            edit: true,
            delete: false,
        };
        config
            .modules
            .push(tab("Invoices", TabRole::Related, edit, vec![invoices]));
        assert_eq!(codes(config.check(&cat).unwrap_err()), ["mandatory_hidden"]);
    }
}
