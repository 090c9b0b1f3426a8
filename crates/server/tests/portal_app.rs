//! The portal app over HTTP, on both backends, as the fixture's client sees it: tabs, lists
//! (count, sort, search, pages), record pages and forms through the enforcement point; another
//! portal user's or org's record answers exactly like a missing one; hidden fields never reach
//! a page; writes to hidden or read-only fields are refused and change nothing; a stale form
//! and a missing CSRF token are refused; preferences switch the language and time zone.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use portico_testkit::app::csrf_of;
use portico_testkit::fixtures::{CLIENT_EMAIL, CLIENT_NAME};
use reqwest::StatusCode;
use serde_json::json;
use support::portal::{Answer, BASE, Jar, accept, get, invite, post};
use support::{ADMIN, TestApp};

on_both_backends!(
    the_client_moves_through_tabs_lists_and_records,
    records_outside_the_scope_look_missing,
    hidden_fields_never_reach_lists_records_or_forms,
    edits_keep_input_and_refuse_hidden_and_read_only_fields,
    a_created_case_is_linked_to_the_client_and_owned_by_the_inviter,
    preferences_switch_language_and_time_zone,
    the_app_needs_a_session_and_its_token,
    lists_page_by_the_size_asked_for,
    subform_rows_are_edited_in_the_form,
);

async fn signed_in(app: &TestApp) -> Jar {
    let token = invite(app).await;
    accept(app, &token).await
}

fn page(a: &Answer) -> &str {
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    &a.body
}

async fn the_client_moves_through_tabs_lists_and_records(app: TestApp) {
    let mut jar = signed_in(&app).await;
    let home = get(&app, &mut jar, BASE).await;
    let body = page(&home);
    assert!(body.contains(&format!("Welcome, {CLIENT_NAME}")));
    for label in ["Deals", "Cases", "Invoices", "Products"] {
        assert!(body.contains(&format!(">{label}</a>")), "tab {label}");
    }
    // The personality tab opens the client's own record.
    let own = get(&app, &mut jar, &format!("{BASE}m/Contacts")).await;
    assert_eq!(own.status, StatusCode::SEE_OTHER);
    assert_eq!(
        own.location,
        format!("{BASE}m/Contacts/{}", app.fx.contacts.client)
    );
    let record = get(&app, &mut jar, &own.location).await;
    assert!(page(&record).contains(CLIENT_EMAIL));
    // Cases: the client's two, counted; not the other contact's.
    let cases = get(&app, &mut jar, &format!("{BASE}m/Cases")).await;
    let body = page(&cases);
    assert!(body.contains("2 records"), "{body}");
    assert!(body.contains("Cannot sign in") && body.contains("Invoice question"));
    assert!(!body.contains("Delivery late"));
    // Sorted by subject both ways.
    let asc = get(
        &app,
        &mut jar,
        &format!("{BASE}m/Cases?sort=Subject&dir=asc"),
    )
    .await;
    let body = page(&asc);
    assert!(body.find("Cannot sign in").unwrap() < body.find("Invoice question").unwrap());
    let desc = get(
        &app,
        &mut jar,
        &format!("{BASE}m/Cases?sort=Subject&dir=desc"),
    )
    .await;
    let body = page(&desc);
    assert!(body.find("Cannot sign in").unwrap() > body.find("Invoice question").unwrap());
    // Searched.
    let found = get(&app, &mut jar, &format!("{BASE}m/Cases?q=invoice")).await;
    let body = page(&found);
    assert!(body.contains("1 record") && !body.contains("Cannot sign in"));
    // Products (public): every product, view only, paged past the end without an error.
    let products = get(&app, &mut jar, &format!("{BASE}m/Products")).await;
    let body = page(&products);
    assert!(
        body.contains(&format!("{} records", app.fx.products.len())),
        "{body}"
    );
    assert!(!body.contains(">New</a>"));
    let past = get(&app, &mut jar, &format!("{BASE}m/Products?page=99")).await;
    assert!(page(&past).contains(&format!("{} records", app.fx.products.len())));
    // A case's page, and its edit form (Cases are editable).
    let case = app.fx.cases.client[0];
    let detail = get(&app, &mut jar, &format!("{BASE}m/Cases/{case}")).await;
    let body = page(&detail);
    assert!(body.contains("Cannot sign in"));
    assert!(body.contains(&format!("{BASE}m/Cases/{case}/edit")));
    // The lookup to the client shows the client's name; never a raw id.
    assert!(body.contains(CLIENT_NAME));
}

