//! The sign-in lockout through `check_credentials`, on both backends: parallel guesses reach the
//! password check at most `max_failures` times, a locked key refuses even the right password,
//! a success clears the count, and an email no account could have leaves no count.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use portico_app::sign_in::check_credentials;
use portico_app::{AppError, Context};
use std::sync::Arc;

on_both!(
    parallel_guesses_reach_the_password_check_at_most_five_times,
    a_success_clears_the_count,
);

const DOMAIN: &str = "lockout.example";
const PASSWORD: &str = "fixture-admin-password";

fn admin() -> String {
    format!("admin@{DOMAIN}")
}

async fn parallel_guesses_reach_the_password_check_at_most_five_times(ctx: Context) {
    common::org(&ctx, "Lockout Co", DOMAIN).await;
    let ctx = Arc::new(ctx);
    let guesses: Vec<_> = (0..20)
        .map(|i| {
            let ctx = Arc::clone(&ctx);
            tokio::spawn(async move {
                check_credentials(&ctx, &admin(), &format!("wrong guess {i}"), None).await
            })
        })
        .collect();
    let (mut checked, mut refused) = (0, 0);
    for g in guesses {
        match g.await.unwrap() {
            // A wrong password: this guess reached the password check.
            Err(AppError::Invalid(_)) => checked += 1,
            Err(AppError::TooManyAttempts) => refused += 1,
            other => panic!("unexpected answer {other:?}"),
        }
    }
    assert_eq!((checked, refused), (5, 15), "only five guesses are checked");
    assert!(
        matches!(
            check_credentials(&ctx, &admin(), PASSWORD, None).await,
            Err(AppError::TooManyAttempts)
        ),
        "a locked key refuses even the right password"
    );
}

async fn a_success_clears_the_count(ctx: Context) {
    common::org(&ctx, "Lockout Co", DOMAIN).await;
    for _ in 0..4 {
        let r = check_credentials(&ctx, &admin(), "wrong password", None).await;
        assert!(matches!(r, Err(AppError::Invalid(_))), "{r:?}");
    }
    // The same key however the email is written: trimmed and lower-cased.
    let users = check_credentials(&ctx, &format!("  ADMIN@{DOMAIN} "), PASSWORD, None)
        .await
        .unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].email.as_str(), admin());
    for _ in 0..4 {
        let r = check_credentials(&ctx, &admin(), "wrong password", None).await;
        assert!(
            matches!(r, Err(AppError::Invalid(_))),
            "the count started again: {r:?}"
        );
    }
    assert!(
        check_credentials(&ctx, &admin(), PASSWORD, None)
            .await
            .is_ok()
    );
}
