//! Two-step verification in the portal's pages: the code step of a sign-in
//! (`sign-in/code`), the enrolment a portal that enforces MFA asks for at sign-in
//! (`sign-in/enrol`), and the account's own page (`account/mfa`: set up, new recovery codes,
//! switch off). The use cases are `portico_app::portal_mfa`.
//!
//! Between the password and the code the browser holds only the challenge cookie (HttpOnly,
//! `SameSite=Strict`, five minutes); it opens no page but these two. The QR code is drawn on
//! the server as SVG, inline in the page (nothing is loaded from elsewhere), with the secret
//! beside it as text for apps without a camera.

use super::session::{
    SignedIn, anonymous_form, challenge_secret, clear_challenge, form_expired, form_token_ok,
    session_csrf_ok, session_secret, set_challenge, set_session,
};
use super::{PortalForm, Site, page};
use crate::AppState;
use crate::admin::{FormErrors, PageError, form_value, see_other};
use crate::middleware::ClientIp;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portico_app::AppError;
use portico_app::portal_mfa::{self, Enrolment, SignInStep};
use serde::Deserialize;

/// Where a sign-in goes once the password (or a password link) is accepted: signed in to
/// `next`, or on to the code or the enrolment.
pub(crate) fn continue_sign_in(
    state: &AppState,
    site: &Site,
    step: SignInStep,
    next: Then,
) -> Response {
    match step {
        SignInStep::SignedIn { session, .. } => {
            let mut r = see_other(&next.path(site));
            set_session(&mut r, state, site, &session);
            clear_challenge(&mut r, state, site);
            r
        }
        SignInStep::Code { challenge } => {
            let mut r = see_other(&site.link("sign-in/code"));
            set_challenge(&mut r, state, site, &challenge);
            r
        }
        SignInStep::Enrol { challenge } => {
            let mut r = see_other(&site.link(&format!("sign-in/enrol?then={}", next.name())));
            set_challenge(&mut r, state, site, &challenge);
            r
        }
    }
}

/// The page after a sign-in: the portal's home, or the preferences after an invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Then {
    Home,
    Welcome,
}

impl Then {
    fn parse(text: Option<&str>) -> Self {
        match text {
            Some("welcome") => Self::Welcome,
            _ => Self::Home,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Home => "home",
            Self::Welcome => "welcome",
        }
    }

    fn path(self, site: &Site) -> String {
        match self {
            Self::Home => site.base.clone(),
            Self::Welcome => site.link("welcome"),
        }
    }
}

/// The enrolment's QR code as inline SVG (empty when the URI is too long for a QR code, which
/// leaves the secret as text).
fn qr_svg(uri: &str) -> String {
    use qrcode::render::svg;
    match qrcode::QrCode::new(uri.as_bytes()) {
        Ok(code) => {
            let image = code
                .render::<svg::Color<'_>>()
                .min_dimensions(220, 220)
                .quiet_zone(true)
                .build();
            image
                .find("<svg")
                .map(|at| image[at..].to_string())
                .unwrap_or_default()
        }
        Err(_) => String::new(),
    }
}

/// The secret in groups of four, as authenticator apps show it.
fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect::<Vec<_>>()
        .join(" ")
}

/// What the set-up part of a page shows: the QR code, the secret and the form for the first
/// code.
struct Setup {
    qr: String,
    secret: String,
    action: String,
}

impl Setup {
    fn of(enrolment: &Enrolment, action: String) -> Self {
        Self {
            qr: qr_svg(&enrolment.uri),
            secret: grouped(&enrolment.secret),
            action,
        }
    }
}

// ---- the code step of a sign-in ----

#[derive(Template)]
#[template(path = "portal/mfa_code.html")]
struct CodePage<'a> {
    site: &'a Site,
    csrf: &'a str,
    error: Option<&'static str>,
}

fn code_form(
    state: &AppState,
    site: &Site,
    headers: &HeaderMap,
    status: StatusCode,
    error: Option<&'static str>,
) -> Response {
    anonymous_form(state, site, headers, |csrf| {
        page(status, &CodePage { site, csrf, error })
    })
}

/// Back to the password: the challenge is gone (expired, used up, or never there).
fn sign_in_again(state: &AppState, site: &Site) -> Response {
    let mut r = see_other(&site.link("sign-in?mfa=1"));
    clear_challenge(&mut r, state, site);
    r
}

pub(crate) async fn code_page(
    State(state): State<AppState>,
    site: Site,
    headers: HeaderMap,
) -> Response {
    let Some(challenge) = challenge_secret(&headers) else {
        return sign_in_again(&state, &site);
    };
    match portal_mfa::code_challenge_live(&state, &site.portal, &challenge).await {
        Ok(true) => code_form(&state, &site, &headers, StatusCode::OK, None),
        Ok(false) => sign_in_again(&state, &site),
        Err(e) => PageError(e).into_response(),
    }
}