async fn records_outside_the_scope_look_missing(app: TestApp) {
    let mut jar = signed_in(&app).await;
    let missing = get(&app, &mut jar, &format!("{BASE}m/Cases/999999999")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let other_rival = app.other_org().await;
    let rival_case = app
        .post(
            "/api/v1/records/Cases",
            &other_rival,
            json!({"data": {"Subject": "Rival secret case", "Status": "New"}}),
        )
        .await;
    assert_eq!(
        rival_case.status,
        StatusCode::CREATED,
        "{:?}",
        rival_case.body
    );
    let rival_id = rival_case.body["id"].as_i64().unwrap();
    let missing_deal = get(&app, &mut jar, &format!("{BASE}m/Deals/999999999")).await;
    let missing_contact = get(&app, &mut jar, &format!("{BASE}m/Contacts/999999999")).await;
    let missing_lead = get(&app, &mut jar, &format!("{BASE}m/Leads/999999999")).await;
    let missing_edit = get(&app, &mut jar, &format!("{BASE}m/Cases/999999999/edit")).await;
    for (path, like) in [
        (format!("{BASE}m/Cases/{}", app.fx.cases.other), &missing),
        (format!("{BASE}m/Cases/{rival_id}"), &missing),
        (format!("{BASE}m/Cases/not-a-number"), &missing),
        (
            format!("{BASE}m/Cases/{}/edit", app.fx.cases.other),
            &missing_edit,
        ),
        (
            format!("{BASE}m/Deals/{}", app.fx.deals.other),
            &missing_deal,
        ),
        (
            format!("{BASE}m/Contacts/{}", app.fx.contacts.other),
            &missing_contact,
        ),
        (format!("{BASE}m/Leads/{}", app.fx.lead), &missing_lead),
        (format!("{BASE}m/Leads"), &missing_lead),
    ] {
        let r = get(&app, &mut jar, &path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.body, like.body, "{path} answers unlike a missing record");
    }
    // Writing to another contact's case changes nothing and looks the same.
    let home = get(&app, &mut jar, BASE).await;
    let csrf = csrf_of(&home.body);
    let r = post(
        &app,
        &mut jar,
        &format!("{BASE}m/Cases/{}/edit", app.fx.cases.other),
        &[
            ("_csrf", &csrf),
            ("_version", "1"),
            ("Subject", "taken over"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = post(
        &app,
        &mut jar,
        &format!("{BASE}m/Cases/{}/delete", app.fx.cases.client[0]),
        &[("_csrf", &csrf)],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "Cases do not allow delete");
    let t = app.token(ADMIN).await;
    let other = app
        .get(&format!("/api/v1/records/Cases/{}", app.fx.cases.other), &t)
        .await;
    assert_eq!(other.body["data"]["Subject"], "Delivery late");
}

async fn hidden_fields_never_reach_lists_records_or_forms(app: TestApp) {
    let t = app.token(ADMIN).await;
    let secret = "HIDDEN-DEAL-NOTE-8812";
    let r = app
        .patch(
            &format!("/api/v1/records/Deals/{}", app.fx.deals.client),
            &t,
            json!({"data": {"Description": secret, "Probability": 87}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let contact_secret = "HIDDEN-CONTACT-NOTE-1234";
    let r = app
        .patch(
            &format!("/api/v1/records/Contacts/{}", app.fx.contacts.client),
            &t,
            json!({"data": {"Description": contact_secret}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let mut jar = signed_in(&app).await;
    let contact = app.fx.contacts.client;
    for path in [
        BASE.to_string(),
        format!("{BASE}m/Deals"),
        format!("{BASE}m/Deals?sort=Probability&dir=desc"),
        format!("{BASE}m/Deals?sort=Description"),
        format!("{BASE}m/Deals/{}", app.fx.deals.client),
        format!("{BASE}m/Contacts/{contact}"),
        format!("{BASE}m/Contacts/{contact}/edit"),
    ] {
        let r = get(&app, &mut jar, &path).await;
        let body = page(&r);
        assert!(!body.contains(secret), "{path} shows a hidden deal field");
        assert!(
            !body.contains(contact_secret),
            "{path} shows a hidden contact field"
        );
        assert!(!body.contains("Probability"), "{path} names a hidden field");
    }
}

async fn edits_keep_input_and_refuse_hidden_and_read_only_fields(app: TestApp) {
    let mut jar = signed_in(&app).await;
    let contact = app.fx.contacts.client;
    let path = format!("{BASE}m/Contacts/{contact}/edit");
    let form = get(&app, &mut jar, &path).await;
    let body = page(&form).to_string();
    let csrf = csrf_of(&body);
    let version = version_of(&body);
    // A hidden field and a read-only one (the email) are refused by name; the phone typed is kept.
    let t = app.token(ADMIN).await;
    let before = app
        .get(&format!("/api/v1/records/Contacts/{contact}"), &t)
        .await;
    for (field, value) in [("Description", "sneaky"), ("Email", "evil@example.com")] {
        let r = post(
            &app,
            &mut jar,
            &path,
            &[
                ("_csrf", &csrf),
                ("_version", &version),
                ("Phone", "+49 30 1234567"),
                (field, value),
            ],
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            r.body
        );
        assert!(r.body.contains("+49 30 1234567"), "the input is kept");
        assert!(r.body.contains("role=\"alert\""));
    }
    let after = app
        .get(&format!("/api/v1/records/Contacts/{contact}"), &t)
        .await;
    assert_eq!(before.body["data"], after.body["data"], "nothing changed");
    // A good edit saves.
    let r = post(
        &app,
        &mut jar,
        &path,
        &[
            ("_csrf", &csrf),
            ("_version", &version),
            ("Phone", "+49 30 7654321"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let saved = app
        .get(&format!("/api/v1/records/Contacts/{contact}"), &t)
        .await;
    assert_eq!(saved.body["data"]["Phone"], "+49 30 7654321");
    // The same (now stale) form again: refused, input kept, nothing overwritten.
    let r = post(
        &app,
        &mut jar,
        &path,
        &[
            ("_csrf", &csrf),
            ("_version", &version),
            ("Phone", "+1 555 0100"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Someone changed this record"), "{}", r.body);
    assert!(r.body.contains("+1 555 0100"));
    let kept = app
        .get(&format!("/api/v1/records/Contacts/{contact}"), &t)
        .await;
    assert_eq!(kept.body["data"]["Phone"], "+49 30 7654321");
}

/// The `_version` hidden input of a form.
fn version_of(html: &str) -> String {
    let at = html.find("name=\"_version\" value=\"").unwrap() + "name=\"_version\" value=\"".len();
    html[at..].split('"').next().unwrap().to_string()
}

async fn a_created_case_is_linked_to_the_client_and_owned_by_the_inviter(app: TestApp) {
    let mut jar = signed_in(&app).await;
    let form = get(&app, &mut jar, &format!("{BASE}m/Cases/new")).await;
    let body = page(&form).to_string();
    let csrf = csrf_of(&body);
    // A missing mandatory subject: the error is beside the field and the input kept.
    let r = post(
        &app,
        &mut jar,
        &format!("{BASE}m/Cases/new"),
        &[
            ("_csrf", &csrf),
            ("_version", "0"),
            ("Description", "my words"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body
            .contains("aria-invalid=\"true\" aria-describedby=\"e-Subject\""),
        "{}",
        r.body
    );
    assert!(r.body.contains("my words"));
    let r = post(
        &app,
        &mut jar,
        &format!("{BASE}m/Cases/new"),
        &[
            ("_csrf", &csrf),
            ("_version", "0"),
            ("Subject", "Printer on fire"),
            ("Status", "New"),
            ("Description", "my words"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = r
        .location
        .trim_start_matches(&format!("{BASE}m/Cases/"))
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let t = app.token(ADMIN).await;
    let case = app.get(&format!("/api/v1/records/Cases/{id}"), &t).await;
    assert_eq!(case.body["data"]["Contact_Name"], app.fx.contacts.client);
    assert_eq!(case.body["owner_id"], app.fx.admin, "{:?}", case.body);
    let list = get(&app, &mut jar, &format!("{BASE}m/Cases")).await;
    assert!(page(&list).contains("Printer on fire"));
}

async fn preferences_switch_language_and_time_zone(app: TestApp) {
    let mut jar = signed_in(&app).await;
    let prefs = get(&app, &mut jar, &format!("{BASE}preferences")).await;
    let csrf = csrf_of(page(&prefs));
    // An unknown zone: refused beside the field, the other choices kept.
    let r = post(
        &app,
        &mut jar,
        &format!("{BASE}preferences"),
        &[
            ("_csrf", &csrf),
            ("language", "fr"),
            ("time_format", "24h"),
            ("time_zone", "Mars/Olympus"),
            ("country", "FR"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Mars/Olympus") && r.body.contains("aria-invalid=\"true\""));
    assert!(r.body.contains("<option value=\"fr\" selected>"));
    let r = post(
        &app,
        &mut jar,
        &format!("{BASE}preferences"),
        &[
            ("_csrf", &csrf),
            ("language", "de"),
            ("time_format", "24h"),
            ("time_zone", "Europe/Berlin"),
            ("country", "DE"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let home = get(&app, &mut jar, BASE).await;
    let body = page(&home);
    assert!(body.contains("<html lang=\"de\">"));
    assert!(body.contains("Abmelden") && body.contains(&format!("Willkommen, {CLIENT_NAME}")));
    let cases = get(&app, &mut jar, &format!("{BASE}m/Cases")).await;
    assert!(page(&cases).contains("2 Datensätze"));
}

async fn the_app_needs_a_session_and_its_token(app: TestApp) {
    let mut anonymous = Jar::default();
    for path in [
        format!("{BASE}m/Cases"),
        format!("{BASE}m/Cases/{}", app.fx.cases.client[0]),
        format!("{BASE}m/Cases/new"),
        format!("{BASE}preferences"),
    ] {
        let r = get(&app, &mut anonymous, &path).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert!(r.location.ends_with("sign-in"), "{path}: {}", r.location);
    }
    let r = post(
        &app,
        &mut anonymous,
        &format!("{BASE}m/Cases/new"),
        &[("Subject", "x")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let mut jar = signed_in(&app).await;
    for token in ["", "wrong"] {
        let r = post(
            &app,
            &mut jar,
            &format!("{BASE}m/Cases/new"),
            &[("_csrf", token), ("Subject", "forged")],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = post(
            &app,
            &mut jar,
            &format!("{BASE}preferences"),
            &[
                ("_csrf", token),
                ("language", "de"),
                ("time_format", "24h"),
                ("time_zone", "UTC"),
                ("country", "DE"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    let t = app.token(ADMIN).await;
    let cases = app.get("/api/v1/records/Cases", &t).await;
    let items = cases.body["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(
        items.iter().all(|c| c["data"]["Subject"] != "forged"),
        "a forged form wrote"
    );
}

/// `?per=` picks 10, 25, 50 or 100 rows a page (anything else is 25), and the pager's links
/// keep it.
async fn lists_page_by_the_size_asked_for(app: TestApp) {
    let t = app.token(ADMIN).await;
    // The client has two cases; eleven more make thirteen.
    for i in 0..11 {
        let r = app
            .post(
                "/api/v1/records/Cases",
                &t,
                json!({"data": {
                    "Subject": format!("Paged case {i}"),
                    "Status": "New",
                    "Contact_Name": app.fx.contacts.client,
                }}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    }
    let mut jar = signed_in(&app).await;
    let rows = |body: &str| body.matches("<tr>").count() - 1;
    let first = get(&app, &mut jar, &format!("{BASE}m/Cases?per=10")).await;
    let body = page(&first);
    assert!(body.contains("13 records"), "{body}");
    assert_eq!(rows(body), 10);
    assert!(body.contains("href=\"?per=10&#38;page=2\""), "{body}");
    assert!(
        body.contains("name=\"per\" value=\"10\""),
        "the search keeps it"
    );
    let second = get(&app, &mut jar, &format!("{BASE}m/Cases?per=10&page=2")).await;
    let body = page(&second);
    assert_eq!(rows(body), 3);
    assert!(body.contains("href=\"?per=10&#38;page=1\""), "{body}");
    // Sorting keeps it too.
    assert!(body.contains("?per=10&#38;sort=name&#38;dir=asc"), "{body}");
    for asked in ["7", "25", "abc", "-10", "1000"] {
        let other = get(&app, &mut jar, &format!("{BASE}m/Cases?per={asked}")).await;
        let body = page(&other);
        assert_eq!(rows(body), 13, "per={asked} shows the default 25");
        assert!(
            !body.contains("per="),
            "per={asked}: the default is not repeated"
        );
    }
}

/// Lets the client edit invoices, their product lines with Product and Quantity editable,
/// List Price read-only and Discount hidden.
async fn invoices_with_editable_lines(app: &TestApp) {
    use portico_domain::portal::ColumnPermission;
    let actor = support::portal::admin_actor(app).await;
    let (portal, client) = (app.fx.portal, app.fx.client_type);
    let mut config = portico_app::user_types::user_type(&app.state, &actor, portal, client)
        .await
        .unwrap()
        .config;
    let tab = config
        .modules
        .iter_mut()
        .find(|t| t.module.as_str() == "Invoices")
        .unwrap();
    tab.permissions.edit = true;
    let column = |name: &str, visible: bool, read_only: bool| ColumnPermission {
        column: name.into(),
        visible,
        read_only,
    };
    for f in &mut tab.layouts[0].fields {
        if f.field == "Product_Details" {
            f.read_only = false;
            f.columns = Some(vec![
                column("Product", true, false),
                column("Quantity", true, false),
                column("List_Price", true, true),
                column("Discount", false, false),
            ]);
        }
    }
    portico_app::user_types::replace_user_type(&app.state, &actor, portal, client, config)
        .await
        .unwrap();
}

async fn subform_rows_are_edited_in_the_form(app: TestApp) {
    invoices_with_editable_lines(&app).await;
    let t = app.token(ADMIN).await;
    let invoice = app.fx.invoices.client[1];
    let crm = format!("/api/v1/records/Invoices/{invoice}");
    // A hidden column's value, to see it survive.
    let r = app
        .patch(
            &crm,
            &t,
            json!({"data": {"Product_Details": [
                {"Product": app.fx.products[1], "Quantity": 1, "List_Price": 140, "Discount": 7},
                {"Product": app.fx.products[0], "Quantity": 2, "List_Price": 25}]}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let mut jar = signed_in(&app).await;
    let path = format!("{BASE}m/Invoices/{invoice}/edit");
    let form = get(&app, &mut jar, &path).await;
    let body = page(&form).to_string();
    assert!(
        body.contains("name=\"Product_Details[0].Quantity\""),
        "{body}"
    );
    assert!(
        body.contains("name=\"Product_Details[3].Product\""),
        "two blank rows to add"
    );
    assert!(
        !body.contains("Product_Details[0].List_Price"),
        "a read-only column is shown, not sent"
    );
    assert!(
        !body.contains("Discount"),
        "a hidden column never reaches the form"
    );
    assert!(
        !body.contains("_remove.Product_Details"),
        "no removal where values are carried by position"
    );
    let (csrf, version) = (csrf_of(&body), version_of(&body));
    let (p0, p1, p2) = (
        app.fx.products[0].to_string(),
        app.fx.products[1].to_string(),
        app.fx.products[2].to_string(),
    );
    let lines = |extra: &[(&'static str, &str)]| {
        let mut f: Vec<(&str, String)> = vec![
            ("_csrf", csrf.clone()),
            ("_version", version.clone()),
            ("_rows.Product_Details", "2".into()),
            ("Product_Details[0].Product", p1.clone()),
            ("Product_Details[0].Quantity", "3".into()),
            ("Product_Details[1].Product", p0.clone()),
            ("Product_Details[1].Quantity", "2".into()),
            ("Product_Details[2].Product", p2.clone()),
            ("Product_Details[2].Quantity", "5".into()),
            ("Product_Details[3].Product", String::new()),
            ("Product_Details[3].Quantity", String::new()),
        ];
        f.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        f
    };
    let send = |fields: Vec<(&'static str, String)>| {
        let owned: Vec<(String, String)> = fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        owned
    };
    let before = app.get(&crm, &t).await.body["data"].clone();
    // A read-only column written by a forged form is refused, and nothing changes.
    let forged = send(lines(&[("Product_Details[0].List_Price", "1")]));
    let pairs: Vec<(&str, &str)> = forged
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = post(&app, &mut jar, &path, &pairs).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(
        app.get(&crm, &t).await.body["data"],
        before,
        "nothing changed"
    );
    // The lines as edited, a new one added, a forged removal ignored.
    let good = send(lines(&[("_remove.Product_Details", "0")]));
    let pairs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = post(&app, &mut jar, &path, &pairs).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let rows = app.get(&crm, &t).await.body["data"]["Product_Details"].clone();
    assert_eq!(
        rows,
        json!([
            // Currency is stored as a decimal number.
            {"Product": app.fx.products[1], "Quantity": 3, "List_Price": 140.0, "Discount": 7.0},
            {"Product": app.fx.products[0], "Quantity": 2, "List_Price": 25.0},
            {"Product": app.fx.products[2], "Quantity": 5}
        ]),
        "edited, added; read-only and hidden values kept in place"
    );

    // With every column visible and editable, a row can be removed.
    let actor = support::portal::admin_actor(&app).await;
    let (portal, client) = (app.fx.portal, app.fx.client_type);
    let mut config = portico_app::user_types::user_type(&app.state, &actor, portal, client)
        .await
        .unwrap()
        .config;
    for tab in config
        .modules
        .iter_mut()
        .filter(|t| t.module.as_str() == "Invoices")
    {
        for f in tab.layouts[0]
            .fields
            .iter_mut()
            .filter(|f| f.field == "Product_Details")
        {
            f.columns = None;
        }
    }
    portico_app::user_types::replace_user_type(&app.state, &actor, portal, client, config)
        .await
        .unwrap();
    let form = get(&app, &mut jar, &path).await;
    let body = page(&form).to_string();
    assert!(
        body.contains("name=\"_remove.Product_Details\" value=\"0\""),
        "{body}"
    );
    let (csrf, version) = (csrf_of(&body), version_of(&body));
    let r = post(
        &app,
        &mut jar,
        &path,
        &[
            ("_csrf", &csrf),
            ("_version", &version),
            ("_rows.Product_Details", "3"),
            ("_remove.Product_Details", "0"),
            ("Product_Details[0].Product", &p1),
            ("Product_Details[0].Quantity", "3"),
            ("Product_Details[0].List_Price", "140"),
            ("Product_Details[0].Discount", "7"),
            ("Product_Details[1].Product", &p0),
            ("Product_Details[1].Quantity", "2"),
            ("Product_Details[1].List_Price", "25"),
            ("Product_Details[2].Product", &p2),
            ("Product_Details[2].Quantity", "5"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let rows = app.get(&crm, &t).await.body["data"]["Product_Details"].clone();
    assert_eq!(
        rows,
        json!([
            {"Product": app.fx.products[0], "Quantity": 2, "List_Price": 25.0},
            {"Product": app.fx.products[2], "Quantity": 5}
        ]),
        "the first line removed"
    );
}
