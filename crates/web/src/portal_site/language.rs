//! Which language a portal page speaks.
//!
//! A signed-in user's pages speak the language saved in their preferences. Everyone else is
//! asked, in this order: `?lang=xx` when the portal speaks it (then remembered in the
//! `portico_portal_lang` cookie — HttpOnly, `SameSite=Lax` so a link from an email keeps it,
//! `Path` the portal's base), that cookie, the best match of `Accept-Language`; a page that
//! knows the account (an invitation or a reset link) then uses the account's language; else
//! English. The words are `portico_portal::i18n`'s Fluent messages.

use super::Site;
use crate::AppState;
use crate::admin::{FormErrors, named_cookie};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::Response;
use portico_portal::i18n::Tr;

const LANG_COOKIE: &str = "portico_portal_lang";
/// How long the browser remembers a chosen language: a year.
const LANG_COOKIE_S: i64 = 365 * 24 * 60 * 60;

/// Where an anonymous page's language came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LanguageSource {
    /// `?lang=` on this request.
    Query,
    /// The language cookie: chosen earlier.
    Cookie,
    /// The browser's `Accept-Language`.
    Browser,
    /// Nothing said: English, or the account's language where the page knows the account.
    Default,
    /// A signed-in user's saved language.
    Account,
}

/// The language `?lang=` asks for, when the portal speaks it.
pub(crate) fn query_language(uri: &Uri) -> Option<Tr> {
    uri.query()?
        .split('&')
        .find_map(|pair| pair.strip_prefix("lang="))
        .and_then(Tr::supported)
}

/// An anonymous visitor's language and where it came from (see the module's text).
pub(crate) fn visitor_language(parts: &Parts) -> (Tr, LanguageSource) {
    if let Some(tr) = query_language(&parts.uri) {
        return (tr, LanguageSource::Query);
    }
    from_headers(&parts.headers)
}

fn from_headers(headers: &HeaderMap) -> (Tr, LanguageSource) {
    if let Some(tr) = named_cookie(headers, LANG_COOKIE).and_then(|c| Tr::supported(&c)) {
        return (tr, LanguageSource::Cookie);
    }
    let accepted = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|h| h.to_str().ok())
        .and_then(Tr::negotiate);
    match accepted {
        Some(tr) => (tr, LanguageSource::Browser),
        None => (Tr::default(), LanguageSource::Default),
    }
}

/// Remembers `tr` in the language cookie for the portal at `base`.
pub(crate) fn remember(response: &mut Response, state: &AppState, base: &str, tr: Tr) {
    let secure = if state.config().secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{LANG_COOKIE}={}; Path={base}; HttpOnly; SameSite=Lax; Max-Age={LANG_COOKIE_S}{secure}",
        tr.lang()
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

impl Site {
    /// This site for a page that knows the account but has no session (an invitation or a
    /// reset link): the account's `language` unless the visitor said one.
    pub fn for_account(&self, language: &str) -> Site {
        let mut site = self.clone();
        if site.language == LanguageSource::Default {
            site.tr = Tr::for_language(language);
        }
        site
    }

    /// This site for the account's own pages: the saved `language`, unless the visitor chose
    /// one on these cards (`?lang=` or the cookie).
    pub fn for_user(&self, language: &str) -> Site {
        let mut site = self.clone();
        if !matches!(
            site.language,
            LanguageSource::Query | LanguageSource::Cookie
        ) {
            site.tr = Tr::for_language(language);
            site.language = LanguageSource::Account;
        }
        site
    }

    /// The languages of the switch on the card pages: (tag, name in that language).
    pub fn languages(&self) -> &'static [(&'static str, &'static str)] {
        portico_portal::i18n::LANGUAGES
    }

    /// Whether the page speaks `tag`.
    pub fn speaks(&self, tag: &str) -> bool {
        self.tr.lang() == tag
    }

    /// The message `id` as HTML, its argument `name` set in `<strong>`: the message's words
    /// and the value escaped.
    pub fn strong(&self, id: &str, name: &str, value: &str) -> String {
        self.strong_with(id, name, value, "", "")
    }

    /// [`Site::strong`] with a second argument `plain`, shown as it is.
    pub fn strong_with(
        &self,
        id: &str,
        name: &str,
        value: &str,
        plain: &str,
        plain_value: &str,
    ) -> String {
        const SLOT: &str = "\u{1}";
        let mut args = vec![(name.to_string(), SLOT.to_string())];
        if !plain.is_empty() {
            args.push((plain.to_string(), plain_value.to_string()));
        }
        let text = crate::present::escape_html(&self.tr.with_args(id, &mut args));
        let value = format!("<strong>{}</strong>", crate::present::escape_html(value));
        text.replacen(SLOT, &value, 1)
    }

    /// Errors from a use case, in this page's language: a message this language has for the
    /// field and code (`error-{field}-{code}`, else `error-{code}`) replaces the use case's
    /// English words, which stay as they are in English (and for any code without a message).
    pub fn translate(&self, errors: FormErrors) -> FormErrors {
        if self.tr.lang() == "en" {
            return errors;
        }
        let tr = self.tr;
        FormErrors(
            errors
                .0
                .into_iter()
                .map(|mut e| {
                    let (field, code) = (e.field.replace('_', "-"), e.code.replace('_', "-"));
                    let found = tr
                        .get(&format!("error-{field}-{code}"))
                        .or_else(|| tr.get(&format!("error-{code}")));
                    if let Some(message) = found {
                        e.message = message;
                    }
                    e
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn parts(uri: &str, headers: &[(&str, &str)]) -> Parts {
        let mut request = axum::http::Request::builder().uri(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(()).unwrap().into_parts().0
    }

    #[test]
    fn the_query_then_the_cookie_then_the_browser_then_english() {
        let lang = |uri: &str, headers: &[(&str, &str)]| {
            let (tr, source) = visitor_language(&parts(uri, headers));
            (tr.lang(), source)
        };
        let browser = ("accept-language", "de-DE,de;q=0.9");
        let cookie = ("cookie", "a=b; portico_portal_lang=fr");
        assert_eq!(
            lang("/p/x/sign-in?lang=fr", &[browser]),
            ("fr", LanguageSource::Query)
        );
        assert_eq!(
            lang("/p/x/sign-in?lang=xx", &[]),
            ("en", LanguageSource::Default)
        );
        assert_eq!(
            lang("/p/x/sign-in", &[cookie, browser]),
            ("fr", LanguageSource::Cookie)
        );
        assert_eq!(
            lang("/p/x/sign-in", &[browser]),
            ("de", LanguageSource::Browser)
        );
        assert_eq!(
            lang("/p/x/sign-in", &[("cookie", "portico_portal_lang=xx")]),
            ("en", LanguageSource::Default)
        );
    }
}
