//! The emails' words: one askama template pair (text, HTML) per kind of mail, in
//! `templates/mail/`. HTML templates escape every value; text templates do not need to. Links
//! are absolute and built by the caller from the configured base URL, never from a request.
//!
//! Every mail a portal user receives (invitation, password reset, verification, email change,
//! password changed, email changed, the sign-up decision) is written in English, German and
//! French, like the portal's pages (their other languages' templates under
//! `templates/mail/{de,fr}/`); the mails to CRM users (test mail, sign-up notice) are English.
//! A message asked for in a language it lacks is written in English and says so in its
//! `language`.

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

/// A text and an HTML template, both reading the values `m`.
macro_rules! template_pair {
    ($values:ident, $text:ident = $text_path:literal, $html:ident = $html_path:literal) => {
        #[derive(Template)]
        #[template(path = $text_path)]
        struct $text<'a> {
            m: &'a $values<'a>,
        }

        #[derive(Template)]
        #[template(path = $html_path)]
        struct $html<'a> {
            m: &'a $values<'a>,
        }
    };
}

/// A mail's templates in the languages other than English (`"de" => Text = "…", Html = "…";`),
/// each reading the values as `m`, and `translated`, which renders them for a reader of
/// `language` — `None` when the mail has no such language (then English is written).
macro_rules! translated {
    ($values:ident, $($lang:literal => $text:ident = $text_path:literal, $html:ident = $html_path:literal;)+) => {
        $(
            template_pair!($values, $text = $text_path, $html = $html_path);
        )+

        impl $values<'_> {
            /// Both bodies in `language`'s primary language when this mail is written in it,
            /// under `subject(that language)`.
            fn translated(
                &self,
                language: &str,
                subject: impl Fn(&str) -> String,
            ) -> Result<Option<Rendered>, askama::Error> {
                let primary = language.split('-').next().unwrap_or("").to_ascii_lowercase();
                $(
                    if primary == $lang {
                        return Ok(Some(Rendered {
                            subject: subject($lang),
                            text: $text { m: self }.render()?,
                            html: $html { m: self }.render()?,
                            language: $lang.to_string(),
                        }));
                    }
                )+
                Ok(None)
            }
        }
    };
}

/// `localized` for mails with translations ([`translated!`]) and an English pair
/// ([`text_and_html!`]): in the reader's language when the mail is written in it, otherwise in
/// English under `subject("en")`.
macro_rules! localized {
    ($($values:ident),+ $(,)?) => {
        $(
            impl $values<'_> {
                fn localized(
                    &self,
                    language: &str,
                    subject: impl Fn(&str) -> String,
                ) -> Result<Rendered, askama::Error> {
                    match self.translated(language, &subject)? {
                        Some(r) => Ok(r),
                        None => self.rendered(subject("en"), language),
                    }
                }
            }
        )+
    };
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

translated!(
    Invitation,
    "de" => InvitationTextDe = "mail/de/invitation.txt", InvitationHtmlDe = "mail/de/invitation.html";
    "fr" => InvitationTextFr = "mail/fr/invitation.txt", InvitationHtmlFr = "mail/fr/invitation.html";
);

/// The invitation to a portal, in the recipient's `language` where a text exists.
pub fn invitation(i: &Invitation<'_>, language: &str) -> Result<Rendered, askama::Error> {
    let subject = |lang: &str| match lang {
        "de" => format!("{} lädt Sie in das Portal {} ein", i.inviter, i.portal),
        "fr" => format!("{} vous invite sur le portail {}", i.inviter, i.portal),
        _ => format!("{} invites you to the {} portal", i.inviter, i.portal),
    };
    if let Some(r) = i.translated(language, subject)? {
        return Ok(r);
    }
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

/// Renders a text and an HTML template that both read the same values `m`.
macro_rules! text_and_html {
    ($values:ident, $text:ident = $text_path:literal, $html:ident = $html_path:literal) => {
        template_pair!($values, $text = $text_path, $html = $html_path);

        impl $values<'_> {
            /// Both bodies under `subject`, in the language written for `language`.
            fn rendered(&self, subject: String, language: &str) -> Result<Rendered, askama::Error> {
                Ok(Rendered {
                    subject,
                    text: $text { m: self }.render()?,
                    html: $html { m: self }.render()?,
                    language: language_for(language).to_string(),
                })
            }
        }
    };
}

