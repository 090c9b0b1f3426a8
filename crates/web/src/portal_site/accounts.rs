//! A portal user's account pages: accepting an invitation (choose a password, then the
//! preferences on `welcome`), signing in and out. The use cases are
//! `portico_app::portal_accounts`; these handlers check the form tokens, call them and render.

use super::home::has_signup;
use super::mfa::{Then, continue_sign_in};
use super::session::{
    SignedIn, Visitor, anonymous_form, form_expired, form_token_ok, session_csrf_ok, session_secret,
};
use super::{PortalForm, Site, page};
use crate::AppState;
use crate::admin::{FormErrors, PageError, form_value, see_other};
use crate::middleware::ClientIp;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portico_app::AppError;
use portico_app::portal_accounts;
use portico_domain::portal_user::{PortalUser, Preferences};
use serde::Deserialize;

// ---- a link that cannot be used ----

#[derive(Template)]
#[template(path = "portal/link_invalid.html")]
struct LinkInvalidPage<'a> {
    site: &'a Site,
}

/// The one page for every invitation or verification link that cannot be used — unknown,
/// used, expired, replaced, another portal's: the same words and the same status, so the
/// page tells nothing about which.
pub(crate) fn link_invalid(site: &Site) -> Response {
    page(StatusCode::NOT_FOUND, &LinkInvalidPage { site })
}

// ---- invitation ----

#[derive(Template)]
#[template(path = "portal/invitation.html")]
struct InvitationPage<'a> {
    site: &'a Site,
    action: String,
    /// A reset link's page rather than an invitation's (other words, same form).
    reset: bool,
    name: &'a str,
    email: &'a str,
    csrf: &'a str,
    errors: FormErrors,
    error: Option<&'static str>,
    password_focus: bool,
}

/// Where an invitation's (or a reset link's) password form is shown: the request it answers.
struct InvitationForm<'a> {
    state: &'a AppState,
    site: &'a Site,
    headers: &'a HeaderMap,
    token: &'a str,
    /// A "Forgot your password?" link rather than an invitation.
    reset: bool,
}

impl InvitationForm<'_> {
    /// The form for `user`, with its pre-session token (and `errors` after a refused submit).
    fn show(
        &self,
        user: &PortalUser,
        status: StatusCode,
        errors: FormErrors,
        error: Option<&'static str>,
    ) -> Response {
        let site = &self.site.for_account(&user.preferences.language);
        let errors = site.translate(errors);
        let form = anonymous_form(self.state, site, self.headers, |csrf| {
            page(
                status,
                &InvitationPage {
                    site,
                    action: site.link(&format!(
                        "{}/{}",
                        if self.reset { "reset" } else { "invite" },
                        self.token
                    )),
                    reset: self.reset,
                    name: &user.name,
                    email: &user.email,
                    csrf,
                    errors,
                    error,
                    password_focus: true,
                },
            )
        });
        super::branding::with_analytics(site, form)
    }

    /// The form again for the invited user, or the invalid-link page when the link died.
    async fn again(
        &self,
        status: StatusCode,
        errors: FormErrors,
        error: Option<&'static str>,
    ) -> Response {
        let (state, portal) = (self.state, &self.site.portal);
        let waiting = if self.reset {
            portal_accounts::password_reset_link(state, portal, self.token).await
        } else {
            portal_accounts::invitation(state, portal, self.token).await
        };
        match waiting {
            Ok(Some(user)) => self.show(&user, status, errors, error),
            Ok(None) => link_invalid(self.site),
            Err(e) => PageError(e).into_response(),
        }
    }
}

