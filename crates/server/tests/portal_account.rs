//! A portal user's account page, the portal's brand and its analytics, over HTTP, on both
//! backends: changing the password ends the other sessions and checks the current one under
//! the shared lockout; every account form refuses a missing or wrong CSRF token; the email
//! change is refused while the portal does not allow it, and otherwise goes by a single-use
//! link to the new address (the same answer when the address is taken, and nothing sent);
//! the logo upload checks the bytes and the size, and the logo is served with `nosniff` and
//! an ETag; a low-contrast accent colour is refused beside its field with the input kept;
//! the Google Analytics tag and the widened Content-Security-Policy appear on exactly the
//! sign-up, sign-in, reset-password and confirm-password pages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use portico_domain::email::EmailAddress;
use portico_domain::outbox::MailKind;
use portico_domain::portal_user::{NewPortalUser, PortalUserStatus, Preferences};
use portico_testkit::app::csrf_of;
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{ADMIN, Page, TestApp};

on_both_backends!(
    changing_the_password_ends_the_other_sessions,
    account_forms_refuse_a_missing_or_wrong_token,
    the_email_change_is_refused_unless_the_portal_allows_it,
    the_email_changes_by_a_link_to_the_new_address,
    logos_are_checked_and_served_with_nosniff,
    a_low_contrast_accent_colour_is_refused_with_the_input_kept,
    analytics_runs_on_exactly_four_pages,
);

const BASE: &str = "/p/northwind-clients/";
const NORA: &str = "nora@client.example";
const PASSWORD: &str = "nora's long portal passphrase";
const NEW_PASSWORD: &str = "another long portal passphrase 9";

/// A browser's cookies as one `Cookie` header, updated from each answer's `Set-Cookie`.
fn keep(cookies: &mut String, page: &Page) {
    let Some((name, value)) = page.cookie.split_once('=') else {
        return;
    };
    let mut kept: Vec<String> = cookies
        .split("; ")
        .filter(|c| !c.is_empty() && !c.starts_with(&format!("{name}=")))
        .map(str::to_string)
        .collect();
    if !value.is_empty() {
        kept.push(page.cookie.clone());
    }
    *cookies = kept.join("; ");
}

async fn open(app: &TestApp, cookies: &mut String, path: &str) -> Page {
    let page = app.browse(cookies, Method::GET, path, None).await;
    keep(cookies, &page);
    page
}

async fn send(app: &TestApp, cookies: &mut String, path: &str, form: &[(&str, &str)]) -> Page {
    let page = app.browse(cookies, Method::POST, path, Some(form)).await;
    keep(cookies, &page);
    page
}

/// An active account of the fixture portal with `PASSWORD`.
async fn account(app: &TestApp, email: &str) -> i64 {
    let new = NewPortalUser {
        portal_id: app.fx.portal,
        user_type_id: app.fx.client_type,
        record_id: None,
        email: EmailAddress::parse(email).unwrap(),
        name: "Nora Newman".into(),
        status: PortalUserStatus::Active,
        preferences: Preferences::parse("en", "24h", "UTC", "GB").unwrap(),
        invited_by: Some(app.fx.admin),
        password_hash: Some(portico_auth::hash_password(PASSWORD).unwrap()),
    };
    app.store
        .create_portal_user(app.fx.org, &new, 0)
        .await
        .unwrap()
        .id
}

/// Signs in through the form; answers the browser's cookies and the POST's answer.
async fn sign_in(app: &TestApp, email: &str, password: &str) -> (String, Page) {
    let mut cookies = String::new();
    let form = open(app, &mut cookies, &format!("{BASE}sign-in")).await;
    let csrf = csrf_of(&form.body);
    let fields = [("email", email), ("password", password), ("_csrf", &csrf)];
    let r = send(app, &mut cookies, &format!("{BASE}sign-in"), &fields).await;
    (cookies, r)
}

async fn signed_in(app: &TestApp, email: &str, password: &str) -> String {
    let (cookies, r) = sign_in(app, email, password).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    cookies
}

