//! The whole app on port 0 with a fresh database (SQLite, or PostgreSQL when reachable) and the
//! fixture org ([`crate::fixtures`]) loaded, and an HTTP client to talk to it.
// A harness that cannot start, or a request that cannot be sent, fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::fixtures::{self, Fixture};
use portico_app::{Clock, Context, Settings};
use portico_domain::Millis;
use portico_web::{AppState, WebConfig};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

pub use crate::fixtures::{ADMIN, REP};

pub struct TestApp {
    pub base: String,
    /// The database the app runs on.
    pub database_url: String,
    pub state: AppState,
    /// The same database, reached directly.
    pub store: portico_store::Store,
    pub client: Client,
    /// Milliseconds added to the real clock, to move time forward in tests.
    pub skew: Arc<AtomicI64>,
    /// The ids of the fixture org's records, users, portal and user types.
    pub fx: Fixture,
}

/// Which database a test runs on.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Starts the app with the fixture org; `None` when the backend is unavailable and not
/// required (`PORTICO_REQUIRE_POSTGRES=1` turns that into a failure).
pub async fn spawn(backend: Backend) -> Option<TestApp> {
    spawn_configured(backend, |_, _| {}).await
}

/// Like [`spawn`], with changes to the web configuration and the use cases' settings.
pub async fn spawn_configured(
    backend: Backend,
    configure: impl FnOnce(&mut WebConfig, &mut Settings),
) -> Option<TestApp> {
    let url = match backend {
        Backend::Sqlite => crate::sqlite_url(),
        Backend::Postgres => match crate::postgres_url().await {
            Ok(Some(url)) => url,
            Ok(None) => return None,
            Err(e) => panic!("{e}"),
        },
    };
    // A second handle on the same database, for checks the tests make directly.
    let direct = portico_store::Store::open(&url).unwrap();
    let skew = Arc::new(AtomicI64::new(0));
    let (base, state, listener) = instance(&url, &skew, configure).await;
    let fx = fixtures::load(&state)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(axum::serve(listener, portico_web::service(state.clone())).into_future());
    // No pooled connections: a test that sends a body the server refuses before reading it
    // (413) leaves that connection closed by the server, and reusing it for the next request
    // fails with a broken pipe now and then.
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    Some(TestApp {
        base,
        database_url: url,
        state,
        store: direct,
        client,
        skew,
        fx,
    })
}

/// An app instance on `url` as `portico serve` starts one: its own store handle (a pool on
/// PostgreSQL), migrations run, a port of its own; the clock is the real one plus `skew`.
/// Answers its address, its state and the listener to serve on.
async fn instance(
    url: &str,
    skew: &Arc<AtomicI64>,
    configure: impl FnOnce(&mut WebConfig, &mut Settings),
) -> (String, AppState, tokio::net::TcpListener) {
    let store = portico_store::Store::open(url).unwrap();
    let real = portico_app::system_clock();
    let s = Arc::clone(skew);
    let clock: Clock = Arc::new(move || real() + s.load(Ordering::Relaxed));
    store.migrate(clock()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut config = WebConfig::new(&base);
    let mut settings = Settings {
        base_url: portico_domain::base_url::BaseUrl::parse(&base).unwrap(),
        ..Settings::default()
    };
    configure(&mut config, &mut settings);
    let state = AppState::new(Context::new(store, settings, clock), config);
    (base, state, listener)
}

/// The sender of the test app's email.
pub const MAIL_FROM: &str = "Northwind CRM <crm@northwind.example>";

/// The first CSRF token (`name="_csrf" value="…"`) of a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let at = html.find(marker).expect("a form with a CSRF token") + marker.len();
    html[at..].split('"').next().unwrap_or("").to_string()
}

