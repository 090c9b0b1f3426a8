//! Company settings.

use crate::admin::form::{FormPage, FormPost, PageContext, PageRequest};
use crate::admin::{Chrome, FormErrors, PageResult, redirect_with, render};
use askama::Template;
use portico_domain::countries::{COUNTRIES, country_name};
use portico_domain::org::{OrgSettings, TimeFormat};
use portico_portal::format::time_zones;
use portico_portal::i18n::LANGUAGES;

#[derive(Template)]
#[template(path = "admin/setup_org.html")]
struct OrgPage {
    chrome: Chrome,
    org: OrgSettings,
    errors: FormErrors,
    languages: &'static [(&'static str, &'static str)],
    known_language: bool,
    zones: Vec<String>,
    countries: &'static [(&'static str, &'static str)],
    known_country: bool,
}

/// The settings form: the saved settings, or those just submitted.
struct OrgForm(Option<OrgSettings>);

impl FormPage for OrgForm {
    async fn render(self, cx: PageContext<'_>) -> PageResult {
        portico_app::require_admin(&cx.s.actor)?;
        let org = portico_app::org::org(cx.state, &cx.s.actor).await?;
        let org = self.0.unwrap_or(org.settings);
        Ok(render(&OrgPage {
            chrome: cx.chrome("Company settings", "setup-org").await?,
            known_language: LANGUAGES.iter().any(|(code, _)| *code == org.language),
            known_country: country_name(&org.country).is_some(),
            org,
            errors: cx.errors,
            languages: LANGUAGES,
            zones: time_zones(),
            countries: COUNTRIES,
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
