//! The portal access policy: from a user type's configuration, which tabs a portal user has,
//! which records of a module they reach, which fields they see and may change, and which
//! actions they may take. Pure: the store applies the scope, nothing else decides it.

use crate::Id;
use crate::field::Field;
use crate::portal::{Catalogue, TabModule, TabRole, TabView, UserTypeConfig};
use crate::profile::Action;

/// Which records of a module a portal user reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortalScope {
    /// Their own record of the personality module.
    Own,
    /// Records whose lookup fields (these ids) point at their own record.
    LinkedBy(Vec<Id>),
    /// Every record of a public module.
    All,
}

/// One tab of the portal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalTab {
    pub module: String,
    pub label: String,
    pub role: TabRole,
    pub view: TabView,
}

pub struct PortalPolicy<'a> {
    config: &'a UserTypeConfig,
    catalogue: &'a Catalogue<'a>,
}

impl<'a> PortalPolicy<'a> {
    pub fn new(config: &'a UserTypeConfig, catalogue: &'a Catalogue<'a>) -> Self {
        Self { config, catalogue }
    }

    fn tab(&self, module: &str) -> Option<&TabModule> {
        self.config.tab(module)
    }

    fn fields_of(&self, module: &str) -> &[Field] {
        self.catalogue
            .modules
            .iter()
            .find(|(m, _, _)| m.api_name.as_str() == module)
            .map_or(&[], |(_, f, _)| f.as_slice())
    }

    /// The module tabs, the personality module first, then as configured. An inactive user
    /// type has none.
    pub fn tabs(&self) -> Vec<PortalTab> {
        if !self.config.active {
            return Vec::new();
        }
        let mut tabs: Vec<&TabModule> = self.config.modules.iter().collect();
        tabs.sort_by_key(|t| t.role != TabRole::Personality);
        tabs.into_iter()
            .filter_map(|t| {
                let (module, _, _) = self
                    .catalogue
                    .modules
                    .iter()
                    .find(|(m, _, _)| m.api_name == t.module)?;
                Some(PortalTab {
                    module: t.module.to_string(),
                    label: module.label.clone(),
                    role: t.role,
                    view: t.view,
                })
            })
            .collect()
    }

    /// Web tab names, when the user type is active.
    pub fn web_tabs(&self) -> &[String] {
        if self.config.active {
            &self.config.web_tabs
        } else {
            &[]
        }
    }

    /// The records of `module` a portal user reaches; `None` when the module is not shared.
    pub fn scope(&self, module: &str) -> Option<PortalScope> {
        if !self.config.active {
            return None;
        }
        let tab = self.tab(module)?;
        Some(match tab.role {
            TabRole::Personality => PortalScope::Own,
            TabRole::Public => PortalScope::All,
            TabRole::Related => PortalScope::LinkedBy(
                self.fields_of(module)
                    .iter()
                    .filter(|f| tab.lookup_fields.iter().any(|l| l == f.api_name.as_str()))
                    .map(|f| f.id)
                    .collect(),
            ),
        })
    }

    pub fn allows(&self, module: &str, action: Action) -> bool {
        self.config.active
            && self
                .tab(module)
                .is_some_and(|t| t.permissions.allows(action))
    }

    /// Layout names of `module` shared with this user type, in configured order.
    pub fn layouts(&self, module: &str) -> Vec<String> {
        self.tab(module)
            .map(|t| t.layouts.iter().map(|l| l.layout.clone()).collect())
            .unwrap_or_default()
    }

    /// Fields of a shared layout the portal user sees, in layout order as configured.
    pub fn visible_fields(&self, module: &str, layout: &str) -> Vec<String> {
        self.layout_fields(module, layout, |p| p.visible)
    }

    /// Fields of a shared layout the portal user may change (visible and not read-only), and
    /// only where the user type may create or edit the module's records.
    pub fn writable_fields(&self, module: &str, layout: &str) -> Vec<String> {
        if !(self.allows(module, Action::Create) || self.allows(module, Action::Edit)) {
            return Vec::new();
        }
        self.layout_fields(module, layout, |p| p.visible && !p.read_only)
    }