/// What the email that confirms a sign-up's address says.
#[derive(Debug, Clone, Copy)]
pub struct Verification<'a> {
    pub name: &'a str,
    pub org: &'a str,
    pub portal: &'a str,
    /// The absolute verification link (it carries the secret token).
    pub link: &'a str,
    /// When the link stops working (`2026-12-07 14:00 UTC`).
    pub expires: &'a str,
}

text_and_html!(
    Verification,
    VerificationText = "mail/verification.txt",
    VerificationHtml = "mail/verification.html"
);

translated!(
    Verification,
    "de" => VerificationTextDe = "mail/de/verification.txt", VerificationHtmlDe = "mail/de/verification.html";
    "fr" => VerificationTextFr = "mail/fr/verification.txt", VerificationHtmlFr = "mail/fr/verification.html";
);

/// "Confirm your email address" after signing up to a public portal.
pub fn verification(m: &Verification<'_>, language: &str) -> Result<Rendered, askama::Error> {
    let subject = |lang: &str| match lang {
        "de" => format!(
            "Bestätigen Sie Ihre E-Mail-Adresse für das Portal {}",
            m.portal
        ),
        "fr" => format!(
            "Confirmez votre adresse e-mail pour le portail {}",
            m.portal
        ),
        _ => format!("Confirm your email address for the {} portal", m.portal),
    };
    m.localized(language, subject)
}

/// What the "Forgot your password?" email says.
#[derive(Debug, Clone, Copy)]
pub struct PasswordReset<'a> {
    pub name: &'a str,
    pub org: &'a str,
    pub portal: &'a str,
    /// The absolute reset link (it carries the secret token).
    pub link: &'a str,
    /// When the link stops working (`2026-12-07 14:00 UTC`).
    pub expires: &'a str,
}

text_and_html!(
    PasswordReset,
    PasswordResetText = "mail/password_reset.txt",
    PasswordResetHtml = "mail/password_reset.html"
);

translated!(
    PasswordReset,
    "de" => PasswordResetTextDe = "mail/de/password_reset.txt", PasswordResetHtmlDe = "mail/de/password_reset.html";
    "fr" => PasswordResetTextFr = "mail/fr/password_reset.txt", PasswordResetHtmlFr = "mail/fr/password_reset.html";
);

/// A link to choose a new portal password.
pub fn password_reset(m: &PasswordReset<'_>, language: &str) -> Result<Rendered, askama::Error> {
    let subject = |lang: &str| match lang {
        "de" => format!("Wählen Sie ein neues Passwort für das Portal {}", m.portal),
        "fr" => format!(
            "Choisissez un nouveau mot de passe pour le portail {}",
            m.portal
        ),
        _ => format!("Choose a new password for the {} portal", m.portal),
    };
    m.localized(language, subject)
}

/// What a CRM user is told about a sign-up.
#[derive(Debug, Clone, Copy)]
pub struct SignupNotice<'a> {
    /// The CRM user the notice goes to.
    pub recipient: &'a str,
    pub applicant: &'a str,
    pub applicant_email: &'a str,
    pub portal: &'a str,
    /// The sign-up waits for an administrator's decision (a restricted portal).
    pub awaiting_approval: bool,
    /// It was approved at once: the address is a Contacts record's.
    pub auto_approved: bool,
    /// The absolute link to the portal's sign-ups page in the admin.
    pub link: &'a str,
}

text_and_html!(
    SignupNotice,
    SignupNoticeText = "mail/signup_notice.txt",
    SignupNoticeHtml = "mail/signup_notice.html"
);

