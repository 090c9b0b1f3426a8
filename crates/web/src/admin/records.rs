//! Record pages: list (paged, searchable), detail (per layout, or the canvas view), create and
//! edit forms that show each error beside its field and keep what was typed, the recycle bin.

use super::{
    AdminSession, Chrome, FormErrors, PageError, PageResult, parse_id, redirect_with, render,
};
use crate::AppState;
use crate::present::human_time;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Form, Router};
use portico_app::AppError;
use portico_app::records::RecordExtras;
use portico_domain::Id;
use portico_domain::access::CrmActor;
use portico_domain::canvas::{display_value, render as render_canvas};
use portico_domain::field::{Field, FieldType};
use portico_domain::layout::Layout;
use portico_domain::module::Module;
use portico_domain::profile::Action;
use portico_domain::record::Record;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/records/{module}", get(list).post(create))
        .route("/admin/records/{module}/new", get(new_form))
        .route("/admin/records/{module}/{id}", get(detail).post(update))
        .route("/admin/records/{module}/{id}/edit", get(edit_form))
        .route("/admin/records/{module}/{id}/delete", post(delete))
        .route("/admin/records/{module}/{id}/restore", post(restore))
        .route("/admin/records/{module}/{id}/purge", post(purge))
        .route("/admin/recycle-bin", get(recycle_bin))
}

/// Field types shown as list columns (long or nested values are left to the detail page).
fn listable(f: &Field) -> bool {
    !matches!(
        f.field_type,
        FieldType::LongText | FieldType::Subform { .. }
    )
}

/// A value as text, with lookup ids replaced by the linked records' names.
fn cell_text(field_type: &FieldType, value: Option<&Value>, names: &HashMap<Id, String>) -> String {
    match (field_type, value) {
        (FieldType::Lookup { .. }, Some(Value::Number(n))) => n
            .as_i64()
            .map(|id| lookup_name(id, names))
            .unwrap_or_default(),
        (FieldType::MultiselectLookup { .. }, Some(Value::Array(ids))) => ids
            .iter()
            .filter_map(Value::as_i64)
            .map(|id| lookup_name(id, names))
            .collect::<Vec<_>>()
            .join(", "),
        (FieldType::Currency, Some(Value::Number(n))) => {
            n.as_f64().map(|v| format!("{v:.2}")).unwrap_or_default()
        }
        (FieldType::Percent, Some(v @ Value::Number(_))) => format!("{v}%"),
        _ => display_value(value),
    }
}

fn lookup_name(id: Id, names: &HashMap<Id, String>) -> String {
    names
        .get(&id)
        .cloned()
        .unwrap_or_else(|| format!("#{id} (not available)"))
}

