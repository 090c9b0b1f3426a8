//! Inputs are bounded before they are used: sign-in emails and the failure counts, NUL and
//! control characters refused at parse time on both backends (never a 500), bodies over a
//! route's limit answered 413, and `/api/*` on a portal host answered as the API would.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use portico_testkit::fixtures::PORTAL_SLUG;
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};
use support::{ADMIN, TestApp};

on_both_backends!(
    long_sign_in_emails_are_refused_at_once_and_leave_no_trace,
    nul_is_refused_everywhere_and_never_answers_500,
    oversized_bodies_answer_413,
);

/// A raw POST, whatever the body, on a connection of its own; answers the status, content type
/// and text.
async fn post_raw(app: &TestApp, path: &str, content_type: &str, body: Vec<u8>) -> Raw {
    let r = app
        .client
        .post(format!("{}{path}", app.base))
        .header("content-type", content_type)
        // The server closes a connection whose body it refused unread: do not reuse it.
        .header("connection", "close")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let content_type = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    Raw {
        status,
        content_type,
        text: r.text().await.unwrap(),
    }
}

struct Raw {
    status: StatusCode,
    content_type: String,
    text: String,
}

async fn long_sign_in_emails_are_refused_at_once_and_leave_no_trace(app: TestApp) {
    let keys_before = app.store.count_sign_in_failure_keys().await.unwrap();
    let started = Instant::now();
    for i in 0..40 {
        // 200 KB: over the sign-in routes' body limit, refused before it is read.
        let email = format!("{i}{}@northwind.example", "a".repeat(200 * 1024));
        let body = serde_json::to_vec(&json!({"email": email, "password": "x"})).unwrap();
        let r = post_raw(&app, "/api/v1/auth/token", "application/json", body).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text);
        assert!(r.content_type.starts_with("application/json"));
        assert!(r.text.contains("payload_too_large"), "{}", r.text);

        // Within the body limit but longer than any address: the answer of a wrong password,
        // without a failure count, a lookup or a hash.
        let email = format!("{i}{}@northwind.example", "b".repeat(1_000));
        let r = app.api_sign_in(&email, "x").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);
    }
    assert_eq!(
        app.store.count_sign_in_failure_keys().await.unwrap(),
        keys_before,
        "long emails became failure counts"
    );
    // 80 refusals without a single password hash: far below 80 Argon2 verifications.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "refusals took {:?}",
        started.elapsed()
    );

    // The admin sign-in form has the same limit, answered with a page.
    let form = format!("email={}&password=x&_csrf=x", "a".repeat(200 * 1024));
    let r = post_raw(
        &app,
        "/admin/login",
        "application/x-www-form-urlencoded",
        form.into_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        r.content_type.starts_with("text/html"),
        "{}",
        r.content_type
    );

    // An ordinary wrong password still counts, and the right one still works.
    let r = app.api_sign_in(ADMIN.0, "wrong").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.store.count_sign_in_failure_keys().await.unwrap(),
        keys_before + 1
    );
    app.token(ADMIN).await;
}

