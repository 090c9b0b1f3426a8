//! One record: its fields per layout (lookups by name, subforms as tables), or the canvas view.

use super::{cell_text, choose_layout, linked_ids};
use crate::admin::form::PageRequest;
use crate::admin::{Chrome, PageResult, parse_id, render};
use crate::present::human_time;
use askama::Template;
use axum::extract::{Path, Query};
use portico_domain::Id;
use portico_domain::canvas::render as render_canvas;
use portico_domain::field::{Field, FieldType};
use portico_domain::module::Module;
use portico_domain::profile::Action;
use portico_domain::record::Record;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;

struct ShownField {
    label: String,
    text: String,
    /// Link to the record a lookup points at.
    link: Option<String>,
    /// A lookup to a record the user may not see: named only as such.
    hidden: bool,
    /// Subform rows: column labels and cell texts.
    table: Option<(Vec<String>, Vec<Vec<String>>)>,
}

struct ShownSection {
    name: String,
    fields: Vec<ShownField>,
}

#[derive(Template)]
#[template(path = "admin/record_detail.html")]
struct DetailPage {
    chrome: Chrome,
    module: Module,
    record: Record,
    layouts: Vec<(Id, String)>,
    layout_id: Id,
    sections: Vec<ShownSection>,
    canvas: Option<String>,
    show_canvas: bool,
    owner: String,
    created: String,
    updated: String,
    can_edit: bool,
    can_delete: bool,
    /// "Send portal invitation": (value `portal:user_type`, label) per user type the record
    /// can be invited as; empty when it has no email, is binned, or the user may not invite.
    invite_to: Vec<(String, String)>,
    /// The portals the record is a user of: (portal name, status, users page).
    portal_access: Vec<(String, String, String)>,
}

#[derive(Deserialize)]
pub(super) struct DetailQuery {
    layout: Option<Id>,
    view: Option<String>,
}

fn shown_field(f: &Field, value: Option<&Value>, names: &HashMap<Id, String>) -> ShownField {
    let table = match (&f.field_type, value) {
        (FieldType::Subform { fields: columns }, Some(Value::Array(rows))) => Some((
            columns.iter().map(|c| c.label.clone()).collect(),
            rows.iter()
                .map(|row| {
                    columns
                        .iter()
                        .map(|c| {
                            let text =
                                cell_text(&c.field_type, row.get(c.api_name.as_str()), names);
                            if text.is_empty() {
                                "—".to_string()
                            } else {
                                text
                            }
                        })
                        .collect()
                })
                .collect(),
        )),
        _ => None,
    };
    let link = match (&f.field_type, value.and_then(Value::as_i64)) {
        (FieldType::Lookup { target_module }, Some(id)) if names.contains_key(&id) => {
            Some(format!("/admin/records/{target_module}/{id}"))
        }
        _ => None,
    };
    let hidden = matches!(
        &f.field_type,
        FieldType::Lookup { .. } | FieldType::MultiselectLookup { .. }
    ) && value
        .is_some_and(|v| f.links(v).iter().any(|l| !names.contains_key(&l.target_id)));
    ShownField {
        label: f.label.clone(),
        text: cell_text(&f.field_type, value, names),
        link,
        hidden,
        table,
    }
}

pub(super) async fn detail(
    Path((module, id)): Path<(String, String)>,
    Query(q): Query<DetailQuery>,
    req: PageRequest,
) -> PageResult {
    let (state, session) = (&req.state, &req.s);
    let actor = &session.actor;
    let (module, record) =
        portico_app::records::get_record(state, actor, &module, parse_id(&id)?).await?;
    let d = portico_app::modules::module_detail(state, actor, module.api_name.as_str()).await?;
    let layout = choose_layout(&d.layouts, q.layout)?;
    let names =
        portico_app::records::record_names(state, actor, linked_ids(d.fields.iter(), &[&record]))
            .await?;
    let sections = layout
        .sections
        .iter()
        .map(|s| ShownSection {
            name: s.name.clone(),
            fields: s
                .fields
                .iter()
                .filter_map(|n| d.fields.iter().find(|f| f.api_name.as_str() == n))
                .map(|f| shown_field(f, record.data.get(f.api_name.as_str()), &names))
                .collect(),
        })
        .collect();
    let canvas = module
        .canvas_template
        .as_deref()
        .map(|t| render_canvas(t, &record.data, &|_| true));
    let owner = portico_app::users::user_name(state, actor, record.owner_id)
        .await
        .unwrap_or_else(|_| format!("User #{}", record.owner_id));
    let has_email = record
        .email
        .as_deref()
        .is_some_and(|e| !e.trim().is_empty());
    let memberships = portico_app::invitations::memberships(state, actor, record.id).await?;
    let portal_access = memberships
        .iter()
        .map(|(p, u)| {
            let users = if actor.user.super_admin {
                format!("/admin/setup/portals/{}/users", p.id)
            } else {
                String::new()
            };
            (p.name.clone(), u.status.as_str().to_string(), users)
        })
        .collect();
    let invite_to = if has_email && record.deleted_at.is_none() {
        portico_app::invitations::invite_choices(state, actor, module.api_name.as_str())
            .await?
            .into_iter()
            .filter(|(p, _)| memberships.iter().all(|(m, _)| m.id != p.id))
            .map(|(p, t)| {
                (
                    format!("{}:{}", p.id, t.id),
                    format!("{} — {}", p.name, t.config.name),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let chrome = req
        .chrome(&record.display_name, module.api_name.as_str())
        .await?;
    Ok(render(&DetailPage {
        chrome,
        layouts: d.layouts.iter().map(|l| (l.id, l.name.clone())).collect(),
        layout_id: layout.id,
        sections,
        show_canvas: canvas.is_some() && q.view.as_deref() == Some("canvas"),
        canvas,
        owner,
        created: human_time(record.created_at),
        updated: human_time(record.updated_at),
        can_edit: actor.may(&module, record.owner_id, Action::Edit),
        can_delete: actor.may(&module, record.owner_id, Action::Delete),
        invite_to,
        portal_access,
        module,
        record,
    }))
}

/// "Send portal invitation" from the detail page: `target` is `portal:user_type`. Back to the
/// record with what happened — sent, or the reason it was not.
pub(super) async fn invite(
    Path((module, id)): Path<(String, String)>,
    post: crate::admin::form::FormPost,
) -> PageResult {
    let id = parse_id(&id)?;
    let back = format!("/admin/records/{module}/{id}");
    let Some((portal, user_type)) = post
        .value("target")
        .split_once(':')
        .and_then(|(p, t)| Some((p.parse::<Id>().ok()?, t.parse::<Id>().ok()?)))
    else {
        return Ok(crate::admin::redirect_with(
            &back,
            "Choose a portal and user type",
        ));
    };
    let to = portico_app::invitations::InviteTo {
        portal_id: portal,
        user_type_id: user_type,
        language: None,
    };
    match portico_app::invitations::invite_record(&post.state, &post.s.actor, &module, id, &to)
        .await
    {
        Ok(invited) => Ok(crate::admin::redirect_with(
            &back,
            &format!(
                "Invitation sent to {} — it is in the mail log",
                invited.portal_user.email
            ),
        )),
        Err(portico_app::AppError::InviteRefused(f)) => Ok(crate::admin::redirect_with(
            &back,
            &format!("Invitation not sent: {} ({})", f.message(), f.code()),
        )),
        Err(e) => Err(e.into()),
    }
}
