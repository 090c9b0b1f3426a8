//! Tenant isolation, method by method: org B, knowing every id of org A, calls every storage
//! operation that acts for an org with its own org id and A's ids; none may read A's data or
//! change it. A snapshot of everything A has, taken before and after, proves nothing changed.
//!
//! [`every_org_method_is_covered`] keeps the list honest: it reads the store's operation list
//! (the `each_alone!` block of `src/store.rs`) and fails when an operation that takes an org is
//! not called here, so a new one cannot be added without its isolation check. `Store` methods
//! are generated one-to-one from `Tx` methods by that block, so calling the `Store` method runs
//! the `Tx` method's code.

use super::{NOW, add, settings, tenant};
use portico_domain::Id;
use portico_domain::email::EmailAddress;
use portico_domain::email_domains::BlockedDomain;
use portico_domain::field::{Field, FieldType, NewField};
use portico_domain::layout::{Layout, NewLayout, Section};
use portico_domain::module::{ApiName, DataSharing, Module};
use portico_domain::org::Org;
use portico_domain::outbox::{MailKind, NewMail};
use portico_domain::portal::{
    Catalogue, CheckedUserTypeConfig, Portal, PortalSettings, SeatGrant, Slug, UserType,
    UserTypeConfig,
};
use portico_domain::portal_user::{
    LinkPurpose, NewPortalUser, PortalUser, PortalUserStatus, Preferences,
};
use portico_domain::profile::{ModulePermissions, NewProfile, Profile, RecordScope, User};
use portico_domain::record::{Record, RecordState, validate_data};
use portico_domain::standard::NewCustomModule;
use portico_domain::webtab::{NewWebTab, WebTab};
use portico_store::{
    ActionFilter, ApiToken, AuditEntry, AuditInsert, AuditQuery, BatchItem, BlockedEmailDomain,
    CandidateQuery, EmailChangeLink, InvitationBatch, MailQuery, MailSummary, MfaChallenge,
    ModuleSettings, NewInvitationBatch, NewUser, OrgConfig, PendingAccount, PortalAccountChange,
    PortalLogo, PortalMfa, PortalSession, PortalUserQuery, RecordMeta, RecordPageQuery,
    RecordQuery, RecordSort, Session, Store, StoreError, UserChanges,
};
use serde_json::json;
use std::collections::BTreeMap;

/// The operations that act for an org, each called below with org B's id against A's data.
/// `create_session` takes its org inside the session.
const ISOLATED: &[&str] = &[
    "get_org",
    "org_config",
    "config_version",
    "update_org",
    "create_module",
    "list_modules",
    "get_module",
    "update_module",
    "create_field",
    "list_fields",
    "create_layout",
    "list_layouts",
    "update_field",
    "update_layout",
    "create_profile",
    "update_profile",
    "list_profiles",
    "get_profile",
    "create_user",
    "list_users",
    "get_user",
    "get_user_with_config",
    "set_user_active",
    "update_user",
    "create_session",
    "create_sign_in_choice",
    "create_api_token",
    "list_api_tokens",
    "get_api_token",
    "revoke_api_token",
    "touch_api_token",
    "create_record",
    "get_record",
    "update_record",
    "delete_record",
    "restore_record",
    "purge_record",
    "list_records",
    "list_serialized_records",
    "linked_records",
    "record_page",
    "is_linked",
    "record_refs",
    "record_refs_linked",
    "count_records",
    "live_record_by_email",
    "create_web_tab",
    "list_web_tabs",
    "update_web_tab",
    "delete_web_tab",
    "create_portal",
    "list_portals",
    "get_portal",
    "update_portal_settings",
    "set_domain_verified",
    "list_user_types",
    "all_user_types",
    "get_user_type",
    "portal_scope",
    "create_user_type",
    "replace_user_type",
    "delete_user_type",
    "apply_portal_config",
    "grant_seats",
    "seat_grants",
    "record_audit",
    "audit_log",
    "record_audit_entry",
    "list_audit",
    "count_audit",
    "enqueue_mail",
    "list_mail",
    "get_mail",
    "create_portal_user",
    "get_portal_user",
    "portal_user_by_email",
    "portal_user_by_record",
    "portal_login",
    "list_portal_users",
    "count_portal_users",
    "seated_portal_users",
    "lock_user_type",
    "invited_records",
    "set_portal_user_status",
    "set_portal_user_type",
    "update_portal_account",
    "delete_portal_user",
    "create_portal_link",
    "end_portal_user_sessions",
    "create_email_change_link",
    "set_portal_user_email",
    "put_portal_logo",
    "portal_logo",
    "portal_logo_etag",
    "delete_portal_logo",
    "create_portal_session",
    "portal_mfa",
    "start_portal_mfa",
    "accept_portal_totp_step",
    "set_recovery_codes",
    "use_recovery_code",
    "recovery_codes_left",
    "delete_portal_mfa",
    "create_mfa_challenge",
    "list_blocked_domains",
    "add_blocked_domain",
    "remove_blocked_domain",
    "email_domain_blocked",
    "create_invitation_batch",
    "get_invitation_batch",
    "list_invitation_batches",
    "failed_batch_items",
    "invitation_candidates",
    "invitation_candidate_ids",
];

/// Operations that act for no org, with the reason each may: creating orgs, the operator's
/// list, whether an email domain has an org, lookups that answer the org for the caller to
/// check — by a key unique on the instance (a secret's hash, a portal's address or verified
/// domain) or by a sign-in email, whose accounts in every org sign-in checks the password
/// against — session and sign-in choice upkeep by secret, sign-in failure counts by the
/// hash of the email, and search index upkeep (it reads and returns no data).
const INSTANCE_WIDE: &[&str] = &[
    "create_org",
    "find_org_by_domain",
    "list_orgs",
    "find_logins",
    "take_sign_in_choice",
    "get_session",
    "touch_session",
    "delete_session",
    "delete_expired_sessions",
    "tidy_search_index",
    "find_api_token",
    "find_api_caller",
    "api_token_org",
    "portal_by_slug",
    "portal_by_domain",
    // Sign-in failure counts are keyed by the hash of the email typed at sign-in, before any
    // org is known: they belong to no org and hold no org's data.
    "record_sign_in_failure",
    "get_sign_in_failures",
    "clear_sign_in_failures",
    "delete_expired_sign_in_failures",
    "count_sign_in_failure_keys",
    // The delivery worker serves every org of the instance: it claims whatever mail is due and
    // reports each outcome against its claim (message id and attempt). Nothing it answers
    // leaves the server except as the email itself, to the recipient the org chose.
    "claim_mail",
    "mark_mail_sent",
    "mark_mail_failed",
    // Portal links and sessions are found by the hash of their secret, unique on the instance;
    // the caller checks the portal and org they answer (see `portal_accounts`). The sweep
    // deletes only what expired, for every org alike.
    "usable_portal_link",
    "redeem_portal_link",
    "usable_email_change",
    "get_portal_session",
    "portal_visit",
    "touch_portal_session",
    "delete_portal_session",
    "delete_expired_portal_sessions",
    // MFA challenges likewise: found by the hash of their secret; the caller checks the portal
    // and the account they answer (see `portal_mfa`).
    "mfa_challenge",
    "fail_mfa_challenge",
    "end_mfa_challenge",
    // The invitation batch worker serves every org of the instance, like the mail worker: it
    // claims whichever batch is due and works on it by the batch's id, as the invitations
    // themselves are made for the batch's own org, portal and CRM user.
    "claim_invitation_batch",
    "extend_invitation_batch_lease",
    "next_batch_items",
    "record_batch_item",
    "finish_invitation_batch",
];

