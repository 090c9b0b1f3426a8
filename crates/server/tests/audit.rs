//! The audit log over HTTP, on both backends: a portal user's page view reaches the log with
//! their address, through the enforcement point; `GET /api/v1/audit` filters, pages and
//! counts, refuses bad parameters with a code naming them, and answers administrators only;
//! the `/admin/audit` page shows the entries escaped, keeps a bad filter with its error beside
//! the field, pages, and refuses non-administrators like every admin-only page.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use portico_app::invitations::{InviteTo, invite_record};
use portico_testkit::app::csrf_of;
use portico_testkit::fixtures::{CLIENT_EMAIL, PORTAL_NAME};
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{ADMIN, REP, TestApp};

on_both_backends!(
    a_portal_page_view_is_audited_with_its_address,
    the_api_filters_pages_and_refuses,
    the_admin_page_filters_pages_and_refuses,
);

const BASE: &str = "/p/northwind-clients/";

/// A portal browser's cookies, as `name=value; …`, kept from every answer.
#[derive(Default)]
struct Cookies(Vec<(String, String)>);

impl Cookies {
    /// Sends a request with the cookies (and the form), keeps what it sets; answers status,
    /// location and body.
    async fn send(
        &mut self,
        app: &TestApp,
        method: Method,
        path: &str,
        form: Option<&[(&str, &str)]>,
    ) -> (StatusCode, String, String) {
        let header: Vec<String> = self.0.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let mut req = app.client.request(method, format!("{}{path}", app.base));
        req = req.header("cookie", header.join("; "));
        if let Some(f) = form {
            req = req.form(f);
        }
        let r = req.send().await.unwrap();
        for c in r.headers().get_all("set-cookie") {
            let pair = c.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.0.retain(|(k, _)| k != name);
            self.0.push((name.to_string(), value.to_string()));
        }
        let location = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (r.status(), location, r.text().await.unwrap())
    }
}

/// The fixture's client invited and signed in to the fixture portal through its pages; answers
/// the portal user's id and the browser.
async fn signed_in_client(app: &TestApp) -> (i64, Cookies) {
    let admin = portico_app::sign_in::actor(&app.state, app.fx.org, app.fx.admin)
        .await
        .unwrap();
    let to = InviteTo {
        portal_id: app.fx.portal,
        user_type_id: app.fx.client_type,
        language: None,
    };
    let invited = invite_record(&app.state, &admin, "Contacts", app.fx.contacts.client, &to)
        .await
        .unwrap();
    let mail = app
        .store
        .get_mail(app.fx.org, invited.mail_id)
        .await
        .unwrap();
    let at = mail.text.find("/invite/").unwrap() + "/invite/".len();
    let path = format!("{BASE}invite/{}", &mail.text[at..at + 64]);
    let mut browser = Cookies::default();
    let (status, _, form) = browser.send(app, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{form}");
    let password = "a long portal passphrase 7";
    let csrf = csrf_of(&form);
    let fields = [
        ("password", password),
        ("confirm", password),
        ("_csrf", csrf.as_str()),
    ];
    let (status, _, body) = browser.send(app, Method::POST, &path, Some(&fields)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    (invited.portal_user.id, browser)
}

async fn a_portal_page_view_is_audited_with_its_address(app: TestApp) {
    let (portal_user, mut browser) = signed_in_client(&app).await;
    let t = app.token(ADMIN).await;
    let views = "/api/v1/audit?action=portal.record.view";
    assert_eq!(app.get(views, &t).await.body["count"], 0);
    let (status, _, body) = browser.send(&app, Method::GET, BASE, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r = app.get(views, &t).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["count"], 1, "{:?}", r.body);
    let e = &r.body["items"][0];
    assert_eq!(e["actor"], format!("portal:{CLIENT_EMAIL}"));
    assert_eq!(e["portal_id"], app.fx.portal);
    assert_eq!(e["portal_user_id"], portal_user);
    assert_eq!(e["module"], "Contacts");
    assert_eq!(e["record_id"], app.fx.contacts.client);
    assert_eq!(e["ip"], "127.0.0.1");
    assert!(e["at"].as_str().unwrap().ends_with('Z'));
    // The account events of the same user are found by the same filter.
    let by_user = app
        .get(&format!("/api/v1/audit?portal_user={CLIENT_EMAIL}"), &t)
        .await;
    let actions: Vec<&str> = by_user.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"portal.record.view"), "{actions:?}");
    assert!(
        actions.len() >= 2,
        "the account's own events too: {actions:?}"
    );
}

