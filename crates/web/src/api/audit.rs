//! The audit log over the API (administrators): `GET /api/v1/audit`, filtered by portal, portal
//! user, record, action and time, newest first in keyset pages. The query parser is shared
//! with the admin audit page ([`parse_filter`]), so both take the same values.

use super::{ApiActor, ApiRoutes};
use crate::AppState;
use crate::error::{ApiResult, AppError};
use crate::present::rfc3339;
use axum::Json;
use axum::extract::{Query, State};
use portico_app::audit::{AuditFilter, PAGE_MAX, PortalUserFilter};
use portico_domain::error::{DomainError, FieldError};
use portico_domain::{Id, Millis};
use portico_store::{ActionFilter, AuditEntry};
use serde_json::{Value, json};
use std::collections::HashMap;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

pub fn routes() -> ApiRoutes {
    ApiRoutes::default().get("/api/v1/audit", list)
}

/// The query parameters the audit log takes.
pub(crate) const PARAMS: &[&str] = &[
    "portal",
    "portal_user",
    "module",
    "record",
    "action",
    "from",
    "to",
    "before",
    "after",
    "limit",
];
/// The longest address a portal user filter takes.
const EMAIL_MAX: usize = 254;
/// The longest module name or action a filter takes.
const NAME_MAX: usize = 100;

/// The filter a query names, or every problem with it (each naming its parameter). A blank
/// value is no filter. Times are epoch milliseconds, RFC 3339, or a date (`YYYY-MM-DD`, UTC):
/// `from` a date is its first instant, `to` a date takes the whole day.
pub(crate) fn parse_filter(
    params: &HashMap<String, String>,
) -> Result<AuditFilter, Vec<FieldError>> {
    let mut errors = Vec::new();
    let get = |name: &str| params.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    let mut id = |name: &str, what: &str| match get(name) {
        None => None,
        Some(v) => match parse_digits(v) {
            Some(id) => Some(id),
            None => {
                errors.push(FieldError::new(
                    name,
                    "invalid_number",
                    format!("{what} must be a whole number"),
                ));
                None
            }
        },
    };
    let portal = id("portal", "The portal");
    let record = id("record", "The record");
    let before = id("before", "The cursor");
    let after = id("after", "The cursor");
    let limit = id("limit", "The page size");
    if limit.is_some_and(|l| !(1..=PAGE_MAX).contains(&l)) {
        errors.push(FieldError::new(
            "limit",
            "out_of_range",
            format!("The page size is 1 to {PAGE_MAX}"),
        ));
    }
    let portal_user = get("portal_user").and_then(|v| {
        if let Some(id) = parse_digits(v) {
            Some(PortalUserFilter::Id(id))
        } else if v.len() <= EMAIL_MAX
            && v.contains('@')
            && !v.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            Some(PortalUserFilter::Email(v.to_string()))
        } else {
            errors.push(FieldError::new(
                "portal_user",
                "invalid_portal_user",
                "A portal user is an email address or a portal user's id",
            ));
            None
        }
    });
    let module = get("module").and_then(|v| {
        let ok = v.len() <= NAME_MAX && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if ok {
            Some(v.to_string())
        } else {
            errors.push(FieldError::new(
                "module",
                "invalid_module",
                "A module is named by its API name (letters, digits and _)",
            ));
            None
        }
    });
    let action = get("action").and_then(|v| match parse_action(v) {
        Some(a) => Some(a),
        None => {
            errors.push(FieldError::new(
                "action",
                "invalid_action",
                "An action is lower-case letters, digits, dots, - and _ (end it with . or * for every action that starts with it)",
            ));
            None
        }
    });
    let mut time = |name: &str, end_of_day: bool| match get(name) {
        None => None,
        Some(v) => match parse_time(v, end_of_day) {
            Some(t) => Some(t),
            None => {
                errors.push(FieldError::new(
                    name,
                    "invalid_time",
                    "A time is a date (YYYY-MM-DD, UTC), an RFC 3339 time or milliseconds since 1970",
                ));
                None
            }
        },
    };
    let from = time("from", false);
    let to = time("to", true);
    if let (Some(f), Some(t)) = (from, to)
        && t <= f
    {
        errors.push(FieldError::new(
            "to",
            "invalid_range",
            "The end must come after the start",
        ));
    }
    if errors.is_empty() {
        Ok(AuditFilter {
            portal,
            portal_user,
            module,
            record,
            action,
            from,
            to,
            before,
            after,
            limit,
        })
    } else {
        Err(errors)
    }
}

/// Digits only (what an id is); anything else, or a number past `i64`, is none.
fn parse_digits(v: &str) -> Option<Id> {
    if v.is_empty() || v.len() > 18 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse().ok()
}

