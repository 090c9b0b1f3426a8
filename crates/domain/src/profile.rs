//! CRM users and the profiles that grant them per-module permissions.

use crate::email::EmailAddress;
use crate::module::parse_label;
use crate::{DomainError, Id};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a profile allows on one module.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModulePermissions {
    #[serde(default)]
    pub view: bool,
    #[serde(default)]
    pub create: bool,
    #[serde(default)]
    pub edit: bool,
    #[serde(default)]
    pub delete: bool,
}

impl ModulePermissions {
    pub const ALL: Self = Self {
        view: true,
        create: true,
        edit: true,
        delete: true,
    };

    /// Create, edit and delete imply view: a profile that could write without seeing is
    /// normalised rather than stored in a contradictory state.
    pub fn normalised(self) -> Self {
        Self {
            view: self.view || self.create || self.edit || self.delete,
            ..self
        }
    }

    pub fn allows(self, action: Action) -> bool {
        match action {
            Action::View => self.view,
            Action::Create => self.create,
            Action::Edit => self.edit,
            Action::Delete => self.delete,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    View,
    Create,
    Edit,
    Delete,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::View => "view",
            Self::Create => "create",
            Self::Edit => "edit",
            Self::Delete => "delete",
        }
    }
}

/// Which records of a module a user reaches: all of them, or only those they own
/// (plus, for modules with public data sharing, everyone's — see [`crate::access`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordScope {
    All,
    Own,
}

impl RecordScope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Own => "own",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "all" => Ok(Self::All),
            "own" => Ok(Self::Own),
            _ => Err(DomainError::field(
                "scope",
                "invalid_scope",
                "Record scope is all or own",
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub id: Id,
    pub org_id: Id,
    pub name: String,
    pub scope: RecordScope,
    /// Keyed by module API name; a module not listed grants nothing.
    pub permissions: BTreeMap<String, ModulePermissions>,
}

impl Profile {
    pub fn module(&self, module: &str) -> ModulePermissions {
        self.permissions.get(module).copied().unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewProfile {
    pub name: String,
    pub scope: RecordScope,
    #[serde(default)]
    pub permissions: BTreeMap<String, ModulePermissions>,
}

impl NewProfile {
    /// Checks the name and that every module named exists (`known_modules`).
    pub fn check(self, known_modules: &[String]) -> Result<Self, DomainError> {
        let name = parse_label("name", &self.name)?;
        if let Some(unknown) = self
            .permissions
            .keys()
            .find(|m| !known_modules.iter().any(|k| k == *m))
        {
            return Err(DomainError::field(
                "permissions",
                "unknown_module",
                format!("There is no module {unknown}"),
            ));
        }
        let permissions = self
            .permissions
            .into_iter()
            .map(|(m, p)| (m, p.normalised()))
            .collect();
        Ok(Self {
            name,
            scope: self.scope,
            permissions,
        })
    }
}

/// A CRM user (staff member). Passwords live only in the store, as hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: Id,
    pub org_id: Id,
    pub email: EmailAddress,
    pub name: String,
    pub profile_id: Id,
    pub super_admin: bool,
    pub active: bool,
}

pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 256;

/// A password that meets the length policy (NIST 800-63B: length, not composition rules).
pub fn check_password(password: &str) -> Result<(), DomainError> {
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        return Err(DomainError::field(
            "password",
            "password_too_short",
            format!("A password has at least {PASSWORD_MIN} characters"),
        ));
    }
    if n > PASSWORD_MAX {
        return Err(DomainError::field(
            "password",
            "password_too_long",
            format!("A password has at most {PASSWORD_MAX} characters"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_permissions_imply_view() {
        let p = ModulePermissions {
            delete: true,
            ..Default::default()
        };
        assert!(p.normalised().view);
        assert!(!ModulePermissions::default().normalised().view);
    }

    #[test]
    fn profiles_name_only_known_modules() {
        let mut permissions = BTreeMap::new();
        permissions.insert("Ghosts".to_string(), ModulePermissions::ALL);
        let p = NewProfile {
            name: "Sales".into(),
            scope: RecordScope::Own,
            permissions,
        };
        assert!(p.clone().check(&["Contacts".into()]).is_err());
        assert!(p.check(&["Ghosts".into()]).is_ok());
    }

    #[test]
    fn password_policy() {
        assert!(check_password("short").is_err());
        assert!(check_password("long enough password").is_ok());
    }
}
