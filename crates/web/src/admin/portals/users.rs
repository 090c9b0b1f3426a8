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
use portico_store::{PortalUserOrder, PortalUserSort};
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
    /// Users in the list (of the chosen status), its page and pages.
    total: i64,
    page: i64,
    pages: i64,
    previous: Option<String>,
    next: Option<String>,
    /// (label, link that sorts by it, "ascending"/"descending"/"") of each sortable column.
    columns: Vec<(&'static str, String, &'static str)>,
    seats: Vec<SeatUse>,
    /// (id, name) of the portal's user types, for "change user type".
    types: Vec<(Id, String)>,
}

#[derive(Deserialize)]
pub(super) struct UsersQuery {
    status: Option<String>,
    #[serde(flatten)]
    sorting: Sorting,
}

/// How a list of portal users is asked to be sorted and paged.
#[derive(Deserialize)]
pub(super) struct Sorting {
    /// name, email, status or since (the default, newest first).
    sort: Option<String>,
    /// "1": descending.
    desc: Option<String>,
    /// 1-based.
    page: Option<String>,
}

/// Users a page shows.
pub(super) const PER_PAGE: i64 = 50;

/// The sort, direction and page asked for: newest first unless a column was chosen.
pub(super) fn sorting(q: &Sorting) -> (PortalUserSort, bool, i64) {
    let by = PortalUserSort::ALL
        .into_iter()
        .find(|s| q.sort.as_deref() == Some(s.as_str()))
        .unwrap_or(PortalUserSort::Since);
    let descending = match q.sort {
        Some(_) => q.desc.as_deref() == Some("1"),
        None => true,
    };
    (by, descending, crate::admin::page_number(q.page.as_deref()))
}

/// A sorted, numbered list's links: each column header (label, the link that sorts by it, its
/// `aria-sort`; a click sorts ascending, on the sorted column it turns the order round) and
/// the previous and next pages. `base` is the list's address up to its sort parameters
/// (`…/users?status=invited&`).
pub(super) fn list_links(
    base: &str,
    columns: &[(&'static str, PortalUserSort)],
    (by, descending): (PortalUserSort, bool),
    (page, pages): (i64, i64),
) -> ListLinks {
    let link = |sort: PortalUserSort, desc: bool, page: i64| {
        let mut link = format!("{base}sort={}", sort.as_str());
        if desc {
            link.push_str("&desc=1");
        }
        if page > 1 {
            link.push_str(&format!("&page={page}"));
        }
        link
    };
    ListLinks {
        columns: columns
            .iter()
            .map(|(label, s)| {
                let now = *s == by;
                let sorted = crate::admin::sort_state(now, descending);
                (*label, link(*s, now && !descending, 1), sorted)
            })
            .collect(),
        previous: (page > 1).then(|| link(by, descending, page - 1)),
        next: (page < pages).then(|| link(by, descending, page + 1)),
    }
}

/// What [`list_links`] makes.
pub(super) struct ListLinks {
    pub columns: Vec<(&'static str, String, &'static str)>,
    pub previous: Option<String>,
    pub next: Option<String>,
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
    let (by, descending, page_no) = sorting(&q.sorting);
    let order = PortalUserOrder {
        by,
        descending,
        offset: (page_no - 1) * PER_PAGE,
    };
    let page = users::sorted_users(state, actor, portal.id, status, order).await?;
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
    let all: i64 = summary.counts.iter().map(|(_, n)| n).sum();
    let total = match status {
        Some(s) => summary
            .counts
            .iter()
            .find(|(c, _)| *c == s)
            .map_or(0, |(_, n)| *n),
        None => all,
    };
    let pages = crate::admin::page_count(total, PER_PAGE);
    let status_text = status.map(|s| s.as_str()).unwrap_or_default();
    let links = list_links(
        &format!(
            "/admin/setup/portals/{}/users?status={status_text}&",
            portal.id
        ),
        &[
            ("Name", PortalUserSort::Name),
            ("Email", PortalUserSort::Email),
            ("Status", PortalUserSort::Status),
            ("Since", PortalUserSort::Since),
        ],
        (by, descending),
        (page_no, pages),
    );
    let mut tabs = vec![(String::new(), "All", all)];
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
        total,
        page: page_no.min(pages),
        pages,
        previous: links.previous,
        next: links.next,
        columns: links.columns,
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
        // A refusal the admin can act on is shown on the list as a failure, not as an error
        // page and not in the success banner.
        Err(e @ (AppError::Conflict(_) | AppError::InviteRefused(_) | AppError::Invalid(_))) => Ok(
            crate::admin::redirect_with_problem(&back, &format!("Not done: {e}")),
        ),
        Err(e) => Err(e.into()),
    }
}
