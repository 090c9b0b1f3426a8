//! CRM-side access: what a CRM user may do with a module and with one record.
//!
//! The rule: a super admin may do everything. Otherwise the profile must grant the action on the
//! module; then a user whose record scope is `all` reaches every record, and one whose scope is
//! `own` reaches the records they own plus, through the module's data sharing, everyone's records
//! to view (public read-only) or to view, edit and delete (public read/write/delete).

use crate::Id;
use crate::module::{DataSharing, Module};
use crate::profile::{Action, Profile, RecordScope, User};

/// The caller of a CRM operation.
#[derive(Debug, Clone)]
pub struct CrmActor {
    pub user: User,
    pub profile: Profile,
}

/// Which records of a module a list may return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListScope {
    All,
    OwnedBy(Id),
}

impl CrmActor {
    pub fn can(&self, module: &Module, action: Action) -> bool {
        self.user.super_admin || self.profile.module(module.api_name.as_str()).allows(action)
    }

    /// The records a list of `module` may show, given the user may view the module at all.
    pub fn list_scope(&self, module: &Module) -> ListScope {
        if self.user.super_admin
            || self.profile.scope == RecordScope::All
            || module.sharing.is_public()
        {
            ListScope::All
        } else {
            ListScope::OwnedBy(self.user.id)
        }
    }

    /// Whether the user may see one record (owned by `owner_id`) at all; when false, the record
    /// must look exactly like a missing one.
    pub fn sees(&self, module: &Module, owner_id: Id) -> bool {
        self.can(module, Action::View) && self.reaches(module, owner_id, Action::View)
    }

    /// Whether the user may perform `action` on a record they can see.
    pub fn may(&self, module: &Module, owner_id: Id, action: Action) -> bool {
        self.can(module, action) && self.reaches(module, owner_id, action)
    }

    fn reaches(&self, module: &Module, owner_id: Id, action: Action) -> bool {
        if self.user.super_admin
            || self.profile.scope == RecordScope::All
            || owner_id == self.user.id
        {
            return true;
        }
        match (module.sharing, action) {
            (DataSharing::Private, _) => false,
            (DataSharing::PublicReadOnly, Action::View) => true,
            (DataSharing::PublicReadOnly, _) => false,
            (DataSharing::PublicReadWriteDelete, _) => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::EmailAddress;
    use crate::module::{ApiName, ModuleKind};
    use crate::profile::ModulePermissions;
    use std::collections::BTreeMap;

    fn actor(scope: RecordScope, perms: ModulePermissions, super_admin: bool) -> CrmActor {
        let mut permissions = BTreeMap::new();
        permissions.insert("Deals".to_string(), perms);
        CrmActor {
            user: User {
                id: 10,
                org_id: 1,
                email: EmailAddress::parse("rep@zylker.com").unwrap(),
                name: "Rep".into(),
                profile_id: 1,
                super_admin,
                active: true,
            },
            profile: Profile {
                id: 1,
                org_id: 1,
                name: "Sales".into(),
                scope,
                permissions,
            },
        }
    }

    fn deals(sharing: DataSharing) -> Module {
        Module {
            id: 1,
            org_id: 1,
            api_name: ApiName::parse("Deals").unwrap(),
            label: "Deals".into(),
            kind: ModuleKind::Standard,
            sharing,
            name_fields: vec![],
            canvas_template: None,
        }
    }

    const VIEW_EDIT: ModulePermissions = ModulePermissions {
        view: true,
        create: true,
        edit: true,
        delete: false,
    };

    #[test]
    fn profile_gates_actions() {
        let a = actor(RecordScope::All, VIEW_EDIT, false);
        let m = deals(DataSharing::Private);
        assert!(a.may(&m, 99, Action::Edit));
        assert!(
            !a.may(&m, 10, Action::Delete),
            "no delete permission, even on own record"
        );
        assert!(
            actor(RecordScope::Own, ModulePermissions::default(), true).may(&m, 99, Action::Delete)
        );
    }

    #[test]
    fn own_scope_follows_data_sharing() {
        let a = actor(RecordScope::Own, ModulePermissions::ALL, false);
        let private = deals(DataSharing::Private);
        assert!(a.sees(&private, 10));
        assert!(!a.sees(&private, 11));
        assert_eq!(a.list_scope(&private), ListScope::OwnedBy(10));
        let read_only = deals(DataSharing::PublicReadOnly);
        assert!(a.sees(&read_only, 11));
        assert!(!a.may(&read_only, 11, Action::Edit));
        assert_eq!(a.list_scope(&read_only), ListScope::All);
        let rwd = deals(DataSharing::PublicReadWriteDelete);
        assert!(a.may(&rwd, 11, Action::Delete));
    }
}
