//! Where portals are served, and the pages a portal user sees.
//!
//! A portal answers at `/p/{slug}/…` on any host, and at the same paths under `/` on a portal
//! host: `{slug}.{portal-domain}` when a portal domain is configured, or a custom domain once
//! verified (an unverified domain serves nothing). [`by_host`] rewrites a portal host's request
//! to `/p/{slug}/…` and hands it to the same router ([`portal_routes`]), so both addresses reach
//! the same handlers; [`Site`] tells the handlers which one the browser used (links and the
//! cookie path follow it). A disabled portal shows its maintenance message on every page.
//!
//! The pages: the signed-out home and the landing page of a signed-in user ([`home`]);
//! sign-in, sign-out, the invitation and the preferences after it ([`accounts`]); sign-up and
//! its verification link ([`signup`]). Sessions and CSRF are in [`session`]. The portal API,
//! JSON under `api/v1/` of the same base with bearer tokens, is in [`api`].

mod account;
mod accounts;
pub(crate) mod api;
mod app;
mod branding;
mod home;
mod language;
mod mfa;
mod session;
mod signup;

use crate::AppState;
use crate::admin::{PageError, form_rejection, plain_page};
use askama::Template;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Form, Router};
use portico_app::AppError;
use portico_domain::portal::{Portal, PortalStatus};
use serde::de::DeserializeOwned;
use tower_service::Service;

/// The app's routes for portals: the portal pages under `/p/{slug}/`, and `/` (the admin's
/// start page on the app's own host).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/",
            get(|| async { crate::admin::see_other("/admin/home") }),
        )
        .route(
            "/p/{slug}",
            get(|Path(slug): Path<String>| async move {
                crate::admin::see_other(&format!("/p/{slug}/"))
            }),
        )
        .merge(portal_routes())
}

/// The portal pages, at `/p/{slug}/…` (a portal host's requests are rewritten to these).
/// The forms read small bodies only: the sign-in limit.
fn portal_routes() -> Router<AppState> {
    let small = || DefaultBodyLimit::max(crate::SIGN_IN_BODY_LIMIT);
    Router::new()
        .route("/p/{slug}/", get(home::home))
        .route(
            "/p/{slug}/sign-in",
            get(accounts::sign_in_page)
                .post(accounts::sign_in)
                .layer(small()),
        )
        .route(
            "/p/{slug}/sign-in/code",
            get(mfa::code_page).post(mfa::submit_code).layer(small()),
        )
        .route(
            "/p/{slug}/sign-in/enrol",
            get(mfa::enrol_page).post(mfa::submit_enrol).layer(small()),
        )
        .route(
            "/p/{slug}/sign-out",
            post(accounts::sign_out).layer(small()),
        )
        .route(
            "/p/{slug}/invite/{token}",
            get(accounts::invitation_page)
                .post(accounts::accept_invitation)
                .layer(small()),
        )
        .route(
            "/p/{slug}/forgot",
            get(accounts::forgot_page)
                .post(accounts::forgot)
                .layer(small()),
        )
        .route(
            "/p/{slug}/reset/{token}",
            get(accounts::reset_page)
                .post(accounts::reset_password)
                .layer(small()),
        )
        .route(
            "/p/{slug}/welcome",
            get(accounts::welcome_page)
                .post(accounts::save_welcome)
                .layer(small()),
        )
        .route(
            "/p/{slug}/sign-up",
            get(signup::sign_up_page)
                .post(signup::sign_up)
                .layer(small()),
        )
        .route(
            "/p/{slug}/verify/{token}",
            get(signup::verify_page).post(signup::verify),
        )
        .route("/p/{slug}/m/{module}", get(app::list))
        .route(
            "/p/{slug}/m/{module}/new",
            get(app::new_page).post(app::create),
        )
        .route("/p/{slug}/m/{module}/{id}", get(app::detail))
        .route(
            "/p/{slug}/m/{module}/{id}/edit",
            get(app::edit_page).post(app::update),
        )
        .route(
            "/p/{slug}/m/{module}/{id}/delete",
            get(app::delete_page).post(app::delete).layer(small()),
        )
        .route(
            "/p/{slug}/preferences",
            get(app::preferences)
                .post(app::save_preferences)
                .layer(small()),
        )
        .route("/p/{slug}/logo", get(branding::logo))
        .route("/p/{slug}/brand.css", get(branding::brand_css))
        .route("/p/{slug}/analytics.js", get(branding::analytics_js))
        .route("/p/{slug}/account", get(account::account_page))
        .route(
            "/p/{slug}/account/password",
            post(account::change_password).layer(small()),
        )
        .route(
            "/p/{slug}/account/email",
            post(account::change_email).layer(small()),
        )
        .route("/p/{slug}/account/mfa", get(mfa::account_mfa))
        .route(
            "/p/{slug}/account/mfa/enable",
            post(mfa::enable).layer(small()),
        )
        .route(
            "/p/{slug}/account/mfa/recovery",
            post(mfa::renew_codes).layer(small()),
        )
        .route(
            "/p/{slug}/account/mfa/disable",
            post(mfa::disable).layer(small()),
        )
        .route(
            "/p/{slug}/email-change/{token}",
            get(account::email_change_page)
                .post(account::confirm_email_change)
                .layer(small()),
        )
        // Any other path of a portal: "not found" — or its maintenance page when disabled.
        .route("/p/{slug}/{*rest}", any(|_: Site| async { not_found() }))
        .merge(api::routes())
}

