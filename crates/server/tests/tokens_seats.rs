//! API tokens after issue (list, last use, revocation, deactivated users, other orgs) and
//! portal seat counts that cannot overflow, over HTTP on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use portico_testkit::fixtures;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{ADMIN, REP, TestApp};

on_both_backends!(
    tokens_are_listed_and_revoked,
    deactivated_users_tokens_stop_at_once,
    other_orgs_tokens_are_not_found,
    huge_seat_counts_are_refused_on_import,
    huge_seat_counts_are_refused_on_user_types,
);

fn listed_ids(body: &Value) -> Vec<i64> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect()
}

async fn tokens_are_listed_and_revoked(app: TestApp) {
    let (admin, admin_id) = app.issue_token(ADMIN).await;
    let (rep, rep_id) = app.issue_token(REP).await;
    let (rep2, rep2_id) = app.issue_token(REP).await;

    // A user lists their own tokens; the secrets are never shown again.
    let mine = app.get("/api/v1/tokens", &rep).await;
    assert_eq!(mine.status, StatusCode::OK, "{:?}", mine.body);
    assert_eq!(listed_ids(&mine.body), [rep2_id, rep_id]);
    let text = mine.body.to_string();
    assert!(!text.contains(&rep) && !text.contains(&rep2) && !text.contains("\"token\""));
    let used = &mine.body["items"][1];
    assert_eq!(used["user_id"].as_i64(), Some(app.fx.rep));
    assert!(used["last_used_at"].is_string(), "{used:?}");
    assert!(mine.body["items"][0]["last_used_at"].is_null());
    assert!(used["expires_at"].is_string() && used["created_at"].is_string());

    // Only administrators see the org's tokens.
    let refused = app.get("/api/v1/tokens?scope=org", &rep).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let org = app.get("/api/v1/tokens?scope=org", &admin).await;
    assert_eq!(listed_ids(&org.body), [rep2_id, rep_id, admin_id]);
    assert_eq!(
        app.get("/api/v1/tokens?scope=all", &admin).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // The last use is written at most once a minute.
    let last_used = |body: &Value| body["items"][1]["last_used_at"].clone();
    let first = last_used(&mine.body);
    app.advance(30_000);
    let again = app.get("/api/v1/tokens", &rep).await;
    assert_eq!(
        last_used(&again.body),
        first,
        "not rewritten within a minute"
    );
    app.advance(31_000);
    let later = app.get("/api/v1/tokens", &rep).await;
    assert_ne!(last_used(&later.body), first, "rewritten after a minute");

    // A user cannot revoke someone else's token: it looks missing.
    assert_eq!(
        app.delete(&format!("/api/v1/tokens/{admin_id}"), &rep)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get("/api/v1/org", &admin).await.status, StatusCode::OK);
    // Their own: 401 at once, and gone from the list.
    assert_eq!(
        app.delete(&format!("/api/v1/tokens/{rep2_id}"), &rep)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get("/api/v1/org", &rep2).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        listed_ids(&app.get("/api/v1/tokens", &rep).await.body),
        [rep_id]
    );
    assert_eq!(
        app.delete(&format!("/api/v1/tokens/{rep2_id}"), &rep)
            .await
            .status,
        StatusCode::NOT_FOUND,
        "revoked once"
    );
    assert_eq!(
        app.delete("/api/v1/tokens/not-a-number", &rep).await.status,
        StatusCode::NOT_FOUND
    );
    // An administrator revokes any of the org's tokens.
    assert_eq!(
        app.delete(&format!("/api/v1/tokens/{rep_id}"), &admin)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get("/api/v1/org", &rep).await.status,
        StatusCode::UNAUTHORIZED
    );
    let log = app.store.audit_log(app.fx.org, 20).await.unwrap();
    let revokes: Vec<_> = log
        .iter()
        .filter(|e| e.action == "api_token.revoke")
        .map(|e| (e.actor.clone(), e.detail["token_id"].as_i64()))
        .collect();
    assert_eq!(
        revokes,
        [
            (ADMIN.0.to_string(), Some(rep_id)),
            (REP.0.to_string(), Some(rep2_id))
        ]
    );

    // An expired token answers 401 too (and stays listed until revoked).
    app.advance(31 * 24 * 3600 * 1000);
    assert_eq!(
        app.get("/api/v1/org", &admin).await.status,
        StatusCode::UNAUTHORIZED
    );
}

async fn deactivated_users_tokens_stop_at_once(app: TestApp) {
    let admin = app.token(ADMIN).await;
    let rep = app.token(REP).await;
    let rep_id = app.fx.rep;
    assert_eq!(app.get("/api/v1/org", &rep).await.status, StatusCode::OK);
    // Only administrators change users.
    assert_eq!(
        app.patch(
            &format!("/api/v1/users/{}", app.fx.admin),
            &rep,
            json!({"active": false})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.patch(
            &format!("/api/v1/users/{rep_id}"),
            &admin,
            json!({"active": false, "password": "not-here-1"})
        )
        .await
        .status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "strict body: a password is the user's own"
    );
    let own = app
        .patch(
            &format!("/api/v1/users/{}", app.fx.admin),
            &admin,
            json!({"active": false}),
        )
        .await;
    assert_eq!(
        (own.status, own.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "cannot_deactivate_self")
    );

    let off = app
        .patch(
            &format!("/api/v1/users/{rep_id}"),
            &admin,
            json!({"active": false}),
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "{:?}", off.body);
    assert_eq!(off.body["active"], json!(false));
    assert_eq!(
        app.get("/api/v1/org", &rep).await.status,
        StatusCode::UNAUTHORIZED,
        "the token stops working at once"
    );
    let sign_in = app
        .call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"email": REP.0, "password": REP.1})),
        )
        .await;
    assert_eq!(sign_in.status, StatusCode::UNAUTHORIZED);
    let log = app.store.audit_log(app.fx.org, 5).await.unwrap();
    assert!(log.iter().any(|e| e.action == "user.deactivate"));

    let on = app
        .patch(
            &format!("/api/v1/users/{rep_id}"),
            &admin,
            json!({"active": true}),
        )
        .await;
    assert_eq!(on.body["active"], json!(true));
    assert_eq!(app.get("/api/v1/org", &rep).await.status, StatusCode::OK);
}

