//! Bulk invitations on both backends: every failure reason classified per record; a worker
//! killed mid-batch loses and repeats nothing once another takes over; two workers never run
//! one batch; and the permission rules (a CRM user without the module gets
//! `no_module_permission` per record, without the records `no_record_permission`; another
//! org's portal and batches are not found).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{NOW, object, org};
use portico_app::invitation_batches::{
    BatchProgress, INLINE_MAX, LEASE_MS, RunEnd, Selection, batch, run_claimed, start_batch,
};
use portico_app::invitations::{InviteTo, invite_record};
use portico_app::records::{RecordExtras, create_record, delete_record};
use portico_app::users::NewUserInput;
use portico_app::{AppError, Context, Settings};
use portico_domain::Id;
use portico_domain::access::CrmActor;
use portico_domain::profile::{ModulePermissions, NewProfile, RecordScope};
use portico_domain::record::RecordState;
use portico_store::{MailQuery, PortalUserQuery, Store};
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Runs each named `async fn(String)` with a fresh database URL on both backends.
macro_rules! on_both_urls {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    super::$name(portico_testkit::sqlite_url()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    match portico_testkit::postgres_url().await {
                        Ok(Some(url)) => super::$name(url).await,
                        Ok(None) => {}
                        Err(e) => panic!("{e}"),
                    }
                }
            )*
        }
    };
}

on_both_urls!(
    a_bulk_invitation_classifies_every_record,
    a_filter_selects_every_candidate_across_pages,
    a_killed_worker_loses_and_repeats_nothing,
    two_workers_never_run_one_batch,
    permissions_are_checked_per_record_and_batches_per_org,
);

/// An instance on `url`: its own store handle, its clock at [`NOW`] plus `skew`.
async fn instance(url: &str, skew: &Arc<AtomicI64>) -> Context {
    let store = Store::open(url).unwrap();
    store.migrate(NOW).await.unwrap();
    let skew = Arc::clone(skew);
    Context::new(
        store,
        Settings::default(),
        Arc::new(move || NOW + skew.load(Ordering::Relaxed)),
    )
}

struct World {
    ctx: Context,
    /// The same database, reached directly.
    store: Store,
    admin: CrmActor,
    to: InviteTo,
}

async fn world(url: &str, skew: &Arc<AtomicI64>) -> World {
    let ctx = instance(url, skew).await;
    let admin = org(&ctx, "Zylker", "zylker.com").await;
    let (portal, user_type) = portico_app::portals::create_portal(&ctx, &admin, None)
        .await
        .unwrap();
    World {
        ctx,
        store: Store::open(url).unwrap(),
        admin,
        to: InviteTo {
            portal_id: portal.id,
            user_type_id: user_type.id,
            language: None,
        },
    }
}

async fn contact(w: &World, actor: &CrmActor, name: &str, email: Option<&str>) -> Id {
    contact_in(w, actor, name, email, RecordState::default()).await
}

async fn contact_in(
    w: &World,
    actor: &CrmActor,
    name: &str,
    email: Option<&str>,
    state: RecordState,
) -> Id {
    let mut data = json!({"Last_Name": name});
    if let Some(e) = email {
        data["Email"] = json!(e);
    }
    let extras = RecordExtras {
        state: Some(state),
        ..RecordExtras::default()
    };
    create_record(&w.ctx, actor, "Contacts", &object(data), extras)
        .await
        .unwrap()
        .id
}

fn codes(p: &BatchProgress) -> HashMap<Id, String> {
    p.failed
        .iter()
        .map(|f| (f.record_id, f.code.clone()))
        .collect()
}

/// Portal users, outbox rows and `portal.invite` audit rows of the org.
async fn written(w: &World) -> (Vec<Option<Id>>, usize, usize) {
    let store = &w.store;
    let org = w.admin.user.org_id;
    let users = store
        .list_portal_users(
            org,
            w.to.portal_id,
            &PortalUserQuery {
                status: None,
                user_type_id: None,
                after: None,
                limit: 1_000,
                order: None,
            },
        )
        .await
        .unwrap()
        .items;
    let mail = store
        .list_mail(
            org,
            &MailQuery {
                limit: 500,
                ..MailQuery::default()
            },
        )
        .await
        .unwrap()
        .items;
    let invites = store
        .audit_log(org, 10_000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == "portal.invite")
        .count();
    (
        users.iter().map(|u| u.record_id).collect(),
        mail.len(),
        invites,
    )
}