/// The portal a request is for, and how the browser addressed it.
#[derive(Clone)]
pub(crate) struct Site {
    pub portal: Portal,
    /// The path every page of this portal starts with: `/p/{slug}/`, or `/` on a portal host.
    pub base: String,
    /// The language of the page: the visitor's ([`language`]), or a signed-in user's.
    pub tr: portico_portal::i18n::Tr,
    /// Where `tr` came from.
    pub language: language::LanguageSource,
}

/// Set by [`by_host`] on a portal host's request: the portal it resolved.
#[derive(Clone)]
struct HostPortal(Portal);

impl Site {
    /// A path of this portal's pages (`rest` has no leading slash).
    pub fn link(&self, rest: &str) -> String {
        format!("{}{rest}", self.base)
    }

    /// The portal name's first letter, for the logo.
    pub fn initial(&self) -> String {
        self.portal
            .name
            .chars()
            .next()
            .map(|c| c.to_uppercase().collect())
            .unwrap_or_default()
    }
}

/// Why a request reaches no portal: none by that address, a disabled one, or the database
/// failed. The pages answer each with a page ([`Site`]'s extractor), the portal API as JSON.
pub(crate) enum SiteRefusal {
    Unknown,
    Disabled(Box<Site>),
    Failed(AppError),
}

impl Site {
    /// The site of a signed-in request from its session's own portal, when that portal is the
    /// one the request addressed (the slug of `/p/{slug}/…`, or the portal [`by_host`]
    /// resolved) and it is enabled; `None` otherwise (the caller resolves the address itself,
    /// so a disabled portal shows its maintenance page and another portal's session opens
    /// nothing).
    pub(crate) fn of_session(
        parts: &Parts,
        me: portico_app::portal_accounts::PortalSignedIn,
    ) -> Option<(Self, portico_app::portal_accounts::PortalSignedIn)> {
        if me.portal.settings.status == PortalStatus::Disabled {
            return None;
        }
        let base = match parts.extensions.get::<HostPortal>() {
            Some(HostPortal(portal)) => (portal.id == me.portal.id).then(|| "/".to_string())?,
            None => {
                let slug = parts
                    .uri
                    .path()
                    .strip_prefix("/p/")
                    .and_then(|rest| rest.split('/').next())?;
                (slug == me.portal.settings.slug.as_str()).then(|| format!("/p/{slug}/"))?
            }
        };
        let (tr, language) = language::visitor_language(parts);
        let site = Site {
            portal: me.portal.clone(),
            base,
            tr,
            language,
        };
        Some((site, me))
    }

    /// The portal of `/p/{slug}/…` (or the one [`by_host`] resolved), when it is enabled.
    pub(crate) async fn resolve(parts: &Parts, state: &AppState) -> Result<Self, SiteRefusal> {
        let (tr, language) = language::visitor_language(parts);
        let site = match parts.extensions.get::<HostPortal>() {
            Some(HostPortal(portal)) => Site {
                portal: portal.clone(),
                base: "/".into(),
                tr,
                language,
            },
            None => {
                let slug = parts
                    .uri
                    .path()
                    .strip_prefix("/p/")
                    .and_then(|rest| rest.split('/').next())
                    .unwrap_or("");
                match portico_app::portals::by_slug(state, slug).await {
                    Ok(Some(portal)) => Site {
                        base: format!("/p/{}/", portal.settings.slug),
                        portal,
                        tr,
                        language,
                    },
                    Ok(None) => return Err(SiteRefusal::Unknown),
                    Err(e) => return Err(SiteRefusal::Failed(e)),
                }
            }
        };
        if site.portal.settings.status == PortalStatus::Disabled {
            return Err(SiteRefusal::Disabled(Box::new(site)));
        }
        Ok(site)
    }
}

impl FromRequestParts<AppState> for Site {
    type Rejection = Response;

    /// The portal of `/p/{slug}/…` (or the one [`by_host`] resolved): an unknown portal is the
    /// plain 404 page, a disabled one its maintenance message (503) whatever the page.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        Self::resolve(parts, state)
            .await
            .map_err(|refusal| match refusal {
                SiteRefusal::Unknown => not_found(),
                SiteRefusal::Disabled(site) => maintenance(&site),
                SiteRefusal::Failed(e) => PageError(e).into_response(),
            })
    }
}

pub(crate) fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(plain_page(
            "Page not found",
            "There is nothing at this address.",
        )),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "portal/maintenance.html")]