async fn nul_is_refused_everywhere_and_never_answers_500(app: TestApp) {
    let t = app.token(ADMIN).await;
    let refused = |r: &support::Reply, what: &str| {
        assert!(
            r.status.is_client_error(),
            "{what}: {} {:?}",
            r.status,
            r.body
        );
    };

    // Sign-in: a NUL in the email is named; a control character is a wrong password.
    let r = app
        .api_sign_in("ada.admin@northwind.example\u{0}", "x")
        .await;
    refused(&r, "sign-in email");
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "email")
    );
    let r = app.api_sign_in("ada\u{1}@northwind.example", "x").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // A record field.
    let r = app
        .post(
            "/api/v1/records/Contacts",
            &t,
            json!({"data": {"Last_Name": "Lee\u{0}"}}),
        )
        .await;
    refused(&r, "record field");
    assert_eq!(
        (r.status, r.code(), r.field()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "nul_character",
            "data.Last_Name"
        )
    );
    // Another control character in a single-line field, refused by the field's validation.
    let r = app
        .post(
            "/api/v1/records/Contacts",
            &t,
            json!({"data": {"Last_Name": "Lee\u{1b}[31m"}}),
        )
        .await;
    assert_eq!(
        (r.status, r.code(), r.field()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_characters",
            "Last_Name"
        )
    );

    // Search, and other parts of the address.
    let r = app.get("/api/v1/records/Contacts?q=Lee%00", &t).await;
    refused(&r, "search");
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "q")
    );
    let r = app.get("/api/v1/records/Contacts?q=Lee%01", &t).await;
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "q")
    );
    let r = app.get("/api/v1/records/Con%00tacts", &t).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.code(), "bad_request");

    // A portal name, a user's name, a module label.
    let r = app
        .post("/api/v1/portals", &t, json!({"name": "Clients\u{0}"}))
        .await;
    refused(&r, "portal name");
    assert_eq!(r.field(), "name");
    let r = app
        .post(
            "/api/v1/users",
            &t,
            json!({"name": "Eve\u{0}", "email": "eve@northwind.example"}),
        )
        .await;
    refused(&r, "user name");
    assert_eq!(r.field(), "name");
    let r = app
        .post("/api/v1/modules", &t, json!({"label": "Thing\u{7}"}))
        .await;
    refused(&r, "module label");
    assert_eq!(r.code(), "invalid_characters");

    // An admin page's address.
    let r = app
        .client
        .get(format!("{}/admin/records/Contacts?q=%00", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn oversized_bodies_answer_413(app: TestApp) {
    let t = app.token(ADMIN).await;
    // Over axum's default of 2 MB, the limit of every other route.
    let big = json!({"data": {"Last_Name": "x".repeat(3 * 1024 * 1024)}});
    let sent = app
        .client
        .post(format!("{}/api/v1/records/Contacts", app.base))
        .bearer_auth(&t)
        .header("connection", "close")
        .json(&big)
        .send()
        .await;
    // The server stops reading at the limit and answers 413; on a loaded machine it may close
    // while the client is still writing (a broken write): refused unread all the same.
    match sent {
        Ok(r) => {
            assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
            let body: serde_json::Value = r.json().await.unwrap();
            assert_eq!(body["error"]["code"], "payload_too_large");
        }
        Err(e) => assert!(e.is_request(), "{e}"),
    }

    // Under the default limit, the same route reads the body (and validates it).
    let r = app
        .post(
            "/api/v1/records/Contacts",
            &t,
            json!({"data": {"Last_Name": "x".repeat(100 * 1024)}}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "too_long")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_paths_on_portal_hosts_answer_the_apis_json_404() {
    let app = support::spawn_configured(support::Backend::Sqlite, |c, _| {
        c.portal_domain = Some("portals.test".into());
    })
    .await
    .unwrap();
    for host in [
        format!("{PORTAL_SLUG}.portals.test"),
        "nobody.portals.test".to_string(),
    ] {
        // A portal's host serves that portal's API (a bearer token needed: 401), never the
        // CRM's; a host with no portal behind it, and unknown API paths, answer the JSON 404.
        let portal = host.starts_with(PORTAL_SLUG);
        for (path, expected) in [
            (
                "/api/v1/records/Contacts",
                if portal {
                    (StatusCode::UNAUTHORIZED, "unauthorized")
                } else {
                    (StatusCode::NOT_FOUND, "not_found")
                },
            ),
            ("/api/nothing", (StatusCode::NOT_FOUND, "not_found")),
        ] {
            let r = app
                .client
                .get(format!("{}{path}", app.base))
                .header("host", &host)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), expected.0, "{host}{path}");
            let body: serde_json::Value = r.json().await.unwrap_or_default();
            assert!(body["error"]["code"].is_string(), "{host}{path}: {body}");
            if expected.0 == StatusCode::NOT_FOUND {
                assert_eq!(body["error"]["code"], expected.1, "{host}{path}: {body}");
            }
        }
        // Pages on a portal host stay HTML.
        let r = app
            .client
            .get(format!("{}/nothing", app.base))
            .header("host", &host)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
    }
}