/// The notice to the CRM users a portal names: someone signed up.
pub fn signup_notice(m: &SignupNotice<'_>, language: &str) -> Result<Rendered, askama::Error> {
    let subject = if m.awaiting_approval {
        format!("{} asks to join the {} portal", m.applicant, m.portal)
    } else {
        format!("{} signed up to the {} portal", m.applicant, m.portal)
    };
    m.rendered(subject, language)
}

/// What the applicant to a restricted portal is told about the decision.
#[derive(Debug, Clone, Copy)]
pub struct SignupDecision<'a> {
    pub name: &'a str,
    pub org: &'a str,
    pub portal: &'a str,
    pub approved: bool,
    /// The absolute link to the portal's sign-in page.
    pub link: &'a str,
}

text_and_html!(
    SignupDecision,
    SignupDecisionText = "mail/signup_decision.txt",
    SignupDecisionHtml = "mail/signup_decision.html"
);

translated!(
    SignupDecision,
    "de" => SignupDecisionTextDe = "mail/de/signup_decision.txt", SignupDecisionHtmlDe = "mail/de/signup_decision.html";
    "fr" => SignupDecisionTextFr = "mail/fr/signup_decision.txt", SignupDecisionHtmlFr = "mail/fr/signup_decision.html";
);

/// The decision on a sign-up to a restricted portal.
pub fn signup_decision(m: &SignupDecision<'_>, language: &str) -> Result<Rendered, askama::Error> {
    let subject = |lang: &str| match (lang, m.approved) {
        ("de", true) => format!("Ihr Zugang zum Portal {} ist freigegeben", m.portal),
        ("de", false) => format!("Ihre Anfrage für das Portal {}", m.portal),
        ("fr", true) => format!("Votre accès au portail {} est accepté", m.portal),
        ("fr", false) => format!("Votre demande d'accès au portail {}", m.portal),
        (_, true) => format!("Your access to the {} portal is approved", m.portal),
        (_, false) => format!("Your request to join the {} portal", m.portal),
    };
    m.localized(language, subject)
}

/// What a portal user is told after changing their password.
#[derive(Debug, Clone, Copy)]
pub struct PasswordChanged<'a> {
    pub name: &'a str,
    pub org: &'a str,
    pub portal: &'a str,
    /// The absolute "Forgot your password?" page of the portal.
    pub link: &'a str,
}

text_and_html!(
    PasswordChanged,
    PasswordChangedText = "mail/password_changed.txt",
    PasswordChangedHtml = "mail/password_changed.html"
);

translated!(
    PasswordChanged,
    "de" => PasswordChangedTextDe = "mail/de/password_changed.txt", PasswordChangedHtmlDe = "mail/de/password_changed.html";
    "fr" => PasswordChangedTextFr = "mail/fr/password_changed.txt", PasswordChangedHtmlFr = "mail/fr/password_changed.html";
);

/// "Your password was changed."
pub fn password_changed(
    m: &PasswordChanged<'_>,
    language: &str,
) -> Result<Rendered, askama::Error> {
    let subject = |lang: &str| match lang {
        "de" => format!("Ihr Passwort für {} wurde geändert", m.portal),
        "fr" => format!("Votre mot de passe pour {} a été modifié", m.portal),
        _ => format!("Your {} password was changed", m.portal),
    };
    m.localized(language, subject)
}

/// The link that confirms a portal user's new sign-in address, sent to that address.
#[derive(Debug, Clone, Copy)]
pub struct EmailChange<'a> {
    pub name: &'a str,
    pub org: &'a str,
    pub portal: &'a str,
    /// The absolute confirmation link (it carries the secret token).
    pub link: &'a str,
    /// When the link stops working (`2026-12-07 14:00 UTC`).
    pub expires: &'a str,
}

text_and_html!(
    EmailChange,
    EmailChangeText = "mail/email_change.txt",
    EmailChangeHtml = "mail/email_change.html"
);

