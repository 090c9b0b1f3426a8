//! Bulk invitation batches on both backends: items in order with their outcomes counted once;
//! claims that are leased and exclusive however many workers ask at once; and the candidates
//! for an invitation (live, validly addressed, not yet users of the portal).

use super::{NOW, Tenant, add, tenant};
use crate::isolation::checked;
use portico_domain::Id;
use portico_domain::email::EmailAddress;
use portico_domain::org::TimeFormat;
use portico_domain::portal::{PortalSettings, Slug};
use portico_domain::portal_user::{NewPortalUser, PortalUserStatus, Preferences};
use portico_store::{BatchState, CandidateQuery, NewInvitationBatch, Store, StoreError};
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::Arc;

/// An org with a portal; answers the tenant, the portal and its default user type.
async fn with_portal(store: &Store, name: &str, domain: &str) -> (Tenant, Id, Id) {
    let t = tenant(store, name, domain).await;
    let config = checked(store, t.org, "Clients", "Contacts", true).await;
    let (portal, user_type) = store
        .create_portal(
            t.org,
            name,
            &PortalSettings::new(Slug::parse(&format!("{}-portal", name.to_lowercase())).unwrap()),
            &format!("{name}-token"),
            &config,
            NOW,
        )
        .await
        .unwrap();
    (t, portal.id, user_type.id)
}

async fn contact(store: &Store, t: &Tenant, last: &str, email: Option<&str>) -> Id {
    let mut data = json!({"Last_Name": last});
    if let Some(e) = email {
        data["Email"] = json!(e);
    }
    add(store, t, "Contacts", data).await.unwrap().id
}

fn new_batch(portal: Id, user_type: Id, by: Id) -> NewInvitationBatch {
    NewInvitationBatch {
        portal_id: portal,
        user_type_id: user_type,
        created_by: by,
        language: Some("de".into()),
    }
}

pub(crate) async fn invitation_batches_keep_items_and_count_each_outcome_once(store: Store) {
    let (a, portal, user_type) = with_portal(&store, "Zylker", "zylker.com").await;
    let records: Vec<Id> = (0..3).map(|i| 1_000 + i).collect();
    let b = store
        .create_invitation_batch(
            a.org,
            &new_batch(portal, user_type, a.user),
            &records,
            0,
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(
        (b.state, b.total, b.sent, b.failed, b.lease_until),
        (BatchState::Running, 3, 0, 0, 0)
    );
    assert_eq!(b.language.as_deref(), Some("de"));
    let items = store.next_batch_items(b.id, 2).await.unwrap();
    assert_eq!(
        items
            .iter()
            .map(|i| (i.position, i.record_id))
            .collect::<Vec<_>>(),
        [(0, 1_000), (1, 1_001)]
    );
    assert!(items.iter().all(|i| i.outcome.is_none()));

    assert!(store.record_batch_item(b.id, 0, Ok(())).await.unwrap());
    // Done already: a second outcome (a worker whose lease ran out) changes nothing.
    assert!(
        !store
            .record_batch_item(b.id, 0, Err(("no_email", "x")))
            .await
            .unwrap()
    );
    assert!(
        store
            .record_batch_item(
                b.id,
                1,
                Err(("no_email", "The record has no email address"))
            )
            .await
            .unwrap()
    );
    let running = store.finish_invitation_batch(b.id, NOW + 5).await.unwrap();
    assert_eq!(
        (running.state, running.sent, running.failed),
        (BatchState::Running, 1, 1)
    );
    let next = store.next_batch_items(b.id, 10).await.unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].position, 2);
    assert!(
        store
            .record_batch_item(b.id, 2, Err(("same_domain", "own domain")))
            .await
            .unwrap()
    );
    let done = store.finish_invitation_batch(b.id, NOW + 9).await.unwrap();
    assert_eq!(
        (
            done.state,
            done.sent,
            done.failed,
            done.finished_at,
            done.lease_until
        ),
        (BatchState::Done, 1, 2, Some(NOW + 9), 0)
    );
    assert!(store.next_batch_items(b.id, 10).await.unwrap().is_empty());

    let page = store
        .failed_batch_items(a.org, portal, b.id, None, 1)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(
        page.items[0].outcome,
        Some(Err((
            "no_email".to_string(),
            "The record has no email address".to_string()
        )))
    );
    assert_eq!(page.next, Some(1));
    let rest = store
        .failed_batch_items(a.org, portal, b.id, page.next, 10)
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 1);
    assert_eq!(rest.items[0].record_id, 1_002);
    assert_eq!(rest.next, None);
    assert_eq!(
        store
            .get_invitation_batch(a.org, portal, b.id)
            .await
            .unwrap(),
        done
    );
    let listed = store
        .list_invitation_batches(a.org, portal, None, 10)
        .await
        .unwrap();
    assert_eq!(listed.items, std::slice::from_ref(&done));

    // A big batch is written in several statements, in order.
    let many: Vec<Id> = (0..1_234).collect();
    let big = store
        .create_invitation_batch(a.org, &new_batch(portal, user_type, a.user), &many, 0, NOW)
        .await
        .unwrap();
    assert_eq!(big.total, 1_234);
    let all = store.next_batch_items(big.id, 500).await.unwrap();
    assert_eq!(all.len(), 500);
    assert!(
        all.iter()
            .enumerate()
            .all(|(i, it)| it.position == i as i64 && it.record_id == i as i64)
    );

    // Another org's portal, user type or user: nothing is created.
    let (other, other_portal, other_type) = with_portal(&store, "Other", "other.com").await;
    for new in [
        new_batch(other_portal, other_type, a.user),
        new_batch(portal, user_type, other.user),
        new_batch(portal, other_type, a.user),
    ] {
        assert!(matches!(
            store
                .create_invitation_batch(a.org, &new, &[1], 0, NOW)
                .await,
            Err(StoreError::NotFound)
        ));
    }
    assert!(matches!(
        store
            .get_invitation_batch(other.org, other_portal, b.id)
            .await,
        Err(StoreError::NotFound)
    ));
}