/// An answer of the JSON API.
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Reply {
    /// The `field` of an error answer.
    pub fn field(&self) -> &str {
        self.body["error"]["field"].as_str().unwrap_or("")
    }

    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

/// What a page answered, as a browser sees it.
pub struct Page {
    pub status: StatusCode,
    /// The `Location` header, or "".
    pub location: String,
    /// The cookie the answer sets (name=value), or "".
    pub cookie: String,
    pub body: String,
}

impl TestApp {
    /// A second instance of the app on the same database, as a second `portico serve` behind a
    /// load balancer would be: its own process state, store handle and port, sharing only what
    /// the database holds. The clock is shared ([`TestApp::advance`] moves both), and so are the
    /// fixture's ids.
    pub async fn second_instance(&self) -> TestApp {
        let (base, state, listener) = instance(&self.database_url, &self.skew, |_, _| {}).await;
        tokio::spawn(axum::serve(listener, portico_web::service(state.clone())).into_future());
        TestApp {
            base,
            database_url: self.database_url.clone(),
            state,
            store: portico_store::Store::open(&self.database_url).unwrap(),
            client: self.client.clone(),
            skew: Arc::clone(&self.skew),
            fx: self.fx.clone(),
        }
    }

    /// A request as a browser sends it: with a cookie (none when empty) and, when `form` is
    /// given, those fields as a form body.
    pub async fn browse(
        &self,
        cookie: &str,
        method: Method,
        path: &str,
        form: Option<&[(&str, &str)]>,
    ) -> Page {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if !cookie.is_empty() {
            request = request.header("cookie", cookie);
        }
        if let Some(fields) = form {
            request = request.form(fields);
        }
        let r = request.send().await.unwrap();
        let header = |name: &str| {
            r.headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default()
        };
        let (location, set_cookie) = (header("location"), header("set-cookie"));
        Page {
            status: r.status(),
            location,
            cookie: set_cookie.split(';').next().unwrap_or("").to_string(),
            body: r.text().await.unwrap(),
        }
    }

    /// Signs in through the admin sign-in form, as a browser does; answers the session cookie.
    pub async fn admin_cookie(&self, (email, password): (&str, &str)) -> String {
        let form = self.browse("", Method::GET, "/admin/login", None).await;
        let csrf = csrf_of(&form.body);
        let fields = [
            ("email", email),
            ("password", password),
            ("next", "/admin/home"),
            ("_csrf", csrf.as_str()),
        ];
        let signed = self
            .browse(&form.cookie, Method::POST, "/admin/login", Some(&fields))
            .await;
        assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
        signed.cookie
    }

    /// A mailer for the SMTP server at `url`, sending as the fixture's sender.
    pub fn mailer(&self, url: &str) -> portico_mail::Mailer {
        portico_mail::Mailer::new(url, MAIL_FROM, "northwind.example").unwrap()
    }

    /// This instance's delivery worker, as `portico serve --smtp-url` runs it (polling every
    /// 100 ms); it stops when the handle is aborted or dropped with the runtime.
    pub fn start_delivery(&self, smtp_url: &str) -> tokio::task::JoinHandle<()> {
        let state = self.state.clone();
        let mailer = self.mailer(smtp_url);
        tokio::spawn(async move {
            let options = portico_app::mail_delivery::WorkerOptions {
                poll: std::time::Duration::from_millis(100),
                ..Default::default()
            };
            portico_app::mail_delivery::run_worker(&state, &mailer, options).await;
        })
    }

    /// This instance's invitation batch worker, as `portico serve` runs it (polling every
    /// 100 ms); it stops when the handle is aborted or dropped with the runtime.
    pub fn start_invitations(&self) -> tokio::task::JoinHandle<()> {
        let state = self.state.clone();
        tokio::spawn(async move {
            let poll = std::time::Duration::from_millis(100);
            portico_app::invitation_batches::run_worker(&state, poll).await;
        })
    }

    pub fn advance(&self, ms: Millis) {
        self.skew.fetch_add(ms, Ordering::Relaxed);
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        self.call_with(method, path, token, body, &[]).await
    }

    /// [`TestApp::call`] with extra request headers.
    pub async fn call_with(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Reply {
            status,
            body,
            headers,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    pub async fn token(&self, who: (&str, &str)) -> String {
        self.issue_token(who).await.0
    }

    /// `POST /api/v1/auth/token` with this email and password, whatever it answers.
    pub async fn api_sign_in(&self, email: &str, password: &str) -> Reply {
        self.call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"email": email, "password": password})),
        )
        .await
    }

    /// A new API token for this user: its secret and its public id.
    pub async fn issue_token(&self, (email, password): (&str, &str)) -> (String, i64) {
        let r = self.api_sign_in(email, password).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        (
            r.body["token"].as_str().unwrap().to_string(),
            r.body["id"].as_i64().unwrap(),
        )
    }

    /// Creates another org ([`fixtures::RIVAL_NAME`]) with its own administrator
    /// ([`fixtures::RIVAL_ADMIN`]) and nothing else; answers the admin's token.
    pub async fn other_org(&self) -> String {
        let (email, password) = fixtures::RIVAL_ADMIN;
        let admin = portico_app::users::NewUserInput {
            email: email.into(),
            name: "Rival Boss".into(),
            password: password.into(),
            profile_id: 0,
            super_admin: true,
        };
        portico_app::org::provision_org(
            &self.state,
            fixtures::org_settings(fixtures::RIVAL_NAME, fixtures::RIVAL_DOMAIN),
            admin,
        )
        .await
        .unwrap();
        self.token(fixtures::RIVAL_ADMIN).await
    }

    /// The CRM user with this email, which must be in one org only.
    async fn only_user(&self, email: &str) -> portico_domain::profile::User {
        let mut found = self.store.find_logins(email).await.unwrap();
        assert_eq!(found.len(), 1, "{email} is in {} orgs", found.len());
        found.remove(0).0
    }

    /// The id of the CRM user with this email (in one org only).
    pub async fn user_id(&self, email: &str) -> i64 {
        self.only_user(email).await.id
    }

    /// The id of the org of the CRM user with this email (in one org only).
    pub async fn org_of(&self, email: &str) -> i64 {
        self.only_user(email).await.org_id
    }

    /// The id of the first record in a module's list as this caller sees it.
    pub async fn first_id(&self, module: &str, token: &str) -> i64 {
        let r = self
            .get(&format!("/api/v1/records/{module}?limit=1"), token)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        r.body["items"][0]["id"].as_i64().unwrap()
    }

    /// The label of a module's field, as the API names it.
    pub async fn label(&self, module: &str, field: &str, token: &str) -> String {
        let r = self.get(&format!("/api/v1/modules/{module}"), token).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        r.body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["api_name"] == field)
            .unwrap_or_else(|| panic!("{module} has no field {field}"))["label"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

/// Runs each named test on SQLite and on PostgreSQL (`mod sqlite`, `mod postgres`), each with
/// a fresh app and fixture org: `async fn name(app: TestApp)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::app::spawn($crate::app::Backend::Sqlite)
                        .await
                        .expect("SQLite is always available");
                    super::$name(app).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = $crate::app::spawn($crate::app::Backend::Postgres).await {
                        super::$name(app).await;
                    }
                }
            )*
        }
    };
}
