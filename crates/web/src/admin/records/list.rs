//! A module's record list: newest first or sorted by a column, numbered pages with the total,
//! search.

use super::{cell_text, choose_layout, linked_ids, listable};
use crate::admin::form::PageRequest;
use crate::admin::{Chrome, PageResult, form_urlencode, render};
use askama::Template;
use axum::extract::{Path, Query};
use portico_app::records::CountedList;
use portico_domain::Id;
use portico_domain::field::{Field, FieldType};
use portico_domain::module::Module;
use portico_domain::profile::Action;
use portico_domain::record::Record;
use portico_store::RecordSort;
use serde::Deserialize;

#[derive(Deserialize)]
pub(super) struct ListQuery {
    q: Option<String>,
    /// A column's field API name; newest first when absent or not a sortable column.
    sort: Option<String>,
    /// "1": descending.
    desc: Option<String>,
    /// 1-based.
    page: Option<String>,
}

/// Records a list page shows.
const PER_PAGE: i64 = 50;

struct Row {
    id: Id,
    cells: Vec<String>,
}

/// A column header: its label, the link that sorts by it (when it can be sorted) and how the
/// list is sorted by it now ("ascending", "descending", or "" for not).
struct Column {
    label: String,
    sort_link: Option<String>,
    sorted: &'static str,
}

#[derive(Template)]
#[template(path = "admin/record_list.html")]
struct ListPage {
    chrome: Chrome,
    module: Module,
    columns: Vec<Column>,
    rows: Vec<Row>,
    q: String,
    total: i64,
    page: i64,
    pages: i64,
    previous: Option<String>,
    next: Option<String>,
    can_create: bool,
}

/// Whether a column can be sorted by its value (a lookup holds an id, a subform rows).
fn sortable(f: &Field) -> bool {
    !matches!(
        f.field_type,
        FieldType::Lookup { .. }
            | FieldType::MultiselectLookup { .. }
            | FieldType::MultiselectPicklist { .. }
            | FieldType::Subform { .. }
    )
}

/// The list's own address with the search, sort and page it shows.
fn list_link(module: &str, q: &str, sort: Option<(&str, bool)>, page: i64) -> String {
    let mut link = format!("/admin/records/{module}?q={}", form_urlencode(q));
    if let Some((field, desc)) = sort {
        link.push_str(&format!("&sort={}", form_urlencode(field)));
        if desc {
            link.push_str("&desc=1");
        }
    }
    if page > 1 {
        link.push_str(&format!("&page={page}"));
    }
    link
}

pub(super) async fn list(
    Path(module): Path<String>,
    Query(q): Query<ListQuery>,
    req: PageRequest,
) -> PageResult {
    let (state, session) = (&req.state, &req.s);
    let detail = portico_app::modules::module_detail(state, &session.actor, &module).await?;
    let layout = choose_layout(&detail.layouts, None)?;
    let columns: Vec<&Field> = layout
        .field_names()
        .filter_map(|n| detail.fields.iter().find(|f| f.api_name.as_str() == n))
        .filter(|f| listable(f))
        .take(5)
        .collect();
    // Only a column the page shows, and can sort, sorts the list.
    let sort = q
        .sort
        .as_deref()
        .and_then(|s| {
            columns
                .iter()
                .find(|f| f.api_name.as_str() == s && sortable(f))
        })
        .map(|f| f.api_name.as_str());
    let descending = q.desc.as_deref() == Some("1");
    let page_no = crate::admin::page_number(q.page.as_deref());
    let search = q.q.clone().unwrap_or_default();
    let list = CountedList {
        search: Some(search.trim()).filter(|s| !s.is_empty()),
        sort: sort.map_or(RecordSort::Newest, RecordSort::Field),
        descending: sort.is_none() || descending,
        page: page_no,
        per: PER_PAGE,
    };
    let (module, found) =
        portico_app::records::counted_records(state, &session.actor, &module, list).await?;
    let records: Vec<&Record> = found.items.iter().collect();
    let names = portico_app::records::record_names(
        state,
        &session.actor,
        linked_ids(columns.iter().copied(), &records),
    )
    .await?;
    let rows = found
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
    let api = module.api_name.as_str();
    let pages = crate::admin::page_count(found.total, PER_PAGE);
    let current = sort.map(|s| (s, descending));
    let column_views = columns
        .iter()
        .map(|f| {
            let name = f.api_name.as_str();
            let now = sort == Some(name);
            Column {
                label: f.label.clone(),
                // A click sorts ascending; on the sorted column it turns the order round.
                sort_link: sortable(f)
                    .then(|| list_link(api, &search, Some((name, now && !descending)), 1)),
                sorted: crate::admin::sort_state(now, descending),
            }
        })
        .collect();
    let previous = (page_no > 1).then(|| list_link(api, &search, current, page_no - 1));
    let next = (page_no < pages).then(|| list_link(api, &search, current, page_no + 1));
    let chrome = req.chrome(&module.label, api).await?;
    let can_create = session.actor.can(&module, Action::Create);
    Ok(render(&ListPage {
        chrome,
        columns: column_views,
        rows,
        q: search,
        total: found.total,
        page: page_no.min(pages),
        pages,
        previous,
        next,
        can_create,
        module,
    }))
}
