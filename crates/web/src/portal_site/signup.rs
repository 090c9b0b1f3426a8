//! Sign-up pages (`portico_app::signups`): `sign-up` on public and restricted portals (a
//! private portal has no such page: 404), and `verify/{token}`, the link of the verification
//! email. The answer to a sign-up is the same whether or not the address has an account.

use super::accounts::link_invalid;
use super::home::has_signup;
use super::session::{anonymous_form, form_token_ok, session_secret, set_session};
use super::{Site, not_found, page};
use crate::AppState;
use crate::admin::{FormErrors, PageError, form_rejection};
use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portico_app::AppError;
use portico_app::portal_mfa::SignInStep;
use portico_app::signups::{self, SignUpForm, SignUpOutcome};
use portico_domain::portal::PortalType;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "portal/sign_up.html")]
struct SignUpPage<'a> {
    site: &'a Site,
    restricted: bool,
    name: &'a str,
    email: &'a str,
    csrf: &'a str,
    errors: FormErrors,
    error: Option<&'static str>,
    /// After a refused submit the name is there: the password comes next.
    password_focus: bool,
}

#[derive(Template)]
#[template(path = "portal/sign_up_sent.html")]
struct SentPage<'a> {
    site: &'a Site,
    /// Message ids.
    title: &'static str,
    paragraphs: &'static [&'static str],
}

#[derive(Template)]
#[template(path = "portal/verified.html")]
struct VerifiedPage<'a> {
    site: &'a Site,
    name: &'a str,
}

/// What the form shows again: never the passwords.
struct Shown<'a> {
    name: &'a str,
    email: &'a str,
}

fn sign_up_form(
    state: &AppState,
    site: &Site,
    headers: &HeaderMap,
    shown: Shown<'_>,
    status: StatusCode,
    errors: FormErrors,
    error: Option<&'static str>,
) -> Response {
    let form = anonymous_form(state, site, headers, |csrf| {
        page(
            status,
            &SignUpPage {
                site,
                restricted: site.portal.settings.portal_type == PortalType::Restricted,
                name: shown.name,
                email: shown.email,
                csrf,
                password_focus: !shown.name.is_empty(),
                errors,
                error,
            },
        )
    });
    super::branding::with_analytics(site, form)
}

pub(crate) async fn sign_up_page(
    State(state): State<AppState>,
    site: Site,
    headers: HeaderMap,
) -> Response {
    if !has_signup(&site) {
        return not_found();
    }
    let shown = Shown {
        name: "",
        email: "",
    };
    sign_up_form(
        &state,
        &site,
        &headers,
        shown,
        StatusCode::OK,
        FormErrors::default(),
        None,
    )
}

#[derive(Deserialize)]
pub(crate) struct SignUpPost {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

pub(crate) async fn sign_up(
    State(state): State<AppState>,
    site: Site,
    headers: HeaderMap,
    form: Result<Form<SignUpPost>, FormRejection>,
) -> Response {
    if !has_signup(&site) {
        return not_found();
    }
    let form = match form {
        Ok(Form(f)) => f,
        Err(e) => return form_rejection(e),
    };
    let shown = Shown {
        name: &form.name,
        email: &form.email,
    };
    if !form_token_ok(&headers, &form.csrf) {
        let error = Some("signup-expired");
        let status = StatusCode::FORBIDDEN;
        return sign_up_form(
            &state,
            &site,
            &headers,
            shown,
            status,
            FormErrors::default(),
            error,
        );
    }
    let input = SignUpForm {
        name: form.name.clone(),
        email: form.email.clone(),
        password: form.password.clone(),
        confirm: form.confirm.clone(),
    };
    match signups::sign_up(&state, &site.portal, input).await {
        Ok(SignUpOutcome::CheckYourEmail) => page(
            StatusCode::OK,
            &SentPage {
                site: &site,
                title: "signup-sent-title",
                paragraphs: &["signup-sent-link", "signup-sent-spam"],
            },
        ),
        Ok(SignUpOutcome::AwaitingApproval) => page(
            StatusCode::OK,
            &SentPage {
                site: &site,
                title: "signup-thanks-title",
                paragraphs: &["signup-thanks-text"],
            },
        ),
        Err(AppError::NotFound) => not_found(),
        Err(AppError::TooManyAttempts) => sign_up_form(
            &state,
            &site,
            &headers,
            shown,
            StatusCode::TOO_MANY_REQUESTS,
            FormErrors::default(),
            Some("signup-too-many"),
        ),
        Err(e) => match FormErrors::from_error(e).map(|e| site.translate(e)) {
            Ok(errors) => {
                let status = if errors.general().is_empty() {
                    StatusCode::UNPROCESSABLE_ENTITY
                } else {
                    StatusCode::CONFLICT
                };
                sign_up_form(&state, &site, &headers, shown, status, errors, None)
            }
            Err(e) => e.into_response(),
        },
    }
}

#[derive(Template)]
#[template(path = "portal/verify_confirm.html")]
struct ConfirmPage<'a> {
    site: &'a Site,
    email: &'a str,
    /// Where the button posts: this same link.
    action: String,
    csrf: &'a str,
}

/// Opens the verification link: a page that asks to confirm, nothing more. Opening a link is
/// not consent — mail scanners and link previews open links too — so the account is activated
/// only by the button's POST. A dead link is the one page every dead link shows.
pub(crate) async fn verify_page(
    State(state): State<AppState>,
    site: Site,
    Path((_, token)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    match portico_app::portal_accounts::verification(&state, &site.portal, &token).await {
        Ok(Some(user)) => {
            let site = &site.for_account(&user.preferences.language);
            anonymous_form(&state, site, &headers, |csrf| {
                page(
                    StatusCode::OK,
                    &ConfirmPage {
                        site,
                        email: &user.email,
                        action: site.link(&format!("verify/{token}")),
                        csrf,
                    },
                )
            })
        }
        Ok(None) => link_invalid(&site),
        Err(e) => PageError(e).into_response(),
    }
}

#[derive(Deserialize)]
pub(crate) struct ConfirmPost {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

/// The confirmation: the account is activated and signed in. The answer is a page with a link
/// onwards rather than a redirect, as for the sign-in pages. A dead link is the one page
/// every dead link shows.
pub(crate) async fn verify(
    State(state): State<AppState>,
    site: Site,
    Path((_, token)): Path<(String, String)>,
    headers: HeaderMap,
    form: Result<Form<ConfirmPost>, FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(f)) => f,
        Err(e) => return form_rejection(e),
    };
    if !form_token_ok(&headers, &form.csrf) {
        return super::session::form_expired();
    }
    let old = session_secret(&headers);
    match signups::verify_email(&state, &site.portal, &token, old.as_deref()).await {
        Ok(SignInStep::SignedIn { session, user }) => {
            let mut r = page(
                StatusCode::OK,
                &VerifiedPage {
                    site: &site,
                    name: &user.name,
                },
            );
            set_session(&mut r, &state, &site, &session);
            r
        }
        // The portal enforces MFA: the new account sets it up before anything else.
        Ok(step) => super::mfa::continue_sign_in(&state, &site, step, super::mfa::Then::Welcome),
        Err(AppError::NotFound) => link_invalid(&site),
        Err(e) => PageError(e).into_response(),
    }
}