#[derive(Deserialize)]
pub(crate) struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    then: Option<String>,
}

/// Checks the code (or a recovery code): signed in, or the form again with the error; after
/// five wrong codes, back to the password.
pub(crate) async fn submit_code(
    State(state): State<AppState>,
    site: Site,
    headers: HeaderMap,
    ip: ClientIp,
    PortalForm(form): PortalForm<CodeForm>,
) -> Response {
    let Some(challenge) = challenge_secret(&headers) else {
        return sign_in_again(&state, &site);
    };
    if !form_token_ok(&headers, &form.csrf) {
        let error = Some("mfa-form-expired");
        return code_form(&state, &site, &headers, StatusCode::FORBIDDEN, error);
    }
    let (ip, old) = (ip.text(), session_secret(&headers));
    let how = (ip.as_deref(), old.as_deref());
    match portal_mfa::sign_in_with_code(&state, &site.portal, &challenge, &form.code, how).await {
        Ok((session, user)) => continue_sign_in(
            &state,
            &site,
            SignInStep::SignedIn {
                session,
                user: Box::new(user),
            },
            Then::Home,
        ),
        Err(AppError::Invalid(_)) => code_form(
            &state,
            &site,
            &headers,
            StatusCode::UNAUTHORIZED,
            Some("mfa-code-wrong"),
        ),
        Err(AppError::NotFound) => sign_in_again(&state, &site),
        Err(e) => PageError(e).into_response(),
    }
}

// ---- enrolment at sign-in (the portal enforces MFA) ----

#[derive(Template)]
#[template(path = "portal/mfa_enrol.html")]
struct EnrolPage<'a> {
    site: &'a Site,
    csrf: &'a str,
    setup: &'a Setup,
    then: &'static str,
    error: Option<&'static str>,
}

#[derive(Deserialize)]
pub(crate) struct ThenQuery {
    then: Option<String>,
}

async fn enrol_form(
    state: &AppState,
    site: &Site,
    headers: &HeaderMap,
    then: Then,
    (status, error): (StatusCode, Option<&'static str>),
) -> Response {
    let Some(challenge) = challenge_secret(headers) else {
        return sign_in_again(state, site);
    };
    let enrolment = match portal_mfa::enrolment_for_sign_in(state, &site.portal, &challenge).await {
        Ok(e) => e,
        Err(AppError::NotFound) => return sign_in_again(state, site),
        Err(e) => return PageError(e).into_response(),
    };
    let setup = Setup::of(&enrolment, site.link("sign-in/enrol"));
    anonymous_form(state, site, headers, |csrf| {
        let shown = EnrolPage {
            site,
            csrf,
            setup: &setup,
            then: then.name(),
            error,
        };
        page(status, &shown)
    })
}

pub(crate) async fn enrol_page(
    State(state): State<AppState>,
    site: Site,
    headers: HeaderMap,
    Query(q): Query<ThenQuery>,
) -> Response {
    let then = Then::parse(q.then.as_deref());
    enrol_form(&state, &site, &headers, then, (StatusCode::OK, None)).await
}

#[derive(Template)]
#[template(path = "portal/recovery_codes.html")]
struct RecoveryCodesPage<'a> {
    site: &'a Site,
    codes: &'a [String],
    next: String,
}

/// Confirms the enrolment with the first code: signed in, and the recovery codes shown once.
pub(crate) async fn submit_enrol(
    State(state): State<AppState>,
    site: Site,
    headers: HeaderMap,
    ip: ClientIp,
    PortalForm(form): PortalForm<CodeForm>,
) -> Response {
    let then = Then::parse(form.then.as_deref());
    let Some(challenge) = challenge_secret(&headers) else {
        return sign_in_again(&state, &site);
    };
    if !form_token_ok(&headers, &form.csrf) {
        let error = Some("mfa-form-expired");
        return enrol_form(
            &state,
            &site,
            &headers,
            then,
            (StatusCode::FORBIDDEN, error),
        )
        .await;
    }
    let (ip, old) = (ip.text(), session_secret(&headers));
    let how = (ip.as_deref(), old.as_deref());
    match portal_mfa::enrol_at_sign_in(&state, &site.portal, &challenge, &form.code, how).await {
        Ok((session, _, codes)) => {
            let shown = RecoveryCodesPage {
                site: &site,
                codes: &codes,
                next: then.path(&site),
            };
            let mut r = page(StatusCode::OK, &shown);
            set_session(&mut r, &state, &site, &session);
            clear_challenge(&mut r, &state, &site);
            r
        }
        Err(AppError::Invalid(_)) => {
            let error = Some("mfa-enrol-wrong");
            let refused = (StatusCode::UNAUTHORIZED, error);
            enrol_form(&state, &site, &headers, then, refused).await
        }
        Err(AppError::NotFound) => sign_in_again(&state, &site),
        Err(e) => PageError(e).into_response(),
    }
}