async fn a_bulk_invitation_classifies_every_record(url: String) {
    let skew = Arc::new(AtomicI64::new(0));
    let w = world(&url, &skew).await;
    let a = &w.admin;
    let ann = contact(&w, a, "Ann", Some("ann@client.com")).await;
    let bob = contact(&w, a, "Bob", Some("Bob@Client.com")).await;
    let no_email = contact(&w, a, "Nomail", None).await;
    let invalid = contact(&w, a, "Bang", Some("bang!@client.com")).await;
    let own = contact(&w, a, "Colleague", Some("it@zylker.com")).await;
    let binned = contact(&w, a, "Binned", Some("binned@client.com")).await;
    delete_record(&w.ctx, a, "Contacts", binned).await.unwrap();
    let locked = RecordState {
        approval_locked: true,
        ..RecordState::default()
    };
    let locked = contact_in(&w, a, "Locked", Some("locked@client.com"), locked).await;
    let review = RecordState {
        in_review: true,
        ..RecordState::default()
    };
    let review = contact_in(&w, a, "Review", Some("review@client.com"), review).await;
    let earlier = contact(&w, a, "Earlier", Some("earlier@client.com")).await;
    invite_record(&w.ctx, a, "Contacts", earlier, &w.to)
        .await
        .unwrap();
    let twin = contact(&w, a, "Twin", Some("ANN@client.com")).await;
    let missing = 999_999;
    let selection = vec![
        ann, bob, no_email, invalid, own, binned, locked, review, earlier, twin, missing, ann,
    ];
    let done = start_batch(&w.ctx, a, &w.to, Selection::Records(selection))
        .await
        .unwrap();
    assert!(done.done(), "a small batch runs at once: {done:?}");
    // The repeated record counts once.
    assert_eq!((done.total, done.sent, done.failed_count), (11, 2, 9));
    let expected: HashMap<Id, String> = [
        (no_email, "no_email"),
        (invalid, "invalid_email"),
        (own, "same_domain"),
        (binned, "in_recycle_bin"),
        (locked, "awaiting_approval"),
        (review, "under_review"),
        (earlier, "already_invited"),
        (twin, "already_invited"),
        (missing, "record_not_found"),
    ]
    .into_iter()
    .map(|(id, c)| (id, c.to_string()))
    .collect();
    assert_eq!(codes(&done), expected);
    // In batch order, each with its record's name (none for a record that does not exist) and
    // the message an administrator acts on.
    let order: Vec<Id> = done.failed.iter().map(|f| f.record_id).collect();
    assert_eq!(
        order,
        [
            no_email, invalid, own, binned, locked, review, earlier, twin, missing
        ]
    );
    assert_eq!(done.failed[0].name.as_deref(), Some("Nomail"));
    assert_eq!(done.failed[0].message, "The record has no email address");
    assert_eq!(done.failed[8].name, None);

    let (users, mail, invites) = written(&w).await;
    let mut users: Vec<Id> = users.into_iter().flatten().collect();
    users.sort_unstable();
    assert_eq!(users, [ann, bob, earlier]);
    assert_eq!((mail, invites), (3, 3));
    // The progress reads the same later, and pages its failures.
    let again = batch(&w.ctx, a, w.to.portal_id, done.batch_id, None, Some(4))
        .await
        .unwrap();
    assert_eq!(again.failed.len(), 4);
    assert_eq!(again.failed_next, Some(5));
    let rest = batch(
        &w.ctx,
        a,
        w.to.portal_id,
        done.batch_id,
        again.failed_next,
        None,
    )
    .await
    .unwrap();
    assert_eq!(rest.failed.len(), 5);

    // Bounds: nothing chosen, or too much.
    let none = start_batch(&w.ctx, a, &w.to, Selection::Records(Vec::new())).await;
    assert!(matches!(none, Err(AppError::Invalid(_))));
    let huge = Selection::Records((1..=50_001).collect());
    let err = start_batch(&w.ctx, a, &w.to, huge).await.unwrap_err();
    assert_eq!(err.field_errors()[0].code, "too_many_records");
    let bad_language = InviteTo {
        language: Some("not a language".into()),
        ..w.to.clone()
    };
    assert!(matches!(
        start_batch(&w.ctx, a, &bad_language, Selection::Records(vec![ann])).await,
        Err(AppError::Invalid(_))
    ));
}

