//! The admin UI at `/admin`: server-rendered pages for CRM users. Records pages follow the
//! user's profile (enforced by the use cases in `portico_app`); setup pages are for administrators.

mod audit;
mod form;
mod portals;
mod records;
mod setup;
mod tokens;

pub(crate) use form::form_rejection;
pub use form::{FormErrors, Posted, form_checked, form_value};

use crate::AppState;
use crate::error::{AppError, HttpError};
use crate::present::escape_html;

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use portico_app::org_choice::SignIn;
use portico_auth::{constant_time_eq, random_token};
use portico_domain::access::CrmActor;
use portico_domain::module::Module;

use serde::Deserialize;

const COOKIE: &str = "portico_admin";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(|| async { see_other("/admin/home") }))
        .route("/admin/", get(|| async { see_other("/admin/home") }))
        .route(
            "/admin/login",
            get(login_page)
                .post(login)
                .layer(DefaultBodyLimit::max(crate::SIGN_IN_BODY_LIMIT)),
        )
        .route(
            "/admin/login/org",
            post(choose_org).layer(DefaultBodyLimit::max(crate::SIGN_IN_BODY_LIMIT)),
        )
        .route("/admin/logout", post(logout))
        .route("/admin/home", get(home))
        .route("/admin/tokens", get(tokens::list))
        .route("/admin/tokens/{id}/revoke", post(tokens::revoke))
        .route("/admin/audit", get(audit::page))
        .merge(records::routes())
        .merge(setup::routes())
        .merge(portals::routes())
}

/// A minimal standalone page (errors, not found) that needs no session.
pub fn plain_page(title: &str, message: &str) -> String {
    PlainPage { title, message }
        .render()
        .unwrap_or_else(|_| fallback_page(title, message))
}

/// The page shown when even the plain template fails to render: the same words, escaped like
/// everything else we send as HTML (the message may quote user input).
pub fn fallback_page(title: &str, message: &str) -> String {
    format!(
        "<!doctype html><title>{}</title><h1>{}</h1><p>{}</p>",
        escape_html(title),
        escape_html(title),
        escape_html(message)
    )
}

#[derive(Template)]
#[template(path = "admin/plain.html")]
struct PlainPage<'a> {
    title: &'a str,
    message: &'a str,
}

/// Renders a template, or a plain error page if rendering fails.
pub(crate) fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => PageError(AppError::Internal(e.to_string())).into_response(),
    }
}

/// A use case's error shown as a page.
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let title = match status {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::FORBIDDEN => "Not allowed",
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT => "Cannot save",
            _ => "Something went wrong",
        };
        let message = match &self.0 {
            AppError::NotFound => {
                "This record or page does not exist, or you do not have access to it.".to_string()
            }
            other => other.public_message(),
        };
        (status, Html(plain_page(title, &message))).into_response()
    }
}

pub type PageResult = Result<Response, PageError>;

/// The signed-in CRM user of an admin page.
pub struct AdminSession {
    pub actor: CrmActor,
    pub csrf: String,
    pub org_name: String,
}

fn cookie_value(headers: &HeaderMap) -> Option<String> {
    named_cookie(headers, COOKIE)
}

pub(crate) fn named_cookie(headers: &HeaderMap, cookie: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == cookie)
        .map(|(_, value)| value.to_string())
}

fn session_cookie(state: &AppState, value: &str, max_age_s: i64) -> HeaderValue {
    let secure = if state.config().secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie =
        format!("{COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}");
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn session_rules(state: &AppState) -> portico_app::sign_in::SessionRules {
    portico_app::sign_in::SessionRules {
        idle_ms: state.config().session_idle_ms,
        absolute_ms: state.config().session_absolute_ms,
    }
}

impl FromRequestParts<AppState> for AdminSession {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let to_login = || {
            let next = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/admin/home");
            let encoded: String = form_urlencode(next);
            see_other(&format!("/admin/login?next={encoded}"))
        };
        let Some(token) = cookie_value(&parts.headers) else {
            return Err(to_login());
        };
        // An unknown or expired session signs in again; a database failure is a 500 with a
        // request id, never a trip to the sign-in page.
        match portico_app::sign_in::resume_session(state, &token, session_rules(state)).await {
            Ok(Some(s)) => Ok(Self {
                actor: s.actor,
                csrf: s.csrf,
                org_name: s.org_name,
            }),
            Ok(None) => Err(to_login()),
            Err(e) => Err(PageError(e).into_response()),
        }
    }
}

/// A numbered list's page from `?page=` (1 when absent or not a number).
pub(crate) fn page_number(raw: Option<&str>) -> i64 {
    raw.and_then(|p| p.trim().parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 100_000)
}

