//! How domain values look in JSON answers and on pages.

mod records;

pub use records::{RecordJson, record_json, record_list_body};

use portico_app::modules::ModuleDetail;
use portico_domain::Millis;
use portico_domain::module::Module;
use portico_domain::portal::SeatGrant;
use portico_domain::profile::{Profile, User};
use portico_domain::record::Record;
use portico_domain::webtab::WebTab;
use portico_store::{BlockedEmailDomain, MailSummary, OutboxMail};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Text made safe to place in HTML, with askama's own escaper: for the few answers written
/// without a template (fallbacks when a template fails to render).
pub fn escape_html(text: &str) -> String {
    match askama::filters::escape(text, askama::filters::Html) {
        Ok(safe) => safe.to_string(),
        Err(never) => match never {},
    }
}

/// Milliseconds since the epoch as an RFC 3339 UTC timestamp (`2025-06-15T15:06:40.1Z`), or
/// `""` outside RFC 3339's years.
pub fn rfc3339(ms: Millis) -> String {
    let mut out = Vec::with_capacity(24);
    write_rfc3339(&mut out, ms);
    String::from_utf8(out).unwrap_or_default()
}

/// [`rfc3339`] appended to `out`, without a `String` of its own (a records list writes two per
/// record); nothing outside RFC 3339's years.
pub fn write_rfc3339(out: &mut Vec<u8>, ms: Millis) {
    let start = out.len();
    let written = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .map(|t| t.format_into(out, &Rfc3339));
    if !matches!(written, Some(Ok(_))) {
        out.truncate(start);
    }
}

/// Milliseconds since the epoch as `2026-11-23 19:11 UTC`, for pages.
pub fn human_time(ms: Millis) -> String {
    let s = rfc3339(ms);
    match (s.get(..10), s.get(11..16)) {
        (Some(d), Some(t)) => format!("{d} {t} UTC"),
        _ => s,
    }
}

/// A record's entity tag: its version, quoted (RFC 9110 strong validator).
pub fn etag(r: &Record) -> String {
    format!("\"{}\"", r.version)
}

pub fn module_summary(m: &Module) -> Value {
    json!({
        "api_name": m.api_name,
        "label": m.label,
        "kind": m.kind,
        "sharing": m.sharing,
    })
}

pub fn module_json(d: &ModuleDetail) -> Value {
    json!({
        "api_name": d.module.api_name,
        "label": d.module.label,
        "kind": d.module.kind,
        "sharing": d.module.sharing,
        "name_fields": d.module.name_fields,
        "canvas_template": d.module.canvas_template,
        "fields": d.fields.iter().map(|f| {
            let mut v = serde_json::to_value(f).unwrap_or(Value::Null);
            if let Value::Object(o) = &mut v {
                o.remove("module_id");
                o.remove("position");
            }
            v
        }).collect::<Vec<_>>(),
        "layouts": d.layouts.iter().map(|l| json!({"id": l.id, "name": l.name, "sections": l.sections})).collect::<Vec<_>>(),
    })
}

pub fn user_json(u: &User) -> Value {
    json!({
        "id": u.id,
        "email": u.email,
        "name": u.name,
        "profile_id": u.profile_id,
        "super_admin": u.super_admin,
        "active": u.active,
    })
}

/// A web tab without its org: the caller's org is the only one it can see.
pub fn web_tab_json(t: &WebTab) -> Value {
    json!({"id": t.id, "name": t.name, "url": t.url})
}

/// An entry of the org's email domain block list.
pub fn blocked_domain_json(b: &BlockedEmailDomain) -> Value {
    json!({"domain": b.domain, "created_by": b.created_by, "created_at": rfc3339(b.created_at)})
}

/// A seat grant, its time in RFC 3339 like every other timestamp.
pub fn seat_grant_json(g: &SeatGrant) -> Value {
    json!({
        "id": g.id,
        "seats": g.seats,
        "granted_by": g.granted_by,
        "note": g.note,
        "granted_at": rfc3339(g.granted_at),
    })
}

/// An API token as the API lists it: its public id and dates, never the secret.
pub fn api_token_json(t: &portico_store::ApiToken) -> Value {
    json!({
        "id": t.id,
        "user_id": t.user_id,
        "label": t.label,
        "created_at": rfc3339(t.created_at),
        "expires_at": rfc3339(t.expires_at),
        "last_used_at": t.last_used_at.map(rfc3339),
    })
}

pub fn profile_json(p: &Profile) -> Value {
    json!({"id": p.id, "name": p.name, "scope": p.scope, "permissions": p.permissions})
}

/// A message of the outbox as the API lists it: everything but its bodies. `next_attempt_at`
/// is null once the message is sent or has failed for good.
pub fn mail_summary_json(m: &MailSummary) -> Value {
    use portico_domain::outbox::MailState;
    let due = matches!(m.state, MailState::Pending | MailState::Sending);
    json!({
        "id": m.id,
        "kind": m.kind.as_str(),
        "recipient": m.recipient,
        "language": m.language,
        "subject": m.subject,
        "message_id": m.message_id,
        "state": m.state.as_str(),
        "attempts": m.attempts,
        "next_attempt_at": due.then(|| rfc3339(m.next_attempt_at)),
        "last_error": m.last_error,
        "created_at": rfc3339(m.created_at),
        "sent_at": m.sent_at.map(rfc3339),
    })
}

/// One message with its text and HTML bodies.
pub fn mail_json(m: &OutboxMail) -> Value {
    let mut v = mail_summary_json(&m.summary);
    if let Value::Object(o) = &mut v {
        o.insert("text".into(), json!(m.text));
        o.insert("html".into(), json!(m.html));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_750_000_000_120), "2025-06-15T15:06:40.12Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(human_time(1_700_000_000_000), "2023-11-14 22:13 UTC");
        // Past year 9999 there is no RFC 3339 timestamp, and nothing is left half-written.
        assert_eq!(rfc3339(253_402_300_800_000), "");
        let mut out = b"x".to_vec();
        write_rfc3339(&mut out, i64::MAX);
        assert_eq!(out, b"x");
    }

    #[test]
    fn html_escaping() {
        assert_eq!(
            escape_html(r#"<a href="x">'&'</a>"#),
            "&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;"
        );
    }
}
