//! A module's record list: newest first, keyset pages, search.

use super::{cell_text, choose_layout, linked_ids, listable};
use crate::admin::form::PageRequest;
use crate::admin::{Chrome, PageResult, parse_id, render};
use askama::Template;
use axum::extract::{Path, Query};
use portico_domain::Id;
use portico_domain::field::Field;
use portico_domain::module::Module;
use portico_domain::profile::Action;
use portico_domain::record::Record;
use serde::Deserialize;

#[derive(Deserialize)]
pub(super) struct ListQuery {
    q: Option<String>,
    after: Option<String>,
}

struct Row {
    id: Id,
    cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "admin/record_list.html")]
struct ListPage {
    chrome: Chrome,
    module: Module,
    columns: Vec<String>,
    rows: Vec<Row>,
    q: String,
    next: Option<Id>,
    paged: bool,
    can_create: bool,
}

pub(super) async fn list(
    Path(module): Path<String>,
    Query(q): Query<ListQuery>,
    req: PageRequest,
) -> PageResult {
    let (state, session) = (&req.state, &req.s);
    let after = q
        .after
        .as_deref()
        .filter(|a| !a.is_empty())
        .map(parse_id)
        .transpose()?;
    let search = q.q.clone().filter(|s| !s.trim().is_empty());
    let (module, page) =
        portico_app::records::list_records(state, &session.actor, &module, after, Some(50), search)
            .await?;
    let detail =
        portico_app::modules::module_detail(state, &session.actor, module.api_name.as_str())
            .await?;
    let layout = choose_layout(&detail.layouts, None)?;
    let columns: Vec<&Field> = layout
        .field_names()
        .filter_map(|n| detail.fields.iter().find(|f| f.api_name.as_str() == n))
        .filter(|f| listable(f))
        .take(5)
        .collect();
    let records: Vec<&Record> = page.items.iter().collect();
    let names = portico_app::records::record_names(
        state,
        &session.actor,
        linked_ids(columns.iter().copied(), &records),
    )
    .await?;
    let rows = page
        .items
        .iter()
        .map(|r| Row {
            id: r.id,
            cells: columns
                .iter()
                .map(|f| cell_text(&f.field_type, r.data.get(f.api_name.as_str()), &names))
                .collect(),
        })
        .collect();
    let chrome = req.chrome(&module.label, module.api_name.as_str()).await?;
    let can_create = session.actor.can(&module, Action::Create);
    Ok(render(&ListPage {
        chrome,
        columns: columns.iter().map(|f| f.label.clone()).collect(),
        rows,
        q: q.q.unwrap_or_default(),
        next: page.next,
        paged: after.is_some(),
        can_create,
        module,
    }))
}
