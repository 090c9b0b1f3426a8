//! The signed-in portal user's account page (`account`): change the password, change the
//! sign-in email when the portal allows it, and the way to two-step verification
//! (`account/mfa`). The email-change link's page (`email-change/{token}`) asks before it
//! changes anything: opening it is a GET, the change is the button's POST. The use cases are
//! `portico_app::portal_account`; these handlers check the form tokens, call them and render.

use super::accounts::link_invalid;
use super::session::{
    SignedIn, anonymous_form, clear_session, form_expired, form_token_ok, session_csrf_ok,
    set_session,
};
use super::{PortalForm, Site, page};
use crate::AppState;
use crate::admin::{FormErrors, PageError, form_value, see_other};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portico_app::AppError;
use portico_app::portal_account;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "portal/account.html")]
struct AccountPage<'a> {
    site: &'a Site,
    user_name: &'a str,
    csrf: &'a str,
    email: &'a str,
    /// The email section shows only when the portal allows changes.
    email_change: bool,
    /// What the email form had typed (after a refusal).
    new_email: &'a str,
    notice: Option<&'static str>,
    errors: FormErrors,
    /// A refusal that belongs to no one field (too many attempts).
    error: Option<&'static str>,
}

#[derive(Deserialize)]
pub(crate) struct AccountQuery {
    done: Option<String>,
}

fn account_form(
    site: &Site,
    me: &portico_app::portal_accounts::PortalSignedIn,
    status: StatusCode,
    new_email: &str,
    notice: Option<&'static str>,
    errors: FormErrors,
    error: Option<&'static str>,
) -> Response {
    page(
        status,
        &AccountPage {
            site,
            user_name: &me.user.name,
            csrf: &me.csrf,
            email: &me.user.email,
            email_change: site.portal.settings.allow_email_change,
            new_email,
            notice,
            errors,
            error,
        },
    )
}

pub(crate) async fn account_page(
    SignedIn { site, me }: SignedIn,
    Query(q): Query<AccountQuery>,
) -> Response {
    let notice = match q.done.as_deref() {
        Some("password") => Some("account-password-changed"),
        Some("email") => Some("account-email-sent"),
        _ => None,
    };
    account_form(
        &site,
        &me,
        StatusCode::OK,
        "",
        notice,
        FormErrors::default(),
        None,
    )
}

/// A refusal of one of the account forms: beside its field (422), or "too many attempts" (429).
fn refused(
    site: &Site,
    me: &portico_app::portal_accounts::PortalSignedIn,
    new_email: &str,
    e: AppError,
) -> Response {
    match e {
        AppError::TooManyAttempts => account_form(
            site,
            me,
            StatusCode::TOO_MANY_REQUESTS,
            new_email,
            None,
            FormErrors::default(),
            Some("account-too-many"),
        ),
        e @ AppError::Invalid(_) => match FormErrors::from_error(e).map(|e| site.translate(e)) {
            Ok(errors) => account_form(
                site,
                me,
                StatusCode::UNPROCESSABLE_ENTITY,
                new_email,
                None,
                errors,
                None,
            ),
            Err(e) => e.into_response(),
        },
        e => PageError(e).into_response(),
    }
}

/// Changes the password: this browser gets a new session, every other one ends.
pub(crate) async fn change_password(
    State(state): State<AppState>,
    SignedIn { site, me }: SignedIn,
    PortalForm(pairs): PortalForm<Vec<(String, String)>>,
) -> Response {
    if !session_csrf_ok(&me, form_value(&pairs, "_csrf")) {
        return form_expired();
    }
    let field = |name| form_value(&pairs, name);
    match portal_account::change_password(
        &state,
        &me,
        field("current_password"),
        field("new_password"),
        field("confirm"),
    )
    .await
    {
        Ok(secret) => {
            let mut r = see_other(&site.link("account?done=password"));
            set_session(&mut r, &state, &site, &secret);
            r
        }
        Err(e) => refused(&site, &me, "", e),
    }
}

/// Asks to change the sign-in email: the same answer whether or not the address was free.
pub(crate) async fn change_email(
    State(state): State<AppState>,
    SignedIn { site, me }: SignedIn,
    PortalForm(pairs): PortalForm<Vec<(String, String)>>,
) -> Response {
    if !session_csrf_ok(&me, form_value(&pairs, "_csrf")) {
        return form_expired();
    }
    let new_email = form_value(&pairs, "new_email");
    match portal_account::request_email_change(
        &state,
        &me,
        form_value(&pairs, "password"),
        new_email,
    )
    .await
    {
        Ok(()) => see_other(&site.link("account?done=email")),
        Err(e) => refused(&site, &me, new_email.trim(), e),
    }
}

#[derive(Template)]
#[template(path = "portal/email_change_confirm.html")]
struct ConfirmPage<'a> {
    site: &'a Site,
    name: &'a str,
    new_email: &'a str,
    action: String,
    csrf: &'a str,
}

/// The email-change link: a page that asks, nothing more (mail scanners open links too).
pub(crate) async fn email_change_page(
    State(state): State<AppState>,
    site: Site,
    Path((_, token)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if !site.portal.settings.allow_email_change {
        return link_invalid(&site);
    }
    match portal_account::email_change_link(&state, &site.portal, &token).await {
        Ok(Some((user, new_email))) => {
            let site = &site.for_user(&user.preferences.language);
            anonymous_form(&state, site, &headers, |csrf| {
                page(
                    StatusCode::OK,
                    &ConfirmPage {
                        site,
                        name: &user.name,
                        new_email: &new_email,
                        action: site.link(&format!("email-change/{token}")),
                        csrf,
                    },
                )
            })
        }
        Ok(None) => link_invalid(&site),
        Err(e) => PageError(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "portal/email_change_done.html")]
struct DonePage<'a> {
    site: &'a Site,
    email: &'a str,
}

/// Confirms the change: the new address signs in from now on; every session has ended, this
/// browser's cookie goes too.
pub(crate) async fn confirm_email_change(
    State(state): State<AppState>,
    site: Site,
    Path((_, token)): Path<(String, String)>,
    headers: HeaderMap,
    PortalForm(pairs): PortalForm<Vec<(String, String)>>,
) -> Response {
    if !form_token_ok(&headers, form_value(&pairs, "_csrf")) {
        return form_expired();
    }
    match portal_account::confirm_email_change(&state, &site.portal, &token).await {
        Ok(user) => {
            let shown = site.for_user(&user.preferences.language);
            let mut r = page(
                StatusCode::OK,
                &DonePage {
                    site: &shown,
                    email: &user.email,
                },
            );
            clear_session(&mut r, &state, &site);
            r
        }
        Err(AppError::NotFound) => link_invalid(&site),
        Err(e) => PageError(e).into_response(),
    }
}
