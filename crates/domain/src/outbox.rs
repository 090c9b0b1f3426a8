//! Email as the outbox holds it: the kinds of message the product sends, the states a message
//! goes through, a message checked before it is written ([`NewMail`]), and the delivery rule
//! ([`DeliveryRule`]): how long a claim lasts, how retries back off, when to give up. Pure
//! values and arithmetic; the clock, the database and SMTP live elsewhere.
//!
//! A message is written to the outbox in the same transaction as the change that causes it,
//! then delivered at least once: `pending` → (claimed) `sending` → `sent`, or back to `pending`
//! with a later `next_attempt_at` after a failure, or `failed` for good.

use crate::email::EmailAddress;
use crate::text::has_forbidden_chars;
use crate::{DomainError, FieldError, Millis};
use serde::{Deserialize, Serialize};

/// The longest subject, in characters (RFC 5322 advises lines under 78; a subject is folded,
/// but beyond this it is no subject anyone reads).
pub const SUBJECT_MAX: usize = 200;
/// The largest text or HTML body, in bytes. Ours are a few kilobytes; this only keeps a bug or
/// a huge template value from filling the outbox.
pub const BODY_MAX: usize = 256 * 1024;
/// The longest language tag (`en`, `en-GB`, `zh-Hant-TW`).
pub const LANGUAGE_MAX: usize = 35;
/// The most characters of a delivery error kept (an SMTP server's answer can be long).
pub const LAST_ERROR_MAX: usize = 1000;

/// What a message is for. Each later email of the product (invitations, sign-up notices,
/// password resets) adds its kind here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    /// "Send a test email" from the mail log: checks the SMTP configuration end to end.
    Test,
    /// An invitation to a portal, with its single-use link.
    Invitation,
    /// A public portal's sign-up: confirm the address.
    Verification,
    /// Tells CRM users about a sign-up (public and restricted portals).
    SignupNotice,
    /// Tells an applicant to a restricted portal the decision.
    SignupDecision,
    /// A portal user's "Forgot your password?" link.
    PasswordReset,
    /// Tells a portal user their password was changed.
    PasswordChanged,
    /// The link that confirms a portal user's new sign-in address (sent to that address).
    EmailChange,
    /// Tells a portal user's old address that the sign-in address changed.
    EmailChanged,
}

impl MailKind {
    pub const ALL: &'static [MailKind] = &[
        MailKind::Test,
        MailKind::Invitation,
        MailKind::Verification,
        MailKind::SignupNotice,
        MailKind::SignupDecision,
        MailKind::PasswordReset,
        MailKind::PasswordChanged,
        MailKind::EmailChange,
        MailKind::EmailChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Test => "test",
            Self::Invitation => "invitation",
            Self::Verification => "verification",
            Self::SignupNotice => "signup_notice",
            Self::SignupDecision => "signup_decision",
            Self::PasswordReset => "password_reset",
            Self::PasswordChanged => "password_changed",
            Self::EmailChange => "email_change",
            Self::EmailChanged => "email_changed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

/// Where a message is on its way out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailState {
    /// Waiting for its (next) attempt at `next_attempt_at`; without SMTP configured, for good.
    Pending,
    /// Claimed by a worker until `next_attempt_at` (the lease): if the worker dies, the
    /// message is due again then.
    Sending,
    /// The SMTP server accepted it.
    Sent,
    /// Refused for good (a permanent SMTP error, or the last attempt failed).
    Failed,
}

impl MailState {
    pub const ALL: &'static [MailState] = &[
        MailState::Pending,
        MailState::Sending,
        MailState::Sent,
        MailState::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

/// A message ready for the outbox: a valid recipient, a one-line subject and both bodies within
/// bounds. Only [`NewMail::new`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    kind: MailKind,
    recipient: EmailAddress,
    language: String,
    subject: String,
    text: String,
    html: String,
}

