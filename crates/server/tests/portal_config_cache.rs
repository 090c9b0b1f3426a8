//! The portal app on a warm cache: what a list page costs in SQL statements, and that a
//! permission change made on one instance applies to the very next portal request on another
//! (two instances on one database, each with its own cache; SQLite and PostgreSQL).
//!
//! A signed-in portal list page runs three statements: the visit (the session, its account, its
//! portal, and the scope — user type, personality record and the org's configuration version —
//! in one statement), the page with its count, and the audit entry; and — only when a lookup
//! column points into a related or public module — the lookup targets' names (one statement
//! for the page). The org's catalogue
//! (modules, fields, layouts, web tabs) comes from the cache; the user type never does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use portico_app::{Context, Settings};
use portico_domain::webtab::NewWebTab;
use portico_web::{AppState, WebConfig};
use reqwest::StatusCode;
use support::TestApp;
use support::portal::{BASE, Jar, accept, admin_actor, get, invite};

on_both_backends!(
    a_warm_portal_list_page_runs_three_statements,
    permission_changes_apply_to_the_next_portal_request_on_another_instance,
);

async fn signed_in(app: &TestApp) -> Jar {
    let token = invite(app).await;
    accept(app, &token).await
}

async fn a_warm_portal_list_page_runs_three_statements(app: TestApp) {
    let mut jar = signed_in(&app).await;
    for path in ["m/Cases", "m/Cases?per=50", "m/Deals?per=10"] {
        let path = format!("{BASE}{path}");
        // Warm: the first page loads the org's catalogue.
        assert_eq!(get(&app, &mut jar, &path).await.status, StatusCode::OK);
        let pages = 5;
        let before = app.state.statements();
        for _ in 0..pages {
            let page = get(&app, &mut jar, &path).await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        }
        let per_page = (app.state.statements() - before) as f64 / f64::from(pages);
        // Cases and Deals look up the client's own contact and accounts (not shared): their
        // names need no statement.
        assert_eq!(per_page, 3.0, "{path}: visit, page and audit are three");
    }
}

/// A second `portico serve` on the same database: its own store, cache and port.
async fn second_instance(app: &TestApp) -> String {
    let store = portico_store::Store::open(&app.database_url).unwrap();
    let ctx = Context::new(store, Settings::default(), portico_app::system_clock());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(ctx, WebConfig::new(&base));
    tokio::spawn(axum::serve(listener, portico_web::service(state)).into_future());
    base
}

/// A portal page from instance `base` with the browser's cookies: (status, body).
async fn get_on(app: &TestApp, base: &str, jar: &Jar, path: &str) -> (StatusCode, String) {
    let r = app
        .client
        .get(format!("{base}{BASE}{path}"))
        .header("cookie", jar.header())
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn permission_changes_apply_to_the_next_portal_request_on_another_instance(app: TestApp) {
    let jar = signed_in(&app).await;
    let b = second_instance(&app).await;
    let actor = admin_actor(&app).await;
    let (portal, client_type) = (app.fx.portal, app.fx.client_type);
    let config = || async {
        portico_app::user_types::user_type(&app.state, &actor, portal, client_type)
            .await
            .unwrap()
            .config
    };
    let replace = |config| async {
        portico_app::user_types::replace_user_type(&app.state, &actor, portal, client_type, config)
            .await
            .unwrap();
    };

    // Instance B serves the client first, so it caches the org's catalogue.
    let (status, cases) = get_on(&app, &b, &jar, "m/Cases").await;
    assert_eq!(status, StatusCode::OK, "{cases}");
    assert!(cases.contains(">Priority</a>"), "{cases}");
    assert_eq!(get_on(&app, &b, &jar, "m/Deals").await.0, StatusCode::OK);

    // A field made hidden on A: B's next list has no such column.
    let mut hidden = config().await;
    let tab = hidden
        .modules
        .iter_mut()
        .find(|t| t.module.as_str() == "Cases")
        .unwrap();
    for layout in &mut tab.layouts {
        for f in &mut layout.fields {
            if f.field == "Priority" {
                f.visible = false;
            }
        }
    }
    replace(hidden).await;
    let (status, cases) = get_on(&app, &b, &jar, "m/Cases").await;
    assert_eq!(status, StatusCode::OK, "{cases}");
    assert!(
        !cases.contains(">Priority</a>"),
        "B showed a field hidden since"
    );

    // A tab removed on A: B's next request for it is "not found".
    let mut fewer = config().await;
    fewer.modules.retain(|t| t.module.as_str() != "Deals");
    replace(fewer).await;
    assert_eq!(
        get_on(&app, &b, &jar, "m/Deals").await.0,
        StatusCode::NOT_FOUND,
        "B served a tab removed since"
    );

    // A web tab created on A and given to the user type: B's cached catalogue did not have it,
    // and its next page shows it; deleted on A, B's next page no longer does.
    let url = "https://status.northwind.example/";
    let tab = portico_app::org::create_web_tab(
        &app.state,
        &actor,
        NewWebTab {
            name: "Service status".into(),
            url: url.into(),
        },
    )
    .await
    .unwrap();
    let mut with_tab = config().await;
    with_tab.web_tabs.push(tab.name.clone());
    replace(with_tab).await;
    let (status, page) = get_on(&app, &b, &jar, "m/Cases").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(url), "B missed the new web tab: {page}");
    portico_app::org::delete_web_tab(&app.state, &actor, tab.id)
        .await
        .unwrap();
    let (status, page) = get_on(&app, &b, &jar, "m/Cases").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(!page.contains(url), "B showed a web tab deleted since");
}
