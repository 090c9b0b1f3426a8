//! The portal app of a signed-in portal user: a module's list, a record's page, the create,
//! edit and delete pages, and the preferences page. Every page is built by
//! `portico_portal::pages` through the one enforcement point; these handlers check the session
//! and its CSRF token, turn the form into input, and render.

use super::session::{SignedIn, form_expired, session_csrf_ok};
use super::{PortalForm, Site, page};
use crate::AppState;
use crate::admin::{PageError, see_other};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portico_app::AppError;
use portico_app::portal_accounts::{self, PortalSignedIn};
use portico_domain::portal_user::Preferences;
use portico_domain::{DomainError, FieldError, Id};
use portico_portal::format::{Locale, is_time_zone, time_zones};
use portico_portal::i18n::{LANGUAGES, Tr};
use portico_portal::pages::{
    DetailView, FormView, ListParams, ListView, NavTab, PAGE_SIZE, PortalApp, page_size,
};
use serde::Deserialize;

/// What every page of the app shows around its content.
pub(crate) struct Shell<'a> {
    pub site: &'a Site,
    pub user_name: &'a str,
    pub csrf: &'a str,
    pub tr: Tr,
    pub nav: Vec<NavTab>,
    pub web_tabs: Vec<(String, String)>,
    /// The module of the current tab (`""`: home; `"preferences"`).
    pub current: String,
    pub notice: Option<String>,
}

impl<'a> Shell<'a> {
    pub fn new(site: &'a Site, me: &'a PortalSignedIn, app: &PortalApp<'_>, current: &str) -> Self {
        Self {
            site,
            user_name: &me.user.name,
            csrf: &me.csrf,
            tr: app.tr(),
            nav: app.nav(),
            web_tabs: app.web_tabs.clone(),
            current: current.to_string(),
            notice: None,
        }
    }

    fn with_notice(mut self, done: Option<&str>) -> Self {
        self.notice = match done {
            Some("created") => Some(self.tr.t("record-created")),
            Some("saved") => Some(self.tr.t("record-saved")),
            Some("deleted") => Some(self.tr.t("record-deleted")),
            Some("preferences") => Some(self.tr.t("home-preferences-saved")),
            _ => None,
        };
        self
    }
}

#[derive(Template)]
#[template(path = "portal/failure.html")]
struct FailurePage<'a> {
    shell: Shell<'a>,
    title: String,
    message: String,
}

/// A refusal inside the app: "not found" (also for what is not shared — the two look the
/// same) and "not allowed" in the portal's frame; anything else as the error pages answer.
pub(crate) fn failure(shell: Shell<'_>, e: AppError) -> Response {
    let (status, title, message) = match &e {
        AppError::NotFound => (
            StatusCode::NOT_FOUND,
            shell.tr.t("error-not-found-title"),
            shell.tr.t("error-not-found"),
        ),
        AppError::Forbidden(m) => (
            StatusCode::FORBIDDEN,
            shell.tr.t("error-forbidden-title"),
            m.clone(),
        ),
        _ => return PageError(e).into_response(),
    };
    page(
        status,
        &FailurePage {
            shell,
            title,
            message,
        },
    )
}

/// Opens the app for the signed-in user, or answers the error.
async fn open<'s>(state: &'s AppState, me: &PortalSignedIn) -> Result<PortalApp<'s>, Response> {
    PortalApp::open(state, me)
        .await
        .map_err(|e| PageError(e).into_response())
}

#[derive(Deserialize, Default)]
pub(crate) struct ListQs {
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    dir: String,
    page: Option<i64>,
    /// Rows a page: 10, 25, 50 or 100; anything else is 25.
    #[serde(default, deserialize_with = "lenient_number")]
    per: Option<i64>,
    done: Option<String>,
}

/// A number from the query string, or nothing when it is not one (`?per=abc` shows the default
/// page size rather than an error).
fn lenient_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let raw = Option::<String>::deserialize(d)?;
    Ok(raw.and_then(|s| s.trim().parse().ok()))
}

#[derive(Template)]
#[template(path = "portal/list.html")]
struct ListPage<'a> {
    shell: Shell<'a>,
    view: ListView,
}

