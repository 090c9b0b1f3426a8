//! The portal enforcement point against a real database, on SQLite and PostgreSQL: the record
//! scope (own record, linked by the chosen lookup, nothing else), the field mask on reads
//! (hidden fields, subform columns, the Unit Price rule) and on writes (hidden and read-only
//! refused, stale versions refused, hidden values kept), and lookups' names. The fixture is
//! built here, through the use cases.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use portico_app::records::RecordExtras;
use portico_app::scoped_records::ScopedRecords;
use portico_app::{AppError, Context};
use portico_domain::Id;
use portico_domain::access::CrmActor;
use portico_domain::module::ApiName;
use portico_domain::portal::{
    ColumnPermission, FieldPermission, LayoutAccess, TabModule, TabRole, TabView, UserType,
    UserTypeConfig,
};
use portico_domain::profile::ModulePermissions;
use serde_json::{Value, json};

on_both!(
    scope_reaches_own_and_linked_records_only,
    reads_are_masked_down_to_subform_columns,
    writes_outside_the_mask_are_refused,
    writes_are_version_checked_and_keep_hidden_values,
    lookup_names_only_for_records_in_reach,
    a_scope_without_an_owner_creates_nothing,
);

struct Fixture {
    admin: CrmActor,
    client: UserType,
    me: Id,
    other: Id,
    my_deal: Id,
    other_deal: Id,
    account: Id,
    my_quote: Id,
}

