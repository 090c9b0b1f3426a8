//! The preview: a portal as one of its users would see it, through the portal access policy.

use crate::admin::form::PageRequest;
use crate::admin::records::picker::{PickerOptions, key_of, options};
use crate::admin::{Chrome, PageResult, parse_id, parse_opt_id, render};
use askama::Template;
use axum::extract::{Path, Query};
use portico_app::AppError;
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
    picker: Option<PickerOptions>,
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
    // A stale link or a switched form never ends in a bare "Not found": an unknown user type
    // shows the first one, a record that is not one of the chosen type's users shows the type
    // without a record — each saying so.
    let asked = parse_opt_id(q.user_type.as_deref()).ok().flatten();
    let mut problem = None;
    let ut = match asked.map(|a| types.iter().find(|t| t.id == a)) {
        Some(Some(ut)) => Some(ut),
        Some(None) => {
            problem = Some(
                "That user type does not exist (any more): showing the first one instead."
                    .to_string(),
            );
            types.first()
        }
        None => types.first(),
    };
    let mut record = parse_opt_id(q.record.as_deref()).ok().flatten();
    let (preview, picker) = match ut {
        Some(ut) => {
            let show = |record| {
                portico_portal::preview::preview(state, &s.actor, portal.id, ut.id, record)
            };
            let preview = match show(record).await {
                Err(AppError::NotFound) if record.is_some() => {
                    problem = Some(format!(
                        "That record is not a {} record a {} user could be: showing the user type without one.",
                        ut.config.personality_module, ut.config.name
                    ));
                    record = None;
                    show(None).await?
                }
                other => other?,
            };
            // The user to preview as: searched by name or email, told apart by email and
            // account.
            let module = ut.config.personality_module.to_string();
            let options = options(state, &s.actor, &module, "", record).await?;
            let picker = PickerOptions {
                key: key_of("record"),
                input: "record".to_string(),
                label: format!("As one {} user", ut.config.name),
                module,
                options,
                none_label: Some(format!("Any {} user", ut.config.name)),
                q: String::new(),
                invalid: false,
            };
            (Some(preview), Some(picker))
        }
        None => (None, None),
    };
    let title = format!("Preview of {}", portal.name);
    let chrome = req
        .chrome(&title, "setup-portals")
        .await?
        .with_trail(super::portal_trail(&portal))
        .with_problem(problem.or(req.problem.clone()));
    Ok(render(&PreviewPage {
        chrome,
        portal,
        types,
        picker,
        preview,
    }))
}
