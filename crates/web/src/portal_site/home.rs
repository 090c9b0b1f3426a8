//! `GET /p/{slug}/`: the landing page of a signed-in portal user, or the portal's home with a
//! sign-in link (and a sign-up link when the portal type has sign-up).

use super::session::Visitor;
use super::{Site, page};
use crate::AppState;
use crate::admin::PageError;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portico_domain::portal::PortalType;
use portico_portal::landing::Landing;
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
    site: &'a Site,
    user_name: &'a str,
    csrf: &'a str,
    landing: Landing,
    notice: Option<&'static str>,
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
    let landing = match portico_portal::landing::landing(&state, me).await {
        Ok(l) => l,
        Err(e) => return PageError(e).into_response(),
    };
    page(
        StatusCode::OK,
        &LandingPage {
            site: &visitor.site,
            user_name: &me.user.name,
            csrf: &me.csrf,
            landing,
            notice: q.saved.is_some().then_some("Your preferences are saved."),
        },
    )
}