/// Everything org A has, read through A's own id.
#[derive(Debug, PartialEq)]
struct Snapshot {
    org: Org,
    /// The profiles and modules instances cache, and the version that tells them to reload.
    config: OrgConfig,
    modules: Vec<(Module, Vec<Field>, Vec<Layout>)>,
    profiles: Vec<Profile>,
    users: Vec<User>,
    live: Vec<Record>,
    binned: Vec<Record>,
    web_tabs: Vec<WebTab>,
    portals: Vec<Portal>,
    user_types: Vec<UserType>,
    seats: Vec<SeatGrant>,
    audit: Vec<AuditEntry>,
    token: Option<ApiToken>,
    session: Option<Session>,
    mail: Vec<MailSummary>,
    portal_users: Vec<PortalUser>,
    portal_session: Option<(PortalSession, PortalUser)>,
    /// Each portal user's MFA row and unused recovery codes.
    mfa: Vec<(Option<PortalMfa>, i64)>,
    mfa_challenge: Option<MfaChallenge>,
    email_change: Option<EmailChangeLink>,
    logos: Vec<Option<PortalLogo>>,
    blocked_domains: Vec<BlockedEmailDomain>,
    batches: Vec<(InvitationBatch, Vec<BatchItem>)>,
}

async fn snapshot(store: &Store, org: Id) -> Snapshot {
    let mut modules = Vec::new();
    for m in store.list_modules(org).await.unwrap() {
        let fields = store.list_fields(org, m.id).await.unwrap();
        let layouts = store.list_layouts(org, m.id).await.unwrap();
        modules.push((m, fields, layouts));
    }
    let records = |in_bin| RecordQuery {
        in_bin,
        limit: 500,
        ..Default::default()
    };
    Snapshot {
        org: store.get_org(org).await.unwrap(),
        config: store.org_config(org).await.unwrap(),
        modules,
        profiles: store.list_profiles(org).await.unwrap(),
        users: store.list_users(org).await.unwrap(),
        live: store
            .list_records(org, &records(false))
            .await
            .unwrap()
            .items,
        binned: store.list_records(org, &records(true)).await.unwrap().items,
        web_tabs: store.list_web_tabs(org).await.unwrap(),
        portals: store.list_portals(org).await.unwrap(),
        user_types: store.all_user_types(org).await.unwrap(),
        seats: store.seat_grants(org).await.unwrap(),
        audit: store.audit_log(org, 1000).await.unwrap(),
        token: store.find_api_token("a-token").await.unwrap(),
        session: store.get_session("a-session").await.unwrap(),
        mail: store.list_mail(org, &all_mail()).await.unwrap().items,
        portal_users: {
            let mut all = Vec::new();
            for p in store.list_portals(org).await.unwrap() {
                all.extend(
                    store
                        .list_portal_users(org, p.id, &all_portal_users())
                        .await
                        .unwrap()
                        .items,
                );
            }
            all
        },
        portal_session: store.get_portal_session("a-portal-session").await.unwrap(),
        mfa: {
            let mut all = Vec::new();
            for p in store.list_portals(org).await.unwrap() {
                let users = store
                    .list_portal_users(org, p.id, &all_portal_users())
                    .await;
                for u in users.unwrap().items {
                    all.push((
                        store.portal_mfa(org, u.id).await.unwrap(),
                        store.recovery_codes_left(org, u.id).await.unwrap(),
                    ));
                }
            }
            all
        },
        mfa_challenge: store.mfa_challenge("a-challenge", NOW).await.unwrap(),
        email_change: store
            .usable_email_change("a-email-link", NOW)
            .await
            .unwrap(),
        logos: {
            let mut all = Vec::new();
            for p in store.list_portals(org).await.unwrap() {
                all.push(store.portal_logo(org, p.id).await.unwrap());
            }
            all
        },
        blocked_domains: store.list_blocked_domains(org).await.unwrap(),
        batches: {
            let mut all = Vec::new();
            for p in store.list_portals(org).await.unwrap() {
                let batches = store.list_invitation_batches(org, p.id, None, 200).await;
                for b in batches.unwrap().items {
                    let failed = store.failed_batch_items(org, p.id, b.id, None, 1000).await;
                    all.push((b, failed.unwrap().items));
                }
            }
            all
        },
    }
}

fn all_portal_users() -> PortalUserQuery {
    PortalUserQuery {
        status: None,
        user_type_id: None,
        after: None,
        limit: 500,
        order: None,
    }
}

/// Every audit entry, newest first, in one page.
fn audit_page() -> AuditQuery {
    AuditQuery {
        limit: 200,
        ..Default::default()
    }
}

fn portal_user(portal: Id, user_type: Id, record: Id, email: &str, by: Id) -> NewPortalUser {
    NewPortalUser {
        portal_id: portal,
        user_type_id: user_type,
        record_id: Some(record),
        email: EmailAddress::parse(email).unwrap(),
        name: "Ada".into(),
        status: PortalUserStatus::Invited,
        preferences: Preferences::parse("en", "24h", "UTC", "US").unwrap(),
        invited_by: Some(by),
        password_hash: Some("h".into()),
    }
}

fn a_logo() -> PortalLogo {
    PortalLogo {
        content_type: "image/png".into(),
        bytes: vec![0x89, b'P', b'N', b'G', 0, 1, 2, 255],
        etag: "a-logo".into(),
        updated_at: NOW,
    }
}

fn all_mail() -> MailQuery {
    MailQuery {
        limit: 500,
        ..MailQuery::default()
    }
}

fn test_mail(to: &str) -> NewMail {
    NewMail::new(MailKind::Test, to, "en", "Hello", "Text", "<p>HTML</p>").unwrap()
}

