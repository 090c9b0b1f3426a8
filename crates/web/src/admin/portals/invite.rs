//! Users → Invite: the records of a user type's personality module not yet invited (search,
//! pages, checkboxes, "all N matching across pages"), sending a bulk invitation, and its
//! summary — a progress bar polled by htmx while a background batch runs, then sent, failed and
//! each failed invitee with the reason.

use crate::admin::form::{FormPost, PageRequest};
use crate::admin::{Chrome, PageError, PageResult, parse_id, parse_opt_id, redirect_with, render};
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::HeaderValue;
use axum::response::IntoResponse;
use portico_app::AppError;
use portico_app::invitation_batches::{BatchProgress, Candidate, Selection};
use portico_app::invitations::InviteTo;
use portico_domain::portal::{Portal, UserType};
use serde::Deserialize;

#[derive(Deserialize)]
pub(super) struct InviteQuery {
    user_type: Option<String>,
    q: Option<String>,
    after: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/portal_invite.html")]
struct InvitePage {
    chrome: Chrome,
    portal: Portal,
    types: Vec<UserType>,
    chosen: Option<UserType>,
    q: String,
    candidates: Vec<Candidate>,
    /// How many match across all pages (`None` past the first page).
    matching: Option<i64>,
    next: Option<i64>,
    batch_max: usize,
    /// More match than one batch takes.
    too_many: bool,
}

pub(super) async fn invite_page(
    Path(portal): Path<String>,
    Query(query): Query<InviteQuery>,
    req: PageRequest,
) -> PageResult {
    let (state, s) = (&req.state, &req.s);
    let portal = portico_app::portals::portal(state, &s.actor, parse_id(&portal)?).await?;
    let types = portico_app::user_types::user_types(state, &s.actor, portal.id).await?;
    let wanted = parse_opt_id(query.user_type.as_deref())?;
    let chosen = types
        .iter()
        .find(|t| Some(t.id) == wanted)
        .or_else(|| types.iter().find(|t| t.config.active))
        .cloned();
    let q = query.q.unwrap_or_default();
    let (candidates, matching, next) = match &chosen {
        Some(ut) if ut.config.active => {
            let page = portico_app::invitation_batches::candidates(
                state,
                &s.actor,
                portal.id,
                ut.id,
                Some(q.clone()),
                parse_opt_id(query.after.as_deref())?,
                Some(50),
            )
            .await?;
            (page.items, page.matching, page.next)
        }
        _ => (Vec::new(), Some(0), None),
    };
    let title = format!("Invite to {}", portal.name);
    Ok(render(&InvitePage {
        chrome: req
            .chrome(&title, "setup-portals")
            .await?
            .with_trail(super::portal_trail(&portal)),
        portal,
        types,
        chosen,
        q,
        candidates,
        matching,
        next,
        batch_max: portico_app::invitation_batches::BATCH_MAX,
        too_many: matching.is_some_and(|m| m > portico_app::invitation_batches::BATCH_MAX as i64),
    }))
}

/// "Send": the checked records, or every record matching the search (`all`).
pub(super) async fn send(Path(portal): Path<String>, post: FormPost) -> PageResult {
    let portal_id = parse_id(&portal)?;
    let user_type_id = parse_id(post.value("user_type"))?;
    let back = format!("/admin/setup/portals/{portal_id}/invite?user_type={user_type_id}");
    let selection = if post.checked("all") {
        Selection::Filter {
            search: post.text("q"),
        }
    } else {
        let mut ids = Vec::new();
        for (name, value) in &post.pairs {
            if name == "records" {
                ids.push(parse_id(value)?);
            }
        }
        Selection::Records(ids)
    };
    let to = InviteTo {
        portal_id,
        user_type_id,
        language: None,
    };
    match portico_app::invitation_batches::start_batch(&post.state, &post.s.actor, &to, selection)
        .await
    {
        Ok(p) => Ok(redirect_with(
            &batch_path(portal_id, p.batch_id),
            if p.done() {
                "Invitations sent"
            } else {
                "Invitations are being sent"
            },
        )),
        Err(e @ (AppError::Invalid(_) | AppError::Forbidden(_))) => {
            let message = match e.field_errors().first() {
                Some(f) => f.message.clone(),
                None => e.to_string(),
            };
            Ok(redirect_with(&back, &message))
        }
        Err(e) => Err(PageError(e)),
    }
}

fn batch_path(portal: i64, batch: i64) -> String {
    format!("/admin/setup/portals/{portal}/invitations/{batch}")
}

#[derive(Deserialize)]
pub(super) struct BatchQuery {
    failed_after: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/portal_invitation.html")]
struct BatchPage {
    chrome: Chrome,
    portal: Portal,
    /// The personality module's API name, for links to the failed records.
    module: String,
    bar: Bar,
    p: BatchProgress,
}

/// The part of the page htmx polls while the batch runs.
#[derive(Template)]
#[template(path = "admin/portal_invitation_progress.html")]
struct ProgressBar {
    bar: Bar,
}

struct Bar {
    path: String,
    running: bool,
    total: i64,
    done: i64,
    sent: i64,
    failed: i64,
    percent: i64,
}

impl Bar {
    fn of(portal: i64, p: &BatchProgress) -> Self {
        let done = p.sent + p.failed_count;
        Self {
            path: batch_path(portal, p.batch_id),
            running: !p.done(),
            total: p.total,
            done,
            sent: p.sent,
            failed: p.failed_count,
            percent: (done * 100).checked_div(p.total).unwrap_or(100),
        }
    }
}

pub(super) async fn batch_page(
    Path((portal, batch)): Path<(String, String)>,
    Query(query): Query<BatchQuery>,
    req: PageRequest,
) -> PageResult {
    let (state, s) = (&req.state, &req.s);
    let portal = portico_app::portals::portal(state, &s.actor, parse_id(&portal)?).await?;
    let failed_after = query
        .failed_after
        .as_deref()
        .filter(|v| !v.is_empty())
        .map(|v| v.parse::<i64>().map_err(|_| PageError(AppError::NotFound)))
        .transpose()?;
    let p = portico_app::invitation_batches::batch(
        state,
        &s.actor,
        portal.id,
        parse_id(&batch)?,
        failed_after,
        Some(100),
    )
    .await?;
    let module = portico_app::user_types::user_type(state, &s.actor, portal.id, p.user_type_id)
        .await?
        .config
        .personality_module
        .to_string();
    Ok(render(&BatchPage {
        chrome: req.chrome("Portal invitations", "setup-portals").await?,
        bar: Bar::of(portal.id, &p),
        module,
        portal,
        p,
    }))
}

/// The progress bar alone; once the batch is done, htmx reloads the page (`HX-Refresh`) to
/// show the failed invitees.
pub(super) async fn progress_fragment(
    Path((portal, batch)): Path<(String, String)>,
    req: PageRequest,
) -> PageResult {
    let (state, s) = (&req.state, &req.s);
    let portal_id = parse_id(&portal)?;
    let p = portico_app::invitation_batches::batch(
        state,
        &s.actor,
        portal_id,
        parse_id(&batch)?,
        None,
        Some(1),
    )
    .await?;
    let mut response = render(&ProgressBar {
        bar: Bar::of(portal_id, &p),
    });
    if p.done() {
        response
            .headers_mut()
            .insert("HX-Refresh", HeaderValue::from_static("true"));
    }
    Ok(response.into_response())
}
