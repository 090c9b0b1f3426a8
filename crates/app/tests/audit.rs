//! The audit of portal reads and writes through the enforcement point, and the administrator's
//! search of the log, on both backends: each of list, get, create, update and delete writes one
//! entry with the portal user, the portal, the address, the module and the record (a refused
//! read or write writes none); the filters (portal, portal user, module and record, action,
//! time) find exactly their entries, pages follow each other, another org's entries never
//! appear, and only administrators search.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::NOW;
use portico_app::audit::{AuditFilter, PortalUserFilter, search};
use portico_app::invitations::{InviteTo, invite_record};
use portico_app::portal_accounts::PortalSignedIn;
use portico_app::records::RecordExtras;
use portico_app::scoped_records::ScopedRecords;
use portico_app::{AppError, Context};
use portico_domain::Id;
use portico_domain::access::CrmActor;
use portico_domain::module::ApiName;
use portico_domain::portal::{
    FieldPermission, LayoutAccess, TabModule, TabRole, TabView, UserTypeConfig,
};
use portico_domain::profile::ModulePermissions;
use portico_store::{ActionFilter, AuditEntry};
use serde_json::{Value, json};

on_both!(
    each_portal_read_and_write_writes_one_entry,
    filters_find_their_entries_and_never_another_orgs,
);

const IP: &str = "203.0.113.7";
const CLIENT_EMAIL: &str = "mia@customer.example";

/// What the tests need of the org: its portal, the signed-in client's cases and another
/// contact's case.
struct Fixture {
    portal: Id,
    user_type: Id,
    client: Id,
    cases: [Id; 2],
    other_case: Id,
}

async fn create(ctx: &Context, admin: &CrmActor, module: &str, data: Value) -> Id {
    let data = common::object(data);
    portico_app::records::create_record(ctx, admin, module, &data, RecordExtras::default())
        .await
        .unwrap()
        .id
}

fn field(name: &str, read_only: bool) -> FieldPermission {
    FieldPermission {
        field: name.into(),
        visible: true,
        read_only,
        columns: None,
    }
}

fn tab(
    module: &str,
    role: TabRole,
    permissions: ModulePermissions,
    fields: Vec<FieldPermission>,
) -> TabModule {
    TabModule {
        module: ApiName::parse(module).unwrap(),
        role,
        permissions,
        view: TabView::List,
        lookup_fields: if role == TabRole::Related {
            vec!["Contact_Name".into()]
        } else {
            Vec::new()
        },
        layouts: vec![LayoutAccess {
            layout: "Standard".into(),
            fields,
        }],
    }
}

/// An org with a portal whose client type shares the client's own contact and the cases
/// linked to it (view, create, edit, delete); the client invited and signed in from [`IP`].
async fn signed_in(ctx: &Context) -> (Fixture, CrmActor, PortalSignedIn) {
    let admin = common::org(ctx, "Acme Audit", "acme-audit.example").await;
    let client = create(
        ctx,
        &admin,
        "Contacts",
        json!({"First_Name": "Mia", "Last_Name": "Portal", "Email": CLIENT_EMAIL}),
    )
    .await;
    let other = create(
        ctx,
        &admin,
        "Contacts",
        json!({"Last_Name": "Other", "Email": "otto@customer.example"}),
    )
    .await;
    let mut cases = [0; 2];
    for (i, subject) in ["First case", "Second case"].into_iter().enumerate() {
        let data = json!({"Subject": subject, "Status": "New", "Contact_Name": client});
        cases[i] = create(ctx, &admin, "Cases", data).await;
    }
    let data = json!({"Subject": "Not theirs", "Status": "New", "Contact_Name": other});
    let other_case = create(ctx, &admin, "Cases", data).await;
    let (portal, user_type) =
        portico_app::portals::create_portal(ctx, &admin, Some("Acme Audit Portal".into()))
            .await
            .unwrap();
    let all = ModulePermissions {
        view: true,
        create: true,
        edit: true,
        delete: true,
    };
    let config = UserTypeConfig {
        name: "Client Portal".into(),
        personality_module: ApiName::parse("Contacts").unwrap(),
        customer: true,
        active: true,
        seats: 100,
        modules: vec![
            tab(
                "Contacts",
                TabRole::Personality,
                ModulePermissions {
                    view: true,
                    ..Default::default()
                },
                vec![field("Last_Name", true), field("Email", true)],
            ),
            tab(
                "Cases",
                TabRole::Related,
                all,
                vec![
                    field("Subject", false),
                    field("Status", false),
                    field("Priority", false),
                    field("Contact_Name", true),
                    field("Description", true),
                ],
            ),
        ],
        web_tabs: Vec::new(),
    };
    portico_app::user_types::replace_user_type(ctx, &admin, portal.id, user_type.id, config)
        .await
        .unwrap();
    let to = InviteTo {
        portal_id: portal.id,
        user_type_id: user_type.id,
        language: None,
    };
    let invited = invite_record(ctx, &admin, "Contacts", client, &to)
        .await
        .unwrap();
    let fx = Fixture {
        portal: portal.id,
        user_type: user_type.id,
        client,
        cases,
        other_case,
    };
    let me = PortalSignedIn {
        user: invited.portal_user,
        portal,
        csrf: String::new(),
        ip: Some(IP.into()),
        scope: None,
    };
    (fx, admin, me)
}

