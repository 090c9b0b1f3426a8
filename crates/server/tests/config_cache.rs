//! The cost of an API call on a warm cache, and the cache's correctness across instances.
//!
//! A records list authenticates with one statement (token, user and the org's configuration
//! version together) and reads the page with a second; profiles and modules come from each
//! instance's cache, which a change made on any instance invalidates for the very next request
//! on every other (two instances on one database, on SQLite and PostgreSQL).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use portico_app::{Context, Settings};
use portico_web::{AppState, WebConfig};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{ADMIN, REP, TestApp};

on_both_backends!(
    a_warm_records_call_runs_two_statements,
    changes_on_one_instance_count_on_the_next_request_of_another,
);

/// Statements the app runs for `calls` more of the same request, once it is warm.
async fn statements_per_call(app: &TestApp, path: &str, token: &str) -> f64 {
    // Warm up: the first call loads the org's profiles and modules and notes the token's use.
    assert_eq!(app.get(path, token).await.status, StatusCode::OK, "{path}");
    let calls = 10;
    let before = app.state.statements();
    for _ in 0..calls {
        let r = app.get(path, token).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {:?}", r.body);
    }
    (app.state.statements() - before) as f64 / f64::from(calls)
}

async fn a_warm_records_call_runs_two_statements(app: TestApp) {
    let admin = app.token(ADMIN).await;
    let rep = app.token(REP).await;
    for (who, token) in [("admin", &admin), ("rep", &rep)] {
        for path in [
            "/api/v1/records/Contacts?limit=50",
            "/api/v1/records/Contacts?limit=1",
            "/api/v1/records/Deals",
        ] {
            let per_call = statements_per_call(&app, path, token).await;
            assert_eq!(per_call, 2.0, "{who} {path}: token + list, nothing more");
        }
    }
    let contact = app.fx.contacts.client;
    let path = format!("/api/v1/records/Contacts/{contact}");
    assert_eq!(statements_per_call(&app, &path, &admin).await, 2.0);

    // After a configuration change the cache is reloaded once (by the change's own answer,
    // which reads the module back), and calls are back at two.
    rename_contacts(&app, &admin).await;
    assert_eq!(
        statements_per_call(&app, "/api/v1/records/Contacts?limit=5", &admin).await,
        2.0
    );
}

/// Renames the Contacts module to "People" (a configuration change) through instance A.
async fn rename_contacts(app: &TestApp, admin: &str) {
    let r = app
        .patch(
            "/api/v1/modules/Contacts",
            admin,
            json!({"label": "People"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["label"], "People");
}

/// A second `portico serve` on the same database: its own store, cache and port.
struct Instance {
    base: String,
}

async fn second_instance(app: &TestApp) -> Instance {
    let store = portico_store::Store::open(&app.database_url).unwrap();
    let ctx = Context::new(store, Settings::default(), portico_app::system_clock());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(ctx, WebConfig::new(&base));
    tokio::spawn(axum::serve(listener, portico_web::service(state)).into_future());
    Instance { base }
}

impl Instance {
    async fn get(&self, app: &TestApp, path: &str, token: &str) -> (StatusCode, Value) {
        let r = app
            .client
            .request(Method::GET, format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

async fn changes_on_one_instance_count_on_the_next_request_of_another(app: TestApp) {
    let b = second_instance(&app).await;
    let admin = app.token(ADMIN).await;
    let rep = app.token(REP).await;
    let contacts = "/api/v1/records/Contacts";

    // Instance B serves both users, so it caches the org's profiles and modules.
    assert_eq!(b.get(&app, contacts, &rep).await.0, StatusCode::OK);
    let (status, module) = b.get(&app, "/api/v1/modules/Contacts", &admin).await;
    assert_eq!(
        (status, module["label"].as_str()),
        (StatusCode::OK, Some("Contacts"))
    );

    // A module renamed on A: B's next request shows the new name.
    rename_contacts(&app, &admin).await;
    let (_, module) = b.get(&app, "/api/v1/modules/Contacts", &admin).await;
    assert_eq!(
        module["label"], "People",
        "B still served the cached module"
    );

    // The rep's profile loses Contacts on A: B refuses the rep's next list.
    let profile = app.fx.rep_profile;
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/profiles/{profile}"),
            Some(&admin),
            Some(json!({
                "name": portico_testkit::fixtures::REP_PROFILE,
                "scope": "own",
                "permissions": {"Deals": {"view": true, "create": true, "edit": true}},
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let (status, body) = b.get(&app, contacts, &rep).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "B used the cached profile: {body}"
    );
    assert_eq!(
        b.get(&app, "/api/v1/records/Deals", &rep).await.0,
        StatusCode::OK
    );

    // The rep is deactivated on A: B refuses the rep's token at once.
    let rep_id = app.fx.rep;
    let r = app
        .patch(
            &format!("/api/v1/users/{rep_id}"),
            &admin,
            json!({"active": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        b.get(&app, "/api/v1/records/Deals", &rep).await.0,
        StatusCode::UNAUTHORIZED
    );

    // A token revoked on A stops working on B at once.
    let (second, id) = app.issue_token(ADMIN).await;
    assert_eq!(b.get(&app, contacts, &second).await.0, StatusCode::OK);
    let r = app.delete(&format!("/api/v1/tokens/{id}"), &admin).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_eq!(
        b.get(&app, contacts, &second).await.0,
        StatusCode::UNAUTHORIZED
    );
    // The administrator's other token still works there.
    assert_eq!(b.get(&app, contacts, &admin).await.0, StatusCode::OK);
}
