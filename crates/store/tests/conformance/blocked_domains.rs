//! An org's block list of email domains: listed in order, added once (adding again changes
//! nothing), removed, rolled back with its transaction, and matched against an address's domain
//! and every parent of it, in any case. Isolation between orgs is in `isolation.rs`.

use super::{NOW, tenant};
use portico_domain::email_domains::BlockedDomain;
use portico_store::{Store, StoreError};

fn domain(name: &str) -> BlockedDomain {
    BlockedDomain::parse(name).unwrap()
}

async fn listed(store: &Store, org: i64) -> Vec<String> {
    store
        .list_blocked_domains(org)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.domain)
        .collect()
}

pub(crate) async fn blocked_domains_are_listed_added_once_and_removed(store: Store) {
    let t = tenant(&store, "Zylker", "zylker.com").await;
    assert!(listed(&store, t.org).await.is_empty());

    let first = store
        .add_blocked_domain(t.org, &domain("spam.example"), "admin@zylker.com", NOW)
        .await
        .unwrap()
        .expect("a new entry");
    assert_eq!(
        (
            first.domain.as_str(),
            first.created_by.as_str(),
            first.created_at
        ),
        ("spam.example", "admin@zylker.com", NOW)
    );
    // Again, even in another case: nothing changes, and the first entry stays as it was.
    let again = store
        .add_blocked_domain(t.org, &domain("SPAM.example"), "other@zylker.com", NOW + 5)
        .await
        .unwrap();
    assert_eq!(again, None);
    assert_eq!(store.list_blocked_domains(t.org).await.unwrap(), [first]);

    for name in ["b.example", "a.example", "mail.b.example"] {
        store
            .add_blocked_domain(t.org, &domain(name), "admin@zylker.com", NOW)
            .await
            .unwrap()
            .unwrap();
    }
    assert_eq!(
        listed(&store, t.org).await,
        ["a.example", "b.example", "mail.b.example", "spam.example"]
    );

    store
        .remove_blocked_domain(t.org, &domain("b.example"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .remove_blocked_domain(t.org, &domain("b.example"))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .remove_blocked_domain(t.org, &domain("never.example"))
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        listed(&store, t.org).await,
        ["a.example", "mail.b.example", "spam.example"]
    );

    // An entry added in a transaction that rolls back is not there.
    {
        let mut tx = store.transaction().await.unwrap();
        tx.add_blocked_domain(t.org, &domain("gone.example"), "admin@zylker.com", NOW)
            .await
            .unwrap()
            .unwrap();
        assert!(
            tx.email_domain_blocked(t.org, "gone.example")
                .await
                .unwrap()
        );
    }
    assert!(
        !store
            .email_domain_blocked(t.org, "gone.example")
            .await
            .unwrap()
    );
    // An org that does not exist gets no entry.
    assert_eq!(
        store
            .add_blocked_domain(t.org + 1000, &domain("x.example"), "ops", NOW)
            .await
            .unwrap(),
        None
    );
}

pub(crate) async fn a_blocked_domain_covers_its_subdomains(store: Store) {
    let t = tenant(&store, "Zylker", "zylker.com").await;
    for name in ["spam.example", "mail.b.example"] {
        store
            .add_blocked_domain(t.org, &domain(name), "admin@zylker.com", NOW)
            .await
            .unwrap();
    }
    let blocked = |d: &'static str| {
        let store = &store;
        async move { store.email_domain_blocked(t.org, d).await.unwrap() }
    };
    for d in [
        "spam.example",
        "SPAM.Example",
        " spam.example ",
        "spam.example.",
        "x.spam.example",
        "a.b.c.spam.example",
        "mail.b.example",
        "x.mail.b.example",
    ] {
        assert!(blocked(d).await, "{d} is blocked");
    }
    for d in [
        "b.example",
        "notspam.example",
        "spam.example.com",
        "spamexample",
        "example",
        "",
        ".",
        "...",
        "%.example",
        "spam_example",
        "spam.example\0",
    ] {
        assert!(!blocked(d).await, "{d:?} is not blocked");
    }
    // A hostile input is bounded: only parents short enough to be stored are looked up.
    let long = format!("{}spam.example", "a.".repeat(100_000));
    assert!(store.email_domain_blocked(t.org, &long).await.unwrap());
    let long = "a".repeat(2 * 1024 * 1024);
    assert!(!store.email_domain_blocked(t.org, &long).await.unwrap());
}
