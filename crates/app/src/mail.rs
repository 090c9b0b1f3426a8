//! Email as use cases: writing a message to the outbox inside the caller's transaction
//! ([`enqueue`], for every use case that sends mail), the administrator's test email, and the
//! mail log (the org's outbox, newest first). Delivery is `crate::mail_delivery`.
//!
//! Links in emails are built from the configured base URL ([`Settings::base_url`]), never from
//! a request; so is the right-hand side of every Message-ID.
//!
//! [`Settings::base_url`]: crate::Settings

use crate::audit::audit;
use crate::{AppError, Context, Result, require_admin};
use portico_auth::random_token;
use portico_domain::Id;
use portico_domain::access::CrmActor;
use portico_domain::outbox::{MailKind, MailState, NewMail};
use portico_store::{MailQuery, MailSummary, OutboxMail, Page, Tx};
use serde_json::json;

/// The most messages one page of the mail log holds.
pub const PAGE_MAX: i64 = 200;
/// A mail log page when the caller names no size.
pub const PAGE_DEFAULT: i64 = 50;

/// The mail log's path, for links in emails and pages.
pub const MAIL_LOG_PATH: &str = "/admin/setup/mail";

/// A new Message-ID: 256 random bits at the configured host, `<hex@host>`.
fn message_id(ctx: &Context) -> Result<String> {
    let random = random_token().map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(format!("<{random}@{}>", ctx.settings().base_url.host()))
}

/// Writes `mail` to `org`'s outbox inside `tx`, so it commits or rolls back with the change
/// that causes it. Call [`wake_delivery`] after the commit.
pub(crate) async fn enqueue(
    tx: &mut Tx,
    ctx: &Context,
    org: Id,
    mail: &NewMail,
) -> Result<OutboxMail> {
    let id = message_id(ctx)?;
    Ok(tx.enqueue_mail(org, mail, &id, ctx.now()).await?)
}

/// Writes a rendered email of `kind` to `to` into `org`'s outbox inside `tx` (see [`enqueue`]);
/// answers its id.
pub(crate) async fn enqueue_rendered(
    tx: &mut Tx,
    ctx: &Context,
    org: Id,
    kind: MailKind,
    to: &str,
    rendered: portico_mail::templates::Rendered,
) -> Result<Id> {
    let mail = NewMail::new(
        kind,
        to,
        &rendered.language,
        &rendered.subject,
        &rendered.text,
        &rendered.html,
    )?;
    Ok(enqueue(tx, ctx, org, &mail).await?.summary.id)
}

/// Tells this instance's delivery worker that mail was committed (other instances find it at
/// their next poll).
pub(crate) fn wake_delivery(ctx: &Context) {
    ctx.mail_waiting().notify_one();
}

/// "Send a test email": a message to the signed-in administrator's own address, written to the
/// outbox with its audit row. It shows whether mail from this instance arrives, and how it
/// looks; without SMTP configured it stays pending in the mail log.
pub async fn send_test_email(ctx: &Context, actor: &CrmActor) -> Result<MailSummary> {
    require_admin(actor)?;
    let org = actor.user.org_id;
    let mut tx = ctx.store().transaction().await?;
    let settings = tx.get_org(org).await?.settings;
    let rendered = portico_mail::templates::test_mail(
        &settings.name,
        &actor.user.name,
        &ctx.settings().base_url.link(MAIL_LOG_PATH),
        &settings.language,
    )
    .map_err(|e| AppError::Internal(format!("the test email's template failed: {e}")))?;
    let mail = NewMail::new(
        MailKind::Test,
        actor.user.email.as_str(),
        &rendered.language,
        &rendered.subject,
        &rendered.text,
        &rendered.html,
    )?;
    let queued = enqueue(&mut tx, ctx, org, &mail).await?;
    audit(
        &mut tx,
        actor,
        ctx.now(),
        "mail.test",
        json!({"mail_id": queued.summary.id, "recipient": queued.summary.recipient}),
    )
    .await?;
    tx.commit().await?;
    wake_delivery(ctx);
    Ok(queued.summary)
}

/// Which page of the mail log to show.
#[derive(Debug, Clone, Copy, Default)]
pub struct MailPage {
    pub state: Option<MailState>,
    pub after: Option<Id>,
    pub limit: Option<i64>,
}

impl MailPage {
    fn query(self) -> Result<MailQuery> {
        let limit = self.limit.unwrap_or(PAGE_DEFAULT);
        if !(1..=PAGE_MAX).contains(&limit) {
            return Err(AppError::invalid(
                "limit",
                "out_of_range",
                format!("limit is between 1 and {PAGE_MAX}"),
            ));
        }
        Ok(MailQuery {
            state: self.state,
            after: self.after,
            limit,
        })
    }
}

/// A page of the org's outbox, newest first (administrators only).
pub async fn list_mail(
    ctx: &Context,
    actor: &CrmActor,
    page: MailPage,
) -> Result<Page<MailSummary>> {
    require_admin(actor)?;
    let query = page.query()?;
    Ok(ctx.store().list_mail(actor.user.org_id, &query).await?)
}

/// One message of the org's outbox with its bodies (administrators only); another org's
/// answers `NotFound`, like a missing one.
pub async fn get_mail(ctx: &Context, actor: &CrmActor, id: Id) -> Result<OutboxMail> {
    require_admin(actor)?;
    Ok(ctx.store().get_mail(actor.user.org_id, id).await?)
}

/// A page of an org's outbox, for the operator's CLI.
pub async fn org_mail(ctx: &Context, org: Id, page: MailPage) -> Result<Page<MailSummary>> {
    let query = page.query()?;
    ctx.store().get_org(org).await?;
    Ok(ctx.store().list_mail(org, &query).await?)
}
