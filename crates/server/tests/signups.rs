//! Sign-up approvals over HTTP, on both backends: the portal's default owner in the settings
//! (API and form), the API's list / approve / reject (administrators of the org only, strict
//! query parameters), and the admin approvals page with its CSRF-checked buttons.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use portico_app::signups::{SignUpForm, SignUpOutcome};
use portico_domain::portal::Portal;
use portico_testkit::app::csrf_of;
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{ADMIN, REP, TestApp};

on_both_backends!(
    the_default_owner_is_a_setting_of_active_crm_users,
    the_api_lists_approves_and_rejects_for_administrators_of_the_org,
    the_approvals_page_decides_with_the_csrf_token,
);

async fn portal(app: &TestApp) -> Portal {
    app.store
        .get_portal(app.fx.org, app.fx.portal)
        .await
        .unwrap()
}

/// Makes the fixture portal restricted and signs `email` up to it.
async fn restricted_with_applicants(app: &TestApp, token: &str, emails: &[&str]) -> Portal {
    let r = app
        .patch(
            &format!("/api/v1/portals/{}", app.fx.portal),
            token,
            json!({"portal_type": "restricted", "notify_applicant": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let p = portal(app).await;
    for email in emails {
        let form = SignUpForm {
            name: "Applicant <b>Bold</b>".into(),
            email: (*email).into(),
            password: "correct horse battery".into(),
            confirm: "correct horse battery".into(),
        };
        let outcome = portico_app::signups::sign_up(&app.state, &p, form)
            .await
            .unwrap();
        assert_eq!(outcome, SignUpOutcome::AwaitingApproval);
    }
    p
}

async fn the_default_owner_is_a_setting_of_active_crm_users(app: TestApp) {
    let admin = app.token(ADMIN).await;
    let path = format!("/api/v1/portals/{}", app.fx.portal);
    let r = app.get(&path, &admin).await;
    assert_eq!(r.body["default_owner_id"], json!(null));
    let r = app
        .patch(&path, &admin, json!({"default_owner_id": app.fx.rep}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["default_owner_id"], json!(app.fx.rep));
    let r = app
        .patch(&path, &admin, json!({"default_owner_id": 987_654}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!((r.field(), r.code()), ("default_owner_id", "unknown_user"));
    // Another org's administrator is no user of this org.
    app.other_org().await;
    let rival = app.user_id(portico_testkit::fixtures::RIVAL_ADMIN.0).await;
    let r = app
        .patch(&path, &admin, json!({"default_owner_id": rival}))
        .await;
    assert_eq!((r.field(), r.code()), ("default_owner_id", "unknown_user"));
    // The settings form offers the org's active users and saves the choice.
    let cookie = app.admin_cookie(ADMIN).await;
    let settings = format!("/admin/setup/portals/{}/settings", app.fx.portal);
    let page = app.browse(&cookie, Method::GET, &settings, None).await;
    assert!(page.body.contains("name=\"default_owner_id\""));
    assert!(
        page.body
            .contains(&format!("value=\"{}\" selected", app.fx.rep))
    );
    assert!(!page.body.contains(&format!("value=\"{rival}\"")));
}

async fn the_api_lists_approves_and_rejects_for_administrators_of_the_org(app: TestApp) {
    let admin = app.token(ADMIN).await;
    let rep = app.token(REP).await;
    restricted_with_applicants(
        &app,
        &admin,
        &["ann@customer.example", "bob@customer.example"],
    )
    .await;
    let list = format!("/api/v1/portals/{}/signups", app.fx.portal);
    let r = app.get(&list, &admin).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let items = r.body["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2);
    assert_eq!(
        items[0]["email"],
        json!("bob@customer.example"),
        "newest first"
    );
    assert_eq!(items[0]["status"], json!("pending"));
    assert_eq!(items[0]["record_id"], json!(null));
    let (bob, ann) = (
        items[0]["id"].as_i64().unwrap(),
        items[1]["id"].as_i64().unwrap(),
    );
    let r = app.get(&format!("{list}?limit=1"), &admin).await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
    let next = r.body["next"].as_str().unwrap().to_string();
    let r = app
        .get(&format!("{list}?limit=1&after={next}"), &admin)
        .await;
    assert_eq!(r.body["items"][0]["id"], json!(ann));
    for bad in ["limit=0", "limit=x", "colour=red"] {
        let r = app.get(&format!("{list}?{bad}"), &admin).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    // Not administrators, or not of this org: refused, nothing changes.
    let approve = |id: i64| format!("{list}/{id}/approve");
    let reject = |id: i64| format!("{list}/{id}/reject");
    assert_eq!(app.get(&list, &rep).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.post(&approve(ann), &rep, json!(null)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(&reject(ann), &rep, json!(null)).await.status,
        StatusCode::FORBIDDEN
    );
    let rival = app.other_org().await;
    assert_eq!(app.get(&list, &rival).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.post(&approve(ann), &rival, json!(null)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(&reject(bob), &rival, json!(null)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(&format!("{list}/999999/approve"), &admin, json!(null))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // The administrator decides.
    let r = app.post(&approve(ann), &admin, json!(null)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], json!("active"));
    assert!(r.body["record_id"].as_i64().is_some());
    let r = app.post(&approve(ann), &admin, json!(null)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "not pending any more");
    let r = app.post(&reject(bob), &admin, json!(null)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.post(&reject(bob), &admin, json!(null)).await.status,
        StatusCode::NOT_FOUND
    );
    let r = app.get(&list, &admin).await;
    assert_eq!(r.body["items"], json!([]));
    // Both applicants were told.
    let r = app.get("/api/v1/mail?limit=200", &admin).await;
    let decisions: Vec<_> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "signup_decision")
        .map(|m| m["recipient"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(decisions, ["bob@customer.example", "ann@customer.example"]);
}

async fn the_approvals_page_decides_with_the_csrf_token(app: TestApp) {
    let admin = app.token(ADMIN).await;
    restricted_with_applicants(
        &app,
        &admin,
        &["ann@customer.example", "bob@customer.example"],
    )
    .await;
    let p = app.fx.portal;
    let signups = format!("/admin/setup/portals/{p}/signups");
    let cookie = app.admin_cookie(ADMIN).await;
    let summary = app
        .browse(
            &cookie,
            Method::GET,
            &format!("/admin/setup/portals/{p}"),
            None,
        )
        .await;
    assert!(
        summary.body.contains(&format!("href=\"{signups}\"")),
        "linked from the portal"
    );
    let page = app.browse(&cookie, Method::GET, &signups, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("ann@customer.example") && page.body.contains("bob@customer.example")
    );
    assert!(!page.body.contains("<b>Bold</b>"), "names are escaped");
    // Counted, newest first, sortable (announced with aria-sort).
    assert!(
        page.body.contains("2 sign-ups wait for a decision"),
        "{}",
        page.body
    );
    let at = |body: &str, who: &str| body.find(who).unwrap();
    assert!(
        at(&page.body, "bob@") < at(&page.body, "ann@"),
        "newest first"
    );
    assert!(page.body.contains("aria-sort=\"descending\""));
    let by_email = app
        .browse(&cookie, Method::GET, &format!("{signups}?sort=email"), None)
        .await;
    assert!(at(&by_email.body, "ann@") < at(&by_email.body, "bob@"));
    assert!(by_email.body.contains("aria-sort=\"ascending\""));
    let csrf = csrf_of(&page.body);
    let items = app
        .get(&format!("/api/v1/portals/{p}/signups"), &admin)
        .await
        .body["items"]
        .clone();
    let (bob, ann) = (
        items[0]["id"].as_i64().unwrap(),
        items[1]["id"].as_i64().unwrap(),
    );
    let approve = format!("{signups}/{ann}/approve");
    let forged = app
        .browse(
            &cookie,
            Method::POST,
            &approve,
            Some(&[("_csrf", "forged")]),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let missing = app.browse(&cookie, Method::POST, &approve, Some(&[])).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    let rep = app.admin_cookie(REP).await;
    let rep_page = app.browse(&rep, Method::GET, &signups, None).await;
    assert_eq!(rep_page.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get(&format!("/api/v1/portals/{p}/signups"), &admin)
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "nothing was decided without the token"
    );
    let press = |path: String| {
        let (app, cookie, csrf) = (&app, &cookie, &csrf);
        async move {
            app.browse(
                cookie,
                Method::POST,
                &path,
                Some(&[("_csrf", csrf.as_str())]),
            )
            .await
        }
    };
    let ok = press(approve.clone()).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert!(ok.location.starts_with(&signups), "{}", ok.location);
    let rejected = press(format!("{signups}/{bob}/reject")).await;
    assert_eq!(rejected.status, StatusCode::SEE_OTHER);
    // Approving again says why on the list as a failure, not as an error page.
    let again = press(approve).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert!(again.location.contains("problem="), "{}", again.location);
    let page = app.browse(&cookie, Method::GET, &signups, None).await;
    assert!(page.body.contains("No sign-ups are waiting"));
}
