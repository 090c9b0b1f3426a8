//! Access tests for every portal page route, taken from the router's own route list (the
//! `.route(…)` calls of `crates/web/src/portal_site/mod.rs`): a route without a rule here fails
//! the test. For each route, on both backends: anonymous access to a signed-in page is sent to
//! sign in (and its form does nothing); a form without its CSRF token, or with a wrong one, is
//! refused; another portal user's record (same portal, same user type) and another org's
//! answer exactly like a missing one; a hidden field's value never appears in a body.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use portico_testkit::app::csrf_of;
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::portal::{BASE, Jar, accept, admin_actor, get, go, invite, post, token_in_mail};
use support::{ADMIN, TestApp};

on_both_backends!(
    every_portal_page_route_has_its_access_rule_enforced,
    every_portal_api_route_refuses_a_caller_without_a_token,
);

/// Every portal API route (the router's own table) refuses a call without a bearer token, or
/// with a cookie session instead of one, the same way; only `POST auth/token` is open.
async fn every_portal_api_route_refuses_a_caller_without_a_token(app: TestApp) {
    let routes = portico_web::portal_api_routes();
    assert!(routes.len() >= 8, "{routes:?}");
    let token = invite(&app).await;
    let mut jar = accept(&app, &token).await;
    for (method, route) in routes {
        let path = concrete(route, app.fx.cases.client[0]);
        if route.ends_with("auth/token") && method == Method::POST {
            continue;
        }
        for cookies in [Jar::default(), jar.clone()] {
            let mut request = app
                .client
                .request(method.clone(), format!("{}{path}", app.base));
            if !cookies.0.is_empty() {
                request = request.header("cookie", cookies.header());
            }
            let r = request
                .json(&json!({"data": {"Subject": "x"}}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
            let body: serde_json::Value = r.json().await.unwrap();
            assert!(body["error"]["code"].is_string(), "{method} {path}: {body}");
        }
    }
    assert_eq!(get(&app, &mut jar, BASE).await.status, StatusCode::OK);
}

/// How a route may be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// Open to anyone (its forms carry the pre-session token).
    Anonymous,
    /// A signed-in portal user's page: anyone else is sent to sign in.
    SignedIn,
    /// The MFA step between a correct password and a session: without its challenge cookie
    /// it sends the browser back to sign in, opening nothing (with a cookie that is not a live
    /// challenge, too).
    Challenge,
    /// The catch-all "not found".
    Fallback,
}

/// The rule of each portal route. A new route must be added here, or the test fails.
const RULES: &[(&str, Rule)] = &[
    ("/p/{slug}/", Rule::Anonymous),
    ("/p/{slug}/sign-in", Rule::Anonymous),
    ("/p/{slug}/sign-in/code", Rule::Challenge),
    ("/p/{slug}/sign-in/enrol", Rule::Challenge),
    ("/p/{slug}/sign-out", Rule::SignedIn),
    ("/p/{slug}/invite/{token}", Rule::Anonymous),
    ("/p/{slug}/forgot", Rule::Anonymous),
    ("/p/{slug}/reset/{token}", Rule::Anonymous),
    ("/p/{slug}/welcome", Rule::SignedIn),
    ("/p/{slug}/sign-up", Rule::Anonymous),
    ("/p/{slug}/verify/{token}", Rule::Anonymous),
    ("/p/{slug}/m/{module}", Rule::SignedIn),
    ("/p/{slug}/m/{module}/new", Rule::SignedIn),
    ("/p/{slug}/m/{module}/{id}", Rule::SignedIn),
    ("/p/{slug}/m/{module}/{id}/edit", Rule::SignedIn),
    ("/p/{slug}/m/{module}/{id}/delete", Rule::SignedIn),
    ("/p/{slug}/preferences", Rule::SignedIn),
    ("/p/{slug}/logo", Rule::Anonymous),
    ("/p/{slug}/brand.css", Rule::Anonymous),
    ("/p/{slug}/analytics.js", Rule::Anonymous),
    ("/p/{slug}/account", Rule::SignedIn),
    ("/p/{slug}/account/password", Rule::SignedIn),
    ("/p/{slug}/account/email", Rule::SignedIn),
    ("/p/{slug}/account/mfa", Rule::SignedIn),
    ("/p/{slug}/account/mfa/enable", Rule::SignedIn),
    ("/p/{slug}/account/mfa/recovery", Rule::SignedIn),
    ("/p/{slug}/account/mfa/disable", Rule::SignedIn),
    // The link from the email-change message: a page that changes nothing, and a form with
    // the pre-session token.
    ("/p/{slug}/email-change/{token}", Rule::Anonymous),
    ("/p/{slug}/{*rest}", Rule::Fallback),
];

/// The portal routes and their methods, read from the router's source.
fn routes() -> Vec<(String, Vec<Method>)> {
    let source = include_str!("../../web/src/portal_site/mod.rs");
    let mut out = Vec::new();
    for chunk in source.split(".route(").skip(1) {
        let Some(path) = chunk
            .trim_start()
            .strip_prefix('"')
            .and_then(|c| c.split('"').next())
        else {
            continue;
        };
        if !path.starts_with("/p/{slug}/") {
            continue;
        }
        let mut methods = Vec::new();
        for (word, method) in [
            ("get(", Method::GET),
            ("post(", Method::POST),
            ("any(", Method::GET),
        ] {
            if chunk.contains(word) && !methods.contains(&method) {
                methods.push(method);
            }
        }
        out.push((path.to_string(), methods));
    }
    out
}

/// A concrete path for a route: the fixture portal, the Cases module, record `id`.
fn concrete(route: &str, id: i64) -> String {
    route
        .replace("/p/{slug}/", BASE)
        .replace("{module}", "Cases")
        .replace("{id}", &id.to_string())
        .replace("{token}", &"ab".repeat(32))
        .replace("{*rest}", "no/such/page")
}

async fn every_portal_page_route_has_its_access_rule_enforced(app: TestApp) {
    let routes = routes();
    assert!(
        routes.len() >= 15,
        "the route list was not read: {routes:?}"
    );
    let missing: Vec<&String> = routes
        .iter()
        .map(|(p, _)| p)
        .filter(|p| !RULES.iter().any(|(r, _)| r == p))
        .collect();
    assert!(
        missing.is_empty(),
        "portal routes without an access rule: {missing:?}"
    );

    // A hidden value on the client's deal and contact, to look for in every body.
    let t = app.token(ADMIN).await;
    let secret = "ROUTE-HIDDEN-VALUE-5521";
    for (module, id) in [
        ("Deals", app.fx.deals.client),
        ("Contacts", app.fx.contacts.client),
    ] {
        let r = app
            .patch(
                &format!("/api/v1/records/{module}/{id}"),
                &t,
                json!({"data": {"Description": secret}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    // Another portal user of the same portal and user type: the other contact.
    let actor = admin_actor(&app).await;
    let to = portico_app::invitations::InviteTo {
        portal_id: app.fx.portal,
        user_type_id: app.fx.client_type,
        language: None,
    };
    let other = portico_app::invitations::invite_record(
        &app.state,
        &actor,
        "Contacts",
        app.fx.contacts.other,
        &to,
    )
    .await
    .unwrap();
    let other_token = token_in_mail(&app, other.mail_id).await;
    let mut other_jar = accept(&app, &other_token).await;
    assert_eq!(
        get(
            &app,
            &mut other_jar,
            &format!("{BASE}m/Cases/{}", app.fx.cases.other)
        )
        .await
        .status,
        StatusCode::OK,
        "the other user reaches their own case"
    );
    let rival = app.other_org().await;
    let rival_case = app
        .post(
            "/api/v1/records/Cases",
            &rival,
            json!({"data": {"Subject": "Rival case", "Status": "New"}}),
        )
        .await;
    let rival_id = rival_case.body["id"].as_i64().unwrap();

    let token = invite(&app).await;
    let mut jar = accept(&app, &token).await;
    let home = get(&app, &mut jar, BASE).await;
    let csrf = csrf_of(&home.body);
    let own_case = app.fx.cases.client[0];
    let missing_id = 999_999_999;

    for (route, methods) in &routes {
        let rule = RULES
            .iter()
            .find(|(r, _)| r == route)
            .map(|(_, r)| *r)
            .unwrap();
        let path = concrete(route, own_case);
        match rule {
            Rule::SignedIn => {
                for method in methods {
                    let mut anonymous = Jar::default();
                    let form: &[(&str, &str)] = &[("Subject", "anonymous write")];
                    let r = go(
                        &app,
                        &mut anonymous,
                        method.clone(),
                        &path,
                        Some(form).filter(|_| *method == Method::POST),
                        None,
                    )
                    .await;
                    assert!(
                        r.status == StatusCode::SEE_OTHER && r.location.contains("sign-in"),
                        "{method} {path} anonymous: {} {}",
                        r.status,
                        r.location
                    );
                    if *method == Method::POST {
                        for bad in ["", "0123456789abcdef"] {
                            let r = post(
                                &app,
                                &mut jar.clone(),
                                &path,
                                &[("_csrf", bad), ("_version", "1")],
                            )
                            .await;
                            assert_eq!(
                                r.status,
                                StatusCode::FORBIDDEN,
                                "POST {path} with csrf {bad:?}"
                            );
                        }
                    }
                }
                if route.contains("{id}") {
                    let missing = get(&app, &mut jar, &concrete(route, missing_id)).await;
                    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{route} missing");
                    let write = [
                        ("_csrf", csrf.as_str()),
                        ("_version", "1"),
                        ("Subject", "taken"),
                    ];
                    let missing_post = if methods.contains(&Method::POST) {
                        Some(post(&app, &mut jar, &concrete(route, missing_id), &write).await)
                    } else {
                        None
                    };
                    for id in [app.fx.cases.other, rival_id] {
                        let r = get(&app, &mut jar, &concrete(route, id)).await;
                        assert_eq!(r.status, missing.status, "{route} id {id}");
                        assert_eq!(
                            r.body, missing.body,
                            "{route} id {id} differs from a missing record"
                        );
                        if let Some(like) = &missing_post {
                            let r = post(&app, &mut jar, &concrete(route, id), &write).await;
                            assert!(
                                r.status == StatusCode::NOT_FOUND
                                    || r.status == StatusCode::FORBIDDEN,
                                "POST {route} id {id}: {}",
                                r.status
                            );
                            assert_eq!(r.status, like.status, "POST {route} id {id}");
                            assert_eq!(r.body, like.body, "POST {route} id {id}");
                        }
                    }
                }
            }
            Rule::Anonymous => {
                let r = get(&app, &mut Jar::default(), &path).await;
                assert!(
                    r.status == StatusCode::OK || r.status == StatusCode::NOT_FOUND,
                    "GET {path} anonymous: {}",
                    r.status
                );
                if methods.contains(&Method::POST) {
                    // Without its form token a form does nothing: refused (a link route may
                    // answer its dead-link page first), and no session is opened.
                    let r = post(&app, &mut Jar::default(), &path, &[("_csrf", "")]).await;
                    assert!(
                        r.status == StatusCode::FORBIDDEN || r.status == StatusCode::NOT_FOUND,
                        "POST {path} without a form token: {}",
                        r.status
                    );
                    assert!(
                        r.cookie("portico_portal").is_none(),
                        "POST {path} opened a session"
                    );
                }
            }
            Rule::Challenge => {
                let forged = "0".repeat(64);
                for cookie in [None, Some(forged.as_str())] {
                    for method in methods {
                        let mut browser = Jar::default();
                        if let Some(c) = cookie {
                            browser.0.insert("portico_portal_mfa".into(), c.into());
                        }
                        let form: &[(&str, &str)] = &[("code", "123456"), ("_csrf", "")];
                        let r = go(
                            &app,
                            &mut browser,
                            method.clone(),
                            &path,
                            Some(form).filter(|_| *method == Method::POST),
                            None,
                        )
                        .await;
                        assert!(
                            (r.status == StatusCode::SEE_OTHER && r.location.contains("sign-in"))
                                || r.status == StatusCode::FORBIDDEN,
                            "{method} {path} with challenge {cookie:?}: {} {}",
                            r.status,
                            r.location
                        );
                        assert!(
                            r.cookie("portico_portal").is_none(),
                            "{method} {path} opened a session"
                        );
                    }
                }
            }
            Rule::Fallback => {
                let r = get(&app, &mut jar, &path).await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
            }
        }
        if methods.contains(&Method::GET) && rule != Rule::Fallback {
            let r = get(&app, &mut jar, &path).await;
            assert!(!r.body.contains(secret), "GET {path} shows a hidden value");
        }
    }
    // The other contact's case is unchanged by all of that.
    let case = app
        .get(&format!("/api/v1/records/Cases/{}", app.fx.cases.other), &t)
        .await;
    assert_eq!(case.body["data"]["Subject"], "Delivery late");
    let _ = Method::DELETE;
}