/// The entries of `action`s starting `portal.record.`, newest first.
async fn record_entries(ctx: &Context, admin: &CrmActor) -> Vec<AuditEntry> {
    let filter = AuditFilter {
        action: Some(ActionFilter::Prefix("portal.record.".into())),
        limit: Some(200),
        ..Default::default()
    };
    search(ctx, admin, &filter).await.unwrap().page.items
}

fn assert_by_client(e: &AuditEntry, me: &PortalSignedIn, action: &str, record: Option<i64>) {
    assert_eq!(e.action, action);
    assert_eq!(e.actor, format!("portal:{CLIENT_EMAIL}"));
    assert_eq!(e.portal_id, Some(me.portal.id));
    assert_eq!(e.portal_user_id, Some(me.user.id));
    assert_eq!(e.ip.as_deref(), Some(IP));
    assert_eq!(e.module.as_deref(), Some("Cases"));
    assert_eq!(e.record_id, record);
    assert_eq!(e.at, NOW);
}

async fn each_portal_read_and_write_writes_one_entry(ctx: Context) {
    let (fx, admin, me) = signed_in(&ctx).await;
    let scoped = ScopedRecords::for_portal_user(&ctx, &me).await.unwrap();
    assert!(record_entries(&ctx, &admin).await.is_empty());

    // A list: one entry naming the ids shown, the search text and the cursor.
    let page = scoped.list("Cases", None, None, 50, None).await.unwrap();
    let shown: Vec<i64> = page.items.iter().map(|r| r.id).collect();
    assert_eq!(shown.len(), 2, "the client's two cases");
    let log = record_entries(&ctx, &admin).await;
    assert_eq!(log.len(), 1);
    assert_by_client(&log[0], &me, "portal.record.list", None);
    assert_eq!(log[0].detail["ids"], json!(shown));
    let long = format!("Broken {}", "x".repeat(300));
    scoped
        .list("Cases", None, Some(shown[0]), 50, Some(&long))
        .await
        .unwrap();
    let log = record_entries(&ctx, &admin).await;
    assert_eq!(log.len(), 2);
    let search_kept = log[0].detail["search"].as_str().unwrap();
    assert_eq!(search_kept.chars().count(), 100, "the search text is cut");
    assert!(long.starts_with(search_kept));
    assert_eq!(log[0].detail["after"], json!(shown[0]));

    // A get: the record.
    let case = fx.cases[0];
    scoped.get("Cases", None, case).await.unwrap();
    let log = record_entries(&ctx, &admin).await;
    assert_eq!(log.len(), 3);
    assert_by_client(&log[0], &me, "portal.record.view", Some(case));

    // A refused read (another contact's case answers "not found") writes nothing.
    let refused = scoped.get("Cases", None, fx.other_case).await;
    assert!(matches!(refused, Err(AppError::NotFound)), "{refused:?}");
    assert_eq!(record_entries(&ctx, &admin).await.len(), 3);

    // Create, update and delete: one entry each, in the write's transaction.
    let input =
        common::object(json!({"Subject": "Printer on fire", "Status": "New", "Priority": "High"}));
    let created = scoped.create("Cases", None, &input, NOW).await.unwrap();
    let log = record_entries(&ctx, &admin).await;
    assert_eq!(log.len(), 4);
    assert_by_client(&log[0], &me, "portal.record.create", Some(created.id));
    let fields = log[0].detail["fields"].as_array().unwrap();
    assert!(fields.contains(&json!("Subject")) && fields.contains(&json!("Priority")));

    let change = common::object(json!({"Subject": "Printer still on fire"}));
    let updated = scoped
        .update("Cases", None, created.id, &change, created.version, NOW)
        .await
        .unwrap();
    let log = record_entries(&ctx, &admin).await;
    assert_eq!(log.len(), 5);
    assert_by_client(&log[0], &me, "portal.record.update", Some(created.id));
    assert_eq!(log[0].detail["fields"], json!(["Subject"]));
    assert!(
        !log[0].detail.to_string().contains("fire"),
        "names, never values: {}",
        log[0].detail
    );

    // A refused write (a stale version) rolls its entry back with it.
    let stale = scoped
        .update("Cases", None, created.id, &change, created.version, NOW)
        .await;
    assert!(matches!(stale, Err(AppError::Stale { .. })), "{stale:?}");
    // A write to a read-only field is refused before anything is written.
    let read_only = common::object(json!({"Description": "read-only here"}));
    assert!(
        scoped
            .update("Cases", None, created.id, &read_only, updated.version, NOW)
            .await
            .is_err()
    );
    assert_eq!(record_entries(&ctx, &admin).await.len(), 5);

    scoped.delete("Cases", created.id, None, NOW).await.unwrap();
    let log = record_entries(&ctx, &admin).await;
    assert_eq!(log.len(), 6);
    assert_by_client(&log[0], &me, "portal.record.delete", Some(created.id));

    // An admin's preview reads through the same point but is not a portal user's read.
    let preview = portico_app::scoped_records::preview_scope(
        &ctx,
        &admin,
        fx.portal,
        fx.user_type,
        Some(fx.client),
    )
    .await
    .unwrap();
    preview.list("Cases", None, None, 50, None).await.unwrap();
    preview.get("Cases", None, case).await.unwrap();
    assert_eq!(record_entries(&ctx, &admin).await.len(), 6);
}

