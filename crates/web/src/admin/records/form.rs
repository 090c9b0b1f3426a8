//! The record form: create and edit. Each error shows beside its field and what was typed is
//! kept. The edit form carries the version it was opened at, so a save over someone else's
//! newer change is refused (409, the user's input kept) rather than silently overwriting it.

use super::picker::{self, PickerOptions};
use super::rows::{self, RowEditor};
use super::{HIDDEN_RECORD, choose_layout};
use crate::AppState;
use crate::admin::form::{FormPage, FormPost, PageContext, PageRequest};
use crate::admin::{
    AdminSession, Chrome, PageError, PageResult, Posted, form_value, parse_id, redirect_with,
    render,
};
use askama::Template;
use axum::extract::{Path, Query};
use portico_app::AppError;
use portico_app::records::RecordExtras;
use portico_domain::Id;
use portico_domain::access::CrmActor;
use portico_domain::field::{Field, FieldType};
use portico_domain::module::Module;
use portico_domain::profile::Action;
use portico_domain::record::Record;
use portico_domain::record::RecordState;
use serde::Deserialize;
use serde_json::{Map, Value};

pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
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
    /// Subforms: the row editor.
    rows: Option<RowEditor>,
    /// Single lookups: the record picker.
    picker: Option<PickerOptions>,
}

#[derive(Template)]
#[template(path = "admin/record_form.html")]
struct RecordFormPage {
    chrome: Chrome,
    module: Module,
    record_id: Option<Id>,
    /// Edit forms: the version the shown values are based on, posted back with them.
    version: Option<String>,
    layouts: Vec<(Id, String)>,
    layout_id: Id,
    sections: Vec<(String, Vec<FormField>)>,
    /// The workflow flags invitations consult: approval lock, review, GDPR consent.
    state: RecordState,
    general_errors: Vec<String>,
    /// Some field on the form has an error: the summary at the top says so.
    has_field_errors: bool,
    /// The save was refused because someone else changed the record meanwhile.
    stale: bool,
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

/// The choices of a lookup: the newest records of the target module the user may see (none
/// when their profile does not show the module), plus each current value outside them. A
/// current value the user may not see stays a choice, selected, named only as a record they
/// cannot see: saving posts the same id back, so a link someone else made is kept without
/// showing what it points at. Answers the choices and, if such a value is there, a hint.
pub(super) async fn lookup_choices(
    state: &AppState,
    actor: &CrmActor,
    target_module: &str,
    selected: &[String],
) -> Result<(Vec<Choice>, String), PageError> {
    let offered = match portico_app::records::list_records(
        state,
        actor,
        target_module,
        None,
        Some(200),
        None,
    )
    .await
    {
        Ok((_, page)) => page.items,
        Err(AppError::Forbidden(_)) => Vec::new(),
        Err(e) => return Err(PageError(e)),
    };
    let mut choices: Vec<Choice> = offered
        .iter()
        .map(|r| Choice {
            value: r.id.to_string(),
            label: r.display_name.clone(),
            selected: selected.contains(&r.id.to_string()),
        })
        .collect();
    let missing: Vec<Id> = selected
        .iter()
        .filter_map(|s| s.trim().parse().ok())
        .filter(|id| !offered.iter().any(|r| r.id == *id))
        .collect();
    let names = portico_app::records::record_names(state, actor, missing.clone()).await?;
    let mut hint = String::new();
    for id in missing {
        let label = match names.get(&id) {
            Some(name) => name.clone(),
            None => {
                hint = "Linked to a record you cannot see; saving keeps the link.".to_string();
                HIDDEN_RECORD.to_string()
            }
        };
        choices.push(Choice {
            value: id.to_string(),
            label,
            selected: true,
        });
    }
    Ok((choices, hint))
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
    let mut picker = None;
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
        FieldType::Lookup { target_module } => {
            let current = selected.first().and_then(|s| s.trim().parse().ok());
            let options =
                picker::options(state, actor, target_module.as_str(), "", current).await?;
            if options.iter().any(|o| o.name == HIDDEN_RECORD) {
                hint = "Linked to a record you cannot see; saving keeps the link.".to_string();
            }
            let input = format!("f.{}", f.api_name);
            picker = Some(PickerOptions {
                key: picker::key_of(&input),
                input,
                module: target_module.to_string(),
                label: f.label.clone(),
                options,
                none_label: Some("— none —".to_string()),
                q: String::new(),
                invalid: error.is_some(),
            });
            "picker"
        }
        FieldType::MultiselectLookup { target_module } => {
            (choices, hint) =
                lookup_choices(state, actor, target_module.as_str(), &selected).await?;
            "multiselect"
        }
        FieldType::Subform { .. } => {
            hint = "Blank rows are ignored; the positions order the rows.".to_string();
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
        rows: None,
        picker,
    })
}

