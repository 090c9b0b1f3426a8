//! The storage conformance suite: every operation, on SQLite and on PostgreSQL, including the
//! proof that one org never reads or changes another org's data through any storage call, and
//! the sign-in failure counts every instance shares.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use portico_domain::Id;
use portico_domain::email::EmailAddress;
use portico_domain::field::{FieldType, NewField};
use portico_domain::layout::{NewLayout, Section};
use portico_domain::module::{ApiName, DataSharing};
use portico_domain::org::{OrgSettings, TimeFormat};
use portico_domain::profile::{ModulePermissions, NewProfile, RecordScope};
use portico_domain::record::{RecordState, validate_data};
use portico_domain::standard::{NewCustomModule, standard_modules};
use portico_domain::webtab::NewWebTab;
use portico_store::migrations::LATEST;
use portico_store::{
    CountedPage, ModuleSettings, NewOrg, NewOrgAdmin, NewUser, RecordMeta, RecordPageQuery,
    RecordQuery, RecordSort, Session, Store, StoreError,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;

#[path = "conformance/blocked_domains.rs"]
mod blocked_domains;
#[path = "conformance/claims.rs"]
mod claims;
#[path = "conformance/invitation_batches.rs"]
mod invitation_batches;
#[path = "conformance/isolation.rs"]
mod isolation;
use invitation_batches::{
    invitation_batch_claims_are_leased_and_exclusive,
    invitation_batches_keep_items_and_count_each_outcome_once,
    invitation_candidates_are_live_uninvited_and_validly_addressed,
};
#[path = "conformance/later_columns.rs"]
mod later_columns;
#[path = "conformance/migration.rs"]
mod migration;
use blocked_domains::{
    a_blocked_domain_covers_its_subdomains, blocked_domains_are_listed_added_once_and_removed,
};
use claims::{
    custom_domains_are_unique_once_verified, sign_in_choices_are_single_use_and_expire,
    user_emails_are_unique_within_an_org,
};
use isolation::orgs_are_isolated;
#[path = "conformance/sign_in_failures.rs"]
mod sign_in_failures;
use sign_in_failures::{
    concurrent_sign_in_failures_are_counted_exactly, sign_in_failures_count_lock_expire_and_clear,
    the_sign_in_failure_table_is_capped,
};
#[path = "conformance/search.rs"]
mod search;
use search::{
    hostile_searches_are_literal_and_never_fail, search_finds_substrings_of_names_and_emails,
    search_index_follows_every_write, the_search_index_is_built_on_upgrade_and_kept_in_step,
};
#[path = "conformance/config.rs"]
mod config;
#[path = "conformance/portal_account.rs"]
mod portal_account;
#[path = "conformance/records_by_email.rs"]
mod records_by_email;
use config::{
    api_callers_come_with_their_user_and_version, configuration_changes_raise_the_version,
};
use portal_account::email_changes_and_logos_keep_their_rules;
use records_by_email::live_records_are_found_by_email;

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let store = super::fresh(&portico_testkit::sqlite_url()).await;
                    super::$name(store).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    match portico_testkit::postgres_url().await {
                        Ok(Some(url)) => super::$name(super::fresh(&url).await).await,
                        Ok(None) => {}
                        Err(e) => panic!("{e}"),
                    }
                }
            )*
        }
    };
}

conformance!(
    migrations_are_idempotent,
    orgs_get_standard_modules_and_profiles,
    custom_module_with_lookup_links_records,
    lookups_must_point_at_the_right_module_and_org,
    record_lifecycle_through_the_recycle_bin,
    keyset_pages_cover_every_record_once,
    users_sessions_and_tokens,
    an_org_and_its_admin_are_created_together,
    fields_layouts_and_module_settings,
    fields_and_layouts_stay_editable,
    orgs_are_isolated,
    sign_in_failures_count_lock_expire_and_clear,
    concurrent_sign_in_failures_are_counted_exactly,
    the_sign_in_failure_table_is_capped,
    user_emails_are_unique_within_an_org,
    custom_domains_are_unique_once_verified,
    sign_in_choices_are_single_use_and_expire,
    search_finds_substrings_of_names_and_emails,
    search_index_follows_every_write,
    hostile_searches_are_literal_and_never_fail,
    the_search_index_is_built_on_upgrade_and_kept_in_step,
    configuration_changes_raise_the_version,
    api_callers_come_with_their_user_and_version,
    blocked_domains_are_listed_added_once_and_removed,
    a_blocked_domain_covers_its_subdomains,
    live_records_are_found_by_email,
    invitation_batches_keep_items_and_count_each_outcome_once,
    invitation_batch_claims_are_leased_and_exclusive,
    invitation_candidates_are_live_uninvited_and_validly_addressed,
    email_changes_and_logos_keep_their_rules,
);

