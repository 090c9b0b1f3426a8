//! The outbox on both backends: messages commit or roll back with the transaction that wrote
//! them; the mail log pages newest first; workers' claims are exclusive, leased, counted and
//! checked when their outcome is written; failures back off and end; and many workers on one
//! database — each with its own store handle, as separate instances would be — take every
//! message exactly once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use portico_domain::email::EmailAddress;
use portico_domain::org::{OrgSettings, TimeFormat};
use portico_domain::outbox::{DeliveryRule, MailKind, MailState, NewMail};
use portico_domain::standard::{default_profiles, standard_modules};
use portico_store::{MailQuery, NewOrg, NewOrgAdmin, Store, StoreError};
use serde_json::json;
use std::collections::BTreeMap;

const NOW: i64 = 1_700_000_000_000;

portico_testkit::on_both_databases!(
    an_enqueued_mail_commits_or_rolls_back_with_its_transaction,
    the_mail_log_pages_newest_first_and_filters_by_state,
    claims_are_leased_counted_and_checked,
    failures_back_off_then_fail_for_good,
    many_workers_take_every_mail_exactly_once,
);

async fn open(url: &str) -> Store {
    let store = Store::open(url).unwrap();
    store.migrate(NOW).await.unwrap();
    store
}

/// A new org; answers its id.
async fn org(store: &Store, domain: &str) -> i64 {
    let modules = standard_modules();
    let created = store
        .create_org(
            &NewOrg {
                settings: OrgSettings {
                    name: domain.into(),
                    email_domain: domain.into(),
                    language: "en".into(),
                    time_format: TimeFormat::TwentyFourHour,
                    time_zone: "UTC".into(),
                    country: "GB".into(),
                    gdpr_consent_required: false,
                },
                profiles: default_profiles(&modules),
                modules,
                admin: Some(NewOrgAdmin {
                    email: EmailAddress::parse(&format!("admin@{domain}")).unwrap(),
                    name: "Admin".into(),
                    password_hash: "h".into(),
                }),
            },
            NOW,
        )
        .await
        .unwrap();
    created.org.id
}

fn mail(to: &str, subject: &str) -> NewMail {
    NewMail::new(
        MailKind::Test,
        to,
        "en",
        subject,
        "Hello in text",
        "<p>Hello in <b>HTML</b></p>",
    )
    .unwrap()
}

fn mid(n: impl std::fmt::Display) -> String {
    format!("<m{n}@crm.example>")
}

const RULE: DeliveryRule = DeliveryRule {
    lease_ms: 10_000,
    first_retry_ms: 1_000,
    max_retry_ms: 4_000,
    max_attempts: 4,
};

async fn an_enqueued_mail_commits_or_rolls_back_with_its_transaction(url: String) {
    let store = open(&url).await;
    let org = org(&store, "zylker.com").await;
    {
        let mut tx = store.transaction().await.unwrap();
        tx.record_audit(org, "admin@zylker.com", "mail.test", &json!({}), NOW)
            .await
            .unwrap();
        tx.enqueue_mail(org, &mail("a@x.example", "Dropped"), &mid(1), NOW)
            .await
            .unwrap();
        // Dropped without commit: neither the audit row nor the message.
    }
    let q = MailQuery {
        limit: 50,
        ..MailQuery::default()
    };
    assert!(store.list_mail(org, &q).await.unwrap().items.is_empty());
    assert!(store.audit_log(org, 10).await.unwrap().is_empty());
    assert!(store.claim_mail(&RULE, NOW, 10).await.unwrap().is_empty());

    let mut tx = store.transaction().await.unwrap();
    tx.record_audit(org, "admin@zylker.com", "mail.test", &json!({}), NOW)
        .await
        .unwrap();
    let kept = tx
        .enqueue_mail(org, &mail("a@x.example", "Kept"), &mid(2), NOW)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let listed = store.list_mail(org, &q).await.unwrap().items;
    assert_eq!(listed, std::slice::from_ref(&kept.summary));
    assert_eq!(store.audit_log(org, 10).await.unwrap().len(), 1);
    let s = &kept.summary;
    assert_eq!(
        (s.state, s.attempts, s.next_attempt_at, s.sent_at),
        (MailState::Pending, 0, NOW, None)
    );
    assert_eq!(
        (
            s.kind,
            s.recipient.as_str(),
            s.subject.as_str(),
            s.message_id.as_str()
        ),
        (MailKind::Test, "a@x.example", "Kept", "<m2@crm.example>")
    );

    // A message for an org that does not exist, or with a malformed Message-ID, is refused.
    assert!(matches!(
        store
            .enqueue_mail(org + 1000, &mail("a@x.example", "S"), &mid(3), NOW)
            .await,
        Err(StoreError::NotFound)
    ));
    for bad in [
        "m4@crm.example",
        "<m 4@crm.example>",
        "<m4@crm.example>\r\n",
    ] {
        assert!(matches!(
            store
                .enqueue_mail(org, &mail("a@x.example", "S"), bad, NOW)
                .await,
            Err(StoreError::Invalid(_))
        ));
    }
}

