//! The audit log page (administrators): the org's entries newest first, filtered by portal,
//! portal user, record, action and time (dates in UTC), in keyset pages with the matching
//! count. The filters are parsed as `GET /api/v1/audit` parses them; a bad value keeps what
//! was typed and shows its error beside the field (422).

use super::{Chrome, PageResult, form_urlencode, render};
use crate::AppState;
use crate::present::human_time;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use portico_app::audit::AuditSearch;
use portico_domain::FieldError;
use portico_store::AuditEntry;
use std::collections::HashMap;

/// The filter fields as typed, shown back in the form and carried by the pager's links.
#[derive(Default)]
struct Typed {
    portal: String,
    portal_user: String,
    module: String,
    record: String,
    action: String,
    from: String,
    to: String,
}

impl Typed {
    fn new(params: &HashMap<String, String>) -> Self {
        // What was typed, cut to a length no valid value reaches (the parser refuses longer).
        let get = |k: &str| {
            params
                .get(k)
                .map(|v| v.chars().take(300).collect())
                .unwrap_or_default()
        };
        Self {
            portal: get("portal"),
            portal_user: get("portal_user"),
            module: get("module"),
            record: get("record"),
            action: get("action"),
            from: get("from"),
            to: get("to"),
        }
    }

    /// The filters as a query string (without the cursor), for the pager's links.
    fn query(&self) -> String {
        [
            ("portal", &self.portal),
            ("portal_user", &self.portal_user),
            ("module", &self.module),
            ("record", &self.record),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", form_urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// One entry as a row.
struct Row {
    at: String,
    actor: String,
    action: String,
    portal: String,
    /// (module, id) of the record it is about.
    record: Option<(String, i64)>,
    ip: String,
    detail: String,
}

impl Row {
    fn new(e: &AuditEntry, portals: &HashMap<i64, String>) -> Self {
        let portal = e
            .portal_id
            .map(|p| portals.get(&p).cloned().unwrap_or_else(|| format!("#{p}")))
            .unwrap_or_default();
        let empty = e.detail.is_null() || e.detail.as_object().is_some_and(|o| o.is_empty());
        Self {
            at: human_time(e.at),
            actor: e.actor.clone(),
            action: e.action.clone(),
            portal,
            record: e.module.clone().zip(e.record_id),
            ip: e.ip.clone().unwrap_or_default(),
            detail: if empty {
                String::new()
            } else {
                serde_json::to_string_pretty(&e.detail).unwrap_or_default()
            },
        }
    }
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditLogPage {
    chrome: Chrome,
    typed: Typed,
    errors: Vec<FieldError>,
    portals: Vec<(i64, String)>,
    /// Suggestions for the action field: whole actions and prefixes.
    actions: &'static [&'static str],
    rows: Vec<Row>,
    total: i64,
    /// Query strings (filters and cursor) of the neighbouring pages.
    older: Option<String>,
    newer: Option<String>,
}

impl AuditLogPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// Suggested filters of the action field: the portal's record reads and writes, and the
/// account events, as prefixes (a value ending in `.` or `*` matches every action that starts
/// so).
const ACTIONS: &[&str] = &[
    "portal.",
    "portal.record.",
    "portal.record.list",
    "portal.record.view",
    "portal.record.create",
    "portal.record.update",
    "portal.record.delete",
    "portal.sign_in*",
    "portal.password*",
    "portal.email*",
    "portal.mfa*",
    "portal.preview",
];

pub(super) async fn page(
    State(state): State<AppState>,
    session: super::AdminSession,
    Query(params): Query<HashMap<String, String>>,
) -> PageResult {
    // Refused like every admin-only page, before anything is read.
    portico_app::require_admin(&session.actor)?;
    let portals = portico_app::portals::list_portals(&state, &session.actor).await?;
    let names: HashMap<i64, String> = portals.iter().map(|p| (p.id, p.name.clone())).collect();
    let typed = Typed::new(&params);
    let (errors, found) = match crate::api::parse_audit_filter(&params) {
        Ok(filter) => {
            let found = portico_app::audit::search(&state, &session.actor, &filter).await?;
            (Vec::new(), Some(found))
        }
        Err(errors) => (errors, None),
    };
    let chrome = Chrome::new(&state, &session, "Audit log", "audit").await?;
    let query = typed.query();
    let link = |cursor: &str, id: i64| {
        if query.is_empty() {
            format!("{cursor}={id}")
        } else {
            format!("{query}&{cursor}={id}")
        }
    };
    let (rows, total, older, newer) = match &found {
        Some(AuditSearch { page, total }) => (
            page.items.iter().map(|e| Row::new(e, &names)).collect(),
            *total,
            page.older.map(|id| link("before", id)),
            page.newer.map(|id| link("after", id)),
        ),
        None => (Vec::new(), 0, None, None),
    };
    let bad = !errors.is_empty();
    let page = AuditLogPage {
        chrome,
        typed,
        errors,
        portals: portals.into_iter().map(|p| (p.id, p.name)).collect(),
        actions: ACTIONS,
        rows,
        total,
        older,
        newer,
    };
    let mut response = render(&page);
    if bad {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}