const NOW: i64 = 1_700_000_000_000;

async fn fresh(url: &str) -> Store {
    let store = Store::open(url).unwrap();
    store.migrate(NOW).await.unwrap();
    store
}

fn settings(name: &str, domain: &str) -> OrgSettings {
    OrgSettings {
        name: name.into(),
        email_domain: domain.into(),
        language: "en".into(),
        time_format: TimeFormat::TwentyFourHour,
        time_zone: "Europe/London".into(),
        country: "GB".into(),
        gdpr_consent_required: false,
    }
}

struct Tenant {
    org: Id,
    user: Id,
}

/// An org with the standard modules and an "Administrator" profile (all of Contacts), and
/// with `admin` as its first administrator when one is given.
fn new_org(name: &str, domain: &str, admin: Option<NewOrgAdmin>) -> NewOrg {
    let mut permissions = BTreeMap::new();
    permissions.insert("Contacts".to_string(), ModulePermissions::ALL);
    NewOrg {
        settings: settings(name, domain),
        modules: standard_modules(),
        profiles: vec![NewProfile {
            name: "Administrator".into(),
            scope: RecordScope::All,
            permissions,
        }],
        admin,
    }
}

async fn tenant(store: &Store, name: &str, domain: &str) -> Tenant {
    let created = store
        .create_org(&new_org(name, domain, None), NOW)
        .await
        .unwrap();
    let (org, profiles) = (created.org, created.profiles);
    let user = store
        .create_user(
            org.id,
            &NewUser {
                email: EmailAddress::parse(&format!("admin@{domain}")).unwrap(),
                name: "Admin".into(),
                password_hash: "hash".into(),
                profile_id: profiles[0].id,
                super_admin: true,
            },
            NOW,
        )
        .await
        .unwrap();
    Tenant {
        org: org.id,
        user: user.id,
    }
}

async fn add(
    store: &Store,
    t: &Tenant,
    module: &str,
    data: Value,
) -> Result<portico_domain::record::Record, StoreError> {
    let m = store.get_module(t.org, module).await?;
    let fields = store.list_fields(t.org, m.id).await?;
    let valid = validate_data(&fields, &m.name_fields, data.as_object().unwrap(), None)?;
    store
        .create_record(t.org, m.id, t.user, &valid, RecordState::default(), NOW)
        .await
}