/// A user type configuration checked against `org`'s catalogue, as the app would pass it.
pub(crate) async fn checked(
    store: &Store,
    org: Id,
    name: &str,
    personality: &str,
    customer: bool,
) -> CheckedUserTypeConfig {
    let mut modules = Vec::new();
    for m in store.list_modules(org).await.unwrap() {
        let fields = store.list_fields(org, m.id).await.unwrap();
        let layouts = store.list_layouts(org, m.id).await.unwrap();
        modules.push((m, fields, layouts));
    }
    let web_tabs: Vec<String> = store
        .list_web_tabs(org)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    let cat = Catalogue {
        modules: &modules,
        web_tabs: &web_tabs,
    };
    let personality = ApiName::parse(personality).unwrap();
    UserTypeConfig::starter(name, &personality, customer, 10, &cat)
        .check(&cat)
        .unwrap()
}

fn field_id(fields: &[Field], name: &str) -> Id {
    fields
        .iter()
        .find(|f| f.api_name.as_str() == name)
        .unwrap()
        .id
}

fn not_found<T: std::fmt::Debug>(what: &str, r: Result<T, StoreError>) {
    assert!(
        matches!(r, Err(StoreError::NotFound)),
        "{what}: expected NotFound, got {r:?}"
    );
}

fn refused<T: std::fmt::Debug>(what: &str, r: Result<T, StoreError>) {
    assert!(r.is_err(), "{what}: expected a refusal, got {r:?}");
}

fn ids(records: &[Record]) -> Vec<Id> {
    records.iter().map(|r| r.id).collect()
}

