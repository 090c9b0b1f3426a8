//! Property test of the portal boundary through the real pages and API, on both backends.
//!
//! Each case draws a user type configuration — for the personality tab (Contacts), a related
//! module reached through a choice of two lookups (Car Licences: Holder, Co Driver), a related
//! module through its one lookup (Cases) and the public Products: which tabs exist, each field
//! hidden / read-only / editable, whether editing is allowed, which lookups reach — saves it as
//! the administrator would, and then, as the portal user, reads every record of those modules
//! through the API and the pages and tries a write. What comes back is compared with a
//! reference model written here from the product's rules (not from the code under test):
//!
//! - a related module reaches the records whose chosen lookups (every lookup to Contacts when
//!   none is chosen) hold the user's own contact; the personality tab reaches that contact; a
//!   public module every record; a module that is not a tab nothing;
//! - a record out of reach answers exactly what a missing id answers (API and pages);
//! - no hidden field's key or value appears in any answer, and a lookup names only records in
//!   reach;
//! - a write is accepted exactly when editing is allowed and every field written is visible and
//!   not read-only; a refused write changes nothing, an accepted one saves what was sent.
//!
//! By default 700 cases on SQLite and 300 on PostgreSQL (1,000 in all; a PostgreSQL case costs
//! more round trips); `PORTICO_PORTAL_PROPERTY_CASES` sets the count for each backend.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use portico_domain::module::ApiName;
use portico_domain::portal::{
    FieldPermission, LayoutAccess, TabModule, TabRole, TabView, UserTypeConfig,
};
use portico_domain::profile::ModulePermissions;
use portico_testkit::fixtures::{CLIENT_EMAIL, CUSTOM_MODULE};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use support::portal::*;
use support::{ADMIN, Backend, Reply, TestApp};

const API: &str = "/p/northwind-clients/api/v1/";
const MISSING: i64 = 987_654_321;
const CONTACT_MARKER: &str = "contact-description-marker-7731";
const MODULES: [&str; 4] = ["Contacts", CUSTOM_MODULE, "Cases", "Products"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    Hidden,
    ReadOnly,
    Editable,
}

/// One tab of a case: present or not, editing allowed or not, each field's access, and (for
/// licences) the lookups that reach.
#[derive(Debug, Clone)]
struct Tab {
    present: bool,
    edit: bool,
    fields: Vec<Access>,
    lookups: Vec<&'static str>,
}

#[derive(Debug, Clone)]
struct Case {
    contacts: Tab,
    licences: Tab,
    cases: Tab,
    products: Tab,
    /// The licence written to (an index into the licences) and the fields written.
    write_to: usize,
    write: Vec<&'static str>,
}

impl Case {
    fn tab(&self, module: &str) -> &Tab {
        match module {
            "Contacts" => &self.contacts,
            "Cases" => &self.cases,
            "Products" => &self.products,
            _ => &self.licences,
        }
    }
}

/// What the boundary is tested on: each module's first layout (name, fields), the records, the
/// user and their sessions.
struct World {
    layout: BTreeMap<&'static str, (String, Vec<String>)>,
    /// Licences: id, holder, co-driver.
    licences: Vec<(i64, i64, Option<i64>)>,
    /// Cases: id, contact.
    cases: Vec<(i64, i64)>,
    products: Vec<i64>,
    me: i64,
    other: i64,
    token: String,
    jar: Jar,
}

fn access() -> impl Strategy<Value = Access> {
    prop_oneof![
        Just(Access::Hidden),
        Just(Access::ReadOnly),
        Just(Access::Editable)
    ]
}

fn tab(fields: usize) -> BoxedStrategy<Tab> {
    let lookups = prop_oneof![
        Just(vec![]),
        Just(vec!["Holder"]),
        Just(vec!["Co_Driver"]),
        Just(vec!["Holder", "Co_Driver"]),
    ];
    (
        prop::bool::weighted(0.85),
        any::<bool>(),
        prop::collection::vec(access(), fields),
        lookups,
    )
        .prop_map(|(present, edit, fields, lookups)| Tab {
            present,
            edit,
            fields,
            lookups,
        })
        .boxed()
}

