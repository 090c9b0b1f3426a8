//! CRM record use cases on both backends, with a fixture built here: a sales rep ("own" scope)
//! saves their deal although it links to a contact they cannot see (the link is kept), but
//! cannot make a new link to one; a save based on an older version is refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use portico_app::records::{RecordExtras, update_record};
use portico_app::users::NewUserInput;
use portico_app::{AppError, Context};
use portico_domain::Id;
use portico_domain::access::CrmActor;
use portico_domain::profile::{ModulePermissions, NewProfile, RecordScope};
use serde_json::json;
use std::collections::BTreeMap;

on_both!(
    a_rep_keeps_a_link_they_cannot_see_but_cannot_make_one,
    a_save_based_on_an_older_version_is_refused,
);

struct Fixture {
    admin: CrmActor,
    rep: CrmActor,
    hidden_contact: Id,
    other_hidden_contact: Id,
    deal: Id,
}

async fn fixture(ctx: &Context) -> Fixture {
    let admin = common::org(ctx, "Rep Co", "rep.example").await;
    let work = ModulePermissions {
        view: true,
        create: true,
        edit: true,
        delete: false,
    };
    let permissions: BTreeMap<String, ModulePermissions> = ["Contacts", "Deals"]
        .into_iter()
        .map(|m| (m.to_string(), work))
        .collect();
    let profile = portico_app::users::create_profile(
        ctx,
        &admin,
        NewProfile {
            name: "Sales Rep".into(),
            scope: RecordScope::Own,
            permissions,
        },
    )
    .await
    .unwrap();
    let rep_user = portico_app::users::create_user(
        ctx,
        &admin,
        NewUserInput {
            email: "rep@rep.example".into(),
            name: "Rep".into(),
            password: "rep-user-password".into(),
            profile_id: profile.id,
            super_admin: false,
        },
    )
    .await
    .unwrap();
    let rep = portico_app::sign_in::actor(ctx, admin.user.org_id, rep_user.id)
        .await
        .unwrap();
    let contact = |name: &str| json!({"Last_Name": name});
    let mut ids = Vec::new();
    for name in ["Hidden One", "Hidden Two"] {
        ids.push(
            portico_app::records::create_record(
                ctx,
                &admin,
                "Contacts",
                &common::object(contact(name)),
                RecordExtras::default(),
            )
            .await
            .unwrap()
            .id,
        );
    }
    // The administrator gives the rep a deal linked to a contact only the administrator sees.
    let deal = portico_app::records::create_record(
        ctx,
        &admin,
        "Deals",
        &common::object(
            json!({"Deal_Name": "Rep's deal", "Stage": "Proposal", "Contact_Name": ids[0]}),
        ),
        RecordExtras {
            owner_id: Some(rep.user.id),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .id;
    Fixture {
        admin,
        rep,
        hidden_contact: ids[0],
        other_hidden_contact: ids[1],
        deal,
    }
}

async fn a_rep_keeps_a_link_they_cannot_see_but_cannot_make_one(ctx: Context) {
    let f = fixture(&ctx).await;
    // The rep cannot see the contact...
    assert!(matches!(
        portico_app::records::get_record(&ctx, &f.rep, "Contacts", f.hidden_contact).await,
        Err(AppError::NotFound)
    ));
    let names = portico_app::records::record_names(&ctx, &f.rep, vec![f.hidden_contact])
        .await
        .unwrap();
    assert!(names.is_empty());
    // ...yet saves the deal as the form posts it back: every field, the link unchanged.
    let saved = update_record(
        &ctx,
        &f.rep,
        "Deals",
        f.deal,
        &common::object(json!({
            "Deal_Name": "Rep's deal, renamed",
            "Stage": "Negotiation",
            "Contact_Name": f.hidden_contact,
        })),
        RecordExtras {
            version: Some(1),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(saved.data["Contact_Name"], json!(f.hidden_contact));
    assert_eq!(saved.data["Stage"], json!("Negotiation"));
    // A new link to a contact out of reach is refused exactly like a missing one.
    for target in [f.other_hidden_contact, 9_999_999] {
        match update_record(
            &ctx,
            &f.rep,
            "Deals",
            f.deal,
            &common::object(json!({"Contact_Name": target})),
            RecordExtras::default(),
        )
        .await
        {
            Err(AppError::Invalid(e)) => {
                assert_eq!(e.errors()[0].code, "invalid_lookup", "{target}");
                assert_eq!(e.errors()[0].field, "Contact_Name");
            }
            other => panic!("{target}: {other:?}"),
        }
    }
    // The administrator may link anything.
    update_record(
        &ctx,
        &f.admin,
        "Deals",
        f.deal,
        &common::object(json!({"Contact_Name": f.other_hidden_contact})),
        RecordExtras::default(),
    )
    .await
    .unwrap();
}

async fn a_save_based_on_an_older_version_is_refused(ctx: Context) {
    let f = fixture(&ctx).await;
    let first = update_record(
        &ctx,
        &f.rep,
        "Deals",
        f.deal,
        &common::object(json!({"Stage": "Negotiation"})),
        RecordExtras {
            version: Some(1),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(first.version, 2);
    let stale = update_record(
        &ctx,
        &f.admin,
        "Deals",
        f.deal,
        &common::object(json!({"Stage": "Closed Lost"})),
        RecordExtras {
            version: Some(1),
            ..Default::default()
        },
    )
    .await;
    assert!(
        matches!(stale, Err(AppError::Stale { current_version: 2 })),
        "{stale:?}"
    );
    let (_, now) = portico_app::records::get_record(&ctx, &f.admin, "Deals", f.deal)
        .await
        .unwrap();
    assert_eq!(now.data["Stage"], json!("Negotiation"));
}