/// The record form of a module: a new record, or an existing one; showing the stored values,
/// or what was posted.
struct RecordForm {
    module: String,
    record: Option<Id>,
    layout: Option<Id>,
    posted: Option<Posted>,
}

impl RecordForm {
    /// The module and, for an edit form, the record — which the user must be allowed to edit.
    async fn load(
        &self,
        state: &AppState,
        s: &AdminSession,
    ) -> Result<(Module, Option<Record>), PageError> {
        let Some(id) = self.record else {
            let m =
                portico_app::modules::module(state, &s.actor, &self.module, Action::Create).await?;
            return Ok((m, None));
        };
        let (module, record) =
            portico_app::records::get_record(state, &s.actor, &self.module, id).await?;
        if !s.actor.may(&module, record.owner_id, Action::Edit) {
            return Err(PageError(AppError::Forbidden(format!(
                "Your profile does not allow you to edit this {} record",
                module.label
            ))));
        }
        Ok((module, Some(record)))
    }
}

impl FormPage for RecordForm {
    async fn render(self, cx: PageContext<'_>) -> PageResult {
        let (state, s, errors) = (cx.state, cx.s, &cx.errors);
        let (module, record) = self.load(state, s).await?;
        let d =
            portico_app::modules::module_detail(state, &s.actor, module.api_name.as_str()).await?;
        let layout = choose_layout(&d.layouts, self.layout)?;
        let on_form: Vec<&Field> = layout
            .field_names()
            .filter_map(|n| d.fields.iter().find(|f| f.api_name.as_str() == n))
            .collect();
        let mut sections = Vec::new();
        for section in &layout.sections {
            let mut inputs = Vec::new();
            for f in section
                .fields
                .iter()
                .filter_map(|n| d.fields.iter().find(|f| f.api_name.as_str() == n))
            {
                let name = format!("f.{}", f.api_name);
                let shown = match &self.posted {
                    Some(posted) => Shown::Submitted(posted.all(&name)),
                    None => Shown::Stored(
                        record
                            .as_ref()
                            .and_then(|r| r.data.get(f.api_name.as_str())),
                    ),
                };
                let error = errors.get(f.api_name.as_str()).map(str::to_string);
                let mut input = form_field(state, &s.actor, f, shown, error).await?;
                if let FieldType::Subform { fields: columns } = &f.field_type {
                    let shown = match &self.posted {
                        Some(posted) => rows::Shown::Posted(&posted.0),
                        None => rows::Shown::Stored(
                            record
                                .as_ref()
                                .and_then(|r| r.data.get(f.api_name.as_str())),
                        ),
                    };
                    input.rows =
                        Some(rows::row_editor(state, &s.actor, &name, columns, shown).await?);
                }
                inputs.push(input);
            }
            sections.push((section.name.clone(), inputs));
        }
        // Errors about anything not on this form (another layout's fields, the version, the
        // record as a whole) are shown on top, so none goes unseen.
        let (field_errors, general_errors): (Vec<_>, Vec<_>) = errors
            .0
            .iter()
            .partition(|e| on_form.iter().any(|f| f.api_name.as_str() == e.field));
        let version = record.as_ref().map(|r| match &self.posted {
            // What the user typed is based on the version their form carried.
            Some(posted) => posted.get("version").to_string(),
            None => r.version.to_string(),
        });
        let state = match &self.posted {
            Some(posted) => RecordState {
                approval_locked: posted.checked("state.approval_locked"),
                in_review: posted.checked("state.in_review"),
                gdpr_consent: posted.checked("state.gdpr_consent"),
            },
            None => record.as_ref().map(|r| r.state).unwrap_or_default(),
        };
        let title = match &record {
            Some(r) => format!("Edit {}", r.display_name),
            None => format!("New {} record", module.label),
        };
        let chrome = cx.chrome(&title, module.api_name.as_str()).await?;
        Ok(render(&RecordFormPage {
            chrome,
            record_id: record.as_ref().map(|r| r.id),
            version,
            layouts: d.layouts.iter().map(|l| (l.id, l.name.clone())).collect(),
            layout_id: layout.id,
            sections,
            state,
            general_errors: general_errors.iter().map(|e| e.message.clone()).collect(),
            has_field_errors: !field_errors.is_empty(),
            stale: errors.is_stale(),
            module,
        }))
    }
}