pub(crate) async fn invitation_page(
    State(state): State<AppState>,
    site: Site,
    Path((_, token)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    password_link_page(&state, &site, &headers, &token, false).await
}

/// A "Forgot your password?" link: the same form as an invitation's, other words.
pub(crate) async fn reset_page(
    State(state): State<AppState>,
    site: Site,
    Path((_, token)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    password_link_page(&state, &site, &headers, &token, true).await
}

async fn password_link_page(
    state: &AppState,
    site: &Site,
    headers: &HeaderMap,
    token: &str,
    reset: bool,
) -> Response {
    let form = InvitationForm {
        state,
        site,
        headers,
        token,
        reset,
    };
    form.again(StatusCode::OK, FormErrors::default(), None)
        .await
}

#[derive(Deserialize)]
pub(crate) struct AcceptForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

/// Sets the password: on success the user is signed in (a new session) and goes on to the
/// preferences. Policy and mismatch errors show beside their fields (never the password).
pub(crate) async fn accept_invitation(
    State(state): State<AppState>,
    site: Site,
    Path((_, token)): Path<(String, String)>,
    headers: HeaderMap,
    PortalForm(form): PortalForm<AcceptForm>,
) -> Response {
    set_password(&state, &site, &headers, &token, false, form).await
}

/// Chooses a new password by a reset link: signed in (every other session ended), then the
/// landing page.
pub(crate) async fn reset_password(
    State(state): State<AppState>,
    site: Site,
    Path((_, token)): Path<(String, String)>,
    headers: HeaderMap,
    PortalForm(form): PortalForm<AcceptForm>,
) -> Response {
    set_password(&state, &site, &headers, &token, true, form).await
}

async fn set_password(
    state: &AppState,
    site: &Site,
    headers: &HeaderMap,
    token: &str,
    reset: bool,
    form: AcceptForm,
) -> Response {
    let shown = InvitationForm {
        state,
        site,
        headers,
        token,
        reset,
    };
    if !form_token_ok(headers, &form.csrf) {
        let error = Some("password-expired");
        return shown
            .again(StatusCode::FORBIDDEN, FormErrors::default(), error)
            .await;
    }
    let old = session_secret(headers);
    let (portal, password, confirm) = (&site.portal, &form.password, &form.confirm);
    let done = if reset {
        portal_accounts::reset_password(state, portal, token, password, confirm, old.as_deref())
            .await
    } else {
        portal_accounts::accept_invitation(state, portal, token, password, confirm, old.as_deref())
            .await
    };
    match done {
        Ok(step) => {
            let next = if reset { Then::Home } else { Then::Welcome };
            continue_sign_in(state, site, step, next)
        }
        Err(AppError::NotFound) => link_invalid(site),
        Err(e @ AppError::Invalid(_)) => {
            let errors = match FormErrors::from_error(e) {
                Ok(errors) => errors,
                Err(e) => return e.into_response(),
            };
            shown
                .again(StatusCode::UNPROCESSABLE_ENTITY, errors, None)
                .await
        }
        Err(e) => PageError(e).into_response(),
    }
}

// ---- forgot password ----

#[derive(Template)]
#[template(path = "portal/forgot.html")]
struct ForgotPage<'a> {
    site: &'a Site,
    csrf: &'a str,
    /// After the request: the one answer, whether or not the address has an account.
    sent: bool,
    error: Option<&'static str>,
}

fn forgot_form(
    state: &AppState,
    site: &Site,
    headers: &HeaderMap,
    status: StatusCode,
    sent: bool,
    error: Option<&'static str>,
) -> Response {
    let form = anonymous_form(state, site, headers, |csrf| {
        page(
            status,
            &ForgotPage {
                site,
                csrf,
                sent,
                error,
            },
        )
    });
    super::branding::with_analytics(site, form)
}

pub(crate) async fn forgot_page(
    State(state): State<AppState>,
    site: Site,
    headers: HeaderMap,
) -> Response {
    forgot_form(&state, &site, &headers, StatusCode::OK, false, None)
}

#[derive(Deserialize)]
pub(crate) struct ForgotForm {
    #[serde(default)]
    email: String,
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

/// Sends a reset link when the address has an active account; the page says the same either
/// way.
pub(crate) async fn forgot(
    State(state): State<AppState>,
    site: Site,
    headers: HeaderMap,
    PortalForm(form): PortalForm<ForgotForm>,
) -> Response {
    if !form_token_ok(&headers, &form.csrf) {
        let error = Some("forgot-expired");
        return forgot_form(&state, &site, &headers, StatusCode::FORBIDDEN, false, error);
    }
    match portal_accounts::request_password_reset(&state, &site.portal, &form.email).await {
        Ok(()) => forgot_form(&state, &site, &headers, StatusCode::OK, true, None),
        Err(AppError::TooManyAttempts) => forgot_form(
            &state,
            &site,
            &headers,
            StatusCode::TOO_MANY_REQUESTS,
            false,
            Some("forgot-too-many"),
        ),
        Err(e) => PageError(e).into_response(),
    }
}

// ---- preferences after accepting ----

#[derive(Template)]
#[template(path = "portal/welcome.html")]
struct WelcomePage<'a> {
    site: &'a Site,
    user_name: &'a str,
    csrf: &'a str,
    language: &'a str,
    time_format: &'a str,
    time_zone: &'a str,
    country: &'a str,
    languages: &'static [(&'static str, &'static str)],
    zones: &'static [&'static str],
    errors: FormErrors,
}

/// Suggestions for the language field (any tag such as `en-GB` is accepted).
const LANGUAGES: &[(&str, &str)] = &[
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
    ("it", "Italiano"),
    ("nl", "Nederlands"),
    ("pt", "Português"),
];

/// Suggestions for the time zone field (any IANA-style name is accepted).
const ZONES: &[&str] = &[
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Madrid",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
];

/// The preferences form: prefilled from the account (the org's defaults at invitation).
pub(crate) async fn welcome_page(SignedIn { site, me }: SignedIn) -> Response {
    let p = &me.user.preferences;
    page(
        StatusCode::OK,
        &WelcomePage {
            site: &site,
            user_name: &me.user.name,
            csrf: &me.csrf,
            language: &p.language,
            time_format: p.time_format.as_str(),
            time_zone: &p.time_zone,
            country: &p.country,
            languages: LANGUAGES,
            zones: ZONES,
            errors: FormErrors::default(),
        },
    )
}