impl ListPage<'_> {
    /// What every link of the list keeps: the search and a page size other than the default.
    fn base_query(&self) -> Vec<(&str, String)> {
        let mut q = Vec::new();
        if !self.view.params.search.is_empty() {
            q.push(("q", self.view.params.search.clone()));
        }
        if self.view.params.per != PAGE_SIZE {
            q.push(("per", self.view.params.per.to_string()));
        }
        q
    }

    /// The page size the search form keeps, when it is not the default.
    fn kept_per(&self) -> Option<i64> {
        Some(self.view.params.per).filter(|p| *p != PAGE_SIZE)
    }

    /// The query of the column header's link: sort by `key`, ascending first, again to flip.
    fn sort_query(&self, key: &str) -> String {
        let p = &self.view.params;
        let descending = p.sort == key && !p.descending;
        let mut q = self.base_query();
        q.push(("sort", key.to_string()));
        q.push(("dir", if descending { "desc" } else { "asc" }.into()));
        encode(&q)
    }

    fn arrow(&self, key: &str) -> &'static str {
        match (self.view.params.sort == key, self.view.params.descending) {
            (true, false) => " ▲",
            (true, true) => " ▼",
            _ => "",
        }
    }

    fn page_of(&self) -> String {
        let mut args = vec![
            ("page".to_string(), self.view.page.to_string()),
            ("pages".to_string(), self.view.pages.to_string()),
        ];
        self.shell.tr.with_args("list-page-of", &mut args)
    }

    fn page_query(&self, page: i64) -> String {
        let p = &self.view.params;
        let mut q = self.base_query();
        if !p.sort.is_empty() {
            q.push(("sort", p.sort.clone()));
            q.push(("dir", if p.descending { "desc" } else { "asc" }.into()));
        }
        q.push(("page", page.to_string()));
        encode(&q)
    }
}