/// Every record id the given fields of these records point at.
fn linked_ids<'a>(fields: impl Iterator<Item = &'a Field> + Clone, records: &[&Record]) -> Vec<Id> {
    let mut ids: Vec<Id> = records
        .iter()
        .flat_map(|r| {
            fields
                .clone()
                .filter_map(|f| r.data.get(f.api_name.as_str()).map(|v| f.links(v)))
        })
        .flatten()
        .map(|l| l.target_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn choose_layout(layouts: &[Layout], wanted: Option<Id>) -> Result<&Layout, PageError> {
    wanted
        .and_then(|id| layouts.iter().find(|l| l.id == id))
        .or_else(|| layouts.first())
        .ok_or(PageError(AppError::Internal("module has no layout".into())))
}

// ---- list ----

#[derive(Deserialize)]
struct ListQuery {
    q: Option<String>,
    after: Option<String>,
    flash: Option<String>,
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

async fn list(
    State(state): State<AppState>,
    session: AdminSession,
    Path(module): Path<String>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let after = q
        .after
        .as_deref()
        .filter(|a| !a.is_empty())
        .map(parse_id)
        .transpose()?;
    let search = q.q.clone().filter(|s| !s.trim().is_empty());
    let (module, page) = portico_app::records::list_records(
        &state,
        &session.actor,
        &module,
        after,
        Some(50),
        search,
    )
    .await?;
    let detail =
        portico_app::modules::module_detail(&state, &session.actor, module.api_name.as_str())
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
        &state,
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
    let chrome = Chrome::new(&state, &session, &module.label, module.api_name.as_str())
        .await?
        .with_flash(q.flash);
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

// ---- detail ----

struct ShownField {
    label: String,
    text: String,
    /// Link to the record a lookup points at.
    link: Option<String>,
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
}

#[derive(Deserialize)]
struct DetailQuery {
    layout: Option<Id>,
    view: Option<String>,
    flash: Option<String>,
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
    ShownField {
        label: f.label.clone(),
        text: cell_text(&f.field_type, value, names),
        link,
        table,
    }
}

async fn detail(
    State(state): State<AppState>,
    session: AdminSession,
    Path((module, id)): Path<(String, String)>,
    Query(q): Query<DetailQuery>,
) -> PageResult {
    let actor = &session.actor;
    let (module, record) =
        portico_app::records::get_record(&state, actor, &module, parse_id(&id)?).await?;
    let d = portico_app::modules::module_detail(&state, actor, module.api_name.as_str()).await?;
    let layout = choose_layout(&d.layouts, q.layout)?;
    let names =
        portico_app::records::record_names(&state, actor, linked_ids(d.fields.iter(), &[&record]))
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
    let owner = portico_app::users::user_name(&state, actor, record.owner_id)
        .await
        .unwrap_or_else(|_| format!("User #{}", record.owner_id));
    let chrome = Chrome::new(
        &state,
        &session,
        &record.display_name,
        module.api_name.as_str(),
    )
    .await?
    .with_flash(q.flash);
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
        module,
        record,
    }))
}

// ---- forms ----

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// One input of the record form.
struct FormField {
    name: String,
    label: String,
    /// text, textarea, email, tel, number, decimal, date, datetime-local, checkbox, select,
    /// multiselect, url, subform
    kind: &'static str,
    value: String,
    checked: bool,
    choices: Vec<Choice>,
    mandatory: bool,
    error: Option<String>,
    hint: String,
}

#[derive(Template)]
#[template(path = "admin/record_form.html")]
struct FormPage {
    chrome: Chrome,
    module: Module,
    record_id: Option<Id>,
    layouts: Vec<(Id, String)>,
    layout_id: Id,
    sections: Vec<(String, Vec<FormField>)>,
    general_errors: Vec<String>,
    /// Some field has an error: the summary at the top says so.
    has_errors: bool,
}

/// What the form shows for a field: the submitted text, or the stored value.
enum Shown<'a> {
    Submitted(Vec<&'a str>),
    Stored(Option<&'a Value>),
}

fn as_text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(v @ Value::Array(_)) | Some(v @ Value::Object(_)) => {
            serde_json::to_string_pretty(v).unwrap_or_default()
        }
        Some(v) => v.to_string(),
    }
}

