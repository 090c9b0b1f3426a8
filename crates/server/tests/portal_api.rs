//! The portal API over HTTP, on both backends: tokens (issued, refused alike, signed out, ended
//! by deactivation and the idle timeout, bound to their portal, never a cookie), `me`, `tabs`,
//! record lists (paging, search, layouts), ETags and `If-None-Match`, writes that need
//! `If-Match`, hidden and read-only fields refused with nothing changed, records of another
//! portal user or another org answering exactly like missing ones, lookups out of reach shown
//! as `null`, hidden values in no response body, a disabled portal's JSON 503, and the API on a
//! portal host.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use portico_app::invitations::{InviteTo, invite_record};
use portico_testkit::fixtures::{
    CLIENT_EMAIL, CLIENT_NAME, CLIENT_TYPE, CLIENT_TYPE_MODULES, PORTAL_SLUG, WEB_TAB, WEB_TAB_URL,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{ADMIN, Reply, TestApp};

on_both_backends!(
    tokens_are_issued_and_refused_alike,
    me_and_tabs_describe_the_user_type,
    lists_page_and_search_within_scope,
    records_answer_etags_and_not_modified,
    a_created_record_is_linked_to_the_user,
    changes_need_if_match,
    hidden_and_read_only_writes_are_refused_and_change_nothing,
    another_users_or_orgs_record_answers_like_a_missing_one,
    lookups_out_of_reach_are_null,
    hidden_values_never_appear_in_any_body,
    a_token_opens_only_its_own_portal,
    a_disabled_portal_answers_json_503,
    signed_out_and_deactivated_tokens_are_refused,
    the_idle_timeout_ends_a_token,
);

const PASSWORD: &str = "a long portal passphrase 7";
const API: &str = "/p/northwind-clients/api/v1/";
const MISSING: i64 = 987_654_321;

async fn admin_actor(app: &TestApp) -> portico_domain::access::CrmActor {
    portico_app::sign_in::actor(&app.state, app.fx.org, app.fx.admin)
        .await
        .unwrap()
}

/// Invites the contact `record` to the fixture portal (Client Portal type) and accepts the
/// invitation with [`PASSWORD`] through the use case.
async fn make_portal_user(app: &TestApp, record: i64) {
    let actor = admin_actor(app).await;
    let to = InviteTo {
        portal_id: app.fx.portal,
        user_type_id: app.fx.client_type,
        language: None,
    };
    let invited = invite_record(&app.state, &actor, "Contacts", record, &to)
        .await
        .unwrap();
    let mail = app
        .store
        .get_mail(app.fx.org, invited.mail_id)
        .await
        .unwrap();
    let at = mail.text.find("/invite/").unwrap() + "/invite/".len();
    let token = &mail.text[at..at + 64];
    let portal = portico_app::portals::by_slug(&app.state, PORTAL_SLUG)
        .await
        .unwrap()
        .unwrap();
    portico_app::portal_accounts::accept_invitation(
        &app.state, &portal, token, PASSWORD, PASSWORD, None,
    )
    .await
    .unwrap();
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> Reply {
    app.call(
        Method::POST,
        &format!("{API}auth/token"),
        None,
        Some(json!({"email": email, "password": password})),
    )
    .await
}

/// The fixture's client as a portal user, and a token of theirs.
async fn client_token(app: &TestApp) -> String {
    make_portal_user(app, app.fx.contacts.client).await;
    token_of(app, CLIENT_EMAIL).await
}

async fn token_of(app: &TestApp, email: &str) -> String {
    let r = sign_in(app, email, PASSWORD).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["token"].as_str().unwrap().to_string()
}

/// A portal API call (`path` after `api/v1/`) with the token and extra headers.
async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Reply {
    app.call_with(method, &format!("{API}{path}"), Some(token), body, headers)
        .await
}

async fn get(app: &TestApp, path: &str, token: &str) -> Reply {
    call(app, Method::GET, path, token, None, &[]).await
}

fn etag(r: &Reply) -> String {
    r.headers["etag"].to_str().unwrap().to_string()
}

async fn set_portal(app: &TestApp, patch: Value) {
    let t = app.token(ADMIN).await;
    let r = app
        .patch(&format!("/api/v1/portals/{}", app.fx.portal), &t, patch)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

async fn tokens_are_issued_and_refused_alike(app: TestApp) {
    make_portal_user(&app, app.fx.contacts.client).await;
    let ok = sign_in(&app, CLIENT_EMAIL, PASSWORD).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{:?}", ok.body);
    assert_eq!(ok.body["token_type"], "Bearer");
    assert!(ok.body["expires_at"].as_str().unwrap().ends_with('Z'));
    let token = ok.body["token"].as_str().unwrap();
    assert_eq!(get(&app, "me", token).await.status, StatusCode::OK);

    let wrong = sign_in(&app, CLIENT_EMAIL, "not the password 1").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.code(), "invalid_credentials");
    assert_eq!(wrong.headers["www-authenticate"], "Bearer");
    let unknown = sign_in(&app, "nobody@client.example", PASSWORD).await;
    assert_eq!((unknown.status, &unknown.body), (wrong.status, &wrong.body));
    // `totp` is taken (for accounts with two-step verification); other keys are not.
    let with_totp = app
        .call(
            Method::POST,
            &format!("{API}auth/token"),
            None,
            Some(json!({"email": CLIENT_EMAIL, "password": "nope nope nope 1", "totp": "123456"})),
        )
        .await;
    assert_eq!(
        (with_totp.status, &with_totp.body),
        (wrong.status, &wrong.body)
    );
    let extra = app
        .call(
            Method::POST,
            &format!("{API}auth/token"),
            None,
            Some(json!({"email": CLIENT_EMAIL, "password": PASSWORD, "org": 1})),
        )
        .await;
    assert_eq!(extra.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A body over the sign-in limit is not read.
    let big = app
        .call(
            Method::POST,
            &format!("{API}auth/token"),
            None,
            Some(json!({"email": CLIENT_EMAIL, "password": "x".repeat(8 * 1024)})),
        )
        .await;
    assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE);

    // Locked after repeated failures: the same answer, even with the right password.
    for _ in 0..5 {
        sign_in(&app, CLIENT_EMAIL, "still not it 12").await;
    }
    let locked = sign_in(&app, CLIENT_EMAIL, PASSWORD).await;
    assert_eq!((locked.status, &locked.body), (wrong.status, &wrong.body));
    assert_eq!(
        get(&app, "me", token).await.status,
        StatusCode::OK,
        "a lockout ends no token"
    );

    // No token, a malformed one, or the token sent as the pages' cookie: 401.
    let none = app.call(Method::GET, &format!("{API}me"), None, None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(none.code(), "unauthorized");
    assert_eq!(
        get(&app, "me", "abc").await.status,
        StatusCode::UNAUTHORIZED
    );
    let cookie = format!("portico_portal={token}");
    let by_cookie = app
        .call_with(
            Method::GET,
            &format!("{API}me"),
            None,
            None,
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(by_cookie.status, StatusCode::UNAUTHORIZED);
    // Unknown routes under the portal's API answer JSON, unknown portals likewise.
    let nothing = get(&app, "nothing-here", token).await;
    assert_eq!(
        (nothing.status, nothing.code()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let no_portal = app
        .call(
            Method::GET,
            "/p/no-such-portal/api/v1/me",
            Some(token),
            None,
        )
        .await;
    assert_eq!(
        (no_portal.status, no_portal.code()),
        (StatusCode::NOT_FOUND, "not_found")
    );
}

async fn me_and_tabs_describe_the_user_type(app: TestApp) {
    let token = client_token(&app).await;
    let me = get(&app, "me", &token).await;
    assert_eq!(me.status, StatusCode::OK, "{:?}", me.body);
    assert_eq!(me.body["name"], CLIENT_NAME);
    assert_eq!(me.body["email"], CLIENT_EMAIL);
    assert_eq!(me.body["user_type"]["name"], CLIENT_TYPE);
    assert_eq!(me.body["record_id"], app.fx.contacts.client);
    assert_eq!(me.body["portal"]["slug"], PORTAL_SLUG);
    assert!(me.body["preferences"]["time_zone"].is_string());

    let tabs = get(&app, "tabs", &token).await;
    assert_eq!(tabs.status, StatusCode::OK, "{:?}", tabs.body);
    let modules = tabs.body["modules"].as_array().unwrap();
    let names: Vec<&str> = modules
        .iter()
        .map(|m| m["module"].as_str().unwrap())
        .collect();
    assert_eq!(names, CLIENT_TYPE_MODULES);
    let tab = |name: &str| modules.iter().find(|m| m["module"] == name).unwrap();
    assert_eq!(tab("Contacts")["role"], "personality");
    assert_eq!(tab("Cases")["actions"], json!(["view", "create", "edit"]));
    assert_eq!(tab("Products")["role"], "public");
    assert_eq!(tab("Products")["actions"], json!(["view"]));
    let fields = &tab("Contacts")["layouts"][0]["fields"];
    let field = |name: &str| {
        fields
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["api_name"] == name)
            .cloned()
    };
    assert!(
        field("Description").is_none(),
        "a hidden field is not listed"
    );
    assert_eq!(field("Phone").unwrap()["writable"], true);
    assert_eq!(field("Email").unwrap()["writable"], false);
    assert_eq!(
        tabs.body["web_tabs"],
        json!([{"name": WEB_TAB, "url": WEB_TAB_URL}])
    );
}

async fn lists_page_and_search_within_scope(app: TestApp) {
    let token = client_token(&app).await;
    let first = get(&app, "records/Cases?limit=1", &token).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    assert_eq!(first.body["items"].as_array().unwrap().len(), 1);
    let next = first.body["next"].as_i64().expect("a next page");
    let second = get(&app, &format!("records/Cases?limit=1&after={next}"), &token).await;
    assert_eq!(second.body["items"].as_array().unwrap().len(), 1);
    let mut seen: Vec<i64> = [&first, &second]
        .iter()
        .map(|r| r.body["items"][0]["id"].as_i64().unwrap())
        .collect();
    seen.sort_unstable();
    let mut expected = app.fx.cases.client.to_vec();
    expected.sort_unstable();
    assert_eq!(seen, expected, "exactly the client's cases");
    let third = get(
        &app,
        &format!("records/Cases?limit=1&after={}", seen[0]),
        &token,
    )
    .await;
    assert_eq!(third.body["items"], json!([]));
    assert_eq!(third.body["next"], Value::Null);

    let all = get(&app, "records/Cases", &token).await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 2);
    let found = get(&app, "records/Cases?search=invoice%20quest", &token).await;
    let items = found.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{:?}", found.body);
    assert_eq!(items[0]["id"], app.fx.cases.client[1]);
    assert_eq!(items[0]["module"], "Cases");
    // Someone else's case is not found by its subject.
    let other = get(&app, "records/Cases?search=Delivery%20late", &token).await;
    assert_eq!(other.body["items"], json!([]));

    let products = get(&app, "records/Products", &token).await;
    assert_eq!(
        products.body["items"].as_array().unwrap().len(),
        app.fx.products.len(),
        "a public module lists every record"
    );
    for (query, code) in [
        ("limit=0", "out_of_range"),
        ("limit=201", "out_of_range"),
        ("limit=x", "invalid_number"),
        ("colour=red", "unknown_parameter"),
        ("layout=Nope", "unknown_layout"),
    ] {
        let r = get(&app, &format!("records/Cases?{query}"), &token).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, code),
            "{query}"
        );
    }
    let long = "s".repeat(201);
    let r = get(&app, &format!("records/Cases?search={long}"), &token).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "too_long")
    );
    // A module that is not one of the user's tabs: not found.
    let leads = get(&app, "records/Leads", &token).await;
    assert_eq!(
        (leads.status, leads.code()),
        (StatusCode::NOT_FOUND, "not_found")
    );
}