translated!(
    EmailChange,
    "de" => EmailChangeTextDe = "mail/de/email_change.txt", EmailChangeHtmlDe = "mail/de/email_change.html";
    "fr" => EmailChangeTextFr = "mail/fr/email_change.txt", EmailChangeHtmlFr = "mail/fr/email_change.html";
);

/// "Confirm your new address."
pub fn email_change(m: &EmailChange<'_>, language: &str) -> Result<Rendered, askama::Error> {
    let subject = |lang: &str| match lang {
        "de" => format!(
            "Bestätigen Sie Ihre neue Adresse für das Portal {}",
            m.portal
        ),
        "fr" => format!(
            "Confirmez votre nouvelle adresse pour le portail {}",
            m.portal
        ),
        _ => format!("Confirm your new address for the {} portal", m.portal),
    };
    m.localized(language, subject)
}

/// What the old address is told once the sign-in address changed.
#[derive(Debug, Clone, Copy)]
pub struct EmailChanged<'a> {
    pub name: &'a str,
    pub org: &'a str,
    pub portal: &'a str,
    /// The new address, masked (`n***@example.com`).
    pub masked: &'a str,
}

text_and_html!(
    EmailChanged,
    EmailChangedText = "mail/email_changed.txt",
    EmailChangedHtml = "mail/email_changed.html"
);

translated!(
    EmailChanged,
    "de" => EmailChangedTextDe = "mail/de/email_changed.txt", EmailChangedHtmlDe = "mail/de/email_changed.html";
    "fr" => EmailChangedTextFr = "mail/fr/email_changed.txt", EmailChangedHtmlFr = "mail/fr/email_changed.html";
);

/// "Your sign-in email was changed."
pub fn email_changed(m: &EmailChanged<'_>, language: &str) -> Result<Rendered, askama::Error> {
    let subject = |lang: &str| match lang {
        "de" => format!("Ihre Anmeldeadresse für {} wurde geändert", m.portal),
        "fr" => format!(
            "Votre adresse de connexion pour {} a été modifiée",
            m.portal
        ),
        _ => format!("Your {} sign-in email was changed", m.portal),
    };
    m.localized(language, subject)
}