async fn the_mail_log_pages_newest_first_and_filters_by_state(url: String) {
    let store = open(&url).await;
    let org = org(&store, "zylker.com").await;
    let other = org_other(&store).await;
    let mut ids = Vec::new();
    for i in 0..7 {
        let m = store
            .enqueue_mail(
                org,
                &mail("a@x.example", &format!("No {i}")),
                &mid(i),
                NOW + i,
            )
            .await
            .unwrap();
        ids.push(m.summary.id);
    }
    store
        .enqueue_mail(
            other,
            &mail("b@y.example", "Other org"),
            &mid("o"),
            NOW + 50,
        )
        .await
        .unwrap();
    ids.reverse();
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .list_mail(
                org,
                &MailQuery {
                    after,
                    limit: 3,
                    state: None,
                },
            )
            .await
            .unwrap();
        seen.extend(page.items.iter().map(|m| m.id));
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    assert_eq!(seen, ids, "every message once, newest first");

    // Claim two (the oldest due, the other org's is due later), send one: the state filter
    // sees each where it is.
    let claimed = store.claim_mail(&RULE, NOW + 100, 2).await.unwrap();
    assert_eq!(
        claimed.iter().map(|m| m.summary.id).collect::<Vec<_>>(),
        [ids[6], ids[5]]
    );
    assert!(store.mark_mail_sent(ids[6], 1, NOW + 200).await.unwrap());
    let by_state = |state| {
        let store = &store;
        async move {
            store
                .list_mail(
                    org,
                    &MailQuery {
                        state: Some(state),
                        after: None,
                        limit: 50,
                    },
                )
                .await
                .unwrap()
                .items
                .iter()
                .map(|m| m.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(by_state(MailState::Sent).await, [ids[6]]);
    assert_eq!(by_state(MailState::Sending).await, [ids[5]]);
    assert_eq!(by_state(MailState::Pending).await, ids[..5]);
    assert!(by_state(MailState::Failed).await.is_empty());
    let sent = store.get_mail(org, ids[6]).await.unwrap();
    assert_eq!(
        (sent.summary.state, sent.summary.sent_at, sent.text.as_str()),
        (MailState::Sent, Some(NOW + 200), "Hello in text")
    );
    assert_eq!(sent.html, "<p>Hello in <b>HTML</b></p>");
    assert!(matches!(
        store.get_mail(other, ids[6]).await,
        Err(StoreError::NotFound)
    ));
}

async fn org_other(store: &Store) -> i64 {
    org(store, "other.example").await
}

async fn claims_are_leased_counted_and_checked(url: String) {
    let store = open(&url).await;
    let org = org(&store, "zylker.com").await;
    let a = store
        .enqueue_mail(org, &mail("a@x.example", "A"), &mid("a"), NOW)
        .await
        .unwrap();
    let later = store
        .enqueue_mail(org, &mail("b@x.example", "Later"), &mid("b"), NOW + 5_000)
        .await
        .unwrap();
    // Only what is due: the later message waits for its time.
    let first = store.claim_mail(&RULE, NOW, 10).await.unwrap();
    assert_eq!(first.len(), 1);
    let claim = &first[0].summary;
    assert_eq!(
        (claim.id, claim.state, claim.attempts, claim.next_attempt_at),
        (a.summary.id, MailState::Sending, 1, NOW + RULE.lease_ms)
    );
    assert_eq!(first[0].text, "Hello in text", "a claim carries the bodies");
    // While leased, nobody else takes it.
    let second = store.claim_mail(&RULE, NOW + 5_000, 10).await.unwrap();
    assert_eq!(
        second.iter().map(|m| m.summary.id).collect::<Vec<_>>(),
        [later.summary.id]
    );
    // The worker holding A dies; its lease runs out and A is claimed again, as attempt 2.
    let again = store
        .claim_mail(&RULE, NOW + RULE.lease_ms, 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(
        (again[0].summary.id, again[0].summary.attempts),
        (a.summary.id, 2)
    );
    // The first worker's late outcome no longer counts; the current claim's does.
    assert!(!store.mark_mail_sent(a.summary.id, 1, NOW).await.unwrap());
    assert_eq!(
        store
            .mark_mail_failed(a.summary.id, 1, "late", false, &RULE, NOW)
            .await
            .unwrap(),
        None
    );
    assert!(
        store
            .mark_mail_sent(a.summary.id, 2, NOW + RULE.lease_ms + 1)
            .await
            .unwrap()
    );
    assert!(
        !store
            .mark_mail_sent(a.summary.id, 2, NOW + RULE.lease_ms + 2)
            .await
            .unwrap(),
        "sent once"
    );
    let sent = store.get_mail(org, a.summary.id).await.unwrap().summary;
    assert_eq!(
        (sent.state, sent.attempts, sent.sent_at, sent.message_id),
        (
            MailState::Sent,
            2,
            Some(NOW + RULE.lease_ms + 1),
            a.summary.message_id.clone()
        ),
        "the Message-ID made at enqueue stays"
    );
    // A sent message is never due again.
    assert!(
        store
            .claim_mail(&RULE, NOW + 1_000_000, 10)
            .await
            .unwrap()
            .iter()
            .all(|m| m.summary.id != a.summary.id)
    );
}

async fn failures_back_off_then_fail_for_good(url: String) {
    let store = open(&url).await;
    let org = org(&store, "zylker.com").await;
    let m = store
        .enqueue_mail(org, &mail("a@x.example", "Retry"), &mid("r"), NOW)
        .await
        .unwrap();
    let id = m.summary.id;
    let mut now = NOW;
    let mut waits = Vec::new();
    for attempt in 1..=RULE.max_attempts {
        let claimed = store.claim_mail(&RULE, now, 10).await.unwrap();
        assert_eq!(claimed.len(), 1, "attempt {attempt} is due at {now}");
        assert_eq!(claimed[0].summary.attempts, attempt);
        let error = format!("421 try later ({attempt})\r\n{}", "x".repeat(3000));
        let state = store
            .mark_mail_failed(id, attempt, &error, false, &RULE, now)
            .await
            .unwrap();
        let stored = store.get_mail(org, id).await.unwrap().summary;
        let last = stored.last_error.clone().unwrap();
        assert!(last.starts_with(&format!("421 try later ({attempt}) ")));
        assert_eq!(last.chars().count(), 1000, "the error is bounded");
        if attempt < RULE.max_attempts {
            assert_eq!(state, Some(MailState::Pending));
            waits.push(stored.next_attempt_at - now);
            // Not due a millisecond early.
            assert!(
                store
                    .claim_mail(&RULE, stored.next_attempt_at - 1, 10)
                    .await
                    .unwrap()
                    .is_empty()
            );
            now = stored.next_attempt_at;
        } else {
            assert_eq!(state, Some(MailState::Failed));
            assert_eq!(stored.state, MailState::Failed);
        }
    }
    assert_eq!(waits, [1_000, 2_000, 4_000], "doubling up to the cap");
    assert!(
        store
            .claim_mail(&RULE, now + 1_000_000, 10)
            .await
            .unwrap()
            .is_empty(),
        "a failed message is never due again"
    );

    // A permanent refusal fails at once.
    let p = store
        .enqueue_mail(org, &mail("nobody@x.example", "Refused"), &mid("p"), now)
        .await
        .unwrap();
    store.claim_mail(&RULE, now, 10).await.unwrap();
    assert_eq!(
        store
            .mark_mail_failed(p.summary.id, 1, "550 no such user", true, &RULE, now)
            .await
            .unwrap(),
        Some(MailState::Failed)
    );

    // A worker that dies during the last attempt: when the lease ends the message fails,
    // with the reason, rather than being sent a fifth time.
    let d = store
        .enqueue_mail(org, &mail("a@x.example", "Dies"), &mid("d"), now)
        .await
        .unwrap();
    let mut t = now;
    for attempt in 1..RULE.max_attempts {
        store.claim_mail(&RULE, t, 10).await.unwrap();
        store
            .mark_mail_failed(d.summary.id, attempt, "421", false, &RULE, t)
            .await
            .unwrap();
        t = store
            .get_mail(org, d.summary.id)
            .await
            .unwrap()
            .summary
            .next_attempt_at;
    }
    let last = store.claim_mail(&RULE, t, 10).await.unwrap();
    assert_eq!(last[0].summary.attempts, RULE.max_attempts);
    assert!(
        store
            .claim_mail(&RULE, t + RULE.lease_ms, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let dead = store.get_mail(org, d.summary.id).await.unwrap().summary;
    assert_eq!(dead.state, MailState::Failed);
    assert!(dead.last_error.unwrap().contains("interrupted"));
}

/// 200 messages, 8 workers with a store handle each (separate pools on PostgreSQL, as separate
/// instances have), claiming small batches at once until nothing is left: every message is
/// claimed by exactly one of them.
async fn many_workers_take_every_mail_exactly_once(url: String) {
    let store = open(&url).await;
    let org = org(&store, "zylker.com").await;
    let mut tx = store.transaction().await.unwrap();
    for i in 0..200 {
        tx.enqueue_mail(org, &mail("a@x.example", &format!("No {i}")), &mid(i), NOW)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let mut workers = Vec::new();
    for _ in 0..8 {
        let store = Store::open(&url).unwrap();
        workers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let batch = store.claim_mail(&RULE, NOW, 7).await.unwrap();
                if batch.is_empty() {
                    break mine;
                }
                for m in batch {
                    // Sending takes a while: the other workers claim meanwhile.
                    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                    assert!(
                        store
                            .mark_mail_sent(m.summary.id, m.summary.attempts, NOW)
                            .await
                            .unwrap()
                    );
                    mine.push(m.summary.id);
                }
            }
        }));
    }
    let mut times: BTreeMap<i64, usize> = BTreeMap::new();
    let mut busy = 0;
    for w in workers {
        let mine = w.await.unwrap();
        busy += usize::from(!mine.is_empty());
        for id in mine {
            *times.entry(id).or_default() += 1;
        }
    }
    assert_eq!(times.len(), 200, "every message was claimed");
    assert!(times.values().all(|n| *n == 1), "none twice: {times:?}");
    assert!(busy >= 2, "the workers shared the work ({busy} took some)");
    let sent = store
        .list_mail(
            org,
            &MailQuery {
                state: Some(MailState::Sent),
                after: None,
                limit: 500,
            },
        )
        .await
        .unwrap();
    assert_eq!(sent.items.len(), 200);
}