/// How many pages `total` items make, `per` a page (at least one).
pub(crate) fn page_count(total: i64, per: i64) -> i64 {
    ((total + per - 1) / per.max(1)).max(1)
}

/// A column header's `aria-sort`: "" when the list is not sorted by it.
pub(crate) fn sort_state(sorted_by_it: bool, descending: bool) -> &'static str {
    match (sorted_by_it, descending) {
        (false, _) => "",
        (true, false) => "ascending",
        (true, true) => "descending",
    }
}

pub(crate) fn form_urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl AdminSession {
    /// Refuses a state-changing form whose `_csrf` value is not this session's token.
    pub fn check_csrf(&self, pairs: &[(String, String)]) -> Result<(), PageError> {
        let sent = pairs
            .iter()
            .find(|(k, _)| k == "_csrf")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        if constant_time_eq(sent, &self.csrf) {
            Ok(())
        } else {
            Err(PageError(AppError::Forbidden(
                "The form expired or came from another site; reload the page and try again".into(),
            )))
        }
    }
}

/// The sections of the sidebar a page can belong to: (key, label, link).
const SECTIONS: &[(&str, &str, &str)] = &[
    ("tokens", "API tokens", "/admin/tokens"),
    ("setup-modules", "Modules & fields", "/admin/setup/modules"),
    ("setup-users", "Users", "/admin/setup/users"),
    ("setup-profiles", "Profiles", "/admin/setup/profiles"),
    ("setup-portals", "Portals", "/admin/setup/portals"),
    ("setup-web-tabs", "Web tabs", "/admin/setup/web-tabs"),
    ("setup-org", "Company settings", "/admin/setup/org"),
    (
        "setup-email-domains",
        "Blocked email domains",
        "/admin/setup/email-domains",
    ),
    ("setup-mail", "Mail log", "/admin/setup/mail"),
    ("audit", "Audit log", "/admin/audit"),
    ("bin", "Recycle bin", "/admin/recycle-bin"),
];

/// Everything around a page's content: navigation, the user, the CSRF token.
pub struct Chrome {
    pub title: String,
    pub org_name: String,
    pub user_name: String,
    pub is_admin: bool,
    pub csrf: String,
    pub modules: Vec<(String, String)>,
    /// Web tabs: (name, URL), shown as links that open in a new tab.
    pub web_tabs: Vec<(String, String)>,
    pub active: String,
    /// Pages between the section and this one: (label, link), e.g. the portal a settings
    /// page belongs to.
    pub trail: Vec<(String, String)>,
    pub flash: Option<String>,
    /// A failure of the previous step, shown as a failure (red, announced).
    pub problem: Option<String>,
}

impl Chrome {
    pub async fn new(
        state: &AppState,
        s: &AdminSession,
        title: &str,
        active: &str,
    ) -> Result<Self, PageError> {
        let modules = portico_app::modules::visible_modules(state, &s.actor).await?;
        Ok(Self {
            title: title.to_string(),
            org_name: s.org_name.clone(),
            user_name: s.actor.user.name.clone(),
            is_admin: s.actor.user.super_admin,
            csrf: s.csrf.clone(),
            web_tabs: portico_app::org::web_tabs(state, &s.actor)
                .await?
                .into_iter()
                .map(|t| (t.name, t.url))
                .collect(),
            modules: modules
                .iter()
                .map(|m| (m.api_name.to_string(), m.label.clone()))
                .collect(),
            active: active.to_string(),
            trail: Vec::new(),
            flash: None,
            problem: None,
        })
    }

    /// Adds pages between the section and this one to the breadcrumbs.
    pub fn with_trail(mut self, trail: Vec<(String, String)>) -> Self {
        self.trail = trail;
        self
    }

    /// The breadcrumbs above the title, from Home: the page's section (unless the page is the
    /// section itself) and its trail. Empty on the home page.
    pub fn crumbs(&self) -> Vec<(String, String)> {
        if self.active == "home" {
            return Vec::new();
        }
        let mut crumbs = vec![("Home".to_string(), "/admin/home".to_string())];
        let section = SECTIONS
            .iter()
            .find(|(key, _, _)| *key == self.active)
            .map(|(_, label, href)| (label.to_string(), href.to_string()))
            .or_else(|| {
                self.modules
                    .iter()
                    .find(|(api, _)| *api == self.active)
                    .map(|(api, label)| (label.clone(), format!("/admin/records/{api}")))
            });
        if let Some(section) = section.filter(|(label, _)| *label != self.title) {
            crumbs.push(section);
        }
        crumbs.extend(self.trail.iter().cloned());
        crumbs
    }

    pub fn with_flash(mut self, flash: Option<String>) -> Self {
        self.flash = flash.filter(|f| !f.is_empty());
        self
    }

