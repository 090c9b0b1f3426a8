//! Email-change links and portal logos: a link carries the new address, is single-use and
//! dies when the account's address changes; an address change is refused when another
//! account of the portal has the address (any letter case); a logo's bytes come back as they
//! went in, replaced and removed.

use super::{NOW, tenant};
use portico_domain::email::EmailAddress;
use portico_domain::portal::{PortalSettings, Slug};
use portico_domain::portal_user::{LinkPurpose, NewPortalUser, PortalUserStatus, Preferences};
use portico_store::{PortalLogo, Store, StoreError};

pub(crate) async fn email_changes_and_logos_keep_their_rules(store: Store) {
    let t = tenant(&store, "Zylker", "zylker.com").await;
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
    let user = |email: &str| NewPortalUser {
        portal_id: portal.id,
        user_type_id: client_type.id,
        record_id: None,
        email: EmailAddress::parse(email).unwrap(),
        name: "Ann".into(),
        status: PortalUserStatus::Active,
        preferences: Preferences::parse("en", "24h", "UTC", "GB").unwrap(),
        invited_by: None,
        password_hash: None,
    };
    let ann = store
        .create_portal_user(t.org, &user("ann@customer.com"), NOW)
        .await
        .unwrap();
    store
        .create_portal_user(t.org, &user("bob@customer.com"), NOW)
        .await
        .unwrap();

    // The link carries the new address; a newer one replaces it.
    store
        .create_email_change_link(t.org, ann.id, "old-link", "ann.old@customer.com", NOW)
        .await
        .unwrap();
    store
        .create_email_change_link(t.org, ann.id, "link", "Ann.New@customer.com", NOW)
        .await
        .unwrap();
    assert_eq!(
        store.usable_email_change("old-link", NOW).await.unwrap(),
        None
    );
    let found = store
        .usable_email_change("link", NOW)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.new_email, "Ann.New@customer.com");
    assert_eq!(found.link.purpose, LinkPurpose::EmailChange);
    let day = LinkPurpose::EmailChange.ttl();
    assert_eq!(
        store.usable_email_change("link", NOW + day).await.unwrap(),
        None
    );
    // Not usable as another purpose's link.
    assert!(
        store
            .usable_portal_link("link", LinkPurpose::Reset, NOW)
            .await
            .unwrap()
            .is_none()
    );

    // Another account's address (any case) is a duplicate; nothing changes.
    let taken = store
        .set_portal_user_email(t.org, portal.id, ann.id, "BOB@customer.com", NOW)
        .await;
    assert!(matches!(taken, Err(StoreError::Duplicate { ref field, .. }) if field == "email"));
    let changed = store
        .set_portal_user_email(t.org, portal.id, ann.id, "Ann.New@customer.com", NOW)
        .await
        .unwrap();
    assert_eq!(changed.email, "Ann.New@customer.com");
    let by_new = store
        .portal_user_by_email(t.org, portal.id, "ann.new@CUSTOMER.com")
        .await
        .unwrap();
    assert_eq!(by_new.map(|u| u.id), Some(ann.id));
    // The address changed: the link (bound to the old one) is dead.
    assert_eq!(store.usable_email_change("link", NOW).await.unwrap(), None);

    // Logos.
    assert_eq!(store.portal_logo(t.org, portal.id).await.unwrap(), None);
    let logo = PortalLogo {
        content_type: "image/png".into(),
        bytes: (0..=255).collect(),
        etag: "one".into(),
        updated_at: NOW,
    };
    store
        .put_portal_logo(t.org, portal.id, &logo)
        .await
        .unwrap();
    assert_eq!(
        store.portal_logo(t.org, portal.id).await.unwrap(),
        Some(logo.clone())
    );
    let second = PortalLogo {
        content_type: "image/webp".into(),
        bytes: vec![1, 2, 3],
        etag: "two".into(),
        updated_at: NOW + 1,
    };
    store
        .put_portal_logo(t.org, portal.id, &second)
        .await
        .unwrap();
    assert_eq!(
        store.portal_logo_etag(t.org, portal.id).await.unwrap(),
        Some("two".into())
    );
    assert!(store.delete_portal_logo(t.org, portal.id).await.unwrap());
    assert!(!store.delete_portal_logo(t.org, portal.id).await.unwrap());
    assert_eq!(store.portal_logo(t.org, portal.id).await.unwrap(), None);
}
