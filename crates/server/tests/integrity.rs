//! Integrity over HTTP, with fixtures built here: optimistic concurrency (ETag / If-Match),
//! unique values under concurrent writes (409 naming the field, never a 500), portal
//! configuration checked alike by import and PATCH, the default user type kept active, and a
//! database failure answered as a 500 with a request id — never as a sign-out.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{ADMIN, Reply, TestApp};

/// The fixture administrator's calls, with extra headers.
struct App {
    app: TestApp,
    token: String,
}

impl App {
    async fn new(app: TestApp) -> Self {
        let token = app.token(ADMIN).await;
        Self { app, token }
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        self.app
            .call_with(method, path, Some(&self.token), body, headers)
            .await
    }
}

on_both_backends!(
    if_match_guards_record_updates,
    concurrent_duplicates_answer_409_naming_the_field,
    import_refuses_duplicate_names_and_an_inactive_default,
    settings_are_checked_alike_by_patch_and_import,
);

async fn if_match_guards_record_updates(app: TestApp) {
    let app = App::new(app).await;
    let created = app
        .call(
            Method::POST,
            "/api/v1/records/Contacts",
            Some(json!({"data": {"Last_Name": "Etag"}})),
            &[],
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!(created.headers["etag"], "\"1\"");
    assert_eq!(created.body["version"], 1);
    let path = format!("/api/v1/records/Contacts/{}", created.body["id"]);
    let got = app.call(Method::GET, &path, None, &[]).await;
    assert_eq!(got.headers["etag"], "\"1\"");
    let first = app
        .call(
            Method::PATCH,
            &path,
            Some(json!({"data": {"Title": "First"}})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    assert_eq!(first.headers["etag"], "\"2\"");
    // A second writer still holding version 1 is refused, and nothing of theirs is saved.
    let stale = app
        .call(
            Method::PATCH,
            &path,
            Some(json!({"data": {"Title": "Second"}})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(
        (stale.status, stale.code()),
        (StatusCode::PRECONDITION_FAILED, "stale_version")
    );
    assert_eq!(stale.body["error"]["current_version"], 2);
    let now = app.call(Method::GET, &path, None, &[]).await;
    assert_eq!(now.body["data"]["Title"], "First");
    for bad in ["1", "W/\"2\"", "\"two\"", "\"1\", \"2\""] {
        let r = app
            .call(
                Method::PATCH,
                &path,
                Some(json!({"data": {"Title": "Bad"}})),
                &[("if-match", bad)],
            )
            .await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::BAD_REQUEST, "bad_request"),
            "If-Match {bad}"
        );
    }
    let any = app
        .call(
            Method::PATCH,
            &path,
            Some(json!({"data": {"Title": "Any"}})),
            &[("if-match", "*")],
        )
        .await;
    assert_eq!(any.status, StatusCode::OK);
    assert_eq!(any.body["version"], 3);
}

async fn concurrent_duplicates_answer_409_naming_the_field(app: TestApp) {
    let app = std::sync::Arc::new(App::new(app).await);
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let app = std::sync::Arc::clone(&app);
        tasks.push(tokio::spawn(async move {
            app.call(
                Method::POST,
                "/api/v1/web-tabs",
                Some(json!({"name": "Status page", "url": "https://status.example.com/"})),
                &[],
            )
            .await
        }));
    }
    let mut created = 0;
    for t in tasks {
        let r = t.await.unwrap();
        match r.status {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => {
                // Caught by the check before the insert, or by the unique constraint when two
                // writers passed the check together: either way a 409, the constraint's one
                // naming the field.
                if r.code() == "duplicate" {
                    assert_eq!(r.body["error"]["field"], "name");
                } else {
                    assert_eq!(r.code(), "conflict", "{:?}", r.body);
                }
            }
            other => panic!("{other}: {:?}", r.body),
        }
    }
    assert_eq!(created, 1);
    let tabs = app.call(Method::GET, "/api/v1/web-tabs", None, &[]).await;
    let named = tabs.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["name"] == "Status page")
        .count();
    assert_eq!(named, 1, "{:?}", tabs.body);
}

async fn import_refuses_duplicate_names_and_an_inactive_default(app: TestApp) {
    let portal = app.fx.portal;
    let app = App::new(app).await;
    let config = format!("/api/v1/portals/{portal}/config");
    let doc = app.call(Method::GET, &config, None, &[]).await;
    assert_eq!(doc.status, StatusCode::OK, "{:?}", doc.body);
    // The same user type twice, names differing only in case and spaces: seats would count
    // twice and users could not be matched by name.
    let mut twice = doc.body.clone();
    let mut copy = twice["user_types"][0].clone();
    copy["name"] = json!("  client PORTAL ");
    twice["user_types"].as_array_mut().unwrap().push(copy);
    let copy_at = twice["user_types"].as_array().unwrap().len() - 1;
    let r = app.call(Method::PUT, &config, Some(twice), &[]).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "duplicate_user_type"),
        "{:?}",
        r.body
    );
    assert_eq!(
        r.body["error"]["field"],
        format!("user_types[{copy_at}].name").as_str()
    );
    // The default type cannot be switched off through an import either.
    let mut inactive = doc.body.clone();
    inactive["user_types"][0]["active"] = json!(false);
    let r = app.call(Method::PUT, &config, Some(inactive), &[]).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "default_inactive"),
        "{:?}",
        r.body
    );
    // Nor through the user type's own PUT.
    let types = app
        .call(
            Method::GET,
            &format!("/api/v1/portals/{portal}/user-types"),
            None,
            &[],
        )
        .await;
    let default = types.body["items"]
        .as_array()
        .or_else(|| types.body.as_array())
        .unwrap()[0]
        .clone();
    let mut body = default.clone();
    body["active"] = json!(false);
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/portals/{portal}/user-types/{}", default["id"]),
            Some(body),
            &[],
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "default_inactive"),
        "{:?}",
        r.body
    );
    let after = app.call(Method::GET, &config, None, &[]).await;
    assert_eq!(after.body, doc.body, "nothing was applied");
}

