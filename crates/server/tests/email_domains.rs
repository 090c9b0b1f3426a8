//! Blocked email domains over HTTP, on both backends: the API lists, blocks (201, 409 when
//! already blocked) and unblocks (204, 404 when not blocked) with an audit row each; it is for
//! the org's administrators only and per org; bad domains answer 422 with a code and 2 MB
//! bodies 413. The Setup page does the same through CSRF-checked forms. `refused_domain`, the
//! check invitations and sign-ups make, sees the shipped disposable list and the org's list.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use portico_testkit::app::csrf_of;
use portico_testkit::fixtures::{ADMIN_EMAIL, RIVAL_ADMIN};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{ADMIN, REP, TestApp};

on_both_backends!(
    the_api_blocks_lists_and_unblocks_with_audit_rows,
    the_block_list_is_for_administrators_of_the_org,
    bad_domains_are_refused_with_a_code,
    the_setup_page_blocks_and_unblocks_through_csrf_checked_forms,
    refused_domains_are_disposable_or_blocked_by_the_org,
);

const BLOCKED: &str = "/api/v1/email-domains/blocked";

fn domains(list: &Value) -> Vec<&str> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["domain"].as_str().unwrap())
        .collect()
}

async fn audit_actions(app: &TestApp) -> Vec<(String, Value)> {
    let org = app.org_of(ADMIN_EMAIL).await;
    app.store
        .audit_log(org, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action.starts_with("email_domain."))
        .map(|e| (e.action, e.detail))
        .collect()
}

/// A JSON body of about 2 MB, sent as it is (over the route's limit). The server answers from
/// the Content-Length and closes without reading the rest, so on a loaded machine the client can
/// still be writing when the connection goes: `Err` is that broken write (the request was
/// refused unread all the same).
async fn post_raw(
    app: &TestApp,
    token: &str,
    body: String,
) -> Result<reqwest::Response, reqwest::Error> {
    app.client
        .post(format!("{}{BLOCKED}", app.base))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .header("connection", "close")
        .body(body)
        .send()
        .await
}

