//! Two-step verification for portal users, over HTTP on both backends, with the app's
//! injected clock: set-up from the account page (QR code and secret, recovery codes once);
//! the code step at sign-in (a code used once, ±1 step, never again; recovery codes once;
//! five wrong codes end the step; the step opens nothing); a portal that enforces MFA making
//! a new user enrol before anything else, refusing to switch it off, and a password reset that
//! keeps it; the portal API's `totp`; RFC 6238's vectors through the real sign-in; and the
//! per-address limit across accounts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use portico_auth::totp::Totp;
use portico_testkit::app::csrf_of;
use portico_testkit::fixtures::CLIENT_EMAIL;
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::portal::*;
use support::{ADMIN, Backend, TestApp};

on_both_backends!(
    set_up_from_the_account_then_every_sign_in_asks_for_a_code,
    recovery_codes_work_once_and_wrong_codes_end_the_step,
    an_enforcing_portal_enrols_new_users_first_and_a_reset_keeps_mfa,
    the_api_asks_for_totp,
    a_code_is_accepted_once_of_ten_at_once,
    rfc_6238_vectors_sign_in_with_the_injected_clock,
);

const API: &str = "/p/northwind-clients/api/v1/";

/// The secret a set-up page shows (grouped in fours).
fn secret_on(page: &str) -> Totp {
    let marker = "id=\"mfa-secret\">";
    let at = page.find(marker).expect("the secret as text") + marker.len();
    let end = at + page[at..].find('<').unwrap();
    Totp::from_base32(&page[at..end]).expect("a base32 secret")
}

fn recovery_codes_on(page: &str) -> Vec<String> {
    page.split("<li><code>")
        .skip(1)
        .map(|rest| rest[..rest.find('<').unwrap()].to_string())
        .collect()
}

/// The code of the app's clock now.
fn code_now(app: &TestApp, totp: &Totp) -> String {
    let secs = u64::try_from(app.state.now() / 1000).unwrap();
    totp.code_at(secs)
}

async fn audited(app: &TestApp, action: &str) -> usize {
    let log = app.store.audit_log(app.fx.org, 500).await.unwrap();
    log.iter().filter(|e| e.action == action).count()
}

async fn sign_in(app: &TestApp, jar: &mut Jar, password: &str) -> Answer {
    let form = get(app, jar, &format!("{BASE}sign-in")).await;
    let csrf = csrf_of(&form.body);
    let fields = [
        ("email", CLIENT_EMAIL),
        ("password", password),
        ("_csrf", &csrf),
    ];
    post(app, jar, &format!("{BASE}sign-in"), &fields).await
}

async fn send_code(app: &TestApp, jar: &mut Jar, code: &str) -> Answer {
    let form = get(app, jar, &format!("{BASE}sign-in/code")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.location);
    let csrf = csrf_of(&form.body);
    let fields = [("code", code), ("_csrf", csrf.as_str())];
    post(app, jar, &format!("{BASE}sign-in/code"), &fields).await
}

