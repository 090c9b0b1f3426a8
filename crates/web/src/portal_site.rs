//! Where portals are served: `/p/{slug}/` on any host, `{slug}.{portal-domain}` when a portal
//! domain is configured, and a portal's custom domain once verified (an unverified domain
//! serves nothing). A disabled portal shows its maintenance message to everyone.

use crate::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use portico_domain::portal::{Portal, PortalStatus};

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
        .route("/p/{slug}/", get(home))
}

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage<'a> {
    portal: &'a Portal,
    disabled: bool,
}

fn page(portal: &Portal) -> Response {
    let disabled = portal.settings.status == PortalStatus::Disabled;
    let html = HomePage { portal, disabled }
        .render()
        .unwrap_or_else(|_| crate::present::escape_html(&portal.name));
    let status = if disabled {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    (status, Html(html)).into_response()
}

async fn home(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    match portico_app::portals::by_slug(&state, &slug).await {
        Ok(Some(portal)) => page(&portal),
        Ok(None) => crate::middleware::not_found(Uri::from_static("/p/")).await,
        Err(e) => crate::admin::PageError(e).into_response(),
    }
}

/// Serves a portal's home page for requests to a portal host: `{slug}.{portal-domain}` or a
/// verified custom domain. Any other host goes on to the router.
pub async fn by_host(State(state): State<AppState>, request: Request, next: Next) -> Response {
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
        return next.run(request).await;
    };
    // A portal host answers unknown addresses like any host: `/api/…` with the API's JSON 404.
    let uri = request.uri().clone();
    let own_host = state
        .config()
        .base_url
        .split("://")
        .nth(1)
        .map(|h| h.split(['/', ':']).next().unwrap_or(""))
        .unwrap_or("");
    if host == own_host || host == "localhost" || host.parse::<std::net::IpAddr>().is_ok() {
        return next.run(request).await;
    }
    let portal = match &state.config().portal_domain {
        Some(domain) if host.ends_with(&format!(".{domain}")) => {
            let slug = host.trim_end_matches(&format!(".{domain}"));
            match portico_app::portals::by_slug(&state, slug).await {
                Ok(Some(p)) => Some(p),
                // A portal-domain host with no portal behind it.
                Ok(None) => return crate::middleware::not_found(uri).await,
                Err(e) => return crate::admin::PageError(e).into_response(),
            }
        }
        // Only the portal that verified the domain answers on it. A domain claimed but not
        // verified (by one org or several) is like any other host, so the Host header cannot
        // tell anyone that an org claimed it.
        _ => match portico_app::portals::by_domain(&state, &host).await {
            Ok(found) => found,
            Err(e) => return crate::admin::PageError(e).into_response(),
        },
    };
    match portal {
        Some(p) if request.uri().path() == "/" => page(&p),
        Some(_) => crate::middleware::not_found(uri).await,
        None => next.run(request).await,
    }
}