async fn settings_are_checked_alike_by_patch_and_import(app: TestApp) {
    let portal = app.fx.portal;
    let app = App::new(app).await;
    let config = format!("/api/v1/portals/{portal}/config");
    let doc = app.call(Method::GET, &config, None, &[]).await;
    // A PATCH naming a CRM user that does not exist...
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/portals/{portal}"),
            Some(json!({"portal_type": "public", "signup_notify_user_ids": [987_654]})),
            &[],
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "unknown_user"),
        "{:?}",
        r.body
    );
    // ...and an import naming one are refused with the same code.
    let mut unknown = doc.body.clone();
    unknown["settings"]["portal_type"] = json!("public");
    unknown["settings"]["signup_notify_users"] = json!(["nobody@integrity.example"]);
    let r = app.call(Method::PUT, &config, Some(unknown), &[]).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "unknown_user"),
        "{:?}",
        r.body
    );
    // The settings' own rules apply to both: an idle timeout outside the offered values.
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/portals/{portal}"),
            Some(json!({"idle_timeout_minutes": 7})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let patch_code = r.code().to_string();
    let mut odd = doc.body.clone();
    odd["settings"]["idle_timeout_minutes"] = json!(7);
    let r = app.call(Method::PUT, &config, Some(odd), &[]).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, patch_code.as_str()),
        "{:?}",
        r.body
    );
}

/// PostgreSQL only: the database goes away under a running app. Requests with a valid token or
/// session answer 500 with a request id — they are not told to sign in again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_failure_is_a_500_with_a_request_id() {
    let Some(app) = support::spawn(support::Backend::Postgres).await else {
        return;
    };
    let url = app.database_url.clone();
    let app = App::new(app).await;
    let ok = app.call(Method::GET, "/api/v1/modules", None, &[]).await;
    assert_eq!(ok.status, StatusCode::OK);
    let name = url.rsplit('/').next().unwrap().to_string();
    let admin_url = std::env::var("PORTICO_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string());
    let (client, connection) = tokio_postgres::connect(&admin_url, tokio_postgres::NoTls)
        .await
        .unwrap();
    let task = tokio::spawn(connection);
    client
        .batch_execute(&format!(
            "ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false; \
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}';"
        ))
        .await
        .unwrap();
    let failed = app.call(Method::GET, "/api/v1/modules", None, &[]).await;
    assert_eq!(
        failed.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{:?}",
        failed.body
    );
    assert_eq!(failed.code(), "internal");
    let id = failed.body["error"]["request_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!id.is_empty() && id != "none");
    assert_eq!(failed.headers["x-request-id"], id.as_str());
    assert!(
        failed.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&id)
    );
    assert!(
        !failed.body.to_string().contains("pg_") && !failed.body.to_string().contains("terminat"),
        "no database detail leaks: {:?}",
        failed.body
    );
    // The readiness probe says so too.
    let ready = app
        .app
        .client
        .get(format!("{}/readyz", app.app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    client
        .batch_execute(&format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS true"))
        .await
        .unwrap();
    task.abort();
}