pub(crate) async fn invitation_batch_claims_are_leased_and_exclusive(store: Store) {
    let (a, portal, user_type) = with_portal(&store, "Zylker", "zylker.com").await;
    let new = new_batch(portal, user_type, a.user);
    let mut ids = BTreeSet::new();
    for _ in 0..6 {
        let b = store
            .create_invitation_batch(a.org, &new, &[1, 2], 0, NOW)
            .await
            .unwrap();
        ids.insert(b.id);
    }
    // Held by the request that runs it inline: no worker takes it before its lease ends.
    let held = store
        .create_invitation_batch(a.org, &new, &[1], NOW + 60_000, NOW)
        .await
        .unwrap();

    // Eight workers claim at once, each until nothing is left: every free batch exactly once.
    let store = Arc::new(store);
    let mut workers = Vec::new();
    for _ in 0..8 {
        let s = Arc::clone(&store);
        workers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while let Some(b) = s
                .claim_invitation_batch(None, NOW + 30_000, NOW)
                .await
                .unwrap()
            {
                assert_eq!(b.lease_until, NOW + 30_000);
                mine.push(b.id);
            }
            mine
        }));
    }
    let mut claimed = Vec::new();
    for w in workers {
        claimed.extend(w.await.unwrap());
    }
    claimed.sort_unstable();
    assert_eq!(claimed, ids.iter().copied().collect::<Vec<_>>());
    assert_eq!(
        store
            .claim_invitation_batch(None, NOW + 30_000, NOW + 1)
            .await
            .unwrap(),
        None
    );

    // Once a lease runs out, the batch may be claimed again; `only` picks one.
    let first = *ids.iter().next().unwrap();
    let again = store
        .claim_invitation_batch(Some(first), NOW + 90_000, NOW + 30_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.id, first);
    // The old holder's lease is gone: it cannot extend it; the new holder can.
    assert!(
        !store
            .extend_invitation_batch_lease(first, NOW + 30_000, NOW + 99_000)
            .await
            .unwrap()
    );
    assert!(
        store
            .extend_invitation_batch_lease(first, NOW + 90_000, NOW + 120_000)
            .await
            .unwrap()
    );
    // The held batch is claimable once its lease ran out, and a done batch never.
    let late = store
        .claim_invitation_batch(Some(held.id), NOW + 200_000, NOW + 60_000)
        .await
        .unwrap();
    assert_eq!(late.map(|b| b.id), Some(held.id));
    store.record_batch_item(held.id, 0, Ok(())).await.unwrap();
    store.finish_invitation_batch(held.id, NOW).await.unwrap();
    assert_eq!(
        store
            .claim_invitation_batch(Some(held.id), i64::MAX, i64::MAX - 1)
            .await
            .unwrap(),
        None
    );
}

