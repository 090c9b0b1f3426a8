//! Email for Portico: the message templates (a text and an HTML body per kind of mail, rendered
//! with askama, HTML escaped) and the SMTP transport (lettre over tokio, TLS by rustls). No
//! database and no business rule here: the outbox, and the worker that delivers it, are use
//! cases in `portico_app`; this crate turns a stored message into MIME and hands it to the
//! configured server.

mod smtp;
pub mod templates;

pub use smtp::{Mailer, Outgoing, SEND_TIMEOUT, SendError, SmtpError, redacted_url};
