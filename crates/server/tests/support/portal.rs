//! A browser's side of the portal pages for HTTP tests: a cookie jar, requests that keep it,
//! and the invitation a portal user starts from (the link read from the outbox mail).
#![allow(dead_code)]

use super::TestApp;
use portico_app::invitations::{InviteTo, invite_record};
use portico_testkit::app::csrf_of;
use reqwest::{Method, StatusCode};
use std::collections::BTreeMap;

pub const PASSWORD: &str = "a long portal passphrase 7";
pub const BASE: &str = "/p/northwind-clients/";

/// The cookies a browser keeps for the app (one host; paths are not modelled).
#[derive(Default, Clone)]
pub struct Jar(pub BTreeMap<String, String>);

impl Jar {
    pub fn header(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

/// An answer as a browser sees it, with every `Set-Cookie`.
pub struct Answer {
    pub status: StatusCode,
    pub location: String,
    pub set_cookies: Vec<String>,
    pub body: String,
}

impl Answer {
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.set_cookies
            .iter()
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(String::as_str)
    }
}

/// A request with the jar's cookies (updated from the answer), optionally a form and a Host.
pub async fn go(
    app: &TestApp,
    jar: &mut Jar,
    method: Method,
    path: &str,
    form: Option<&[(&str, &str)]>,
    host: Option<&str>,
) -> Answer {
    let mut request = app.client.request(method, format!("{}{path}", app.base));
    if !jar.0.is_empty() {
        request = request.header("cookie", jar.header());
    }
    if let Some(h) = host {
        request = request.header("host", h);
    }
    if let Some(fields) = form {
        request = request.form(fields);
    }
    send(jar, request).await
}

/// Sends a request (the jar's cookies already on it) and keeps the cookies it sets in the jar.
pub async fn send(jar: &mut Jar, request: reqwest::RequestBuilder) -> Answer {
    let r = request.send().await.unwrap();
    let set_cookies: Vec<String> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    for c in &set_cookies {
        let pair = c.split(';').next().unwrap();
        let (name, value) = pair.split_once('=').unwrap();
        if value.is_empty() || c.contains("Max-Age=0") {
            jar.0.remove(name);
        } else {
            jar.0.insert(name.to_string(), value.to_string());
        }
    }
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    Answer {
        status: r.status(),
        location,
        set_cookies,
        body: r.text().await.unwrap(),
    }
}

pub async fn get(app: &TestApp, jar: &mut Jar, path: &str) -> Answer {
    go(app, jar, Method::GET, path, None, None).await
}

pub async fn post(app: &TestApp, jar: &mut Jar, path: &str, form: &[(&str, &str)]) -> Answer {
    go(app, jar, Method::POST, path, Some(form), None).await
}

pub async fn admin_actor(app: &TestApp) -> portico_domain::access::CrmActor {
    portico_app::sign_in::actor(&app.state, app.fx.org, app.fx.admin)
        .await
        .unwrap()
}

/// Invites the fixture's client contact to the fixture portal as the administrator; answers
/// the link's token, read from the email in the outbox.
pub async fn invite(app: &TestApp) -> String {
    let actor = admin_actor(app).await;
    let to = InviteTo {
        portal_id: app.fx.portal,
        user_type_id: app.fx.client_type,
        language: None,
    };
    let invited = invite_record(&app.state, &actor, "Contacts", app.fx.contacts.client, &to)
        .await
        .unwrap();
    token_in_mail(app, invited.mail_id).await
}

pub async fn token_in_mail(app: &TestApp, mail_id: i64) -> String {
    let mail = app.store.get_mail(app.fx.org, mail_id).await.unwrap();
    let at = mail.text.find("/invite/").expect("a link in the email") + "/invite/".len();
    let token = mail.text[at..at + 64].to_string();
    assert!(mail.html.contains(&token), "the HTML has the same link");
    token
}

/// Posts the invitation's form at `path` with (password, confirm).
pub async fn set_password(
    app: &TestApp,
    jar: &mut Jar,
    path: &str,
    csrf: &str,
    (password, confirm): (&str, &str),
) -> Answer {
    let form = [
        ("password", password),
        ("confirm", confirm),
        ("_csrf", csrf),
    ];
    post(app, jar, path, &form).await
}

/// Posts the preferences (German, 12-hour, Berlin) with `country`.
pub async fn save_welcome(app: &TestApp, jar: &mut Jar, csrf: &str, country: &str) -> Answer {
    let fields = [
        ("language", "de"),
        ("time_format", "12h"),
        ("time_zone", "Europe/Berlin"),
        ("country", country),
        ("_csrf", csrf),
    ];
    post(app, jar, &format!("{BASE}welcome"), &fields).await
}

/// The id of the newest email to `to` in the fixture org's outbox.
pub async fn newest_mail_to(app: &TestApp, to: &str) -> i64 {
    let q = portico_store::MailQuery {
        limit: 50,
        ..Default::default()
    };
    let mails = app.store.list_mail(app.fx.org, &q).await.unwrap();
    mails
        .items
        .iter()
        .find(|m| m.recipient == to)
        .map(|m| m.id)
        .expect("an email to this address")
}

/// Opens the invitation and sets the password; answers the signed-in browser.
pub async fn accept(app: &TestApp, token: &str) -> Jar {
    let mut jar = Jar::default();
    let path = format!("{BASE}invite/{token}");
    let form = get(app, &mut jar, &path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let csrf = csrf_of(&form.body);
    let done = set_password(app, &mut jar, &path, &csrf, (PASSWORD, PASSWORD)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location, format!("{BASE}welcome"));
    assert!(jar.get("portico_portal").is_some());
    jar
}
