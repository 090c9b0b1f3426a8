//! The mail log: every message of the org's outbox, newest first (filter by state, keyset
//! pages), one message with both bodies, and "Send a test email". The HTML body is never put
//! into the page: it is shown in a sandboxed frame (no scripts, no same origin, the page's CSP
//! inherited) and as escaped source.

use crate::admin::form::{FormPost, PageRequest};
use crate::admin::{Chrome, PageResult, parse_id, parse_opt_id, redirect_with, render};
use crate::present::human_time;
use askama::Template;
use axum::extract::{Path, Query};
use portico_app::mail::MailPage;
use portico_domain::outbox::MailState;
use portico_store::{MailSummary, OutboxMail};
use serde::Deserialize;

/// A message as a row or a header of the mail log.
struct MailRow {
    id: i64,
    recipient: String,
    subject: String,
    state: &'static str,
    attempts: i64,
    created: String,
    sent: String,
    /// Pending or sending: when it is next due (or its claim ends).
    due: String,
    last_error: String,
    kind: &'static str,
    message_id: String,
    language: String,
}

impl MailRow {
    fn new(m: &MailSummary) -> Self {
        let due = matches!(m.state, MailState::Pending | MailState::Sending);
        Self {
            id: m.id,
            recipient: m.recipient.clone(),
            subject: m.subject.clone(),
            state: m.state.as_str(),
            attempts: m.attempts,
            created: human_time(m.created_at),
            sent: m.sent_at.map(human_time).unwrap_or_default(),
            due: if due {
                human_time(m.next_attempt_at)
            } else {
                String::new()
            },
            last_error: m.last_error.clone().unwrap_or_default(),
            kind: m.kind.as_str(),
            message_id: m.message_id.clone(),
            language: m.language.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/mail_log.html")]
struct MailLogPage {
    chrome: Chrome,
    rows: Vec<MailRow>,
    /// The state filter's value ("" for all).
    state: &'static str,
    states: &'static [MailState],
    next: Option<i64>,
    paged: bool,
    delivery: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/mail_detail.html")]
struct MailDetailPage {
    chrome: Chrome,
    mail: MailRow,
    text: String,
    html: String,
}

#[derive(Deserialize)]
pub(super) struct LogQuery {
    state: Option<String>,
    after: Option<String>,
}

pub(super) async fn list(Query(q): Query<LogQuery>, req: PageRequest) -> PageResult {
    let after = parse_opt_id(q.after.as_deref())?;
    // An unknown state shows every message, as the filter's "All" does.
    let state = q.state.as_deref().and_then(MailState::parse);
    let page = MailPage {
        state,
        after,
        limit: None,
    };
    let found = portico_app::mail::list_mail(&req.state, &req.s.actor, page).await?;
    let chrome = req.chrome("Mail log", "setup-mail").await?;
    Ok(render(&MailLogPage {
        chrome,
        rows: found.items.iter().map(MailRow::new).collect(),
        state: state.map_or("", MailState::as_str),
        states: MailState::ALL,
        next: found.next,
        paged: after.is_some(),
        delivery: req.state.config().mail_delivery.clone(),
    }))
}

pub(super) async fn show(Path(id): Path<String>, req: PageRequest) -> PageResult {
    let OutboxMail {
        summary,
        text,
        html,
    } = portico_app::mail::get_mail(&req.state, &req.s.actor, parse_id(&id)?).await?;
    let chrome = req.chrome(&summary.subject, "setup-mail").await?;
    Ok(render(&MailDetailPage {
        chrome,
        mail: MailRow::new(&summary),
        text,
        html,
    }))
}

pub(super) async fn send_test(post: FormPost) -> PageResult {
    let queued = portico_app::mail::send_test_email(&post.state, &post.s.actor).await?;
    let notice = if post.state.config().mail_delivery.is_some() {
        format!("Test email to {} is on its way", queued.recipient)
    } else {
        format!(
            "Test email to {} written to the outbox; no SMTP server is configured, so it stays pending",
            queued.recipient
        )
    };
    Ok(redirect_with("/admin/setup/mail", &notice))
}
