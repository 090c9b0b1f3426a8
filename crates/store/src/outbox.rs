//! The outbox: every email the product sends, written in the transaction of the change that
//! causes it ([`Tx::enqueue_mail`]), then delivered by workers on any instance. A worker claims
//! due messages with a lease ([`Tx::claim_mail`]) — on PostgreSQL the pick skips rows another
//! claim holds (`FOR UPDATE SKIP LOCKED`), on SQLite the one writer claims alone — and reports
//! each outcome against its claim ([`Tx::mark_mail_sent`], [`Tx::mark_mail_failed`]). A claim is
//! named by the message id and its attempt number, so a worker whose lease ran out (and whose
//! message another worker claimed since) changes nothing.
//!
//! The org's mail log reads [`Tx::list_mail`] (keyset pages, newest first) and [`Tx::get_mail`].

use crate::error::StoreResult;
use crate::records::Page;
use crate::rows::{invalid, one, opt};
use crate::sql::{Dialect, Executor, Row, Val};
use crate::store::Tx;
use portico_domain::outbox::{
    AfterFailure, DeliveryRule, MailKind, MailState, NewMail, bounded_error,
};
use portico_domain::{Id, Millis};

/// A message as the mail log lists it: everything but its bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailSummary {
    pub id: Id,
    pub org_id: Id,
    pub kind: MailKind,
    pub recipient: String,
    pub language: String,
    pub subject: String,
    /// `<random@host>`, made once at enqueue and sent with every attempt.
    pub message_id: String,
    pub state: MailState,
    /// Attempts made so far (a claim counts as one).
    pub attempts: i64,
    /// Pending: when the next attempt is due. Sending: when the worker's lease ends.
    pub next_attempt_at: Millis,
    pub last_error: Option<String>,
    pub created_at: Millis,
    pub sent_at: Option<Millis>,
}

/// A whole message: its summary and both bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMail {
    pub summary: MailSummary,
    pub text: String,
    pub html: String,
}

/// Which messages a mail log page shows: newest first, after the cursor, optionally one state.
#[derive(Debug, Clone, Copy, Default)]
pub struct MailQuery {
    pub state: Option<MailState>,
    pub after: Option<Id>,
    pub limit: i64,
}

const SUMMARY_COLS: &str = "id, org_id, kind, recipient, language, subject, message_id, state, \
     attempts, next_attempt_at, last_error, created_at, sent_at";
const MAIL_COLS: &str = "id, org_id, kind, recipient, language, subject, message_id, state, \
     attempts, next_attempt_at, last_error, created_at, sent_at, body_text, body_html";

fn summary_from(r: &Row) -> StoreResult<MailSummary> {
    let unknown = |what: &str, value: String| {
        crate::error::StoreError::Backend(format!("unknown mail {what} {value:?}"))
    };
    let kind = r.text(2)?;
    let state = r.text(7)?;
    Ok(MailSummary {
        id: r.int(0)?,
        org_id: r.int(1)?,
        kind: MailKind::parse(&kind).ok_or_else(|| unknown("kind", kind))?,
        recipient: r.text(3)?,
        language: r.text(4)?,
        subject: r.text(5)?,
        message_id: r.text(6)?,
        state: MailState::parse(&state).ok_or_else(|| unknown("state", state))?,
        attempts: r.int(8)?,
        next_attempt_at: r.int(9)?,
        last_error: r.opt_text(10)?,
        created_at: r.int(11)?,
        sent_at: r.opt_int(12)?,
    })
}

fn mail_from(r: &Row) -> StoreResult<OutboxMail> {
    Ok(OutboxMail {
        summary: summary_from(r)?,
        text: r.text(13)?,
        html: r.text(14)?,
    })
}

/// The most messages one claim takes.
const CLAIM_MAX: i64 = 100;

