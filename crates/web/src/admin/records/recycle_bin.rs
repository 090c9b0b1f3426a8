//! Deleting into the recycle bin, restoring, purging, and the bin itself.

use crate::admin::form::{FormPost, PageRequest};
use crate::admin::{Chrome, PageError, PageResult, parse_id, redirect_with, render};
use crate::present::human_time;
use askama::Template;
use axum::extract::{Path, Query};
use portico_domain::Id;
use serde::Deserialize;

/// The module and record id of a record action's path.
fn record_at((module, id): (String, String)) -> Result<(String, Id), PageError> {
    Ok((module, parse_id(&id)?))
}

pub(super) async fn delete(Path(at): Path<(String, String)>, post: FormPost) -> PageResult {
    let (module, id) = record_at(at)?;
    portico_app::records::delete_record(&post.state, &post.s.actor, &module, id).await?;
    let notice = "Record moved to the recycle bin";
    Ok(redirect_with(&format!("/admin/records/{module}"), notice))
}

pub(super) async fn restore(Path(at): Path<(String, String)>, post: FormPost) -> PageResult {
    let (module, id) = record_at(at)?;
    portico_app::records::restore_record(&post.state, &post.s.actor, &module, id).await?;
    let back = format!("/admin/records/{module}/{id}");
    Ok(redirect_with(&back, "Record restored"))
}

/// Purging is final: the record and its links are gone.
pub(super) async fn purge(Path(at): Path<(String, String)>, post: FormPost) -> PageResult {
    let (module, id) = record_at(at)?;
    portico_app::records::purge_record(&post.state, &post.s.actor, &module, id).await?;
    Ok(redirect_with(
        "/admin/recycle-bin",
        "Record deleted for good",
    ))
}

struct BinRow {
    id: Id,
    module: String,
    module_label: String,
    name: String,
    deleted: String,
}

#[derive(Template)]
#[template(path = "admin/recycle_bin.html")]
struct BinPage {
    chrome: Chrome,
    rows: Vec<BinRow>,
    next: Option<Id>,
}

#[derive(Deserialize)]
pub(super) struct BinQuery {
    after: Option<String>,
}

pub(super) async fn recycle_bin(Query(q): Query<BinQuery>, req: PageRequest) -> PageResult {
    let (state, session) = (&req.state, &req.s);
    let page = portico_app::records::recycle_bin(
        state,
        &session.actor,
        q.after
            .as_deref()
            .filter(|a| !a.is_empty())
            .map(parse_id)
            .transpose()?,
    )
    .await?;
    let modules = portico_app::modules::all_modules(state, &session.actor).await?;
    let rows = page
        .items
        .iter()
        .filter_map(|r| {
            let m = modules.iter().find(|m| m.id == r.module_id)?;
            Some(BinRow {
                id: r.id,
                module: m.api_name.to_string(),
                module_label: m.label.clone(),
                name: r.display_name.clone(),
                deleted: r.deleted_at.map(human_time).unwrap_or_default(),
            })
        })
        .collect();
    let chrome = req.chrome("Recycle bin", "bin").await?;
    Ok(render(&BinPage {
        chrome,
        rows,
        next: page.next,
    }))
}
