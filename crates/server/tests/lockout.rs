//! The sign-in lockout is shared by every instance on one database: two app instances (two
//! `portico serve` behind a load balancer) count failures for the same email together, a lock
//! taken on one refuses the right password on the other at once, and a success on either
//! clears the count for both. A database failure while counting is a 500, never a pass.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use portico_auth::token_hash;
use reqwest::StatusCode;
use support::{ADMIN, Backend, REP, TestApp, spawn};

on_both_backends!(the_lockout_is_shared_by_every_instance);

/// Posts the admin sign-in form on this instance (its CSRF check is a double-submit cookie:
/// any value sent both as the `portico_login` cookie and as `_csrf` passes); answers the status
/// and the page.
async fn form_sign_in(app: &TestApp, email: &str, password: &str) -> (StatusCode, String) {
    let csrf = "c".repeat(64);
    let r = app
        .client
        .post(format!("{}/admin/login", app.base))
        .header("cookie", format!("portico_login={csrf}"))
        .form(&[("email", email), ("password", password), ("_csrf", &csrf)])
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

/// The stored count of this email's failures, by the hash of its key.
async fn failures(app: &TestApp, email: &str) -> Option<i64> {
    app.store
        .get_sign_in_failures(&token_hash(email))
        .await
        .unwrap()
        .map(|c| c.failures)
}

async fn the_lockout_is_shared_by_every_instance(a: TestApp) {
    let b = a.second_instance().await;
    let (email, password) = REP;
    let expect = |r: &support::Reply, status: StatusCode, what: &str| {
        assert_eq!(r.status, status, "{what}: {:?}", r.body);
    };

    // Five wrong passwords on A, then a sixth: A answers 429.
    for i in 0..5 {
        let r = a.api_sign_in(email, "wrong password").await;
        expect(&r, StatusCode::UNAUTHORIZED, &format!("guess {i} on A"));
    }
    let sixth = a.api_sign_in(email, "wrong password").await;
    assert_eq!(
        (sixth.status, sixth.code()),
        (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts")
    );
    // B refuses the right password at once, through the API and the admin form alike.
    let on_b = b.api_sign_in(email, password).await;
    assert_eq!(
        (on_b.status, on_b.code()),
        (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"),
        "instance B must see A's lock"
    );
    let (status, page) = form_sign_in(&b, email, password).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.contains("Too many failed attempts"), "{page}");
    // Another account is not affected; the row is kept under a hash, not the email.
    expect(
        &b.api_sign_in(ADMIN.0, ADMIN.1).await,
        StatusCode::CREATED,
        "another account",
    );
    assert_eq!(a.store.count_sign_in_failure_keys().await.unwrap(), 1);
    assert!(failures(&a, email).await.is_some());

    // The lock ends for both after fifteen minutes; a success on B clears the count.
    a.advance(16 * 60 * 1000);
    expect(
        &b.api_sign_in(email, password).await,
        StatusCode::CREATED,
        "after the lock",
    );
    assert_eq!(
        failures(&a, email).await,
        None,
        "a success clears the count"
    );

    // Failures on A and B add up...
    for i in 0..4 {
        let on = if i % 2 == 0 { &a } else { &b };
        let r = on.api_sign_in(email, "wrong password").await;
        expect(&r, StatusCode::UNAUTHORIZED, &format!("mixed guess {i}"));
    }
    assert_eq!(failures(&b, email).await, Some(4));
    // ...and a success on one clears them for both: four more guesses are not locked out.
    let (status, _) = form_sign_in(&a, email, password).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "the admin form signs in on A"
    );
    for i in 0..4 {
        let on = if i % 2 == 0 { &b } else { &a };
        let r = on.api_sign_in(email, "wrong password").await;
        expect(
            &r,
            StatusCode::UNAUTHORIZED,
            &format!("guess {i} after success"),
        );
    }
    let fifth = b.api_sign_in(email, "wrong password").await;
    expect(
        &fifth,
        StatusCode::UNAUTHORIZED,
        "the fifth guess is checked",
    );
    let locked = a.api_sign_in(email, password).await;
    expect(
        &locked,
        StatusCode::TOO_MANY_REQUESTS,
        "the sixth attempt waits",
    );
}

/// PostgreSQL only: the failure table goes away under a running app. A sign-in with the right
/// password answers 500 with a request id — the lockout is never skipped — while an email no
/// account could have is still refused before the database is asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_of_the_lockout_table_is_a_500_never_a_pass() {
    let Some(app) = spawn(Backend::Postgres).await else {
        return;
    };
    let (client, connection) = tokio_postgres::connect(&app.database_url, tokio_postgres::NoTls)
        .await
        .unwrap();
    let task = tokio::spawn(connection);
    client
        .batch_execute("ALTER TABLE sign_in_failures RENAME TO sign_in_failures_away")
        .await
        .unwrap();

    let r = app.api_sign_in(ADMIN.0, ADMIN.1).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        "{:?}",
        r.body
    );
    let id = r.body["error"]["request_id"].as_str().unwrap();
    assert!(!id.is_empty() && id != "none");
    assert_eq!(r.headers["x-request-id"], id);
    let (status, page) = form_sign_in(&app, ADMIN.0, ADMIN.1).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        !page.contains("sign_in_failures"),
        "no database detail leaks"
    );
    let long = format!("{}@northwind.example", "x".repeat(300));
    assert_eq!(
        app.api_sign_in(&long, "x").await.status,
        StatusCode::UNAUTHORIZED,
        "refused before the database"
    );

    client
        .batch_execute("ALTER TABLE sign_in_failures_away RENAME TO sign_in_failures")
        .await
        .unwrap();
    assert_eq!(
        app.api_sign_in(ADMIN.0, ADMIN.1).await.status,
        StatusCode::CREATED
    );
    task.abort();
}