impl Tx {
    /// Writes a message to the outbox, due at once. Call it in the transaction of the change
    /// that causes the message: both commit, or neither. `message_id` is the `Message-ID`
    /// header every attempt will carry (`<random@host>`).
    pub async fn enqueue_mail(
        &mut self,
        org: Id,
        mail: &NewMail,
        message_id: &str,
        now: Millis,
    ) -> StoreResult<OutboxMail> {
        if !(message_id.starts_with('<') && message_id.ends_with('>') && message_id.len() <= 255)
            || message_id
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(invalid(
                "message_id",
                "invalid_message_id",
                "A Message-ID is <id@host>, without spaces",
            ));
        }
        let row = one(
            &mut self.conn,
            &format!(
                "INSERT INTO outbox (org_id, kind, recipient, language, subject, body_text, \
                 body_html, message_id, state, attempts, next_attempt_at, created_at) \
                 SELECT id, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9, $9 FROM orgs WHERE id = $1 \
                 RETURNING {MAIL_COLS}"
            ),
            &[
                Val::Int(org),
                Val::from(mail.kind().as_str()),
                Val::from(mail.recipient().as_str()),
                Val::from(mail.language()),
                Val::from(mail.subject()),
                Val::from(mail.text()),
                Val::from(mail.html()),
                Val::from(message_id),
                Val::Int(now),
            ],
        )
        .await?;
        mail_from(&row)
    }

    /// A page of the org's messages, newest first, without their bodies.
    pub async fn list_mail(&mut self, org: Id, q: &MailQuery) -> StoreResult<Page<MailSummary>> {
        let limit = q.limit.clamp(1, 500);
        let mut params = vec![
            Val::Int(org),
            Val::Int(q.after.unwrap_or(i64::MAX)),
            Val::Int(limit + 1),
        ];
        let mut filter = "";
        if let Some(state) = q.state {
            params.push(Val::from(state.as_str()));
            filter = " AND state = $4";
        }
        let rows = self
            .conn
            .query(
                &format!(
                    "SELECT {SUMMARY_COLS} FROM outbox WHERE org_id = $1 AND id < $2{filter} \
                     ORDER BY id DESC LIMIT $3"
                ),
                &params,
            )
            .await?;
        let mut items = rows
            .iter()
            .map(summary_from)
            .collect::<StoreResult<Vec<_>>>()?;
        let more = items.len() > usize::try_from(limit).unwrap_or(usize::MAX);
        items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let next = if more {
            items.last().map(|m| m.id)
        } else {
            None
        };
        Ok(Page { items, next })
    }

    /// One of the org's messages with its bodies; another org's answers `NotFound`.
    pub async fn get_mail(&mut self, org: Id, id: Id) -> StoreResult<OutboxMail> {
        let row = one(
            &mut self.conn,
            &format!("SELECT {MAIL_COLS} FROM outbox WHERE org_id = $1 AND id = $2"),
            &[Val::Int(org), Val::Int(id)],
        )
        .await?;
        mail_from(&row)
    }

    /// Claims up to `limit` messages due at `now`, oldest due first, for one worker: each
    /// becomes `sending`, its attempt is counted, and it is leased until `now +
    /// rule.lease_ms` — a worker that dies leaves it due again then (at-least-once). Messages
    /// whose lease ran out on their last attempt fail instead of being claimed again. Several
    /// workers claiming at once never take the same message: on PostgreSQL the pick skips rows
    /// another claim has locked; SQLite has one writer. Acts for every org (the worker serves
    /// the instance).
    pub async fn claim_mail(
        &mut self,
        rule: &DeliveryRule,
        now: Millis,
        limit: i64,
    ) -> StoreResult<Vec<OutboxMail>> {
        let max_attempts = rule.max_attempts.max(1);
        // PostgreSQL: the pick locks its rows and skips rows another claim holds, and runs once
        // (an `ARRAY(…)` subquery is an init plan; an `IN (…)` could be run again by the planner
        // and pick more rows than its limit). SQLite's one writer needs neither.
        let (pick, skip_locked, end) = match self.conn.dialect() {
            Dialect::Sqlite => ("IN (", "", ")"),
            Dialect::Postgres => ("= ANY(ARRAY(", " FOR UPDATE SKIP LOCKED", "))"),
        };
        self.conn
            .execute(
                &format!(
                    "UPDATE outbox SET state = 'failed', last_error = $3 WHERE id {pick}\
                     SELECT id FROM outbox WHERE state = 'sending' AND next_attempt_at <= $1 \
                     AND attempts >= $2{skip_locked}{end}"
                ),
                &[
                    Val::Int(now),
                    Val::Int(max_attempts),
                    Val::from(
                        "The last attempt was interrupted (the server stopped while sending) \
                         and no attempts are left",
                    ),
                ],
            )
            .await?;
        let rows = self
            .conn
            .query(
                &format!(
                    "UPDATE outbox SET state = 'sending', attempts = attempts + 1, \
                     next_attempt_at = $2 WHERE id {pick}\
                     SELECT id FROM outbox WHERE state IN ('pending', 'sending') \
                     AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $3{skip_locked}{end} \
                     RETURNING {MAIL_COLS}"
                ),
                &[
                    Val::Int(now),
                    Val::Int(now.saturating_add(rule.lease_ms.max(1))),
                    Val::Int(limit.clamp(1, CLAIM_MAX)),
                ],
            )
            .await?;
        let mut claimed = rows
            .iter()
            .map(mail_from)
            .collect::<StoreResult<Vec<_>>>()?;
        claimed.sort_by_key(|m| (m.summary.created_at, m.summary.id));
        Ok(claimed)
    }

    /// Records that attempt `attempt` of message `id` was accepted by the SMTP server. Answers
    /// false (and changes nothing) when that claim is no longer current: its lease ran out and
    /// another worker claimed the message since.
    pub async fn mark_mail_sent(&mut self, id: Id, attempt: i64, now: Millis) -> StoreResult<bool> {
        let n = self
            .conn
            .execute(
                "UPDATE outbox SET state = 'sent', sent_at = $3, last_error = NULL \
                 WHERE id = $1 AND attempts = $2 AND state = 'sending'",
                &[Val::Int(id), Val::Int(attempt), Val::Int(now)],
            )
            .await?;
        Ok(n > 0)
    }

    /// Records that attempt `attempt` of message `id` failed with `error` (kept on one line,
    /// bounded): due again after the rule's backoff, or `failed` for good when the error is
    /// permanent or that was the last attempt. Answers the state it left the message in, or
    /// `None` when that claim is no longer current.
    pub async fn mark_mail_failed(
        &mut self,
        id: Id,
        attempt: i64,
        error: &str,
        permanent: bool,
        rule: &DeliveryRule,
        now: Millis,
    ) -> StoreResult<Option<MailState>> {
        let (state, next) = match rule.after_failure(attempt, permanent, now) {
            AfterFailure::RetryAt(at) => (MailState::Pending, at),
            AfterFailure::GiveUp => (MailState::Failed, now),
        };
        let row = opt(
            &mut self.conn,
            "UPDATE outbox SET state = $3, next_attempt_at = $4, last_error = $5 \
             WHERE id = $1 AND attempts = $2 AND state = 'sending' RETURNING id",
            &[
                Val::Int(id),
                Val::Int(attempt),
                Val::from(state.as_str()),
                Val::Int(next),
                Val::from(bounded_error(error)),
            ],
        )
        .await?;
        Ok(row.map(|_| state))
    }
}
