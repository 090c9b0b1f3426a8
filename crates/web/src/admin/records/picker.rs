//! The record picker: choosing one record (a contact for a deal, the contact a preview shows the
//! portal as) by searching as you type, each match shown with enough to tell two people of the
//! same name apart — the email and the account. Radio buttons, so it works and reads well
//! without JavaScript; htmx replaces the matches as the search changes
//! (`GET /admin/pick/{module}?input=…&q=…&selected=…` answers the options alone).

use super::HIDDEN_RECORD;
use crate::AppState;
use crate::admin::form::PageRequest;
use crate::admin::{PageError, PageResult, render};
use askama::Template;
use axum::extract::{Path, Query};
use portico_app::AppError;
use portico_domain::Id;
use portico_domain::access::CrmActor;
use portico_domain::field::FieldType;
use serde::Deserialize;
use serde_json::Value;

/// Matches shown at once.
const MATCHES: i64 = 10;

/// One record offered.
pub struct PickOption {
    /// The record's id, or "" for "none".
    pub value: String,
    pub name: String,
    /// "carla@acme.example · Acme Ltd"
    pub detail: String,
    pub checked: bool,
}

/// A picker: its input's name, the module searched, what it offers.
#[derive(Template)]
#[template(path = "admin/picker_options.html")]
pub struct PickerOptions {
    /// The form field the chosen id is posted as (`f.Contact_Name`, `record`).
    pub input: String,
    /// An id-safe form of `input`, for element ids.
    pub key: String,
    pub module: String,
    pub label: String,
    pub options: Vec<PickOption>,
    /// Offer "none" (an optional lookup, any user of a type).
    pub none_label: Option<String>,
    pub q: String,
    /// The field has an error (its message follows the picker, `{input}-error`).
    pub invalid: bool,
}

impl PickerOptions {
    pub fn any_checked(&self) -> bool {
        self.options.iter().any(|o| o.checked)
    }

    /// The address htmx asks for the options as the search changes (the search is added).
    /// Every part is form-urlencoded, so it can stand unescaped in an attribute.
    pub fn search_url(&self) -> String {
        let enc = crate::admin::form_urlencode;
        let mut url = format!(
            "/admin/pick/{}?input={}&label={}",
            enc(&self.module),
            enc(&self.input),
            enc(&self.label)
        );
        if let Some(id) = self
            .options
            .iter()
            .find(|o| o.checked && !o.value.is_empty())
        {
            url.push_str(&format!("&selected={}", enc(&id.value)));
        }
        if let Some(none) = &self.none_label {
            url.push_str(&format!("&none={}", enc(none)));
        }
        url
    }
}

/// An id-safe key for element ids: letters, digits, `_` and `-`.
pub fn key_of(input: &str) -> String {
    input
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The records of `module` matching `q` (name or email) that the actor may see, newest first,
/// with `selected` first and checked (named as a record they cannot see when they cannot).
pub async fn options(
    state: &AppState,
    actor: &CrmActor,
    module: &str,
    q: &str,
    selected: Option<Id>,
) -> Result<Vec<PickOption>, PageError> {
    let search = Some(q.trim().to_string()).filter(|s| !s.is_empty());
    let found =
        portico_app::records::list_records(state, actor, module, None, Some(MATCHES), search).await;
    let records = match found {
        Ok((_, page)) => page.items,
        Err(AppError::Forbidden(_)) => Vec::new(),
        Err(e) => return Err(PageError(e)),
    };
    let fields = portico_app::modules::module_detail(state, actor, module)
        .await
        .map(|d| d.fields)
        .unwrap_or_default();
    let email = fields
        .iter()
        .find(|f| f.field_type == FieldType::Email)
        .map(|f| f.api_name.to_string());
    let account = fields
        .iter()
        .find(|f| {
            f.field_type
                .lookup_target()
                .is_some_and(|t| t.as_str() == "Accounts")
        })
        .map(|f| f.api_name.to_string());
    let mut linked: Vec<Id> = records
        .iter()
        .filter_map(|r| {
            account
                .as_ref()
                .and_then(|a| r.data.get(a))
                .and_then(Value::as_i64)
        })
        .collect();
    linked.extend(selected);
    let names = portico_app::records::record_names(state, actor, linked).await?;
    let mut out = Vec::new();
    if let Some(id) = selected.filter(|id| !records.iter().any(|r| r.id == *id)) {
        out.push(PickOption {
            value: id.to_string(),
            name: names
                .get(&id)
                .cloned()
                .unwrap_or_else(|| HIDDEN_RECORD.to_string()),
            detail: String::new(),
            checked: true,
        });
    }
    for r in &records {
        let text = |field: &Option<String>| {
            field
                .as_ref()
                .and_then(|f| r.data.get(f))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let account_name = account
            .as_ref()
            .and_then(|a| r.data.get(a))
            .and_then(Value::as_i64)
            .and_then(|id| names.get(&id).cloned());
        let detail: Vec<String> = [text(&email), account_name].into_iter().flatten().collect();
        out.push(PickOption {
            value: r.id.to_string(),
            name: if r.display_name.is_empty() {
                "(no name)".to_string()
            } else {
                r.display_name.clone()
            },
            detail: detail.join(" · "),
            checked: Some(r.id) == selected,
        });
    }
    Ok(out)
}

#[derive(Deserialize)]
pub(super) struct PickQuery {
    input: Option<String>,
    q: Option<String>,
    selected: Option<String>,
    none: Option<String>,
    label: Option<String>,
}

/// The matches alone, for htmx to put in place as the search changes.
pub(super) async fn pick(
    Path(module): Path<String>,
    Query(q): Query<PickQuery>,
    req: PageRequest,
) -> PageResult {
    let input = q.input.unwrap_or_default();
    // Only names the forms use: a record form's lookup or the preview's record.
    let valid = input == "record"
        || input.strip_prefix("f.").is_some_and(|n| {
            !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    if !valid {
        return Err(PageError(AppError::invalid(
            "input",
            "invalid_input",
            "Unknown picker",
        )));
    }
    let search: String = q.q.unwrap_or_default().chars().take(200).collect();
    let selected = q.selected.and_then(|s| s.parse().ok());
    let options = options(&req.state, &req.s.actor, &module, &search, selected).await?;
    Ok(render(&PickerOptions {
        key: key_of(&input),
        input,
        module,
        label: q.label.unwrap_or_default().chars().take(100).collect(),
        options,
        none_label: q.none.map(|n| n.chars().take(100).collect()),
        q: search,
        invalid: false,
    }))
}