fn filter(f: impl FnOnce(&mut AuditFilter)) -> AuditFilter {
    let mut filter = AuditFilter {
        limit: Some(200),
        ..Default::default()
    };
    f(&mut filter);
    filter
}

async fn found(ctx: &Context, admin: &CrmActor, f: AuditFilter) -> Vec<AuditEntry> {
    let answer = search(ctx, admin, &f).await.unwrap();
    assert_eq!(
        answer.total,
        i64::try_from(answer.page.items.len()).unwrap(),
        "one page holds them all"
    );
    answer.page.items
}

async fn filters_find_their_entries_and_never_another_orgs(ctx: Context) {
    let (fx, admin, me) = signed_in(&ctx).await;
    let scoped = ScopedRecords::for_portal_user(&ctx, &me).await.unwrap();
    let case = fx.cases[0];
    scoped.list("Cases", None, None, 50, None).await.unwrap();
    scoped.get("Cases", None, case).await.unwrap();
    scoped.get("Cases", None, fx.cases[1]).await.unwrap();
    let input = common::object(json!({"Subject": "Audit me", "Status": "New"}));
    let created = scoped.create("Cases", None, &input, NOW).await.unwrap();
    // Another org whose entry names the same portal and portal user ids in its detail.
    let rival = common::org(&ctx, "Rival Audit", "rival-audit.example").await;
    let about = json!({"portal_id": fx.portal, "portal_user_id": me.user.id});
    portico_app::audit::note(&ctx, &rival, "rival.thing", about)
        .await
        .unwrap();

    let all = found(&ctx, &admin, filter(|_| {})).await;
    assert!(all.iter().all(|e| e.action != "rival.thing"));
    let ids: Vec<i64> = all.iter().map(|e| e.id).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(ids, sorted, "newest first");

    // Portal: the four reads and writes, the invitation and the user type change.
    let in_portal = found(&ctx, &admin, filter(|f| f.portal = Some(fx.portal))).await;
    assert!(in_portal.iter().all(|e| e.portal_id == Some(fx.portal)));
    let actions: Vec<&str> = in_portal.iter().map(|e| e.action.as_str()).collect();
    for a in [
        "portal.record.list",
        "portal.record.view",
        "portal.record.create",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    assert!(
        found(&ctx, &admin, filter(|f| f.portal = Some(fx.portal + 1000)))
            .await
            .is_empty()
    );

    // Portal user, by address (in any portal or the chosen one) or by id.
    let by_email = found(
        &ctx,
        &admin,
        filter(|f| f.portal_user = Some(PortalUserFilter::Email(CLIENT_EMAIL.to_uppercase()))),
    )
    .await;
    assert!(by_email.len() >= 4, "{by_email:?}");
    assert!(
        by_email
            .iter()
            .all(|e| e.portal_user_id == Some(me.user.id))
    );
    let by_id = found(
        &ctx,
        &admin,
        filter(|f| {
            f.portal = Some(fx.portal);
            f.portal_user = Some(PortalUserFilter::Id(me.user.id));
        }),
    )
    .await;
    assert_eq!(by_id, by_email);
    let nobody = filter(|f| f.portal_user = Some(PortalUserFilter::Email("no@one.example".into())));
    assert!(found(&ctx, &admin, nobody).await.is_empty());

    // Record (with or without its module), and module alone.
    let viewed = found(&ctx, &admin, filter(|f| f.record = Some(case))).await;
    assert_eq!(viewed.len(), 1);
    assert_eq!(
        (viewed[0].action.as_str(), viewed[0].record_id),
        ("portal.record.view", Some(case))
    );
    let wrong_module = filter(|f| {
        f.module = Some("Deals".into());
        f.record = Some(case);
    });
    assert!(found(&ctx, &admin, wrong_module).await.is_empty());
    let cases = found(&ctx, &admin, filter(|f| f.module = Some("Cases".into()))).await;
    assert_eq!(cases.len(), 4);
    let on_created = found(&ctx, &admin, filter(|f| f.record = Some(created.id))).await;
    assert_eq!(on_created.len(), 1);

    // Action: exact or a prefix.
    let views = filter(|f| f.action = Some(ActionFilter::Exact("portal.record.view".into())));
    assert_eq!(found(&ctx, &admin, views).await.len(), 2);
    let record_actions = filter(|f| f.action = Some(ActionFilter::Prefix("portal.record.".into())));
    assert_eq!(found(&ctx, &admin, record_actions).await.len(), 4);
    let wildcard = filter(|f| f.action = Some(ActionFilter::Prefix("portal%".into())));
    assert!(
        found(&ctx, &admin, wildcard).await.is_empty(),
        "% is literal"
    );

    // Time: from is inclusive, to exclusive.
    let all_time = filter(|f| {
        f.from = Some(NOW);
        f.to = Some(NOW + 1);
    });
    assert_eq!(found(&ctx, &admin, all_time).await.len(), all.len());
    assert!(
        found(&ctx, &admin, filter(|f| f.from = Some(NOW + 1)))
            .await
            .is_empty()
    );
    assert!(
        found(&ctx, &admin, filter(|f| f.to = Some(NOW)))
            .await
            .is_empty()
    );

    // Pages: older by `before`, back by `after`, the count the same on each.
    let records = |f: &mut AuditFilter| {
        f.action = Some(ActionFilter::Prefix("portal.record.".into()));
        f.limit = Some(3);
    };
    let first = search(&ctx, &admin, &filter(records)).await.unwrap();
    assert_eq!((first.total, first.page.items.len()), (4, 3));
    assert_eq!(first.page.newer, None);
    let second = search(
        &ctx,
        &admin,
        &filter(|f| {
            records(f);
            f.before = first.page.older;
        }),
    )
    .await
    .unwrap();
    assert_eq!((second.total, second.page.items.len()), (4, 1));
    assert_eq!(second.page.older, None);
    assert_eq!(second.page.items[0].action, "portal.record.list");
    let back = search(
        &ctx,
        &admin,
        &filter(|f| {
            records(f);
            f.after = second.page.newer;
        }),
    )
    .await
    .unwrap();
    assert_eq!(back.page.items, first.page.items);
    assert_eq!(back.page.newer, None);

    // Another org sees only its own entries, whatever the filter names.
    let rivals = found(&ctx, &rival, filter(|f| f.portal = Some(fx.portal))).await;
    assert_eq!(
        rivals.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["rival.thing"]
    );
    let rival_by_user =
        filter(|f| f.portal_user = Some(PortalUserFilter::Email(CLIENT_EMAIL.into())));
    assert!(found(&ctx, &rival, rival_by_user).await.is_empty());

    // Only administrators search.
    let mut rep = admin.clone();
    rep.user.super_admin = false;
    let refused = search(&ctx, &rep, &filter(|_| {})).await;
    assert!(
        matches!(refused, Err(AppError::Forbidden(_))),
        "{refused:?}"
    );
}