struct MaintenancePage<'a> {
    portal: &'a Portal,
    site: &'a Site,
}

/// A disabled portal's page, whatever was asked for: its maintenance message (503).
fn maintenance(site: &Site) -> Response {
    let portal = &site.portal;
    let html = MaintenancePage { portal, site }
        .render()
        .unwrap_or_else(|_| crate::present::escape_html(&portal.settings.disabled_message));
    (StatusCode::SERVICE_UNAVAILABLE, Html(html)).into_response()
}

/// A portal form's body. One that cannot be read is answered as the admin forms are (a 413
/// page over the route's limit).
pub(crate) struct PortalForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for PortalForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        match Form::<T>::from_request(request, state).await {
            Ok(Form(value)) => Ok(Self(value)),
            Err(e) => Err(form_rejection(e)),
        }
    }
}

/// Renders a portal page with `status`.
pub(crate) fn page<T: Template>(status: StatusCode, template: &T) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => PageError(AppError::Internal(e.to_string())).into_response(),
    }
}

/// Serves portal hosts: `{slug}.{portal-domain}` or a verified custom domain. Their requests
/// (but `/static/…`, the shared assets) — the portal API's `/api/…` included — are rewritten to `/p/{slug}/…` and handled by the portal pages' router; any other
/// host goes on to the app's router.
///
/// A layer on a `Router` runs after routing, so a rewritten URI cannot be routed again by the
/// same router: the portal router is called directly (it is built per request — a handful of
/// routes; keeping one in the state would make the state own itself).
pub async fn by_host(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // `?lang=xx` on a portal page is remembered for that portal (see [`language`]).
    let Some(chosen) = language::query_language(request.uri()) else {
        return route_by_host(state, request, next).await.0;
    };
    let slug = request
        .uri()
        .path()
        .strip_prefix("/p/")
        .and_then(|rest| rest.split_once('/'))
        .map(|(slug, _)| slug.to_string());
    let (mut response, on_portal_host) = route_by_host(state.clone(), request, next).await;
    let base = match (on_portal_host, slug) {
        (true, _) => Some("/".to_string()),
        (false, Some(slug)) if !slug.is_empty() => Some(format!("/p/{slug}/")),
        _ => None,
    };
    if let Some(base) = base {
        language::remember(&mut response, &state, &base, chosen);
    }
    response
}

/// [`by_host`]'s routing: the answer, and whether a portal host's router gave it.
async fn route_by_host(state: AppState, request: Request, next: Next) -> (Response, bool) {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| {
            h.rsplit_once(':').map_or(h, |(name, port)| {
                if port.chars().all(|c| c.is_ascii_digit()) {
                    name
                } else {
                    h
                }
            })
        })
        .map(str::to_ascii_lowercase);
    let Some(host) = host else {
        return (next.run(request).await, false);
    };
    let uri = request.uri().clone();
    let own_host = state
        .config()
        .base_url
        .split("://")
        .nth(1)
        .map(|h| h.split(['/', ':']).next().unwrap_or(""))
        .unwrap_or("");
    if host == own_host || host == "localhost" || host.parse::<std::net::IpAddr>().is_ok() {
        return (next.run(request).await, false);
    }
    let portal = match &state.config().portal_domain {
        Some(domain) if host.ends_with(&format!(".{domain}")) => {
            let slug = host.trim_end_matches(&format!(".{domain}"));
            match portico_app::portals::by_slug(&state, slug).await {
                Ok(Some(p)) => Some(p),
                // A portal-domain host with no portal behind it.
                Ok(None) => return (crate::middleware::not_found(uri).await, false),
                Err(e) => return (PageError(e).into_response(), false),
            }
        }
        // Only the portal that verified the domain answers on it. A domain claimed but not
        // verified (by one org or several) is like any other host, so the Host header cannot
        // tell anyone that an org claimed it.
        _ => match portico_app::portals::by_domain(&state, &host).await {
            Ok(found) => found,
            Err(e) => return (PageError(e).into_response(), false),
        },
    };
    let Some(portal) = portal else {
        return (next.run(request).await, false);
    };
    let path = uri.path();
    // `/api/…` is the portal's API here (`/p/{slug}/api/…`): the CRM API stays on the app's
    // own host.
    if path.starts_with("/static/") {
        return (next.run(request).await, false);
    }
    let rewritten = match uri.query() {
        Some(q) => format!("/p/{}{path}?{q}", portal.settings.slug),
        None => format!("/p/{}{path}", portal.settings.slug),
    };
    let Ok(rewritten) = rewritten.parse::<Uri>() else {
        return (crate::middleware::not_found(uri).await, false);
    };
    let (mut parts, body) = request.into_parts();
    parts.uri = rewritten;
    parts.extensions.insert(HostPortal(portal));
    let mut router = portal_routes().with_state(state);
    match router.call(Request::from_parts(parts, body)).await {
        Ok(response) => (response, true),
        Err(never) => match never {},
    }
}
