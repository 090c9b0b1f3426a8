//! A portal's Users tab: its users by status (invited, active, pending, deactivated…) with the
//! count per status and the seats each user type takes, and the actions on one user —
//! re-invite, deactivate, reactivate, change user type, remove.

use crate::admin::form::{FormPost, PageRequest};
use crate::admin::{Chrome, PageResult, parse_id, redirect_with, render};
use crate::present::human_time;
use askama::Template;
use axum::extract::{Path, Query};
use portico_app::AppError;
use portico_app::portal_users::{self as users, SeatUse};
use portico_domain::Id;
use portico_domain::portal::Portal;
use portico_domain::portal_user::{PortalUser, PortalUserStatus};
use serde::Deserialize;

struct Row {
    user: PortalUser,
    user_type: String,
    created: String,
    /// Where the row's actions post: `/admin/setup/portals/{portal}/users/{id}`.
    path: String,
}

#[derive(Template)]
#[template(path = "admin/portal_users.html")]
struct UsersPage {
    chrome: Chrome,
    portal: Portal,
    /// (status, label, count); the status filter's tabs.
    tabs: Vec<(String, &'static str, i64)>,
    status: String,
    rows: Vec<Row>,
    next: Option<Id>,
    seats: Vec<SeatUse>,
    /// (id, name) of the portal's user types, for "change user type".
    types: Vec<(Id, String)>,
}

#[derive(Deserialize)]
pub(super) struct UsersQuery {
    status: Option<String>,
    after: Option<Id>,
}

fn label(s: PortalUserStatus) -> &'static str {
    match s {
        PortalUserStatus::Invited => "Invited",
        PortalUserStatus::Unverified => "Unverified",
        PortalUserStatus::Pending => "Pending approval",
        PortalUserStatus::Active => "Active",
        PortalUserStatus::Deactivated => "Deactivated",
    }
}

pub(super) async fn users_page(
    Path(portal): Path<String>,
    Query(q): Query<UsersQuery>,
    req: PageRequest,
) -> PageResult {
    let (state, actor) = (&req.state, &req.s.actor);
    let portal = portico_app::portals::portal(state, actor, parse_id(&portal)?).await?;
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(PortalUserStatus::parse(s).map_err(AppError::from)?),
        None => None,
    };
    let page = users::list_users(state, actor, portal.id, status, q.after, Some(50)).await?;
    let summary = users::summary(state, actor, portal.id).await?;
    let types: Vec<(Id, String)> = portico_app::user_types::user_types(state, actor, portal.id)
        .await?
        .into_iter()
        .map(|t| (t.id, t.config.name))
        .collect();
    let type_name = |id: Id| {
        types
            .iter()
            .find(|(t, _)| *t == id)
            .map_or_else(|| format!("#{id}"), |(_, n)| n.clone())
    };
    let rows = page
        .items
        .into_iter()
        .map(|user| Row {
            path: format!("/admin/setup/portals/{}/users/{}", portal.id, user.id),
            user_type: type_name(user.user_type_id),
            created: human_time(user.created_at),
            user,
        })
        .collect();
    let total: i64 = summary.counts.iter().map(|(_, n)| n).sum();
    let mut tabs = vec![(String::new(), "All", total)];
    tabs.extend(
        summary
            .counts
            .iter()
            .map(|(s, n)| (s.as_str().to_string(), label(*s), *n)),
    );
    let chrome = req
        .chrome(&format!("{}: users", portal.name), "setup-portals")
        .await?
        .with_trail(super::portal_trail(&portal));
    Ok(render(&UsersPage {
        chrome,
        tabs,
        status: status.map(|s| s.as_str().to_string()).unwrap_or_default(),
        rows,
        next: page.next,
        seats: summary.seats,
        types,
        portal,
    }))
}

/// One of the row actions, posted as `/users/{id}/{action}`.
pub(super) async fn user_action(
    Path((portal, id, action)): Path<(String, String, String)>,
    post: FormPost,
) -> PageResult {
    let (portal, id) = (parse_id(&portal)?, parse_id(&id)?);
    let (state, actor) = (&post.state, &post.s.actor);
    let back = format!("/admin/setup/portals/{portal}/users");
    let done = match action.as_str() {
        "reinvite" => users::reinvite(state, actor, portal, id).await.map(|u| {
            format!(
                "A new invitation went to {}; the previous link no longer works",
                u.email
            )
        }),
        "deactivate" => users::deactivate(state, actor, portal, id)
            .await
            .map(|u| format!("{} is deactivated and signed out", u.email)),
        "reactivate" => users::reactivate(state, actor, portal, id)
            .await
            .map(|u| format!("{} is {} again", u.email, u.status.as_str())),
        "type" => {
            let to = post.value("user_type").parse::<Id>().unwrap_or(0);
            users::change_type(state, actor, portal, id, to)
                .await
                .map(|u| format!("{} has a new user type", u.email))
        }
        "remove" => users::remove(state, actor, portal, id)
            .await
            .map(|()| "The user is removed; the record stays in the CRM".to_string()),
        _ => Err(AppError::NotFound),
    };
    match done {
        Ok(notice) => Ok(redirect_with(&back, &notice)),
        // A refusal the admin can act on is shown on the list, not as an error page.
        Err(e @ (AppError::Conflict(_) | AppError::InviteRefused(_) | AppError::Invalid(_))) => {
            Ok(redirect_with(&back, &format!("Not done: {e}")))
        }
        Err(e) => Err(e.into()),
    }
}
