//! A portal's settings, and the check of its custom domain.

use super::Pairs;
use crate::AppState;
use crate::admin::form::{FormPage, FormPost, PageContext, PageRequest};
use crate::admin::{
    AdminSession, Chrome, FormErrors, PageError, PageResult, form_checked, form_value, parse_id,
    redirect_with, render,
};
use askama::Template;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use portico_app::AppError;
use portico_domain::Id;
use portico_domain::portal::{
    IDLE_TIMEOUTS, Portal, PortalSettings, PortalStatus, PortalType, UserType,
};
use portico_domain::profile::User;
use serde_json::{Map, Value, json};

#[derive(Template)]
#[template(path = "admin/portal_settings.html")]
struct SettingsPage {
    chrome: Chrome,
    portal: Portal,
    settings: PortalSettings,
    /// The portal's address as its users open it.
    url: String,
    /// The address as typed (it may not be a valid one).
    slug_text: String,
    users: Vec<User>,
    types: Vec<UserType>,
    timeouts: Vec<(String, String, bool)>,
    errors: FormErrors,
    /// The logo, described ("image/png, 12 KB"), when there is one.
    logo: Option<String>,
}

/// The settings page: the saved settings, or the submitted changes over them.
struct SettingsForm {
    portal_id: Id,
    patch: Option<Map<String, Value>>,
}

fn timeout_choices(current: Option<i64>) -> Vec<(String, String, bool)> {
    let mut timeouts = vec![(String::new(), "Never".to_string(), current.is_none())];
    timeouts.extend(IDLE_TIMEOUTS.iter().map(|m| {
        let label = if *m < 60 {
            format!("{m} minutes")
        } else if *m == 60 {
            "1 hour".to_string()
        } else {
            format!("{} hours", m / 60)
        };
        (m.to_string(), label, current == Some(*m))
    }));
    timeouts
}

/// What was typed over the saved settings: every posted setting that can be held as a
/// setting at all is shown as typed, so a refused save loses nothing. (An address that is not
/// one is shown as typed through `slug_text`.)
fn shown_settings(saved: &PortalSettings, patch: Option<&Map<String, Value>>) -> PortalSettings {
    let mut shown = saved.clone();
    for (k, v) in patch.into_iter().flatten() {
        let mut merged = serde_json::to_value(&shown).unwrap_or(Value::Null);
        if let Value::Object(m) = &mut merged {
            m.insert(k.clone(), v.clone());
        }
        if let Ok(s) = serde_json::from_value(merged) {
            shown = s;
        }
    }
    shown
}

impl FormPage for SettingsForm {
    const CONFLICT_FIELD: Option<&'static str> = Some("slug");

    async fn render(self, cx: PageContext<'_>) -> PageResult {
        let (state, actor) = (cx.state, &cx.s.actor);
        let portal = portico_app::portals::portal(state, actor, self.portal_id).await?;
        let settings = shown_settings(&portal.settings, self.patch.as_ref());
        let slug_text = self
            .patch
            .as_ref()
            .and_then(|p| p.get("slug"))
            .and_then(Value::as_str)
            .map_or_else(|| settings.slug.to_string(), str::to_string);
        let users = portico_app::users::list_users(state, actor).await?;
        let types = portico_app::user_types::user_types(state, actor, portal.id).await?;
        let logo = portico_app::portal_branding::logo_for_admin(state, actor, portal.id)
            .await?
            .map(|(kind, bytes, _)| format!("{kind}, {} KB", bytes.div_ceil(1024)));
        let title = format!("{}: settings", portal.name);
        let url = format!("{}/p/{}/", state.config().base_url, portal.settings.slug);
        Ok(render(&SettingsPage {
            chrome: cx
                .chrome(&title, "setup-portals")
                .await?
                .with_trail(super::portal_trail(&portal)),
            timeouts: timeout_choices(settings.idle_timeout_minutes),
            portal,
            url,
            settings,
            slug_text,
            users,
            types,
            errors: cx.errors,
            logo,
        }))
    }
}

pub(super) async fn settings_page(Path(portal): Path<String>, page: PageRequest) -> PageResult {
    let portal_id = parse_id(&portal)?;
    page.show(SettingsForm {
        portal_id,
        patch: None,
    })
    .await
}

