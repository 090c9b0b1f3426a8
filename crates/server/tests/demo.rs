//! The demo data the README promises (`portico serve --demo`): it loads, its sign-ins work, and
//! loading it again writes nothing. The only test that touches the demo: every other test builds
//! and asserts on its own fixture org (`portico_testkit::fixtures`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use portico_app::{Context, Settings};
use portico_store::Store;

/// What the demo org holds, counted straight from the database.
async fn census(store: &Store) -> Vec<(String, i64)> {
    let mut counts = vec![("orgs".to_string(), store.list_orgs().await.unwrap().len())];
    let org = store
        .find_org_by_domain(portico::demo::DOMAIN)
        .await
        .unwrap()
        .expect("the demo org exists")
        .id;
    counts.push(("users".into(), store.list_users(org).await.unwrap().len()));
    counts.push((
        "portals".into(),
        store.list_portals(org).await.unwrap().len(),
    ));
    counts.push((
        "modules".into(),
        store.list_modules(org).await.unwrap().len(),
    ));
    counts.push((
        "web tabs".into(),
        store.list_web_tabs(org).await.unwrap().len(),
    ));
    let mut counts: Vec<(String, i64)> = counts
        .into_iter()
        .map(|(what, n)| (what, i64::try_from(n).unwrap()))
        .collect();
    for module in store.list_modules(org).await.unwrap() {
        let n = store.count_records(org, module.id, None).await.unwrap();
        counts.push((module.api_name.to_string(), n));
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_loads_once_and_its_sign_ins_work() {
    let url = portico_testkit::sqlite_url();
    let store = Store::open(&url).unwrap();
    let clock = portico_app::system_clock();
    store.migrate(clock()).await.unwrap();
    let ctx = Context::new(store, Settings::default(), clock);
    let direct = Store::open(&url).unwrap();

    let credentials = portico::demo::load(&ctx).await.unwrap();
    let loaded = census(&direct).await;
    let count = |what: &str| loaded.iter().find(|(w, _)| w == what).unwrap().1;
    assert_eq!(count("orgs"), 1);
    assert_eq!(count("users"), i64::try_from(credentials.len()).unwrap());
    assert_eq!(count("portals"), 1);
    for module in ["Accounts", "Contacts", "Deals", "Products", "Car_Licences"] {
        assert!(count(module) > 0, "the demo has {module}: {loaded:?}");
    }
    for (role, email, password) in &credentials {
        let users = portico_app::sign_in::check_credentials(&ctx, email, password, None)
            .await
            .unwrap_or_else(|e| panic!("{role} cannot sign in: {}", e.describe()));
        assert_eq!(users.len(), 1);
        assert_eq!(users[0].email.as_str(), *email);
    }

    let again = portico::demo::load(&ctx).await.unwrap();
    assert_eq!(again, credentials);
    assert_eq!(
        census(&direct).await,
        loaded,
        "a second load writes nothing"
    );
}
