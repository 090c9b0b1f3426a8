//! Portal configuration through the API, on SQLite and PostgreSQL: portals, settings, user
//! types and their tab/field configuration with every refusal, seats, data sharing changes, and
//! configuration as code (export → import into another org, dry run). The portal under test is
//! the fixture's (`portico_testkit::fixtures`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use portico_testkit::fixtures::{self, CLIENT_TYPE, PORTAL_NAME, PORTAL_SLUG, VENDOR_TYPE};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{ADMIN, REP, TestApp};

on_both_backends!(
    portals_are_created_named_and_addressed,
    settings_are_validated_and_saved,
    user_types_are_checked_as_a_whole,
    seats_must_be_purchased,
    private_modules_leave_public_tabs,
    configuration_round_trips_between_orgs,
    portal_setup_is_for_administrators,
);

/// The fixture portal's id and its user types as the API shows them.
async fn fixture_portal(app: &TestApp, t: &str) -> (i64, Vec<Value>) {
    let list = app.get("/api/v1/portals", t).await;
    let items = list.body["items"].as_array().unwrap();
    let portal = items.iter().find(|p| p["name"] == PORTAL_NAME).unwrap();
    let id = portal["id"].as_i64().unwrap();
    assert_eq!(id, app.fx.portal);
    let types = app
        .get(&format!("/api/v1/portals/{id}/user-types"), t)
        .await;
    (id, types.body["items"].as_array().unwrap().clone())
}

