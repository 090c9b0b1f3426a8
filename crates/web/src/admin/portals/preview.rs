//! The preview: a portal as one of its users would see it, through the portal access policy.

use super::Choice;
use crate::admin::form::PageRequest;
use crate::admin::{Chrome, PageResult, parse_id, parse_opt_id, render};
use askama::Template;
use axum::extract::{Path, Query};
use portico_domain::portal::{Portal, UserType};
use portico_portal::preview::Preview;
use serde::Deserialize;

#[derive(Deserialize)]
pub(super) struct PreviewQuery {
    user_type: Option<String>,
    record: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/portal_preview.html")]
struct PreviewPage {
    chrome: Chrome,
    portal: Portal,
    types: Vec<UserType>,
    records: Vec<Choice>,
    preview: Option<Preview>,
}

pub(super) async fn preview_page(
    Path(portal): Path<String>,
    Query(q): Query<PreviewQuery>,
    req: PageRequest,
) -> PageResult {
    let (state, s) = (&req.state, &req.s);
    let portal = portico_app::portals::portal(state, &s.actor, parse_id(&portal)?).await?;
    let types = portico_app::user_types::user_types(state, &s.actor, portal.id).await?;
    let chosen = parse_opt_id(q.user_type.as_deref())?.or_else(|| types.first().map(|t| t.id));
    let record = parse_opt_id(q.record.as_deref())?;
    let (preview, records) = match chosen.and_then(|c| types.iter().find(|t| t.id == c)) {
        Some(ut) => {
            let (_, page) = portico_app::records::list_records(
                state,
                &s.actor,
                ut.config.personality_module.as_str(),
                None,
                Some(200),
                None,
            )
            .await?;
            let records = page
                .items
                .iter()
                .map(|r| Choice {
                    value: r.id.to_string(),
                    label: r.display_name.clone(),
                    selected: Some(r.id) == record,
                })
                .collect();
            (
                Some(
                    portico_portal::preview::preview(state, &s.actor, portal.id, ut.id, record)
                        .await?,
                ),
                records,
            )
        }
        None => (None, Vec::new()),
    };
    let title = format!("Preview of {}", portal.name);
    let chrome = req.chrome(&title, "setup-portals").await?;
    Ok(render(&PreviewPage {
        chrome,
        portal,
        types,
        records,
        preview,
    }))
}
