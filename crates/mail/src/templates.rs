//! The emails' words: one askama template pair (text, HTML) per kind of mail, in
//! `templates/mail/`. HTML templates escape every value; text templates do not need to. Links
//! are absolute and built by the caller from the configured base URL, never from a request.
//!
//! Only English texts exist so far: a message asked for in another language is written in
//! English and says so in its `language`.

use askama::Template;

/// A rendered email, ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The language the bodies are written in.
    pub language: String,
}

/// The languages the templates are written in; the first is the fallback.
const LANGUAGES: &[&str] = &["en"];

/// The language to write in for someone who reads `wanted` (`en-GB` is written as `en`).
fn language_for(wanted: &str) -> &'static str {
    let primary = wanted.split('-').next().unwrap_or("").to_ascii_lowercase();
    LANGUAGES
        .iter()
        .find(|l| **l == primary)
        .copied()
        .unwrap_or(LANGUAGES[0])
}

#[derive(Template)]
#[template(path = "mail/test.txt")]
struct TestText<'a> {
    org: &'a str,
    admin: &'a str,
    mail_log: &'a str,
}

#[derive(Template)]
#[template(path = "mail/test.html")]
struct TestHtml<'a> {
    org: &'a str,
    admin: &'a str,
    mail_log: &'a str,
}

/// "Send a test email": tells the administrator that mail from this instance reaches them.
/// `mail_log` is the absolute link to the mail log.
pub fn test_mail(
    org: &str,
    admin: &str,
    mail_log: &str,
    language: &str,
) -> Result<Rendered, askama::Error> {
    Ok(Rendered {
        subject: format!("Test email from Portico for {org}"),
        text: TestText {
            org,
            admin,
            mail_log,
        }
        .render()?,
        html: TestHtml {
            org,
            admin,
            mail_log,
        }
        .render()?,
        language: language_for(language).to_string(),
    })
}

/// Milliseconds since the epoch as the reader sees a deadline in an email:
/// `2026-12-07 14:00 UTC`.
pub fn utc_minute(ms: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

/// What an invitation email says: who is invited, by whom, to which portal, and the link.
#[derive(Debug, Clone, Copy)]
pub struct Invitation<'a> {
    pub name: &'a str,
    pub inviter: &'a str,
    pub org: &'a str,
    pub portal: &'a str,
    /// The absolute acceptance link (it carries the secret token).
    pub link: &'a str,
    /// When the link stops working, as the recipient reads it (`2026-12-07 14:00 UTC`).
    pub expires: &'a str,
}

#[derive(Template)]
#[template(path = "mail/invitation.txt")]
struct InvitationText<'a> {
    name: &'a str,
    inviter: &'a str,
    org: &'a str,
    portal: &'a str,
    link: &'a str,
    expires: &'a str,
}

#[derive(Template)]
#[template(path = "mail/invitation.html")]
struct InvitationHtml<'a> {
    name: &'a str,
    inviter: &'a str,
    org: &'a str,
    portal: &'a str,
    link: &'a str,
    expires: &'a str,
}

/// The invitation to a portal, in the recipient's `language` where a text exists.
pub fn invitation(i: &Invitation<'_>, language: &str) -> Result<Rendered, askama::Error> {
    let Invitation {
        name,
        inviter,
        org,
        portal,
        link,
        expires,
    } = *i;
    Ok(Rendered {
        subject: format!("{inviter} invites you to the {portal} portal"),
        text: InvitationText {
            name,
            inviter,
            org,
            portal,
            link,
            expires,
        }
        .render()?,
        html: InvitationHtml {
            name,
            inviter,
            org,
            portal,
            link,
            expires,
        }
        .render()?,
        language: language_for(language).to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_mail_escapes_what_it_quotes_in_html() {
        let r = test_mail(
            "Acme <script>",
            "Ada & Co",
            "https://crm.example.com/admin/setup/mail",
            "en-GB",
        )
        .unwrap();
        assert_eq!(r.subject, "Test email from Portico for Acme <script>");
        assert_eq!(r.language, "en");
        assert!(r.text.contains("Ada & Co") && r.text.contains("Acme <script>"));
        assert!(!r.html.contains("<script>") && r.html.contains("Acme &#60;script&#62;"));
        assert!(
            r.html
                .contains("href=\"https://crm.example.com/admin/setup/mail\"")
        );
        assert_eq!(language_for("de"), "en");
    }
}
