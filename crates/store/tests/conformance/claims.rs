//! Claims scoped by org: a CRM user's email is unique within its org, not on the instance; a
//! custom domain is its org's alone until verified, and only a verified domain is unique on
//! the instance; sign-ins that open accounts in several orgs wait as single-use choices.

use super::isolation::checked;
use super::{NOW, Tenant, tenant};
use portico_domain::email::EmailAddress;
use portico_domain::portal::{Portal, PortalSettings, Slug};
use portico_store::{MAX_LOGINS, NewUser, PendingAccount, Store, StoreError};

async fn user(store: &Store, t: &Tenant, email: &str, hash: &str) -> Result<i64, StoreError> {
    let profile = store.list_profiles(t.org).await?[0].id;
    let new = NewUser {
        email: EmailAddress::parse(email).unwrap(),
        name: "Someone".into(),
        password_hash: hash.into(),
        profile_id: profile,
        super_admin: false,
    };
    Ok(store.create_user(t.org, &new, NOW).await?.id)
}

pub(crate) async fn user_emails_are_unique_within_an_org(store: Store) {
    let a = tenant(&store, "Zylker", "zylker.com").await;
    let b = tenant(&store, "Rival", "rival.example").await;
    // B takes an address on A's domain first: A is not locked out of it.
    let b_hire = user(&store, &b, "future.hire@zylker.com", "b-hash")
        .await
        .unwrap();
    let a_hire = user(&store, &a, "Future.Hire@Zylker.com", "a-hash")
        .await
        .unwrap();
    // Within one org the address is taken, in any case, and the refusal names the field.
    let again = user(&store, &a, "FUTURE.HIRE@zylker.com", "x").await;
    assert!(
        matches!(&again, Err(StoreError::Duplicate { field, .. }) if field == "email"),
        "{again:?}"
    );
    // Sign-in finds the address in both orgs, each with its own password hash.
    let mut found: Vec<(i64, i64, String)> = store
        .find_logins(" future.hire@ZYLKER.com ")
        .await
        .unwrap()
        .into_iter()
        .map(|(u, hash)| (u.org_id, u.id, hash))
        .collect();
    found.sort();
    let mut expected = vec![
        (a.org, a_hire, "a-hash".to_string()),
        (b.org, b_hire, "b-hash".to_string()),
    ];
    expected.sort();
    assert_eq!(found, expected);
    // The lookup is bounded.
    let mut orgs = Vec::new();
    for i in 0..=MAX_LOGINS {
        orgs.push(tenant(&store, &format!("Org {i}"), &format!("org{i}.example")).await);
    }
    for t in &orgs {
        user(&store, t, "everywhere@example.com", "h")
            .await
            .unwrap();
    }
    let everywhere = store.find_logins("everywhere@example.com").await.unwrap();
    assert_eq!(everywhere.len(), MAX_LOGINS);
    assert_eq!(everywhere[0].0.org_id, orgs[0].org, "oldest first");
}

async fn portal(store: &Store, t: &Tenant, slug: &str) -> Portal {
    let default_type = checked(store, t.org, "Client Portal", "Contacts", true).await;
    store
        .create_portal(
            t.org,
            slug,
            &PortalSettings::new(Slug::parse(slug).unwrap()),
            &format!("token-{slug}"),
            &default_type,
            NOW,
        )
        .await
        .unwrap()
        .0
}

async fn claim(store: &Store, t: &Tenant, p: &Portal, domain: &str) -> Result<Portal, StoreError> {
    let mut settings = store.get_portal(t.org, p.id).await?.settings;
    settings.custom_domain = Some(domain.into());
    store.update_portal_settings(t.org, p.id, &settings).await
}

pub(crate) async fn custom_domains_are_unique_once_verified(store: Store) {
    let a = tenant(&store, "Zylker", "zylker.com").await;
    let b = tenant(&store, "Rival", "rival.example").await;
    let a1 = portal(&store, &a, "zylker-one").await;
    let a2 = portal(&store, &a, "zylker-two").await;
    let b1 = portal(&store, &b, "rival-one").await;
    let domain = "portal.zylker.com";

    // A claims the domain; B may claim it too while it is unverified.
    claim(&store, &a, &a1, domain).await.unwrap();
    claim(&store, &b, &b1, domain).await.unwrap();
    // Within A, a second portal may not.
    let twice = claim(&store, &a, &a2, domain).await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
    // Unverified claims route nowhere.
    assert!(store.portal_by_domain(domain).await.unwrap().is_none());

    // B verifies first: the domain routes to B's portal only.
    store.set_domain_verified(b.org, b1.id, true).await.unwrap();
    let routed = store.portal_by_domain(domain).await.unwrap().unwrap();
    assert_eq!(routed.id, b1.id);
    // A's claim stays, unverified, and cannot be verified while B's holds.
    let refused = store.set_domain_verified(a.org, a1.id, true).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    let a1_now = store.get_portal(a.org, a1.id).await.unwrap();
    assert_eq!(
        (
            a1_now.settings.custom_domain.as_deref(),
            a1_now.domain_verified
        ),
        (Some(domain), false)
    );
    // A verified domain cannot be newly claimed by any other portal.
    let c = tenant(&store, "Third", "third.example").await;
    let c1 = portal(&store, &c, "third-one").await;
    let late = claim(&store, &c, &c1, domain).await;
    assert!(matches!(late, Err(StoreError::Conflict(_))), "{late:?}");

    // B moves away: A can verify now, and the domain routes to A.
    claim(&store, &b, &b1, "portal.rival.example")
        .await
        .unwrap();
    assert!(store.portal_by_domain(domain).await.unwrap().is_none());
    store.set_domain_verified(a.org, a1.id, true).await.unwrap();
    assert_eq!(
        store.portal_by_domain(domain).await.unwrap().map(|p| p.id),
        Some(a1.id)
    );
    // Now B cannot come back to it.
    let b_claim = claim(&store, &b, &b1, domain).await;
    assert!(
        matches!(b_claim, Err(StoreError::Conflict(_))),
        "{b_claim:?}"
    );
}

pub(crate) async fn sign_in_choices_are_single_use_and_expire(store: Store) {
    let a = tenant(&store, "Zylker", "zylker.com").await;
    let b = tenant(&store, "Rival", "rival.example").await;
    let both = [
        PendingAccount {
            org_id: a.org,
            user_id: a.user,
        },
        PendingAccount {
            org_id: b.org,
            user_id: b.user,
        },
    ];
    store
        .create_sign_in_choice("choice-1", &both, NOW + 1_000, NOW)
        .await
        .unwrap();
    let mut taken = store.take_sign_in_choice("choice-1", NOW).await.unwrap();
    taken.sort_by_key(|p| p.org_id);
    assert_eq!(taken, both.to_vec());
    assert!(
        store
            .take_sign_in_choice("choice-1", NOW)
            .await
            .unwrap()
            .is_empty(),
        "used once"
    );
    store
        .create_sign_in_choice("choice-2", &both, NOW + 1_000, NOW)
        .await
        .unwrap();
    assert!(
        store
            .take_sign_in_choice("choice-2", NOW + 1_000)
            .await
            .unwrap()
            .is_empty(),
        "expired"
    );
    assert!(
        store
            .take_sign_in_choice("unknown", NOW)
            .await
            .unwrap()
            .is_empty()
    );
    // An account must belong to the org it is offered in.
    let forged = store
        .create_sign_in_choice(
            "choice-3",
            &[PendingAccount {
                org_id: b.org,
                user_id: a.user,
            }],
            NOW + 1_000,
            NOW,
        )
        .await;
    assert!(forged.is_err(), "{forged:?}");
}