fn encode(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `GET m/{module}`: a module's records in scope; the personality tab opens the user's record.
pub(crate) async fn list(
    State(state): State<AppState>,
    SignedIn { site, me }: SignedIn,
    Path((_, module)): Path<(String, String)>,
    Query(qs): Query<ListQs>,
) -> Response {
    let app = match open(&state, &me).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    if let Some(id) = app.own_record(&module) {
        return see_other(&site.link(&format!("m/{module}/{id}")));
    }
    let shell = Shell::new(&site, &me, &app, &module).with_notice(qs.done.as_deref());
    let params = ListParams {
        search: qs.q.chars().take(200).collect(),
        sort: qs.sort.chars().take(100).collect(),
        descending: qs.dir == "desc",
        page: qs.page.unwrap_or(1).clamp(1, 100_000),
        per: page_size(qs.per),
    };
    match app.list(&module, params).await {
        Ok(view) => page(StatusCode::OK, &ListPage { shell, view }),
        Err(e) => failure(shell, e),
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct DetailQs {
    layout: Option<String>,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/detail.html")]
struct DetailPage<'a> {
    shell: Shell<'a>,
    view: DetailView,
}

/// A record id from the path; anything else is "not found".
fn record_id(raw: &str) -> Result<Id, AppError> {
    raw.parse::<Id>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(AppError::NotFound)
}

/// `GET m/{module}/{id}`: a record through a shared layout.
pub(crate) async fn detail(
    State(state): State<AppState>,
    SignedIn { site, me }: SignedIn,
    Path((_, module, id)): Path<(String, String, String)>,
    Query(qs): Query<DetailQs>,
) -> Response {
    let app = match open(&state, &me).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let shell = Shell::new(&site, &me, &app, &module).with_notice(qs.done.as_deref());
    let found = match record_id(&id) {
        Ok(id) => app.detail(&module, id, qs.layout.as_deref()).await,
        Err(e) => Err(e),
    };
    match found {
        Ok(view) => page(StatusCode::OK, &DetailPage { shell, view }),
        Err(e) => failure(shell, e),
    }
}

#[derive(Template)]
#[template(path = "portal/record_form.html")]
struct FormPage<'a> {
    shell: Shell<'a>,
    view: FormView,
}

impl FormPage<'_> {
    fn title(&self) -> String {
        match self.view.id {
            Some(_) => self
                .shell
                .tr
                .t1("record-edit-title", "name", &self.view.name),
            None => self
                .shell
                .tr
                .t1("record-new-title", "tab", &self.view.tab_label),
        }
    }
}

/// `GET m/{module}/new` and `GET m/{module}/{id}/edit`.
async fn form_page(
    state: &AppState,
    site: &Site,
    me: &PortalSignedIn,
    module: &str,
    id: Option<&str>,
    layout: Option<&str>,
    posted: Option<(&[(String, String)], AppError)>,
) -> Response {
    let app = match open(state, me).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let shell = Shell::new(site, me, &app, module);
    let id = match id.map(record_id).transpose() {
        Ok(id) => id,
        Err(e) => return failure(shell, e),
    };
    let status = if posted.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let (values, error) = match &posted {
        Some((values, e)) => (Some(*values), Some(e)),
        None => (None, None),
    };
    match app.form(module, id, layout, values, error).await {
        Ok(view) => page(status, &FormPage { shell, view }),
        Err(e) => failure(shell, e),
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct LayoutQs {
    layout: Option<String>,
}

pub(crate) async fn new_page(
    State(state): State<AppState>,
    SignedIn { site, me }: SignedIn,
    Path((_, module)): Path<(String, String)>,
) -> Response {
    form_page(&state, &site, &me, &module, None, None, None).await
}

pub(crate) async fn edit_page(
    State(state): State<AppState>,
    SignedIn { site, me }: SignedIn,
    Path((_, module, id)): Path<(String, String, String)>,
    Query(qs): Query<LayoutQs>,
) -> Response {
    form_page(
        &state,
        &site,
        &me,
        &module,
        Some(&id),
        qs.layout.as_deref(),
        None,
    )
    .await
}

fn field_of<'p>(posted: &'p [(String, String)], name: &str) -> Option<&'p str> {
    posted
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// `POST m/{module}/new`: creates a record linked to the user; errors keep the input.
pub(crate) async fn create(
    State(state): State<AppState>,
    SignedIn { site, me }: SignedIn,
    Path((_, module)): Path<(String, String)>,
    PortalForm(posted): PortalForm<Vec<(String, String)>>,
) -> Response {
    if !session_csrf_ok(&me, field_of(&posted, "_csrf").unwrap_or("")) {
        return form_expired();
    }
    let app = match open(&state, &me).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let layout = field_of(&posted, "_layout").filter(|l| !l.is_empty());
    let input = app.input(&module, &posted);
    match app
        .scoped
        .create(&module, layout, &input, state.now())
        .await
    {
        Ok(saved) => see_other(&site.link(&format!("m/{module}/{}?done=created", saved.id))),
        Err(AppError::NotFound) => {
            failure(Shell::new(&site, &me, &app, &module), AppError::NotFound)
        }
        Err(e) => {
            form_page(
                &state,
                &site,
                &me,
                &module,
                None,
                layout,
                Some((&posted, e)),
            )
            .await
        }
    }
}

/// `POST m/{module}/{id}/edit`: saves the version the form was opened at; a record changed
/// since is refused with the input kept.
pub(crate) async fn update(
    State(state): State<AppState>,
    SignedIn { site, me }: SignedIn,
    Path((_, module, id)): Path<(String, String, String)>,
    PortalForm(posted): PortalForm<Vec<(String, String)>>,
) -> Response {
    if !session_csrf_ok(&me, field_of(&posted, "_csrf").unwrap_or("")) {
        return form_expired();
    }
    let app = match open(&state, &me).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let record = match record_id(&id) {
        Ok(r) => r,
        Err(e) => return failure(Shell::new(&site, &me, &app, &module), e),
    };
    let version = field_of(&posted, "_version")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(-1);
    let layout = field_of(&posted, "_layout").filter(|l| !l.is_empty());
    let input = app.input(&module, &posted);
    match app
        .scoped
        .update(&module, layout, record, &input, version, state.now())
        .await
    {
        Ok(_) => see_other(&site.link(&format!("m/{module}/{record}?done=saved"))),
        Err(AppError::NotFound) => {
            failure(Shell::new(&site, &me, &app, &module), AppError::NotFound)
        }
        Err(e) => {
            form_page(
                &state,
                &site,
                &me,
                &module,
                Some(&id),
                layout,
                Some((&posted, e)),
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "portal/delete.html")]
struct DeletePage<'a> {
    shell: Shell<'a>,
    module: String,
    id: Id,
    name: String,
}

/// `GET m/{module}/{id}/delete`: asks first.
pub(crate) async fn delete_page(
    State(state): State<AppState>,
    SignedIn { site, me }: SignedIn,
    Path((_, module, id)): Path<(String, String, String)>,
) -> Response {
    let app = match open(&state, &me).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let shell = Shell::new(&site, &me, &app, &module);
    let view = match record_id(&id) {
        Ok(id) => app.detail(&module, id, None).await,
        Err(e) => Err(e),
    };
    match view {
        Ok(v) if v.can_delete => page(
            StatusCode::OK,
            &DeletePage {
                shell,
                module,
                id: v.id,
                name: v.name,
            },
        ),
        Ok(_) => failure(
            shell,
            AppError::Forbidden("Your portal access does not allow deleting these records".into()),
        ),
        Err(e) => failure(shell, e),
    }
}

#[derive(Deserialize)]
pub(crate) struct CsrfOnly {
    #[serde(default)]
    _csrf: String,
}

/// `POST m/{module}/{id}/delete`.
pub(crate) async fn delete(
    State(state): State<AppState>,
    SignedIn { site, me }: SignedIn,
    Path((_, module, id)): Path<(String, String, String)>,
    PortalForm(form): PortalForm<CsrfOnly>,
) -> Response {
    if !session_csrf_ok(&me, &form._csrf) {
        return form_expired();
    }
    let app = match open(&state, &me).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let done = match record_id(&id) {
        Ok(record) => app.scoped.delete(&module, record, None, state.now()).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => see_other(&site.link(&format!("m/{module}?done=deleted"))),
        Err(e) => failure(Shell::new(&site, &me, &app, &module), e),
    }
}

#[derive(Template)]
#[template(path = "portal/preferences.html")]
struct PreferencesPage<'a> {
    shell: Shell<'a>,
    languages: &'static [(&'static str, &'static str)],
    zones: Vec<String>,
    language: String,
    time_format: String,
    time_zone: String,
    country: String,
    now: String,
    errors: Vec<FieldError>,
    has_errors: bool,
}

impl PreferencesPage<'_> {
    fn err(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct PreferencesForm {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    time_format: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    country: String,
}

fn preferences_page(
    state: &AppState,
    shell: Shell<'_>,
    prefs: &Preferences,
    form: Option<(&PreferencesForm, Vec<FieldError>)>,
) -> Response {
    let now = Locale::new(prefs).millis(state.now());
    let (language, time_format, time_zone, country, errors) = match form {
        Some((f, errors)) => (
            f.language.clone(),
            f.time_format.clone(),
            f.time_zone.clone(),
            f.country.clone(),
            errors,
        ),
        None => (
            prefs.language.clone(),
            prefs.time_format.as_str().to_string(),
            prefs.time_zone.clone(),
            prefs.country.clone(),
            Vec::new(),
        ),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page(
        status,
        &PreferencesPage {
            shell,
            languages: LANGUAGES,
            zones: time_zones(),
            language: Tr::for_language(&language).lang().to_string(),
            time_format,
            time_zone,
            country,
            now,
            has_errors: !errors.is_empty(),
            errors,
        },
    )
}

/// `GET preferences`.
pub(crate) async fn preferences(
    State(state): State<AppState>,
    SignedIn { site, me }: SignedIn,
    Query(qs): Query<DetailQs>,
) -> Response {
    let app = match open(&state, &me).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let shell = Shell::new(&site, &me, &app, "preferences").with_notice(qs.done.as_deref());
    preferences_page(&state, shell, &me.user.preferences, None)
}

/// Checks submitted preferences: the shape (`Preferences::parse`), a language the portal
/// speaks, and a time zone of the IANA database.
fn check_preferences(form: &PreferencesForm) -> Result<Preferences, Vec<FieldError>> {
    let mut errors = match Preferences::parse(
        &form.language,
        &form.time_format,
        &form.time_zone,
        &form.country,
    ) {
        Ok(p) => {
            let mut errors = Vec::new();
            if !LANGUAGES
                .iter()
                .any(|(l, _)| *l == Tr::for_language(&p.language).lang())
                || Tr::for_language(&p.language).lang()
                    != p.language.split('-').next().unwrap_or("")
            {
                errors.push(FieldError::new(
                    "language",
                    "invalid_language",
                    "Choose one of the listed languages",
                ));
            }
            if !is_time_zone(&p.time_zone) {
                errors.push(FieldError::new(
                    "time_zone",
                    "invalid_time_zone",
                    "Choose a time zone from the list, such as Europe/Berlin",
                ));
            }
            if errors.is_empty() {
                return Ok(p);
            }
            errors
        }
        Err(DomainError::Invalid(errors)) => errors,
    };
    errors.truncate(10);
    Err(errors)
}

/// `POST preferences`: saves, then shows the page in the new language; errors keep the input.
pub(crate) async fn save_preferences(
    State(state): State<AppState>,
    SignedIn { site, me }: SignedIn,
    PortalForm(form): PortalForm<PreferencesForm>,
) -> Response {
    if !session_csrf_ok(&me, &form._csrf) {
        return form_expired();
    }
    match check_preferences(&form) {
        Ok(prefs) => match portal_accounts::save_preferences(&state, &me, prefs).await {
            Ok(_) => see_other(&site.link("preferences?done=preferences")),
            Err(e) => PageError(e).into_response(),
        },
        Err(errors) => {
            let app = match open(&state, &me).await {
                Ok(a) => a,
                Err(r) => return r,
            };
            let shell = Shell::new(&site, &me, &app, "preferences");
            preferences_page(&state, shell, &me.user.preferences, Some((&form, errors)))
        }
    }
}
