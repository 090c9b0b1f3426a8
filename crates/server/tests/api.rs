//! The REST API end to end over HTTP, on SQLite and PostgreSQL: the acceptance list,
//! authentication, profiles and record scope, strict bodies, paging, the recycle bin. Every
//! test runs against its own fixture org (`portico_testkit::fixtures`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use portico_testkit::fixtures;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{ADMIN, REP, TestApp};

on_both_backends!(
    custom_module_with_lookup_and_validation,
    other_orgs_records_are_not_found,
    profiles_are_enforced,
    record_scope_and_data_sharing,
    authentication_is_required_and_throttled,
    bodies_are_strict,
    keyset_pages_and_search,
    searches_are_literal_over_http,
    recycle_bin_round_trip,
    setup_through_the_api,
);

/// Acceptance: a custom module with a lookup; linked records created and listed; an invalid
/// email, a missing mandatory field and a lookup to the wrong module each get 422 naming the field.
async fn custom_module_with_lookup_and_validation(app: TestApp) {
    let t = app.token(ADMIN).await;
    let m = app
        .post(
            "/api/v1/modules",
            &t,
            json!({"label": "Warranties", "sharing": "private"}),
        )
        .await;
    assert_eq!(m.status, StatusCode::CREATED, "{:?}", m.body);
    assert_eq!(m.body["api_name"], "Warranties");
    assert_eq!(m.body["fields"][0]["api_name"], "Name");
    let f = app
        .post("/api/v1/modules/Warranties/fields", &t, json!({"label": "Customer", "type": "lookup", "target_module": "Contacts", "mandatory": true}))
        .await;
    assert_eq!(f.status, StatusCode::CREATED, "{:?}", f.body);
    let e = app
        .post(
            "/api/v1/modules/Warranties/fields",
            &t,
            json!({"label": "Contact Email", "type": "email"}),
        )
        .await;
    assert_eq!(e.status, StatusCode::CREATED);
    let detail = app.get("/api/v1/modules/Warranties", &t).await;
    assert_eq!(detail.body["fields"][1]["target_module"], "Contacts");
    assert_eq!(
        detail.body["layouts"][0]["sections"][0]["fields"],
        json!(["Name", "Customer", "Contact_Email"])
    );

    let contact = app
        .post(
            "/api/v1/records/Contacts",
            &t,
            json!({"data": {"Last_Name": "Linked", "Email": "linked@example.com"}}),
        )
        .await;
    assert_eq!(contact.status, StatusCode::CREATED);
    let cid = contact.body["id"].as_i64().unwrap();
    for n in 1..=3 {
        let r = app
            .post(
                "/api/v1/records/Warranties",
                &t,
                json!({"data": {"Name": format!("W{n}"), "Customer": cid}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!(r.body["data"]["Customer"], json!(cid));
        assert!(r.body["owner_id"].as_i64().is_some());
    }
    let list = app.get("/api/v1/records/Warranties", &t).await;
    let names: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["data"]["Name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["W3", "W2", "W1"]);
    assert!(
        list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["data"]["Customer"] == json!(cid))
    );

    let bad_email = app
        .post(
            "/api/v1/records/Warranties",
            &t,
            json!({"data": {"Name": "X", "Customer": cid, "Contact_Email": "nope"}}),
        )
        .await;
    assert_eq!(
        (bad_email.status, bad_email.field(), bad_email.code()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Contact_Email",
            "invalid_email"
        )
    );
    let missing = app
        .post(
            "/api/v1/records/Warranties",
            &t,
            json!({"data": {"Name": "X"}}),
        )
        .await;
    assert_eq!(
        (missing.status, missing.field(), missing.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "Customer", "required")
    );
    let account = app.fx.accounts.client;
    let wrong_module = app
        .post(
            "/api/v1/records/Warranties",
            &t,
            json!({"data": {"Name": "X", "Customer": account}}),
        )
        .await;
    assert_eq!(
        (
            wrong_module.status,
            wrong_module.field(),
            wrong_module.code()
        ),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Customer",
            "invalid_lookup"
        )
    );
    let nothing = app
        .post(
            "/api/v1/records/Warranties",
            &t,
            json!({"data": {"Name": "X", "Customer": 99_999_999}}),
        )
        .await;
    assert_eq!(nothing.field(), "Customer");
    // Nothing was saved by the refused requests.
    assert_eq!(
        app.get("/api/v1/records/Warranties", &t).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

/// Acceptance: a lookup to another org's record is 422; another org's record answers 404 to
/// every verb, exactly like a missing one.
async fn other_orgs_records_are_not_found(app: TestApp) {
    let t = app.token(ADMIN).await;
    let rival = app.other_org().await;
    let ours = app.fx.contacts.client;
    let missing = app.get("/api/v1/records/Contacts/987654321", &rival).await;
    let theirs = app
        .get(&format!("/api/v1/records/Contacts/{ours}"), &rival)
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(
        theirs.body, missing.body,
        "indistinguishable from a missing record"
    );
    assert_eq!(
        app.patch(
            &format!("/api/v1/records/Contacts/{ours}"),
            &rival,
            json!({"data": {"Last_Name": "Pwned"}})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.delete(&format!("/api/v1/records/Contacts/{ours}"), &rival)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/records/Contacts/{ours}/restore"),
            &rival,
            json!({})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let cross = app
        .post(
            "/api/v1/records/Deals",
            &rival,
            json!({"data": {"Deal_Name": "X", "Stage": "Proposal", "Contact_Name": ours}}),
        )
        .await;
    assert_eq!(
        (cross.status, cross.field(), cross.code()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Contact_Name",
            "invalid_lookup"
        )
    );
    let listed = app.get("/api/v1/records/Contacts?limit=200", &rival).await;
    assert!(listed.body["items"].as_array().unwrap().is_empty());
    let still = app
        .get(&format!("/api/v1/records/Contacts/{ours}"), &t)
        .await;
    assert_eq!(still.status, StatusCode::OK);
    assert_ne!(still.body["data"]["Last_Name"], "Pwned");
}

/// Acceptance: a sales rep without delete permission gets 403 on delete; modules the profile
/// does not grant are 403; setup is for administrators.
async fn profiles_are_enforced(app: TestApp) {
    let rep = app.token(REP).await;
    let own = app.fx.contacts.rep[0];
    let del = app
        .delete(&format!("/api/v1/records/Contacts/{own}"), &rep)
        .await;
    assert_eq!(
        (del.status, del.code()),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    assert_eq!(
        app.get(&format!("/api/v1/records/Contacts/{own}"), &rep)
            .await
            .status,
        StatusCode::OK,
        "still there"
    );
    assert_eq!(
        app.get("/api/v1/records/Invoices", &rep).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            "/api/v1/records/Vendors",
            &rep,
            json!({"data": {"Vendor_Name": "V"}})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let product = app.fx.products[0];
    assert_eq!(
        app.patch(
            &format!("/api/v1/records/Products/{product}"),
            &rep,
            json!({"data": {"Unit_Price": 1}})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let mut modules: Vec<String> = app.get("/api/v1/modules", &rep).await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["api_name"].as_str().unwrap().to_string())
        .collect();
    modules.sort();
    let mut granted: Vec<String> = fixtures::REP_WORK_MODULES
        .iter()
        .chain(&["Products"])
        .map(|m| m.to_string())
        .collect();
    granted.sort();
    assert_eq!(modules, granted, "exactly the modules the profile grants");
    assert_eq!(
        app.post("/api/v1/modules", &rep, json!({"label": "Mine"}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            "/api/v1/modules/Contacts/fields",
            &rep,
            json!({"label": "X", "type": "text"})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.patch(
            "/api/v1/modules/Contacts",
            &rep,
            json!({"sharing": "public_read_only"})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/users", &rep).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post("/api/v1/users", &rep, json!({"email": format!("x@{}", fixtures::ORG_DOMAIN), "name": "X", "password": "long enough pw", "profile_id": app.fx.rep_profile, "super_admin": true})).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.patch("/api/v1/org", &rep, json!({"name": "Mine"}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // The rep creates a record: they own it, and may not give it to someone else.
    let created = app
        .post(
            "/api/v1/records/Cases",
            &rep,
            json!({"data": {"Subject": "Mine", "Status": "New"}}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let admin_id = app.fx.admin;
    assert_eq!(created.body["owner_id"], json!(app.fx.rep));
    let give = app
        .post(
            "/api/v1/records/Cases",
            &rep,
            json!({"data": {"Subject": "Gift", "Status": "New"}, "owner_id": admin_id}),
        )
        .await;
    assert_eq!(give.status, StatusCode::FORBIDDEN);
}

/// A rep with "own records" scope: others' records are 404 until data sharing opens them.
async fn record_scope_and_data_sharing(app: TestApp) {
    let admin = app.token(ADMIN).await;
    let rep = app.token(REP).await;
    let ids = |r: &support::Reply| -> Vec<i64> {
        let mut ids: Vec<i64> = r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .collect();
        ids.sort_unstable();
        ids
    };
    let all = app.get("/api/v1/records/Contacts?limit=200", &admin).await;
    assert_eq!(
        ids(&all),
        app.fx.contacts.all(),
        "the administrator sees all"
    );
    let seen = app.get("/api/v1/records/Contacts?limit=200", &rep).await;
    let mut mine = app.fx.contacts.rep.to_vec();
    mine.sort_unstable();
    assert_eq!(ids(&seen), mine, "the rep sees exactly their own");
    let hidden_id = app.fx.contacts.client;
    let theirs = format!("/api/v1/records/Contacts/{hidden_id}");
    assert_eq!(app.get(&theirs, &rep).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.patch(&theirs, &rep, json!({"data": {"Title": "x"}}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // A lookup to a record out of reach is refused exactly like a lookup to a missing one, so
    // lookups cannot probe which records exist.
    let hidden = app
        .post(
            "/api/v1/records/Deals",
            &rep,
            json!({"data": {"Deal_Name": "Probe", "Stage": "Proposal", "Contact_Name": hidden_id}}),
        )
        .await;
    let absent = app
        .post("/api/v1/records/Deals", &rep, json!({"data": {"Deal_Name": "Probe", "Stage": "Proposal", "Contact_Name": 987_654_321}}))
        .await;
    assert_eq!(
        (hidden.status, hidden.field(), hidden.code()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Contact_Name",
            "invalid_lookup"
        )
    );
    assert_eq!(
        hidden.body["error"]["message"]
            .as_str()
            .map(|m| m.replace(&hidden_id.to_string(), "N")),
        absent.body["error"]["message"]
            .as_str()
            .map(|m| m.replace("987654321", "N"))
    );
    let shared = app
        .patch(
            "/api/v1/modules/Contacts",
            &admin,
            json!({"sharing": "public_read_only"}),
        )
        .await;
    assert_eq!(
        (shared.status, shared.body["sharing"].as_str()),
        (StatusCode::OK, Some("public_read_only"))
    );
    assert_eq!(app.get(&theirs, &rep).await.status, StatusCode::OK);
    assert_eq!(
        app.patch(&theirs, &rep, json!({"data": {"Title": "x"}}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    app.patch(
        "/api/v1/modules/Contacts",
        &admin,
        json!({"sharing": "public_read_write_delete"}),
    )
    .await;
    let edited = app
        .patch(&theirs, &rep, json!({"data": {"Title": "Edited by rep"}}))
        .await;
    assert_eq!(
        (edited.status, edited.body["data"]["Title"].as_str()),
        (StatusCode::OK, Some("Edited by rep"))
    );
    assert_eq!(
        app.delete(&theirs, &rep).await.status,
        StatusCode::FORBIDDEN,
        "the profile still grants no delete"
    );
}

async fn authentication_is_required_and_throttled(app: TestApp) {
    let anon = app
        .call(Method::GET, "/api/v1/records/Contacts", None, None)
        .await;
    assert_eq!(
        (anon.status, anon.code()),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    assert_eq!(anon.headers.get("www-authenticate").unwrap(), "Bearer");
    assert_eq!(
        app.get("/api/v1/records/Contacts", "not-a-token")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let wrong = app
        .call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"email": ADMIN.0, "password": "wrong password"})),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let unknown = app
        .call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"email": format!("ghost@{}", fixtures::ORG_DOMAIN), "password": "whatever1234"})),
        )
        .await;
    assert_eq!(
        unknown.body, wrong.body,
        "unknown accounts look like wrong passwords"
    );

    let t = app.token(ADMIN).await;
    assert_eq!(
        app.get("/api/v1/records/Contacts", &t).await.status,
        StatusCode::OK
    );
    app.advance(31 * 24 * 3600 * 1000);
    assert_eq!(
        app.get("/api/v1/records/Contacts", &t).await.status,
        StatusCode::UNAUTHORIZED,
        "tokens expire"
    );

    for _ in 0..5 {
        app.call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"email": REP.0, "password": "guess guess"})),
        )
        .await;
    }
    let locked = app
        .call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"email": REP.0, "password": REP.1})),
        )
        .await;
    assert_eq!(
        (locked.status, locked.code()),
        (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"),
        "even the right password waits"
    );
    app.advance(16 * 60 * 1000);
    assert_eq!(
        app.call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"email": REP.0, "password": REP.1}))
        )
        .await
        .status,
        StatusCode::CREATED
    );
}

async fn bodies_are_strict(app: TestApp) {
    let t = app.token(ADMIN).await;
    let cases: [(&str, Value); 6] = [
        (
            "/api/v1/records/Contacts",
            json!({"data": {"Last_Name": "A"}, "colour": "red"}),
        ),
        (
            "/api/v1/records/Contacts",
            json!({"data": {"Last_Name": "A", "Favourite_Colour": "red"}}),
        ),
        ("/api/v1/modules", json!({"label": "Pets", "icon": "dog"})),
        (
            "/api/v1/modules/Contacts/fields",
            json!({"label": "Nick", "type": "text", "length": 5}),
        ),
        (
            "/api/v1/modules/Contacts/layouts",
            json!({"name": "L", "sections": [{"name": "S", "fields": ["Last_Name"], "cols": 2}]}),
        ),
        (
            "/api/v1/web-tabs",
            json!({"name": "N", "url": "https://x.example", "icon": "x"}),
        ),
    ];
    for (path, body) in cases {
        let r = app.post(path, &t, body).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {:?}",
            r.body
        );
        assert!(
            [
                "colour",
                "Favourite_Colour",
                "icon",
                "length",
                "cols",
                "body"
            ]
            .contains(&r.field())
                || r.code() == "unknown_field",
            "{path}: {:?}",
            r.body
        );
    }
    let id = app.fx.contacts.client;
    let p = app
        .patch(
            &format!("/api/v1/records/Contacts/{id}"),
            &t,
            json!({"data": {}, "extra": 1}),
        )
        .await;
    assert_eq!(
        (p.status, p.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "extra")
    );
    let q = app
        .get("/api/v1/records/Contacts?limit=5&sort=name", &t)
        .await;
    assert_eq!(
        (q.status, q.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "sort")
    );
    assert_eq!(
        app.get("/api/v1/records/Contacts?limit=0", &t).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.get("/api/v1/records/Contacts?after=abc", &t)
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let raw = app
        .client
        .post(format!("{}/api/v1/records/Contacts", app.base))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::BAD_REQUEST);
    let body: Value = raw.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request");
    assert_eq!(
        app.get("/api/v1/records/Contacts/abc", &t).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/records/NoSuchModule", &t).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn keyset_pages_and_search(app: TestApp) {
    let t = app.token(ADMIN).await;
    // Pages smaller than the fixture's contacts, so the cursor is followed.
    let mut ids = Vec::new();
    let mut pages = 0;
    let mut path = "/api/v1/records/Contacts?limit=3".to_string();
    loop {
        let page = app.get(&path, &t).await;
        assert_eq!(page.status, StatusCode::OK);
        pages += 1;
        ids.extend(
            page.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_i64().unwrap()),
        );
        match page.body["next"].as_str() {
            Some(next) => path = format!("/api/v1/records/Contacts?limit=3&after={next}"),
            None => break,
        }
    }
    let mut newest_first = app.fx.contacts.all();
    newest_first.reverse();
    assert_eq!(ids, newest_first, "every contact once, newest first");
    assert_eq!(pages, newest_first.len().div_ceil(3));
    let email = fixtures::CLIENT_EMAIL.to_uppercase();
    let found = app
        .get(&format!("/api/v1/records/Contacts?q={email}"), &t)
        .await;
    let hits = found.body["items"].as_array().unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["id"], json!(app.fx.contacts.client));
}

/// `q` is matched as literal text on both backends (the store's conformance suite has the
/// whole table): wildcards, FTS5 and SQL syntax, quotes, long and non-ASCII input answer 200
/// with what contains them — never an error — and the index finds fragments of words.
async fn searches_are_literal_over_http(app: TestApp) {
    let t = app.token(ADMIN).await;
    let encode = |q: &str| -> String {
        q.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    let search = |q: String| {
        let (app, t) = (&app, &t);
        async move {
            let found = app
                .get(&format!("/api/v1/records/Contacts?q={}", encode(&q)), t)
                .await;
            assert_eq!(found.status, StatusCode::OK, "{q:?}: {:?}", found.body);
            found.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_i64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    let client = app.fx.contacts.client;
    // Fragments of the client's name and email: a word's inside, across name and email.
    for q in ["arl", "ARLA CLI", "la client carla@", "ent.exam", "la@cl"] {
        assert_eq!(search(q.to_string()).await, [client], "{q:?}");
    }
    for q in [
        "\"",
        "\"carla",
        "carla\"",
        "*",
        "carla*",
        "%",
        "_",
        "\\",
        "OR",
        "carla OR client",
        "NEAR(carla",
        "NEAR(carla client)",
        "col:carla",
        "^carla",
        "'; DROP TABLE records; --",
        "🦀",
        "קרלה",
        "c%a",
        "c_rla",
    ] {
        assert!(search(q.to_string()).await.is_empty(), "{q:?}");
    }
    assert!(search("carla\"client".repeat(200)).await.is_empty(), "2 KB");
    // Everything is still there.
    assert_eq!(search("carla".into()).await, [client]);
}

async fn recycle_bin_round_trip(app: TestApp) {
    let t = app.token(ADMIN).await;
    let id = app.fx.deals.client;
    let path = format!("/api/v1/records/Deals/{id}");
    assert_eq!(app.delete(&path, &t).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&path, &t).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.delete(&path, &t).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.patch(&path, &t, json!({"data": {"Amount": 1}}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let restored = app.post(&format!("{path}/restore"), &t, json!({})).await;
    assert_eq!(
        (restored.status, restored.body["id"].as_i64()),
        (StatusCode::OK, Some(id))
    );
    assert_eq!(
        app.post(&format!("{path}/restore"), &t, json!({}))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "only binned records restore"
    );
    assert_eq!(app.get(&path, &t).await.status, StatusCode::OK);
}

async fn setup_through_the_api(app: TestApp) {
    let t = app.token(ADMIN).await;
    let layout = app.post("/api/v1/modules/Deals/layouts", &t, json!({"name": "Quick", "sections": [{"name": "Main", "fields": ["Deal_Name", "Stage", "Amount"]}]})).await;
    assert_eq!(layout.status, StatusCode::CREATED, "{:?}", layout.body);
    let dup = app.post("/api/v1/modules/Deals/layouts", &t, json!({"name": "Quick", "sections": [{"name": "Main", "fields": ["Deal_Name", "Stage"]}]})).await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    let missing = app
        .post(
            "/api/v1/modules/Deals/layouts",
            &t,
            json!({"name": "Bad", "sections": [{"name": "Main", "fields": ["Amount"]}]}),
        )
        .await;
    assert_eq!(
        (missing.status, missing.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "sections")
    );
    let canvas = app
        .patch(
            "/api/v1/modules/Deals",
            &t,
            json!({"canvas_template": "Deal {{Deal_Name}} at {{Stage}}"}),
        )
        .await;
    assert_eq!(
        canvas.body["canvas_template"],
        "Deal {{Deal_Name}} at {{Stage}}"
    );
    let bad = app
        .patch(
            "/api/v1/modules/Deals",
            &t,
            json!({"canvas_template": "{{Nope}}"}),
        )
        .await;
    assert_eq!(
        (bad.status, bad.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "canvas_template")
    );
    let cleared = app
        .patch(
            "/api/v1/modules/Deals",
            &t,
            json!({"canvas_template": null}),
        )
        .await;
    assert_eq!(cleared.body["canvas_template"], Value::Null);
    let picklist = app
        .post(
            "/api/v1/modules/Deals/fields",
            &t,
            json!({"label": "Region", "type": "picklist", "options": ["North", "South"]}),
        )
        .await;
    assert_eq!(picklist.status, StatusCode::CREATED);
    let id = app.fx.deals.client;
    let wrong = app
        .patch(
            &format!("/api/v1/records/Deals/{id}"),
            &t,
            json!({"data": {"Region": "East"}}),
        )
        .await;
    assert_eq!(
        (wrong.status, wrong.field(), wrong.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "Region", "invalid_option")
    );

    let profile = app.post("/api/v1/profiles", &t, json!({"name": "Support", "scope": "own", "permissions": {"Cases": {"view": true, "edit": true}}})).await;
    assert_eq!(profile.status, StatusCode::CREATED, "{:?}", profile.body);
    let bad_profile = app
        .post(
            "/api/v1/profiles",
            &t,
            json!({"name": "Ghost", "scope": "own", "permissions": {"Ghosts": {"view": true}}}),
        )
        .await;
    assert_eq!(
        (bad_profile.status, bad_profile.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "permissions")
    );
    let pid = profile.body["id"].as_i64().unwrap();
    let sue_email = format!("sue@{}", fixtures::ORG_DOMAIN);
    let user = app.post("/api/v1/users", &t, json!({"email": sue_email, "name": "Sue Support", "password": "support-pass-1", "profile_id": pid})).await;
    assert_eq!(user.status, StatusCode::CREATED, "{:?}", user.body);
    let short = app.post("/api/v1/users", &t, json!({"email": format!("tim@{}", fixtures::ORG_DOMAIN), "name": "Tim", "password": "short", "profile_id": pid})).await;
    assert_eq!(
        (short.status, short.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "password")
    );
    let again = app.post("/api/v1/users", &t, json!({"email": sue_email.to_uppercase(), "name": "Sue", "password": "support-pass-1", "profile_id": pid})).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let sue = app.token((&sue_email, "support-pass-1")).await;
    assert_eq!(
        app.get("/api/v1/records/Deals", &sue).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            "/api/v1/records/Cases",
            &sue,
            json!({"data": {"Subject": "S", "Status": "New"}})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    let org = app
        .patch(
            "/api/v1/org",
            &t,
            json!({"country": "de", "time_zone": "Europe/Berlin"}),
        )
        .await;
    assert_eq!(
        (org.status, org.body["country"].as_str()),
        (StatusCode::OK, Some("DE"))
    );
    let bad_org = app
        .patch("/api/v1/org", &t, json!({"email_domain": "not a domain"}))
        .await;
    assert_eq!(
        (bad_org.status, bad_org.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "email_domain")
    );
    let tab = app
        .post(
            "/api/v1/web-tabs",
            &t,
            json!({"name": "Docs", "url": "javascript:alert(1)"}),
        )
        .await;
    assert_eq!(
        (tab.status, tab.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "url")
    );
    let tabs = app.get("/api/v1/web-tabs", &t).await;
    assert_eq!(
        tabs.body["items"],
        json!([{"id": app.fx.web_tab, "name": fixtures::WEB_TAB, "url": fixtures::WEB_TAB_URL}]),
        "the refused tab was not saved"
    );
    let tab_id = app.fx.web_tab;
    assert_eq!(
        app.delete(&format!("/api/v1/web-tabs/{tab_id}"), &t)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get("/api/v1/web-tabs", &t).await.body["items"],
        json!([])
    );
}