async fn portals_are_created_named_and_addressed(app: TestApp) {
    let t = app.token(ADMIN).await;
    // As the OpenAPI document says: a name is a string of 1 to 100 characters, or left out.
    for bad in [json!({"name": null}), json!({"name": "  "})] {
        let r = app.post("/api/v1/portals", &t, bad.clone()).await;
        assert_eq!(
            (r.status, r.field()),
            (StatusCode::UNPROCESSABLE_ENTITY, "name"),
            "{bad}: {:?}",
            r.body
        );
    }
    let r = app.post("/api/v1/portals", &t, json!({"name": 7})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    // The name defaults to the company name and makes the address.
    let p = app.post("/api/v1/portals", &t, json!({})).await;
    assert_eq!(p.status, StatusCode::CREATED, "{:?}", p.body);
    let slug = fixtures::ORG_NAME.to_lowercase();
    assert_eq!(
        (p.body["name"].as_str(), p.body["slug"].as_str()),
        (Some(fixtures::ORG_NAME), Some(slug.as_str()))
    );
    assert!(
        p.body["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/p/{slug}/"))
    );
    assert_eq!(
        (p.body["status"].as_str(), p.body["portal_type"].as_str()),
        (Some("enabled"), Some("private"))
    );
    let id = p.body["id"].as_i64().unwrap();
    // The default user type exists from the start, is for customers and cannot be deleted.
    let types = app
        .get(&format!("/api/v1/portals/{id}/user-types"), &t)
        .await;
    let client = &types.body["items"][0];
    assert_eq!(
        (
            client["name"].as_str(),
            client["is_default"].as_bool(),
            client["customer"].as_bool()
        ),
        (Some(CLIENT_TYPE), Some(true), Some(true))
    );
    assert_eq!(client["seats"], 10_000);
    assert_eq!(p.body["default_user_type_id"], client["id"]);
    let del = app
        .delete(
            &format!("/api/v1/portals/{id}/user-types/{}", client["id"]),
            &t,
        )
        .await;
    assert_eq!(del.status, StatusCode::CONFLICT);
    // A name used by any portal on the instance, in any org, is refused.
    assert_eq!(
        app.post("/api/v1/portals", &t, json!({"name": slug}))
            .await
            .status,
        StatusCode::CONFLICT
    );
    let rival = app.other_org().await;
    let taken = app
        .post(
            "/api/v1/portals",
            &rival,
            json!({"name": PORTAL_NAME.to_uppercase()}),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert!(
        taken.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("choose another name")
    );
    // The name is fixed; the address can change (and must be free).
    let renamed = app
        .patch(
            &format!("/api/v1/portals/{id}"),
            &t,
            json!({"name": "Other"}),
        )
        .await;
    assert_eq!(
        (renamed.status, renamed.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "name")
    );
    let moved = app
        .patch(
            &format!("/api/v1/portals/{id}"),
            &t,
            json!({"slug": "northwind-partners"}),
        )
        .await;
    assert_eq!(
        (moved.status, moved.body["slug"].as_str()),
        (StatusCode::OK, Some("northwind-partners"))
    );
    let clash = app
        .patch(
            &format!("/api/v1/portals/{id}"),
            &t,
            json!({"slug": PORTAL_SLUG}),
        )
        .await;
    assert_eq!(clash.status, StatusCode::CONFLICT);
    let bad = app
        .patch(
            &format!("/api/v1/portals/{id}"),
            &t,
            json!({"slug": "Not A Slug"}),
        )
        .await;
    assert_eq!(
        (bad.status, bad.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "slug")
    );
    // Portals cannot be deleted: there is no such route.
    let gone = app.delete(&format!("/api/v1/portals/{id}"), &t).await;
    assert_eq!(gone.status, StatusCode::METHOD_NOT_ALLOWED);
    // Another org's portal is not found.
    assert_eq!(
        app.get(&format!("/api/v1/portals/{id}"), &rival)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn settings_are_validated_and_saved(app: TestApp) {
    let t = app.token(ADMIN).await;
    let (id, types) = fixture_portal(&app, &t).await;
    let path = format!("/api/v1/portals/{id}");
    let admin_id = app.fx.admin;
    let vendors = named(&types, VENDOR_TYPE)["id"].as_i64().unwrap();
    assert_eq!(vendors, app.fx.vendor_type);
    let saved = app
        .patch(
            &path,
            &t,
            json!({
                "status": "disabled", "disabled_message": "Back at noon", "portal_type": "restricted",
                "signup_notify_user_ids": [admin_id], "notify_applicant": true, "auto_approve_contacts": true,
                "default_user_type_id": vendors, "allow_email_change": true, "enforce_mfa": true,
                "idle_timeout_minutes": 30, "ga_measurement_id": "G-NORTHWIND1", "ga_terms_accepted": true,
                "consent_text": {"signup": "We measure visits with Google Analytics.", "signin": "", "reset_password": "", "confirm_password": ""},
                "custom_domain": "portal.northwind.example"
            }),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    let got = app.get(&path, &t).await.body;
    assert_eq!(
        (
            got["status"].as_str(),
            got["disabled_message"].as_str(),
            got["idle_timeout_minutes"].as_i64()
        ),
        (Some("disabled"), Some("Back at noon"), Some(30))
    );
    assert_eq!(
        (
            got["enforce_mfa"].as_bool(),
            got["default_user_type_id"].as_i64()
        ),
        (Some(true), Some(vendors))
    );
    assert_eq!(got["domain_verified"], false);
    assert_eq!(
        got["domain_verification"]["name"],
        "_portico.portal.northwind.example"
    );
    // Each refusal names the setting and saves nothing.
    let cases = [
        (json!({"idle_timeout_minutes": 45}), "idle_timeout_minutes"),
        (json!({"ga_measurement_id": "UA-1234"}), "ga_measurement_id"),
        (
            json!({"ga_measurement_id": "G-NEWONE123", "ga_terms_accepted": false}),
            "ga_terms_accepted",
        ),
        (
            json!({"portal_type": "private", "notify_applicant": false, "auto_approve_contacts": false}),
            "signup_notify_user_ids",
        ),
        (json!({"portal_type": "public"}), "portal_type"),
        (
            json!({"signup_notify_user_ids": [999_999]}),
            "signup_notify_user_ids",
        ),
        (
            json!({"default_user_type_id": 999_999}),
            "default_user_type_id",
        ),
        (json!({"custom_domain": "not a domain"}), "custom_domain"),
        (json!({"enforce_mfa": "yes"}), "body"),
        (json!({"colour": "blue"}), "colour"),
    ];
    for (patch, field) in cases {
        let r = app.patch(&path, &t, patch.clone()).await;
        assert_eq!(
            (r.status, r.field()),
            (StatusCode::UNPROCESSABLE_ENTITY, field),
            "{patch}: {:?}",
            r.body
        );
    }
    assert_eq!(app.get(&path, &t).await.body, got, "nothing was half-saved");
}

/// The user type named `name`.
fn named<'a>(types: &'a [Value], name: &str) -> &'a Value {
    types.iter().find(|t| t["name"] == name).unwrap()
}

async fn user_types_are_checked_as_a_whole(app: TestApp) {
    let t = app.token(ADMIN).await;
    let (id, types) = fixture_portal(&app, &t).await;
    let customers = named(&types, CLIENT_TYPE).clone();
    assert_eq!(customers["id"], json!(app.fx.client_type));
    let path = format!("/api/v1/portals/{id}/user-types/{}", customers["id"]);
    // The stored document round-trips through PUT unchanged.
    let same = app
        .call(
            reqwest::Method::PUT,
            &path,
            Some(&t),
            Some(customers.clone()),
        )
        .await;
    assert_eq!(same.status, StatusCode::OK, "{:?}", same.body);
    assert_eq!(same.body, customers);
    let modules = |doc: &Value| doc["modules"].as_array().unwrap().clone();
    let with_module = |extra: Value| {
        let mut doc = customers.clone();
        let mut m = modules(&doc);
        m.push(extra);
        doc["modules"] = Value::Array(m);
        doc
    };
    // The same, without the public Products module.
    let without_products = |extra: Value| {
        let mut doc = with_module(extra);
        let m: Vec<Value> = modules(&doc)
            .into_iter()
            .filter(|m| m["module"] != "Products")
            .collect();
        doc["modules"] = Value::Array(m);
        doc
    };
    let layout = |fields: &[&str]| json!([{"layout": "Standard", "fields": fields.iter().map(|f| json!({"field": f})).collect::<Vec<_>>()}]);
    let refusals = [
        (
            with_module(
                json!({"module": "Vendors", "role": "related", "permissions": {"view": true}, "layouts": layout(&["Vendor_Name"])}),
            ),
            "no_lookup",
        ),
        (
            with_module(
                json!({"module": "Accounts", "role": "public", "permissions": {"view": true}, "layouts": layout(&["Account_Name"])}),
            ),
            "not_public",
        ),
        (
            with_module(
                json!({"module": "Leads", "role": "related", "layouts": layout(&["Last_Name"])}),
            ),
            "no_lookup",
        ),
        (
            with_module(
                json!({"module": "Notes", "role": "related", "permissions": {"view": true}, "layouts": [{"layout": "Quick", "fields": []}]}),
            ),
            "unknown_layout",
        ),
        (
            with_module(
                json!({"module": "Notes", "role": "related", "permissions": {"view": true}, "layouts": layout(&["Deal_Name"])}),
            ),
            "unknown_field",
        ),
        (
            with_module(
                json!({"module": "Notes", "role": "related", "permissions": {"view": true, "create": true}, "layouts": layout(&["Note_Content"])}),
            ),
            "mandatory_hidden",
        ),
        (
            without_products(
                json!({"module": "Quotes", "role": "related", "permissions": {"view": true, "create": true}, "layouts": layout(&["Subject", "Product_Details"])}),
            ),
            "products_not_shared",
        ),
        (
            with_module(
                json!({"module": "Ghosts", "role": "related", "layouts": layout(&["Name"])}),
            ),
            "invalid_api_name_or_unknown",
        ),
    ];
    for (doc, code) in refusals {
        let r = app
            .call(reqwest::Method::PUT, &path, Some(&t), Some(doc))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{code}: {:?}",
            r.body
        );
        if code != "invalid_api_name_or_unknown" {
            assert_eq!(r.code(), code, "{:?}", r.body);
        }
        assert!(
            r.field().starts_with("modules["),
            "the field names the module entry: {:?}",
            r.body
        );
    }
    // Unknown keys anywhere in the document are refused.
    let mut unknown = customers.clone();
    unknown["modules"][0]["colour"] = json!("red");
    assert_eq!(
        app.call(reqwest::Method::PUT, &path, Some(&t), Some(unknown))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Products can be public or related, never both.
    let mut both = customers.clone();
    let mut m = modules(&both);
    m.push(json!({"module": "Products", "role": "related", "permissions": {"view": true}, "layouts": layout(&["Product_Name"])}));
    both["modules"] = Value::Array(m);
    assert_eq!(
        app.call(reqwest::Method::PUT, &path, Some(&t), Some(both))
            .await
            .code(),
        "duplicate_module"
    );
    // The default type stays a customer type.
    let mut vendor_default = customers.clone();
    vendor_default["customer"] = json!(false);
    assert_eq!(
        app.call(reqwest::Method::PUT, &path, Some(&t), Some(vendor_default))
            .await
            .field(),
        "customer"
    );
    // Nothing of the refused documents was saved.
    assert_eq!(app.get(&path, &t).await.body, customers);
    // A valid change saves as a whole: the lookup filter defaults to the lookups to Contacts.
    let ok = with_module(
        json!({"module": "Notes", "role": "related", "permissions": {"view": true}, "layouts": layout(&["Note_Title"])}),
    );
    let saved = app
        .call(reqwest::Method::PUT, &path, Some(&t), Some(ok))
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    let notes = saved.body["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["module"] == "Notes")
        .unwrap()
        .clone();
    assert_eq!(notes["lookup_fields"], json!(["Contact"]));
    assert_eq!(notes["view"], "list");
    // A chosen lookup filter is kept as chosen: the licences by holder, not by co-driver.
    let licences = saved.body["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["module"] == fixtures::CUSTOM_MODULE)
        .unwrap()
        .clone();
    assert_eq!(
        licences["lookup_fields"],
        json!(fixtures::CLIENT_LICENCE_LOOKUPS)
    );
}

async fn seats_must_be_purchased(app: TestApp) {
    let t = app.token(ADMIN).await;
    let (id, _) = fixture_portal(&app, &t).await;
    let seats = app.get("/api/v1/seats", &t).await;
    assert_eq!(
        (seats.body["granted"].as_i64(), seats.body["used"].as_i64()),
        (
            Some(fixtures::SEATS_GRANTED),
            Some(fixtures::VENDOR_TYPE_SEATS)
        ),
        "the fixture's grant, and the seats its Vendors type takes"
    );
    assert_eq!(
        seats.body["grants"][0]["granted_by"],
        fixtures::SEATS_GRANTED_BY
    );
    // An RFC 3339 timestamp like every other, not epoch milliseconds.
    let granted_at = seats.body["grants"][0]["granted_at"].as_str().unwrap();
    assert!(
        granted_at.len() >= 20
            && granted_at.as_bytes()[4] == b'-'
            && granted_at.as_bytes()[10] == b'T'
            && granted_at.ends_with('Z'),
        "{granted_at}"
    );
    let free = fixtures::SEATS_GRANTED - fixtures::VENDOR_TYPE_SEATS;
    assert_eq!(seats.body["free"].as_i64(), Some(free));
    let partners = |n: i64| {
        json!({"name": "Partners", "personality_module": "Leads", "customer": false, "seats": n,
        "modules": [{"module": "Leads", "role": "personality", "permissions": {"view": true}, "layouts": [{"layout": "Standard", "fields": [{"field": "Last_Name"}]}]}]})
    };
    let too_many = app
        .post(
            &format!("/api/v1/portals/{id}/user-types"),
            &t,
            partners(free + 1),
        )
        .await;
    assert_eq!(
        (too_many.status, too_many.field(), too_many.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "seats", "seat_limit")
    );
    let none = app
        .post(&format!("/api/v1/portals/{id}/user-types"), &t, partners(0))
        .await;
    assert_eq!(none.code(), "seat_limit");
    let ok = app
        .post(
            &format!("/api/v1/portals/{id}/user-types"),
            &t,
            partners(free),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{:?}", ok.body);
    assert_eq!(app.post(&format!("/api/v1/portals/{id}/user-types"), &t, json!({"name": "More", "personality_module": "Leads", "customer": false, "seats": 1, "modules": ok.body["modules"].clone()})).await.code(), "seat_limit");
    // The operator grants more (the CLI calls the same service).
    portico_app::seats::grant_seats(&app.state, app.fx.org, 10, "ops@example.com", "PO-7")
        .await
        .unwrap();
    // A duplicate name is a conflict (checked while seats are free).
    assert_eq!(
        app.post(&format!("/api/v1/portals/{id}/user-types"), &t, partners(1))
            .await
            .status,
        StatusCode::CONFLICT
    );
    let more = app.post(&format!("/api/v1/portals/{id}/user-types"), &t, json!({"name": "More", "personality_module": "Leads", "customer": false, "seats": 10, "modules": ok.body["modules"].clone()})).await;
    assert_eq!(more.status, StatusCode::CREATED, "{:?}", more.body);
    // A deleted type frees its seats.
    assert_eq!(
        app.delete(
            &format!("/api/v1/portals/{id}/user-types/{}", more.body["id"]),
            &t
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.get("/api/v1/seats", &t).await.body["free"], 10);
}

async fn private_modules_leave_public_tabs(app: TestApp) {
    let t = app.token(ADMIN).await;
    let (id, types) = fixture_portal(&app, &t).await;
    let customers = named(&types, CLIENT_TYPE);
    assert!(
        customers["modules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["module"] == "Products" && m["role"] == "public")
    );
    let vendors = named(&types, VENDOR_TYPE);
    assert!(
        vendors["modules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["module"] == "Products" && m["role"] == "related")
    );
    let r = app
        .patch(
            "/api/v1/modules/Products",
            &t,
            json!({"sharing": "private"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let (_, after) = fixture_portal(&app, &t).await;
    assert!(
        !named(&after, CLIENT_TYPE)["modules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["module"] == "Products"),
        "removed from public modules"
    );
    assert!(
        named(&after, VENDOR_TYPE)["modules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["module"] == "Products"),
        "related modules stay"
    );
    // A deleted web tab leaves the user types that showed it.
    assert_eq!(
        named(&after, CLIENT_TYPE)["web_tabs"],
        json!([fixtures::WEB_TAB])
    );
    let tab_id = app.fx.web_tab;
    assert_eq!(
        app.delete(&format!("/api/v1/web-tabs/{tab_id}"), &t)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let (_, last) = fixture_portal(&app, &t).await;
    assert_eq!(named(&last, CLIENT_TYPE)["web_tabs"], json!([]));
    let _ = id;
}

async fn configuration_round_trips_between_orgs(app: TestApp) {
    let t = app.token(ADMIN).await;
    let (id, _) = fixture_portal(&app, &t).await;
    let exported = app.get(&format!("/api/v1/portals/{id}/config"), &t).await;
    assert_eq!(exported.status, StatusCode::OK);
    let doc = exported.body.clone();
    assert_eq!(doc["settings"]["default_user_type"], CLIENT_TYPE);

    // A fresh org with the same modules: the custom module and web tab the configuration uses.
    let rival = app.other_org().await;
    assert_eq!(
        app.post(
            "/api/v1/modules",
            &rival,
            json!({"label": fixtures::CUSTOM_MODULE_LABEL})
        )
        .await
        .status,
        StatusCode::CREATED
    );
    for f in fixtures::custom_module_fields() {
        assert_eq!(
            app.post(
                &format!("/api/v1/modules/{}/fields", fixtures::CUSTOM_MODULE),
                &rival,
                f
            )
            .await
            .status,
            StatusCode::CREATED
        );
    }
    app.post(
        "/api/v1/web-tabs",
        &rival,
        json!({"name": fixtures::WEB_TAB, "url": "https://www.rival.example/news"}),
    )
    .await;
    app.patch(
        "/api/v1/modules/Products",
        &rival,
        json!({"sharing": "public_read_only"}),
    )
    .await;
    let portal = app
        .post("/api/v1/portals", &rival, json!({"name": "Rival Portal"}))
        .await;
    let rid = portal.body["id"].as_i64().unwrap();
    let config = format!("/api/v1/portals/{rid}/config");

    // The configuration needs seats the rival has not bought.
    let unpaid = app
        .call(
            reqwest::Method::PUT,
            &config,
            Some(&rival),
            Some(doc.clone()),
        )
        .await;
    assert_eq!(
        (unpaid.status, unpaid.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "seat_limit")
    );
    let rival_org = app.org_of(fixtures::RIVAL_ADMIN.0).await;
    portico_app::seats::grant_seats(&app.state, rival_org, 100, "ops", "")
        .await
        .unwrap();

    let dry = app
        .call(
            reqwest::Method::PUT,
            &format!("{config}?dry_run=true"),
            Some(&rival),
            Some(doc.clone()),
        )
        .await;
    assert_eq!(dry.status, StatusCode::OK, "{:?}", dry.body);
    assert_eq!(
        (dry.body["dry_run"].as_bool(), dry.body["applied"].as_bool()),
        (Some(true), Some(false))
    );
    let paths: Vec<&str> = dry.body["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&format!("user_types[{VENDOR_TYPE}]").as_str()),
        "{paths:?}"
    );
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with(&format!("user_types[{CLIENT_TYPE}].modules"))),
        "{paths:?}"
    );
    let untouched = app.get(&config, &rival).await.body;
    assert_eq!(
        untouched["user_types"].as_array().unwrap().len(),
        1,
        "a dry run changes nothing"
    );

    let applied = app
        .call(
            reqwest::Method::PUT,
            &config,
            Some(&rival),
            Some(doc.clone()),
        )
        .await;
    assert_eq!(
        (applied.status, applied.body["applied"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{:?}",
        applied.body
    );
    let reproduced = app.get(&config, &rival).await.body;
    let mut expected = doc.clone();
    expected["settings"]["signup_notify_users"] = json!([]);
    assert_eq!(
        reproduced, expected,
        "export → import reproduces the configuration"
    );
    let again = app
        .call(
            reqwest::Method::PUT,
            &format!("{config}?dry_run=true"),
            Some(&rival),
            Some(doc.clone()),
        )
        .await;
    assert_eq!(again.body["changes"], json!([]), "nothing left to change");

    // An invalid document is refused whole, naming the user type and module.
    let mut broken = doc.clone();
    broken["user_types"][0]["modules"][1]["module"] = json!("Accounts");
    let r = app
        .call(reqwest::Method::PUT, &config, Some(&rival), Some(broken))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.field().starts_with("user_types[0].modules[1]"),
        "{:?}",
        r.body
    );
    assert_eq!(app.get(&config, &rival).await.body, reproduced);
    // Removing the default user type is refused.
    let mut without_default = doc.clone();
    without_default["user_types"] = json!([doc["user_types"][1].clone()]);
    without_default["settings"]["default_user_type"] = json!(VENDOR_TYPE);
    assert_eq!(
        app.call(
            reqwest::Method::PUT,
            &config,
            Some(&rival),
            Some(without_default)
        )
        .await
        .status,
        StatusCode::CONFLICT
    );
}

async fn portal_setup_is_for_administrators(app: TestApp) {
    let admin = app.token(ADMIN).await;
    let rep = app.token(REP).await;
    let (id, _) = fixture_portal(&app, &admin).await;
    let tid = app.fx.vendor_type;
    for (method, path) in [
        (reqwest::Method::GET, "/api/v1/portals".to_string()),
        (reqwest::Method::POST, "/api/v1/portals".to_string()),
        (reqwest::Method::GET, format!("/api/v1/portals/{id}")),
        (reqwest::Method::PATCH, format!("/api/v1/portals/{id}")),
        (
            reqwest::Method::GET,
            format!("/api/v1/portals/{id}/user-types"),
        ),
        (
            reqwest::Method::PUT,
            format!("/api/v1/portals/{id}/user-types/{tid}"),
        ),
        (
            reqwest::Method::DELETE,
            format!("/api/v1/portals/{id}/user-types/{tid}"),
        ),
        (reqwest::Method::GET, format!("/api/v1/portals/{id}/config")),
        (reqwest::Method::GET, "/api/v1/seats".to_string()),
    ] {
        let body = if method == reqwest::Method::GET || method == reqwest::Method::DELETE {
            None
        } else {
            Some(json!({}))
        };
        let r = app.call(method.clone(), &path, Some(&rep), body).await;
        assert!(
            r.status == StatusCode::FORBIDDEN || r.status == StatusCode::UNPROCESSABLE_ENTITY,
            "{method} {path}: {}",
            r.status
        );
        assert_ne!(r.status, StatusCode::OK);
    }
    // Nothing the rep tried changed anything.
    let (_, types) = fixture_portal(&app, &admin).await;
    assert_eq!(types.len(), 2);
    // Every change of the fixture's set-up is in the audit log.
    let log = app.store.audit_log(app.fx.org, 50).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    for a in [
        "portal.create",
        "portal.user_type.update",
        "portal.user_type.create",
        "seats.grant",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
}

mod preview {
    use super::*;

    fn sorted(mut ids: Vec<i64>) -> Vec<i64> {
        ids.sort_unstable();
        ids
    }

    fn ids(tab: &Value) -> Vec<i64> {
        sorted(
            tab["records"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_i64().unwrap())
                .collect(),
        )
    }

    fn strings(v: &Value) -> Vec<&str> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn preview_shows_exactly_what_the_configuration_allows() {
        let app = support::spawn(support::Backend::Sqlite).await.unwrap();
        let t = app.token(ADMIN).await;
        let (id, types) = fixture_portal(&app, &t).await;
        let client = named(&types, CLIENT_TYPE)["id"].as_i64().unwrap();
        let fx = &app.fx;
        // The client: deals, cases, invoices and licences link to them; the other contact's
        // do not.
        let contact = fx.contacts.client;

        let p = app
            .get(
                &format!("/api/v1/portals/{id}/preview?user_type={client}&record={contact}"),
                &t,
            )
            .await;
        assert_eq!(p.status, StatusCode::OK, "{:?}", p.body);
        assert_eq!(p.body["preview"], true);
        assert_eq!(p.body["as_record"]["name"], fixtures::CLIENT_NAME);
        let tabs = p.body["tabs"].as_array().unwrap();
        let modules: Vec<&str> = tabs.iter().map(|t| t["module"].as_str().unwrap()).collect();
        assert_eq!(modules, fixtures::CLIENT_TYPE_MODULES);
        assert_eq!(p.body["web_tabs"][0]["name"], fixtures::WEB_TAB);
        let tab = |m: &str| tabs.iter().find(|t| t["module"] == m).unwrap();
        assert_eq!(ids(tab("Contacts")), [contact], "only their own record");
        assert_eq!(
            ids(tab("Deals")),
            sorted(vec![fx.deals.client, fx.deals.rep_on_client]),
            "exactly the deals linked to them, whoever owns them"
        );
        assert_eq!(ids(tab("Cases")), sorted(fx.cases.client.to_vec()));
        assert_eq!(ids(tab("Invoices")), sorted(fx.invoices.client.to_vec()));
        assert_eq!(
            ids(tab(fixtures::CUSTOM_MODULE)),
            [fx.licences.held_by_client],
            "licences through the chosen lookup only: co-driving one does not count"
        );
        assert_eq!(
            ids(tab("Products")),
            sorted(fx.products.clone()),
            "a public module shows all its records"
        );
        // Fields: what the layouts share, no more.
        let contact_columns = strings(&tab("Contacts")["columns"]);
        assert!(contact_columns.contains(&app.label("Contacts", "Email", &t).await.as_str()));
        for hidden in fixtures::CLIENT_HIDDEN_CONTACT_FIELDS {
            let label = app.label("Contacts", hidden, &t).await;
            assert!(!contact_columns.contains(&label.as_str()), "{label}");
        }
        let product_columns = strings(&tab("Products")["columns"]);
        assert!(product_columns.contains(&app.label("Products", "Unit_Price", &t).await.as_str()));
        for hidden in fixtures::CLIENT_HIDDEN_PRODUCT_FIELDS {
            let label = app.label("Products", hidden, &t).await;
            assert!(!product_columns.contains(&label.as_str()), "{label}");
        }
        let deal_columns = strings(&tab("Deals")["columns"]);
        assert!(deal_columns.contains(&app.label("Deals", "Amount", &t).await.as_str()));
        for hidden in fixtures::CLIENT_HIDDEN_DEAL_FIELDS {
            let label = app.label("Deals", hidden, &t).await;
            assert!(!deal_columns.contains(&label.as_str()), "{label}");
        }
        assert_eq!(tab("Deals")["actions"], json!(["view"]));
        assert_eq!(tab("Cases")["actions"], json!(["view", "create", "edit"]));
        let mut writable = Vec::new();
        for f in fixtures::CLIENT_EDITABLE_CONTACT_FIELDS {
            writable.push(app.label("Contacts", f, &t).await);
        }
        assert_eq!(tab("Contacts")["writable_fields"], json!(writable));
        // Lookups show names only for records in the portal user's reach.
        let deal_row = tab("Deals")["records"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == json!(fx.deals.client))
            .unwrap()["values"]
            .clone();
        let cells = strings(&deal_row);
        assert!(
            cells.contains(&fixtures::CLIENT_NAME),
            "the client is in reach: {deal_row}"
        );
        assert!(
            cells.contains(&"(not shared)"),
            "the account is out of reach: {deal_row}"
        );
        let account = fx.accounts.client.to_string();
        assert!(
            cells
                .iter()
                .all(|c| !c.contains(fixtures::CLIENT_ACCOUNT_NAME) && *c != account),
            "neither the account's name nor its id shows: {deal_row}"
        );

        // Without a record: the user type's tabs, only public records.
        let bare = app
            .get(
                &format!("/api/v1/portals/{id}/preview?user_type={client}"),
                &t,
            )
            .await;
        let bare_tabs = bare.body["tabs"].as_array().unwrap();
        assert_eq!(bare_tabs.len(), fixtures::CLIENT_TYPE_MODULES.len());
        for bare_tab in bare_tabs {
            if bare_tab["module"] == "Products" {
                assert_eq!(ids(bare_tab), sorted(fx.products.clone()));
            } else {
                assert_eq!(ids(bare_tab), Vec::<i64>::new(), "{}", bare_tab["module"]);
            }
        }
        // The vendor type.
        let vendors = named(&types, VENDOR_TYPE)["id"].as_i64().unwrap();
        let v = app
            .get(
                &format!("/api/v1/portals/{id}/preview?user_type={vendors}"),
                &t,
            )
            .await;
        let vm: Vec<&str> = v.body["tabs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["module"].as_str().unwrap())
            .collect();
        assert_eq!(vm, fixtures::VENDOR_TYPE_MODULES);
        // A record of another module is not a personality record.
        let deal = fx.deals.client;
        assert_eq!(
            app.get(
                &format!("/api/v1/portals/{id}/preview?user_type={client}&record={deal}"),
                &t
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get(
                &format!("/api/v1/portals/{id}/preview?user_type={client}&record={contact}"),
                &app.token(REP).await
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        // Previews are audited.
        let log = app.store.audit_log(fx.org, 10).await.unwrap();
        assert!(
            log.iter()
                .any(|e| e.action == "portal.preview" && e.detail["as_record"] == json!(contact))
        );
    }
}

mod serving {
    use super::*;

    async fn page(app: &TestApp, host: Option<&str>, path: &str) -> (StatusCode, String) {
        let mut req = app.client.get(format!("{}{path}", app.base));
        if let Some(h) = host {
            req = req.header("host", h);
        }
        let r = req.send().await.unwrap();
        (r.status(), r.text().await.unwrap())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn portals_are_served_by_address_subdomain_and_verified_domain() {
        let (dns, answers) = portico_testkit::dns::test_dns().await;
        let app = support::spawn_configured(support::Backend::Sqlite, |c, s| {
            c.portal_domain = Some("portals.test".into());
            s.dns_resolver = Some(dns);
        })
        .await
        .unwrap();
        let t = app.token(ADMIN).await;
        let (id, _) = fixture_portal(&app, &t).await;

        let (status, html) = page(&app, None, &format!("/p/{PORTAL_SLUG}/")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(PORTAL_NAME));
        assert_eq!(
            page(&app, None, "/p/no-such-portal/").await.0,
            StatusCode::NOT_FOUND
        );
        let (status, html) = page(&app, Some(&format!("{PORTAL_SLUG}.portals.test")), "/").await;
        assert_eq!(
            (status, html.contains(PORTAL_NAME)),
            (StatusCode::OK, true),
            "served on its subdomain"
        );
        assert_eq!(
            page(&app, Some("nobody.portals.test"), "/").await.0,
            StatusCode::NOT_FOUND,
            "no portal at this subdomain"
        );
        assert_eq!(
            page(&app, None, "/").await.0,
            StatusCode::SEE_OTHER,
            "the app's own host goes to the admin"
        );

        // Disabled: everyone sees the maintenance message.
        app.patch(
            &format!("/api/v1/portals/{id}"),
            &t,
            json!({"status": "disabled", "disabled_message": "Down until 10:00"}),
        )
        .await;
        let (status, html) = page(&app, None, &format!("/p/{PORTAL_SLUG}/")).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(html.contains("Down until 10:00"));
        app.patch(
            &format!("/api/v1/portals/{id}"),
            &t,
            json!({"status": "enabled"}),
        )
        .await;

        // A custom domain serves nothing until its TXT record is verified.
        let set = app
            .patch(
                &format!("/api/v1/portals/{id}"),
                &t,
                json!({"custom_domain": "customers.northwind.example"}),
            )
            .await;
        let record = set.body["domain_verification"].clone();
        assert_eq!(record["name"], "_portico.customers.northwind.example");
        let token = record["value"].as_str().unwrap().to_string();
        // Until then the host is like any unknown host: nothing tells that a portal claims it.
        let unknown = page(&app, Some("unclaimed.example"), "/").await;
        assert_eq!(
            page(&app, Some("customers.northwind.example"), "/").await,
            unknown
        );
        answers.set_texts(&["v=spf1 -all"]);
        let refused = app
            .post(
                &format!("/api/v1/portals/{id}/domain/verify"),
                &t,
                json!({}),
            )
            .await;
        assert_eq!(
            (refused.status, refused.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, "domain_not_verified")
        );
        assert!(
            refused.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(&token),
            "the message says what to add"
        );
        answers.set_texts(&["v=spf1 -all", &token]);
        let ok = app
            .post(
                &format!("/api/v1/portals/{id}/domain/verify"),
                &t,
                json!({}),
            )
            .await;
        assert_eq!(
            (ok.status, ok.body["domain_verified"].as_bool()),
            (StatusCode::OK, Some(true)),
            "{:?}",
            ok.body
        );
        let (status, html) = page(&app, Some("customers.northwind.example:8080"), "/").await;
        assert_eq!((status, html.contains(PORTAL_NAME)), (StatusCode::OK, true));
        assert_eq!(
            page(&app, Some("customers.northwind.example"), "/admin/login")
                .await
                .0,
            StatusCode::NOT_FOUND,
            "a portal domain serves only the portal"
        );
        // Changing the domain needs a new verification.
        let moved = app
            .patch(
                &format!("/api/v1/portals/{id}"),
                &t,
                json!({"custom_domain": "clients.northwind.example"}),
            )
            .await;
        assert_eq!(moved.body["domain_verified"], false);
        assert_eq!(
            page(&app, Some("clients.northwind.example"), "/").await,
            unknown
        );
        assert_eq!(
            page(&app, Some("customers.northwind.example"), "/").await,
            unknown,
            "the old domain serves nothing either"
        );
        // The rep may not verify.
        assert_eq!(
            app.post(
                &format!("/api/v1/portals/{id}/domain/verify"),
                &app.token(REP).await,
                json!({})
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
    }
}