/// Seven entries of the fixture portal: the admin's notes, read through the API.
async fn seven_notes(app: &TestApp) {
    let admin = portico_app::sign_in::actor(&app.state, app.fx.org, app.fx.admin)
        .await
        .unwrap();
    for n in 0..7 {
        let detail = json!({"portal_id": app.fx.portal, "n": n, "note": "<script>x</script>"});
        portico_app::audit::note(&app.state, &admin, "test.note", detail)
            .await
            .unwrap();
    }
}

async fn the_api_filters_pages_and_refuses(app: TestApp) {
    seven_notes(&app).await;
    let t = app.token(ADMIN).await;
    let path = format!(
        "/api/v1/audit?action=test.&portal={}&limit=3",
        app.fx.portal
    );
    let first = app.get(&path, &t).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    assert_eq!(first.body["count"], 7);
    let ns = |r: &support::Reply| -> Vec<i64> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["detail"]["n"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(ns(&first), [6, 5, 4]);
    assert_eq!(first.body["previous"], json!(null));
    let next = first.body["next"].as_str().unwrap();
    let second = app.get(&format!("{path}&before={next}"), &t).await;
    assert_eq!(
        (ns(&second), &second.body["count"]),
        (vec![3, 2, 1], &json!(7))
    );
    let last = app
        .get(
            &format!("{path}&before={}", second.body["next"].as_str().unwrap()),
            &t,
        )
        .await;
    assert_eq!(ns(&last), [0]);
    assert_eq!(last.body["next"], json!(null));
    let back = app
        .get(
            &format!("{path}&after={}", second.body["previous"].as_str().unwrap()),
            &t,
        )
        .await;
    assert_eq!(ns(&back), [6, 5, 4]);
    // Filters that match nothing, and time given three ways.
    for empty in [
        "action=test.other".to_string(),
        format!("portal={}", app.fx.portal + 1000),
        "from=2999-01-01".into(),
        "to=1970-01-01T00:00:00Z".into(),
        "to=0".into(),
        "record=1&module=Cases".into(),
        "portal_user=nobody@nowhere.example".into(),
    ] {
        let r = app.get(&format!("/api/v1/audit?{empty}"), &t).await;
        assert_eq!(r.status, StatusCode::OK, "{empty}: {:?}", r.body);
        assert_eq!(r.body["count"], 0, "{empty}");
    }
    let dated = app
        .get(
            "/api/v1/audit?action=test.note&from=1970-01-01&to=2999-12-31",
            &t,
        )
        .await;
    assert_eq!(dated.body["count"], 7);

    // Bad parameters: 422 with a code naming the parameter.
    for (query, field, code) in [
        ("portal=abc", "portal", "invalid_number"),
        ("record=-1", "record", "invalid_number"),
        ("limit=201", "limit", "out_of_range"),
        ("limit=0", "limit", "out_of_range"),
        ("before=x", "before", "invalid_number"),
        ("action=a%20b", "action", "invalid_action"),
        ("module=Con-tacts", "module", "invalid_module"),
        (
            "portal_user=no-at-sign",
            "portal_user",
            "invalid_portal_user",
        ),
        ("from=yesterday", "from", "invalid_time"),
        ("from=2026-02-02&to=2026-02-01", "to", "invalid_range"),
        ("colour=red", "colour", "unknown_parameter"),
    ] {
        let r = app.get(&format!("/api/v1/audit?{query}"), &t).await;
        assert_eq!(
            (r.status, r.field(), r.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, field, code),
            "{query}: {:?}",
            r.body
        );
    }

    // Administrators only; another org's administrator sees none of these.
    let rep = app.token(REP).await;
    let r = app.get("/api/v1/audit", &rep).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"));
    let r = app.call(Method::GET, "/api/v1/audit", None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let rival = app.other_org().await;
    let r = app
        .get(&format!("/api/v1/audit?portal={}", app.fx.portal), &rival)
        .await;
    assert_eq!((r.status, &r.body["count"]), (StatusCode::OK, &json!(0)));
    let r = app.get("/api/v1/audit?action=test.", &rival).await;
    assert_eq!(r.body["count"], 0);
}

async fn the_admin_page_filters_pages_and_refuses(app: TestApp) {
    seven_notes(&app).await;
    let admin = app.admin_cookie(ADMIN).await;
    let home = app.browse(&admin, Method::GET, "/admin/home", None).await;
    assert!(
        home.body.contains("href=\"/admin/audit\""),
        "linked in the navigation"
    );

    let path = format!(
        "/admin/audit?portal={}&action=test.&from=2000-01-01",
        app.fx.portal
    );
    let page = app.browse(&admin, Method::GET, &path, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("7 entries"), "{}", page.body);
    assert!(page.body.contains(PORTAL_NAME));
    assert!(page.body.contains("test.note"));
    assert!(
        !page.body.contains("<script>x</script>"),
        "details are escaped"
    );
    assert!(page.body.contains("&#60;script&#62;x&#60;/script&#62;"));
    assert!(
        page.body.contains("value=\"2000-01-01\""),
        "the filter is kept"
    );
    // Seven fit one page of 50: no pager links.
    assert!(!page.body.contains("rel=\"next\""));

    // The pager carries the filters.
    let paged = format!("{path}&limit=5");
    let first = app.browse(&admin, Method::GET, &paged, None).await;
    assert_eq!(first.status, StatusCode::OK);
    let at = first
        .body
        .find("rel=\"next\" href=\"")
        .expect("a next link")
        + 17;
    let next = first.body[at..]
        .split('"')
        .next()
        .unwrap()
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    assert!(
        next.contains("action=test.") && next.contains("before="),
        "{next}"
    );
    let second = app.browse(&admin, Method::GET, &next, None).await;
    assert_eq!(second.status, StatusCode::OK);
    assert!(second.body.contains("7 entries") && second.body.contains("rel=\"prev\""));

    // A bad filter keeps what was typed and says what is wrong beside it.
    let bad = app
        .browse(
            &admin,
            Method::GET,
            "/admin/audit?record=12x&from=tomorrow-ish",
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("value=\"12x\"") && bad.body.contains("value=\"tomorrow-ish\""));
    assert!(bad.body.contains("The record must be a whole number"));
    assert!(bad.body.contains("A time is a date"));
    assert!(
        !bad.body.contains("test.note"),
        "no entries under a bad filter"
    );

    // A CRM user who is not an administrator is refused as on every admin-only page.
    let rep = app.admin_cookie(REP).await;
    let refused = app.browse(&rep, Method::GET, "/admin/audit", None).await;
    let mail = app
        .browse(&rep, Method::GET, "/admin/setup/mail", None)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.body, mail.body);
    assert!(!refused.body.contains("test.note"));
    let rep_home = app.browse(&rep, Method::GET, "/admin/home", None).await;
    assert!(!rep_home.body.contains("href=\"/admin/audit\""));
    // Signed out: to the sign-in page.
    let anonymous = app.browse("", Method::GET, "/admin/audit", None).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert!(anonymous.location.starts_with("/admin/login"));
}
