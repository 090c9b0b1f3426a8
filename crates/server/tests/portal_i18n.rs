//! The portal's signed-out and account pages in the visitor's language, over HTTP, on both
//! backends: `Accept-Language`, `?lang=` (remembered in a cookie), an unsupported `?lang=`
//! falling back to English, the wrong-password error in the page's language, `<html lang>`,
//! and the account pages in the language the user saved.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use portico_testkit::app::csrf_of;
use portico_testkit::fixtures::CLIENT_EMAIL;
use reqwest::StatusCode;
use support::TestApp;

on_both_backends!(
    the_sign_in_page_speaks_the_browser_language,
    lang_in_the_query_is_chosen_and_remembered,
    an_unsupported_language_falls_back_to_english,
    account_pages_speak_the_saved_language,
);

use support::portal::*;

/// A request with the jar's cookies and `Accept-Language` (when given), keeping the jar.
async fn go_in(
    app: &TestApp,
    jar: &mut Jar,
    path: &str,
    accept_language: Option<&str>,
    form: Option<&[(&str, &str)]>,
) -> Answer {
    let url = format!("{}{path}", app.base);
    let mut request = match form {
        Some(fields) => app.client.post(url).form(fields),
        None => app.client.get(url),
    };
    if !jar.0.is_empty() {
        request = request.header("cookie", jar.header());
    }
    if let Some(l) = accept_language {
        request = request.header("accept-language", l);
    }
    send(jar, request).await
}

/// Posts a wrong password through the sign-in form just shown in `page`.
async fn wrong_password(
    app: &TestApp,
    jar: &mut Jar,
    page: &Answer,
    accept_language: Option<&str>,
) -> Answer {
    let csrf = csrf_of(&page.body);
    let fields = [
        ("email", CLIENT_EMAIL),
        ("password", "not the password 123"),
        ("_csrf", csrf.as_str()),
    ];
    let path = format!("{BASE}sign-in");
    go_in(app, jar, &path, accept_language, Some(&fields)).await
}

async fn the_sign_in_page_speaks_the_browser_language(app: TestApp) {
    let german = Some("de-DE,de;q=0.9");
    let mut jar = Jar::default();
    let page = go_in(&app, &mut jar, &format!("{BASE}sign-in"), german, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"<html lang="de">"#), "{}", page.body);
    assert!(page.body.contains("<h1>Anmelden</h1>"), "{}", page.body);
    assert!(page.body.contains("Passwort vergessen?"));
    assert!(
        page.body.contains(r#"href="?lang=fr""#),
        "the language switch"
    );
    // The browser's language is not a choice: nothing is remembered.
    assert!(page.cookie("portico_portal_lang").is_none());

    let refused = wrong_password(&app, &mut jar, &page, german).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(
        refused
            .body
            .contains("E-Mail-Adresse oder Passwort ist nicht richtig."),
        "{}",
        refused.body
    );
    assert!(refused.body.contains(r#"<html lang="de">"#));

    // The signed-out home and the forgotten-password page follow the same language.
    let home = go_in(&app, &mut jar, BASE, german, None).await;
    assert!(home.body.contains(r#"<html lang="de">"#) && home.body.contains("Willkommen"));
    let forgot = go_in(&app, &mut jar, &format!("{BASE}forgot"), german, None).await;
    assert!(forgot.body.contains("Link senden"), "{}", forgot.body);
}

async fn lang_in_the_query_is_chosen_and_remembered(app: TestApp) {
    let mut jar = Jar::default();
    // `?lang=` wins over the browser's language.
    let german = Some("de-DE,de;q=0.9");
    let path = format!("{BASE}sign-in?lang=fr");
    let page = go_in(&app, &mut jar, &path, german, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"<html lang="fr">"#), "{}", page.body);
    assert!(page.body.contains("<h1>Connexion</h1>"), "{}", page.body);
    let cookie = page
        .cookie("portico_portal_lang")
        .expect("the choice is kept");
    assert!(cookie.starts_with("portico_portal_lang=fr;"), "{cookie}");
    for flag in ["HttpOnly", "SameSite=Lax", &format!("Path={BASE}")] {
        assert!(cookie.contains(flag), "{cookie} lacks {flag}");
    }

    // Later requests carry the cookie: still French, over the browser's German.
    let refused = wrong_password(&app, &mut jar, &page, german).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(
        refused
            .body
            .contains("L’adresse e-mail ou le mot de passe n’est pas correct."),
        "{}",
        refused.body
    );
    assert!(refused.body.contains(r#"<html lang="fr">"#));
    let again = go_in(&app, &mut jar, &format!("{BASE}sign-in"), None, None).await;
    assert!(
        again.body.contains("Mot de passe oublié ?"),
        "{}",
        again.body
    );
}

async fn an_unsupported_language_falls_back_to_english(app: TestApp) {
    let mut jar = Jar::default();
    let path = format!("{BASE}sign-in?lang=xx");
    let page = go_in(&app, &mut jar, &path, Some("xx-YY, es;q=0.8"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"<html lang="en">"#), "{}", page.body);
    assert!(page.body.contains("<h1>Sign in</h1>"));
    assert!(page.cookie("portico_portal_lang").is_none());
    let refused = wrong_password(&app, &mut jar, &page, None).await;
    assert!(
        refused
            .body
            .contains("The email address or password is not right."),
        "{}",
        refused.body
    );
}

async fn account_pages_speak_the_saved_language(app: TestApp) {
    let token = invite(&app).await;
    // The invitation's page follows the browser.
    let mut anonymous = Jar::default();
    let path = format!("{BASE}invite/{token}");
    let form = go_in(&app, &mut anonymous, &path, Some("fr"), None).await;
    assert!(
        form.body.contains("Définir votre mot de passe"),
        "{}",
        form.body
    );

    let mut jar = accept(&app, &token).await;
    let welcome = get(&app, &mut jar, &format!("{BASE}welcome")).await;
    let csrf = csrf_of(&welcome.body);
    let saved = save_welcome(&app, &mut jar, &csrf, "DE").await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    // German saved; the browser asks for French: the account pages speak German.
    let account = go_in(&app, &mut jar, &format!("{BASE}account"), Some("fr"), None).await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(
        account.body.contains(r#"<html lang="de">"#),
        "{}",
        account.body
    );
    assert!(account.body.contains("Passwort ändern"), "{}", account.body);
    let mfa = go_in(&app, &mut jar, &format!("{BASE}account/mfa"), None, None).await;
    assert!(
        mfa.body.contains("Zwei-Faktor-Authentifizierung"),
        "{}",
        mfa.body
    );

    // The reset link's email is written in the saved language too.
    let mut anonymous = Jar::default();
    let forgot = go_in(&app, &mut anonymous, &format!("{BASE}forgot"), None, None).await;
    let csrf = csrf_of(&forgot.body);
    let fields = [("email", CLIENT_EMAIL), ("_csrf", csrf.as_str())];
    let sent = post(&app, &mut anonymous, &format!("{BASE}forgot"), &fields).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let id = newest_mail_to(&app, CLIENT_EMAIL).await;
    let mail = app.store.get_mail(app.fx.org, id).await.unwrap();
    assert_eq!(mail.summary.language, "de");
    assert!(
        mail.summary
            .subject
            .starts_with("Wählen Sie ein neues Passwort"),
        "{}",
        mail.summary.subject
    );
    assert!(mail.text.contains("/reset/"));
}
