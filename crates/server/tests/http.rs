//! Cross-cutting HTTP behaviour: probes, security headers, the OpenAPI document covering every
//! route, and the admin UI's sign-in, CSRF and form handling, against the fixture org.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use portico_testkit::fixtures;
use reqwest::{Method, StatusCode};
use support::{ADMIN, Backend, REP, TestApp, spawn};

async fn app() -> TestApp {
    spawn(Backend::Sqlite).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probes_and_security_headers() {
    let app = app().await;
    let health = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(
        (health.status, health.body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    let ready = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(
        (ready.status, ready.body["database"].as_str()),
        (StatusCode::OK, Some("sqlite"))
    );
    let page = app
        .client
        .get(format!("{}/admin/login", app.base))
        .send()
        .await
        .unwrap();
    let h = page.headers();
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(h.contains_key("x-request-id"));
    let missing = app
        .call(Method::GET, "/api/v1/nothing-here", None, None)
        .await;
    assert_eq!(
        (missing.status, missing.code()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let css = app
        .client
        .get(format!("{}/static/portico.css", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
}

/// Every route the API registry lists is documented and served (no 404 "No such route", no
/// 405) by the app with demo data, and the document parses with its paths.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_documents_every_route() {
    let app = app().await;
    let doc = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.body["openapi"], "3.1.0");
    let token = app.token(ADMIN).await;
    for (method, path) in portico_web::api::route_table() {
        let key = method.as_str().to_lowercase();
        assert!(
            doc.body["paths"][path][&key].is_object(),
            "{method} {path} missing from the document"
        );
        let concrete = path
            .replace("{module}", "Contacts")
            .replace("{portal}", "1")
            .replace("{id}", "1");
        let m = Method::from_bytes(method.as_str().as_bytes()).unwrap();
        let r = app
            .call(m, &concrete, Some(&token), Some(serde_json::json!({})))
            .await;
        assert_ne!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert_ne!(
            r.body["error"]["message"], "No such route",
            "{method} {path}"
        );
    }
}

fn cookie_of(r: &reqwest::Response) -> String {
    let set = r.headers()["set-cookie"].to_str().unwrap();
    set.split(';').next().unwrap().to_string()
}

/// Posts the sign-in form as a browser would: first fetch it (token and cookie), then submit.
async fn login(app: &TestApp, email: &str, password: &str, next: &str) -> reqwest::Response {
    let form = app
        .client
        .get(format!("{}/admin/login", app.base))
        .send()
        .await
        .unwrap();
    let cookie = cookie_of(&form);
    let csrf = csrf_of(&form.text().await.unwrap());
    app.client
        .post(format!("{}/admin/login", app.base))
        .header("cookie", cookie)
        .form(&[
            ("email", email),
            ("password", password),
            ("next", next),
            ("_csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap()
}

async fn sign_in(app: &TestApp, (email, password): (&str, &str)) -> String {
    let r = login(app, email, password, "/admin/home").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    cookie_of(&r)
}

async fn page(app: &TestApp, cookie: &str, path: &str) -> (StatusCode, String) {
    let r = app
        .client
        .get(format!("{}{path}", app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"_csrf\" value=\"").unwrap() + "name=\"_csrf\" value=\"".len();
    html[at..at + 64].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_sign_in_forms_and_csrf() {
    let app = app().await;
    let anon = app
        .client
        .get(format!("{}/admin/records/Contacts", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        anon.headers()["location"],
        "/admin/login?next=/admin/records/Contacts"
    );
    // Without the sign-in form's token (another site posting it), nobody is signed in.
    let forged = app
        .client
        .post(format!("{}/admin/login", app.base))
        .form(&[("email", ADMIN.0), ("password", ADMIN.1)])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(forged.headers().get("location").is_none());
    let bad = login(&app, ADMIN.0, "nope", "/admin/home").await;
    assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
    assert!(bad.text().await.unwrap().contains("not right"));
    let evil = login(&app, ADMIN.0, ADMIN.1, "//evil.example/").await;
    assert_eq!(
        evil.headers()["location"],
        "/admin/home",
        "no open redirect"
    );
    for hostile in [
        "/admin/home\r\nSet-Cookie: x=1",
        "/admin/\u{7f}",
        "/admin/ space",
    ] {
        let r = login(&app, ADMIN.0, ADMIN.1, hostile).await;
        assert_eq!(
            (r.status(), r.headers()["location"].to_str().unwrap()),
            (StatusCode::SEE_OTHER, "/admin/home"),
            "{hostile:?}"
        );
    }
    let set = evil.headers()["set-cookie"].to_str().unwrap();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax"));

    let cookie = sign_in(&app, ADMIN).await;
    let (status, html) = page(&app, &cookie, "/admin/records/Contacts").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("New record"));
    let (_, form) = page(&app, &cookie, "/admin/records/Contacts/new").await;
    let csrf = csrf_of(&form);

    let post = |fields: Vec<(&'static str, String)>| {
        let client = app.client.clone();
        let url = format!("{}/admin/records/Contacts", app.base);
        let cookie = cookie.clone();
        async move {
            client
                .post(url)
                .header("cookie", cookie)
                .form(&fields)
                .send()
                .await
                .unwrap()
        }
    };
    let forged = post(vec![("f.Last_Name", "Forged".into())]).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN, "no CSRF token");
    let wrong = post(vec![
        ("_csrf", "0".repeat(64)),
        ("f.Last_Name", "Forged".into()),
    ])
    .await;
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN, "wrong CSRF token");

    let invalid = post(vec![
        ("_csrf", csrf.clone()),
        ("f.First_Name", "Typed <Kept>".into()),
        ("f.Email", "not-an-email".into()),
    ])
    .await;
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = invalid.text().await.unwrap();
    assert!(
        html.contains("Last Name is required"),
        "error beside the field"
    );
    assert!(html.contains("Email must be a valid email address"));
    assert!(
        html.contains("value=\"Typed &#60;Kept&#62;\"")
            || html.contains("value=\"Typed &lt;Kept&gt;\""),
        "typed value kept, escaped"
    );
    assert!(html.contains("value=\"not-an-email\""));

    let ok = post(vec![
        ("_csrf", csrf.clone()),
        ("f.Last_Name", "Formsby".into()),
        ("f.Email", "formsby@example.com".into()),
    ])
    .await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let location = ok.headers()["location"].to_str().unwrap().to_string();
    let (status, detail) = page(&app, &cookie, &location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(detail.contains("Formsby") && detail.contains("formsby@example.com"));
    let (_, list) = page(&app, &cookie, "/admin/records/Contacts?q=formsby").await;
    assert!(list.contains("Formsby"));

    // Signing out ends the session server-side.
    let out = app
        .client
        .post(format!("{}/admin/logout", app.base))
        .header("cookie", &cookie)
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let (after, _) = page(&app, &cookie, "/admin/home").await;
    assert_eq!(after, StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_pages_follow_the_profile() {
    let app = app().await;
    let rep = sign_in(&app, REP).await;
    let (status, nav) = page(&app, &rep, "/admin/home").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!nav.contains("/admin/records/Invoices") && !nav.contains("/admin/setup/modules"));
    for path in [
        "/admin/setup/modules",
        "/admin/setup/users",
        "/admin/setup/profiles",
        "/admin/setup/org",
        "/admin/setup/web-tabs",
        "/admin/recycle-bin",
        "/admin/records/Invoices",
    ] {
        assert_eq!(
            page(&app, &rep, path).await.0,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    // The administrator's client is out of the rep's reach ("own records" scope).
    let other = app.fx.contacts.client;
    assert_eq!(
        page(&app, &rep, &format!("/admin/records/Contacts/{other}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let own = app.fx.contacts.rep[0];
    let (status, detail) = page(&app, &rep, &format!("/admin/records/Contacts/{own}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        detail.contains("/edit") && !detail.contains("/delete\""),
        "edit offered, delete not"
    );

    // A lookup the rep cannot see shows no name on the rep's own record: the rep's deal with
    // the administrator's client.
    let deal_id = app.fx.deals.rep_on_client;
    let deal_page = format!("/admin/records/Deals/{deal_id}");
    let admin_cookie = sign_in(&app, ADMIN).await;
    let (_, as_admin) = page(&app, &admin_cookie, &deal_page).await;
    assert!(
        as_admin.contains(fixtures::CLIENT_NAME),
        "the administrator sees the contact's name"
    );
    let (status, html) = page(&app, &rep, &deal_page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !html.contains(fixtures::CLIENT_NAME) && !html.contains(fixtures::CLIENT_FIRST_NAME),
        "the hidden contact's name must not show"
    );
    assert!(
        html.contains("a record you cannot see")
            && !html.contains(&format!("#{}", app.fx.contacts.client)),
        "{}",
        &html[html.find("Contact Name").unwrap_or(0)..][..300]
    );
    // The rep can still save the deal: lookups the request does not touch are not re-checked.
    let rep_token = app.token(REP).await;
    let kept = app
        .patch(
            &format!("/api/v1/records/Deals/{deal_id}"),
            &rep_token,
            serde_json::json!({"data": {"Amount": 10}}),
        )
        .await;
    assert_eq!(
        (kept.status, kept.body["data"]["Contact_Name"].as_i64()),
        (StatusCode::OK, Some(other))
    );
    for path in ["/admin/records/Deals/abc", "/admin/setup/profiles/abc"] {
        assert_eq!(
            page(&app, &rep, path).await.0,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }

    // Session idle timeout: after two idle hours the cookie no longer works.
    app.advance(2 * 3600 * 1000 + 1);
    assert_eq!(
        page(&app, &rep, "/admin/home").await.0,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn canvas_view_escapes_record_data() {
    let app = app().await;
    let t = app.token(ADMIN).await;
    let r = app.post("/api/v1/records/Contacts", &t, serde_json::json!({"data": {"First_Name": "<script>alert(1)</script>", "Last_Name": "X"}})).await;
    let id = r.body["id"].as_i64().unwrap();
    let cookie = sign_in(&app, ADMIN).await;
    let (status, html) = page(
        &app,
        &cookie,
        &format!("/admin/records/Contacts/{id}?view=canvas"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("class=\"card canvas\""));
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}
