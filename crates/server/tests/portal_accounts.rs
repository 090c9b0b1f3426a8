//! The portal from a portal user's side, over HTTP, on both backends: accepting an invitation
//! (the token read from the outbox mail), the preferences, the landing page through the
//! enforcement point (hidden fields never shown); the link single-use under 100 concurrent
//! redemptions; every dead link (unknown, used, expired, re-invited, another portal's) the same
//! page; sign-in, failure and lockout; deactivation ending a session at once; the idle
//! timeout; cookie flags and portal hosts; CSRF on every form; one portal's session never
//! opening another portal; a disabled portal's maintenance page everywhere.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use portico_testkit::app::csrf_of;
use portico_testkit::fixtures::{
    CLIENT_EMAIL, CLIENT_HIDDEN_CONTACT_FIELDS, CLIENT_NAME, PORTAL_NAME, PORTAL_SLUG,
};
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{ADMIN, TestApp};

on_both_backends!(
    an_invitation_is_accepted_and_lands_signed_in,
    an_invitation_link_is_used_once_of_100_at_once,
    every_dead_link_shows_the_same_page,
    sign_in_failure_and_lockout,
    a_deactivated_user_is_refused_and_their_session_ends,
    the_idle_timeout_sends_the_user_to_sign_in,
    forms_without_their_token_are_refused,
    a_session_of_one_portal_does_not_open_another,
    hidden_fields_never_reach_the_landing_page,
    sign_up_pages_follow_the_portal_type,
    a_forgotten_password_is_reset_once_and_signs_out_elsewhere,
);

use support::portal::*;

/// Signs in through the form; answers the answer to the POST.
async fn sign_in(app: &TestApp, jar: &mut Jar, email: &str, password: &str) -> Answer {
    sign_in_at(app, jar, BASE, email, password).await
}

/// Signs in through the form of the portal at `base`.
async fn sign_in_at(
    app: &TestApp,
    jar: &mut Jar,
    base: &str,
    email: &str,
    password: &str,
) -> Answer {
    let form = get(app, jar, &format!("{base}sign-in")).await;
    let csrf = csrf_of(&form.body);
    let fields = [("email", email), ("password", password), ("_csrf", &csrf)];
    post(app, jar, &format!("{base}sign-in"), &fields).await
}

async fn audited(app: &TestApp, action: &str) -> usize {
    let log = app.store.audit_log(app.fx.org, 500).await.unwrap();
    log.iter().filter(|e| e.action == action).count()
}