impl NewMail {
    /// Checks every part and reports every problem at once. A subject holds no control
    /// character (a line break there would start a header of its own); the bodies hold no NUL
    /// or escape characters (line breaks and tabs are fine).
    pub fn new(
        kind: MailKind,
        recipient: &str,
        language: &str,
        subject: &str,
        text: &str,
        html: &str,
    ) -> Result<Self, DomainError> {
        let mut errors = Vec::new();
        let recipient = match EmailAddress::parse(recipient) {
            Ok(r) => Some(r),
            Err(e) => {
                errors.extend(e.errors().iter().map(|f| FieldError {
                    field: "recipient".into(),
                    ..f.clone()
                }));
                None
            }
        };
        let language_ok = !language.is_empty()
            && language.len() <= LANGUAGE_MAX
            && language
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !language_ok {
            errors.push(FieldError::new(
                "language",
                "invalid_language",
                "The language is a tag such as en or en-GB",
            ));
        }
        let subject = subject.trim();
        if subject.is_empty() {
            errors.push(FieldError::new(
                "subject",
                "required",
                "An email needs a subject",
            ));
        } else if subject.chars().count() > SUBJECT_MAX {
            errors.push(FieldError::new(
                "subject",
                "too_long",
                format!("A subject has at most {SUBJECT_MAX} characters"),
            ));
        } else if has_forbidden_chars(subject, false) {
            errors.push(FieldError::new(
                "subject",
                "invalid_characters",
                "A subject is one line without control characters",
            ));
        }
        for (field, body) in [("text", text), ("html", html)] {
            if body.trim().is_empty() {
                errors.push(FieldError::new(
                    field,
                    "required",
                    "An email needs both a text and an HTML body",
                ));
            } else if body.len() > BODY_MAX {
                errors.push(FieldError::new(
                    field,
                    "too_long",
                    format!(
                        "An email body has at most {} KiB, this one has {} KiB",
                        BODY_MAX / 1024,
                        body.len().div_ceil(1024)
                    ),
                ));
            } else if has_forbidden_chars(body, true) {
                errors.push(FieldError::new(
                    field,
                    "invalid_characters",
                    "An email body holds no control characters but tabs and line breaks",
                ));
            }
        }
        match recipient {
            Some(recipient) if errors.is_empty() => Ok(Self {
                kind,
                recipient,
                language: language.to_string(),
                subject: subject.to_string(),
                text: text.to_string(),
                html: html.to_string(),
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }

    pub fn kind(&self) -> MailKind {
        self.kind
    }
    pub fn recipient(&self) -> &EmailAddress {
        &self.recipient
    }
    pub fn language(&self) -> &str {
        &self.language
    }
    pub fn subject(&self) -> &str {
        &self.subject
    }
    pub fn text(&self) -> &str {
        &self.text
    }
    pub fn html(&self) -> &str {
        &self.html
    }
}

/// How delivery goes: a claimed message is leased for `lease_ms`; after a failed attempt the
/// next waits `first_retry_ms`, doubling each time up to `max_retry_ms`; attempt number
/// `max_attempts` is the last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryRule {
    pub lease_ms: Millis,
    pub first_retry_ms: Millis,
    pub max_retry_ms: Millis,
    pub max_attempts: i64,
}

/// What a failed attempt leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Try again at this time.
    RetryAt(Millis),
    /// No more attempts: the message has failed for good.
    GiveUp,
}

impl Default for DeliveryRule {
    fn default() -> Self {
        Self::STANDARD
    }
}

impl DeliveryRule {
    /// A ten-minute lease; retries after 1, 2, 4, 8, 16, 32 and 60 minutes: eight attempts
    /// over about two hours.
    pub const STANDARD: Self = Self {
        lease_ms: 10 * 60_000,
        first_retry_ms: 60_000,
        max_retry_ms: 60 * 60_000,
        max_attempts: 8,
    };

    /// The wait after the `attempts`-th failed attempt (1-based): doubling from
    /// `first_retry_ms`, never more than `max_retry_ms`.
    pub fn backoff(&self, attempts: i64) -> Millis {
        let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 40)).unwrap_or(40);
        self.first_retry_ms
            .max(1)
            .saturating_mul(1_i64 << doublings)
            .min(self.max_retry_ms.max(self.first_retry_ms))
    }

    /// After attempt number `attempts` failed at `now`: retry later, or give up when that was
    /// the last one or the server refused the message for good.
    pub fn after_failure(&self, attempts: i64, permanent: bool, now: Millis) -> AfterFailure {
        if permanent || attempts >= self.max_attempts.max(1) {
            AfterFailure::GiveUp
        } else {
            AfterFailure::RetryAt(now.saturating_add(self.backoff(attempts)))
        }
    }
}