async fn the_api_blocks_lists_and_unblocks_with_audit_rows(app: TestApp) {
    let admin = app.token(ADMIN).await;
    let empty = app.get(BLOCKED, &admin).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(empty.body, json!({"items": []}));

    let added = app
        .post(BLOCKED, &admin, json!({"domain": "  @Spam.Example. "}))
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{:?}", added.body);
    assert_eq!(added.body["domain"], "spam.example");
    assert_eq!(added.body["created_by"], ADMIN_EMAIL);
    assert!(added.body["created_at"].as_str().unwrap().ends_with('Z'));
    let mut keys: Vec<&String> = added.body.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["created_at", "created_by", "domain"],
        "exactly the documented keys"
    );

    let again = app
        .post(BLOCKED, &admin, json!({"domain": "SPAM.example"}))
        .await;
    assert_eq!(
        (again.status, again.code(), again.field()),
        (StatusCode::CONFLICT, "duplicate", "domain")
    );
    assert!(
        app.post(BLOCKED, &admin, json!({"domain": "a.example"}))
            .await
            .status
            .is_success()
    );
    let listed = app.get(BLOCKED, &admin).await;
    assert_eq!(domains(&listed.body), ["a.example", "spam.example"]);
    assert_eq!(listed.body["items"][1], added.body);

    let gone = app.delete(&format!("{BLOCKED}/spam.example"), &admin).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    assert_eq!(gone.body, Value::Null);
    // Named in another case, it is the same domain; it is no longer there.
    let twice = app.delete(&format!("{BLOCKED}/SPAM.example"), &admin).await;
    assert_eq!(
        (twice.status, twice.code()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    assert_eq!(domains(&app.get(BLOCKED, &admin).await.body), ["a.example"]);

    // One audit row per change, newest first; the refused duplicate and delete left none.
    assert_eq!(
        audit_actions(&app).await,
        [
            (
                "email_domain.unblock".to_string(),
                json!({"domain": "spam.example"})
            ),
            (
                "email_domain.block".to_string(),
                json!({"domain": "a.example"})
            ),
            (
                "email_domain.block".to_string(),
                json!({"domain": "spam.example"})
            ),
        ]
    );

    // The document describes the three operations.
    let doc = app.get("/api/v1/openapi.json", &admin).await.body;
    let path = &doc["paths"]["/api/v1/email-domains/blocked/{domain}"]["delete"];
    assert_eq!(path["operationId"], "unblock_domain");
    assert_eq!(path["parameters"][0]["schema"]["type"], "string");
    assert!(doc["paths"][BLOCKED]["post"]["responses"]["409"].is_object());
}

async fn the_block_list_is_for_administrators_of_the_org(app: TestApp) {
    let admin = app.token(ADMIN).await;
    assert_eq!(
        app.post(BLOCKED, &admin, json!({"domain": "spam.example"}))
            .await
            .status,
        StatusCode::CREATED
    );
    let rep = app.token(REP).await;
    for r in [
        app.get(BLOCKED, &rep).await,
        app.post(BLOCKED, &rep, json!({"domain": "rep.example"}))
            .await,
        // Refused as forbidden before the name is read: a rep learns nothing of the list.
        app.post(BLOCKED, &rep, json!({"domain": "not a domain"}))
            .await,
        app.delete(&format!("{BLOCKED}/spam.example"), &rep).await,
        app.delete(&format!("{BLOCKED}/never.example"), &rep).await,
    ] {
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"));
    }
    for (method, path) in [
        (Method::GET, BLOCKED.to_string()),
        (Method::DELETE, format!("{BLOCKED}/spam.example")),
    ] {
        let r = app.call(method, &path, None, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let anonymous = app
        .call(
            Method::POST,
            BLOCKED,
            None,
            Some(json!({"domain": "x.example"})),
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        domains(&app.get(BLOCKED, &admin).await.body),
        ["spam.example"]
    );

    // Another org's administrator sees none of it, cannot remove it, and keeps a list of its own.
    let rival = app.other_org().await;
    assert_eq!(app.get(BLOCKED, &rival).await.body, json!({"items": []}));
    let probe = app.delete(&format!("{BLOCKED}/spam.example"), &rival).await;
    assert_eq!(probe.status, StatusCode::NOT_FOUND);
    assert_eq!(
        probe.body,
        app.delete(&format!("{BLOCKED}/never.example"), &rival)
            .await
            .body,
        "someone else's entry looks like a missing one"
    );
    let theirs = app
        .post(BLOCKED, &rival, json!({"domain": "spam.example"}))
        .await;
    assert_eq!(theirs.status, StatusCode::CREATED, "no clash across orgs");
    assert_eq!(theirs.body["created_by"], RIVAL_ADMIN.0);
    assert_eq!(
        app.delete(&format!("{BLOCKED}/spam.example"), &rival)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let mine = app.get(BLOCKED, &admin).await;
    assert_eq!(domains(&mine.body), ["spam.example"]);
    assert_eq!(mine.body["items"][0]["created_by"], ADMIN_EMAIL);
}

async fn bad_domains_are_refused_with_a_code(app: TestApp) {
    let admin = app.token(ADMIN).await;
    let long = format!("{}.example", "a".repeat(300));
    for (body, field, code) in [
        (json!({"domain": ""}), "domain", "required"),
        (json!({"domain": "   "}), "domain", "required"),
        (
            json!({"domain": "not a domain"}),
            "domain",
            "invalid_domain",
        ),
        (json!({"domain": "localhost"}), "domain", "invalid_domain"),
        (
            json!({"domain": "*.example.com"}),
            "domain",
            "invalid_domain",
        ),
        (
            json!({"domain": "ann@example.com"}),
            "domain",
            "invalid_domain",
        ),
        (
            json!({"domain": "lándwirt.com"}),
            "domain",
            "invalid_domain",
        ),
        (json!({"domain": long}), "domain", "too_long"),
        (
            json!({"domain": "exa\u{1b}mple.com"}),
            "domain",
            "invalid_characters",
        ),
        (
            json!({"domain": "exa\u{0}mple.com"}),
            "domain",
            "nul_character",
        ),
        (json!({"domain": 5}), "body", "invalid_body"),
        (json!({}), "domain", "required"),
        (
            json!({"domain": "x.example", "note": "why"}),
            "note",
            "unknown_field",
        ),
    ] {
        let r = app.post(BLOCKED, &admin, body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {:?}",
            r.body
        );
        assert!(!r.code().is_empty(), "{body}: a code");
        if field != "body" {
            assert_eq!((r.field(), r.code()), (field, code), "{body}");
        }
    }

    // 2 MB: refused before it is read, as too large, and nothing was written.
    let huge = format!(
        "{{\"domain\": \"{}.example\"}}",
        "a".repeat(2 * 1024 * 1024)
    );
    match post_raw(&app, &admin, huge).await {
        Ok(r) => {
            assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["error"]["code"], "payload_too_large");
        }
        Err(e) => assert!(e.is_request(), "only the write may break: {e:?}"),
    }
    let not_json = app
        .client
        .post(format!("{}{BLOCKED}", app.base))
        .bearer_auth(&admin)
        .header("content-type", "text/plain")
        .body("domain=x.example")
        .send()
        .await
        .unwrap();
    assert!(not_json.status().is_client_error());

    // A name that is no domain names nothing to unblock.
    for path in [
        format!("{BLOCKED}/not%20a%20domain"),
        format!("{BLOCKED}/{}", "a".repeat(3000)),
        format!("{BLOCKED}/..."),
    ] {
        let r = app.delete(&path, &admin).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(app.get(BLOCKED, &admin).await.body, json!({"items": []}));
    assert!(audit_actions(&app).await.is_empty());
}

async fn the_setup_page_blocks_and_unblocks_through_csrf_checked_forms(app: TestApp) {
    const PAGE: &str = "/admin/setup/email-domains";
    let cookie = app.admin_cookie(ADMIN).await;
    let page = app.browse(&cookie, Method::GET, PAGE, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("No blocked domains yet"),
        "{}",
        page.body
    );
    assert!(page.body.contains("disposable-address services"));
    let home = app.browse(&cookie, Method::GET, "/admin/home", None).await;
    assert!(
        home.body.contains(&format!("href=\"{PAGE}\"")),
        "linked from Setup"
    );
    let csrf = csrf_of(&page.body);

    // Without the right token nothing is written.
    let forged = app
        .browse(
            &cookie,
            Method::POST,
            PAGE,
            Some(&[("_csrf", "forged"), ("domain", "spam.example")]),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // A bad name shows the form again with the input and the error beside the field.
    let bad = app
        .browse(
            &cookie,
            Method::POST,
            PAGE,
            Some(&[("_csrf", csrf.as_str()), ("domain", "<b>not a domain</b>")]),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("class=\"field-error\""), "{}", bad.body);
    assert!(
        bad.body
            .contains("value=\"&#60;b&#62;not a domain&#60;/b&#62;\"")
    );
    assert!(!bad.body.contains("<b>not"));

    let added = app
        .browse(
            &cookie,
            Method::POST,
            PAGE,
            Some(&[("_csrf", csrf.as_str()), ("domain", "Spam.Example")]),
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert!(added.location.starts_with(&format!("{PAGE}?flash=")));
    let shown = app
        .browse(&cookie, Method::GET, &added.location, None)
        .await;
    assert!(shown.body.contains("spam.example is blocked"));
    assert!(shown.body.contains("<td>spam.example</td>"));
    assert!(shown.body.contains(ADMIN_EMAIL));

    // Blocking it again is refused beside the field, and the list keeps one entry.
    let again = app
        .browse(
            &cookie,
            Method::POST,
            PAGE,
            Some(&[("_csrf", csrf.as_str()), ("domain", "spam.example")]),
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("spam.example is already blocked"));
    assert_eq!(again.body.matches("<td>spam.example</td>").count(), 1);

    // 2 MB of form is refused before it is read: a 413, or (on a loaded machine) the
    // connection closed under the client's write — either way nothing is blocked.
    let huge = format!("_csrf={csrf}&domain={}", "a".repeat(2 * 1024 * 1024));
    let too_big = app
        .client
        .post(format!("{}{PAGE}", app.base))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("connection", "close")
        .body(huge)
        .send()
        .await;
    if let Ok(r) = too_big {
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
    let listed = app.browse(&cookie, Method::GET, PAGE, None).await;
    assert!(
        !listed.body.contains("aaaaaaaaaa"),
        "nothing of it was kept"
    );

    // A sales rep gets neither the page nor the forms.
    let rep = app.admin_cookie(REP).await;
    let rep_page = app.browse(&rep, Method::GET, PAGE, None).await;
    assert_eq!(rep_page.status, StatusCode::FORBIDDEN);
    assert!(!rep_page.body.contains("spam.example"));
    let rep_csrf = csrf_of(
        &app.browse(&rep, Method::GET, "/admin/home", None)
            .await
            .body,
    );
    let rep_home = app.browse(&rep, Method::GET, "/admin/home", None).await;
    assert!(!rep_home.body.contains(PAGE), "no Setup link for a rep");
    for (path, domain) in [
        (PAGE, "rep.example"),
        ("/admin/setup/email-domains/remove", "spam.example"),
    ] {
        let r = app
            .browse(
                &rep,
                Method::POST,
                path,
                Some(&[("_csrf", rep_csrf.as_str()), ("domain", domain)]),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }

    // Remove: CSRF-checked too.
    let forged = app
        .browse(
            &cookie,
            Method::POST,
            "/admin/setup/email-domains/remove",
            Some(&[("_csrf", "forged"), ("domain", "spam.example")]),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let removed = app
        .browse(
            &cookie,
            Method::POST,
            "/admin/setup/email-domains/remove",
            Some(&[("_csrf", csrf.as_str()), ("domain", "spam.example")]),
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    let after = app
        .browse(&cookie, Method::GET, &removed.location, None)
        .await;
    assert!(after.body.contains("spam.example is no longer blocked"));
    assert!(after.body.contains("No blocked domains yet"));
    let missing = app
        .browse(
            &cookie,
            Method::POST,
            "/admin/setup/email-domains/remove",
            Some(&[("_csrf", csrf.as_str()), ("domain", "spam.example")]),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        audit_actions(&app)
            .await
            .iter()
            .map(|(a, _)| a.as_str())
            .collect::<Vec<_>>(),
        ["email_domain.unblock", "email_domain.block"]
    );
}

async fn refused_domains_are_disposable_or_blocked_by_the_org(app: TestApp) {
    let admin = app.token(ADMIN).await;
    assert_eq!(
        app.post(BLOCKED, &admin, json!({"domain": "rival.example"}))
            .await
            .status,
        StatusCode::CREATED
    );
    let org = app.org_of(ADMIN_EMAIL).await;
    let rival_token = app.other_org().await;
    assert!(!rival_token.is_empty());
    let rival = app.org_of(RIVAL_ADMIN.0).await;
    let mut tx = app.store.transaction().await.unwrap();
    for (org, email, refused) in [
        (org, "ann@mailinator.com", true),
        (org, "ann@X.Mailinator.COM", true),
        (org, "ann@yopmail.com", true),
        (org, "ann@rival.example", true),
        (org, "ann@sales.RIVAL.example", true),
        (org, "ann@northwind.example", false),
        (org, "ann@gmail.com", false),
        (org, "ann@notrival.example", false),
        // Another org's list is not this one's; the shipped list is everyone's.
        (rival, "ann@rival.example", false),
        (rival, "ann@mailinator.com", true),
    ] {
        assert_eq!(
            portico_app::email_domains::refused_domain(&mut tx, org, email)
                .await
                .unwrap(),
            refused,
            "{email} in org {org}"
        );
    }
}