/// `portal.mfa.enrol` is that action; `portal.mfa.` or `portal.mfa*` every action starting so.
fn parse_action(v: &str) -> Option<ActionFilter> {
    let v = v.to_ascii_lowercase();
    let (body, prefix) = match v.strip_suffix('*') {
        Some(body) => (body.to_string(), true),
        None => (v.clone(), v.ends_with('.')),
    };
    let ok = v.len() <= NAME_MAX
        && !body.is_empty()
        && body
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c));
    match (ok, prefix) {
        (false, _) => None,
        (true, true) => Some(ActionFilter::Prefix(body)),
        (true, false) => Some(ActionFilter::Exact(body)),
    }
}

/// An instant in epoch milliseconds from milliseconds, RFC 3339 or a UTC date (the day after,
/// for the end of a range given as a date).
fn parse_time(v: &str, end_of_day: bool) -> Option<Millis> {
    if let Some(ms) = parse_digits(v) {
        return Some(ms);
    }
    let instant = if let Ok(t) = OffsetDateTime::parse(v, &Rfc3339) {
        t
    } else {
        let date = Date::parse(v, format_description!("[year]-[month]-[day]")).ok()?;
        let date = if end_of_day { date.next_day()? } else { date };
        date.midnight().assume_utc()
    };
    i64::try_from(instant.unix_timestamp_nanos() / 1_000_000).ok()
}

/// An entry as the API answers it.
pub(crate) fn entry_json(e: &AuditEntry) -> Value {
    json!({
        "id": e.id,
        "at": rfc3339(e.at),
        "actor": e.actor,
        "action": e.action,
        "portal_id": e.portal_id,
        "portal_user_id": e.portal_user_id,
        "module": e.module,
        "record_id": e.record_id,
        "ip": e.ip,
        "detail": e.detail,
    })
}

async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    if let Some(unknown) = params.keys().find(|k| !PARAMS.contains(&k.as_str())) {
        return Err(AppError::invalid(
            unknown,
            "unknown_parameter",
            format!("Unknown query parameter {unknown}"),
        )
        .into());
    }
    let filter = parse_filter(&params).map_err(|e| AppError::Invalid(DomainError::Invalid(e)))?;
    let found = portico_app::audit::search(&state, &actor, &filter).await?;
    Ok(Json(json!({
        "items": found.page.items.iter().map(entry_json).collect::<Vec<_>>(),
        "count": found.total,
        "next": found.page.older.map(|n| n.to_string()),
        "previous": found.page.newer.map(|n| n.to_string()),
    })))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn times_are_millis_rfc3339_or_utc_dates() {
        assert_eq!(parse_time("1700000000000", false), Some(1_700_000_000_000));
        assert_eq!(parse_time("1970-01-02", false), Some(86_400_000));
        assert_eq!(parse_time("1970-01-01", true), Some(86_400_000));
        assert_eq!(parse_time("1970-01-01T01:00:00+01:00", false), Some(0));
        assert_eq!(parse_time("yesterday", false), None);
        assert_eq!(parse_time("99999999999999999999", false), None);
    }

    #[test]
    fn actions_are_exact_or_prefixes() {
        assert_eq!(
            parse_action("portal.mfa."),
            Some(ActionFilter::Prefix("portal.mfa.".into()))
        );
        assert_eq!(
            parse_action("Portal.MFA*"),
            Some(ActionFilter::Prefix("portal.mfa".into()))
        );
        assert_eq!(
            parse_action("portal.record.view"),
            Some(ActionFilter::Exact("portal.record.view".into()))
        );
        for bad in ["*", "a b", "a%", "x'--", &"a".repeat(101)] {
            assert_eq!(parse_action(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_bad_value_is_named() {
        let errors = parse_filter(&query(&[
            ("portal", "x"),
            ("portal_user", "nobody"),
            ("module", "Con tacts"),
            ("action", "%"),
            ("from", "2026-13-01"),
            ("limit", "500"),
        ]))
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["portal", "limit", "portal_user", "module", "action", "from"]
        );
        let range = parse_filter(&query(&[("from", "2026-02-02"), ("to", "2026-02-01")]));
        assert_eq!(range.unwrap_err()[0].code, "invalid_range");
        let fine = parse_filter(&query(&[
            ("portal_user", " ada@example.com "),
            ("record", "42"),
            ("to", ""),
        ]))
        .unwrap();
        assert_eq!(
            fine.portal_user,
            Some(PortalUserFilter::Email("ada@example.com".into()))
        );
        assert_eq!((fine.record, fine.to), (Some(42), None));
    }
}
