//! The portal access policy: from a user type's checked configuration, which tabs a portal
//! user has, which records of a module they reach, which fields they see and may change, and
//! which actions they may take. Pure: the store applies the scope, nothing else decides it.
//!
//! Two halves, as in kanidm's access module: the record scope and actions here, and the
//! field mask in `mask` — the reduction of a record to what the portal user may see, and the
//! check of what they may write.

mod mask;
#[cfg(test)]
mod proptests;

pub use mask::{FieldMask, MaskedColumn, MaskedField};

use crate::Id;
use crate::field::Field;
use crate::portal::{Catalogue, CheckedUserTypeConfig, TabModule, TabRole, TabView};
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

/// What one user type's portal users may do, answered from its checked configuration and the
/// org's catalogue. A policy cannot be built for an unchecked configuration.
pub struct PortalPolicy<'a> {
    config: &'a CheckedUserTypeConfig,
    catalogue: &'a Catalogue<'a>,
}

impl<'a> PortalPolicy<'a> {
    pub fn new(config: &'a CheckedUserTypeConfig, catalogue: &'a Catalogue<'a>) -> Self {
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

    /// Fields of a shared layout the portal user sees, in the configured order (the order
    /// labels are shown in): the field mask's visible fields.
    pub fn visible_fields(&self, module: &str, layout: &str) -> Vec<String> {
        self.field_mask(module, layout)
            .visible_fields()
            .map(str::to_string)
            .collect()
    }

    /// Fields of a shared layout the portal user may change (visible and not read-only), and
    /// only where the user type may create or edit the module's records: the field mask's
    /// writable fields.
    pub fn writable_fields(&self, module: &str, layout: &str) -> Vec<String> {
        self.field_mask(module, layout)
            .writable_fields()
            .map(str::to_string)
            .collect()
    }
}