async fn form_field(
    state: &AppState,
    actor: &CrmActor,
    f: &Field,
    shown: Shown<'_>,
    error: Option<String>,
) -> Result<FormField, PageError> {
    let (text, selected): (String, Vec<String>) = match &shown {
        Shown::Submitted(values) => (
            values.first().map(|s| s.to_string()).unwrap_or_default(),
            values.iter().map(|s| s.to_string()).collect(),
        ),
        Shown::Stored(v) => {
            let list = match v {
                Some(Value::Array(items)) => items.iter().map(|i| as_text(Some(i))).collect(),
                Some(other) => vec![as_text(Some(other))],
                None => vec![],
            };
            (as_text(*v), list)
        }
    };
    let mut choices = Vec::new();
    let mut hint = String::new();
    let kind = match &f.field_type {
        FieldType::Text => "text",
        FieldType::LongText => "textarea",
        FieldType::Email => "email",
        FieldType::Phone => "tel",
        FieldType::Number => "number",
        FieldType::Decimal | FieldType::Currency | FieldType::Percent => "decimal",
        FieldType::Date => "date",
        FieldType::DateTime => "datetime-local",
        FieldType::Boolean => "checkbox",
        FieldType::Url => "url",
        FieldType::Picklist { options } | FieldType::MultiselectPicklist { options } => {
            choices = options
                .iter()
                .map(|o| Choice {
                    value: o.clone(),
                    label: o.clone(),
                    selected: selected.contains(o),
                })
                .collect();
            if matches!(f.field_type, FieldType::Picklist { .. }) {
                "select"
            } else {
                "multiselect"
            }
        }
        FieldType::Lookup { target_module } | FieldType::MultiselectLookup { target_module } => {
            // Offer the newest records of the target module the user may see; a current value
            // outside that window is kept as a choice so saving never drops it.
            match portico_app::records::list_records(
                state,
                actor,
                target_module.as_str(),
                None,
                Some(200),
                None,
            )
            .await
            {
                Ok((_, page)) => {
                    choices = page
                        .items
                        .iter()
                        .map(|r| Choice {
                            value: r.id.to_string(),
                            label: r.display_name.clone(),
                            selected: selected.contains(&r.id.to_string()),
                        })
                        .collect();
                    let missing: Vec<Id> = selected
                        .iter()
                        .filter_map(|s| s.parse().ok())
                        .filter(|id| !page.items.iter().any(|r| r.id == *id))
                        .collect();
                    let names =
                        portico_app::records::record_names(state, actor, missing.clone()).await?;
                    for id in missing {
                        choices.push(Choice {
                            value: id.to_string(),
                            label: lookup_name(id, &names),
                            selected: true,
                        });
                    }
                    if matches!(f.field_type, FieldType::Lookup { .. }) {
                        "select"
                    } else {
                        "multiselect"
                    }
                }
                Err(AppError::Forbidden(_)) => {
                    hint = format!("Id of a {target_module} record");
                    "number"
                }
                Err(e) => return Err(PageError(e)),
            }
        }
        FieldType::Subform { fields } => {
            hint = format!(
                "Rows as JSON, e.g. [{{{}}}]",
                fields
                    .iter()
                    .map(|c| format!("\"{}\": …", c.api_name))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            "subform"
        }
    };
    let checked = match &shown {
        Shown::Submitted(values) => values.iter().any(|v| *v == "on" || *v == "true"),
        Shown::Stored(v) => matches!(v, Some(Value::Bool(true))),
    };
    Ok(FormField {
        name: format!("f.{}", f.api_name),
        label: f.label.clone(),
        kind,
        value: text,
        checked,
        choices,
        mandatory: f.mandatory,
        error,
        hint,
    })
}

/// The fields of the chosen layout, as a form.
async fn build_form(
    state: &AppState,
    session: &AdminSession,
    module: Module,
    record: Option<&Record>,
    submitted: Option<&[(String, String)]>,
    errors: &FormErrors,
    layout_id: Option<Id>,
) -> PageResult {
    let d = portico_app::modules::module_detail(state, &session.actor, module.api_name.as_str())
        .await?;
    let layout = choose_layout(&d.layouts, layout_id)?;
    let mut sections = Vec::new();
    for s in &layout.sections {
        let mut inputs = Vec::new();
        for f in s
            .fields
            .iter()
            .filter_map(|n| d.fields.iter().find(|f| f.api_name.as_str() == n))
        {
            let name = format!("f.{}", f.api_name);
            let shown = match submitted {
                Some(pairs) => Shown::Submitted(
                    pairs
                        .iter()
                        .filter(|(k, _)| *k == name)
                        .map(|(_, v)| v.as_str())
                        .collect(),
                ),
                None => Shown::Stored(record.and_then(|r| r.data.get(f.api_name.as_str()))),
            };
            inputs.push(
                form_field(
                    state,
                    &session.actor,
                    f,
                    shown,
                    errors.get(f.api_name.as_str()).map(str::to_string),
                )
                .await?,
            );
        }
        sections.push((s.name.clone(), inputs));
    }
    let known: Vec<&str> = d.fields.iter().map(|f| f.api_name.as_str()).collect();
    let general_errors = errors
        .0
        .iter()
        .filter(|e| !known.contains(&e.field.as_str()))
        .map(|e| e.message.clone())
        .collect();
    let title = match record {
        Some(r) => format!("Edit {}", r.display_name),
        None => format!("New {} record", module.label),
    };
    let chrome = Chrome::new(state, session, &title, module.api_name.as_str()).await?;
    let mut response = render(&FormPage {
        chrome,
        record_id: record.map(|r| r.id),
        layouts: d.layouts.iter().map(|l| (l.id, l.name.clone())).collect(),
        layout_id: layout.id,
        sections,
        general_errors,
        has_errors: !errors.is_empty(),
        module,
    });
    if !errors.is_empty() {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

#[derive(Deserialize)]
struct LayoutQuery {
    layout: Option<Id>,
}

async fn new_form(
    State(state): State<AppState>,
    session: AdminSession,
    Path(module): Path<String>,
    Query(q): Query<LayoutQuery>,
) -> PageResult {
    let module =
        portico_app::modules::module(&state, &session.actor, &module, Action::Create).await?;
    build_form(
        &state,
        &session,
        module,
        None,
        None,
        &FormErrors::default(),
        q.layout,
    )
    .await
}

async fn edit_form(
    State(state): State<AppState>,
    session: AdminSession,
    Path((module, id)): Path<(String, String)>,
    Query(q): Query<LayoutQuery>,
) -> PageResult {
    let (module, record) =
        portico_app::records::get_record(&state, &session.actor, &module, parse_id(&id)?).await?;
    if !session.actor.may(&module, record.owner_id, Action::Edit) {
        return Err(PageError(AppError::Forbidden(format!(
            "Your profile does not allow you to edit this {} record",
            module.label
        ))));
    }
    build_form(
        &state,
        &session,
        module,
        Some(&record),
        None,
        &FormErrors::default(),
        q.layout,
    )
    .await
}

/// The record data a form posted: only the fields of the layout it showed, so fields that are
/// not on the layout keep their values.
async fn posted_data(
    state: &AppState,
    session: &AdminSession,
    module: &str,
    pairs: &[(String, String)],
) -> Result<(Map<String, Value>, Option<Id>), PageError> {
    let d = portico_app::modules::module_detail(state, &session.actor, module).await?;
    let layout_id = super::form_value(pairs, "_layout").parse().ok();
    let layout = choose_layout(&d.layouts, layout_id)?;
    let mut data = Map::new();
    for f in layout
        .field_names()
        .filter_map(|n| d.fields.iter().find(|f| f.api_name.as_str() == n))
    {
        let name = format!("f.{}", f.api_name);
        let values: Vec<String> = pairs
            .iter()
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
            .collect();
        data.insert(
            f.api_name.to_string(),
            f.field_type.value_from_form(&values),
        );
    }
    Ok((data, Some(layout.id)))
}

async fn create(
    State(state): State<AppState>,
    session: AdminSession,
    Path(module): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    session.check_csrf(&pairs)?;
    let (data, layout) = posted_data(&state, &session, &module, &pairs).await?;
    match portico_app::records::create_record(
        &state,
        &session.actor,
        &module,
        &data,
        RecordExtras::default(),
    )
    .await
    {
        Ok(r) => Ok(redirect_with(
            &format!("/admin/records/{module}/{}", r.id),
            "Record created",
        )),
        Err(e) => {
            let errors = FormErrors::from_service(e)?;
            let m = portico_app::modules::module(&state, &session.actor, &module, Action::Create)
                .await?;
            build_form(&state, &session, m, None, Some(&pairs), &errors, layout).await
        }
    }
}

async fn update(
    State(state): State<AppState>,
    session: AdminSession,
    Path((module, id)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    session.check_csrf(&pairs)?;
    let id = parse_id(&id)?;
    let (data, layout) = posted_data(&state, &session, &module, &pairs).await?;
    match portico_app::records::update_record(
        &state,
        &session.actor,
        &module,
        id,
        &data,
        RecordExtras::default(),
    )
    .await
    {
        Ok(_) => Ok(redirect_with(
            &format!("/admin/records/{module}/{id}"),
            "Changes saved",
        )),
        Err(e) => {
            let errors = FormErrors::from_service(e)?;
            let (m, record) =
                portico_app::records::get_record(&state, &session.actor, &module, id).await?;
            build_form(
                &state,
                &session,
                m,
                Some(&record),
                Some(&pairs),
                &errors,
                layout,
            )
            .await
        }
    }
}

async fn delete(
    State(state): State<AppState>,
    session: AdminSession,
    Path((module, id)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    session.check_csrf(&pairs)?;
    portico_app::records::delete_record(&state, &session.actor, &module, parse_id(&id)?).await?;
    Ok(redirect_with(
        &format!("/admin/records/{module}"),
        "Record moved to the recycle bin",
    ))
}

async fn restore(
    State(state): State<AppState>,
    session: AdminSession,
    Path((module, id)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    session.check_csrf(&pairs)?;
    let id = parse_id(&id)?;
    portico_app::records::restore_record(&state, &session.actor, &module, id).await?;
    Ok(redirect_with(
        &format!("/admin/records/{module}/{id}"),
        "Record restored",
    ))
}

async fn purge(
    State(state): State<AppState>,
    session: AdminSession,
    Path((module, id)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    session.check_csrf(&pairs)?;
    portico_app::records::purge_record(&state, &session.actor, &module, parse_id(&id)?).await?;
    Ok(redirect_with(
        "/admin/recycle-bin",
        "Record deleted for good",
    ))
}

// ---- recycle bin ----

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
struct BinQuery {
    after: Option<String>,
    flash: Option<String>,
}

async fn recycle_bin(
    State(state): State<AppState>,
    session: AdminSession,
    Query(q): Query<BinQuery>,
) -> PageResult {
    let page = portico_app::records::recycle_bin(
        &state,
        &session.actor,
        q.after
            .as_deref()
            .filter(|a| !a.is_empty())
            .map(parse_id)
            .transpose()?,
    )
    .await?;
    let modules = portico_app::modules::all_modules(&state, &session.actor).await?;
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
    let chrome = Chrome::new(&state, &session, "Recycle bin", "bin")
        .await?
        .with_flash(q.flash);
    Ok(render(&BinPage {
        chrome,
        rows,
        next: page.next,
    }))
}