async fn other_orgs_tokens_are_not_found(app: TestApp) {
    let (rep, rep_id) = app.issue_token(REP).await;
    let rival = app.other_org().await;
    let listed = app.get("/api/v1/tokens?scope=org", &rival).await;
    assert_eq!(listed.status, StatusCode::OK);
    assert!(!listed_ids(&listed.body).contains(&rep_id));
    assert_eq!(
        app.delete(&format!("/api/v1/tokens/{rep_id}"), &rival)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.patch(
            &format!("/api/v1/users/{}", app.fx.rep),
            &rival,
            json!({"active": false})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get("/api/v1/org", &rep).await.status, StatusCode::OK);
}

const HUGE: i64 = 1 << 62;

async fn huge_seat_counts_are_refused_on_import(app: TestApp) {
    let t = app.token(ADMIN).await;
    let config = format!("/api/v1/portals/{}/config", app.fx.portal);
    let before = app.get(&config, &t).await.body;
    let vendor = before["user_types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == fixtures::VENDOR_TYPE)
        .unwrap()
        .clone();

    // One type with 2^62 seats; several whose sum overflows i64; the default type's free
    // seats stretched the same way.
    let one_huge = {
        let mut doc = before.clone();
        for u in doc["user_types"].as_array_mut().unwrap() {
            if u["name"] == fixtures::VENDOR_TYPE {
                u["seats"] = json!(HUGE);
            }
        }
        doc
    };
    let overflowing = {
        let mut doc = before.clone();
        for i in 0..4 {
            let mut big = vendor.clone();
            big["name"] = json!(format!("Big {i}"));
            big["seats"] = json!(HUGE);
            doc["user_types"].as_array_mut().unwrap().push(big);
        }
        doc
    };
    let default_huge = {
        let mut doc = before.clone();
        for u in doc["user_types"].as_array_mut().unwrap() {
            if u["name"] == fixtures::CLIENT_TYPE {
                u["seats"] = json!(i64::MAX);
            }
        }
        doc
    };
    for doc in [one_huge, overflowing, default_huge] {
        for path in [format!("{config}?dry_run=true"), config.clone()] {
            let r = app
                .call(Method::PUT, &path, Some(&t), Some(doc.clone()))
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{path}: {:?}",
                r.body
            );
            assert!(
                ["seat_limit", "invalid_seats"].contains(&r.code()),
                "{:?}",
                r.body
            );
        }
    }
    assert_eq!(app.get(&config, &t).await.body, before, "nothing applied");
    let seats = app.get("/api/v1/seats", &t).await;
    assert_eq!(seats.status, StatusCode::OK, "{:?}", seats.body);
    assert_eq!(
        seats.body["granted"].as_i64(),
        Some(fixtures::SEATS_GRANTED),
        "import never grants seats"
    );
}

async fn huge_seat_counts_are_refused_on_user_types(app: TestApp) {
    let t = app.token(ADMIN).await;
    let types = format!("/api/v1/portals/{}/user-types", app.fx.portal);
    let vendor_path = format!("{types}/{}", app.fx.vendor_type);
    let vendor = app.get(&vendor_path, &t).await.body;
    let body = |name: &str, seats: i64| {
        let mut b = json!({});
        for key in [
            "personality_module",
            "customer",
            "active",
            "modules",
            "web_tabs",
        ] {
            if let Some(v) = vendor.get(key) {
                b[key] = v.clone();
            }
        }
        b["name"] = json!(name);
        b["seats"] = json!(seats);
        b
    };
    for seats in [HUGE, i64::MAX, 1_000_001] {
        let created = app.post(&types, &t, body("Huge", seats)).await;
        assert_eq!(
            (created.status, created.field(), created.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, "seats", "invalid_seats"),
            "{:?}",
            created.body
        );
        let replaced = app
            .call(
                Method::PUT,
                &vendor_path,
                Some(&t),
                Some(body(fixtures::VENDOR_TYPE, seats)),
            )
            .await;
        assert_eq!(
            (replaced.status, replaced.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_seats"),
            "{:?}",
            replaced.body
        );
    }
    assert_eq!(app.get(&vendor_path, &t).await.body, vendor);
}
