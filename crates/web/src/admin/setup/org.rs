//! Company settings.

use crate::admin::form::{FormPage, FormPost, PageContext, PageRequest};
use crate::admin::{Chrome, FormErrors, PageResult, redirect_with, render};
use askama::Template;
use portico_domain::org::{OrgSettings, TimeFormat};

#[derive(Template)]
#[template(path = "admin/setup_org.html")]
struct OrgPage {
    chrome: Chrome,
    org: OrgSettings,
    errors: FormErrors,
}

/// The settings form: the saved settings, or those just submitted.
struct OrgForm(Option<OrgSettings>);

impl FormPage for OrgForm {
    async fn render(self, cx: PageContext<'_>) -> PageResult {
        portico_app::require_admin(&cx.s.actor)?;
        let org = portico_app::org::org(cx.state, &cx.s.actor).await?;
        Ok(render(&OrgPage {
            chrome: cx.chrome("Company settings", "setup-org").await?,
            org: self.0.unwrap_or(org.settings),
            errors: cx.errors,
        }))
    }
}

pub(super) async fn show_org(page: PageRequest) -> PageResult {
    page.show(OrgForm(None)).await
}

pub(super) async fn update(post: FormPost) -> PageResult {
    let settings = OrgSettings {
        name: post.value("name").to_string(),
        email_domain: post.value("email_domain").to_string(),
        language: post.value("language").to_string(),
        time_format: TimeFormat::parse(post.value("time_format"))
            .unwrap_or(TimeFormat::TwentyFourHour),
        time_zone: post.value("time_zone").to_string(),
        country: post.value("country").to_string(),
        gdpr_consent_required: post.checked("gdpr_consent_required"),
    };
    let result = portico_app::org::update_org(&post.state, &post.s.actor, settings.clone()).await;
    post.submit(
        result,
        |_| OrgForm(Some(settings)),
        |_| redirect_with("/admin/setup/org", "Company settings saved"),
    )
    .await
}