fn cases(world: &World) -> BoxedStrategy<Case> {
    let n = |m: &str| world.layout[m].1.len();
    let writable = vec!["Licence_Number", "Class", "Valid_Until"];
    (
        tab(n("Contacts")),
        tab(n(CUSTOM_MODULE)),
        tab(n("Cases")),
        tab(n("Products")),
        0..world.licences.len(),
        prop::sample::subsequence(writable, 1..=3),
    )
        .prop_map(
            |(mut contacts, licences, mut cases, products, write_to, write)| {
                // A user type always has its personality tab; only licences choose lookups.
                contacts.present = true;
                contacts.lookups.clear();
                cases.lookups.clear();
                let mut products = products;
                products.lookups.clear();
                Case {
                    contacts,
                    licences,
                    cases,
                    products,
                    write_to,
                    write,
                }
            },
        )
        .boxed()
}

/// The configuration a case describes, as the administrator saves it.
fn config(world: &World, base: &UserTypeConfig, case: &Case) -> UserTypeConfig {
    let tab_of = |module: &str, role: TabRole| -> Option<TabModule> {
        let t = case.tab(module);
        if !t.present {
            return None;
        }
        let (layout, fields) = &world.layout[module];
        let fields = fields
            .iter()
            .zip(&t.fields)
            .map(|(f, a)| FieldPermission {
                field: f.clone(),
                visible: *a != Access::Hidden,
                read_only: *a == Access::ReadOnly,
                columns: None,
            })
            .collect();
        Some(TabModule {
            module: ApiName::parse(module).unwrap(),
            role,
            permissions: ModulePermissions {
                view: true,
                edit: t.edit && role != TabRole::Public,
                ..Default::default()
            },
            view: TabView::List,
            lookup_fields: t.lookups.iter().map(|l| l.to_string()).collect(),
            layouts: vec![LayoutAccess {
                layout: layout.clone(),
                fields,
            }],
        })
    };
    let mut c = base.clone();
    c.modules = [
        tab_of("Contacts", TabRole::Personality),
        tab_of(CUSTOM_MODULE, TabRole::Related),
        tab_of("Cases", TabRole::Related),
        tab_of("Products", TabRole::Public),
    ]
    .into_iter()
    .flatten()
    .collect();
    c
}

// ---- the reference model ----

/// The records of `module` the model says the user reaches.
fn model_reach(world: &World, case: &Case, module: &str) -> BTreeSet<i64> {
    if !case.tab(module).present {
        return BTreeSet::new();
    }
    match module {
        "Contacts" => [world.me].into(),
        "Cases" => world
            .cases
            .iter()
            .filter(|(_, contact)| *contact == world.me)
            .map(|(id, _)| *id)
            .collect(),
        "Products" => world.products.iter().copied().collect(),
        _ => {
            let chosen = match case.licences.lookups.as_slice() {
                [] => vec!["Holder", "Co_Driver"],
                some => some.to_vec(),
            };
            world
                .licences
                .iter()
                .filter(|(_, holder, co)| {
                    (chosen.contains(&"Holder") && *holder == world.me)
                        || (chosen.contains(&"Co_Driver") && *co == Some(world.me))
                })
                .map(|(id, _, _)| *id)
                .collect()
        }
    }
}

/// Each field of `module`'s layout with its access in this case.
fn model_fields(world: &World, case: &Case, module: &str) -> BTreeMap<String, Access> {
    world.layout[module]
        .1
        .iter()
        .cloned()
        .zip(case.tab(module).fields.iter().copied())
        .collect()
}

fn model_visible(world: &World, case: &Case, module: &str) -> BTreeSet<String> {
    model_fields(world, case, module)
        .into_iter()
        .filter(|(_, a)| *a != Access::Hidden)
        .map(|(f, _)| f)
        .collect()
}