    pub fn with_problem(mut self, problem: Option<String>) -> Self {
        self.problem = problem.filter(|p| !p.is_empty());
        self
    }
}

/// A 303 redirect. Unlike `axum::response::Redirect`, it never panics: a location that is not
/// a valid header value (it came from user input) sends the user home instead.
pub fn see_other(location: &str) -> Response {
    let value =
        HeaderValue::from_str(location).unwrap_or_else(|_| HeaderValue::from_static("/admin/home"));
    (StatusCode::SEE_OTHER, [(header::LOCATION, value)]).into_response()
}

/// See-other redirect with an optional notice shown on the next page.
pub fn redirect_with(path: &str, flash: &str) -> Response {
    let sep = if path.contains('?') { '&' } else { '?' };
    see_other(&format!("{path}{sep}flash={}", form_urlencode(flash)))
}

/// See-other redirect to a page that shows why the step failed, as a failure (not in the green
/// notice banner).
pub fn redirect_with_problem(path: &str, problem: &str) -> Response {
    let sep = if path.contains('?') { '&' } else { '?' };
    see_other(&format!("{path}{sep}problem={}", form_urlencode(problem)))
}

/// Ids in admin paths that are not numbers name nothing: the "not found" page.
pub fn parse_id(raw: &str) -> Result<portico_domain::Id, PageError> {
    raw.parse().map_err(|_| PageError(AppError::NotFound))
}

/// An optional id from a query string (a page cursor, a choice): absent or blank is none,
/// anything else must be an id ([`parse_id`]).
pub fn parse_opt_id(raw: Option<&str>) -> Result<Option<portico_domain::Id>, PageError> {
    raw.filter(|v| !v.is_empty()).map(parse_id).transpose()
}

// ---- sign in / out ----

#[derive(Template)]
#[template(path = "admin/login.html")]
struct LoginPage {
    email: String,
    next: String,
    error: Option<String>,
    csrf: String,
}

/// The sign-in form carries a token that must match a cookie set with it (double submit), so
/// another site cannot sign a browser into an account of its choosing.
const LOGIN_COOKIE: &str = "portico_login";

fn login_form(
    state: &AppState,
    email: String,
    next: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let Ok(csrf) = random_token() else {
        return PageError(AppError::Internal("random source failed".into())).into_response();
    };
    let secure = if state.config().secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{LOGIN_COOKIE}={csrf}; Path=/admin/login; HttpOnly; SameSite=Strict; Max-Age=3600{secure}"
    );
    let mut r = render(&LoginPage {
        email,
        next,
        error,
        csrf,
    });
    *r.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
}

async fn login_page(State(state): State<AppState>, Query(q): Query<LoginQuery>) -> Response {
    login_form(
        &state,
        String::new(),
        safe_next(q.next.as_deref()),
        None,
        StatusCode::OK,
    )
}

/// Only local admin paths made of URL-safe characters are followed after sign-in (no open
/// redirect, nothing that could break the Location header).
fn safe_next(next: Option<&str>) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "/-_.~?=&%+".contains(c);
    match next {
        Some(n) if n.starts_with("/admin") && n.len() <= 512 && n.chars().all(safe) => {
            n.to_string()
        }
        _ => "/admin/home".to_string(),
    }
}

/// What each step of signing in posts besides its own fields: where to go afterwards, and the
/// sign-in form's double-submit token.
#[derive(Deserialize)]
struct SignInStep {
    next: Option<String>,
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
}

impl SignInStep {
    fn next(&self) -> String {
        safe_next(self.next.as_deref())
    }

    /// The token, when it is the one the sign-in cookie holds.
    fn token(&self, headers: &HeaderMap) -> Option<String> {
        let expected = named_cookie(headers, LOGIN_COOKIE).unwrap_or_default();
        let sent = self.csrf.as_deref().unwrap_or("");
        (!expected.is_empty() && constant_time_eq(sent, &expected)).then_some(expected)
    }
}

/// A sign-in step without the right token: the sign-in form again (403), with `email` kept.
fn login_expired(state: &AppState, email: &str, next: String) -> Response {
    let message = "The sign-in form expired. Please sign in again.".to_string();
    login_form(
        state,
        email.into(),
        next,
        Some(message),
        StatusCode::FORBIDDEN,
    )
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    #[serde(flatten)]
    step: SignInStep,
}