async fn records_answer_etags_and_not_modified(app: TestApp) {
    let token = client_token(&app).await;
    let path = format!("records/Contacts/{}", app.fx.contacts.client);
    let r = get(&app, &path, &token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let tag = etag(&r);
    assert_eq!(tag, format!("\"{}\"", r.body["version"]));
    assert_eq!(r.body["name"], CLIENT_NAME);
    let same = call(
        &app,
        Method::GET,
        &path,
        &token,
        None,
        &[("if-none-match", &tag)],
    )
    .await;
    assert_eq!(same.status, StatusCode::NOT_MODIFIED);
    assert_eq!(same.body, Value::Null, "no body");
    assert_eq!(etag(&same), tag);
    let old = call(
        &app,
        Method::GET,
        &path,
        &token,
        None,
        &[("if-none-match", "\"999\"")],
    )
    .await;
    assert_eq!(old.status, StatusCode::OK);
    let bad_id = get(&app, "records/Contacts/abc", &token).await;
    assert_eq!(bad_id.status, StatusCode::NOT_FOUND);
}

async fn a_created_record_is_linked_to_the_user(app: TestApp) {
    let token = client_token(&app).await;
    let r = call(
        &app,
        Method::POST,
        "records/Cases",
        &token,
        Some(json!({"data": {"Subject": "Printer on fire", "Priority": "High", "Status": "New"}})),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(etag(&r), format!("\"{}\"", r.body["version"]));
    assert_eq!(
        r.body["data"]["Contact_Name"],
        json!({"id": app.fx.contacts.client, "name": CLIENT_NAME})
    );
    let id = r.body["id"].as_i64().unwrap();
    let listed = get(&app, "records/Cases", &token).await;
    assert!(
        listed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == id)
    );
    // Owned by the CRM user who invited the client, linked to the client.
    let t = app.token(ADMIN).await;
    let crm = app.get(&format!("/api/v1/records/Cases/{id}"), &t).await;
    assert_eq!(crm.body["owner_id"], app.fx.admin);
    assert_eq!(crm.body["data"]["Contact_Name"], app.fx.contacts.client);
    // Public modules are view-only.
    let refused = call(
        &app,
        Method::POST,
        "records/Products",
        &token,
        Some(json!({"data": {"Product_Name": "Free stuff"}})),
        &[],
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{:?}", refused.body);
    // A body must be JSON with `data`.
    let bad = call(
        &app,
        Method::POST,
        "records/Cases",
        &token,
        Some(json!({"Subject": "x"})),
        &[],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn changes_need_if_match(app: TestApp) {
    let token = client_token(&app).await;
    let path = format!("records/Contacts/{}", app.fx.contacts.client);
    let current = get(&app, &path, &token).await;
    let tag = etag(&current);
    let change = json!({"data": {"Phone": "+44 20 7946 0999"}});
    let patch = |headers: Vec<(&'static str, String)>| {
        let app = &app;
        let token = &token;
        let path = &path;
        let change = change.clone();
        async move {
            let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            call(app, Method::PATCH, path, token, Some(change), &h).await
        }
    };
    let without = patch(vec![]).await;
    assert_eq!(
        (without.status, without.code()),
        (StatusCode::PRECONDITION_REQUIRED, "precondition_required")
    );
    let any = patch(vec![("if-match", "*".into())]).await;
    assert_eq!(any.status, StatusCode::PRECONDITION_REQUIRED);
    let weak = patch(vec![("if-match", format!("W/{tag}"))]).await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
    let stale = patch(vec![("if-match", "\"999\"".into())]).await;
    assert_eq!(
        (stale.status, stale.code()),
        (StatusCode::PRECONDITION_FAILED, "stale_version")
    );
    let unchanged = get(&app, &path, &token).await;
    assert_eq!(unchanged.body, current.body, "nothing changed");
    let done = patch(vec![("if-match", tag.clone())]).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    assert_eq!(done.body["data"]["Phone"], "+44 20 7946 0999");
    assert_eq!(
        done.body["version"].as_i64().unwrap(),
        current.body["version"].as_i64().unwrap() + 1
    );
    assert_ne!(etag(&done), tag);
    // The old tag is stale now.
    let again = patch(vec![("if-match", tag.clone())]).await;
    assert_eq!(again.status, StatusCode::PRECONDITION_FAILED);

    // Deletes need If-Match too; the Client Portal type deletes nothing.
    let case = format!("records/Cases/{}", app.fx.cases.client[0]);
    let del = call(&app, Method::DELETE, &case, &token, None, &[]).await;
    assert_eq!(del.status, StatusCode::PRECONDITION_REQUIRED);
    let case_tag = etag(&get(&app, &case, &token).await);
    let del = call(
        &app,
        Method::DELETE,
        &case,
        &token,
        None,
        &[("if-match", &case_tag)],
    )
    .await;
    assert_eq!(del.status, StatusCode::FORBIDDEN, "{:?}", del.body);
    assert_eq!(get(&app, &case, &token).await.status, StatusCode::OK);
}

async fn hidden_and_read_only_writes_are_refused_and_change_nothing(app: TestApp) {
    let token = client_token(&app).await;
    let t = app.token(ADMIN).await;
    let crm_path = format!("/api/v1/records/Contacts/{}", app.fx.contacts.client);
    let before = app.get(&crm_path, &t).await;
    let path = format!("records/Contacts/{}", app.fx.contacts.client);
    let tag = etag(&get(&app, &path, &token).await);
    for (data, field, code) in [
        (
            json!({"Description": "sneaky"}),
            "Description",
            "hidden_field",
        ),
        (
            json!({"Phone": "+1 555 0100", "Email_Opt_Out": true}),
            "Email_Opt_Out",
            "hidden_field",
        ),
        (json!({"No_Such_Field": 1}), "No_Such_Field", "hidden_field"),
        (
            json!({"Email": "new@client.example"}),
            "Email",
            "read_only_field",
        ),
    ] {
        let r = call(
            &app,
            Method::PATCH,
            &path,
            &token,
            Some(json!({"data": data})),
            &[("if-match", &tag)],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{data}");
        assert_eq!((r.code(), r.field()), (code, field), "{data}");
    }
    // A hidden field in a create is refused the same way, and nothing is created.
    let cases_before = get(&app, "records/Cases", &token).await;
    let r = call(
        &app,
        Method::POST,
        "records/Cases",
        &token,
        Some(json!({"data": {"Subject": "x", "Internal_Comments": "y"}})),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.field(), "Internal_Comments");
    assert_eq!(
        get(&app, "records/Cases", &token).await.body,
        cases_before.body
    );
    let after = app.get(&crm_path, &t).await;
    assert_eq!(after.body, before.body, "the record is unchanged");
}

async fn another_users_or_orgs_record_answers_like_a_missing_one(app: TestApp) {
    let token = client_token(&app).await;
    // Another portal user of the same portal and user type.
    make_portal_user(&app, app.fx.contacts.other).await;
    let other_token = token_of(&app, "oscar@other.example").await;
    let own = get(
        &app,
        &format!("records/Contacts/{}", app.fx.contacts.other),
        &other_token,
    )
    .await;
    assert_eq!(
        own.status,
        StatusCode::OK,
        "the other user reaches their own record"
    );
    let rival_token = app.other_org().await;
    let rival = app
        .post(
            "/api/v1/records/Cases",
            &rival_token,
            json!({"data": {"Subject": "Rival case", "Status": "New"}}),
        )
        .await;
    assert_eq!(rival.status, StatusCode::CREATED, "{:?}", rival.body);
    let rival_case = rival.body["id"].as_i64().unwrap();

    for (module, id) in [
        ("Contacts", app.fx.contacts.other),
        ("Cases", app.fx.cases.other),
        ("Deals", app.fx.deals.other),
        ("Cases", rival_case),
    ] {
        let missing = get(&app, &format!("records/{module}/{MISSING}"), &token).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        let r = get(&app, &format!("records/{module}/{id}"), &token).await;
        assert_eq!(
            (r.status, &r.body),
            (missing.status, &missing.body),
            "GET {module} {id}"
        );
        let write = |id: i64| {
            let app = &app;
            let token = &token;
            async move {
                call(
                    app,
                    Method::PATCH,
                    &format!("records/{module}/{id}"),
                    token,
                    Some(json!({"data": {}})),
                    &[("if-match", "\"1\"")],
                )
                .await
            }
        };
        let (a, b) = (write(id).await, write(MISSING).await);
        assert_eq!(
            (a.status, &a.body),
            (b.status, &b.body),
            "PATCH {module} {id}"
        );
        let none = get(&app, &format!("records/{module}/{id}?layout=Nope"), &token).await;
        assert_eq!(
            none.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "the layout is checked first"
        );
    }
}

async fn lookups_out_of_reach_are_null(app: TestApp) {
    let token = client_token(&app).await;
    let deal = get(
        &app,
        &format!("records/Deals/{}", app.fx.deals.client),
        &token,
    )
    .await;
    assert_eq!(deal.status, StatusCode::OK, "{:?}", deal.body);
    assert_eq!(
        deal.body["data"]["Contact_Name"],
        json!({"id": app.fx.contacts.client, "name": CLIENT_NAME})
    );
    // Accounts is not one of the client's tabs: the account is not shown, not even its id.
    assert_eq!(deal.body["data"]["Account_Name"], Value::Null);
    let contact = get(
        &app,
        &format!("records/Contacts/{}", app.fx.contacts.client),
        &token,
    )
    .await;
    assert_eq!(contact.body["data"]["Account_Name"], Value::Null);
    // A product line's product is public: shown with its name.
    let invoice = get(
        &app,
        &format!("records/Invoices/{}", app.fx.invoices.client[0]),
        &token,
    )
    .await;
    assert_eq!(invoice.status, StatusCode::OK, "{:?}", invoice.body);
    let line = &invoice.body["data"]["Product_Details"][0];
    assert_eq!(
        line["Product"],
        json!({"id": app.fx.products[0], "name": "Widget S"})
    );
}

async fn hidden_values_never_appear_in_any_body(app: TestApp) {
    let t = app.token(ADMIN).await;
    let secret = "HIDDEN-DESCRIPTION-4711";
    let r = app
        .patch(
            &format!("/api/v1/records/Contacts/{}", app.fx.contacts.client),
            &t,
            json!({"data": {"Description": secret}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let deal_secret = "SECRET-DEAL-NOTE-0815";
    let r = app
        .patch(
            &format!("/api/v1/records/Deals/{}", app.fx.deals.client),
            &t,
            json!({"data": {"Description": deal_secret, "Probability": 37}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let token = client_token(&app).await;
    let contact = format!("records/Contacts/{}", app.fx.contacts.client);
    let tag = etag(&get(&app, &contact, &token).await);
    let mut bodies = Vec::new();
    for path in [
        "me".to_string(),
        "tabs".to_string(),
        "records/Contacts".to_string(),
        contact.clone(),
        "records/Deals".to_string(),
        format!("records/Deals/{}", app.fx.deals.client),
        "records/Products".to_string(),
    ] {
        let r = get(&app, &path, &token).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {:?}", r.body);
        bodies.push((path, r.body.to_string()));
    }
    let patched = call(
        &app,
        Method::PATCH,
        &contact,
        &token,
        Some(json!({"data": {"Mailing_City": "Leeds"}})),
        &[("if-match", &tag)],
    )
    .await;
    assert_eq!(patched.status, StatusCode::OK, "{:?}", patched.body);
    bodies.push(("PATCH".into(), patched.body.to_string()));
    for (path, body) in &bodies {
        for hidden in [
            secret,
            deal_secret,
            "Probability",
            "Qty_in_Stock",
            "Email_Opt_Out",
        ] {
            assert!(!body.contains(hidden), "{path} shows {hidden}: {body}");
        }
    }
    // The hidden value survived the portal user's write.
    let crm = app
        .get(
            &format!("/api/v1/records/Contacts/{}", app.fx.contacts.client),
            &t,
        )
        .await;
    assert_eq!(crm.body["data"]["Description"], secret);
    assert_eq!(crm.body["data"]["Mailing_City"], "Leeds");
}

async fn a_token_opens_only_its_own_portal(app: TestApp) {
    let token = client_token(&app).await;
    let t = app.token(ADMIN).await;
    let other = app
        .post("/api/v1/portals", &t, json!({"name": "Northwind Partners"}))
        .await;
    assert_eq!(other.status, StatusCode::CREATED, "{:?}", other.body);
    let slug = other.body["slug"].as_str().unwrap();
    let r = app
        .call(
            Method::GET,
            &format!("/p/{slug}/api/v1/me"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    // The CRM API does not take a portal token, nor the portal API a CRM token.
    let crm = app.get("/api/v1/org", &token).await;
    assert_eq!(crm.status, StatusCode::UNAUTHORIZED);
    assert_eq!(get(&app, "me", &t).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(get(&app, "me", &token).await.status, StatusCode::OK);
}

async fn a_disabled_portal_answers_json_503(app: TestApp) {
    let token = client_token(&app).await;
    set_portal(
        &app,
        json!({"status": "disabled", "disabled_message": "Back at 10:00"}),
    )
    .await;
    for path in ["me", "tabs", "records/Cases", "nothing-here"] {
        let r = get(&app, path, &token).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert_eq!(r.code(), "portal_disabled", "{path}");
        assert_eq!(r.body["error"]["message"], "Back at 10:00");
    }
    let r = sign_in(&app, CLIENT_EMAIL, PASSWORD).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::SERVICE_UNAVAILABLE, "portal_disabled")
    );
    let anonymous = app.call(Method::GET, &format!("{API}me"), None, None).await;
    assert_eq!(anonymous.status, StatusCode::SERVICE_UNAVAILABLE);
    // Tokens survive and work again once the portal is enabled.
    set_portal(&app, json!({"status": "enabled"})).await;
    assert_eq!(get(&app, "me", &token).await.status, StatusCode::OK);
}

async fn signed_out_and_deactivated_tokens_are_refused(app: TestApp) {
    let token = client_token(&app).await;
    let second = token_of(&app, CLIENT_EMAIL).await;
    let out = call(&app, Method::DELETE, "auth/token", &token, None, &[]).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(
        get(&app, "me", &token).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get(&app, "me", &second).await.status,
        StatusCode::OK,
        "signing out ends that token only"
    );
    let user = app
        .store
        .portal_user_by_email(app.fx.org, app.fx.portal, CLIENT_EMAIL)
        .await
        .unwrap()
        .unwrap();
    let actor = admin_actor(&app).await;
    portico_app::portal_users::deactivate(&app.state, &actor, app.fx.portal, user.id)
        .await
        .unwrap();
    assert_eq!(
        get(&app, "me", &second).await.status,
        StatusCode::UNAUTHORIZED
    );
    let again = sign_in(&app, CLIENT_EMAIL, PASSWORD).await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::UNAUTHORIZED, "invalid_credentials"),
        "an inactive account answers like a wrong password"
    );
}

async fn the_idle_timeout_ends_a_token(app: TestApp) {
    set_portal(&app, json!({"idle_timeout_minutes": 15})).await;
    let token = client_token(&app).await;
    app.advance(10 * 60_000);
    assert_eq!(get(&app, "me", &token).await.status, StatusCode::OK);
    app.advance(14 * 60_000);
    assert_eq!(
        get(&app, "me", &token).await.status,
        StatusCode::OK,
        "each call counts"
    );
    app.advance(16 * 60_000);
    assert_eq!(
        get(&app, "me", &token).await.status,
        StatusCode::UNAUTHORIZED
    );
}

/// On a portal host the API answers at `/api/v1/…`; the CRM API is not there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_answers_on_a_portal_host() {
    let app = support::spawn_configured(support::Backend::Sqlite, |c, _| {
        c.portal_domain = Some("portals.test".into());
    })
    .await
    .unwrap();
    let token = client_token(&app).await;
    let host = format!("{PORTAL_SLUG}.portals.test");
    let on_host = |path: &'static str, token: Option<String>| {
        let app = &app;
        let host = host.clone();
        async move {
            let mut req = app
                .client
                .get(format!("{}{path}", app.base))
                .header("host", host);
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            let r = req.send().await.unwrap();
            let status = r.status();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            (status, body)
        }
    };
    let (status, body) = on_host("/api/v1/me", Some(token.clone())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["email"], CLIENT_EMAIL);
    let (status, body) = on_host("/api/v1/openapi.json", None).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the CRM API is on the app's host only"
    );
    assert_eq!(body["error"]["code"], "not_found");
    let (status, _) = on_host("/api/v1/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
