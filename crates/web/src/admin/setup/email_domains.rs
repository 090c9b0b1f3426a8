//! Blocked email domains: the org's own list of domains portal invitations and sign-ups refuse,
//! beside the shipped list of disposable-address services that is always refused.

use crate::admin::form::{FormPage, FormPost, PageContext, PageRequest};
use crate::admin::{Chrome, FormErrors, PageResult, Posted, redirect_with, render};
use crate::present::human_time;
use askama::Template;

const PATH: &str = "/admin/setup/email-domains";

/// The largest form body these pages take: a CSRF token and a domain need a few hundred bytes.
pub(super) const BODY_LIMIT: usize = 4 * 1024;

/// One row of the list, as the page shows it.
struct Row {
    domain: String,
    created_by: String,
    created: String,
}

#[derive(Template)]
#[template(path = "admin/setup_email_domains.html")]
struct EmailDomainsPage {
    chrome: Chrome,
    blocked: Vec<Row>,
    /// How many domains the shipped disposable list holds.
    disposable: usize,
    errors: FormErrors,
    form: Posted,
}

/// The page, showing what was typed into its add form.
#[derive(Default)]
struct EmailDomainsForm(Posted);

impl FormPage for EmailDomainsForm {
    async fn render(self, cx: PageContext<'_>) -> PageResult {
        let blocked = portico_app::email_domains::list_blocked(cx.state, &cx.s.actor)
            .await?
            .into_iter()
            .map(|b| Row {
                created: human_time(b.created_at),
                domain: b.domain,
                created_by: b.created_by,
            })
            .collect();
        Ok(render(&EmailDomainsPage {
            chrome: cx
                .chrome("Blocked email domains", "setup-email-domains")
                .await?,
            blocked,
            disposable: portico_domain::email_domains::disposable_count(),
            errors: cx.errors,
            form: self.0,
        }))
    }
}

pub(super) async fn list(page: PageRequest) -> PageResult {
    page.show(EmailDomainsForm::default()).await
}

pub(super) async fn block(post: FormPost) -> PageResult {
    let result =
        portico_app::email_domains::block_domain(&post.state, &post.s.actor, post.value("domain"))
            .await;
    post.submit(result, EmailDomainsForm, |b| {
        redirect_with(PATH, &format!("{} is blocked", b.domain))
    })
    .await
}

pub(super) async fn unblock(post: FormPost) -> PageResult {
    let domain = post.value("domain").to_string();
    portico_app::email_domains::unblock_domain(&post.state, &post.s.actor, &domain).await?;
    Ok(redirect_with(
        PATH,
        &format!("{domain} is no longer blocked"),
    ))
}
