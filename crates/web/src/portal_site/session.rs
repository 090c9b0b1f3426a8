//! Portal sessions and form tokens in the browser.
//!
//! - The session cookie `portico_portal` holds the session secret from
//!   `portico_app::portal_accounts` (only its hash is stored). HttpOnly, `SameSite=Strict`
//!   (the invitation link arrives from another site, but the form it opens posts to this one,
//!   and the cookie is set by that answer), `Secure` when the base URL is https, and `Path` the
//!   portal's own base — `/p/{slug}/`, or `/` on a portal host — so one portal's cookie is never
//!   sent to another portal's pages (and the server checks the portal anyway).
//! - Signed-in forms carry the session's CSRF token.
//! - The anonymous forms (sign-in, invitation, sign-up) carry a pre-session token: a random
//!   value in a cookie (`portico_portal_form`, same attributes) and the same value in a hidden
//!   field, compared in constant time (double submit). Another site can neither read the cookie
//!   nor set it, so it cannot post those forms for the browser.

use super::Site;
use crate::AppState;
use crate::admin::{PageError, named_cookie, see_other};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use portico_app::AppError;
use portico_app::portal_accounts::{self, PortalSignedIn, SESSION_ABSOLUTE_MS};
use portico_auth::{constant_time_eq, random_token};

const SESSION_COOKIE: &str = "portico_portal";
const FORM_COOKIE: &str = "portico_portal_form";
/// The MFA step between a correct password and a session: the challenge secret.
const CHALLENGE_COOKIE: &str = "portico_portal_mfa";
/// How long a pre-session form token lives in the browser: one hour.
const FORM_COOKIE_S: i64 = 60 * 60;

fn cookie(state: &AppState, site: &Site, name: &str, value: &str, max_age_s: i64) -> HeaderValue {
    let secure = if state.config().secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{name}={value}; Path={}; HttpOnly; SameSite=Strict; Max-Age={max_age_s}{secure}",
        site.base
    );
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The session cookie this browser sent, if any.
pub(crate) fn session_secret(headers: &HeaderMap) -> Option<String> {
    named_cookie(headers, SESSION_COOKIE)
}

/// Sets the session cookie to `secret` (a new session).
pub(crate) fn set_session(response: &mut Response, state: &AppState, site: &Site, secret: &str) {
    let v = cookie(
        state,
        site,
        SESSION_COOKIE,
        secret,
        SESSION_ABSOLUTE_MS / 1000,
    );
    response.headers_mut().append(header::SET_COOKIE, v);
}

/// Sets the MFA challenge cookie (it lives as long as the challenge: five minutes).
pub(crate) fn set_challenge(response: &mut Response, state: &AppState, site: &Site, secret: &str) {
    let max_age = portico_app::portal_mfa::CHALLENGE_MS / 1000;
    let v = cookie(state, site, CHALLENGE_COOKIE, secret, max_age);
    response.headers_mut().append(header::SET_COOKIE, v);
}

/// The MFA challenge this browser holds, if any.
pub(crate) fn challenge_secret(headers: &HeaderMap) -> Option<String> {
    named_cookie(headers, CHALLENGE_COOKIE).filter(|s| !s.is_empty())
}

/// Removes the MFA challenge cookie.
pub(crate) fn clear_challenge(response: &mut Response, state: &AppState, site: &Site) {
    let v = cookie(state, site, CHALLENGE_COOKIE, "", 0);
    response.headers_mut().append(header::SET_COOKIE, v);
}

/// Removes the session cookie.
pub(crate) fn clear_session(response: &mut Response, state: &AppState, site: &Site) {
    let v = cookie(state, site, SESSION_COOKIE, "", 0);
    response.headers_mut().append(header::SET_COOKIE, v);
}