/// A signed-in client who turned MFA on from the account page; answers the browser, the
/// authenticator and the recovery codes.
async fn enrolled(app: &TestApp) -> (Jar, Totp, Vec<String>) {
    let token = invite(app).await;
    let mut jar = accept(app, &token).await;
    let page = get(app, &mut jar, &format!("{BASE}account/mfa")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<svg"), "a QR code drawn on the server");
    let totp = secret_on(&page.body);
    let again = get(app, &mut jar, &format!("{BASE}account/mfa")).await;
    assert_eq!(
        secret_on(&again.body).secret_base32(),
        totp.secret_base32(),
        "a reload shows the same pending secret"
    );
    let csrf = csrf_of(&page.body);
    let wrong = post(
        app,
        &mut jar,
        &format!("{BASE}account/mfa/enable"),
        &[("code", "000000"), ("_csrf", &csrf)],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("aria-invalid=\"true\""));
    let code = code_now(app, &totp);
    let done = post(
        app,
        &mut jar,
        &format!("{BASE}account/mfa/enable"),
        &[("code", &code), ("_csrf", &csrf)],
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let codes = recovery_codes_on(&done.body);
    assert_eq!(codes.len(), 10);
    assert_eq!(audited(app, "portal.mfa_enabled").await, 1);
    let on = get(app, &mut jar, &format!("{BASE}account/mfa")).await;
    assert!(
        on.body.contains("10 of 10 recovery codes left"),
        "{}",
        on.body
    );
    assert!(
        !on.body.contains("mfa-secret"),
        "the secret is never shown again"
    );
    (jar, totp, codes)
}

async fn set_up_from_the_account_then_every_sign_in_asks_for_a_code(app: TestApp) {
    let (_, totp, _) = enrolled(&app).await;
    let mut jar = Jar::default();
    let step = sign_in(&app, &mut jar, PASSWORD).await;
    assert_eq!(step.status, StatusCode::SEE_OTHER);
    assert_eq!(step.location, format!("{BASE}sign-in/code"));
    assert!(step.cookie("portico_portal").is_none(), "no session yet");
    assert!(jar.get("portico_portal_mfa").is_some());
    // Between the password and the code nothing opens.
    let account = get(&app, &mut jar, &format!("{BASE}account")).await;
    assert_eq!(account.status, StatusCode::SEE_OTHER);
    assert!(account.location.contains("sign-in"));
    // The code that turned MFA on was used: within its step it is refused.
    let used = code_now(&app, &totp);
    let replay = send_code(&app, &mut jar, &used).await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
    assert!(replay.cookie("portico_portal").is_none());
    // Thirty seconds on, the next code signs in.
    app.advance(30_000);
    let code = code_now(&app, &totp);
    let ok = send_code(&app, &mut jar, &code).await;
    assert_eq!(
        (ok.status, ok.location.as_str()),
        (StatusCode::SEE_OTHER, BASE)
    );
    assert!(ok.cookie("portico_portal").is_some());
    assert_eq!(get(&app, &mut jar, BASE).await.status, StatusCode::OK);
    let entry = app.store.audit_log(app.fx.org, 50).await.unwrap();
    let signed = entry.iter().find(|e| e.action == "portal.sign_in").unwrap();
    assert_eq!(signed.detail["mfa"], "totp");
    assert_eq!(signed.ip.as_deref(), Some("127.0.0.1"));
    // The same code again, in another browser: refused (never twice).
    let mut other = Jar::default();
    sign_in(&app, &mut other, PASSWORD).await;
    let twice = send_code(&app, &mut other, &code).await;
    assert_eq!(twice.status, StatusCode::UNAUTHORIZED);
    // A code one step old is still taken (±1 step), once the used one is behind it.
    app.advance(60_000);
    let secs = u64::try_from(app.state.now() / 1000).unwrap();
    let late = totp.code_at(secs - 30);
    let r = send_code(&app, &mut other, &late).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Two steps old: refused.
    let mut third = Jar::default();
    sign_in(&app, &mut third, PASSWORD).await;
    app.advance(90_000);
    let secs = u64::try_from(app.state.now() / 1000).unwrap();
    let stale = totp.code_at(secs - 60);
    assert_eq!(
        send_code(&app, &mut third, &stale).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(audited(&app, "portal.mfa_failed").await >= 3);
}

async fn recovery_codes_work_once_and_wrong_codes_end_the_step(app: TestApp) {
    let (mut signed, totp, codes) = enrolled(&app).await;
    let mut jar = Jar::default();
    sign_in(&app, &mut jar, PASSWORD).await;
    let typed = codes[0].to_uppercase().replace('-', " ");
    let ok = send_code(&app, &mut jar, &typed).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let mut again = Jar::default();
    sign_in(&app, &mut again, PASSWORD).await;
    let reused = send_code(&app, &mut again, &codes[0]).await;
    assert_eq!(
        reused.status,
        StatusCode::UNAUTHORIZED,
        "a recovery code works once"
    );
    // Five wrong codes in all end the step: back to the password.
    for _ in 0..3 {
        let r = send_code(&app, &mut again, "111111").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let last = send_code(&app, &mut again, "222222").await;
    assert_eq!(last.status, StatusCode::SEE_OTHER);
    assert!(last.location.contains("sign-in?mfa=1"), "{}", last.location);
    let dead = get(&app, &mut again, &format!("{BASE}sign-in/code")).await;
    assert_eq!(dead.status, StatusCode::SEE_OTHER, "the challenge is gone");
    // New recovery codes need a current code; the old ones stop working.
    let page = get(&app, &mut signed, &format!("{BASE}account/mfa")).await;
    assert!(
        page.body.contains("9 of 10 recovery codes left"),
        "{}",
        page.body
    );
    let csrf = csrf_of(&page.body);
    let refused = post(
        &app,
        &mut signed,
        &format!("{BASE}account/mfa/recovery"),
        &[("code", "123456"), ("_csrf", &csrf)],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.advance(30_000);
    let renewed = post(
        &app,
        &mut signed,
        &format!("{BASE}account/mfa/recovery"),
        &[("code", &code_now(&app, &totp)), ("_csrf", &csrf)],
    )
    .await;
    assert_eq!(renewed.status, StatusCode::OK);
    let fresh = recovery_codes_on(&renewed.body);
    assert_eq!(fresh.len(), 10);
    let mut third = Jar::default();
    sign_in(&app, &mut third, PASSWORD).await;
    assert_eq!(
        send_code(&app, &mut third, &codes[1]).await.status,
        StatusCode::UNAUTHORIZED,
        "an old recovery code no longer works"
    );
    // Switching off needs the password.
    let wrong = post(
        &app,
        &mut signed,
        &format!("{BASE}account/mfa/disable"),
        &[("password", "not my password 1"), ("_csrf", &csrf)],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let off = post(
        &app,
        &mut signed,
        &format!("{BASE}account/mfa/disable"),
        &[("password", PASSWORD), ("_csrf", &csrf)],
    )
    .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    let plain = sign_in(&app, &mut Jar::default(), PASSWORD).await;
    assert_eq!(
        (plain.status, plain.location.as_str()),
        (StatusCode::SEE_OTHER, BASE)
    );
    assert_eq!(audited(&app, "portal.mfa_disabled").await, 1);
}

async fn enforce(app: &TestApp) {
    let t = app.token(ADMIN).await;
    let r = app
        .patch(
            &format!("/api/v1/portals/{}", app.fx.portal),
            &t,
            json!({"enforce_mfa": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

async fn an_enforcing_portal_enrols_new_users_first_and_a_reset_keeps_mfa(app: TestApp) {
    enforce(&app).await;
    let token = invite(&app).await;
    let mut jar = Jar::default();
    let path = format!("{BASE}invite/{token}");
    let form = get(&app, &mut jar, &path).await;
    let csrf = csrf_of(&form.body);
    let done = set_password(&app, &mut jar, &path, &csrf, (PASSWORD, PASSWORD)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location, format!("{BASE}sign-in/enrol?then=welcome"));
    assert!(
        done.cookie("portico_portal").is_none(),
        "no session before enrolment"
    );
    assert_eq!(
        get(&app, &mut jar, &format!("{BASE}welcome")).await.status,
        StatusCode::SEE_OTHER,
        "nothing opens before the enrolment"
    );
    let page = get(&app, &mut jar, &format!("{BASE}sign-in/enrol?then=welcome")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<svg"));
    let totp = secret_on(&page.body);
    let csrf = csrf_of(&page.body);
    let wrong = post(
        &app,
        &mut jar,
        &format!("{BASE}sign-in/enrol"),
        &[("code", "000000"), ("then", "welcome"), ("_csrf", &csrf)],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(secret_on(&wrong.body).secret_base32(), totp.secret_base32());
    let code = code_now(&app, &totp);
    let on = post(
        &app,
        &mut jar,
        &format!("{BASE}sign-in/enrol"),
        &[("code", &code), ("then", "welcome"), ("_csrf", &csrf)],
    )
    .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);
    assert_eq!(recovery_codes_on(&on.body).len(), 10);
    assert!(on.body.contains(&format!("{BASE}welcome")));
    assert!(on.cookie("portico_portal").is_some());
    // It cannot be switched off here.
    let mfa = get(&app, &mut jar, &format!("{BASE}account/mfa")).await;
    assert!(!mfa.body.contains("account/mfa/disable"));
    let csrf = csrf_of(&mfa.body);
    let off = post(
        &app,
        &mut jar,
        &format!("{BASE}account/mfa/disable"),
        &[("password", PASSWORD), ("_csrf", &csrf)],
    )
    .await;
    assert_eq!(off.status, StatusCode::FORBIDDEN);
    // A reset link sets the password but signs in only through the code.
    let mut anon = Jar::default();
    let form = get(&app, &mut anon, &format!("{BASE}forgot")).await;
    let csrf = csrf_of(&form.body);
    post(
        &app,
        &mut anon,
        &format!("{BASE}forgot"),
        &[("email", CLIENT_EMAIL), ("_csrf", &csrf)],
    )
    .await;
    let mail = app
        .store
        .get_mail(app.fx.org, newest_mail_to(&app, CLIENT_EMAIL).await)
        .await
        .unwrap();
    let at = mail.text.find("/reset/").unwrap() + "/reset/".len();
    let reset = format!("{BASE}reset/{}", &mail.text[at..at + 64]);
    let mut browser = Jar::default();
    let form = get(&app, &mut browser, &reset).await;
    let csrf = csrf_of(&form.body);
    let new_password = "another long passphrase 8";
    let set = set_password(
        &app,
        &mut browser,
        &reset,
        &csrf,
        (new_password, new_password),
    )
    .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER);
    assert_eq!(set.location, format!("{BASE}sign-in/code"));
    assert!(set.cookie("portico_portal").is_none());
    app.advance(30_000);
    let ok = send_code(&app, &mut browser, &code_now(&app, &totp)).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert!(ok.cookie("portico_portal").is_some());
}

async fn token(app: &TestApp, totp: Option<&str>) -> support::Reply {
    let mut body = json!({"email": CLIENT_EMAIL, "password": PASSWORD});
    if let Some(code) = totp {
        body["totp"] = json!(code);
    }
    app.call(Method::POST, &format!("{API}auth/token"), None, Some(body))
        .await
}

async fn the_api_asks_for_totp(app: TestApp) {
    let (_, totp, codes) = enrolled(&app).await;
    let none = token(&app, None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(none.code(), "totp_required");
    let wrong = token(&app, Some("000000")).await;
    assert_eq!(
        (wrong.status, wrong.code()),
        (StatusCode::UNAUTHORIZED, "invalid_totp")
    );
    app.advance(30_000);
    let ok = token(&app, Some(&code_now(&app, &totp))).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{:?}", ok.body);
    let by_recovery = token(&app, Some(&codes[3])).await;
    assert_eq!(by_recovery.status, StatusCode::CREATED);
    // A wrong password with a right code is still a wrong password.
    let body = json!({"email": CLIENT_EMAIL, "password": "wrong password 99", "totp": codes[4]});
    let r = app
        .call(Method::POST, &format!("{API}auth/token"), None, Some(body))
        .await;
    assert_eq!(r.code(), "invalid_credentials");
    // An enforcing portal refuses a token to an account without MFA.
    enforce(&app).await;
    let me = app
        .store
        .portal_user_by_email(app.fx.org, app.fx.portal, CLIENT_EMAIL)
        .await
        .unwrap()
        .unwrap();
    let mut tx = app.store.transaction().await.unwrap();
    tx.delete_portal_mfa(app.fx.org, me.id).await.unwrap();
    tx.commit().await.unwrap();
    let refused = token(&app, None).await;
    assert_eq!(
        (refused.status, refused.code()),
        (StatusCode::FORBIDDEN, "mfa_enrolment_required")
    );
}

async fn a_code_is_accepted_once_of_ten_at_once(app: TestApp) {
    let (_, totp, _) = enrolled(&app).await;
    app.advance(30_000);
    let code = code_now(&app, &totp);
    let app = std::sync::Arc::new(app);
    let tries: Vec<_> = (0..10)
        .map(|_| {
            let (app, code) = (std::sync::Arc::clone(&app), code.clone());
            tokio::spawn(async move { token(&app, Some(&code)).await.status })
        })
        .collect();
    let mut created = 0;
    for t in tries {
        let status = t.await.unwrap();
        assert!(
            status == StatusCode::CREATED
                || status == StatusCode::UNAUTHORIZED
                || status == StatusCode::SERVICE_UNAVAILABLE,
            "{status}"
        );
        created += usize::from(status == StatusCode::CREATED);
    }
    assert_eq!(created, 1, "one code, one sign-in");
}

/// RFC 6238 Appendix B (SHA-1 key, codes cut to the six digits apps use) through the real
/// sign-in: the app's clock is set to each vector's time.
async fn rfc_6238_vectors_sign_in_with_the_injected_clock(app: TestApp) {
    let token_ = invite(&app).await;
    accept(&app, &token_).await;
    let me = app
        .store
        .portal_user_by_email(app.fx.org, app.fx.portal, CLIENT_EMAIL)
        .await
        .unwrap()
        .unwrap();
    let key = Totp::new(b"12345678901234567890".to_vec()).secret_base32();
    let mut tx = app.store.transaction().await.unwrap();
    assert!(
        tx.start_portal_mfa(app.fx.org, me.id, &key, app.state.now())
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    let vectors = [
        (59_i64, "287082"),
        (1_111_111_109, "081804"),
        (1_111_111_111, "050471"),
        (1_234_567_890, "005924"),
        (2_000_000_000, "279037"),
    ];
    for (i, (at, code)) in vectors.into_iter().enumerate() {
        app.advance(at * 1000 - app.state.now());
        if i == 0 {
            // The first code enables the pending secret, as a set-up does.
            let mut tx = app.store.transaction().await.unwrap();
            let step = at / 30;
            assert!(
                tx.accept_portal_totp_step(app.fx.org, me.id, step - 1, app.state.now())
                    .await
                    .unwrap()
            );
            tx.commit().await.unwrap();
        }
        let r = token(&app, Some(code)).await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "vector at {at}: {:?}",
            r.body
        );
        let again = token(&app, Some(code)).await;
        assert_eq!(again.code(), "invalid_totp", "vector at {at} twice");
    }
}

/// The per-address limit, with a small rule: failures across accounts add up for one address,
/// then even a right password from it is refused (429, which names no account), in the form and
/// the API alike.
async fn one_address_is_limited_across_accounts(backend: Backend) {
    let Some(app) = support::spawn_configured(backend, |_, s| {
        s.address_lockout = Some(portico_domain::lockout::LockoutRule {
            max_failures: 3,
            ..portico_domain::lockout::LockoutRule::STANDARD
        });
    })
    .await
    else {
        return;
    };
    let token_ = invite(&app).await;
    accept(&app, &token_).await;
    for who in ["a@x.example", "b@x.example", "c@x.example"] {
        let mut jar = Jar::default();
        let form = get(&app, &mut jar, &format!("{BASE}sign-in")).await;
        let csrf = csrf_of(&form.body);
        let r = post(
            &app,
            &mut jar,
            &format!("{BASE}sign-in"),
            &[
                ("email", who),
                ("password", "whatever it is 1"),
                ("_csrf", &csrf),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = sign_in(&app, &mut Jar::default(), PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("from your network"));
    let api = token(&app, None).await;
    assert_eq!(api.status, StatusCode::TOO_MANY_REQUESTS);
    // The lock passes with its time.
    app.advance(16 * 60_000);
    let ok = sign_in(&app, &mut Jar::default(), PASSWORD).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_is_limited_across_accounts_sqlite() {
    one_address_is_limited_across_accounts(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_is_limited_across_accounts_postgres() {
    one_address_is_limited_across_accounts(Backend::Postgres).await;
}