async fn create(ctx: &Context, admin: &CrmActor, module: &str, data: Value) -> Id {
    portico_app::records::create_record(
        ctx,
        admin,
        module,
        &common::object(data),
        RecordExtras::default(),
    )
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

fn tab(module: &str, role: TabRole, edit: bool, fields: Vec<FieldPermission>) -> TabModule {
    TabModule {
        module: ApiName::parse(module).unwrap(),
        role,
        permissions: ModulePermissions {
            view: true,
            edit,
            ..Default::default()
        },
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

async fn fixture(ctx: &Context) -> Fixture {
    let admin = common::org(ctx, "Acme Scoped", "acme-scoped.example").await;
    let account = create(
        ctx,
        &admin,
        "Accounts",
        json!({"Account_Name": "Hidden Holdings"}),
    )
    .await;
    let me = create(
        ctx,
        &admin,
        "Contacts",
        json!({"First_Name": "Mia", "Last_Name": "Portal", "Email": "mia@customer.example", "Phone": "111", "Title": "Buyer"}),
    )
    .await;
    let other = create(
        ctx,
        &admin,
        "Contacts",
        json!({"First_Name": "Otto", "Last_Name": "Other", "Email": "otto@customer.example"}),
    )
    .await;
    let my_deal = create(
        ctx,
        &admin,
        "Deals",
        json!({"Deal_Name": "Mia's deal", "Stage": "Proposal", "Contact_Name": me, "Account_Name": account, "Amount": 500, "Probability": 40}),
    )
    .await;
    let other_deal = create(
        ctx,
        &admin,
        "Deals",
        json!({"Deal_Name": "Otto's deal", "Stage": "Proposal", "Contact_Name": other}),
    )
    .await;
    let product = create(
        ctx,
        &admin,
        "Products",
        json!({"Product_Name": "Widget", "Unit_Price": 100}),
    )
    .await;
    let my_quote = create(
        ctx,
        &admin,
        "Quotes",
        json!({"Subject": "Mia's quote", "Contact_Name": me, "Product_Details": [
            {"Product": product, "Quantity": 2, "List_Price": 100, "Discount": 5}
        ]}),
    )
    .await;
    let (portal, client) =
        portico_app::portals::create_portal(ctx, &admin, Some("Acme Scoped Portal".into()))
            .await
            .unwrap();
    let mut details = field("Product_Details", true);
    details.columns = Some(vec![
        ColumnPermission {
            column: "Product".into(),
            visible: true,
            read_only: true,
        },
        ColumnPermission {
            column: "Quantity".into(),
            visible: true,
            read_only: true,
        },
        // Listed visible, but Products (and so Unit Price) is not shared: the Unit Price rule
        // hides it anyway.
        ColumnPermission {
            column: "List_Price".into(),
            visible: true,
            read_only: true,
        },
        ColumnPermission {
            column: "Discount".into(),
            visible: false,
            read_only: false,
        },
    ]);
    let config = UserTypeConfig {
        name: "Client Portal".into(),
        personality_module: ApiName::parse("Contacts").unwrap(),
        customer: true,
        active: true,
        seats: 10_000,
        modules: vec![
            tab(
                "Contacts",
                TabRole::Personality,
                true,
                vec![
                    field("Last_Name", true),
                    field("Email", true),
                    field("Phone", false),
                ],
            ),
            tab(
                "Deals",
                TabRole::Related,
                true,
                vec![
                    field("Deal_Name", true),
                    field("Stage", false),
                    field("Amount", true),
                    field("Contact_Name", true),
                    field("Account_Name", true),
                ],
            ),
            tab(
                "Quotes",
                TabRole::Related,
                false,
                vec![field("Subject", true), details],
            ),
        ],
        web_tabs: Vec::new(),
    };
    let client =
        portico_app::user_types::replace_user_type(ctx, &admin, portal.id, client.id, config)
            .await
            .unwrap();
    Fixture {
        admin,
        client,
        me,
        other,
        my_deal,
        other_deal,
        account,
        my_quote,
    }
}

async fn scoped<'a>(ctx: &'a Context, f: &Fixture) -> ScopedRecords<'a> {
    ScopedRecords::open(ctx, f.admin.user.org_id, f.client.clone(), Some(f.me))
        .await
        .unwrap()
}

fn ids(page: &portico_app::scoped_records::ScopedPage) -> Vec<Id> {
    page.items.iter().map(|r| r.id).collect()
}

async fn scope_reaches_own_and_linked_records_only(ctx: Context) {
    let f = fixture(&ctx).await;
    let s = scoped(&ctx, &f).await;
    let contacts = s.list("Contacts", None, None, 50, None).await.unwrap();
    assert_eq!(ids(&contacts), [f.me], "only their own record");
    let deals = s.list("Deals", None, None, 50, None).await.unwrap();
    assert_eq!(ids(&deals), [f.my_deal], "only deals linked to them");
    // Out of scope reads look exactly like missing ones.
    for (module, id) in [
        ("Deals", f.other_deal),
        ("Contacts", f.other),
        ("Deals", 9_999_999),
        ("Accounts", f.account),
    ] {
        assert!(
            matches!(s.get(module, None, id).await, Err(AppError::NotFound)),
            "{module} {id}"
        );
    }
    assert!(matches!(
        s.list("Accounts", None, None, 50, None).await,
        Err(AppError::NotFound)
    ));
    // Search stays inside the scope.
    let found = s.list("Deals", None, None, 50, Some("deal")).await.unwrap();
    assert_eq!(ids(&found), [f.my_deal]);
    // Their own record is searched as the store searches records: a substring of name and
    // email together ("portal mia@" spans both), any case, every character literal.
    for (search, found) in [
        ("MIA", true),
        ("ia", true),
        ("portal mia@", true),
        ("  @customer.EX  ", true),
        ("otto", false),
        ("m%a", false),
        ("portal mia portal", false),
    ] {
        let page = s
            .list("Contacts", None, None, 50, Some(search))
            .await
            .unwrap();
        let expected = if found { vec![f.me] } else { Vec::new() };
        assert_eq!(ids(&page), expected, "{search:?}");
        let store_says = portico_app::records::list_records(
            &ctx,
            &f.admin,
            "Contacts",
            None,
            None,
            Some(search.to_string()),
        )
        .await
        .unwrap()
        .1
        .items
        .iter()
        .any(|r| r.id == f.me);
        assert_eq!(store_says, found, "the store disagrees on {search:?}");
    }
    // A personality record of another module, or none at all, reaches nothing related.
    assert!(matches!(
        ScopedRecords::open(&ctx, f.admin.user.org_id, f.client.clone(), Some(f.my_deal)).await,
        Err(AppError::NotFound)
    ));
    let as_type = ScopedRecords::open(&ctx, f.admin.user.org_id, f.client.clone(), None)
        .await
        .unwrap();
    assert!(
        as_type
            .list("Deals", None, None, 50, None)
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

async fn reads_are_masked_down_to_subform_columns(ctx: Context) {
    let f = fixture(&ctx).await;
    let s = scoped(&ctx, &f).await;
    let deal = s.get("Deals", None, f.my_deal).await.unwrap();
    let mut keys: Vec<&str> = deal.data.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "Account_Name",
            "Amount",
            "Contact_Name",
            "Deal_Name",
            "Stage"
        ],
        "Probability is not shared"
    );
    let me = s.get("Contacts", None, f.me).await.unwrap();
    assert!(
        me.data.get("Title").is_none(),
        "unshared field of their own record"
    );
    let quote = s.get("Quotes", None, f.my_quote).await.unwrap();
    let rows = quote.data["Product_Details"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    let mut columns: Vec<&str> = rows[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    columns.sort_unstable();
    assert_eq!(
        columns,
        ["Product", "Quantity"],
        "Discount is hidden, and List_Price follows Unit Price (Products not shared)"
    );
    // Lists apply the same mask.
    let listed = s.list("Quotes", None, None, 10, None).await.unwrap();
    assert_eq!(listed.items[0].data, quote.data);
}

async fn writes_outside_the_mask_are_refused(ctx: Context) {
    let f = fixture(&ctx).await;
    let s = scoped(&ctx, &f).await;
    let deal = s.get("Deals", None, f.my_deal).await.unwrap();
    for (input, code) in [
        (json!({"Probability": 99}), "hidden_field"),
        (json!({"No_Such_Field": 1}), "hidden_field"),
        (json!({"Amount": 1}), "read_only_field"),
        (json!({"Contact_Name": f.other}), "read_only_field"),
    ] {
        match s
            .update(
                "Deals",
                None,
                f.my_deal,
                &common::object(input.clone()),
                deal.version,
                common::NOW,
            )
            .await
        {
            Err(AppError::Invalid(e)) => assert_eq!(e.errors()[0].code, code, "{input}"),
            other => panic!("{input}: {other:?}"),
        }
    }
    // Quotes are view only for this user type; another's deal is out of scope.
    assert!(matches!(
        s.update(
            "Quotes",
            None,
            f.my_quote,
            &common::object(json!({"Subject": "x"})),
            1,
            common::NOW
        )
        .await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        s.update(
            "Deals",
            None,
            f.other_deal,
            &common::object(json!({"Stage": "Closed Won"})),
            1,
            common::NOW
        )
        .await,
        Err(AppError::NotFound)
    ));
    // Nothing changed.
    let after = portico_app::records::get_record(&ctx, &f.admin, "Deals", f.my_deal)
        .await
        .unwrap()
        .1;
    assert_eq!(after.version, deal.version);
    assert_eq!(after.data["Probability"].as_f64(), Some(40.0));
}

async fn writes_are_version_checked_and_keep_hidden_values(ctx: Context) {
    let f = fixture(&ctx).await;
    let s = scoped(&ctx, &f).await;
    let deal = s.get("Deals", None, f.my_deal).await.unwrap();
    let saved = s
        .update(
            "Deals",
            None,
            f.my_deal,
            &common::object(json!({"Stage": "Negotiation"})),
            deal.version,
            common::NOW,
        )
        .await
        .unwrap();
    assert_eq!(saved.version, deal.version + 1);
    assert_eq!(saved.data["Stage"], json!("Negotiation"));
    // A write based on the old version is refused and changes nothing.
    match s
        .update(
            "Deals",
            None,
            f.my_deal,
            &common::object(json!({"Stage": "Closed Lost"})),
            deal.version,
            common::NOW,
        )
        .await
    {
        Err(AppError::Stale { current_version }) => assert_eq!(current_version, saved.version),
        other => panic!("{other:?}"),
    }
    let stored = portico_app::records::get_record(&ctx, &f.admin, "Deals", f.my_deal)
        .await
        .unwrap()
        .1;
    assert_eq!(stored.data["Stage"], json!("Negotiation"));
    assert_eq!(
        stored.data["Probability"].as_f64(),
        Some(40.0),
        "a value the portal user cannot see is kept"
    );
    assert_eq!(stored.data["Contact_Name"], json!(f.me), "the link is kept");
}

async fn lookup_names_only_for_records_in_reach(ctx: Context) {
    let f = fixture(&ctx).await;
    let s = scoped(&ctx, &f).await;
    let names = s
        .display_names(&[f.me, f.other, f.account, f.my_deal, f.other_deal])
        .await
        .unwrap();
    let mut reached: Vec<Id> = names.keys().copied().collect();
    reached.sort_unstable();
    let mut expected = vec![f.me, f.my_deal];
    expected.sort_unstable();
    assert_eq!(reached, expected);
    assert_eq!(names[&f.me], "Mia Portal");
    // Named by the lookup's target module, the same records are reached (a contact other
    // than the user's own, an unshared account, another contact's deal are not), and repeated
    // targets are named once.
    let targets = [
        ("Contacts", f.me),
        ("Contacts", f.other),
        ("Accounts", f.account),
        ("Deals", f.my_deal),
        ("Deals", f.other_deal),
        ("Contacts", f.me),
        ("Deals", f.my_deal),
    ];
    assert_eq!(s.lookup_names(&targets).await.unwrap(), names);
}

/// A scope opened for a preview has no owner for new records (a portal user is never one), so
/// it creates nothing — even where the user type would allow it.
async fn a_scope_without_an_owner_creates_nothing(ctx: Context) {
    let f = fixture(&ctx).await;
    let scoped = scoped(&ctx, &f).await;
    let data = common::object(json!({"Deal_Name": "From a preview"}));
    let r = scoped.create("Deals", None, &data, common::NOW).await;
    assert!(matches!(r, Err(AppError::Forbidden(_))), "{r:?}");
}