async fn a_filter_selects_every_candidate_across_pages(url: String) {
    let skew = Arc::new(AtomicI64::new(0));
    let w = world(&url, &skew).await;
    let a = &w.admin;
    for i in 0..7 {
        contact(
            &w,
            a,
            &format!("Match {i}"),
            Some(&format!("m{i}@client.com")),
        )
        .await;
    }
    contact(&w, a, "Other", Some("other@client.com")).await;
    contact(&w, a, "Bad match", Some("bad!match@client.com")).await;
    let page = portico_app::invitation_batches::candidates(
        &w.ctx,
        a,
        w.to.portal_id,
        w.to.user_type_id,
        Some("match".into()),
        None,
        Some(3),
    )
    .await
    .unwrap();
    assert_eq!(page.items.len(), 3);
    assert_eq!(page.matching, Some(7));
    assert!(page.next.is_some());
    let done = start_batch(
        &w.ctx,
        a,
        &w.to,
        Selection::Filter {
            search: Some("MATCH".into()),
        },
    )
    .await
    .unwrap();
    assert_eq!((done.total, done.sent, done.failed_count), (7, 7, 0));
    let left = portico_app::invitation_batches::candidates(
        &w.ctx,
        a,
        w.to.portal_id,
        w.to.user_type_id,
        None,
        None,
        None,
    )
    .await
    .unwrap();
    assert_eq!(left.matching, Some(1));
    assert_eq!(left.items[0].email, "other@client.com");
}

/// `n` contacts with valid, distinct addresses.
async fn many(w: &World, n: usize) -> Vec<Id> {
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(
            contact(
                w,
                &w.admin,
                &format!("C{i}"),
                Some(&format!("c{i}@client.com")),
            )
            .await,
        );
    }
    ids
}

async fn a_killed_worker_loses_and_repeats_nothing(url: String) {
    let skew = Arc::new(AtomicI64::new(0));
    let w = world(&url, &skew).await;
    let n = INLINE_MAX + 30;
    let ids = many(&w, n).await;
    let started = start_batch(&w.ctx, &w.admin, &w.to, Selection::Records(ids.clone()))
        .await
        .unwrap();
    assert_eq!((started.state, started.sent), ("running", 0));

    // The first worker does two chunks and "dies": its lease stays.
    let (id, end) = run_claimed(&w.ctx, None, Some(2)).await.unwrap().unwrap();
    assert_eq!((id, end), (started.batch_id, RunEnd::Paused));
    let half = batch(&w.ctx, &w.admin, w.to.portal_id, id, None, None)
        .await
        .unwrap();
    assert!(half.sent > 0 && half.sent < n as i64, "{half:?}");

    // Another instance cannot take it while the lease lasts…
    let other = instance(&url, &skew).await;
    assert_eq!(run_claimed(&other, None, None).await.unwrap(), None);
    // …and takes it, and finishes it, once the lease ran out.
    skew.store(LEASE_MS + 1, Ordering::Relaxed);
    let (again, end) = run_claimed(&other, None, None).await.unwrap().unwrap();
    assert_eq!((again, end), (id, RunEnd::Done));
    let done = batch(&w.ctx, &w.admin, w.to.portal_id, id, None, None)
        .await
        .unwrap();
    assert_eq!(
        (done.state, done.sent, done.failed_count),
        ("done", n as i64, 0)
    );
    let (users, mail, invites) = written(&w).await;
    let distinct: HashSet<Option<Id>> = users.iter().copied().collect();
    assert_eq!((users.len(), distinct.len(), mail, invites), (n, n, n, n));
    // Nothing is left for anyone.
    assert_eq!(run_claimed(&w.ctx, None, None).await.unwrap(), None);
}

async fn two_workers_never_run_one_batch(url: String) {
    let skew = Arc::new(AtomicI64::new(0));
    let w = world(&url, &skew).await;
    let ids = many(&w, 3 * (INLINE_MAX + 1)).await;
    let mut batches = Vec::new();
    for part in ids.chunks(INLINE_MAX + 1) {
        let b = start_batch(&w.ctx, &w.admin, &w.to, Selection::Records(part.to_vec()))
            .await
            .unwrap();
        batches.push(b.batch_id);
    }
    let instances = [
        Arc::new(instance(&url, &skew).await),
        Arc::new(instance(&url, &skew).await),
    ];
    let mut runs = Vec::new();
    for ctx in &instances {
        let ctx = Arc::clone(ctx);
        runs.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while let Some((id, end)) = run_claimed(&ctx, None, None).await.unwrap() {
                assert_eq!(end, RunEnd::Done);
                mine.push(id);
            }
            mine
        }));
    }
    let mut ran = Vec::new();
    for r in runs {
        ran.extend(r.await.unwrap());
    }
    ran.sort_unstable();
    assert_eq!(ran, batches, "each batch was run by exactly one worker");
    let (users, mail, invites) = written(&w).await;
    let n = ids.len();
    assert_eq!((users.len(), mail, invites), (n, n, n));
}