/// Whether the model accepts the case's write to a licence in reach.
fn model_accepts_write(world: &World, case: &Case) -> bool {
    let fields = model_fields(world, case, CUSTOM_MODULE);
    case.licences.present
        && case.licences.edit
        && case
            .write
            .iter()
            .all(|f| fields.get(*f) == Some(&Access::Editable))
}

/// Values of hidden text fields (or of a module that is no tab) that must appear nowhere.
fn hidden_markers(world: &World, case: &Case, module: &str) -> Vec<String> {
    let fields = model_fields(world, case, module);
    let shown = |f: &str| matches!(fields.get(f), Some(Access::ReadOnly | Access::Editable));
    let hidden = |f: &str| !case.tab(module).present || !shown(f);
    match module {
        "Contacts" if hidden("Description") => vec![CONTACT_MARKER.to_string()],
        m if m == CUSTOM_MODULE && hidden("Licence_Number") => {
            (1..=4).map(|i| format!("NWL-{i}")).collect()
        }
        _ => vec![],
    }
}

// ---- the world ----

async fn api(app: &TestApp, path: &str, token: &str) -> Reply {
    app.call(Method::GET, &format!("{API}{path}"), Some(token), None)
        .await
}

async fn world(app: &TestApp) -> World {
    let t = app.token(ADMIN).await;
    let fx = &app.fx;
    let (me, other) = (fx.contacts.client, fx.contacts.other);
    // A fourth licence: held by the user, the other contact co-driving.
    let extra = app
        .post(
            &format!("/api/v1/records/{CUSTOM_MODULE}"),
            &t,
            json!({"data": {"Name": "L-4", "Holder": me, "Co_Driver": other,
                            "Licence_Number": "NWL-4", "Valid_Until": "2030-06-30", "Class": "A"}}),
        )
        .await;
    assert_eq!(extra.status, StatusCode::CREATED, "{:?}", extra.body);
    // A value to hide on the user's own contact.
    let path = format!("/api/v1/records/Contacts/{me}");
    let r = app
        .patch(&path, &t, json!({"data": {"Description": CONTACT_MARKER}}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let actor = admin_actor(app).await;
    let cat = portico_app::catalogue::org_catalogue(&app.state, &actor)
        .await
        .unwrap();
    let mut layout = BTreeMap::new();
    for m in MODULES {
        let (_, _, layouts) = cat
            .modules
            .iter()
            .find(|(module, _, _)| module.api_name.as_str() == m)
            .unwrap();
        let first = &layouts[0];
        let names = first.field_names().map(str::to_string).collect();
        layout.insert(m, (first.name.clone(), names));
    }
    let invitation = invite(app).await;
    let jar = accept(app, &invitation).await;
    let body = json!({"email": CLIENT_EMAIL, "password": PASSWORD});
    let signed = app
        .call(Method::POST, &format!("{API}auth/token"), None, Some(body))
        .await;
    assert_eq!(signed.status, StatusCode::CREATED, "{:?}", signed.body);
    World {
        layout,
        licences: vec![
            (fx.licences.held_by_client, me, None),
            (fx.licences.co_driven_by_client, other, Some(me)),
            (fx.licences.other, other, None),
            (extra.body["id"].as_i64().unwrap(), me, Some(other)),
        ],
        cases: vec![
            (fx.cases.client[0], me),
            (fx.cases.client[1], me),
            (fx.cases.other, other),
        ],
        products: fx.products.clone(),
        me,
        other,
        token: signed.body["token"].as_str().unwrap().to_string(),
        jar,
    }
}

/// The CRM's own view of a licence (the administrator's): its data and version.
async fn crm_licence(app: &TestApp, admin: &str, id: i64) -> (Value, i64) {
    let r = app
        .get(&format!("/api/v1/records/{CUSTOM_MODULE}/{id}"), admin)
        .await;
    (r.body["data"].clone(), r.body["version"].as_i64().unwrap())
}

/// The id a lookup value names (a number, or an object with an id).
fn lookup_id(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v["id"].as_i64())
}

/// Saves the case's configuration as the administrator.
async fn configure(app: &TestApp, world: &World, case: &Case, n: usize) {
    let actor = admin_actor(app).await;
    let (portal, client) = (app.fx.portal, app.fx.client_type);
    let base = portico_app::user_types::user_type(&app.state, &actor, portal, client)
        .await
        .unwrap()
        .config;
    let wanted = config(world, &base, case);
    let saved =
        portico_app::user_types::replace_user_type(&app.state, &actor, portal, client, wanted)
            .await;
    assert!(saved.is_ok(), "case {n}: refused: {saved:?}\n{case:#?}");
}

/// Reads every record of `module` through the API and the pages; answers every body seen.
async fn check_reads(
    app: &TestApp,
    world: &mut World,
    case: &Case,
    module: &str,
    n: usize,
) -> Vec<String> {
    let reach = model_reach(world, case, module);
    let present = case.tab(module).present;
    let visible = model_visible(world, case, module);
    let mut bodies = Vec::new();
    let list = api(app, &format!("records/{module}?limit=200"), &world.token).await;
    if present {
        assert_eq!(
            list.status,
            StatusCode::OK,
            "case {n} {module}: {:?}",
            list.body
        );
        let items = list.body["items"].as_array().unwrap();
        let got: BTreeSet<i64> = items.iter().map(|i| i["id"].as_i64().unwrap()).collect();
        assert_eq!(got, reach, "case {n}: the {module} list\n{case:#?}");
        for item in items {
            for (key, value) in item["data"].as_object().unwrap() {
                assert!(
                    visible.contains(key),
                    "case {n}: {module} sends the hidden field {key}\n{case:#?}"
                );
                if let Some(id) = lookup_id(value).filter(|_| key == "Holder" || key == "Co_Driver")
                {
                    assert_eq!(
                        id, world.me,
                        "case {n}: a lookup names a record out of reach"
                    );
                }
            }
        }
    } else {
        assert_eq!(
            list.status,
            StatusCode::NOT_FOUND,
            "case {n}: {module} is no tab"
        );
    }
    bodies.push(list.body.to_string());
    let ids: Vec<i64> = match module {
        "Contacts" => vec![world.me, world.other],
        "Cases" => world.cases.iter().map(|c| c.0).collect(),
        "Products" => world.products.iter().take(2).copied().collect(),
        _ => world.licences.iter().map(|l| l.0).collect(),
    };
    let missing = api(app, &format!("records/{module}/{MISSING}"), &world.token).await;
    let missing_page = get(app, &mut world.jar, &format!("{BASE}m/{module}/{MISSING}")).await;
    for id in ids {
        let one = api(app, &format!("records/{module}/{id}"), &world.token).await;
        let page = get(app, &mut world.jar, &format!("{BASE}m/{module}/{id}")).await;
        if reach.contains(&id) {
            assert_eq!(
                one.status,
                StatusCode::OK,
                "case {n}: {module} {id}\n{case:#?}"
            );
            assert_eq!(
                page.status,
                StatusCode::OK,
                "case {n}: the page of {module} {id}"
            );
            for key in one.body["data"].as_object().unwrap().keys() {
                assert!(
                    visible.contains(key),
                    "case {n}: {module}.{key} is hidden\n{case:#?}"
                );
            }
        } else {
            assert_eq!(
                (one.status, &one.body),
                (missing.status, &missing.body),
                "case {n}: {module} {id} out of reach differs from a missing one\n{case:#?}"
            );
            assert_eq!(
                (page.status, &page.body),
                (missing_page.status, &missing_page.body),
                "case {n}: the page of {module} {id} out of reach differs from a missing one"
            );
        }
        bodies.push(one.body.to_string());
        bodies.push(page.body);
    }
    let page = get(app, &mut world.jar, &format!("{BASE}m/{module}")).await;
    if present && module != "Contacts" && module != "Products" {
        assert_eq!(
            page.status,
            StatusCode::OK,
            "case {n}: the {module} list page"
        );
        let linked: Vec<i64> = match module {
            "Cases" => world.cases.iter().map(|c| c.0).collect(),
            _ => world.licences.iter().map(|l| l.0).collect(),
        };
        for id in linked {
            let link = format!("{BASE}m/{module}/{id}\"");
            assert_eq!(
                page.body.contains(&link),
                reach.contains(&id),
                "case {n}: the {module} list page and {id}\n{case:#?}"
            );
        }
    }
    bodies.push(page.body);
    bodies
}

/// The case's write to a licence, through the API.
async fn check_write(app: &TestApp, world: &World, admin: &str, case: &Case, n: usize) {
    let (id, _, _) = world.licences[case.write_to];
    let (before, version) = crm_licence(app, admin, id).await;
    let mut data = serde_json::Map::new();
    for f in &case.write {
        let v = match *f {
            "Licence_Number" => json!(format!("NWL-{}-v{n}", case.write_to + 1)),
            "Class" => json!(["A", "B", "C", "D"][n % 4]),
            _ => json!(format!("2031-01-{:02}", 1 + n % 28)),
        };
        data.insert(f.to_string(), v);
    }
    let r = app
        .call_with(
            Method::PATCH,
            &format!("{API}records/{CUSTOM_MODULE}/{id}"),
            Some(&world.token),
            Some(json!({"data": data})),
            &[("if-match", &format!("\"{version}\""))],
        )
        .await;
    let (after, _) = crm_licence(app, admin, id).await;
    let in_reach = model_reach(world, case, CUSTOM_MODULE).contains(&id);
    if in_reach && model_accepts_write(world, case) {
        assert_eq!(
            r.status,
            StatusCode::OK,
            "case {n}: refused {:?}\n{case:#?}",
            r.body
        );
        for (f, v) in &data {
            assert_eq!(&after[f], v, "case {n}: {f} saved");
        }
    } else {
        assert!(
            r.status.is_client_error(),
            "case {n}: accepted {} {:?}\n{case:#?}",
            r.status,
            r.body
        );
        assert_eq!(
            after, before,
            "case {n}: a refused write changed the record"
        );
    }
}

async fn check_case(app: &TestApp, world: &mut World, admin: &str, case: &Case, n: usize) {
    configure(app, world, case, n).await;
    let mut bodies = Vec::new();
    for module in MODULES {
        bodies.extend(check_reads(app, world, case, module, n).await);
    }
    bodies.push(get(app, &mut world.jar, BASE).await.body);
    for module in MODULES {
        for marker in hidden_markers(world, case, module) {
            for b in &bodies {
                assert!(
                    !b.contains(&marker),
                    "case {n}: the hidden {marker} shown\n{case:#?}"
                );
            }
        }
    }
    for b in &bodies {
        assert!(
            !b.contains("Delivery late"),
            "case {n}: another contact's case shown"
        );
    }
    check_write(app, world, admin, case, n).await;
}

async fn the_boundary_holds_for_random_configurations(backend: Backend, default: usize) {
    let Some(app) = support::spawn(backend).await else {
        return;
    };
    let count: usize = std::env::var("PORTICO_PORTAL_PROPERTY_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    let mut world = world(&app).await;
    let admin = app.token(ADMIN).await;
    let strategy = cases(&world);
    let mut runner = TestRunner::default();
    for n in 0..count {
        let case = strategy.new_tree(&mut runner).unwrap().current();
        check_case(&app, &mut world, &admin, &case, n).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_boundary_holds_for_random_configurations_sqlite() {
    the_boundary_holds_for_random_configurations(Backend::Sqlite, 700).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_boundary_holds_for_random_configurations_postgres() {
    the_boundary_holds_for_random_configurations(Backend::Postgres, 300).await;
}