async fn an_invitation_is_accepted_and_lands_signed_in(app: TestApp) {
    let token = invite(&app).await;
    let path = format!("{BASE}invite/{token}");
    let mut jar = Jar::default();
    let form = get(&app, &mut jar, &path).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(CLIENT_NAME) && form.body.contains(CLIENT_EMAIL));
    let csrf = csrf_of(&form.body);

    // Refusals keep the link alive, show the problem beside its field, and never send a
    // password back.
    let short = set_password(&app, &mut jar, &path, &csrf, ("short-9", "short-9")).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        short.body.contains("12 to 128 characters"),
        "{}",
        short.body
    );
    assert!(!short.body.contains("short-9"));
    let mismatch = set_password(
        &app,
        &mut jar,
        &path,
        &csrf,
        (PASSWORD, "another long passphrase 8"),
    )
    .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mismatch.body.contains("not the same"));
    assert!(!mismatch.body.contains(PASSWORD) && !mismatch.body.contains("another long"));

    let done = set_password(&app, &mut jar, &path, &csrf, (PASSWORD, PASSWORD)).await;
    assert_eq!(
        (done.status, done.location.as_str()),
        (StatusCode::SEE_OTHER, format!("{BASE}welcome").as_str())
    );
    // Preferences, prefilled from the org's defaults.
    let org = app.store.get_org(app.fx.org).await.unwrap().settings;
    let welcome = get(&app, &mut jar, &format!("{BASE}welcome")).await;
    assert_eq!(welcome.status, StatusCode::OK, "{}", welcome.body);
    assert!(
        welcome
            .body
            .contains(&format!("value=\"{}\"", org.time_zone))
    );
    assert!(welcome.body.contains(&format!("value=\"{}\"", org.country)));
    let csrf = csrf_of(&welcome.body);
    let bad = save_welcome(&app, &mut jar, &csrf, "Germany").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("two-letter code") && bad.body.contains("Europe/Berlin"));
    let saved = save_welcome(&app, &mut jar, &csrf, "de").await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(saved.location.starts_with(BASE));
    let user = app
        .store
        .portal_user_by_email(app.fx.org, app.fx.portal, CLIENT_EMAIL)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.status.as_str(), "active");
    assert_eq!(
        (
            user.preferences.language.as_str(),
            user.preferences.time_format.as_str(),
            user.preferences.time_zone.as_str(),
            user.preferences.country.as_str()
        ),
        ("de", "12h", "Europe/Berlin", "DE")
    );
    // The landing page: their name, their tabs, their record's visible fields.
    let landing = get(&app, &mut jar, &saved.location).await;
    assert_eq!(landing.status, StatusCode::OK);
    // In the language just chosen (German).
    assert!(landing.body.contains(&format!("Willkommen, {CLIENT_NAME}")));
    assert!(landing.body.contains("Ihre Einstellungen sind gespeichert"));
    assert!(landing.body.contains(">Contacts</a>"), "{}", landing.body);
    assert!(landing.body.contains(CLIENT_EMAIL));
    assert_eq!(audited(&app, "portal.accept").await, 1);
    assert_eq!(audited(&app, "portal.preferences").await, 1);

    // The link is used: the dead-link page, and the account stays as it is.
    let again = get(&app, &mut Jar::default(), &path).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert!(again.body.contains("This link cannot be used"));

    // Sign out ends the session on the server: the old cookie opens nothing.
    let home = get(&app, &mut jar, BASE).await;
    let csrf = csrf_of(&home.body);
    let old = jar.clone();
    let out = post(
        &app,
        &mut jar,
        &format!("{BASE}sign-out"),
        &[("_csrf", &csrf)],
    )
    .await;
    assert_eq!(
        (out.status, out.location.as_str()),
        (StatusCode::SEE_OTHER, format!("{BASE}sign-in").as_str())
    );
    assert!(jar.get("portico_portal").is_none(), "the cookie is removed");
    let replay = get(&app, &mut old.clone(), BASE).await;
    assert_eq!(replay.status, StatusCode::SEE_OTHER);
    assert_eq!(replay.location, format!("{BASE}sign-in?ended=1"));
}