/// The settings form as the API's settings document.
fn posted_settings(pairs: &Pairs) -> Map<String, Value> {
    let text = |k: &str| Value::String(form_value(pairs, k).to_string());
    let opt_text = |k: &str| {
        Some(form_value(pairs, k).trim())
            .filter(|v| !v.is_empty())
            .map_or(Value::Null, |v| json!(v))
    };
    let ids = |k: &str| -> Value {
        pairs
            .iter()
            .filter(|(n, _)| n == k)
            .filter_map(|(_, v)| v.parse::<i64>().ok())
            .collect::<Vec<_>>()
            .into()
    };
    let number = |k: &str| {
        form_value(pairs, k)
            .parse::<i64>()
            .map_or(Value::Null, Value::from)
    };
    let mut m = Map::new();
    for k in ["status", "disabled_message", "slug", "portal_type"] {
        m.insert(k.into(), text(k));
    }
    for k in ["custom_domain", "ga_measurement_id", "accent_colour"] {
        m.insert(k.into(), opt_text(k));
    }
    for k in [
        "notify_applicant",
        "auto_approve_contacts",
        "allow_email_change",
        "enforce_mfa",
        "ga_terms_accepted",
    ] {
        m.insert(k.into(), json!(form_checked(pairs, k)));
    }
    m.insert(
        "signup_notify_user_ids".into(),
        ids("signup_notify_user_ids"),
    );
    m.insert(
        "default_user_type_id".into(),
        number("default_user_type_id"),
    );
    m.insert("default_owner_id".into(), number("default_owner_id"));
    m.insert(
        "idle_timeout_minutes".into(),
        number("idle_timeout_minutes"),
    );
    m.insert(
        "consent_text".into(),
        json!({
            "signup": form_value(pairs, "consent_signup"), "signin": form_value(pairs, "consent_signin"),
            "reset_password": form_value(pairs, "consent_reset_password"), "confirm_password": form_value(pairs, "consent_confirm_password"),
        }),
    );
    m
}

pub(super) async fn save(Path(portal): Path<String>, post: FormPost) -> PageResult {
    let portal_id = parse_id(&portal)?;
    let patch = posted_settings(&post.pairs);
    let result =
        portico_app::portals::update_portal(&post.state, &post.s.actor, portal_id, patch.clone())
            .await;
    let page = |_| SettingsForm {
        portal_id,
        patch: Some(patch),
    };
    post.submit(result, page, |_| {
        redirect_with(
            &format!("/admin/setup/portals/{portal_id}/settings"),
            "Portal settings saved",
        )
    })
    .await
}

pub(super) async fn verify_domain(Path(portal): Path<String>, post: FormPost) -> PageResult {
    let portal_id = parse_id(&portal)?;
    let back = format!("/admin/setup/portals/{portal_id}");
    match portico_app::portals::verify_domain(&post.state, &post.s.actor, portal_id).await {
        Ok(_) => Ok(redirect_with(
            &back,
            "Custom domain verified: the portal now answers on it",
        )),
        // A failed check is a failure, shown as one.
        Err(AppError::Invalid(d)) => Ok(crate::admin::redirect_with_problem(&back, &d.to_string())),
        Err(e) => Err(PageError(e)),
    }
}

/// The largest logo upload body: the 512 KB file and the form around it.
pub(super) const LOGO_BODY_LIMIT: usize = 600 * 1024;

/// Reads the logo form: its CSRF token and the file's bytes (bounded by the route's body
/// limit; the type is decided from the bytes, never from the name or the browser's claim).
async fn logo_form(mut multipart: Multipart) -> Result<(String, Vec<u8>), PageError> {
    let (mut csrf, mut bytes) = (String::new(), Vec::new());
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        PageError(crate::api::body_rejection(e.status(), e.body_text()))
    };
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("_csrf") => csrf = field.text().await.map_err(unreadable)?,
            Some("logo") => bytes = field.bytes().await.map_err(unreadable)?.to_vec(),
            _ => {}
        }
    }
    Ok((csrf, bytes))
}

/// Uploads the portal's logo; a refused file shows the settings page again with the reason.
pub(super) async fn upload_logo(
    State(state): State<AppState>,
    Path(portal): Path<String>,
    s: AdminSession,
    multipart: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let portal_id = parse_id(&portal)?;
    let multipart =
        multipart.map_err(|e| PageError(crate::api::body_rejection(e.status(), e.body_text())))?;
    let (csrf, bytes) = logo_form(multipart).await?;
    s.check_csrf(&[("_csrf".to_string(), csrf)])?;
    match portico_app::portal_branding::set_logo(&state, &s.actor, portal_id, &bytes).await {
        Ok(()) => Ok(redirect_with(
            &format!("/admin/setup/portals/{portal_id}/settings"),
            "Logo saved",
        )),
        Err(e @ AppError::Invalid(_)) => {
            let cx = PageContext::refused(&state, &s, FormErrors::from_error(e)?);
            let mut r = SettingsForm {
                portal_id,
                patch: None,
            }
            .render(cx)
            .await?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(PageError(e)),
    }
}

/// Removes the portal's logo.
pub(super) async fn remove_logo(Path(portal): Path<String>, post: FormPost) -> PageResult {
    let portal_id = parse_id(&portal)?;
    portico_app::portal_branding::remove_logo(&post.state, &post.s.actor, portal_id).await?;
    Ok(redirect_with(
        &format!("/admin/setup/portals/{portal_id}/settings"),
        "Logo removed",
    ))
}