#[derive(Deserialize)]
pub(super) struct LayoutQuery {
    layout: Option<Id>,
}

pub(super) async fn new_form(
    Path(module): Path<String>,
    Query(q): Query<LayoutQuery>,
    page: PageRequest,
) -> PageResult {
    let layout = q.layout;
    let (record, posted) = (None, None);
    page.show(RecordForm {
        module,
        record,
        layout,
        posted,
    })
    .await
}

pub(super) async fn edit_form(
    Path((module, id)): Path<(String, String)>,
    Query(q): Query<LayoutQuery>,
    page: PageRequest,
) -> PageResult {
    let (record, layout) = (Some(parse_id(&id)?), q.layout);
    page.show(RecordForm {
        module,
        record,
        layout,
        posted: None,
    })
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
    let layout_id = form_value(pairs, "_layout").parse().ok();
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
        let value = match (&f.field_type, rows::posted_rows(&name, pairs)) {
            (FieldType::Subform { fields: columns }, Some(posted)) => {
                rows::value_from_rows(posted, columns)
            }
            _ => f.field_type.value_from_form(&values),
        };
        data.insert(f.api_name.to_string(), value);
    }
    Ok((data, Some(layout.id)))
}

/// The version an edit form was opened at. Without it a save could overwrite a change the
/// user never saw, so a form that lacks it is refused.
fn posted_version(pairs: &[(String, String)]) -> Result<i64, AppError> {
    form_value(pairs, "version").trim().parse().map_err(|_| {
        AppError::invalid(
            "version",
            "invalid_version",
            "This form does not say which version of the record it changes, so it was not \
             saved. Open the record again and make your changes there.",
        )
    })
}

/// The record's workflow flags as the form's checkboxes posted them.
fn posted_state(post: &FormPost) -> RecordState {
    RecordState {
        approval_locked: post.checked("state.approval_locked"),
        in_review: post.checked("state.in_review"),
        gdpr_consent: post.checked("state.gdpr_consent"),
    }
}

pub(super) async fn create(Path(module): Path<String>, post: FormPost) -> PageResult {
    let (data, layout) = posted_data(&post.state, &post.s, &module, &post.pairs).await?;
    let extras = RecordExtras {
        state: Some(posted_state(&post)),
        ..RecordExtras::default()
    };
    let result =
        portico_app::records::create_record(&post.state, &post.s.actor, &module, &data, extras)
            .await;
    let back = format!("/admin/records/{module}");
    let page = |posted| RecordForm {
        module,
        record: None,
        layout,
        posted: Some(posted),
    };
    post.submit(result, page, |r| {
        redirect_with(&format!("{back}/{}", r.id), "Record created")
    })
    .await
}

pub(super) async fn update(
    Path((module, id)): Path<(String, String)>,
    post: FormPost,
) -> PageResult {
    let id = parse_id(&id)?;
    let (data, layout) = posted_data(&post.state, &post.s, &module, &post.pairs).await?;
    let result = match posted_version(&post.pairs) {
        Ok(version) => {
            let extras = RecordExtras {
                version: Some(version),
                state: Some(posted_state(&post)),
                ..RecordExtras::default()
            };
            let actor = &post.s.actor;
            portico_app::records::update_record(&post.state, actor, &module, id, &data, extras)
                .await
        }
        Err(e) => Err(e),
    };
    let back = format!("/admin/records/{module}/{id}");
    let page = |posted| RecordForm {
        module,
        record: Some(id),
        layout,
        posted: Some(posted),
    };
    post.submit(result, page, |_| redirect_with(&back, "Changes saved"))
        .await
}
