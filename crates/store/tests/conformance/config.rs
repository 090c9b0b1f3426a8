//! The org's configuration version: what tells every instance that its cached profiles and
//! modules are stale. Each operation that changes them raises it in its own transaction (and
//! the handle's count of local changes at commit); nothing else does, and a rolled-back change
//! leaves both as they were. API callers and session users are read with it in one statement.

use super::{NOW, Tenant, add, tenant};
use portico_domain::field::{FieldType, NewField};
use portico_domain::layout::{NewLayout, Section};
use portico_domain::module::DataSharing;
use portico_domain::profile::{NewProfile, RecordScope};
use portico_domain::standard::NewCustomModule;
use portico_store::{ModuleSettings, Store};
use serde_json::json;
use std::collections::BTreeMap;

/// The org's configuration version and the handle's count of local changes.
async fn versions(store: &Store, t: &Tenant) -> (i64, u64) {
    (
        store.org_config(t.org).await.unwrap().version,
        store.config_changes(),
    )
}

pub(crate) async fn configuration_changes_raise_the_version(store: Store) {
    let t = tenant(&store, "Zylker", "zylker.com").await;
    let other = tenant(&store, "Other", "other.com").await;
    let other_before = store.org_config(other.org).await.unwrap();
    let mut before = versions(&store, &t).await;
    let mut raised = |what: &str, now: (i64, u64)| {
        assert!(
            now.0 > before.0,
            "{what} must raise the org's config_version"
        );
        assert!(now.1 > before.1, "{what} must count as a local change");
        before = now;
    };

    let spec = NewCustomModule {
        api_name: None,
        label: "Projects".into(),
        sharing: None,
    }
    .into_spec()
    .unwrap();
    let projects = store.create_module(t.org, &spec).await.unwrap();
    raised("create_module", versions(&store, &t).await);
    let settings = ModuleSettings {
        label: "Big Projects".into(),
        sharing: DataSharing::PublicReadOnly,
        canvas_template: None,
    };
    store
        .update_module(t.org, projects.id, &settings)
        .await
        .unwrap();
    raised("update_module", versions(&store, &t).await);
    let field = NewField {
        api_name: None,
        label: "Budget".into(),
        field_type: FieldType::Currency,
        mandatory: false,
    };
    store
        .create_field(t.org, projects.id, &field)
        .await
        .unwrap();
    raised("create_field", versions(&store, &t).await);
    let layout = NewLayout {
        name: "Compact".into(),
        sections: vec![Section {
            name: "Main".into(),
            fields: vec!["Name".into()],
        }],
    };
    store
        .create_layout(t.org, projects.id, &layout)
        .await
        .unwrap();
    raised("create_layout", versions(&store, &t).await);
    let sales = NewProfile {
        name: "Sales".into(),
        scope: RecordScope::Own,
        permissions: BTreeMap::new(),
    };
    let profile = store.create_profile(t.org, &sales).await.unwrap();
    raised("create_profile", versions(&store, &t).await);
    let wider = NewProfile {
        scope: RecordScope::All,
        ..sales.clone()
    };
    store
        .update_profile(t.org, profile.id, &wider)
        .await
        .unwrap();
    raised("update_profile", versions(&store, &t).await);

    // Records, users, tokens and org settings are not cached configuration.
    add(&store, &t, "Contacts", json!({"Last_Name": "Plain"}))
        .await
        .unwrap();
    store.set_user_active(t.org, t.user, true).await.unwrap();
    store
        .create_api_token(t.org, t.user, "h", "cli", NOW, NOW + 1)
        .await
        .unwrap();
    assert_eq!(versions(&store, &t).await, before, "nothing cached changed");

    // A change rolled back raises nothing.
    let mut tx = store.transaction().await.unwrap();
    let again = NewProfile {
        name: "Support".into(),
        ..sales
    };
    tx.create_profile(t.org, &again).await.unwrap();
    drop(tx);
    assert_eq!(versions(&store, &t).await, before, "rolled back");

    // Another org's configuration never moved.
    assert_eq!(store.org_config(other.org).await.unwrap(), other_before);
}

pub(crate) async fn api_callers_come_with_their_user_and_version(store: Store) {
    let t = tenant(&store, "Zylker", "zylker.com").await;
    let token = store
        .create_api_token(t.org, t.user, "hash-1", "cli", NOW, NOW + 1_000)
        .await
        .unwrap();
    let user = store.get_user(t.org, t.user).await.unwrap();
    let version = store.org_config(t.org).await.unwrap().version;
    let caller = store.find_api_caller("hash-1").await.unwrap().unwrap();
    assert_eq!(
        (&caller.token, &caller.user, caller.config_version),
        (&token, &user, version)
    );
    assert!(store.find_api_caller("hash-2").await.unwrap().is_none());
    assert_eq!(
        store.get_user_with_config(t.org, t.user).await.unwrap(),
        (user, version)
    );

    // What the caller refuses is read fresh: revocation and deactivation.
    store
        .revoke_api_token(t.org, token.id, NOW + 1)
        .await
        .unwrap();
    store.set_user_active(t.org, t.user, false).await.unwrap();
    let caller = store.find_api_caller("hash-1").await.unwrap().unwrap();
    assert_eq!(caller.token.revoked_at, Some(NOW + 1));
    assert!(!caller.user.active);
}