async fn set_portal(app: &TestApp, patch: serde_json::Value) {
    let t = app.token(ADMIN).await;
    let r = app
        .patch(&format!("/api/v1/portals/{}", app.fx.portal), &t, patch)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

async fn audited(app: &TestApp, action: &str) -> usize {
    let log = app.store.audit_log(app.fx.org, 500).await.unwrap();
    log.iter().filter(|e| e.action == action).count()
}

/// Every email in the fixture org's outbox: (kind, recipient, text).
async fn mails(app: &TestApp) -> Vec<(MailKind, String, String)> {
    let q = portico_store::MailQuery {
        limit: 500,
        ..Default::default()
    };
    let mut all = Vec::new();
    for m in app.store.list_mail(app.fx.org, &q).await.unwrap().items {
        let full = app.store.get_mail(app.fx.org, m.id).await.unwrap();
        all.push((m.kind, m.recipient.clone(), full.text));
    }
    all
}

/// The 64-hex token after `marker` in a mail's text.
fn token_after(text: &str, marker: &str) -> String {
    let at = text.find(marker).expect("a link in the email") + marker.len();
    text[at..at + 64].to_string()
}

async fn change_password(
    app: &TestApp,
    cookies: &mut String,
    csrf: &str,
    current: &str,
    new: &str,
) -> Page {
    let fields = [
        ("current_password", current),
        ("new_password", new),
        ("confirm", new),
        ("_csrf", csrf),
    ];
    send(app, cookies, &format!("{BASE}account/password"), &fields).await
}

async fn changing_the_password_ends_the_other_sessions(app: TestApp) {
    account(&app, NORA).await;
    let mut here = signed_in(&app, NORA, PASSWORD).await;
    let mut elsewhere = signed_in(&app, NORA, PASSWORD).await;
    let page = open(&app, &mut here, &format!("{BASE}account")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Change your password"));
    assert!(page.body.contains(&format!("href=\"{BASE}account/mfa\"")));
    assert!(page.body.contains("Two-step verification"));
    let csrf = csrf_of(&page.body);

    // A wrong current password: refused beside its field, audited, nothing changed.
    let wrong = change_password(
        &app,
        &mut here,
        &csrf,
        "not my password at all",
        NEW_PASSWORD,
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("This is not your current password"));
    assert!(!wrong.body.contains(NEW_PASSWORD) && !wrong.body.contains("not my password"));
    assert_eq!(audited(&app, "portal.password_check_failed").await, 1);
    // A weak new password: beside its field.
    let weak = change_password(&app, &mut here, &csrf, PASSWORD, "short").await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.body.contains("12 to 128 characters"), "{}", weak.body);

    let done = change_password(&app, &mut here, &csrf, PASSWORD, NEW_PASSWORD).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location, format!("{BASE}account?done=password"));
    // This browser stays signed in (a new session); the other one is signed out.
    let after = open(&app, &mut here, &done.location).await;
    assert_eq!(after.status, StatusCode::OK);
    assert!(after.body.contains("Your password is changed"));
    let ended = open(&app, &mut elsewhere, &format!("{BASE}account")).await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    assert!(ended.location.contains("sign-in"));
    assert_eq!(
        sign_in(&app, NORA, PASSWORD).await.1.status,
        StatusCode::UNAUTHORIZED
    );
    signed_in(&app, NORA, NEW_PASSWORD).await;
    assert_eq!(audited(&app, "portal.password_changed").await, 1);
    let notice = mails(&app).await;
    assert!(
        notice
            .iter()
            .any(|(k, to, text)| *k == MailKind::PasswordChanged
                && to == NORA
                && text.contains("every other place where you were signed in")),
        "{notice:?}"
    );

    // Wrong current passwords count in the sign-in lockout: after five, even the right
    // password is refused, on this form and at sign-in.
    let csrf = csrf_of(&open(&app, &mut here, &format!("{BASE}account")).await.body);
    for _ in 0..5 {
        let r = change_password(
            &app,
            &mut here,
            &csrf,
            "a wrong guess 123",
            "whatever long 1234",
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let locked = change_password(
        &app,
        &mut here,
        &csrf,
        NEW_PASSWORD,
        "yet another passphrase 10",
    )
    .await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        locked.body
    );
    // The account is locked: its sign-in answers as a wrong password does.
    assert_eq!(
        sign_in(&app, NORA, NEW_PASSWORD).await.1.status,
        StatusCode::UNAUTHORIZED
    );
}

async fn account_forms_refuse_a_missing_or_wrong_token(app: TestApp) {
    account(&app, NORA).await;
    set_portal(&app, json!({"allow_email_change": true})).await;
    let mut cookies = signed_in(&app, NORA, PASSWORD).await;
    let before = mails(&app).await.len();
    for csrf in [None, Some("0".repeat(64))] {
        let mut fields = vec![
            ("current_password", PASSWORD),
            ("new_password", NEW_PASSWORD),
            ("confirm", NEW_PASSWORD),
        ];
        if let Some(c) = &csrf {
            fields.push(("_csrf", c));
        }
        let r = send(
            &app,
            &mut cookies,
            &format!("{BASE}account/password"),
            &fields,
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let mut fields = vec![
            ("new_email", "nora.new@client.example"),
            ("password", PASSWORD),
        ];
        if let Some(c) = &csrf {
            fields.push(("_csrf", c));
        }
        let r = send(&app, &mut cookies, &format!("{BASE}account/email"), &fields).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    // Nothing changed: the old password still signs in, and no email went out.
    signed_in(&app, NORA, PASSWORD).await;
    assert_eq!(mails(&app).await.len(), before);
    // Signed out, the account page is the way to sign in.
    let anonymous = open(&app, &mut String::new(), &format!("{BASE}account")).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert!(anonymous.location.ends_with("sign-in"));
}

async fn request_email_change(
    app: &TestApp,
    cookies: &mut String,
    new: &str,
    password: &str,
) -> Page {
    let page = open(app, cookies, &format!("{BASE}account")).await;
    let csrf = csrf_of(&page.body);
    let fields = [("new_email", new), ("password", password), ("_csrf", &csrf)];
    send(app, cookies, &format!("{BASE}account/email"), &fields).await
}

async fn the_email_change_is_refused_unless_the_portal_allows_it(app: TestApp) {
    account(&app, NORA).await;
    let mut cookies = signed_in(&app, NORA, PASSWORD).await;
    let page = open(&app, &mut cookies, &format!("{BASE}account")).await;
    assert!(!page.body.contains("Change your email address"));
    assert!(!page.body.contains("account/email"));
    let before = mails(&app).await.len();
    let r = request_email_change(&app, &mut cookies, "nora.new@client.example", PASSWORD).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(mails(&app).await.len(), before);
}

/// Whether the portal has an account with `email`.
async fn user(app: &TestApp, email: &str) -> Option<i64> {
    app.store
        .portal_user_by_email(app.fx.org, app.fx.portal, email)
        .await
        .unwrap()
        .map(|u| u.id)
}

async fn the_email_changes_by_a_link_to_the_new_address(app: TestApp) {
    const NEW: &str = "nora.new@client.example";
    const TAKEN: &str = "taken@client.example";
    account(&app, NORA).await;
    account(&app, TAKEN).await;
    set_portal(&app, json!({"allow_email_change": true})).await;
    let mut cookies = signed_in(&app, NORA, PASSWORD).await;
    let page = open(&app, &mut cookies, &format!("{BASE}account")).await;
    assert!(page.body.contains("Change your email address"));

    // Refusals beside their fields, the address kept.
    let wrong = request_email_change(&app, &mut cookies, NEW, "not my password 123").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("This is not your current password"));
    assert!(wrong.body.contains(&format!("value=\"{NEW}\"")));
    let own = request_email_change(&app, &mut cookies, "it@northwind.example", PASSWORD).await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    let invalid = request_email_change(&app, &mut cookies, "not an address", PASSWORD).await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A taken address: the same answer, and nothing sent.
    let before = mails(&app).await.len();
    let taken = request_email_change(&app, &mut cookies, TAKEN, PASSWORD).await;
    assert_eq!(
        mails(&app).await.len(),
        before,
        "nothing to a taken address"
    );
    let free = request_email_change(&app, &mut cookies, NEW, PASSWORD).await;
    assert_eq!(
        (taken.status, taken.location.as_str()),
        (free.status, free.location.as_str())
    );
    assert_eq!(free.status, StatusCode::SEE_OTHER);
    let notice = open(&app, &mut cookies, &free.location).await;
    assert!(notice.body.contains("We sent a link to the new address"));
    let all = mails(&app).await;
    let (_, _, text) = all
        .iter()
        .find(|(k, to, _)| *k == MailKind::EmailChange && to == NEW)
        .expect("the link goes to the new address");
    assert!(!all.iter().any(|(_, to, _)| to == TAKEN));
    let token = token_after(text, "/email-change/");
    let link = format!("{BASE}email-change/{token}");

    // Opening the link changes nothing.
    let mut browser = String::new();
    let confirm = open(&app, &mut browser, &link).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    assert!(confirm.body.contains(NEW));

    assert!(user(&app, NORA).await.is_some() && user(&app, NEW).await.is_none());
    // The confirmation needs its form token.
    let r = send(&app, &mut browser, &link, &[("_csrf", "nope")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(user(&app, NEW).await.is_none());

    let csrf = csrf_of(&confirm.body);
    let done = send(&app, &mut browser, &link, &[("_csrf", &csrf)]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(
        done.body
            .contains(&format!("You now sign in with <strong>{NEW}</strong>"))
    );
    assert!(user(&app, NORA).await.is_none() && user(&app, NEW).await.is_some());
    // The old address is told, the new one masked.
    let told = mails(&app).await;
    assert!(
        told.iter().any(|(k, to, text)| *k == MailKind::EmailChanged
            && to == NORA
            && text.contains("n***@client.example")
            && !text.contains(NEW)),
        "{told:?}"
    );
    assert_eq!(audited(&app, "portal.email_changed").await, 1);
    // Single use.
    let again = send(&app, &mut browser, &link, &[("_csrf", &csrf)]).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(
        open(&app, &mut String::new(), &link).await.status,
        StatusCode::NOT_FOUND
    );
    // Every session ended; the old address no longer signs in, the new one does.
    let ended = open(&app, &mut cookies, &format!("{BASE}account")).await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    assert_eq!(
        sign_in(&app, NORA, PASSWORD).await.1.status,
        StatusCode::UNAUTHORIZED
    );
    signed_in(&app, NEW, PASSWORD).await;
    // The taken address's owner is untouched.
    signed_in(&app, TAKEN, PASSWORD).await;
}

/// A multipart body with the CSRF token and one file; answers (content type, body).
fn multipart(csrf: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "portico-test-boundary-7d1f";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"logo.png\"\r\nContent-Type: image/png\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(app: &TestApp, cookie: &str, csrf: &str, file: &[u8]) -> (StatusCode, String) {
    let (kind, body) = multipart(csrf, file);
    let r = app
        .client
        .post(format!(
            "{}/admin/setup/portals/{}/logo",
            app.base, app.fx.portal
        ))
        .header("cookie", cookie)
        .header("content-type", kind)
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    b.extend_from_slice(&width.to_be_bytes());
    b.extend_from_slice(&height.to_be_bytes());
    b.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    b
}

async fn logos_are_checked_and_served_with_nosniff(app: TestApp) {
    let cookie = app.admin_cookie(ADMIN).await;
    let settings = format!("/admin/setup/portals/{}/settings", app.fx.portal);
    let page = app.browse(&cookie, Method::GET, &settings, None).await;
    assert!(page.body.contains("enctype=\"multipart/form-data\""));
    let csrf = csrf_of(&page.body);
    let logo = format!("{}{BASE}logo", app.base);
    assert_eq!(
        app.client.get(&logo).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
    let mut large = png(64, 64);
    large.resize(520 * 1024, 0);
    for (file, says) in [
        (&b"just some text, named logo.png"[..], "PNG, JPEG or WebP"),
        (&svg[..], "SVG is not accepted"),
        (&b"GIF89a\x01\0\x01\0"[..], "PNG, JPEG or WebP"),
        (&large[..], "at most 512 KB"),
        (&png(9000, 10)[..], "4096 pixels"),
    ] {
        let (status, body) = upload(&app, &cookie, &csrf, file).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{says}: {body}");
        assert!(body.contains(says), "{says}: {body}");
        assert_eq!(
            app.client.get(&logo).send().await.unwrap().status(),
            StatusCode::NOT_FOUND
        );
    }
    let (status, _) = upload(&app, &cookie, "wrong", &png(64, 32)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, body) = upload(&app, &cookie, &csrf, &png(64, 32)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let r = app.client.get(&logo).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let h = r.headers().clone();
    assert_eq!(h["content-type"], "image/png");
    assert_eq!(h["x-content-type-options"], "nosniff");
    let etag = h["etag"].to_str().unwrap().to_string();
    assert!(etag.starts_with('"'));
    assert_eq!(r.bytes().await.unwrap().to_vec(), png(64, 32));
    let cached = app
        .client
        .get(&logo)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);
    // The pages show it through the brand stylesheet, the portal's name as the label.
    let css = app
        .client
        .get(format!("{}{BASE}brand.css", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert!(
        css.text()
            .await
            .unwrap()
            .contains(&format!("{BASE}logo?v="))
    );
    let sign_in = app
        .browse("", Method::GET, &format!("{BASE}sign-in"), None)
        .await;
    assert!(sign_in.body.contains("aria-label=\"Northwind Clients\""));
    assert!(sign_in.body.contains(&format!("href=\"{BASE}brand.css\"")));
    assert_eq!(audited(&app, "portal.logo_set").await, 1);

    // Removed: 404 again.
    let page = app.browse(&cookie, Method::GET, &settings, None).await;
    assert!(page.body.contains("Remove logo"));
    let remove = format!("/admin/setup/portals/{}/logo/remove", app.fx.portal);
    let r = app
        .browse(&cookie, Method::POST, &remove, Some(&[("_csrf", "wrong")]))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .browse(&cookie, Method::POST, &remove, Some(&[("_csrf", &csrf)]))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.client.get(&logo).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

async fn a_low_contrast_accent_colour_is_refused_with_the_input_kept(app: TestApp) {
    // The API: a field error, nothing saved.
    let t = app.token(ADMIN).await;
    let path = format!("/api/v1/portals/{}", app.fx.portal);
    let r = app
        .patch(&path, &t, json!({"accent_colour": "#ffff00"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!((r.field(), r.code()), ("accent_colour", "low_contrast"));

    // The settings form: the message beside the field, every input kept.
    let cookie = app.admin_cookie(ADMIN).await;
    let settings = format!("/admin/setup/portals/{}/settings", app.fx.portal);
    let page = app.browse(&cookie, Method::GET, &settings, None).await;
    assert!(page.body.contains("name=\"accent_colour\""));
    let csrf = csrf_of(&page.body);
    let form = |accent: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("status", "enabled".to_string()),
            ("disabled_message", "Back soon, kept message".to_string()),
            ("slug", "northwind-clients".to_string()),
            ("portal_type", "private".to_string()),
            ("accent_colour", accent.to_string()),
        ]
    };
    let post = |fields: Vec<(&'static str, String)>| {
        let cookie = cookie.clone();
        let settings = settings.clone();
        let app = &app;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.browse(&cookie, Method::POST, &settings, Some(&fields))
                .await
        }
    };
    let low = post(form("#ffff00")).await;
    assert_eq!(low.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", low.body);
    assert!(low.body.contains("choose a darker colour"), "{}", low.body);
    assert!(low.body.contains("value=\"#ffff00\""));
    assert!(low.body.contains("Back soon, kept message"));
    let portal = app.store.list_portals(app.fx.org).await.unwrap();
    assert!(portal.iter().all(|p| p.settings.accent_colour.is_none()));

    let ok = post(form("#1D4ED8")).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let css = app
        .client
        .get(format!("{}{BASE}brand.css", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(css.contains("--accent: #1d4ed8;"), "{css}");
}

const GA: &str = "G-NORTHWIND1";

fn has_tag(page: &Page, consent: &str) -> bool {
    page.body
        .contains(&format!("https://www.googletagmanager.com/gtag/js?id={GA}"))
        && page.body.contains(&format!("src=\"{BASE}analytics.js\""))
        && page.body.contains(consent)
}

async fn csp(app: &TestApp, cookie: &str, path: &str) -> (Page, String) {
    let r = app
        .client
        .get(format!("{}{path}", app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let policy = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let page = Page {
        status: r.status(),
        location: String::new(),
        cookie: String::new(),
        body: r.text().await.unwrap(),
    };
    (page, policy)
}

async fn analytics_runs_on_exactly_four_pages(app: TestApp) {
    // Off: no tag, no script, the strict policy.
    let (page, policy) = csp(&app, "", &format!("{BASE}sign-in")).await;
    assert!(!page.body.contains("googletagmanager") && !policy.contains("googletagmanager"));
    assert_eq!(
        app.client
            .get(format!("{}{BASE}analytics.js", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );

    set_portal(
        &app,
        json!({
            "portal_type": "public", "signup_notify_user_ids": [app.fx.admin],
            "ga_measurement_id": GA, "ga_terms_accepted": true,
            "consent_text": {"signup": "Consent at sign-up.", "signin": "Consent at sign-in.",
                             "reset_password": "Consent at reset.", "confirm_password": "Consent at confirm."}
        }),
    )
    .await;
    // Tokens for the two link pages: a reset link and an invitation.
    account(&app, NORA).await;
    let mut forgot = String::new();
    let form = open(&app, &mut forgot, &format!("{BASE}forgot")).await;
    let csrf = csrf_of(&form.body);
    send(
        &app,
        &mut forgot,
        &format!("{BASE}forgot"),
        &[("email", NORA), ("_csrf", &csrf)],
    )
    .await;
    let all = mails(&app).await;
    let (_, _, text) = all
        .iter()
        .find(|(k, _, _)| *k == MailKind::PasswordReset)
        .unwrap();
    let reset = token_after(text, "/reset/");
    let actor = portico_app::sign_in::actor(&app.state, app.fx.org, app.fx.admin)
        .await
        .unwrap();
    let to = portico_app::invitations::InviteTo {
        portal_id: app.fx.portal,
        user_type_id: app.fx.client_type,
        language: None,
    };
    let invited = portico_app::invitations::invite_record(
        &app.state,
        &actor,
        "Contacts",
        app.fx.contacts.client,
        &to,
    )
    .await
    .unwrap();
    let mail = app
        .store
        .get_mail(app.fx.org, invited.mail_id)
        .await
        .unwrap();
    let invite = token_after(&mail.text, "/invite/");

    for (path, consent) in [
        ("sign-up".to_string(), "Consent at sign-up."),
        ("sign-in".to_string(), "Consent at sign-in."),
        ("forgot".to_string(), "Consent at reset."),
        (format!("reset/{reset}"), "Consent at reset."),
        (format!("invite/{invite}"), "Consent at confirm."),
    ] {
        let (page, policy) = csp(&app, "", &format!("{BASE}{path}")).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        assert!(has_tag(&page, consent), "{path}: {}", page.body);
        assert!(
            policy.contains("script-src 'self' https://www.googletagmanager.com;")
                && policy.contains("connect-src 'self' https://*.google-analytics.com https://*.analytics.google.com https://*.googletagmanager.com;")
                && policy.contains("img-src 'self' data: https://*.google-analytics.com"),
            "{path}: {policy}"
        );
    }
    let js = app
        .client
        .get(format!("{}{BASE}analytics.js", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(js.status(), StatusCode::OK);
    assert_eq!(js.headers()["x-content-type-options"], "nosniff");
    assert!(
        js.text()
            .await
            .unwrap()
            .contains(&format!("gtag('config', '{GA}');"))
    );

    // Everywhere else, signed out or in: no tag, the strict policy.
    let cookie = signed_in(&app, NORA, PASSWORD).await;
    for (path, cookie) in [
        (String::new(), ""),
        (String::new(), cookie.as_str()),
        ("account".to_string(), cookie.as_str()),
        ("welcome".to_string(), cookie.as_str()),
        ("brand.css".to_string(), ""),
        ("no-such-page".to_string(), ""),
    ] {
        let (page, policy) = csp(&app, cookie, &format!("{BASE}{path}")).await;
        assert!(
            !page.body.contains("googletagmanager"),
            "{path}: {}",
            page.body
        );
        assert!(!page.body.contains("analytics.js"), "{path}");
        assert!(!policy.contains("google"), "{path}: {policy}");
        assert!(policy.contains("script-src 'self';"), "{path}: {policy}");
    }
    let (_, admin_policy) = csp(&app, "", "/admin/login").await;
    assert!(!admin_policy.contains("google"));
}