/// Org B, knowing every id of org A, reaches none of A's data through any call.
pub(crate) async fn orgs_are_isolated(store: Store) {
    // Org A, with one of everything.
    let a = tenant(&store, "Zylker", "zylker.com").await;
    let a_contacts = store.get_module(a.org, "Contacts").await.unwrap();
    let a_deals = store.get_module(a.org, "Deals").await.unwrap();
    let projects = NewCustomModule {
        api_name: None,
        label: "Secret Projects".into(),
        sharing: None,
    }
    .into_spec()
    .unwrap();
    let a_projects = store.create_module(a.org, &projects).await.unwrap();
    let client_lookup = NewField {
        api_name: None,
        label: "Client".into(),
        field_type: FieldType::Lookup {
            target_module: ApiName::parse("Contacts").unwrap(),
        },
        mandatory: false,
    };
    let a_client_field = store
        .create_field(a.org, a_projects.id, &client_lookup)
        .await
        .unwrap();
    let compact = NewLayout {
        name: "Compact".into(),
        sections: vec![Section {
            name: "Main".into(),
            fields: vec!["Last_Name".into()],
        }],
    };
    store
        .create_layout(a.org, a_contacts.id, &compact)
        .await
        .unwrap();
    let sales = NewProfile {
        name: "Sales".into(),
        scope: RecordScope::Own,
        permissions: BTreeMap::from([("Deals".to_string(), ModulePermissions::ALL)]),
    };
    let a_profile = store.create_profile(a.org, &sales).await.unwrap();
    let a_rep = store
        .create_user(
            a.org,
            &NewUser {
                email: EmailAddress::parse("rep@zylker.com").unwrap(),
                name: "Rep".into(),
                password_hash: "h".into(),
                profile_id: a_profile.id,
                super_admin: false,
            },
            NOW,
        )
        .await
        .unwrap();
    let secret = add(
        &store,
        &a,
        "Contacts",
        json!({"Last_Name": "Secret", "Email": "s@zylker.com"}),
    )
    .await
    .unwrap();
    let binned = add(&store, &a, "Contacts", json!({"Last_Name": "Binned"}))
        .await
        .unwrap();
    store
        .delete_record(a.org, a_contacts.id, binned.id, NOW)
        .await
        .unwrap();
    let a_deal = add(
        &store,
        &a,
        "Deals",
        json!({"Deal_Name": "Secret deal", "Stage": "Proposal", "Contact_Name": secret.id}),
    )
    .await
    .unwrap();
    let a_project = add(
        &store,
        &a,
        "Secret_Projects",
        json!({"Name": "Skunkworks", "Client": secret.id}),
    )
    .await
    .unwrap();
    let a_deal_fields = store.list_fields(a.org, a_deals.id).await.unwrap();
    let links = [field_id(&a_deal_fields, "Contact_Name"), a_client_field.id];
    let a_tab = store
        .create_web_tab(
            a.org,
            &NewWebTab {
                name: "A".into(),
                url: "https://a.com".into(),
            },
        )
        .await
        .unwrap();
    let client_type = checked(&store, a.org, "Client Portal", "Contacts", true).await;
    let vendor_type = checked(&store, a.org, "Vendors", "Vendors", false).await;
    let (a_portal, a_default) = store
        .create_portal(
            a.org,
            "Zylker Portal",
            &PortalSettings::new(Slug::parse("zylker-portal").unwrap()),
            "a-domain-token",
            &client_type,
            NOW,
        )
        .await
        .unwrap();
    let mut a_settings = a_portal.settings.clone();
    a_settings.custom_domain = Some("portal.zylker.com".into());
    store
        .update_portal_settings(a.org, a_portal.id, &a_settings)
        .await
        .unwrap();
    let a_vendors = store
        .create_user_type(a.org, a_portal.id, &vendor_type, NOW)
        .await
        .unwrap();
    store
        .grant_seats(a.org, 50, "ops", "PO-1", NOW)
        .await
        .unwrap();
    store
        .record_audit(a.org, "admin@zylker.com", "a.thing", &json!({"n": 1}), NOW)
        .await
        .unwrap();
    let a_entry = AuditInsert {
        actor: "portal:ada@client.example",
        action: "portal.record.view",
        detail: &json!({}),
        portal_id: Some(a_portal.id),
        portal_user_id: None,
        module: Some("Deals"),
        record_id: Some(a_deal.id),
        ip: Some("192.0.2.1"),
    };
    store
        .record_audit_entry(a.org, &a_entry, NOW)
        .await
        .unwrap();
    let a_token = store
        .create_api_token(a.org, a.user, "a-token", "cli", NOW, NOW + 1_000_000)
        .await
        .unwrap();
    store
        .create_session(
            "a-session",
            &Session {
                org_id: a.org,
                user_id: a.user,
                csrf_token: "c".into(),
                created_at: NOW,
                last_seen_at: NOW,
                expires_at: NOW + 1_000_000,
            },
        )
        .await
        .unwrap();

    let a_mail = store
        .enqueue_mail(
            a.org,
            &test_mail("secret@client.example"),
            "<a-mail@zylker.com>",
            NOW,
        )
        .await
        .unwrap();

    let a_portal_user = store
        .create_portal_user(
            a.org,
            &portal_user(
                a_portal.id,
                a_default.id,
                secret.id,
                "ada@client.example",
                a.user,
            ),
            NOW,
        )
        .await
        .unwrap();
    store
        .create_portal_link(
            a.org,
            a_portal_user.id,
            "a-link",
            LinkPurpose::Invitation,
            NOW,
        )
        .await
        .unwrap();
    store
        .create_email_change_link(
            a.org,
            a_portal_user.id,
            "a-email-link",
            "ada.new@client.example",
            NOW,
        )
        .await
        .unwrap();
    store
        .put_portal_logo(a.org, a_portal.id, &a_logo())
        .await
        .unwrap();
    store
        .create_portal_session(
            "a-portal-session",
            &PortalSession {
                org_id: a.org,
                portal_id: a_portal.id,
                portal_user_id: a_portal_user.id,
                csrf_token: "c".into(),
                created_at: NOW,
                last_seen_at: NOW,
                expires_at: NOW + 1_000_000,
            },
        )
        .await
        .unwrap();
    assert!(
        store
            .start_portal_mfa(
                a.org,
                a_portal_user.id,
                "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
                NOW
            )
            .await
            .unwrap()
    );
    assert!(
        store
            .accept_portal_totp_step(a.org, a_portal_user.id, 100, NOW)
            .await
            .unwrap()
    );
    store
        .set_recovery_codes(
            a.org,
            a_portal_user.id,
            &["a-code".into(), "a-code-2".into()],
        )
        .await
        .unwrap();
    store
        .create_mfa_challenge(
            "a-challenge",
            &MfaChallenge {
                org_id: a.org,
                portal_id: a_portal.id,
                portal_user_id: a_portal_user.id,
                enrol: false,
                attempts: 0,
                expires_at: NOW + 1_000_000,
            },
        )
        .await
        .unwrap();
    let a_blocked = BlockedDomain::parse("rival.example").unwrap();
    store
        .add_blocked_domain(a.org, &a_blocked, "admin@zylker.com", NOW)
        .await
        .unwrap()
        .unwrap();
    let a_batch_of = NewInvitationBatch {
        portal_id: a_portal.id,
        user_type_id: a_default.id,
        created_by: a.user,
        language: None,
    };
    let a_batch = store
        .create_invitation_batch(a.org, &a_batch_of, &[secret.id, a_deal.id], 0, NOW)
        .await
        .unwrap();
    store
        .record_batch_item(a_batch.id, 1, Err(("record_not_found", "gone")))
        .await
        .unwrap();

    // Org B, with a contact of its own so its lists are not trivially empty.
    let b = tenant(&store, "Other", "other.com").await;
    let b_contacts = store.get_module(b.org, "Contacts").await.unwrap();
    let b_deals = store.get_module(b.org, "Deals").await.unwrap();
    let b_contact = add(&store, &b, "Contacts", json!({"Last_Name": "Mine"}))
        .await
        .unwrap();

    let before = snapshot(&store, a.org).await;
    // The calls below must find A's data when asked with A's id; the snapshot shows it is there.
    assert_eq!(before.portals.len(), 1);
    assert_eq!(before.user_types.len(), 2);
    assert_eq!(
        (before.live.len(), before.binned.len(), before.seats.len()),
        (3, 1, 1)
    );
    assert!(before.token.is_some() && before.session.is_some());
    assert_eq!(before.mail.len(), 1);
    assert_eq!(before.blocked_domains.len(), 1);
    assert!(
        store
            .email_domain_blocked(a.org, "mail.rival.example")
            .await
            .unwrap()
    );
    assert!(
        store
            .is_linked(a.org, a_deal.id, secret.id, &links)
            .await
            .unwrap()
    );
    assert_eq!(
        ids(&store
            .linked_records(a.org, secret.id, &links, None, 50, None)
            .await
            .unwrap()
            .items),
        [a_project.id, a_deal.id]
    );
    // A's searches find what B's below must not.
    for (search, in_bin, expected) in [
        ("secret", false, vec![a_deal.id, secret.id]),
        ("s@zylker", false, vec![secret.id]),
        ("binned", true, vec![binned.id]),
        ("bi", true, vec![binned.id]),
    ] {
        let q = RecordQuery {
            search: Some(search.into()),
            in_bin,
            limit: 50,
            ..Default::default()
        };
        assert_eq!(
            ids(&store.list_records(a.org, &q).await.unwrap().items),
            expected,
            "{search}"
        );
    }

    // Orgs.
    let b_org = store.get_org(b.org).await.unwrap();
    assert_eq!((b_org.id, b_org.settings.name.as_str()), (b.org, "Other"));
    store
        .update_org(b.org, &settings("Other Renamed", "other.com"))
        .await
        .unwrap();

    // Modules, fields and layouts.
    let b_modules = store.list_modules(b.org).await.unwrap();
    assert!(b_modules.iter().all(|m| m.org_id == b.org));
    assert!(!b_modules.iter().any(|m| m.id == a_projects.id));
    not_found(
        "get_module",
        store.get_module(b.org, "Secret_Projects").await,
    );
    // Module names are per org: A's module does not stop B from making its own.
    let b_projects = store.create_module(b.org, &projects).await.unwrap();
    assert_ne!(b_projects.id, a_projects.id);
    assert!(
        store
            .list_fields(b.org, a_contacts.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .list_layouts(b.org, a_contacts.id)
            .await
            .unwrap()
            .is_empty()
    );
    not_found(
        "update_module",
        store
            .update_module(
                b.org,
                a_contacts.id,
                &ModuleSettings {
                    label: "X".into(),
                    sharing: DataSharing::PublicReadWriteDelete,
                    canvas_template: None,
                },
            )
            .await,
    );
    not_found(
        "create_field",
        store
            .create_field(b.org, a_projects.id, &client_lookup)
            .await,
    );
    not_found(
        "create_layout",
        store.create_layout(b.org, a_contacts.id, &compact).await,
    );
    // Nor change A's fields or layouts, by A's module id or through B's own module.
    let a_field = store.list_fields(a.org, a_contacts.id).await.unwrap()[0].clone();
    let a_layout = store.list_layouts(a.org, a_contacts.id).await.unwrap()[0].clone();
    let relabel = NewField {
        api_name: None,
        label: "Taken over".into(),
        field_type: a_field.field_type.clone(),
        mandatory: a_field.mandatory,
    };
    for module in [a_contacts.id, b_contacts.id] {
        not_found(
            "update_field",
            store
                .update_field(b.org, module, a_field.id, &relabel)
                .await,
        );
        not_found(
            "update_layout",
            store
                .update_layout(b.org, module, a_layout.id, &compact)
                .await,
        );
    }

    // Profiles and users.
    assert!(
        !store
            .list_profiles(b.org)
            .await
            .unwrap()
            .iter()
            .any(|p| p.id == a_profile.id || p.org_id != b.org)
    );
    not_found("get_profile", store.get_profile(b.org, a_profile.id).await);
    let b_sales = store.create_profile(b.org, &sales).await.unwrap();
    assert_ne!(b_sales.id, a_profile.id);
    not_found(
        "update_profile",
        store
            .update_profile(
                b.org,
                a_profile.id,
                &NewProfile {
                    name: "Taken over".into(),
                    scope: RecordScope::All,
                    permissions: BTreeMap::new(),
                },
            )
            .await,
    );
    assert!(
        store
            .list_users(b.org)
            .await
            .unwrap()
            .iter()
            .all(|u| u.org_id == b.org)
    );
    not_found("get_user", store.get_user(b.org, a_rep.id).await);
    not_found(
        "get_user_with_config",
        store.get_user_with_config(b.org, a_rep.id).await,
    );
    let b_config = store.org_config(b.org).await.unwrap();
    assert!(b_config.profiles.iter().all(|p| p.org_id == b.org));
    assert!(b_config.modules.iter().all(|m| m.org_id == b.org));
    assert!(b_config.profile(a_profile.id).is_none());
    refused(
        "create_user with A's profile",
        store
            .create_user(
                b.org,
                &NewUser {
                    email: EmailAddress::parse("x@other.com").unwrap(),
                    name: "X".into(),
                    password_hash: "h".into(),
                    profile_id: a_profile.id,
                    super_admin: true,
                },
                NOW,
            )
            .await,
    );
    assert!(store.find_logins("x@other.com").await.unwrap().is_empty());

    // Sessions and API tokens for A's user, claimed for B.
    refused(
        "create_session for A's user",
        store
            .create_session(
                "b-session",
                &Session {
                    org_id: b.org,
                    user_id: a.user,
                    csrf_token: "c".into(),
                    created_at: NOW,
                    last_seen_at: NOW,
                    expires_at: NOW + 1_000_000,
                },
            )
            .await,
    );
    assert!(store.get_session("b-session").await.unwrap().is_none());
    refused(
        "create_sign_in_choice for A's user",
        store
            .create_sign_in_choice(
                "b-choice",
                &[PendingAccount {
                    org_id: b.org,
                    user_id: a.user,
                }],
                NOW + 1_000,
                NOW,
            )
            .await,
    );
    assert!(
        store
            .take_sign_in_choice("b-choice", NOW)
            .await
            .unwrap()
            .is_empty()
    );
    refused(
        "create_api_token for A's user",
        store
            .create_api_token(b.org, a.user, "b-token", "x", NOW, NOW + 1_000_000)
            .await,
    );
    assert!(store.find_api_token("b-token").await.unwrap().is_none());
    // A's tokens cannot be listed, read, revoked or touched with B's id.
    assert!(
        store
            .list_api_tokens(b.org, None)
            .await
            .unwrap()
            .iter()
            .all(|t| t.org_id == b.org)
    );
    assert!(
        store
            .list_api_tokens(b.org, Some(a.user))
            .await
            .unwrap()
            .is_empty()
    );
    not_found(
        "get_api_token",
        store.get_api_token(b.org, a_token.id).await,
    );
    not_found(
        "revoke_api_token",
        store.revoke_api_token(b.org, a_token.id, NOW).await,
    );
    store
        .touch_api_token(b.org, a_token.id, NOW + 5)
        .await
        .unwrap();
    // B cannot deactivate A's users.
    not_found(
        "set_user_active",
        store.set_user_active(b.org, a.user, false).await,
    );
    // Nor change them (B's own profile, so only the user id is A's).
    let b_profile = store.list_profiles(b.org).await.unwrap()[0].id;
    not_found(
        "update_user",
        store
            .update_user(
                b.org,
                a.user,
                &UserChanges {
                    email: EmailAddress::parse("taken@over.example").unwrap(),
                    name: "Taken over".into(),
                    profile_id: b_profile,
                    super_admin: true,
                    active: true,
                },
            )
            .await,
    );

    // Records: reads.
    for module in [a_contacts.id, b_contacts.id] {
        not_found(
            "get_record",
            store.get_record(b.org, module, secret.id).await,
        );
        not_found(
            "get_record",
            store.get_record(b.org, module, binned.id).await,
        );
    }
    let list = |q: RecordQuery| {
        let store = &store;
        async move {
            ids(&store
                .list_records(b.org, &RecordQuery { limit: 500, ..q })
                .await
                .unwrap()
                .items)
        }
    };
    assert_eq!(list(RecordQuery::default()).await, [b_contact.id]);
    for q in [
        RecordQuery {
            module_id: Some(a_contacts.id),
            ..Default::default()
        },
        RecordQuery {
            search: Some("secret".into()),
            ..Default::default()
        },
        // Searches through the trigram index (3 characters or more) and without it (fewer),
        // by name and by email, in A's module and in the recycle bin.
        RecordQuery {
            module_id: Some(a_contacts.id),
            search: Some("secret".into()),
            ..Default::default()
        },
        RecordQuery {
            search: Some("s@zylker".into()),
            ..Default::default()
        },
        RecordQuery {
            search: Some("se".into()),
            ..Default::default()
        },
        RecordQuery {
            search: Some("binned".into()),
            in_bin: true,
            ..Default::default()
        },
        RecordQuery {
            search: Some("bi".into()),
            in_bin: true,
            ..Default::default()
        },
        RecordQuery {
            in_bin: true,
            ..Default::default()
        },
        RecordQuery {
            owner_id: Some(a.user),
            ..Default::default()
        },
    ] {
        let found = list(q.clone()).await;
        assert!(found.is_empty(), "{q:?}: {found:?}");
        let serialized = store
            .list_serialized_records(
                b.org,
                &RecordQuery {
                    limit: 500,
                    ..q.clone()
                },
            )
            .await
            .unwrap();
        assert!(serialized.items.is_empty(), "{q:?}");
    }
    for search in [None, Some("skunk"), Some("sk")] {
        for linked_to in [Some((secret.id, &links[..])), None] {
            let page = store
                .record_page(
                    b.org,
                    &RecordPageQuery {
                        module_id: a_deal.module_id,
                        linked_to,
                        owned_by: None,
                        search,
                        sort: RecordSort::Name,
                        descending: false,
                        offset: 0,
                        limit: 50,
                    },
                )
                .await
                .unwrap();
            assert!(page.items.is_empty() && page.total == 0, "{search:?}");
        }
    }
    for search in [None, Some("skunk"), Some("sk")] {
        assert!(
            store
                .linked_records(b.org, secret.id, &links, None, 50, search)
                .await
                .unwrap()
                .items
                .is_empty()
        );
    }
    assert!(
        !store
            .is_linked(b.org, a_deal.id, secret.id, &links)
            .await
            .unwrap()
    );
    assert!(
        store
            .record_refs(b.org, &[secret.id, a_deal.id, binned.id])
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .record_refs_linked(
                b.org,
                &[secret.id, a_deal.id, binned.id],
                Some(secret.id),
                &links
            )
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .count_records(b.org, a_contacts.id, None)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .count_records(b.org, a_contacts.id, Some(a.user))
            .await
            .unwrap(),
        0
    );
    for portal in [None, Some(a_portal.id)] {
        assert!(
            store
                .live_record_by_email(b.org, a_contacts.id, "s@zylker.com", portal)
                .await
                .unwrap()
                .is_none(),
            "B finds A's contact by its email"
        );
    }

    // Records: writes.
    let valid = validate_data(
        &store.list_fields(b.org, b_contacts.id).await.unwrap(),
        &b_contacts.name_fields,
        json!({"Last_Name": "Hacked"}).as_object().unwrap(),
        None,
    )
    .unwrap();
    refused(
        "create_record in A's module",
        store
            .create_record(
                b.org,
                a_contacts.id,
                b.user,
                &valid,
                RecordState::default(),
                NOW,
            )
            .await,
    );
    refused(
        "create_record owned by A's user",
        store
            .create_record(
                b.org,
                b_contacts.id,
                a.user,
                &valid,
                RecordState::default(),
                NOW,
            )
            .await,
    );
    let pointing = validate_data(
        &store.list_fields(b.org, b_deals.id).await.unwrap(),
        &b_deals.name_fields,
        json!({"Deal_Name": "Probe", "Stage": "Proposal", "Contact_Name": secret.id})
            .as_object()
            .unwrap(),
        None,
    )
    .unwrap();
    refused(
        "create_record linking to A's record",
        store
            .create_record(
                b.org,
                b_deals.id,
                b.user,
                &pointing,
                RecordState::default(),
                NOW,
            )
            .await,
    );
    for module in [a_contacts.id, b_contacts.id] {
        not_found(
            "update_record",
            store
                .update_record(b.org, module, secret.id, &valid, RecordMeta::default(), NOW)
                .await,
        );
    }
    not_found(
        "delete_record",
        store
            .delete_record(b.org, a_contacts.id, secret.id, NOW)
            .await,
    );
    not_found(
        "restore_record",
        store.restore_record(b.org, a_contacts.id, binned.id).await,
    );
    not_found(
        "purge_record",
        store.purge_record(b.org, a_contacts.id, binned.id).await,
    );

    // Web tabs: names are per org.
    assert!(store.list_web_tabs(b.org).await.unwrap().is_empty());
    let b_tab = store
        .create_web_tab(
            b.org,
            &NewWebTab {
                name: "A".into(),
                url: "https://b.com".into(),
            },
        )
        .await
        .unwrap();
    assert_ne!(b_tab.id, a_tab.id);
    not_found(
        "update_web_tab",
        store
            .update_web_tab(
                b.org,
                a_tab.id,
                &NewWebTab {
                    name: "Taken".into(),
                    url: "https://b.com".into(),
                },
            )
            .await,
    );
    not_found(
        "delete_web_tab",
        store.delete_web_tab(b.org, a_tab.id).await,
    );

    // Portals, user types, seats and the audit log.
    assert!(store.list_portals(b.org).await.unwrap().is_empty());
    not_found("get_portal", store.get_portal(b.org, a_portal.id).await);
    not_found(
        "update_portal_settings",
        store
            .update_portal_settings(b.org, a_portal.id, &a_portal.settings)
            .await,
    );
    not_found(
        "set_domain_verified",
        store.set_domain_verified(b.org, a_portal.id, true).await,
    );
    assert!(
        store
            .list_user_types(b.org, a_portal.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.all_user_types(b.org).await.unwrap().is_empty());
    not_found(
        "get_user_type",
        store.get_user_type(b.org, a_portal.id, a_default.id).await,
    );
    not_found(
        "portal_scope",
        store
            .portal_scope(b.org, a_portal.id, a_default.id, Some(secret.id))
            .await,
    );
    let b_vendors = checked(&store, b.org, "Partners", "Vendors", false).await;
    not_found(
        "create_user_type",
        store
            .create_user_type(b.org, a_portal.id, &b_vendors, NOW)
            .await,
    );
    // Named like A's default type: a name clash would tell B that A's portal has that type.
    let b_client = checked(&store, b.org, "Client Portal", "Contacts", true).await;
    not_found(
        "replace_user_type",
        store
            .replace_user_type(b.org, a_portal.id, a_vendors.id, &b_client)
            .await,
    );
    not_found(
        "delete_user_type",
        store
            .delete_user_type(b.org, a_portal.id, a_vendors.id)
            .await,
    );
    not_found(
        "apply_portal_config",
        store
            .apply_portal_config(
                b.org,
                a_portal.id,
                &a_portal.settings,
                Some("Client Portal"),
                std::slice::from_ref(&b_client),
                NOW,
            )
            .await,
    );
    // Portal names and addresses are unique on the whole instance (they make public URLs), so
    // B's portal takes a name and address of its own; it is B's alone.
    let (b_portal, b_default) = store
        .create_portal(
            b.org,
            "Other Portal",
            &PortalSettings::new(Slug::parse("other-portal").unwrap()),
            "b-domain-token",
            &b_client,
            NOW,
        )
        .await
        .unwrap();
    // B's own user type with A's record as the personality record: the record stays A's.
    let b_scope = store
        .portal_scope(b.org, b_portal.id, b_default.id, Some(secret.id))
        .await
        .unwrap();
    assert_eq!(b_scope.user_type, b_default);
    assert_eq!(b_scope.record, None);
    assert_eq!(
        b_scope.config_version,
        store.config_version(b.org).await.unwrap()
    );
    assert_eq!(store.list_portals(b.org).await.unwrap(), [b_portal]);
    assert_eq!(store.all_user_types(b.org).await.unwrap(), [b_default]);
    assert!(store.seat_grants(b.org).await.unwrap().is_empty());
    let b_grant = store
        .grant_seats(b.org, 5, "ops", "PO-2", NOW)
        .await
        .unwrap();
    assert_eq!(store.seat_grants(b.org).await.unwrap(), [b_grant]);
    assert!(store.audit_log(b.org, 1000).await.unwrap().is_empty());
    store
        .record_audit(b.org, "admin@other.com", "b.thing", &json!({}), NOW)
        .await
        .unwrap();
    let b_log = store.audit_log(b.org, 1000).await.unwrap();
    assert_eq!(
        b_log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["b.thing"]
    );
    // The filtered log: B's filters naming A's portal, portal user and record find nothing of
    // A's, and B's own entry naming them stays B's.
    let naming_a = [
        AuditQuery {
            portal_id: Some(a_portal.id),
            ..audit_page()
        },
        AuditQuery {
            portal_user_ids: Some(vec![a_portal_user.id]),
            ..audit_page()
        },
        AuditQuery {
            record_id: Some(a_deal.id),
            ..audit_page()
        },
        AuditQuery {
            action: Some(ActionFilter::Prefix("portal.".into())),
            ..audit_page()
        },
    ];
    for q in &naming_a {
        assert!(store.list_audit(b.org, q).await.unwrap().items.is_empty());
        assert_eq!(store.count_audit(b.org, q).await.unwrap(), 0);
    }
    let b_entry = AuditInsert {
        actor: "portal:bob@client.example",
        action: "portal.record.list",
        detail: &json!({"ids": [a_deal.id]}),
        portal_id: Some(a_portal.id),
        portal_user_id: Some(a_portal_user.id),
        module: Some("Deals"),
        record_id: Some(a_deal.id),
        ip: None,
    };
    store
        .record_audit_entry(b.org, &b_entry, NOW)
        .await
        .unwrap();
    for q in &naming_a {
        let found = store.list_audit(b.org, q).await.unwrap().items;
        assert_eq!(
            found.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            ["portal.record.list"]
        );
        assert_eq!(store.count_audit(b.org, q).await.unwrap(), 1);
    }
    assert_eq!(store.count_audit(b.org, &audit_page()).await.unwrap(), 2);

    // The outbox: B sees and reads none of A's mail, and its own stays its own.
    assert!(
        store
            .list_mail(b.org, &all_mail())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    not_found("get_mail", store.get_mail(b.org, a_mail.summary.id).await);
    let b_mail = store
        .enqueue_mail(b.org, &test_mail("b@other.com"), "<b-mail@other.com>", NOW)
        .await
        .unwrap();
    assert_eq!(
        store.list_mail(b.org, &all_mail()).await.unwrap().items,
        [b_mail.summary]
    );

    // Portal users, their links and sessions.
    let pu = a_portal_user.id;
    not_found(
        "get_portal_user",
        store.get_portal_user(b.org, a_portal.id, pu).await,
    );
    let ada = "ada@client.example";
    assert!(
        store
            .portal_user_by_email(b.org, a_portal.id, ada)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .portal_user_by_record(b.org, a_portal.id, secret.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .portal_login(b.org, a_portal.id, ada)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .list_portal_users(b.org, a_portal.id, &all_portal_users())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(
        store
            .count_portal_users(b.org, a_portal.id)
            .await
            .unwrap()
            .iter()
            .all(|(_, n)| *n == 0)
    );
    assert_eq!(
        store
            .seated_portal_users(b.org, a_default.id)
            .await
            .unwrap(),
        0
    );
    assert!(
        store
            .invited_records(b.org, a_portal.id, &[secret.id])
            .await
            .unwrap()
            .is_empty()
    );
    not_found(
        "lock_user_type",
        store.lock_user_type(b.org, a_default.id).await,
    );
    not_found(
        "set_portal_user_status",
        store
            .set_portal_user_status(b.org, a_portal.id, pu, PortalUserStatus::Deactivated, NOW)
            .await,
    );
    not_found(
        "set_portal_user_type",
        store
            .set_portal_user_type(b.org, a_portal.id, pu, a_default.id, NOW)
            .await,
    );
    not_found(
        "update_portal_account",
        store
            .update_portal_account(
                b.org,
                a_portal.id,
                pu,
                &PortalAccountChange {
                    password_hash: Some("taken".into()),
                    ..PortalAccountChange::default()
                },
                NOW,
            )
            .await,
    );
    not_found(
        "delete_portal_user",
        store.delete_portal_user(b.org, a_portal.id, pu).await,
    );
    not_found(
        "create_portal_link",
        store
            .create_portal_link(b.org, pu, "b-link", LinkPurpose::Invitation, NOW)
            .await,
    );
    assert_eq!(store.end_portal_user_sessions(b.org, pu).await.unwrap(), 0);
    not_found(
        "create_email_change_link",
        store
            .create_email_change_link(b.org, pu, "b-email-link", "eve@b.example", NOW)
            .await,
    );
    not_found(
        "set_portal_user_email",
        store
            .set_portal_user_email(b.org, a_portal.id, pu, "eve@b.example", NOW)
            .await,
    );
    not_found(
        "put_portal_logo",
        store
            .put_portal_logo(
                b.org,
                a_portal.id,
                &PortalLogo {
                    etag: "b-logo".into(),
                    ..a_logo()
                },
            )
            .await,
    );
    assert_eq!(store.portal_logo(b.org, a_portal.id).await.unwrap(), None);
    assert_eq!(
        store.portal_logo_etag(b.org, a_portal.id).await.unwrap(),
        None
    );
    assert!(!store.delete_portal_logo(b.org, a_portal.id).await.unwrap());
    not_found(
        "create_portal_user",
        store
            .create_portal_user(
                b.org,
                &portal_user(
                    a_portal.id,
                    a_default.id,
                    secret.id,
                    "eve@b.example",
                    a.user,
                ),
                NOW,
            )
            .await,
    );
    not_found(
        "create_portal_session",
        store
            .create_portal_session(
                "b-portal-session",
                &PortalSession {
                    org_id: b.org,
                    portal_id: a_portal.id,
                    portal_user_id: pu,
                    csrf_token: "c".into(),
                    created_at: NOW,
                    last_seen_at: NOW,
                    expires_at: NOW + 1_000_000,
                },
            )
            .await,
    );
    // MFA: B neither reads, replaces, uses nor removes what A's portal user has.
    not_found(
        "start_portal_mfa",
        store
            .start_portal_mfa(b.org, pu, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", NOW)
            .await,
    );
    assert_eq!(store.portal_mfa(b.org, pu).await.unwrap(), None);
    assert!(
        !store
            .accept_portal_totp_step(b.org, pu, 10_000, NOW)
            .await
            .unwrap()
    );
    not_found(
        "set_recovery_codes",
        store
            .set_recovery_codes(b.org, pu, &["b-code".into()])
            .await,
    );
    assert!(
        !store
            .use_recovery_code(b.org, pu, "a-code", NOW)
            .await
            .unwrap()
    );
    assert_eq!(store.recovery_codes_left(b.org, pu).await.unwrap(), 0);
    store.delete_portal_mfa(b.org, pu).await.unwrap();
    not_found(
        "create_mfa_challenge",
        store
            .create_mfa_challenge(
                "b-challenge",
                &MfaChallenge {
                    org_id: b.org,
                    portal_id: a_portal.id,
                    portal_user_id: pu,
                    enrol: false,
                    attempts: 0,
                    expires_at: NOW + 1_000_000,
                },
            )
            .await,
    );
    // Blocked email domains: B neither sees nor applies A's list, nor removes from it; its
    // own entry for the same domain is its own.
    assert!(store.list_blocked_domains(b.org).await.unwrap().is_empty());
    for domain in ["rival.example", "mail.rival.example"] {
        assert!(!store.email_domain_blocked(b.org, domain).await.unwrap());
    }
    not_found(
        "remove_blocked_domain",
        store.remove_blocked_domain(b.org, &a_blocked).await,
    );
    let b_blocked = store
        .add_blocked_domain(b.org, &a_blocked, "admin@other.com", NOW + 1)
        .await
        .unwrap()
        .expect("B's list does not hold A's entry");
    assert_eq!(
        store.list_blocked_domains(b.org).await.unwrap(),
        [b_blocked]
    );
    store
        .remove_blocked_domain(b.org, &a_blocked)
        .await
        .unwrap();
    // Invitation batches: B neither starts one on A's portal nor reads A's, and A's portal
    // offers B no candidates.
    not_found(
        "create_invitation_batch",
        store
            .create_invitation_batch(b.org, &a_batch_of, &[b_contact.id], 0, NOW)
            .await,
    );
    not_found(
        "get_invitation_batch",
        store
            .get_invitation_batch(b.org, a_portal.id, a_batch.id)
            .await,
    );
    let no_batches = store.list_invitation_batches(b.org, a_portal.id, None, 200);
    assert!(no_batches.await.unwrap().items.is_empty());
    let no_failures = store.failed_batch_items(b.org, a_portal.id, a_batch.id, None, 1000);
    assert!(no_failures.await.unwrap().items.is_empty());
    let a_candidates = CandidateQuery {
        module_id: a_contacts.id,
        owner_id: None,
        search: None,
        after: None,
        limit: 500,
    };
    let offered = store.invitation_candidates(b.org, a_portal.id, &a_candidates);
    assert!(offered.await.unwrap().items.is_empty());
    let offered_ids = store.invitation_candidate_ids(b.org, a_portal.id, &a_candidates, 1000);
    assert!(offered_ids.await.unwrap().is_empty());

    // Nothing of A's changed.
    assert_eq!(snapshot(&store, a.org).await, before);
    assert_eq!(
        store
            .find_org_by_domain("zylker.com")
            .await
            .unwrap()
            .map(|o| o.id),
        Some(a.org)
    );
}

/// One operation of the store, as the `each_alone!` block lists it.
struct Operation {
    name: String,
    takes_org: bool,
}

/// The operations of `src/store.rs`'s `each_alone!` block.
fn operations() -> Vec<Operation> {
    let source = include_str!("../../src/store.rs");
    let start = source
        .find("\neach_alone! {")
        .expect("store.rs invokes each_alone!");
    let block = &source[start..];
    let block = &block[..block.find("\n}").expect("the each_alone! block ends")];
    block
        .lines()
        .skip(2)
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .map(|line| {
            let rest = line
                .strip_prefix("read fn ")
                .or_else(|| line.strip_prefix("write fn "))
                .or_else(|| line.strip_prefix("single fn "))
                .unwrap_or_else(|| panic!("an each_alone! line I cannot read: {line}"));
            let (name, rest) = rest.split_once('(').expect("parameters follow the name");
            let params = rest.rsplit_once(") ->").expect("a return type follows").0;
            Operation {
                name: name.trim().to_string(),
                takes_org: params.split(',').any(|p| p.trim() == "org: Id"),
            }
        })
        .collect()
}

/// The public methods of `impl Tx` blocks in the store's sources.
fn tx_methods() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let source = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for (at, _) in source.match_indices("\nimpl Tx {") {
            let body = &source[at + 1..];
            let body = &body[..body.find("\n}").unwrap_or(body.len())];
            for (i, _) in body.match_indices("pub async fn ") {
                let rest = &body[i + "pub async fn ".len()..];
                names.push(rest[..rest.find('(').unwrap()].to_string());
            }
        }
    }
    names
}

/// Every operation that takes an org is exercised by [`orgs_are_isolated`] with org B's id, and
/// every other operation is knowingly instance-wide: adding an operation without deciding
/// which it is fails here.
#[test]
fn every_org_method_is_covered() {
    let ops = operations();
    assert!(ops.len() > 40, "the each_alone! block was not read");
    let listed: Vec<&str> = ops.iter().map(|o| o.name.as_str()).collect();
    for m in tx_methods() {
        assert!(
            m == "commit" || listed.contains(&m.as_str()),
            "Tx::{m} is missing from the each_alone! block in src/store.rs"
        );
    }
    // The isolation test's body, without whitespace, to find its calls.
    let this = include_str!("isolation.rs");
    let start = this
        .find("async fn orgs_are_isolated(")
        .expect("the isolation test");
    let body = &this[start..];
    let body: String = body[..body.find("\n}\n").unwrap()]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for op in &ops {
        let name = op.name.as_str();
        assert!(
            !(ISOLATED.contains(&name) && INSTANCE_WIDE.contains(&name)),
            "{name} is listed as both per-org and instance-wide"
        );
        assert!(
            ISOLATED.contains(&name) || INSTANCE_WIDE.contains(&name),
            "the store operation {name} is new: call it in orgs_are_isolated with org B's id \
             against org A's data and add it to ISOLATED, or, if it acts for no org, add it to \
             INSTANCE_WIDE"
        );
        if op.takes_org {
            assert!(
                ISOLATED.contains(&name),
                "{name} takes an org: it belongs in ISOLATED, not INSTANCE_WIDE"
            );
        }
        if ISOLATED.contains(&name) {
            // With B's org as the argument, or inside what is passed (a session's org).
            let call = if op.takes_org {
                format!(".{name}(b.org")
            } else {
                format!(".{name}(")
            };
            assert!(
                op.takes_org || body.contains("org_id:b.org"),
                "orgs_are_isolated never claims org B for {name}"
            );
            assert!(
                body.contains(&call),
                "orgs_are_isolated never calls {call}…) — {name} is listed but not tested"
            );
        }
    }
    for name in ISOLATED.iter().chain(INSTANCE_WIDE) {
        assert!(
            listed.contains(name),
            "{name} is listed here but is no store operation"
        );
    }
}
