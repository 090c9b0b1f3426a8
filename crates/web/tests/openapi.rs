//! The OpenAPI document as a client gets it from the running app: JSON with `openapi`, `info`
//! and `paths`, every `$ref` resolving to a component; and every route the API registry lists
//! answered by the app's real router.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use portico_app::{Context, Settings, system_clock};
use portico_web::{AppState, WebConfig};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// The whole app on a fresh SQLite database, on a free port; answers its base URL.
async fn serve() -> String {
    let store = portico_store::Store::open(&portico_testkit::sqlite_url()).unwrap();
    store.migrate(system_clock()()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let context = Context::new(store, Settings::default(), system_clock());
    let app = portico_web::app(AppState::new(context, WebConfig::new(&base)));
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

/// Every `$ref` in `value` with the JSON pointer of where it is.
fn refs(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(target)) => out.push((at.to_string(), target.clone())),
                    _ => {
                        let key = key.replace('~', "~0").replace('/', "~1");
                        refs(v, &format!("{at}/{key}"), out);
                    }
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                refs(v, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn served_document_is_openapi_and_every_ref_resolves() {
    let base = serve().await;
    let r = reqwest::get(format!("{base}/api/v1/openapi.json"))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/json");
    let doc: Value = serde_json::from_str(&r.text().await.unwrap()).expect("the body is JSON");
    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
        "openapi: {}",
        doc["openapi"]
    );
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    assert!(doc["paths"].as_object().is_some_and(|p| !p.is_empty()));

    let mut found = Vec::new();
    refs(&doc, "", &mut found);
    assert!(found.len() > 100, "only {} $refs", found.len());
    let broken: Vec<String> = found
        .iter()
        .filter(|(_, target)| {
            // A local reference to a named component: #/components/{kind}/{name}.
            let named = target
                .strip_prefix("#/components/")
                .is_some_and(|rest| rest.split('/').count() == 2);
            !named || doc.pointer(&target[1..]).is_none()
        })
        .map(|(at, target)| format!("  {at}: {target}"))
        .collect();
    assert!(
        broken.is_empty(),
        "$refs that name no component:\n{}",
        broken.join("\n")
    );
}

/// The registry's table is what the app's router serves: no route of it falls through to
/// "No such route" or answers 405.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registered_routes_are_served_by_the_app() {
    let base = serve().await;
    let client = reqwest::Client::new();
    for (method, path) in portico_web::api::route_table() {
        let concrete = path
            .replace("{module}", "Contacts")
            .replace("{portal}", "1")
            .replace("{id}", "1")
            .replace("{batch_id}", "1")
            .replace("{domain}", "example.com")
            .replace("{field}", "Email");
        assert!(!concrete.contains('{'), "a new path parameter in {path}");
        let method = Method::from_bytes(method.as_str().as_bytes()).unwrap();
        let r = client
            .request(method.clone(), format!("{base}{concrete}"))
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        let status = r.status();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert_ne!(
            body["error"]["message"], "No such route",
            "{method} {path} ({concrete})"
        );
    }
}

/// Likewise the portal API's routes (`portico_web::portal_api_routes`), on a portal that does
/// not exist: every one answers the portal API's JSON 404, never 405 or "No such route".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_api_routes_are_served_by_the_app() {
    let base = serve().await;
    let client = reqwest::Client::new();
    let routes = portico_web::portal_api_routes();
    assert!(routes.len() >= 9, "{routes:?}");
    for (method, path) in routes {
        assert!(path.starts_with("/p/{slug}/api/v1/"), "{path}");
        let concrete = path
            .replace("{slug}", "no-such-portal")
            .replace("{module}", "Contacts")
            .replace("{id}", "1");
        assert!(!concrete.contains('{'), "a new path parameter in {path}");
        let method = Method::from_bytes(method.as_str().as_bytes()).unwrap();
        let r = client
            .request(method.clone(), format!("{base}{concrete}"))
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        let status = r.status();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {body}");
        assert_eq!(body["error"]["code"], "not_found", "{method} {path}");
        assert_ne!(body["error"]["message"], "No such route", "{method} {path}");
    }
}