/// Someone opening a portal page: the portal, and the portal user when their session opens.
pub(crate) struct Visitor {
    pub site: Site,
    pub me: Option<PortalSignedIn>,
    /// The browser sent a session cookie that no longer opens a session (signed out elsewhere,
    /// idle or expired, deactivated, another portal's): the page says "sign in again".
    pub ended: bool,
    /// The cookie's value, when sent.
    pub secret: Option<String>,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let secret = session_secret(&parts.headers).filter(|s| !s.is_empty());
        // With a session cookie, one statement reads the session, its portal and the user's
        // scope; it opens the page only when that portal is the one the request addressed
        // (and is enabled). Anything else goes the long way: the addressed portal, then the
        // session checked against it. A database failure is a 500, never a sign-out.
        let visit = match &secret {
            Some(s) => portal_accounts::visit(state, s)
                .await
                .map_err(|e| PageError(e).into_response())?,
            None => None,
        };
        let (site, me) = match visit.and_then(|me| Site::of_session(parts, me)) {
            Some((site, me)) => (site, Some(me)),
            None => {
                let site = Site::from_request_parts(parts, state).await?;
                let me = match &secret {
                    Some(s) => portal_accounts::resume(state, &site.portal, s)
                        .await
                        .map_err(|e| PageError(e).into_response())?,
                    None => None,
                };
                (site, me)
            }
        };
        let ip = crate::middleware::ClientIp::of(parts, state.config()).text();
        let me = me.map(|me| PortalSignedIn { ip, ..me });
        let mut site = site;
        if let Some(me) = &me {
            // A signed-in user's pages speak the language of their preferences.
            site.tr = portico_portal::i18n::Tr::for_language(&me.user.preferences.language);
            site.language = super::language::LanguageSource::Account;
        }
        Ok(Self {
            ended: secret.is_some() && me.is_none(),
            site,
            me,
            secret,
        })
    }
}

impl Visitor {
    /// Off to the sign-in page, the dead cookie removed (with "sign in again" when it was one).
    pub fn to_sign_in(&self, state: &AppState) -> Response {
        let path = if self.ended {
            self.site.link("sign-in?ended=1")
        } else {
            self.site.link("sign-in")
        };
        let mut r = see_other(&path);
        if self.ended {
            clear_session(&mut r, state, &self.site);
        }
        r
    }
}

/// A page for signed-in portal users only; anyone else goes to sign in.
pub(crate) struct SignedIn {
    pub site: Site,
    pub me: PortalSignedIn,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let visitor = Visitor::from_request_parts(parts, state).await?;
        match visitor.me {
            Some(me) => Ok(Self {
                site: visitor.site,
                me,
            }),
            None => Err(visitor.to_sign_in(state)),
        }
    }
}

/// The CSRF refusal of a portal form: 403, nothing done.
pub(crate) fn form_expired() -> Response {
    PageError(AppError::Forbidden(
        "The form expired or came from another site; go back, reload the page and try again".into(),
    ))
    .into_response()
}

/// Whether a signed-in form's `_csrf` field is the session's token.
pub(crate) fn session_csrf_ok(me: &PortalSignedIn, sent: &str) -> bool {
    constant_time_eq(sent, &me.csrf)
}

/// The pre-session token for an anonymous form: the browser's, when it has a well-formed one
/// (two open tabs keep working), or a new one.
fn form_token(headers: &HeaderMap) -> Result<String, PageError> {
    match named_cookie(headers, FORM_COOKIE) {
        Some(t) if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) => Ok(t),
        _ => {
            random_token().map_err(|_| PageError(AppError::Internal("random source failed".into())))
        }
    }
}

/// An anonymous form's page: `render` draws it with the browser's pre-session token, and the
/// answer sets the token's cookie.
pub(crate) fn anonymous_form(
    state: &AppState,
    site: &Site,
    headers: &HeaderMap,
    render: impl FnOnce(&str) -> Response,
) -> Response {
    let token = match form_token(headers) {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let mut response = render(&token);
    let v = cookie(state, site, FORM_COOKIE, &token, FORM_COOKIE_S);
    response.headers_mut().append(header::SET_COOKIE, v);
    response
}

/// Whether an anonymous form's `_csrf` field is the token its cookie holds.
pub(crate) fn form_token_ok(headers: &HeaderMap, sent: &str) -> bool {
    let expected = named_cookie(headers, FORM_COOKIE).unwrap_or_default();
    !expected.is_empty() && constant_time_eq(sent, &expected)
}
