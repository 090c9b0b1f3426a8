//! Sign-in failure counts on both backends: counted within the window, locked, expired and
//! swept, cleared; exact under concurrent attempts (one row lock per key); capped against a
//! spray of distinct keys.

use super::NOW;
use portico_domain::lockout::{Attempt, FailureCount, LockoutRule};
use portico_store::Store;
use std::sync::Arc;

/// Three failures in a second lock for five seconds; at most 50 keys.
const RULE: LockoutRule = LockoutRule {
    max_failures: 3,
    window_ms: 1_000,
    lockout_ms: 5_000,
    max_keys: 50,
};

fn counted(a: Attempt) -> FailureCount {
    match a {
        Attempt::Counted(c) => c,
        Attempt::Locked { until } => panic!("locked until {until}"),
    }
}

pub async fn sign_in_failures_count_lock_expire_and_clear(store: Store) {
    let (key, other) = ("a".repeat(64), "b".repeat(64));
    assert_eq!(store.get_sign_in_failures(&key).await.unwrap(), None);
    let first = counted(
        store
            .record_sign_in_failure(&key, &RULE, NOW)
            .await
            .unwrap(),
    );
    assert_eq!(
        first,
        FailureCount {
            failures: 1,
            first_failure_at: NOW,
            locked_until: 0
        }
    );
    assert_eq!(store.get_sign_in_failures(&key).await.unwrap(), Some(first));
    counted(
        store
            .record_sign_in_failure(&key, &RULE, NOW + 10)
            .await
            .unwrap(),
    );
    let locking = counted(
        store
            .record_sign_in_failure(&key, &RULE, NOW + 20)
            .await
            .unwrap(),
    );
    assert_eq!(locking.locked_until, NOW + 5_020, "the third failure locks");
    let until = NOW + 5_020;
    for now in [NOW + 21, NOW + 5_019] {
        assert_eq!(
            store
                .record_sign_in_failure(&key, &RULE, now)
                .await
                .unwrap(),
            Attempt::Locked { until }
        );
    }
    assert_eq!(
        store.get_sign_in_failures(&key).await.unwrap(),
        Some(locking),
        "a refused attempt changes nothing"
    );

    // Another key is another count; failures further apart than the window do not add up.
    counted(
        store
            .record_sign_in_failure(&other, &RULE, NOW)
            .await
            .unwrap(),
    );
    let later = counted(
        store
            .record_sign_in_failure(&other, &RULE, NOW + 1_000)
            .await
            .unwrap(),
    );
    assert_eq!((later.failures, later.first_failure_at), (1, NOW + 1_000));
    assert_eq!(store.count_sign_in_failure_keys().await.unwrap(), 2);

    // The sweep deletes only counts that no longer matter: `other` at the end of its window,
    // `key` at the end of its lock.
    assert_eq!(
        store
            .delete_expired_sign_in_failures(NOW + 1_999)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .delete_expired_sign_in_failures(NOW + 2_000)
            .await
            .unwrap(),
        1
    );
    assert_eq!(store.get_sign_in_failures(&other).await.unwrap(), None);
    assert!(store.get_sign_in_failures(&key).await.unwrap().is_some());
    assert_eq!(
        store
            .delete_expired_sign_in_failures(NOW + 5_020)
            .await
            .unwrap(),
        1
    );
    assert_eq!(store.count_sign_in_failure_keys().await.unwrap(), 0);

    // Once unlocked, failures count from one again; a success clears the key.
    let again = counted(
        store
            .record_sign_in_failure(&key, &RULE, NOW + 6_000)
            .await
            .unwrap(),
    );
    assert_eq!(again.failures, 1);
    store.clear_sign_in_failures(&key).await.unwrap();
    assert_eq!(store.get_sign_in_failures(&key).await.unwrap(), None);
    store.clear_sign_in_failures(&key).await.unwrap();
}

/// Twenty attempts at once on one new key: each is counted once, and exactly `max_failures`
/// of them are counted before the lock refuses the rest — on PostgreSQL, with a pool of
/// connections, as on SQLite.
pub async fn concurrent_sign_in_failures_are_counted_exactly(store: Store) {
    let store = Arc::new(store);
    let attempts = |key: &'static str, rule: LockoutRule| {
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let store = Arc::clone(&store);
                tokio::spawn(async move { store.record_sign_in_failure(key, &rule, NOW).await })
            })
            .collect();
        async move {
            let mut out = Vec::new();
            for t in tasks {
                out.push(t.await.unwrap().unwrap());
            }
            out
        }
    };
    let many = LockoutRule {
        max_failures: 1_000,
        ..RULE
    };
    let all = attempts("all-counted", many).await;
    let mut seen: Vec<i64> = all.into_iter().map(|a| counted(a).failures).collect();
    seen.sort_unstable();
    assert_eq!(seen, (1..=20).collect::<Vec<_>>(), "no count was lost");
    assert_eq!(
        store
            .get_sign_in_failures("all-counted")
            .await
            .unwrap()
            .map(|c| c.failures),
        Some(20)
    );

    let five = LockoutRule {
        max_failures: 5,
        ..RULE
    };
    let out = attempts("guessed", five).await;
    let let_through = out
        .iter()
        .filter(|a| matches!(a, Attempt::Counted(_)))
        .count();
    assert_eq!(let_through, 5, "only five attempts reach a password check");
    assert_eq!(
        out.iter()
            .filter(|a| matches!(a, Attempt::Locked { .. }))
            .count(),
        15
    );
}

/// A spray of distinct keys never holds more than `max_keys` rows: the oldest unlocked keys go
/// first, a locked key outlives them, and the newest key is kept.
pub async fn the_sign_in_failure_table_is_capped(store: Store) {
    for _ in 0..3 {
        store
            .record_sign_in_failure("victim", &RULE, NOW)
            .await
            .unwrap();
    }
    let spray = |i: i64| format!("spray-{i:04}");
    for i in 0..300 {
        // All within the window: nothing expires on its own.
        store
            .record_sign_in_failure(&spray(i), &RULE, NOW + 1 + i)
            .await
            .unwrap();
        let rows = store.count_sign_in_failure_keys().await.unwrap();
        assert!(rows <= RULE.max_keys, "{rows} rows after {i}");
    }
    assert!(store.count_sign_in_failure_keys().await.unwrap() >= 45);
    assert!(
        store
            .get_sign_in_failures("victim")
            .await
            .unwrap()
            .is_some_and(|c| c.locked_until > NOW + 300),
        "a locked key outlives unlocked ones"
    );
    assert!(
        store
            .get_sign_in_failures(&spray(299))
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(store.get_sign_in_failures(&spray(0)).await.unwrap(), None);
}