/// A delivery error as stored: one line, at most [`LAST_ERROR_MAX`] characters.
pub fn bounded_error(error: &str) -> String {
    let one_line: String = error
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let one_line = one_line.trim();
    if one_line.chars().count() <= LAST_ERROR_MAX {
        return one_line.to_string();
    }
    let mut out: String = one_line.chars().take(LAST_ERROR_MAX - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(subject: &str, text: &str) -> Result<NewMail, DomainError> {
        NewMail::new(
            MailKind::Test,
            "ada@northwind.example",
            "en",
            subject,
            text,
            "<p>Hi</p>",
        )
    }

    fn codes(r: Result<NewMail, DomainError>) -> Vec<(String, &'static str)> {
        r.err()
            .map(|e| {
                e.errors()
                    .iter()
                    .map(|f| (f.field.clone(), f.code))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn a_message_is_checked_whole() {
        let ok = mail("  Hello  ", "Hi\r\n\tthere").unwrap();
        assert_eq!(ok.subject(), "Hello");
        assert_eq!(ok.recipient().as_str(), "ada@northwind.example");
        assert_eq!(
            codes(mail("Line\r\nBcc: evil@x.example", "Hi")),
            [("subject".to_string(), "invalid_characters")]
        );
        assert_eq!(
            codes(mail(&"s".repeat(SUBJECT_MAX + 1), "Hi")),
            [("subject".to_string(), "too_long")]
        );
        assert!(mail(&"s".repeat(SUBJECT_MAX), "Hi").is_ok());
        assert_eq!(
            codes(mail("Hi", &"x".repeat(BODY_MAX + 1))),
            [("text".to_string(), "too_long")]
        );
        assert_eq!(
            codes(mail("", "a\0b")),
            [
                ("subject".to_string(), "required"),
                ("text".to_string(), "invalid_characters")
            ]
        );
        let bad = NewMail::new(MailKind::Test, "not an address", "e n", "S", "t", " ");
        assert_eq!(
            codes(bad),
            [
                ("recipient".to_string(), "invalid_email"),
                ("language".to_string(), "invalid_language"),
                ("html".to_string(), "required"),
            ]
        );
    }

    #[test]
    fn kinds_and_states_round_trip() {
        for k in MailKind::ALL {
            assert_eq!(MailKind::parse(k.as_str()), Some(*k));
        }
        for s in MailState::ALL {
            assert_eq!(MailState::parse(s.as_str()), Some(*s));
        }
        assert_eq!(MailState::parse("queued"), None);
    }

    #[test]
    fn retries_back_off_to_a_cap_then_give_up() {
        let r = DeliveryRule::STANDARD;
        let minutes: Vec<i64> = (1..=8).map(|a| r.backoff(a) / 60_000).collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(
            r.after_failure(1, false, 1_000),
            AfterFailure::RetryAt(61_000)
        );
        assert_eq!(
            r.after_failure(7, false, 0),
            AfterFailure::RetryAt(3_600_000)
        );
        assert_eq!(r.after_failure(8, false, 0), AfterFailure::GiveUp);
        assert_eq!(r.after_failure(1, true, 0), AfterFailure::GiveUp);
        // Absurd attempt counts neither overflow nor go negative.
        assert_eq!(r.backoff(i64::MAX), 3_600_000);
        assert_eq!(r.backoff(-5), 60_000);
    }

    #[test]
    fn errors_are_stored_on_one_bounded_line() {
        assert_eq!(
            bounded_error(" 421 busy\r\ntry later "),
            "421 busy  try later"
        );
        let long = bounded_error(&"é".repeat(5000));
        assert_eq!(long.chars().count(), LAST_ERROR_MAX);
        assert!(long.ends_with('…'));
    }
}
