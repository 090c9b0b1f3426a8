//! Sending over SMTP with lettre. The server comes from a URL (`--smtp-url`):
//!
//! - `smtp://host[:port]` — plain SMTP (port 25 by default), no TLS;
//! - `smtp://host[:port]?tls=required` — STARTTLS, refused if the server does not offer it
//!   (port 587 by default); `?tls=opportunistic` uses STARTTLS when offered;
//! - `smtps://host[:port]` — TLS from the first byte (implicit TLS, port 465 by default);
//! - `smtp://user:password@host…` — authenticates (percent-encode special characters);
//! - a path (`smtp://host/crm.example.com`) names the client in EHLO.
//!
//! Certificates are checked against the system's CA store (rustls; no OpenSSL).

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// How long one SMTP conversation (connect, send, each answer) may take before the attempt
/// counts as failed. The delivery worker's lease must outlast a batch of these.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// The SMTP configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SmtpError {
    #[error("the SMTP URL {url} is not usable: {reason}")]
    Url { url: String, reason: String },
    #[error(
        "the sender address {0:?} is not an address (use name@example.com or \"Name <name@example.com>\")"
    )]
    From(String),
}

/// One attempt failed. `permanent` when the server refused the message for good (a 5xx
/// answer, or a message it can never take); otherwise a later attempt may succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    pub message: String,
    pub permanent: bool,
}

/// A message as it leaves: the outbox row's parts.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    /// `<random@host>`, the same on every attempt, so a receiver can tell a repeat.
    pub message_id: &'a str,
    /// The language of the bodies, sent as `Content-Language`.
    pub language: &'a str,
}

/// The configured SMTP server and sender; cheap to share (connections are pooled inside).
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    server: String,
}

/// The URL without its password, for logs and pages.
pub fn redacted_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
            match rest[..authority_end].rsplit_once('@') {
                Some((user, host)) => {
                    let user = user.split(':').next().unwrap_or("");
                    format!("{scheme}://{user}:***@{host}{}", &rest[authority_end..])
                }
                None => url.to_string(),
            }
        }
        None => url.to_string(),
    }
}

impl Mailer {
    /// A mailer for the server at `url` (syntax above) sending as `from`. `hello_name` is the
    /// name given in EHLO unless the URL names one (the host of the base URL is a good one).
    pub fn new(url: &str, from: &str, hello_name: &str) -> Result<Self, SmtpError> {
        let server = redacted_url(url);
        let bad = |reason: String| SmtpError::Url {
            url: server.clone(),
            reason,
        };
        let names_client = url
            .split_once("://")
            .map(|(_, rest)| rest.split('?').next().unwrap_or(""))
            .and_then(|rest| rest.split_once('/'))
            .is_some_and(|(_, path)| !path.trim_matches('/').is_empty());
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| bad(e.to_string()))?;
        if !names_client && !hello_name.is_empty() {
            builder = builder.hello_name(ClientId::Domain(hello_name.to_string()));
        }
        let transport = builder.timeout(Some(SEND_TIMEOUT)).build();
        let from = from
            .trim()
            .parse::<Mailbox>()
            .map_err(|_| SmtpError::From(from.to_string()))?;
        Ok(Self {
            transport,
            from,
            server,
        })
    }

    /// The server, without its password.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// The sender every message carries.
    pub fn from(&self) -> String {
        self.from.to_string()
    }

    /// The MIME message: From, To, Subject, Date, the stored Message-ID, Content-Language,
    /// and `multipart/alternative` with the text body first and the HTML body second.
    pub fn message(&self, m: &Outgoing<'_>) -> Result<Message, SendError> {
        let permanent = |what: &str, e: &dyn std::fmt::Display| SendError {
            message: format!("{what}: {e}"),
            permanent: true,
        };
        let to =
            m.to.parse::<Mailbox>()
                .map_err(|e| permanent("the recipient cannot be addressed", &e))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.subject)
            .message_id(Some(m.message_id.to_string()))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Content-Language"),
                m.language.to_string(),
            ))
            .date_now()
            .multipart(MultiPart::alternative_plain_html(
                m.text.to_string(),
                m.html.to_string(),
            ))
            .map_err(|e| permanent("the message cannot be built", &e))
    }

    /// One attempt at delivering `m`: Ok when the server accepted it.
    pub async fn send(&self, m: &Outgoing<'_>) -> Result<(), SendError> {
        let message = self.message(m)?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) => Err(SendError {
                message: describe(&e),
                permanent: e.is_permanent(),
            }),
        }
    }
}

/// lettre's error with its causes ("Connection error: Connection refused (os error 111)").
fn describe(e: &lettre::transport::smtp::Error) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_shown_without_their_password() {
        assert_eq!(
            redacted_url("smtp://mailer:s3cret@mail.example.com:587?tls=required"),
            "smtp://mailer:***@mail.example.com:587?tls=required"
        );
        assert_eq!(
            redacted_url("smtp://127.0.0.1:2525"),
            "smtp://127.0.0.1:2525"
        );
    }

    #[tokio::test]
    async fn every_documented_url_form_builds() {
        for url in [
            "smtp://127.0.0.1:2525",
            "smtp://mail.example.com?tls=required",
            "smtp://mail.example.com:2587?tls=opportunistic",
            "smtps://mail.example.com",
            "smtp://user:p%40ss@mail.example.com:587/crm.example.com?tls=required",
        ] {
            assert!(
                Mailer::new(url, "Portico <crm@example.com>", "crm.example.com").is_ok(),
                "{url}"
            );
        }
        for url in [
            "http://mail.example.com",
            "smtp://",
            "smtp://x?tls=maybe",
            "mail.example.com",
        ] {
            assert!(
                matches!(
                    Mailer::new(url, "crm@example.com", ""),
                    Err(SmtpError::Url { .. })
                ),
                "{url}"
            );
        }
        assert!(matches!(
            Mailer::new("smtp://127.0.0.1:2525", "not an address", ""),
            Err(SmtpError::From(_))
        ));
    }

    #[tokio::test]
    async fn messages_are_multipart_with_the_stored_message_id() {
        let mailer =
            Mailer::new("smtp://127.0.0.1:2525", "Portico <crm@example.com>", "x").unwrap();
        let m = Outgoing {
            to: "ada@northwind.example",
            subject: "Grüße",
            text: "Hello in text",
            html: "<p>Hello</p>",
            message_id: "<abc@crm.example.com>",
            language: "en",
        };
        let raw = String::from_utf8(mailer.message(&m).unwrap().formatted()).unwrap();
        assert!(raw.contains("Message-ID: <abc@crm.example.com>"), "{raw}");
        assert!(raw.contains("Content-Language: en"));
        assert!(raw.contains("To: ada@northwind.example"));
        assert!(raw.contains("multipart/alternative"));
        let text_at = raw.find("text/plain").unwrap();
        assert!(
            text_at < raw.find("text/html").unwrap(),
            "text first, HTML second"
        );
        let bad = Outgoing {
            to: "not an address",
            ..m
        };
        assert!(mailer.message(&bad).unwrap_err().permanent);
    }
}