localized!(
    Verification,
    PasswordReset,
    SignupDecision,
    PasswordChanged,
    EmailChange,
    EmailChanged,
);

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
    #[test]
    fn sign_up_mails_escape_what_they_quote_in_html() {
        let v = verification(
            &Verification {
                name: "<b>Ann</b>",
                org: "Zylker & Co",
                portal: "Help",
                link: "https://crm.example.com/p/help/verify/abc",
                expires: "2026-12-07 14:00 UTC",
            },
            "en",
        )
        .unwrap();
        assert!(v.text.contains("<b>Ann</b>") && v.text.contains("/verify/abc"));
        assert!(!v.html.contains("<b>Ann</b>") && v.html.contains("&#60;b&#62;Ann"));
        assert!(
            v.html
                .contains("href=\"https://crm.example.com/p/help/verify/abc\"")
        );
        let n = signup_notice(
            &SignupNotice {
                recipient: "Ada",
                applicant: "<i>Bob</i>",
                applicant_email: "bob@customer.com",
                portal: "Help",
                awaiting_approval: true,
                auto_approved: false,
                link: "https://crm.example.com/admin/setup/portals/1/signups",
            },
            "en",
        )
        .unwrap();
        assert_eq!(n.subject, "<i>Bob</i> asks to join the Help portal");
        assert!(n.text.contains("approve or reject") && !n.html.contains("<i>Bob"));
        let d = signup_decision(
            &SignupDecision {
                name: "Bob",
                org: "Zylker",
                portal: "Help",
                approved: false,
                link: "https://crm.example.com/p/help/",
            },
            "ja",
        )
        .unwrap();
        assert!(d.text.contains("not approved") && d.language == "en");
    }

    #[test]
    fn the_portal_notices_are_written_in_german_and_french() {
        let changed = PasswordChanged {
            name: "<b>Ann</b>",
            org: "Zylker",
            portal: "Help",
            link: "https://crm.example.com/p/help/forgot",
        };
        let de = password_changed(&changed, "de").unwrap();
        assert_eq!(
            (de.language.as_str(), de.subject.as_str()),
            ("de", "Ihr Passwort für Help wurde geändert")
        );
        assert!(de.text.contains("wurde\ngeändert") || de.text.contains("wurde geändert"));
        assert!(
            !de.html.contains("<b>Ann") && de.html.contains("Ann"),
            "HTML escapes the name"
        );
        let moved = EmailChanged {
            name: "Ann",
            org: "Zylker",
            portal: "Help",
            masked: "a***@example.com",
        };
        let fr = email_changed(&moved, "fr-CA").unwrap();
        assert_eq!(fr.language, "fr");
        assert!(fr.text.contains("a***@example.com") && fr.text.contains("remplacée"));
        for approved in [true, false] {
            let decision = SignupDecision {
                name: "Ann",
                org: "Zylker",
                portal: "Help",
                approved,
                link: "https://crm.example.com/p/help/sign-in",
            };
            let de = signup_decision(&decision, "de").unwrap();
            assert_eq!(de.language, "de");
            assert!(de.text.contains("angenommen"));
            assert_eq!(de.text.contains("nicht angenommen"), !approved);
            let en = signup_decision(&decision, "ja").unwrap();
            assert_eq!(en.language, "en", "a language without templates is English");
        }
    }

    #[test]
    fn the_portal_link_mails_are_written_in_german_and_french() {
        let reset = PasswordReset {
            name: "<b>Ann</b>",
            org: "Zylker",
            portal: "Help",
            link: "https://crm.example.com/p/help/reset/abc",
            expires: "2026-12-07 14:00 UTC",
        };
        let de = password_reset(&reset, "de-AT").unwrap();
        assert_eq!(de.language, "de");
        assert_eq!(
            de.subject,
            "Wählen Sie ein neues Passwort für das Portal Help"
        );
        assert!(de.text.contains("Hallo <b>Ann</b>") && de.text.contains("/reset/abc"));
        assert!(
            de.html.contains("Hallo &#60;b&#62;Ann") && de.html.contains("Neues Passwort wählen")
        );
        let fr = password_reset(&reset, "fr").unwrap();
        assert_eq!(fr.language, "fr");
        assert!(
            fr.text.contains("Bonjour")
                && fr
                    .html
                    .contains("href=\"https://crm.example.com/p/help/reset/abc\"")
        );
        let es = password_reset(&reset, "es").unwrap();
        assert_eq!(
            (es.language.as_str(), es.subject.as_str()),
            ("en", "Choose a new password for the Help portal")
        );
        let invited = Invitation {
            name: "Ann",
            inviter: "Ada",
            org: "Zylker",
            portal: "Help",
            link: "https://crm.example.com/p/help/invite/abc",
            expires: "2026-12-07 14:00 UTC",
        };
        let fr = invitation(&invited, "fr-CA").unwrap();
        assert_eq!(fr.subject, "Ada vous invite sur le portail Help");
        assert!(fr.text.contains("/invite/abc") && fr.html.contains("Accepter l’invitation"));
        assert_eq!(invitation(&invited, "en").unwrap().language, "en");
        let change = EmailChange {
            name: "Ann",
            org: "Zylker",
            portal: "Help",
            link: "https://crm.example.com/p/help/email-change/abc",
            expires: "2026-12-07 14:00 UTC",
        };
        assert!(
            email_change(&change, "de")
                .unwrap()
                .text
                .contains("Diese Adresse")
                || email_change(&change, "de")
                    .unwrap()
                    .html
                    .contains("Diese Adresse bestätigen")
        );
        let verify = Verification {
            name: "Ann",
            org: "Zylker",
            portal: "Help",
            link: "https://crm.example.com/p/help/verify/abc",
            expires: "2026-12-07 14:00 UTC",
        };
        assert_eq!(verification(&verify, "fr").unwrap().language, "fr");
    }
}
