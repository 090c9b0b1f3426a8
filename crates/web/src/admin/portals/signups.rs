//! A portal's sign-ups waiting for a decision (restricted portals): counted, numbered pages
//! sortable by name, email and date (newest first), each with Approve and Reject (POST with the
//! CSRF token).

use super::users::{PER_PAGE, Sorting, list_links, sorting};
use crate::admin::form::{FormPost, PageRequest};
use crate::admin::{Chrome, PageError, PageResult, parse_id, redirect_with, render};
use crate::present::human_time;
use askama::Template;
use axum::extract::{Path, Query};
use portico_app::AppError;
use portico_domain::Id;
use portico_domain::portal::{Portal, PortalType};
use portico_domain::portal_user::PortalUserStatus;
use portico_store::{PortalUserOrder, PortalUserSort};

struct SignupRow {
    id: Id,
    name: String,
    email: String,
    created: String,
}

#[derive(Template)]
#[template(path = "admin/portal_signups.html")]
struct SignupsPage {
    chrome: Chrome,
    portal: Portal,
    /// Sign-ups wait for a decision only on a restricted portal.
    restricted: bool,
    rows: Vec<SignupRow>,
    total: i64,
    page: i64,
    pages: i64,
    previous: Option<String>,
    next: Option<String>,
    columns: Vec<(&'static str, String, &'static str)>,
}

pub(super) async fn list(
    Path(portal): Path<String>,
    Query(q): Query<Sorting>,
    req: PageRequest,
) -> PageResult {
    let portal_id = parse_id(&portal)?;
    let (state, actor) = (&req.state, &req.s.actor);
    let portal = portico_app::portals::portal(state, actor, portal_id).await?;
    let (by, descending, page_no) = sorting(&q);
    let order = PortalUserOrder {
        by,
        descending,
        offset: (page_no - 1) * PER_PAGE,
    };
    let pending = Some(PortalUserStatus::Pending);
    let page =
        portico_app::portal_users::sorted_users(state, actor, portal_id, pending, order).await?;
    let total = portico_app::portal_users::summary(state, actor, portal_id)
        .await?
        .counts
        .iter()
        .find(|(s, _)| *s == PortalUserStatus::Pending)
        .map_or(0, |(_, n)| *n);
    let pages = crate::admin::page_count(total, PER_PAGE);
    let links = list_links(
        &format!("/admin/setup/portals/{portal_id}/signups?"),
        &[
            ("Name", PortalUserSort::Name),
            ("Email", PortalUserSort::Email),
            ("Signed up", PortalUserSort::Since),
        ],
        (by, descending),
        (page_no, pages),
    );
    let chrome = req
        .chrome(&format!("{}: sign-ups", portal.name), "setup-portals")
        .await?
        .with_trail(super::portal_trail(&portal));
    Ok(render(&SignupsPage {
        chrome,
        restricted: portal.settings.portal_type == PortalType::Restricted,
        portal,
        rows: page
            .items
            .into_iter()
            .map(|u| SignupRow {
                id: u.id,
                name: u.name,
                email: u.email,
                created: human_time(u.created_at),
            })
            .collect(),
        total,
        page: page_no.min(pages),
        pages,
        previous: links.previous,
        next: links.next,
        columns: links.columns,
    }))
}

/// Approve or reject: back to the list with what happened; a sign-up that cannot be decided
/// (no longer pending, no seat left) says why there, as a failure.
async fn decide(portal: String, id: String, post: FormPost, approve: bool) -> PageResult {
    let portal_id = parse_id(&portal)?;
    let id = parse_id(&id)?;
    let back = format!("/admin/setup/portals/{portal_id}/signups");
    let (state, actor) = (&post.state, &post.s.actor);
    let result = if approve {
        portico_app::signups::approve(state, actor, portal_id, id)
            .await
            .map(|u| format!("{} is approved and can sign in", u.email))
    } else {
        portico_app::signups::reject(state, actor, portal_id, id)
            .await
            .map(|()| "The sign-up is rejected".to_string())
    };
    match result {
        Ok(notice) => Ok(redirect_with(&back, &notice)),
        Err(e @ (AppError::Conflict(_) | AppError::Invalid(_) | AppError::InviteRefused(_))) => {
            Ok(crate::admin::redirect_with_problem(&back, &e.describe()))
        }
        Err(e) => Err(PageError(e)),
    }
}

pub(super) async fn approve(
    Path((portal, id)): Path<(String, String)>,
    post: FormPost,
) -> PageResult {
    decide(portal, id, post, true).await
}

pub(super) async fn reject(
    Path((portal, id)): Path<(String, String)>,
    post: FormPost,
) -> PageResult {
    decide(portal, id, post, false).await
}
