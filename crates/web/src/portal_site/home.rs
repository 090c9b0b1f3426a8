//! `GET /p/{slug}/`: the landing page of a signed-in portal user, or the portal's home with a
//! sign-in link (and a sign-up link when the portal type has sign-up).

use super::app::{Shell, failure};
use super::session::Visitor;
use super::{Site, page};
use crate::AppState;
use crate::admin::PageError;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portico_domain::portal::PortalType;
use portico_domain::portal::TabRole;
use portico_portal::pages::{DetailView, PortalApp};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage<'a> {
    site: &'a Site,
    signup: bool,
}

#[derive(Template)]
#[template(path = "portal/landing.html")]
struct LandingPage<'a> {
    shell: Shell<'a>,
    /// The user's own record on its first shared layout, when the personality tab is shared.
    own: Option<DetailView>,
}

/// Whether the portal's type lets people sign up (public and restricted portals).
pub(crate) fn has_signup(site: &Site) -> bool {
    site.portal.settings.portal_type != PortalType::Private
}

#[derive(Deserialize)]
pub(crate) struct HomeQuery {
    saved: Option<String>,
}

pub(crate) async fn home(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<HomeQuery>,
) -> Response {
    let Some(me) = &visitor.me else {
        if visitor.ended {
            return visitor.to_sign_in(&state);
        }
        let site = &visitor.site;
        return page(
            StatusCode::OK,
            &HomePage {
                site,
                signup: has_signup(site),
            },
        );
    };
    let app = match PortalApp::open(&state, me).await {
        Ok(a) => a,
        Err(e) => return PageError(e).into_response(),
    };
    let mut shell = Shell::new(&visitor.site, me, &app, "");
    if q.saved.is_some() {
        shell.notice = Some(app.tr().t("home-preferences-saved"));
    }
    let personality = app.tabs.iter().find(|t| t.role == TabRole::Personality);
    let own = match (personality, app.scoped.me()) {
        (Some(tab), Some((id, _))) => match app.detail(&tab.module, id, None).await {
            Ok(view) => Some(view),
            Err(portico_app::AppError::NotFound) => None,
            Err(e) => return failure(shell, e),
        },
        _ => None,
    };
    page(StatusCode::OK, &LandingPage { shell, own })
}
