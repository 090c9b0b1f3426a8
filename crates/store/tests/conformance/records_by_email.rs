//! Finding a live record of a module by its email address, as sign-ups do: any letter case,
//! never one in the recycle bin or of another module, the oldest first, and — when asked —
//! none that already is a user of the portal.

use super::{NOW, add, tenant};
use portico_domain::email::EmailAddress;
use portico_domain::portal::{PortalSettings, Slug};
use portico_domain::portal_user::{NewPortalUser, PortalUserStatus, Preferences};
use portico_store::Store;
use serde_json::json;

pub(crate) async fn live_records_are_found_by_email(store: Store) {
    let t = tenant(&store, "Zylker", "zylker.com").await;
    let contacts = store.get_module(t.org, "Contacts").await.unwrap();
    let leads = store.get_module(t.org, "Leads").await.unwrap();
    let binned = add(
        &store,
        &t,
        "Contacts",
        json!({"Last_Name": "Old", "Email": "Ann@Customer.com"}),
    )
    .await
    .unwrap();
    store
        .delete_record(t.org, contacts.id, binned.id, NOW)
        .await
        .unwrap();
    let first = add(
        &store,
        &t,
        "Contacts",
        json!({"Last_Name": "Ann", "Email": "ANN@customer.com"}),
    )
    .await
    .unwrap();
    let second = add(
        &store,
        &t,
        "Contacts",
        json!({"Last_Name": "Ann 2", "Email": "ann@customer.com"}),
    )
    .await
    .unwrap();
    add(
        &store,
        &t,
        "Leads",
        json!({"Last_Name": "Lead", "Email": "bob@customer.com"}),
    )
    .await
    .unwrap();
    let found = |module, email: &'static str, portal| {
        let store = &store;
        async move {
            store
                .live_record_by_email(t.org, module, email, portal)
                .await
                .unwrap()
                .map(|r| r.id)
        }
    };
    assert_eq!(
        found(contacts.id, "ann@CUSTOMER.com", None).await,
        Some(first.id)
    );
    assert_eq!(found(contacts.id, "bob@customer.com", None).await, None);
    assert!(found(leads.id, "bob@customer.com", None).await.is_some());
    assert_eq!(found(contacts.id, "nobody@customer.com", None).await, None);

    let client = super::isolation::checked(&store, t.org, "Clients", "Contacts", true).await;
    let (portal, client_type) = store
        .create_portal(
            t.org,
            "Help",
            &PortalSettings::new(Slug::parse("help").unwrap()),
            "token",
            &client,
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(
        found(contacts.id, "ann@customer.com", Some(portal.id)).await,
        Some(first.id)
    );
    let new = NewPortalUser {
        portal_id: portal.id,
        user_type_id: client_type.id,
        record_id: Some(first.id),
        email: EmailAddress::parse("ann@customer.com").unwrap(),
        name: "Ann".into(),
        status: PortalUserStatus::Active,
        preferences: Preferences::parse("en", "24h", "UTC", "GB").unwrap(),
        invited_by: None,
        password_hash: None,
    };
    store.create_portal_user(t.org, &new, NOW).await.unwrap();
    assert_eq!(
        found(contacts.id, "ann@customer.com", Some(portal.id)).await,
        Some(second.id),
        "a record already a user of the portal is passed over"
    );
    assert_eq!(
        found(contacts.id, "ann@customer.com", None).await,
        Some(first.id)
    );
}