// ---- the account's page ----

#[derive(Template)]
#[template(path = "portal/account_mfa.html")]
struct AccountMfaPage<'a> {
    site: &'a Site,
    user_name: &'a str,
    csrf: &'a str,
    enabled: bool,
    codes_left: i64,
    /// May be switched off (the portal does not enforce it).
    optional: bool,
    setup: Option<Setup>,
    notice: Option<&'static str>,
    errors: FormErrors,
}

#[derive(Deserialize)]
pub(crate) struct DoneQuery {
    done: Option<String>,
}

async fn account_mfa_form(
    state: &AppState,
    SignedIn { site, me }: &SignedIn,
    status: StatusCode,
    notice: Option<&'static str>,
    errors: FormErrors,
) -> Response {
    let now = match portal_mfa::status(state, me).await {
        Ok(s) => s,
        Err(e) => return PageError(e).into_response(),
    };
    let setup = if now.enabled {
        None
    } else {
        match portal_mfa::begin_enrolment(state, me).await {
            Ok(e) => Some(Setup::of(&e, site.link("account/mfa/enable"))),
            Err(e) => return PageError(e).into_response(),
        }
    };
    page(
        status,
        &AccountMfaPage {
            site,
            user_name: &me.user.name,
            csrf: &me.csrf,
            enabled: now.enabled,
            codes_left: now.recovery_codes_left,
            optional: !site.portal.settings.enforce_mfa,
            setup,
            notice,
            errors,
        },
    )
}

pub(crate) async fn account_mfa(
    State(state): State<AppState>,
    signed: SignedIn,
    Query(q): Query<DoneQuery>,
) -> Response {
    let notice = match q.done.as_deref() {
        Some("off") => Some("account-mfa-turned-off"),
        _ => None,
    };
    account_mfa_form(
        &state,
        &signed,
        StatusCode::OK,
        notice,
        FormErrors::default(),
    )
    .await
}

/// A refusal on the account's MFA page, beside its field.
async fn refused(state: &AppState, signed: &SignedIn, e: AppError) -> Response {
    match e {
        AppError::TooManyAttempts => PageError(e).into_response(),
        e @ (AppError::Invalid(_) | AppError::Conflict(_)) => {
            match FormErrors::from_error(e).map(|e| signed.site.translate(e)) {
                Ok(errors) => {
                    let status = StatusCode::UNPROCESSABLE_ENTITY;
                    account_mfa_form(state, signed, status, None, errors).await
                }
                Err(e) => e.into_response(),
            }
        }
        e => PageError(e).into_response(),
    }
}

/// The recovery codes after a set-up or a renewal, once; then back to the account page.
fn show_codes(site: &Site, codes: &[String]) -> Response {
    let shown = RecoveryCodesPage {
        site,
        codes,
        next: site.link("account/mfa"),
    };
    page(StatusCode::OK, &shown)
}

/// What a form of the account's MFA page asks for.
#[derive(Debug, Clone, Copy)]
enum AccountAction {
    /// Confirm the set-up with the first code.
    Enable,
    /// New recovery codes against a current code.
    Renew,
    /// Switch off with the password (refused while the portal enforces it).
    Disable,
}

async fn account_action(
    state: &AppState,
    signed: SignedIn,
    pairs: &[(String, String)],
    action: AccountAction,
) -> Response {
    if !session_csrf_ok(&signed.me, form_value(pairs, "_csrf")) {
        return form_expired();
    }
    let (code, me) = (form_value(pairs, "code"), &signed.me);
    let done = match action {
        AccountAction::Enable => portal_mfa::confirm_enrolment(state, me, code)
            .await
            .map(Some),
        AccountAction::Renew => portal_mfa::renew_recovery_codes(state, me, code)
            .await
            .map(Some),
        AccountAction::Disable => portal_mfa::disable(state, me, form_value(pairs, "password"))
            .await
            .map(|()| None),
    };
    match done {
        Ok(Some(codes)) => show_codes(&signed.site, &codes),
        Ok(None) => see_other(&signed.site.link("account/mfa?done=off")),
        Err(e) => refused(state, &signed, e).await,
    }
}

pub(crate) async fn enable(
    State(state): State<AppState>,
    signed: SignedIn,
    PortalForm(pairs): PortalForm<Vec<(String, String)>>,
) -> Response {
    account_action(&state, signed, &pairs, AccountAction::Enable).await
}

pub(crate) async fn renew_codes(
    State(state): State<AppState>,
    signed: SignedIn,
    PortalForm(pairs): PortalForm<Vec<(String, String)>>,
) -> Response {
    account_action(&state, signed, &pairs, AccountAction::Renew).await
}

pub(crate) async fn disable(
    State(state): State<AppState>,
    signed: SignedIn,
    PortalForm(pairs): PortalForm<Vec<(String, String)>>,
) -> Response {
    account_action(&state, signed, &pairs, AccountAction::Disable).await
}