async fn an_invitation_link_is_used_once_of_100_at_once(app: TestApp) {
    let token = invite(&app).await;
    let path = format!("{BASE}invite/{token}");
    let mut jar = Jar::default();
    let form = get(&app, &mut jar, &path).await;
    let csrf = csrf_of(&form.body);
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let (client, url, cookie, csrf) = (
                app.client.clone(),
                format!("{}{path}", app.base),
                jar.header(),
                csrf.clone(),
            );
            tokio::spawn(async move {
                let r = client
                    .post(url)
                    .header("cookie", cookie)
                    .form(&[
                        ("password", PASSWORD),
                        ("confirm", PASSWORD),
                        ("_csrf", &csrf),
                    ])
                    .send()
                    .await
                    .unwrap();
                let status = r.status();
                let session = r
                    .headers()
                    .get_all("set-cookie")
                    .iter()
                    .any(|c| c.to_str().unwrap().starts_with("portico_portal="));
                (status, session, r.text().await.unwrap())
            })
        })
        .collect();
    let mut won = 0;
    let mut dead = 0;
    let mut sessions = 0;
    let mut dead_page = None;
    for t in tasks {
        let (status, session, body) = t.await.unwrap();
        sessions += usize::from(session);
        match status {
            StatusCode::SEE_OTHER => won += 1,
            StatusCode::NOT_FOUND => {
                dead += 1;
                assert!(body.contains("This link cannot be used"));
                assert!(dead_page.get_or_insert_with(|| body.clone()) == &body);
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((won, dead, sessions), (1, 99, 1));
    assert_eq!(audited(&app, "portal.accept").await, 1);
}

/// The dead-link page for `path`: its status and body.
async fn dead(app: &TestApp, path: &str) -> (StatusCode, String) {
    let r = get(app, &mut Jar::default(), path).await;
    assert!(
        r.body.contains("This link cannot be used"),
        "{path}: {}",
        r.body
    );
    (r.status, r.body)
}

async fn every_dead_link_shows_the_same_page(app: TestApp) {
    let unknown = dead(&app, &format!("{BASE}invite/{}", "ab".repeat(32))).await;
    assert_eq!(unknown.0, StatusCode::NOT_FOUND);
    assert_eq!(
        dead(&app, &format!("{BASE}invite/not-a-token")).await,
        unknown
    );

    // Re-invited: the first link dies, the new one works.
    let first = invite(&app).await;
    let actor = admin_actor(&app).await;
    let user = app
        .store
        .portal_user_by_email(app.fx.org, app.fx.portal, CLIENT_EMAIL)
        .await
        .unwrap()
        .unwrap();
    portico_app::portal_users::reinvite(&app.state, &actor, app.fx.portal, user.id)
        .await
        .unwrap();
    assert_eq!(dead(&app, &format!("{BASE}invite/{first}")).await, unknown);
    // Posting to a dead link shows the same page, whatever the password.
    let mut jar = Jar::default();
    let form = get(&app, &mut jar, &format!("{BASE}sign-in")).await;
    let csrf = csrf_of(&form.body);
    let posted = post(
        &app,
        &mut jar,
        &format!("{BASE}invite/{first}"),
        &[("password", "x"), ("confirm", "y"), ("_csrf", &csrf)],
    )
    .await;
    assert_eq!((posted.status, posted.body), unknown.clone());

    let newest = newest_mail_to(&app, CLIENT_EMAIL).await;
    let second = token_in_mail(&app, newest).await;
    assert_ne!(first, second);

    // Another portal's page does not take this portal's link.
    let t = app.token(ADMIN).await;
    let other = app
        .post("/api/v1/portals", &t, json!({"name": "Northwind Partners"}))
        .await;
    assert_eq!(other.status, StatusCode::CREATED, "{:?}", other.body);
    let slug = other.body["slug"].as_str().unwrap();
    let other_unknown = dead(&app, &format!("/p/{slug}/invite/{}", "ab".repeat(32))).await;
    assert_eq!(
        dead(&app, &format!("/p/{slug}/invite/{second}")).await,
        other_unknown
    );
    assert_eq!(other_unknown.0, unknown.0);

    // Expired: seven days later.
    app.advance(portico_domain::portal_user::INVITATION_TTL + 60_000);
    assert_eq!(dead(&app, &format!("{BASE}invite/{second}")).await, unknown);
}

async fn sign_in_failure_and_lockout(app: TestApp) {
    let token = invite(&app).await;
    let first = accept(&app, &token).await;
    let first_session = first.get("portico_portal").unwrap().to_string();

    let mut jar = Jar::default();
    let wrong = sign_in(&app, &mut jar, CLIENT_EMAIL, "not the password 1").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(
        wrong
            .body
            .contains("email address or password is not right")
    );
    let nobody = sign_in(&app, &mut jar, "nobody@client.example", PASSWORD).await;
    assert_eq!(
        nobody.status, wrong.status,
        "an unknown address answers the same"
    );
    assert!(
        nobody
            .body
            .contains("email address or password is not right")
    );

    let ok = sign_in(&app, &mut jar, &CLIENT_EMAIL.to_uppercase(), PASSWORD).await;
    assert_eq!(
        (ok.status, ok.location.as_str()),
        (StatusCode::SEE_OTHER, BASE)
    );
    let session = jar.get("portico_portal").unwrap().to_string();
    assert_ne!(session, first_session, "a new id at every sign-in");
    let landing = get(&app, &mut jar, BASE).await;
    assert!(landing.body.contains(&format!("Welcome, {CLIENT_NAME}")));
    assert!(audited(&app, "portal.sign_in").await >= 1);
    assert!(audited(&app, "portal.sign_in_failed").await >= 2);

    // Five failures lock the address (on this portal) for a while, even with the password; a
    // locked account looks exactly like a wrong password (the lockout says nothing about
    // whether the account exists).
    for _ in 0..5 {
        sign_in(&app, &mut Jar::default(), CLIENT_EMAIL, "still not it 12").await;
    }
    let locked = sign_in(&app, &mut Jar::default(), CLIENT_EMAIL, PASSWORD).await;
    assert_eq!(locked.status, wrong.status);
    assert!(
        locked
            .body
            .contains("email address or password is not right")
    );
    assert!(!locked.body.contains("Too many"));
    assert!(audited(&app, "portal.sign_in_locked").await >= 1);
    let still = get(&app, &mut jar, BASE).await;
    assert_eq!(still.status, StatusCode::OK, "a lockout ends no session");
}

async fn a_deactivated_user_is_refused_and_their_session_ends(app: TestApp) {
    let token = invite(&app).await;
    let mut jar = accept(&app, &token).await;
    assert_eq!(get(&app, &mut jar, BASE).await.status, StatusCode::OK);
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
    let gone = get(&app, &mut jar, BASE).await;
    assert_eq!(
        (gone.status, gone.location.as_str()),
        (
            StatusCode::SEE_OTHER,
            format!("{BASE}sign-in?ended=1").as_str()
        )
    );
    let again = sign_in(&app, &mut Jar::default(), CLIENT_EMAIL, PASSWORD).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert!(
        again
            .body
            .contains("email address or password is not right")
    );
}

async fn the_idle_timeout_sends_the_user_to_sign_in(app: TestApp) {
    let t = app.token(ADMIN).await;
    let set = app
        .patch(
            &format!("/api/v1/portals/{}", app.fx.portal),
            &t,
            json!({"idle_timeout_minutes": 15}),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);
    let token = invite(&app).await;
    let mut jar = accept(&app, &token).await;
    app.advance(10 * 60_000);
    assert_eq!(get(&app, &mut jar, BASE).await.status, StatusCode::OK);
    app.advance(16 * 60_000);
    let idle = get(&app, &mut jar, BASE).await;
    assert_eq!(
        (idle.status, idle.location.as_str()),
        (
            StatusCode::SEE_OTHER,
            format!("{BASE}sign-in?ended=1").as_str()
        )
    );
    let page = get(&app, &mut jar, &idle.location).await;
    assert!(page.body.contains("Your session has ended"));
}

async fn forms_without_their_token_are_refused(app: TestApp) {
    let token = invite(&app).await;
    // The invitation without the form token (or with another browser's): refused, link alive.
    let mut stranger = Jar::default();
    let path = format!("{BASE}invite/{token}");
    for csrf in ["", &"cd".repeat(32)] {
        let r = set_password(&app, &mut stranger, &path, csrf, (PASSWORD, PASSWORD)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.cookie("portico_portal").is_none());
    }
    let mut jar = accept(&app, &token).await;
    // Sign-in without the token.
    let r = post(
        &app,
        &mut Jar::default(),
        &format!("{BASE}sign-in"),
        &[
            ("email", CLIENT_EMAIL),
            ("password", PASSWORD),
            ("_csrf", ""),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.cookie("portico_portal").is_none());
    // Signed-in forms need the session's token.
    let r = post(
        &app,
        &mut jar,
        &format!("{BASE}welcome"),
        &[
            ("language", "fr"),
            ("time_format", "24h"),
            ("time_zone", "UTC"),
            ("country", "FR"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = post(
        &app,
        &mut jar.clone(),
        &format!("{BASE}sign-out"),
        &[("_csrf", "x")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        get(&app, &mut jar, BASE).await.status,
        StatusCode::OK,
        "still signed in"
    );
    assert_eq!(audited(&app, "portal.preferences").await, 0);
}

async fn a_session_of_one_portal_does_not_open_another(app: TestApp) {
    let t = app.token(ADMIN).await;
    let other = app
        .post("/api/v1/portals", &t, json!({"name": "Northwind Partners"}))
        .await;
    let slug = other.body["slug"].as_str().unwrap().to_string();
    let token = invite(&app).await;
    let jar = accept(&app, &token).await;
    let b = get(&app, &mut jar.clone(), &format!("/p/{slug}/")).await;
    assert_eq!(b.status, StatusCode::SEE_OTHER);
    assert_eq!(b.location, format!("/p/{slug}/sign-in?ended=1"));
    let b = get(&app, &mut jar.clone(), &format!("/p/{slug}/welcome")).await;
    assert_eq!(b.status, StatusCode::SEE_OTHER);
    assert!(b.location.starts_with(&format!("/p/{slug}/sign-in")));
    // The same password does not sign in to the other portal: the account is this portal's.
    let other_base = format!("/p/{slug}/");
    let r = sign_in_at(
        &app,
        &mut Jar::default(),
        &other_base,
        CLIENT_EMAIL,
        PASSWORD,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // And the session still opens its own portal.
    assert_eq!(
        get(&app, &mut jar.clone(), BASE).await.status,
        StatusCode::OK
    );
}

async fn hidden_fields_never_reach_the_landing_page(app: TestApp) {
    let t = app.token(ADMIN).await;
    let secret = "HIDDEN-DESCRIPTION-4711";
    let r = app
        .patch(
            &format!("/api/v1/records/Contacts/{}", app.fx.contacts.client),
            &t,
            json!({"data": {"Description": secret, "Email_Opt_Out": true}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let token = invite(&app).await;
    let mut jar = accept(&app, &token).await;
    let landing = get(&app, &mut jar, BASE).await;
    assert_eq!(landing.status, StatusCode::OK);
    assert!(
        landing.body.contains(CLIENT_EMAIL),
        "visible fields are shown"
    );
    assert!(
        !landing.body.contains(secret),
        "a hidden value never appears"
    );
    for field in CLIENT_HIDDEN_CONTACT_FIELDS {
        let label = app.label("Contacts", field, &t).await;
        assert!(
            !landing.body.contains(&format!("<dt>{label}</dt>")),
            "hidden field {field} ({label}) is listed"
        );
    }
}

async fn set_portal(app: &TestApp, t: &str, patch: serde_json::Value) {
    let r = app
        .patch(&format!("/api/v1/portals/{}", app.fx.portal), t, patch)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

/// Posts the sign-up form as a new browser; answers the browser and the answer.
async fn sign_up(app: &TestApp, name: &str, email: &str, password: &str) -> (Jar, Answer) {
    let mut jar = Jar::default();
    let form = get(app, &mut jar, &format!("{BASE}sign-up")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let csrf = csrf_of(&form.body);
    let r = post(
        app,
        &mut jar,
        &format!("{BASE}sign-up"),
        &[
            ("name", name),
            ("email", email),
            ("password", password),
            ("confirm", password),
            ("_csrf", &csrf),
        ],
    )
    .await;
    (jar, r)
}

async fn sign_up_pages_follow_the_portal_type(app: TestApp) {
    let t = app.token(ADMIN).await;
    // Private (the fixture's): no sign-up page at all, and no link to one.
    assert_eq!(
        get(&app, &mut Jar::default(), &format!("{BASE}sign-up"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = post(
        &app,
        &mut Jar::default(),
        &format!("{BASE}sign-up"),
        &[("name", "x")],
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        !get(&app, &mut Jar::default(), BASE)
            .await
            .body
            .contains("sign-up")
    );

    set_portal(
        &app,
        &t,
        json!({"portal_type": "public", "signup_notify_user_ids": [app.fx.admin]}),
    )
    .await;
    assert!(
        get(&app, &mut Jar::default(), BASE)
            .await
            .body
            .contains("sign-up")
    );
    // Refusals beside their fields, the passwords never sent back.
    let (_, short) = sign_up(&app, "Sam Signup", "sam@signup.example", "short-pw").await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("12 to 128 characters") && !short.body.contains("short-pw"));
    assert!(short.body.contains("value=\"sam@signup.example\""));
    // Without the form token: refused.
    let r = post(
        &app,
        &mut Jar::default(),
        &format!("{BASE}sign-up"),
        &[
            ("name", "Sam"),
            ("email", "sam@signup.example"),
            ("password", PASSWORD),
            ("confirm", PASSWORD),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let (_, sent) = sign_up(&app, "Sam Signup", "sam@signup.example", PASSWORD).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(sent.body.contains("Check your email"));
    // The same answer for an address that already has an account.
    let (_, again) = sign_up(&app, "Sam Signup", "sam@signup.example", PASSWORD).await;
    let (_, carla) = sign_up(&app, "Carla", CLIENT_EMAIL, PASSWORD).await;
    assert_eq!((again.status, &again.body), (sent.status, &sent.body));
    assert_eq!((carla.status, &carla.body), (sent.status, &sent.body));

    // The newest verification email's link signs in once.
    let mail = newest_mail_to(&app, "sam@signup.example").await;
    let mail = app.store.get_mail(app.fx.org, mail).await.unwrap();
    let at = mail.text.find("/verify/").expect("a verification link") + "/verify/".len();
    let token = mail.text[at..at + 64].to_string();
    let mut jar = Jar::default();
    let link = format!("{BASE}verify/{token}");
    // Opening the link only asks: a mail scanner that opens it activates nothing.
    let asked = get(&app, &mut jar, &link).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert!(asked.body.contains("Confirm and sign in") && asked.cookie("portico_portal").is_none());
    let again = get(&app, &mut Jar::default(), &link).await;
    assert!(
        again.body.contains("Confirm and sign in"),
        "still usable after a GET"
    );
    let forged = post(&app, &mut Jar::default(), &link, &[("_csrf", "x")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let csrf = csrf_of(&asked.body);
    let verified = post(&app, &mut jar, &link, &[("_csrf", csrf.as_str())]).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    assert!(verified.body.contains("Email address confirmed"));
    assert!(
        verified
            .cookie("portico_portal")
            .unwrap()
            .contains("HttpOnly")
    );
    assert_eq!(
        get(&app, &mut jar, &format!("{BASE}welcome")).await.status,
        StatusCode::OK
    );
    let landing = get(&app, &mut jar, BASE).await;
    assert!(
        landing.body.contains("Welcome, Sam Signup"),
        "{}",
        landing.body
    );
    // Used, or unknown: the invitations' dead-link page.
    let used = dead(&app, &format!("{BASE}verify/{token}")).await;
    assert_eq!(
        used,
        dead(&app, &format!("{BASE}invite/{}", "ab".repeat(32))).await
    );
    assert_eq!(
        used,
        dead(&app, &format!("{BASE}verify/{}", "ab".repeat(32))).await
    );

    // Restricted: the request waits for an administrator.
    set_portal(&app, &t, json!({"portal_type": "restricted"})).await;
    let (_, waiting) = sign_up(&app, "Rita Request", "rita@signup.example", PASSWORD).await;
    assert_eq!(waiting.status, StatusCode::OK, "{}", waiting.body);
    assert!(waiting.body.contains("approved"));
    let pending = sign_in(&app, &mut Jar::default(), "rita@signup.example", PASSWORD).await;
    assert_eq!(
        pending.status,
        StatusCode::UNAUTHORIZED,
        "not before approval"
    );
}

// ---- SQLite only: cookies, hosts, headers, disabled portals ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookies_are_http_only_strict_and_scoped_to_the_portal() {
    let app = support::spawn_configured(support::Backend::Sqlite, |c, _| {
        c.portal_domain = Some("portals.test".into());
    })
    .await
    .unwrap();
    let token = invite(&app).await;
    let mut jar = Jar::default();
    let path = format!("{BASE}invite/{token}");
    let form = get(&app, &mut jar, &path).await;
    let pre = form.cookie("portico_portal_form").unwrap();
    for flag in ["HttpOnly", "SameSite=Strict", &format!("Path={BASE}")] {
        assert!(pre.contains(flag), "{pre} has {flag}");
    }
    assert!(!pre.contains("Secure"), "plain http base URL");
    // Security headers on portal pages too.
    let r = app
        .client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap();
    for h in [
        "content-security-policy",
        "x-frame-options",
        "x-content-type-options",
    ] {
        assert!(r.headers().contains_key(h), "{h}");
    }
    let csrf = csrf_of(&form.body);
    let done = set_password(&app, &mut jar, &path, &csrf, (PASSWORD, PASSWORD)).await;
    let session = done.cookie("portico_portal").unwrap();
    for flag in ["HttpOnly", "SameSite=Strict", &format!("Path={BASE}")] {
        assert!(session.contains(flag), "{session} has {flag}");
    }

    // On the portal's own host: the same pages at `/`, the cookies for `/`.
    let host = format!("{PORTAL_SLUG}.portals.test");
    let mut on_host = Jar::default();
    let form = go(
        &app,
        &mut on_host,
        Method::GET,
        "/sign-in",
        None,
        Some(&host),
    )
    .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("action=\"/sign-in\""));
    assert!(
        form.cookie("portico_portal_form")
            .unwrap()
            .contains("Path=/;")
    );
    let csrf = csrf_of(&form.body);
    let signed = go(
        &app,
        &mut on_host,
        Method::POST,
        "/sign-in",
        Some(&[
            ("email", CLIENT_EMAIL),
            ("password", PASSWORD),
            ("_csrf", &csrf),
        ]),
        Some(&host),
    )
    .await;
    assert_eq!(
        (signed.status, signed.location.as_str()),
        (StatusCode::SEE_OTHER, "/")
    );
    assert!(signed.cookie("portico_portal").unwrap().contains("Path=/;"));
    let landing = go(&app, &mut on_host, Method::GET, "/", None, Some(&host)).await;
    assert!(landing.body.contains(&format!("Welcome, {CLIENT_NAME}")));
    assert!(landing.body.contains("action=\"/sign-out\""));
    // Stylesheets are served on portal hosts.
    let css = go(
        &app,
        &mut on_host,
        Method::GET,
        "/static/portico.css",
        None,
        Some(&host),
    )
    .await;
    assert_eq!(css.status, StatusCode::OK);
    // Another portal's path on this host is nothing.
    let r = go(
        &app,
        &mut on_host,
        Method::GET,
        "/p/other/",
        None,
        Some(&host),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Behind TLS the cookies are Secure.
    let tls = support::spawn_configured(support::Backend::Sqlite, |c, _| {
        c.secure_cookies = true;
    })
    .await
    .unwrap();
    let form = get(&tls, &mut Jar::default(), &format!("{BASE}sign-in")).await;
    assert!(
        form.cookie("portico_portal_form")
            .unwrap()
            .contains("; Secure")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_portal_shows_its_message_on_every_page() {
    let app = support::spawn(support::Backend::Sqlite).await.unwrap();
    let token = invite(&app).await;
    let mut jar = accept(&app, &token).await;
    let t = app.token(ADMIN).await;
    app.patch(
        &format!("/api/v1/portals/{}", app.fx.portal),
        &t,
        json!({"status": "disabled", "disabled_message": "Back at 10:00"}),
    )
    .await;
    for path in ["", "sign-in", "welcome", "invite/abc", "nothing-here"] {
        let r = get(&app, &mut jar, &format!("{BASE}{path}")).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert!(r.body.contains("Back at 10:00") && r.body.contains(PORTAL_NAME));
    }
    let r = post(
        &app,
        &mut jar,
        &format!("{BASE}sign-in"),
        &[("email", CLIENT_EMAIL)],
    )
    .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
}

async fn outbox_size(app: &TestApp) -> usize {
    let q = portico_store::MailQuery {
        limit: 200,
        ..Default::default()
    };
    app.store
        .list_mail(app.fx.org, &q)
        .await
        .unwrap()
        .items
        .len()
}

/// Asks for a reset link for `email` through the form; answers the page.
async fn forgot(app: &TestApp, email: &str) -> Answer {
    let mut jar = Jar::default();
    let form = get(app, &mut jar, &format!("{BASE}forgot")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let csrf = csrf_of(&form.body);
    let fields = [("email", email), ("_csrf", csrf.as_str())];
    post(app, &mut jar, &format!("{BASE}forgot"), &fields).await
}

async fn a_forgotten_password_is_reset_once_and_signs_out_elsewhere(app: TestApp) {
    let token = invite(&app).await;
    let mut elsewhere = accept(&app, &token).await;
    assert_eq!(get(&app, &mut elsewhere, BASE).await.status, StatusCode::OK);
    let sign_in_page = get(&app, &mut Jar::default(), &format!("{BASE}sign-in")).await;
    assert!(sign_in_page.body.contains("Forgot your password?"));

    // The same answer for an unknown address and a known one; only the known one gets mail.
    let before = outbox_size(&app).await;
    let unknown = forgot(&app, "nobody@client.example").await;
    assert_eq!(
        outbox_size(&app).await,
        before,
        "no mail for an unknown address"
    );
    let known = forgot(&app, &CLIENT_EMAIL.to_uppercase()).await;
    assert_eq!((unknown.status, &unknown.body), (known.status, &known.body));
    assert!(known.body.contains("If this address has an account here"));
    let mail = app
        .store
        .get_mail(app.fx.org, newest_mail_to(&app, CLIENT_EMAIL).await)
        .await
        .unwrap();
    assert_eq!(
        mail.summary.kind,
        portico_domain::outbox::MailKind::PasswordReset
    );
    let at = mail.text.find("/reset/").expect("a reset link") + "/reset/".len();
    let reset = mail.text[at..at + 64].to_string();

    // The link's form; a weak password is refused beside the field and keeps the link usable.
    let path = format!("{BASE}reset/{reset}");
    let mut jar = Jar::default();
    let form = get(&app, &mut jar, &path).await;
    assert!(form.body.contains("Choose a new password"), "{}", form.body);
    let csrf = csrf_of(&form.body);
    let weak = set_password(&app, &mut jar, &path, &csrf, ("short", "short")).await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    let new_password = "another long portal passphrase 8";
    let done = set_password(&app, &mut jar, &path, &csrf, (new_password, new_password)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(get(&app, &mut jar, BASE).await.status, StatusCode::OK);
    // The other browser's session ended; the old password no longer opens the account.
    let ended = get(&app, &mut elsewhere, BASE).await;
    assert!(!ended.body.contains("Sign out"), "{}", ended.body);
    let old = sign_in(&app, &mut Jar::default(), CLIENT_EMAIL, PASSWORD).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = sign_in(&app, &mut Jar::default(), CLIENT_EMAIL, new_password).await;
    assert_eq!(new.status, StatusCode::SEE_OTHER);
    // Used: the one dead-link page.
    dead(&app, &path).await;
    assert_eq!(audited(&app, "portal.password_reset").await, 1);
}