pub(crate) async fn invitation_candidates_are_live_uninvited_and_validly_addressed(store: Store) {
    let (a, portal, user_type) = with_portal(&store, "Zylker", "zylker.com").await;
    let ann = contact(&store, &a, "Ann", Some("ann@client.com")).await;
    let _none = contact(&store, &a, "Nobody", None).await;
    let _bad = contact(&store, &a, "Bad", Some("bad!mail@client.com")).await;
    let binned = contact(&store, &a, "Binned", Some("binned@client.com")).await;
    let invited = contact(&store, &a, "Invited", Some("invited@client.com")).await;
    let same_address = contact(&store, &a, "Twin", Some("ADA@client.com")).await;
    let bob = contact(&store, &a, "Bob", Some("bob@other.org")).await;
    let contacts = store.get_module(a.org, "Contacts").await.unwrap();
    store
        .delete_record(a.org, contacts.id, binned, NOW)
        .await
        .unwrap();
    let preferences = Preferences {
        language: "en".into(),
        time_format: TimeFormat::TwentyFourHour,
        time_zone: "UTC".into(),
        country: "GB".into(),
    };
    for (record, email) in [
        (Some(invited), "invited@client.com"),
        (None, "ada@client.com"),
    ] {
        store
            .create_portal_user(
                a.org,
                &NewPortalUser {
                    portal_id: portal,
                    user_type_id: user_type,
                    record_id: record,
                    email: EmailAddress::parse(email).unwrap(),
                    name: "x".into(),
                    status: PortalUserStatus::Invited,
                    preferences: preferences.clone(),
                    invited_by: Some(a.user),
                    password_hash: None,
                },
                NOW,
            )
            .await
            .unwrap();
    }
    let _ = same_address;
    let q = |search: Option<&str>, after: Option<Id>, limit: i64| CandidateQuery {
        module_id: contacts.id,
        owner_id: None,
        search: search.map(str::to_string),
        after,
        limit,
    };
    let first = store
        .invitation_candidates(a.org, portal, &q(None, None, 1))
        .await
        .unwrap();
    assert_eq!(first.items.iter().map(|c| c.id).collect::<Vec<_>>(), [bob]);
    assert_eq!(first.items[0].email, "bob@other.org");
    let second = store
        .invitation_candidates(a.org, portal, &q(None, first.next, 10))
        .await
        .unwrap();
    assert_eq!(second.items.iter().map(|c| c.id).collect::<Vec<_>>(), [ann]);
    assert_eq!(second.items[0].name, "Ann");
    assert_eq!(second.next, None);
    let found = store
        .invitation_candidates(a.org, portal, &q(Some("CLIENT.c"), None, 10))
        .await
        .unwrap();
    assert_eq!(found.items.iter().map(|c| c.id).collect::<Vec<_>>(), [ann]);
    assert_eq!(
        store
            .invitation_candidate_ids(a.org, portal, &q(None, Some(1), 1), 10)
            .await
            .unwrap(),
        [bob, ann]
    );
    assert_eq!(
        store
            .invitation_candidate_ids(a.org, portal, &q(None, None, 1), 1)
            .await
            .unwrap(),
        [bob]
    );
    let others = CandidateQuery {
        owner_id: Some(a.user + 1_000),
        ..q(None, None, 10)
    };
    assert!(
        store
            .invitation_candidates(a.org, portal, &others)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    // Another org asking about this org's portal and module finds nothing.
    let b = tenant(&store, "Other", "other.com").await;
    assert!(
        store
            .invitation_candidate_ids(b.org, portal, &q(None, None, 10), 10)
            .await
            .unwrap()
            .is_empty()
    );
}
