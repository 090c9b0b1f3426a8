//! A portal's brand and analytics, as the browser fetches them:
//!
//! - `logo`: the uploaded image from the database, with its type (PNG, JPEG or WebP — checked
//!   by its bytes at upload; SVG is refused, as it can carry script), `nosniff`, a strong ETag
//!   (`If-None-Match` answers 304) and a short public cache; 404 when there is none.
//! - `brand.css`: the portal's accent colour as the `--accent` custom property, and the logo
//!   in the header badge when there is one — a stylesheet rather than inline style, which the
//!   Content-Security-Policy (`style-src 'self'`) forbids. The badge keeps the portal's name
//!   as its accessible label either way (`portal/brand.html`).
//! - `analytics.js`: the Google Analytics bootstrap with the portal's measurement id (checked
//!   again here: `G-` and 4–20 upper-case letters or digits), 404 unless analytics is
//!   configured and its terms accepted. Only the sign-up, sign-in, reset-password and
//!   confirm-password pages load it, and only their responses carry the widened CSP
//!   ([`with_analytics`]).

use super::Site;
use crate::AppState;
use crate::admin::PageError;
use crate::middleware::AllowAnalytics;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The pages that may carry the analytics tag, by their consent-text key.
pub(crate) const SIGN_UP: &str = "signup";
pub(crate) const SIGN_IN: &str = "signin";
pub(crate) const RESET_PASSWORD: &str = "reset_password";
pub(crate) const CONFIRM_PASSWORD: &str = "confirm_password";

/// The analytics tag of one page: the measurement id and the admin's consent notice.
pub(crate) struct Analytics<'a> {
    pub id: &'a str,
    pub consent: &'a str,
}

/// `G-` then 4 to 20 upper-case letters or digits: nothing that could leave a JS string.
fn measurement_id_ok(id: &str) -> bool {
    id.strip_prefix("G-").is_some_and(|rest| {
        (4..=20).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    })
}

impl Site {
    /// The measurement id when the portal has analytics on: an id, its terms accepted.
    fn measurement_id(&self) -> Option<&str> {
        let s = &self.portal.settings;
        s.ga_measurement_id
            .as_deref()
            .filter(|id| s.ga_terms_accepted && measurement_id_ok(id))
    }

    /// The analytics tag for `page` (one of [`SIGN_UP`], [`SIGN_IN`], [`RESET_PASSWORD`],
    /// [`CONFIRM_PASSWORD`]); `None` for any other page or when analytics is off.
    pub fn analytics(&self, page: &str) -> Option<Analytics<'_>> {
        let id = self.measurement_id()?;
        let c = &self.portal.settings.consent_text;
        let consent = match page {
            SIGN_UP => &c.signup,
            SIGN_IN => &c.signin,
            RESET_PASSWORD => &c.reset_password,
            CONFIRM_PASSWORD => &c.confirm_password,
            _ => return None,
        };
        Some(Analytics { id, consent })
    }
}

/// Lets one of the four analytics pages' responses load the tag (see [`AllowAnalytics`]):
/// only when the portal has analytics on.
pub(crate) fn with_analytics(site: &Site, mut response: Response) -> Response {
    if site.measurement_id().is_some() {
        response.extensions_mut().insert(AllowAnalytics);
    }
    response
}

fn etag_of(tag: &str) -> String {
    format!("\"{tag}\"")
}

fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
}

/// An asset answer: its type, nosniff, the ETag and a short public cache (a new logo shows
/// within five minutes; a conditional request costs no body).
fn asset(headers: &HeaderMap, content_type: &str, etag: &str, body: Vec<u8>) -> Response {
    let etag = etag_of(etag);
    let mut r = if not_modified(headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (StatusCode::OK, body).into_response()
    };
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

/// `GET logo`: the portal's logo, or 404.
pub(crate) async fn logo(
    State(state): State<AppState>,
    site: Site,
    headers: HeaderMap,
) -> Response {
    match portico_app::portal_branding::logo(&state, &site.portal).await {
        Ok(Some(l)) => {
            let mut r = asset(&headers, &l.content_type, &l.etag, l.bytes);
            // Never a document: even a file that fooled the checks cannot run as a page.
            r.headers_mut().insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("inline; filename=\"logo\""),
            );
            r
        }
        Ok(None) => super::not_found(),
        Err(e) => PageError(e).into_response(),
    }
}

/// `GET brand.css`: the accent colour and the logo badge.
pub(crate) async fn brand_css(
    State(state): State<AppState>,
    site: Site,
    headers: HeaderMap,
) -> Response {
    let logo = match portico_app::portal_branding::logo_etag(&state, &site.portal).await {
        Ok(l) => l,
        Err(e) => return PageError(e).into_response(),
    };
    let mut css = String::new();
    // The colour was checked at save (`#rrggbb`); checked again, as it goes into CSS.
    if let Some(c) = site.portal.settings.accent_colour.as_deref().filter(|c| {
        c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit())
    }) {
        css.push_str(&format!(".portal {{ --accent: {c}; }}\n"));
    }
    if let Some(tag) = &logo {
        // The logo's version in its URL, so a new one is fetched at once.
        let url = site.link(&format!("logo?v={}", &tag[..tag.len().min(16)]));
        css.push_str(&format!(
            ".portal .brand-logo {{ background: #fff url(\"{url}\") center / contain no-repeat; width: 84px; }}\n\
             .portal .brand-logo .brand-initial {{ visibility: hidden; }}\n"
        ));
    }
    let version = portico_auth::content_hash(css.as_bytes());
    asset(
        &headers,
        "text/css; charset=utf-8",
        &version,
        css.into_bytes(),
    )
}

/// `GET analytics.js`: the gtag bootstrap for the portal's measurement id, or 404.
pub(crate) async fn analytics_js(site: Site, headers: HeaderMap) -> Response {
    let Some(id) = site.measurement_id() else {
        return super::not_found();
    };
    let js = format!(
        "window.dataLayer = window.dataLayer || [];\n\
         function gtag() {{ window.dataLayer.push(arguments); }}\n\
         gtag('js', new Date());\n\
         gtag('config', '{id}');\n"
    );
    let version = portico_auth::content_hash(js.as_bytes());
    asset(
        &headers,
        "text/javascript; charset=utf-8",
        &version,
        js.into_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::measurement_id_ok;

    #[test]
    fn measurement_ids_cannot_leave_a_string() {
        assert!(measurement_id_ok("G-ABC123XYZ"));
        assert!(measurement_id_ok(&format!("G-{}", "A".repeat(20))));
        for bad in [
            "G-abc123",
            "UA-12345",
            "G-ABC",
            "G-ABC1'); alert(1); //",
            "G-ABCD\n",
        ] {
            assert!(!measurement_id_ok(bad), "{bad}");
        }
        assert!(!measurement_id_ok(&format!("G-{}", "A".repeat(21))));
    }
}