/// A CRM user with a profile of `permissions` and scope `scope`.
async fn crm_user(
    w: &World,
    email: &str,
    scope: RecordScope,
    permissions: BTreeMap<String, ModulePermissions>,
) -> CrmActor {
    let profile = portico_app::users::create_profile(
        &w.ctx,
        &w.admin,
        NewProfile {
            name: format!("Profile {email}"),
            scope,
            permissions,
        },
    )
    .await
    .unwrap();
    let user = portico_app::users::create_user(
        &w.ctx,
        &w.admin,
        NewUserInput {
            email: email.into(),
            name: email.into(),
            password: "a-long-enough-password".into(),
            profile_id: profile.id,
            super_admin: false,
        },
    )
    .await
    .unwrap();
    portico_app::sign_in::actor(&w.ctx, w.admin.user.org_id, user.id)
        .await
        .unwrap()
}

async fn permissions_are_checked_per_record_and_batches_per_org(url: String) {
    let skew = Arc::new(AtomicI64::new(0));
    let w = world(&url, &skew).await;
    let a = &w.admin;
    let ann = contact(&w, a, "Ann", Some("ann@client.com")).await;
    let bob = contact(&w, a, "Bob", Some("bob@client.com")).await;

    // Without the Contacts module: every record fails alike, existing or not.
    let outsider = crm_user(&w, "deals@zylker.com", RecordScope::All, BTreeMap::new()).await;
    let done = start_batch(
        &w.ctx,
        &outsider,
        &w.to,
        Selection::Records(vec![ann, 999_999]),
    )
    .await
    .unwrap();
    assert_eq!(done.sent, 0);
    assert!(
        done.failed.iter().all(|f| f.code == "no_module_permission"),
        "{done:?}"
    );
    assert_eq!(done.failed.len(), 2);
    // A filter on a module they may not invite from is refused whole.
    let filter = Selection::Filter { search: None };
    assert!(matches!(
        start_batch(&w.ctx, &outsider, &w.to, filter.clone()).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        portico_app::invitation_batches::candidates(
            &w.ctx,
            &outsider,
            w.to.portal_id,
            w.to.user_type_id,
            None,
            None,
            None
        )
        .await,
        Err(AppError::Forbidden(_))
    ));

    // With the module but only their own records: the admin's records are not theirs.
    let contacts = BTreeMap::from([("Contacts".to_string(), ModulePermissions::ALL)]);
    let rep = crm_user(&w, "rep@zylker.com", RecordScope::Own, contacts).await;
    let mine = contact(&w, &rep, "Mine", Some("mine@client.com")).await;
    let page = portico_app::invitation_batches::candidates(
        &w.ctx,
        &rep,
        w.to.portal_id,
        w.to.user_type_id,
        None,
        None,
        None,
    )
    .await
    .unwrap();
    assert_eq!(page.items.iter().map(|c| c.id).collect::<Vec<_>>(), [mine]);
    let done = start_batch(&w.ctx, &rep, &w.to, Selection::Records(vec![bob, mine]))
        .await
        .unwrap();
    assert_eq!(done.sent, 1);
    assert_eq!(
        codes(&done),
        HashMap::from([(bob, "no_record_permission".to_string())])
    );

    // Someone else's batch: not found for another non-administrator, readable by the admin.
    assert!(matches!(
        batch(&w.ctx, &outsider, w.to.portal_id, done.batch_id, None, None).await,
        Err(AppError::NotFound)
    ));
    batch(&w.ctx, a, w.to.portal_id, done.batch_id, None, None)
        .await
        .unwrap();

    // Another org: its admin finds neither this portal nor this batch.
    let rival = org(&w.ctx, "Rival", "rival.com").await;
    assert!(matches!(
        start_batch(&w.ctx, &rival, &w.to, Selection::Records(vec![ann])).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        batch(&w.ctx, &rival, w.to.portal_id, done.batch_id, None, None).await,
        Err(AppError::NotFound)
    ));
}