    fn layout_fields(
        &self,
        module: &str,
        layout: &str,
        keep: impl Fn(&crate::portal::FieldPermission) -> bool,
    ) -> Vec<String> {
        if !self.config.active {
            return Vec::new();
        }
        self.tab(module)
            .and_then(|t| t.layouts.iter().find(|l| l.layout == layout))
            .map(|l| {
                l.fields
                    .iter()
                    .filter(|p| keep(p))
                    .map(|p| p.field.clone())
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::FieldType;
    use crate::layout::{Layout, Section};
    use crate::module::{ApiName, DataSharing, Module, ModuleKind};
    use crate::portal::{FieldPermission, LayoutAccess};
    use crate::profile::ModulePermissions;

    /// A small deterministic generator (the tests need no extra crate).
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn coin(&mut self) -> bool {
            self.next().is_multiple_of(2)
        }
    }

    /// Contacts (personality), Deals with two lookups to Contacts, and public Products.
    fn catalogue() -> Vec<(Module, Vec<Field>, Vec<Layout>)> {
        let field = |id: Id, module_id: Id, name: &str, field_type: FieldType| Field {
            id,
            module_id,
            api_name: ApiName::parse(name).unwrap(),
            label: name.into(),
            field_type,
            mandatory: false,
            position: id,
        };
        let module = |id: Id, name: &str, sharing| Module {
            id,
            org_id: 1,
            api_name: ApiName::parse(name).unwrap(),
            label: name.into(),
            kind: ModuleKind::Standard,
            sharing,
            name_fields: vec![],
            canvas_template: None,
        };
        let contacts = ApiName::parse("Contacts").unwrap();
        let layouts = |module_id: Id, fields: &[&str]| {
            vec![
                Layout {
                    id: module_id * 10,
                    module_id,
                    name: "A".into(),
                    sections: vec![Section {
                        name: "S".into(),
                        fields: fields.iter().map(|f| f.to_string()).collect(),
                    }],
                },
                Layout {
                    id: module_id * 10 + 1,
                    module_id,
                    name: "B".into(),
                    sections: vec![Section {
                        name: "S".into(),
                        fields: fields[..2].iter().map(|f| f.to_string()).collect(),
                    }],
                },
            ]
        };
        vec![
            (
                module(1, "Contacts", DataSharing::Private),
                vec![
                    field(1, 1, "Name", FieldType::Text),
                    field(2, 1, "Email", FieldType::Email),
                    field(3, 1, "Secret", FieldType::Text),
                ],
                layouts(1, &["Name", "Email", "Secret"]),
            ),
            (
                module(2, "Deals", DataSharing::Private),
                vec![
                    field(4, 2, "Name", FieldType::Text),
                    field(
                        5,
                        2,
                        "Buyer",
                        FieldType::Lookup {
                            target_module: contacts.clone(),
                        },
                    ),
                    field(
                        6,
                        2,
                        "Referrer",
                        FieldType::Lookup {
                            target_module: contacts,
                        },
                    ),
                    field(7, 2, "Margin", FieldType::Currency),
                ],
                layouts(2, &["Name", "Buyer", "Referrer", "Margin"]),
            ),
            (
                module(3, "Products", DataSharing::PublicReadOnly),
                vec![
                    field(8, 3, "Name", FieldType::Text),
                    field(9, 3, "Unit_Price", FieldType::Currency),
                    field(10, 3, "Cost", FieldType::Currency),
                ],
                layouts(3, &["Name", "Unit_Price", "Cost"]),
            ),
        ]
    }

    fn random_config(rng: &mut Rng, data: &[(Module, Vec<Field>, Vec<Layout>)]) -> UserTypeConfig {
        let mut modules = Vec::new();
        for (i, (m, _, layouts)) in data.iter().enumerate() {
            if i > 0 && rng.coin() {
                continue;
            }
            let role = match m.api_name.as_str() {
                "Contacts" => TabRole::Personality,
                "Products" => TabRole::Public,
                _ => TabRole::Related,
            };
            let mut shared = Vec::new();
            for l in layouts {
                if rng.coin() {
                    continue;
                }
                let mut fields = Vec::new();
                for f in l.field_names() {
                    if rng.coin() {
                        fields.push(FieldPermission {
                            field: f.to_string(),
                            visible: rng.coin(),
                            read_only: rng.coin(),
                            columns: None,
                        });
                    }
                }
                shared.push(LayoutAccess {
                    layout: l.name.clone(),
                    fields,
                });
            }
            let layouts = shared;
            let (create, edit, delete) = (rng.coin(), rng.coin(), rng.coin());
            let perms = ModulePermissions {
                view: true,
                create,
                edit,
                delete,
            };
            let mut lookup_fields = Vec::new();
            if role == TabRole::Related {
                for l in ["Buyer", "Referrer"] {
                    if rng.coin() {
                        lookup_fields.push(l.to_string());
                    }
                }
            }
            modules.push(TabModule {
                module: m.api_name.clone(),
                role,
                permissions: perms,
                view: TabView::List,
                lookup_fields,
                layouts,
            });
        }
        UserTypeConfig {
            name: "T".into(),
            personality_module: ApiName::parse("Contacts").unwrap(),
            customer: true,
            active: !rng.next().is_multiple_of(5),
            seats: 1,
            modules,
            web_tabs: vec![],
        }
    }

    #[test]
    fn the_policy_never_returns_more_than_the_configuration_shares() {
        let data = catalogue();
        let cat = Catalogue {
            modules: &data,
            web_tabs: &[],
        };
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut checked = 0;
        for _ in 0..6_000 {
            // Only configurations the save path accepts exist in the database.
            let Ok(config) = random_config(&mut rng, &data).check(&cat) else {
                continue;
            };
            checked += 1;
            let policy = PortalPolicy::new(&config, &cat);
            let tabs = policy.tabs();
            if !config.active {
                assert!(
                    tabs.is_empty()
                        && policy.scope("Contacts").is_none()
                        && !policy.allows("Contacts", Action::View)
                );
                continue;
            }
            // Reference model: a module is reachable iff configured; its scope follows its role.
            for (m, fields, layouts) in &data {
                let name = m.api_name.as_str();
                let tab = config.modules.iter().find(|t| t.module.as_str() == name);
                assert_eq!(
                    tabs.iter().any(|t| t.module == name),
                    tab.is_some(),
                    "{name}"
                );
                let expected = tab.map(|t| match t.role {
                    TabRole::Personality => PortalScope::Own,
                    TabRole::Public => PortalScope::All,
                    TabRole::Related => PortalScope::LinkedBy(
                        fields
                            .iter()
                            .filter(|f| t.lookup_fields.iter().any(|l| l == f.api_name.as_str()))
                            .map(|f| f.id)
                            .collect(),
                    ),
                });
                assert_eq!(policy.scope(name), expected, "{name}");
                if let Some(PortalScope::LinkedBy(ids)) = policy.scope(name) {
                    assert!(
                        !ids.is_empty(),
                        "a related module always filters by at least one lookup"
                    );
                    assert!(ids.iter().all(|id| fields.iter().any(|f| {
                        f.id == *id
                            && f.field_type
                                .lookup_target()
                                .is_some_and(|t| t.as_str() == "Contacts")
                    })));
                }
                for action in [Action::View, Action::Create, Action::Edit, Action::Delete] {
                    assert_eq!(
                        policy.allows(name, action),
                        tab.is_some_and(|t| t.permissions.allows(action))
                    );
                }
                if tab.is_some_and(|t| t.role == TabRole::Public) {
                    assert!(
                        !policy.allows(name, Action::Edit)
                            && !policy.allows(name, Action::Create)
                            && !policy.allows(name, Action::Delete)
                    );
                }
                for layout in layouts {
                    let shared =
                        tab.and_then(|t| t.layouts.iter().find(|l| l.layout == layout.name));
                    let visible = policy.visible_fields(name, &layout.name);
                    let writable = policy.writable_fields(name, &layout.name);
                    let allowed: Vec<&str> = shared
                        .map(|l| {
                            l.fields
                                .iter()
                                .filter(|p| p.visible)
                                .map(|p| p.field.as_str())
                                .collect()
                        })
                        .unwrap_or_default();
                    assert!(
                        visible.iter().all(|f| allowed.contains(&f.as_str())
                            && layout.field_names().any(|n| n == f)),
                        "{name}/{}: {visible:?}",
                        layout.name
                    );
                    assert_eq!(visible.len(), allowed.len());
                    assert!(
                        writable.iter().all(|f| visible.contains(f)),
                        "writable fields are visible"
                    );
                    assert!(
                        writable.iter().all(|f| shared.is_some_and(|l| l
                            .fields
                            .iter()
                            .any(|p| &p.field == f && !p.read_only)))
                    );
                    if !(policy.allows(name, Action::Create) || policy.allows(name, Action::Edit)) {
                        assert!(writable.is_empty());
                    }
                }
            }
        }
        assert!(
            checked > 400,
            "enough valid configurations were generated ({checked})"
        );
    }
}