fn codes(e: StoreError) -> Vec<(String, &'static str)> {
    match e {
        StoreError::Invalid(d) => d
            .errors()
            .iter()
            .map(|e| (e.field.clone(), e.code))
            .collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

async fn migrations_are_idempotent(store: Store) {
    assert_eq!(store.migrate(NOW).await.unwrap(), LATEST);
    assert_eq!(store.migrate(NOW).await.unwrap(), LATEST);
    store.ping().await.unwrap();
}

async fn orgs_get_standard_modules_and_profiles(store: Store) {
    let t = tenant(&store, "Zylker", "zylker.com").await;
    let modules = store.list_modules(t.org).await.unwrap();
    let names: Vec<&str> = modules.iter().map(|m| m.api_name.as_str()).collect();
    assert_eq!(names[..3], ["Leads", "Accounts", "Contacts"]);
    assert_eq!(modules.len(), 12);
    let contacts = store.get_module(t.org, "Contacts").await.unwrap();
    let fields = store.list_fields(t.org, contacts.id).await.unwrap();
    assert!(
        fields
            .iter()
            .any(|f| f.api_name.as_str() == "Last_Name" && f.mandatory)
    );
    let layouts = store.list_layouts(t.org, contacts.id).await.unwrap();
    assert_eq!(layouts.len(), 1);
    assert_eq!(layouts[0].field_names().count(), fields.len());
    let org = store.get_org(t.org).await.unwrap();
    assert_eq!(org.settings.email_domain, "zylker.com");
    assert_eq!(
        store
            .find_org_by_domain("zylker.com")
            .await
            .unwrap()
            .unwrap()
            .id,
        t.org
    );
    let mut changed = org.settings.clone();
    changed.gdpr_consent_required = true;
    store.update_org(t.org, &changed).await.unwrap();
    assert!(
        store
            .get_org(t.org)
            .await
            .unwrap()
            .settings
            .gdpr_consent_required
    );
    let profiles = store.list_profiles(t.org).await.unwrap();
    assert_eq!(profiles.len(), 1);
    assert!(profiles[0].module("Contacts").delete);
}

async fn custom_module_with_lookup_links_records(store: Store) {
    let t = tenant(&store, "Zylker", "zylker.com").await;
    let spec = NewCustomModule {
        api_name: None,
        label: "Car Licences".into(),
        sharing: None,
    }
    .into_spec()
    .unwrap();
    let module = store.create_module(t.org, &spec).await.unwrap();
    let field = store
        .create_field(
            t.org,
            module.id,
            &NewField {
                api_name: None,
                label: "Holder".into(),
                field_type: FieldType::Lookup {
                    target_module: ApiName::parse("Contacts").unwrap(),
                },
                mandatory: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(field.api_name.as_str(), "Holder");
    let ann = add(&store, &t, "Contacts", json!({"Last_Name": "Ann"}))
        .await
        .unwrap();
    let bob = add(&store, &t, "Contacts", json!({"Last_Name": "Bob"}))
        .await
        .unwrap();
    let l1 = add(
        &store,
        &t,
        "Car_Licences",
        json!({"Name": "L1", "Holder": ann.id}),
    )
    .await
    .unwrap();
    let l2 = add(
        &store,
        &t,
        "Car_Licences",
        json!({"Name": "L2", "Holder": ann.id}),
    )
    .await
    .unwrap();
    add(
        &store,
        &t,
        "Car_Licences",
        json!({"Name": "L3", "Holder": bob.id}),
    )
    .await
    .unwrap();
    let page = store
        .linked_records(t.org, ann.id, &[field.id], None, 50, None)
        .await
        .unwrap();
    let ids: Vec<Id> = page.items.iter().map(|r| r.id).collect();
    assert_eq!(ids, [l2.id, l1.id]);
    // The counted page of the same links: sorted by a field, by name, paged, searched.
    let links = [field.id];
    let q = |sort, descending, offset, limit, search| RecordPageQuery {
        module_id: module.id,
        linked_to: Some((ann.id, &links[..])),
        owned_by: None,
        search,
        sort,
        descending,
        offset,
        limit,
    };
    let names = |p: &CountedPage| {
        p.items
            .iter()
            .map(|r| r.display_name.clone())
            .collect::<Vec<_>>()
    };
    let by_name = store
        .record_page(t.org, &q(RecordSort::Field("Name"), true, 0, 50, None))
        .await
        .unwrap();
    assert_eq!(
        (names(&by_name), by_name.total),
        (vec!["L2".to_string(), "L1".into()], 2)
    );
    let first = store
        .record_page(t.org, &q(RecordSort::Name, false, 0, 1, None))
        .await
        .unwrap();
    assert_eq!((names(&first), first.total), (vec!["L1".to_string()], 2));
    let second = store
        .record_page(t.org, &q(RecordSort::Name, false, 1, 1, None))
        .await
        .unwrap();
    assert_eq!((names(&second), second.total), (vec!["L2".to_string()], 2));
    let past = store
        .record_page(t.org, &q(RecordSort::Name, false, 5, 1, None))
        .await
        .unwrap();
    assert_eq!((past.items.len(), past.total), (0, 2));
    let past_sorted = store
        .record_page(t.org, &q(RecordSort::Field("Name"), false, 5, 1, None))
        .await
        .unwrap();
    assert_eq!(past_sorted.total, 2);
    let searched = store
        .record_page(t.org, &q(RecordSort::Newest, true, 0, 50, Some("l2")))
        .await
        .unwrap();
    assert_eq!(
        (names(&searched), searched.total),
        (vec!["L2".to_string()], 1)
    );
    let all = store
        .record_page(
            t.org,
            &RecordPageQuery {
                linked_to: None,
                ..q(RecordSort::Newest, true, 0, 50, None)
            },
        )
        .await
        .unwrap();
    assert_eq!(all.total, 3);
    // Only one owner's records (a profile that sees only its own).
    let owner = all.items[0].owner_id;
    for (who, expected) in [(owner, 3), (owner + 1_000_000, 0)] {
        let owned = store
            .record_page(
                t.org,
                &RecordPageQuery {
                    linked_to: None,
                    owned_by: Some(who),
                    ..q(RecordSort::Newest, true, 0, 50, None)
                },
            )
            .await
            .unwrap();
        assert_eq!(owned.total, expected, "owned by {who}");
    }
    // Re-pointing a record moves its link.
    let fields = store.list_fields(t.org, module.id).await.unwrap();
    let valid = validate_data(
        &fields,
        &module.name_fields,
        json!({"Holder": bob.id}).as_object().unwrap(),
        Some(&l2.data),
    )
    .unwrap();
    store
        .update_record(
            t.org,
            module.id,
            l2.id,
            &valid,
            RecordMeta::default(),
            NOW + 1,
        )
        .await
        .unwrap();
    let page = store
        .linked_records(t.org, ann.id, &[field.id], None, 50, None)
        .await
        .unwrap();
    assert_eq!(page.items.iter().map(|r| r.id).collect::<Vec<_>>(), [l1.id]);
    let refs = store
        .record_refs(t.org, &[ann.id, bob.id, l1.id])
        .await
        .unwrap();
    assert_eq!(refs.len(), 3);
    let ann_ref = refs.iter().find(|r| r.id == ann.id).unwrap();
    assert_eq!(
        (
            ann_ref.display_name.as_str(),
            ann_ref.owner_id,
            ann_ref.module_id
        ),
        ("Ann", t.user, ann.module_id)
    );
    // Subform lookups are indexed under the subform field.
    let product = add(&store, &t, "Products", json!({"Product_Name": "Widget"}))
        .await
        .unwrap();
    let invoice = add(
        &store,
        &t,
        "Invoices",
        json!({"Subject": "INV-1", "Product_Details": [{"Product": product.id, "Quantity": 2}]}),
    )
    .await
    .unwrap();
    let invoices = store.get_module(t.org, "Invoices").await.unwrap();
    let details = store
        .list_fields(t.org, invoices.id)
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.api_name.as_str() == "Product_Details")
        .unwrap();
    let page = store
        .linked_records(t.org, product.id, &[details.id], None, 10, None)
        .await
        .unwrap();
    assert_eq!(page.items[0].id, invoice.id);
}

async fn lookups_must_point_at_the_right_module_and_org(store: Store) {
    let a = tenant(&store, "Zylker", "zylker.com").await;
    let b = tenant(&store, "Other", "other.com").await;
    let account = add(&store, &a, "Accounts", json!({"Account_Name": "Acme"}))
        .await
        .unwrap();
    let contact = add(
        &store,
        &a,
        "Contacts",
        json!({"Last_Name": "Lee", "Account_Name": account.id}),
    )
    .await
    .unwrap();
    assert_eq!(contact.data["Account_Name"], json!(account.id));
    // A lookup to a record of another module.
    let e = add(
        &store,
        &a,
        "Contacts",
        json!({"Last_Name": "X", "Account_Name": contact.id}),
    )
    .await
    .unwrap_err();
    assert_eq!(codes(e), [("Account_Name".to_string(), "invalid_lookup")]);
    // A lookup to a record of another org.
    let e = add(
        &store,
        &b,
        "Contacts",
        json!({"Last_Name": "X", "Account_Name": account.id}),
    )
    .await
    .unwrap_err();
    assert_eq!(codes(e), [("Account_Name".to_string(), "invalid_lookup")]);
    // A lookup to a deleted record.
    let accounts = store.get_module(a.org, "Accounts").await.unwrap();
    store
        .delete_record(a.org, accounts.id, account.id, NOW)
        .await
        .unwrap();
    let e = add(
        &store,
        &a,
        "Contacts",
        json!({"Last_Name": "X", "Account_Name": account.id}),
    )
    .await
    .unwrap_err();
    assert_eq!(codes(e), [("Account_Name".to_string(), "invalid_lookup")]);
}

async fn record_lifecycle_through_the_recycle_bin(store: Store) {
    let t = tenant(&store, "Zylker", "zylker.com").await;
    let contacts = store.get_module(t.org, "Contacts").await.unwrap();
    let r = add(
        &store,
        &t,
        "Contacts",
        json!({"Last_Name": "Lee", "Email": "lee@x.com"}),
    )
    .await
    .unwrap();
    assert_eq!(r.email.as_deref(), Some("lee@x.com"));
    assert!(matches!(
        store.purge_record(t.org, contacts.id, r.id).await,
        Err(StoreError::Conflict(_))
    ));
    store
        .delete_record(t.org, contacts.id, r.id, NOW + 5)
        .await
        .unwrap();
    assert!(matches!(
        store.delete_record(t.org, contacts.id, r.id, NOW).await,
        Err(StoreError::NotFound)
    ));
    let live = store
        .list_records(
            t.org,
            &RecordQuery {
                module_id: Some(contacts.id),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(live.items.is_empty());
    let bin = store
        .list_records(
            t.org,
            &RecordQuery {
                in_bin: true,
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(bin.items[0].deleted_at, Some(NOW + 5));
    let fields = store.list_fields(t.org, contacts.id).await.unwrap();
    let valid = validate_data(
        &fields,
        &contacts.name_fields,
        &serde_json::Map::new(),
        Some(&r.data),
    )
    .unwrap();
    assert!(matches!(
        store
            .update_record(t.org, contacts.id, r.id, &valid, RecordMeta::default(), NOW)
            .await,
        Err(StoreError::NotFound)
    ));
    store
        .restore_record(t.org, contacts.id, r.id)
        .await
        .unwrap();
    let state = RecordState {
        approval_locked: true,
        in_review: false,
        gdpr_consent: true,
    };
    let updated = store
        .update_record(
            t.org,
            contacts.id,
            r.id,
            &valid,
            RecordMeta {
                state: Some(state),
                ..Default::default()
            },
            NOW + 9,
        )
        .await
        .unwrap();
    assert_eq!(updated.state, state);
    assert_eq!(updated.updated_at, NOW + 9);
    store
        .delete_record(t.org, contacts.id, r.id, NOW)
        .await
        .unwrap();
    store.purge_record(t.org, contacts.id, r.id).await.unwrap();
    assert!(matches!(
        store.get_record(t.org, contacts.id, r.id).await,
        Err(StoreError::NotFound)
    ));
}

async fn keyset_pages_cover_every_record_once(store: Store) {
    let t = tenant(&store, "Zylker", "zylker.com").await;
    for i in 0..25 {
        add(
            &store,
            &t,
            "Contacts",
            json!({"Last_Name": format!("Person {i:02}"), "Email": format!("p{i}@example.com")}),
        )
        .await
        .unwrap();
    }
    let contacts = store.get_module(t.org, "Contacts").await.unwrap();
    let mut seen = Vec::new();
    let mut after = None;
    let mut pages = 0;
    loop {
        let page = store
            .list_records(
                t.org,
                &RecordQuery {
                    module_id: Some(contacts.id),
                    after,
                    limit: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        pages += 1;
        seen.extend(page.items.iter().map(|r| r.id));
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 25);
    assert!(
        seen.windows(2).all(|w| w[0] > w[1]),
        "newest first, no repeats"
    );
    let found = store
        .list_records(
            t.org,
            &RecordQuery {
                module_id: Some(contacts.id),
                search: Some("PERSON 1".into()),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(found.items.len(), 10);
    let by_email = store
        .list_records(
            t.org,
            &RecordQuery {
                module_id: Some(contacts.id),
                search: Some("p7@".into()),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(by_email.items.len(), 1);
    let wildcard = store
        .list_records(
            t.org,
            &RecordQuery {
                module_id: Some(contacts.id),
                search: Some("%".into()),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(wildcard.items.is_empty(), "% is matched literally");
    assert_eq!(
        store.count_records(t.org, contacts.id, None).await.unwrap(),
        25
    );
    assert_eq!(
        store
            .count_records(t.org, contacts.id, Some(t.user))
            .await
            .unwrap(),
        25
    );
    assert_eq!(
        store
            .count_records(t.org, contacts.id, Some(t.user + 1000))
            .await
            .unwrap(),
        0
    );
    let mine = store
        .list_records(
            t.org,
            &RecordQuery {
                module_id: Some(contacts.id),
                owner_id: Some(t.user + 1000),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(mine.items.is_empty());
}

async fn users_sessions_and_tokens(store: Store) {
    let t = tenant(&store, "Zylker", "zylker.com").await;
    let profile = store
        .create_profile(
            t.org,
            &NewProfile {
                name: "Sales".into(),
                scope: RecordScope::Own,
                permissions: BTreeMap::new(),
            },
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .create_profile(
                t.org,
                &NewProfile {
                    name: "Sales".into(),
                    scope: RecordScope::Own,
                    permissions: BTreeMap::new()
                }
            )
            .await,
        Err(StoreError::Conflict(_))
    ));
    let new = NewUser {
        email: EmailAddress::parse("Rep@Zylker.com").unwrap(),
        name: "Rep".into(),
        password_hash: "h2".into(),
        profile_id: profile.id,
        super_admin: false,
    };
    let rep = store.create_user(t.org, &new, NOW).await.unwrap();
    assert!(matches!(
        store.create_user(t.org, &new, NOW).await,
        Err(StoreError::Duplicate { .. })
    ));
    let found = store.find_logins("rep@zylker.com").await.unwrap();
    let found: Vec<(i64, &str)> = found.iter().map(|(u, h)| (u.id, h.as_str())).collect();
    assert_eq!(found, [(rep.id, "h2")]);
    assert!(
        store
            .find_logins("nobody@zylker.com")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.list_users(t.org).await.unwrap().len(), 2);
    let mut perms = BTreeMap::new();
    perms.insert(
        "Deals".to_string(),
        ModulePermissions {
            view: true,
            ..Default::default()
        },
    );
    let renamed = store
        .update_profile(
            t.org,
            profile.id,
            &NewProfile {
                name: "Sales Reps".into(),
                scope: RecordScope::Own,
                permissions: perms,
            },
        )
        .await
        .unwrap();
    assert_eq!(store.get_profile(t.org, profile.id).await.unwrap(), renamed);

    let session = Session {
        org_id: t.org,
        user_id: rep.id,
        csrf_token: "c".into(),
        created_at: NOW,
        last_seen_at: NOW,
        expires_at: NOW + 100,
    };
    store.create_session("s-hash", &session).await.unwrap();
    store.touch_session("s-hash", NOW + 50).await.unwrap();
    assert_eq!(
        store
            .get_session("s-hash")
            .await
            .unwrap()
            .unwrap()
            .last_seen_at,
        NOW + 50
    );
    assert_eq!(store.delete_expired_sessions(NOW + 101).await.unwrap(), 1);
    assert!(store.get_session("s-hash").await.unwrap().is_none());

    let created = store
        .create_api_token(t.org, rep.id, "t-hash", "cli", NOW, NOW + 10)
        .await
        .unwrap();
    let token = store.find_api_token("t-hash").await.unwrap().unwrap();
    assert_eq!(token, created);
    assert_eq!(
        (
            token.org_id,
            token.user_id,
            token.label.as_str(),
            token.created_at,
            token.expires_at,
            token.last_used_at,
            token.revoked_at
        ),
        (t.org, rep.id, "cli", NOW, NOW + 10, None, None)
    );
    assert!(store.find_api_token("other").await.unwrap().is_none());

    // Ids, listing, last use and revocation.
    let second = store
        .create_api_token(t.org, t.user, "t-hash-2", "ci", NOW, NOW + 10)
        .await
        .unwrap();
    assert_ne!(second.id, token.id);
    let all: Vec<_> = store
        .list_api_tokens(t.org, None)
        .await
        .unwrap()
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(all, [second.id, token.id]);
    let mine = store.list_api_tokens(t.org, Some(rep.id)).await.unwrap();
    assert_eq!(mine, std::slice::from_ref(&token));
    store
        .touch_api_token(t.org, token.id, NOW + 7)
        .await
        .unwrap();
    assert_eq!(
        store
            .get_api_token(t.org, token.id)
            .await
            .unwrap()
            .last_used_at,
        Some(NOW + 7)
    );
    assert_eq!(store.api_token_org(token.id).await.unwrap(), Some(t.org));
    assert_eq!(store.api_token_org(-1).await.unwrap(), None);
    store
        .revoke_api_token(t.org, token.id, NOW + 8)
        .await
        .unwrap();
    assert_eq!(
        store
            .find_api_token("t-hash")
            .await
            .unwrap()
            .unwrap()
            .revoked_at,
        Some(NOW + 8)
    );
    assert!(matches!(
        store.revoke_api_token(t.org, token.id, NOW + 9).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.get_api_token(t.org, token.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(
        store
            .list_api_tokens(t.org, Some(rep.id))
            .await
            .unwrap()
            .is_empty()
    );

    // Deactivating a user.
    assert!(
        !store
            .set_user_active(t.org, rep.id, false)
            .await
            .unwrap()
            .active
    );
    assert!(!store.get_user(t.org, rep.id).await.unwrap().active);
    assert!(
        store
            .set_user_active(t.org, rep.id, true)
            .await
            .unwrap()
            .active
    );

    // Changing a user: every detail saved; another user's address and another org's profile
    // refused, nothing changed.
    let changes = |email: &str, profile_id| portico_store::UserChanges {
        email: portico_domain::email::EmailAddress::parse(email).unwrap(),
        name: "Rita Renamed".into(),
        profile_id,
        super_admin: true,
        active: false,
    };
    let changed = store
        .update_user(t.org, rep.id, &changes("Rita@Zylker.com", rep.profile_id))
        .await
        .unwrap();
    assert_eq!(
        (
            changed.name.as_str(),
            changed.email.as_str(),
            changed.super_admin,
            changed.active
        ),
        ("Rita Renamed", "Rita@Zylker.com", true, false)
    );
    let admin = store.get_user(t.org, t.user).await.unwrap();
    assert!(matches!(
        store
            .update_user(
                t.org,
                rep.id,
                &changes(admin.email.as_str(), rep.profile_id)
            )
            .await,
        Err(StoreError::Duplicate { .. })
    ));
    assert!(matches!(
        store
            .update_user(
                t.org,
                rep.id,
                &changes("rita2@zylker.com", rep.profile_id + 10_000)
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(store.get_user(t.org, rep.id).await.unwrap(), changed);
}

async fn fields_layouts_and_module_settings(store: Store) {
    let t = tenant(&store, "Zylker", "zylker.com").await;
    let deals = store.get_module(t.org, "Deals").await.unwrap();
    let bad_target = NewField {
        api_name: None,
        label: "Pet".into(),
        field_type: FieldType::Lookup {
            target_module: ApiName::parse("Pets").unwrap(),
        },
        mandatory: false,
    };
    assert_eq!(
        codes(
            store
                .create_field(t.org, deals.id, &bad_target)
                .await
                .unwrap_err()
        ),
        [("target_module".to_string(), "unknown_module")]
    );
    let short = store
        .create_layout(
            t.org,
            deals.id,
            &NewLayout {
                name: "Short".into(),
                sections: vec![Section {
                    name: "Main".into(),
                    fields: vec!["Deal_Name".into(), "Stage".into()],
                }],
            },
        )
        .await
        .unwrap();
    let region = NewField {
        api_name: None,
        label: "Region".into(),
        field_type: FieldType::Picklist {
            options: vec!["North".into(), "South".into()],
        },
        mandatory: true,
    };
    store.create_field(t.org, deals.id, &region).await.unwrap();
    assert!(matches!(
        store.create_field(t.org, deals.id, &region).await,
        Err(StoreError::Conflict(_))
    ));
    let layouts = store.list_layouts(t.org, deals.id).await.unwrap();
    assert!(
        layouts
            .iter()
            .all(|l| l.field_names().any(|f| f == "Region")),
        "mandatory fields join every layout"
    );
    assert!(layouts.iter().any(|l| l.id == short.id));
    assert!(matches!(
        store
            .create_layout(
                t.org,
                deals.id,
                &NewLayout {
                    name: "Short".into(),
                    sections: vec![Section {
                        name: "M".into(),
                        fields: vec!["Deal_Name".into(), "Stage".into(), "Region".into()]
                    }]
                }
            )
            .await,
        Err(StoreError::Conflict(_))
    ));
    let updated = store
        .update_module(
            t.org,
            deals.id,
            &ModuleSettings {
                label: "Opportunities".into(),
                sharing: DataSharing::PublicReadOnly,
                canvas_template: Some("{{Deal_Name}}".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.sharing, DataSharing::PublicReadOnly);
    assert_eq!(store.get_module(t.org, "Deals").await.unwrap(), updated);
    let tab = store
        .create_web_tab(
            t.org,
            &NewWebTab {
                name: "News".into(),
                url: "https://zylker.com/news".into(),
            },
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .create_web_tab(
                t.org,
                &NewWebTab {
                    name: "News".into(),
                    url: "https://x.com".into()
                }
            )
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store.list_web_tabs(t.org).await.unwrap(),
        std::slice::from_ref(&tab)
    );
    // Renamed and moved; a name another tab has is refused.
    let other = store
        .create_web_tab(
            t.org,
            &NewWebTab {
                name: "Status".into(),
                url: "https://status.zylker.com".into(),
            },
        )
        .await
        .unwrap();
    let renamed = NewWebTab {
        name: "Newsroom".into(),
        url: "https://zylker.com/newsroom".into(),
    };
    let tab = store.update_web_tab(t.org, tab.id, &renamed).await.unwrap();
    assert_eq!(
        (tab.name.as_str(), tab.url.as_str()),
        ("Newsroom", "https://zylker.com/newsroom")
    );
    assert!(matches!(
        store
            .update_web_tab(
                t.org,
                tab.id,
                &NewWebTab {
                    name: "Status".into(),
                    url: "https://x.com".into()
                }
            )
            .await,
        Err(StoreError::Conflict(_))
    ));
    store.delete_web_tab(t.org, other.id).await.unwrap();
    assert_eq!(
        store.list_web_tabs(t.org).await.unwrap(),
        std::slice::from_ref(&tab)
    );
    store.delete_web_tab(t.org, tab.id).await.unwrap();
    assert!(store.list_web_tabs(t.org).await.unwrap().is_empty());
}

async fn an_org_and_its_admin_are_created_together(store: Store) {
    let admin = |email: &str| portico_store::NewOrgAdmin {
        email: EmailAddress::parse(email).unwrap(),
        name: "Boss".into(),
        password_hash: "h".into(),
    };
    let new = |domain: &str, email: &str| NewOrg {
        settings: settings("Co", domain),
        modules: standard_modules(),
        profiles: vec![NewProfile {
            name: "Administrator".into(),
            scope: RecordScope::All,
            permissions: BTreeMap::new(),
        }],
        admin: Some(admin(email)),
    };
    let created = store
        .create_org(&new("first.example", "boss@first.example"), NOW)
        .await
        .unwrap();
    let boss = created.admin.unwrap();
    assert!(boss.super_admin);
    assert_eq!(boss.profile_id, created.profiles[0].id);
    let orgs_of = |found: Vec<(portico_domain::profile::User, String)>| -> Vec<Id> {
        found.iter().map(|(u, _)| u.org_id).collect()
    };
    assert_eq!(
        orgs_of(store.find_logins("boss@first.example").await.unwrap()),
        [created.org.id]
    );
    // Emails are unique within an org: another org's admin may have the same one.
    let second = store
        .create_org(&new("second.example", "BOSS@first.example"), NOW)
        .await
        .unwrap();
    assert_eq!(
        orgs_of(store.find_logins("boss@first.example").await.unwrap()),
        [created.org.id, second.org.id]
    );
    // An org whose administrator cannot be made: nothing of it may remain.
    let mut broken = new("third.example", "boss@third.example");
    broken.profiles.clear();
    let refused = store.create_org(&broken, NOW).await;
    assert!(
        matches!(refused, Err(StoreError::Invalid(_))),
        "{refused:?}"
    );
    assert!(
        store
            .find_org_by_domain("third.example")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .find_logins("boss@third.example")
            .await
            .unwrap()
            .is_empty()
    );
}

async fn fields_and_layouts_stay_editable(store: Store) {
    let t = tenant(&store, "Zylker", "zylker.com").await;
    let deals = store.get_module(t.org, "Deals").await.unwrap();
    let fields = store.list_fields(t.org, deals.id).await.unwrap();
    let stage = fields
        .iter()
        .find(|f| f.api_name.as_str() == "Stage")
        .unwrap();
    let FieldType::Picklist { options } = &stage.field_type else {
        panic!("Stage is a picklist");
    };
    let mut more = options.clone();
    more.push("On hold".into());
    let changed = store
        .update_field(
            t.org,
            deals.id,
            stage.id,
            &NewField {
                api_name: None,
                label: "Deal stage".into(),
                field_type: FieldType::Picklist {
                    options: more.clone(),
                },
                mandatory: true,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (changed.label.as_str(), changed.mandatory),
        ("Deal stage", true)
    );
    assert_eq!(changed.api_name, stage.api_name, "the API name stays");
    assert_eq!(
        store
            .list_fields(t.org, deals.id)
            .await
            .unwrap()
            .iter()
            .find(|f| f.id == stage.id),
        Some(&changed)
    );
    // Made mandatory: on every layout.
    for layout in store.list_layouts(t.org, deals.id).await.unwrap() {
        assert!(
            layout.field_names().any(|n| n == "Stage"),
            "{}",
            layout.name
        );
    }
    // The type stays.
    let retyped = NewField {
        api_name: None,
        label: "Stage".into(),
        field_type: FieldType::Text,
        mandatory: false,
    };
    assert_eq!(
        codes(
            store
                .update_field(t.org, deals.id, stage.id, &retyped)
                .await
                .unwrap_err()
        ),
        [("type".to_string(), "type_fixed")]
    );

    // A layout renamed and rearranged; a name another layout has is refused.
    let layouts = store.list_layouts(t.org, deals.id).await.unwrap();
    let first = &layouts[0];
    let mandatory: Vec<String> = store
        .list_fields(t.org, deals.id)
        .await
        .unwrap()
        .iter()
        .filter(|f| f.mandatory)
        .map(|f| f.api_name.to_string())
        .collect();
    let compact = NewLayout {
        name: "Compact".into(),
        sections: vec![Section {
            name: "Essentials".into(),
            fields: mandatory.clone(),
        }],
    };
    let saved = store
        .update_layout(t.org, deals.id, first.id, &compact)
        .await
        .unwrap();
    assert_eq!(saved.name, "Compact");
    assert_eq!(saved.field_names().collect::<Vec<_>>(), mandatory);
    assert_eq!(store.list_layouts(t.org, deals.id).await.unwrap()[0], saved);
    let other = store
        .create_layout(
            t.org,
            deals.id,
            &NewLayout {
                name: "Other".into(),
                sections: compact.sections.clone(),
            },
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .update_layout(
                t.org,
                deals.id,
                other.id,
                &NewLayout {
                    name: "Compact".into(),
                    sections: compact.sections.clone()
                }
            )
            .await,
        Err(StoreError::Conflict(_))
    ));
    // Leaving a mandatory field off is refused.
    let missing = NewLayout {
        name: "Compact".into(),
        sections: vec![Section {
            name: "Essentials".into(),
            fields: vec![mandatory[0].clone()],
        }],
    };
    if mandatory.len() > 1 {
        assert!(matches!(
            store
                .update_layout(t.org, deals.id, first.id, &missing)
                .await,
            Err(StoreError::Invalid(_))
        ));
    }
}