async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(form)) => form,
        Err(e) => return form_rejection(e),
    };
    let next = form.step.next();
    let Some(csrf) = form.step.token(&headers) else {
        return login_expired(&state, &form.email, next);
    };
    let signed_in = portico_app::org_choice::sign_in(&state, &form.email, &form.password, None);
    let user = match signed_in.await {
        Ok(SignIn::User(user)) => user,
        Ok(SignIn::ChooseOrg(options)) => return org_choice(&state, &options, csrf, next).await,
        Err(e) => {
            let (status, message) = match e {
                AppError::TooManyAttempts => (
                    StatusCode::TOO_MANY_REQUESTS,
                    "Too many failed attempts. Wait 15 minutes and try again.".to_string(),
                ),
                AppError::Invalid(_) => (
                    StatusCode::UNAUTHORIZED,
                    "The email address or password is not right.".to_string(),
                ),
                other => return PageError(other).into_response(),
            };
            return login_form(&state, form.email, next, Some(message), status);
        }
    };
    start_session(&state, &headers, &user, &next).await
}

#[derive(Template)]
#[template(path = "admin/login_org.html")]
struct OrgChoicePage {
    orgs: Vec<(portico_domain::Id, String)>,
    choice: String,
    csrf: String,
    next: String,
}

/// The password opened accounts in several orgs: offer exactly those. The choice waits on the
/// server under a secret the page carries; the page keeps the sign-in form's double-submit
/// token, so another site cannot answer it for the browser.
async fn org_choice(
    state: &AppState,
    options: &[portico_app::org_choice::OrgOption],
    csrf: String,
    next: String,
) -> Response {
    let choice = match portico_app::org_choice::offer_choice(state, options).await {
        Ok(choice) => choice,
        Err(e) => return PageError(e).into_response(),
    };
    render(&OrgChoicePage {
        orgs: options
            .iter()
            .map(|o| (o.org_id, o.org_name.clone()))
            .collect(),
        choice,
        csrf,
        next,
    })
}

#[derive(Deserialize)]
struct OrgChoiceForm {
    choice: String,
    org: String,
    #[serde(flatten)]
    step: SignInStep,
}

/// The answer to an org choice: signs in as the account in the chosen org, if that org was
/// offered and the choice is fresh and unused.
async fn choose_org(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<OrgChoiceForm>, FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(form)) => form,
        Err(e) => return form_rejection(e),
    };
    let next = form.step.next();
    if form.step.token(&headers).is_none() {
        return login_expired(&state, "", next);
    }
    // An org id that is not a number was not offered: the choice is used up all the same.
    let org = form.org.parse().unwrap_or(0);
    let user = match portico_app::org_choice::take_choice(&state, &form.choice, org).await {
        Ok(user) => user,
        Err(AppError::Unauthorized) => {
            let message =
                "This choice has expired or was already used. Please sign in again.".to_string();
            return login_form(
                &state,
                String::new(),
                next,
                Some(message),
                StatusCode::UNAUTHORIZED,
            );
        }
        Err(e) => return PageError(e).into_response(),
    };
    start_session(&state, &headers, &user, &next).await
}

/// Signs `user` in: a new session, and on to `next`.
async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    user: &portico_domain::profile::User,
    next: &str,
) -> Response {
    // A new session id at every sign-in; any previous session of this browser ends.
    let rules = session_rules(state);
    let old = cookie_value(headers);
    let token = match portico_app::sign_in::start_session(state, user, old.as_deref(), rules).await
    {
        Ok(token) => token,
        Err(e) => return PageError(e).into_response(),
    };
    let absolute = rules.absolute_ms;
    let mut r = see_other(next);
    r.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie(state, &token, absolute / 1000),
    );
    r
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    session: AdminSession,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    session.check_csrf(&pairs)?;
    if let Some(token) = cookie_value(&headers) {
        portico_app::sign_in::end_session(&state, &token).await?;
    }
    let mut r = see_other("/admin/login");
    r.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, "", 0));
    Ok(r)
}

// ---- home ----

#[derive(Template)]
#[template(path = "admin/home.html")]
struct HomePage {
    chrome: Chrome,
    modules: Vec<(Module, i64)>,
}

async fn home(State(state): State<AppState>, session: AdminSession) -> PageResult {
    let chrome = Chrome::new(&state, &session, "Home", "home").await?;
    let mut modules = Vec::new();
    for m in portico_app::modules::visible_modules(&state, &session.actor).await? {
        let count = portico_app::records::count_visible(&state, &session.actor, &m).await?;
        modules.push((m, count));
    }
    Ok(render(&HomePage { chrome, modules }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallback_page_escapes_its_text() {
        let html = fallback_page("Oops <b>", "<script>alert(1)</script> & more");
        assert!(!html.contains("<script>") && !html.contains("<b>"));
        assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62; &#38; more"));
        assert!(html.contains("Oops &#60;b&#62;"));
    }

    #[test]
    fn plain_page_escapes_its_message() {
        let html = plain_page("Not found", "<script>alert(1)</script>");
        assert!(!html.contains("<script>alert"));
        assert!(html.contains("&#60;script&#62;"));
    }
}