/// Saves the preferences and lands on the portal's first tab.
pub(crate) async fn save_welcome(
    State(state): State<AppState>,
    SignedIn { site, me }: SignedIn,
    PortalForm(pairs): PortalForm<Vec<(String, String)>>,
) -> Response {
    if !session_csrf_ok(&me, form_value(&pairs, "_csrf")) {
        return form_expired();
    }
    let field = |name| form_value(&pairs, name);
    let saved = match Preferences::parse(
        field("language"),
        field("time_format"),
        field("time_zone"),
        field("country"),
    ) {
        Ok(p) => portal_accounts::save_preferences(&state, &me, p).await,
        Err(e) => Err(e.into()),
    };
    match saved {
        Ok(_) => see_other(&site.link("?saved=1")),
        Err(e) => match FormErrors::from_error(e).map(|e| site.translate(e)) {
            Ok(errors) => page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &WelcomePage {
                    site: &site,
                    user_name: &me.user.name,
                    csrf: &me.csrf,
                    language: field("language"),
                    time_format: field("time_format"),
                    time_zone: field("time_zone"),
                    country: field("country"),
                    languages: LANGUAGES,
                    zones: ZONES,
                    errors,
                },
            ),
            Err(e) => e.into_response(),
        },
    }
}

// ---- sign in / out ----

#[derive(Template)]
#[template(path = "portal/sign_in.html")]
struct SignInPage<'a> {
    site: &'a Site,
    email: &'a str,
    csrf: &'a str,
    error: Option<&'static str>,
    notice: Option<&'static str>,
    signup: bool,
}

fn sign_in_form(
    state: &AppState,
    site: &Site,
    headers: &HeaderMap,
    email: &str,
    status: StatusCode,
    error: Option<&'static str>,
    notice: Option<&'static str>,
) -> Response {
    let form = anonymous_form(state, site, headers, |csrf| {
        page(
            status,
            &SignInPage {
                site,
                email,
                csrf,
                error,
                notice,
                signup: has_signup(site),
            },
        )
    });
    super::branding::with_analytics(site, form)
}

#[derive(Deserialize)]
pub(crate) struct SignInQuery {
    ended: Option<String>,
    /// Back from the code step: it expired or took too many wrong codes.
    mfa: Option<String>,
}

pub(crate) async fn sign_in_page(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Query(q): Query<SignInQuery>,
) -> Response {
    if visitor.me.is_some() {
        return see_other(&visitor.site.base);
    }
    let notice = if q.mfa.is_some() {
        Some("signin-mfa-expired")
    } else {
        (q.ended.is_some() || visitor.ended).then_some("signin-session-ended")
    };
    let mut r = sign_in_form(
        &state,
        &visitor.site,
        &headers,
        "",
        StatusCode::OK,
        None,
        notice,
    );
    if visitor.ended {
        super::session::clear_session(&mut r, &state, &visitor.site);
    }
    r
}

#[derive(Deserialize)]
pub(crate) struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

/// Signs in with the shared lockout: a wrong password (or an unknown or inactive account)
/// is 401 with one message; too many attempts 429.
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    site: Site,
    headers: HeaderMap,
    ip: ClientIp,
    PortalForm(form): PortalForm<SignInForm>,
) -> Response {
    let email = form.email.trim();
    if !form_token_ok(&headers, &form.csrf) {
        return sign_in_form(
            &state,
            &site,
            &headers,
            email,
            StatusCode::FORBIDDEN,
            Some("signin-expired"),
            None,
        );
    }
    let (ip, old) = (ip.text(), session_secret(&headers));
    let how = (ip.as_deref(), old.as_deref());
    match portal_accounts::sign_in(&state, &site.portal, email, &form.password, how).await {
        Ok(step) => continue_sign_in(&state, &site, step, Then::Home),
        Err(AppError::Invalid(_)) => sign_in_form(
            &state,
            &site,
            &headers,
            email,
            StatusCode::UNAUTHORIZED,
            Some("signin-wrong"),
            None,
        ),
        Err(AppError::TooManyAttempts) => sign_in_form(
            &state,
            &site,
            &headers,
            email,
            StatusCode::TOO_MANY_REQUESTS,
            Some("signin-too-many"),
            None,
        ),
        Err(e) => PageError(e).into_response(),
    }
}

#[derive(Deserialize)]
pub(crate) struct SignOutForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

/// Ends the session on the server and in the browser. Without a session there is nothing to
/// protect, so only the cookie goes.
pub(crate) async fn sign_out(
    State(state): State<AppState>,
    visitor: Visitor,
    PortalForm(form): PortalForm<SignOutForm>,
) -> Response {
    if let (Some(me), Some(secret)) = (&visitor.me, &visitor.secret) {
        if !session_csrf_ok(me, &form.csrf) {
            return form_expired();
        }
        if let Err(e) = portal_accounts::sign_out(&state, secret).await {
            return PageError(e).into_response();
        }
    }
    let mut r = see_other(&visitor.site.link("sign-in"));
    super::session::clear_session(&mut r, &state, &visitor.site);
    r
}
